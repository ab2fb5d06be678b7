//! The work done for one file: decode → parse → scope model → rules.

use ruff_python_ast::token::{Token, TokenKind};
use ruff_python_ast::{Mod, ModModule};
use ruff_python_parser::{
    Mode, ParseOptions, Parsed, UnsupportedSyntaxError, UnsupportedSyntaxErrorKind, parse_unchecked,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::notebook::{self, CellIndex};
use crate::project::{self, ModuleFacts, PendingCheck};
use crate::registry::RuleMeta;
use crate::rules::{Checker, io_error, syntax_error};
use crate::scope::{ModelOptions, ModulePath, ScopeModel};
use crate::settings::RuleOptions;
use crate::source::{self, DecodeError};
use crate::suppression::{self, Directives};
use crate::target_version::TargetVersion;

/// The top-level packages and modules of the linted tree. Fx-hashed: rules ask about
/// most calls of every file.
pub type ProjectRoots = rustc_hash::FxHashSet<String>;

/// Everything that decides how one file is linted.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    pub target_version: TargetVersion,
    /// The module body may `await` (notebook cells).
    pub top_level_await: bool,
    /// The file is a Jupyter notebook: its code cells form the module, IPython syntax
    /// (`%magic`, `!shell`) is allowed, and so is top-level `await`.
    pub notebook: bool,
    /// The module's dotted name, for relative imports (see `project::module_in`).
    pub module: Option<ModulePath>,
    /// The rules to run, in registry order.
    /// Shared by the files whose settings give the same rules.
    pub rules: Arc<[&'static RuleMeta]>,
    pub rule_options: RuleOptions,
    /// The top-level packages and modules of the linted tree: checks about names from
    /// other packages (the standard library, dependencies) are not deferred to phase 2.
    /// `None` when unknown (every check is deferred).
    pub project_roots: Option<Arc<ProjectRoots>>,
    /// Identifies `project_roots` (computed once per run, for cache keys).
    pub project_fingerprint: u64,
}

/// The outcome for one file: its text (for rendering), its diagnostics, and what the
/// project-wide phase needs from it.
#[derive(Default)]
pub struct LintedText {
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    pub project: ProjectPart,
    /// Keep the text even without diagnostics (it cannot be read again).
    pub keep_text: bool,
    /// For a notebook: where each code cell starts in `text`.
    pub cells: Option<CellIndex>,
}

/// What one file contributes to the project-wide phase.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ProjectPart {
    /// The module's definitions, for other files' checks.
    pub facts: Option<ModuleFacts>,
    /// This file's checks that need other modules' facts.
    pub pending: Vec<PendingCheck>,
    /// Its `# noqa` comments, applied once all its diagnostics are known.
    pub directives: Directives,
}

/// Lints the raw bytes of a file.
pub fn lint_bytes(bytes: Vec<u8>, options: &LintOptions) -> LintedText {
    if options.notebook {
        return lint_notebook(&bytes, options);
    }
    match source::decode(bytes) {
        Ok(text) => {
            let (diagnostics, project) = lint_module(&text, options);
            LintedText {
                text,
                diagnostics,
                project,
                keep_text: false,
                cells: None,
            }
        }
        Err(error) => decode_failure(error),
    }
}

fn lint_notebook(bytes: &[u8], options: &LintOptions) -> LintedText {
    match notebook::parse(bytes) {
        Ok(notebook) => {
            let (diagnostics, project) = lint_module(&notebook.source, options);
            LintedText {
                text: notebook.source,
                diagnostics,
                project,
                keep_text: false,
                cells: Some(notebook.cells),
            }
        }
        Err(message) => LintedText {
            diagnostics: vec![Diagnostic::for_file(&syntax_error::RULE, message)],
            ..LintedText::default()
        },
    }
}

/// The text of a file as [`lint_bytes`] reads it (and a notebook's cells), without
/// linting it; `None` when it cannot be decoded.
pub fn decode_only(bytes: Vec<u8>, options: &LintOptions) -> Option<(String, Option<CellIndex>)> {
    if options.notebook {
        return notebook::parse(&bytes)
            .ok()
            .map(|notebook| (notebook.source, Some(notebook.cells)));
    }
    source::decode(bytes).ok().map(|text| (text, None))
}

