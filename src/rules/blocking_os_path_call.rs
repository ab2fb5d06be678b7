//! ASYNC240: an `os.path` function that asks the file system, in a coroutine.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC240",
    name: "blocking-os-path-call",
    summary: "An `os.path` function that touches the file system, inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC240.md"),
    check: Some(check),
};

fn suggestion(library: &str) -> &'static str {
    match library {
        "trio" => "use `trio.Path` and await its methods",
        "anyio" => "use `anyio.Path` and await its methods",
        _ => "use `anyio.Path` (or aiopath), or run it with `await asyncio.to_thread(...)`",
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let suggestion = suggestion(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(checker.model, Blocking::OsPath) {
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!("{call} makes a blocking file-system call; {suggestion}"),
            found.call.range(),
        ));
    }
}
