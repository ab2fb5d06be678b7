//! ASYNC103: an `except` that catches a cancellation (`trio.Cancelled`,
//! `anyio.get_cancelled_exc_class()`, `asyncio.CancelledError`, `BaseException`, a bare
//! `except:`) with a path that does not re-raise it. The analysis it shares with ASYNC104
//! (a `return`, `break`, `continue`, `yield` or other `raise` before re-raising) is here.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{ExceptHandler, Expr, NodeKind, Pattern, Stmt, StmtTry};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::cancellation::{
    CriticalExcept, CriticalKind, cancellation_points, critical_except, iterates_at_least_once,
};
use crate::analysis::library::Libraries;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{ScopeId, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC103",
    name: "no-reraise-cancelled",
    summary: "An `except` that catches a cancellation has a path that does not re-raise it",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC103.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for finding in findings(checker) {
        if let Finding::NotReraised { handler } = finding {
            let suggestion = if handler.kind.catches_everything() {
                match cancellation_class_names(checker.libraries) {
                    Some(names) => format!(" (add an `except {names}: raise` before it)"),
                    None => String::new(),
                }
            } else {
                String::new()
            };
            let what = if handler.kind == CriticalKind::Bare {
                "bare `except:`".to_string()
            } else {
                format!("`except {}`", handler.text)
            };
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "{what} catches cancellations but has a path that does not re-raise: a cancellation caught here is swallowed{suggestion}"
                ),
                handler.range,
            ));
        }
    }
}

/// The cancellation exception of each library the module imports.
fn cancellation_class_names(libraries: Libraries) -> Option<String> {
    let mut names = Vec::new();
    if libraries.trio {
        names.push("trio.Cancelled");
    }
    if libraries.anyio {
        names.push("anyio.get_cancelled_exc_class()");
    }
    if libraries.asyncio {
        names.push("asyncio.CancelledError");
    }
    match names.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        several => Some(format!("({})", several.join(", "))),
    }
}

pub enum Finding {
    /// ASYNC103: the handler (its cancellation class) has a path that does not re-raise.
    NotReraised { handler: CriticalExcept },
    /// ASYNC104: a statement that leaves the handler, or raises something else, before
    /// the cancellation is re-raised. `what` is the keyword.
    LeftBeforeReraise {
        range: TextRange,
        what: &'static str,
    },
}

/// The handlers of a `try` that catch a cancellation, each analysed on its own: the first
/// one that catches everything (later ones never see a cancellation), and every one that
/// names a library's cancellation class. `None` for the others.
fn critical_handlers(
    model: &ScopeModel<'_>,
    stmt: &StmtTry,
    source: &str,
    scope: ScopeId,
) -> Vec<Option<CriticalExcept>> {
    let mut caught = false;
    stmt.handlers
        .iter()
        .map(|handler| {
            let ExceptHandler::ExceptHandler(handler) = handler;
            let critical = critical_except(model, handler, source, scope)?;
            if critical.kind.catches_everything() && caught {
                return None;
            }
            caught = true;
            Some(critical)
        })
        .collect()
}

pub fn findings(checker: &Checker) -> Vec<Finding> {
    let model = checker.model;
    let mut out = Vec::new();
    for node in model.nodes_of(NodeKind::StmtTry) {
        let Some(Stmt::Try(stmt)) = node.stmt() else {
            continue;
        };
        let scope = node.scope_id();
        let roles = critical_handlers(model, stmt, checker.source, scope);
        if roles.iter().all(Option::is_none) {
            continue;
        }
        // Only a `try` body that can checkpoint can raise a cancellation at all.
        let points = cancellation_points(&stmt.body);
        if !points.any {
            continue;
        }
        for (handler, role) in stmt.handlers.iter().zip(roles) {
            let Some(critical) = role else {
                continue;
            };
            // `task.cancel(); try: await task; except asyncio.CancelledError: pass` is
            // asyncio's documented way of waiting for a cancelled task.
            if critical.kind == CriticalKind::AsyncioCancelled && points.only_awaits_existing {
                continue;
            }
            let ExceptHandler::ExceptHandler(handler) = handler;
            let mut analysis = Reraise {
                model,
                source: checker.source,
                scope,
                name: handler.name.as_ref().map(|n| n.id.as_str()),
                unraised: true,
                loop_depth: 0,
                unraised_break: false,
                unraised_continue: false,
                out: &mut out,
            };
            analysis.block(&handler.body);
            if analysis.unraised {
                out.push(Finding::NotReraised { handler: critical });
            }
        }
    }
    out
}

/// Follows a handler's body: `unraised` is whether the path so far may not have
/// re-raised. Ports flake8-async's reasoning: an `if` re-raises when both branches do, a
/// `match` when every case does and one is irrefutable, a loop when its body surely runs
/// and re-raises (or its `else` does and nothing breaks); inside a nested `try` only the
/// `finally` counts.
struct Reraise<'m, 'a, 'o> {
    model: &'m ScopeModel<'a>,
    source: &'a str,
    scope: ScopeId,
    /// `e` in `except BaseException as e`: `raise e` re-raises.
    name: Option<&'a str>,
    unraised: bool,
    loop_depth: u32,
    unraised_break: bool,
    unraised_continue: bool,
    out: &'o mut Vec<Finding>,
}

