//! AL111: `async for` (or `aiter()`/`anext()`) over an object that supports only plain
//! iteration: a list, a comprehension, `range()`, a generator, an instance of a class
//! with `__iter__` but no `__aiter__`.

use ruff_python_ast::{Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::protocols::{
    Protocols, SYNC_GENERATOR, Verdict, decide_sync_generator, parenthesized, shown,
};
use crate::scope::{NodeFlags, ScopeId};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL111",
    name: "async-iteration-over-sync-iterable",
    summary: "`async for` over a list, a generator or another plain iterable",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL111.md"),
    check: Some(check),
};

fn message(iterable: &str, reason: &str, how: &str) -> String {
    format!(
        "`{iterable}` supports only plain iteration{}: {how} raises `TypeError` (it has no `__aiter__`); use a plain `for`",
        parenthesized(reason)
    )
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let protocols = Protocols::new(model);
    let mut report = |iterable: &Expr, scope: ScopeId, how: &str| {
        let text = shown(checker.source, iterable.range());
        match protocols.sync_only_iterable(iterable, scope) {
            Verdict::Known(what) => diagnostics.push(Diagnostic::new(
                &RULE,
                message(&text, &what, how),
                iterable.range(),
            )),
            Verdict::Project(target) => checker.defer(
                &RULE,
                iterable.range(),
                target,
                message(&text, SYNC_GENERATOR, how),
                decide_sync_generator,
            ),
            Verdict::Unknown => {}
        }
    };

    for node in model.nodes_of(NodeKind::StmtFor) {
        if let Some(Stmt::For(stmt)) = node.stmt()
            && stmt.is_async
        {
            report(&stmt.iter, node.scope_id(), "`async for`");
        }
    }

    for kind in [
        NodeKind::ExprListComp,
        NodeKind::ExprSetComp,
        NodeKind::ExprDictComp,
        NodeKind::ExprGenerator,
    ] {
        for node in model.nodes_of(kind) {
            if node.flags().contains(NodeFlags::UNEVALUATED) {
                continue;
            }
            let Some(expr) = node.expr() else {
                continue;
            };
            let generators = match expr {
                Expr::ListComp(c) => &c.generators,
                Expr::SetComp(c) => &c.generators,
                Expr::DictComp(c) => &c.generators,
                Expr::Generator(c) => &c.generators,
                _ => continue,
            };
            let own_scope = protocols.comprehension_scope(expr);
            for (i, clause) in generators.iter().enumerate() {
                if !clause.is_async {
                    continue;
                }
                let scope = if i == 0 {
                    Some(node.scope_id())
                } else {
                    own_scope
                };
                if let Some(scope) = scope {
                    report(&clause.iter, scope, "the comprehension's `async for`");
                }
            }
        }
    }

    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        if node.flags().contains(NodeFlags::UNEVALUATED) {
            continue;
        }
        let scope = node.scope_id();
        let how = match model.qualified_name(&call.func, scope).as_deref() {
            Some("builtins.aiter") => "`aiter()`",
            Some("builtins.anext") => "`anext()`",
            _ => continue,
        };
        if let Some(arg) = call.arguments.args.first()
            && !arg.is_starred_expr()
        {
            report(arg, scope, how);
        }
    }
}
