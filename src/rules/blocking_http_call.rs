//! ASYNC210: a synchronous HTTP request (`requests.get()`, `urllib.request.urlopen()`, a
//! `requests.Session` method) in a coroutine.

use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC210",
    name: "blocking-http-call",
    summary: "A synchronous HTTP request inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC210.md"),
    check: Some(check),
};

/// The async HTTP clients to suggest, by library.
pub fn async_http_client(library: &str) -> &'static str {
    match library {
        "asyncio" => "an async HTTP client such as `httpx.AsyncClient` or `aiohttp.ClientSession`",
        _ => "an async HTTP client such as `httpx.AsyncClient`",
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let client = async_http_client(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(checker.model, Blocking::Http) {
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        let through = match &found.blocking.class {
            Some(class) => format!(" through a `{class}`"),
            None => String::new(),
        };
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "{call} sends an HTTP request{through} synchronously, blocking the event loop until the response arrives; use {client}"
            ),
            found.call.range(),
        ));
    }
}
