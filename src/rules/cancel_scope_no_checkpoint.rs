//! ASYNC100: a cancel scope (`trio.move_on_after`, `anyio.CancelScope`, `asyncio.timeout`,
//! ...) whose block contains no checkpoint, so it can never cancel anything.

use ruff_python_ast::{NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::cancellation::{
    NurseryKind, cancel_scope_call, has_cancel_point, nursery_call,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC100",
    name: "cancel-scope-no-checkpoint",
    summary: "A cancel scope or timeout whose block has no checkpoint, so it can never cancel anything",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC100.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::StmtWith) {
        let Some(Stmt::With(with)) = node.stmt() else {
            continue;
        };
        let scope = node.scope_id();
        let mut body_checked: Option<bool> = None;
        for (index, item) in with.items.iter().enumerate() {
            let Some(call) = cancel_scope_call(model, &item.context_expr, scope) else {
                continue;
            };
            // Entering a later item of an `async with` (other than a nursery) is a
            // checkpoint inside this scope.
            let later_entry = with.is_async
                && with.items[index + 1..].iter().any(|later| {
                    !matches!(
                        nursery_call(model, &later.context_expr, scope),
                        Some(NurseryKind::Trio | NurseryKind::Anyio)
                    )
                });
            if later_entry {
                continue;
            }
            let has_checkpoint =
                *body_checked.get_or_insert_with(|| has_cancel_point(model, &with.body, scope));
            if has_checkpoint {
                continue;
            }
            let suggestion = if call.library == "asyncio" {
                "add an `await` inside it (`await asyncio.sleep(0)` if nothing else)".to_string()
            } else {
                format!(
                    "add `await {}.lowlevel.checkpoint()` inside it",
                    call.library
                )
            };
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "`{}` context contains no checkpoint, so it can never cancel anything: remove it, or {suggestion}",
                    call.display()
                ),
                item.context_expr.range(),
            ));
        }
    }
}
