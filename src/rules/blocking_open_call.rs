//! ASYNC230: opening a file with a synchronous API in a coroutine.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC230",
    name: "blocking-open-call",
    summary: "A file opened with a blocking call inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC230.md"),
    check: Some(check),
};

fn suggestion(library: &str) -> &'static str {
    match library {
        "trio" => "use `await trio.open_file(...)`",
        "anyio" => "use `await anyio.open_file(...)`",
        _ => {
            "use an async file library (`aiofiles.open`, `anyio.open_file`) or do the file work in `asyncio.to_thread`"
        }
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let suggestion = suggestion(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(checker.model, Blocking::Open) {
        if blocking::is_wrapped_file(checker.model, found.node) {
            continue;
        }
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!("{call} opens a file synchronously, blocking the event loop; {suggestion}"),
            found.call.range(),
        ));
    }
}
