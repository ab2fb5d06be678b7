//! The one walk of the AST that builds the [`ScopeModel`].

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    self as ast, Comprehension, Expr, ExprContext, Parameters, Pattern, Stmt, StmtFunctionDef,
    TypeParam, TypeParams,
};

use super::bindings::{AttributeAssignment, Binding, BindingId, BindingKind, Resolution};
use super::constant::py37_truthiness;
use super::{
    BindingGroups, ComprehensionKind, ExpressionMemo, KindIndex, ModelOptions, NodeFlags, NodeId,
    NodeInfo, NodeRef, Scope, ScopeId, ScopeKind, ScopeModel, TypeScopeKind,
};
use crate::target_version::TargetVersion;

/// Stack space that must be left before recursing into a child node; below it the walk
/// continues on a freshly allocated stack segment, so no input nests too deep for us.
const STACK_RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 4 * 1024 * 1024;
const STACK_CHECK_EVERY: u32 = 8;

impl<'a> ScopeModel<'a> {
    /// Builds the model of `module` in one walk.
    pub fn build(module: &'a [Stmt], options: ModelOptions) -> Self {
        let future_annotations = has_future_annotations(module);
        // Growing the node arrays by doubling copied them again and again (a tenth of the
        // model's cost): reserve about one node per eight bytes of source up front.
        let source_len = module
            .last()
            .map_or(0, |stmt| ruff_text_size::Ranged::end(stmt).to_usize());
        let expected_nodes = source_len / 8;
        let mut builder = Builder {
            options,
            scopes: vec![Scope::new(ScopeKind::Module, None, None, None)],
            bindings: Vec::new(),
            store_kind: StoreKind::Other,
            has_star_import: false,
            attribute_candidates: Vec::new(),
            nodes: Vec::with_capacity(expected_nodes),
            kinds: Vec::with_capacity(expected_nodes),
            scope: ScopeId::MODULE,
            flags: NodeFlags::empty(),
            parent: None,
            depth: 0,
            max_depth: 0,
            future_annotations,
        };
        builder.visit_body(module);
        builder.finish()
    }
}

/// The binding ids in runs of one (scope, name), each run in walk order, and where each
/// run is. A counting sort by group, in order of first appearance: sorting by the names
/// themselves compared strings, which showed in profiles.
fn group_bindings<'a>(bindings: &[Binding<'a>]) -> (Vec<BindingId>, BindingGroups<'a>) {
    let mut groups: BindingGroups<'a> =
        BindingGroups::with_capacity_and_hasher(bindings.len(), Default::default());
    let mut counts: Vec<u32> = Vec::new();
    let mut group_of = Vec::with_capacity(bindings.len());
    for binding in bindings {
        let next = counts.len() as u32;
        let (group, _) = *groups
            .entry((binding.scope, binding.name))
            .or_insert((next, 0));
        if group == next {
            counts.push(0);
        }
        counts[group as usize] += 1;
        group_of.push(group);
    }
    // Each group's first slot, then the bindings dealt into their slots in walk order.
    let mut starts = Vec::with_capacity(counts.len());
    let mut total = 0u32;
    for count in &counts {
        starts.push(total);
        total += count;
    }
    for (group, end) in groups.values_mut() {
        let start = starts[*group as usize];
        (*group, *end) = (start, start + counts[*group as usize]);
    }
    let mut order = vec![BindingId(u32::MAX); bindings.len()];
    for (i, group) in group_of.into_iter().enumerate() {
        let slot = &mut starts[group as usize];
        order[*slot as usize] = BindingId(i as u32);
        *slot += 1;
    }
    (order, groups)
}

/// `from __future__ import annotations` among the statements a future import may follow
/// (a docstring and other future imports); CPython rejects one anywhere else.
fn has_future_annotations(module: &[Stmt]) -> bool {
    for (i, stmt) in module.iter().enumerate() {
        match stmt {
            Stmt::ImportFrom(import) if import.module.as_deref() == Some("__future__") => {
                if import
                    .names
                    .iter()
                    .any(|a| a.name.as_str() == "annotations")
                {
                    return true;
                }
            }
            Stmt::Expr(e) if i == 0 && e.value.is_string_literal_expr() => {}
            _ => return false,
        }
    }
    false
}

