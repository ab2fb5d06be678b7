//! Hostile input, run through the built binary: what nobody means to give asynclint but a
//! repository, a pull request or a shell can. Each case has one specific outcome (the
//! diagnostic, the exit status, what the other files get), documented in
//! `docs/security.md`. `tests/cli.rs` already covers undecodable files, FIFOs, broken
//! symbolic links, 5,000 nested `if`s and 100,000 brackets, CR and CRLF rows, tab and CJK
//! columns, and `| head -1` for the default format; this covers the rest.
//!
//! Output formats are checked with the fuzz targets' own checks (`fuzz/src/pipeline.rs`):
//! every diagnostic present once, no raw control or bidirectional character, JSON and SARIF
//! that parse, well-formed JUnit XML, `github` lines that are only our commands.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use asynclint::render::{OutputFormat, RenderOptions};
use clap::ValueEnum;
use common::{Asynclint, BIN, Project, Run};
use serde_json::Value;

#[path = "../fuzz/src/pipeline.rs"]
#[allow(dead_code)]
mod pipeline;

/// A run that takes longer is a hang, and fails.
const TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

impl Project {
    fn new() -> Self {
        Self::with_prefix("asynclint-hostile-")
    }

    fn run(&self, args: &[&str]) -> Run {
        Asynclint::new(self.root()).args(args).run()
    }

    /// `--output-format concise`: the diagnostic lines, without the summary.
    fn concise(&self, args: &[&str]) -> (i32, Vec<String>) {
        let run = self.run(&[args, &["--output-format", "concise"]].concat());
        let code = run.code();
        let mut lines: Vec<String> = run.stdout.lines().map(str::to_string).collect();
        let summary = lines.pop().unwrap_or_default();
        assert!(
            summary.starts_with("Found ") || summary == "All checks passed!",
            "no summary line:\n{}\nstderr:\n{}",
            run.stdout,
            run.stderr
        );
        (code, lines)
    }
}

impl Asynclint {
    /// The binary without its cache, isolated from the environment of the test run, killed
    /// (and failing) after [`TIMEOUT`] unless given another timeout.
    fn new(cwd: &Path) -> Self {
        Self::isolated(cwd, TIMEOUT)
            .arg("--no-cache")
            .env_remove("ASYNCLINT_TEST_PANIC_ON")
            .env_remove("CI_PROJECT_DIR")
    }

    /// The same, run as `nobody` (for permissions, which root ignores).
    fn as_nobody(cwd: &Path) -> Self {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN])
            .arg("--no-cache")
            .current_dir(cwd)
            .env_remove("ASYNCLINT_OUTPUT_FORMAT")
            .env_remove("ASYNCLINT_TEST_PANIC_ON");
        Self::from_command(command, TIMEOUT)
    }
}

/// `path:row:col: CODE` of concise lines.
fn positions(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let end = line
                .match_indices(": AL")
                .chain(line.match_indices(": ASYNC"))
                .map(|(at, _)| at)
                .min()
                .unwrap_or_else(|| panic!("not a concise diagnostic: {line}"));
            let code_end = line[end + 2..]
                .find(' ')
                .map_or(line.len(), |i| end + 2 + i);
            line[..code_end].to_string()
        })
        .collect()
}

