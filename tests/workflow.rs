//! The binary end to end for configuration, suppressions, fixes and the cache.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::BIN;

fn asynclint(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("ASYNCLINT_OUTPUT_FORMAT")
        .env_remove("ASYNCLINT_CACHE_DIR")
        .output()
        .expect("asynclint runs")
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `path:row:col: CODE` of each diagnostic, from the concise format.
fn findings(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .filter_map(|line| {
            let code_at = [": AL", ": ASYNC"]
                .iter()
                .filter_map(|m| line.find(m))
                .min()?;
            let code_end = line[code_at + 2..]
                .find(' ')
                .map_or(line.len(), |i| code_at + 2 + i);
            Some(line[..code_end].to_string())
        })
        .collect()
}

#[test]
fn the_closest_configuration_applies_to_each_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "pyproject.toml",
        "[tool.asynclint]\nignore = [\"AL001\"]\n",
    );
    write(root, "a.py", "await x\n");
    write(root, "sub/asynclint.toml", "select = [\"AL001\"]\n");
    write(root, "sub/b.py", "await x\n");
    let output = asynclint(root, &["--no-cache", "--output-format", "concise", "."]);
    assert_eq!(findings(&output), ["sub/b.py:1:1: AL001"]);
    // The same answer whatever the current directory and the other paths given.
    let output = asynclint(
        &root.join("sub"),
        &[
            "--no-cache",
            "--output-format",
            "concise",
            "../a.py",
            "b.py",
        ],
    );
    assert_eq!(findings(&output), ["b.py:1:1: AL001"]);
    // --isolated ignores both files; --config 'KEY = VALUE' overrides.
    let output = asynclint(
        root,
        &[
            "--no-cache",
            "--isolated",
            "--output-format",
            "concise",
            ".",
        ],
    );
    assert_eq!(findings(&output).len(), 2);
    let output = asynclint(
        root,
        &[
            "--no-cache",
            "--config",
            "ignore = ['AL001']",
            "--output-format",
            "concise",
            "sub",
        ],
    );
    assert!(findings(&output).is_empty(), "{}", stdout(&output));
}

#[test]
fn configuration_errors_name_the_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "asynclint.toml",
        "select = [\"AL0\"]\ntarget-versoin = \"py311\"\n",
    );
    write(root, "a.py", "x = 1\n");
    let output = asynclint(root, &["--no-cache", "a.py"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains(
            "asynclint.toml: line 2: unknown key `target-versoin` (did you mean `target-version`?)"
        ),
        "{message}"
    );
    write(root, "asynclint.toml", "select = [\"AL0\"\n");
    let output = asynclint(root, &["--no-cache", "a.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("invalid TOML"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn excludes_and_per_file_ignores() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "pyproject.toml",
        "[tool.asynclint]\nextend-exclude = [\"generated\"]\n[tool.asynclint.per-file-ignores]\n\"tests/*\" = [\"await-outside-function\"]\n",
    );
    write(root, "generated/g.py", "await x\n");
    write(root, "tests/t.py", "await x\n");
    write(root, "m.py", "await x\n");
    let output = asynclint(root, &["--no-cache", "--output-format", "concise", "."]);
    assert_eq!(findings(&output), ["m.py:1:1: AL001"]);
    // Named explicitly, an excluded file is linted.
    let output = asynclint(
        root,
        &["--no-cache", "--output-format", "concise", "generated/g.py"],
    );
    assert_eq!(findings(&output), ["generated/g.py:1:1: AL001"]);
}

#[test]
fn noqa_comments_suppress_and_unused_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.py",
        "await a  # noqa: AL001\nawait b  # noqa: PLE1142\nawait c  # noqa:\nx = 1  # noqa: AL001\n",
    );
    let output = asynclint(
        root,
        &[
            "--no-cache",
            "--output-format",
            "concise",
            "--extend-select",
            "AL903",
            "a.py",
        ],
    );
    assert_eq!(
        findings(&output),
        ["a.py:3:1: AL001", "a.py:3:10: AL902", "a.py:4:10: AL903"],
        "{}",
        stdout(&output)
    );
}

/// A file whose only diagnostic is a malformed `noqa` (found when directives are applied,
/// after its text was let go) is shown at the comment with its source line, in every
/// format; this once panicked in the `full` renderer and put the diagnostic at 1:1.
#[test]
fn a_malformed_noqa_alone_is_shown_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.py",
        "import os\n\nfrom . import x  # NOQA: register x\n",
    );
    let concise = asynclint(root, &["--no-cache", "--output-format", "concise", "a.py"]);
    assert_eq!(
        findings(&concise),
        ["a.py:3:18: AL902"],
        "{}",
        stdout(&concise)
    );
    let full = asynclint(root, &["--no-cache", "--output-format", "full", "a.py"]);
    assert_eq!(full.status.code(), Some(1), "{}", stderr(&full));
    let shown = stdout(&full);
    assert!(shown.contains("a.py:3:18"), "{shown}");
    assert!(
        shown.contains("from . import x  # NOQA: register x"),
        "{shown}"
    );
}

