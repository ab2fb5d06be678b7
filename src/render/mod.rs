//! Output formats: each is a renderer of the same sorted diagnostics, and nothing outside
//! this module knows about them.

mod concise;
mod full;
mod json;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::diagnostic::Diagnostic;
use crate::line_index::{LineIndex, Location};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// rustc-style snippets.
    Full,
    /// `path:row:col: CODE message`, one line each.
    Concise,
    /// An array of objects with ruff's field names.
    Json,
}

/// One file's diagnostics with the text they point into.
pub struct FileReport {
    pub path: PathBuf,
    /// The decoded text; empty when no diagnostic needs it.
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

pub struct RenderOptions {
    pub color: bool,
    /// Paths are shown relative to this directory when under it.
    pub cwd: PathBuf,
}

/// A diagnostic with its rows and columns.
pub(crate) struct Located<'r> {
    pub diagnostic: &'r Diagnostic,
    pub start: Location,
    pub end: Location,
}

impl FileReport {
    pub(crate) fn located(&self) -> Vec<Located<'_>> {
        let index = LineIndex::new(&self.text);
        self.diagnostics
            .iter()
            .map(|diagnostic| {
                let (start, end) = match diagnostic.range {
                    Some(range) => (
                        index.location(range.start(), &self.text),
                        index.location(range.end(), &self.text),
                    ),
                    None => {
                        let origin = Location { row: 1, column: 1 };
                        (origin, origin)
                    }
                };
                Located {
                    diagnostic,
                    start,
                    end,
                }
            })
            .collect()
    }
}

pub fn render(
    format: OutputFormat,
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Full => full::render(reports, options, out),
        OutputFormat::Concise => concise::render(reports, options, out),
        OutputFormat::Json => json::render(reports, options, out),
    }
}

/// The path as users should read it: relative to the working directory when inside it.
pub(crate) fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path.strip_prefix("./").unwrap_or(path)
    };
    shown.display().to_string()
}

pub(crate) fn absolute_path(path: &Path, cwd: &Path) -> String {
    if path.is_absolute() {
        path.display().to_string()
    } else {
        let joined = cwd.join(path.strip_prefix("./").unwrap_or(path));
        joined.display().to_string()
    }
}

pub(crate) fn summary(count: usize) -> String {
    match count {
        0 => "All checks passed!".to_string(),
        1 => "Found 1 error.".to_string(),
        n => format!("Found {n} errors."),
    }
}
