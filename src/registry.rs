//! Every rule asynclint knows, and how users name them: by code (`AL001`), by prefix
//! (`AL0`, `ASYNC2`), by name (`await-outside-function`) or by another tool's code for the
//! same check (`PLE1142`, `F704`, `RUF006`).

use crate::diagnostic::{Diagnostic, Severity};
use crate::project::Decide;
use crate::rules::{self, Checker};

pub type CheckFn = fn(&Checker<'_, '_>, &mut Vec<Diagnostic>);

/// A rule: its identity, its documentation page and its check.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    /// One line, for listings.
    pub summary: &'static str,
    /// Codes and names other linters use for the same check.
    pub aliases: &'static [&'static str],
    pub severity: Severity,
    /// On unless the user selects otherwise: only rules with no known false positives.
    pub default_enabled: bool,
    /// The page under `rules/`, embedded.
    pub doc: &'static str,
    /// `None` for findings the pipeline itself produces (syntax and I/O errors).
    pub check: Option<CheckFn>,
}

impl PartialEq for RuleMeta {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for RuleMeta {}

/// One line per rule.
pub static RULES: &[&RuleMeta] = &[
    &rules::syntax_error::RULE,
    &rules::await_outside_function::RULE,
    &rules::await_outside_async::RULE,
    &rules::async_for_outside_async::RULE,
    &rules::async_with_outside_async::RULE,
    &rules::async_comprehension_outside_async::RULE,
    &rules::yield_from_in_async_function::RULE,
    &rules::return_in_async_generator::RULE,
    &rules::yield_in_comprehension::RULE,
    &rules::yield_outside_function::RULE,
    &rules::await_in_annotation::RULE,
    &rules::yield_in_annotation::RULE,
    &rules::await_in_type_scope::RULE,
    &rules::yield_in_type_scope::RULE,
    &rules::return_outside_function::RULE,
    // Runtime bugs: missing awaits and awaits of the wrong things.
    &rules::coroutine_not_awaited::RULE,
    // Runtime bugs: protocol mismatches (AL110-AL119).
    &rules::sync_iteration_over_async_iterable::RULE,
    &rules::async_iteration_over_sync_iterable::RULE,
    &rules::sync_with_async_context_manager::RULE,
    &rules::async_with_sync_context_manager::RULE,
    &rules::await_async_generator::RULE,
    &rules::dunder_kind_mismatch::RULE,
    &rules::wrong_decorator_for_function_kind::RULE,
    &rules::stop_iteration_in_coroutine::RULE,
    &rules::yield_in_async_generator_finally::RULE,
    // Runtime bugs: event-loop misuse, tasks, API availability (AL102-AL103, AL120-AL129, ASYNC300).
    &rules::await_non_awaitable::RULE,
    &rules::coroutine_awaited_twice::RULE,
    &rules::nested_event_loop::RULE,
    &rules::get_event_loop_in_coroutine::RULE,
    &rules::threading_lock_held_across_await::RULE,
    &rules::unavailable_async_api::RULE,
    &rules::create_task_no_reference::RULE,
    // Blocking calls in async functions (ASYNC2xx, AL14x).
    &rules::blocking_configured_call::RULE,
    &rules::blocking_http_call::RULE,
    &rules::likely_blocking_http_call::RULE,
    &rules::blocking_http_client_call::RULE,
    &rules::blocking_process_start::RULE,
    &rules::blocking_process_run::RULE,
    &rules::blocking_process_wait::RULE,
    &rules::blocking_open_call::RULE,
    &rules::blocking_fdopen_call::RULE,
    &rules::blocking_file_method::RULE,
    &rules::blocking_os_path_call::RULE,
    &rules::blocking_input_call::RULE,
    &rules::blocking_sleep_call::RULE,
    &rules::blocking_call_via_helper::RULE,
    &rules::blocking_path_method::RULE,
    // flake8-async's structured-concurrency checks (ASYNC1xx, ASYNC9xx).
    &rules::cancel_scope_no_checkpoint::RULE,
    &rules::yield_in_cancel_scope::RULE,
    &rules::await_in_finally_or_cancelled::RULE,
    &rules::no_reraise_cancelled::RULE,
    &rules::cancelled_not_raised::RULE,
    &rules::missing_await::RULE,
    &rules::async_function_with_timeout::RULE,
    &rules::async_busy_wait::RULE,
    &rules::variable_from_cm_in_start_soon::RULE,
    &rules::useless_nursery::RULE,
    &rules::start_soon_in_aenter::RULE,
    &rules::async_zero_sleep::RULE,
    &rules::long_sleep_not_forever::RULE,
    &rules::yield_in_cm_in_async_gen::RULE,
    &rules::await_in_except::RULE,
    &rules::control_flow_in_taskgroup::RULE,
    &rules::delayed_entry_of_relative_cancelscope::RULE,
    &rules::async_function_could_be_sync::RULE,
    &rules::constant_absolute_deadline::RULE,
    &rules::unsafe_async_generator::RULE,
    &rules::async_function_no_checkpoint::RULE,
    &rules::async_generator_no_checkpoint::RULE,
    &rules::cancel_scope_no_guaranteed_checkpoint::RULE,
    &rules::indefinite_loop_no_guaranteed_checkpoint::RULE,
    &rules::io_error::RULE,
    &rules::internal_error::RULE,
    &rules::invalid_noqa::RULE,
    &rules::unused_noqa::RULE,
];

/// The phase-2 decisions of the rules that defer checks (see `Checker::defer`), by name, so
/// that a cached pending check can be stored and found again. A rule that defers adds its
/// decision here.
pub const DECIDERS: &[(&str, Decide)] = &[
    ("AL101", rules::coroutine_not_awaited::decide),
    ("AL102", rules::await_non_awaitable::decide),
    ("AL103", rules::coroutine_awaited_twice::decide),
    ("AL140", rules::blocking_call_via_helper::decide),
    ("async-generator", rules::protocols::decide_async_generator),
    ("sync-generator", rules::protocols::decide_sync_generator),
    (
        "async-context-manager",
        rules::protocols::decide_async_context_manager,
    ),
    (
        "sync-context-manager",
        rules::protocols::decide_sync_context_manager,
    ),
];

/// The name of a phase-2 decision in [`DECIDERS`].
pub fn decider_name(decide: Decide) -> Option<&'static str> {
    DECIDERS
        .iter()
        .find(|(_, known)| std::ptr::fn_addr_eq(*known, decide))
        .map(|(name, _)| *name)
}

