//! The scope model: for every statement and expression of a module, the scope CPython
//! evaluates it in, and what CPython knows about each scope.
//!
//! It is built in one walk of the AST ([`ScopeModel::build`]) and shared by every rule.
//! Rules ask it questions ("which scope is this `await` evaluated in?", "is that function
//! an async generator?", "is this comprehension asynchronous for the target version?");
//! they never re-derive scopes themselves.
//!
//! The model follows CPython's symbol table (`Python/symtable.c`) and compiler, as observed
//! in `../shared/spec/cpython-async-rules.md`:
//! * defaults, decorators, class bases and keywords, the first iterable of a comprehension
//!   and (when evaluated) parameter annotations belong to the *enclosing* scope;
//! * a comprehension's own scope is everything else in it;
//! * PEP 695 generic definitions and `type` aliases open non-async annotation scopes;
//! * under `from __future__ import annotations` (3.10+) and on 3.14, annotations live in an
//!   annotation scope of their own.

mod bindings;
mod builder;
mod constant;

pub use bindings::{
    AttributeAssignment, Binding, BindingId, BindingKind, Resolution, has_decorator_named,
    is_builtin,
};

use ruff_python_ast::{AnyNodeRef, Expr, NodeKind, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashMap;

use crate::target_version::TargetVersion;

/// A dotted name such as `asyncio.sleep`, shared between the rules that ask for it.
pub type QualifiedName = std::rc::Rc<str>;

/// Where the bindings of each (scope, name) are in [`ScopeModel::binding_order`]: a run
/// `start..end`.
type BindingGroups<'a> = FxHashMap<(ScopeId, &'a str), (u32, u32)>;

/// `base.attr` as a qualified name. Name resolution builds one of these for most calls of
/// a file: not with `format!` (its machinery cost more than the rest of resolving), and
/// in a buffer kept by the thread, so that the name is allocated once, not twice.
pub fn dotted(base: &str, attr: &str) -> QualifiedName {
    thread_local! {
        static BUFFER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    BUFFER.with_borrow_mut(|name| {
        name.clear();
        name.push_str(base);
        name.push('.');
        name.push_str(attr);
        QualifiedName::from(name.as_str())
    })
}

/// `builtins.name`, shared by every call of the builtin on the thread.
pub fn builtin(name: &str) -> QualifiedName {
    thread_local! {
        static BUILTINS: std::cell::RefCell<FxHashMap<Box<str>, QualifiedName>> =
            std::cell::RefCell::default();
    }
    BUILTINS.with_borrow_mut(|known| {
        if let Some(qualified) = known.get(name) {
            return qualified.clone();
        }
        let qualified = dotted("builtins", name);
        known.insert(name.into(), qualified.clone());
        qualified
    })
}

/// Answers about expressions, by the expression's address and the scope it is read in:
/// many rules ask the same questions about the same calls, and an answer is computed once
/// per file (clones share their text: a reference count, not a copy).
struct ExpressionMemo<V>(std::cell::RefCell<FxHashMap<(usize, ScopeId), V>>);

impl<V: Clone> ExpressionMemo<V> {
    /// Sized for `expected` answers, so that filling it never rehashes.
    fn with_capacity(expected: usize) -> Self {
        Self(std::cell::RefCell::new(
            FxHashMap::with_capacity_and_hasher(expected, Default::default()),
        ))
    }

    /// The answer about `expr` in `scope`, computed by `compute` the first time.
    fn get_or(&self, expr: &Expr, scope: ScopeId, compute: impl FnOnce() -> V) -> V {
        let key = (std::ptr::from_ref(expr) as usize, scope);
        if let Some(known) = self.0.borrow().get(&key) {
            return known.clone();
        }
        let found = compute();
        self.0.borrow_mut().insert(key, found.clone());
        found
    }
}

/// Index of a [`Scope`] in [`ScopeModel::scopes`]. The module scope is always `ScopeId(0)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeId(u32);

impl ScopeId {
    pub const MODULE: ScopeId = ScopeId(0);

    fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a node in [`ScopeModel::nodes`] (pre-order of the walk).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComprehensionKind {
    List,
    Set,
    Dict,
    Generator,
}

impl ComprehensionKind {
    /// The words CPython uses for this comprehension in its messages.
    pub fn description(self) -> &'static str {
        match self {
            ComprehensionKind::List => "list comprehension",
            ComprehensionKind::Set => "set comprehension",
            ComprehensionKind::Dict => "dict comprehension",
            ComprehensionKind::Generator => "generator expression",
        }
    }
}

/// The PEP 695/696 annotation scopes CPython 3.12+ creates, each named as CPython's
/// messages name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeScopeKind {
    /// The scope holding a generic function's or class's type parameters, annotations,
    /// bases and keywords ("the definition of a generic").
    GenericDefinition,
    /// The value of a `type X = ...` statement.
    TypeAlias,
    /// `T: bound`.
    TypeVarBound,
    /// `T: (constraint, ...)`.
    TypeVarConstraint,
    /// `T = default` (3.13+).
    TypeVarDefault,
    /// `*Ts = default` (3.13+).
    TypeVarTupleDefault,
    /// `**P = default` (3.13+).
    ParamSpecDefault,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    /// A `def` (`is_async: false`) or `async def` (`is_async: true`) body.
    Function {
        is_async: bool,
    },
    /// A lambda body: always a synchronous function.
    Lambda,
    /// Everything of a comprehension or generator expression but its first iterable.
    Comprehension(ComprehensionKind),
    /// An annotation that CPython compiles in a block of its own: every annotation under
    /// `from __future__ import annotations` on 3.10+, and every annotation on 3.14+.
    Annotation,
    /// A PEP 695/696 annotation scope (3.12+).
    Type(TypeScopeKind),
}

