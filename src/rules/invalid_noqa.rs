//! AL902: a `# noqa` comment that cannot be read — reported by the suppression reader.

use crate::diagnostic::Severity;
use crate::registry::RuleMeta;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL902",
    name: "invalid-noqa",
    summary: "A `# noqa` directive that cannot be read suppresses nothing",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/AL902.md"),
    check: None,
};
