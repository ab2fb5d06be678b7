//! Output formats: each is a renderer of the same sorted diagnostics, and nothing outside
//! this module knows about them. The formats and their names are ruff's, so that CI
//! integrations written for `ruff check --output-format X` work with asynclint.

mod concise;
mod full;
mod github;
mod gitlab;
mod grouped;
mod json;
mod junit;
mod pylint;
mod sarif;
mod statistics;

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use clap::ValueEnum;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::line_index::{LineIndex, Location};
use crate::notebook::CellIndex;
use crate::registry::RuleMeta;
use crate::source::needs_escape;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// rustc-style snippets.
    Full,
    /// `path:row:col: CODE message`, one line each.
    Concise,
    /// `row:col CODE message` under a `path:` header per file.
    Grouped,
    /// An array of objects with ruff's field names.
    Json,
    /// The `json` objects, one per line.
    JsonLines,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on pull requests.
    Github,
    /// GitLab Code Quality report.
    Gitlab,
    /// JUnit XML, one test suite per file.
    Junit,
    /// `path:row: [CODE] message`, as pylint's parseable format.
    Pylint,
}

/// One file's diagnostics with the text they point into.
pub struct FileReport {
    pub path: PathBuf,
    /// The decoded text; empty when no diagnostic needs it.
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// For a notebook, where each code cell starts in `text`: rows are then shown
    /// within the cell, as `cell N:row:col`.
    pub cells: Option<CellIndex>,
}

pub struct RenderOptions {
    pub color: bool,
    /// Paths are shown relative to this directory when under it.
    pub cwd: PathBuf,
    /// The rules that ran, in registry order (SARIF describes each of them).
    pub rules: Vec<&'static RuleMeta>,
    /// Counts per rule instead of the diagnostics.
    pub statistics: bool,
}

/// A diagnostic with its rows and columns (within its cell, for a notebook).
pub(crate) struct Located<'r> {
    pub diagnostic: &'r Diagnostic,
    pub start: Location,
    pub end: Location,
    /// The notebook cell (numbered among all cells, from 1), if any.
    pub cell: Option<usize>,
}

impl Located<'_> {
    /// `path`, followed by `:cell N` for a diagnostic in a notebook cell, as ruff shows it.
    pub(crate) fn path_in<'p>(&self, path: &'p str) -> std::borrow::Cow<'p, str> {
        match self.cell {
            Some(cell) => std::borrow::Cow::Owned(format!("{path}:cell {cell}")),
            None => std::borrow::Cow::Borrowed(path),
        }
    }
}

impl FileReport {
    pub(crate) fn located(&self) -> Vec<Located<'_>> {
        let index = LineIndex::new(&self.text);
        self.diagnostics
            .iter()
            .map(|diagnostic| {
                let Some(range) = diagnostic.range else {
                    let origin = Location { row: 1, column: 1 };
                    return Located {
                        diagnostic,
                        start: origin,
                        end: origin,
                        cell: None,
                    };
                };
                let (mut start, mut end) = (
                    index.location(range.start(), &self.text),
                    index.location(range.end(), &self.text),
                );
                let cell = self
                    .cells
                    .as_ref()
                    .and_then(|cells| cells.cell_at(range.start()));
                if let Some((_, cell_start)) = cell {
                    // Rows count from the cell's first line.
                    let first_row = index.location(cell_start, &self.text).row - 1;
                    start.row -= first_row;
                    end.row = end.row.saturating_sub(first_row).max(start.row);
                }
                Located {
                    diagnostic,
                    start,
                    end,
                    cell: cell.map(|(number, _)| number),
                }
            })
            .collect()
    }

    /// One fingerprint per diagnostic, in order: a hash of the rule, `path` (as the format
    /// shows it, so that it is the same on every machine) and the flagged line with its
    /// spaces and tabs removed, and not of the line number, so that a result keeps its
    /// identity when lines are added or removed elsewhere in the file. Identical hashes in
    /// one file are told apart by their occurrence, counted from 1.
    pub(crate) fn fingerprints(&self, path: &str) -> Vec<Fingerprint> {
        let index = LineIndex::new(&self.text);
        let mut seen: HashMap<u64, usize> = HashMap::new();
        self.diagnostics
            .iter()
            .map(|diagnostic| {
                let line: String = diagnostic.range.map_or_else(String::new, |range| {
                    let line = index.line_of(range.start().to_usize());
                    self.text[index.line_start(line)..index.line_end(line, &self.text)]
                        .chars()
                        .filter(|c| !matches!(c, ' ' | '\t'))
                        .collect()
                });
                let hash = stable_hash(&[diagnostic.code(), path, &line]);
                let occurrence = seen.entry(hash).or_default();
                *occurrence += 1;
                Fingerprint {
                    hash,
                    occurrence: *occurrence,
                }
            })
            .collect()
    }
}

