//! ASYNC119: `yield` inside a `with` block of an async generator: if the generator is not
//! run to completion, the context manager's cleanup waits for garbage collection.

use ruff_python_ast::{Expr, NodeKind, Stmt};

use crate::analysis::cancellation::{enclosing_in_function, in_with_body};
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::{Decoration, decoration_of};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{NodeRef, ScopeKind};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC119",
    name: "yield-in-cm-in-async-gen",
    summary: "`yield` inside a context manager in an async generator, whose cleanup may never run",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC119.md"),
    check: Some(check),
};

/// Decorators that run the async generator to completion, like a context manager.
const SAFE_DECORATORS: &[&str] = &[
    "contextlib.asynccontextmanager",
    "pytest.fixture",
    "pytest_asyncio.fixture",
];

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::ExprYield) {
        let scope = model.scope(node.scope_id());
        if scope.kind != (ScopeKind::Function { is_async: true }) {
            continue;
        }
        let Some(NodeRef::Stmt(Stmt::FunctionDef(def))) = scope.node else {
            continue;
        };
        let Some(enclosing) = scope.parent else {
            continue;
        };
        let safe = def.decorator_list.iter().any(|d| {
            let mut expr = &d.expression;
            if let Expr::Call(call) = expr {
                expr = &call.func;
            }
            model
                .qualified_name(expr, enclosing)
                .is_some_and(|name| SAFE_DECORATORS.contains(&name.as_ref()))
        });
        if safe || decoration_of(model, &def.decorator_list, enclosing) != Decoration::None {
            continue;
        }
        let range = node.range();
        let in_context_manager = enclosing_in_function(node).any(|ancestor| {
            matches!(ancestor.stmt(), Some(Stmt::With(with)) if in_with_body(with, range))
        });
        if in_context_manager {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "`yield` inside a context manager in an async generator: if the generator is not run to the end, the context manager's cleanup is delayed to garbage collection; use `@asynccontextmanager`, or restructure",
                range,
            ));
        }
    }
}
