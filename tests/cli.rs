//! End-to-end tests of the `asynclint` binary: exit statuses, output formats, file
//! discovery, configuration, and input that must neither crash nor stop a run.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Asynclint, BIN, Project, Run};
use serde_json::Value;

/// No test run may take longer than this: a hang is a failure, not a stuck test suite.
const TIMEOUT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

impl Project {
    fn new() -> Self {
        Self::with_prefix("asynclint-cli-")
    }

    fn asynclint(&self) -> Asynclint {
        Asynclint::new(self.root())
    }

    /// Runs with `--output-format concise` and returns the diagnostic lines (the summary
    /// line is checked against their number).
    fn concise(&self, args: &[&str]) -> (i32, Vec<String>) {
        self.asynclint()
            .args(args)
            .args(&["--output-format", "concise"])
            .run()
            .concise()
    }

    /// Runs with `--output-format json` and returns the parsed array.
    fn json(&self, args: &[&str]) -> (i32, Vec<Value>) {
        let run = self
            .asynclint()
            .args(args)
            .args(&["--output-format", "json"])
            .run();
        let parsed: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout));
        let Value::Array(items) = parsed else {
            panic!("JSON output is not an array:\n{}", run.stdout);
        };
        (run.code(), items)
    }
}

impl Asynclint {
    /// One invocation of the binary, isolated from the environment of the test run, killed
    /// (and failing) after [`TIMEOUT`].
    fn new(cwd: &Path) -> Self {
        Self::isolated(cwd, TIMEOUT)
    }
}

impl Run {
    /// Splits concise output into diagnostic lines, checking the summary line.
    fn concise(&self) -> (i32, Vec<String>) {
        let code = self.code();
        let mut lines: Vec<String> = self.stdout.lines().map(str::to_string).collect();
        let summary = lines
            .pop()
            .unwrap_or_else(|| panic!("no output; stderr:\n{}", self.stderr));
        assert_eq!(
            summary,
            summary_line(lines.len()),
            "stdout:\n{}",
            self.stdout
        );
        (code, lines)
    }

    fn assert_no_escape_byte(&self) {
        assert!(
            !self.stdout_bytes.contains(&0x1b),
            "raw ESC byte in output:\n{}",
            self.stdout.escape_debug()
        );
    }
}

fn summary_line(count: usize) -> String {
    match count {
        0 => "All checks passed!".to_string(),
        1 => "Found 1 error.".to_string(),
        n => format!("Found {n} errors."),
    }
}

/// `path:row:col: CODE` of each concise line, without the message.
fn positions(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let code_end = line
                .match_indices(": AL")
                .next()
                .map(|(at, _)| at + ": AL000".len())
                .unwrap_or_else(|| panic!("not a concise diagnostic: {line}"));
            line[..code_end].to_string()
        })
        .collect()
}

/// `(code, row, column)` of JSON diagnostics.
fn json_positions(items: &[Value]) -> Vec<(String, u64, u64)> {
    items
        .iter()
        .map(|item| {
            (
                item["code"].as_str().expect("code").to_string(),
                item["location"]["row"].as_u64().expect("row"),
                item["location"]["column"].as_u64().expect("column"),
            )
        })
        .collect()
}

/// Whether permissions are enforced for this process (they are not for root).
fn permissions_enforced(project: &Project) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = project.mkdir("permission-probe");
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).expect("chmod probe");
    let enforced = fs::read_dir(&probe).is_err();
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o755)).expect("chmod probe back");
    fs::remove_dir(&probe).expect("remove probe");
    enforced
}

const AWAIT_AT_MODULE_LEVEL: &str = "x = 1\nawait y\n";

// ---------------------------------------------------------------------------------------
// Exit statuses and the command line
// ---------------------------------------------------------------------------------------

#[test]
fn exit_status_is_0_when_clean_1_with_diagnostics_and_0_with_exit_zero() {
    let project = Project::new();
    project.write("clean.py", "async def f():\n    await g()\n");
    project.write("bad.py", AWAIT_AT_MODULE_LEVEL);

    let (code, lines) = project.concise(&["clean.py"]);
    assert_eq!((code, lines), (0, vec![]));

    let (code, lines) = project.concise(&["bad.py", "clean.py"]);
    assert_eq!(code, 1);
    assert_eq!(lines, ["bad.py:2:1: AL001 'await' outside function"]);

    let (code, lines) = project.concise(&["--exit-zero", "bad.py"]);
    assert_eq!(code, 0, "--exit-zero still prints the diagnostics");
    assert_eq!(lines, ["bad.py:2:1: AL001 'await' outside function"]);
}

