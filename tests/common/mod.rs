//! Helpers shared by the integration tests that run the built binary: a temporary
//! [`Project`] directory, the [`Asynclint`] runner with a timeout, and its [`Run`].
//!
//! Each test file keeps what is its own as inherent methods on these types: its
//! `Project::new` (the prefix of its temporary directories), its `Asynclint::new` (its
//! timeout and the environment and arguments it isolates the binary from) and its
//! ways of reading the output.

// Each test file is its own crate and uses only a subset of these helpers; the rest
// would be reported as dead code in that crate.
#![allow(dead_code)]

use std::fs;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_asynclint");

/// A temporary project directory, removed when dropped.
pub struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// A new empty directory whose name starts with `prefix`.
    pub fn with_prefix(prefix: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .expect("temporary directory");
        Self { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The working directory as the binary sees it (the canonical path, as
    /// `current_dir()` returns it there).
    pub fn canonical_root(&self) -> PathBuf {
        fs::canonicalize(self.root()).expect("canonical root")
    }

    /// Writes a file, creating its parent directories.
    pub fn write(&self, relative: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root().join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent directories");
        }
        fs::write(&path, contents).expect("write file");
        path
    }

    /// Writes each (name, contents) of a table of files.
    pub fn write_all(&self, files: &[(&str, &[u8])]) {
        for (name, bytes) in files {
            self.write(name, bytes);
        }
    }

    pub fn mkdir(&self, relative: impl AsRef<Path>) -> PathBuf {
        let path = self.root().join(relative);
        fs::create_dir_all(&path).expect("create directory");
        path
    }
}

/// One invocation of the binary.
pub struct Asynclint {
    command: Command,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

impl Asynclint {
    /// The binary in `cwd`, isolated from the variables of the test run's environment that
    /// change its output; killed (and failing) after `timeout`.
    pub fn isolated(cwd: &Path, timeout: Duration) -> Self {
        let mut command = Command::new(BIN);
        command
            .current_dir(cwd)
            .env_remove("ASYNCLINT_OUTPUT_FORMAT")
            .env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR");
        Self::from_command(command, timeout)
    }

    /// Any command (such as the binary run through a wrapper), killed after `timeout`.
    pub fn from_command(command: Command, timeout: Duration) -> Self {
        Self {
            command,
            stdin: None,
            timeout,
        }
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.command.arg(arg);
        self
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.command.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs to completion, killing the process (and failing) after the timeout; records
    /// the wall time and the peak resident memory. Output goes through files, so a large
    /// output cannot block the child while we wait.
    pub fn run(mut self) -> Run {
        let mut stdout = tempfile::tempfile().expect("stdout file");
        let mut stderr = tempfile::tempfile().expect("stderr file");
        let stdin = match self.stdin.take() {
            Some(bytes) => {
                let mut file = tempfile::tempfile().expect("stdin file");
                file.write_all(&bytes).expect("write stdin");
                file.rewind().expect("rewind stdin");
                Stdio::from(file)
            }
            None => Stdio::null(),
        };
        let started = Instant::now();
        let mut child = self
            .command
            .stdin(stdin)
            .stdout(stdout.try_clone().expect("clone stdout file"))
            .stderr(stderr.try_clone().expect("clone stderr file"))
            .spawn()
            .expect("spawn asynclint");
        let status_file = format!("/proc/{}/status", child.id());
        let mut peak_kib = 0;
        let status = loop {
            if let Ok(status) = fs::read_to_string(&status_file)
                && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
            {
                let kib = line.split_whitespace().nth(1).and_then(|n| n.parse().ok());
                peak_kib = peak_kib.max(kib.unwrap_or(0));
            }
            if let Some(status) = child.try_wait().expect("wait for asynclint") {
                break status;
            }
            if started.elapsed() > self.timeout {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "asynclint {:?} did not finish in {:?}",
                    self.command, self.timeout
                );
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let elapsed = started.elapsed();
        let read = |file: &mut fs::File| {
            let mut bytes = Vec::new();
            file.rewind().expect("rewind output");
            file.read_to_end(&mut bytes).expect("read output");
            bytes
        };
        let (stdout, stderr) = (read(&mut stdout), read(&mut stderr));
        Run {
            status: status.code(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stdout_bytes: stdout,
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            elapsed,
            peak_kib,
        }
    }
}

/// What one run of the binary did.
pub struct Run {
    /// `None` when killed by a signal.
    pub status: Option<i32>,
    /// Standard output, any invalid UTF-8 replaced; the bytes are in `stdout_bytes`.
    pub stdout: String,
    pub stdout_bytes: Vec<u8>,
    pub stderr: String,
    pub elapsed: Duration,
    /// Peak resident memory seen while polling, in KiB.
    pub peak_kib: u64,
}

impl Run {
    /// The exit status; the process must have exited normally, without a panic.
    pub fn code(&self) -> i32 {
        assert!(
            !self.stderr.contains("panicked"),
            "asynclint panicked:\n{}",
            self.stderr
        );
        self.status.unwrap_or_else(|| {
            panic!(
                "asynclint was killed by a signal\nstdout:\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}
