//! `asynclint rule CODE|--all`: a rule's page (from `rules/`, embedded in the binary) as
//! text, as JSON with ruff's field names, or, for every rule, as the Markdown reference
//! published as `docs/rules.md`.

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::{RuleArgs, RuleFormat};
use crate::diagnostic::Severity;
use crate::registry::{self, RULES, RuleMeta};
use crate::run::{EXIT_CLEAN, EXIT_ERROR};

/// The command that regenerates `docs/rules.md`.
pub const REGENERATE_DOCS: &str =
    "cargo run --quiet -- rule --all --output-format markdown > docs/rules.md";

pub fn run(args: &RuleArgs) -> u8 {
    let rules = if args.all {
        RULES.to_vec()
    } else {
        let query = args.rule.as_deref().unwrap_or_default();
        match find(query) {
            Ok(rules) => rules,
            Err(message) => {
                let _ = writeln!(io::stderr(), "asynclint: error: {message}");
                return EXIT_ERROR;
            }
        }
    };
    let text = render(&rules, args.output_format, args.all);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => EXIT_CLEAN,
        // A reader that stopped reading (`asynclint rule --all | head`) is not an error.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(error) => {
            let _ = writeln!(
                io::stderr(),
                "asynclint: error: cannot write the output: {error}"
            );
            EXIT_ERROR
        }
    }
}

/// The rules `query` names: a code, a name or an alias, in any case. An alias that other
/// tools use for several of asynclint's checks (`PLE1142`) names all of them.
pub fn find(query: &str) -> Result<Vec<&'static RuleMeta>, String> {
    let query = query.trim();
    let matches: Vec<&'static RuleMeta> = RULES
        .iter()
        .copied()
        .filter(|rule| {
            rule.name.eq_ignore_ascii_case(query) || registry::code_names_rule(query, rule)
        })
        .collect();
    if !matches.is_empty() {
        return Ok(matches);
    }
    let mut message = format!("unknown rule `{query}`");
    let prefixed: Vec<&str> = RULES
        .iter()
        .filter(|rule| {
            !query.is_empty()
                && rule.code.len() > query.len()
                && rule.code[..query.len()].eq_ignore_ascii_case(query)
        })
        .map(|rule| rule.code)
        .collect();
    if query.eq_ignore_ascii_case("all") {
        message.push_str(" (did you mean `--all`?)");
    } else if !prefixed.is_empty() {
        let mut listed = prefixed
            .iter()
            .take(8)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if prefixed.len() > 8 {
            listed.push_str(", …");
        }
        message.push_str(&format!(
            " (it is the prefix of {listed}; name one, or use `--all`)"
        ));
    } else if let Some(suggestion) = closest(query) {
        message.push_str(&format!(" (did you mean `{suggestion}`?)"));
    } else {
        message.push_str(" (`asynclint rule --all` lists every rule)");
    }
    Err(message)
}

