//! ASYNC111: a value from a context manager opened inside a nursery, passed to a task the
//! nursery starts: the context manager closes before the nursery waits for the task.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, NodeKind, StmtWith};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::cancellation::{
    enclosing_with_target, in_with_body, line_number, nursery_call, statement_scope,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC111",
    name: "variable-from-cm-in-start-soon",
    summary: "A task started in a nursery is given a value from a context manager that closes before the nursery",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC111.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        let Expr::Attribute(attribute) = &*call.func else {
            continue;
        };
        let method = attribute.attr.as_str();
        if !matches!(method, "start" | "start_soon" | "create_task") {
            continue;
        }
        let Expr::Name(receiver) = &*attribute.value else {
            continue;
        };
        let scope = node.scope_id();
        let Some((nursery_with, context, with_scope)) =
            enclosing_with_target(model, node, receiver.id.as_str())
        else {
            continue;
        };
        let here = statement_scope(model, scope);
        if with_scope != here
            || nursery_call(model, context, with_scope).is_none()
            || !in_with_body(nursery_with, call.range())
        {
            continue;
        }
        let mut names = Names(Vec::new(), Vec::new());
        for arg in call.arguments.args.iter() {
            names.visit_expr(arg);
        }
        for keyword in call.arguments.keywords.iter() {
            names.visit_expr(&keyword.value);
        }
        for (name, range) in names.0 {
            let Some((cm_with, cm_context, cm_scope)) = enclosing_with_target(model, node, name)
            else {
                continue;
            };
            if cm_scope != here {
                continue;
            }
            if !closes_first(cm_with, cm_context, nursery_with, context, call.range()) {
                continue;
            }
            diagnostics.push(Diagnostic::new(
                &RULE,
                format!(
                    "`{name}` comes from the context manager on line {}, which closes before the {} on line {} waits for the task `{method}()` starts here: the task may use it after it is closed; make the nursery the innermost context manager",
                    line_number(checker.source, cm_context.start()),
                    nursery_call(model, context, with_scope).map_or("nursery", |k| k.noun()),
                    line_number(checker.source, context.start()),
                ),
                range,
            ));
        }
    }
}

/// The context manager was entered after the nursery (inside its block, or as a later item
/// of the same `with`), and the call is inside its block.
fn closes_first(
    cm_with: &StmtWith,
    cm_context: &Expr,
    nursery_with: &StmtWith,
    nursery_context: &Expr,
    call: TextRange,
) -> bool {
    if !in_with_body(cm_with, call) {
        return false;
    }
    if std::ptr::eq(cm_with, nursery_with) {
        return cm_context.start() > nursery_context.start();
    }
    in_with_body(nursery_with, cm_with.range())
}

/// The names read in an expression (a lambda's own parameters excepted).
struct Names<'a>(Vec<(&'a str, TextRange)>, Vec<&'a str>);

impl<'a> Visitor<'a> for Names<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        crate::analysis::cancellation::deep(|| {
            match expr {
                Expr::Name(name) if !self.1.contains(&name.id.as_str()) => {
                    self.0.push((name.id.as_str(), name.range()));
                }
                Expr::Lambda(lambda) => {
                    let depth = self.1.len();
                    if let Some(parameters) = &lambda.parameters {
                        for parameter in parameters.iter() {
                            self.1.push(parameter.name().as_str());
                        }
                    }
                    self.visit_expr(&lambda.body);
                    self.1.truncate(depth);
                    return;
                }
                _ => {}
            }
            visitor::walk_expr(self, expr);
        })
    }
}
