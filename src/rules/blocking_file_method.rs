//! ASYNC232: reading, writing or flushing a synchronous file object in a coroutine
//! (`f.read()` where `f = open(...)`, `with open(...) as f`, or `f: io.TextIOWrapper`), and
//! iterating over one with `for`.

use ruff_python_ast::{NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, Blocking};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::NodeFlags;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC232",
    name: "blocking-file-method",
    summary: "I/O on a synchronous file object inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC232.md"),
    check: Some(check),
};

fn suggestion(library: &str) -> &'static str {
    match library {
        "trio" => {
            "wrap the file with `trio.wrap_file(...)` (or open it with `trio.open_file`) and await its methods"
        }
        "anyio" => {
            "wrap the file with `anyio.wrap_file(...)` (or open it with `anyio.open_file`) and await its methods"
        }
        _ => {
            "do the file work in `asyncio.to_thread`, or use an async file library such as aiofiles"
        }
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let suggestion = suggestion(checker.libraries.preferred());
    for found in blocking::blocking_calls_of(model, Blocking::FileMethod) {
        let call = blocking::describe(checker.source, found.call, &found.blocking);
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!("{call} is blocking I/O on a synchronous file object; {suggestion}"),
            found.call.range(),
        ));
    }
    // `for line in f:` reads the file, line by line, with the same blocking calls.
    for node in model.nodes_of(NodeKind::StmtFor) {
        let Some(Stmt::For(for_stmt)) = node.stmt() else {
            continue;
        };
        if for_stmt.is_async
            || node.flags().contains(NodeFlags::UNEVALUATED)
            || !blocking::runs_in_coroutine(model, node.scope_id())
        {
            continue;
        }
        let Some(class) = blocking::receiver_class(model, &for_stmt.iter, node.scope_id()) else {
            continue;
        };
        if blocking::blocking_method(&class, "readline") != Some(Blocking::FileMethod) {
            continue;
        }
        let file = &checker.source[for_stmt.iter.range()];
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "iterating over `{file}` reads a synchronous file object with blocking calls; {suggestion}"
            ),
            for_stmt.iter.range(),
        ));
    }
}