impl ScopeKind {
    pub fn is_async_function(self) -> bool {
        matches!(self, ScopeKind::Function { is_async: true })
    }

    /// A scope that CPython compiles as a function body (`def`, `async def`, lambda).
    pub fn is_function_like(self) -> bool {
        matches!(self, ScopeKind::Function { .. } | ScopeKind::Lambda)
    }

    pub fn is_comprehension(self) -> bool {
        matches!(self, ScopeKind::Comprehension(_))
    }
}

/// What CPython knows about one scope after its symbol-table pass.
#[derive(Clone, Debug)]
pub struct Scope<'a> {
    pub kind: ScopeKind,
    /// The scope this one is evaluated in; `None` only for the module.
    pub parent: Option<ScopeId>,
    /// The node that opens the scope (the def, class, lambda or comprehension; the
    /// annotation or the bound; the generic definition); `None` for the module.
    pub node: Option<NodeRef<'a>>,
    /// The node in [`ScopeModel::nodes`] the scope was opened under: the def, class, lambda
    /// or comprehension itself, or for annotation and type scopes the statement or
    /// expression that holds them. `None` for the module.
    pub opener: Option<NodeId>,
    /// A `yield` or `yield from` is evaluated directly in this scope (even in dead code or
    /// an unevaluated annotation: CPython's symbol table sees those too).
    pub is_generator: bool,
    /// An `await` is evaluated directly in this scope.
    pub has_await: bool,
    /// For comprehensions: one of its `for` clauses is an `async for`.
    pub has_async_for: bool,
    /// For comprehensions: CPython compiles it as asynchronous on the target version
    /// (computed once the walk is done, see [`ScopeModel::build`]).
    pub is_coroutine: bool,
}

impl<'a> Scope<'a> {
    fn new(
        kind: ScopeKind,
        parent: Option<ScopeId>,
        node: Option<NodeRef<'a>>,
        opener: Option<NodeId>,
    ) -> Self {
        Self {
            kind,
            parent,
            node,
            opener,
            is_generator: false,
            has_await: false,
            has_async_for: false,
            is_coroutine: false,
        }
    }

    /// CPython's `ste_coroutine` before 3.11's propagation: the scope is an `async def`,
    /// or a comprehension that itself awaits or has an `async for`.
    fn is_async_on_its_own(&self) -> bool {
        match self.kind {
            ScopeKind::Function { is_async } => is_async,
            ScopeKind::Comprehension(_) => self.has_await || self.has_async_for,
            _ => false,
        }
    }

    /// An `async def` whose body yields.
    pub fn is_async_generator(&self) -> bool {
        self.kind.is_async_function() && self.is_generator
    }
}

/// Facts about where a node sits, beyond its scope.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeFlags(u8);

impl NodeFlags {
    /// Inside an annotation (of a parameter, a return or a variable).
    pub const IN_ANNOTATION: NodeFlags = NodeFlags(1);
    /// Inside an annotation that is never evaluated at run time: a local variable's
    /// annotation, or any annotation under `from __future__ import annotations`.
    pub const UNEVALUATED: NodeFlags = NodeFlags(1 << 1);
    /// Inside a branch that CPython 3.7's compiler drops without checking it
    /// (`if 0:`, `while False:`, the `else` of `if 1:`); only set for `--target-version py37`.
    pub const DEAD_ON_PY37: NodeFlags = NodeFlags(1 << 2);

