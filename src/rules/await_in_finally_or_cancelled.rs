//! ASYNC102: a checkpoint in a `finally:`, in an `except` that catches a cancellation, or
//! in `__aexit__`, without a shielded cancel scope around it. The walk it shares with
//! ASYNC120 (a checkpoint in an `except` that re-raises) is here.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{ExceptHandler, Expr, NodeKind, Stmt, StmtTry, StmtWith};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::cancellation::{
    CANCEL_SCOPE_NAMES, NurseryKind, body_scope, critical_except, line_number, nursery_call,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{ScopeId, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC102",
    name: "await-in-finally-or-cancelled",
    summary: "A checkpoint in `finally`, in an `except` that catches a cancellation or in `__aexit__`, without a shielded cancel scope",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC102.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let libraries = checker.libraries;
    // asyncio cancels differently: a task is cancelled once, so cleanup after the
    // cancellation is delivered is not interrupted again.
    if libraries.asyncio && !libraries.trio && !libraries.anyio {
        return;
    }
    for finding in findings(checker) {
        if let Finding::Critical { range, context } = finding {
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "checkpoint inside {context} can be cancelled before the cleanup is done: run it in a shielded cancel scope with a timeout (`with trio.move_on_after(5, shield=True):`)"
                ),
                range,
            ));
        }
    }
}

/// What the shared walk found.
pub enum Finding {
    /// ASYNC102: a checkpoint in a critical place (described by `context`).
    Critical { range: TextRange, context: String },
    /// ASYNC120: a checkpoint in an ordinary `except` that goes on to raise.
    BeforeRaise { range: TextRange, context: String },
}

