//! AL114: an async generator awaited, or handed to something that needs a coroutine
//! (`asyncio.run()`, `loop.run_until_complete()`, `asyncio.create_task()`…); an async
//! generator function handed to something that needs an async function (`trio.run()`,
//! `nursery.start_soon()`).

use ruff_python_ast::{Expr, NodeKind};
use ruff_text_size::Ranged;

use crate::analysis::calls::{Callee, callee};
use crate::analysis::knowledge;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::protocols::{
    ASYNC_GENERATOR, ASYNC_GENERATOR_FUNCTION, Protocols, Verdict, decide_async_generator, shown,
};
use crate::scope::{NodeFlags, ScopeId};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL114",
    name: "await-async-generator",
    summary: "An async generator is awaited or run as if it were a coroutine",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL114.md"),
    check: Some(check),
};

/// What a called function expects as its arguments.
enum Consumer {
    /// An awaitable: the first positional argument, or every one.
    Awaitable { all: bool },
    /// An async function, as its first argument.
    AsyncFunction,
}

/// The consumer a call's function is: a library function or method, or a name bound once
/// to one (`run = loop.run_until_complete`).
fn consumer(protocols: &Protocols, func: &Expr, scope: ScopeId, depth: usize) -> Option<Consumer> {
    let model = protocols.model;
    if depth > 4 {
        return None;
    }
    if let Some(name) = model.qualified_name(func, scope) {
        if let Some(all) = knowledge::awaitable_parameters(&name) {
            return Some(Consumer::Awaitable { all });
        }
        if knowledge::takes_async_function(&name) {
            return Some(Consumer::AsyncFunction);
        }
    }
    match func {
        Expr::Attribute(_) => {
            // The call's callee, resolved once for every rule: a method of a library
            // instance is all that can consume an awaitable here.
            let Callee::InstanceMethod { class, method } = callee(model, func, scope) else {
                return None;
            };
            let method = &*method;
            if knowledge::takes_awaitable_method(&class, method) {
                Some(Consumer::Awaitable { all: false })
            } else if knowledge::takes_async_function_method(&class, method) {
                Some(Consumer::AsyncFunction)
            } else {
                None
            }
        }
        Expr::Name(name) => {
            let (value, scope) = protocols.bound_value(name.id.as_str(), scope)?;
            if matches!(value, Expr::Name(_) | Expr::Attribute(_)) {
                consumer(protocols, value, scope, depth + 1)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let protocols = Protocols::new(model);
    // `deferred` says what the value is when phase 2 confirms it.
    let mut emit = |verdict: Verdict,
                    expr: &Expr,
                    deferred: &str,
                    compose: &dyn Fn(&str) -> String| match verdict {
        Verdict::Known(what) => {
            diagnostics.push(Diagnostic::new(&RULE, compose(&what), expr.range()));
        }
        Verdict::Project(target) => checker.defer(
            &RULE,
            expr.range(),
            target,
            compose(deferred),
            decide_async_generator,
        ),
        Verdict::Unknown => {}
    };

    for node in model.nodes_of(NodeKind::ExprAwait) {
        let Some(Expr::Await(awaited)) = node.expr() else {
            continue;
        };
        if node.flags().contains(NodeFlags::UNEVALUATED) {
            continue;
        }
        // `await (... for ...)` is AL102's: no generator expression can be awaited.
        if awaited.value.is_generator_expr() {
            continue;
        }
        let verdict = protocols.async_generator(&awaited.value, node.scope_id());
        if !verdict.is_reported(checker) {
            continue;
        }
        let text = shown(checker.source, awaited.value.range());
        emit(verdict, &awaited.value, ASYNC_GENERATOR, &|reason| {
            format!(
                "`{text}` cannot be awaited ({reason}): `await` raises `TypeError`; iterate it with `async for`, or remove the `yield` to make a coroutine"
            )
        });
    }

    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        if node.flags().contains(NodeFlags::UNEVALUATED) {
            continue;
        }
        let scope = node.scope_id();
        let Some(consumer) = consumer(&protocols, &call.func, scope, 0) else {
            continue;
        };
        let function = || shown(checker.source, call.func.range());
        let positional = call
            .arguments
            .args
            .iter()
            .take_while(|a| !a.is_starred_expr());
        match consumer {
            Consumer::Awaitable { all } => {
                for arg in positional.take(if all { usize::MAX } else { 1 }) {
                    let verdict = protocols.async_generator(arg, scope);
                    if !verdict.is_reported(checker) {
                        continue;
                    }
                    let (function, text) = (function(), shown(checker.source, arg.range()));
                    emit(verdict, arg, ASYNC_GENERATOR, &|reason| {
                        format!(
                            "`{function}()` needs a coroutine or another awaitable, but `{text}` is not one ({reason}): raises `TypeError`"
                        )
                    });
                }
            }
            Consumer::AsyncFunction => {
                if let Some(arg) = positional.take(1).next() {
                    let verdict = protocols.async_generator_function(arg, scope);
                    if !verdict.is_reported(checker) {
                        continue;
                    }
                    let (function, text) = (function(), shown(checker.source, arg.range()));
                    emit(verdict, arg, ASYNC_GENERATOR_FUNCTION, &|reason| {
                        format!(
                            "`{function}()` needs an async function, but `{text}` is not one ({reason}): calling it makes an async generator, not a coroutine, and raises `TypeError`"
                        )
                    });
                }
            }
        }
    }
}