/// The code, name or alias closest to `query`, if one is close enough to be a typo.
fn closest(query: &str) -> Option<&'static str> {
    let query = query.to_ascii_lowercase();
    RULES
        .iter()
        .flat_map(|rule| {
            [rule.code, rule.name]
                .into_iter()
                .chain(rule.aliases.iter().copied())
        })
        .map(|candidate| {
            (
                registry::edit_distance(&query, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// What `asynclint rule` prints. `all` is whether every rule was asked for (JSON is then an
/// array, and Markdown the whole reference).
pub fn render(rules: &[&'static RuleMeta], format: RuleFormat, all: bool) -> String {
    match format {
        RuleFormat::Text => pages(rules),
        RuleFormat::Markdown if all => reference(rules),
        RuleFormat::Markdown => pages(rules),
        RuleFormat::Json => {
            let items: Vec<RuleJson> = rules.iter().map(|rule| RuleJson::new(rule)).collect();
            let json = match items.as_slice() {
                [one] if !all => serde_json::to_string_pretty(one),
                _ => serde_json::to_string_pretty(&items),
            };
            let mut json = json.expect("rule metadata serializes");
            json.push('\n');
            json
        }
    }
}

/// The pages, separated by a blank line.
fn pages(rules: &[&'static RuleMeta]) -> String {
    let mut out = String::new();
    for (i, rule) in rules.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(rule.doc);
        if !rule.doc.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// One rule in JSON: ruff's `ruff rule --output-format json` fields where asynclint has
/// the same thing, and asynclint's own. (ruff's `fix` and `fix_availability` wait for the
/// registry to say which rules have fixes; the page's "Fix safety" section says it now.)
#[derive(Serialize)]
struct RuleJson {
    name: &'static str,
    code: &'static str,
    /// Whose numbering the code follows, as ruff's `linter` field.
    linter: &'static str,
    summary: &'static str,
    /// Other tools' codes for the same check; `# noqa` and `--select` accept them.
    aliases: &'static [&'static str],
    severity: Severity,
    default_enabled: bool,
    /// The page.
    explanation: &'static str,
    preview: bool,
}

impl RuleJson {
    fn new(rule: &'static RuleMeta) -> Self {
        Self {
            name: rule.name,
            code: rule.code,
            linter: linter(rule),
            summary: rule.summary,
            aliases: rule.aliases,
            severity: rule.severity,
            default_enabled: rule.default_enabled,
            explanation: rule.doc,
            preview: false,
        }
    }
}

fn linter(rule: &RuleMeta) -> &'static str {
    if rule.code.starts_with("ASYNC") {
        "flake8-async"
    } else {
        "asynclint"
    }
}

/// The Markdown reference of `rules` (`docs/rules.md`): an index table, then every page
/// with its headings one level down.
pub fn reference(rules: &[&'static RuleMeta]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "<!-- Generated from rules/*.md and src/registry.rs: do not edit. To update, run\n     {REGENERATE_DOCS}\n     (tests/rule_command.rs checks that it is current). -->\n\n"
    ));
    out.push_str("# Rules\n\n");
    out.push_str(&format!(
        "asynclint has {} rules:\n\n\
* `AL0xx`: code CPython refuses to compile, version by version (errors);\n\
* `AL1xx`: code that compiles but misbehaves at run time;\n\
* `ASYNCxxx`: checks with flake8-async's meaning and number;\n\
* `AL9xx`: asynclint's own input and `# noqa` directives.\n\n\
Rules marked *on* run unless the configuration says otherwise; the others run when \
selected (`--select`, `--extend-select`, or the `select` keys of the \
[configuration](configuration.md)). *Aliases* are other tools' codes for the same check: \
`# noqa`, `--select` and `--ignore` accept them. `asynclint rule CODE` prints a rule's \
page in the terminal (see [usage](usage.md#explaining-a-rule-asynclint-rule)).\n\n",
        rules.len()
    ));
    out.push_str("| Code | Name | Summary | Severity | Default | Aliases |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for rule in rules {
        let severity = match rule.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let aliases: Vec<String> = rule.aliases.iter().map(|a| format!("`{a}`")).collect();
        out.push_str(&format!(
            "| [{code}](#{anchor}) | `{name}` | {summary} | {severity} | {default} | {aliases} |\n",
            code = rule.code,
            anchor = anchor(rule),
            name = rule.name,
            summary = rule.summary.replace('|', "\\|"),
            default = if rule.default_enabled { "on" } else { "off" },
            aliases = aliases.join(", "),
        ));
    }
    for rule in rules {
        out.push('\n');
        let page = demote_headings(rule.doc);
        let page = rules.iter().fold(page, |page, other| {
            page.replace(
                &format!("]({}.md)", other.code),
                &format!("](#{})", anchor(other)),
            )
        });
        out.push_str(&page);
        if !page.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The anchor GitHub gives a page's title once it is `## name (CODE)`.
fn anchor(rule: &RuleMeta) -> String {
    let title = rule
        .doc
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("# "))
        .map_or_else(|| format!("{} ({})", rule.name, rule.code), str::to_string);
    title
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Every Markdown heading outside code blocks one level down (`#` → `##`).
fn demote_headings(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + 64);
    let mut fence: Option<&str> = None;
    for line in page.split_inclusive('\n') {
        let trimmed = line.trim_start();
        match fence {
            Some(marker) if trimmed.starts_with(marker) => fence = None,
            Some(_) => {}
            None if trimmed.starts_with("```") => fence = Some("```"),
            None if trimmed.starts_with("~~~") => fence = Some("~~~"),
            None if line.starts_with('#') => {
                let level = line.chars().take_while(|&c| c == '#').count();
                if level < 6 && line[level..].starts_with([' ', '\n']) {
                    out.push('#');
                }
            }
            None => {}
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_move_down_outside_code_blocks_only() {
        let page = "# title (X1)\n\n## What it does\nText # not a heading\n```python\n# a comment\n```\n#hashtag\n";
        assert_eq!(
            demote_headings(page),
            "## title (X1)\n\n### What it does\nText # not a heading\n```python\n# a comment\n```\n#hashtag\n"
        );
    }

    #[test]
    fn anchors_are_githubs() {
        let rule = registry::rule_by_code("AL001").unwrap();
        assert_eq!(anchor(rule), "await-outside-function-al001");
    }

    #[test]
    fn lookup_by_code_name_and_alias() {
        assert_eq!(find("al001").unwrap()[0].code, "AL001");
        assert_eq!(find("await-outside-async").unwrap()[0].code, "AL002");
        let by_alias: Vec<_> = find("PLE1142").unwrap().iter().map(|r| r.code).collect();
        assert!(by_alias.contains(&"AL001"), "{by_alias:?}");
        let error = find("await-outside-fucntion").unwrap_err();
        assert!(
            error.contains("did you mean `await-outside-function`"),
            "{error}"
        );
        let error = find("AL00").unwrap_err();
        assert!(error.contains("prefix of AL000, AL001"), "{error}");
    }
}
