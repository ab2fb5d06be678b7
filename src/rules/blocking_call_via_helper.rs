//! AL140: a coroutine calls a synchronous function of the linted tree that, directly or
//! through other synchronous helpers, makes one of the blocking calls the ASYNC2xx and AL14x
//! rules know. Chains within a module are followed here; chains that leave the module are
//! decided in phase 2 from the facts [`crate::analysis::blocking::blocking_facts`] records.

use ruff_python_ast::StmtFunctionDef;
use ruff_text_size::Ranged;

use crate::analysis::blocking::{self, FunctionCalls, canonical_class};
use crate::analysis::calls::{Callee, ValueUse, callee, value_use};
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::{Decoration, FunctionKind, ProjectIndex, Resolved, Target, decoration_of};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{ScopeId, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "AL140",
    name: "blocking-call-via-helper",
    summary: "A coroutine calls a synchronous helper that blocks the event loop",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: false,
    doc: include_str!("../../rules/AL140.md"),
    check: Some(check),
};

/// Helper chains longer than this are not followed.
const MAX_DEPTH: usize = 16;

/// Separates the parts of a deferred check's detail.
const SEPARATOR: char = '\u{1f}';

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let calls = FunctionCalls::new(model);
    let library = checker.libraries.preferred();
    for (node, call) in blocking::calls_in_coroutines(model) {
        if value_use(model, node) == ValueUse::Awaited {
            continue;
        }
        let scope = node.scope_id();
        // A blocking call made in the coroutine itself is the other rules' finding.
        if blocking::classify(model, call, scope).is_some() {
            continue;
        }
        let written = &checker.source[call.func.range()];
        let defer = |qualified: String| {
            let detail = [written, &qualified, library].join(&SEPARATOR.to_string());
            checker.defer(
                &RULE,
                call.range(),
                Target::Symbol(qualified),
                detail,
                decide,
            );
        };
        match callee(model, &call.func, scope) {
            Callee::Local {
                def,
                body,
                enclosing,
            } => {
                if !is_plain_sync(model, def, body, enclosing) {
                    continue;
                }
                let mut visited = vec![body];
                match local_chain(model, &calls, body, &mut visited) {
                    Some(rest) => {
                        let chain: Vec<String> =
                            std::iter::once(written.to_string()).chain(rest).collect();
                        diagnostics.push(Diagnostic::new(
                            &RULE,
                            message(written, &chain, library),
                            call.range(),
                        ));
                    }
                    // The helper may still block through another module of the project.
                    None => {
                        if let Some(name) =
                            blocking::local_function_name(model, def.name.as_str(), enclosing)
                        {
                            defer(name);
                        }
                    }
                }
            }
            Callee::Qualified(name) => {
                if !name.starts_with("builtins.") {
                    defer(name.to_string());
                }
            }
            Callee::InstanceMethod { class, method }
            | Callee::InheritedMethod { class, method } => {
                if blocking::blocking_method(canonical_class(&class), &method).is_none() {
                    defer(format!("{class}.{method}"));
                }
            }
            Callee::Unknown => {}
        }
    }
}

/// An undecorated synchronous function that is not a generator: calling it runs its body.
fn is_plain_sync(
    model: &ScopeModel<'_>,
    def: &StmtFunctionDef,
    body: ScopeId,
    enclosing: ScopeId,
) -> bool {
    !def.is_async
        && !model.scope(body).is_generator
        && decoration_of(model, &def.decorator_list, enclosing) == Decoration::None
}

/// Within this module: the helpers from `body` down to a blocking call, and that call
/// (`["read_file", "open"]`), preferring a blocking call made directly in a body.
fn local_chain(
    model: &ScopeModel<'_>,
    calls: &FunctionCalls<'_, '_>,
    body: ScopeId,
    visited: &mut Vec<ScopeId>,
) -> Option<Vec<String>> {
    if let Some(blocking) = calls.first_blocking_call(body) {
        return Some(vec![blocking.name]);
    }
    if visited.len() > MAX_DEPTH {
        return None;
    }
    for (node, call) in calls.calls(body) {
        let Callee::Local {
            def,
            body: next,
            enclosing,
        } = callee(model, &call.func, node.scope_id())
        else {
            continue;
        };
        if visited.contains(&next) || !is_plain_sync(model, def, next, enclosing) {
            continue;
        }
        visited.push(next);
        if let Some(rest) = local_chain(model, calls, next, visited) {
            return Some(std::iter::once(def.name.to_string()).chain(rest).collect());
        }
    }
    None
}

