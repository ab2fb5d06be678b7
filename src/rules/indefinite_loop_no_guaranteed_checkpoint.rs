//! ASYNC913: a `while True:` loop (without `break`) whose body can go round without a
//! checkpoint, which no cancellation can stop.

use crate::analysis::checkpoints::analysed_functions;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC913",
    name: "indefinite-loop-no-guaranteed-checkpoint",
    summary: "A `while True:` loop whose body can go round without a checkpoint",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC913.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for function in analysed_functions(checker.model) {
        for span in &function.report.unguaranteed_loops {
            // Point at the `while` keyword.
            let range = span.range();
            let header = ruff_text_size::TextRange::at(range.start(), 5.into());
            diagnostics.push(Diagnostic::new(
                &RULE,
                "this loop never ends and can go round without a checkpoint: nothing can cancel it; add an `await` that runs on every iteration",
                header,
            ));
        }
    }
}
