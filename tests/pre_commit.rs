//! The pre-commit hook in `.pre-commit-hooks.yaml`, run by the real `pre-commit try-repo`
//! against a throwaway git repository: a file with an async/await error fails the hook and
//! the output names the file and the code; a clean file passes.
//!
//! `pre-commit` is taken from `$ASYNCLINT_PRE_COMMIT`, else from `PATH`; without it (or
//! without git) the test is skipped with a printed reason. `.ci/run` installs it.
//!
//! `language: rust` makes pre-commit build the hook with `cargo install`. The test
//! snapshots the working tree (tracked and untracked, not ignored, files) into a temporary
//! repository, so uncommitted changes are what is tested, and builds with a target
//! directory kept under `target/pre-commit-test` (and an unoptimised release profile), so
//! only the first run compiles the dependencies (a few minutes; later runs take about 25
//! seconds each); `CARGO_HOME` is left as it is, so the registry cache is reused.
//! pre-commit's `cargo install` resolves dependencies afresh (it does not pass `--locked`),
//! so it needs crates.io; when that cannot be reached the test is skipped with a reason
//! (`CARGO_NET_OFFLINE=true` makes cargo resolve from its cache instead).
//! `ASYNCLINT_PRE_COMMIT_TARGET_DIR` moves the build directory.

use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The first run builds asynclint and its dependencies; later runs rebuild asynclint only.
const HOOK_TIMEOUT: Duration = Duration::from_secs(20 * 60);
const GIT_TIMEOUT: Duration = Duration::from_secs(60);

const BAD: &str = "import asyncio\n\n\ndef handler():\n    await asyncio.sleep(1)\n";
const GOOD: &str = "import asyncio\n\n\nasync def handler():\n    await asyncio.sleep(1)\n";

struct Output {
    code: Option<i32>,
    text: String,
}

