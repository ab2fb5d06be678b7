//! AL117: `raise StopIteration` in the body of an `async def` (coroutine or async
//! generator), or `raise StopAsyncIteration` in an async generator: CPython turns both
//! into `RuntimeError`.

use ruff_python_ast::{ExceptHandler, Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{Node, Resolution, ScopeId, ScopeKind, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL117",
    name: "stop-iteration-in-coroutine",
    summary: "`StopIteration` raised in a coroutine, or `StopAsyncIteration` in an async generator",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL117.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::StmtRaise) {
        let Some(Stmt::Raise(raise)) = node.stmt() else {
            continue;
        };
        let scope = node.scope_id();
        // The raise must be in the body of the `async def` itself.
        let function = model.scope(scope);
        if function.kind != (ScopeKind::Function { is_async: true }) {
            continue;
        }
        let Some(exception) = raise.exc.as_deref() else {
            continue;
        };
        let class = match exception {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        let Some(name) = model.qualified_name(class, scope) else {
            continue;
        };
        let message = match name.as_ref() {
            "builtins.StopIteration" if function.is_generator => {
                "`StopIteration` raised in an async generator becomes `RuntimeError: async generator raised StopIteration`; use `return` to end it"
            }
            "builtins.StopIteration" => {
                "`StopIteration` raised in a coroutine becomes `RuntimeError: coroutine raised StopIteration`; return a value or raise another exception"
            }
            "builtins.StopAsyncIteration" if function.is_generator => {
                "`StopAsyncIteration` raised in an async generator becomes `RuntimeError: async generator raised StopAsyncIteration`; use `return` to end it"
            }
            _ => continue,
        };
        let caught_as = [
            name.as_ref(),
            "builtins.Exception",
            "builtins.BaseException",
        ];
        if may_be_caught(model, node, scope, &caught_as) {
            continue;
        }
        diagnostics.push(Diagnostic::new(&RULE, message, raise.range()));
    }
}

/// Whether a `try` of the same function around the statement may catch the exception
/// (an `except` naming it, a base class of it, a bare `except:`, or a class we cannot
/// name), or a `with` block around it, whose context manager may swallow or replace it.
fn may_be_caught(
    model: &ScopeModel<'_>,
    node: Node<'_, '_>,
    scope: ScopeId,
    names: &[&str],
) -> bool {
    let mut child = node;
    while let Some(parent) = child.parent() {
        if parent.scope_id() != scope {
            break;
        }
        match parent.stmt() {
            Some(Stmt::Try(stmt))
                if in_block(&stmt.body, child)
                    && stmt.handlers.iter().any(|handler| {
                        let ExceptHandler::ExceptHandler(handler) = handler;
                        handler
                            .type_
                            .as_deref()
                            .is_none_or(|t| catches(model, t, scope, names))
                    }) =>
            {
                return true;
            }
            // A context manager may swallow the exception (`contextlib.suppress`) or turn
            // it into another (a nursery's or task group's `ExceptionGroup`).
            Some(Stmt::With(with)) if in_block(&with.body, child) => return true,
            Some(Stmt::FunctionDef(_)) => break,
            _ => {}
        }
        child = parent;
    }
    false
}

/// Builtin exception classes that are not base classes of `StopIteration` or
/// `StopAsyncIteration` (the scope model knows only some builtins by name).
const UNRELATED_BUILTIN_EXCEPTIONS: &[&str] = &[
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "ChildProcessError",
    "ConnectionAbortedError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "EOFError",
    "EnvironmentError",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "NotADirectoryError",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PermissionError",
    "ProcessLookupError",
    "RecursionError",
    "ReferenceError",
    "RuntimeError",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SystemError",
    "SystemExit",
    "TimeoutError",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "UnicodeTranslateError",
    "ValueError",
    "ZeroDivisionError",
];

fn in_block(body: &[Stmt], child: Node<'_, '_>) -> bool {
    child
        .stmt()
        .is_some_and(|s| body.iter().any(|b| std::ptr::eq(b, s)))
}

fn catches(model: &ScopeModel<'_>, handler_type: &Expr, scope: ScopeId, names: &[&str]) -> bool {
    if let Expr::Tuple(tuple) = handler_type {
        return tuple.elts.iter().any(|e| catches(model, e, scope, names));
    }
    let name = model
        .qualified_name(handler_type, scope)
        .or_else(|| match handler_type {
            Expr::Name(name)
                if model.resolve_name(name.id.as_str(), scope) == Resolution::Unbound =>
            {
                Some(format!("builtins.{}", name.id).into())
            }
            _ => None,
        });
    match name.as_deref().and_then(|n| n.strip_prefix("builtins.")) {
        Some(builtin) => {
            names
                .iter()
                .any(|n| n.strip_prefix("builtins.") == Some(builtin))
                || !UNRELATED_BUILTIN_EXCEPTIONS.contains(&builtin)
        }
        // A class of a library or of the module may derive from it.
        None => true,
    }
}