struct Builder<'a> {
    options: ModelOptions,
    scopes: Vec<Scope<'a>>,
    bindings: Vec<Binding<'a>>,
    /// What a name stored right now is bound to.
    store_kind: StoreKind<'a>,
    has_star_import: bool,
    /// `receiver.attr = value` inside functions, kept until the walk has seen every
    /// binding of `receiver`.
    attribute_candidates: Vec<(ScopeId, &'a str, &'a str, &'a Expr)>,
    nodes: Vec<NodeInfo<'a>>,
    /// The kind of each node of `nodes`, for indexing them by kind once the walk is done.
    kinds: Vec<u8>,
    /// The scope the nodes being visited are evaluated in.
    scope: ScopeId,
    /// Flags every node visited now inherits.
    flags: NodeFlags,
    parent: Option<NodeId>,
    depth: u32,
    max_depth: u32,
    future_annotations: bool,
}

/// The binding a name target gets from the statement being visited.
#[derive(Clone, Copy)]
enum StoreKind<'a> {
    Assignment(Option<&'a Expr>),
    WithItem(&'a Expr),
    Other,
}

/// Where an annotation stands, which decides whether CPython evaluates it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AnnotationSite {
    /// A parameter or return annotation, or a module- or class-level variable annotation.
    Evaluated,
    /// The annotation of a module- or class-level target that is not a plain name
    /// (`obj.attr: T`, `(x): T`): before 3.10, compiled even under the future import.
    ComplexTarget,
    /// A variable annotation inside a function body: never evaluated (3.7+).
    LocalVariable,
}

impl<'a> Builder<'a> {
    fn version(&self) -> TargetVersion {
        self.options.target_version
    }

