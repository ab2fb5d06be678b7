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
            render_one(&renderer, report, &index, &located, &path, out)?;
            writeln!(out)?;
        }
    }
    writeln!(out, "{}", summary(count))
}

fn render_one(
    renderer: &Renderer,
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
        return writeln!(out, " --> {path}");
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
    let title = level.title(&message).id(diagnostic.code()).snippet(
        Snippet::source(&snippet)
            .line_start(first_line + 1)
            .origin(path)
            .fold(true)
            .annotation(level.span(span)),
    );
    writeln!(out, "{}", renderer.render(title))
}

/// Replaces characters that could act on a terminal with visible escapes, moving the
/// span with the text.
fn sanitize(text: &str, span: Range<usize>) -> (String, Range<usize>) {
    if !text.chars().any(needs_escape) {
        return (text.to_string(), span);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let (mut start, mut end) = (None, None);
    for (offset, c) in text.char_indices() {
        if offset == span.start {
            start = Some(out.len());
        }
        if offset == span.end {
            end = Some(out.len());
        }
        if needs_escape(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    let start = start.unwrap_or(out.len());
    let end = end.unwrap_or(out.len()).max(start);
    (out, start..end)
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn sanitize_moves_the_span() {
        let (text, span) = sanitize("a\u{1b}b = await x", 6..13);
        assert_eq!(text, "a\\u{1b}b = await x");
        assert_eq!(&text[span], "await x");
    }
}
