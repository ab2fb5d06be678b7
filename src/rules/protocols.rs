//! What protocols a value certainly supports — synchronous or asynchronous iteration,
//! context management — as the module shows it (and, in phase 2, the rest of the
//! project). Shared by the protocol-mismatch rules (AL110–AL118); not a rule itself.
//!
//! Every question answers [`Verdict::Known`] only when the value cannot be anything else:
//! a name must be bound once (and never through `global`/`nonlocal`), a function must be
//! undecorated (or decorated by a decorator we know), a class must have no bases,
//! metaclass or decorator that could add the missing method, and nothing may patch it.

use std::collections::{HashMap, HashSet};

use ruff_python_ast::{AnyNodeRef, Expr, ExprContext, NodeKind, Stmt, StmtClassDef};
use ruff_text_size::TextRange;

use crate::analysis::calls::{Callee, callee};
use crate::analysis::knowledge;
use crate::project::{
    Decoration, FunctionKind, ProjectIndex, Resolved, Target, decoration_of, function_kind,
};
use crate::scope::{BindingId, BindingKind, NodeRef, Resolution, ScopeId, ScopeKind, ScopeModel};

/// How many names and assignments are followed to reach a value.
const MAX_DEPTH: usize = 8;

/// The reasons phase 2 confirms, for the messages of deferred checks.
pub const ASYNC_GENERATOR: &str = "it is an async generator";
pub const ASYNC_GENERATOR_FUNCTION: &str = "it is an async generator function";
pub const SYNC_GENERATOR: &str = "it is a synchronous generator";
pub const ASYNC_CONTEXT_MANAGER_FUNCTION: &str = "it comes from an `@asynccontextmanager` function";
pub const CONTEXT_MANAGER_FUNCTION: &str = "it comes from a `@contextmanager` function";

/// ` (reason)`, or nothing for an empty reason.
pub fn parenthesized(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(" ({reason})")
    }
}

/// What a question about a value found.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// Certainly so, with the reason for the message ("it is an async generator", "`CM`
    /// defines `__aenter__` but not `__enter__`"), empty when the expression itself says it
    /// (`asyncio.Lock()`).
    Known(String),
    /// So if the project function (or method) the value comes from is of the kind the
    /// rule's `decide` function checks, in phase 2.
    Project(Target),
    Unknown,
}

impl Verdict {
    /// Whether the verdict leads to a diagnostic or a deferred check: only then is a
    /// message worth composing.
    pub fn is_reported(&self, checker: &crate::rules::Checker) -> bool {
        match self {
            Verdict::Known(_) => true,
            Verdict::Project(target) => checker.may_defer(target),
            Verdict::Unknown => false,
        }
    }
}

/// What the function of a call is, for what its value supports.
enum Called {
    Function {
        kind: FunctionKind,
        decoration: Decoration,
    },
    /// A class of this module: its body.
    Class(ScopeId),
    /// A dotted name reached through imports (a library, a builtin, another module).
    Qualified(String),
    /// A method of a class known by its dotted name.
    Method(Target),
    Unknown,
}

/// Which protocol a class defines, for its instances.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Protocol {
    AsyncIteration,
    SyncIteration,
    AsyncContext,
    SyncContext,
}

impl Protocol {
    /// The method that must be there, and the ones that must not be.
    fn methods(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Protocol::AsyncIteration => ("__aiter__", &["__iter__", "__getitem__"]),
            Protocol::SyncIteration => ("__iter__", &["__aiter__"]),
            Protocol::AsyncContext => ("__aenter__", &["__enter__"]),
            Protocol::SyncContext => ("__enter__", &["__aenter__"]),
        }
    }
}

/// Answers questions about the values of one module.
pub struct Protocols<'m, 'a> {
    pub model: &'m ScopeModel<'a>,
    /// Comprehension and generator expression scopes, by the address of their expression.
    comprehensions: HashMap<usize, ScopeId>,
    /// Names some scope declares `global` or `nonlocal`: they may be rebound from afar.
    declared: HashSet<&'a str>,
}

fn address(expr: &Expr) -> usize {
    std::ptr::from_ref(expr) as usize
}

