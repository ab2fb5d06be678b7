//! Which names each scope binds, and what a name in an expression refers to.
//!
//! Resolution is flow-insensitive, like Python's own scoping: a name bound anywhere in a
//! function is local to all of it. A name bound more than once in its scope (a conditional
//! import, a reassignment) resolves to [`Resolution::Ambiguous`], and rules that need to
//! be sure treat that as unknown: a name that might be something else is never flagged.

use ruff_python_ast::{Expr, Stmt, StmtClassDef, StmtFunctionDef};

use super::{NodeId, QualifiedName, ScopeId, ScopeKind, ScopeModel};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingId(pub(super) u32);

#[derive(Clone, Debug)]
pub enum BindingKind<'a> {
    /// `import a.b` (binds `a`, qualified `a`), `import a.b as c` (`a.b`),
    /// `from a import b` (`a.b`); relative imports are made absolute when the module's own
    /// name is known, else they keep their leading dots.
    Import {
        qualified: QualifiedName,
    },
    FunctionDef {
        stmt: &'a StmtFunctionDef,
        body: ScopeId,
    },
    ClassDef {
        stmt: &'a StmtClassDef,
        body: ScopeId,
    },
    /// `with context as name`.
    WithItem {
        context: &'a Expr,
    },
    /// `name = value` with a single name target (`value` is `None` for unpacking,
    /// augmented assignment and the like).
    Assignment {
        value: Option<&'a Expr>,
    },
    /// A parameter of the function (or lambda) whose body is the binding's scope.
    Parameter {
        index: usize,
        annotation: Option<&'a Expr>,
    },
    /// `global name` / `nonlocal name`: the name lives in another scope.
    Global,
    Nonlocal,
    /// `del name`.
    Deletion,
    /// Loop and `with` targets, exception names, match captures, walrus targets, type
    /// parameters, annotated names without a value...
    Other,
}

#[derive(Clone, Debug)]
pub struct Binding<'a> {
    pub name: &'a str,
    pub scope: ScopeId,
    pub kind: BindingKind<'a>,
    /// The statement or expression that binds the name.
    pub node: Option<NodeId>,
}

/// What a name refers to from some scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Bound exactly once in the scope that owns it.
    Unique(BindingId),
    /// Bound several times, or possibly by a star import.
    Ambiguous,
    /// Not bound in the module: a builtin.
    Builtin,
    /// Not bound anywhere (a `NameError`, or a name injected at run time).
    Unbound,
}

/// An instance attribute assigned in a method: `self.attr = value`.
#[derive(Clone, Debug)]
pub struct AttributeAssignment<'a> {
    /// The class whose method assigns it.
    pub class: ScopeId,
    pub attr: &'a str,
    pub value: &'a Expr,
}

/// Names Python provides without an import (the ones rules care about being sure of).
/// A `match`, not a list: every unbound name of a file is looked up here.
pub fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "abs"
            | "aiter"
            | "all"
            | "anext"
            | "any"
            | "ascii"
            | "bin"
            | "bool"
            | "breakpoint"
            | "bytearray"
            | "bytes"
            | "callable"
            | "chr"
            | "classmethod"
            | "compile"
            | "complex"
            | "delattr"
            | "dict"
            | "dir"
            | "divmod"
            | "enumerate"
            | "eval"
            | "exec"
            | "filter"
            | "float"
            | "format"
            | "frozenset"
            | "getattr"
            | "globals"
            | "hasattr"
            | "hash"
            | "help"
            | "hex"
            | "id"
            | "input"
            | "int"
            | "isinstance"
            | "issubclass"
            | "iter"
            | "len"
            | "list"
            | "locals"
            | "map"
            | "max"
            | "memoryview"
            | "min"
            | "next"
            | "object"
            | "oct"
            | "open"
            | "ord"
            | "pow"
            | "print"
            | "property"
            | "range"
            | "repr"
            | "reversed"
            | "round"
            | "set"
            | "setattr"
            | "slice"
            | "sorted"
            | "staticmethod"
            | "str"
            | "sum"
            | "super"
            | "tuple"
            | "type"
            | "vars"
            | "zip"
            | "StopIteration"
            | "StopAsyncIteration"
            | "Exception"
            | "BaseException"
            | "GeneratorExit"
            | "KeyboardInterrupt"
            | "NotImplemented"
            | "None"
            | "True"
            | "False"
            | "Ellipsis"
            | "__debug__"
            | "__name__"
            | "__file__"
    )
}

impl BindingId {
    pub fn from_index(index: usize) -> Self {
        BindingId(u32::try_from(index).unwrap_or(u32::MAX))
    }
}

impl<'a> ScopeModel<'a> {
    pub fn binding_count(&self) -> usize {
        self.bindings.len()
    }

