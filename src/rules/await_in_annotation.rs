//! AL010: `await` in an annotation CPython compiles in a block of its own
//! (`from __future__ import annotations` on 3.10+, every annotation on 3.14+).

use ruff_python_ast::NodeKind;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::ScopeKind;
use crate::target_version::TargetVersion;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL010",
    name: "await-in-annotation",
    summary: "`await` in an annotation",
    aliases: &[],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL010.md"),
    check: Some(check),
};

/// CPython's wording changed in 3.12.
pub(crate) fn annotation_message(what: &str, version: TargetVersion) -> String {
    if version >= TargetVersion::Py312 {
        format!("{what} cannot be used within an annotation")
    } else {
        format!("'{what}' can not be used within an annotation")
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for node in checker.model.nodes_of(NodeKind::ExprAwait) {
        if node.scope().kind == ScopeKind::Annotation {
            diagnostics.push(Diagnostic::new(
                &RULE,
                annotation_message("await expression", checker.target_version()),
                node.range(),
            ));
        }
    }
}
