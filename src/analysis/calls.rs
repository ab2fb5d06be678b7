//! What a call refers to, and how its value is used.

use ruff_python_ast::{Expr, Stmt, StmtFunctionDef, UnaryOp};

use crate::scope::{
    BindingKind, Node, NodeRef, QualifiedName, Resolution, ScopeId, ScopeKind, ScopeModel,
};

/// What the function called by a call expression is.
#[derive(Clone, Debug)]
pub enum Callee<'a> {
    /// A function or method defined in this module, resolved with certainty.
    Local {
        def: &'a StmtFunctionDef,
        /// The scope of its body.
        body: ScopeId,
        /// The scope the `def` statement is in (for its decorators).
        enclosing: ScopeId,
    },
    /// A dotted name reached through imports: a library (`asyncio.sleep`), a builtin
    /// (`builtins.open`), or another module of the project (`pkg.db.fetch`).
    Qualified(QualifiedName),
    /// A method called on an instance whose class is known by its dotted name
    /// (`requests.Session` for `s = requests.Session(); s.get(...)`, or a project class).
    InstanceMethod {
        class: QualifiedName,
        method: QualifiedName,
    },
    /// `self.method()` where the class defines no such method but inherits from a class
    /// we can name: the method is looked up in phase 2.
    InheritedMethod {
        class: QualifiedName,
        method: QualifiedName,
    },
    Unknown,
}

impl Callee<'_> {
    /// The dotted name of the function, for library tables.
    pub fn qualified(&self) -> Option<&str> {
        match self {
            Callee::Qualified(name) => Some(name),
            _ => None,
        }
    }
}

/// [`Callee`] as the per-file memo keeps it: a local function by its scopes, so that the
/// memo holds no reference into the tree.
#[derive(Clone, Debug)]
pub(crate) enum KnownCallee {
    Local { body: ScopeId, enclosing: ScopeId },
    Other(Callee<'static>),
}

/// Resolves the function a call expression's `func` refers to, from `scope`. Each call is
/// resolved once per file, for whichever rule asks first.
pub fn callee<'a>(model: &ScopeModel<'a>, func: &Expr, scope: ScopeId) -> Callee<'a> {
    let known = model.remembered_callee(func, scope, || match resolve_callee(model, func, scope) {
        Callee::Local {
            body, enclosing, ..
        } => KnownCallee::Local { body, enclosing },
        Callee::Qualified(name) => KnownCallee::Other(Callee::Qualified(name)),
        Callee::InstanceMethod { class, method } => {
            KnownCallee::Other(Callee::InstanceMethod { class, method })
        }
        Callee::InheritedMethod { class, method } => {
            KnownCallee::Other(Callee::InheritedMethod { class, method })
        }
        Callee::Unknown => KnownCallee::Other(Callee::Unknown),
    });
    match known {
        KnownCallee::Local { body, enclosing } => match model.scope(body).node {
            Some(NodeRef::Stmt(Stmt::FunctionDef(def))) => Callee::Local {
                def,
                body,
                enclosing,
            },
            _ => Callee::Unknown,
        },
        KnownCallee::Other(other) => other,
    }
}

fn resolve_callee<'a>(model: &ScopeModel<'a>, func: &Expr, scope: ScopeId) -> Callee<'a> {
    match func {
        Expr::Name(name) => match model.resolve_name(name.id.as_str(), scope) {
            Resolution::Unique(id) => {
                let binding = model.binding(id);
                match &binding.kind {
                    BindingKind::FunctionDef { stmt, body } => Callee::Local {
                        def: stmt,
                        body: *body,
                        enclosing: binding.scope,
                    },
                    BindingKind::Import { qualified } => Callee::Qualified(qualified.clone()),
                    _ => Callee::Unknown,
                }
            }
            Resolution::Builtin => Callee::Qualified(crate::scope::builtin(&name.id)),
            _ => Callee::Unknown,
        },
        Expr::Attribute(attribute) => {
            let method = attribute.attr.as_str();
            if let Some(qualified) = model.qualified_name(func, scope) {
                return Callee::Qualified(qualified);
            }
            if let Some(class) = model.class_of_receiver(&attribute.value, scope) {
                return method_of_class(model, class, method);
            }
            match instance_class(model, &attribute.value, scope) {
                Some(InstanceClass::Library(class)) => Callee::InstanceMethod {
                    class,
                    method: method.into(),
                },
                Some(InstanceClass::Local(class)) => method_of_class(model, class, method),
                None => Callee::Unknown,
            }
        }
        _ => Callee::Unknown,
    }
}

