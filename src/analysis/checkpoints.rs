//! Where an `async def` can run without a checkpoint, for flake8-async's ASYNC910-913.
//!
//! A checkpoint is a point where the async library may both switch tasks and deliver a
//! cancellation: an `await`, each iteration of an `async for`, entering and leaving an
//! `async with` (a trio nursery or anyio task group that starts no task is only a schedule
//! point). A `raise` ends the path, which is as good.
//!
//! The analysis follows every path through one function body, in evaluation order, and
//! keeps the set of *tokens* a path carries: where it last was without a checkpoint since
//! (the function's start, a `yield`), and markers for open cancel scopes (ASYNC912) and
//! `while True:` loops (ASYNC913). A checkpoint clears the set; a schedule point clears only
//! the function-start and `yield` tokens. Loops are iterated to a fixed point, then walked
//! once more to report.

use std::collections::BTreeSet;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    Comprehension, ExceptHandler, Expr, Pattern, Stmt, StmtFor, StmtFunctionDef, StmtTry,
    StmtWhile, StmtWith,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::cancellation::{
    EXCEPTION_SUPPRESSING_CONTEXT_MANAGERS, called_name, cancel_scope_call, has_cancel_point,
    iterates_at_least_once, may_start_tasks, nursery_only,
};
use crate::scope::{ScopeId, ScopeModel};

/// A source range that can be ordered (for sets of findings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(TextSize, TextSize);

impl Span {
    pub fn of(node: &impl Ranged) -> Self {
        Span(node.start(), node.end())
    }

    pub fn range(self) -> TextRange {
        TextRange::new(self.0, self.1)
    }
}

/// Where a path started without a checkpoint since.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Since {
    FunctionStart,
    Yield(Span),
}

/// Where a path reaches without a checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExitPoint {
    Return(Span),
    Yield(Span),
    /// The end of the function body.
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    Since(Since),
    /// A `while True:` loop, by its start: its body was entered.
    Loop(TextSize),
    /// A cancel scope, by its `with` item's start: it was entered.
    Scope(TextSize),
}

impl Token {
    /// Cleared by a schedule point too (not only by a cancel point).
    fn is_since(self) -> bool {
        matches!(self, Token::Since(_))
    }
}

type State = BTreeSet<Token>;

/// What the analysis of one function found.
#[derive(Debug, Default)]
pub struct CheckpointReport {
    /// ASYNC910/911: a return, a yield or the end reached without a checkpoint since.
    pub missing: BTreeSet<(ExitPoint, Since)>,
    /// ASYNC912: cancel scopes (their `with` item) that some path leaves without a cancel
    /// point, though another has one.
    pub unguaranteed_scopes: BTreeSet<Span>,
    /// ASYNC913: `while True:` loops whose body can go round without a cancel point.
    pub unguaranteed_loops: BTreeSet<Span>,
}

/// Above this many statements visited (loops are walked several times), the analysis
/// gives up on a function rather than take long.
const BUDGET: usize = 200_000;

/// Analyses the body of an `async def`. `None` when it was too expensive to follow.
pub fn analyse(
    model: &ScopeModel<'_>,
    def: &StmtFunctionDef,
    body_scope: ScopeId,
) -> Option<CheckpointReport> {
    let mut flow = Flow {
        model,
        scope: body_scope,
        reporting: true,
        loops: Vec::new(),
        escaped: State::new(),
        budget: BUDGET,
        report: CheckpointReport::default(),
    };
    let mut state = State::new();
    state.insert(Token::Since(Since::FunctionStart));
    let end = flow.block(&def.body, state);
    if flow.budget == 0 {
        return None;
    }
    for token in &end {
        if let Token::Since(since) = token {
            flow.report.missing.insert((ExitPoint::End, *since));
        }
    }
    Some(flow.report)
}

struct LoopContext {
    breaks: State,
    continues: State,
}

struct Flow<'m, 'a> {
    model: &'m ScopeModel<'a>,
    scope: ScopeId,
    /// Off while a loop is being iterated to its fixed point.
    reporting: bool,
    loops: Vec<LoopContext>,
    /// Cancel-scope tokens carried out of their `with` by a `return`.
    escaped: State,
    budget: usize,
    report: CheckpointReport,
}

fn checkpoint(state: &mut State) {
    state.clear();
}

fn schedule_point(state: &mut State) {
    state.retain(|t| !t.is_since());
}

