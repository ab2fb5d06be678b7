//! ASYNC125: `trio.fail_at(5)`, `move_on_at(...)` or `CancelScope(deadline=...)` with a
//! constant: deadlines are times on the runner's clock, whose origin is arbitrary.

use ruff_python_ast::{Expr, NodeKind, Operator};
use ruff_text_size::Ranged;

use crate::analysis::cancellation::number_literal;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{BindingId, BindingKind, ScopeId, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC125",
    name: "constant-absolute-deadline",
    summary: "An absolute deadline given as a constant, though the runner's clock has an arbitrary origin",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC125.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    // trio's `MockClock` starts at zero: with it, a constant deadline makes sense.
    if uses_mock_clock(model) {
        return;
    }
    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        if takes_mock_clock(model, node.scope_id()) {
            continue;
        }
        let Some(name) = model.qualified_name(&call.func, node.scope_id()) else {
            continue;
        };
        let Some((library, function)) = name.split_once('.') else {
            continue;
        };
        if !matches!(library, "trio" | "anyio")
            || !matches!(function, "fail_at" | "move_on_at" | "CancelScope")
        {
            continue;
        }
        let positional = (function != "CancelScope" && call.arguments.args.len() == 1)
            .then(|| &call.arguments.args[0]);
        let Some(deadline) = positional.or_else(|| {
            call.arguments
                .find_keyword("deadline")
                .map(|keyword| &keyword.value)
        }) else {
            continue;
        };
        let Some(value) = constant_value(deadline) else {
            continue;
        };
        // An infinite deadline means "none", and one at or before zero has certainly
        // passed (the clocks count up from a positive origin): both mean what they say.
        if !value.is_finite() || value <= 0.0 {
            continue;
        }
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "`{name}` with a constant deadline: deadlines are times on the runner's clock, whose origin is arbitrary; use `{library}.fail_after(...)`/`move_on_after(...)`, `CancelScope(relative_deadline=...)` (trio), or a deadline computed from `{library}.current_time()`"
            ),
            deadline.range(),
        ));
    }
}

/// The value of an arithmetic expression of number literals.
fn constant_value(expr: &Expr) -> Option<f64> {
    crate::analysis::cancellation::deep(|| constant_value_of(expr))
}

fn constant_value_of(expr: &Expr) -> Option<f64> {
    if let Some(value) = number_literal(expr) {
        return Some(value);
    }
    match expr {
        Expr::BinOp(binop) => {
            let left = constant_value(&binop.left)?;
            let right = constant_value(&binop.right)?;
            Some(match binop.op {
                Operator::Add => left + right,
                Operator::Sub => left - right,
                Operator::Mult => left * right,
                Operator::Div => left / right,
                Operator::FloorDiv => (left / right).floor(),
                Operator::Mod => left.rem_euclid(right),
                Operator::Pow => left.powf(right),
                _ => return None,
            })
        }
        Expr::UnaryOp(unary) if unary.op == ruff_python_ast::UnaryOp::UAdd => {
            constant_value(&unary.operand)
        }
        _ => None,
    }
}

/// The module imports from `trio.testing` (where `MockClock` lives).
fn uses_mock_clock(model: &ScopeModel<'_>) -> bool {
    (0..model.binding_count()).any(|index| {
        matches!(
            &model.binding(BindingId::from_index(index)).kind,
            BindingKind::Import { qualified } if qualified.starts_with("trio.testing")
        )
    })
}

/// The code runs in a test that takes pytest-trio's `mock_clock` or `autojump_clock`
/// fixture.
fn takes_mock_clock(model: &ScopeModel<'_>, scope: ScopeId) -> bool {
    let Some(function) = model.enclosing_function(scope) else {
        return false;
    };
    ["mock_clock", "autojump_clock"].iter().any(|fixture| {
        model
            .bindings_in(function, fixture)
            .any(|id| matches!(model.binding(id).kind, BindingKind::Parameter { .. }))
    })
}
