//! AL102: `await` on something that can never be awaited: a function that was not
//! called, a literal, or the result of a plain function that returns only literals.

use ruff_python_ast::{Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::calls::{Callee, callee};
use crate::analysis::knowledge;
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::{Decoration, ProjectIndex, Resolved, Target, decoration_of};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{BindingId, BindingKind, NodeFlags, Resolution, ScopeId, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL102",
    name: "await-non-awaitable",
    summary: "`await` on an object that is never awaitable",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL102.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::ExprAwait) {
        let Some(Expr::Await(await_expr)) = node.expr() else {
            continue;
        };
        if node.flags().contains(NodeFlags::UNEVALUATED) || is_legacy_with_await(node) {
            continue;
        }
        let scope = node.scope_id();
        let value = &*await_expr.value;
        let written = &checker.source[value.range()];
        if let Some(what) = literal_kind(value) {
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!("`await` on {what} raises `TypeError`: it is not awaitable"),
                await_expr.range(),
            ));
            continue;
        }
        match value {
            Expr::Name(_) | Expr::Attribute(_) => {
                uncalled_function(
                    checker,
                    value,
                    scope,
                    written,
                    await_expr.range(),
                    diagnostics,
                );
            }
            Expr::Call(call) => {
                if let Some(returns) = plain_function_result(model, &call.func, scope) {
                    let callee = &checker.source[call.func.range()];
                    diagnostics.push(Diagnostic::new(
                        &RULE,
                        format!(
                            "`{callee}` is a plain function that returns {returns}, which cannot be awaited (`TypeError`)"
                        ),
                        await_expr.range(),
                    ));
                }
            }
            _ => {}
        }
    }
}

/// `with await lock:`, the form asyncio accepted before 3.9: another rule's business.
fn is_legacy_with_await(node: crate::scope::Node<'_, '_>) -> bool {
    let (Some(expr), Some(Stmt::With(with))) = (node.expr(), node.parent().and_then(|p| p.stmt()))
    else {
        return false;
    };
    !with.is_async
        && with
            .items
            .iter()
            .any(|item| std::ptr::eq(&item.context_expr, expr))
}

/// What a literal is, in words, when `expr` is one whose value is never awaitable.
fn literal_kind(expr: &Expr) -> Option<&'static str> {
    Some(match expr {
        Expr::NumberLiteral(_) => "a number",
        Expr::StringLiteral(_) | Expr::FString(_) => "a string",
        Expr::BytesLiteral(_) => "a bytes literal",
        Expr::BooleanLiteral(_) => "a boolean",
        Expr::NoneLiteral(_) => "`None`",
        Expr::EllipsisLiteral(_) => "`...`",
        Expr::List(_) => "a list",
        Expr::Tuple(_) => "a tuple",
        Expr::Dict(_) => "a dict",
        Expr::Set(_) => "a set",
        Expr::ListComp(_) => "a list comprehension",
        Expr::SetComp(_) => "a set comprehension",
        Expr::DictComp(_) => "a dict comprehension",
        Expr::Generator(_) => "a generator expression",
        Expr::Lambda(_) => "a lambda",
        _ => return None,
    })
}

/// `await f` where `f` is a function: the call is missing.
fn uncalled_function(
    checker: &Checker,
    value: &Expr,
    scope: ScopeId,
    written: &str,
    range: ruff_text_size::TextRange,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let model = checker.model;
    let message = format!(
        "`{written}` is a function, which cannot be awaited: call it (`await {written}(...)`)"
    );
    match callee(model, value, scope) {
        Callee::Local {
            def,
            body: _,
            enclosing,
        } => {
            if decoration_of(model, &def.decorator_list, enclosing) != Decoration::None
                || rebound_through_global(model, value)
            {
                return;
            }
            // `self.name` may be an instance attribute set in a method, not the method.
            if let Expr::Attribute(attribute) = value {
                let Some(class) = model.class_of_receiver(&attribute.value, scope) else {
                    return;
                };
                if model
                    .attribute_assignments(class, attribute.attr.as_str())
                    .next()
                    .is_some()
                {
                    return;
                }
            }
            diagnostics.push(Diagnostic::new(&RULE, message, range));
        }
        Callee::Qualified(name) => {
            if knowledge::is_coroutine_function(&name)
                || knowledge::AWAITABLE_RETURNING_FUNCTIONS.contains(&name.as_ref())
            {
                diagnostics.push(Diagnostic::new(&RULE, message, range));
            } else if !name.starts_with("builtins.") {
                checker.defer(
                    &RULE,
                    range,
                    Target::Symbol(name.to_string()),
                    message,
                    decide,
                );
            }
        }
        _ => {}
    }
}

/// In phase 2: a function of another module of the project, undecorated, is never
/// awaitable itself.
pub(crate) fn decide(resolved: Resolved<'_>, _: &ProjectIndex, message: &str) -> Option<String> {
    match resolved {
        Resolved::Function(f) if f.decoration == Decoration::None => Some(message.to_string()),
        _ => None,
    }
}

/// For a call of a plain `def` of this module (by its name, undecorated, not a generator)
/// whose every `return` returns a literal or `None`: what it returns, in words.
fn plain_function_result(model: &ScopeModel<'_>, func: &Expr, scope: ScopeId) -> Option<String> {
    // Only plain names: a method called through `self` may be overridden by a subclass.
    let Expr::Name(name) = func else {
        return None;
    };
    let Resolution::Unique(_) = model.resolve_name(name.id.as_str(), scope) else {
        return None;
    };
    let Callee::Local { def, body, .. } = callee(model, func, scope) else {
        return None;
    };
    if rebound_through_global(model, func) {
        return None;
    }
    if def.is_async || model.scope(body).is_generator || !def.decorator_list.is_empty() {
        return None;
    }
    let mut kinds: Vec<&'static str> = Vec::new();
    for node in model.nodes_of(NodeKind::StmtReturn) {
        if node.scope_id() != body {
            continue;
        }
        let Some(Stmt::Return(ret)) = node.stmt() else {
            continue;
        };
        let kind = match ret.value.as_deref() {
            None => "`None`",
            Some(value) => literal_kind(value)?,
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    // A function that ends in `raise` without any `return` (a stub) never returns.
    if kinds.is_empty() {
        if matches!(def.body.last(), Some(Stmt::Raise(_))) {
            return None;
        }
        kinds.push("`None`");
    }
    Some(match kinds.as_slice() {
        [one] => (*one).to_string(),
        _ => "only literals".to_string(),
    })
}

/// A function may assign the module-level name through `global name`: the `def` is then
/// not the only thing the name is bound to.
fn rebound_through_global(model: &ScopeModel<'_>, expr: &Expr) -> bool {
    let Expr::Name(name) = expr else {
        return false;
    };
    (0..model.binding_count()).any(|i| {
        let binding = model.binding(BindingId::from_index(i));
        binding.name == name.id.as_str() && matches!(binding.kind, BindingKind::Global)
    })
}