impl<'m, 'a> Protocols<'m, 'a> {
    pub fn new(model: &'m ScopeModel<'a>) -> Self {
        let comprehensions = model
            .scopes_with_ids()
            .filter(|(_, scope)| scope.kind.is_comprehension())
            .filter_map(|(id, scope)| match scope.node {
                Some(NodeRef::Expr(expr)) => Some((address(expr), id)),
                _ => None,
            })
            .collect();
        let declared = (0..model.binding_count())
            .map(|i| model.binding(BindingId::from_index(i)))
            .filter(|b| matches!(b.kind, BindingKind::Global | BindingKind::Nonlocal))
            .map(|b| b.name)
            .collect();
        Self {
            model,
            comprehensions,
            declared,
        }
    }

    /// The scope of a comprehension or generator expression.
    pub fn comprehension_scope(&self, expr: &Expr) -> Option<ScopeId> {
        self.comprehensions.get(&address(expr)).copied()
    }

    /// A generator expression that CPython compiles as an async generator (it awaits or
    /// has an `async for`, directly or, from 3.11 on, through a nested comprehension).
    pub fn is_async_genexp(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Generator(_))
            && self
                .comprehension_scope(expr)
                .is_some_and(|s| self.model.scope(s).is_coroutine)
    }

    /// The value a name is bound to and the scope it is evaluated in: only for a name
    /// bound once, by a plain assignment, that no `global`/`nonlocal` may rebind.
    pub fn bound_value(&self, name: &str, scope: ScopeId) -> Option<(&'a Expr, ScopeId)> {
        let Resolution::Unique(id) = self.model.resolve_name(name, scope) else {
            return None;
        };
        let binding = self.model.binding(id);
        let BindingKind::Assignment { value: Some(value) } = binding.kind else {
            return None;
        };
        if self.declared.contains(name) {
            return None;
        }
        Some((value, binding.scope))
    }

    /// The scope an expression of the module is evaluated in.
    fn scope_of(&self, expr: &Expr) -> Option<ScopeId> {
        self.model
            .nodes_of(AnyNodeRef::from(expr).kind())
            .find(|node| node.expr().is_some_and(|e| std::ptr::eq(e, expr)))
            .map(|node| node.scope_id())
    }

    fn called(&self, func: &Expr, scope: ScopeId) -> Called {
        if let Some(class) = self.local_class(func, scope) {
            return Called::Class(class);
        }
        match callee(self.model, func, scope) {
            Callee::Local {
                def,
                body,
                enclosing,
            } => Called::Function {
                kind: function_kind(self.model, def.is_async, body),
                decoration: decoration_of(self.model, &def.decorator_list, enclosing),
            },
            Callee::Qualified(name) => Called::Qualified(String::from(&*name)),
            Callee::InstanceMethod { class, method }
            | Callee::InheritedMethod { class, method } => Called::Method(Target::Method {
                class: String::from(&*class),
                name: String::from(&*method),
            }),
            Callee::Unknown => Called::Unknown,
        }
    }

    /// The body of the class a name refers to, when it is a class of this module.
    fn local_class(&self, expr: &Expr, scope: ScopeId) -> Option<ScopeId> {
        let Expr::Name(name) = expr else {
            return None;
        };
        let Resolution::Unique(id) = self.model.resolve_name(name.id.as_str(), scope) else {
            return None;
        };
        match self.model.binding(id).kind {
            BindingKind::ClassDef { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The `class` statement of a class body, when nothing we cannot see may give its
    /// instances other special methods: no base but `object`, no keyword (metaclass), no
    /// decorator but `dataclass`/`final`, no `__new__` (which may return anything), and no
    /// `Class.__x__ = ...` or `setattr(Class, ...)` anywhere.
    fn closed_class(&self, class: ScopeId) -> Option<&'a StmtClassDef> {
        let scope = self.model.scope(class);
        let Some(NodeRef::Stmt(Stmt::ClassDef(def))) = scope.node else {
            return None;
        };
        let outer = scope.parent?;
        if !def.keywords().is_empty() {
            return None;
        }
        let plain_base = |base: &Expr| {
            self.model.qualified_name(base, outer).as_deref() == Some("builtins.object")
        };
        if !def.bases().iter().all(plain_base) {
            return None;
        }
        let harmless_decorator = |expr: &Expr| {
            let expr = match expr {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            matches!(
                self.model.qualified_name(expr, outer).as_deref(),
                Some(
                    "dataclasses.dataclass"
                        | "typing.final"
                        | "typing_extensions.final"
                        | "functools.total_ordering"
                )
            )
        };
        if !def
            .decorator_list
            .iter()
            .all(|d| harmless_decorator(&d.expression))
        {
            return None;
        }
        if self.defines(class, "__new__") || self.is_patched(class) {
            return None;
        }
        Some(def)
    }

    fn refers_to_class(&self, expr: &Expr, scope: ScopeId, class: ScopeId) -> bool {
        self.local_class(expr, scope) == Some(class)
    }

    /// `Class.__x__ = ...` or `setattr(Class, ...)` somewhere in the module.
    fn is_patched(&self, class: ScopeId) -> bool {
        let stores = self.model.nodes_of(NodeKind::ExprAttribute).any(|node| {
            matches!(node.expr(), Some(Expr::Attribute(a))
                if a.ctx == ExprContext::Store
                    && a.attr.as_str().starts_with("__")
                    && self.refers_to_class(&a.value, node.scope_id(), class))
        });
        stores
            || self.model.nodes_of(NodeKind::ExprCall).any(|node| {
                let Some(Expr::Call(call)) = node.expr() else {
                    return false;
                };
                self.model
                    .qualified_name(&call.func, node.scope_id())
                    .as_deref()
                    == Some("builtins.setattr")
                    && call
                        .arguments
                        .args
                        .first()
                        .is_some_and(|a| self.refers_to_class(a, node.scope_id(), class))
            })
    }

    /// The class body binds `name` (a method, an assignment, anything).
    pub fn defines(&self, class: ScopeId, name: &str) -> bool {
        self.model.bindings_in(class, name).next().is_some()
    }

    /// Whether an instance of the class may be awaitable: it defines `__await__`, or we
    /// cannot see everything it has.
    pub fn instances_may_be_awaitable(&self, class: ScopeId) -> bool {
        self.closed_class(class).is_none() || self.defines(class, "__await__")
    }

    fn class_verdict(&self, class: ScopeId, protocol: Protocol) -> Verdict {
        let Some(def) = self.closed_class(class) else {
            return Verdict::Unknown;
        };
        let (wanted, unwanted) = protocol.methods();
        if !self.defines(class, wanted) || unwanted.iter().any(|m| self.defines(class, m)) {
            return Verdict::Unknown;
        }
        Verdict::Known(format!(
            "`{}` defines `{wanted}` but not `{}`",
            def.name, unwanted[0]
        ))
    }

    /// A value that supports only `async for`: an async generator (a call to an async
    /// generator function, an async generator expression) or an instance of a class of the
    /// module with `__aiter__` but no `__iter__`. In phase 2: a call to a project async
    /// generator function (decide with [`decide_async_generator`]).
    pub fn async_only_iterable(&self, expr: &Expr, scope: ScopeId) -> Verdict {
        self.async_iterable(expr, scope, 0, true)
    }

    /// An async generator object: a call to an async generator function, or an async
    /// generator expression. In phase 2: decide with [`decide_async_generator`].
    pub fn async_generator(&self, expr: &Expr, scope: ScopeId) -> Verdict {
        self.async_iterable(expr, scope, 0, false)
    }

    fn async_iterable(
        &self,
        expr: &Expr,
        scope: ScopeId,
        depth: usize,
        instances: bool,
    ) -> Verdict {
        if depth > MAX_DEPTH {
            return Verdict::Unknown;
        }
        match expr {
            Expr::Generator(_) if self.is_async_genexp(expr) => {
                Verdict::Known("it is an async generator expression".into())
            }
            Expr::Call(call) => match self.called(&call.func, scope) {
                Called::Function {
                    kind: FunctionKind::AsyncGenerator,
                    decoration: Decoration::None,
                } => Verdict::Known(ASYNC_GENERATOR.into()),
                Called::Class(class) if instances => {
                    self.class_verdict(class, Protocol::AsyncIteration)
                }
                Called::Qualified(name) => project_symbol(name),
                Called::Method(target) => Verdict::Project(target),
                _ => Verdict::Unknown,
            },
            Expr::Name(name) => match self.bound_value(name.id.as_str(), scope) {
                Some((value, scope)) => self.async_iterable(value, scope, depth + 1, instances),
                None => Verdict::Unknown,
            },
            Expr::Named(named) => self.async_iterable(&named.value, scope, depth + 1, instances),
            _ => Verdict::Unknown,
        }
    }

    /// An async generator function referred to (not called): a `def` of the module, or in
    /// phase 2 a project function (decide with [`decide_async_generator`]).
    pub fn async_generator_function(&self, expr: &Expr, scope: ScopeId) -> Verdict {
        if !matches!(expr, Expr::Name(_) | Expr::Attribute(_)) {
            return Verdict::Unknown;
        }
        match self.called(expr, scope) {
            Called::Function {
                kind: FunctionKind::AsyncGenerator,
                decoration: Decoration::None,
            } => Verdict::Known(ASYNC_GENERATOR_FUNCTION.into()),
            Called::Qualified(name) => project_symbol(name),
            Called::Method(target) => Verdict::Project(target),
            _ => Verdict::Unknown,
        }
    }

    /// A value that supports only plain iteration: a display or comprehension, a
    /// synchronous generator expression, a call to a synchronous generator function or to
    /// a library function returning a plain iterable (`range()`, `zip()`…), an instance of
    /// a class of the module with `__iter__` but no `__aiter__`. In phase 2: a call to a
    /// project generator function (decide with [`decide_sync_generator`]).
    pub fn sync_only_iterable(&self, expr: &Expr, scope: ScopeId) -> Verdict {
        self.sync_iterable(expr, scope, 0)
    }

    fn sync_iterable(&self, expr: &Expr, scope: ScopeId, depth: usize) -> Verdict {
        if depth > MAX_DEPTH {
            return Verdict::Unknown;
        }
        let known = |what: &str| Verdict::Known(what.to_string());
        match expr {
            Expr::List(_) | Expr::ListComp(_) => known("it is a list"),
            Expr::Tuple(_) => known("it is a tuple"),
            Expr::Set(_) | Expr::SetComp(_) => known("it is a set"),
            Expr::Dict(_) | Expr::DictComp(_) => known("it is a dict"),
            Expr::StringLiteral(_) | Expr::FString(_) => known("it is a string"),
            Expr::BytesLiteral(_) => known("it is a bytes object"),
            Expr::Generator(_) => match self.comprehension_scope(expr) {
                Some(s) if !self.model.scope(s).is_coroutine => {
                    known("it is a synchronous generator expression")
                }
                _ => Verdict::Unknown,
            },
            Expr::Call(call) => match self.called(&call.func, scope) {
                Called::Function {
                    kind: FunctionKind::SyncGenerator,
                    decoration: Decoration::None,
                } => known(SYNC_GENERATOR),
                Called::Class(class) => self.class_verdict(class, Protocol::SyncIteration),
                Called::Qualified(name) if knowledge::is_sync_iterable_factory(&name) => {
                    let short = name.strip_prefix("builtins.").unwrap_or(&name);
                    Verdict::Known(if depth == 0 {
                        String::new()
                    } else {
                        format!("it holds what `{short}()` returns")
                    })
                }
                Called::Qualified(name) => project_symbol(name),
                Called::Method(target) => Verdict::Project(target),
                _ => Verdict::Unknown,
            },
            Expr::Name(name) => match self.bound_value(name.id.as_str(), scope) {
                Some((value, scope)) => self.sync_iterable(value, scope, depth + 1),
                None => Verdict::Unknown,
            },
            Expr::Named(named) => self.sync_iterable(&named.value, scope, depth + 1),
            _ => Verdict::Unknown,
        }
    }

    /// An object that supports only `async with`: see
    /// [`knowledge::ASYNC_ONLY_CONTEXT_MANAGERS`], `@asynccontextmanager` functions, classes
    /// of the module with `__aenter__` but no `__enter__`, and names or `self.attr` bound to
    /// those. In phase 2: decide with [`decide_async_context_manager`].
    pub fn async_only_context_manager(&self, expr: &Expr, scope: ScopeId) -> Verdict {
        self.context_manager(expr, scope, 0, true)
    }

    /// An object that supports only `with` (the mirror of
    /// [`Self::async_only_context_manager`]). In phase 2: decide with
    /// [`decide_sync_context_manager`].
    pub fn sync_only_context_manager(&self, expr: &Expr, scope: ScopeId) -> Verdict {
        self.context_manager(expr, scope, 0, false)
    }

    fn context_manager(
        &self,
        expr: &Expr,
        scope: ScopeId,
        depth: usize,
        async_only: bool,
    ) -> Verdict {
        if depth > MAX_DEPTH {
            return Verdict::Unknown;
        }
        match expr {
            Expr::Call(call) => match self.called(&call.func, scope) {
                Called::Function { decoration, .. } => match (decoration, async_only) {
                    (Decoration::AsyncContextManager, true) => {
                        Verdict::Known(ASYNC_CONTEXT_MANAGER_FUNCTION.into())
                    }
                    (Decoration::ContextManager, false) => {
                        Verdict::Known(CONTEXT_MANAGER_FUNCTION.into())
                    }
                    _ => Verdict::Unknown,
                },
                Called::Class(class) => self.class_verdict(
                    class,
                    if async_only {
                        Protocol::AsyncContext
                    } else {
                        Protocol::SyncContext
                    },
                ),
                Called::Qualified(name) => {
                    let table = if async_only {
                        knowledge::is_async_only_context_manager(&name)
                    } else {
                        knowledge::is_sync_only_context_manager(&name)
                    };
                    if table {
                        let short = name.strip_prefix("builtins.").unwrap_or(&name);
                        Verdict::Known(if depth == 0 {
                            String::new()
                        } else {
                            format!("it holds what `{short}()` returns")
                        })
                    } else {
                        project_symbol(name)
                    }
                }
                Called::Method(target) => Verdict::Project(target),
                Called::Unknown => Verdict::Unknown,
            },
            Expr::Name(name) => match self.bound_value(name.id.as_str(), scope) {
                Some((value, scope)) => self.context_manager(value, scope, depth + 1, async_only),
                None => Verdict::Unknown,
            },
            Expr::Named(named) => self.context_manager(&named.value, scope, depth + 1, async_only),
            Expr::Attribute(attribute) => {
                self.self_attribute_context_manager(attribute, scope, depth, async_only)
            }
            _ => Verdict::Unknown,
        }
    }

    /// `self.attr` in a method, when the method's class assigns `self.attr` and every
    /// `self.attr = ...` of every class of the module assigns a context manager of the kind
    /// asked about.
    fn self_attribute_context_manager(
        &self,
        attribute: &ruff_python_ast::ExprAttribute,
        scope: ScopeId,
        depth: usize,
        async_only: bool,
    ) -> Verdict {
        let Expr::Name(receiver) = &*attribute.value else {
            return Verdict::Unknown;
        };
        let Resolution::Unique(id) = self.model.resolve_name(receiver.id.as_str(), scope) else {
            return Verdict::Unknown;
        };
        if !matches!(
            self.model.binding(id).kind,
            BindingKind::Parameter { index: 0, .. }
        ) {
            return Verdict::Unknown;
        }
        let Some(own_class) = self.model.class_of_receiver(&attribute.value, scope) else {
            return Verdict::Unknown;
        };
        let name = attribute.attr.as_str();
        // The class must assign the attribute itself, and not also bind it in its body (a
        // class attribute or a property the instance may see instead).
        if self
            .model
            .attribute_assignments(own_class, name)
            .next()
            .is_none()
            || self.defines(own_class, name)
        {
            return Verdict::Unknown;
        }
        let classes = self
            .model
            .scopes_with_ids()
            .filter(|(_, s)| s.kind == ScopeKind::Class)
            .map(|(id, _)| id);
        let mut found = None;
        for class in classes {
            for assignment in self.model.attribute_assignments(class, name) {
                let Some(value_scope) = self.scope_of(assignment.value) else {
                    return Verdict::Unknown;
                };
                match self.context_manager(assignment.value, value_scope, depth + 1, async_only) {
                    Verdict::Known(what) => {
                        found.get_or_insert(what);
                    }
                    _ => return Verdict::Unknown,
                }
            }
        }
        found.map_or(Verdict::Unknown, Verdict::Known)
    }

    /// The dotted name of the library call a value was made by (following names bound
    /// once): `asyncio.Lock` for `lock` after `lock = asyncio.Lock()`; the plain name of a
    /// class of the module.
    pub fn constructor(&self, expr: &Expr, scope: ScopeId) -> Option<String> {
        let mut current = (expr, scope);
        for _ in 0..MAX_DEPTH {
            match current.0 {
                Expr::Call(call) => {
                    // A class of the module is named by its plain name, which no library
                    // name is.
                    if let Some(class) = self.local_class(&call.func, current.1)
                        && let Some(NodeRef::Stmt(Stmt::ClassDef(def))) =
                            self.model.scope(class).node
                    {
                        return Some(def.name.to_string());
                    }
                    return self
                        .model
                        .qualified_name(&call.func, current.1)
                        .map(|name| name.to_string());
                }
                Expr::Name(name) => current = self.bound_value(name.id.as_str(), current.1)?,
                _ => return None,
            }
        }
        None
    }
}

/// A dotted name phase 2 may find in the project (builtins never are).
fn project_symbol(name: String) -> Verdict {
    if name.starts_with("builtins.") {
        Verdict::Unknown
    } else {
        Verdict::Project(Target::Symbol(name))
    }
}

/// The body scope of a `def` statement evaluated in `scope`.
pub fn function_body(
    model: &ScopeModel<'_>,
    def: &ruff_python_ast::StmtFunctionDef,
    scope: ScopeId,
) -> Option<ScopeId> {
    model
        .bindings_in(scope, def.name.as_str())
        .find_map(|id| match model.binding(id).kind {
            BindingKind::FunctionDef { stmt, body } if std::ptr::eq(stmt, def) => Some(body),
            _ => None,
        })
}

/// How an expression is shown in a message: its source, shortened when long.
pub fn shown(source: &str, range: TextRange) -> String {
    const LIMIT: usize = 40;
    let text = &source[range];
    let first_line = text.lines().next().unwrap_or("");
    if first_line.len() == text.len() && text.chars().count() <= LIMIT {
        return text.to_string();
    }
    let cut: String = first_line.chars().take(LIMIT - 3).collect();
    format!("{}…", cut.trim_end())
}

/// Phase 2: the value comes from an (undecorated) async generator function.
pub fn decide_async_generator(
    resolved: Resolved<'_>,
    _: &ProjectIndex,
    message: &str,
) -> Option<String> {
    match resolved {
        Resolved::Function(f) if f.returns_async_generator() => Some(message.to_string()),
        _ => None,
    }
}

/// Phase 2: the value comes from an (undecorated) synchronous generator function.
pub fn decide_sync_generator(
    resolved: Resolved<'_>,
    _: &ProjectIndex,
    message: &str,
) -> Option<String> {
    match resolved {
        Resolved::Function(f)
            if f.kind == FunctionKind::SyncGenerator && f.decoration == Decoration::None =>
        {
            Some(message.to_string())
        }
        _ => None,
    }
}

/// Phase 2: the value comes from an `@asynccontextmanager` function.
pub fn decide_async_context_manager(
    resolved: Resolved<'_>,
    _: &ProjectIndex,
    message: &str,
) -> Option<String> {
    match resolved {
        Resolved::Function(f) if f.decoration == Decoration::AsyncContextManager => {
            Some(message.to_string())
        }
        _ => None,
    }
}

/// Phase 2: the value comes from a `@contextmanager` function.
pub fn decide_sync_context_manager(
    resolved: Resolved<'_>,
    _: &ProjectIndex,
    message: &str,
) -> Option<String> {
    match resolved {
        Resolved::Function(f) if f.decoration == Decoration::ContextManager => {
            Some(message.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::line_index::LineIndex;
    use crate::linter::{LintOptions, lint_module, lint_source};
    use crate::project::ProjectIndex;
    use crate::registry::RuleMeta;
    use crate::rules;
    use crate::scope::ModulePath;
    use crate::target_version::TargetVersion;

    fn protocol_rules() -> Vec<&'static RuleMeta> {
        vec![
            &rules::sync_iteration_over_async_iterable::RULE,
            &rules::async_iteration_over_sync_iterable::RULE,
            &rules::sync_with_async_context_manager::RULE,
            &rules::async_with_sync_context_manager::RULE,
            &rules::await_async_generator::RULE,
            &rules::dunder_kind_mismatch::RULE,
            &rules::wrong_decorator_for_function_kind::RULE,
            &rules::stop_iteration_in_coroutine::RULE,
            &rules::yield_in_async_generator_finally::RULE,
        ]
    }

    fn options(module: Option<&str>, target_version: TargetVersion) -> LintOptions {
        LintOptions {
            target_version,
            module: module.map(|name| ModulePath {
                name: name.to_string(),
                is_package: false,
            }),
            rules: protocol_rules().into(),
            ..LintOptions::default()
        }
    }

    /// (row, code) of the diagnostics a lone module gets.
    fn single(source: &str, target_version: TargetVersion) -> Vec<(usize, &'static str)> {
        let index = LineIndex::new(source);
        let mut found: Vec<_> = lint_source(source, &options(None, target_version))
            .into_iter()
            .map(|d| {
                let row = d.range.map_or(0, |r| index.location(r.start(), source).row);
                (row, d.code())
            })
            .collect();
        found.sort_unstable();
        found
    }

    /// (row, code) of the diagnostics phase 2 adds to the last module, after linting
    /// every module of the project.
    fn deferred(modules: &[(&str, &str)]) -> Vec<(usize, &'static str)> {
        let mut facts = Vec::new();
        let mut pending = Vec::new();
        for (name, source) in modules {
            let (_, part) = lint_module(source, &options(Some(name), TargetVersion::DEFAULT));
            facts.extend(part.facts);
            pending = part.pending;
        }
        let source = modules.last().map_or("", |(_, s)| s);
        let index = LineIndex::new(source);
        let mut found: Vec<_> = ProjectIndex::new(facts)
            .decide(&pending)
            .into_iter()
            .map(|d| {
                let row = d.range.map_or(0, |r| index.location(r.start(), source).row);
                (row, d.code())
            })
            .collect();
        found.sort_unstable();
        found
    }

    const LIBRARY: &str = "\
from contextlib import asynccontextmanager, contextmanager

async def stream():
    yield 1

def numbers():
    yield 1

async def fetch():
    return 1

@asynccontextmanager
async def session():
    yield

@contextmanager
def scope():
    yield

def decorate(fn):
    return fn

@decorate
async def wrapped():
    yield 1

class Source:
    async def items(self):
        yield 1
";

    #[test]
    fn project_functions_are_decided_in_phase_two() {
        let main = "\
import asyncio
from pkg.gens import stream, numbers, fetch, session, scope, wrapped, Source
from pkg import gens

def consume():
    for x in stream():
        pass
    for x in gens.stream():
        pass
    for x in numbers():
        pass
    for x in wrapped():
        pass
    return list(numbers())

async def main():
    async for x in numbers():
        pass
    async for x in stream():
        pass
    with session():
        pass
    async with scope():
        pass
    async with session():
        pass
    with scope():
        pass
    await stream()
    await fetch()
    source = Source()
    for x in source.items():
        pass

asyncio.run(stream())
asyncio.run(fetch())
";
        assert_eq!(
            deferred(&[("pkg.gens", LIBRARY), ("pkg.main", main)]),
            vec![
                (6, "AL110"),
                (8, "AL110"),
                (17, "AL111"),
                (21, "AL112"),
                (23, "AL113"),
                (29, "AL114"),
                (32, "AL110"),
                (35, "AL114"),
            ]
        );
    }

    #[test]
    fn aiter_and_anext_need_async_iterators() {
        let source = "\
async def main(items):
    it = aiter([1, 2])
    first = await anext(iter(items))
    return it, first
";
        assert_eq!(
            single(source, TargetVersion::Py310),
            vec![(2, "AL111"), (3, "AL111")]
        );
    }

    #[test]
    fn names_rebound_through_global_are_not_followed() {
        let source = "\
async def agen():
    yield 1

source = agen()

def rebind():
    global source
    source = [1]

for x in source:
    pass
";
        assert_eq!(single(source, TargetVersion::Py310), vec![]);
    }

    #[test]
    fn nested_async_comprehensions_make_generator_expressions_async_from_311() {
        // Up to 3.10 this does not compile outside a coroutine-able scope; inside an
        // `async def` the generator expression is synchronous until 3.11.
        let source = "\
async def agen():
    yield 1

async def main():
    return list([y async for y in agen()] for _ in range(2))
";
        assert_eq!(single(source, TargetVersion::Py310), vec![]);
        assert_eq!(single(source, TargetVersion::Py311), vec![(5, "AL110")]);
    }
}