/// The diagnostic for a file that cannot be decoded. Its text (decoded as far as it goes,
/// for the snippet) cannot be read again the same way: it is kept.
fn decode_failure(error: DecodeError) -> LintedText {
    LintedText {
        keep_text: true,
        ..decode_failure_diagnostic(error)
    }
}

fn decode_failure_diagnostic(error: DecodeError) -> LintedText {
    match error {
        DecodeError::Undecodable {
            encoding,
            text,
            offset,
            declared,
        } => {
            // CPython reads a file line by line: a NUL byte before the undecodable one is
            // what it reports (and what a binary file usually has first).
            if let Some(nul) = memchr::memchr(0, &text.as_bytes()[..offset]) {
                return LintedText {
                    diagnostics: vec![null_byte(nul)],
                    text,
                    ..LintedText::default()
                };
            }
            let start = TextSize::try_from(offset).unwrap_or_default();
            let width = text[offset..].chars().next().map_or(0, char::len_utf8);
            let range = TextRange::at(start, TextSize::try_from(width).unwrap_or_default());
            // Only a file that declares nothing is read as UTF-8 by default.
            let hint = if !declared {
                " (declare the file's encoding with a `# -*- coding: NAME -*-` comment, as PEP 263 describes)"
            } else {
                ""
            };
            let message =
                format!("file is not valid {encoding}: this byte cannot be decoded{hint}");
            LintedText {
                diagnostics: vec![Diagnostic::new(&syntax_error::RULE, message, range)],
                text,
                ..LintedText::default()
            }
        }
        DecodeError::UnknownEncoding { name, text } => LintedText {
            diagnostics: vec![Diagnostic::new(
                &syntax_error::RULE,
                format!("unknown encoding: {name}"),
                first_line_range(&text),
            )],
            text,
            ..LintedText::default()
        },
        DecodeError::BomConflict { name, text } => LintedText {
            diagnostics: vec![Diagnostic::new(
                &syntax_error::RULE,
                format!("encoding problem: {name} with BOM"),
                first_line_range(&text),
            )],
            text,
            ..LintedText::default()
        },
        DecodeError::UnsupportedEncoding { name } => LintedText {
            diagnostics: vec![Diagnostic::for_file(
                &io_error::RULE,
                format!(
                    "cannot decode the file: asynclint does not support the encoding `{name}` it declares"
                ),
            )],
            ..LintedText::default()
        },
    }
}

fn first_line_range(text: &str) -> TextRange {
    let end = text.find(['\n', '\r']).unwrap_or(text.len());
    TextRange::up_to(TextSize::try_from(end).unwrap_or_default())
}

fn null_byte(offset: usize) -> Diagnostic {
    let start = TextSize::try_from(offset).unwrap_or_default();
    Diagnostic::new(
        &syntax_error::RULE,
        "source code cannot contain null bytes (is this a binary file?)",
        TextRange::at(start, TextSize::new(1)),
    )
}

/// Lints decoded source text on its own (checks that need other modules are dropped),
/// with its `# noqa` comments applied.
pub fn lint_source(source: &str, options: &LintOptions) -> Vec<Diagnostic> {
    let (mut diagnostics, project) = lint_module(source, options);
    suppression::apply(&mut diagnostics, &project.directives, &options.rules);
    diagnostics
}

