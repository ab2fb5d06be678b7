//! What trio, anyio and asyncio do about cancellation, as data, and the questions
//! flake8-async's structured-concurrency checks (ASYNC1xx, ASYNC9xx) ask about it: which
//! calls open a cancel scope or a nursery, which exceptions carry a cancellation, where a
//! block of code can be cancelled.
//!
//! Names are dotted as reached through imports (`trio.move_on_after`), so an aliased import
//! counts and a shadowed name does not.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Comprehension, Expr, Stmt, StmtFunctionDef, StmtWith};
use ruff_text_size::{Ranged, TextRange};

use crate::scope::{BindingKind, Node, NodeRef, Resolution, ScopeId, ScopeModel};

/// trio's and anyio's cancel-scope constructors (anyio has no `*_at` ones, but an unknown
/// name is harmless).
pub const CANCEL_SCOPE_NAMES: &[&str] = &[
    "fail_after",
    "fail_at",
    "move_on_after",
    "move_on_at",
    "CancelScope",
];

/// asyncio's context managers that cancel their body on a deadline.
pub const ASYNCIO_TIMEOUTS: &[&str] = &[
    "asyncio.timeout",
    "asyncio.timeout_at",
    "asyncio.timeouts.timeout",
    "asyncio.timeouts.timeout_at",
    "asyncio.Timeout",
    "asyncio.timeouts.Timeout",
];

/// A call that opens a cancel scope: `trio.move_on_after(5)`, `asyncio.timeout(5)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelScopeCall {
    /// `trio`, `anyio` or `asyncio`.
    pub library: &'static str,
    /// The constructor's own name: `move_on_after`, `CancelScope`, `timeout`.
    pub name: String,
}

impl CancelScopeCall {
    /// `trio.move_on_after`, as users know it.
    pub fn display(&self) -> String {
        format!("{}.{}", self.library, self.name)
    }
}

fn library_of(qualified: &str) -> Option<(&'static str, &str)> {
    for library in ["trio", "anyio", "asyncio"] {
        if let Some(rest) = qualified
            .strip_prefix(library)
            .and_then(|r| r.strip_prefix('.'))
        {
            return Some((library, rest));
        }
    }
    None
}

/// The dotted name of the function a call calls, through imports.
pub fn called_name(model: &ScopeModel<'_>, expr: &Expr, scope: ScopeId) -> Option<String> {
    let Expr::Call(call) = expr else {
        return None;
    };
    model
        .qualified_name(&call.func, scope)
        .map(|name| name.to_string())
}

/// `expr` is a call of a trio/anyio cancel-scope constructor or of an asyncio timeout.
pub fn cancel_scope_call(
    model: &ScopeModel<'_>,
    expr: &Expr,
    scope: ScopeId,
) -> Option<CancelScopeCall> {
    let name = called_name(model, expr, scope)?;
    let (library, rest) = library_of(&name)?;
    if library == "asyncio" {
        if ASYNCIO_TIMEOUTS.contains(&name.as_str()) && !name.ends_with("Timeout") {
            let short = rest.rsplit('.').next().unwrap_or(rest);
            return Some(CancelScopeCall {
                library,
                name: short.to_string(),
            });
        }
        return None;
    }
    CANCEL_SCOPE_NAMES.contains(&rest).then(|| CancelScopeCall {
        library,
        name: rest.to_string(),
    })
}

/// Which kind of nursery a call opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NurseryKind {
    /// `trio.open_nursery()`.
    Trio,
    /// `anyio.create_task_group()`.
    Anyio,
    /// `asyncio.TaskGroup()`.
    Asyncio,
}

impl NurseryKind {
    /// How the library calls it.
    pub fn noun(self) -> &'static str {
        match self {
            NurseryKind::Trio => "nursery",
            NurseryKind::Anyio | NurseryKind::Asyncio => "task group",
        }
    }

    /// The methods that start a task in it.
    pub fn start_methods(self) -> &'static [&'static str] {
        match self {
            NurseryKind::Trio | NurseryKind::Anyio => &["start", "start_soon"],
            NurseryKind::Asyncio => &["create_task"],
        }
    }
}

