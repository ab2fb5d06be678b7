//! AL112: a plain `with` on an object that supports only `async with` (`asyncio.Lock()`,
//! a task group, an `@asynccontextmanager` function's result…), and the legacy
//! `with await lock:` form.

use ruff_python_ast::{Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::knowledge;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::protocols::{
    ASYNC_CONTEXT_MANAGER_FUNCTION, Protocols, Verdict, decide_async_context_manager,
    parenthesized, shown,
};
use crate::target_version::TargetVersion;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL112",
    name: "sync-with-async-context-manager",
    summary: "A plain `with` on an asynchronous context manager",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL112.md"),
    check: Some(check),
};

fn message(manager: &str, reason: &str) -> String {
    format!(
        "`{manager}` supports only `async with`{}: a plain `with` raises `TypeError` (`AttributeError: __enter__` before Python 3.11); use `async with`",
        parenthesized(reason)
    )
}

fn legacy_message(manager: &str, reason: &str) -> String {
    format!(
        "`with await {manager}:` is the legacy form of `async with {manager}:`, which asyncio's locks accepted only up to Python 3.8: `{manager}` supports only `async with`{}, and awaiting it raises `TypeError`",
        parenthesized(reason)
    )
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let protocols = Protocols::new(model);
    for node in model.nodes_of(NodeKind::StmtWith) {
        let Some(Stmt::With(with)) = node.stmt() else {
            continue;
        };
        if with.is_async {
            continue;
        }
        let scope = node.scope_id();
        for item in &with.items {
            let (manager, legacy) = match &item.context_expr {
                Expr::Await(awaited) => (&*awaited.value, true),
                other => (other, false),
            };
            let verdict = protocols.async_only_context_manager(manager, scope);
            if !verdict.is_reported(checker) {
                continue;
            }
            let text = shown(checker.source, manager.range());
            let compose = |what: &str| {
                if legacy {
                    legacy_message(&text, what)
                } else {
                    message(&text, what)
                }
            };
            match verdict {
                Verdict::Known(what) => {
                    // Up to 3.8, asyncio's locks could still be awaited for a context
                    // manager (deprecated since 3.7): there, only what is certainly
                    // something else is reported.
                    let still_awaitable = legacy
                        && checker.target_version() < TargetVersion::Py39
                        && protocols.constructor(manager, scope).is_none_or(|c| {
                            knowledge::LEGACY_AWAITABLE_LOCKS.contains(&c.as_str())
                        });
                    if !still_awaitable {
                        diagnostics.push(Diagnostic::new(
                            &RULE,
                            compose(&what),
                            item.context_expr.range(),
                        ));
                    }
                }
                Verdict::Project(target) => checker.defer(
                    &RULE,
                    item.context_expr.range(),
                    target,
                    compose(ASYNC_CONTEXT_MANAGER_FUNCTION),
                    decide_async_context_manager,
                ),
                Verdict::Unknown => {}
            }
        }
    }
}
