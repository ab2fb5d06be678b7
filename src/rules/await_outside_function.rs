//! AL001: `await` evaluated in a module or class body.

use ruff_python_ast::NodeKind;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::ScopeKind;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL001",
    name: "await-outside-function",
    summary: "`await` in a module or class body",
    aliases: &["F704", "PLE1142", "E1142"],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL001.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for node in checker.model.nodes_of(NodeKind::ExprAwait) {
        if !node.is_checked_by(checker.model.await_check_stage())
            || checker.model.allows_await(node.scope_id())
        {
            continue;
        }
        if matches!(node.scope().kind, ScopeKind::Module | ScopeKind::Class) {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "'await' outside function",
                node.range(),
            ));
        }
    }
}
