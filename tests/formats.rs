//! Every `--output-format`, `--statistics` and `--output-file`, run through the built
//! binary. Each format's expected output has the shape of `ruff check --output-format X`
//! on a comparable input (ruff 0.17); where asynclint differs on purpose the test says so.

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use common::{Asynclint, Project};
use serde_json::Value;

/// A run that takes longer is a hang, and fails.
const TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Project {
    fn new() -> Self {
        Self::with_prefix("asynclint-formats-")
    }

    /// The project with two files and three diagnostics that most tests use: `a.py` has
    /// one on row 3, `sub/b.py` one on row 2 and one on row 11 (so that the rows of one
    /// file have different widths).
    fn sample() -> Self {
        let project = Self::new();
        project.write("a.py", "import asyncio\n\nawait asyncio.sleep(1)\n");
        project.write(
            "sub/b.py",
            format!("def f():\n    await x\n{}yield 1\n", "\n".repeat(8)),
        );
        project
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_in(&self.canonical_root(), args, &[])
    }

    fn run_in(&self, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut asynclint = Asynclint::isolated(cwd, TIMEOUT)
            .env_remove("CI_PROJECT_DIR")
            .args(args);
        for (key, value) in env {
            asynclint = asynclint.env(key, value);
        }
        let run = asynclint.run();
        Output {
            code: run.code(),
            stdout: String::from_utf8(run.stdout_bytes).expect("UTF-8 output"),
            stderr: run.stderr,
        }
    }

    fn format(&self, format: &str) -> Output {
        let output = self.run(&["--output-format", format]);
        assert!(output.stderr.is_empty(), "{}", output.stderr);
        output
    }

    fn json(&self, args: &[&str]) -> Value {
        let output = self.run(args);
        serde_json::from_str(&output.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", output.stdout))
    }
}

/// The characters a terminal could act on: escape sequences, C1 controls, bidi controls.
fn assert_no_raw_controls(text: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        })
        .collect();
    assert!(raw.is_empty(), "raw {raw:?} in:\n{}", text.escape_debug());
}

// ---------------------------------------------------------------------------------------
// One test per format
// ---------------------------------------------------------------------------------------

#[test]
fn grouped_format_lists_diagnostics_under_each_file() {
    let output = Project::sample().format("grouped");
    assert_eq!(output.code, 1);
    // ruff: positions right- and left-aligned per file, a blank line after each file.
    assert_eq!(
        output.stdout,
        "a.py:\n  \
         3:1 AL001 'await' outside function\n\
         \n\
         sub/b.py:\n   \
         2:5 AL002 'await' outside async function\n  \
         11:1 AL009 'yield' outside function\n\
         \n\
         Found 3 errors.\n"
    );
}

#[test]
fn pylint_format_is_path_row_code_and_message() {
    let output = Project::sample().format("pylint");
    assert_eq!(output.code, 1);
    // ruff writes no summary line.
    assert_eq!(
        output.stdout,
        "a.py:3: [AL001] 'await' outside function\n\
         sub/b.py:2: [AL002] 'await' outside async function\n\
         sub/b.py:11: [AL009] 'yield' outside function\n"
    );
}

#[test]
fn json_lines_has_the_json_objects_one_per_line() {
    let project = Project::sample();
    let output = project.format("json-lines");
    assert_eq!(output.code, 1);
    let root = project.canonical_root().display().to_string();
    let expected = [
        format!(
            r#"{{"cell":null,"code":"AL001","end_location":{{"column":23,"row":3}},"filename":"{root}/a.py","fix":null,"location":{{"column":1,"row":3}},"message":"'await' outside function","name":"await-outside-function","noqa_row":3,"severity":"error","url":null}}"#
        ),
        format!(
            r#"{{"cell":null,"code":"AL002","end_location":{{"column":12,"row":2}},"filename":"{root}/sub/b.py","fix":null,"location":{{"column":5,"row":2}},"message":"'await' outside async function","name":"await-outside-async","noqa_row":2,"severity":"error","url":null}}"#
        ),
        format!(
            r#"{{"cell":null,"code":"AL009","end_location":{{"column":8,"row":11}},"filename":"{root}/sub/b.py","fix":null,"location":{{"column":1,"row":11}},"message":"'yield' outside function","name":"yield-outside-function","noqa_row":11,"severity":"error","url":null}}"#
        ),
    ];
    assert_eq!(output.stdout, format!("{}\n", expected.join("\n")));
    // The same objects as `json`'s array.
    let array = project.json(&["--output-format", "json"]);
    let lines: Vec<Value> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect();
    assert_eq!(array, Value::Array(lines));
}

