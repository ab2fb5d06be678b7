//! An array of objects with exactly ruff's field names and meanings, so tools that read
//! `ruff check --output-format json` read ours.

use std::io::{self, Write};

use serde::Serialize;

use super::{FileReport, RenderOptions, absolute_path};
use crate::diagnostic::Severity;
use crate::line_index::Location;

/// ruff writes `{"column": .., "row": ..}`.
#[derive(Serialize)]
struct JsonLocation {
    column: usize,
    row: usize,
}

impl From<Location> for JsonLocation {
    fn from(location: Location) -> Self {
        Self {
            column: location.column,
            row: location.row,
        }
    }
}

/// Fields in ruff's (alphabetical) order.
#[derive(Serialize)]
struct JsonDiagnostic<'r> {
    cell: Option<usize>,
    code: &'static str,
    end_location: JsonLocation,
    filename: &'r str,
    fix: Option<()>,
    location: JsonLocation,
    message: &'r str,
    name: &'static str,
    noqa_row: usize,
    severity: Severity,
    url: Option<String>,
}

pub(super) fn render(
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut items = Vec::new();
    let filenames: Vec<String> = reports
        .iter()
        .map(|report| absolute_path(&report.path, &options.cwd))
        .collect();
    let located: Vec<_> = reports.iter().map(FileReport::located).collect();
    for (filename, diagnostics) in filenames.iter().zip(&located) {
        for located in diagnostics {
            let diagnostic = located.diagnostic;
            items.push(JsonDiagnostic {
                cell: None,
                code: diagnostic.code(),
                end_location: located.end.into(),
                filename,
                fix: None,
                location: located.start.into(),
                message: &diagnostic.message,
                name: diagnostic.rule.name,
                noqa_row: located.start.row,
                severity: diagnostic.rule.severity,
                url: None,
            });
        }
    }
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}
