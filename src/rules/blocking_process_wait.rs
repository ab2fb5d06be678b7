//! ASYNC222: waiting for a child process with `os.wait*` in a coroutine.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC222",
    name: "blocking-process-wait",
    summary: "`os.wait*()` blocks the event loop inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC222.md"),
    check: Some(check),
};

fn suggestion(library: &str) -> &'static str {
    match library {
        "trio" => "wait in a worker thread with `await trio.to_thread.run_sync(...)`",
        "anyio" => "wait in a worker thread with `await anyio.to_thread.run_sync(...)`",
        _ => "wait in a worker thread with `await asyncio.to_thread(...)`",
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let suggestion = suggestion(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(checker.model, Blocking::ProcessWait) {
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!("{call} blocks the event loop until a child process exits; {suggestion}"),
            found.call.range(),
        ));
    }
}