/// Whether `setpriv` can run the binary as `nobody` (it must reach the binary).
fn can_run_as_nobody() -> bool {
    Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            BIN,
            "--version",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

// ---------------------------------------------------------------------------------------
// Resource limits: nesting and size
// ---------------------------------------------------------------------------------------

/// Deeply nested code of every kind the parser, the scope walk and the rules recurse on:
/// each file is linted (the `await` after the deep part is still found) or rejected with
/// CPython's own message, on worker threads and on the main thread (standard input), and
/// no file stops the others.
#[test]
fn deep_nesting_of_every_kind_is_linted_or_rejected_clearly() {
    let project = Project::new();
    let n = 50_000;
    let kinds = [
        "async def f():",
        "async with x:",
        "for y in z:",
        "while x:",
        "with y:",
        "class C:",
    ];
    let mut blocks = String::new();
    for level in 0..5_000 {
        blocks.push_str(&" ".repeat(level));
        blocks.push_str(kinds[level % kinds.len()]);
        blocks.push('\n');
    }
    blocks.push_str(&" ".repeat(5_000));
    blocks.push_str("await y\n");
    let files: Vec<(&str, String)> = vec![
        // 5,000 nested blocks: CPython allows 99 levels of indentation.
        ("blocks.py", blocks),
        ("not.py", format!("x = {}y\nawait z\n", "not ".repeat(n))),
        ("neg.py", format!("x = {}1\nawait z\n", "-".repeat(n))),
        ("attr.py", format!("x = y{}\nawait z\n", ".a".repeat(n))),
        ("call.py", format!("x = y{}\nawait z\n", "()".repeat(n))),
        ("sub.py", format!("x = y{}\nawait z\n", "[0]".repeat(n))),
        (
            "add.py",
            format!("x = {}\nawait z\n", vec!["y"; n].join("+")),
        ),
        (
            "pow.py",
            format!("x = {}\nawait z\n", vec!["2"; n].join("**")),
        ),
        (
            "strings.py",
            format!("x = {}\nawait z\n", vec!["'a'"; n].join(" ")),
        ),
        (
            "ifexp.py",
            format!("x = {}c\nawait z\n", "a if b else ".repeat(5_000)),
        ),
        (
            "lambda.py",
            format!("f = {}await y\n", "lambda: ".repeat(5_000)),
        ),
        (
            "decorators.py",
            format!("{}def f(): pass\nawait z\n", "@d\n".repeat(5_000)),
        ),
        (
            "elif.py",
            format!(
                "if a:\n    pass\n{}await z\n",
                "elif a:\n    pass\n".repeat(5_000)
            ),
        ),
        (
            "awaits.py",
            format!("async def f():\n    return {}y\n", "await ".repeat(5_000)),
        ),
        ("z.py", "await z\n".to_string()),
    ];
    for (name, text) in &files {
        project.write(name, text);
    }
    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 1);
    // `await await y` is a syntax error at every nested `await`: all on row 2.
    let (awaits, rest): (Vec<String>, Vec<String>) =
        lines.into_iter().partition(|l| l.starts_with("awaits.py:"));
    assert_eq!(awaits.len(), 4_999);
    assert_eq!(
        awaits[0],
        "awaits.py:2:18: AL000 Await expression cannot be used here"
    );
    assert!(awaits.iter().all(|l| l.starts_with("awaits.py:2:")));
    let expected = [
        "add.py:2:1: AL001",
        "attr.py:2:1: AL001",
        "blocks.py:101:1: AL000",
        "call.py:2:1: AL001",
        "decorators.py:5002:1: AL001",
        "elif.py:10003:1: AL001",
        "ifexp.py:2:1: AL001",
        "lambda.py:1:40005: AL002",
        "neg.py:2:1: AL001",
        "not.py:2:1: AL001",
        "pow.py:2:1: AL001",
        "strings.py:2:1: AL001",
        "sub.py:2:1: AL001",
        "z.py:1:1: AL001",
    ];
    assert_eq!(positions(&rest), expected);
    assert!(
        rest[2].ends_with("too many levels of indentation"),
        "{}",
        rest[2]
    );

    // Standard input is linted on the main thread, with its smaller stack.
    for (name, _) in files.iter().filter(|(name, _)| *name != "awaits.py") {
        let run = Asynclint::new(project.root())
            .args(&["--stdin-filename", name, "--output-format", "concise"])
            .stdin(fs::read(project.root().join(name)).expect("read back"))
            .run();
        assert_eq!(run.code(), 1, "{name}");
        let first = run.stdout.lines().next().unwrap_or_default().to_string();
        let expected_line = expected
            .iter()
            .find(|e| e.starts_with(&format!("{name}:")))
            .expect("expected");
        assert_eq!(positions(&[first]), [*expected_line], "{name} on stdin");
    }
}

/// Builds `size` bytes of realistic async code and an `await` outside a function at the end.
fn big_source(size: usize) -> (String, usize) {
    let mut text = String::with_capacity(size + 64);
    let mut rows = 0;
    let mut i = 0;
    while text.len() < size {
        text.push_str(&format!(
            "async def f{i}(x):\n    await g(x)\n    return [y async for y in x]\n"
        ));
        rows += 3;
        i += 1;
    }
    text.push_str("await z\n");
    (text, rows + 1)
}

/// A large file is linted, in time and memory proportional to its size: about 35 bytes of
/// memory per byte of source. (The 100 MB case is `a_100_mb_file_...`, ignored by default.)
#[test]
fn a_large_file_is_linted_in_proportional_time_and_memory() {
    let project = Project::new();
    let size = 8 << 20;
    let (text, row) = big_source(size);
    project.write("big.py", &text);
    project.write("small.py", "await q\n");
    let run = Asynclint::new(project.root())
        .args(&["--output-format", "concise"])
        .run();
    assert_eq!(run.code(), 1);
    assert_eq!(
        run.stdout,
        format!(
            "big.py:{row}:1: AL001 'await' outside function\n\
             small.py:1:1: AL001 'await' outside function\nFound 2 errors.\n"
        )
    );
    println!(
        "8 MiB file: {:?}, peak memory {} MiB",
        run.elapsed,
        run.peak_kib >> 10
    );
    assert!(
        run.peak_kib < 50 * (size as u64 >> 10) + (200 << 10),
        "peak memory {} KiB for an {} KiB file",
        run.peak_kib,
        size >> 10
    );
}

