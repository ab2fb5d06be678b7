//! AL006: `yield from` in the body of an `async def`.

use ruff_python_ast::NodeKind;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL006",
    name: "yield-from-in-async-function",
    summary: "`yield from` inside an `async def`",
    aliases: &["PLE1700", "E1700"],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL006.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for node in checker.model.nodes_of(NodeKind::ExprYieldFrom) {
        if node.is_compiled() && node.scope().kind.is_async_function() {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "'yield from' inside async function",
                node.range(),
            ));
        }
    }
}
