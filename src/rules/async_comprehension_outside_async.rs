//! AL005: an asynchronous list, set or dict comprehension where CPython forbids one.

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{ComprehensionKind, ScopeKind};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL005",
    name: "async-comprehension-outside-async",
    summary: "Asynchronous comprehension outside an `async def`",
    aliases: &[],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL005.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for (id, scope) in model.scopes_with_ids() {
        let ScopeKind::Comprehension(kind) = scope.kind else {
            continue;
        };
        // Asynchronous generator expressions are legal anywhere (3.7+).
        if kind == ComprehensionKind::Generator || !scope.is_coroutine {
            continue;
        }
        let Some(node) = scope.opener.map(|opener| model.node(opener)) else {
            continue;
        };
        if node.is_checked_by(model.await_check_stage()) && !model.comprehension_is_allowed(id) {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "asynchronous comprehension outside of an asynchronous function",
                node.range(),
            ));
        }
    }
}