impl<'a> Flow<'_, 'a> {
    fn block(&mut self, body: &'a [Stmt], mut state: State) -> State {
        for stmt in body {
            if self.budget == 0 {
                return State::new();
            }
            self.budget -= 1;
            state = self.stmt(stmt, state);
        }
        state
    }

    fn expr(&mut self, expr: &'a Expr, state: &mut State) {
        let mut walker = ExprFlow { flow: self, state };
        walker.visit_expr(expr);
    }

    fn report_missing(&mut self, at: ExitPoint, state: &State) {
        if !self.reporting {
            return;
        }
        for token in state {
            if let Token::Since(since) = token {
                self.report.missing.insert((at, *since));
            }
        }
    }

    fn stmt(&mut self, stmt: &'a Stmt, mut state: State) -> State {
        crate::analysis::cancellation::deep(|| {
            match stmt {
                Stmt::FunctionDef(def) => {
                    for decorator in &def.decorator_list {
                        self.expr(&decorator.expression, &mut state);
                    }
                    for default in def
                        .parameters
                        .iter_non_variadic_params()
                        .filter_map(|p| p.default.as_deref())
                    {
                        self.expr(default, &mut state);
                    }
                }
                Stmt::ClassDef(class) => {
                    for decorator in &class.decorator_list {
                        self.expr(&decorator.expression, &mut state);
                    }
                    if let Some(arguments) = &class.arguments {
                        for arg in arguments.args.iter() {
                            self.expr(arg, &mut state);
                        }
                        for keyword in arguments.keywords.iter() {
                            self.expr(&keyword.value, &mut state);
                        }
                    }
                }
                Stmt::Return(ret) => {
                    if let Some(value) = &ret.value {
                        self.expr(value, &mut state);
                    }
                    self.report_missing(ExitPoint::Return(Span::of(ret)), &state);
                    self.escaped
                        .extend(state.iter().filter(|t| matches!(t, Token::Scope(_))));
                    state.clear();
                }
                Stmt::Raise(raise) => {
                    if let Some(exc) = &raise.exc {
                        self.expr(exc, &mut state);
                    }
                    if let Some(cause) = &raise.cause {
                        self.expr(cause, &mut state);
                    }
                    state.clear();
                }
                Stmt::Break(_) => {
                    if let Some(context) = self.loops.last_mut() {
                        context.breaks.extend(state.iter().copied());
                    }
                    state.clear();
                }
                Stmt::Continue(_) => {
                    if let Some(context) = self.loops.last_mut() {
                        context.continues.extend(state.iter().copied());
                    }
                    state.clear();
                }
                Stmt::If(stmt_if) => {
                    self.expr(&stmt_if.test, &mut state);
                    let mut out = self.block(&stmt_if.body, state.clone());
                    let mut has_else = false;
                    for clause in &stmt_if.elif_else_clauses {
                        match &clause.test {
                            Some(test) => self.expr(test, &mut state),
                            None => has_else = true,
                        }
                        out.extend(self.block(&clause.body, state.clone()));
                    }
                    if !has_else {
                        out.extend(state);
                    }
                    return out;
                }
                Stmt::While(stmt_while) => return self.while_loop(stmt_while, state),
                Stmt::For(stmt_for) => return self.for_loop(stmt_for, state),
                Stmt::With(with) => return self.with(with, state),
                Stmt::Try(stmt_try) => return self.try_(stmt_try, state),
                Stmt::Match(stmt_match) => {
                    self.expr(&stmt_match.subject, &mut state);
                    let base = state;
                    let mut out = State::new();
                    let mut fallback = false;
                    for case in &stmt_match.cases {
                        let mut case_state = base.clone();
                        if let Some(guard) = &case.guard {
                            self.expr(guard, &mut case_state);
                        }
                        let irrefutable = matches!(
                            &case.pattern,
                            Pattern::MatchAs(as_) if as_.pattern.is_none()
                        );
                        if irrefutable && (case.guard.is_none() || case_state.is_empty()) {
                            fallback = true;
                        }
                        out.extend(self.block(&case.body, case_state));
                    }
                    if !fallback {
                        out.extend(base);
                    }
                    return out;
                }
                Stmt::Assert(assert) => self.expr(&assert.test, &mut state),
                Stmt::TypeAlias(_) | Stmt::Import(_) | Stmt::ImportFrom(_) => {}
                _ => {
                    let mut walker = ExprFlow {
                        flow: self,
                        state: &mut state,
                    };
                    visitor::walk_stmt(&mut walker, stmt);
                }
            }
            state
        })
    }

    /// Runs `body_of` (one pass over a loop's body, from the state at the loop's head) to
    /// a fixed point of the state flowing back to the head, silently; then once more,
    /// reporting. Returns the head state and the last pass's end, breaks and continues.
    fn iterate(
        &mut self,
        entry: &State,
        mut pass: impl FnMut(&mut Self, State) -> State,
    ) -> (State, State, LoopContext) {
        let reporting = self.reporting;
        self.reporting = false;
        let mut back = State::new();
        for _ in 0..16 {
            if self.budget == 0 {
                break;
            }
            let mut head = entry.clone();
            head.extend(back.iter().copied());
            self.loops.push(LoopContext {
                breaks: State::new(),
                continues: State::new(),
            });
            let end = pass(self, head);
            let context = self.loops.pop().expect("pushed above");
            let grown = end
                .iter()
                .chain(context.continues.iter())
                .any(|t| !back.contains(t));
            if !grown {
                break;
            }
            back.extend(end);
            back.extend(context.continues);
        }
        self.reporting = reporting;
        let mut head = entry.clone();
        head.extend(back);
        self.loops.push(LoopContext {
            breaks: State::new(),
            continues: State::new(),
        });
        let end = pass(self, head.clone());
        let context = self.loops.pop().expect("pushed above");
        (head, end, context)
    }

    fn while_loop(&mut self, stmt: &'a StmtWhile, entry: State) -> State {
        let infinite = is_truthy_constant(&stmt.test);
        let token = Token::Loop(stmt.start());
        let (head, end, context) = self.iterate(&entry, |flow, mut head| {
            flow.expr(&stmt.test, &mut head);
            if infinite {
                head.insert(token);
            }
            flow.block(&stmt.body, head)
        });
        let has_break = directly_breaks(&stmt.body);
        if infinite
            && !has_break
            && self.reporting
            && (end.contains(&token) || context.continues.contains(&token))
        {
            self.report.unguaranteed_loops.insert(Span::of(stmt));
        }
        let mut out = if infinite {
            // The `else` never runs: the loop ends only by `break` (or return/raise).
            State::new()
        } else {
            let mut after_test = head;
            self.expr(&stmt.test, &mut after_test);
            self.block(&stmt.orelse, after_test)
        };
        out.extend(context.breaks);
        out.remove(&token);
        out
    }

    fn for_loop(&mut self, stmt: &'a StmtFor, mut entry: State) -> State {
        self.expr(&stmt.iter, &mut entry);
        if stmt.is_async {
            // Each iteration, and the end of the iterable, awaits `__anext__()`.
            let (_, _, context) = self.iterate(&State::new(), |flow, mut head| {
                checkpoint(&mut head);
                flow.expr(&stmt.target, &mut head);
                flow.block(&stmt.body, head)
            });
            let mut out = self.block(&stmt.orelse, State::new());
            out.extend(context.breaks);
            return out;
        }
        let guaranteed = iterates_at_least_once(&stmt.iter);
        let (_, end, context) = self.iterate(&entry, |flow, mut head| {
            flow.expr(&stmt.target, &mut head);
            flow.block(&stmt.body, head)
        });
        // The loop ends when the iterator is exhausted: after an iteration (or a
        // `continue`), or right away unless it always iterates at least once.
        let mut else_in = end;
        else_in.extend(context.continues);
        if !guaranteed {
            else_in.extend(entry);
        }
        let mut out = self.block(&stmt.orelse, else_in);
        out.extend(context.breaks);
        out
    }

    fn with(&mut self, with: &'a StmtWith, mut state: State) -> State {
        let mut scopes: Vec<(Token, Span)> = Vec::new();
        let nursery_only = with.is_async && nursery_only(self.model, with, self.scope);
        for item in &with.items {
            self.expr(&item.context_expr, &mut state);
            if with.is_async {
                if nursery_only {
                    schedule_point(&mut state);
                } else {
                    checkpoint(&mut state);
                }
            }
            if cancel_scope_call(self.model, &item.context_expr, self.scope).is_some() {
                let token = Token::Scope(item.start());
                state.insert(token);
                scopes.push((token, Span::of(&item.context_expr)));
            }
            if let Some(target) = &item.optional_vars {
                self.expr(target, &mut state);
            }
        }
        let suppressing = with.items.iter().any(|item| {
            called_name(self.model, &item.context_expr, self.scope)
                .is_some_and(|name| EXCEPTION_SUPPRESSING_CONTEXT_MANAGERS.contains(&name.as_str()))
        });
        let before = state.clone();
        let mut state = self.block(&with.body, state);
        if !scopes.is_empty() {
            let has_cancel_point = has_cancel_point(self.model, &with.body, self.scope);
            for (token, range) in scopes {
                let left_unchecked = state.contains(&token)
                    || self.escaped.contains(&token)
                    || self.loops.last().is_some_and(|context| {
                        context.breaks.contains(&token) || context.continues.contains(&token)
                    });
                if left_unchecked && has_cancel_point && self.reporting {
                    self.report.unguaranteed_scopes.insert(range);
                }
                state.remove(&token);
                self.escaped.remove(&token);
                if let Some(context) = self.loops.last_mut() {
                    context.breaks.remove(&token);
                    context.continues.remove(&token);
                }
            }
        }
        if suppressing {
            state.extend(before);
        }
        if with.is_async {
            if !nursery_only || may_start_tasks(self.model, with, self.scope) {
                checkpoint(&mut state);
            } else {
                schedule_point(&mut state);
            }
        }
        state
    }

    fn try_(&mut self, stmt: &'a StmtTry, state: State) -> State {
        // An exception may leave the body anywhere: before its first checkpoint, or just
        // after any `yield` in it.
        let mut exceptional = state.clone();
        exceptional.extend(
            yields_in(&stmt.body)
                .into_iter()
                .map(|span| Token::Since(Since::Yield(span))),
        );
        let body_end = self.block(&stmt.body, state);
        let mut handlers_end = State::new();
        let mut catches_all = false;
        for handler in &stmt.handlers {
            let ExceptHandler::ExceptHandler(handler) = handler;
            let mut handler_state = exceptional.clone();
            match &handler.type_ {
                Some(type_) => {
                    if self.model.qualified_name(type_, self.scope).as_deref()
                        == Some("builtins.BaseException")
                    {
                        catches_all = true;
                    }
                    self.expr(type_, &mut handler_state);
                }
                None => catches_all = true,
            }
            handlers_end.extend(self.block(&handler.body, handler_state));
        }
        let mut state = self.block(&stmt.orelse, body_end);
        state.extend(handlers_end);
        if !stmt.finalbody.is_empty() {
            // An uncaught exception runs `finally` too, then propagates: those paths go
            // through it but do not continue after the statement.
            let added: State = exceptional.difference(&state).copied().collect();
            if !catches_all {
                state.extend(added.iter().copied());
            }
            state = self.block(&stmt.finalbody, state);
            state.retain(|t| !added.contains(t));
        }
        state
    }
}