/// `expr` is a call that opens a nursery or task group.
pub fn nursery_call(model: &ScopeModel<'_>, expr: &Expr, scope: ScopeId) -> Option<NurseryKind> {
    match called_name(model, expr, scope)?.as_str() {
        "trio.open_nursery" => Some(NurseryKind::Trio),
        "anyio.create_task_group" => Some(NurseryKind::Anyio),
        "asyncio.TaskGroup" | "asyncio.taskgroups.TaskGroup" => Some(NurseryKind::Asyncio),
        _ => None,
    }
}

/// The classes a nursery or task group object is an instance of, for annotated names.
pub const NURSERY_CLASSES: &[(&str, NurseryKind)] = &[
    ("trio.Nursery", NurseryKind::Trio),
    ("anyio.abc.TaskGroup", NurseryKind::Anyio),
    ("anyio.TaskGroup", NurseryKind::Anyio),
    ("asyncio.TaskGroup", NurseryKind::Asyncio),
    ("asyncio.taskgroups.TaskGroup", NurseryKind::Asyncio),
];

/// Context managers inside which a generator must not `yield` (unless it implements a
/// context manager itself): they open a cancel scope or a nursery, directly or inside.
pub const YIELD_UNSAFE_CONTEXT_MANAGERS: &[&str] = &[
    "trio.open_nursery",
    "anyio.create_task_group",
    "asyncio.TaskGroup",
    "asyncio.taskgroups.TaskGroup",
    "asyncio.timeout",
    "asyncio.timeout_at",
    "asyncio.timeouts.timeout",
    "asyncio.timeouts.timeout_at",
    "trio.fail_after",
    "trio.fail_at",
    "trio.move_on_after",
    "trio.move_on_at",
    "trio.CancelScope",
    "anyio.fail_after",
    "anyio.fail_at",
    "anyio.move_on_after",
    "anyio.move_on_at",
    "anyio.CancelScope",
    "trio_websocket.open_websocket",
    "trio_websocket.open_websocket_url",
    "trio_websocket.serve_websocket",
    "trio_asyncio.open_loop",
    "trio_parallel.open_worker_context",
    "trio_util.move_on_when",
    "trio_util.run_and_cancelling",
    "qtrio.open_emissions_nursery",
    "qtrio.enter_emissions_channel",
    "anyio.from_thread.BlockingPortal",
    "anyio.from_thread.start_blocking_portal",
    "asgi_lifespan.LifespanManager",
    "apscheduler.AsyncScheduler",
    "mcp.client.streamable_http.streamablehttp_client",
    "mcp.client.sse.sse_client",
];

/// trio's coroutine functions, which must be awaited where they are called (ASYNC105).
pub const TRIO_COROUTINE_FUNCTIONS: &[&str] = &[
    "trio.aclose_forcefully",
    "trio.open_file",
    "trio.open_ssl_over_tcp_listeners",
    "trio.open_ssl_over_tcp_stream",
    "trio.open_tcp_listeners",
    "trio.open_tcp_stream",
    "trio.open_unix_socket",
    "trio.run_process",
    "trio.serve_listeners",
    "trio.serve_ssl_over_tcp",
    "trio.serve_tcp",
    "trio.sleep",
    "trio.sleep_forever",
    "trio.sleep_until",
    "trio.lowlevel.cancel_shielded_checkpoint",
    "trio.lowlevel.checkpoint",
    "trio.lowlevel.checkpoint_if_cancelled",
    "trio.lowlevel.open_process",
    "trio.lowlevel.permanently_detach_coroutine_object",
    "trio.lowlevel.reattach_detached_coroutine_object",
    "trio.lowlevel.temporarily_detach_coroutine_object",
    "trio.lowlevel.wait_readable",
    "trio.lowlevel.wait_task_rescheduled",
    "trio.lowlevel.wait_writable",
];

/// Context managers that swallow the exceptions they are given: code after them runs even
/// when their body stopped half-way.
pub const EXCEPTION_SUPPRESSING_CONTEXT_MANAGERS: &[&str] = &["contextlib.suppress"];

