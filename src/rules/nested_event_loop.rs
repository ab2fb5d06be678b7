//! AL120: starting an event loop (`asyncio.run()`, `loop.run_until_complete()`,
//! `trio.run()`, ...) from code that already runs in a coroutine.

use ruff_python_ast::{Expr, NodeKind};
use ruff_text_size::Ranged;

use crate::analysis::calls::{Callee, callee};
use crate::analysis::knowledge;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::NodeFlags;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL120",
    name: "nested-event-loop",
    summary: "An event loop is started from inside a coroutine",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL120.md"),
    check: Some(check),
};

/// Calls after which the code may run in a child process, whose copy of the running
/// loop is not running: a new loop there is how such code is written.
const FORKS: &[&str] = &["os.fork", "os.forkpty"];

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    // Scopes that fork: in them, a loop may be started in the child (see FORKS). Found
    // only once a loop runner is seen, which is rare.
    let forking = std::cell::OnceCell::new();
    let forks = |scope| {
        forking
            .get_or_init(|| forking_scopes(checker))
            .contains(&scope)
    };
    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        if node.flags().contains(NodeFlags::UNEVALUATED)
            || !model.runs_in_coroutine(node.scope_id())
        {
            continue;
        }
        let runs_loop = match callee(model, &call.func, node.scope_id()) {
            Callee::Qualified(name) => knowledge::EVENT_LOOP_RUNNERS.contains(&name.as_ref()),
            Callee::InstanceMethod { class, method } => knowledge::runs_event_loop(&class, &method),
            _ => false,
        };
        if !runs_loop || forks(node.scope_id()) {
            continue;
        }
        let written = &checker.source[call.func.range()];
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "`{written}()` starts an event loop from inside a coroutine, where one is already running: asyncio raises `RuntimeError`, and any other loop blocks this one; `await` the coroutine instead"
            ),
            call.range(),
        ));
    }
}

fn forking_scopes(checker: &Checker) -> Vec<crate::scope::ScopeId> {
    let model = checker.model;
    model
        .nodes_of(NodeKind::ExprCall)
        .filter(|node| {
            let Some(Expr::Call(call)) = node.expr() else {
                return false;
            };
            callee(model, &call.func, node.scope_id())
                .qualified()
                .is_some_and(|name| FORKS.contains(&name))
        })
        .map(|node| node.scope_id())
        .collect()
}
