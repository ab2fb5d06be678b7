//! AL005: an asynchronous list, set or dict comprehension where CPython forbids one.

use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange};

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{ComprehensionKind, ScopeKind};
use crate::target_version::TargetVersion;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL005",
    name: "async-comprehension-outside-async",
    summary: "Asynchronous comprehension outside an `async def`",
    aliases: &[],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL005.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for (id, scope) in model.scopes_with_ids() {
        let ScopeKind::Comprehension(kind) = scope.kind else {
            continue;
        };
        // Asynchronous generator expressions are legal anywhere (3.7+).
        if kind == ComprehensionKind::Generator || !scope.is_coroutine {
            continue;
        }
        let Some(node) = scope.opener.map(|opener| model.node(opener)) else {
            continue;
        };
        if node.is_checked_by(model.await_check_stage()) && !model.comprehension_is_allowed(id) {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "asynchronous comprehension outside of an asynchronous function",
                position(checker, node.range(), node.expr()),
            ));
        }
    }
}

/// 3.7's parser dated a list comprehension from the first token after its `[`, so that
/// is the line 3.7 reports; later versions report the comprehension itself.
fn position(checker: &Checker, range: TextRange, comprehension: Option<&Expr>) -> TextRange {
    match comprehension {
        Some(Expr::ListComp(list)) if checker.target_version() == TargetVersion::Py37 => {
            TextRange::new(list.elt.start(), range.end())
        }
        _ => range,
    }
}
