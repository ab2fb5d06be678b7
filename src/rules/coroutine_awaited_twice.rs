//! AL103: `c = f()` with `f` a coroutine function, then `await c` twice in the same
//! block: the second `await` raises `RuntimeError: cannot reuse already awaited coroutine`.

use ruff_python_ast::{Expr, ExprAwait, ExprCall, NodeKind, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::calls::{Callee, callee};
use crate::analysis::knowledge;
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::{Decoration, ProjectIndex, Resolved, Target, decoration_of};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{BindingId, BindingKind, Node, Resolution, ScopeId, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL103",
    name: "coroutine-awaited-twice",
    summary: "The same coroutine object is awaited twice",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL103.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for kind in [NodeKind::StmtAssign, NodeKind::StmtAnnAssign] {
        for node in model.nodes_of(kind) {
            check_assignment(checker, node, diagnostics);
        }
    }
}

fn check_assignment(checker: &Checker, node: Node<'_, '_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let Some(stmt) = node.stmt() else {
        return;
    };
    let (target, value) = match stmt {
        Stmt::Assign(assign) => match assign.targets.as_slice() {
            [target] => (target, &*assign.value),
            _ => return,
        },
        Stmt::AnnAssign(assign) => match assign.value.as_deref() {
            Some(value) => (&*assign.target, value),
            None => return,
        },
        _ => return,
    };
    let (Expr::Name(name), Expr::Call(call)) = (target, value) else {
        return;
    };
    let scope = node.scope_id();
    if !model.scope(scope).kind.is_async_function() {
        return;
    }
    let name = name.id.as_str();
    let Some(block) = node
        .parent()
        .and_then(|parent| parent.stmt())
        .and_then(|parent| block_containing(parent, stmt))
    else {
        return;
    };
    let Some(at) = block.iter().position(|s| std::ptr::eq(s, stmt)) else {
        return;
    };
    let reawaits: Vec<&ExprAwait> = block[at + 1..]
        .iter()
        .filter_map(|s| top_level_await_of(s, name))
        .skip(1)
        .collect();
    // The scan of the following statements is cheap; the binding check is not.
    if reawaits.is_empty() || !bound_only_here(model, name, scope, value) {
        return;
    }
    let message = format!(
        "`{name}` holds a coroutine that is already awaited above: awaiting it again raises `RuntimeError: cannot reuse already awaited coroutine`"
    );
    let ranges: Vec<TextRange> = reawaits.iter().map(|a| a.range()).collect();
    match coroutine_call(model, call, scope) {
        Some(true) => {
            for range in ranges {
                diagnostics.push(Diagnostic::new(&RULE, message.clone(), range));
            }
        }
        Some(false) => {}
        None => {
            let Some(target) = deferred_target(model, call, scope) else {
                return;
            };
            for range in ranges {
                checker.defer(&RULE, range, target.clone(), message.clone(), decide);
            }
        }
    }
}

/// `name` is bound exactly once in the function, by this assignment, and no nested
/// function rebinds it through `nonlocal`.
fn bound_only_here(model: &ScopeModel<'_>, name: &str, scope: ScopeId, value: &Expr) -> bool {
    let Resolution::Unique(id) = model.resolve_name(name, scope) else {
        return false;
    };
    let binding = model.binding(id);
    let here = binding.scope == scope
        && matches!(binding.kind, BindingKind::Assignment { value: Some(v) } if std::ptr::eq(v, value));
    here && !nonlocal_declarations(model).0.iter().any(|&id| {
        let other = model.binding(id);
        other.name == name && model.is_within(other.scope, scope)
    })
}

/// Every `nonlocal` declaration of the file, listed once per file.
struct NonlocalDeclarations(Vec<BindingId>);

fn nonlocal_declarations(model: &ScopeModel<'_>) -> std::rc::Rc<NonlocalDeclarations> {
    model.memo(|| {
        NonlocalDeclarations(
            (0..model.binding_count())
                .map(BindingId::from_index)
                .filter(|&id| matches!(model.binding(id).kind, BindingKind::Nonlocal))
                .collect(),
        )
    })
}

/// The statement list of `parent` that holds `stmt`.
fn block_containing<'a>(parent: &'a Stmt, stmt: &Stmt) -> Option<&'a [Stmt]> {
    let blocks: Vec<&'a [Stmt]> = match parent {
        Stmt::FunctionDef(def) => vec![&def.body],
        Stmt::If(s) => std::iter::once(&s.body[..])
            .chain(s.elif_else_clauses.iter().map(|c| &c.body[..]))
            .collect(),
        Stmt::For(s) => vec![&s.body, &s.orelse],
        Stmt::While(s) => vec![&s.body, &s.orelse],
        Stmt::With(s) => vec![&s.body],
        Stmt::Try(s) => std::iter::once(&s.body[..])
            .chain(s.handlers.iter().map(|h| {
                let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                &h.body[..]
            }))
            .chain([&s.orelse[..], &s.finalbody[..]])
            .collect(),
        Stmt::Match(s) => s.cases.iter().map(|c| &c.body[..]).collect(),
        _ => return None,
    };
    blocks
        .into_iter()
        .find(|block| block.iter().any(|s| std::ptr::eq(s, stmt)))
}

/// `await name` as the whole value of an expression statement, an assignment or a
/// `return`.
fn top_level_await_of<'a>(stmt: &'a Stmt, name: &str) -> Option<&'a ExprAwait> {
    let value = match stmt {
        Stmt::Expr(s) => &*s.value,
        Stmt::Assign(s) => &*s.value,
        Stmt::AnnAssign(s) => s.value.as_deref()?,
        Stmt::Return(s) => s.value.as_deref()?,
        _ => return None,
    };
    match value {
        Expr::Await(await_expr) => match &*await_expr.value {
            Expr::Name(n) if n.id.as_str() == name => Some(await_expr),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the call certainly returns a coroutine (`Some(true)`), certainly not
/// (`Some(false)`), or is to be decided project-wide (`None`).
fn coroutine_call(model: &ScopeModel<'_>, call: &ExprCall, scope: ScopeId) -> Option<bool> {
    match callee(model, &call.func, scope) {
        Callee::Local {
            def,
            body,
            enclosing,
        } => Some(
            def.is_async
                && !model.scope(body).is_generator
                && decoration_of(model, &def.decorator_list, enclosing) == Decoration::None,
        ),
        Callee::Qualified(name) => knowledge::is_coroutine_function(&name).then_some(true),
        Callee::InstanceMethod { class, method } => {
            knowledge::is_coroutine_method(&class, &method).then_some(true)
        }
        Callee::InheritedMethod { .. } => None,
        Callee::Unknown => Some(false),
    }
}

fn deferred_target(model: &ScopeModel<'_>, call: &ExprCall, scope: ScopeId) -> Option<Target> {
    match callee(model, &call.func, scope) {
        Callee::Qualified(name) if !name.starts_with("builtins.") => {
            Some(Target::Symbol(String::from(&*name)))
        }
        Callee::InstanceMethod { class, method } | Callee::InheritedMethod { class, method } => {
            Some(Target::Method {
                class: String::from(&*class),
                name: String::from(&*method),
            })
        }
        _ => None,
    }
}

/// In phase 2: report when the function, defined elsewhere in the project, is a coroutine
/// function.
pub(crate) fn decide(resolved: Resolved<'_>, _: &ProjectIndex, message: &str) -> Option<String> {
    match resolved {
        Resolved::Function(f) if f.returns_coroutine() => Some(message.to_string()),
        _ => None,
    }
}
