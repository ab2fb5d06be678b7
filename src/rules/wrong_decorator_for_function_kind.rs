//! AL116: a decorator made for one kind of function applied to another:
//! `@contextmanager` on an `async def`, `@asynccontextmanager` on a plain generator or a
//! coroutine function, `@lru_cache`/`@cache`/`@cached_property` on an `async def`.

use ruff_python_ast::{Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::knowledge;
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::{Decoration, decoration_of};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::protocols::function_body;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL116",
    name: "wrong-decorator-for-function-kind",
    summary: "A decorator for sync functions on an `async def`, or the reverse",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL116.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::StmtFunctionDef) {
        let Some(Stmt::FunctionDef(def)) = node.stmt() else {
            continue;
        };
        let scope = node.scope_id();
        let Some(body) = function_body(model, def, scope) else {
            continue;
        };
        let is_generator = model.scope(body).is_generator;
        let decorators = &def.decorator_list;
        // Decorators apply bottom-up: each is checked against the function only while the
        // ones below it leave the function what it is.
        for (i, decorator) in decorators.iter().enumerate().rev() {
            if decoration_of(model, &decorators[i + 1..], scope) != Decoration::None {
                break;
            }
            let expr = match &decorator.expression {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            let Some(name) = model.qualified_name(expr, scope) else {
                continue;
            };
            let short = name.rsplit('.').next().unwrap_or(&name);
            let message = match (name.as_ref(), def.is_async, is_generator) {
                ("contextlib.contextmanager", true, generator) => Some(format!(
                    "`@{short}` on an `async def`: the function returns {}, which `@contextmanager` cannot step with `next()`, so entering it raises `TypeError`; use `@contextlib.asynccontextmanager` and `async with`",
                    if generator {
                        "an async generator"
                    } else {
                        "a coroutine"
                    }
                )),
                ("contextlib.asynccontextmanager", false, true) => Some(format!(
                    "`@{short}` on a plain generator function: `async with` on it raises `TypeError` (a generator has no `__anext__`); make it `async def`, or use `@contextlib.contextmanager` and `with`"
                )),
                ("contextlib.asynccontextmanager", true, false) => Some(format!(
                    "`@{short}` on an `async def` without `yield`: the function returns a coroutine, not an async generator, so `async with` on it raises `TypeError`; `yield` the resource"
                )),
                (cache, true, generator)
                    if knowledge::RESULT_CACHING_DECORATORS.contains(&cache) =>
                {
                    Some(if generator {
                        format!(
                            "`@{short}` on an async generator function caches the async generator object: from the second call on it is already exhausted and yields nothing"
                        )
                    } else {
                        format!(
                            "`@{short}` on an `async def` caches the coroutine object, not its result: awaiting it a second time raises `RuntimeError: cannot reuse already awaited coroutine`; cache the awaited value instead (e.g. `async-lru`)"
                        )
                    })
                }
                _ => None,
            };
            if let Some(message) = message {
                diagnostics.push(Diagnostic::new(&RULE, message, decorator.range()));
            }
        }
    }
}
