//! What both fuzz targets run (and `tests/crashes.rs` replays crash inputs through): one file through asynclint's whole per-file pipeline, as
//! `src/run.rs` runs it (decode, parse, scope model, every rule, the project phase,
//! `# noqa`, optionally the fix loop), then every output format rendered into memory, with
//! checks on the output that a crash alone would not catch:
//!
//! * every diagnostic's range lies inside the text, on character boundaries;
//! * no raw ESC (without colour), bidirectional control or other terminal control reaches
//!   any output;
//! * `json`, `json-lines`, `sarif` and `gitlab` parse, with one entry per diagnostic;
//! * `junit` is well-formed XML 1.0 with one test case per diagnostic;
//! * `github` is one workflow command per diagnostic, and no line starts a command of its
//!   own;
//! * `concise` and `pylint` are one line per diagnostic (no file name or message can add a
//!   line).

use std::path::PathBuf;
use std::sync::Arc;

use asynclint::diagnostic::Diagnostic;
use asynclint::fix::{self, Applicability};
use asynclint::linter::{self, LintOptions};
use asynclint::notebook::CellIndex;
use asynclint::project::ProjectIndex;
use asynclint::registry::RULES;
use asynclint::render::{self, FileReport, OutputFormat, RenderOptions};
use asynclint::rules::io_error;
use asynclint::scope::ModulePath;
use asynclint::suppression;
use asynclint::target_version::TargetVersion;
use clap::ValueEnum;

/// How a file is linted and shown, decided by one byte of the input.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    pub version: TargetVersion,
    pub mode: Mode,
    pub color: bool,
    pub statistics: bool,
    pub fix: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The bytes are a `.py` file.
    Python,
    /// The bytes are an `.ipynb` file (mostly invalid JSON: the notebook reader's errors).
    NotebookBytes,
    /// The bytes are the code of a notebook: split into cells at `\n##\n` and wrapped in a
    /// valid notebook, so that IPython syntax and top-level `await` are reached.
    NotebookCells,
}

impl Setup {
    /// Bits 0–2: the target version; 3–4: the mode (Python half the time); 5: colour;
    /// 6: `--statistics`; 7: `--fix --unsafe-fixes`.
    pub fn from_byte(byte: u8) -> Self {
        let versions = TargetVersion::ALL;
        Self {
            version: versions[usize::from(byte & 7) % versions.len()],
            mode: match (byte >> 3) & 3 {
                0 | 1 => Mode::Python,
                2 => Mode::NotebookBytes,
                _ => Mode::NotebookCells,
            },
            color: byte & 0x20 != 0,
            statistics: byte & 0x40 != 0,
            fix: byte & 0x80 != 0,
        }
    }
}

/// File names that try to break out of every format.
const HOSTILE_PATHS: [&str; 8] = [
    "pkg/mod.py",
    "pkg/new\nline.py",
    "pkg/::error file=x.py::injected.py",
    "pkg/%0A%25::warning::x.py",
    "pkg/\u{1b}[31mred\u{1b}[0m.py",
    "pkg/\u{202e}yp.txt",
    "pkg/<a x=\"&amp;\">]]>'.py",
    "pkg/\r\u{85}\u{2028}\u{7f}\u{9b}.py",
];

/// Lints `bytes` as one file and renders the result in every format, checking the output.
pub fn run(bytes: &[u8], setup: Setup) {
    let bytes = match setup.mode {
        Mode::NotebookCells => notebook_of(bytes),
        _ => bytes.to_vec(),
    };
    let options = LintOptions {
        target_version: setup.version,
        notebook: setup.mode != Mode::Python,
        module: Some(ModulePath {
            name: "pkg.mod".to_string(),
            is_package: false,
        }),
        rules: RULES.into(),
        project_roots: Some(Arc::new(std::iter::once("pkg".to_string()).collect())),
        ..LintOptions::default()
    };
    // Phase 1, as `run::lint_file`.
    let mut linted = linter::lint_bytes(bytes, &options);
    check_ranges(&linted.text, &linted.diagnostics);
    // Phase 2, as `run::finish_report`: this file is the whole project.
    let index = ProjectIndex::new(linted.project.facts.take());
    let mut diagnostics = std::mem::take(&mut linted.diagnostics);
    diagnostics.extend(index.decide(&linted.project.pending));
    suppression::apply(&mut diagnostics, &linted.project.directives, &options.rules);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    check_ranges(&linted.text, &diagnostics);
    let mut text = linted.text;
    let cells = linted.cells.take();
    // `--fix --unsafe-fixes`, as `run::finish_and_fix` (not for notebooks, which asynclint
    // does not fix).
    if setup.fix && !options.notebook {
        let lint = |text: &str| {
            let (mut diagnostics, project) = linter::lint_module(text, &options);
            diagnostics.extend(index.decide(&project.pending));
            suppression::apply(&mut diagnostics, &project.directives, &options.rules);
            diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            diagnostics
        };
        let syntax_errors = |text: &str| linter::syntax_error_count(text, options.target_version);
        let before = syntax_errors(&text);
        let fixed = fix::fix_until_stable(
            &text,
            diagnostics,
            Applicability::Unsafe,
            &lint,
            &syntax_errors,
        );
        assert!(
            syntax_errors(&fixed.text) <= before,
            "fixes added a syntax error:\n{:?}\n=>\n{:?}",
            text,
            fixed.text
        );
        text = fixed.text;
        diagnostics = fixed.remaining;
        check_ranges(&text, &diagnostics);
    }
    render_all(text, diagnostics, cells, setup);
}

