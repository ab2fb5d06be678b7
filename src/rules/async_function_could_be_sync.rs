//! ASYNC124: an `async def` that never awaits, iterates with `async for` or enters an
//! `async with`: it could be a plain function.

use std::collections::HashSet;

use ruff_python_ast::{Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::cancellation::{body_scope, decorator_name, statement_scope};
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::{Decoration, decoration_of};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{ComprehensionKind, NodeRef, ScopeId, ScopeKind, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC124",
    name: "async-function-could-be-sync",
    summary: "An async function that never awaits could be a plain function",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC124.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let asynchronous = asynchronous_functions(model);
    for node in model.nodes_of(NodeKind::StmtFunctionDef) {
        let Some(Stmt::FunctionDef(def)) = node.stmt() else {
            continue;
        };
        if !def.is_async || is_stub(&def.body) {
            continue;
        }
        let enclosing = node.scope_id();
        let Some(body) = body_scope(model, def, enclosing) else {
            continue;
        };
        if asynchronous.contains(&body) {
            continue;
        }
        // A decorator may need an async function; an overload or abstract method is an
        // interface.
        if decoration_of(model, &def.decorator_list, enclosing) != Decoration::None
            || def.decorator_list.iter().any(|d| {
                decorator_name(model, d, enclosing)
                    .is_some_and(|n| n.ends_with("overload") || n.ends_with("abstractmethod"))
                    || crate::analysis::cancellation::decorator_short_name(d)
                        .is_some_and(|n| matches!(n, "overload" | "abstractmethod"))
            })
        {
            continue;
        }
        if implements_interface(model, def.name.as_str(), enclosing) {
            continue;
        }
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "async function `{}` never awaits, and has no `async for` or `async with`: it could be a plain function, which is cheaper to call",
                def.name
            ),
            def.name.range(),
        ));
    }
}

/// A method that may implement an async interface: a dunder protocol method
/// (`__aenter__`, `__anext__`, ...) or a method of a class with bases, which it may
/// override.
fn implements_interface(model: &ScopeModel<'_>, name: &str, enclosing: ScopeId) -> bool {
    let scope = model.scope(enclosing);
    if scope.kind != ScopeKind::Class {
        return false;
    }
    if name.starts_with("__") && name.ends_with("__") {
        return true;
    }
    match scope.node {
        Some(NodeRef::Stmt(Stmt::ClassDef(class))) => class
            .arguments
            .as_ref()
            .is_some_and(|a| !a.args.is_empty() || !a.keywords.is_empty()),
        _ => true,
    }
}

/// A body of only `pass`, `...`, strings and `raise NotImplementedError`.
fn is_stub(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(e) => matches!(&*e.value, Expr::EllipsisLiteral(_) | Expr::StringLiteral(_)),
        Stmt::Raise(raise) => match raise.exc.as_deref() {
            Some(Expr::Name(name)) => name.id.as_str() == "NotImplementedError",
            Some(Expr::Call(call)) => {
                matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "NotImplementedError")
            }
            _ => false,
        },
        _ => false,
    })
}

/// The function scopes whose own code awaits, iterates with `async for`, enters an
/// `async with`, or runs an asynchronous comprehension in place.
fn asynchronous_functions(model: &ScopeModel<'_>) -> HashSet<ScopeId> {
    let mut found = HashSet::new();
    for (id, scope) in model.scopes_with_ids() {
        if !(scope.has_await || scope.has_async_for) {
            continue;
        }
        // Climb out of comprehensions that run in place; a generator expression's body
        // runs later, when it is consumed.
        let mut current = id;
        loop {
            let s = model.scope(current);
            match s.kind {
                ScopeKind::Comprehension(ComprehensionKind::Generator) => break,
                ScopeKind::Comprehension(_) => match s.parent {
                    Some(parent) => current = parent,
                    None => break,
                },
                ScopeKind::Function { .. } => {
                    found.insert(current);
                    break;
                }
                _ => break,
            }
        }
    }
    for kind in [NodeKind::StmtFor, NodeKind::StmtWith] {
        for node in model.nodes_of(kind) {
            let is_async = match node.stmt() {
                Some(Stmt::For(f)) => f.is_async,
                Some(Stmt::With(w)) => w.is_async,
                _ => false,
            };
            if is_async {
                found.insert(statement_scope(model, node.scope_id()));
            }
        }
    }
    found
}