fn method_of_class<'a>(model: &ScopeModel<'a>, class: ScopeId, method: &str) -> Callee<'a> {
    if let Some((def, body)) = model.method_with_body(class, method) {
        return Callee::Local {
            def,
            body,
            enclosing: class,
        };
    }
    // Only a class that defines nothing under that name can inherit it, and only from a
    // base the project defines: a method of `unittest.TestCase` is not ours to judge.
    if model.bindings_in(class, method).next().is_some() || !has_project_base(model, class) {
        return Callee::Unknown;
    }
    match class_qualified_name(model, class) {
        Some(class) => Callee::InheritedMethod {
            class: class.into(),
            method: method.into(),
        },
        None => Callee::Unknown,
    }
}

/// Whether a class has a base that may be a class of the linted tree: one defined in
/// this module, or imported from one of the tree's packages.
fn has_project_base(model: &ScopeModel<'_>, class: ScopeId) -> bool {
    let Some(crate::scope::NodeRef::Stmt(Stmt::ClassDef(def))) = model.scope(class).node else {
        return false;
    };
    let enclosing = model.scope(class).parent.unwrap_or(ScopeId::MODULE);
    def.bases().iter().any(|base| {
        if local_class(model, base, enclosing).is_some() {
            return true;
        }
        model.qualified_name(base, enclosing).is_some_and(|name| {
            let root = name.split('.').next().unwrap_or(&name);
            model
                .options()
                .project_roots
                .as_ref()
                .is_none_or(|roots| roots.contains(root))
        })
    })
}

/// `pkg.mod.Class` for a class defined at module level.
pub fn class_qualified_name(model: &ScopeModel<'_>, class: ScopeId) -> Option<String> {
    let scope = model.scope(class);
    if scope.parent != Some(ScopeId::MODULE) {
        return None;
    }
    let Some(crate::scope::NodeRef::Stmt(Stmt::ClassDef(def))) = scope.node else {
        return None;
    };
    let module = model.module_path()?;
    Some([module.name.as_str(), ".", def.name.as_str()].concat())
}

/// The class of an instance, when a name or `self.attr` is bound to exactly one
/// constructor call, or annotated with a class.
pub enum InstanceClass {
    /// A class reached through imports (`requests.Session`, `pathlib.Path`).
    Library(QualifiedName),
    /// A class defined in this module: its body scope.
    Local(ScopeId),
}

pub fn instance_class(
    model: &ScopeModel<'_>,
    expr: &Expr,
    scope: ScopeId,
) -> Option<InstanceClass> {
    match expr {
        Expr::Name(name) => {
            let Resolution::Unique(id) = model.resolve_name(name.id.as_str(), scope) else {
                return None;
            };
            let binding = model.binding(id);
            match &binding.kind {
                BindingKind::Assignment { value: Some(value) } => {
                    constructed_class(model, value, binding.scope)
                }
                BindingKind::WithItem { context } => {
                    constructed_class(model, context, binding.scope)
                }
                BindingKind::Parameter {
                    annotation: Some(annotation),
                    ..
                } => annotated_class(model, annotation, binding.scope),
                _ => None,
            }
        }
        Expr::Attribute(attribute) => {
            let class = model.class_of_receiver(&attribute.value, scope)?;
            let mut classes = model
                .attribute_assignments(class, attribute.attr.as_str())
                .map(|a| {
                    constructed_class(model, a.value, class).map(|c| match c {
                        InstanceClass::Library(name) => name,
                        InstanceClass::Local(_) => QualifiedName::from(""),
                    })
                });
            let first = classes.next()??;
            // Every assignment must construct the same library class.
            if first.is_empty() || !classes.all(|c| c.as_deref() == Some(&*first)) {
                return None;
            }
            Some(InstanceClass::Library(first))
        }
        Expr::Call(_) => constructed_class(model, expr, scope),
        _ => None,
    }
}