#[test]
fn github_format_is_workflow_commands_shaped_as_ruffs() {
    let project = Project::sample();
    // A warning: ruff has only errors, asynclint's runtime rules are warnings.
    project.write(
        "w.py",
        "async def g():\n    pass\n\n\nasync def h():\n    g()\n",
    );
    let output = project.format("github");
    assert_eq!(output.code, 1);
    let root = project.canonical_root().display().to_string();
    assert_eq!(
        output.stdout,
        format!(
            "::error title=asynclint (AL001),file={root}/a.py,line=3,col=1,endLine=3,endColumn=23::a.py:3:1: AL001 'await' outside function\n\
             ::error title=asynclint (AL002),file={root}/sub/b.py,line=2,col=5,endLine=2,endColumn=12::sub/b.py:2:5: AL002 'await' outside async function\n\
             ::error title=asynclint (AL009),file={root}/sub/b.py,line=11,col=1,endLine=11,endColumn=8::sub/b.py:11:1: AL009 'yield' outside function\n\
             ::warning title=asynclint (AL101),file={root}/w.py,line=6,col=5,endLine=6,endColumn=8::w.py:6:5: AL101 `g()` creates a coroutine that is never awaited, so its body never runs\n"
        )
    );
}

#[test]
fn gitlab_format_is_a_code_quality_report_with_ruffs_fields() {
    let project = Project::sample();
    let output = project.format("gitlab");
    assert_eq!(output.code, 1);
    let issues: Value = serde_json::from_str(&output.stdout).expect("JSON");
    let issues = issues.as_array().expect("an array");
    assert_eq!(issues.len(), 3);
    let first = &issues[0];
    let keys: Vec<&str> = first
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "check_name",
            "description",
            "fingerprint",
            "location",
            "severity"
        ]
    );
    assert_eq!(first["check_name"], "AL001");
    assert_eq!(first["description"], "AL001: 'await' outside function");
    assert_eq!(first["severity"], "major");
    assert_eq!(first["location"]["path"], "a.py");
    assert_eq!(
        first["location"]["positions"],
        serde_json::json!({"begin": {"line": 3, "column": 1}, "end": {"line": 3, "column": 23}})
    );
    assert_eq!(issues[2]["location"]["path"], "sub/b.py");
    // ruff's field order, and ruff's 16 hexadecimal digits of fingerprint.
    let fingerprint = first["fingerprint"].as_str().expect("fingerprint");
    assert!(
        fingerprint.len() == 16 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
        "{fingerprint}"
    );
    assert!(
        output.stdout.starts_with(&format!(
            "[\n  {{\n    \"check_name\": \"AL001\",\n    \"description\": \"AL001: 'await' outside function\",\n    \"severity\": \"major\",\n    \"fingerprint\": \"{fingerprint}\",\n    \"location\": {{\n      \"path\": \"a.py\",\n      \"positions\": {{\n        \"begin\": {{\n          \"line\": 3,\n          \"column\": 1\n        }},"
        )),
        "{}",
        output.stdout
    );

    // Paths are relative to the project directory GitLab CI names.
    let sub = project.canonical_root().join("sub");
    let run = project.run_in(
        &sub,
        &["--output-format", "gitlab", "."],
        &[(
            "CI_PROJECT_DIR",
            &project.canonical_root().display().to_string(),
        )],
    );
    let issues: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(issues[0]["location"]["path"], "sub/b.py");
}

#[test]
fn gitlab_fingerprints_are_unique_and_survive_edits_elsewhere() {
    let project = Project::new();
    let body = "def f():\n    await x\n    await x\n";
    project.write("a.py", body);
    let before = project.json(&["--output-format", "gitlab"]);
    let fingerprints = |issues: &Value| -> Vec<String> {
        issues
            .as_array()
            .expect("array")
            .iter()
            .map(|issue| {
                issue["fingerprint"]
                    .as_str()
                    .expect("fingerprint")
                    .to_string()
            })
            .collect()
    };
    let first = fingerprints(&before);
    // Two identical lines: two different fingerprints, as GitLab requires.
    assert_eq!(first.len(), 2);
    assert_ne!(first[0], first[1]);
    // Lines added above move the diagnostics, not their fingerprints.
    project.write("a.py", format!("import os\n\n\n{body}"));
    let after = project.json(&["--output-format", "gitlab"]);
    assert_eq!(after[0]["location"]["positions"]["begin"]["line"], 5);
    assert_eq!(fingerprints(&after), first);
    // A change to the flagged line changes it.
    project.write("a.py", "def f():\n    await y\n    await x\n");
    let changed = fingerprints(&project.json(&["--output-format", "gitlab"]));
    assert_ne!(changed[0], first[0]);
}