#[test]
fn add_noqa_writes_suppressions_for_todays_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.py",
        "await a\nawait b  # noqa: E501\ndef f():\n    await c\n",
    );
    let output = asynclint(root, &["--no-cache", "--add-noqa", "a.py"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Added 3 noqa directives"),
        "{}",
        stderr(&output)
    );
    let text = std::fs::read_to_string(root.join("a.py")).unwrap();
    assert_eq!(
        text,
        "await a  # noqa: AL001\nawait b  # noqa: E501, AL001\ndef f():\n    await c  # noqa: AL002\n"
    );
    let output = asynclint(root, &["--no-cache", "a.py"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn fixes_diff_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let source = "x = 1  # noqa: AL001\ny = 2\n";
    write(root, "a.py", source);
    let args = ["--no-cache", "--extend-select", "AL903"];
    // --diff prints the change, writes nothing, exits 1.
    let output = asynclint(root, &[&args[..], &["--diff", "a.py"]].concat());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("-x = 1  # noqa: AL001\n+x = 1\n"),
        "{}",
        stdout(&output)
    );
    assert_eq!(std::fs::read_to_string(root.join("a.py")).unwrap(), source);
    // --fix writes it and reports what remains (nothing).
    let output = asynclint(root, &[&args[..], &["--fix", "a.py"]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(
        std::fs::read_to_string(root.join("a.py")).unwrap(),
        "x = 1\ny = 2\n"
    );
    // With standard input, the fixed source goes to stdout.
    let mut child = Command::new(BIN)
        .args([&args[..], &["--fix", "-"]].concat())
        .current_dir(root)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(source.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(stdout(&output), "x = 1\ny = 2\n");
}

/// `pkg/db.py` defining the coroutine function `fetch`, and `pkg/app.py` as given.
fn write_fetch_package(root: &Path, app: &str) {
    write(root, "pkg/__init__.py", "");
    write(root, "pkg/db.py", "async def fetch():\n    return 1\n");
    write(root, "pkg/app.py", app);
}

/// What asynclint prints on `root` in `format`, without the cache.
fn uncached_output(root: &Path, format: &str) -> String {
    stdout(&asynclint(
        root,
        &["--no-cache", "--output-format", format, "."],
    ))
}

/// The cache stores each file's phase-1 result; a cached run prints exactly what a run
/// without the cache prints, and the project-wide checks of a cached file are decided
/// again from the other files as they are now.
#[test]
fn the_cache_never_changes_a_result() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_fetch_package(
        root,
        "from pkg.db import fetch\n\n\nasync def main():\n    fetch()\n    await x  # noqa: AL002\n",
    );
    write(root, "clean.py", "async def f():\n    return 1\n");
    write(root, "bad.py", "await x\n");
    std::fs::write(root.join("latin.py"), b"x = '\xff'\n").unwrap();
    let cache = root.join("cache");
    let cache_arg = cache.to_string_lossy().to_string();
    let run = |format: &str| {
        let output = asynclint(
            root,
            &["--cache-dir", &cache_arg, "--output-format", format, "."],
        );
        (stdout(&output), findings(&output))
    };
    let uncached = |format: &str| uncached_output(root, format);
    let expected = [
        "bad.py:1:1: AL001",
        "latin.py:1:6: AL000",
        "pkg/app.py:5:5: AL101",
    ];
    let (first, first_findings) = run("concise");
    assert_eq!(first_findings, expected, "{first}");
    for format in ["concise", "full", "json"] {
        assert_eq!(run(format).0, uncached(format), "{format}");
    }
    // The results are stored (which ones: `run::tests` in src/run.rs).
    let stored = std::fs::metadata(cache.join("lint-results.postcard")).unwrap();
    assert!(stored.len() > 0);
    // `fetch` becomes a plain function: the cached `pkg/app.py` is decided again.
    write(root, "pkg/db.py", "def fetch():\n    return 1\n");
    let (_, findings) = run("concise");
    assert_eq!(findings, ["bad.py:1:1: AL001", "latin.py:1:6: AL000"]);
    // A changed file is linted again.
    write(root, "clean.py", "await y\n");
    let (_, findings) = run("concise");
    assert_eq!(
        findings,
        [
            "bad.py:1:1: AL001",
            "clean.py:1:1: AL001",
            "latin.py:1:6: AL000"
        ]
    );
    // A cache that cannot be read is ignored.
    std::fs::write(cache.join("lint-results.postcard"), "{not a cache").unwrap();
    assert_eq!(run("concise").0, uncached("concise"));
    // --no-cache neither reads nor writes it.
    std::fs::remove_dir_all(&cache).unwrap();
    asynclint(root, &["--no-cache", "."]);
    assert!(!cache.exists());
}

/// A run whose every file is unchanged reuses the stored phase-2 decisions and leaves
/// the cache file as it is; one changed file, even one that only changes another file's
/// project-wide verdict, makes phase 2 decide again.
#[test]
fn an_unchanged_tree_reuses_the_whole_stored_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_fetch_package(
        root,
        "from pkg.db import fetch\n\n\ndef main():\n    if fetch():  # noqa: AL000\n        fetch()\n",
    );
    write(
        root,
        "other.py",
        "import time\n\n\nasync def f():\n    time.sleep(1)\n",
    );
    let cache = root.join("cache");
    let cache_arg = cache.to_string_lossy().to_string();
    let cached = |format: &str| {
        stdout(&asynclint(
            root,
            &["--cache-dir", &cache_arg, "--output-format", format, "."],
        ))
    };
    let uncached = |format: &str| uncached_output(root, format);
    let first = cached("concise");
    assert!(first.contains("pkg/app.py:5:8: AL101"), "{first}");
    assert!(first.contains("pkg/app.py:6:9: AL101"), "{first}");
    let stored = cache.join("lint-results.postcard");
    let written = std::fs::read(&stored).unwrap();
    for format in ["concise", "full", "json", "sarif"] {
        assert_eq!(cached(format), uncached(format), "{format}");
    }
    assert_eq!(
        std::fs::read(&stored).unwrap(),
        written,
        "an unchanged run rewrote the cache"
    );
    // Only `pkg/db.py` changes, and only `pkg/app.py`'s verdicts depend on it.
    write(root, "pkg/db.py", "def fetch():\n    return 1\n");
    let after = cached("concise");
    assert!(!after.contains("AL101"), "{after}");
    assert_eq!(after, uncached("concise"));
    assert_ne!(std::fs::read(&stored).unwrap(), written);
}

#[test]
fn notebooks_are_linted_cell_by_cell_with_top_level_await() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let notebook = r##"{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n"]},
  {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["import asyncio\n", "%time x = 1\n", "await asyncio.sleep(0)\n"]},
  {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["class C:\n", "    y = await asyncio.sleep(0)\n"]},
  {"cell_type": "code", "metadata": {}, "outputs": [], "source": "def f():\n    await asyncio.sleep(0)\n"}
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}"##;
    write(root, "analysis.ipynb", notebook);
    let output = asynclint(root, &["--no-cache", "--output-format", "concise", "."]);
    assert_eq!(
        findings(&output),
        [
            "analysis.ipynb:cell 3:2:9: AL001",
            "analysis.ipynb:cell 4:2:5: AL002"
        ],
        "{}",
        stdout(&output)
    );
    let output = asynclint(
        root,
        &["--no-cache", "--output-format", "json", "analysis.ipynb"],
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json[0]["cell"], 3);
    assert_eq!(json[0]["location"]["row"], 2);
    // A file that is not a notebook is a clear error, not a crash.
    write(root, "broken.ipynb", "{not json");
    let output = asynclint(
        root,
        &["--no-cache", "--output-format", "concise", "broken.ipynb"],
    );
    assert!(
        stdout(&output).contains("broken.ipynb:1:1: AL000 not a valid notebook"),
        "{}",
        stdout(&output)
    );
}

