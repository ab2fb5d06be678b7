//! ASYNC116: `trio.sleep()` / `anyio.sleep()` for more than a day (or for ever), which
//! `sleep_forever()` says better.

use ruff_python_ast::{Expr, NodeKind};
use ruff_text_size::Ranged;

use crate::analysis::cancellation::number_literal;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{ScopeId, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC116",
    name: "long-sleep-not-forever",
    summary: "A sleep of more than 24 hours where `sleep_forever()` is meant",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC116.md"),
    check: Some(check),
};

const ONE_DAY: f64 = 86400.0;

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        let scope = node.scope_id();
        let Some(name) = model.qualified_name(&call.func, scope) else {
            continue;
        };
        let library = match name.as_ref() {
            "trio.sleep" => "trio",
            "anyio.sleep" => "anyio",
            _ => continue,
        };
        let arguments = &call.arguments;
        let duration = match (&*arguments.args, &*arguments.keywords) {
            ([only], _) => only,
            ([], [only]) => &only.value,
            _ => continue,
        };
        if is_infinite(model, duration, scope)
            || number_literal(duration).is_some_and(|s| s > ONE_DAY)
        {
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "`{library}.sleep()` for more than 24 hours is meant to never wake up: use `{library}.sleep_forever()`"
                ),
                call.range(),
            ));
        }
    }
}

/// `math.inf`, `numpy.inf`, `inf` imported from such a module, `float("inf")`.
fn is_infinite(model: &ScopeModel<'_>, expr: &Expr, scope: ScopeId) -> bool {
    match expr {
        Expr::Attribute(attribute) => attribute.attr.as_str() == "inf",
        Expr::Name(_) => model
            .qualified_name(expr, scope)
            .is_some_and(|name| name.ends_with(".inf")),
        Expr::Call(call) => {
            model.qualified_name(&call.func, scope).as_deref() == Some("builtins.float")
                && matches!(
                    call.arguments.args.first(),
                    Some(Expr::StringLiteral(s))
                        if matches!(s.value.to_str().trim().to_ascii_lowercase().as_str(), "inf" | "+inf" | "infinity" | "+infinity")
                )
        }
        _ => false,
    }
}
