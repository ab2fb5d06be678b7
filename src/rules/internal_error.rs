//! AL901: asynclint itself failed on a file — reported when a worker panics.

use crate::diagnostic::Severity;
use crate::registry::RuleMeta;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL901",
    name: "internal-error",
    summary: "asynclint failed on this file (a bug: please report it)",
    aliases: &[],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL901.md"),
    check: None,
};
