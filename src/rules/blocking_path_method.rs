//! AL141: a `pathlib.Path` method that makes a system call (`read_text()`, `exists()`,
//! `mkdir()`, ...) in a coroutine.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL141",
    name: "blocking-path-method",
    summary: "A `pathlib.Path` method that touches the file system, inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL141.md"),
    check: Some(check),
};

fn suggestion(library: &str) -> &'static str {
    match library {
        "trio" => "use `trio.Path` and await the method",
        "anyio" => "use `anyio.Path` and await the method",
        _ => {
            "run it with `await asyncio.to_thread(...)`, or use `anyio.Path` (or aiopath) and await the method"
        }
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let suggestion = suggestion(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(checker.model, Blocking::PathMethod) {
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!("{call} is a `pathlib.Path` method that makes a blocking file-system call; {suggestion}"),
            found.call.range(),
        ));
    }
}
