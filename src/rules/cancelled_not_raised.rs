//! ASYNC104: inside an `except` that catches a cancellation, a `return`, `break`,
//! `continue`, `yield` or a `raise` of something else before the cancellation is re-raised.

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::no_reraise_cancelled::{Finding, findings};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC104",
    name: "cancelled-not-raised",
    summary: "A handler that catches a cancellation returns, breaks, yields or raises something else instead of re-raising it",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC104.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for finding in findings(checker) {
        if let Finding::LeftBeforeReraise { range, what } = finding {
            let how = if what == "raise" {
                "raising another exception replaces it".to_string()
            } else {
                format!("`{what}` here stops it")
            };
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "a cancellation caught by this handler must be re-raised, but {how}: re-raise it with a bare `raise`"
                ),
                range,
            ));
        }
    }
}
