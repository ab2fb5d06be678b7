//! ASYNC912: a cancel scope whose block has a checkpoint on some paths but not on all.

use crate::analysis::checkpoints::analysed_functions;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC912",
    name: "cancel-scope-no-guaranteed-checkpoint",
    summary: "A cancel scope or timeout whose block has a path without a checkpoint",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC912.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for function in analysed_functions(checker.model) {
        for span in &function.report.unguaranteed_scopes {
            diagnostics.push(Diagnostic::new(
                &RULE,
                "this cancel scope has a checkpoint on some paths only: where none is reached, it cannot cancel anything",
                span.range(),
            ));
        }
    }
}