fn worker_thread(library: &str, function: &str) -> String {
    match library {
        "trio" => format!("`await trio.to_thread.run_sync({function}, ...)`"),
        "anyio" => format!("`await anyio.to_thread.run_sync({function}, ...)`"),
        _ => format!("`await asyncio.to_thread({function}, ...)`"),
    }
}

/// `chain` starts with the call as written and ends with the blocking call.
fn message(written: &str, chain: &[String], library: &str) -> String {
    let path = chain
        .iter()
        .map(|step| format!("{step}()"))
        .collect::<Vec<_>>()
        .join(" → ");
    format!(
        "`{written}()` runs synchronous code that blocks the event loop: `{path}`; call it in a worker thread ({})",
        worker_thread(library, written)
    )
}

/// In phase 2: report when the callee, defined elsewhere in the project, is a synchronous
/// function that reaches a blocking call.
pub(crate) fn decide(resolved: Resolved<'_>, index: &ProjectIndex, detail: &str) -> Option<String> {
    let Resolved::Function(facts) = resolved else {
        return None;
    };
    if facts.kind != FunctionKind::Sync || facts.decoration != Decoration::None {
        return None;
    }
    let mut parts = detail.split(SEPARATOR);
    let (written, qualified, library) = (parts.next()?, parts.next()?, parts.next()?);
    let found = index.blocking_chain(qualified)?;
    let (blocking_call, helpers) = found.split_last()?;
    let chain: Vec<String> = std::iter::once(written.to_string())
        .chain(
            helpers
                .iter()
                .skip(1)
                .map(|name| name.rsplit('.').next().unwrap_or(name).to_string()),
        )
        .chain(std::iter::once(blocking_call.clone()))
        .collect();
    Some(message(written, &chain, library))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::blocking::FunctionCalls;
    use crate::project::{ProjectIndex, module_facts};
    use crate::scope::{ModelOptions, ModulePath};
    use crate::settings::RuleOptions;
    use crate::target_version::TargetVersion;

    /// Phase 1 of one module: its facts (as the linter extracts them with
    /// `blocking_facts`), the diagnostics of this rule, and its deferred checks.
    fn phase1(
        module: &str,
        source: &str,
    ) -> (
        crate::project::ModuleFacts,
        Vec<Diagnostic>,
        Vec<crate::project::PendingCheck>,
    ) {
        let parsed = ruff_python_parser::parse_module(source).expect("valid Python");
        let model = ScopeModel::build(
            &parsed.syntax().body,
            ModelOptions {
                target_version: TargetVersion::DEFAULT,
                top_level_await: false,
                module: Some(ModulePath {
                    name: module.to_string(),
                    is_package: false,
                }),
                project_roots: None,
            },
        );
        let calls = FunctionCalls::new(&model);
        let facts = module_facts(&model, &|scope| calls.blocking_facts(scope));
        let options = RuleOptions::default();
        let checker = Checker::new(&model, source, &options);
        let mut diagnostics = Vec::new();
        check(&checker, &mut diagnostics);
        (facts, diagnostics, checker.into_pending())
    }

    #[test]
    fn same_module_chains_are_reported_in_phase_one() {
        let source = r#"
import time

def read_file(path):
    with open(path) as f:
        return f.read()

def load_config():
    return read_file("c")

def pure():
    return 1

async def main():
    load_config()
    pure()
    time.sleep(1)
"#;
        let (_, diagnostics, _) = phase1("app", source);
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("`load_config() → read_file() → open()`"),
            "{}",
            messages[0]
        );
    }

    #[test]
    fn cross_module_chains_are_decided_in_phase_two() {
        let io = "import time\n\ndef read_file(path):\n    time.sleep(1)\n";
        let config =
            "from pkg.io import read_file\n\ndef load_config():\n    return read_file('c')\n";
        let app = r#"
import asyncio
from pkg.config import load_config
from pkg import config

def local_helper():
    return load_config()

async def main():
    load_config()
    config.load_config()
    local_helper()
    await asyncio.to_thread(load_config)
"#;
        let (io_facts, _, _) = phase1("pkg.io", io);
        let (config_facts, _, _) = phase1("pkg.config", config);
        let (app_facts, local, pending) = phase1("pkg.app", app);
        assert!(local.is_empty());
        let index = ProjectIndex::new([io_facts, config_facts, app_facts]);
        let diagnostics = index.decide(&pending);
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("`load_config() → read_file() → time.sleep()`"));
        assert!(messages[1].contains("`config.load_config() → read_file() → time.sleep()`"));
        assert!(
            messages[2].contains("`local_helper() → load_config() → read_file() → time.sleep()`"),
            "{}",
            messages[2]
        );
        assert!(messages[0].contains("asyncio.to_thread(load_config, ...)"));
    }
}
