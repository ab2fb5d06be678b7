//! One file per rule. Each file holds a `RULE` (its code, name, documentation page and
//! check) that `registry.rs` lists; checks read the [`ScopeModel`] and never re-derive
//! scopes.

pub mod async_busy_wait;
pub mod async_comprehension_outside_async;
pub mod async_for_outside_async;
pub mod async_function_could_be_sync;
pub mod async_function_no_checkpoint;
pub mod async_function_with_timeout;
pub mod async_generator_no_checkpoint;
pub mod async_iteration_over_sync_iterable;
pub mod async_with_outside_async;
pub mod async_with_sync_context_manager;
pub mod async_zero_sleep;
pub mod await_async_generator;
pub mod await_in_annotation;
pub mod await_in_except;
pub mod await_in_finally_or_cancelled;
pub mod await_in_type_scope;
pub mod await_non_awaitable;
pub mod await_outside_async;
pub mod await_outside_function;
pub mod blocking_call_via_helper;
pub mod blocking_configured_call;
pub mod blocking_fdopen_call;
pub mod blocking_file_method;
pub mod blocking_http_call;
pub mod blocking_http_client_call;
pub mod blocking_input_call;
pub mod blocking_open_call;
pub mod blocking_os_path_call;
pub mod blocking_path_method;
pub mod blocking_process_run;
pub mod blocking_process_start;
pub mod blocking_process_wait;
pub mod blocking_sleep_call;
pub mod cancel_scope_no_checkpoint;
pub mod cancel_scope_no_guaranteed_checkpoint;
pub mod cancelled_not_raised;
pub mod constant_absolute_deadline;
pub mod control_flow_in_taskgroup;
pub mod coroutine_awaited_twice;
pub mod coroutine_not_awaited;
pub mod create_task_no_reference;
pub mod delayed_entry_of_relative_cancelscope;
pub mod dunder_kind_mismatch;
pub mod get_event_loop_in_coroutine;
pub mod indefinite_loop_no_guaranteed_checkpoint;
pub mod internal_error;
pub mod invalid_noqa;
pub mod io_error;
pub mod likely_blocking_http_call;
pub mod long_sleep_not_forever;
pub mod missing_await;
pub mod nested_event_loop;
pub mod no_reraise_cancelled;
pub mod protocols;
pub mod return_in_async_generator;
pub mod return_outside_function;
pub mod start_soon_in_aenter;
pub mod stop_iteration_in_coroutine;
pub mod sync_iteration_over_async_iterable;
pub mod sync_with_async_context_manager;
pub mod syntax_error;
pub mod threading_lock_held_across_await;
pub mod unavailable_async_api;
pub mod unsafe_async_generator;
pub mod unused_noqa;
pub mod useless_nursery;
pub mod variable_from_cm_in_start_soon;
pub mod wrong_decorator_for_function_kind;
pub mod yield_from_in_async_function;
pub mod yield_in_annotation;
pub mod yield_in_async_generator_finally;
pub mod yield_in_cancel_scope;
pub mod yield_in_cm_in_async_gen;
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
    /// Where each (rule, target, decision) is in `pending`.
    pending_by_target: RefCell<rustc_hash::FxHashMap<(&'static str, Target, usize), usize>>,
    /// The top-level packages of the linted tree, when known: only names under them are
    /// worth deferring.
    pub project_roots: Option<&'m crate::linter::ProjectRoots>,
}

impl<'m, 'a> Checker<'m, 'a> {
    pub fn new(model: &'m ScopeModel<'a>, source: &'a str, options: &'m RuleOptions) -> Self {
        Self {
            model,
            source,
            libraries: Libraries::of(model),
            options,
            pending: RefCell::new(Vec::new()),
            pending_by_target: RefCell::default(),
            project_roots: None,
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
        if !self.may_defer(&target) {
            return;
        }
        let key = (rule.code, target, decide as usize);
        let site = (range, detail.into().into_boxed_str());
        let mut pending = self.pending.borrow_mut();
        let mut by_target = self.pending_by_target.borrow_mut();
        match by_target.get(&key) {
            Some(&i) => pending[i].sites.push(site),
            None => {
                by_target.insert(key.clone(), pending.len());
                pending.push(PendingCheck {
                    rule,
                    target: key.1,
                    decide,
                    sites: vec![site],
                });
            }
        }
    }

    /// Whether a dotted name may be defined in the linted tree: only then is a check about
    /// it worth deferring (a rule asks first when building the check costs something).
    pub fn may_be_in_project(&self, name: &str) -> bool {
        let root = name.split('.').next().unwrap_or(name);
        self.project_roots.is_none_or(|roots| roots.contains(root))
    }

    /// Whether a check about `target` would be deferred (its module may be in the tree):
    /// asked before composing a deferred check's message.
    pub fn may_defer(&self, target: &Target) -> bool {
        match target {
            Target::Symbol(name) => self.may_be_in_project(name),
            Target::Method { class, .. } => self.may_be_in_project(class),
        }
    }

    pub fn into_pending(self) -> Vec<PendingCheck> {
        self.pending.into_inner()
    }
}
