//! AL141: a `pathlib.Path` method that makes a system call (`read_text()`, `exists()`,
//! `mkdir()`, ...) in a coroutine.

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::analysis::calls::{ValueUse, value_use};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::target_version::TargetVersion;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL141",
    name: "blocking-path-method",
    summary: "A `pathlib.Path` method that touches the file system, inside an `async def`",
    aliases: &["ASYNC240"],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL141.md"),
    check: Some(check),
};

fn suggestion(library: &str) -> &'static str {
    match library {
        "trio" => "use `trio.Path` and await the method",
        "anyio" => "use `anyio.Path` and await the method",
        _ => {
            "run it with `await asyncio.to_thread(...)`, or use `anyio.Path` (or aiopath) and await the method"
        }
    }
}

/// Methods that return a lazy iterator: the call itself touches nothing, iterating does
/// (`iterdir()` reads the whole directory at the call only from Python 3.13).
fn is_lazy(method: &str, target: TargetVersion) -> bool {
    match method {
        "glob" | "rglob" | "walk" => true,
        "iterdir" => target < TargetVersion::Py313,
        _ => false,
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let suggestion = suggestion(checker.libraries.preferred());
    let target = checker.model.target_version();
    for found in blocking::blocking_calls_of(checker.model, Blocking::PathMethod) {
        // A lazy iterator blocks where it is consumed: report it only when that is here
        // (`for p in path.iterdir():`, `list(path.glob("*"))`), not when it is handed on,
        // to a worker thread for instance.
        if let Expr::Attribute(attribute) = &*found.call.func
            && is_lazy(attribute.attr.as_str(), target)
            && !matches!(
                value_use(checker.model, found.node),
                ValueUse::Operand(
                    "iterated" | "unpacked" | "passed to a function that uses its value"
                )
            )
        {
            continue;
        }
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!("{call} is a `pathlib.Path` method that makes a blocking file-system call; {suggestion}"),
            found.call.range(),
        ));
    }
}