/// The text as the code cells of a notebook.
fn notebook_of(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let cells: Vec<serde_json::Value> = text
        .split("\n##\n")
        .enumerate()
        .map(|(i, cell)| {
            let kind = if i % 5 == 4 { "markdown" } else { "code" };
            let lines: Vec<&str> = cell.split_inclusive('\n').collect();
            serde_json::json!({"cell_type": kind, "metadata": {}, "source": lines})
        })
        .collect();
    let notebook = serde_json::json!({
        "cells": cells,
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    });
    serde_json::to_vec(&notebook).expect("a notebook serializes")
}

/// Every range lies in the text and starts and ends on a character boundary.
pub fn check_ranges(text: &str, diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        let Some(range) = diagnostic.range else {
            continue;
        };
        let (start, end) = (range.start().to_usize(), range.end().to_usize());
        assert!(
            start <= end && end <= text.len(),
            "{} range {start}..{end} outside a text of {} bytes",
            diagnostic.code(),
            text.len()
        );
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "{} range {start}..{end} splits a character",
            diagnostic.code()
        );
    }
}

/// Renders the file, and a second one named and described by the first lines of the
/// text (arbitrary characters in a file name and a message), in every format.
fn render_all(text: String, diagnostics: Vec<Diagnostic>, cells: Option<CellIndex>, setup: Setup) {
    let mut lines = text.split(['\n', '\r']);
    let crafted_name = lines
        .next()
        .unwrap_or_default()
        .chars()
        .take(80)
        .collect::<String>();
    let crafted_message = lines
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect::<String>();
    let path_index = diagnostics.len() % HOSTILE_PATHS.len();
    let mut reports = vec![
        FileReport {
            path: PathBuf::from(HOSTILE_PATHS[path_index]),
            text,
            diagnostics,
            cells,
        },
        FileReport {
            path: PathBuf::from(format!("{crafted_name}.py")),
            text: String::new(),
            diagnostics: vec![Diagnostic::for_file(&io_error::RULE, crafted_message)],
            cells: None,
        },
    ];
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    let count: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    let options = RenderOptions {
        color: setup.color,
        cwd: PathBuf::from("/work/project"),
        // The rules that found something (SARIF describes each rule it is given, with its
        // whole page: all of them would make the static text most of every run's work).
        rules: RULES
            .iter()
            .copied()
            .filter(|rule| {
                reports
                    .iter()
                    .flat_map(|r| &r.diagnostics)
                    .any(|d| d.rule == *rule)
            })
            .collect(),
        statistics: setup.statistics,
    };
    for &format in OutputFormat::value_variants() {
        let mut out = Vec::new();
        render::render(format, &reports, &options, &mut out)
            .unwrap_or_else(|e| panic!("{format:?}: writing into memory failed: {e}"));
        let output = String::from_utf8(out)
            .unwrap_or_else(|e| panic!("{format:?}: output is not UTF-8: {e}"));
        check_output(format, &output, count, &options);
    }
}

/// Characters that act on a terminal or reorder text: never raw in any output (ESC only
/// in colour output, where asynclint writes its own).
pub fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\u{1b}'))
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

/// Whether a check is switched off for this run: `ASYNCLINT_FUZZ_KNOWN` lists, separated
/// by commas, the keys of failures already reported (`controls:Github` is the raw-control
/// check of the `github` format), so that a long run goes on finding new ones.
fn known_issue(key: &str) -> bool {
    static KNOWN: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    KNOWN
        .get_or_init(|| {
            std::env::var("ASYNCLINT_FUZZ_KNOWN")
                .unwrap_or_default()
                .split(',')
                .map(str::to_string)
                .collect()
        })
        .iter()
        .any(|known| known == key)
}