/// Lints decoded source text: its diagnostics, and its part of the project-wide phase.
pub fn lint_module(source: &str, options: &LintOptions) -> (Vec<Diagnostic>, ProjectPart) {
    if let Some(position) = memchr::memchr(0, source.as_bytes()) {
        return (vec![null_byte(position)], ProjectPart::default());
    }
    let mode = if options.notebook {
        Mode::Ipython
    } else {
        Mode::Module
    };
    let parse_options =
        ParseOptions::from(mode).with_target_version(options.target_version.as_python_version());
    let parsed = match parse_guarded(source, parse_options) {
        Ok(parsed) => parsed,
        Err(diagnostic) => return (vec![diagnostic], ProjectPart::default()),
    };
    let mut diagnostics = syntax_errors(&parsed);
    let too_deep = tokenizer_limit(parsed.tokens());
    let parses = parsed.errors().is_empty() && too_deep.is_none();
    diagnostics.extend(too_deep);
    // A file that does not parse is reported for that alone: rules on a recovered tree
    // would guess, and CPython stops at the first error anyway. Version-dependent syntax
    // errors leave a complete tree, so rules still run.
    let directives = suppression::directives(source, parsed.tokens());
    if let (true, Mod::Module(module)) = (parses, parsed.syntax()) {
        let (max_depth, mut project) = run_rules(module, source, options, &mut diagnostics);
        drop_deep_tree(parsed, max_depth);
        project.directives = directives;
        return (diagnostics, project);
    }
    drop_deep_tree(parsed, u32::MAX);
    let project = ProjectPart {
        directives,
        ..ProjectPart::default()
    };
    (diagnostics, project)
}

/// Parses, turning a panic of ruff's parser into a syntax error. Its IPython mode panics
/// (`unreachable!`) when, recovering from an earlier error, it meets an IPython help
/// escape (`?`) where an expression belongs: `def{` then `?` on the next line of a
/// notebook cell (found by fuzzing, `tests/data/crashes/`). The notebook is invalid
/// either way; the panic's message is not printed.
fn parse_guarded(source: &str, options: ParseOptions) -> Result<Parsed<Mod>, Diagnostic> {
    let parsed = quiet_panics(|| parse_unchecked(source, options));
    parsed.map_err(|_| {
        Diagnostic::for_file(
            &syntax_error::RULE,
            "invalid syntax: an IPython escape (such as `?`) where Python code belongs; the \
             parser cannot locate the error more precisely",
        )
    })
}

thread_local! {
    /// Panics on this thread are expected and handled: the panic hook stays silent.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching a panic without printing it (other threads' panics still print).
fn quiet_panics<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|quiet| quiet.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|quiet| quiet.set(was));
    result
}

/// How many syntax errors the parser finds in a text (for checking that fixes do not
/// break a file).
pub fn syntax_error_count(source: &str, version: TargetVersion) -> usize {
    let options = ParseOptions::from(Mode::Module).with_target_version(version.as_python_version());
    let parsed = parse_unchecked(source, options);
    parsed.errors().len() + parsed.unsupported_syntax_errors().len()
}

