//! ASYNC200: calls the user lists as blocking (`async200-blocking-calls`), in a coroutine.

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::analysis::blocking;
use crate::analysis::calls::{ValueUse, value_use};
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{ScopeId, ScopeModel};

pub const RULE: RuleMeta = RuleMeta {
    code: "ASYNC200",
    name: "blocking-configured-call",
    summary: "A call configured as blocking, inside an `async def`",
    aliases: &[],
    severity: Severity::Warning,
    default_enabled: true,
    doc: include_str!("../../rules/ASYNC200.md"),
    check: Some(check),
};

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    let patterns = &checker.options.blocking_calls;
    if patterns.is_empty() {
        return;
    }
    let model = checker.model;
    for (node, call) in blocking::calls_in_coroutines(model) {
        // An awaited call is the async variant of whatever shares its name.
        if value_use(model, node) == ValueUse::Awaited {
            continue;
        }
        let names = candidates(model, &call.func, node.scope_id());
        let Some((pattern, suggestion)) = patterns
            .iter()
            .find(|(pattern, _)| names.iter().any(|name| matches_pattern(pattern, name)))
        else {
            continue;
        };
        let written = &checker.source[call.func.range()];
        diagnostics.push(Diagnostic::new(
            &RULE,
            format!(
                "`{written}()` is configured as blocking (`{pattern}`) and stalls the event loop; use `{suggestion}`"
            ),
            call.range(),
        ));
    }
}

/// The names a call is matched by: the dotted name it reaches through imports (and, for a
/// builtin, its bare name), or else how it is written (`session.get`), when it is a dotted
/// name at all.
fn candidates(model: &ScopeModel<'_>, func: &Expr, scope: ScopeId) -> Vec<String> {
    if let Some(qualified) = model.qualified_name(func, scope) {
        let bare = qualified.strip_prefix("builtins.").map(str::to_string);
        return std::iter::once(qualified.to_string()).chain(bare).collect();
    }
    dotted(func).into_iter().collect()
}

fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attribute) => {
            let mut base = dotted(&attribute.value)?;
            base.push('.');
            base.push_str(attribute.attr.as_str());
            Some(base)
        }
        _ => None,
    }
}

/// A dotted pattern against a dotted name, component by component: `*` matches any run of
/// characters within one component (`my_lib.*.read`, `*session.get`), `?` one character.
pub fn matches_pattern(pattern: &str, name: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let name: Vec<&str> = name.split('.').collect();
    pattern.len() == name.len()
        && pattern
            .iter()
            .zip(&name)
            .all(|(p, n)| glob(p.as_bytes(), n.as_bytes()))
}

fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| glob(rest, &text[skip..])),
        Some((b'?', rest)) => !text.is_empty() && glob(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linter::{LintOptions, lint_source};
    use crate::settings::RuleOptions;

    #[test]
    fn patterns_match_by_component() {
        assert!(matches_pattern("bar", "bar"));
        assert!(!matches_pattern("bee", "bee.bonnet"));
        assert!(matches_pattern("*.postwild", "bar.postwild"));
        assert!(!matches_pattern("*.postwild", "a.b.postwild"));
        assert!(matches_pattern("prewild.*", "prewild.anything"));
        assert!(matches_pattern("*.*.*", "a.b.c"));
        assert!(matches_pattern("*session.get", "session.get"));
        assert!(matches_pattern("my_lib.*.read", "my_lib.io.read"));
        assert!(!matches_pattern("my_lib.*.read", "my_lib.read"));
        assert!(matches_pattern("time.slee?", "time.sleep"));
    }

    #[test]
    fn reports_configured_calls_in_coroutines_only() {
        let source = r#"
import my_lib
import my_lib as lib
from my_lib.io import read as fetch

def sync():
    my_lib.io.read()

async def main(session):
    my_lib.io.read()
    lib.io.read()
    fetch()
    session.get("k")
    await my_lib.io.read()
    make().get("k")
    lambda: my_lib.io.read()
"#;
        let options = LintOptions {
            rules: vec![&RULE].into(),
            rule_options: RuleOptions {
                blocking_calls: vec![
                    ("my_lib.*.read".into(), "`my_lib.aread`".into()),
                    ("*session.get".into(), "`client.get`".into()),
                ],
            },
            ..LintOptions::default()
        };
        let rows: Vec<usize> = lint_source(source, &options)
            .iter()
            .map(|d| {
                source[..d.range.unwrap().start().to_usize()]
                    .lines()
                    .count()
            })
            .collect();
        assert_eq!(rows, vec![10, 11, 12, 13]);
        assert!(
            lint_source(
                source,
                &LintOptions {
                    rules: vec![&RULE].into(),
                    ..LintOptions::default()
                }
            )
            .is_empty()
        );
    }
}