/// The rules' own fixes through the binary: `--fix` applies the safe ones
/// (`get_event_loop()` → `get_running_loop()`), `--unsafe-fixes` adds `await` too, and
/// what could not be fixed is still reported.
#[test]
fn rule_fixes_by_applicability() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let source = "import asyncio\n\n\nasync def work():\n    return 1\n\n\nasync def main():\n    \
                  loop = asyncio.get_event_loop()\n    work()\n    return loop\n";
    write(root, "a.py", source);
    let args = ["--no-cache", "--output-format", "concise"];
    let output = asynclint(root, &[&args[..], &["--fix", "a.py"]].concat());
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(findings(&output), ["a.py:10:5: AL101"]);
    let fixed = std::fs::read_to_string(root.join("a.py")).unwrap();
    assert_eq!(fixed, source.replace("get_event_loop", "get_running_loop"));
    let output = asynclint(
        root,
        &[&args[..], &["--fix", "--unsafe-fixes", "a.py"]].concat(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let fixed = std::fs::read_to_string(root.join("a.py")).unwrap();
    assert_eq!(
        fixed,
        source
            .replace("get_event_loop", "get_running_loop")
            .replace("    work()", "    await work()")
    );
}

/// A notebook written by Jupyter's own `nbformat` (outputs, execution counts, cell ids,
/// magics, shell escapes; see `fixtures/notebooks/README.md`): the diagnostics point at the
/// right cell and row, top-level `await` is legal, and `--fix` leaves the file as it was
/// and says so.
#[test]
fn a_notebook_written_by_jupyter() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let original =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/notebooks/pages.ipynb"))
            .unwrap();
    std::fs::write(root.join("pages.ipynb"), &original).unwrap();
    let output = asynclint(root, &["--no-cache", "--output-format", "concise", "."]);
    assert_eq!(
        findings(&output),
        [
            "pages.ipynb:cell 4:2:5: ASYNC251",
            "pages.ipynb:cell 4:3:5: AL101",
            "pages.ipynb:cell 5:2:12: AL002"
        ],
        "{}",
        stdout(&output)
    );
    let output = asynclint(root, &["--no-cache", "--fix", "--unsafe-fixes", "."]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("pages.ipynb: fixes are not applied to notebooks"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(std::fs::read(root.join("pages.ipynb")).unwrap(), original);
}