/// CPython's tokenizer refuses more than 200 nested brackets (`MAXLEVEL`) and 100 levels of
/// indentation (`MAXINDENT`), in every version asynclint targets; ruff's parser accepts
/// both. The first place a limit is hit, as CPython reports it.
fn tokenizer_limit(tokens: &[Token]) -> Option<Diagnostic> {
    const MAX_LEVEL: usize = 200;
    const MAX_INDENT: usize = 100;
    let (mut level, mut indent) = (0usize, 0usize);
    for token in tokens {
        match token.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                if level >= MAX_LEVEL {
                    return Some(Diagnostic::new(
                        &syntax_error::RULE,
                        "too many nested parentheses",
                        token.range(),
                    ));
                }
                level += 1;
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                level = level.saturating_sub(1);
            }
            TokenKind::Indent => {
                if indent + 1 >= MAX_INDENT {
                    let line_start = TextRange::empty(token.start());
                    return Some(Diagnostic::new(
                        &syntax_error::RULE,
                        "too many levels of indentation",
                        line_start,
                    ));
                }
                indent += 1;
            }
            TokenKind::Dedent => indent = indent.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn syntax_errors(parsed: &Parsed<Mod>) -> Vec<Diagnostic> {
    let parse_errors = parsed
        .errors()
        .iter()
        .map(|error| Diagnostic::new(&syntax_error::RULE, error.error.to_string(), error.location));
    let version_errors = parsed
        .unsupported_syntax_errors()
        .iter()
        .filter(|error| !is_tuple_context_manager(parsed, error))
        .map(|error| Diagnostic::new(&syntax_error::RULE, error.to_string(), error.range));
    parse_errors.chain(version_errors).collect()
}

/// ruff's parser reports `with (a, b):` before 3.9 as parenthesized context managers, but
/// CPython reads it as a tuple — valid syntax (that fails at run time). Only a `with`
/// whose parentheses hold `as` clauses is 3.9 syntax.
fn is_tuple_context_manager(parsed: &Parsed<Mod>, error: &UnsupportedSyntaxError) -> bool {
    use ruff_python_ast::visitor::{Visitor, walk_stmt};

    struct FindWith {
        at: TextRange,
        without_targets: Option<bool>,
    }
    impl<'a> Visitor<'a> for FindWith {
        fn visit_stmt(&mut self, stmt: &'a ruff_python_ast::Stmt) {
            if self.without_targets.is_some() || !stmt.range().contains_range(self.at) {
                return;
            }
            if let ruff_python_ast::Stmt::With(with) = stmt
                && (with
                    .items
                    .iter()
                    .any(|item| item.range().contains_range(self.at))
                    || with.range().start() <= self.at.start()
                        && with.body.first().is_none_or(|b| self.at.end() <= b.start()))
            {
                self.without_targets =
                    Some(with.items.iter().all(|item| item.optional_vars.is_none()));
                return;
            }
            walk_stmt(self, stmt);
        }
    }

    if error.kind != UnsupportedSyntaxErrorKind::ParenthesizedContextManager {
        return false;
    }
    let Mod::Module(module) = parsed.syntax() else {
        return false;
    };
    let mut finder = FindWith {
        at: error.range,
        without_targets: None,
    };
    stacker::maybe_grow(128 * 1024, 4 << 20, || finder.visit_body(&module.body));
    finder.without_targets == Some(true)
}

fn run_rules(
    module: &ModModule,
    source: &str,
    options: &LintOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> (u32, ProjectPart) {
    let model = ScopeModel::build(
        &module.body,
        ModelOptions {
            target_version: options.target_version,
            top_level_await: options.top_level_await || options.notebook,
            module: options.module.clone(),
            project_roots: options.project_roots.clone(),
        },
    );
    crate::syntax_gaps::check(&model, diagnostics);
    let mut checker = Checker::new(&model, source, &options.rule_options);
    checker.project_roots = options.project_roots.as_deref();
    for rule in options.rules.iter() {
        if let Some(check) = rule.check {
            check(&checker, diagnostics);
        }
    }
    let project = ProjectPart {
        facts: options.module.is_some().then(|| {
            // Which helpers block matters only to AL140: without it, skip the call lists.
            if options
                .rules
                .contains(&&crate::rules::blocking_call_via_helper::RULE)
            {
                let calls = crate::analysis::blocking::FunctionCalls::new(&model);
                project::module_facts(&model, &|scope| calls.blocking_facts(scope))
            } else {
                project::module_facts(&model, &|_| (None, Vec::new()))
            }
        }),
        pending: checker.into_pending(),
        directives: Directives::default(),
    };
    (model.max_depth(), project)
}

/// Dropping a tree is as recursive as building it: give deep ones a stack to match
/// (the parser grows its stack the same way while building them).
fn drop_deep_tree(parsed: Parsed<Mod>, max_depth: u32) {
    const SHALLOW: u32 = 1_000;
    const BYTES_PER_LEVEL: usize = 1024;
    let levels = if max_depth == u32::MAX {
        // A tree with syntax errors was not walked: its token count bounds its depth.
        parsed.tokens().len()
    } else {
        max_depth as usize
    };
    if levels <= SHALLOW as usize {
        drop(parsed);
        return;
    }
    let stack = (levels.saturating_mul(BYTES_PER_LEVEL)).clamp(1 << 20, 1 << 32);
    stacker::grow(stack, move || drop(parsed));
}