    pub const fn empty() -> Self {
        NodeFlags(0)
    }

    pub const fn contains(self, other: NodeFlags) -> bool {
        self.0 & other.0 == other.0
    }

    #[must_use]
    pub const fn union(self, other: NodeFlags) -> Self {
        NodeFlags(self.0 | other.0)
    }

    #[must_use]
    pub const fn difference(self, other: NodeFlags) -> Self {
        NodeFlags(self.0 & !other.0)
    }
}

/// One statement or expression, with the scope it is evaluated in.
#[derive(Clone, Copy, Debug)]
pub struct NodeInfo<'a> {
    pub node: NodeRef<'a>,
    pub scope: ScopeId,
    pub parent: Option<NodeId>,
    pub flags: NodeFlags,
}

/// Which pass of CPython raises an error, which decides whether code the compiler never
/// sees (unevaluated annotations, code 3.7 drops) is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStage {
    /// The symbol-table pass sees every expression.
    SymbolTable,
    /// The code generator skips what it does not compile.
    Compiler,
}

/// The dotted name of the module being linted, for resolving relative imports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModulePath {
    /// `pkg.sub.mod`, or `pkg.sub` for `pkg/sub/__init__.py`.
    pub name: String,
    /// The file is a package's `__init__.py`.
    pub is_package: bool,
}

impl ModulePath {
    /// The package a relative import with `level` leading dots starts from.
    pub fn relative_base(&self, level: u32) -> Option<String> {
        let mut parts: Vec<&str> = self.name.split('.').collect();
        let drop = if self.is_package { level - 1 } else { level };
        for _ in 0..drop {
            parts.pop()?;
        }
        Some(parts.join("."))
    }
}

/// How the module is compiled.
#[derive(Clone, Debug)]
pub struct ModelOptions {
    pub target_version: TargetVersion,
    /// Compile as CPython does with `PyCF_ALLOW_TOP_LEVEL_AWAIT` (notebooks, the asyncio
    /// REPL): the module body is asynchronous.
    pub top_level_await: bool,
    /// The module's own dotted name, when known.
    pub module: Option<ModulePath>,
    /// The top-level packages of the linted tree, when known.
    pub project_roots: Option<std::sync::Arc<crate::linter::ProjectRoots>>,
}

/// The scope model of one module. See the module documentation.
pub struct ScopeModel<'a> {
    options: ModelOptions,
    scopes: Vec<Scope<'a>>,
    nodes: Vec<NodeInfo<'a>>,
    /// Nodes of each [`NodeKind`], in walk order, so that a rule reads only the nodes it
    /// is interested in.
    by_kind: KindIndex,
    /// `from __future__ import annotations` is in effect.
    future_annotations: bool,
    /// Deepest nesting of statements and expressions met by the walk.
    max_depth: u32,
    bindings: Vec<Binding<'a>>,
    /// Binding ids in runs of one (scope, name), each in walk order, for lookups.
    binding_order: Vec<BindingId>,
    /// What each (scope, name) run of `binding_order` means, at the run's first index.
    group_lookups: Vec<Option<bindings::Lookup>>,
    /// Where the run of each (scope, name) is in `binding_order`.
    groups: BindingGroups<'a>,
    /// Results analyses compute once per file and several rules share, by type.
    memos: std::cell::RefCell<FxHashMap<std::any::TypeId, std::rc::Rc<dyn std::any::Any>>>,
    /// Answers of `qualified_name`.
    qualified_names: ExpressionMemo<Option<QualifiedName>>,
    /// Answers of [`crate::analysis::calls::callee`]: several rules resolve every call of
    /// the file.
    callees: ExpressionMemo<crate::analysis::calls::KnownCallee>,
    /// `from m import *` somewhere: an unknown name may come from it.
    has_star_import: bool,
    attribute_assignments: Vec<AttributeAssignment<'a>>,
}

/// The nodes of each kind, in walk order: one array sorted by kind (a counting sort made
/// once the walk is done), and where each kind starts in it.
struct KindIndex {
    starts: Vec<u32>,
    nodes: Vec<NodeId>,
}