#[test]
fn junit_format_is_ruffs_xml() {
    let project = Project::sample();
    let output = project.format("junit");
    assert_eq!(output.code, 1);
    let root = project.canonical_root().display().to_string();
    let case = |code: &str, class: &str, row: u32, column: u32, message: &str| {
        format!(
            "        <testcase name=\"org.asynclint.{code}\" classname=\"{root}/{class}\" line=\"{row}\" column=\"{column}\">\n\
             \x20           <properties>\n\
             \x20               <property name=\"severity\" value=\"error\"/>\n\
             \x20           </properties>\n\
             \x20           <failure message=\"{message}\">line {row}, col {column}, {message}</failure>\n\
             \x20       </testcase>\n"
        )
    };
    let expected = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"asynclint\" tests=\"3\" skipped=\"0\" failures=\"3\" errors=\"0\">\n\
         \x20   <testsuite name=\"{root}/a.py\" tests=\"1\" skipped=\"0\" errors=\"0\" failures=\"1\" package=\"org.asynclint\">\n\
         {}\
         \x20   </testsuite>\n\
         \x20   <testsuite name=\"{root}/sub/b.py\" tests=\"2\" skipped=\"0\" errors=\"0\" failures=\"2\" package=\"org.asynclint\">\n\
         {}{}\
         \x20   </testsuite>\n\
         </testsuites>\n",
        case("AL001", "a", 3, 1, "&apos;await&apos; outside function"),
        case(
            "AL002",
            "sub/b",
            2,
            5,
            "&apos;await&apos; outside async function"
        ),
        case(
            "AL009",
            "sub/b",
            11,
            1,
            "&apos;yield&apos; outside function"
        ),
    );
    assert_eq!(output.stdout, expected);
}

#[test]
fn sarif_format_describes_results_and_rules() {
    let project = Project::sample();
    fs::create_dir(project.canonical_root().join(".git")).expect("mark the git root");
    let log = project.json(&["--output-format", "sarif", "--select", "AL001,AL002,AL009"]);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", project.canonical_root().display())
    );
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "asynclint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["AL001", "AL002", "AL009"]);
    let al001 = &rules[0];
    assert_eq!(al001["name"], "await-outside-function");
    assert_eq!(
        al001["shortDescription"]["text"],
        "`await` in a module or class body"
    );
    assert!(
        al001["fullDescription"]["text"]
            .as_str()
            .expect("full description")
            .starts_with("Finds `await` expressions that CPython evaluates in a module body")
    );
    assert!(
        al001["help"]["markdown"]
            .as_str()
            .expect("help")
            .starts_with("# await-outside-function (AL001)")
    );
    assert_eq!(al001["defaultConfiguration"]["level"], "error");

    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    let result = &results[2];
    assert_eq!(result["ruleId"], "AL009");
    assert_eq!(result["level"], "error");
    assert_eq!(result["message"]["text"], "'yield' outside function");
    assert_eq!(
        result["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": {"uri": "sub/b.py", "uriBaseId": "%SRCROOT%"},
            // `yield 1` is columns 1 to 7; the end column is the one after it.
            "region": {"startLine": 11, "startColumn": 1, "endLine": 11, "endColumn": 8}
        })
    );
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let fingerprint = result["partialFingerprints"]["asynclintLineHash/v1"]
            .as_str()
            .expect("fingerprint");
        assert!(fingerprint.ends_with(":1"), "{fingerprint}");
    }

    // Without `--select`, every rule that ran is described, found something or not.
    let log = project.json(&["--output-format", "sarif"]);
    let described = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .len();
    assert!(described > 10, "{described} rules described");
}