/// The issue's 100 MB file: `cargo test --release --test hostile -- --ignored` (about 30 s
/// and 3.5 GiB in a release build; about 2 minutes in a debug build).
#[test]
#[ignore = "100 MB: slow in a debug build; run with --ignored"]
fn a_100_mb_file_is_linted_in_bounded_time_and_memory() {
    let project = Project::new();
    let size = 100 << 20;
    let (text, row) = big_source(size);
    project.write("big.py", &text);
    drop(text);
    let run = Asynclint::new(project.root())
        .args(&["--output-format", "concise"])
        .timeout(Duration::from_secs(600))
        .run();
    assert_eq!(run.code(), 1);
    assert_eq!(
        run.stdout,
        format!("big.py:{row}:1: AL001 'await' outside function\nFound 1 error.\n")
    );
    println!(
        "100 MiB file: {:?}, peak memory {} MiB",
        run.elapsed,
        run.peak_kib >> 10
    );
    assert!(run.peak_kib < 6 << 20, "peak memory {} KiB", run.peak_kib);
}

/// A file over the size limit (256 MiB) is not read at all: an AL900 that says so, exit
/// status 2, the other files linted. The file is sparse: it takes no disk space.
#[test]
fn a_file_over_the_size_limit_is_an_io_error_without_being_read() {
    let project = Project::new();
    let huge = project.write("huge.py", "");
    fs::File::options()
        .write(true)
        .open(&huge)
        .expect("open")
        .set_len((256 << 20) + 1)
        .expect("sparse file");
    project.write("a.py", "await x\n");
    let run = Asynclint::new(project.root())
        .args(&["--output-format", "concise"])
        .run();
    assert_eq!(run.code(), 2);
    assert_eq!(
        run.stdout,
        "a.py:1:1: AL001 'await' outside function\n\
         huge.py:1:1: AL900 file too large to lint (268435457 bytes; the limit is 256 MiB)\n\
         Found 2 errors.\n"
    );
    assert!(
        run.peak_kib < 200 << 10,
        "read the file: {} KiB",
        run.peak_kib
    );
}

/// Many bindings of one name and many reads of it: linear time (it was quadratic, minutes
/// for a few hundred kilobytes), and so are thousands of diagnostics on one long line.
#[test]
fn many_bindings_and_many_diagnostics_on_one_line_take_linear_time() {
    let project = Project::new();
    let n = 40_000;
    project.write(
        "bindings.py",
        format!(
            "{}async def f():\n{}",
            "x = 1\n".repeat(n),
            "    await x\n".repeat(n)
        ),
    );
    project.write("line.py", format!("x = 'é'; {}y\n", "await ".repeat(n)));
    let run = Asynclint::new(project.root())
        .args(&["--output-format", "concise"])
        .timeout(Duration::from_secs(30))
        .run();
    assert_eq!(run.code(), 1);
    assert_eq!(run.stdout.lines().count(), n - 1 + 1);
    assert!(
        run.stdout
            .starts_with("line.py:1:16: AL000 Await expression cannot be used here\n"),
        "{}",
        &run.stdout[..200]
    );
    println!("{:?}", run.elapsed);
}

// ---------------------------------------------------------------------------------------
// Bytes: NUL, surrogates, encodings, line endings, columns
// ---------------------------------------------------------------------------------------

/// A NUL byte in an otherwise valid file is one AL000 at its place (as CPython: "source
/// code cannot contain null bytes"); lone surrogates in escapes are valid Python; unknown
/// `\N{...}` names and broken escapes are syntax errors at the escape; the UTF-8 encoding
/// of a surrogate is not UTF-8.
#[test]
fn nul_bytes_and_surrogate_escapes() {
    let project = Project::new();
    let files: &[(&str, &[u8])] = &[
        ("nul.py", b"x = 1\ny = 2\nz = 'a\x00b'\nawait z\n"),
        (
            "surrogates.py",
            b"x = '\\ud800'\ny = \"\\udfff\\ud800\"\nb = b'\\ud800'\nf = f'{x}\\ud800'\nawait z\n",
        ),
        ("named.py", b"x = '\\N{EM DASH}'\nawait z\n"),
        ("named_unknown.py", b"x = 1\ny = '\\N{NO SUCH CHARACTER}'\n"),
        ("named_unclosed.py", b"x = '\\N{DASH'\n"),
        ("raw_surrogate.py", b"x = 1\ny = '\xed\xa0\x80'\n"),
    ];
    project.write_all(files);
    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            "named.py:2:1: AL001 'await' outside function",
            "named_unclosed.py:1:13: AL000 Missing `}` in Unicode escape sequence",
            "named_unknown.py:2:9: AL000 Got unexpected unicode",
            "nul.py:3:7: AL000 source code cannot contain null bytes (is this a binary file?)",
            "raw_surrogate.py:2:6: AL000 file is not valid utf-8: this byte cannot be decoded \
             (declare the file's encoding with a `# -*- coding: NAME -*-` comment, as PEP 263 \
             describes)",
            "surrogates.py:5:1: AL001 'await' outside function",
        ]
    );
    // The same NUL through standard input.
    let run = Asynclint::new(project.root())
        .args(&["-", "--output-format", "concise"])
        .stdin(&b"x = 1\ny = 2\nz = 'a\x00b'\nawait z\n"[..])
        .run();
    assert_eq!(run.code(), 1);
    assert!(
        run.stdout
            .starts_with("-:3:7: AL000 source code cannot contain null bytes"),
        "{}",
        run.stdout
    );
}

