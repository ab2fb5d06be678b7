//! AL002: `await` in a synchronous function or lambda.

use ruff_python_ast::NodeKind;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::ScopeKind;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL002",
    name: "await-outside-async",
    summary: "`await` in a `def` or `lambda` that is not `async def`",
    aliases: &["PLE1142", "E1142"],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL002.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for node in checker.model.nodes_of(NodeKind::ExprAwait) {
        if !node.is_checked_by(checker.model.await_check_stage()) {
            continue;
        }
        if matches!(
            node.scope().kind,
            ScopeKind::Function { is_async: false } | ScopeKind::Lambda
        ) {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "'await' outside async function",
                node.range(),
            ));
        }
    }
}