impl KindIndex {
    fn new(kinds: &[u8]) -> Self {
        let mut starts = vec![0u32; 257];
        for &kind in kinds {
            starts[usize::from(kind) + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        // Filled below, every slot exactly once (not zeroed first: zeroing showed in
        // profiles).
        let mut nodes = Vec::with_capacity(kinds.len());
        nodes.resize(kinds.len(), NodeId(u32::MAX));
        for (i, &kind) in kinds.iter().enumerate() {
            let slot = &mut next[usize::from(kind)];
            nodes[*slot as usize] = NodeId(i as u32);
            *slot += 1;
        }
        Self { starts, nodes }
    }

    fn of(&self, kind: NodeKind) -> &[NodeId] {
        let kind = kind as usize;
        match (self.starts.get(kind), self.starts.get(kind + 1)) {
            (Some(&start), Some(&end)) => &self.nodes[start as usize..end as usize],
            _ => &[],
        }
    }
}

/// A node together with what the model knows about it.
#[derive(Clone, Copy)]
pub struct Node<'m, 'a> {
    pub id: NodeId,
    pub info: &'m NodeInfo<'a>,
    model: &'m ScopeModel<'a>,
}

impl<'m, 'a> Node<'m, 'a> {
    pub fn node(&self) -> NodeRef<'a> {
        self.info.node
    }

    pub fn expr(&self) -> Option<&'a Expr> {
        self.info.node.as_expr()
    }

    pub fn stmt(&self) -> Option<&'a Stmt> {
        self.info.node.as_stmt()
    }

    pub fn range(&self) -> TextRange {
        self.info.node.range()
    }

    pub fn scope_id(&self) -> ScopeId {
        self.info.scope
    }

    /// The scope this node is evaluated in.
    pub fn scope(&self) -> &'m Scope<'a> {
        self.model.scope(self.info.scope)
    }

    pub fn flags(&self) -> NodeFlags {
        self.info.flags
    }

    /// CPython's compiler (not only its symbol table) sees this node on the target
    /// version: it is neither in an unevaluated annotation nor in code 3.7 drops.
    pub fn is_compiled(&self) -> bool {
        !self.info.flags.contains(NodeFlags::UNEVALUATED)
            && !self.info.flags.contains(NodeFlags::DEAD_ON_PY37)
    }

    /// Whether CPython raises the errors of `stage` for this node on the target version.
    pub fn is_checked_by(&self, stage: CheckStage) -> bool {
        match stage {
            CheckStage::SymbolTable => true,
            CheckStage::Compiler => self.is_compiled(),
        }
    }

    pub fn parent(&self) -> Option<Node<'m, 'a>> {
        self.info.parent.map(|id| self.model.node(id))
    }
}