/// A `while` test that is always true: `True`, a non-zero number, a non-empty string
/// (`while ...:` is taken as a placeholder for a condition, as flake8-async does).
fn is_truthy_constant(test: &Expr) -> bool {
    match test {
        Expr::BooleanLiteral(b) => b.value,
        Expr::NumberLiteral(n) => match &n.value {
            ruff_python_ast::Number::Int(i) => i.as_u64() != Some(0),
            ruff_python_ast::Number::Float(f) => *f != 0.0,
            ruff_python_ast::Number::Complex { real, imag } => *real != 0.0 || *imag != 0.0,
        },
        Expr::StringLiteral(s) => !s.value.to_str().is_empty(),
        _ => false,
    }
}

/// The loop body has a `break` of its own (not of a nested loop, not in a nested def).
pub fn directly_breaks(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Break(_) => true,
        Stmt::If(s) => {
            directly_breaks(&s.body) || s.elif_else_clauses.iter().any(|c| directly_breaks(&c.body))
        }
        Stmt::With(s) => directly_breaks(&s.body),
        Stmt::Try(s) => {
            directly_breaks(&s.body)
                || directly_breaks(&s.orelse)
                || directly_breaks(&s.finalbody)
                || s.handlers.iter().any(|h| {
                    let ExceptHandler::ExceptHandler(h) = h;
                    directly_breaks(&h.body)
                })
        }
        Stmt::Match(s) => s.cases.iter().any(|c| directly_breaks(&c.body)),
        // A `break` in a nested loop's `else` leaves the outer loop.
        Stmt::For(s) => directly_breaks(&s.orelse),
        Stmt::While(s) => directly_breaks(&s.orelse),
        _ => false,
    })
}