/// Declared encodings that the bytes break, declarations CPython ignores, a BOM with a
/// declaration, and a file name that is not UTF-8.
#[test]
fn encoding_declarations_and_undecodable_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let project = Project::new();
    let files: &[(&str, &[u8])] = &[
        // Declared UTF-8, and not: the same diagnostic as undeclared, without the hint to
        // declare an encoding (it is declared).
        (
            "a_utf8_cookie.py",
            b"# -*- coding: utf-8 -*-\nx = '\xff'\nawait z\n",
        ),
        ("b_ascii_cookie.py", b"# coding: ascii\nx = '\xc3\xa9'\n"),
        // A declaration on line 3 is a comment: the file is read as UTF-8.
        (
            "c_cookie_line3.py",
            b"#!/usr/bin/env python\nx = 1\n# coding: latin-1\ny = '\xe9'\n",
        ),
        (
            "d_bom_utf8_cookie.py",
            b"\xef\xbb\xbf# coding: utf-8\nawait z\n",
        ),
        ("e_bom_cr.py", b"\xef\xbb\xbfx = 1\ry = 2\rawait z\r"),
        (
            "f_cookie_lies.py",
            b"# coding: latin-1\nx = '\xc3\xa9'; await z\n",
        ),
    ];
    project.write_all(files);
    let odd_name = std::ffi::OsStr::from_bytes(b"g_name_\xff\xfe.py");
    project.write(odd_name, "await z\n");
    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 1);
    let hint = " (declare the file's encoding with a `# -*- coding: NAME -*-` comment, as PEP \
                263 describes)";
    assert_eq!(
        lines,
        [
            "a_utf8_cookie.py:2:6: AL000 file is not valid utf-8: this byte cannot be decoded"
                .to_string(),
            "b_ascii_cookie.py:2:6: AL000 file is not valid ascii: this byte cannot be decoded"
                .to_string(),
            format!(
                "c_cookie_line3.py:4:6: AL000 file is not valid utf-8: this byte cannot be decoded{hint}"
            ),
            "d_bom_utf8_cookie.py:2:1: AL001 'await' outside function".to_string(),
            "e_bom_cr.py:3:1: AL001 'await' outside function".to_string(),
            // Latin-1 reads the two bytes of `é` as two characters: `await` moves right.
            "f_cookie_lies.py:2:11: AL001 'await' outside function".to_string(),
            "g_name_\u{fffd}\u{fffd}.py:1:1: AL001 'await' outside function".to_string(),
        ]
    );
    // Machine-readable formats still parse with the undecodable name in them.
    for format in ["json", "sarif", "gitlab", "junit"] {
        let run = project.run(&["--output-format", format]);
        assert_eq!(run.code(), 1, "{format}");
        check_format(format, &run.stdout, 7);
    }
}

/// Rows after CR-only, mixed and continued line endings and form feeds, and columns after
/// tabs, form feeds, emoji, combining marks and joiners: as CPython counts rows, and in code
/// points for columns (as ruff; CPython 3.11 counts bytes in these messages).
#[test]
fn rows_and_columns_after_odd_line_endings_and_characters() {
    let project = Project::new();
    let files: &[(&str, &[u8])] = &[
        ("cr_string.py", b"x = \"\"\"a\rb\"\"\"\rawait z\r"),
        ("mixed.py", b"x = 1\r\n\ry = (1,\r2)\n\x0c\r\nawait z\r\n"),
        ("continued.py", b"x = 1 + \\\r2\rawait z\n"),
        ("ff_line_start.py", b"x = 1\n\x0cawait z\n"),
        ("ff_mid_line.py", b"x = 1;\x0c await z\n"),
        ("ff_indent.py", b"if x:\n\x0c    await y\n"),
        ("tabs_indent.py", b"if x:\n\t\tawait z\n"),
        (
            "emoji.py",
            "x = \"😀\u{301}\u{200d}👩\t\"; await z\n".as_bytes(),
        ),
        (
            "cjk_crlf.py",
            "# 日本語\r\nx = \"日本\"  ;  await z\n".as_bytes(),
        ),
    ];
    project.write_all(files);
    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        positions(&lines),
        [
            "cjk_crlf.py:2:14: AL001",
            "continued.py:3:1: AL001",
            "cr_string.py:3:1: AL001",
            "emoji.py:1:14: AL001",
            "ff_indent.py:2:6: AL001",
            "ff_line_start.py:2:2: AL001",
            "ff_mid_line.py:1:9: AL001",
            "mixed.py:6:1: AL001",
            "tabs_indent.py:2:3: AL001",
        ]
    );
    // The snippet shows the form feed escaped and the carets under `await`.
    let run = project.run(&["ff_line_start.py", "emoji.py"]);
    assert!(
        run.stdout.contains("2 | \\u{c}await z\n  |      ^^^^^^^\n"),
        "{}",
        run.stdout
    );
    pipeline::check_output(OutputFormat::Full, &run.stdout, 2, &plain());
}