/// What an `except` clause catches that carries a cancellation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CriticalKind {
    /// A bare `except:`.
    Bare,
    /// `except BaseException`.
    BaseException,
    /// `except trio.Cancelled`.
    TrioCancelled,
    /// `except anyio.get_cancelled_exc_class()`.
    AnyioCancelled,
    /// `except asyncio.CancelledError`.
    AsyncioCancelled,
}

impl CriticalKind {
    /// Catches every library's cancellation (not only one library's exception class).
    pub fn catches_everything(self) -> bool {
        matches!(self, CriticalKind::Bare | CriticalKind::BaseException)
    }
}

/// An `except` clause that catches a cancellation: what it catches, how it is written, and
/// where (the clause, or the element of its tuple).
#[derive(Clone, Debug)]
pub struct CriticalExcept {
    pub kind: CriticalKind,
    /// `bare except`, `BaseException`, `trio.Cancelled`, ... as written.
    pub text: String,
    pub range: TextRange,
}

/// Whether one exception expression is a cancellation class (through imports).
pub fn cancellation_class(
    model: &ScopeModel<'_>,
    expr: &Expr,
    scope: ScopeId,
) -> Option<CriticalKind> {
    if let Expr::Call(call) = expr {
        if !call.arguments.is_empty() {
            return None;
        }
        return (model.qualified_name(&call.func, scope).as_deref()
            == Some("anyio.get_cancelled_exc_class"))
        .then_some(CriticalKind::AnyioCancelled);
    }
    match model.qualified_name(expr, scope)?.as_ref() {
        "builtins.BaseException" => Some(CriticalKind::BaseException),
        "trio.Cancelled" => Some(CriticalKind::TrioCancelled),
        "asyncio.CancelledError" | "asyncio.exceptions.CancelledError" => {
            Some(CriticalKind::AsyncioCancelled)
        }
        _ => None,
    }
}

/// The cancellation an `except` clause catches, if any: a bare `except:`, or the first
/// element of its type (or tuple of types) that is a cancellation class.
pub fn critical_except(
    model: &ScopeModel<'_>,
    handler: &ruff_python_ast::ExceptHandlerExceptHandler,
    source: &str,
    scope: ScopeId,
) -> Option<CriticalExcept> {
    let Some(type_) = handler.type_.as_deref() else {
        return Some(CriticalExcept {
            kind: CriticalKind::Bare,
            text: "bare except".to_string(),
            range: handler.range(),
        });
    };
    let elements: Vec<&Expr> = match type_ {
        Expr::Tuple(tuple) => tuple.elts.iter().collect(),
        other => vec![other],
    };
    elements.into_iter().find_map(|element| {
        cancellation_class(model, element, scope).map(|kind| CriticalExcept {
            kind,
            text: source[element.range()].to_string(),
            range: element.range(),
        })
    })
}

/// Whether `expr` always iterates at least once: a non-empty literal display or string,
/// or `range()` of integer literals with a non-empty result.
pub fn iterates_at_least_once(expr: &Expr) -> bool {
    deep(|| iterates_at_least_once_of(expr))
}

fn iterates_at_least_once_of(expr: &Expr) -> bool {
    match expr {
        Expr::List(list) => elements_iterate(&list.elts),
        Expr::Tuple(tuple) => elements_iterate(&tuple.elts),
        Expr::Set(set) => elements_iterate(&set.elts),
        Expr::StringLiteral(s) => !s.value.to_str().is_empty(),
        Expr::BytesLiteral(b) => b.value.iter().any(|part| !part.value.is_empty()),
        Expr::Dict(dict) => dict
            .items
            .iter()
            .any(|item| match (&item.key, &item.value) {
                (None, value) => iterates_at_least_once(value),
                (Some(_), _) => true,
            }),
        Expr::Call(call) => {
            let Expr::Name(name) = &*call.func else {
                return false;
            };
            if name.id.as_str() != "range" || !call.arguments.keywords.is_empty() {
                return false;
            }
            let values: Option<Vec<i128>> = call.arguments.args.iter().map(int_literal).collect();
            match values.as_deref() {
                Some([stop]) => *stop > 0,
                Some([start, stop]) => stop > start,
                Some([start, stop, step]) if *step != 0 => {
                    if *step > 0 {
                        stop > start
                    } else {
                        stop < start
                    }
                }
                _ => false,
            }
        }
        _ => false,
    }
}

