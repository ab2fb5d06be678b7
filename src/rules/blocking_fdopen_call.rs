//! ASYNC231: `os.fdopen()` in a coroutine.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC231",
    name: "blocking-fdopen-call",
    summary: "`os.fdopen()` makes a blocking file object inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC231.md"),
    check: Some(check),
};

fn suggestion(library: &str) -> &'static str {
    match library {
        "trio" => "wrap it at once with `trio.wrap_file(os.fdopen(...))` and await its methods",
        "anyio" => "wrap it at once with `anyio.wrap_file(os.fdopen(...))` and await its methods",
        _ => {
            "do the file work in `asyncio.to_thread`, or use an async file library such as aiofiles"
        }
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let suggestion = suggestion(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(checker.model, Blocking::Fdopen) {
        if blocking::is_wrapped_file(checker.model, found.node) {
            continue;
        }
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!("{call} returns a synchronous file object whose I/O blocks the event loop; {suggestion}"),
            found.call.range(),
        ));
    }
}