// ---------------------------------------------------------------------------------------
// Files that are not files
// ---------------------------------------------------------------------------------------

/// Devices named explicitly or reached through a link are never opened: an AL900 each,
/// at once (`/dev/zero` would never end, `/dev/null` is empty but not a file).
#[test]
fn device_files_are_io_errors_and_do_not_hang() {
    let project = Project::new();
    project.write("a.py", "await x\n");
    std::os::unix::fs::symlink("/dev/zero", project.root().join("zero.py")).expect("symlink");
    let run = Asynclint::new(project.root())
        .args(&["--output-format", "concise", "/dev/null", "/dev/zero", "."])
        .timeout(Duration::from_secs(20))
        .run();
    assert_eq!(run.code(), 2);
    let device = "AL900 not a regular file (a device); to lint a stream, pipe it to `asynclint -`";
    assert_eq!(
        run.stdout,
        format!(
            "/dev/null:1:1: {device}\n/dev/zero:1:1: {device}\n\
             a.py:1:1: AL001 'await' outside function\nzero.py:1:1: {device}\nFound 4 errors.\n"
        )
    );
}

/// Links that loop: a directory linking to its parent and to itself is not followed while
/// walking; a link to itself and two links to each other are an AL900 each; named
/// explicitly, a looping directory is walked once per name given.
#[test]
fn symbolic_link_loops_end() {
    let project = Project::new();
    project.write("a.py", "await x\n");
    project.write("sub/b.py", "await x\n");
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(target, project.root().join(name)).expect("symlink");
    };
    link("..", "sub/up");
    link(".", "here");
    link("self.py", "self.py");
    link("loop2.py", "loop1.py");
    link("loop1.py", "loop2.py");
    let looped = "AL900 Too many levels of symbolic links";
    let (code, lines) = project.concise(&[]);
    assert_eq!(code, 2);
    assert_eq!(
        lines,
        [
            "a.py:1:1: AL001 'await' outside function".to_string(),
            format!("loop1.py:1:1: {looped}"),
            format!("loop2.py:1:1: {looped}"),
            format!("self.py:1:1: {looped}"),
            "sub/b.py:1:1: AL001 'await' outside function".to_string(),
        ]
    );
    let (code, lines) = project.concise(&["sub/up/sub/up/sub/up", "self.py"]);
    assert_eq!(code, 2);
    assert_eq!(
        positions(&lines),
        [
            "self.py:1:1: AL900",
            "sub/up/sub/up/sub/up/a.py:1:1: AL001",
            "sub/up/sub/up/sub/up/loop1.py:1:1: AL900",
            "sub/up/sub/up/sub/up/loop2.py:1:1: AL900",
            "sub/up/sub/up/sub/up/self.py:1:1: AL900",
            "sub/up/sub/up/sub/up/sub/b.py:1:1: AL001",
        ]
    );
}

/// A file and a directory nobody may read, as an unprivileged user (root reads
/// everything; `tests/cli.rs` skips there, this runs as `nobody` through `setpriv`).
#[test]
fn permission_denied_as_an_unprivileged_user() {
    use std::os::unix::fs::PermissionsExt;
    if !can_run_as_nobody() {
        println!("skipped: `setpriv` cannot run the binary as nobody (not root?)");
        return;
    }
    let project = Project::new();
    fs::set_permissions(project.root(), fs::Permissions::from_mode(0o755)).expect("chmod");
    project.write("a.py", "await x\n");
    let secret = project.write("secret.py", "await x\n");
    project.write("locked/inner.py", "await x\n");
    let locked = project.root().join("locked");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).expect("chmod");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
    let lint = |args: &[&str]| {
        Asynclint::as_nobody(project.root())
            .args(&[args, &["--output-format", "concise"]].concat())
            .run()
    };
    let walked = lint(&[]);
    let named = lint(&["secret.py", "locked", "a.py", "locked/inner.py"]);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod back");
    let expected = "a.py:1:1: AL001 'await' outside function\n\
                    locked:1:1: AL900 Permission denied\n\
                    secret.py:1:1: AL900 Permission denied\nFound 3 errors.\n";
    assert_eq!(walked.code(), 2);
    assert_eq!(walked.stdout, expected);
    assert_eq!(named.code(), 2);
    assert_eq!(
        named.stdout,
        "a.py:1:1: AL001 'await' outside function\n\
         locked:1:1: AL900 Permission denied\n\
         locked/inner.py:1:1: AL900 Permission denied\n\
         secret.py:1:1: AL900 Permission denied\nFound 4 errors.\n"
    );
}

