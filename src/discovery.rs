//! Finding the files to lint: paths named on the command line are always linted; the
//! directories among them are walked in parallel, honouring `.gitignore`/`.ignore` and
//! skipping the directories no one wants linted.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use std::sync::Arc;

use crate::config::Resolver;
use crate::settings::ConfigError;

/// Directory names never descended into (ruff's defaults, plus caches and build output).
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".asynclint_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// Extensions linted when found by walking a directory.
pub const PYTHON_EXTENSIONS: &[&str] = &["py", "pyi", "ipynb"];

/// A path that could not be walked or read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    pub path: PathBuf,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Discovered {
    /// Sorted, without duplicates.
    pub files: Vec<PathBuf>,
    pub errors: Vec<PathError>,
}

/// Finds the files to lint. Walked entries that the settings of their directory exclude
/// are skipped; paths named explicitly never are. A configuration error met on the way
/// stops the run.
pub fn discover(
    paths: &[PathBuf],
    threads: usize,
    resolver: &Arc<Resolver>,
) -> Result<Discovered, ConfigError> {
    let cwd = std::env::current_dir().ok();
    let mut named: Vec<PathBuf> = paths
        .iter()
        .map(|path| normalize(path, cwd.as_deref()))
        .collect();
    named.sort();
    named.dedup();
    let mut discovered = Discovered::default();
    let mut directories = Vec::new();
    for path in named {
        match std::fs::metadata(&path) {
            Ok(metadata) if metadata.is_dir() => directories.push(path),
            // A path named explicitly is linted whatever its name or extension.
            Ok(_) => discovered.files.push(path),
            Err(error) => discovered.errors.push(PathError {
                message: describe_missing(&path, &error),
                path,
            }),
        }
    }
    if !directories.is_empty() {
        walk(&directories, threads, resolver, &mut discovered)?;
    }
    // The same file reached twice (`src src/a.py`, `./a.py a.py`) is linted once.
    for file in &mut discovered.files {
        *file = normalize(file, cwd.as_deref());
    }
    for error in &mut discovered.errors {
        error.path = normalize(&error.path, cwd.as_deref());
    }
    discovered.files.sort_by(|a, b| path_order(a, b));
    discovered
        .files
        .dedup_by(|a, b| a.as_os_str() == b.as_os_str());
    discovered
        .errors
        .sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    discovered.errors.dedup();
    Ok(discovered)
}

/// The order of [`Path`]'s `Ord` (component by component) for normalized paths, on their
/// bytes with the separator below every other byte: comparing components one by one was
/// most of the walk's own time.
#[cfg(unix)]
fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    use std::os::unix::ffi::OsStrExt;
    let key = |byte: &u8| {
        if *byte == b'/' {
            0
        } else {
            u16::from(*byte) + 1
        }
    };
    let (a, b) = (a.as_os_str().as_bytes(), b.as_os_str().as_bytes());
    a.iter().map(key).cmp(b.iter().map(key))
}

#[cfg(not(unix))]
fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    a.cmp(b)
}

/// One spelling per path, without touching the file system: `.` components dropped, and
/// absolute paths inside the working directory made relative to it. `..` is kept, since
/// resolving it lexically is wrong when a symbolic link precedes it.
pub fn normalize(path: &Path, cwd: Option<&Path>) -> PathBuf {
    let relative = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let cleaned: PathBuf = relative
        .components()
        .filter(|component| !matches!(component, Component::CurDir))
        .collect();
    if cleaned.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}

fn describe_missing(path: &Path, error: &std::io::Error) -> String {
    let is_broken_link = error.kind() == std::io::ErrorKind::NotFound
        && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_broken_link {
        "broken symbolic link: its target does not exist".to_string()
    } else {
        error_message(error)
    }
}

/// `std::io::Error`'s text without the `(os error N)` suffix users need not read.
pub fn error_message(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(end) => text[..end].to_string(),
        None => text,
    }
}

