//! `path:row:col: CODE message`, one line per diagnostic.

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
        let path = display_path(&report.path, &options.cwd);
        let path = escape_for_display(&path);
        for located in report.located() {
            count += 1;
            writeln!(
                out,
                "{}:{}:{}: {} {}",
                located.path_in(&path),
                located.start.row,
                located.start.column,
                located.diagnostic.code(),
                escape_for_display(&located.diagnostic.message)
            )?;
        }
    }
    writeln!(out, "{}", summary(count))
}