#[test]
fn sarif_uris_are_relative_to_the_git_root_and_fingerprints_ignore_line_numbers() {
    let project = Project::new();
    fs::create_dir(project.canonical_root().join(".git")).expect("mark the git root");
    project.write("pkg/a b#%.py", "def f():\n    await x\n");
    let sarif = |cwd: &Path, args: &[&str]| -> Value {
        let mut all = vec!["--output-format", "sarif"];
        all.extend(args);
        let output = project.run_in(cwd, &all, &[]);
        serde_json::from_str(&output.stdout).expect("SARIF")
    };
    let location = |log: &Value| log["runs"][0]["results"][0]["locations"][0].clone();
    let fingerprint = |log: &Value| log["runs"][0]["results"][0]["partialFingerprints"].clone();
    // From a subdirectory, the URI is still relative to the git root, and percent-encoded.
    let pkg = project.canonical_root().join("pkg");
    let from_pkg = sarif(&pkg, &["a b#%.py"]);
    assert_eq!(
        location(&from_pkg)["physicalLocation"]["artifactLocation"],
        serde_json::json!({"uri": "pkg/a%20b%23%25.py", "uriBaseId": "%SRCROOT%"})
    );
    let from_root = sarif(&project.canonical_root(), &[]);
    assert_eq!(location(&from_root), location(&from_pkg));
    assert_eq!(fingerprint(&from_root), fingerprint(&from_pkg));

    // Lines added above: a new region, the same fingerprint.
    project.write("pkg/a b#%.py", "import os\n\n\ndef f():\n    await x\n");
    let moved = sarif(&project.canonical_root(), &[]);
    assert_eq!(
        location(&moved)["physicalLocation"]["region"]["startLine"],
        5
    );
    assert_eq!(fingerprint(&moved), fingerprint(&from_root));
    // The flagged line changed: a new fingerprint.
    project.write("pkg/a b#%.py", "def f():\n    await y\n");
    assert_ne!(
        fingerprint(&sarif(&project.canonical_root(), &[])),
        fingerprint(&from_root)
    );

    // A file outside the root gets an absolute URI.
    let outside = Project::new();
    let file = outside.write("o.py", "await x\n");
    let log = sarif(
        &project.canonical_root(),
        &[file.to_str().expect("UTF-8 path")],
    );
    let uri = &location(&log)["physicalLocation"]["artifactLocation"];
    assert_eq!(
        uri["uri"],
        format!("file://{}/o.py", outside.canonical_root().display())
    );
    assert!(uri.get("uriBaseId").is_none());
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    // The copy committed with the tests; the workplace's shared copy, when there is one,
    // must be the same document.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed = manifest.join("tests/data/sarif-schema-2.1.0.json");
    let schema_text = fs::read_to_string(&committed).expect("committed SARIF schema");
    let shared = manifest.join("../shared/schemas/sarif-schema-2.1.0.json");
    if let Ok(shared_text) = fs::read_to_string(&shared) {
        assert_eq!(shared_text, schema_text, "{} changed", shared.display());
    }
    let schema: Value = serde_json::from_str(&schema_text).expect("schema JSON");
    // The schema declares draft 4 but uses draft 6's `uri-reference` format (for every
    // artifact URI), which a draft-4 validator ignores. Its other keywords mean the same in
    // draft 7, which checks that format too.
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");

    let project = Project::sample();
    fs::create_dir(project.canonical_root().join(".git")).expect("mark the git root");
    // Everything that changes the shape: a warning, a file-level diagnostic (no region),
    // a name that needs percent-encoding, control and bidi characters, a clean run.
    project.write(
        "w.py",
        "async def g():\n    pass\n\nasync def h():\n    g()\n",
    );
    project.write("odd \u{e9}\u{202e}\x1b.py", "await x\n");
    project.write("eof.py", "x = (\n");
    let runs = [
        project.run(&["--output-format", "sarif", ".", "missing.py"]),
        project.run(&["--output-format", "sarif", "--select", "AL001", "a.py"]),
    ];
    for output in &runs {
        let log: Value = serde_json::from_str(&output.stdout).expect("SARIF is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{}", output.stdout);
    }
    let log: Value = serde_json::from_str(&runs[0].stdout).expect("JSON");
    // The validator does reject what the schema forbids, formats included.
    let mut broken = log.clone();
    broken["runs"][0]["columnKind"] = "bytes".into();
    assert!(!validator.is_valid(&broken));
    let mut broken = log.clone();
    broken["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///a b/".into();
    assert!(!validator.is_valid(&broken));
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&broken));
    let results = log["runs"][0]["results"].as_array().expect("results");
    let missing = results
        .iter()
        .find(|r| r["ruleId"] == "AL900")
        .expect("an AL900 for the missing path");
    assert!(missing["locations"][0]["physicalLocation"]["region"].is_null());
    assert!(results.iter().any(|r| r["level"] == "warning"));

    let clean = Project::new();
    clean.write("ok.py", "x = 1\n");
    let output = clean.run(&["--output-format", "sarif"]);
    assert_eq!(output.code, 0);
    let log: Value = serde_json::from_str(&output.stdout).expect("JSON");
    assert!(validator.is_valid(&log), "{}", output.stdout);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

