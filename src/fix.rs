//! Fixes: the edits a diagnostic proposes, and applying them to a file until it is
//! stable.
//!
//! Applicability follows ruff: `safe` fixes keep the meaning of the code and are applied
//! by `--fix`; `unsafe` ones may change it and need `--unsafe-fixes`; `display-only` ones
//! are shown, never applied.

use ruff_text_size::{TextRange, TextSize};
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    DisplayOnly,
    Unsafe,
    Safe,
}

/// Replace `range` with `content` (an insertion when the range is empty, a deletion when
/// the content is).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

impl Edit {
    pub fn insertion(at: TextSize, content: impl Into<String>) -> Self {
        Self {
            range: TextRange::empty(at),
            content: content.into(),
        }
    }

    pub fn replacement(range: TextRange, content: impl Into<String>) -> Self {
        Self {
            range,
            content: content.into(),
        }
    }

    pub fn deletion(range: TextRange) -> Self {
        Self {
            range,
            content: String::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub applicability: Applicability,
    /// Non-overlapping, in any order.
    pub edits: Vec<Edit>,
    /// What the fix does, in the imperative ("Add `await`").
    pub message: String,
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            applicability: Applicability::Safe,
            edits,
            message: message.into(),
        }
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            applicability: Applicability::Unsafe,
            edits,
            message: message.into(),
        }
    }

    /// Whether a run that applies fixes at level `allowed` applies this one (display-only
    /// fixes never are).
    pub fn applies_at(&self, allowed: Applicability) -> bool {
        self.applicability >= allowed && self.applicability != Applicability::DisplayOnly
    }

    fn span(&self) -> Option<TextRange> {
        let start = self.edits.iter().map(|e| e.range.start()).min()?;
        let end = self.edits.iter().map(|e| e.range.end()).max()?;
        Some(TextRange::new(start, end))
    }
}

/// Applies the fixes of `diagnostics` that are at least `allowed`, skipping any that
/// overlaps one already taken. Returns the new text and the diagnostics fixed.
pub fn apply<'d>(
    source: &str,
    diagnostics: &'d [Diagnostic],
    allowed: Applicability,
) -> (String, Vec<&'d Diagnostic>) {
    let mut candidates: Vec<(&Diagnostic, &Fix, TextRange)> = diagnostics
        .iter()
        .filter_map(|d| {
            let fix = d.fix.as_ref()?;
            fix.applies_at(allowed).then_some(())?;
            Some((d, fix, fix.span()?))
        })
        .collect();
    candidates.sort_by_key(|(_, _, span)| (span.start(), span.end()));
    let mut taken: Vec<(&Diagnostic, &Fix)> = Vec::new();
    let mut last_end: Option<TextSize> = None;
    for (diagnostic, fix, span) in candidates {
        // Two fixes may not touch the same text; the second waits for the next round.
        if last_end
            .is_some_and(|end| span.start() < end || (span.is_empty() && span.start() == end))
        {
            continue;
        }
        if taken.iter().any(|(_, f)| f == &fix) {
            continue;
        }
        last_end = Some(span.end());
        taken.push((diagnostic, fix));
    }
    let mut edits: Vec<&Edit> = taken.iter().flat_map(|(_, fix)| &fix.edits).collect();
    edits.sort_by_key(|edit| std::cmp::Reverse((edit.range.start(), edit.range.end())));
    let mut text = source.to_string();
    for edit in edits {
        if edit.range.end().to_usize() <= text.len() {
            text.replace_range(edit.range.to_std_range(), &edit.content);
        }
    }
    (text, taken.into_iter().map(|(d, _)| d).collect())
}

/// A unified diff of a file's change, for `--diff`.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(path, path)
        .to_string()
}