pub(crate) struct Fingerprint {
    pub hash: u64,
    pub occurrence: usize,
}

/// 64-bit FNV-1a over the parts, each followed by `0xFF` (never a byte of UTF-8): a hash
/// that, unlike `std`'s, is the same for every build and platform, as fingerprints that
/// CI systems compare across runs must be.
pub(crate) fn stable_hash(parts: &[&str]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in part.as_bytes().iter().chain(&[0xFF]) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
        }
    }
    hash
}

pub fn render(
    format: OutputFormat,
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if options.statistics {
        return statistics::render(format, reports, out);
    }
    match format {
        OutputFormat::Full => full::render(reports, options, out),
        OutputFormat::Concise => concise::render(reports, options, out),
        OutputFormat::Grouped => grouped::render(reports, options, out),
        OutputFormat::Json => json::render(reports, options, out),
        OutputFormat::JsonLines => json::render_lines(reports, options, out),
        OutputFormat::Sarif => sarif::render(reports, options, out),
        OutputFormat::Github => github::render(reports, options, out),
        OutputFormat::Gitlab => gitlab::render(reports, options, out),
        OutputFormat::Junit => junit::render(reports, options, out),
        OutputFormat::Pylint => pylint::render(reports, options, out),
    }
}

/// `--output-file`: renders into `path`, created (with its parent directories, as ruff
/// does) or truncated.
pub fn write_file(
    path: &Path,
    format: OutputFormat,
    reports: &[FileReport],
    options: &RenderOptions,
) -> Result<(), String> {
    let fail = |error: io::Error| {
        format!(
            "cannot write the output to `{}`: {}",
            path.display(),
            crate::discovery::error_message(&error)
        )
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let mut out = io::BufWriter::new(std::fs::File::create(path).map_err(fail)?);
    render(format, reports, options, &mut out)
        .and_then(|()| out.flush())
        .map_err(fail)
}

/// The path as users should read it: relative to the working directory when inside it.
pub(crate) fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path.strip_prefix("./").unwrap_or(path)
    };
    let shown = shown.display().to_string();
    // A line that starts with `::` is a workflow command to a GitHub runner, whatever the
    // output format: a file named `::error::x.py` must not be able to issue one.
    if shown.starts_with(':') {
        format!("./{shown}")
    } else {
        shown
    }
}

/// The path joined to the working directory, with `.` and `..` resolved lexically (as
/// ruff does for its JSON output).
pub(crate) fn absolute_path(path: &Path, cwd: &Path) -> String {
    lexical_absolute(path, cwd).display().to_string()
}

pub(crate) fn lexical_absolute(path: &Path, cwd: &Path) -> PathBuf {
    let mut absolute = PathBuf::new();
    for component in cwd.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                absolute.pop();
            }
            other => absolute.push(other),
        }
    }
    absolute
}

pub(crate) fn summary(count: usize) -> String {
    match count {
        0 => "All checks passed!".to_string(),
        1 => "Found 1 error.".to_string(),
        n => format!("Found {n} errors."),
    }
}