/// The `yield`s evaluated in a block (not in nested functions, lambdas or classes).
pub fn yields_in(body: &[Stmt]) -> Vec<Span> {
    struct Finder(Vec<Span>);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            crate::analysis::cancellation::deep(|| {
                if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                    visitor::walk_stmt(self, stmt);
                }
            })
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            crate::analysis::cancellation::deep(|| match expr {
                Expr::Yield(_) | Expr::YieldFrom(_) => {
                    self.0.push(Span::of(expr));
                    visitor::walk_expr(self, expr);
                }
                Expr::Lambda(_) => {}
                _ => visitor::walk_expr(self, expr),
            })
        }
    }
    let mut finder = Finder(Vec::new());
    finder.visit_body(body);
    finder.0
}

/// Walks an expression in evaluation order, updating the state of the path.
struct ExprFlow<'f, 'm, 'a> {
    flow: &'f mut Flow<'m, 'a>,
    state: &'f mut State,
}

impl<'a> Visitor<'a> for ExprFlow<'_, '_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        crate::analysis::cancellation::deep(|| {
            let state = std::mem::take(self.state);
            *self.state = self.flow.stmt(stmt, state);
        })
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        crate::analysis::cancellation::deep(|| {
            match expr {
                Expr::Await(await_) => {
                    self.visit_expr(&await_.value);
                    checkpoint(self.state);
                }
                Expr::Yield(yield_) => {
                    if let Some(value) = &yield_.value {
                        self.visit_expr(value);
                    }
                    self.flow
                        .report_missing(ExitPoint::Yield(Span::of(expr)), self.state);
                    self.state.clear();
                    self.state
                        .insert(Token::Since(Since::Yield(Span::of(expr))));
                }
                Expr::YieldFrom(yield_from) => {
                    self.visit_expr(&yield_from.value);
                    self.flow
                        .report_missing(ExitPoint::Yield(Span::of(expr)), self.state);
                    self.state.clear();
                    self.state
                        .insert(Token::Since(Since::Yield(Span::of(expr))));
                }
                Expr::BoolOp(bool_op) => {
                    let mut values = bool_op.values.iter();
                    if let Some(first) = values.next() {
                        self.visit_expr(first);
                    }
                    // Later operands may not run: keep the paths that skip them.
                    for value in values {
                        let skipped = self.state.clone();
                        self.visit_expr(value);
                        self.state.extend(skipped);
                    }
                }
                Expr::If(ternary) => {
                    self.visit_expr(&ternary.test);
                    let before = self.state.clone();
                    self.visit_expr(&ternary.body);
                    let after_body = std::mem::replace(self.state, before);
                    self.visit_expr(&ternary.orelse);
                    self.state.extend(after_body);
                }
                Expr::Lambda(lambda) => {
                    if let Some(parameters) = &lambda.parameters {
                        for default in parameters
                            .iter_non_variadic_params()
                            .filter_map(|p| p.default.as_deref())
                        {
                            self.visit_expr(default);
                        }
                    }
                }
                Expr::Generator(generator) => {
                    // Only the first iterable is evaluated here; the rest runs when the
                    // generator is consumed.
                    if let Some(first) = generator.generators.first() {
                        self.visit_expr(&first.iter);
                    }
                }
                Expr::ListComp(comp) => self.comprehension(&comp.generators, &[&comp.elt]),
                Expr::SetComp(comp) => self.comprehension(&comp.generators, &[&comp.elt]),
                Expr::DictComp(comp) => {
                    let mut elements: Vec<&'a Expr> = Vec::with_capacity(2);
                    if let Some(key) = comp.key.as_deref() {
                        elements.push(key);
                    }
                    elements.push(&comp.value);
                    self.comprehension(&comp.generators, &elements);
                }
                _ => visitor::walk_expr(self, expr),
            }
        })
    }
}

