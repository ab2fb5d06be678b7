//! AL011: `yield` in an annotation CPython compiles in a block of its own
//! (`from __future__ import annotations` on 3.10+, every annotation on 3.14+).

use ruff_python_ast::NodeKind;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::await_in_annotation::annotation_message;
use crate::scope::ScopeKind;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL011",
    name: "yield-in-annotation",
    summary: "`yield` in an annotation",
    aliases: &[],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL011.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let yields = checker
        .model
        .nodes_of(NodeKind::ExprYield)
        .chain(checker.model.nodes_of(NodeKind::ExprYieldFrom));
    for node in yields {
        if node.scope().kind == ScopeKind::Annotation {
            diagnostics.push(Diagnostic::new(
                &RULE,
                annotation_message("yield expression", checker.target_version()),
                node.range(),
            ));
        }
    }
}
