//! Every rule's page under `rules/` has the required sections, and its examples behave
//! as the page says: each block under "Example" triggers the rule, each block under
//! "Use instead" is clean. A block may pick its target version in its info string:
//! ```` ```python target-version=py311 ````, and configure ASYNC200 with
//! `blocking-call=PATTERN->SUGGESTION` (repeatable).

use asynclint::linter::{LintOptions, lint_source};
use asynclint::registry::{RULES, RuleMeta};
use asynclint::settings::RuleOptions;
use asynclint::target_version::TargetVersion;

const SECTIONS: [&str; 6] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Fix safety",
    "## References",
];

struct CodeBlock {
    section: String,
    target_version: TargetVersion,
    rule_options: RuleOptions,
    code: String,
}

fn code_blocks(page: &str) -> Result<Vec<CodeBlock>, String> {
    let mut blocks = Vec::new();
    let mut section = String::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("## ") {
            section = line.to_string();
            continue;
        }
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut words = info.split_whitespace();
        let language = words.next().unwrap_or_default();
        let mut target_version = TargetVersion::DEFAULT;
        let mut rule_options = RuleOptions::default();
        for word in words {
            if let Some(v) = word.strip_prefix("target-version=") {
                target_version = v.parse()?;
            } else if let Some((pattern, suggestion)) = word
                .strip_prefix("blocking-call=")
                .and_then(|call| call.split_once("->"))
            {
                rule_options
                    .blocking_calls
                    .push((pattern.to_string(), suggestion.to_string()));
            } else {
                return Err(format!("unknown code block attribute `{word}`"));
            }
        }
        let mut code = String::new();
        for body in lines.by_ref() {
            if body.starts_with("```") {
                break;
            }
            code.push_str(body);
            code.push('\n');
        }
        if matches!(language, "python" | "py") {
            blocks.push(CodeBlock {
                section: section.clone(),
                target_version,
                rule_options,
                code,
            });
        }
    }
    Ok(blocks)
}

/// Lints a page's example with the default rules plus the page's own rule.
fn codes_for(
    code: &str,
    target_version: TargetVersion,
    rule_options: &RuleOptions,
    page_rule: &RuleMeta,
) -> Vec<&'static str> {
    let options = LintOptions {
        target_version,
        rule_options: rule_options.clone(),
        top_level_await: false,
        module: None,
        rules: RULES
            .iter()
            .copied()
            .filter(|r| r.default_enabled || r.code == page_rule.code)
            .collect(),
        ..LintOptions::default()
    };
    lint_source(code, &options)
        .iter()
        .map(|d| d.code())
        .collect()
}

fn check_page(rule: &RuleMeta) -> Vec<String> {
    let mut problems = Vec::new();
    let page = rule.doc;
    let title = format!("# {} ({})", rule.name, rule.code);
    if page.lines().next() != Some(title.as_str()) {
        problems.push(format!("first line must be `{title}`"));
    }
    let mut last = 0;
    for section in SECTIONS {
        match page.find(&format!("\n{section}\n")) {
            Some(at) if at >= last => last = at,
            Some(_) => problems.push(format!("section `{section}` is out of order")),
            None => problems.push(format!("missing section `{section}`")),
        }
    }
    let blocks = match code_blocks(page) {
        Ok(blocks) => blocks,
        Err(e) => return vec![e],
    };
    let examples = blocks.iter().filter(|b| b.section == "## Example").count();
    let fixed = blocks
        .iter()
        .filter(|b| b.section == "## Use instead")
        .count();
    // I/O and internal errors are about paths and bugs, not about Python code.
    let about_code = rule.check.is_some() || rule.code == "AL000";
    if about_code && (examples == 0 || fixed == 0) {
        problems.push("needs a python block under Example and under Use instead".into());
    }
    for block in &blocks {
        let codes = codes_for(&block.code, block.target_version, &block.rule_options, rule);
        match block.section.as_str() {
            "## Example" if !codes.contains(&rule.code) => problems.push(format!(
                "Example at {} does not trigger {} (got {codes:?}):\n{}",
                block.target_version, rule.code, block.code
            )),
            "## Use instead" if !codes.is_empty() => problems.push(format!(
                "Use instead at {} is not clean (got {codes:?}):\n{}",
                block.target_version, block.code
            )),
            _ => {}
        }
    }
    problems
}

#[test]
fn rule_pages_are_complete_and_their_examples_behave() {
    let mut failures = Vec::new();
    for rule in RULES {
        for problem in check_page(rule) {
            failures.push(format!("rules/{}.md: {problem}", rule.code));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn every_page_belongs_to_a_rule() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for entry in std::fs::read_dir(&dir).expect("rules/ is readable") {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        let code = name.strip_suffix(".md").expect("only .md pages in rules/");
        assert!(
            RULES.iter().any(|r| r.code == code),
            "rules/{name} has no rule in the registry"
        );
    }
}