/// The class a call expression constructs (`requests.Session()`, `Client()`).
fn constructed_class(
    model: &ScopeModel<'_>,
    value: &Expr,
    scope: ScopeId,
) -> Option<InstanceClass> {
    let Expr::Call(call) = value else {
        return None;
    };
    if let Some(class) = local_class(model, &call.func, scope) {
        return Some(InstanceClass::Local(class));
    }
    model
        .qualified_name(&call.func, scope)
        .map(InstanceClass::Library)
}

/// The class a parameter annotation names, when it is a plain dotted name.
fn annotated_class(
    model: &ScopeModel<'_>,
    annotation: &Expr,
    scope: ScopeId,
) -> Option<InstanceClass> {
    if let Some(class) = local_class(model, annotation, scope) {
        return Some(InstanceClass::Local(class));
    }
    model
        .qualified_name(annotation, scope)
        .map(InstanceClass::Library)
}

/// The body of the class a name refers to, when it is a class of this module.
fn local_class(model: &ScopeModel<'_>, expr: &Expr, scope: ScopeId) -> Option<ScopeId> {
    let Expr::Name(name) = expr else {
        return None;
    };
    let Resolution::Unique(id) = model.resolve_name(name.id.as_str(), scope) else {
        return None;
    };
    match model.binding(id).kind {
        BindingKind::ClassDef { body, .. } => Some(body),
        _ => None,
    }
}

/// How the value of an expression is used by what contains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueUse {
    /// An expression statement: the value is dropped.
    Discarded,
    /// Only its truth value counts: `if x:`, `while x:`, `not x`, `assert x`, `a and x`...
    Truthiness,
    /// Used as an ordinary value on the spot (the words say how).
    Operand(&'static str),
    Awaited,
    /// Stored, returned, yielded or passed on: it may be awaited later.
    PassedOn,
}

/// Builtins that consume their argument's value right away.
const CONSUMING_BUILTINS: &[&str] = &[
    "print",
    "str",
    "repr",
    "len",
    "bool",
    "int",
    "float",
    "list",
    "tuple",
    "set",
    "dict",
    "sorted",
    "sum",
    "min",
    "max",
    "any",
    "all",
    "iter",
    "next",
    "enumerate",
    "zip",
    "format",
    "hash",
    "abs",
    "isinstance",
];

/// Attributes a coroutine object really has: using them is not a mistake.
const COROUTINE_ATTRIBUTES: &[&str] = &[
    "send",
    "throw",
    "close",
    "__await__",
    "cr_await",
    "cr_code",
    "cr_frame",
    "cr_running",
    "cr_origin",
    "cr_suspended",
    "__name__",
    "__qualname__",
    "__class__",
];

