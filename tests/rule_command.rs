//! `asynclint rule`: pages by code, name or alias, JSON with ruff's field names, the
//! errors, the `rule`-versus-path rule, and `docs/rules.md` being current.

use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use asynclint::registry::RULES;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_asynclint");
const TIMEOUT: Duration = Duration::from_secs(30);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary in `cwd` to completion (killing it after [`TIMEOUT`]).
fn asynclint_in(cwd: &Path, args: &[&str]) -> Run {
    let mut stdout = tempfile::tempfile().expect("stdout file");
    let mut stderr = tempfile::tempfile().expect("stderr file");
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_remove("ASYNCLINT_OUTPUT_FORMAT")
        .env_remove("FORCE_COLOR")
        .stdin(Stdio::null())
        .stdout(stdout.try_clone().expect("clone stdout"))
        .stderr(stderr.try_clone().expect("clone stderr"))
        .spawn()
        .expect("spawn asynclint");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("asynclint {args:?} did not finish in {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let read = |file: &mut fs::File| {
        let mut text = String::new();
        file.rewind().expect("rewind");
        file.read_to_string(&mut text).expect("read output");
        text
    };
    let run = Run {
        code: status.code().expect("asynclint was killed by a signal"),
        stdout: read(&mut stdout),
        stderr: read(&mut stderr),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "asynclint panicked:\n{}",
        run.stderr
    );
    run
}

fn asynclint(args: &[&str]) -> Run {
    asynclint_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn page(code: &str) -> String {
    fs::read_to_string(repo_file(&format!("rules/{code}.md"))).expect("rule page")
}

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout))
}

/// The fields of one rule in `asynclint rule --output-format json`. The ruff ones are
/// those `ruff rule --output-format json` has with the same meaning.
const RUFF_FIELDS: [&str; 6] = [
    "name",
    "code",
    "linter",
    "summary",
    "explanation",
    "preview",
];
const OWN_FIELDS: [&str; 3] = ["aliases", "severity", "default_enabled"];

