//! ASYNC212: a request method of a synchronous `httpx.Client` or urllib3 pool, in a
//! coroutine.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::blocking_http_call::async_http_client;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC212",
    name: "blocking-http-client-call",
    summary: "A request through a synchronous httpx or urllib3 client inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC212.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let client = async_http_client(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(checker.model, Blocking::HttpClient) {
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        let class = found.blocking.class.as_deref().unwrap_or("client");
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "{call} is a blocking call on a synchronous `{class}`, which stops the event loop until it returns; use {client}"
            ),
            found.call.range(),
        ));
    }
}
