//! ASYNC101: `yield` inside a nursery or cancel scope, in a generator that does not
//! implement a context manager.

use std::collections::HashSet;

use ruff_python_ast::{Expr, ExprContext, NodeKind, Stmt, StmtFunctionDef};

use crate::analysis::cancellation::{
    YIELD_UNSAFE_CONTEXT_MANAGERS, called_name, enclosing_in_function, in_with_body,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::{Decoration, decoration_of};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{BindingKind, NodeRef, Resolution, ScopeKind, ScopeModel};

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
    let mut escaping: Option<HashSet<*const StmtFunctionDef>> = None;
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
                .is_some_and(|name| SAFE_DECORATORS.contains(&name.as_ref()))
        });
        // Any other decorator may turn the generator into something else, and so may a
        // call it is passed to (`open_thing = asynccontextmanager(_open_thing)`).
        if safe
            || decoration_of(model, &def.decorator_list, enclosing) != Decoration::None
            || escaping
                .get_or_insert_with(|| escaping_functions(model))
                .contains(&(def as *const StmtFunctionDef))
        {
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

/// The functions of this module whose name is used other than to call them: passed to
/// another function, stored, returned.
fn escaping_functions(model: &ScopeModel<'_>) -> HashSet<*const StmtFunctionDef> {
    let mut escaping = HashSet::new();
    for node in model.nodes_of(NodeKind::ExprName) {
        let Some(Expr::Name(name)) = node.expr() else {
            continue;
        };
        if name.ctx != ExprContext::Load {
            continue;
        }
        let this = node.expr();
        let called = node.parent().is_some_and(|parent| {
            matches!(parent.expr(), Some(Expr::Call(call)) if this.is_some_and(|e| std::ptr::eq(&*call.func, e)))
        });
        if called {
            continue;
        }
        if let Resolution::Unique(id) = model.resolve_name(name.id.as_str(), node.scope_id())
            && let BindingKind::FunctionDef { stmt, .. } = model.binding(id).kind
        {
            escaping.insert(stmt as *const StmtFunctionDef);
        }
    }
    escaping
}
