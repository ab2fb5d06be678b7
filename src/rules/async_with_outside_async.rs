//! AL004: an `async with` statement outside `async def`.

use ruff_python_ast::{NodeKind, Stmt};

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL004",
    name: "async-with-outside-async",
    summary: "`async with` outside an `async def`",
    aliases: &[],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL004.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for node in checker.model.nodes_of(NodeKind::StmtWith) {
        let Some(Stmt::With(stmt)) = node.stmt() else {
            continue;
        };
        if stmt.is_async
            && node.is_checked_by(checker.model.await_check_stage())
            && !checker.model.allows_await(node.scope_id())
        {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "'async with' outside async function",
                node.range(),
            ));
        }
    }
}