/// Walks every `async def` of the module.
pub fn findings(checker: &Checker) -> Vec<Finding> {
    let model = checker.model;
    let mut out = Vec::new();
    for node in model.nodes_of(NodeKind::StmtFunctionDef) {
        let Some(Stmt::FunctionDef(def)) = node.stmt() else {
            continue;
        };
        if !def.is_async {
            continue;
        }
        let Some(body) = body_scope(model, def, node.scope_id()) else {
            continue;
        };
        let mut walker = Walker {
            model,
            source: checker.source,
            scope: body,
            critical: None,
            scopes: Vec::new(),
            cancelled_caught: false,
            pending: Vec::new(),
            out: &mut out,
        };
        if def.name.as_str() == "__aexit__" {
            walker.critical = Some(Critical {
                kind: CriticalContext::Aexit,
                caught: None,
                at: def.name.start(),
            });
        }
        walker.visit_body(&def.body);
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CriticalContext {
    Finally,
    CancelledExcept,
    Aexit,
    /// An `except` that does not catch a cancellation (ASYNC120's business).
    OrdinaryExcept,
}

#[derive(Clone)]
struct Critical {
    kind: CriticalContext,
    /// The exception class caught, as written (`except` clauses that catch one).
    caught: Option<String>,
    /// Where the `try`, the clause or the method is.
    at: ruff_text_size::TextSize,
}

impl Critical {
    /// How the message names it: "`finally` (of the `try` on line 3)".
    fn describe(&self, source: &str) -> String {
        let line = line_number(source, self.at);
        match (self.kind, self.caught.as_deref()) {
            (CriticalContext::Finally, _) => format!("`finally` (of the `try` on line {line})"),
            (CriticalContext::Aexit, _) => format!("`__aexit__` (line {line})"),
            (CriticalContext::CancelledExcept, Some("bare except") | None) => {
                format!("a bare `except:` (line {line})")
            }
            (CriticalContext::CancelledExcept, Some(caught)) => {
                format!("`except {caught}` (line {line})")
            }
            (CriticalContext::OrdinaryExcept, _) => format!("`except` (line {line})"),
        }
    }
}

/// A cancel scope or nursery opened by a `with` around the code being walked.
#[derive(Clone)]
struct OpenScope {
    variable: Option<String>,
    shielded: bool,
}

struct Walker<'m, 'a, 'o> {
    model: &'m ScopeModel<'a>,
    source: &'a str,
    scope: ScopeId,
    critical: Option<Critical>,
    scopes: Vec<OpenScope>,
    /// A handler of the innermost `try` already caught a cancellation.
    cancelled_caught: bool,
    /// Checkpoints in an ordinary `except`, reported if a `raise` follows.
    pending: Vec<(TextRange, Critical)>,
    out: &'o mut Vec<Finding>,
}

impl<'a> Walker<'_, 'a, '_> {
    /// A checkpoint at `range`.
    fn checkpoint(&mut self, range: TextRange) {
        let Some(critical) = &self.critical else {
            return;
        };
        if self.scopes.iter().any(|s| s.shielded) {
            return;
        }
        if critical.kind == CriticalContext::OrdinaryExcept {
            self.pending.push((range, critical.clone()));
        } else {
            let context = critical.describe(self.source);
            self.out.push(Finding::Critical { range, context });
        }
    }

    fn try_(&mut self, stmt: &'a StmtTry) {
        let saved = (
            self.critical.clone(),
            self.scopes.clone(),
            self.cancelled_caught,
        );
        self.cancelled_caught = false;
        self.visit_body(&stmt.body);
        for handler in &stmt.handlers {
            let ExceptHandler::ExceptHandler(handler) = handler;
            // Inside a critical place, a nested `except` stays critical.
            let nested_in_critical = self
                .critical
                .as_ref()
                .is_some_and(|c| c.kind != CriticalContext::OrdinaryExcept);
            if nested_in_critical {
                if let Some(type_) = &handler.type_ {
                    self.visit_expr(type_);
                }
                self.visit_body(&handler.body);
                continue;
            }
            let outer = (
                self.critical.clone(),
                self.scopes.clone(),
                std::mem::take(&mut self.pending),
            );
            self.scopes.clear();
            let caught = critical_except(self.model, handler, self.source, self.scope)
                .filter(|_| !self.cancelled_caught);
            self.critical = Some(match caught {
                Some(caught) => {
                    self.cancelled_caught = true;
                    Critical {
                        kind: CriticalContext::CancelledExcept,
                        caught: Some(caught.text),
                        at: caught.range.start(),
                    }
                }
                None => Critical {
                    kind: CriticalContext::OrdinaryExcept,
                    caught: None,
                    at: handler.range.start(),
                },
            });
            if let Some(type_) = &handler.type_ {
                self.visit_expr(type_);
            }
            self.visit_body(&handler.body);
            self.critical = outer.0;
            self.scopes = outer.1;
            self.pending = outer.2;
        }
        self.visit_body(&stmt.orelse);
        if !stmt.finalbody.is_empty() {
            self.scopes.clear();
            self.critical = Some(Critical {
                kind: CriticalContext::Finally,
                caught: None,
                at: stmt.range.start(),
            });
            self.visit_body(&stmt.finalbody);
        }
        self.critical = saved.0;
        self.scopes = saved.1;
        self.cancelled_caught = saved.2;
    }

    fn with(&mut self, with: &'a StmtWith) {
        for item in &with.items {
            self.visit_expr(&item.context_expr);
            if let Some(target) = &item.optional_vars {
                self.visit_expr(target);
            }
        }
        // Entering a trio nursery or an anyio task group is not a cancel point; entering
        // anything else with `async with` is.
        if with.is_async
            && with.items.iter().any(|item| {
                !matches!(
                    nursery_call(self.model, &item.context_expr, self.scope),
                    Some(NurseryKind::Trio | NurseryKind::Anyio)
                )
            })
        {
            self.checkpoint(with.range());
        }
        let saved = self.scopes.clone();
        for item in &with.items {
            if let Some(scope) = self.open_scope(item) {
                self.scopes.push(scope);
            }
        }
        self.visit_body(&with.body);
        self.scopes = saved;
    }

    /// A trio/anyio cancel scope or nursery opened by a `with` item, shielded when it is
    /// given `shield=True`.
    fn open_scope(&self, item: &ruff_python_ast::WithItem) -> Option<OpenScope> {
        let Expr::Call(call) = &item.context_expr else {
            return None;
        };
        let name = self.model.qualified_name(&call.func, self.scope)?;
        let (library, function) = name.split_once('.')?;
        if !matches!(library, "trio" | "anyio") {
            return None;
        }
        let is_scope = CANCEL_SCOPE_NAMES.contains(&function);
        if !is_scope && !matches!(function, "open_nursery" | "create_task_group") {
            return None;
        }
        let shielded = is_scope
            && call
                .arguments
                .find_keyword("shield")
                .is_some_and(|k| matches!(&k.value, Expr::BooleanLiteral(b) if b.value));
        let variable = match item.optional_vars.as_deref() {
            Some(Expr::Name(name)) => Some(name.id.to_string()),
            _ => None,
        };
        Some(OpenScope { variable, shielded })
    }

    /// `cs.shield = True` (or `nursery.cancel_scope.shield = ...`) on an open scope.
    fn assign(&mut self, targets: &[Expr], value: &Expr) {
        let [Expr::Attribute(target)] = targets else {
            return;
        };
        if target.attr.as_str() != "shield" {
            return;
        }
        let Expr::BooleanLiteral(flag) = value else {
            return;
        };
        let variable = match &*target.value {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(inner) if inner.attr.as_str() == "cancel_scope" => {
                match &*inner.value {
                    Expr::Name(name) => name.id.as_str(),
                    _ => return,
                }
            }
            _ => return,
        };
        for scope in self.scopes.iter_mut().rev() {
            if scope.variable.as_deref() == Some(variable) {
                scope.shielded = flag.value;
            }
        }
    }

    /// Awaits that are meant for cleanup: `x.aclose()`, `aclose_forcefully(x)` and
    /// `cancel_shielded_checkpoint()`.
    fn is_cleanup_await(&self, value: &Expr) -> bool {
        let Expr::Call(call) = value else {
            return false;
        };
        if let Expr::Attribute(attribute) = &*call.func
            && attribute.attr.as_str() == "aclose"
            && call.arguments.is_empty()
        {
            return true;
        }
        match self.model.qualified_name(&call.func, self.scope).as_deref() {
            Some("trio.aclose_forcefully" | "anyio.aclose_forcefully") => true,
            Some(
                "trio.lowlevel.cancel_shielded_checkpoint"
                | "anyio.lowlevel.cancel_shielded_checkpoint",
            ) => call.arguments.is_empty(),
            _ => false,
        }
    }
}

impl<'a> Visitor<'a> for Walker<'_, 'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        crate::analysis::cancellation::deep(|| {
            match stmt {
                // Nested functions are walked on their own.
                Stmt::FunctionDef(def) => {
                    for decorator in &def.decorator_list {
                        self.visit_expr(&decorator.expression);
                    }
                }
                Stmt::ClassDef(_) => {}
                Stmt::Try(stmt_try) => self.try_(stmt_try),
                Stmt::With(with) => self.with(with),
                Stmt::For(stmt_for) if stmt_for.is_async => {
                    self.checkpoint(stmt.range());
                    visitor::walk_stmt(self, stmt);
                }
                Stmt::Assign(assign) => {
                    visitor::walk_stmt(self, stmt);
                    self.assign(&assign.targets, &assign.value);
                }
                Stmt::Raise(_) => {
                    visitor::walk_stmt(self, stmt);
                    for (range, critical) in std::mem::take(&mut self.pending) {
                        let context = critical.describe(self.source);
                        self.out.push(Finding::BeforeRaise { range, context });
                    }
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        })
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        crate::analysis::cancellation::deep(|| match expr {
            Expr::Await(await_) => {
                if !self.is_cleanup_await(&await_.value) {
                    self.checkpoint(expr.range());
                }
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(_) => {}
            _ => visitor::walk_expr(self, expr),
        })
    }
}
