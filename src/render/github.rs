//! `github`: GitHub Actions workflow commands, which the runner turns into annotations on
//! the lines of a pull request. The shape is ruff's:
//!
//! ```text
//! ::error title=asynclint (AL001),file=/abs/a.py,line=1,col=1,endLine=1,endColumn=8::a.py:1:1: AL001 'await' outside function
//! ```
//!
//! The runner reads the whole line as a command, so every value is escaped as GitHub's
//! own toolkit (`@actions/core`) escapes it: a file name or message can neither end the
//! command early nor start another one.

use std::io::{self, Write};

use super::{FileReport, RenderOptions, absolute_path, display_path};
use crate::diagnostic::Severity;

pub(super) fn render(
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for report in reports {
        let file = escape_property(&absolute_path(&report.path, &options.cwd));
        let shown = display_path(&report.path, &options.cwd);
        for located in report.located() {
            let diagnostic = located.diagnostic;
            let level = match diagnostic.rule.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let (start, end) = (located.start, located.end);
            let title = escape_property(&format!("asynclint ({})", diagnostic.code()));
            let message = format!(
                "{}:{}:{}: {} {}",
                located.path_in(&shown),
                start.row,
                start.column,
                diagnostic.code(),
                diagnostic.message
            );
            writeln!(
                out,
                "::{level} title={title},file={file},line={},col={},endLine={},endColumn={}::{}",
                start.row,
                start.column,
                end.row,
                end.column,
                escape_data(&message)
            )?;
        }
    }
    Ok(())
}

/// `escapeData` in `@actions/core`'s `command.ts`: the text after `::`. Then, as in the
/// terminal formats, the other characters that could act on the log viewer (ESC and the
/// rest of the C0 and C1 controls, DEL, bidirectional controls) as visible `\u{..}`
/// escapes: the runner would show them raw.
fn escape_data(text: &str) -> String {
    let escaped = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    crate::source::escape_for_display(&escaped).into_owned()
}

/// `escapeProperty` in `@actions/core`'s `command.ts`: a `key=value` before `::`, where
/// `:` and `,` would end the value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::{escape_data, escape_property, render};
    use crate::diagnostic::Diagnostic;
    use crate::render::{FileReport, RenderOptions};
    use crate::rules::io_error;

    #[test]
    fn neither_a_message_nor_a_file_name_can_start_a_command() {
        let report = FileReport {
            cells: None,
            path: "x::y%,\n.py".into(),
            text: String::new(),
            diagnostics: vec![Diagnostic::for_file(
                &io_error::RULE,
                "100% bad,\r\n::error file=a.py::injected",
            )],
        };
        let options = RenderOptions {
            color: false,
            cwd: "/w".into(),
            rules: Vec::new(),
            statistics: false,
        };
        let mut out = Vec::new();
        render(&[report], &options, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::error title=asynclint (AL900),file=/w/x%3A%3Ay%25%2C%0A.py,line=1,col=1,endLine=1,endColumn=1::\
             x::y%25,%0A.py:1:1: AL900 100%25 bad,%0D%0A::error file=a.py::injected\n"
        );
    }

    #[test]
    fn escapes_as_the_actions_toolkit() {
        assert_eq!(escape_data("a%b\r\nc::d,e"), "a%25b%0D%0Ac::d,e");
        assert_eq!(escape_property("a%b\r\nc::d,e"), "a%25b%0D%0Ac%3A%3Ad%2Ce");
        // `%` first, so that the escapes themselves are not escaped again.
        assert_eq!(escape_property("%0A"), "%250A");
    }
}
