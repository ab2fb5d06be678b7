//! AL113: `async with` on an object that supports only a plain `with` (`open()`,
//! `threading.Lock()`, a `@contextmanager` function's result…).

use ruff_python_ast::{NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::protocols::{
    CONTEXT_MANAGER_FUNCTION, Protocols, Verdict, decide_sync_context_manager, parenthesized, shown,
};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL113",
    name: "async-with-sync-context-manager",
    summary: "`async with` on a synchronous context manager",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL113.md"),
    check: Some(check),
};

fn message(manager: &str, reason: &str) -> String {
    format!(
        "`{manager}` supports only a plain `with`{}: `async with` raises `TypeError` (`AttributeError` before Python 3.11)",
        parenthesized(reason)
    )
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let protocols = Protocols::new(model);
    for node in model.nodes_of(NodeKind::StmtWith) {
        let Some(Stmt::With(with)) = node.stmt() else {
            continue;
        };
        if !with.is_async {
            continue;
        }
        for item in &with.items {
            let manager = &item.context_expr;
            let text = shown(checker.source, manager.range());
            match protocols.sync_only_context_manager(manager, node.scope_id()) {
                Verdict::Known(what) => diagnostics.push(Diagnostic::new(
                    &RULE,
                    message(&text, &what),
                    manager.range(),
                )),
                Verdict::Project(target) => checker.defer(
                    &RULE,
                    manager.range(),
                    target,
                    message(&text, CONTEXT_MANAGER_FUNCTION),
                    decide_sync_context_manager,
                ),
                Verdict::Unknown => {}
            }
        }
    }
}
