//! ASYNC113: `nursery.start_soon(server, ...)` in `__aenter__` or before the `yield` of an
//! `@asynccontextmanager`: the context is entered before the server is ready.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, NodeKind, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::cancellation::{body_scope, node_at, nursery_kind_of};
use crate::analysis::checkpoints::yields_in;
use crate::analysis::library::Libraries;
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::{Decoration, decoration_of};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{ScopeId, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC113",
    name: "start-soon-in-aenter",
    summary: "A server started with `start_soon()` while entering a context: it may not be ready when the context is",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC113.md"),
    check: Some(check),
};

/// Functions known to be startable (they take `task_status`): a server started with
/// `start_soon()` may not be listening yet when the caller goes on.
const STARTABLE_NAMES: &[&str] = &[
    "serve",
    "run_process",
    "serve_ssl_over_tcp",
    "serve_tcp",
    "serve_listeners",
];
const TRIO_STARTABLE: &[&str] = &[
    "trio.run_process",
    "trio.serve_ssl_over_tcp",
    "trio.serve_tcp",
    "trio.serve_listeners",
];

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::StmtFunctionDef) {
        let Some(Stmt::FunctionDef(def)) = node.stmt() else {
            continue;
        };
        if !def.is_async {
            continue;
        }
        let aenter = def.name.as_str() == "__aenter__";
        let acm = decoration_of(model, &def.decorator_list, node.scope_id())
            == Decoration::AsyncContextManager;
        if !aenter && !acm {
            continue;
        }
        let Some(body) = body_scope(model, def, node.scope_id()) else {
            continue;
        };
        let mut walker = Walker {
            model,
            scope: body,
            libraries: checker.libraries,
            aenter,
            before_yield: acm,
            pending: Vec::new(),
            found: Vec::new(),
        };
        walker.visit_body(&def.body);
        for range in walker.found {
            let place = if aenter {
                "`__aenter__`"
            } else {
                "an `@asynccontextmanager` before its `yield`"
            };
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "`start_soon()` of a startable task in {place}: the context is entered before the task is ready; use `await nursery.start(...)`, which waits for it"
                ),
                range,
            ));
        }
    }
}

struct Walker<'m, 'a> {
    model: &'m ScopeModel<'a>,
    scope: ScopeId,
    libraries: Libraries,
    aenter: bool,
    before_yield: bool,
    pending: Vec<TextRange>,
    found: Vec<TextRange>,
}

impl Walker<'_, '_> {
    fn is_nursery(&self, receiver: &Expr, call: TextRange) -> bool {
        let known = node_at(self.model, NodeKind::ExprCall, call)
            .is_some_and(|node| nursery_kind_of(self.model, node, receiver, self.scope).is_some());
        if known {
            return true;
        }
        let written = match receiver {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attribute) => attribute.attr.as_str(),
            _ => return false,
        };
        (self.libraries.trio && written.ends_with("nursery"))
            || (self.libraries.anyio && written.ends_with("task_group"))
    }

    fn is_startable(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(name) => STARTABLE_NAMES.contains(&name.id.as_str()),
            Expr::Attribute(attribute) => match self.model.qualified_name(expr, self.scope) {
                Some(qualified) if TRIO_STARTABLE.contains(&qualified.as_ref()) => true,
                _ => attribute.attr.as_str() == "serve",
            },
            Expr::Call(call) => call.arguments.args.iter().any(|a| self.is_startable(a)),
            _ => false,
        }
    }
}

impl<'a> Visitor<'a> for Walker<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        crate::analysis::cancellation::deep(|| {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                // A task started in a nursery that closes before the `yield` is done by then.
                Stmt::With(with) if yields_in(&with.body).is_empty() => {}
                _ => visitor::walk_stmt(self, stmt),
            }
        })
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        crate::analysis::cancellation::deep(|| {
            match expr {
                Expr::Lambda(_) => return,
                Expr::Yield(_) | Expr::YieldFrom(_) => {
                    visitor::walk_expr(self, expr);
                    self.found.append(&mut self.pending);
                    self.before_yield = false;
                    self.aenter = false;
                    return;
                }
                Expr::Call(call) => {
                    if let Expr::Attribute(attribute) = &*call.func
                        && matches!(attribute.attr.as_str(), "start_soon" | "create_task")
                        && (self.aenter || self.before_yield)
                        && self.is_nursery(&attribute.value, call.range())
                        && call
                            .arguments
                            .args
                            .first()
                            .is_some_and(|f| self.is_startable(f))
                    {
                        if self.aenter {
                            self.found.push(call.range());
                        } else {
                            self.pending.push(call.range());
                        }
                    }
                }
                _ => {}
            }
            visitor::walk_expr(self, expr);
        })
    }
}
