//! AL013: `yield` in a PEP 695/696 annotation scope.

use ruff_python_ast::NodeKind;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::await_in_type_scope::type_scope_message;
use crate::scope::ScopeKind;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL013",
    name: "yield-in-type-scope",
    summary: "`yield` in a type alias, type parameter or generic definition",
    aliases: &[],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL013.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let yields = checker
        .model
        .nodes_of(NodeKind::ExprYield)
        .chain(checker.model.nodes_of(NodeKind::ExprYieldFrom));
    for node in yields {
        let ScopeKind::Type(kind) = node.scope().kind else {
            continue;
        };
        if let Some(message) =
            type_scope_message("yield expression", kind, checker.target_version())
        {
            diagnostics.push(Diagnostic::new(&RULE, message, node.range()));
        }
    }
}
