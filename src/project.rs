//! The project-wide phase. Phase 1 lints each file on its own and extracts a small
//! summary of facts (its top-level functions, classes and imports) plus the checks it
//! could not decide alone ("is `pkg.db.fetch` a coroutine function?"). Phase 2 indexes the
//! facts of every file and decides those checks. No syntax tree outlives phase 1.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ruff_python_ast::Expr;
use ruff_text_size::TextRange;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::registry::RuleMeta;
use crate::scope::{BindingKind, ModulePath, Resolution, ScopeId, ScopeModel};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FunctionKind {
    Sync,
    SyncGenerator,
    Coroutine,
    AsyncGenerator,
}

/// What a decorator does to the kind of function it decorates, as far as we know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decoration {
    /// No decorator, or only ones that keep the function what it is (`staticmethod`,
    /// `abstractmethod`, `override`, ...).
    None,
    ContextManager,
    AsyncContextManager,
    /// Any other decorator: the name may now be bound to anything.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionFacts {
    pub kind: FunctionKind,
    pub decoration: Decoration,
    /// The first blocking call made directly in the body (a sync function only), for
    /// reporting chains of sync helpers that block.
    pub blocking_call: Option<String>,
    /// Qualified names of the functions this (sync) function calls.
    pub calls: Vec<String>,
}

impl FunctionFacts {
    /// Calling it certainly returns a coroutine object.
    pub fn returns_coroutine(&self) -> bool {
        self.kind == FunctionKind::Coroutine && self.decoration == Decoration::None
    }

    pub fn returns_async_generator(&self) -> bool {
        self.kind == FunctionKind::AsyncGenerator && self.decoration == Decoration::None
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassFacts {
    /// Qualified names of the bases we could resolve; `None` for one we could not.
    pub bases: Vec<Option<String>>,
    pub methods: Vec<(String, FunctionFacts)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DefinitionKind {
    Function(FunctionFacts),
    Class(ClassFacts),
    /// A re-export: the name is bound to an import of this qualified name.
    Import(String),
    /// Bound to something else, or bound several times.
    Other,
}

/// What other files need to know about one module.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ModuleFacts {
    pub module: String,
    pub definitions: Vec<(String, DefinitionKind)>,
}

/// What a deferred check asks about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target {
    /// A dotted name: `pkg.db.fetch`, `pkg.db.Client`.
    Symbol(String),
    /// A method looked up through a class and its bases.
    Method { class: String, name: String },
}

/// What phase 2 found for a [`Target`].
#[derive(Clone, Copy, Debug)]
pub enum Resolved<'i> {
    Function(&'i FunctionFacts),
    Class(&'i ClassFacts),
}

/// Decides a deferred check: the message, or `None` for no diagnostic.
pub type Decide = fn(Resolved<'_>, &ProjectIndex, &str) -> Option<String>;

/// The checks of one file that phase 1 could not decide alone, about one target: one
/// entry per (rule, target, decision), with every place it is asked about — a test
/// module calling a project helper a thousand times keeps one target, not a thousand.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingCheck {
    /// Stored by its code (in the cache).
    #[serde(with = "crate::registry::by_code")]
    pub rule: &'static RuleMeta,
    pub target: Target,
    /// Stored by its name in [`crate::registry::DECIDERS`] (in the cache).
    #[serde(with = "crate::registry::decider_by_name")]
    pub decide: Decide,
    /// Each place, with what the rule wants to say about it (e.g. how the call was
    /// written).
    pub sites: Vec<(TextRange, Box<str>)>,
}

/// The facts of every module, by dotted name.
#[derive(Default)]
pub struct ProjectIndex {
    modules: HashMap<String, ModuleFacts>,
}

/// Import chains longer than this are not followed (and cycles end).
const MAX_HOPS: usize = 16;

impl ProjectIndex {
    pub fn new(facts: impl IntoIterator<Item = ModuleFacts>) -> Self {
        let modules = facts
            .into_iter()
            .filter(|f| !f.module.is_empty())
            .map(|f| (f.module.clone(), f))
            .collect();
        Self { modules }
    }

    pub fn module_count(&self) -> usize {
        self.modules.len()
    }

    pub fn resolve(&self, target: &Target) -> Option<Resolved<'_>> {
        match target {
            Target::Symbol(name) => self.lookup(name, 0),
            Target::Method { class, name } => self.method(class, name, 0).map(Resolved::Function),
        }
    }

    /// Resolves `pkg.mod.name[.attr...]` through modules, re-exports and classes.
    fn lookup(&self, qualified: &str, hops: usize) -> Option<Resolved<'_>> {
        if hops > MAX_HOPS {
            return None;
        }
        let parts: Vec<&str> = qualified.split('.').collect();
        for split in (1..parts.len()).rev() {
            let Some(module) = self.modules.get(&parts[..split].join(".")) else {
                continue;
            };
            let (first, rest) = (parts[split], &parts[split + 1..]);
            let definition = module
                .definitions
                .iter()
                .find(|(name, _)| name == first)
                .map(|(_, kind)| kind)?;
            return match (definition, rest) {
                (DefinitionKind::Function(f), []) => Some(Resolved::Function(f)),
                (DefinitionKind::Class(c), []) => Some(Resolved::Class(c)),
                (DefinitionKind::Class(_), [method]) => {
                    let class = parts[..=split].join(".");
                    self.method(&class, method, hops + 1)
                        .map(Resolved::Function)
                }
                (DefinitionKind::Import(target), rest) => {
                    let mut next = target.clone();
                    for part in rest {
                        next.push('.');
                        next.push_str(part);
                    }
                    self.lookup(&next, hops + 1)
                }
                _ => None,
            };
        }
        None
    }