    pub fn binding(&self, id: BindingId) -> &Binding<'a> {
        &self.bindings[id.0 as usize]
    }

    /// The bindings of `name` in exactly `scope`, in walk order.
    pub fn bindings_in<'s>(
        &'s self,
        scope: ScopeId,
        name: &'s str,
    ) -> impl Iterator<Item = BindingId> + 's {
        let (start, end) = self
            .groups
            .get(&(scope, name))
            .map_or((0, 0), |&(start, end)| (start as usize, end as usize));
        self.binding_order[start..end].iter().copied()
    }

    /// Every binding of a scope, in walk order.
    pub fn scope_bindings(
        &self,
        scope: ScopeId,
    ) -> impl Iterator<Item = (BindingId, &Binding<'a>)> {
        self.bindings
            .iter()
            .enumerate()
            .filter(move |(_, b)| b.scope == scope)
            .map(|(i, b)| (BindingId(i as u32), b))
    }

    /// What `name`, read in `scope`, refers to — Python's LEGB rule: the scope itself,
    /// enclosing function scopes (class bodies are invisible from nested scopes), the
    /// module, the builtins.
    pub fn resolve_name(&self, name: &str, scope: ScopeId) -> Resolution {
        self.lookup(name, scope)
            .map_or_else(|| self.unbound(name), |(_, resolution)| resolution)
    }

    /// The scope whose bindings of `name` a read in `scope` sees, and what they mean
    /// there; `None` when no scope binds it.
    fn lookup(&self, name: &str, scope: ScopeId) -> Option<(ScopeId, Resolution)> {
        let mut current = scope;
        let mut innermost = true;
        loop {
            let s = self.scope(current);
            let visible = innermost || s.kind != ScopeKind::Class;
            if visible {
                match self.resolve_in(current, name) {
                    Some(Lookup::Found(resolution)) => return Some((current, resolution)),
                    Some(Lookup::Global) => {
                        let resolution = self.resolve_in(ScopeId::MODULE, name)?.found()?;
                        return Some((ScopeId::MODULE, resolution));
                    }
                    Some(Lookup::Nonlocal) | None => {}
                }
            }
            innermost = false;
            current = s.parent?;
        }
    }

    /// When `name`, read in `scope`, is [`Resolution::Ambiguous`] because its scope binds
    /// it several times: every one of those bindings, in walk order. `None` otherwise (one
    /// binding, a star import, unbound). A rule may rely on a property all of them share:
    /// whichever ran last, the name has it.
    pub fn all_bindings(&self, name: &str, scope: ScopeId) -> Option<&[BindingId]> {
        let (owner, Resolution::Ambiguous) = self.lookup(name, scope)? else {
            return None;
        };
        let &(start, end) = self.groups.get(&(owner, name))?;
        self.binding_order.get(start as usize..end as usize)
    }

    fn unbound(&self, name: &str) -> Resolution {
        if self.has_star_import {
            Resolution::Ambiguous
        } else if is_builtin(name) {
            Resolution::Builtin
        } else {
            Resolution::Unbound
        }
    }

    fn resolve_in(&self, scope: ScopeId, name: &str) -> Option<Lookup> {
        // Decided once per (scope, name) when the model was built: deciding it here, at
        // every read, made a file with thousands of bindings and reads of one name
        // quadratic (minutes for a few hundred kilobytes).
        let &(start, _) = self.groups.get(&(scope, name))?;
        self.group_lookups[start as usize]
    }

    /// For each run (start, end) of `order` (binding ids grouped by scope and name), at
    /// the run's first index: what the name means in that scope. A `global` or
    /// `nonlocal` declaration wins; else the first binding, unless other bindings give the
    /// name another meaning.
    pub(super) fn group_lookups(
        bindings: &[Binding<'a>],
        order: &[BindingId],
        runs: impl Iterator<Item = (u32, u32)>,
    ) -> Vec<Option<Lookup>> {
        // `import asyncio` twice is still one meaning.
        let same_import = |a: BindingId, b: BindingId| {
            matches!(
                (&bindings[a.0 as usize].kind, &bindings[b.0 as usize].kind),
                (BindingKind::Import { qualified: x }, BindingKind::Import { qualified: y }) if x == y
            )
        };
        let mut lookups = vec![None; order.len()];
        for (start, end) in runs {
            let (start, end) = (start as usize, end as usize);
            let first = order[start];
            let declared =
                order[start..end]
                    .iter()
                    .find_map(|&id| match bindings[id.0 as usize].kind {
                        BindingKind::Global => Some(Lookup::Global),
                        BindingKind::Nonlocal => Some(Lookup::Nonlocal),
                        _ => None,
                    });
            let several = order[start + 1..end]
                .iter()
                .any(|&id| !same_import(first, id));
            lookups[start] = Some(declared.unwrap_or(Lookup::Found(if several {
                Resolution::Ambiguous
            } else {
                Resolution::Unique(first)
            })));
        }
        lookups
    }

    /// The dotted name an expression refers to through imports: with `import asyncio as
    /// aio`, `aio.sleep` is `asyncio.sleep`; with `from time import sleep`, `sleep` is
    /// `time.sleep`; an unbound builtin `open` is `builtins.open`. `None` when the
    /// expression is not a (dotted) name that resolves to an import or a builtin.
    pub fn qualified_name(&self, expr: &Expr, scope: ScopeId) -> Option<QualifiedName> {
        self.qualified_names
            .get_or(expr, scope, || self.qualified_name_uncached(expr, scope))
    }

    /// The callee of the call whose function is `func`, as `resolve` found it the first
    /// time a rule asked.
    pub(crate) fn remembered_callee(
        &self,
        func: &Expr,
        scope: ScopeId,
        resolve: impl FnOnce() -> crate::analysis::calls::KnownCallee,
    ) -> crate::analysis::calls::KnownCallee {
        self.callees.get_or(func, scope, resolve)
    }

    fn qualified_name_uncached(&self, expr: &Expr, scope: ScopeId) -> Option<QualifiedName> {
        match expr {
            Expr::Name(name) => match self.resolve_name(name.id.as_str(), scope) {
                Resolution::Unique(id) => match &self.binding(id).kind {
                    BindingKind::Import { qualified } => Some(qualified.clone()),
                    _ => None,
                },
                Resolution::Builtin => Some(super::builtin(name.id.as_str())),
                _ => None,
            },
            Expr::Attribute(attribute) => {
                let base = self.qualified_name(&attribute.value, scope)?;
                Some(super::dotted(&base, attribute.attr.as_str()))
            }
            _ => None,
        }
    }

    /// The function definition a name or `self.method` refers to, when it is certain.
    pub fn resolve_function(&self, expr: &Expr, scope: ScopeId) -> Option<&'a StmtFunctionDef> {
        match expr {
            Expr::Name(name) => match self.resolve_name(name.id.as_str(), scope) {
                Resolution::Unique(id) => match self.binding(id).kind {
                    BindingKind::FunctionDef { stmt, .. } => Some(stmt),
                    _ => None,
                },
                _ => None,
            },
            Expr::Attribute(attribute) => {
                let class = self.class_of_receiver(&attribute.value, scope)?;
                self.method_of(class, attribute.attr.as_str())
            }
            _ => None,
        }
    }

    /// The class body scope `self` (or `cls`, or the class's own name) stands for in
    /// `scope`: the first parameter of a method defined directly in a class body.
    pub fn class_of_receiver(&self, receiver: &Expr, scope: ScopeId) -> Option<ScopeId> {
        let Expr::Name(name) = receiver else {
            return None;
        };
        match self.resolve_name(name.id.as_str(), scope) {
            Resolution::Unique(id) => match self.binding(id).kind {
                BindingKind::Parameter { index: 0, .. } => {
                    let function = self.binding(id).scope;
                    let def = self.function_stmt(function)?;
                    if has_decorator_named(def, "staticmethod") {
                        return None;
                    }
                    self.class_scope_of_method(function)
                }
                BindingKind::ClassDef { body, .. } => Some(body),
                _ => None,
            },
            _ => None,
        }
    }

    /// The class body a function scope is defined directly in.
    pub fn class_scope_of_method(&self, function: ScopeId) -> Option<ScopeId> {
        let mut parent = self.scope(function).parent?;
        // A generic method's body sits in its type-parameter scope.
        if matches!(self.scope(parent).kind, ScopeKind::Type(_)) {
            parent = self.scope(parent).parent?;
        }
        (self.scope(parent).kind == ScopeKind::Class).then_some(parent)
    }

    /// A method defined (exactly once) in a class body.
    pub fn method_of(&self, class: ScopeId, name: &str) -> Option<&'a StmtFunctionDef> {
        self.method_with_body(class, name).map(|(def, _)| def)
    }

    /// A method defined (exactly once) in a class body, with the scope of its body.
    pub fn method_with_body(
        &self,
        class: ScopeId,
        name: &str,
    ) -> Option<(&'a StmtFunctionDef, ScopeId)> {
        match self.resolve_in(class, name)? {
            Lookup::Found(Resolution::Unique(id)) => match self.binding(id).kind {
                BindingKind::FunctionDef { stmt, body } => Some((stmt, body)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The `def` statement that opened a function scope.
    pub fn function_stmt(&self, scope: ScopeId) -> Option<&'a StmtFunctionDef> {
        match self.scope(scope).node? {
            super::NodeRef::Stmt(Stmt::FunctionDef(def)) => Some(def),
            _ => None,
        }
    }

    /// `self.attr = value` assignments made in the methods of `class`.
    pub fn attribute_assignments(
        &self,
        class: ScopeId,
        attr: &str,
    ) -> impl Iterator<Item = &AttributeAssignment<'a>> {
        self.attribute_assignments
            .iter()
            .filter(move |a| a.class == class && a.attr == attr)
    }
}

#[derive(Clone, Copy)]
pub(super) enum Lookup {
    Found(Resolution),
    Global,
    Nonlocal,
}

impl Lookup {
    fn found(self) -> Option<Resolution> {
        match self {
            Lookup::Found(resolution) => Some(resolution),
            _ => None,
        }
    }
}

/// A decorator that is the bare name or attribute `name` (`@staticmethod`, `@abc.abstractmethod`).
pub fn has_decorator_named(def: &StmtFunctionDef, name: &str) -> bool {
    def.decorator_list.iter().any(|d| match &d.expression {
        Expr::Name(n) => n.id.as_str() == name,
        Expr::Attribute(a) => a.attr.as_str() == name,
        _ => false,
    })
}
