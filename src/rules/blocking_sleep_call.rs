//! ASYNC251: `time.sleep()` in a coroutine.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC251",
    name: "blocking-sleep-call",
    summary: "`time.sleep()` blocks the event loop inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC251.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let library = checker.libraries.preferred();
    for found in blocking::blocking_calls_of(checker.model, Blocking::Sleep) {
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "{call} stops the whole event loop while it sleeps; use `await {library}.sleep(...)`"
            ),
            found.call.range(),
        ));
    }
}
