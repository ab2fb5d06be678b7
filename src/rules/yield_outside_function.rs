//! AL009: `yield` or `yield from` in a module or class body.

use ruff_python_ast::NodeKind;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::ScopeKind;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL009",
    name: "yield-outside-function",
    summary: "`yield` in a module or class body",
    aliases: &["F704", "PLE0105", "E0105"],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL009.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let yields = checker
        .model
        .nodes_of(NodeKind::ExprYield)
        .chain(checker.model.nodes_of(NodeKind::ExprYieldFrom));
    for node in yields {
        if node.is_compiled() && matches!(node.scope().kind, ScopeKind::Module | ScopeKind::Class) {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "'yield' outside function",
                node.range(),
            ));
        }
    }
}