fn walk(
    roots: &[PathBuf],
    threads: usize,
    resolver: &Arc<Resolver>,
    discovered: &mut Discovered,
) -> Result<(), ConfigError> {
    let mut builder = WalkBuilder::new(&roots[0]);
    for root in &roots[1..] {
        builder.add(root);
    }
    let failure: Arc<Mutex<Option<ConfigError>>> = Arc::default();
    let (filter_resolver, filter_failure) = (Arc::clone(resolver), Arc::clone(&failure));
    builder
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .threads(threads)
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let directory = entry.path().parent().unwrap_or(entry.path());
            match filter_resolver.settings_for(directory) {
                Ok(settings) => !settings.is_excluded(entry.path()),
                Err(error) => {
                    let mut failure = filter_failure.lock().unwrap_or_else(|e| e.into_inner());
                    failure.get_or_insert(error);
                    false
                }
            }
        });
    let found = Mutex::new((Vec::new(), Vec::new()));
    builder.build_parallel().run(|| {
        let found = &found;
        // Each walker thread gathers locally and hands its batch over once, at the end.
        let mut batch = Batch {
            files: Vec::new(),
            errors: Vec::new(),
            sink: found,
        };
        Box::new(move |entry| {
            batch.take(entry);
            WalkState::Continue
        })
    });
    if let Some(error) = failure.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(error);
    }
    let (files, errors) = found.into_inner().unwrap_or_else(|e| e.into_inner());
    discovered.files.extend(files);
    discovered.errors.extend(errors);
    Ok(())
}

pub fn has_python_extension(path: &Path) -> bool {
    path.extension()
        .and_then(OsStr::to_str)
        .is_some_and(|ext| PYTHON_EXTENSIONS.contains(&ext))
}

type Found = Mutex<(Vec<PathBuf>, Vec<PathError>)>;

struct Batch<'s> {
    files: Vec<PathBuf>,
    errors: Vec<PathError>,
    sink: &'s Found,
}

impl Batch<'_> {
    fn take(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) {
        match entry {
            Ok(entry) => {
                let Some(file_type) = entry.file_type() else {
                    return;
                };
                if file_type.is_dir() || !has_python_extension(entry.path()) {
                    return;
                }
                if file_type.is_symlink() {
                    // Linked files are linted; a link to nothing is reported.
                    match std::fs::metadata(entry.path()) {
                        Ok(target) if target.is_dir() => return,
                        Ok(_) => {}
                        Err(error) => {
                            self.errors.push(PathError {
                                path: entry.path().to_path_buf(),
                                message: describe_missing(entry.path(), &error),
                            });
                            return;
                        }
                    }
                }
                self.files.push(entry.into_path());
            }
            Err(error) => self.errors.push(walk_error(error)),
        }
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        let mut sink = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        sink.0.append(&mut self.files);
        sink.1.append(&mut self.errors);
    }
}

fn walk_error(error: ignore::Error) -> PathError {
    let mut path = None;
    let mut current = &error;
    let message = loop {
        match current {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| p.clone());
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = err;
            }
            ignore::Error::Io(io) => break error_message(io),
            ignore::Error::Loop { child, .. } => {
                path.get_or_insert_with(|| child.clone());
                break "symbolic link loop".to_string();
            }
            other => break other.to_string(),
        }
    };
    PathError {
        path: path.unwrap_or_default(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte order puts paths in the order of `Path`'s own `Ord`, which the output's
    /// order was defined by: separators, names that extend others, and bytes above `/`.
    #[test]
    fn path_order_is_the_order_of_paths() {
        let paths = [
            "a/b.py",
            "a-b/x.py",
            "a/b/c.py",
            "a.py",
            "a/b0.py",
            "a/b/../c.py",
            "A/b.py",
            "a b/c.py",
            "a/ü.py",
            "a/z.py",
            "ab",
            "a",
            "../up.py",
            "/abs/x.py",
        ];
        let mut by_bytes: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
        let mut by_components = by_bytes.clone();
        by_bytes.sort_by(|a, b| path_order(a, b));
        by_components.sort();
        assert_eq!(by_bytes, by_components);
    }
}
