//! AL900: a path could not be read — reported by the file walker and reader.

use crate::diagnostic::Severity;
use crate::registry::RuleMeta;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL900",
    name: "io-error",
    summary: "A file or directory could not be read",
    aliases: &["E902"],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL900.md"),
    check: None,
};