    fn finish(mut self) -> ScopeModel<'a> {
        self.compute_coroutine_comprehensions();
        let (binding_order, groups) = group_bindings(&self.bindings);
        let calls = self
            .kinds
            .iter()
            .filter(|&&k| k == ruff_python_ast::NodeKind::ExprCall as u8)
            .count();
        let candidates = std::mem::take(&mut self.attribute_candidates);
        let mut model = ScopeModel {
            options: self.options,
            scopes: self.scopes,
            nodes: self.nodes,
            by_kind: KindIndex::new(&self.kinds),
            future_annotations: self.future_annotations,
            max_depth: self.max_depth,
            group_lookups: ScopeModel::group_lookups(
                &self.bindings,
                &binding_order,
                groups.values().copied(),
            ),
            groups,
            memos: std::cell::RefCell::default(),
            // Sized for the calls rules ask about (and their functions' receivers).
            callees: ExpressionMemo::with_capacity(calls),
            qualified_names: ExpressionMemo::with_capacity(calls * 2),
            bindings: self.bindings,
            binding_order,
            has_star_import: self.has_star_import,
            attribute_assignments: Vec::new(),
        };
        // `self.attr = value` counts when `self` is the first parameter of a method.
        let assignments: Vec<AttributeAssignment<'a>> = candidates
            .into_iter()
            .filter_map(|(scope, receiver, attr, value)| {
                let Resolution::Unique(id) = model.resolve_name(receiver, scope) else {
                    return None;
                };
                let binding = model.binding(id);
                if !matches!(binding.kind, BindingKind::Parameter { index: 0, .. }) {
                    return None;
                }
                let class = model.class_scope_of_method(binding.scope)?;
                Some(AttributeAssignment { class, attr, value })
            })
            .collect();
        model.attribute_assignments = assignments;
        model
    }

    fn bind(&mut self, name: &'a str, scope: ScopeId, kind: BindingKind<'a>) {
        self.bindings.push(Binding {
            name,
            scope,
            kind,
            node: self.parent,
        });
    }

    /// The scope a walrus target binds in: the nearest enclosing scope that is not a
    /// comprehension.
    fn walrus_scope(&self) -> ScopeId {
        let mut scope = self.scope;
        while self.scopes[scope.index()].kind.is_comprehension() {
            match self.scopes[scope.index()].parent {
                Some(parent) => scope = parent,
                None => break,
            }
        }
        scope
    }

    fn next_scope_id(&self) -> ScopeId {
        ScopeId(u32::try_from(self.scopes.len()).unwrap_or(u32::MAX))
    }

    fn bind_parameters(&mut self, parameters: &'a Parameters) {
        let positional = parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .map(|p| &p.parameter);
        let vararg = parameters.vararg.iter().map(|p| &**p);
        let keyword_only = parameters.kwonlyargs.iter().map(|p| &p.parameter);
        let kwarg = parameters.kwarg.iter().map(|p| &**p);
        let all = positional.chain(vararg).chain(keyword_only).chain(kwarg);
        for (index, parameter) in all.enumerate() {
            self.bind(
                parameter.name.as_str(),
                self.scope,
                BindingKind::Parameter {
                    index,
                    annotation: parameter.annotation.as_deref(),
                },
            );
        }
    }

    fn bind_import(&mut self, import: &'a Stmt) {
        match import {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let full = alias.name.as_str();
                    let (name, qualified) = match &alias.asname {
                        Some(asname) => (asname.as_str(), full.to_string()),
                        // `import a.b.c` binds `a`.
                        None => {
                            let first = full.split('.').next().unwrap_or(full);
                            (first, first.to_string())
                        }
                    };
                    let qualified = qualified.into();
                    self.bind(name, self.scope, BindingKind::Import { qualified });
                }
            }
            Stmt::ImportFrom(import) => {
                let module = import.module.as_deref().unwrap_or("");
                let base = if import.level == 0 {
                    module.to_string()
                } else {
                    let package = self
                        .options
                        .module
                        .as_ref()
                        .and_then(|m| m.relative_base(import.level));
                    match package {
                        Some(package) => [package.as_str(), module]
                            .into_iter()
                            .filter(|p| !p.is_empty())
                            .collect::<Vec<_>>()
                            .join("."),
                        None => format!("{}{module}", ".".repeat(import.level as usize)),
                    }
                };
                for alias in &import.names {
                    if alias.name.as_str() == "*" {
                        self.has_star_import = true;
                        continue;
                    }
                    let name = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    let qualified = if base.is_empty() || base.ends_with('.') {
                        [base.as_str(), alias.name.as_str()].concat().into()
                    } else {
                        super::dotted(&base, alias.name.as_str())
                    };
                    self.bind(name, self.scope, BindingKind::Import { qualified });
                }
            }
            _ => {}
        }
    }

    fn bind_pattern_names(&mut self, pattern: &'a Pattern) {
        let name = match pattern {
            Pattern::MatchAs(p) => p.name.as_ref(),
            Pattern::MatchStar(p) => p.name.as_ref(),
            Pattern::MatchMapping(p) => p.rest.as_ref(),
            _ => None,
        };
        if let Some(name) = name {
            self.bind(name.as_str(), self.scope, BindingKind::Other);
        }
    }

    /// Visits assignment targets with `kind` as what their names are bound to.
    fn visit_targets(&mut self, targets: &'a [Expr], kind: StoreKind<'a>) {
        let saved = std::mem::replace(&mut self.store_kind, kind);
        for target in targets {
            if let Expr::Attribute(attribute) = target
                && let (Expr::Name(receiver), StoreKind::Assignment(Some(value))) =
                    (&*attribute.value, kind)
            {
                self.attribute_candidates.push((
                    self.scope,
                    receiver.id.as_str(),
                    attribute.attr.as_str(),
                    value,
                ));
            }
            self.visit_expr(target);
        }
        self.store_kind = saved;
    }

    /// Which comprehensions CPython compiles as asynchronous. Children are created after
    /// their parents, so one backwards pass sees every child before its parent.
    fn compute_coroutine_comprehensions(&mut self) {
        let propagates = self.version() >= TargetVersion::Py311;
        for i in (0..self.scopes.len()).rev() {
            let scope = &mut self.scopes[i];
            let ScopeKind::Comprehension(kind) = scope.kind else {
                continue;
            };
            scope.is_coroutine |= scope.has_await || scope.has_async_for;
            // 3.11+: an asynchronous list/set/dict comprehension makes the comprehension
            // it is evaluated in asynchronous too; a generator expression never does.
            let parent = scope.parent.filter(|_| {
                propagates && scope.is_coroutine && kind != ComprehensionKind::Generator
            });
            if let Some(parent) = parent {
                let parent = &mut self.scopes[parent.index()];
                if parent.kind.is_comprehension() {
                    parent.is_coroutine = true;
                }
            }
        }
    }

    fn record(&mut self, node: NodeRef<'a>) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(NodeInfo {
            node,
            scope: self.scope,
            parent: self.parent,
            flags: self.flags,
        });
        self.kinds.push(node.kind() as u8);
        id
    }

    fn current_scope_mut(&mut self) -> &mut Scope<'a> {
        &mut self.scopes[self.scope.index()]
    }

    /// Runs `f` with a new scope of `kind` as the current scope.
    fn in_new_scope(&mut self, kind: ScopeKind, node: NodeRef<'a>, f: impl FnOnce(&mut Self)) {
        let id = ScopeId(u32::try_from(self.scopes.len()).unwrap_or(u32::MAX));
        self.scopes
            .push(Scope::new(kind, Some(self.scope), Some(node), self.parent));
        let saved = std::mem::replace(&mut self.scope, id);
        f(self);
        self.scope = saved;
    }

    /// Runs `f` with `flags` added to the inherited flags.
    fn with_flags(&mut self, flags: NodeFlags, f: impl FnOnce(&mut Self)) {
        let saved = self.flags;
        self.flags = self.flags.union(flags);
        f(self);
        self.flags = saved;
    }

    /// Runs `f` one level deeper, on a fresh stack segment when the current one runs low.
    fn nested(&mut self, id: NodeId, f: impl FnOnce(&mut Self)) {
        let saved_parent = self.parent.replace(id);
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
        // Looking at the stack costs a thread-local read: every few levels is enough, the
        // red zone being far larger than a few levels of this walk need.
        if self.depth.is_multiple_of(STACK_CHECK_EVERY) {
            stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || f(self));
        } else {
            f(self);
        }
        self.depth -= 1;
        self.parent = saved_parent;
    }

    fn visit_annotation_at(&mut self, annotation: &'a Expr, site: AnnotationSite) {
        let version = self.version();
        let mut flags = NodeFlags::IN_ANNOTATION;
        let stringified = self.future_annotations
            && !(site == AnnotationSite::ComplexTarget && version < TargetVersion::Py310);
        if stringified || site == AnnotationSite::LocalVariable {
            flags = flags.union(NodeFlags::UNEVALUATED);
        }
        // CPython gives annotations a block of their own under the future import from
        // 3.10 on, and always from 3.14 on (PEP 649).
        let own_scope = version >= TargetVersion::Py314
            || (self.future_annotations && version >= TargetVersion::Py310);
        self.with_flags(flags, |this| {
            if own_scope {
                this.in_new_scope(ScopeKind::Annotation, NodeRef::Expr(annotation), |this| {
                    this.visit_expr(annotation);
                });
            } else {
                this.visit_expr(annotation);
            }
        });
    }

    fn visit_parameter_defaults(&mut self, parameters: &'a Parameters) {
        for parameter in parameters.iter_non_variadic_params() {
            if let Some(default) = &parameter.default {
                self.visit_expr(default);
            }
        }
    }

    fn visit_parameter_annotations(&mut self, function: &'a StmtFunctionDef) {
        for parameter in function.parameters.iter() {
            if let Some(annotation) = parameter.annotation() {
                self.visit_annotation_at(annotation, AnnotationSite::Evaluated);
            }
        }
        if let Some(returns) = &function.returns {
            self.visit_annotation_at(returns, AnnotationSite::Evaluated);
        }
    }

    fn visit_function_def(&mut self, stmt: &'a Stmt, function: &'a StmtFunctionDef) {
        // Decorators and defaults run in the enclosing scope, before the function exists.
        for decorator in &function.decorator_list {
            self.visit_expr(&decorator.expression);
        }
        self.visit_parameter_defaults(&function.parameters);
        let body_scope = ScopeKind::Function {
            is_async: function.is_async,
        };
        let enclosing = self.scope;
        let annotations_and_body = |this: &mut Self| {
            this.visit_parameter_annotations(function);
            let body = this.next_scope_id();
            this.bind(
                function.name.as_str(),
                enclosing,
                BindingKind::FunctionDef {
                    stmt: function,
                    body,
                },
            );
            this.in_new_scope(body_scope, NodeRef::Stmt(stmt), |this| {
                this.bind_parameters(&function.parameters);
                this.visit_body(&function.body);
            });
        };
        match &function.type_params {
            Some(type_params) => {
                let kind = ScopeKind::Type(TypeScopeKind::GenericDefinition);
                self.in_new_scope(kind, NodeRef::Stmt(stmt), |this| {
                    this.visit_type_params_in_scopes(type_params);
                    annotations_and_body(this);
                });
            }
            None => annotations_and_body(self),
        }
    }

    fn visit_class_def(&mut self, stmt: &'a Stmt, class: &'a ast::StmtClassDef) {
        for decorator in &class.decorator_list {
            self.visit_expr(&decorator.expression);
        }
        let enclosing = self.scope;
        let bases_and_body = |this: &mut Self| {
            if let Some(arguments) = &class.arguments {
                this.visit_arguments(arguments);
            }
            let body = this.next_scope_id();
            this.bind(
                class.name.as_str(),
                enclosing,
                BindingKind::ClassDef { stmt: class, body },
            );
            this.in_new_scope(ScopeKind::Class, NodeRef::Stmt(stmt), |this| {
                this.visit_body(&class.body);
            });
        };
        match &class.type_params {
            Some(type_params) => {
                let kind = ScopeKind::Type(TypeScopeKind::GenericDefinition);
                self.in_new_scope(kind, NodeRef::Stmt(stmt), |this| {
                    this.visit_type_params_in_scopes(type_params);
                    bases_and_body(this);
                });
            }
            None => bases_and_body(self),
        }
    }

    fn visit_type_alias(&mut self, stmt: &'a Stmt, alias: &'a ast::StmtTypeAlias) {
        self.visit_expr(&alias.name);
        let value = |this: &mut Self| {
            let kind = ScopeKind::Type(TypeScopeKind::TypeAlias);
            this.in_new_scope(kind, NodeRef::Stmt(stmt), |this| {
                this.visit_expr(&alias.value)
            });
        };
        match &alias.type_params {
            Some(type_params) => {
                let kind = ScopeKind::Type(TypeScopeKind::GenericDefinition);
                self.in_new_scope(kind, NodeRef::Stmt(stmt), |this| {
                    this.visit_type_params_in_scopes(type_params);
                    value(this);
                });
            }
            None => value(self),
        }
    }

    /// Each bound, constraint tuple and default of a type parameter is evaluated lazily,
    /// in an annotation scope of its own.
    fn visit_type_params_in_scopes(&mut self, type_params: &'a TypeParams) {
        for type_param in &type_params.type_params {
            self.bind(type_param.name().as_str(), self.scope, BindingKind::Other);
            let (bound, default, default_kind) = match type_param {
                TypeParam::TypeVar(tv) => (
                    tv.bound.as_deref(),
                    tv.default.as_deref(),
                    TypeScopeKind::TypeVarDefault,
                ),
                TypeParam::TypeVarTuple(tvt) => (
                    None,
                    tvt.default.as_deref(),
                    TypeScopeKind::TypeVarTupleDefault,
                ),
                TypeParam::ParamSpec(ps) => {
                    (None, ps.default.as_deref(), TypeScopeKind::ParamSpecDefault)
                }
            };
            if let Some(bound) = bound {
                let kind = if bound.is_tuple_expr() {
                    TypeScopeKind::TypeVarConstraint
                } else {
                    TypeScopeKind::TypeVarBound
                };
                self.in_new_scope(ScopeKind::Type(kind), NodeRef::Expr(bound), |this| {
                    this.visit_expr(bound);
                });
            }
            if let Some(default) = default {
                let kind = ScopeKind::Type(default_kind);
                self.in_new_scope(kind, NodeRef::Expr(default), |this| {
                    this.visit_expr(default)
                });
            }
        }
    }

    fn visit_ann_assign(&mut self, ann: &'a ast::StmtAnnAssign) {
        if let Some(value) = &ann.value {
            self.visit_expr(value);
        }
        let kind = match &ann.value {
            Some(value) => StoreKind::Assignment(Some(value)),
            None => StoreKind::Other,
        };
        self.visit_targets(std::slice::from_ref(&*ann.target), kind);
        let site = if matches!(
            self.scopes[self.scope.index()].kind,
            ScopeKind::Function { .. }
        ) {
            AnnotationSite::LocalVariable
        } else if ann.simple {
            AnnotationSite::Evaluated
        } else {
            AnnotationSite::ComplexTarget
        };
        self.visit_annotation_at(&ann.annotation, site);
    }

    /// `if`/`elif`/`else`, marking the branches CPython 3.7 drops unchecked.
    fn visit_if(&mut self, stmt_if: &'a ast::StmtIf) {
        let py37 = self.version() == TargetVersion::Py37;
        let clauses = std::iter::once((Some(&*stmt_if.test), &stmt_if.body)).chain(
            stmt_if
                .elif_else_clauses
                .iter()
                .map(|clause| (clause.test.as_ref(), &clause.body)),
        );
        // Once a test folds to a true constant, 3.7 drops every later clause, tests included.
        let mut rest_is_dead = false;
        for (test, body) in clauses {
            if rest_is_dead {
                self.with_flags(NodeFlags::DEAD_ON_PY37, |this| {
                    if let Some(test) = test {
                        this.visit_expr(test);
                    }
                    this.visit_body(body);
                });
                continue;
            }
            if let Some(test) = test {
                self.visit_expr(test);
            }
            let truth = match test {
                Some(test) if py37 => py37_truthiness(test),
                _ => None,
            };
            match truth {
                Some(false) => self.with_flags(NodeFlags::DEAD_ON_PY37, |this| {
                    this.visit_body(body);
                }),
                Some(true) => {
                    self.visit_body(body);
                    rest_is_dead = true;
                }
                None => self.visit_body(body),
            }
        }
    }

    fn visit_while(&mut self, stmt_while: &'a ast::StmtWhile) {
        self.visit_expr(&stmt_while.test);
        let dead = self.version() == TargetVersion::Py37
            && py37_truthiness(&stmt_while.test) == Some(false);
        if dead {
            self.with_flags(NodeFlags::DEAD_ON_PY37, |this| {
                this.visit_body(&stmt_while.body)
            });
        } else {
            self.visit_body(&stmt_while.body);
        }
        self.visit_body(&stmt_while.orelse);
    }

    fn visit_lambda(&mut self, expr: &'a Expr, lambda: &'a ast::ExprLambda) {
        if let Some(parameters) = &lambda.parameters {
            self.visit_parameter_defaults(parameters);
        }
        self.in_new_scope(ScopeKind::Lambda, NodeRef::Expr(expr), |this| {
            if let Some(parameters) = &lambda.parameters {
                this.bind_parameters(parameters);
            }
            this.visit_expr(&lambda.body);
        });
    }

    /// The first iterable is evaluated in the enclosing scope; everything else in the
    /// comprehension's own scope.
    fn visit_comprehension_expr(
        &mut self,
        expr: &'a Expr,
        kind: ComprehensionKind,
        generators: &'a [Comprehension],
        elements: &[&'a Expr],
    ) {
        let (first_iter, clauses) = match generators.split_first() {
            Some((first, _)) => (Some(&first.iter), generators),
            None => (None, generators),
        };
        if let Some(iter) = first_iter {
            self.visit_expr(iter);
        }
        self.in_new_scope(
            ScopeKind::Comprehension(kind),
            NodeRef::Expr(expr),
            |this| {
                if clauses.iter().any(|clause| clause.is_async) {
                    this.current_scope_mut().has_async_for = true;
                }
                for (i, clause) in clauses.iter().enumerate() {
                    this.visit_expr(&clause.target);
                    if i > 0 {
                        this.visit_expr(&clause.iter);
                    }
                    for condition in &clause.ifs {
                        this.visit_expr(condition);
                    }
                }
                for element in elements {
                    this.visit_expr(element);
                }
            },
        );
    }
}

