//! `grouped`: a `path:` header per file, then `row:col CODE message` under it with the
//! positions aligned, as ruff's grouped format.

use std::io::{self, Write};

use super::{FileReport, RenderOptions, display_path, summary};
use crate::source::escape_for_display;

pub(super) fn render(
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut count = 0;
    for report in reports {
        let located = report.located();
        if located.is_empty() {
            continue;
        }
        let digits = |n: usize| n.to_string().len();
        let row_width = located.iter().map(|l| digits(l.start.row)).max();
        let column_width = located.iter().map(|l| digits(l.start.column)).max();
        let (row_width, column_width) = (row_width.unwrap_or(1), column_width.unwrap_or(1));
        let path = display_path(&report.path, &options.cwd);
        writeln!(out, "{}:", escape_for_display(&path))?;
        for located in &located {
            count += 1;
            let cell = located
                .cell
                .map(|c| format!("cell {c}:"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {cell}{:>row_width$}:{:<column_width$} {} {}",
                located.start.row,
                located.start.column,
                located.diagnostic.code(),
                escape_for_display(&located.diagnostic.message)
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", summary(count))
}
