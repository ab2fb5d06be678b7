//! `pylint`: `path:row: [CODE] message`, pylint's parseable format as ruff writes it
//! (no summary line, nothing at all for a clean run).

use std::io::{self, Write};

use super::{FileReport, RenderOptions, display_path};
use crate::source::escape_for_display;

pub(super) fn render(
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for report in reports {
        let path = display_path(&report.path, &options.cwd);
        let path = escape_for_display(&path);
        for located in report.located() {
            writeln!(
                out,
                "{}:{}: [{}] {}",
                located.path_in(&path),
                located.start.row,
                located.diagnostic.code(),
                escape_for_display(&located.diagnostic.message)
            )?;
        }
    }
    Ok(())
}