impl<'a> ExprFlow<'_, '_, 'a> {
    /// A list, set or dict comprehension: what surely runs is the first iterable, and the
    /// rest only as far as every loop surely iterates and no condition may skip it.
    fn comprehension(&mut self, generators: &'a [Comprehension], elements: &[&'a Expr]) {
        for generator in generators {
            if generator.is_async {
                self.visit_expr(&generator.iter);
                checkpoint(self.state);
                return;
            }
            self.visit_expr(&generator.iter);
            if !iterates_at_least_once(&generator.iter) {
                return;
            }
            if let Some(first) = generator.ifs.first() {
                self.visit_expr(first);
                return;
            }
        }
        for element in elements {
            self.visit_expr(element);
        }
    }
}

/// An `async def` the checkpoint rules look at, and what the analysis found in it.
pub struct AnalysedFunction<'a> {
    pub def: &'a StmtFunctionDef,
    pub body: ScopeId,
    pub report: CheckpointReport,
    /// An `__aenter__`/`__aexit__` whose partner method checkpoints (or is inherited): it
    /// need not checkpoint itself (ASYNC910/911 only).
    pub exempt_exit_checks: bool,
}

/// Every `async def` of the module worth analysing: not an `@overload`, a pytest fixture
/// or an `@asynccontextmanager`, and not a stub (a body of `pass`, `...` and strings).
pub fn analysed_functions<'a>(model: &ScopeModel<'a>) -> Vec<AnalysedFunction<'a>> {
    let mut out = Vec::new();
    for node in model.nodes_of(ruff_python_ast::NodeKind::StmtFunctionDef) {
        let Some(Stmt::FunctionDef(def)) = node.stmt() else {
            continue;
        };
        if !def.is_async || is_stub(&def.body) {
            continue;
        }
        // `@asynccontextmanager` functions run their caller's block at the `yield`,
        // which is where the caller's checkpoints are.
        let skipped = def.decorator_list.iter().any(|d| {
            matches!(
                super::cancellation::decorator_short_name(d),
                Some("overload" | "fixture")
            ) || super::cancellation::decorator_name(model, d, node.scope_id()).as_deref()
                == Some("contextlib.asynccontextmanager")
        });
        if skipped {
            continue;
        }
        let Some(body) = super::cancellation::body_scope(model, def, node.scope_id()) else {
            continue;
        };
        let Some(report) = analyse(model, def, body) else {
            continue;
        };
        out.push(AnalysedFunction {
            def,
            body,
            report,
            exempt_exit_checks: exempt_context_method(model, def, node.scope_id()),
        });
    }
    out
}