fn elements_iterate(elements: &[Expr]) -> bool {
    elements.iter().any(|e| match e {
        Expr::Starred(starred) => iterates_at_least_once(&starred.value),
        _ => true,
    })
}

/// An integer literal, possibly negated (huge ones saturate, which keeps their sign).
fn int_literal(expr: &Expr) -> Option<i128> {
    deep(|| int_literal_of(expr))
}

fn int_literal_of(expr: &Expr) -> Option<i128> {
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            ruff_python_ast::Number::Int(i) => Some(i.as_i64().map_or(i128::MAX, i128::from)),
            _ => None,
        },
        Expr::UnaryOp(unary) => {
            let value = int_literal(&unary.operand)?;
            match unary.op {
                ruff_python_ast::UnaryOp::USub => Some(-value),
                ruff_python_ast::UnaryOp::UAdd => Some(value),
                ruff_python_ast::UnaryOp::Invert => Some(!value),
                ruff_python_ast::UnaryOp::Not => None,
            }
        }
        _ => None,
    }
}

/// The decorator's own name, whatever it is called on or with: `fixture` for
/// `@pytest.fixture(scope="module")`.
pub fn decorator_short_name(decorator: &ruff_python_ast::Decorator) -> Option<&str> {
    let mut expr = &decorator.expression;
    if let Expr::Call(call) = expr {
        expr = &call.func;
    }
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        _ => None,
    }
}

/// The decorator's dotted name through imports, or as written when it is not imported.
pub fn decorator_name(
    model: &ScopeModel<'_>,
    decorator: &ruff_python_ast::Decorator,
    scope: ScopeId,
) -> Option<String> {
    let mut expr = &decorator.expression;
    if let Expr::Call(call) = expr {
        expr = &call.func;
    }
    model
        .qualified_name(expr, scope)
        .map(|name| name.to_string())
}

/// The `with` statement a name was bound by as `as` target, with the item's context
/// expression and the scope the statement is in: `nursery` in
/// `async with trio.open_nursery() as nursery:`.
pub fn with_target<'a>(
    model: &ScopeModel<'a>,
    name: &str,
    scope: ScopeId,
) -> Option<(&'a StmtWith, &'a Expr, ScopeId)> {
    let Resolution::Unique(id) = model.resolve_name(name, scope) else {
        return None;
    };
    let binding = model.binding(id);
    let BindingKind::WithItem { context } = binding.kind else {
        return None;
    };
    let target = model.node(binding.node?);
    let Some(Stmt::With(with)) = target.parent()?.stmt() else {
        return None;
    };
    Some((with, context, target.scope_id()))
}

/// Whether `range` lies inside the body of `with` (not in its items).
pub fn in_with_body(with: &StmtWith, range: TextRange) -> bool {
    body_range(&with.body).is_some_and(|body| body.contains_range(range))
}

/// From the first statement of a block to the end of its last.
pub fn body_range(body: &[Stmt]) -> Option<TextRange> {
    let first = body.first()?;
    let last = body.last()?;
    Some(TextRange::new(first.start(), last.end()))
}

/// The statements and expressions enclosing `node`, innermost first, up to the function,
/// lambda or class it is evaluated in (which is not included).
pub fn enclosing_in_function<'m, 'a>(
    node: Node<'m, 'a>,
) -> impl Iterator<Item = Node<'m, 'a>> + use<'m, 'a> {
    let mut current = node.parent();
    std::iter::from_fn(move || {
        let parent = current?;
        let boundary = match parent.stmt() {
            Some(Stmt::FunctionDef(_) | Stmt::ClassDef(_)) => true,
            _ => matches!(parent.expr(), Some(Expr::Lambda(_))),
        };
        if boundary {
            current = None;
            return None;
        }
        current = parent.parent();
        Some(parent)
    })
}

