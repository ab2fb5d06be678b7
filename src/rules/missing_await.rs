//! ASYNC105: a trio coroutine function (`trio.sleep`, `trio.open_file`, ...) or
//! `nursery.start()` called without being awaited on the spot.

use ruff_python_ast::{Expr, NodeKind};
use ruff_text_size::Ranged;

use crate::analysis::cancellation::{NurseryKind, TRIO_COROUTINE_FUNCTIONS, nursery_kind_of};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::NodeFlags;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC105",
    name: "missing-await",
    summary: "A trio coroutine function is called without `await` on the spot",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC105.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    if !checker.libraries.trio {
        return;
    }
    let model = checker.model;
    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        if node.flags().contains(NodeFlags::UNEVALUATED) {
            continue;
        }
        let awaited = node
            .parent()
            .is_some_and(|parent| matches!(parent.expr(), Some(Expr::Await(_))));
        if awaited {
            continue;
        }
        let scope = node.scope_id();
        let (what, kind) = match model.qualified_name(&call.func, scope) {
            Some(name) if TRIO_COROUTINE_FUNCTIONS.contains(&name.as_ref()) => {
                (name.to_string(), "function")
            }
            _ => match &*call.func {
                Expr::Attribute(attribute)
                    if attribute.attr.as_str() == "start"
                        && nursery_kind_of(model, node, &attribute.value, scope)
                            == Some(NurseryKind::Trio) =>
                {
                    ("trio.Nursery.start".to_string(), "method")
                }
                _ => continue,
            },
        };
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "trio's async {kind} `{what}` must be awaited where it is called: as written it only creates a coroutine object"
            ),
            call.range(),
        ));
    }
}