fn assert_rule_object(item: &Value) {
    let object = item.as_object().expect("a rule is a JSON object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected: Vec<&str> = RUFF_FIELDS.iter().chain(&OWN_FIELDS).copied().collect();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    let code = item["code"].as_str().expect("code");
    let rule = RULES
        .iter()
        .find(|rule| rule.code == code)
        .unwrap_or_else(|| panic!("{code} is not in the registry"));
    assert_eq!(item["name"], rule.name);
    assert_eq!(item["summary"], rule.summary);
    assert_eq!(item["default_enabled"], rule.default_enabled);
    assert_eq!(
        item["aliases"],
        Value::from(
            rule.aliases
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
        )
    );
    assert!(matches!(
        item["severity"].as_str(),
        Some("error" | "warning")
    ));
    assert_eq!(item["explanation"].as_str(), Some(page(code).as_str()));
}

#[test]
fn rule_prints_the_page_for_a_code_a_name_or_an_alias() {
    let expected = page("AL101");
    for query in ["AL101", "al101", "coroutine-not-awaited"] {
        let run = asynclint(&["rule", query]);
        assert_eq!(run.code, 0, "{query}: {}", run.stderr);
        assert_eq!(run.stdout, expected, "{query}");
    }
    let markdown = asynclint(&["rule", "AL101", "--output-format", "markdown"]);
    assert_eq!(markdown.stdout, expected);

    // An alias other tools use for several checks prints each of their pages.
    let run = asynclint(&["rule", "PLE1142"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let aliased: Vec<&str> = RULES
        .iter()
        .filter(|rule| rule.aliases.contains(&"PLE1142"))
        .map(|rule| rule.code)
        .collect();
    assert!(aliased.len() >= 2, "{aliased:?}");
    let pages: Vec<String> = aliased.iter().map(|code| page(code)).collect();
    assert_eq!(run.stdout, pages.join("\n"));
}

#[test]
fn rule_all_prints_every_page_in_registry_order() {
    let run = asynclint(&["rule", "--all"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pages: Vec<String> = RULES.iter().map(|rule| page(rule.code)).collect();
    assert_eq!(run.stdout, pages.join("\n"));
}

#[test]
fn rule_json_is_an_object_with_ruffs_field_names() {
    let item = json(&asynclint(&["rule", "AL002", "--output-format", "json"]));
    assert_rule_object(&item);
    assert_eq!(item["code"], "AL002");
    assert_eq!(item["linter"], "asynclint");
    assert_eq!(item["severity"], "error");
    assert_eq!(item["preview"], false);

    // By name, the same object.
    let by_name = json(&asynclint(&[
        "rule",
        "await-outside-async",
        "--output-format",
        "json",
    ]));
    assert_eq!(by_name, item);
}

#[test]
fn rule_all_json_is_an_array_of_every_rule() {
    let all = json(&asynclint(&["rule", "--all", "--output-format", "json"]));
    let items = all.as_array().expect("--all gives an array");
    let codes: Vec<&str> = items.iter().map(|i| i["code"].as_str().unwrap()).collect();
    let registry: Vec<&str> = RULES.iter().map(|rule| rule.code).collect();
    assert_eq!(codes, registry);
    for item in items {
        assert_rule_object(item);
        let expected_linter = if item["code"].as_str().unwrap().starts_with("ASYNC") {
            "flake8-async"
        } else {
            "asynclint"
        };
        assert_eq!(item["linter"], expected_linter);
    }
}

/// When ruff is installed (on `PATH`, or at `$ASYNCLINT_RUFF`), its `rule` JSON has every
/// ruff field asynclint prints, with the same JSON type.
#[test]
fn rule_json_fields_match_ruffs_when_ruff_is_installed() {
    let ruff = std::env::var_os("ASYNCLINT_RUFF")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("ruff"));
    let output = match Command::new(&ruff)
        .args(["rule", "F704", "--output-format", "json"])
        .stdin(Stdio::null())
        .output()
    {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            println!(
                "skipped: `{} rule F704 --output-format json` failed: {}",
                ruff.display(),
                String::from_utf8_lossy(&output.stderr)
            );
            return;
        }
        Err(error) => {
            println!(
                "skipped: ruff not found ({}: {error}); set ASYNCLINT_RUFF to run this test",
                ruff.display()
            );
            return;
        }
    };
    let theirs: Value = serde_json::from_slice(&output.stdout).expect("ruff's JSON");
    let ours = json(&asynclint(&["rule", "AL001", "--output-format", "json"]));
    let kind = |value: &Value| match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    for field in RUFF_FIELDS {
        let their_value = theirs
            .get(field)
            .unwrap_or_else(|| panic!("ruff's rule JSON has no `{field}`: {theirs}"));
        assert_eq!(
            kind(&ours[field]),
            kind(their_value),
            "`{field}` has another type in ruff's JSON"
        );
    }
    assert_eq!(ours["preview"], theirs["preview"]);
}

#[test]
fn unknown_rules_exit_2_with_a_suggestion() {
    let run = asynclint(&["rule", "coroutine-not-awaitd"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "unknown rule `coroutine-not-awaitd` (did you mean `coroutine-not-awaited`?)"
        ),
        "{}",
        run.stderr
    );

    let run = asynclint(&["rule", "AL10", "--output-format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("prefix of AL101"), "{}", run.stderr);

    let run = asynclint(&["rule", "all"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `--all`?"),
        "{}",
        run.stderr
    );

    let run = asynclint(&["rule", "XYZ999"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown rule `XYZ999`"),
        "{}",
        run.stderr
    );
}

#[test]
fn rule_usage_errors_exit_2() {
    for args in [
        &["rule"][..],
        &["rule", "AL001", "--all"],
        &["rule", "AL001", "--output-format", "sarif"],
        &["rule", "AL001", "AL002"],
    ] {
        let run = asynclint(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
    }
    let help = asynclint(&["rule", "--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("./rule"), "{}", help.stdout);
    let main_help = asynclint(&["--help"]);
    assert_eq!(main_help.code, 0);
    assert!(
        main_help.stdout.contains("asynclint rule RULE"),
        "{}",
        main_help.stdout
    );
}

#[test]
fn a_directory_named_rule_is_linted_when_written_dot_slash_rule() {
    let project = tempfile::tempdir().expect("temporary directory");
    fs::create_dir(project.path().join("rule")).unwrap();
    fs::write(project.path().join("rule/bad.py"), "await x\n").unwrap();

    for path in ["./rule", "rule/"] {
        let run = asynclint_in(
            project.path(),
            &[path, "--output-format", "concise", "--isolated"],
        );
        assert_eq!(run.code, 1, "{path}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("bad.py:1:1: AL001"), "{}", run.stdout);
    }
    // `--` ends the options, so `rule` after it is a path too.
    let run = asynclint_in(
        project.path(),
        &["--output-format", "concise", "--isolated", "--", "rule"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // As the first argument, `rule` is the command.
    let run = asynclint_in(project.path(), &["rule"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("Usage: asynclint rule"),
        "{}",
        run.stderr
    );
    // Elsewhere on the command line it is a path.
    let run = asynclint_in(
        project.path(),
        &["--output-format", "concise", "--isolated", "rule"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
}

/// `docs/rules.md` is what `asynclint rule --all --output-format markdown` prints. With
/// `ASYNCLINT_UPDATE_DOCS=1` the test rewrites it instead of failing.
#[test]
fn docs_rules_md_is_current() {
    let run = asynclint(&["rule", "--all", "--output-format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let generated = run.stdout;
    for rule in RULES {
        assert!(
            generated.contains(&format!("\n## {} ({})\n", rule.name, rule.code)),
            "the reference has no section for {}",
            rule.code
        );
    }
    let path = repo_file("docs/rules.md");
    let current = fs::read_to_string(&path).unwrap_or_default();
    if current == generated {
        return;
    }
    if std::env::var_os("ASYNCLINT_UPDATE_DOCS").is_some_and(|v| v == "1") {
        fs::write(&path, &generated).expect("write docs/rules.md");
        println!("updated {}", path.display());
        return;
    }
    let first_difference = current
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| current.lines().count().min(generated.lines().count()));
    panic!(
        "docs/rules.md is out of date (first difference at line {}: {:?} should be {:?}).\n\
         Run `{}` to update it, or `ASYNCLINT_UPDATE_DOCS=1 cargo test --test rule_command`.",
        first_difference + 1,
        current
            .lines()
            .nth(first_difference)
            .unwrap_or("<end of file>"),
        generated
            .lines()
            .nth(first_difference)
            .unwrap_or("<end of file>"),
        asynclint::rule_command::REGENERATE_DOCS,
    );
}
