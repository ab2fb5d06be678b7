//! `json`: an array of objects with exactly ruff's field names and meanings, so tools that
//! read `ruff check --output-format json` read ours; `json-lines`: the same objects, one
//! per line.

use std::io::{self, Write};

use serde::Serialize;

use super::{FileReport, RenderOptions, absolute_path, write_json};
use crate::diagnostic::Severity;
use crate::fix::{Applicability, Fix};
use crate::line_index::{LineIndex, Location};

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

/// A fix as ruff writes it: its applicability, its edits and what it does.
#[derive(Serialize)]
struct JsonFix<'r> {
    applicability: Applicability,
    edits: Vec<JsonEdit<'r>>,
    message: &'r str,
}

#[derive(Serialize)]
struct JsonEdit<'r> {
    content: &'r str,
    end_location: JsonLocation,
    location: JsonLocation,
}

fn json_fix<'r>(fix: &'r Fix, index: &LineIndex, text: &str) -> JsonFix<'r> {
    JsonFix {
        applicability: fix.applicability,
        edits: fix
            .edits
            .iter()
            .map(|edit| JsonEdit {
                content: &edit.content,
                end_location: index.location(edit.range.end(), text).into(),
                location: index.location(edit.range.start(), text).into(),
            })
            .collect(),
        message: &fix.message,
    }
}

/// Fields in ruff's (alphabetical) order.
#[derive(Serialize)]
struct JsonDiagnostic<'r> {
    cell: Option<usize>,
    code: &'static str,
    end_location: JsonLocation,
    filename: String,
    fix: Option<JsonFix<'r>>,
    location: JsonLocation,
    message: &'r str,
    name: &'static str,
    noqa_row: usize,
    severity: Severity,
    url: Option<String>,
}

fn items<'r>(reports: &'r [FileReport], options: &RenderOptions) -> Vec<JsonDiagnostic<'r>> {
    let mut items = Vec::new();
    for report in reports {
        let filename = absolute_path(&report.path, &options.cwd);
        let index = LineIndex::new(&report.text);
        for located in report.located() {
            let diagnostic = located.diagnostic;
            items.push(JsonDiagnostic {
                cell: located.cell,
                code: diagnostic.code(),
                end_location: located.end.into(),
                filename: filename.clone(),
                fix: diagnostic
                    .fix
                    .as_ref()
                    .map(|fix| json_fix(fix, &index, &report.text)),
                location: located.start.into(),
                message: &diagnostic.message,
                name: diagnostic.rule.name,
                noqa_row: located.start.row,
                severity: diagnostic.rule.severity,
                url: None,
            });
        }
    }
    items
}

pub(super) fn render(
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    write_json(out, &items(reports, options), true)?;
    writeln!(out)
}

pub(super) fn render_lines(
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for item in items(reports, options) {
        write_json(out, &item, false)?;
        writeln!(out)?;
    }
    Ok(())
}
