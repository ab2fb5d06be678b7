//! The one list every stage produces and every renderer consumes.

use ruff_text_size::TextRange;
use serde::{Deserialize, Serialize};

use crate::fix::{Applicability, Fix};
use crate::registry::RuleMeta;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Code CPython refuses to compile, or input asynclint could not lint at all.
    Error,
    /// Code that compiles but misbehaves at run time.
    Warning,
}

/// A finding in one file. Positions are byte ranges into the file's decoded text; rows and
/// columns are computed only when rendering.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stored by its code (in the cache).
    #[serde(with = "crate::registry::by_code")]
    pub rule: &'static RuleMeta,
    pub message: String,
    /// `None` for findings about the file as a whole (it could not be read).
    pub range: Option<TextRange>,
    /// The edits that would fix it, if there is a fix.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(rule: &'static RuleMeta, message: impl Into<String>, range: TextRange) -> Self {
        Self {
            rule,
            message: message.into(),
            range: Some(range),
            fix: None,
        }
    }

    #[must_use]
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn for_file(rule: &'static RuleMeta, message: impl Into<String>) -> Self {
        Self {
            rule,
            message: message.into(),
            range: None,
            fix: None,
        }
    }

    /// Whether it has a fix that a run fixing at level `allowed` applies.
    pub fn is_fixable_at(&self, allowed: Applicability) -> bool {
        self.fix.as_ref().is_some_and(|fix| fix.applies_at(allowed))
    }

    pub fn code(&self) -> &'static str {
        self.rule.code
    }

    /// Sort key within a file: position first, then code, then message.
    pub fn sort_key(&self) -> (u32, u32, &'static str, &str) {
        let (start, end) = self
            .range
            .map_or((0, 0), |r| (r.start().to_u32(), r.end().to_u32()));
        (start, end, self.rule.code, &self.message)
    }
}
