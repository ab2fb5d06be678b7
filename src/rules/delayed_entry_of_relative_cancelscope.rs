//! ASYNC122: `trio.move_on_after(...)` / `fail_after(...)` created apart from the `with`
//! that enters it.

use ruff_python_ast::{Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC122",
    name: "delayed-entry-of-relative-cancelscope",
    summary: "A relative cancel scope created apart from the `with` that enters it",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC122.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        let Some(name) = model.qualified_name(&call.func, node.scope_id()) else {
            continue;
        };
        if !matches!(
            name.as_ref(),
            "trio.fail_after" | "trio.move_on_after" | "anyio.fail_after" | "anyio.move_on_after"
        ) {
            continue;
        }
        let range = call.range();
        let mut in_with_item = false;
        let mut current = node.parent();
        while let Some(ancestor) = current {
            if let Some(Stmt::With(with)) = ancestor.stmt() {
                in_with_item = with
                    .items
                    .iter()
                    .any(|item| item.context_expr.range().contains_range(range));
                break;
            }
            if ancestor.stmt().is_some() {
                break;
            }
            current = ancestor.parent();
        }
        if in_with_item {
            continue;
        }
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "`{name}(...)` is created here but entered later: before trio 0.27 its timeout counted from creation, since then from entry; create it in the `with` statement that enters it"
            ),
            range,
        ));
    }
}
