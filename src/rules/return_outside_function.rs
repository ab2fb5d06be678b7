//! AL014: `return` in a module or class body.

use ruff_python_ast::NodeKind;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::ScopeKind;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL014",
    name: "return-outside-function",
    summary: "`return` in a module or class body",
    aliases: &["F706", "PLE0104", "E0104"],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL014.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for node in checker.model.nodes_of(NodeKind::StmtReturn) {
        if node.is_compiled() && matches!(node.scope().kind, ScopeKind::Module | ScopeKind::Class) {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "'return' outside function",
                node.range(),
            ));
        }
    }
}
