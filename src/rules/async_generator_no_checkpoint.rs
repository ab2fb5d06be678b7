//! ASYNC911: an async generator with a path between its start, its `yield`s and its end
//! that has no checkpoint.

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::rules::async_function_no_checkpoint::missing_checkpoints;

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC911",
    name: "async-generator-no-checkpoint",
    summary: "An async generator can yield or return without a checkpoint since its start or its last `yield`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/ASYNC911.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    missing_checkpoints(checker, true, &RULE, diagnostics);
}
