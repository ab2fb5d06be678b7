//! AL115: a special method of the wrong kind: `async def` for one Python calls
//! synchronously and uses the result of at once (`__init__`, `__enter__`, `__iter__`,
//! `__aiter__`, `__str__`…), or a plain `def` that returns something not awaitable for
//! one whose result Python awaits (`__aenter__`, `__aexit__`, `__anext__`).

use ruff_python_ast::{Expr, NodeKind, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange};

use crate::diagnostic::{Diagnostic, Severity};
use crate::project::{Decoration, decoration_of};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::protocols::{Protocols, function_body, shown};
use crate::scope::{BindingKind, Resolution, ScopeId, ScopeKind, has_decorator_named};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL115",
    name: "dunder-kind-mismatch",
    summary: "A special method is `async def` where Python needs a plain `def`, or the reverse",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL115.md"),
    check: Some(check),
};

const STR: &str = "`str()`/`repr()`/`format()` raise `TypeError`: it must return a string";
const INT: &str = "the builtin that calls it raises `TypeError`: it must return an integer";
const ALWAYS_TRUE: &str =
    "the object it returns is always true, so the test always succeeds, and its body never runs";
const DISCARDED: &str = "Python discards what it returns, so its body never runs";

/// Special methods Python calls synchronously and uses the result of at once, with what
/// goes wrong when they are `async def`.
const MUST_BE_SYNC: &[(&str, &str)] = &[
    (
        "__init__",
        "instantiating the class raises `TypeError` (`__init__()` should return None)",
    ),
    ("__del__", DISCARDED),
    (
        "__enter__",
        "`with … as x` binds the coroutine object instead of the resource, and the body of `__enter__` never runs",
    ),
    (
        "__exit__",
        "its body never runs, and the coroutine object it returns is true, so every exception raised in the `with` block is silently swallowed",
    ),
    (
        "__iter__",
        "`for` and `iter()` raise `TypeError`: it must return an iterator",
    ),
    (
        "__next__",
        "`next()` returns a coroutine object instead of the next item, and never raises `StopIteration`",
    ),
    (
        "__aiter__",
        "`async for` raises `TypeError`: `__aiter__` must return an async iterator itself, not an awaitable (make it a plain `def` that returns one, usually `self`)",
    ),
    (
        "__await__",
        "`await` raises `TypeError`: `__await__` must return an iterator (a plain generator)",
    ),
    ("__repr__", STR),
    ("__str__", STR),
    ("__format__", STR),
    (
        "__bytes__",
        "`bytes()` raises `TypeError`: it must return bytes",
    ),
    (
        "__fspath__",
        "`os.fspath()` raises `TypeError`: it must return a str or bytes",
    ),
    ("__hash__", INT),
    ("__len__", INT),
    ("__length_hint__", INT),
    ("__index__", INT),
    ("__int__", INT),
    ("__sizeof__", INT),
    (
        "__float__",
        "`float()` raises `TypeError`: it must return a float",
    ),
    (
        "__complex__",
        "`complex()` raises `TypeError`: it must return a complex",
    ),
    (
        "__bool__",
        "truth tests raise `TypeError`: it must return a bool",
    ),
    ("__contains__", ALWAYS_TRUE),
    ("__instancecheck__", ALWAYS_TRUE),
    ("__subclasscheck__", ALWAYS_TRUE),
    ("__setitem__", DISCARDED),
    ("__delitem__", DISCARDED),
    ("__setattr__", DISCARDED),
    ("__delattr__", DISCARDED),
    ("__set__", DISCARDED),
    ("__delete__", DISCARDED),
    ("__set_name__", DISCARDED),
    ("__init_subclass__", DISCARDED),
];

