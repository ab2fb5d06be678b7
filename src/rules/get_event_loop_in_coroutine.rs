//! AL121: `asyncio.get_event_loop()` in a coroutine, where `asyncio.get_running_loop()`
//! says what is meant and cannot create a loop by accident.

use ruff_python_ast::{Expr, NodeKind};
use ruff_text_size::Ranged;

use crate::analysis::calls::callee;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::NodeFlags;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL121",
    name: "get-event-loop-in-coroutine",
    summary: "`asyncio.get_event_loop()` in a coroutine: use `asyncio.get_running_loop()`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL121.md"),
    check: Some(check),
};

const GET_EVENT_LOOP: &[&str] = &["asyncio.get_event_loop", "asyncio.events.get_event_loop"];

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    // With trio imported the coroutine may run under trio-asyncio, where only
    // `get_event_loop()` finds the loop.
    if checker.libraries.trio {
        return;
    }
    let model = checker.model;
    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        if node.flags().contains(NodeFlags::UNEVALUATED)
            || !model.runs_in_coroutine(node.scope_id())
        {
            continue;
        }
        let is_get_event_loop = callee(model, &call.func, node.scope_id())
            .qualified()
            .is_some_and(|name| GET_EVENT_LOOP.contains(&name));
        if !is_get_event_loop || !call.arguments.is_empty() {
            continue;
        }
        let written = &checker.source[call.func.range()];
        let diagnostic = Diagnostic::new(
            &RULE,
            format!(
                "`{written}()` in a coroutine: use `asyncio.get_running_loop()`, which returns the same loop here"
            ),
            call.range(),
        );
        // `asyncio.get_event_loop` and `asyncio.events.get_event_loop` (under any alias)
        // have a `get_running_loop` beside them; a bare `get_event_loop` imported by name
        // would need an import as well, so it gets no fix.
        diagnostics.push(match call.func.as_ref() {
            Expr::Attribute(attribute) => diagnostic.with_fix(Fix::safe(
                "Replace with `get_running_loop()`",
                vec![Edit::replacement(
                    attribute.attr.range(),
                    "get_running_loop",
                )],
            )),
            _ => diagnostic,
        });
    }
}