// ---------------------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------------------

#[test]
fn github_commands_cannot_be_injected_through_file_names() {
    let project = Project::new();
    // `::` and `,` end a property, `%` starts an escape, and a line break a command.
    let name = "x::y%z,w\r\n::error file=evil.py::injected\n.py";
    project.write(name, "await x\n");
    let output = project.format("github");
    assert_eq!(output.code, 1);
    let root = project.canonical_root().display().to_string();
    let root_property = root.replace(':', "%3A").replace(',', "%2C");
    assert_eq!(
        output.stdout,
        format!(
            "::error title=asynclint (AL001),file={root_property}/x%3A%3Ay%25z%2Cw%0D%0A%3A%3Aerror file=evil.py%3A%3Ainjected%0A.py,line=1,col=1,endLine=1,endColumn=8::\
             x::y%25z,w%0D%0A::error file=evil.py::injected%0A.py:1:1: AL001 'await' outside function\n"
        )
    );
    assert_eq!(output.stdout.lines().count(), 1);
}

#[test]
fn junit_escapes_markup_and_characters_xml_forbids() {
    let project = Project::new();
    project.write("q<&'\">\x1b\u{202e}.py", "await x\n");
    let output = project.format("junit");
    assert_no_raw_controls(&output.stdout);
    assert!(
        output
            .stdout
            .contains("/q&lt;&amp;&apos;&quot;&gt;\\u{1b}&#x202E;.py\" tests=\"1\""),
        "{}",
        output.stdout
    );
    // Every `<` and `&` left is markup or an entity.
    for (at, _) in output.stdout.match_indices('&') {
        let entity = &output.stdout[at..];
        assert!(
            ["&lt;", "&gt;", "&amp;", "&apos;", "&quot;", "&#"]
                .iter()
                .any(|e| entity.starts_with(e)),
            "{}",
            &entity[..entity.len().min(12)]
        );
    }
}

#[test]
fn terminal_formats_escape_control_and_bidi_characters() {
    let project = Project::new();
    project.write(
        "e\x1b[31mvil\u{202e}\n.py",
        "x = '\x1b[2J\u{2066}'; await z\n",
    );
    for format in ["full", "concise", "grouped", "pylint"] {
        let output = project.format(format);
        assert_eq!(output.code, 1, "{format}");
        assert_no_raw_controls(&output.stdout);
        assert!(
            output.stdout.contains("e\\u{1b}[31mvil\\u{202e}\\u{a}.py"),
            "{format}:\n{}",
            output.stdout
        );
    }
    let output = project.run(&["--statistics"]);
    assert_no_raw_controls(&output.stdout);
}

#[test]
fn json_formats_escape_bidi_and_terminal_controls_as_unicode_escapes() {
    let project = Project::new();
    let name = "b\u{202e}i\u{2066}d\u{200f}i\u{7f}\u{85}\x1b.py";
    project.write(name, "await x\n");
    for format in ["json", "json-lines", "sarif", "gitlab"] {
        let output = project.format(format);
        assert_no_raw_controls(&output.stdout);
        // SARIF has the name in a URI, percent-encoded.
        let expected = match format {
            "sarif" => "b%E2%80%AEi%E2%81%A6d%E2%80%8Fi%7F%C2%85%1B.py",
            _ => r"b\u202ei\u2066d\u200fi\u007f\u0085\u001b.py",
        };
        assert!(
            output.stdout.contains(expected),
            "{format}:\n{}",
            output.stdout
        );
    }
    // Parsers read the real name back.
    let items = project.json(&["--output-format", "json"]);
    let filename = items[0]["filename"].as_str().expect("filename");
    assert!(filename.ends_with(&format!("/{name}")), "{filename:?}");
}

// ---------------------------------------------------------------------------------------
// Clean runs, --statistics, --output-file
// ---------------------------------------------------------------------------------------