/// Files deleted and rewritten while a run walks and lints them: every file that was found
/// is reported, either linted or with an AL900 (deleted before it was read: "No such file
/// or directory"; changed between the two reads a file with `noqa` comments may need: "the
/// file changed or disappeared while it was being linted; run again"); the untouched files
/// are all linted; nothing panics. Which files are caught mid-run depends on timing, so
/// each outcome is allowed for the touched files; the others are exact.
#[test]
fn files_that_disappear_or_change_during_the_run() {
    let project = Project::new();
    let count = 1_500;
    for i in 0..count {
        // `# noqa` on another line: the file is read again after phase 1.
        project.write(
            format!("pkg/m{i:04}.py"),
            format!("x = {i}  # noqa: AL002\nawait y\n"),
        );
    }
    let root = project.root().to_path_buf();
    let child = Command::new(BIN)
        .current_dir(&root)
        .args(["--no-cache", "--output-format", "concise", "-j", "2"])
        .env_remove("ASYNCLINT_TEST_PANIC_ON")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Delete every third file and rewrite every third (with the diagnostic moved) while
    // the run goes on.
    for i in (0..count).rev() {
        if i % 25 == 0 {
            // Spread over the run's walk and reads.
            std::thread::sleep(Duration::from_millis(2));
        }
        let path = root.join(format!("pkg/m{i:04}.py"));
        match i % 3 {
            0 => {
                let _ = fs::remove_file(&path);
            }
            1 => {
                // As editors save: a new file renamed over the old one, so that a reader
                // sees one or the other, never half of one.
                let temporary = root.join(format!("pkg/m{i:04}.tmp"));
                let _ = fs::write(
                    &temporary,
                    format!("\n\n\nx = {i}  # noqa: AL002\nawait y\n"),
                );
                let _ = fs::rename(&temporary, &path);
            }
            _ => {}
        }
    }
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let code = output.status.code().expect("exit status");
    let lines: Vec<&str> = stdout.lines().collect();
    let (summary, lines) = lines.split_last().expect("summary");
    assert!(summary.starts_with("Found "), "{summary}");
    let mut io_errors = 0;
    let mut outcomes = std::collections::BTreeMap::new();
    for i in 0..count {
        let name = format!("pkg/m{i:04}.py");
        let mine: Vec<&&str> = lines
            .iter()
            .filter(|l| l.starts_with(&format!("{name}:")))
            .collect();
        let linted_old = format!("{name}:2:1: AL001 'await' outside function");
        let linted_new = format!("{name}:5:1: AL001 'await' outside function");
        let gone = format!("{name}:1:1: AL900 No such file or directory");
        let changed = format!(
            "{name}:1:1: AL900 the file changed or disappeared while it was being linted; run \
             again"
        );
        match i % 3 {
            2 => assert_eq!(mine, [&linted_old.as_str()], "untouched {name}"),
            0 => {
                // Deleted before the walk saw it: not a file of this run.
                let allowed = mine.is_empty()
                    || mine == [&linted_old.as_str()]
                    || mine == [&gone.as_str()]
                    || mine.iter().any(|l| **l == changed);
                assert!(allowed, "deleted {name}: {mine:?}");
            }
            _ => {
                let allowed = mine == [&linted_old.as_str()]
                    || mine == [&linted_new.as_str()]
                    || mine.iter().any(|l| **l == changed);
                assert!(allowed, "rewritten {name}: {mine:?}");
            }
        }
        io_errors += mine.iter().filter(|l| l.contains("AL900")).count();
        let outcome = match mine.first() {
            None => "not found",
            Some(l) if l.contains("No such file") => "gone",
            Some(l) if l.contains("changed") => "changed",
            Some(l) if l.contains(":5:1:") => "new text",
            Some(_) => "old text",
        };
        *outcomes.entry((i % 3, outcome)).or_insert(0) += 1;
    }
    println!("(i % 3, outcome) → files: {outcomes:?}");
    assert_eq!(code, if io_errors > 0 { 2 } else { 1 }, "{stdout}");
}

// ---------------------------------------------------------------------------------------
// Output: closed pipes, configuration errors, panics
// ---------------------------------------------------------------------------------------

