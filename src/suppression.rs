//! `# noqa` comments. A line's `# noqa` suppresses every diagnostic starting on that
//! line; `# noqa: CODE, CODE` only those codes (or other tools' aliases of them);
//! `# asynclint: noqa` anywhere suppresses the whole file, `# asynclint: noqa: CODES`
//! those codes in the whole file. A directive that cannot be read is reported and
//! suppresses nothing: it never silently becomes a blanket.

use ruff_python_ast::token::{Token, TokenKind};
use ruff_text_size::{Ranged, TextRange, TextSize};
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::fix::{Edit, Fix};
use crate::registry::{self, RuleMeta};
use crate::rules::{internal_error, invalid_noqa, io_error, syntax_error, unused_noqa};

/// What a directive suppresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Codes {
    All,
    Only(Vec<Code>),
}

/// A code written in a directive, with where it is (for removing it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub text: String,
    pub range: TextRange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// `# noqa`: the line the comment is on.
    Line,
    /// `# asynclint: noqa`: the whole file.
    File,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directive {
    pub scope: Scope,
    pub codes: Codes,
    /// The whole comment.
    pub comment: TextRange,
    /// The directive itself within the comment (`noqa: A, B`).
    pub range: TextRange,
    /// The line the comment is on: `[start, end)` offsets.
    pub line: TextRange,
    /// What to delete to remove the directive: the comment and the blanks before it when
    /// the comment is nothing but the directive, else just the directive.
    pub removal: TextRange,
}

/// The directives of a file, and the malformed ones (already as diagnostics).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Directives {
    pub directives: Vec<Directive>,
    pub malformed: Vec<Diagnostic>,
}

impl Directives {
    /// No directive at all, readable or not: applying them cannot change the diagnostics.
    pub fn is_empty(&self) -> bool {
        self.directives.is_empty() && self.malformed.is_empty()
    }
}

/// Reads every `noqa` directive in the comments of a file.
pub fn directives(source: &str, tokens: &[Token]) -> Directives {
    let mut found = Directives::default();
    for token in tokens {
        if token.kind() != TokenKind::Comment {
            continue;
        }
        let text = &source[token.range()];
        // Cheap test first: most comments are not directives.
        if !text
            .as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"noqa"))
        {
            continue;
        }
        match parse_comment(text, token.start()) {
            Parsed::Directive(scope, codes, range) => found.directives.push(Directive {
                scope,
                codes,
                comment: token.range(),
                range,
                line: line_of(source, token.start()),
                removal: removal(source, token.range(), range),
            }),
            Parsed::Malformed(reason) => found.malformed.push(Diagnostic::new(
                &invalid_noqa::RULE,
                format!("this `noqa` directive suppresses nothing: {reason}"),
                token.range(),
            )),
            Parsed::NotADirective => {}
        }
    }
    found
}

fn removal(source: &str, comment: TextRange, directive: TextRange) -> TextRange {
    let before = &source[TextRange::new(comment.start(), directive.start())];
    let after = &source[TextRange::new(directive.end(), comment.end())];
    let only_directive =
        before.trim_start_matches('#').trim().is_empty() && after.trim().is_empty();
    if !only_directive {
        return directive;
    }
    let line_start = line_of(source, comment.start()).start();
    let blanks = source[TextRange::new(line_start, comment.start())]
        .bytes()
        .rev()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let start = comment.start() - TextSize::try_from(blanks).unwrap_or_default();
    TextRange::new(start, comment.end())
}