/// Checks one format's output of `count` diagnostics.
pub fn check_output(format: OutputFormat, output: &str, count: usize, options: &RenderOptions) {
    let controls = format!("controls:{format:?}");
    if let Some(c) = output.chars().find(|&c| forbidden(c))
        && !known_issue(&controls)
    {
        panic!("{format:?}: raw {c:?} in the output:\n{output:?}");
    }
    if !options.color && !known_issue(&controls) {
        assert!(
            !output.contains('\u{1b}'),
            "{format:?}: raw ESC without colour:\n{output:?}"
        );
    }
    if options.statistics {
        if matches!(format, OutputFormat::Json) {
            json(format, output);
        }
        return;
    }
    let lines: Vec<&str> = output.lines().collect();
    match format {
        OutputFormat::Json | OutputFormat::Gitlab => {
            let value = json(format, output);
            let items = value.as_array().map_or(0, Vec::len);
            assert_eq!(
                items, count,
                "{format:?}: diagnostics lost or added:\n{output}"
            );
        }
        OutputFormat::JsonLines => {
            for line in &lines {
                json(format, line);
            }
            assert_eq!(
                lines.len(),
                count,
                "{format:?}: one line per diagnostic:\n{output}"
            );
        }
        OutputFormat::Sarif => {
            let value = json(format, output);
            let results = value["runs"][0]["results"].as_array().map_or(0, Vec::len);
            assert_eq!(results, count, "{format:?}: diagnostics lost or added");
        }
        OutputFormat::Github => {
            assert_eq!(
                lines.len(),
                count,
                "{format:?}: one line per diagnostic:\n{output}"
            );
            for line in &lines {
                assert!(
                    line.starts_with("::error title=asynclint (")
                        || line.starts_with("::warning title=asynclint ("),
                    "{format:?}: not one of our commands: {line:?}"
                );
                // The properties end at the first `::`, after `endColumn=N`: no escaped
                // value holds a `::` of its own.
                let rest = &line[2..];
                let properties = &rest[..rest.find("::").unwrap_or(rest.len())];
                let last = properties.rsplit(',').next().unwrap_or_default();
                assert!(
                    last.strip_prefix("endColumn=")
                        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())),
                    "{format:?}: a value ends the properties early: {line:?}"
                );
            }
        }
        OutputFormat::Junit => {
            let cases = xml(output);
            assert_eq!(
                cases,
                count.max(1),
                "{format:?}: one test case per diagnostic"
            );
        }
        OutputFormat::Concise => {
            assert_eq!(
                lines.len(),
                count + 1,
                "{format:?}: one line each:\n{output}"
            );
        }
        OutputFormat::Pylint => {
            assert_eq!(lines.len(), count, "{format:?}: one line each:\n{output}");
        }
        _ => {}
    }
}

fn json(format: OutputFormat, text: &str) -> serde_json::Value {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{format:?}: output is not JSON ({e}):\n{text}"))
}

/// Parses XML, checking it is well-formed and every character (raw or referenced) is one
/// XML 1.0 allows; the number of `<testcase>` elements.
pub fn xml(text: &str) -> usize {
    use quick_xml::events::Event;
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
            || c >= '\u{10000}'
    };
    if let Some(c) = text.chars().find(|&c| !allowed(c)) {
        panic!("junit: {c:?} is not an XML 1.0 character:\n{text}");
    }
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut cases = 0;
    let mut depth = 0usize;
    let mut roots = 0;
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("junit: not well-formed XML ({e}):\n{text}"));
        let check_attributes = |element: &quick_xml::events::BytesStart<'_>| {
            for attribute in element.attributes() {
                let attribute =
                    attribute.unwrap_or_else(|e| panic!("junit: bad attribute ({e}):\n{text}"));
                let value = attribute
                    .unescape_value()
                    .unwrap_or_else(|e| panic!("junit: bad reference ({e}):\n{text}"));
                if let Some(c) = value.chars().find(|&c| !allowed(c)) {
                    panic!("junit: reference to {c:?}, which XML 1.0 forbids:\n{text}");
                }
            }
        };
        match event {
            Event::Start(element) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
                check_attributes(&element);
                if element.name().as_ref() == b"testcase" {
                    cases += 1;
                }
            }
            Event::Empty(element) => {
                if depth == 0 {
                    roots += 1;
                }
                check_attributes(&element);
                if element.name().as_ref() == b"testcase" {
                    cases += 1;
                }
            }
            Event::End(_) => depth -= 1,
            Event::Text(content) => {
                let value = content
                    .unescape()
                    .unwrap_or_else(|e| panic!("junit: bad reference ({e}):\n{text}"));
                assert!(
                    depth > 0 || value.trim().is_empty(),
                    "junit: text outside the root element:\n{text}"
                );
                if let Some(c) = value.chars().find(|&c| !allowed(c)) {
                    panic!("junit: reference to {c:?}, which XML 1.0 forbids:\n{text}");
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "junit: unclosed elements:\n{text}");
    assert_eq!(roots, 1, "junit: one root element:\n{text}");
    cases
}
