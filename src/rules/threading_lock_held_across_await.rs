//! AL122: a threading lock held (`with lock:`) across an `await`, `async for` or
//! `async with` in a coroutine.

use ruff_python_ast::{Expr, NodeKind, Stmt, StmtWith};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::calls::{InstanceClass, instance_class};
use crate::analysis::knowledge;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{ComprehensionKind, Node, NodeId, ScopeId, ScopeKind, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL122",
    name: "threading-lock-held-across-await",
    summary: "A threading lock is held across an `await`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL122.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let suspensions = suspension_points(model);
    if suspensions.is_empty() {
        return;
    }
    for node in model.nodes_of(NodeKind::StmtWith) {
        let Some(Stmt::With(with)) = node.stmt() else {
            continue;
        };
        let scope = node.scope_id();
        if with.is_async || !model.scope(scope).kind.is_async_function() {
            continue;
        }
        let Some(lock) = with
            .items
            .iter()
            .find(|item| is_threading_lock(model, &item.context_expr, scope))
        else {
            continue;
        };
        let Some(what) = suspensions
            .iter()
            .find(|s| suspends_in_body(model, with, node.id, scope, s))
        else {
            continue;
        };
        let written = &checker.source[lock.context_expr.range()];
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "the threading lock `{written}` is held across {}: while this task waits, a task taking the same lock blocks the whole event loop (or, with a re-entrant lock, gets in); use an asyncio lock with `async with`",
                what.words
            ),
            lock.context_expr.range(),
        ));
    }
}

/// A threading lock constructed on the spot, or a name or `self.attr` bound (once) to one.
fn is_threading_lock(model: &ScopeModel<'_>, expr: &Expr, scope: ScopeId) -> bool {
    match instance_class(model, expr, scope) {
        Some(InstanceClass::Library(class)) => knowledge::is_threading_lock(&class),
        _ => false,
    }
}

/// Where a coroutine may suspend: `await`, `async for`, `async with`, and asynchronous
/// list, set and dict comprehensions (which run on the spot).
struct Suspension {
    node: NodeId,
    range: TextRange,
    words: &'static str,
}

fn suspension_points(model: &ScopeModel<'_>) -> Vec<Suspension> {
    let mut points = Vec::new();
    for node in model.nodes_of(NodeKind::ExprAwait) {
        points.push(Suspension {
            node: node.id,
            range: node.range(),
            words: "an `await`",
        });
    }
    for node in model
        .nodes_of(NodeKind::StmtFor)
        .chain(model.nodes_of(NodeKind::StmtWith))
    {
        let words = match node.stmt() {
            Some(Stmt::For(s)) if s.is_async => "an `async for`",
            Some(Stmt::With(s)) if s.is_async => "an `async with`",
            _ => continue,
        };
        points.push(Suspension {
            node: node.id,
            range: node.range(),
            words,
        });
    }
    for kind in [
        NodeKind::ExprListComp,
        NodeKind::ExprSetComp,
        NodeKind::ExprDictComp,
    ] {
        for node in model.nodes_of(kind) {
            let is_async = match node.expr() {
                Some(Expr::ListComp(c)) => c.generators.iter().any(|g| g.is_async),
                Some(Expr::SetComp(c)) => c.generators.iter().any(|g| g.is_async),
                Some(Expr::DictComp(c)) => c.generators.iter().any(|g| g.is_async),
                _ => false,
            };
            if is_async {
                points.push(Suspension {
                    node: node.id,
                    range: node.range(),
                    words: "an `async for` comprehension",
                });
            }
        }
    }
    points
}

/// The suspension point is in the body of `with` (not its items), and runs in the
/// coroutine itself: not in a nested function, a lambda or a generator expression.
fn suspends_in_body(
    model: &ScopeModel<'_>,
    with: &StmtWith,
    with_node: NodeId,
    function: ScopeId,
    point: &Suspension,
) -> bool {
    let (Some(first), Some(last)) = (with.body.first(), with.body.last()) else {
        return false;
    };
    let body = TextRange::new(first.start(), last.end());
    if !body.contains_range(point.range) {
        return false;
    }
    let node = model.node(point.node);
    if !runs_directly_in(model, node.scope_id(), function) {
        return false;
    }
    is_descendant(node, with_node)
}

/// Code evaluated in `scope` runs as part of `function`'s own frame: `scope` is
/// `function`, or list/set/dict comprehensions nested in it.
fn runs_directly_in(model: &ScopeModel<'_>, mut scope: ScopeId, function: ScopeId) -> bool {
    loop {
        if scope == function {
            return true;
        }
        let s = model.scope(scope);
        match s.kind {
            ScopeKind::Comprehension(kind) if kind != ComprehensionKind::Generator => {
                match s.parent {
                    Some(parent) => scope = parent,
                    None => return false,
                }
            }
            _ => return false,
        }
    }
}

fn is_descendant(node: Node<'_, '_>, ancestor: NodeId) -> bool {
    let mut current = node.parent();
    while let Some(parent) = current {
        if parent.id == ancestor {
            return true;
        }
        current = parent.parent();
    }
    false
}
