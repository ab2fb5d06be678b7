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

/// Snippet lines longer than this many characters are cut around the span, so that a
/// minified file with thousands of diagnostics on one line cannot blow the output up to
/// thousands of copies of that line.
const MAX_LINE_CHARS: usize = 240;
/// Characters kept on each side of the span in a cut line.
const CUT_CONTEXT_CHARS: usize = 60;
/// Characters of the span itself kept in a cut line.
const CUT_SPAN_CHARS: usize = 120;

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
    let long_line = (first_line..=last_line)
        .any(|line| index.line_end(line, text) - index.line_start(line) > MAX_LINE_CHARS);
    if last_line - first_line >= MAX_SNIPPET_LINES || (long_line && last_line > first_line) {
        last_line = first_line;
        end = index.line_end(first_line, text);
    }
    let snippet_start = index.line_start(first_line);
    let snippet_end = index.line_end(last_line, text).max(end);
    let Some(source_lines) = text.get(snippet_start..snippet_end) else {
        // The text does not hold the range (it cannot be read any more): no snippet.
        let title = level.title(&message).id(diagnostic.code());
        writeln!(out, "{}", renderer.render(title))?;
        return writeln!(out, " {} {}", arrow(color), located.path_in(path));
    };
    let (snippet, span) = sanitize(
        source_lines,
        range.start().to_usize() - snippet_start..end - snippet_start,
    );
    let (snippet, span) = if long_line {
        cut_around(&snippet, span)
    } else {
        (snippet, span)
    };
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

/// Cuts a one-line snippet longer than [`MAX_LINE_CHARS`] to the span (at most
/// [`CUT_SPAN_CHARS`] of it) with [`CUT_CONTEXT_CHARS`] on each side, marking each cut
/// with `…`; the span moves with the text.
fn cut_around(line: &str, span: Range<usize>) -> (String, Range<usize>) {
    if line.chars().count() <= MAX_LINE_CHARS {
        return (line.to_string(), span);
    }
    // Byte offset `chars` characters before (negative) or after `from`, clamped.
    let back = |from: usize, chars: usize| {
        line[..from]
            .char_indices()
            .rev()
            .nth(chars.saturating_sub(1))
            .map_or(0, |(at, _)| at)
    };
    let forward = |from: usize, chars: usize| {
        line[from..]
            .char_indices()
            .nth(chars)
            .map_or(line.len(), |(at, _)| from + at)
    };
    let span_end = span.end.min(forward(span.start, CUT_SPAN_CHARS));
    let keep_start = back(span.start, CUT_CONTEXT_CHARS);
    let keep_end = forward(span_end, CUT_CONTEXT_CHARS);
    let mut out = String::with_capacity(keep_end - keep_start + 8);
    if keep_start > 0 {
        out.push('…');
    }
    let shift = out.len();
    out.push_str(&line[keep_start..keep_end]);
    if keep_end < line.len() {
        out.push('…');
    }
    let start = span.start - keep_start + shift;
    (out, start..span_end - keep_start + shift)
}

#[cfg(test)]
mod tests {
    use super::{ORIGIN_PLACEHOLDER, cut_around, replace_origin, sanitize};

    #[test]
    fn a_long_line_is_cut_around_the_span() {
        let line = format!("{}await x{}", "a".repeat(500), "b".repeat(500));
        let (cut, span) = cut_around(&line, 500..507);
        assert_eq!(&cut[span], "await x");
        assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
        assert_eq!(cut.chars().count(), 60 + 7 + 60 + 2);
    }

    #[test]
    fn a_short_line_is_not_cut() {
        let (cut, span) = cut_around("x = await y", 4..11);
        assert_eq!((cut.as_str(), span), ("x = await y", 4..11));
    }

    #[test]
    fn a_long_span_is_shortened() {
        let line = format!("x = {}", "y".repeat(1000));
        let (cut, span) = cut_around(&line, 4..1004);
        assert_eq!(cut[span].chars().count(), 120);
        assert!(!cut.starts_with('…'));
    }

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
