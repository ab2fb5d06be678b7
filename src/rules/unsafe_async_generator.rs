//! ASYNC900: an async generator that no known decorator turns into something safe.

use ruff_python_ast::{NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::cancellation::{body_scope, decorator_name};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC900",
    name: "unsafe-async-generator",
    summary: "An async generator not transformed by a known decorator",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC900.md"),
    check: Some(check),
};

/// Decorators that run an async generator safely: as a context manager, as a pytest
/// fixture, or in a task of its own.
const TRANSFORMING_DECORATORS: &[&str] = &[
    "contextlib.asynccontextmanager",
    "pytest.fixture",
    "pytest_asyncio.fixture",
    "trio.as_safe_channel",
];

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let mut known: Vec<&str> = Vec::new();
    if checker.libraries.trio {
        known.push("trio.as_safe_channel");
    }
    known.extend(["contextlib.asynccontextmanager", "pytest.fixture"]);
    let known = known
        .iter()
        .map(|name| format!("`@{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    for node in model.nodes_of(NodeKind::StmtFunctionDef) {
        let Some(Stmt::FunctionDef(def)) = node.stmt() else {
            continue;
        };
        if !def.is_async {
            continue;
        }
        let enclosing = node.scope_id();
        let Some(body) = body_scope(model, def, enclosing) else {
            continue;
        };
        if !model.scope(body).is_generator {
            continue;
        }
        let transformed = def.decorator_list.iter().any(|d| {
            decorator_name(model, d, enclosing)
                .is_some_and(|name| TRANSFORMING_DECORATORS.contains(&name.as_str()))
        });
        if transformed {
            continue;
        }
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "async generator `{}`: async generators are unsafe to use directly (their cleanup and cancellation get separated from the code iterating them); transform it with a known decorator ({known})",
                def.name
            ),
            def.name.range(),
        ));
    }
}
