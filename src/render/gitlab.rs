//! `gitlab`: a GitLab Code Quality report, with ruff's fields in ruff's order. GitLab
//! compares the `fingerprint`s of a merge request's report with its target branch's to
//! show what the merge request introduces and fixes.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use super::{FileReport, RenderOptions, display_path, lexical_absolute, stable_hash, write_json};
use crate::diagnostic::Severity;

#[derive(Serialize)]
struct Issue<'r> {
    check_name: &'static str,
    description: String,
    severity: &'static str,
    fingerprint: String,
    location: IssueLocation<'r>,
}

#[derive(Serialize)]
struct IssueLocation<'r> {
    path: &'r str,
    positions: Positions,
}

#[derive(Serialize)]
struct Positions {
    begin: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

pub(super) fn render(
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let project_dir = std::env::var_os("CI_PROJECT_DIR").filter(|dir| !dir.is_empty());
    let paths: Vec<String> = reports
        .iter()
        .map(|report| project_path(&report.path, &options.cwd, project_dir.as_deref()))
        .collect();
    let mut issues = Vec::new();
    for (report, path) in reports.iter().zip(&paths) {
        let fingerprints = report.fingerprints(path);
        for (located, fingerprint) in report.located().into_iter().zip(fingerprints) {
            let diagnostic = located.diagnostic;
            let occurrence = fingerprint.occurrence.to_string();
            let unique = stable_hash(&[&format!("{:016x}", fingerprint.hash), &occurrence]);
            issues.push(Issue {
                check_name: diagnostic.code(),
                description: format!("{}: {}", diagnostic.code(), diagnostic.message),
                // GitLab's scale is info, minor, major, critical, blocker; ruff reports
                // everything as `major`.
                severity: match diagnostic.rule.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                fingerprint: format!("{unique:016x}"),
                location: IssueLocation {
                    path,
                    positions: Positions {
                        begin: Position {
                            line: located.start.row,
                            column: located.start.column,
                        },
                        end: Position {
                            line: located.end.row,
                            column: located.end.column,
                        },
                    },
                },
            });
        }
    }
    write_json(out, &issues, true)?;
    writeln!(out)
}

/// Relative to the project directory GitLab CI names in `CI_PROJECT_DIR` (GitLab matches
/// paths against the repository), else as the other formats show it, as ruff does.
fn project_path(path: &Path, cwd: &Path, project_dir: Option<&std::ffi::OsStr>) -> String {
    let Some(project_dir) = project_dir else {
        return display_path(path, cwd);
    };
    let absolute = lexical_absolute(path, cwd);
    let project_dir = lexical_absolute(Path::new(project_dir), cwd);
    absolute
        .strip_prefix(&project_dir)
        .unwrap_or(&absolute)
        .display()
        .to_string()
}