/// `asynclint | head -c 1` in every format: asynclint exits with its own status (1:
/// diagnostics), without a message. With standard error closed too, the messages it could
/// not write are dropped and the status is still the run's (`eprintln!` used to panic
/// there: exit status 101).
#[test]
fn closed_stdout_and_stderr_end_the_run_quietly_in_every_format() {
    let project = Project::new();
    project.write("many.py", "await x\n".repeat(3_000));
    for &format in OutputFormat::value_variants() {
        let name = format
            .to_possible_value()
            .expect("name")
            .get_name()
            .to_string();
        let script = format!("'{BIN}' --no-cache --output-format {name} . 2>err; echo $? >status",);
        let output = Command::new("sh")
            .current_dir(project.root())
            .args(["-c", &format!("({script}) | head -c 1 >/dev/null")])
            .output()
            .expect("sh");
        assert!(output.status.success(), "{name}");
        let status = fs::read_to_string(project.root().join("status")).expect("status");
        let err = fs::read_to_string(project.root().join("err")).expect("stderr");
        assert_eq!(status.trim(), "1", "{name}: {err}");
        assert_eq!(err, "", "{name}");
    }
    // Both closed: messages on standard error cannot be shown, and the status is still
    // the run's (1, and 2 for a configuration error).
    for (args, expected) in [("--fix --show-fixes", "1"), ("--config 'select = ['", "2")] {
        let output = Command::new("sh")
            .current_dir(project.root())
            .args([
                "-c",
                &format!("('{BIN}' --no-cache {args} . 2>&1; echo $? >status) | true"),
            ])
            .output()
            .expect("sh");
        assert!(output.status.success());
        let status = fs::read_to_string(project.root().join("status")).expect("status");
        assert_eq!(status.trim(), expected, "{args}");
    }
}

/// A configuration file that is not TOML stops the run with exit status 2, naming the
/// file and the line; the path is escaped when it holds terminal controls.
#[test]
fn invalid_toml_configuration_names_the_file_and_line() {
    let project = Project::new();
    project.write(
        "a/asynclint.toml",
        "select = [\"AL001\"]\nignore = [\n\"AL002\"\nfoo = = 1\n",
    );
    project.write("a/x.py", "await x\n");
    project.write("b/.asynclint.toml", "target-version = 'py312\n");
    project.write("b/x.py", "await x\n");
    project.write(
        "c/pyproject.toml",
        "[tool.asynclint]\nselect = [\"AL001\"\n",
    );
    project.write("c/x.py", "await x\n");
    let evil = "d\x1b[31m\u{202e}";
    project.write(format!("{evil}/asynclint.toml"), "x = [\n");
    project.write(format!("{evil}/x.py"), "await x\n");
    let root = fs::canonicalize(project.root()).expect("canonical root");
    let cases = [
        (
            "a",
            format!("{}/a/asynclint.toml: line 4: invalid TOML", root.display()),
        ),
        (
            "b",
            format!("{}/b/.asynclint.toml: line 1: invalid TOML", root.display()),
        ),
        ("c", format!("{}/c/pyproject.toml", root.display())),
        (
            evil,
            format!(
                "{}/d\\u{{1b}}[31m\\u{{202e}}/asynclint.toml: line 2: invalid TOML",
                root.display()
            ),
        ),
    ];
    for (directory, expected) in cases {
        let run = project.run(&[directory]);
        assert_eq!(run.code(), 2, "{directory}");
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(
            run.stderr
                .starts_with(&format!("asynclint: error: {expected}")),
            "{directory}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("line 2") || directory != "c",
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains('\x1b') && !run.stderr.contains('\u{202e}'));
    }
}

