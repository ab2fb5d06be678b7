//! One file per rule. Each file holds a `RULE` (its code, name, documentation page and
//! check) that `registry.rs` lists; checks read the [`ScopeModel`] and never re-derive
//! scopes.

pub mod async_comprehension_outside_async;
pub mod async_for_outside_async;
pub mod async_with_outside_async;
pub mod await_in_annotation;
pub mod await_in_type_scope;
pub mod await_outside_async;
pub mod await_outside_function;
pub mod coroutine_not_awaited;
pub mod internal_error;
pub mod io_error;
pub mod return_in_async_generator;
pub mod return_outside_function;
pub mod syntax_error;
pub mod yield_from_in_async_function;
pub mod yield_in_annotation;
pub mod yield_in_comprehension;
pub mod yield_in_type_scope;
pub mod yield_outside_function;

use std::cell::RefCell;

use ruff_text_size::TextRange;

use crate::analysis::library::Libraries;
use crate::project::{Decide, PendingCheck, Target};
use crate::registry::RuleMeta;
use crate::scope::ScopeModel;
use crate::settings::RuleOptions;
use crate::target_version::TargetVersion;

/// What a rule's check sees of one file.
pub struct Checker<'m, 'a> {
    pub model: &'m ScopeModel<'a>,
    pub source: &'a str,
    /// The async libraries the module imports.
    pub libraries: Libraries,
    pub options: &'m RuleOptions,
    /// Checks that need the rest of the project, decided in phase 2.
    pending: RefCell<Vec<PendingCheck>>,
}

impl<'m, 'a> Checker<'m, 'a> {
    pub fn new(model: &'m ScopeModel<'a>, source: &'a str, options: &'m RuleOptions) -> Self {
        Self {
            model,
            source,
            libraries: Libraries::of(model),
            options,
            pending: RefCell::new(Vec::new()),
        }
    }

    pub fn target_version(&self) -> TargetVersion {
        self.model.target_version()
    }

    /// Asks phase 2 to decide a diagnostic about `target`, which another module of the
    /// project defines: `decide` sees what the target turned out to be.
    pub fn defer(
        &self,
        rule: &'static RuleMeta,
        range: TextRange,
        target: Target,
        detail: impl Into<String>,
        decide: Decide,
    ) {
        self.pending.borrow_mut().push(PendingCheck {
            rule,
            range,
            target,
            detail: detail.into(),
            decide,
        });
    }

    pub fn into_pending(self) -> Vec<PendingCheck> {
        self.pending.into_inner()
    }
}
