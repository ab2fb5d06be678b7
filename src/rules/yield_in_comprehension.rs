//! AL008: `yield` or `yield from` inside a comprehension or generator expression (3.8+).

use ruff_python_ast::NodeKind;
use ruff_text_size::Ranged;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::ScopeKind;
use crate::target_version::TargetVersion;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL008",
    name: "yield-in-comprehension",
    summary: "`yield` inside a comprehension or generator expression",
    aliases: &[],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL008.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    // 3.7 only warns (DeprecationWarning); the symbol table rejects it from 3.8 on, even in
    // annotations that are never evaluated.
    if checker.target_version() < TargetVersion::Py38 {
        return;
    }
    let yields = checker
        .model
        .nodes_of(NodeKind::ExprYield)
        .chain(checker.model.nodes_of(NodeKind::ExprYieldFrom));
    for node in yields {
        if let ScopeKind::Comprehension(kind) = node.scope().kind {
            // 3.8 and 3.9 point at the comprehension, 3.10+ at the `yield`.
            let range = match node.scope().node {
                Some(comprehension) if checker.target_version() < TargetVersion::Py310 => {
                    comprehension.range()
                }
                _ => node.range(),
            };
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!("'yield' inside {}", kind.description()),
                range,
            ));
        }
    }
}
