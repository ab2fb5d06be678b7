//! AL123: an async API of the standard library that the target Python version does not
//! have (yet, or any more), and the `loop=` argument asyncio removed in 3.10.

use std::collections::HashSet;

use ruff_python_ast::{ExceptHandler, Expr, ExprContext, NodeKind, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::calls::callee;
use crate::analysis::knowledge::{self, VersionedApi};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{Node, NodeFlags};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL123",
    name: "unavailable-async-api",
    summary: "An async API that does not exist on the target Python version",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/AL123.md"),
    check: Some(check),
};

/// How the name is reached, which decides the exception.
#[derive(Clone, Copy)]
enum Use {
    Attribute,
    Import,
    Builtin,
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let target = checker.target_version().minor();
    let replaced = monkeypatched(checker);
    let mut report = |node: Node<'_, '_>, name: &str, range: TextRange, how: Use| {
        let Some(api) = knowledge::versioned_api(name) else {
            return;
        };
        if replaced.contains(name) || node.flags().contains(NodeFlags::UNEVALUATED) {
            return;
        }
        let Some(message) = message(api, target, how) else {
            return;
        };
        if !is_guarded(checker, node) {
            diagnostics.push(Diagnostic::new(&RULE, message, range));
        }
    };
    for node in model.nodes_of(NodeKind::StmtImportFrom) {
        let Some(Stmt::ImportFrom(import)) = node.stmt() else {
            continue;
        };
        let Some(module) = import.module.as_deref().filter(|_| import.level == 0) else {
            continue;
        };
        for alias in &import.names {
            let name = format!("{module}.{}", alias.name);
            report(node, &name, alias.range(), Use::Import);
        }
    }
    for node in model.nodes_of(NodeKind::ExprAttribute) {
        let Some(expr @ Expr::Attribute(attribute)) = node.expr() else {
            continue;
        };
        if attribute.ctx != ExprContext::Load {
            continue;
        }
        if let Some(name) = model.qualified_name(expr, node.scope_id()) {
            report(node, &name, expr.range(), Use::Attribute);
        }
    }
    for node in model.nodes_of(NodeKind::ExprName) {
        let Some(expr @ Expr::Name(name)) = node.expr() else {
            continue;
        };
        if name.ctx != ExprContext::Load {
            continue;
        }
        if let Some(qualified) = model
            .qualified_name(expr, node.scope_id())
            .filter(|q| q.starts_with("builtins."))
        {
            report(node, &qualified, expr.range(), Use::Builtin);
        }
    }
    if target < 10 {
        return;
    }
    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        let Some(keyword) = call.arguments.find_keyword("loop") else {
            continue;
        };
        let callee = callee(model, &call.func, node.scope_id());
        let Some(name) = callee
            .qualified()
            .filter(|name| knowledge::LOOP_ARGUMENT_REMOVED_IN_310.contains(name))
        else {
            continue;
        };
        if node.flags().contains(NodeFlags::UNEVALUATED) || is_guarded(checker, node) {
            continue;
        }
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "the `loop` argument of `{name}()` was removed in Python 3.10 (deprecated since 3.8; the target is 3.{target}): this call raises `TypeError`; drop the argument"
            ),
            keyword.range(),
        ));
    }
}

fn message(api: &VersionedApi, target: u8, how: Use) -> Option<String> {
    let name = api.name;
    let shown = name.strip_prefix("builtins.").unwrap_or(name);
    let raises = match how {
        Use::Attribute => "`AttributeError`",
        Use::Import => "`ImportError`",
        Use::Builtin => "`NameError`",
    };
    let what = match how {
        Use::Import => "this import raises",
        _ => "this raises",
    };
    if let Some(added) = api.added.filter(|&added| target < added) {
        return Some(format!(
            "`{shown}` is new in Python 3.{added}, but the target is 3.{target}: {what} {raises} there"
        ));
    }
    if let Some(removed) = api.removed.filter(|&removed| target >= removed) {
        let deprecated = api
            .deprecated
            .map(|d| format!(" (deprecated since 3.{d})"))
            .unwrap_or_default();
        return Some(format!(
            "`{shown}` was removed in Python 3.{removed}{deprecated} and the target is 3.{target}: {what} {raises}"
        ));
    }
    None
}

/// Names the module assigns itself (`asyncio.timeout = backport`): uses are then fine.
fn monkeypatched(checker: &Checker) -> HashSet<String> {
    let model = checker.model;
    model
        .nodes_of(NodeKind::ExprAttribute)
        .filter_map(|node| {
            let expr = node.expr()?;
            let Expr::Attribute(attribute) = expr else {
                return None;
            };
            (attribute.ctx == ExprContext::Store)
                .then(|| model.qualified_name(expr, node.scope_id()))
                .flatten()
                .map(|name| name.to_string())
        })
        .collect()
}

/// Words in a test that make it a version or feature check: `sys.version_info >= (3, 11)`,
/// `PY311`, `hasattr(asyncio, "timeout")`, `TYPE_CHECKING`.
const GUARD_WORDS: &[&str] = &[
    "version",
    "py3",
    "py_3",
    "python3",
    "python_3",
    "hasattr",
    "getattr",
    "type_checking",
];

/// Exceptions a `try` catches to fall back when an API is missing.
const FALLBACK_EXCEPTIONS: &[&str] = &[
    "ImportError",
    "ModuleNotFoundError",
    "AttributeError",
    "NameError",
    "TypeError",
    "Exception",
];

fn is_guard(checker: &Checker, test: &Expr) -> bool {
    let text = checker.source[test.range()].to_ascii_lowercase();
    GUARD_WORDS.iter().any(|word| text.contains(word))
}

/// The node sits under a version or feature check, or in a `try` that falls back when
/// the API is missing.
fn is_guarded(checker: &Checker, node: Node<'_, '_>) -> bool {
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if let Some(stmt) = ancestor.stmt() {
            let guarded = match stmt {
                Stmt::If(s) => {
                    is_guard(checker, &s.test)
                        || s.elif_else_clauses
                            .iter()
                            .filter_map(|c| c.test.as_ref())
                            .any(|t| is_guard(checker, t))
                }
                Stmt::While(s) => is_guard(checker, &s.test),
                Stmt::Try(s) => s.handlers.iter().any(|h| {
                    let ExceptHandler::ExceptHandler(h) = h;
                    h.type_.as_deref().is_none_or(|t| {
                        let text = &checker.source[t.range()];
                        FALLBACK_EXCEPTIONS.iter().any(|e| text.contains(e))
                    })
                }),
                _ => false,
            };
            if guarded {
                return true;
            }
        } else if let Some(expr) = ancestor.expr() {
            let guarded = match expr {
                Expr::If(e) => is_guard(checker, &e.test),
                Expr::BoolOp(e) => e.values.iter().any(|v| is_guard(checker, v)),
                _ => false,
            };
            if guarded {
                return true;
            }
        }
        current = ancestor.parent();
    }
    false
}
