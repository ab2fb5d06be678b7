//! ASYNC112: a nursery or task group whose block only starts one task, which awaiting the
//! function directly would do.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::cancellation::nursery_call;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC112",
    name: "useless-nursery",
    summary: "A nursery or task group that only starts one task: await the function instead",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC112.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::StmtWith) {
        let Some(Stmt::With(with)) = node.stmt() else {
            continue;
        };
        let [Stmt::Expr(only)] = with.body.as_slice() else {
            continue;
        };
        let mut body_call = &*only.value;
        if let Expr::Await(await_) = body_call {
            body_call = &await_.value;
        }
        let Expr::Call(call) = body_call else {
            continue;
        };
        for item in &with.items {
            let Some(Expr::Name(target)) = item.optional_vars.as_deref() else {
                continue;
            };
            let Some(kind) = nursery_call(model, &item.context_expr, node.scope_id()) else {
                continue;
            };
            let starts = matches!(
                &*call.func,
                Expr::Attribute(attribute)
                    if kind.start_methods().contains(&attribute.attr.as_str())
                        && matches!(&*attribute.value, Expr::Name(n) if n.id == target.id)
            );
            if !starts {
                continue;
            }
            let mut uses = NameUse {
                name: target.id.as_str(),
                found: false,
            };
            for arg in call.arguments.args.iter() {
                uses.visit_expr(arg);
            }
            for keyword in call.arguments.keywords.iter() {
                uses.visit_expr(&keyword.value);
            }
            if uses.found {
                continue;
            }
            let noun = kind.noun();
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "{noun} `{}` only starts one task: await the function directly instead",
                    target.id
                ),
                item.context_expr.range(),
            ));
        }
    }
}

/// Whether a name is read anywhere in an expression.
struct NameUse<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for NameUse<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        crate::analysis::cancellation::deep(|| {
            if let Expr::Name(name) = expr
                && name.id.as_str() == self.name
            {
                self.found = true;
            }
            visitor::walk_expr(self, expr);
        })
    }
}