/// A panic while linting one file (forced, in debug builds, by `ASYNCLINT_TEST_PANIC_ON`)
/// is an AL901 for that file; every other file is linted; the exit status is 2.
#[test]
fn a_panic_in_a_worker_is_an_internal_error_for_that_file_only() {
    if !cfg!(debug_assertions) {
        println!("skipped: the panic hook exists in debug builds only");
        return;
    }
    let project = Project::new();
    for i in 0..20 {
        project.write(format!("m{i:02}.py"), "await x\n");
    }
    let run = Asynclint::new(project.root())
        .env("ASYNCLINT_TEST_PANIC_ON", "m07.py")
        .args(&["--output-format", "json"])
        .run();
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    let items: Vec<Value> = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(items.len(), 20);
    for (i, item) in items.iter().enumerate() {
        let filename = item["filename"].as_str().expect("filename");
        assert!(filename.ends_with(&format!("/m{i:02}.py")), "{filename}");
        let code = item["code"].as_str().expect("code");
        if i == 7 {
            assert_eq!(code, "AL901");
            let message = item["message"].as_str().expect("message");
            assert!(
                message.starts_with(
                    "internal error while linting this file: ASYNCLINT_TEST_PANIC_ON asked for \
                     a panic here. This is a bug in asynclint"
                ),
                "{message}"
            );
        } else {
            assert_eq!(code, "AL001");
        }
    }
    // The panic is also printed where it happened, once, for the bug report.
    assert_eq!(run.stderr.matches("panicked").count(), 1, "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------
// Output that cannot be turned against its reader
// ---------------------------------------------------------------------------------------

fn plain() -> RenderOptions {
    RenderOptions {
        color: false,
        cwd: PathBuf::new(),
        rules: Vec::new(),
        statistics: false,
    }
}

/// The fuzz targets' checks of one format's output of `count` diagnostics.
fn check_format(name: &str, output: &str, count: usize) {
    let format = <OutputFormat as ValueEnum>::from_str(name, false).expect("format");
    pipeline::check_output(format, output, count, &plain());
}

/// Files whose names and contents try to break out of every format: a newline, a
/// workflow command, `%`-escapes, ESC sequences, bidirectional overrides, XML markup, and
/// an undecodable name.
fn crafted_project() -> (Project, usize) {
    use std::os::unix::ffi::OsStrExt;
    let project = Project::new();
    let names = [
        "new\nline.py",
        "::error file=x.py,line=1::injected.py",
        "%0A%25::warning::x.py",
        "e\x1b[31mred\x1b]0;title\x07.py",
        "r\u{202e}yp.txt.py",
        "x<a b=\"&amp;\">]]>'.py",
        "c1\u{85}\u{9b}31m\u{7f}.py",
    ];
    for name in names {
        project.write(name, "await x\n");
    }
    project.write(
        std::ffi::OsStr::from_bytes(b"bytes\xff\x1b.py"),
        "await x\n",
    );
    // Contents: controls in strings and comments, in a `noqa` code that is echoed back,
    // and as a stray character the parser names.
    project.write(
        "content.py",
        "x = '\x1b[2J\u{202e}\u{2066}'  # \x1b]0;title\x07 %0A ::error::x\nawait y  # noqa: \
         AL002\u{202e}X, ::error::\n",
    );
    project.write("stray.py", "x = 1\n\u{1b}[2J \u{202e} = 2\n");
    let run = project.run(&["--output-format", "json"]);
    let items: Vec<Value> = serde_json::from_str(&run.stdout).expect("JSON");
    (project, items.len())
}

/// Every format but `github`: no raw control or bidirectional character, every
/// diagnostic once, machine formats that parse (JUnit as well-formed XML).
#[test]
fn crafted_names_and_contents_are_escaped_in_every_format() {
    let (project, count) = crafted_project();
    assert!(count >= 10, "{count}");
    for &format in OutputFormat::value_variants() {
        let name = format
            .to_possible_value()
            .expect("name")
            .get_name()
            .to_string();
        if name == "github" {
            continue;
        }
        let run = project.run(&["--output-format", &name]);
        assert_eq!(run.code(), 1, "{name}: {}", run.stderr);
        check_format(&name, &run.stdout, count);
        // GitHub Actions reads a workflow command from any line a step prints (leading
        // spaces trimmed), whatever the format: a path that starts with `:` is shown as
        // `./:…` (see docs/security.md).
        for line in run.stdout.lines() {
            let line = line.trim_start();
            assert!(
                !line.starts_with("::") && !line.starts_with("##["),
                "{name}: a line starts a workflow command: {line:?}"
            );
        }
        let statistics = project.run(&["--output-format", &name, "--statistics"]);
        assert!(!statistics.stdout.contains('\x1b'), "{name} --statistics");
    }
}

/// `github`: one workflow command per diagnostic, no line that starts a command of its own
/// (`::` only at the start of ours), no raw control or bidirectional character.
#[test]
fn crafted_names_and_contents_cannot_inject_workflow_commands() {
    let (project, count) = crafted_project();
    let run = project.run(&["--output-format", "github"]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    for line in run.stdout.lines() {
        assert!(
            line.starts_with("::error title=asynclint (")
                || line.starts_with("::warning title=asynclint ("),
            "{line:?}"
        );
    }
    check_format("github", &run.stdout, count);
}

// ---------------------------------------------------------------------------------------
// Fuzzing's finds
// ---------------------------------------------------------------------------------------

/// Every input the fuzz targets found a failure with (`tests/data/crashes/`, see
/// `docs/fuzzing.md`), through the fuzz targets' own pipeline and checks in every setup
/// (target version, plain file or notebook, colour, statistics, fixing), and through the
/// binary as a `.py` file and as a notebook's code.
#[test]
fn fuzzing_finds_stay_fixed() {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/crashes");
    let mut inputs: Vec<PathBuf> = fs::read_dir(&directory)
        .expect("tests/data/crashes")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "bin"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let project = Project::new();
    for input in &inputs {
        let bytes = fs::read(input).expect("crash input");
        for setup in 0..=u8::MAX {
            let outcome = std::panic::catch_unwind(|| {
                pipeline::run(&bytes, pipeline::Setup::from_byte(setup));
            });
            assert!(
                outcome.is_ok(),
                "{} with setup {setup:#04x} ({:?})",
                input.display(),
                pipeline::Setup::from_byte(setup)
            );
        }
        let name = input
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        project.write(format!("{name}.py"), &bytes);
        let text = String::from_utf8_lossy(&bytes);
        let cells: Vec<Value> = text
            .split("\n##\n")
            .map(|cell| serde_json::json!({"cell_type": "code", "metadata": {}, "source": cell}))
            .collect();
        let notebook =
            serde_json::json!({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5});
        project.write(format!("{name}.ipynb"), notebook.to_string());
    }
    let run = project.run(&["--output-format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let items: Vec<Value> = serde_json::from_str(&run.stdout).expect("JSON");
    assert!(
        items.iter().all(|item| item["code"] != "AL901"),
        "{}",
        run.stdout
    );
}