/// Special methods whose result Python awaits, with the statement that awaits it.
const MUST_BE_AWAITABLE: &[(&str, &str)] = &[
    ("__aenter__", "async with"),
    ("__aexit__", "async with"),
    ("__anext__", "async for"),
];

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let protocols = Protocols::new(model);
    for node in model.nodes_of(NodeKind::StmtFunctionDef) {
        let Some(Stmt::FunctionDef(def)) = node.stmt() else {
            continue;
        };
        let class = node.scope_id();
        if node.scope().kind != ScopeKind::Class {
            continue;
        }
        let name = def.name.as_str();
        if decoration_of(model, &def.decorator_list, class) != Decoration::None {
            continue;
        }
        let Some(body) = function_body(model, def, class) else {
            continue;
        };
        let is_generator = model.scope(body).is_generator;
        let range = def.name.range();
        if let Some((_, consequence)) = MUST_BE_SYNC.iter().find(|(n, _)| *n == name) {
            // An async generator is exactly what `__aiter__` may return.
            if def.is_async && !(name == "__aiter__" && is_generator) {
                let returns = if is_generator {
                    "an async generator"
                } else {
                    "a coroutine"
                };
                diagnostics.push(Diagnostic::new(
                    &RULE,
                    format!(
                        "`async def {name}` returns {returns}, but Python calls `{name}` synchronously: {consequence}"
                    ),
                    range,
                ));
            }
            continue;
        }
        let Some((_, statement)) = MUST_BE_AWAITABLE.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let problem = if def.is_async {
            is_generator.then(|| {
                "an `async def` with `yield` is an async generator function, whose result is not awaitable".to_string()
            })
        } else if is_generator {
            Some("a plain generator is not awaitable".to_string())
        } else {
            not_awaitable_return(checker, &protocols, def, body, class)
        };
        if let Some(problem) = problem {
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "`{statement}` awaits what `{name}` returns, and {problem}: `{statement}` raises `TypeError`; make it an `async def` without `yield`"
                ),
                range,
            ));
        }
    }
}

/// A body of only a docstring and `...` (a protocol or stub declaration).
fn is_stub(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Expr(e) => matches!(*e.value, Expr::EllipsisLiteral(_) | Expr::StringLiteral(_)),
        _ => false,
    })
}

/// For a plain `def __aenter__` (…): a return that is certainly not awaitable — falling off
/// the end or `return None`, a literal, or `self` when the class cannot be awaitable.
fn not_awaitable_return(
    checker: &Checker,
    protocols: &Protocols,
    def: &StmtFunctionDef,
    body: ScopeId,
    class: ScopeId,
) -> Option<String> {
    let model = checker.model;
    let skipped = ["staticmethod", "classmethod", "abstractmethod", "overload"];
    if skipped.iter().any(|d| has_decorator_named(def, d)) || is_stub(&def.body) {
        return None;
    }
    let is_receiver = |name: &str| {
        matches!(model.resolve_name(name, body), Resolution::Unique(id)
            if matches!(model.binding(id).kind, BindingKind::Parameter { index: 0, .. }))
    };
    let mut returns = model
        .nodes_of(NodeKind::StmtReturn)
        .filter(|n| n.scope_id() == body)
        .filter_map(|n| match n.stmt() {
            Some(Stmt::Return(r)) => Some(r),
            _ => None,
        })
        .peekable();
    if returns.peek().is_none() {
        let raises = model
            .nodes_of(NodeKind::StmtRaise)
            .any(|n| n.scope_id() == body);
        return (!raises).then(|| "this one returns `None`".to_string());
    }
    let shown_value = |range: TextRange| shown(checker.source, range);
    returns.find_map(|r| match r.value.as_deref() {
        None | Some(Expr::NoneLiteral(_)) => Some("this one returns `None`".to_string()),
        Some(
            value @ (Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::FString(_)
            | Expr::List(_)
            | Expr::Tuple(_)
            | Expr::Dict(_)
            | Expr::Set(_)),
        ) => Some(format!("this one returns `{}`", shown_value(value.range()))),
        Some(Expr::Name(n))
            if is_receiver(n.id.as_str()) && !protocols.instances_may_be_awaitable(class) =>
        {
            Some(format!(
                "this one returns `{}`, which is not awaitable (the class has no `__await__`)",
                n.id
            ))
        }
        _ => None,
    })
}
