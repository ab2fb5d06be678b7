//! ASYNC120: a checkpoint in an `except` block that goes on to raise: if it is cancelled,
//! the exception being handled is replaced by the cancellation.

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::await_in_finally_or_cancelled::{Finding, findings};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC120",
    name: "await-in-except",
    summary: "A checkpoint in an `except` block that re-raises: a cancellation there discards the exception",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC120.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for finding in findings(checker) {
        if let Finding::BeforeRaise { range, context } = finding {
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "checkpoint inside {context}, which raises afterwards: if it is cancelled, the exception being handled is lost; move the checkpoint out of the handler, or shield it"
                ),
                range,
            ));
        }
    }
}