    /// A method of a class in the tree, looked up in the class, then in its bases.
    pub fn method(&self, class: &str, name: &str, hops: usize) -> Option<&FunctionFacts> {
        if hops > MAX_HOPS {
            return None;
        }
        let Some(Resolved::Class(facts)) = self.lookup(class, hops + 1) else {
            return None;
        };
        if let Some((_, method)) = facts.methods.iter().find(|(n, _)| n == name) {
            return Some(method);
        }
        // Python's MRO is more than depth-first, but with a single path of bases (the
        // common case) it is the same; with several we give up rather than guess.
        match facts.bases.as_slice() {
            [Some(base)] => self.method(base, name, hops + 1),
            _ => None,
        }
    }

    /// Follows sync helpers to a blocking call: `["helper", "inner", "time.sleep"]`.
    pub fn blocking_chain(&self, function: &str) -> Option<Vec<String>> {
        let mut chain = vec![function.to_string()];
        let mut current = function.to_string();
        for _ in 0..MAX_HOPS {
            let Some(Resolved::Function(facts)) = self.lookup(&current, 0) else {
                return None;
            };
            if facts.kind != FunctionKind::Sync || facts.decoration != Decoration::None {
                return None;
            }
            if let Some(call) = &facts.blocking_call {
                chain.push(call.clone());
                return Some(chain);
            }
            let next = facts.calls.iter().find(|callee| {
                !chain.contains(callee)
                    && matches!(self.lookup(callee, 0), Some(Resolved::Function(f)) if f.kind == FunctionKind::Sync)
                    && self.reaches_blocking(callee, &chain)
            })?;
            chain.push(next.clone());
            current = next.clone();
        }
        None
    }

    fn reaches_blocking(&self, function: &str, visited: &[String]) -> bool {
        let mut stack = vec![function.to_string()];
        let mut seen: Vec<String> = visited.to_vec();
        while let Some(name) = stack.pop() {
            if seen.contains(&name) || seen.len() > 64 {
                continue;
            }
            seen.push(name.clone());
            if let Some(Resolved::Function(f)) = self.lookup(&name, 0) {
                if f.kind != FunctionKind::Sync || f.decoration != Decoration::None {
                    continue;
                }
                if f.blocking_call.is_some() {
                    return true;
                }
                stack.extend(f.calls.iter().cloned());
            }
        }
        false
    }

    /// Runs the deferred checks of one file.
    pub fn decide(&self, pending: &[PendingCheck]) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        for check in pending {
            let Some(resolved) = self.resolve(&check.target) else {
                continue;
            };
            for (range, detail) in &check.sites {
                if let Some(message) = (check.decide)(resolved, self, detail) {
                    found.push(Diagnostic::new(check.rule, message, *range));
                }
            }
        }
        found
    }
}

/// The dotted module name of a file: its path from the topmost directory that is a
/// package (has an `__init__.py`) chain above it, given the dotted name of the file's
/// directory ([`package_name`]; `None` when it is not a package).
pub fn module_in(file: &Path, package: Option<&str>) -> Option<ModulePath> {
    let stem = file.file_stem()?.to_str()?;
    if stem == "__init__" {
        return package.map(|name| ModulePath {
            name: name.to_string(),
            is_package: true,
        });
    }
    let name = match package {
        Some(package) => [package, ".", stem].concat(),
        None => stem.to_string(),
    };
    Some(ModulePath {
        name,
        is_package: false,
    })
}