/// Runs `command` with standard output and error merged into one text, killing its whole
/// process group (pre-commit, cargo, rustc) when it runs past `timeout`.
fn run(command: &mut Command, timeout: Duration) -> Output {
    use std::os::unix::process::CommandExt;
    let mut log = tempfile::tempfile().expect("log file");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone log"))
        .stderr(log.try_clone().expect("clone log"))
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > timeout {
            // The group's id is the child's: `kill -KILL -PID` ends every process in it.
            let _ = Command::new("kill")
                .args(["-KILL", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut text = String::new();
    log.rewind().expect("rewind log");
    let mut bytes = Vec::new();
    log.read_to_end(&mut bytes).expect("read log");
    text.push_str(&String::from_utf8_lossy(&bytes));
    match status {
        Some(status) => Output {
            code: status.code(),
            text,
        },
        None => panic!("{command:?} did not finish in {timeout:?}; output so far:\n{text}"),
    }
}

fn git(cwd: &Path, args: &[&str]) -> Output {
    let output = run(
        Command::new("git")
            .current_dir(cwd)
            .args([
                "-c",
                "user.name=asynclint test",
                "-c",
                "user.email=test@example.invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args),
        GIT_TIMEOUT,
    );
    assert_eq!(
        output.code,
        Some(0),
        "git {args:?} failed:\n{}",
        output.text
    );
    output
}

/// `name` on `PATH`, as an executable file.
fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|directory| directory.join(name))
        .find(|candidate| {
            fs::metadata(candidate)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

fn find_pre_commit() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("ASYNCLINT_PRE_COMMIT") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "ASYNCLINT_PRE_COMMIT={} does not exist",
                path.display()
            ))
        };
    }
    on_path("pre-commit").ok_or_else(|| {
        "pre-commit is not on PATH (pip install pre-commit, or set ASYNCLINT_PRE_COMMIT)".into()
    })
}

/// A committed copy of the working tree: every tracked and untracked file git does not
/// ignore, as it is on disk now.
fn snapshot_working_tree(repo: &Path, into: &Path) -> usize {
    let listed = git(
        repo,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    let mut copied = 0;
    for relative in listed.text.split('\0').filter(|s| !s.is_empty()) {
        let source = repo.join(relative);
        // Deleted but not yet staged, or a submodule: nothing to copy.
        if !source.is_file() {
            continue;
        }
        let target = into.join(relative);
        fs::create_dir_all(target.parent().expect("a file has a parent")).expect("mkdir");
        fs::copy(&source, &target).unwrap_or_else(|e| panic!("copy {relative}: {e}"));
        copied += 1;
    }
    git(into, &["init", "--quiet"]);
    git(into, &["add", "--all"]);
    git(
        into,
        &["commit", "--quiet", "--no-verify", "-m", "snapshot"],
    );
    copied
}

fn try_repo(pre_commit: &Path, user_repo: &Path, hook_repo: &Path, home: &Path) -> Output {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = std::env::var_os("ASYNCLINT_PRE_COMMIT_TARGET_DIR")
        .map_or_else(|| manifest.join("target/pre-commit-test"), PathBuf::from);
    let mut command = Command::new(pre_commit);
    command
        .current_dir(user_repo)
        .arg("try-repo")
        .arg(hook_repo)
        .args(["asynclint", "--all-files", "--color", "never", "--verbose"])
        // pre-commit's own cache (the hook's environment) stays in the test's directory.
        .env("PRE_COMMIT_HOME", home)
        // `cargo install` builds here, and keeps what it built for the next run.
        .env("CARGO_TARGET_DIR", &target_dir)
        // The hook is exercised, not benchmarked: build fast.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("ASYNCLINT_OUTPUT_FORMAT")
        .env_remove("FORCE_COLOR")
        // A git hook that is running us must not point pre-commit at its repository.
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE");
    // The same git identity as `git()`, for pre-commit's own git calls.
    command
        .env("GIT_CONFIG_COUNT", "3")
        .env("GIT_CONFIG_KEY_0", "user.name")
        .env("GIT_CONFIG_VALUE_0", "asynclint test")
        .env("GIT_CONFIG_KEY_1", "user.email")
        .env("GIT_CONFIG_VALUE_1", "test@example.invalid")
        .env("GIT_CONFIG_KEY_2", "commit.gpgsign")
        .env("GIT_CONFIG_VALUE_2", "false");
    run(&mut command, HOOK_TIMEOUT)
}

/// Whether cargo failed for want of the network.
fn is_network_failure(output: &str) -> bool {
    [
        "Could not resolve host",
        "failed to query replaced source registry",
        "spurious network error",
        "failed to download from",
        "Unable to update registry",
    ]
    .iter()
    .any(|needle| output.contains(needle))
}

#[test]
fn pre_commit_hook_fails_on_a_bad_file_and_passes_on_a_clean_one() {
    let started = Instant::now();
    let pre_commit = match find_pre_commit() {
        Ok(path) => path,
        Err(reason) => {
            println!("skipped: {reason}");
            return;
        }
    };
    if on_path("git").is_none() {
        println!("skipped: git is not on PATH");
        return;
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !manifest.join(".git").exists() {
        println!("skipped: {} is not a git checkout", manifest.display());
        return;
    }
    let version = run(Command::new(&pre_commit).arg("--version"), GIT_TIMEOUT);
    println!("using {} ({})", pre_commit.display(), version.text.trim());

    let scratch = tempfile::Builder::new()
        .prefix("asynclint-pre-commit-")
        .tempdir()
        .expect("temporary directory");
    let hook_repo = scratch.path().join("asynclint");
    let user_repo = scratch.path().join("project");
    let home = scratch.path().join("pre-commit-home");
    fs::create_dir_all(&hook_repo).unwrap();
    fs::create_dir_all(&user_repo).unwrap();

    let copied = snapshot_working_tree(manifest, &hook_repo);
    println!(
        "snapshot of the working tree: {copied} files in {:.1?}",
        started.elapsed()
    );

    git(&user_repo, &["init", "--quiet"]);
    fs::write(user_repo.join("bad.py"), BAD).unwrap();
    fs::write(user_repo.join("README.txt"), "await is not Python here\n").unwrap();
    git(&user_repo, &["add", "--all"]);

    // 1. A file with an error: the hook fails and says where and what.
    let first = Instant::now();
    let failing = try_repo(&pre_commit, &user_repo, &hook_repo, &home);
    println!(
        "try-repo with bad.py (builds the hook): exit {:?} in {:.1?}",
        failing.code,
        first.elapsed()
    );
    println!("{}", failing.text.trim_end());
    if failing.code != Some(1) && is_network_failure(&failing.text) {
        // `cargo install` (which ignores Cargo.lock) could not reach crates.io: a fact
        // about this machine, not the hook. `CARGO_NET_OFFLINE=true` builds from the cache.
        println!("skipped: building the hook needs crates.io, which cannot be reached");
        return;
    }
    assert_eq!(
        failing.code,
        Some(1),
        "the hook must fail on bad.py:\n{}",
        failing.text
    );
    assert!(
        failing.text.contains("bad.py") && failing.text.contains("AL002"),
        "the output must name bad.py and AL002:\n{}",
        failing.text
    );
    assert!(
        failing.text.contains("asynclint") && failing.text.contains("Failed"),
        "{}",
        failing.text
    );
    assert!(
        !failing.text.contains("README.txt"),
        "only Python files are passed to the hook:\n{}",
        failing.text
    );

    // 2. Only a clean file: the hook passes.
    git(&user_repo, &["rm", "--force", "--quiet", "bad.py"]);
    fs::write(user_repo.join("good.py"), GOOD).unwrap();
    git(&user_repo, &["add", "--all"]);
    let second = Instant::now();
    let passing = try_repo(&pre_commit, &user_repo, &hook_repo, &home);
    println!(
        "try-repo with good.py: exit {:?} in {:.1?}",
        passing.code,
        second.elapsed()
    );
    assert_eq!(
        passing.code,
        Some(0),
        "the hook must pass on good.py:\n{}",
        passing.text
    );
    assert!(passing.text.contains("Passed"), "{}", passing.text);
    println!("pre-commit test total: {:.1?}", started.elapsed());
}