/// Whether code run by `body` can be cancelled: it awaits, iterates with `async for`,
/// enters an `async with` (other than a nursery that starts no task), yields (the caller
/// may cancel at its own checkpoints) or raises. Nested functions, lambdas and the bodies
/// of generator expressions do not count: they do not run here.
pub fn has_cancel_point(model: &ScopeModel<'_>, body: &[Stmt], scope: ScopeId) -> bool {
    let mut finder = CancelPointFinder {
        model,
        scope,
        found: false,
    };
    finder.visit_body(body);
    finder.found
}

struct CancelPointFinder<'m, 'a> {
    model: &'m ScopeModel<'a>,
    scope: ScopeId,
    found: bool,
}

impl<'a> Visitor<'a> for CancelPointFinder<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        crate::analysis::cancellation::deep(|| {
            if self.found {
                return;
            }
            match stmt {
                Stmt::FunctionDef(def) => {
                    for decorator in &def.decorator_list {
                        self.visit_expr(&decorator.expression);
                    }
                    for default in def
                        .parameters
                        .iter_non_variadic_params()
                        .filter_map(|p| p.default.as_deref())
                    {
                        self.visit_expr(default);
                    }
                }
                Stmt::ClassDef(class) => {
                    for decorator in &class.decorator_list {
                        self.visit_expr(&decorator.expression);
                    }
                    if let Some(arguments) = &class.arguments {
                        self.visit_arguments(arguments);
                    }
                }
                Stmt::Raise(_) => self.found = true,
                Stmt::For(f) if f.is_async => self.found = true,
                Stmt::With(with) if with.is_async => {
                    if !nursery_only(self.model, with, self.scope)
                        || may_start_tasks(self.model, with, self.scope)
                    {
                        self.found = true;
                    } else {
                        visitor::walk_stmt(self, stmt);
                    }
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        })
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        crate::analysis::cancellation::deep(|| {
            if self.found {
                return;
            }
            match expr {
                Expr::Await(_) | Expr::Yield(_) | Expr::YieldFrom(_) => self.found = true,
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
                    if let Some(first) = generator.generators.first() {
                        self.visit_expr(&first.iter);
                    }
                }
                _ => visitor::walk_expr(self, expr),
            }
        })
    }

    fn visit_comprehension(&mut self, comprehension: &'a Comprehension) {
        if comprehension.is_async {
            self.found = true;
            return;
        }
        visitor::walk_comprehension(self, comprehension);
    }
}

/// Every item of an `async with` opens a trio nursery or an anyio task group: entering and
/// leaving it is a schedule point, not a cancel point, unless a task was started in it.
pub fn nursery_only(model: &ScopeModel<'_>, with: &StmtWith, scope: ScopeId) -> bool {
    with.items.iter().all(|item| {
        matches!(
            nursery_call(model, &item.context_expr, scope),
            Some(NurseryKind::Trio | NurseryKind::Anyio)
        )
    })
}

/// The body of a nursery `async with` may start a task in it: it uses the nursery object
/// (`nursery.start_soon(...)`, or passes it on, also from a nested function) other than
/// for its `cancel_scope`. Leaving the nursery then waits for the task, a cancel point.
pub fn may_start_tasks(model: &ScopeModel<'_>, with: &StmtWith, scope: ScopeId) -> bool {
    let mut names: Vec<&str> = Vec::new();
    for item in &with.items {
        if nursery_call(model, &item.context_expr, scope).is_none() {
            continue;
        }
        match item.optional_vars.as_deref() {
            Some(Expr::Name(name)) => names.push(name.id.as_str()),
            // Stored elsewhere (`as self.nursery`): anything may start tasks in it.
            Some(_) => return true,
            None => {}
        }
    }
    if names.is_empty() {
        return false;
    }
    let mut finder = NurseryUse {
        names: &names,
        found: false,
    };
    finder.visit_body(&with.body);
    finder.found
}

