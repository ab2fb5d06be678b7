//! ASYNC300 (ruff: RUF006): a task created with `asyncio.create_task()`,
//! `asyncio.ensure_future()` or `loop.create_task()` whose only reference is dropped on
//! the spot.

use ruff_python_ast::{Expr, ExprCall, NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::calls::{Callee, ValueUse, callee, value_use};
use crate::analysis::knowledge;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{Node, NodeFlags, Resolution, ScopeId, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC300",
    name: "create-task-no-reference",
    summary: "A task is created and its reference dropped: it may be garbage-collected",
    aliases: &["RUF006"],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC300.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        if node.flags().contains(NodeFlags::UNEVALUATED) {
            continue;
        }
        let scope = node.scope_id();
        let spawns = match callee(model, &call.func, scope) {
            Callee::Qualified(name) if name.ends_with(".ensure_future") => {
                knowledge::TASK_SPAWNERS.contains(&name.as_ref())
                    && wraps_new_coroutine(model, call, scope)
            }
            Callee::Qualified(name) => knowledge::TASK_SPAWNERS.contains(&name.as_ref()),
            Callee::InstanceMethod { class, method } => {
                &*method == "create_task" && knowledge::is_event_loop(&class)
            }
            _ => false,
        };
        // The callee first: it is cheap, and few calls spawn tasks, while proving a local
        // unread scans the function's names.
        if !spawns || !reference_dropped(model, node) {
            continue;
        }
        let written = &checker.source[call.func.range()];
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "the task `{written}()` returns is not kept: the event loop holds tasks only weakly, so it may be garbage-collected before it finishes; store it (and discard it when done) or use a task group"
            ),
            call.range(),
        ));
    }
}

/// The call's value is dropped: an expression statement (alone, or as an element of a
/// display that is itself one), or only tested for truth (including as a comprehension's
/// `if` condition).
fn reference_dropped(model: &ScopeModel<'_>, node: Node<'_, '_>) -> bool {
    if assigned_to_unread_local(model, node) {
        return true;
    }
    match value_use(model, node) {
        ValueUse::Discarded | ValueUse::Truthiness => true,
        ValueUse::PassedOn => node.parent().is_some_and(|parent| match parent.expr() {
            Some(Expr::List(_) | Expr::Tuple(_) | Expr::Set(_)) => {
                value_use(model, parent) == ValueUse::Discarded
            }
            Some(comprehension) => node
                .expr()
                .is_some_and(|expr| is_comprehension_condition(comprehension, expr)),
            None => false,
        }),
        _ => false,
    }
}

/// `task = asyncio.create_task(...)` in a function that never reads `task` again: the
/// reference is dropped when the function returns (ruff's RUF006 reports it too). Only a
/// plain local bound once, not `_`-prefixed (a deliberate placeholder), in a function that
/// does not call `locals()`, `vars()`, `eval()` or `exec()`, which could read it by name.
fn assigned_to_unread_local(model: &ScopeModel<'_>, node: Node<'_, '_>) -> bool {
    let Some(statement) = node.parent().and_then(|parent| parent.stmt()) else {
        return false;
    };
    let (target, value) = match statement {
        Stmt::Assign(assign) if assign.targets.len() == 1 => (&assign.targets[0], &*assign.value),
        Stmt::AnnAssign(assign) => match &assign.value {
            Some(value) => (&*assign.target, &**value),
            None => return false,
        },
        _ => return false,
    };
    let (Expr::Name(target), Some(call)) = (target, node.expr()) else {
        return false;
    };
    let scope = node.scope_id();
    if !std::ptr::eq(value, call)
        || target.id.starts_with('_')
        || !model.scope(scope).kind.is_function_like()
    {
        return false;
    }
    let name = target.id.as_str();
    let Resolution::Unique(binding) = model.resolve_name(name, scope) else {
        return false;
    };
    if model.binding(binding).scope != scope {
        return false;
    }
    // Any other occurrence of the name that means this binding (a read, a `del`, a
    // closure's read) keeps the task referenced, or at least was meant to.
    !model.nodes_of(NodeKind::ExprName).any(|other| {
        let Some(Expr::Name(occurrence)) = other.expr() else {
            return false;
        };
        if std::ptr::eq(occurrence, target) {
            return false;
        }
        let reads_by_name = matches!(occurrence.id.as_str(), "locals" | "vars" | "eval" | "exec")
            && model.is_within(other.scope_id(), scope)
            && model.resolve_name(occurrence.id.as_str(), other.scope_id()) == Resolution::Builtin;
        reads_by_name
            || (occurrence.id.as_str() == name
                && model.resolve_name(name, other.scope_id()) == Resolution::Unique(binding))
    })
}

fn is_comprehension_condition(comprehension: &Expr, expr: &Expr) -> bool {
    let generators = match comprehension {
        Expr::ListComp(c) => &c.generators,
        Expr::SetComp(c) => &c.generators,
        Expr::DictComp(c) => &c.generators,
        Expr::Generator(c) => &c.generators,
        _ => return false,
    };
    generators
        .iter()
        .any(|g| g.ifs.iter().any(|condition| std::ptr::eq(condition, expr)))
}

/// `ensure_future(x)` returns `x` itself when it is already a future: only a coroutine
/// call (a new task) is certain to be lost.
fn wraps_new_coroutine(model: &ScopeModel<'_>, call: &ExprCall, scope: ScopeId) -> bool {
    let Some(Expr::Call(inner)) = call.arguments.find_argument_value("coro_or_future", 0) else {
        return false;
    };
    match callee(model, &inner.func, scope) {
        Callee::Qualified(name) => {
            !knowledge::AWAITABLE_RETURNING_FUNCTIONS.contains(&name.as_ref())
        }
        Callee::InstanceMethod { class, .. } => !knowledge::is_event_loop(&class),
        _ => true,
    }
}