#[test]
fn missing_path_is_an_io_error_and_the_other_paths_are_still_linted() {
    let project = Project::new();
    project.write("bad.py", AWAIT_AT_MODULE_LEVEL);
    project.write("pkg/inner.py", "await z\n");

    let (code, lines) = project.concise(&["missing.py", "bad.py", "pkg"]);
    assert_eq!(code, 2);
    assert_eq!(
        lines,
        [
            "bad.py:2:1: AL001 'await' outside function",
            "missing.py:1:1: AL900 No such file or directory",
            "pkg/inner.py:1:1: AL001 'await' outside function",
        ]
    );

    // `--exit-zero` does not hide that a path could not be read.
    let (code, lines) = project.concise(&["--exit-zero", "missing.py", "bad.py"]);
    assert_eq!(code, 2);
    assert_eq!(lines.len(), 2);

    let (code, items) = project.json(&["missing-dir/", "bad.py"]);
    assert_eq!(code, 2);
    let missing = &items[1];
    assert_eq!(missing["code"], "AL900");
    assert_eq!(missing["name"], "io-error");
    assert_eq!(
        missing["filename"],
        project
            .canonical_root()
            .join("missing-dir")
            .display()
            .to_string()
    );
}

#[test]
fn version_flag_prints_name_and_version() {
    let project = Project::new();
    let run = project.asynclint().args(&["--version"]).run();
    assert_eq!(run.code(), 0);
    assert_eq!(
        run.stdout,
        format!("asynclint {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2_with_a_clear_message() {
    let project = Project::new();
    project.write("bad.py", AWAIT_AT_MODULE_LEVEL);

    let run = project.asynclint().args(&["--bogus", "bad.py"]).run();
    assert_eq!(run.code(), 2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("unexpected argument '--bogus'"),
        "{}",
        run.stderr
    );

    let run = project
        .asynclint()
        .args(&["--target-version", "py36", "bad.py"])
        .run();
    assert_eq!(run.code(), 2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("unknown target version `py36`")
            && run.stderr.contains("py37")
            && run.stderr.contains("py314"),
        "{}",
        run.stderr
    );

    let run = project
        .asynclint()
        .args(&["--output-format", "xml", "bad.py"])
        .run();
    assert_eq!(run.code(), 2);
    assert!(run.stderr.contains("invalid value 'xml'"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------
// Standard input
// ---------------------------------------------------------------------------------------

#[test]
fn stdin_is_reported_under_the_stdin_filename() {
    let project = Project::new();
    let run = project
        .asynclint()
        .args(&["-", "--stdin-filename", "pkg/mod.py", "--output-format"])
        .args(&["concise"])
        .stdin(AWAIT_AT_MODULE_LEVEL)
        .run();
    let (code, lines) = run.concise();
    assert_eq!(code, 1);
    assert_eq!(lines, ["pkg/mod.py:2:1: AL001 'await' outside function"]);

    // JSON names it as an absolute path, like every other file.
    let run = project
        .asynclint()
        .args(&["-", "--stdin-filename", "pkg/mod.py"])
        .args(&["--output-format", "json"])
        .stdin(AWAIT_AT_MODULE_LEVEL)
        .run();
    let items: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(
        items[0]["filename"],
        project
            .canonical_root()
            .join("pkg/mod.py")
            .display()
            .to_string()
    );

    // `--stdin-filename` alone reads standard input too.
    let run = project
        .asynclint()
        .args(&["--stdin-filename", "other.py", "--output-format", "concise"])
        .stdin(AWAIT_AT_MODULE_LEVEL)
        .run();
    let (code, lines) = run.concise();
    assert_eq!(code, 1);
    assert_eq!(positions(&lines), ["other.py:2:1: AL001"]);
}

#[test]
fn stdin_filename_selects_the_project_settings() {
    let project = Project::new();
    project.write(
        "legacy/pyproject.toml",
        "[project]\nrequires-python = \">=3.7\"\n",
    );
    let dead_code = "if 0:\n    await x\n";
    let lint = |name: &str| {
        project
            .asynclint()
            .args(&["-", "--stdin-filename", name, "--output-format", "concise"])
            .stdin(dead_code)
            .run()
            .concise()
    };
    // Python 3.7 compiles away `if 0:` before checking the `await` in it.
    assert_eq!(lint("legacy/mod.py"), (0, vec![]));
    let (code, lines) = lint("modern/mod.py");
    assert_eq!(code, 1);
    assert_eq!(positions(&lines), ["modern/mod.py:2:5: AL001"]);
}

#[test]
fn stdin_without_a_filename_is_named_dash() {
    let project = Project::new();
    let run = project
        .asynclint()
        .args(&["-", "--output-format", "concise"])
        .stdin("async def f():\n    pass\nawait f()\n")
        .run();
    let (code, lines) = run.concise();
    assert_eq!(code, 1);
    assert_eq!(lines, ["-:3:1: AL001 'await' outside function"]);

    let run = project.asynclint().args(&["-"]).stdin("x = 1\n").run();
    assert_eq!(run.code(), 0);
    assert_eq!(run.stdout, "All checks passed!\n");
}

#[test]
fn stdin_cannot_be_combined_with_paths() {
    let project = Project::new();
    project.write("a.py", AWAIT_AT_MODULE_LEVEL);

    let run = project
        .asynclint()
        .args(&["-", "a.py"])
        .stdin("x = 1\n")
        .run();
    assert_eq!(run.code(), 2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("`-` (standard input) cannot be combined with other paths"),
        "{}",
        run.stderr
    );

    let run = project
        .asynclint()
        .args(&["--stdin-filename", "x.py", "a.py"])
        .stdin("x = 1\n")
        .run();
    assert_eq!(run.code(), 2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("--stdin-filename x.py"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------
// Output formats
// ---------------------------------------------------------------------------------------

#[test]
fn concise_format_is_one_line_per_diagnostic_and_a_summary() {
    let project = Project::new();
    project.write("b.py", "def f():\n    await x\n");
    project.write("a.py", "await x\nawait y\n");
    let run = project
        .asynclint()
        .args(&["--output-format", "concise", "."])
        .run();
    assert_eq!(run.code(), 1);
    assert_eq!(
        run.stdout,
        "a.py:1:1: AL001 'await' outside function\n\
         a.py:2:1: AL001 'await' outside function\n\
         b.py:2:5: AL002 'await' outside async function\n\
         Found 3 errors.\n"
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    let run = project
        .asynclint()
        .args(&["--output-format", "concise", "b.py"])
        .run();
    assert_eq!(
        run.stdout,
        "b.py:2:5: AL002 'await' outside async function\nFound 1 error.\n"
    );
}

#[test]
fn output_format_can_come_from_the_environment() {
    let project = Project::new();
    project.write("a.py", "await x\n");
    let run = project
        .asynclint()
        .env("ASYNCLINT_OUTPUT_FORMAT", "concise")
        .args(&["a.py"])
        .run();
    assert_eq!(
        run.stdout,
        "a.py:1:1: AL001 'await' outside function\nFound 1 error.\n"
    );
}

#[test]
fn json_has_ruffs_fields_with_code_point_columns_and_exclusive_ends() {
    let project = Project::new();
    // Two-byte `é` and four-byte `𝔘` before the diagnostic: columns count code points.
    project.write("sub/mod.py", "x = 'h\u{e9}\u{1d518}'; await y\n");
    let (code, items) = project.json(&["sub/mod.py"]);
    assert_eq!(code, 1);
    assert_eq!(items.len(), 1);
    let item = &items[0];
    let object = item.as_object().expect("an object per diagnostic");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "cell",
            "code",
            "end_location",
            "filename",
            "fix",
            "location",
            "message",
            "name",
            "noqa_row",
            "severity",
            "url"
        ]
    );
    assert_eq!(item["code"], "AL001");
    assert_eq!(item["name"], "await-outside-function");
    assert_eq!(item["message"], "'await' outside function");
    assert_eq!(item["severity"], "error");
    assert!(item["fix"].is_null());
    assert!(item["cell"].is_null());
    assert!(item["url"].is_null() || item["url"].is_string());
    let filename = item["filename"].as_str().expect("filename is a string");
    assert!(Path::new(filename).is_absolute(), "{filename}");
    assert_eq!(
        filename,
        project
            .canonical_root()
            .join("sub/mod.py")
            .display()
            .to_string()
    );
    // x(1) ␠ = ␠ '(5) h é 𝔘(8) '(9) ;(10) ␠(11) await(12): `await y` spans 12..19.
    assert_eq!(item["location"]["row"].as_u64(), Some(1));
    assert_eq!(item["location"]["column"].as_u64(), Some(12));
    assert_eq!(item["end_location"]["row"].as_u64(), Some(1));
    assert_eq!(item["end_location"]["column"].as_u64(), Some(19));
    assert_eq!(item["noqa_row"].as_u64(), Some(1));

    // `..` is resolved in the absolute name.
    let run = Asynclint::new(&project.root().join("sub"))
        .args(&["../sub/./mod.py", "--output-format", "json"])
        .run();
    let items: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(items[0]["filename"].as_str(), Some(filename));

    // A clean run is an empty array.
    project.write("clean.py", "x = 1\n");
    let (code, items) = project.json(&["clean.py"]);
    assert_eq!((code, items), (0, vec![]));
}

#[test]
fn full_format_shows_a_rustc_style_snippet() {
    let project = Project::new();
    project.write("pkg/a.py", "import asyncio\n\nawait asyncio.sleep(1)\n");
    let run = project.asynclint().args(&["pkg"]).run();
    assert_eq!(run.code(), 1);
    assert_eq!(
        run.stdout,
        "error[AL001]: 'await' outside function\n \
         --> pkg/a.py:3:1\n  \
         |\n\
         3 | await asyncio.sleep(1)\n  \
         | ^^^^^^^^^^^^^^^^^^^^^^\n  \
         |\n\
         \n\
         Found 1 error.\n"
    );
    run.assert_no_escape_byte();
}

#[test]
fn full_format_header_positions_match_the_concise_ones() {
    let project = Project::new();
    project.write("tabs.py", "if x:\n\ty = '\u{65e5}\u{672c}'; await z\n");
    project.write("controls.py", "x = '\x0c\x1b[2J'; await z\n");
    // An error on the empty last line of a file.
    project.write("eof.py", "x = (\n");
    project.write("multiline.py", "def f():\n    x = (await\n  y)\n");
    project.write("crlf.py", "def f():\r\n    x = (await\r\n  y)\r\n");
    let concise = positions(&project.concise(&["."]).1);
    let run = project.asynclint().args(&["."]).run();
    let headers: Vec<String> = run
        .stdout
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("--> "))
        .map(str::to_string)
        .collect();
    let concise_positions: Vec<String> = concise
        .iter()
        .map(|line| line.rsplit_once(": ").expect("code").0.to_string())
        .collect();
    assert_eq!(headers, concise_positions, "{}", run.stdout);
    assert_eq!(
        concise_positions,
        [
            "controls.py:1:14",
            "crlf.py:2:10",
            "eof.py:2:1",
            "multiline.py:2:10",
            "tabs.py:2:12",
        ]
    );
    // Multi-line snippets keep their lines apart whatever the line endings.
    for expected in ["2 |       x = (await\n", "3 | |   y)\n"] {
        assert_eq!(run.stdout.matches(expected).count(), 2, "{}", run.stdout);
    }
    // The tab is expanded in the snippet, and the carets line up under `await`.
    assert!(
        run.stdout
            .contains("2 |     y = '\u{65e5}\u{672c}'; await z\n  |                 ^^^^^^^\n"),
        "{}",
        run.stdout
    );
    run.assert_no_escape_byte();
}

#[test]
fn no_colour_unless_forced_and_no_color_wins() {
    let project = Project::new();
    project.write("a.py", "await x\n");

    // stdout is a file here, not a terminal.
    let plain = project.asynclint().args(&["a.py"]).run();
    assert_eq!(plain.code(), 1);
    plain.assert_no_escape_byte();

    let forced = project
        .asynclint()
        .env("FORCE_COLOR", "1")
        .args(&["a.py"])
        .run();
    assert!(forced.stdout.contains("\x1b["), "{}", forced.stdout);

    for no_color in ["1", "true"] {
        let run = project
            .asynclint()
            .env("FORCE_COLOR", "1")
            .env("NO_COLOR", no_color)
            .args(&["a.py"])
            .run();
        run.assert_no_escape_byte();
        assert_eq!(run.stdout, plain.stdout);
    }
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    let project = Project::new();
    // Far more output than a pipe buffers.
    project.write("many.py", "await x\n".repeat(5_000));
    let mut child = Command::new(BIN)
        .current_dir(project.root())
        .env_remove("ASYNCLINT_OUTPUT_FORMAT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("first line");
    assert_eq!(first, "error[AL001]: 'await' outside function\n");
    // The reader is dropped here: `asynclint . | head -1`.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(started.elapsed() < TIMEOUT, "asynclint hung");
        std::thread::sleep(Duration::from_millis(2));
    };
    assert!(stderr.is_empty(), "stderr: {stderr}");
    assert_eq!(status.code(), Some(1), "exits normally, with its status");
}

// ---------------------------------------------------------------------------------------
// Finding files
// ---------------------------------------------------------------------------------------

/// A tree with files that walking must skip, each of which has a diagnostic.
fn project_with_skipped_files() -> Project {
    let project = Project::new();
    for path in [
        "src/app.py",
        "src/stubs.pyi",
        "generated.py",
        "src/gen/out.py",
        "scratch/notes.py",
        "venv/lib.py",
        ".venv/lib.py",
        "node_modules/pkg/x.py",
        "build/lib/x.py",
        "dist/x.py",
        "src/__pycache__/x.py",
        ".git/hooks/x.py",
        "lib/site-packages/x.py",
        "README.txt",
        "script",
        "src/notes.md",
    ] {
        project.write(path, "await x\n");
    }
    // Not a git repository: `.gitignore` is honoured anyway, and so is `.ignore`.
    project.write(".gitignore", "generated.py\nsrc/gen/\n");
    project.write(".ignore", "scratch/\n");
    project
}

#[test]
fn walking_skips_ignored_excluded_and_non_python_files() {
    let project = project_with_skipped_files();
    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        positions(&lines),
        ["src/app.py:1:1: AL001", "src/stubs.pyi:1:1: AL001"]
    );
    // The same from `.` and from the directory named by an absolute path.
    let root = project.canonical_root();
    assert_eq!(positions(&project.concise(&["."]).1), positions(&lines));
    assert_eq!(
        positions(&project.concise(&[root.to_str().expect("UTF-8 path")]).1),
        positions(&lines)
    );
}

#[test]
fn paths_named_explicitly_are_always_linted() {
    let project = project_with_skipped_files();
    let (code, lines) = project.concise(&[
        "generated.py",
        "venv",
        "node_modules/pkg/x.py",
        "build",
        "src/__pycache__/x.py",
        ".git/hooks/x.py",
        "README.txt",
        "script",
        "scratch",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        positions(&lines),
        [
            ".git/hooks/x.py:1:1: AL001",
            "README.txt:1:1: AL001",
            "build/lib/x.py:1:1: AL001",
            "generated.py:1:1: AL001",
            "node_modules/pkg/x.py:1:1: AL001",
            "scratch/notes.py:1:1: AL001",
            "script:1:1: AL001",
            "src/__pycache__/x.py:1:1: AL001",
            "venv/lib.py:1:1: AL001",
        ],
        "ignored and excluded paths are linted when named, and named directories walked"
    );
}

#[test]
fn a_file_reached_twice_is_reported_once() {
    let project = Project::new();
    project.write("src/m.py", "await x\n");
    project.write("other.py", "await x\n");
    let absolute = project.canonical_root().join("src/m.py");
    let (code, lines) = project.concise(&[
        "src",
        "src/m.py",
        "./src/m.py",
        "src/./m.py",
        absolute.to_str().expect("UTF-8 path"),
        ".",
        "missing.py",
        "./missing.py",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        positions(&lines),
        [
            "missing.py:1:1: AL900",
            "other.py:1:1: AL001",
            "src/m.py:1:1: AL001",
        ]
    );
}

#[test]
fn output_is_sorted_and_identical_for_any_thread_count() {
    let project = Project::new();
    for package in ["b", "a", "a/z", "a-b", "c"] {
        for module in 0..12 {
            project.write(
                format!("{package}/m{module}.py"),
                format!("x = {module}\nawait y\nasync for z in w:\n    pass\n"),
            );
        }
    }
    project.write("a/broken.py", "def f(:\n");
    for format in ["concise", "full", "json"] {
        let run = |threads: &str| {
            let run = project
                .asynclint()
                .args(&["-j", threads, "--output-format", format])
                .run();
            assert_eq!(run.code(), 1);
            run.stdout
        };
        let one = run("1");
        assert_eq!(one, run("8"), "{format}: -j 1 and -j 8 differ");
        assert_eq!(one, run("3"), "{format}: -j 1 and -j 3 differ");
    }
    let (_, lines) = project.concise(&["-j", "8"]);
    assert_eq!(lines.len(), 5 * 12 * 2 + 2);
    let keys: Vec<(String, u32, u32)> = positions(&lines)
        .iter()
        .map(|position| {
            let mut parts = position.split(':');
            let path = parts.next().expect("path").to_string();
            let row = parts.next().expect("row").parse().expect("row number");
            let column = parts.next().expect("column").parse().expect("column");
            (path, row, column)
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| (Path::new(&a.0), a.1, a.2).cmp(&(Path::new(&b.0), b.1, b.2)));
    assert_eq!(keys, sorted);
    assert_eq!(keys[0].0, "a/broken.py");
}

// ---------------------------------------------------------------------------------------
// Target version
// ---------------------------------------------------------------------------------------

const DEAD_CODE_AWAIT: &str = "if 0:\n    await x\n";
const NESTED_ASYNC_COMPREHENSION: &str =
    "async def f():\n    return [[x async for x in y] for y in z]\n";

fn project_with_versions() -> Project {
    let project = Project::new();
    project.write(
        "old/pyproject.toml",
        "[project]\nname = \"old\"\nrequires-python = \">=3.7\"\n",
    );
    project.write(
        "new/pyproject.toml",
        "[project]\nname = \"new\"\nrequires-python = \">=3.11, <4\"\n",
    );
    for directory in ["old/pkg", "new/pkg"] {
        project.write(format!("{directory}/dead.py"), DEAD_CODE_AWAIT);
        project.write(format!("{directory}/nested.py"), NESTED_ASYNC_COMPREHENSION);
    }
    project
}

#[test]
fn target_version_comes_from_the_nearest_pyproject() {
    let project = project_with_versions();
    let (code, lines) = project.concise(&["old", "new"]);
    assert_eq!(code, 1);
    assert_eq!(
        positions(&lines),
        [
            // 3.11 allows an async comprehension nested in one in an `async def`...
            // ...and 3.8+ no longer compiles `if 0:` away before checking it.
            "new/pkg/dead.py:2:5: AL001",
            // 3.7's AST places a comprehension at its element (`x`), one column right.
            "old/pkg/nested.py:2:14: AL005",
        ]
    );
}

#[test]
fn target_version_flag_overrides_pyproject() {
    let project = project_with_versions();
    let lint = |version: &str| positions(&project.concise(&["--target-version", version]).1);
    assert_eq!(
        lint("py37"),
        [
            "new/pkg/nested.py:2:14: AL005",
            "old/pkg/nested.py:2:14: AL005"
        ]
    );
    assert_eq!(
        lint("py310"),
        [
            "new/pkg/dead.py:2:5: AL001",
            "new/pkg/nested.py:2:13: AL005",
            "old/pkg/dead.py:2:5: AL001",
            "old/pkg/nested.py:2:13: AL005",
        ]
    );
    assert_eq!(
        lint("3.11"),
        ["new/pkg/dead.py:2:5: AL001", "old/pkg/dead.py:2:5: AL001"]
    );
}

#[test]
fn invalid_pyproject_is_an_error_naming_it() {
    let project = Project::new();
    project.write(
        "proj/pyproject.toml",
        "[project\nrequires-python = \">=3.8\"\n",
    );
    project.write("proj/a.py", "await x\n");
    let run = project.asynclint().args(&["proj"]).run();
    assert_eq!(run.code(), 2);
    let pyproject = project.canonical_root().join("proj/pyproject.toml");
    assert!(
        run.stderr.contains(&pyproject.display().to_string())
            && run.stderr.contains("invalid TOML"),
        "{}",
        run.stderr
    );
    // With `--target-version`, the file is not needed.
    let (code, lines) = project.concise(&["--target-version", "py312", "proj"]);
    assert_eq!(code, 1);
    assert_eq!(positions(&lines), ["proj/a.py:1:1: AL001"]);
}

// ---------------------------------------------------------------------------------------
// Input that must not crash or stop a run
// ---------------------------------------------------------------------------------------

#[test]
fn encodings_and_undecodable_files() {
    let project = Project::new();
    let files: &[(&str, &[u8])] = &[
        // Not UTF-8: the bad byte is at row 2, column 6.
        ("a_invalid.py", b"x = 1\ny = '\xe9'\nawait z\n"),
        // The same bytes, declared.
        (
            "b_latin1.py",
            b"# -*- coding: latin-1 -*-\ny = '\xe9'\nawait z\n",
        ),
        (
            "c_cp1252.py",
            b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\ny = '\x80\xe9'; await z\n",
        ),
        // 0x81 is undefined in Python's cp1252.
        ("d_cp1252_undefined.py", b"# coding: cp1252\ny = '\x81'\n"),
        (
            "e_shift_jis.py",
            b"# coding: shift_jis\ny = '\x82\xa0\x82\xa2'; await z\n",
        ),
        ("f_unknown.py", b"# coding: klingon\nawait z\n"),
        ("g_bom.py", b"\xef\xbb\xbfy = '\xc3\xa9'; await z\n"),
        (
            "h_bom_conflict.py",
            b"\xef\xbb\xbf# coding: latin-1\nawait z\n",
        ),
        ("i_binary.py", b"x = 1\n\x00\x01\x02\xff\xfe"),
        ("j_empty.py", b""),
        ("k_only_bom.py", b"\xef\xbb\xbf"),
        ("l_fine.py", b"await z\n"),
    ];
    project.write_all(files);
    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            "a_invalid.py:2:6: AL000 file is not valid utf-8: this byte cannot be decoded (declare \
             the file's encoding with a `# -*- coding: NAME -*-` comment, as PEP 263 describes)",
            "b_latin1.py:3:1: AL001 'await' outside function",
            "c_cp1252.py:3:11: AL001 'await' outside function",
            "d_cp1252_undefined.py:2:6: AL000 file is not valid windows-1252: this byte cannot be \
             decoded",
            "e_shift_jis.py:2:11: AL001 'await' outside function",
            "f_unknown.py:1:1: AL000 unknown encoding: klingon",
            "g_bom.py:1:10: AL001 'await' outside function",
            "h_bom_conflict.py:1:1: AL000 encoding problem: latin-1 with BOM",
            "i_binary.py:2:1: AL000 source code cannot contain null bytes (is this a binary file?)",
            "l_fine.py:1:1: AL001 'await' outside function",
        ]
    );

    // JSON points at the bad byte, one code point wide.
    let (_, items) = project.json(&["a_invalid.py", "i_binary.py"]);
    assert_eq!(
        json_positions(&items),
        [("AL000".to_string(), 2, 6), ("AL000".to_string(), 2, 1)]
    );
    assert_eq!(items[0]["end_location"]["column"].as_u64(), Some(7));
    assert_eq!(items[0]["end_location"]["row"].as_u64(), Some(2));

    // The full format shows every one of them without a raw control byte.
    let run = project.asynclint().run();
    assert_eq!(run.code(), 1);
    run.assert_no_escape_byte();
    assert!(!run.stdout_bytes.contains(&0), "NUL byte in output");
}

#[test]
fn unreadable_file_and_directory_are_io_errors() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::new();
    if !permissions_enforced(&project) {
        println!("skipped: permissions are not enforced for this user (running as root?)");
        return;
    }
    project.write("a.py", "await x\n");
    let secret = project.write("secret.py", "await x\n");
    let locked = project.mkdir("locked");
    project.write("locked/inner.py", "await x\n");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).expect("chmod file");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod dir");

    let walked = project.concise(&[]);
    let named = project.concise(&["secret.py", "locked", "a.py"]);

    fs::set_permissions(&secret, fs::Permissions::from_mode(0o644)).expect("chmod file back");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod dir back");

    for (code, lines) in [walked, named] {
        assert_eq!(code, 2);
        assert_eq!(
            lines,
            [
                "a.py:1:1: AL001 'await' outside function",
                "locked:1:1: AL900 Permission denied",
                "secret.py:1:1: AL900 Permission denied",
            ]
        );
    }
}

#[test]
fn broken_symlinks_are_io_errors() {
    let project = Project::new();
    project.write("a.py", "await x\n");
    project.write("target.py", "await x\n");
    std::os::unix::fs::symlink("nowhere.py", project.root().join("broken.py")).expect("symlink");
    std::os::unix::fs::symlink("target.py", project.root().join("link.py")).expect("symlink");

    let message = "AL900 broken symbolic link: its target does not exist";
    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 2);
    assert_eq!(
        lines,
        [
            "a.py:1:1: AL001 'await' outside function".to_string(),
            format!("broken.py:1:1: {message}"),
            "link.py:1:1: AL001 'await' outside function".to_string(),
            "target.py:1:1: AL001 'await' outside function".to_string(),
        ]
    );

    let (code, lines) = project.concise(&["broken.py", "a.py"]);
    assert_eq!(code, 2);
    assert_eq!(
        lines,
        [
            "a.py:1:1: AL001 'await' outside function".to_string(),
            format!("broken.py:1:1: {message}"),
        ]
    );
}

#[test]
fn a_fifo_is_an_io_error_and_does_not_hang() {
    let project = Project::new();
    project.write("a.py", "await x\n");
    let fifo = project.root().join("pipe.py");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        println!("skipped: cannot create a FIFO with `mkfifo`");
        return;
    }
    let message = "pipe.py:1:1: AL900 not a regular file (a named pipe); to lint a stream, pipe \
                   it to `asynclint -`";
    // Named explicitly, and found by walking: nobody ever writes to it.
    for args in [&["pipe.py", "a.py"][..], &[]] {
        let (code, lines) = project.concise(args);
        assert_eq!(code, 2);
        assert_eq!(lines, ["a.py:1:1: AL001 'await' outside function", message]);
    }
}

#[test]
fn deep_nesting_neither_crashes_nor_stops_the_run() {
    let project = Project::new();
    let depth = 100_000;
    project.write(
        "parens.py",
        format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth)),
    );
    project.write(
        "lists.py",
        format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth)),
    );
    let mut nested_ifs = String::new();
    for level in 0..5_000 {
        nested_ifs.push_str(&" ".repeat(level));
        nested_ifs.push_str("if x:\n");
    }
    nested_ifs.push_str(&" ".repeat(5_000));
    nested_ifs.push_str("await y\n");
    project.write("ifs.py", nested_ifs);
    // Just within CPython's limits: linted normally.
    project.write(
        "within.py",
        format!("x = {}await y{}\n", "(".repeat(200), ")".repeat(200)),
    );
    project.write("z.py", "await z\n");

    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            // CPython's tokenizer allows 99 levels of indentation and 200 of brackets.
            "ifs.py:101:1: AL000 too many levels of indentation",
            "lists.py:1:205: AL000 too many nested parentheses",
            "parens.py:1:205: AL000 too many nested parentheses",
            "within.py:1:205: AL001 'await' outside function",
            "z.py:1:1: AL001 'await' outside function",
        ]
    );
    // The same through standard input, linted on the main thread.
    let run = project
        .asynclint()
        .args(&["-", "--output-format", "concise"])
        .stdin(format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth)))
        .run();
    let (code, lines) = run.concise();
    assert_eq!(code, 1);
    assert_eq!(positions(&lines), ["-:1:205: AL000"]);
}

