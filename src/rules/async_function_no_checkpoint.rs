//! ASYNC910 and ASYNC911: an async function, or an async generator, with a path from its
//! start (or from a `yield`) to a `return`, a `yield` or its end that has no checkpoint.

use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analysis::checkpoints::{ExitPoint, Since, analysed_functions};
use crate::diagnostic::{Diagnostic, Severity};
use crate::line_index::LineIndex;
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC910",
    name: "async-function-no-checkpoint",
    summary: "An async function can return without a checkpoint",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC910.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    missing_checkpoints(checker, false, &RULE, diagnostics);
}

/// Reports the paths without a checkpoint of async functions (`generators: false`) or of
/// async generators (`true`).
pub fn missing_checkpoints(
    checker: &Checker,
    generators: bool,
    rule: &'static RuleMeta,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let model = checker.model;
    let mut lines: Option<LineIndex> = None;
    for function in analysed_functions(model) {
        if model.scope(function.body).is_generator != generators || function.exempt_exit_checks {
            continue;
        }
        let (kind, noun) = if generators {
            ("async generator", "async iterable")
        } else {
            ("async function", "async function")
        };
        for (at, since) in &function.report.missing {
            let (what, range): (&str, TextRange) = match at {
                ExitPoint::Return(span) => ("`return`", span.range()),
                ExitPoint::Yield(span) => ("`yield`", span.range()),
                ExitPoint::End => ("end", function.def.name.range()),
            };
            let lines = lines.get_or_insert_with(|| LineIndex::new(checker.source));
            let line = |offset: TextSize| lines.line_of(offset.to_usize()) + 1;
            let since = match since {
                Since::FunctionStart => format!(
                    "the function definition on line {}",
                    line(function.def.name.start())
                ),
                Since::Yield(span) => {
                    format!("the `yield` on line {}", line(span.range().start()))
                }
            };
            let reached = if *at == ExitPoint::End {
                format!("the {kind} can reach its end")
            } else {
                format!("{what} in this {noun} can be reached")
            };
            diagnostics.push(Diagnostic::new(
                rule,
                format!(
                    "{reached} with no checkpoint since {since}: add an `await` (or raise) on every path, so it can be cancelled"
                ),
                range,
            ));
        }
    }
}
