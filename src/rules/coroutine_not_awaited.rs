//! AL101: a coroutine function called and its coroutine dropped, tested for truth or
//! used as a value — a missing `await`.

use ruff_python_ast::{Expr, NodeKind};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::calls::{Callee, ValueUse, callee, value_use};
use crate::analysis::knowledge;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::project::{Decoration, ProjectIndex, Resolved, Target, decoration_of};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{NodeFlags, ScopeId};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL101",
    name: "coroutine-not-awaited",
    summary: "A coroutine is created but never awaited",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL101.md"),
    check: Some(check),
};

fn message(call: &str, how: ValueUse) -> Option<String> {
    match how {
        ValueUse::Discarded => Some(format!(
            "`{call}` creates a coroutine that is never awaited, so its body never runs"
        )),
        ValueUse::Truthiness => Some(format!(
            "`{call}` returns a coroutine, which is always true: is an `await` missing?"
        )),
        ValueUse::Operand(how) => Some(format!(
            "`{call}` returns a coroutine, which is {how} without being awaited: is an `await` missing?"
        )),
        ValueUse::Awaited | ValueUse::PassedOn => None,
    }
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for node in model.nodes_of(NodeKind::ExprCall) {
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        if node.flags().contains(NodeFlags::UNEVALUATED) {
            continue;
        }
        let how = value_use(model, node);
        if matches!(how, ValueUse::Awaited | ValueUse::PassedOn) {
            continue;
        }
        // How the call was written, and how its value is used: all a message needs, kept
        // short for the checks deferred to phase 2 (there can be thousands per file).
        let written = &checker.source[call.func.range()];
        let detail = || encode(how, written);
        let report = || {
            let text = message(&format!("{written}()"), how).unwrap_or_default();
            let diagnostic = Diagnostic::new(&RULE, text, node.range());
            match add_await(checker, node.range(), node.scope_id(), how) {
                Some(fix) => diagnostic.with_fix(fix),
                None => diagnostic,
            }
        };
        match callee(model, &call.func, node.scope_id()) {
            Callee::Local {
                def,
                body,
                enclosing,
            } => {
                let undecorated =
                    decoration_of(model, &def.decorator_list, enclosing) == Decoration::None;
                if def.is_async && !model.scope(body).is_generator && undecorated {
                    diagnostics.push(report());
                }
            }
            Callee::Qualified(name) => {
                if knowledge::is_coroutine_function(&name) {
                    diagnostics.push(report());
                } else if checker.may_be_in_project(&name) {
                    checker.defer(
                        &RULE,
                        call.range(),
                        Target::Symbol(String::from(&*name)),
                        detail(),
                        decide,
                    );
                }
            }
            Callee::InstanceMethod { class, method } => {
                if knowledge::is_coroutine_method(&class, &method) {
                    diagnostics.push(report());
                } else if checker.may_be_in_project(&class) {
                    let target = Target::Method {
                        class: String::from(&*class),
                        name: String::from(&*method),
                    };
                    checker.defer(&RULE, call.range(), target, detail(), decide);
                }
            }
            Callee::InheritedMethod { class, method } => {
                let target = Target::Method {
                    class: String::from(&*class),
                    name: String::from(&*method),
                };
                checker.defer(&RULE, call.range(), target, detail(), decide);
            }
            Callee::Unknown => {}
        }
    }
}

/// Adding `await` is the usual fix, but it is unsafe: the code then waits for the
/// coroutine where it used to go on. Only inside a coroutine can it be added at all.
fn add_await(checker: &Checker, call: TextRange, scope: ScopeId, how: ValueUse) -> Option<Fix> {
    if !checker.model.runs_in_coroutine(scope) {
        return None;
    }
    // `await` binds tighter than operators but looser than `.attr` and `[i]`.
    let edits = match how {
        ValueUse::Operand("used for attribute access" | "subscripted") => vec![
            Edit::insertion(call.start(), "(await "),
            Edit::insertion(call.end(), ")"),
        ],
        _ => vec![Edit::insertion(call.start(), "await ")],
    };
    Some(Fix::unsafe_("Add `await`", edits))
}

/// In phase 2: report when the callee, defined elsewhere in the project, is a coroutine
/// function.
pub(crate) fn decide(resolved: Resolved<'_>, _: &ProjectIndex, detail: &str) -> Option<String> {
    match resolved {
        Resolved::Function(f) if f.returns_coroutine() => {
            let (how, written) = decode(detail)?;
            message(&format!("{written}()"), how)
        }
        _ => None,
    }
}

/// The uses a deferred check can be about, by a one-letter tag.
const OPERANDS: [&str; 10] = [
    "iterated with `async for`",
    "used as a context manager",
    "an arithmetic operand",
    "compared",
    "used for attribute access",
    "subscripted",
    "formatted",
    "iterated",
    "unpacked",
    "passed to a function that uses its value",
];

fn encode(how: ValueUse, written: &str) -> String {
    let tag: char = match how {
        ValueUse::Discarded => 'D',
        ValueUse::Truthiness => 'T',
        ValueUse::Operand(what) => OPERANDS
            .iter()
            .position(|o| *o == what)
            .and_then(|i| char::from_digit(i as u32, 10))
            .unwrap_or('O'),
        ValueUse::Awaited | ValueUse::PassedOn => 'P',
    };
    let mut detail = String::with_capacity(1 + written.len());
    detail.push(tag);
    detail.push_str(written);
    detail
}

fn decode(detail: &str) -> Option<(ValueUse, &str)> {
    let mut chars = detail.chars();
    let tag = chars.next()?;
    let how = match tag {
        'D' => ValueUse::Discarded,
        'T' => ValueUse::Truthiness,
        digit => ValueUse::Operand(OPERANDS.get(digit.to_digit(10)? as usize)?),
    };
    Some((how, chars.as_str()))
}
