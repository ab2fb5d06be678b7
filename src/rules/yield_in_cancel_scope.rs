//! ASYNC101: `yield` inside a nursery or cancel scope, in a generator that does not
//! implement a context manager.

use ruff_python_ast::{Expr, NodeKind, Stmt};

use crate::analysis::cancellation::{
    YIELD_UNSAFE_CONTEXT_MANAGERS, called_name, enclosing_in_function, in_with_body,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::{Decoration, decoration_of};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{NodeRef, ScopeKind};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC101",
    name: "yield-in-cancel-scope",
    summary: "`yield` inside a nursery or cancel scope, outside a context-manager generator",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC101.md"),
    check: Some(check),
};

/// Decorators under which a generator may keep a cancel scope or nursery open across a
/// `yield`: they run it as a context manager, or in a task of its own.
const SAFE_DECORATORS: &[&str] = &[
    "contextlib.contextmanager",
    "contextlib.asynccontextmanager",
    "pytest.fixture",
    "pytest_asyncio.fixture",
    "trio.as_safe_channel",
];

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let yields = model
        .nodes_of(NodeKind::ExprYield)
        .chain(model.nodes_of(NodeKind::ExprYieldFrom));
    for node in yields {
        let scope = node.scope_id();
        let function = model.scope(scope);
        if !matches!(function.kind, ScopeKind::Function { .. }) {
            continue;
        }
        let Some(NodeRef::Stmt(Stmt::FunctionDef(def))) = function.node else {
            continue;
        };
        let Some(enclosing) = function.parent else {
            continue;
        };
        let safe = def.decorator_list.iter().any(|d| {
            let mut expr = &d.expression;
            if let Expr::Call(call) = expr {
                expr = &call.func;
            }
            model
                .qualified_name(expr, enclosing)
                .is_some_and(|name| SAFE_DECORATORS.contains(&name.as_str()))
        });
        // Any other decorator may turn the generator into something else.
        if safe || decoration_of(model, &def.decorator_list, enclosing) != Decoration::None {
            continue;
        }
        let range = node.range();
        let opener = enclosing_in_function(node).find_map(|ancestor| {
            let Some(Stmt::With(with)) = ancestor.stmt() else {
                return None;
            };
            if !in_with_body(with, range) {
                return None;
            }
            with.items.iter().find_map(|item| {
                called_name(model, &item.context_expr, ancestor.scope_id())
                    .filter(|name| YIELD_UNSAFE_CONTEXT_MANAGERS.contains(&name.as_str()))
            })
        });
        let Some(opener) = opener else {
            continue;
        };
        let keyword = if matches!(node.expr(), Some(Expr::YieldFrom(_))) {
            "yield from"
        } else {
            "yield"
        };
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "`{keyword}` inside `{opener}(...)`: the cancel scope or nursery stays open while the generator is suspended, which breaks cancellation and exception handling (only a `@contextmanager`/`@asynccontextmanager` generator may do this)"
            ),
            range,
        ));
    }
}