/// Serde for a rule, as its code: `#[serde(with = "crate::registry::by_code")]`.
pub mod by_code {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::RuleMeta;

    pub fn serialize<S: Serializer>(rule: &&'static RuleMeta, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_str(rule.code)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<&'static RuleMeta, D::Error> {
        let code = std::borrow::Cow::<str>::deserialize(input)?;
        super::rule_by_code(&code).ok_or_else(|| D::Error::custom(format!("unknown rule {code}")))
    }
}

/// Serde for a phase-2 decision, as its name in [`DECIDERS`]. A function missing from the
/// table cannot be stored (the file is then not cached), and an unknown name cannot be
/// read (the cache is then ignored): no function is ever called but the table's.
pub mod decider_by_name {
    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{DECIDERS, Decide};

    pub fn serialize<S: Serializer>(decide: &Decide, out: S) -> Result<S::Ok, S::Error> {
        let name = super::decider_name(*decide)
            .ok_or_else(|| S::Error::custom("a phase-2 decision missing from DECIDERS"))?;
        out.serialize_str(name)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Decide, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(input)?;
        DECIDERS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, decide)| *decide)
            .ok_or_else(|| D::Error::custom(format!("unknown phase-2 decision {name}")))
    }
}

pub fn rule_by_code(code: &str) -> Option<&'static RuleMeta> {
    RULES
        .iter()
        .copied()
        .find(|rule| rule.code.eq_ignore_ascii_case(code))
}

/// The rules a selector names: `ALL`, a code, a code prefix, a rule name, or an alias.
pub fn resolve_selector(selector: &str) -> Result<Vec<&'static RuleMeta>, String> {
    let selector = selector.trim();
    if selector.eq_ignore_ascii_case("ALL") {
        return Ok(RULES.to_vec());
    }
    let matches: Vec<&'static RuleMeta> = RULES
        .iter()
        .copied()
        .filter(|rule| {
            starts_with_ignore_case(rule.code, selector)
                || rule.name == selector
                || rule
                    .aliases
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(selector))
        })
        .collect();
    if matches.is_empty() {
        Err(unknown_selector_message(selector))
    } else {
        Ok(matches)
    }
}

/// Whether `code` (as written in a `# noqa` comment or on the command line) names `rule`.
pub fn code_names_rule(code: &str, rule: &RuleMeta) -> bool {
    rule.code.eq_ignore_ascii_case(code)
        || rule.aliases.iter().any(|a| a.eq_ignore_ascii_case(code))
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn unknown_selector_message(selector: &str) -> String {
    let mut message = format!("unknown rule selector `{selector}`");
    if let Some(suggestion) = closest_rule_name(selector) {
        message.push_str(&format!(" (did you mean `{suggestion}`?)"));
    }
    message
}

fn closest_rule_name(selector: &str) -> Option<&'static str> {
    RULES
        .iter()
        .flat_map(|rule| [rule.code, rule.name])
        .map(|candidate| {
            (
                edit_distance(
                    &selector.to_ascii_lowercase(),
                    &candidate.to_ascii_lowercase(),
                ),
                candidate,
            )
        })
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique() {
        let mut seen = HashSet::new();
        for rule in RULES {
            assert!(seen.insert(rule.code), "duplicate code {}", rule.code);
            assert!(seen.insert(rule.name), "duplicate name {}", rule.name);
        }
    }

    #[test]
    fn selectors_resolve() {
        assert_eq!(
            resolve_selector("AL001").unwrap()[0].name,
            "await-outside-function"
        );
        assert!(resolve_selector("AL0").unwrap().len() > 10);
        assert_eq!(
            resolve_selector("await-outside-async").unwrap()[0].code,
            "AL002"
        );
        let by_alias: Vec<_> = resolve_selector("PLE1142")
            .unwrap()
            .iter()
            .map(|r| r.code)
            .collect();
        assert!(by_alias.contains(&"AL001") && by_alias.contains(&"AL002"));
        let error = resolve_selector("await-outside-fucntion").unwrap_err();
        assert!(
            error.contains("did you mean `await-outside-function`"),
            "{error}"
        );
    }
}