/// Writes `value` as JSON, indented by two spaces as ruff's output is, or on one line.
/// Besides the control characters JSON requires escaping, the characters that could act
/// on a terminal showing the output (DEL, C1 controls, bidirectional controls: see
/// `source::needs_escape`) are written as `\uXXXX`, so neither a file name nor a line of
/// source can reorder or recolour what a user reads; parsers see the same strings.
pub(crate) fn write_json(
    out: &mut dyn Write,
    value: &impl Serialize,
    pretty: bool,
) -> io::Result<()> {
    if pretty {
        let formatter = EscapingFormatter(serde_json::ser::PrettyFormatter::new());
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut *out, formatter,
        ))?;
    } else {
        let formatter = EscapingFormatter(serde_json::ser::CompactFormatter);
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut *out, formatter,
        ))?;
    }
    Ok(())
}

/// A `serde_json` formatter that lays out as `F` does and escapes as `write_json` says.
struct EscapingFormatter<F>(F);

/// Forwards the layout methods (the ones `PrettyFormatter` overrides) to the inner
/// formatter.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<W: ?Sized + Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$method(writer $(, $arg)*)
        }
    )*};
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for EscapingFormatter<F> {
    forward! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| needs_escape(c)) {
            writer.write_all(&rest.as_bytes()[..at])?;
            for unit in c.encode_utf16(&mut [0; 2]) {
                write!(writer, "\\u{unit:04x}")?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{absolute_path, display_path, stable_hash, write_json};

    #[test]
    fn absolute_paths_are_lexically_normal() {
        let cwd = Path::new("/work/project");
        assert_eq!(absolute_path(Path::new("a.py"), cwd), "/work/project/a.py");
        assert_eq!(
            absolute_path(Path::new("./src/../b.py"), cwd),
            "/work/project/b.py"
        );
        assert_eq!(
            absolute_path(Path::new("../other/c.py"), cwd),
            "/work/other/c.py"
        );
        assert_eq!(absolute_path(Path::new("/x/./y.py"), cwd), "/x/y.py");
    }

    #[test]
    fn displayed_paths_are_relative_inside_the_working_directory() {
        let cwd = Path::new("/work/project");
        assert_eq!(display_path(Path::new("/work/project/a.py"), cwd), "a.py");
        assert_eq!(display_path(Path::new("./a.py"), cwd), "a.py");
        assert_eq!(
            display_path(Path::new("::error::x.py"), cwd),
            "./::error::x.py"
        );
        assert_eq!(
            display_path(Path::new("/elsewhere/a.py"), cwd),
            "/elsewhere/a.py"
        );
    }

    #[test]
    fn json_escapes_terminal_controls_and_bidi_characters() {
        let text = "a\u{1b}[2J\u{7f}\u{85}\u{202e}\u{2066}\u{200f}\u{61c}é𝔘\"\\";
        for pretty in [false, true] {
            let mut out = Vec::new();
            write_json(&mut out, &[text], pretty).unwrap();
            let json = String::from_utf8(out).unwrap();
            let expected = r#""a\u001b[2J\u007f\u0085\u202e\u2066\u200f\u061cé𝔘\"\\""#;
            assert!(json.contains(expected), "{json}");
            assert!(!json.chars().any(|c| c != '\n' && super::needs_escape(c)));
            let parsed: Vec<String> = serde_json::from_str(&json).unwrap();
            assert_eq!(parsed, [text]);
        }
        let mut out = Vec::new();
        write_json(&mut out, &serde_json::json!({"a": [1, 2]}), true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}"
        );
    }

    #[test]
    fn the_stable_hash_does_not_change() {
        // FNV-1a: fingerprints in reports already uploaded depend on these values.
        assert_eq!(stable_hash(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(
            stable_hash(&["AL001", "a.py", "awaitx"]),
            0x4396_f05b_c2c9_b2d8
        );
        assert_ne!(stable_hash(&["ab", "c"]), stable_hash(&["a", "bc"]));
    }
}
