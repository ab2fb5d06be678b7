//! AL110: an object that supports only `async for` (an async generator, an async
//! generator expression, an instance of a class with `__aiter__` but no `__iter__`)
//! iterated with the synchronous protocol: a plain `for`, `list()`, `*` unpacking…

use ruff_python_ast::{Expr, ExprContext, NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::knowledge::{self, IteratedArguments};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::protocols::{
    ASYNC_GENERATOR, Protocols, Verdict, decide_async_generator, parenthesized, shown,
};
use crate::scope::{NodeFlags, ScopeId};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL110",
    name: "sync-iteration-over-async-iterable",
    summary: "An async generator or other async-only iterable is iterated synchronously",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL110.md"),
    check: Some(check),
};

fn message(iterable: &str, reason: &str, how: &str) -> String {
    format!(
        "`{iterable}` supports only `async for`{}: {how} iterates it synchronously and raises `TypeError`",
        parenthesized(reason)
    )
}

struct Report<'c, 'm, 'a> {
    checker: &'c Checker<'m, 'a>,
    protocols: Protocols<'m, 'a>,
    diagnostics: Vec<Diagnostic>,
}

impl Report<'_, '_, '_> {
    fn iterated(&mut self, iterable: &Expr, scope: ScopeId, how: &str) {
        // The verdict first: most iterables are nothing to report, and need no text.
        let verdict = self.protocols.async_only_iterable(iterable, scope);
        if matches!(verdict, Verdict::Unknown) {
            return;
        }
        let text = shown(self.checker.source, iterable.range());
        match verdict {
            Verdict::Known(what) => self.diagnostics.push(Diagnostic::new(
                &RULE,
                message(&text, &what, how),
                iterable.range(),
            )),
            Verdict::Project(target) => self.checker.defer(
                &RULE,
                iterable.range(),
                target,
                message(&text, ASYNC_GENERATOR, how),
                decide_async_generator,
            ),
            Verdict::Unknown => {}
        }
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let mut report = Report {
        checker,
        protocols: Protocols::new(model),
        diagnostics: Vec::new(),
    };
    let evaluated = |flags: NodeFlags| !flags.contains(NodeFlags::UNEVALUATED);

    for node in model.nodes_of(NodeKind::StmtFor) {
        if let Some(Stmt::For(stmt)) = node.stmt()
            && !stmt.is_async
        {
            report.iterated(&stmt.iter, node.scope_id(), "a plain `for` loop");
        }
    }

    for kind in [
        NodeKind::ExprListComp,
        NodeKind::ExprSetComp,
        NodeKind::ExprDictComp,
        NodeKind::ExprGenerator,
    ] {
        for node in model.nodes_of(kind) {
            let Some(expr) = node.expr().filter(|_| evaluated(node.flags())) else {
                continue;
            };
            let generators = match expr {
                Expr::ListComp(c) => &c.generators,
                Expr::SetComp(c) => &c.generators,
                Expr::DictComp(c) => &c.generators,
                Expr::Generator(c) => &c.generators,
                _ => continue,
            };
            let own_scope = report.protocols.comprehension_scope(expr);
            for (i, clause) in generators.iter().enumerate() {
                if clause.is_async {
                    continue;
                }
                // The first iterable is evaluated where the comprehension stands.
                let scope = if i == 0 {
                    Some(node.scope_id())
                } else {
                    own_scope
                };
                if let Some(scope) = scope {
                    report.iterated(&clause.iter, scope, "the comprehension's plain `for`");
                }
            }
        }
    }

    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr().filter(|_| evaluated(node.flags())) else {
            continue;
        };
        let scope = node.scope_id();
        let args = &call.arguments.args;
        // Positions are certain only up to the first `*args`.
        let positional = &args[..args
            .iter()
            .position(Expr::is_starred_expr)
            .unwrap_or(args.len())];
        if let Some(name) = model.qualified_name(&call.func, scope)
            && let Some(which) = knowledge::sync_iterated_arguments(&name)
        {
            let chosen: &[Expr] = match which {
                IteratedArguments::First => positional.get(..1).unwrap_or_default(),
                IteratedArguments::FirstIfAlone if args.len() == 1 => positional,
                IteratedArguments::FirstIfAlone => &[],
                IteratedArguments::Second => positional.get(1..2).unwrap_or_default(),
                IteratedArguments::All => positional,
                IteratedArguments::AllFromSecond => positional.get(1..).unwrap_or_default(),
            };
            let short = name.strip_prefix("builtins.").unwrap_or(&name);
            let how = format!("`{short}()`");
            for arg in chosen {
                report.iterated(arg, scope, &how);
            }
        } else if let Expr::Attribute(attribute) = &*call.func
            && attribute.attr.as_str() == "join"
            && matches!(
                &*attribute.value,
                Expr::StringLiteral(_) | Expr::BytesLiteral(_)
            )
            && let [arg] = positional
        {
            report.iterated(arg, scope, "`join()`");
        }
    }

    for node in model.nodes_of(NodeKind::ExprStarred) {
        if let Some(Expr::Starred(starred)) = node.expr()
            && starred.ctx == ExprContext::Load
            && evaluated(node.flags())
        {
            report.iterated(&starred.value, node.scope_id(), "`*` unpacking");
        }
    }

    for node in model.nodes_of(NodeKind::StmtAssign) {
        if let Some(Stmt::Assign(assign)) = node.stmt()
            && assign
                .targets
                .iter()
                .any(|t| matches!(t, Expr::Tuple(_) | Expr::List(_)))
        {
            report.iterated(&assign.value, node.scope_id(), "unpacking assignment");
        }
    }

    for node in model.nodes_of(NodeKind::ExprYieldFrom) {
        if let Some(Expr::YieldFrom(yield_from)) = node.expr() {
            report.iterated(&yield_from.value, node.scope_id(), "`yield from`");
        }
    }

    diagnostics.append(&mut report.diagnostics);
}
