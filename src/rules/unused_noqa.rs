//! AL903: a `# noqa` directive (or a code in one) that suppresses nothing — reported by
//! the suppression pass once every diagnostic of the file is known.

use crate::diagnostic::Severity;
use crate::registry::RuleMeta;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL903",
    name: "unused-noqa",
    summary: "A `# noqa` directive that suppresses nothing",
    aliases: &["RUF100"],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/AL903.md"),
    check: None,
};
