//! AL000: the file does not parse (or cannot be decoded) — reported by the linter itself.

use crate::diagnostic::Severity;
use crate::registry::RuleMeta;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL000",
    name: "syntax-error",
    summary: "The file is not valid Python for the target version",
    aliases: &["E999"],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL000.md"),
    check: None,
};