impl<'a> ScopeModel<'a> {
    /// A result computed once per file (by the first rule that asks) and shared by the
    /// others: an analysis several rules read, such as the blocking calls of the module.
    pub fn memo<T: 'static>(&self, compute: impl FnOnce() -> T) -> std::rc::Rc<T> {
        let key = std::any::TypeId::of::<T>();
        if let Some(known) = self.memos.borrow().get(&key)
            && let Ok(known) = std::rc::Rc::clone(known).downcast::<T>()
        {
            return known;
        }
        let value = std::rc::Rc::new(compute());
        self.memos.borrow_mut().insert(
            key,
            std::rc::Rc::clone(&value) as std::rc::Rc<dyn std::any::Any>,
        );
        value
    }

    pub fn module_path(&self) -> Option<&ModulePath> {
        self.options.module.as_ref()
    }

    pub fn options(&self) -> &ModelOptions {
        &self.options
    }

    pub fn target_version(&self) -> TargetVersion {
        self.options.target_version
    }

    /// The pass that checks `await`, `async for`, `async with` and asynchronous
    /// comprehensions: the compiler up to 3.13, the symbol table from 3.14 on (so that
    /// code optimised away is checked too).
    pub fn await_check_stage(&self) -> CheckStage {
        if self.target_version() >= TargetVersion::Py314 {
            CheckStage::SymbolTable
        } else {
            CheckStage::Compiler
        }
    }

    pub fn future_annotations(&self) -> bool {
        self.future_annotations
    }

    pub fn max_depth(&self) -> u32 {
        self.max_depth
    }

    pub fn scopes(&self) -> &[Scope<'a>] {
        &self.scopes
    }

    pub fn scope(&self, id: ScopeId) -> &Scope<'a> {
        &self.scopes[id.index()]
    }

    /// The scopes with their ids, in the order the walk opened them.
    pub fn scopes_with_ids(&self) -> impl Iterator<Item = (ScopeId, &Scope<'a>)> + '_ {
        self.scopes
            .iter()
            .enumerate()
            .map(|(i, scope)| (ScopeId(i as u32), scope))
    }

    pub fn node(&self, id: NodeId) -> Node<'_, 'a> {
        Node {
            id,
            info: &self.nodes[id.index()],
            model: self,
        }
    }

    /// Every statement and expression, in walk order.
    pub fn nodes(&self) -> impl Iterator<Item = Node<'_, 'a>> + '_ {
        (0..self.nodes.len()).map(|i| self.node(NodeId(i as u32)))
    }

    /// The nodes of one kind, in walk order.
    pub fn nodes_of(&self, kind: NodeKind) -> impl Iterator<Item = Node<'_, 'a>> + '_ {
        self.by_kind.of(kind).iter().map(move |&id| self.node(id))
    }

    /// The scope a top-level statement or expression of the module would be in: the
    /// innermost function, class or module scope enclosing `scope` (comprehensions,
    /// lambdas and annotation scopes are skipped).
    pub fn enclosing_statement_scope(&self, mut scope: ScopeId) -> ScopeId {
        loop {
            let s = self.scope(scope);
            match s.kind {
                ScopeKind::Module | ScopeKind::Class | ScopeKind::Function { .. } => {
                    return scope;
                }
                _ => scope = s.parent.unwrap_or(ScopeId::MODULE),
            }
        }
    }

    /// The innermost `def`/`async def` whose body (not a nested def, lambda or class)
    /// contains `scope`, looking through comprehensions — the function whose event loop
    /// runs this code. `None` at module or class level and in lambdas.
    /// Whether `inner` is `outer` or a scope nested in it.
    pub fn is_within(&self, inner: ScopeId, outer: ScopeId) -> bool {
        let mut current = Some(inner);
        while let Some(scope) = current {
            if scope == outer {
                return true;
            }
            current = self.scope(scope).parent;
        }
        false
    }

    pub fn enclosing_function(&self, mut scope: ScopeId) -> Option<ScopeId> {
        loop {
            let s = self.scope(scope);
            match s.kind {
                ScopeKind::Function { .. } => return Some(scope),
                ScopeKind::Comprehension(_) => scope = s.parent?,
                _ => return None,
            }
        }
    }

    /// True when code evaluated in `scope` runs inside a coroutine (`async def`), looking
    /// through comprehensions and generator expressions.
    pub fn runs_in_coroutine(&self, scope: ScopeId) -> bool {
        self.enclosing_function(scope)
            .is_some_and(|f| self.scope(f).kind.is_async_function())
    }

    /// Whether `scope` accepts `await`, `async for` and `async with` directly: an
    /// `async def`, or the module under top-level await.
    pub fn allows_await(&self, scope: ScopeId) -> bool {
        let s = self.scope(scope);
        s.kind.is_async_function() || (s.kind == ScopeKind::Module && self.options.top_level_await)
    }

    /// For an asynchronous list/set/dict comprehension, whether CPython accepts it where
    /// it stands on the target version. Generator expressions are always accepted (3.7+).
    pub fn comprehension_is_allowed(&self, comprehension: ScopeId) -> bool {
        let s = self.scope(comprehension);
        let Some(parent) = s.parent else {
            return true;
        };
        if self.allows_await(parent) {
            return true;
        }
        let enclosing = self.scope(parent);
        if !enclosing.kind.is_comprehension() {
            return false;
        }
        if self.target_version() >= TargetVersion::Py311 {
            // 3.11+: the enclosing comprehension becomes asynchronous in turn and is
            // checked against its own parent instead.
            true
        } else {
            // Up to 3.10 only an enclosing comprehension that is asynchronous on its own
            // (it awaits, or has an `async for`) may hold an asynchronous one.
            enclosing.is_async_on_its_own()
        }
    }
}

/// A statement or an expression of the module.
#[derive(Clone, Copy, Debug)]
pub enum NodeRef<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
}

impl<'a> NodeRef<'a> {
    pub fn kind(self) -> NodeKind {
        self.as_any().kind()
    }

    pub fn as_any(self) -> AnyNodeRef<'a> {
        match self {
            NodeRef::Stmt(stmt) => AnyNodeRef::from(stmt),
            NodeRef::Expr(expr) => AnyNodeRef::from(expr),
        }
    }

    pub fn as_expr(self) -> Option<&'a Expr> {
        match self {
            NodeRef::Expr(expr) => Some(expr),
            NodeRef::Stmt(_) => None,
        }
    }

    pub fn as_stmt(self) -> Option<&'a Stmt> {
        match self {
            NodeRef::Stmt(stmt) => Some(stmt),
            NodeRef::Expr(_) => None,
        }
    }
}

impl Ranged for NodeRef<'_> {
    fn range(&self) -> TextRange {
        match self {
            NodeRef::Stmt(stmt) => stmt.range(),
            NodeRef::Expr(expr) => expr.range(),
        }
    }
}
