//! `junit`: JUnit XML as ruff writes it, one `<testsuite>` per file and one failed
//! `<testcase>` per diagnostic, for CI systems that show test reports.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use super::{FileReport, RenderOptions, absolute_path};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::needs_escape;

pub(super) fn render(
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let total: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    if total == 0 {
        // A report with no test case reads as "no tests ran"; ruff writes one that passed.
        writeln!(
            out,
            r#"<testsuites name="asynclint" tests="1" skipped="0" failures="0" errors="0">
    <testsuite name="asynclint" tests="1" skipped="0" errors="0" failures="0" package="org.asynclint">
        <testcase name="No errors found" classname="asynclint"/>
    </testsuite>
</testsuites>"#
        )?;
        return Ok(());
    }
    writeln!(
        out,
        r#"<testsuites name="asynclint" tests="{total}" skipped="0" failures="{total}" errors="0">"#
    )?;
    for report in reports {
        let located = report.located();
        if located.is_empty() {
            continue;
        }
        let path = absolute_path(&report.path, &options.cwd);
        let classname = Path::new(&path).with_extension("");
        writeln!(
            out,
            r#"    <testsuite name="{}" tests="{count}" skipped="0" errors="0" failures="{count}" package="org.asynclint">"#,
            escape_xml(&path),
            count = located.len()
        )?;
        let classname = escape_xml(&classname.to_string_lossy());
        for located in located {
            let diagnostic = located.diagnostic;
            let (row, column) = (located.start.row, located.start.column);
            let message = escape_xml(&diagnostic.message);
            writeln!(
                out,
                r#"        <testcase name="org.asynclint.{code}" classname="{classname}" line="{row}" column="{column}">
            <properties>
                <property name="severity" value="{severity}"/>
            </properties>
            <failure message="{message}">line {row}, col {column}, {message}</failure>
        </testcase>"#,
                code = diagnostic.code(),
                severity = severity_name(diagnostic),
            )?;
        }
        writeln!(out, "    </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn severity_name(diagnostic: &Diagnostic) -> &'static str {
    match diagnostic.rule.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Text for an XML attribute value or element content. Markup characters become entities;
/// tabs and line breaks become character references, which attribute-value normalization
/// keeps; characters XML 1.0 forbids even as references (most C0 controls, U+FFFE, U+FFFF)
/// become a visible `\u{..}` escape; and terminal and bidirectional controls, which XML
/// allows, become references, so that none of them reaches a terminal raw.
fn escape_xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => {
                let _ = write!(escaped, "&#{};", u32::from(c));
            }
            '\0'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {
                escaped.extend(c.escape_unicode());
            }
            c if needs_escape(c) => {
                let _ = write!(escaped, "&#x{:X};", u32::from(c));
            }
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape_xml;

    #[test]
    fn escapes_markup_and_characters_xml_forbids() {
        assert_eq!(
            escape_xml("<a href='x'>&\"</a>"),
            "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(escape_xml("a\tb\r\nc"), "a&#9;b&#13;&#10;c");
        assert_eq!(
            escape_xml("\u{1b}[2J\0\u{ffff}"),
            "\\u{1b}[2J\\u{0}\\u{ffff}"
        );
        assert_eq!(escape_xml("x\u{202e}y\u{85}"), "x&#x202E;y&#x85;");
        assert_eq!(escape_xml("plain é 𝔘"), "plain é 𝔘");
    }
}