struct NurseryUse<'n> {
    names: &'n [&'n str],
    found: bool,
}

impl<'a> Visitor<'a> for NurseryUse<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        deep(|| match expr {
            Expr::Name(name) if self.names.contains(&name.id.as_str()) => self.found = true,
            Expr::Attribute(attribute)
                if attribute.attr.as_str() == "cancel_scope"
                    && matches!(&*attribute.value, Expr::Name(_)) => {}
            _ => visitor::walk_expr(self, expr),
        })
    }
}

/// A literal number, when `expr` is one (possibly negated): for ASYNC116 and ASYNC125.
pub fn number_literal(expr: &Expr) -> Option<f64> {
    deep(|| number_literal_of(expr))
}

fn number_literal_of(expr: &Expr) -> Option<f64> {
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            ruff_python_ast::Number::Int(i) => Some(i.as_u64().map_or(f64::MAX, |v| v as f64)),
            ruff_python_ast::Number::Float(f) => Some(*f),
            ruff_python_ast::Number::Complex { .. } => None,
        },
        Expr::UnaryOp(unary) if unary.op == ruff_python_ast::UnaryOp::USub => {
            number_literal(&unary.operand).map(|v| -v)
        }
        _ => None,
    }
}

/// The 1-based line of a byte offset, for messages that point at another line.
pub fn line_number(source: &str, offset: ruff_text_size::TextSize) -> usize {
    let end = (offset.to_usize()).min(source.len());
    memchr::memchr_iter(b'\n', &source.as_bytes()[..end]).count() + 1
}

/// How a block can receive a cancellation, as far as its own code goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CancellationPoints {
    /// It has a checkpoint: an `await`, an `async for`, an `async with` or an
    /// asynchronous comprehension (not counting nested functions and generator bodies).
    pub any: bool,
    /// Every checkpoint awaits an object that already exists (`await task`): no call
    /// starts new work there.
    pub only_awaits_existing: bool,
}

/// Where a block (a `try` body) can receive a cancellation.
pub fn cancellation_points(body: &[Stmt]) -> CancellationPoints {
    let mut finder = CheckpointFinder {
        any: false,
        only_existing: true,
    };
    finder.visit_body(body);
    CancellationPoints {
        any: finder.any,
        only_awaits_existing: finder.any && finder.only_existing,
    }
}

struct CheckpointFinder {
    any: bool,
    only_existing: bool,
}

impl<'a> Visitor<'a> for CheckpointFinder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        crate::analysis::cancellation::deep(|| match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::For(f) if f.is_async => {
                self.any = true;
                self.only_existing = false;
                visitor::walk_stmt(self, stmt);
            }
            Stmt::With(w) if w.is_async => {
                self.any = true;
                self.only_existing = false;
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        })
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        crate::analysis::cancellation::deep(|| match expr {
            Expr::Await(await_) => {
                self.any = true;
                if !matches!(&*await_.value, Expr::Name(_) | Expr::Attribute(_)) {
                    self.only_existing = false;
                }
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(_) => {}
            Expr::Generator(generator) => {
                if let Some(first) = generator.generators.first() {
                    self.visit_expr(&first.iter);
                }
            }
            _ => visitor::walk_expr(self, expr),
        })
    }

    fn visit_comprehension(&mut self, comprehension: &'a Comprehension) {
        if comprehension.is_async {
            self.any = true;
            self.only_existing = false;
        }
        visitor::walk_comprehension(self, comprehension);
    }
}

