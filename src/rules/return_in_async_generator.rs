//! AL007: `return <value>` in an async generator.

use ruff_python_ast::{NodeKind, Stmt};

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL007",
    name: "return-in-async-generator",
    summary: "`return` with a value in an async generator",
    aliases: &[],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL007.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for node in checker.model.nodes_of(NodeKind::StmtReturn) {
        let Some(Stmt::Return(stmt)) = node.stmt() else {
            continue;
        };
        if stmt.value.is_some() && node.is_compiled() && node.scope().is_async_generator() {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "'return' with value in async generator",
                node.range(),
            ));
        }
    }
}
