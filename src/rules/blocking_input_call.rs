//! ASYNC250: `input()` in a coroutine.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC250",
    name: "blocking-input-call",
    summary: "`input()` blocks the event loop inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC250.md"),
    check: Some(check),
};

fn suggestion(library: &str) -> &'static str {
    match library {
        "trio" => "`await trio.to_thread.run_sync(input)`",
        "anyio" => "`await anyio.to_thread.run_sync(input)`",
        _ => "`await asyncio.to_thread(input)`",
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let suggestion = suggestion(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(checker.model, Blocking::Input) {
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "{call} waits for the terminal and blocks the event loop meanwhile; read in a worker thread: {suggestion}"
            ),
            found.call.range(),
        ));
    }
}
