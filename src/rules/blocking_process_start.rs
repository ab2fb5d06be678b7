//! ASYNC220: starting a process with a blocking API (`subprocess.Popen`, `os.popen`,
//! `os.spawn*` without `P_WAIT`) in a coroutine.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC220",
    name: "blocking-process-start",
    summary: "A process started with a blocking API inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC220.md"),
    check: Some(check),
};

fn suggestion(library: &str) -> &'static str {
    match library {
        "trio" => "start it with `await nursery.start(trio.run_process, ...)`",
        "anyio" => "start it with `await anyio.open_process(...)`",
        _ => {
            "start it with `await asyncio.create_subprocess_exec(...)` (or `create_subprocess_shell`)"
        }
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let suggestion = suggestion(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(checker.model, Blocking::ProcessStart) {
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "{call} starts a process with a synchronous API whose pipes and waits block the event loop; {suggestion}"
            ),
            found.call.range(),
        ));
    }
}