impl<'a> Reraise<'_, 'a, '_> {
    fn block(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            self.stmt(stmt);
        }
    }

    fn left(&mut self, range: TextRange, what: &'static str) {
        self.out.push(Finding::LeftBeforeReraise { range, what });
    }

    fn stmt(&mut self, stmt: &'a Stmt) {
        if !self.unraised {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Raise(raise) => {
                self.yields(stmt);
                let reraises = match raise.exc.as_deref() {
                    None => true,
                    Some(Expr::Name(name)) => Some(name.id.as_str()) == self.name,
                    Some(_) => false,
                };
                if !reraises {
                    self.left(stmt.range(), "raise");
                }
                self.unraised = false;
            }
            Stmt::Return(_) => {
                self.yields(stmt);
                self.left(stmt.range(), "return");
            }
            Stmt::Break(_) => {
                if self.loop_depth == 0 {
                    self.left(stmt.range(), "break");
                }
                self.unraised_break = true;
            }
            Stmt::Continue(_) => {
                if self.loop_depth == 0 {
                    self.left(stmt.range(), "continue");
                }
                self.unraised_continue = true;
            }
            Stmt::If(stmt_if) => {
                self.yields_in(&stmt_if.test);
                self.block(&stmt_if.body);
                let mut all_raise = !self.unraised;
                let mut has_else = false;
                for clause in &stmt_if.elif_else_clauses {
                    self.unraised = true;
                    if let Some(test) = &clause.test {
                        self.yields_in(test);
                    } else {
                        has_else = true;
                    }
                    self.block(&clause.body);
                    all_raise &= !self.unraised;
                }
                self.unraised = !(all_raise && has_else);
            }
            Stmt::Match(stmt_match) => {
                self.yields_in(&stmt_match.subject);
                let mut all_raise = true;
                let mut fallback = false;
                for case in &stmt_match.cases {
                    fallback |= case.guard.is_none()
                        && matches!(&case.pattern, Pattern::MatchAs(p) if p.pattern.is_none());
                    self.block(&case.body);
                    all_raise &= !self.unraised;
                    self.unraised = true;
                }
                self.unraised = !(all_raise && fallback);
            }
            Stmt::While(stmt_while) => {
                self.yields_in(&stmt_while.test);
                let infinite = truthy_literal(&stmt_while.test);
                self.loop_(&stmt_while.body, &stmt_while.orelse, infinite, infinite);
            }
            Stmt::For(stmt_for) => {
                self.yields_in(&stmt_for.iter);
                let guaranteed = iterates_at_least_once(&stmt_for.iter);
                self.loop_(&stmt_for.body, &stmt_for.orelse, false, guaranteed);
            }
            Stmt::With(with) => {
                for item in &with.items {
                    self.yields_in(&item.context_expr);
                }
                self.block(&with.body);
            }
            Stmt::Try(stmt_try) => self.try_(stmt_try),
            _ => self.yields(stmt),
        }
    }

    fn loop_(&mut self, body: &'a [Stmt], orelse: &'a [Stmt], infinite: bool, guaranteed: bool) {
        let saved = (self.unraised_break, self.unraised_continue);
        self.unraised_break = false;
        self.unraised_continue = false;
        self.loop_depth += 1;
        self.block(body);
        self.loop_depth -= 1;
        if !(infinite || (guaranteed && !self.unraised_continue)) {
            self.unraised = true;
        }
        self.block(orelse);
        self.unraised |= self.unraised_break;
        (self.unraised_break, self.unraised_continue) = saved;
    }

    /// A nested `try`: what its body, handlers and `else` do may be cut short by an
    /// exception, so only its `finally` can re-raise for sure.
    fn try_(&mut self, stmt: &'a StmtTry) {
        let roles = critical_handlers(self.model, stmt, self.source, self.scope);
        for inner in &stmt.body {
            self.stmt(inner);
            self.unraised = true;
        }
        for (handler, role) in stmt.handlers.iter().zip(roles) {
            let ExceptHandler::ExceptHandler(handler) = handler;
            // A handler that catches a cancellation itself is analysed on its own.
            if role.is_none() {
                self.block(&handler.body);
            }
            self.unraised = true;
        }
        for inner in &stmt.orelse {
            self.stmt(inner);
            self.unraised = true;
        }
        self.block(&stmt.finalbody);
    }

    fn yields(&mut self, stmt: &'a Stmt) {
        let mut finder = YieldFinder(Vec::new());
        visitor::walk_stmt(&mut finder, stmt);
        for range in finder.0 {
            self.left(range, "yield");
        }
    }

    fn yields_in(&mut self, expr: &'a Expr) {
        let mut finder = YieldFinder(Vec::new());
        finder.visit_expr(expr);
        for range in finder.0 {
            self.left(range, "yield");
        }
    }
}

/// `while True:`, `while 1:`, `while ...:`: a test that is always true.
fn truthy_literal(expr: &Expr) -> bool {
    match expr {
        Expr::BooleanLiteral(b) => b.value,
        Expr::NumberLiteral(n) => match &n.value {
            ruff_python_ast::Number::Int(i) => i.as_u64() != Some(0),
            ruff_python_ast::Number::Float(f) => *f != 0.0,
            ruff_python_ast::Number::Complex { real, imag } => *real != 0.0 || *imag != 0.0,
        },
        Expr::StringLiteral(s) => !s.value.to_str().is_empty(),
        Expr::EllipsisLiteral(_) => true,
        _ => false,
    }
}

/// The `yield`s of an expression or simple statement, outside nested lambdas.
struct YieldFinder(Vec<TextRange>);

impl<'a> Visitor<'a> for YieldFinder {
    fn visit_expr(&mut self, expr: &'a Expr) {
        crate::analysis::cancellation::deep(|| match expr {
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                self.0.push(expr.range());
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(_) => {}
            _ => visitor::walk_expr(self, expr),
        })
    }
}