/// A body of only `pass`, `...` and string literals.
pub fn is_stub(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(e) => matches!(&*e.value, Expr::EllipsisLiteral(_) | Expr::StringLiteral(_)),
        _ => false,
    })
}

/// `__aenter__` and `__aexit__` may leave the checkpoint to each other: one that has no
/// checkpoint at all is exempt when its partner in the same class has one, or when the
/// class has bases it may inherit the partner from. When neither has one, only
/// `__aenter__` is reported.
fn exempt_context_method(
    model: &ScopeModel<'_>,
    def: &StmtFunctionDef,
    enclosing: ScopeId,
) -> bool {
    let name = def.name.as_str();
    let partner = match name {
        "__aenter__" => "__aexit__",
        "__aexit__" => "__aenter__",
        _ => return false,
    };
    if model.scope(enclosing).kind != crate::scope::ScopeKind::Class {
        return false;
    }
    if has_any_checkpoint(&def.body) {
        return false;
    }
    match model.method_of(enclosing, partner) {
        Some(other) if other.is_async => has_any_checkpoint(&other.body) || name == "__aexit__",
        Some(_) => false,
        None => match model.scope(enclosing).node {
            Some(crate::scope::NodeRef::Stmt(Stmt::ClassDef(class))) => !class.bases().is_empty(),
            _ => false,
        },
    }
}

/// Any `await`, `async with` or `async for` anywhere in a block.
fn has_any_checkpoint(body: &[Stmt]) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            crate::analysis::cancellation::deep(|| match stmt {
                Stmt::With(w) if w.is_async => self.0 = true,
                Stmt::For(f) if f.is_async => self.0 = true,
                _ => visitor::walk_stmt(self, stmt),
            })
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            crate::analysis::cancellation::deep(|| {
                if matches!(expr, Expr::Await(_)) {
                    self.0 = true;
                }
                visitor::walk_expr(self, expr);
            })
        }
    }
    let mut finder = Finder(false);
    finder.visit_body(body);
    finder.0
}