fn line_of(source: &str, offset: TextSize) -> TextRange {
    let offset = offset.to_usize();
    let bytes = source.as_bytes();
    let start = memchr::memrchr2(b'\n', b'\r', &bytes[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr2(b'\n', b'\r', &bytes[offset..]).map_or(bytes.len(), |i| offset + i);
    TextRange::new(
        TextSize::try_from(start).unwrap_or_default(),
        TextSize::try_from(end).unwrap_or_default(),
    )
}

enum Parsed {
    Directive(Scope, Codes, TextRange),
    Malformed(String),
    NotADirective,
}

/// Parses one comment (`text` starts with `#`; `start` is its offset in the file).
fn parse_comment(text: &str, start: TextSize) -> Parsed {
    // A comment may hold other pragmas before the directive: `# type: ignore # noqa: X`.
    let mut search_from = 0;
    while let Some(found) = find_ignore_case(&text[search_from..], "noqa") {
        let at = search_from + found;
        search_from = at + 4;
        let before = text[..at].trim_end();
        let scope = if let Some(prefix) = before.strip_suffix(':') {
            // `# asynclint: noqa` — a file-level directive; other tools' (`ruff: noqa`,
            // `flake8: noqa`) are theirs.
            if prefix
                .trim_end()
                .to_ascii_lowercase()
                .ends_with("asynclint")
            {
                Scope::File
            } else {
                continue;
            }
        } else if before.ends_with('#') {
            Scope::Line
        } else {
            continue;
        };
        let after = &text[at + 4..];
        let directive_start = start + TextSize::try_from(at).unwrap_or_default();
        let Some(list) = after.trim_start().strip_prefix(':') else {
            // `# noqa`, `# noqa because...`: a blanket, as flake8 and ruff read it.
            if after.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                continue;
            }
            // `# noqa[E501]`, `# noqa=E501`: codes were meant, and flake8 would silently read
            // a blanket; like ruff, say so and suppress nothing.
            if let Some(c) = after
                .chars()
                .next()
                .filter(|c| !c.is_whitespace() && *c != '#')
            {
                return Parsed::Malformed(format!(
                    "`noqa` is followed by `{}`, not by `:` and codes (e.g. `# noqa: AL101`)",
                    c.escape_default()
                ));
            }
            let range = TextRange::at(directive_start, TextSize::new(4));
            return Parsed::Directive(scope, Codes::All, range);
        };
        let list_offset = at + 4 + (after.len() - after.trim_start().len()) + 1;
        return parse_codes(
            list,
            start + TextSize::try_from(list_offset).unwrap_or_default(),
        )
        .map_or_else(Parsed::Malformed, |(codes, end)| {
            Parsed::Directive(
                scope,
                Codes::Only(codes),
                TextRange::new(directive_start, end),
            )
        });
    }
    Parsed::NotADirective
}

/// Codes separated by commas or spaces, up to the first word that is not a code (flake8
/// stops there too: `# noqa: AL101 this is why`).
fn parse_codes(list: &str, start: TextSize) -> Result<(Vec<Code>, TextSize), String> {
    let mut codes = Vec::new();
    let mut end = start;
    let mut offset = 0;
    for piece in list.split_inclusive([',', ' ', '\t']) {
        let word = piece.trim_end_matches([',', ' ', '\t']);
        let word_start = start + TextSize::try_from(offset).unwrap_or_default();
        offset += piece.len();
        if word.is_empty() {
            continue;
        }
        if !is_code(word) {
            break;
        }
        let range = TextRange::at(
            word_start,
            TextSize::try_from(word.len()).unwrap_or_default(),
        );
        end = range.end();
        codes.push(Code {
            text: word.to_string(),
            range,
        });
    }
    if codes.is_empty() {
        let shown = list.trim();
        return Err(if shown.is_empty() {
            "`noqa:` must be followed by codes, e.g. `# noqa: AL101`".into()
        } else {
            format!("`{shown}` is not a list of codes (write `# noqa: AL101, ASYNC230`)")
        });
    }
    Ok((codes, end))
}

/// A rule code as linters write them: letters then digits (`AL101`, `ASYNC230`, `E1142`).
fn is_code(word: &str) -> bool {
    let letters = word.bytes().take_while(u8::is_ascii_alphabetic).count();
    letters > 0 && letters < word.len() && word.bytes().skip(letters).all(|b| b.is_ascii_digit())
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Diagnostics that no comment can suppress: the file could not be read or parsed, or
/// asynclint failed.
fn is_unsuppressible(rule: &RuleMeta) -> bool {
    [&syntax_error::RULE, &io_error::RULE, &internal_error::RULE].contains(&rule)
}

/// Removes the suppressed diagnostics and adds the malformed directives; when
/// `unused-noqa` is enabled, also a diagnostic for each directive (or code in one) that
/// suppressed nothing.
pub fn apply(
    diagnostics: &mut Vec<Diagnostic>,
    directives: &Directives,
    enabled: &[&'static RuleMeta],
) {
    let mut used = vec![Vec::new(); directives.directives.len()];
    diagnostics.retain(|diagnostic| {
        if is_unsuppressible(diagnostic.rule) || diagnostic.rule == &invalid_noqa::RULE {
            return true;
        }
        let start = diagnostic.range.map_or(TextSize::new(0), |r| r.start());
        for (i, directive) in directives.directives.iter().enumerate() {
            let covers = directive.scope == Scope::File || directive.line.contains_inclusive(start);
            if !covers {
                continue;
            }
            match &directive.codes {
                Codes::All => {
                    used[i].push(usize::MAX);
                    return false;
                }
                Codes::Only(codes) => {
                    if let Some(k) = codes
                        .iter()
                        .position(|code| registry::code_names_rule(&code.text, diagnostic.rule))
                    {
                        used[i].push(k);
                        return false;
                    }
                }
            }
        }
        true
    });
    diagnostics.extend(directives.malformed.iter().cloned());
    if enabled.contains(&&unused_noqa::RULE) {
        diagnostics.extend(unused(directives, &used, enabled));
    }
}

fn unused(
    directives: &Directives,
    used: &[Vec<usize>],
    enabled: &[&'static RuleMeta],
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (directive, used) in directives.directives.iter().zip(used) {
        let remove = || {
            Fix::safe(
                "Remove the `noqa` directive",
                vec![Edit::deletion(directive.removal)],
            )
        };
        match &directive.codes {
            Codes::All if used.is_empty() => found.push(
                Diagnostic::new(
                    &unused_noqa::RULE,
                    "unused blanket `noqa` directive",
                    directive.range,
                )
                .with_fix(remove()),
            ),
            Codes::All => {}
            Codes::Only(codes) => {
                // Only codes asynclint knows and runs can be known to be unused: other
                // tools' codes are theirs to judge.
                let unused: Vec<&Code> = codes
                    .iter()
                    .enumerate()
                    .filter(|(k, code)| {
                        !used.contains(k)
                            && enabled
                                .iter()
                                .any(|rule| registry::code_names_rule(&code.text, rule))
                    })
                    .map(|(_, code)| code)
                    .collect();
                if !unused.is_empty() {
                    let names: Vec<&str> = unused.iter().map(|c| c.text.as_str()).collect();
                    let kept: Vec<&str> = codes
                        .iter()
                        .filter(|c| !unused.contains(c))
                        .map(|c| c.text.as_str())
                        .collect();
                    let fix = if kept.is_empty() {
                        remove()
                    } else {
                        Fix::safe(
                            "Remove the unused codes",
                            vec![Edit::replacement(
                                directive.range,
                                format!("noqa: {}", kept.join(", ")),
                            )],
                        )
                    };
                    found.push(
                        Diagnostic::new(
                            &unused_noqa::RULE,
                            format!("unused `noqa` directive (unused: {})", names.join(", ")),
                            directive.range,
                        )
                        .with_fix(fix),
                    );
                }
            }
        }
    }
    found
}

/// Adds `# noqa: CODES` to the lines of `diagnostics` (merging with a `# noqa: CODES`
/// already there), for `--add-noqa`. Lines where a comment cannot go — inside a
/// multi-line string, after a line continuation — are left alone. Returns the new text
/// and how many lines changed.
pub fn add_noqa(source: &str, diagnostics: &[Diagnostic]) -> (String, usize) {
    let parsed =
        ruff_python_parser::parse_unchecked(source, ruff_python_parser::Mode::Module.into());
    let tokens = parsed.tokens();
    let found = directives(source, tokens);
    // Codes to add, per line (by the line's end offset), in source order.
    let mut lines: Vec<(TextRange, Vec<&'static str>)> = Vec::new();
    for diagnostic in diagnostics {
        let Some(range) = diagnostic.range else {
            continue;
        };
        if is_unsuppressible(diagnostic.rule) || diagnostic.rule == &invalid_noqa::RULE {
            continue;
        }
        let line = line_of(source, range.start());
        match lines.iter_mut().find(|(l, _)| *l == line) {
            Some((_, codes)) if !codes.contains(&diagnostic.rule.code) => {
                codes.push(diagnostic.rule.code);
            }
            Some(_) => {}
            None => lines.push((line, vec![diagnostic.rule.code])),
        }
    }
    let mut edits: Vec<(TextRange, String)> = Vec::new();
    for (line, mut codes) in lines {
        codes.sort_unstable();
        let ends_in_string = tokens
            .iter()
            .any(|t| t.start() < line.end() && t.end() > line.end());
        let continued = source[line].trim_end().ends_with('\\');
        if ends_in_string || continued {
            continue;
        }
        let existing = found
            .directives
            .iter()
            .find(|d| d.scope == Scope::Line && d.line == line);
        match existing.map(|d| (&d.codes, d.range)) {
            Some((Codes::All, _)) => {}
            Some((Codes::Only(present), range)) => {
                let mut all: Vec<String> = present.iter().map(|c| c.text.clone()).collect();
                all.extend(
                    codes
                        .iter()
                        .filter(|c| !present.iter().any(|p| p.text.eq_ignore_ascii_case(c)))
                        .map(|c| (*c).to_string()),
                );
                edits.push((range, format!("noqa: {}", all.join(", "))));
            }
            None => {
                let end = TextRange::empty(line.end());
                edits.push((end, format!("  # noqa: {}", codes.join(", "))));
            }
        }
    }
    let changed = edits.len();
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start()));
    let mut text = source.to_string();
    for (range, replacement) in edits {
        text.replace_range(range.to_std_range(), &replacement);
    }
    (text, changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_parser::parse_module;

    fn read(source: &str) -> Directives {
        let parsed = parse_module(source).expect("valid");
        directives(source, parsed.tokens())
    }

    #[test]
    fn reads_line_and_file_directives() {
        let source = "x = 1  # noqa\ny = 2  # noqa: AL101, ASYNC230 because reasons\n# asynclint: noqa: AL001\nz = 3  # NOQA:E501\n";
        let found = read(source);
        assert!(found.malformed.is_empty());
        let codes: Vec<(Scope, Codes)> = found
            .directives
            .iter()
            .map(|d| (d.scope, d.codes.clone()))
            .collect();
        assert_eq!(codes[0], (Scope::Line, Codes::All));
        let Codes::Only(list) = &codes[1].1 else {
            panic!()
        };
        assert_eq!(
            list.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
            ["AL101", "ASYNC230"]
        );
        assert_eq!(&source[list[1].range], "ASYNC230");
        assert_eq!(codes[2].0, Scope::File);
        assert!(matches!(&codes[3].1, Codes::Only(l) if l[0].text == "E501"));
    }

    #[test]
    fn malformed_directives_suppress_nothing() {
        let found = read("x = 1  # noqa:\ny = 2  # noqa: because\nz = 3  # noqa[E501]\n");
        assert!(found.directives.is_empty());
        assert_eq!(found.malformed.len(), 3);
        assert!(found.malformed[2].message.contains("followed by `[`"));
        assert!(
            found.malformed[0]
                .message
                .contains("must be followed by codes")
        );
    }

    #[test]
    fn add_noqa_appends_and_merges() {
        use crate::rules::await_outside_function;
        let source = "await a\nawait b  # noqa: E501\nx = \"\"\"\nawait\"\"\"\n";
        let at = |offset: u32| {
            Diagnostic::new(
                &await_outside_function::RULE,
                "m",
                TextRange::at(TextSize::new(offset), TextSize::new(1)),
            )
        };
        let (text, changed) = add_noqa(source, &[at(0), at(8), at(34)]);
        assert_eq!(changed, 2);
        assert_eq!(
            text,
            "await a  # noqa: AL001\nawait b  # noqa: E501, AL001\nx = \"\"\"\nawait\"\"\"\n"
        );
    }

    #[test]
    fn other_tools_file_directives_and_prose_are_not_ours() {
        let found = read("# ruff: noqa: E501\n# see noqa docs\n# noqakeep\n");
        assert!(found.directives.is_empty() && found.malformed.is_empty());
    }
}
