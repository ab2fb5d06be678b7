//! The work done for one file: decode → parse → scope model → rules.

use ruff_python_ast::token::{Token, TokenKind};
use ruff_python_ast::{Mod, ModModule};
use ruff_python_parser::{Mode, ParseOptions, Parsed, parse_unchecked};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::Diagnostic;
use crate::project::{self, ModuleFacts, PendingCheck};
use crate::registry::RuleMeta;
use crate::rules::{Checker, io_error, syntax_error};
use crate::scope::{ModelOptions, ModulePath, ScopeId, ScopeModel};
use crate::settings::RuleOptions;
use crate::source::{self, DecodeError};
use crate::target_version::TargetVersion;

/// Everything that decides how one file is linted.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    pub target_version: TargetVersion,
    /// The module body may `await` (notebook cells).
    pub top_level_await: bool,
    /// The module's dotted name, for relative imports (see `project::module_path`).
    pub module: Option<ModulePath>,
    /// The rules to run, in registry order.
    pub rules: Vec<&'static RuleMeta>,
    pub rule_options: RuleOptions,
}

/// The outcome for one file: its text (for rendering), its diagnostics, and what the
/// project-wide phase needs from it.
#[derive(Default)]
pub struct LintedText {
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    pub project: ProjectPart,
}

/// What one file contributes to the project-wide phase.
#[derive(Default)]
pub struct ProjectPart {
    /// The module's definitions, for other files' checks.
    pub facts: Option<ModuleFacts>,
    /// This file's checks that need other modules' facts.
    pub pending: Vec<PendingCheck>,
}

/// Lints the raw bytes of a file.
pub fn lint_bytes(bytes: Vec<u8>, options: &LintOptions) -> LintedText {
    match source::decode(bytes) {
        Ok(text) => {
            let (diagnostics, project) = lint_module(&text, options);
            LintedText {
                text,
                diagnostics,
                project,
            }
        }
        Err(error) => decode_failure(error),
    }
}

fn decode_failure(error: DecodeError) -> LintedText {
    match error {
        DecodeError::Undecodable {
            encoding,
            text,
            offset,
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
            let hint = if encoding == "utf-8" {
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

/// Lints decoded source text on its own (checks that need other modules are dropped).
pub fn lint_source(source: &str, options: &LintOptions) -> Vec<Diagnostic> {
    lint_module(source, options).0
}

/// Lints decoded source text: its diagnostics, and its part of the project-wide phase.
pub fn lint_module(source: &str, options: &LintOptions) -> (Vec<Diagnostic>, ProjectPart) {
    if let Some(position) = memchr::memchr(0, source.as_bytes()) {
        return (vec![null_byte(position)], ProjectPart::default());
    }
    let parse_options = ParseOptions::from(Mode::Module)
        .with_target_version(options.target_version.as_python_version());
    let parsed = parse_unchecked(source, parse_options);
    let mut diagnostics = syntax_errors(&parsed);
    let too_deep = tokenizer_limit(parsed.tokens());
    let parses = parsed.errors().is_empty() && too_deep.is_none();
    diagnostics.extend(too_deep);
    // A file that does not parse is reported for that alone: rules on a recovered tree
    // would guess, and CPython stops at the first error anyway. Version-dependent syntax
    // errors leave a complete tree, so rules still run.
    if let (true, Mod::Module(module)) = (parses, parsed.syntax()) {
        let (max_depth, project) = run_rules(module, source, options, &mut diagnostics);
        drop_deep_tree(parsed, max_depth);
        return (diagnostics, project);
    }
    drop_deep_tree(parsed, u32::MAX);
    (diagnostics, ProjectPart::default())
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
        .map(|error| Diagnostic::new(&syntax_error::RULE, error.to_string(), error.range));
    parse_errors.chain(version_errors).collect()
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
            top_level_await: options.top_level_await,
            module: options.module.clone(),
        },
    );
    crate::syntax_gaps::check(&model, diagnostics);
    let checker = Checker::new(&model, source, &options.rule_options);
    for rule in &options.rules {
        if let Some(check) = rule.check {
            check(&checker, diagnostics);
        }
    }
    let project = ProjectPart {
        facts: options
            .module
            .is_some()
            .then(|| project::module_facts(&model, &|scope| blocking_facts(&model, scope))),
        pending: checker.into_pending(),
    };
    (model.max_depth(), project)
}

/// For the project index: the first blocking call a sync function makes directly, and the
/// functions it calls.
fn blocking_facts(_model: &ScopeModel<'_>, _scope: ScopeId) -> (Option<String>, Vec<String>) {
    (None, Vec::new())
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
