//! AL118: `yield` in the `finally:` (or an `except GeneratorExit:`) of a `try` whose body
//! yields, in an async generator: when the generator is closed early (`aclose()`, garbage
//! collection, a `break` out of `async for`), it yields instead of exiting, and CPython
//! raises `RuntimeError: async generator ignored GeneratorExit`.

use ruff_python_ast::{ExceptHandler, Expr, NodeKind, Stmt, StmtTry};
use ruff_text_size::{Ranged, TextRange};

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{Node, ScopeId, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL118",
    name: "yield-in-async-generator-finally",
    summary: "`yield` in the `finally` of an async generator",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL118.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::ExprYield) {
        let scope = node.scope_id();
        if !model.scope(scope).is_async_generator() {
            continue;
        }
        if let Some(clause) = cleanup_clause(model, node, scope) {
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "`yield` in {clause} of an async generator: when the generator is closed before it finishes (`aclose()`, garbage collection, `break` out of `async for`), this raises `RuntimeError: async generator ignored GeneratorExit`; move the `yield` out of the cleanup code"
                ),
                node.range(),
            ));
        }
    }
}

/// The cleanup clause a `yield` certainly runs in when the generator is closed: the
/// `finally` block (or `except GeneratorExit` block) of a `try` the generator may be
/// suspended in. The `yield` must be a statement of its own (or the value assigned by
/// one), reached from the clause only through `with` blocks and `try` bodies, so that
/// nothing conditional stands between them.
fn cleanup_clause(
    model: &ScopeModel<'_>,
    node: Node<'_, '_>,
    scope: ScopeId,
) -> Option<&'static str> {
    let expr = node.expr()?;
    let mut child = node.parent()?;
    let is_value = |value: &Expr| std::ptr::eq(value, expr);
    let statement_of_its_own = match child.stmt()? {
        Stmt::Expr(s) => is_value(&s.value),
        Stmt::Assign(s) => is_value(&s.value),
        Stmt::AnnAssign(s) => s.value.as_deref().is_some_and(is_value),
        Stmt::AugAssign(s) => is_value(&s.value),
        _ => false,
    };
    if !statement_of_its_own {
        return None;
    }
    while let Some(parent) = child.parent() {
        if parent.scope_id() != scope {
            return None;
        }
        let statement = child.stmt()?;
        match parent.stmt()? {
            Stmt::With(_) => {}
            Stmt::Try(stmt) if contains(&stmt.finalbody, statement) => {
                if may_suspend_inside(model, stmt, scope, true) {
                    return Some("the `finally` block");
                }
            }
            Stmt::Try(stmt) if contains(&stmt.body, statement) => {}
            Stmt::Try(stmt) => {
                let in_generator_exit_handler = stmt.handlers.iter().any(|handler| {
                    let ExceptHandler::ExceptHandler(handler) = handler;
                    contains(&handler.body, statement)
                        && handler
                            .type_
                            .as_deref()
                            .is_some_and(|t| names_generator_exit(model, t, scope))
                });
                return (in_generator_exit_handler
                    && may_suspend_inside(model, stmt, scope, false))
                .then_some("an `except GeneratorExit` block");
            }
            // `if`, loops, `match`, the `def` itself: conditional, or the end.
            _ => return None,
        }
        child = parent;
    }
    None
}

fn contains(body: &[Stmt], statement: &Stmt) -> bool {
    body.iter().any(|s| std::ptr::eq(s, statement))
}

fn names_generator_exit(model: &ScopeModel<'_>, handler_type: &Expr, scope: ScopeId) -> bool {
    match handler_type {
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .any(|e| names_generator_exit(model, e, scope)),
        other => model.qualified_name(other, scope).as_deref() == Some("builtins.GeneratorExit"),
    }
}

/// A `yield` of the same function where `aclose()` can throw `GeneratorExit` in and
/// still run the clause: anywhere in the `try` but its `finally` block for a `finally`,
/// in the `try` body for an `except`.
fn may_suspend_inside(
    model: &ScopeModel<'_>,
    stmt: &StmtTry,
    scope: ScopeId,
    finally: bool,
) -> bool {
    let span = |body: &[Stmt]| match (body.first(), body.last()) {
        (Some(first), Some(last)) => Some(TextRange::new(first.start(), last.end())),
        _ => None,
    };
    let Some(body) = span(&stmt.body) else {
        return false;
    };
    let (inside, excluded) = if finally {
        (stmt.range(), span(&stmt.finalbody))
    } else {
        (body, None)
    };
    model.nodes_of(NodeKind::ExprYield).any(|n| {
        n.scope_id() == scope
            && inside.contains_range(n.range())
            && !excluded.is_some_and(|e| e.contains_range(n.range()))
    })
}
