//! ASYNC221: running a process and waiting for it (`subprocess.run`, `os.system`, ...) in
//! a coroutine.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC221",
    name: "blocking-process-run",
    summary: "A process run to completion with a blocking API inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC221.md"),
    check: Some(check),
};

fn suggestion(library: &str) -> &'static str {
    match library {
        "trio" => "use `await trio.run_process(...)`",
        "anyio" => "use `await anyio.run_process(...)`",
        _ => "use `await asyncio.create_subprocess_exec(...)` and await the process",
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let suggestion = suggestion(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(checker.model, Blocking::ProcessRun) {
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!("{call} runs a process synchronously, blocking the event loop; {suggestion}"),
            found.call.range(),
        ));
    }
}