#[test]
fn empty_files_are_clean() {
    let project = Project::new();
    project.write("empty.py", "");
    project.write("bom.py", "\u{feff}");
    project.write("blank.py", "\n\n\r\n");
    project.write("comment.pyi", "# nothing\n");
    let (code, lines) = project.concise(&[]);
    assert_eq!((code, lines), (0, vec![]));
    let (code, items) = project.json(&["empty.py", "bom.py"]);
    assert_eq!((code, items), (0, vec![]));
}

#[test]
fn rows_are_right_with_crlf_and_cr_line_endings() {
    let project = Project::new();
    project.write("crlf.py", "x = 1\r\ny = 2\r\nawait z\r\n");
    project.write("cr.py", "x = 1\ry = 2\rawait z\r");
    project.write("mixed.py", "x = 1\ry = 2\r\n\nawait z\n");
    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        positions(&lines),
        [
            "cr.py:3:1: AL001",
            "crlf.py:3:1: AL001",
            "mixed.py:4:1: AL001"
        ]
    );
    let (_, items) = project.json(&["cr.py"]);
    assert_eq!(items[0]["end_location"]["row"].as_u64(), Some(3));
    assert_eq!(items[0]["end_location"]["column"].as_u64(), Some(8));
    let run = project.asynclint().args(&["cr.py"]).run();
    assert!(
        run.stdout
            .contains(" --> cr.py:3:1\n  |\n3 | await z\n  | ^^^^^^^\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn columns_count_code_points_after_tabs_and_wide_characters() {
    let project = Project::new();
    project.write("wide.py", "x = '\u{65e5}\u{672c}\u{8a9e}'; await z\n");
    project.write("tab.py", "if x:\n\ty = 1;\tawait z\n");
    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        positions(&lines),
        ["tab.py:2:9: AL001", "wide.py:1:12: AL001"]
    );
    let (_, items) = project.json(&["wide.py"]);
    assert_eq!(items[0]["location"]["column"].as_u64(), Some(12));
    assert_eq!(items[0]["end_location"]["column"].as_u64(), Some(19));
    let run = project.asynclint().args(&["wide.py"]).run();
    // Carets under `await`, past the double-width characters.
    assert!(
        run.stdout.contains(
            " --> wide.py:1:12\n  |\n1 | x = '\u{65e5}\u{672c}\u{8a9e}'; await z\n  |               ^^^^^^^\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn control_characters_in_source_and_file_names_are_escaped() {
    let project = Project::new();
    project.write("esc.py", "x = '\x1b[31mred\x1b[0m\u{202e}'; await z\n");
    project.write("e\x1b[31mvil\n.py", "await z\n");
    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        positions(&lines),
        ["e\\u{1b}[31mvil\\u{a}.py:1:1: AL001", "esc.py:1:22: AL001"]
    );
    for format in ["concise", "full"] {
        let run = project.asynclint().args(&["--output-format", format]).run();
        assert_eq!(run.code(), 1);
        run.assert_no_escape_byte();
        assert!(!run.stdout.contains('\u{202e}'), "{}", run.stdout);
    }
    let run = project.asynclint().args(&["esc.py"]).run();
    assert!(
        run.stdout
            .contains("1 | x = '\\u{1b}[31mred\\u{1b}[0m\\u{202e}'; await z\n"),
        "{}",
        run.stdout
    );
    // JSON keeps the real name, escaped the JSON way.
    let (_, items) = project.json(&[]);
    let name = items[0]["filename"].as_str().expect("filename");
    assert!(name.ends_with("/e\x1b[31mvil\n.py"), "{name:?}");
}