#[test]
fn a_clean_run_in_every_format() {
    let project = Project::new();
    project.write("ok.py", "x = 1\n");
    let expected = [
        ("full", "All checks passed!\n"),
        ("concise", "All checks passed!\n"),
        ("grouped", "All checks passed!\n"),
        ("json", "[]\n"),
        ("json-lines", ""),
        ("github", ""),
        ("gitlab", "[]\n"),
        ("pylint", ""),
        (
            "junit",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"asynclint\" tests=\"1\" skipped=\"0\" failures=\"0\" errors=\"0\">\n\
             \x20   <testsuite name=\"asynclint\" tests=\"1\" skipped=\"0\" errors=\"0\" failures=\"0\" package=\"org.asynclint\">\n\
             \x20       <testcase name=\"No errors found\" classname=\"asynclint\"/>\n\
             \x20   </testsuite>\n\
             </testsuites>\n",
        ),
    ];
    for (format, stdout) in expected {
        let output = project.format(format);
        assert_eq!(
            (output.code, output.stdout.as_str()),
            (0, stdout),
            "{format}"
        );
    }
}

#[test]
fn statistics_count_diagnostics_per_rule() {
    let project = Project::sample();
    project.write("c.py", "await a\nawait b\n");
    let output = project.run(&["--statistics"]);
    assert_eq!(output.code, 1);
    // ruff's columns (count, code, name), tab-separated and padded; then the summary.
    assert_eq!(
        output.stdout,
        "3\tAL001\tawait-outside-function\t`await` in a module or class body\n\
         1\tAL002\tawait-outside-async   \t`await` in a `def` or `lambda` that is not `async def`\n\
         1\tAL009\tyield-outside-function\t`yield` in a module or class body\n\
         Found 5 errors.\n"
    );
    // The same table whatever the format, but for the JSON ones.
    assert_eq!(
        project
            .run(&["--statistics", "--output-format", "concise"])
            .stdout,
        output.stdout
    );
    let json = project.json(&["--statistics", "--output-format", "json"]);
    assert_eq!(
        json[0],
        serde_json::json!({"code": "AL001", "name": "await-outside-function", "count": 3, "fixable": false, "fixable_count": 0})
    );
    assert_eq!(json.as_array().map(Vec::len), Some(3));
    let lines = project.run(&["--statistics", "--output-format", "json-lines"]);
    assert_eq!(
        lines.stdout.lines().next(),
        Some(
            r#"{"code":"AL001","name":"await-outside-function","count":3,"fixable":false,"fixable_count":0}"#
        )
    );

    let clean = Project::new();
    clean.write("ok.py", "x = 1\n");
    assert_eq!(clean.run(&["--statistics"]).stdout, "All checks passed!\n");
    assert_eq!(
        clean
            .run(&["--statistics", "--output-format", "json"])
            .stdout,
        "[]\n"
    );
}

#[test]
fn output_file_receives_the_report_instead_of_stdout() {
    let project = Project::sample();
    let expected = project.format("concise").stdout;
    // Created with its directories.
    let output = project.run(&["--output-format", "concise", "-o", "reports/out.txt"]);
    assert_eq!((output.code, output.stdout.as_str()), (1, ""));
    assert!(output.stderr.is_empty(), "{}", output.stderr);
    let written = project.canonical_root().join("reports/out.txt");
    assert_eq!(fs::read_to_string(&written).expect("report"), expected);
    // Truncated when it exists; no colour in a file even when forced.
    fs::write(&written, "x".repeat(10_000)).expect("fill");
    let output = project.run_in(
        &project.canonical_root(),
        &["--output-file", "reports/out.txt", "a.py"],
        &[("FORCE_COLOR", "1")],
    );
    assert_eq!(output.code, 1);
    let report = fs::read_to_string(&written).expect("report");
    assert!(report.starts_with("error[AL001]"), "{report}");
    assert!(
        !report.contains('\x1b') && !report.contains("xxx"),
        "{report}"
    );

    // A path that cannot be written: exit 2, naming it.
    for bad in ["a.py/out.txt", "sub"] {
        let output = project.run(&["-o", bad]);
        assert_eq!(output.code, 2, "{bad}: {}", output.stderr);
        assert!(
            output.stderr.starts_with(&format!(
                "asynclint: error: cannot write the output to `{bad}`: "
            )),
            "{}",
            output.stderr
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn every_format_can_come_from_the_environment() {
    let project = Project::sample();
    let output = project.run_in(
        &project.canonical_root(),
        &["sub"],
        &[("ASYNCLINT_OUTPUT_FORMAT", "pylint")],
    );
    assert_eq!(
        output.stdout,
        "sub/b.py:2: [AL002] 'await' outside async function\n\
         sub/b.py:11: [AL009] 'yield' outside function\n"
    );
}
