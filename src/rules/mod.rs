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
pub mod internal_error;
pub mod io_error;
pub mod return_in_async_generator;
pub mod syntax_error;
pub mod yield_from_in_async_function;
pub mod yield_in_annotation;
pub mod yield_in_comprehension;
pub mod yield_in_type_scope;
pub mod yield_outside_function;

use crate::scope::ScopeModel;
use crate::target_version::TargetVersion;

/// What a rule's check sees of one file.
pub struct Checker<'m, 'a> {
    pub model: &'m ScopeModel<'a>,
    pub source: &'a str,
}

impl Checker<'_, '_> {
    pub fn target_version(&self) -> TargetVersion {
        self.model.target_version()
    }
}
