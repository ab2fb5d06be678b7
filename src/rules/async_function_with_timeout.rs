//! ASYNC109: an `async def` with a `timeout` parameter, where the library's cancel scopes
//! (`trio.fail_after`, `asyncio.timeout`, ...) would be the idiom.

use ruff_python_ast::{NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::target_version::TargetVersion;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC109",
    name: "async-function-with-timeout",
    summary: "An async function takes a `timeout` parameter instead of leaving timeouts to the caller's cancel scope",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC109.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let libraries = checker.libraries;
    let suggestion = if libraries.trio || libraries.anyio || !libraries.asyncio {
        let library = match (libraries.trio, libraries.anyio) {
            (true, true) => "trio`/`anyio",
            (false, true) => "anyio",
            _ => "trio",
        };
        format!("`{library}.fail_after()`/`move_on_after()`")
    } else if checker.target_version() >= TargetVersion::Py311 {
        "`asyncio.timeout()`".to_string()
    } else {
        // `asyncio.timeout()` is new in 3.11.
        "`asyncio.wait_for()`".to_string()
    };
    for node in checker.model.nodes_of(NodeKind::StmtFunctionDef) {
        let Some(Stmt::FunctionDef(def)) = node.stmt() else {
            continue;
        };
        // A decorator may be what gives the parameter its meaning.
        if !def.is_async || !def.decorator_list.is_empty() {
            continue;
        }
        let parameters = &def.parameters;
        let timeout = parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .chain(&parameters.kwonlyargs)
            .find(|p| p.parameter.name.as_str() == "timeout");
        if let Some(parameter) = timeout {
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "async function `{}` takes a `timeout` parameter: let callers wrap the call in {suggestion} instead",
                    def.name
                ),
                parameter.range(),
            ));
        }
    }
}