/// The kind of nursery a name read at `node` is bound to, when it certainly is one: the
/// `as` target of a nursery's `with` around it, or a name bound once to such a target or
/// annotated with a nursery class (a parameter, `nursery: trio.Nursery = ...`).
pub fn nursery_kind_of(
    model: &ScopeModel<'_>,
    node: Node<'_, '_>,
    expr: &Expr,
    scope: ScopeId,
) -> Option<NurseryKind> {
    let Expr::Name(name) = expr else {
        return None;
    };
    if let Some((_, context, with_scope)) = enclosing_with_target(model, node, name.id.as_str()) {
        return nursery_call(model, context, with_scope);
    }
    if let Some((_, context, with_scope)) = with_target(model, name.id.as_str(), scope) {
        return nursery_call(model, context, with_scope);
    }
    let Resolution::Unique(id) = model.resolve_name(name.id.as_str(), scope) else {
        return None;
    };
    let binding = model.binding(id);
    let annotation = match &binding.kind {
        BindingKind::Parameter {
            annotation: Some(annotation),
            ..
        } => *annotation,
        // `nursery: trio.Nursery = ...`
        _ => match model.node(binding.node?).parent()?.stmt()? {
            Stmt::AnnAssign(assign) => &*assign.annotation,
            _ => return None,
        },
    };
    let class = model.qualified_name(annotation, binding.scope)?;
    NURSERY_CLASSES
        .iter()
        .find(|(name, _)| *name == &*class)
        .map(|(_, kind)| *kind)
}

/// The scope a statement holding an expression evaluated in `scope` runs in: `scope`
/// itself, looking through comprehensions (not through lambdas, which run later).
pub fn statement_scope(model: &ScopeModel<'_>, mut scope: ScopeId) -> ScopeId {
    while model.scope(scope).kind.is_comprehension() {
        match model.scope(scope).parent {
            Some(parent) => scope = parent,
            None => break,
        }
    }
    scope
}

/// The scope of a function's body, from the scope its `def` statement is in.
pub fn body_scope(
    model: &ScopeModel<'_>,
    def: &StmtFunctionDef,
    enclosing: ScopeId,
) -> Option<ScopeId> {
    let bound = model
        .bindings_in(enclosing, def.name.as_str())
        .find_map(|id| match model.binding(id).kind {
            BindingKind::FunctionDef { stmt, body } if std::ptr::eq(stmt, def) => Some(body),
            _ => None,
        });
    bound.or_else(|| {
        model
            .scopes_with_ids()
            .find_map(|(id, scope)| match scope.node {
                Some(NodeRef::Stmt(Stmt::FunctionDef(d))) if std::ptr::eq(d, def) => Some(id),
                _ => None,
            })
    })
}

/// The `with` statement around `node` (in the same function) whose item binds `name` as
/// its `as` target, with that item's context expression and the statement's scope: the
/// value `name` has at `node`, unless the name is bound again inside the statement (then
/// `None`, as it may be something else there).
pub fn enclosing_with_target<'a>(
    model: &ScopeModel<'a>,
    node: Node<'_, 'a>,
    name: &str,
) -> Option<(&'a StmtWith, &'a Expr, ScopeId)> {
    let at = node.range();
    for ancestor in enclosing_in_function(node) {
        let Some(Stmt::With(with)) = ancestor.stmt() else {
            continue;
        };
        if !in_with_body(with, at) {
            continue;
        }
        let item = with.items.iter().rev().find(|item| {
            matches!(item.optional_vars.as_deref(), Some(Expr::Name(target)) if target.id.as_str() == name)
        });
        let Some(item) = item else {
            continue;
        };
        let scope = ancestor.scope_id();
        let target = item.optional_vars.as_deref()?.range();
        let rebound = model.bindings_in(scope, name).any(|id| {
            model.binding(id).node.is_some_and(|n| {
                let range = model.node(n).range();
                range != target && with.range().contains_range(range)
            })
        });
        return (!rebound).then_some((with, &item.context_expr, scope));
    }
    None
}

/// The node of the given kind with exactly this range.
pub fn node_at<'m, 'a>(
    model: &'m ScopeModel<'a>,
    kind: ruff_python_ast::NodeKind,
    range: TextRange,
) -> Option<Node<'m, 'a>> {
    model.nodes_of(kind).find(|node| node.range() == range)
}

/// Runs `f` on a fresh stack segment when the current one runs low: the walks of the
/// checks recurse as deep as the tree, which has no depth limit (`1 + 1 + ... + 1`).
pub fn deep<R>(f: impl FnOnce() -> R) -> R {
    const RED_ZONE: usize = 128 * 1024;
    const SEGMENT: usize = 4 * 1024 * 1024;
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
