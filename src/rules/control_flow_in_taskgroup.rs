//! ASYNC121: `return`, `break` or `continue` that leaves a nursery or task group block.

use ruff_python_ast::{NodeKind, Stmt};

use crate::analysis::cancellation::{
    body_range, enclosing_in_function, in_with_body, nursery_call,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC121",
    name: "control-flow-in-taskgroup",
    summary: "`return`, `break` or `continue` inside a nursery or task group block",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC121.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let statements = model
        .nodes_of(NodeKind::StmtReturn)
        .chain(model.nodes_of(NodeKind::StmtBreak))
        .chain(model.nodes_of(NodeKind::StmtContinue));
    for node in statements {
        let Some(stmt) = node.stmt() else {
            continue;
        };
        let keyword = match stmt {
            Stmt::Return(_) => "return",
            Stmt::Break(_) => "break",
            _ => "continue",
        };
        let range = node.range();
        let mut nurseries: Vec<&'static str> = Vec::new();
        for ancestor in enclosing_in_function(node) {
            match ancestor.stmt() {
                Some(Stmt::With(with)) if with.is_async && in_with_body(with, range) => {
                    if let Some(kind) = with.items.iter().find_map(|item| {
                        nursery_call(model, &item.context_expr, ancestor.scope_id())
                    }) {
                        nurseries.push(kind.noun());
                    }
                }
                // The loop that `break` and `continue` belong to: inside it, they stay in
                // whatever nursery encloses the loop.
                Some(Stmt::For(s))
                    if keyword != "return"
                        && body_range(&s.body).is_some_and(|b| b.contains_range(range)) =>
                {
                    break;
                }
                Some(Stmt::While(s))
                    if keyword != "return"
                        && body_range(&s.body).is_some_and(|b| b.contains_range(range)) =>
                {
                    break;
                }
                _ => {}
            }
        }
        nurseries.dedup();
        let Some(noun) = nurseries.first() else {
            continue;
        };
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "`{keyword}` inside a {noun} block behaves counterintuitively: it waits for the {noun}'s tasks, and their exceptions replace it; move it outside the `async with`"
            ),
            range,
        ));
    }
}
