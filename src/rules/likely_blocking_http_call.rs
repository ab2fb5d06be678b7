//! ASYNC211: `x.request("GET", ...)` on an object of unknown class, in a coroutine of a
//! module that imports urllib3 — probably a blocking urllib3 request.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::blocking_http_call::async_http_client;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC211",
    name: "likely-blocking-http-call",
    summary: "A call that looks like a synchronous urllib3 request inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC211.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let client = async_http_client(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(checker.model, Blocking::LikelyHttp) {
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "{call} looks like a synchronous urllib3 request, which would block the event loop; if it is, use {client}"
            ),
            found.call.range(),
        ));
    }
}
