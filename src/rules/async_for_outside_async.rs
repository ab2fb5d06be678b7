//! AL003: an `async for` statement outside `async def`.

use ruff_python_ast::{NodeKind, Stmt};

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL003",
    name: "async-for-outside-async",
    summary: "`async for` outside an `async def`",
    aliases: &[],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL003.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for node in checker.model.nodes_of(NodeKind::StmtFor) {
        let Some(Stmt::For(stmt)) = node.stmt() else {
            continue;
        };
        if stmt.is_async
            && node.is_checked_by(checker.model.await_check_stage())
            && !checker.model.allows_await(node.scope_id())
        {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "'async for' outside async function",
                node.range(),
            ));
        }
    }
}