/// A file after fixing: its new text, what was fixed, and what remains.
pub struct Fixed {
    pub text: String,
    /// (code, fix message) of each fix applied, in order.
    pub applied: Vec<(&'static str, String)>,
    pub remaining: Vec<Diagnostic>,
}

/// Rounds of fixing before giving up on reaching a fixed point (fixes that keep
/// re-creating each other).
const MAX_ROUNDS: usize = 100;

/// Applies fixes, lints again with `lint`, and repeats until nothing more can be fixed.
/// A round whose fixes would add a syntax error is retried one fix at a time, and a fix
/// that breaks the syntax on its own is dropped.
pub fn fix_until_stable(
    source: &str,
    first: Vec<Diagnostic>,
    allowed: Applicability,
    lint: &dyn Fn(&str) -> Vec<Diagnostic>,
    syntax_errors: &dyn Fn(&str) -> usize,
) -> Fixed {
    let mut text = source.to_string();
    let mut diagnostics = first;
    let mut applied = Vec::new();
    let mut baseline = syntax_errors(&text);
    for _ in 0..MAX_ROUNDS {
        let (candidate, taken) = apply(&text, &diagnostics, allowed);
        if taken.is_empty() {
            break;
        }
        if syntax_errors(&candidate) <= baseline {
            applied.extend(taken.iter().map(|d| (d.code(), fix_message(d))));
            text = candidate;
        } else {
            // One at a time, keeping the first that leaves the file parseable.
            let single = taken.iter().find_map(|d| {
                let (one, _) = apply(&text, std::slice::from_ref(*d), allowed);
                (syntax_errors(&one) <= baseline).then(|| (one, (d.code(), fix_message(d))))
            });
            match single {
                Some((one, record)) => {
                    text = one;
                    applied.push(record);
                }
                None => break,
            }
        }
        baseline = syntax_errors(&text);
        diagnostics = lint(&text);
    }
    Fixed {
        text,
        applied,
        remaining: diagnostics,
    }
}

fn fix_message(diagnostic: &Diagnostic) -> String {
    diagnostic
        .fix
        .as_ref()
        .map(|f| f.message.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::await_outside_function::RULE;

    fn diagnostic(fix: Fix) -> Diagnostic {
        Diagnostic::new(&RULE, "m", TextRange::default()).with_fix(fix)
    }

    #[test]
    fn applies_non_overlapping_fixes_at_or_above_the_level() {
        let source = "a = f()\nb = g()\n";
        let insert = |at: u32, text: &str, applicability| Fix {
            applicability,
            edits: vec![Edit::insertion(TextSize::new(at), text)],
            message: "m".into(),
        };
        let diagnostics = vec![
            diagnostic(insert(4, "await ", Applicability::Safe)),
            diagnostic(insert(12, "await ", Applicability::Unsafe)),
            diagnostic(insert(4, "await ", Applicability::Safe)),
        ];
        let (text, fixed) = apply(source, &diagnostics, Applicability::Safe);
        assert_eq!(text, "a = await f()\nb = g()\n");
        assert_eq!(fixed.len(), 1);
        let (text, fixed) = apply(source, &diagnostics, Applicability::Unsafe);
        assert_eq!(text, "a = await f()\nb = await g()\n");
        assert_eq!(fixed.len(), 2);
    }

    /// A fix that would break the syntax is dropped; the others are applied, round after
    /// round, until the lint finds nothing more to fix.
    #[test]
    fn fixing_iterates_and_drops_a_fix_that_breaks_the_syntax() {
        let insert = |at: u32, text: &str| {
            diagnostic(Fix::safe(
                "m",
                vec![Edit::insertion(TextSize::new(at), text)],
            ))
        };
        // The fake linter asks for `x` at the end of the text until there are three.
        let lint = |text: &str| {
            if text.matches('x').count() < 3 {
                vec![insert(u32::try_from(text.len()).unwrap(), "x")]
            } else {
                Vec::new()
            }
        };
        // Counts `(` as a syntax error: the first round's `(` fix is dropped.
        let syntax_errors = |text: &str| text.matches('(').count();
        let first = vec![insert(0, "("), insert(1, "x")];
        let fixed = fix_until_stable("a", first, Applicability::Safe, &lint, &syntax_errors);
        assert_eq!(fixed.text, "axxx");
        assert_eq!(fixed.applied.len(), 3);
        assert!(fixed.remaining.is_empty());
    }

    #[test]
    fn diff_is_unified() {
        let diff = unified_diff("a.py", "x = 1\n", "x = 2\n");
        assert!(diff.contains("--- a.py") && diff.contains("-x = 1") && diff.contains("+x = 2"));
    }
}
