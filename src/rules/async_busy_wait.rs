//! ASYNC110: `while <condition>: await trio.sleep(...)`, polling where an `Event` would
//! wake the task when the condition changes.

use ruff_python_ast::{Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC110",
    name: "async-busy-wait",
    summary: "A `while` loop whose body only sleeps: a busy wait that an `Event` would replace",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC110.md"),
    check: Some(check),
};

const POLLING_SLEEPS: &[&str] = &[
    "trio.sleep",
    "trio.sleep_until",
    "trio.lowlevel.checkpoint",
    "anyio.sleep",
    "anyio.sleep_until",
    "anyio.lowlevel.checkpoint",
];

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::StmtWhile) {
        let Some(Stmt::While(stmt)) = node.stmt() else {
            continue;
        };
        let [Stmt::Expr(only)] = stmt.body.as_slice() else {
            continue;
        };
        let Expr::Await(await_) = &*only.value else {
            continue;
        };
        let Expr::Call(call) = &*await_.value else {
            continue;
        };
        let Some(name) = model.qualified_name(&call.func, node.scope_id()) else {
            continue;
        };
        if !POLLING_SLEEPS.contains(&name.as_ref()) {
            continue;
        }
        let library = name.split('.').next().unwrap_or("trio");
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "this loop polls with `await {name}()`: wait on a `{library}.Event` that whoever changes the condition sets"
            ),
            stmt.range(),
        ));
    }
}