pub fn value_use(model: &ScopeModel<'_>, node: Node<'_, '_>) -> ValueUse {
    let Some(expr) = node.expr() else {
        return ValueUse::PassedOn;
    };
    let Some(parent) = node.parent() else {
        return ValueUse::PassedOn;
    };
    if let Some(stmt) = parent.stmt() {
        return match stmt {
            Stmt::Expr(_) => ValueUse::Discarded,
            Stmt::If(s)
                if std::ptr::eq(&*s.test, expr)
                    || s.elif_else_clauses
                        .iter()
                        .any(|c| c.test.as_ref().is_some_and(|t| std::ptr::eq(t, expr))) =>
            {
                ValueUse::Truthiness
            }
            Stmt::While(s) if std::ptr::eq(&*s.test, expr) => ValueUse::Truthiness,
            Stmt::Assert(s) if std::ptr::eq(&*s.test, expr) => ValueUse::Truthiness,
            Stmt::For(s) if std::ptr::eq(&*s.iter, expr) => ValueUse::Operand(if s.is_async {
                "iterated with `async for`"
            } else {
                "iterated"
            }),
            Stmt::With(s) if s.items.iter().any(|i| std::ptr::eq(&i.context_expr, expr)) => {
                ValueUse::Operand("used as a context manager")
            }
            _ => ValueUse::PassedOn,
        };
    }
    let Some(parent_expr) = parent.expr() else {
        return ValueUse::PassedOn;
    };
    match parent_expr {
        Expr::Await(_) => ValueUse::Awaited,
        Expr::If(ternary) if std::ptr::eq(&*ternary.test, expr) => ValueUse::Truthiness,
        Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => ValueUse::Truthiness,
        Expr::UnaryOp(_) | Expr::BinOp(_) => ValueUse::Operand("an arithmetic operand"),
        Expr::Compare(_) => ValueUse::Operand("compared"),
        Expr::BoolOp(boolop) => {
            let is_last = boolop
                .values
                .last()
                .is_some_and(|last| std::ptr::eq(last, expr));
            if !is_last {
                return ValueUse::Truthiness;
            }
            match value_use(model, parent) {
                ValueUse::Truthiness => ValueUse::Truthiness,
                ValueUse::Discarded => ValueUse::Discarded,
                _ => ValueUse::PassedOn,
            }
        }
        Expr::Attribute(attribute) if std::ptr::eq(&*attribute.value, expr) => {
            if COROUTINE_ATTRIBUTES.contains(&attribute.attr.as_str()) {
                ValueUse::PassedOn
            } else {
                ValueUse::Operand("used for attribute access")
            }
        }
        Expr::Subscript(subscript) if std::ptr::eq(&*subscript.value, expr) => {
            ValueUse::Operand("subscripted")
        }
        Expr::FString(_) => ValueUse::Operand("formatted"),
        Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_)
            if is_comprehension_iterable(parent_expr, expr) =>
        {
            ValueUse::Operand("iterated")
        }
        Expr::Starred(_) => ValueUse::Operand("unpacked"),
        Expr::Call(call) if call.arguments.args.iter().any(|a| std::ptr::eq(a, expr)) => {
            match model.qualified_name(&call.func, parent.scope_id()) {
                Some(name)
                    if name
                        .strip_prefix("builtins.")
                        .is_some_and(|b| CONSUMING_BUILTINS.contains(&b))
                        || &*name == "json.dumps" =>
                {
                    ValueUse::Operand("passed to a function that uses its value")
                }
                _ => ValueUse::PassedOn,
            }
        }
        _ => ValueUse::PassedOn,
    }
}

fn is_comprehension_iterable(comprehension: &Expr, expr: &Expr) -> bool {
    let generators = match comprehension {
        Expr::ListComp(c) => &c.generators,
        Expr::SetComp(c) => &c.generators,
        Expr::DictComp(c) => &c.generators,
        Expr::Generator(c) => &c.generators,
        _ => return false,
    };
    generators.iter().any(|g| std::ptr::eq(&g.iter, expr))
}

/// The `async def` (or `def`) whose body a node is in, looking through comprehensions:
/// its scope, when it is a coroutine function.
pub fn enclosing_coroutine(model: &ScopeModel<'_>, scope: ScopeId) -> Option<ScopeId> {
    let function = model.enclosing_function(scope)?;
    matches!(
        model.scope(function).kind,
        ScopeKind::Function { is_async: true }
    )
    .then_some(function)
}
