//! Output formats: each is a renderer of the same sorted diagnostics, and nothing outside
//! this module knows about them.

mod concise;
mod full;
mod json;

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

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

/// The path joined to the working directory, with `.` and `..` resolved lexically (as
/// ruff does for its JSON output).
pub(crate) fn absolute_path(path: &Path, cwd: &Path) -> String {
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
    absolute.display().to_string()
}

pub(crate) fn summary(count: usize) -> String {
    match count {
        0 => "All checks passed!".to_string(),
        1 => "Found 1 error.".to_string(),
        n => format!("Found {n} errors."),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{absolute_path, display_path};

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
            display_path(Path::new("/elsewhere/a.py"), cwd),
            "/elsewhere/a.py"
        );
    }
}