/// The dotted name of a directory that is a package, `None` for one that is not;
/// `cache` remembers it for each directory asked about.
pub fn package_name(
    directory: &Path,
    cache: &mut HashMap<PathBuf, Option<String>>,
) -> Option<String> {
    if let Some(known) = cache.get(directory) {
        return known.clone();
    }
    let name =
        if directory.join("__init__.py").is_file() || directory.join("__init__.pyi").is_file() {
            let own = directory
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string);
            match (directory.parent().and_then(|p| package_name(p, cache)), own) {
                (Some(parent), Some(own)) => Some(format!("{parent}.{own}")),
                (None, own) => own,
                (Some(_), None) => None,
            }
        } else {
            None
        };
    cache.insert(directory.to_path_buf(), name.clone());
    name
}

/// Decorators that leave a function what it is.
const KIND_PRESERVING_DECORATORS: &[&str] = &[
    "staticmethod",
    "classmethod",
    "abstractmethod",
    "override",
    "final",
    "overload",
    "typing.overload",
    "typing.override",
    "typing.final",
    "typing_extensions.override",
    "typing_extensions.final",
    "typing_extensions.overload",
    "abc.abstractmethod",
    "builtins.staticmethod",
    "builtins.classmethod",
];

/// What the decorators of a function do to its kind.
pub fn decoration_of(
    model: &ScopeModel<'_>,
    decorators: &[ruff_python_ast::Decorator],
    scope: ScopeId,
) -> Decoration {
    let mut decoration = Decoration::None;
    for decorator in decorators {
        let expr = match &decorator.expression {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        let name = model
            .qualified_name(expr, scope)
            .map(|name| name.to_string())
            .or_else(|| match expr {
                Expr::Name(n) => Some(n.id.to_string()),
                Expr::Attribute(a) => Some(a.attr.to_string()),
                _ => None,
            });
        let name = name.as_deref().unwrap_or("");
        let short = name.rsplit('.').next().unwrap_or(name);
        decoration = match name {
            "contextlib.contextmanager" => Decoration::ContextManager,
            "contextlib.asynccontextmanager" => Decoration::AsyncContextManager,
            _ if KIND_PRESERVING_DECORATORS.contains(&name)
                || KIND_PRESERVING_DECORATORS.contains(&short) && !name.contains('.') =>
            {
                continue;
            }
            _ => return Decoration::Unknown,
        };
    }
    decoration
}

/// The kind of a function from its definition and the model.
pub fn function_kind(model: &ScopeModel<'_>, is_async: bool, body: ScopeId) -> FunctionKind {
    match (is_async, model.scope(body).is_generator) {
        (false, false) => FunctionKind::Sync,
        (false, true) => FunctionKind::SyncGenerator,
        (true, false) => FunctionKind::Coroutine,
        (true, true) => FunctionKind::AsyncGenerator,
    }
}

/// Extracts the facts of a module for phase 2.
pub fn module_facts(
    model: &ScopeModel<'_>,
    blocking: &dyn Fn(ScopeId) -> (Option<String>, Vec<String>),
) -> ModuleFacts {
    let Some(module) = model.module_path() else {
        return ModuleFacts::default();
    };
    let mut definitions = Vec::new();
    let mut names: Vec<&str> = model
        .scope_bindings(ScopeId::MODULE)
        .map(|(_, b)| b.name)
        .collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let kind = match model.resolve_name(name, ScopeId::MODULE) {
            Resolution::Unique(id) => match &model.binding(id).kind {
                BindingKind::FunctionDef { stmt, body } => DefinitionKind::Function(
                    function_facts(model, stmt, *body, ScopeId::MODULE, blocking),
                ),
                BindingKind::ClassDef { stmt, body } => {
                    let bases = stmt
                        .bases()
                        .iter()
                        .map(|base| qualified_in_module(model, base, &module.name))
                        .collect();
                    let mut methods = Vec::new();
                    for (_, binding) in model.scope_bindings(*body) {
                        if let BindingKind::FunctionDef {
                            stmt: method,
                            body: method_body,
                        } = binding.kind
                            && model.method_of(*body, binding.name).is_some()
                        {
                            methods.push((
                                binding.name.to_string(),
                                function_facts(model, method, method_body, *body, blocking),
                            ));
                        }
                    }
                    DefinitionKind::Class(ClassFacts { bases, methods })
                }
                BindingKind::Import { qualified } => DefinitionKind::Import(qualified.to_string()),
                _ => DefinitionKind::Other,
            },
            _ => DefinitionKind::Other,
        };
        definitions.push((name.to_string(), kind));
    }
    ModuleFacts {
        module: module.name.clone(),
        definitions,
    }
}

