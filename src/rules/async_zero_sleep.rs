//! ASYNC115: `trio.sleep(0)` / `anyio.sleep(0)`, which `lowlevel.checkpoint()` says better.

use ruff_python_ast::{Expr, NodeKind};
use ruff_text_size::Ranged;

use crate::analysis::cancellation::number_literal;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC115",
    name: "async-zero-sleep",
    summary: "`trio.sleep(0)` where `trio.lowlevel.checkpoint()` says what is meant",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC115.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        let Some(name) = model.qualified_name(&call.func, node.scope_id()) else {
            continue;
        };
        let library = match name.as_ref() {
            "trio.sleep" => "trio",
            "anyio.sleep" => "anyio",
            _ => continue,
        };
        let arguments = &call.arguments;
        let zero = |e: &Expr| number_literal(e) == Some(0.0);
        let sleeps_zero = (arguments.args.len() == 1 && zero(&arguments.args[0]))
            || (arguments.keywords.len() == 1 && zero(&arguments.keywords[0].value));
        if sleeps_zero {
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "use `{library}.lowlevel.checkpoint()` instead of `{library}.sleep(0)`: it says that a checkpoint is what is wanted"
                ),
                call.range(),
            ));
        }
    }
}