impl<'a> Visitor<'a> for Builder<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let id = self.record(NodeRef::Stmt(stmt));
        self.nested(id, |this| match stmt {
            Stmt::FunctionDef(function) => this.visit_function_def(stmt, function),
            Stmt::ClassDef(class) => this.visit_class_def(stmt, class),
            Stmt::TypeAlias(alias) => this.visit_type_alias(stmt, alias),
            Stmt::AnnAssign(ann) => this.visit_ann_assign(ann),
            Stmt::If(stmt_if) => this.visit_if(stmt_if),
            Stmt::While(stmt_while) => this.visit_while(stmt_while),
            Stmt::Import(_) | Stmt::ImportFrom(_) => this.bind_import(stmt),
            Stmt::Assign(assign) => {
                this.visit_expr(&assign.value);
                let value = match assign.targets.as_slice() {
                    [Expr::Name(_)] | [Expr::Attribute(_)] => Some(&*assign.value),
                    _ => None,
                };
                this.visit_targets(&assign.targets, StoreKind::Assignment(value));
            }
            Stmt::With(with) => {
                for item in &with.items {
                    this.visit_expr(&item.context_expr);
                    if let Some(target) = &item.optional_vars {
                        let kind = match &**target {
                            Expr::Name(_) => StoreKind::WithItem(&item.context_expr),
                            _ => StoreKind::Other,
                        };
                        this.visit_targets(std::slice::from_ref(&**target), kind);
                    }
                }
                this.visit_body(&with.body);
            }
            Stmt::Global(global) => {
                for name in &global.names {
                    this.bind(name.as_str(), this.scope, BindingKind::Global);
                }
            }
            Stmt::Nonlocal(nonlocal) => {
                for name in &nonlocal.names {
                    this.bind(name.as_str(), this.scope, BindingKind::Nonlocal);
                }
            }
            Stmt::Try(stmt_try) => {
                for handler in &stmt_try.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        this.bind(name.as_str(), this.scope, BindingKind::Other);
                    }
                }
                visitor::walk_stmt(this, stmt);
            }
            _ => visitor::walk_stmt(this, stmt),
        });
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        let id = self.record(NodeRef::Expr(expr));
        self.nested(id, |this| match expr {
            Expr::Lambda(lambda) => this.visit_lambda(expr, lambda),
            Expr::ListComp(comp) => this.visit_comprehension_expr(
                expr,
                ComprehensionKind::List,
                &comp.generators,
                &[&comp.elt],
            ),
            Expr::SetComp(comp) => this.visit_comprehension_expr(
                expr,
                ComprehensionKind::Set,
                &comp.generators,
                &[&comp.elt],
            ),
            Expr::DictComp(comp) => {
                let mut elements: Vec<&'a Expr> = Vec::with_capacity(2);
                if let Some(key) = comp.key.as_deref() {
                    elements.push(key);
                }
                elements.push(&comp.value);
                this.visit_comprehension_expr(
                    expr,
                    ComprehensionKind::Dict,
                    &comp.generators,
                    &elements,
                );
            }
            Expr::Generator(generator) => this.visit_comprehension_expr(
                expr,
                ComprehensionKind::Generator,
                &generator.generators,
                &[&generator.elt],
            ),
            Expr::Await(_) => {
                this.current_scope_mut().has_await = true;
                visitor::walk_expr(this, expr);
            }
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                this.current_scope_mut().is_generator = true;
                visitor::walk_expr(this, expr);
            }
            Expr::Name(name) => match name.ctx {
                ExprContext::Store => {
                    let kind = match this.store_kind {
                        StoreKind::Assignment(value) => BindingKind::Assignment { value },
                        StoreKind::WithItem(context) => BindingKind::WithItem { context },
                        StoreKind::Other => BindingKind::Other,
                    };
                    this.bind(name.id.as_str(), this.scope, kind);
                }
                ExprContext::Del => this.bind(name.id.as_str(), this.scope, BindingKind::Deletion),
                _ => {}
            },
            Expr::Named(named) => {
                this.visit_expr(&named.value);
                if let Expr::Name(target) = &*named.target {
                    let scope = this.walrus_scope();
                    this.bind(target.id.as_str(), scope, BindingKind::Other);
                    // Recorded as a node, but bound above, in the walrus scope.
                    this.record(NodeRef::Expr(&named.target));
                } else {
                    this.visit_expr(&named.target);
                }
            }
            _ => visitor::walk_expr(this, expr),
        });
    }

    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        self.bind_pattern_names(pattern);
        visitor::walk_pattern(self, pattern);
    }

    /// Reached only for annotations the walk above does not route itself.
    fn visit_annotation(&mut self, expr: &'a Expr) {
        self.visit_annotation_at(expr, AnnotationSite::Evaluated);
    }
}
