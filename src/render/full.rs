//! rustc-style snippets, rendered with `annotate-snippets`.

use std::io::{self, Write};
use std::ops::Range;

use annotate_snippets::{Level, Renderer, Snippet};

use super::{FileReport, Located, RenderOptions, display_path, summary};
use crate::diagnostic::Severity;
use crate::line_index::LineIndex;
use crate::source::{escape_for_display, needs_escape};

/// Ranges spanning more lines than this are underlined on their first line only.
const MAX_SNIPPET_LINES: usize = 12;

pub(super) fn render(
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut count = 0;
    for report in reports {
        let path = display_path(&report.path, &options.cwd);
        let path = escape_for_display(&path);
        let index = LineIndex::new(&report.text);
        for located in report.located() {
            count += 1;
            render_one(
                &renderer,
                options.color,
                report,
                &index,
                &located,
                &path,
                out,
            )?;
            writeln!(out)?;
        }
    }
    writeln!(out, "{}", summary(count))
}

fn render_one(
    renderer: &Renderer,
    color: bool,
    report: &FileReport,
    index: &LineIndex,
    located: &Located<'_>,
    path: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let diagnostic = located.diagnostic;
    let level = match diagnostic.rule.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
    };
    let message = escape_for_display(&diagnostic.message);
    let Some(range) = diagnostic.range else {
        let title = level.title(&message).id(diagnostic.code());
        writeln!(out, "{}", renderer.render(title))?;
        return writeln!(out, " {} {}", arrow(color), located.path_in(path));
    };
    let text = &report.text;
    let first_line = index.line_of(range.start().to_usize());
    let mut last_line = index.line_of(range.end().to_usize());
    let mut end = range.end().to_usize();
    if last_line - first_line >= MAX_SNIPPET_LINES {
        last_line = first_line;
        end = index.line_end(first_line, text);
    }
    let snippet_start = index.line_start(first_line);
    let snippet_end = index.line_end(last_line, text).max(end);
    let (snippet, span) = sanitize(
        &text[snippet_start..snippet_end],
        range.start().to_usize() - snippet_start..end - snippet_start,
    );
    let origin = format!(
        "{}:{}:{}",
        located.path_in(path),
        located.start.row,
        located.start.column
    );
    if snippet.is_empty() {
        // An empty line (an error at the end of a file that ends with a newline): nothing
        // to underline, and `annotate-snippets` would show no line at all.
        let title = level.title(&message).id(diagnostic.code());
        writeln!(out, "{}", renderer.render(title))?;
        let indent = " ".repeat(located.start.row.to_string().len());
        return writeln!(out, "{indent}{} {origin}", arrow(color));
    }
    let title = level.title(&message).id(diagnostic.code()).snippet(
        Snippet::source(&snippet)
            // Within its cell, for a notebook.
            .line_start(located.start.row)
            .origin(ORIGIN_PLACEHOLDER)
            .fold(true)
            .annotation(level.span(span)),
    );
    let rendered = renderer.render(title).to_string();
    writeln!(out, "{}", replace_origin(&rendered, &origin))
}

/// `-->` before a path written without `annotate-snippets`, styled as it styles it.
fn arrow(color: bool) -> &'static str {
    if color {
        "\x1b[1m\x1b[94m-->\x1b[0m"
    } else {
        "-->"
    }
}

/// Stands for the `path:row:col` after `-->` while `annotate-snippets` renders.
const ORIGIN_PLACEHOLDER: &str = "\u{E000}asynclint-origin\u{E000}";

/// `annotate-snippets` counts the column in the text it shows, where tabs are expanded and
/// control characters escaped: the position after `-->` must be the diagnostic's own.
fn replace_origin(rendered: &str, origin: &str) -> String {
    let Some(at) = rendered.find(ORIGIN_PLACEHOLDER) else {
        return rendered.to_string();
    };
    let after = &rendered[at + ORIGIN_PLACEHOLDER.len()..];
    // The placeholder is followed by `:row:col`.
    let position = after
        .bytes()
        .take_while(|b| *b == b':' || b.is_ascii_digit())
        .count();
    format!("{}{origin}{}", &rendered[..at], &after[position..])
}

/// Replaces characters that could act on a terminal with visible escapes and every line
/// ending with `\n`, moving the span with the text.
fn sanitize(text: &str, span: Range<usize>) -> (String, Range<usize>) {
    if !text
        .chars()
        .any(|c| c == '\t' || (c != '\n' && needs_escape(c)))
    {
        return (text.to_string(), span);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let (mut start, mut end) = (None, None);
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if offset == span.start {
            start = Some(out.len());
        }
        if offset == span.end {
            end = Some(out.len());
        }
        match c {
            '\n' => out.push('\n'),
            // `\r\n` becomes `\n`; a lone `\r` (old Mac line ending) too.
            '\r' if chars.peek().is_some_and(|&(_, next)| next == '\n') => {}
            '\r' => out.push('\n'),
            // Expanded here, so that the carets under the line are expanded alike.
            '\t' => out.push_str("    "),
            c if needs_escape(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    let start = start.unwrap_or(out.len());
    let end = end.unwrap_or(out.len()).max(start);
    (out, start..end)
}

#[cfg(test)]
mod tests {
    use super::{ORIGIN_PLACEHOLDER, replace_origin, sanitize};

    #[test]
    fn the_origin_is_the_diagnostic_position() {
        let rendered = format!("error: x\n --> {ORIGIN_PLACEHOLDER}:3:17\n  |");
        assert_eq!(
            replace_origin(&rendered, "a.py:3:9"),
            "error: x\n --> a.py:3:9\n  |"
        );
    }

    #[test]
    fn sanitize_expands_tabs() {
        let (text, span) = sanitize("\tx =\tawait y", 5..12);
        assert_eq!(text, "    x =    await y");
        assert_eq!(&text[span], "await y");
    }

    #[test]
    fn sanitize_keeps_lines_apart() {
        let (text, span) = sanitize("a = 1\r\nb = await x\rc", 11..18);
        assert_eq!(text, "a = 1\nb = await x\nc");
        assert_eq!(&text[span], "await x");
    }

    #[test]
    fn sanitize_moves_the_span() {
        let (text, span) = sanitize("a\u{1b}b = await x", 6..13);
        assert_eq!(text, "a\\u{1b}b = await x");
        assert_eq!(&text[span], "await x");
    }
}