fn function_facts(
    model: &ScopeModel<'_>,
    def: &ruff_python_ast::StmtFunctionDef,
    body: ScopeId,
    enclosing: ScopeId,
    blocking: &dyn Fn(ScopeId) -> (Option<String>, Vec<String>),
) -> FunctionFacts {
    let kind = function_kind(model, def.is_async, body);
    let (blocking_call, calls) = if kind == FunctionKind::Sync {
        blocking(body)
    } else {
        (None, Vec::new())
    };
    FunctionFacts {
        kind,
        decoration: decoration_of(model, &def.decorator_list, enclosing),
        blocking_call,
        calls,
    }
}

/// The qualified name of an expression, with names defined in this module qualified by
/// the module's own name.
pub fn qualified_in_module(model: &ScopeModel<'_>, expr: &Expr, module: &str) -> Option<String> {
    if let Some(name) = model.qualified_name(expr, ScopeId::MODULE) {
        return Some(name.to_string());
    }
    match expr {
        Expr::Name(name) => match model.resolve_name(name.id.as_str(), ScopeId::MODULE) {
            Resolution::Unique(id)
                if matches!(
                    model.binding(id).kind,
                    BindingKind::FunctionDef { .. } | BindingKind::ClassDef { .. }
                ) && model.binding(id).scope == ScopeId::MODULE =>
            {
                Some(format!("{module}.{}", name.id))
            }
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(kind: FunctionKind) -> DefinitionKind {
        DefinitionKind::Function(FunctionFacts {
            kind,
            decoration: Decoration::None,
            blocking_call: None,
            calls: Vec::new(),
        })
    }

    #[test]
    fn follows_re_exports_and_bases() {
        let index = ProjectIndex::new([
            ModuleFacts {
                module: "pkg".into(),
                definitions: vec![(
                    "fetch".into(),
                    DefinitionKind::Import("pkg.db.fetch".into()),
                )],
            },
            ModuleFacts {
                module: "pkg.db".into(),
                definitions: vec![
                    ("fetch".into(), function(FunctionKind::Coroutine)),
                    (
                        "Base".into(),
                        DefinitionKind::Class(ClassFacts {
                            bases: vec![],
                            methods: vec![(
                                "load".into(),
                                match function(FunctionKind::Coroutine) {
                                    DefinitionKind::Function(f) => f,
                                    _ => unreachable!(),
                                },
                            )],
                        }),
                    ),
                    (
                        "Child".into(),
                        DefinitionKind::Class(ClassFacts {
                            bases: vec![Some("pkg.db.Base".into())],
                            methods: vec![],
                        }),
                    ),
                ],
            },
        ]);
        assert!(matches!(
            index.resolve(&Target::Symbol("pkg.fetch".into())),
            Some(Resolved::Function(f)) if f.kind == FunctionKind::Coroutine
        ));
        assert!(matches!(
            index.resolve(&Target::Method {
                class: "pkg.db.Child".into(),
                name: "load".into()
            }),
            Some(Resolved::Function(_))
        ));
        assert!(
            index
                .resolve(&Target::Symbol("pkg.missing".into()))
                .is_none()
        );
    }

    #[test]
    fn module_names_follow_packages() {
        let root = tempfile::tempdir().unwrap();
        let package = root.path().join("src/pkg/sub");
        std::fs::create_dir_all(&package).unwrap();
        std::fs::write(root.path().join("src/pkg/__init__.py"), "").unwrap();
        std::fs::write(package.join("__init__.py"), "").unwrap();
        let mut cache = HashMap::new();
        let mut module_path = |file: &Path| {
            let package = package_name(file.parent().unwrap(), &mut cache);
            module_in(file, package.as_deref()).unwrap()
        };
        let module = module_path(&package.join("mod.py"));
        assert_eq!(module.name, "pkg.sub.mod");
        let init = module_path(&package.join("__init__.py"));
        assert_eq!((init.name.as_str(), init.is_package), ("pkg.sub", true));
        let script = module_path(&root.path().join("script.py"));
        assert_eq!(script.name, "script");
    }
}
