//! A cache of lint results. Each file's phase-1 result — its diagnostics, its `# noqa`
//! directives, its project facts and the checks it left for the project-wide phase — is
//! remembered by a key made of asynclint's version, the file's settings, its path and its
//! content. Next time, a file with the same key is read and hashed but not parsed: its
//! phase-1 result comes from the cache, and phase 2 and the `# noqa` comments are applied
//! to it exactly as to a fresh one, so the cache can only save time, never change a result.
//!
//! Not cached: files that could not be read or decoded, internal errors, and results that
//! cannot be stored (a phase-2 decision missing from [`crate::registry::DECIDERS`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::linter::{LintOptions, ProjectPart};
use crate::registry;

/// The cache directory used when none is given: `.asynclint_cache` in the current
/// directory.
pub const DEFAULT_DIRECTORY: &str = ".asynclint_cache";

/// The file in the cache directory.
pub const FILE_NAME: &str = "lint-results.postcard";

/// A file's phase-1 result, as stored.
#[derive(Default, Deserialize)]
pub struct Entry {
    pub diagnostics: Vec<Diagnostic>,
    pub project: ProjectPart,
}

/// A file's phase-1 result, borrowed for storing.
#[derive(Serialize)]
pub struct EntryRef<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub project: &'a ProjectPart,
}

impl EntryRef<'_> {
    /// Whether the entry can be stored and read back as it is.
    pub fn is_storable(&self) -> bool {
        self.project
            .pending
            .iter()
            .all(|check| registry::decider_name(check.decide).is_some())
    }
}

/// Entries of one run, as read: key → result, taken (not copied) by the file that has
/// the key.
#[derive(Default)]
struct Entries {
    files: HashMap<String, Mutex<Option<Entry>>>,
}

/// The file is the [`build_id`] of the asynclint that wrote it, then the entries, both in
/// postcard's compact binary encoding (decoding 40 MB of JSON was a quarter of a cached
/// run's time). The encoding does not name fields, so only the build that wrote a cache
/// may read it: a different build id ends the reading before the entries are decoded.
fn encode(
    out: &mut impl std::io::Write,
    files: &HashMap<&str, EntryRef<'_>>,
) -> std::io::Result<()> {
    let to_io = |error: postcard::Error| std::io::Error::other(error.to_string());
    postcard::to_io(&build_id(), &mut *out).map_err(to_io)?;
    postcard::to_io(files, out).map_err(to_io)?;
    Ok(())
}

fn decode(bytes: &[u8]) -> Option<Entries> {
    let (build, rest) = postcard::take_from_bytes::<String>(bytes).ok()?;
    if build != build_id() {
        return None;
    }
    let files: HashMap<String, Entry> = postcard::from_bytes(rest).ok()?;
    let files = files
        .into_iter()
        .map(|(key, entry)| (key, Mutex::new(Some(entry))))
        .collect();
    Some(Entries { files })
}

/// Identifies this build of asynclint: its version and, where the executable can be
/// found, its size and modification time, so that a rebuilt binary (whose cached types may
/// have another shape) never reads another build's cache.
fn build_id() -> String {
    let stamp = std::env::current_exe()
        .and_then(std::fs::metadata)
        .ok()
        .map(|metadata| {
            let modified = metadata
                .modified()
                .ok()
                .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_nanos());
            (metadata.len(), modified)
        });
    format!("asynclint {} {stamp:?}", env!("CARGO_PKG_VERSION"))
}

pub struct Cache {
    file: PathBuf,
    /// Read on a thread of its own while the tree is walked; waited for at first use.
    loading: Mutex<Option<JoinHandle<Entries>>>,
    entries: OnceLock<Entries>,
}

impl Cache {
    /// Opens the cache in `directory`, reading it in the background; a missing,
    /// unreadable, malformed or outdated cache is empty.
    pub fn open(directory: &Path) -> Self {
        let file = directory.join(FILE_NAME);
        let reading = file.clone();
        let loading = std::thread::Builder::new()
            .name("asynclint-cache".into())
            .spawn(move || read_entries(&reading))
            .ok();
        Self {
            file,
            loading: Mutex::new(loading),
            entries: OnceLock::new(),
        }
    }

    fn entries(&self) -> &Entries {
        self.entries.get_or_init(|| {
            let handle = self.loading.lock().ok().and_then(|mut slot| slot.take());
            // A thread that could not start or that panicked leaves the cache empty.
            handle
                .and_then(|handle| handle.join().ok())
                .unwrap_or_default()
        })
    }

    /// How many results the cache holds (as read, before any is taken).
    pub fn len(&self) -> usize {
        self.entries().files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stored result of a file, if its key is known. Each entry is handed out once
    /// (a file is linted once per run).
    pub fn take(&self, key: &str) -> Option<Entry> {
        let slot = self.entries().files.get(key)?;
        slot.lock().ok()?.take()
    }

    /// Replaces the cache with this run's results, atomically (a temporary file renamed
    /// into place), creating the directory with a `.gitignore` of its own. Entries that
    /// cannot be stored are left out.
    pub fn save<'a>(
        &self,
        results: impl IntoIterator<Item = (&'a str, EntryRef<'a>)>,
    ) -> std::io::Result<()> {
        let files: HashMap<&str, EntryRef<'_>> = results
            .into_iter()
            .filter(|(_, entry)| entry.is_storable())
            .collect();
        // The same keys as stored: every file was found in the cache, nothing to write.
        let stored = &self.entries().files;
        if files.len() == stored.len() && files.keys().all(|key| stored.contains_key(*key)) {
            return Ok(());
        }
        let directory = self.file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(directory)?;
        let ignore = directory.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "# Created by asynclint.\n*\n")?;
        }
        let temporary = directory.join(format!("{FILE_NAME}.{}.tmp", std::process::id()));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&temporary)?);
        encode(&mut out, &files)?;
        out.flush()?;
        drop(out);
        std::fs::rename(&temporary, &self.file)
    }
}

fn read_entries(file: &Path) -> Entries {
    std::fs::read(file)
        .ok()
        .and_then(|bytes| decode(&bytes))
        .unwrap_or_default()
}

/// The key of a file: everything its result depends on.
pub fn key(path: &Path, bytes: &[u8], options: &LintOptions) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    path.hash(&mut hasher);
    bytes.hash(&mut hasher);
    options.target_version.hash(&mut hasher);
    options.top_level_await.hash(&mut hasher);
    options.notebook.hash(&mut hasher);
    options
        .module
        .as_ref()
        .map(|m| (&m.name, m.is_package))
        .hash(&mut hasher);
    for rule in &options.rules {
        rule.code.hash(&mut hasher);
    }
    options.rule_options.blocking_calls.hash(&mut hasher);
    // A name deferred to phase 2 or not depends on which packages the tree holds.
    options.project_fingerprint.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{DefinitionKind, ModuleFacts, PendingCheck, Target};
    use ruff_text_size::{TextRange, TextSize};

    #[test]
    fn saves_and_reopens_every_part_of_a_result() {
        let directory = tempfile::tempdir().unwrap();
        let cache = Cache::open(directory.path());
        assert!(cache.take("k").is_none());
        let range = TextRange::at(TextSize::new(3), TextSize::new(4));
        let diagnostic =
            Diagnostic::new(&crate::rules::get_event_loop_in_coroutine::RULE, "m", range).with_fix(
                crate::fix::Fix::safe("f", vec![crate::fix::Edit::replacement(range, "x")]),
            );
        let project = ProjectPart {
            facts: Some(ModuleFacts {
                module: "pkg.mod".into(),
                definitions: vec![("x".into(), DefinitionKind::Other)],
            }),
            pending: vec![PendingCheck {
                rule: &crate::rules::coroutine_not_awaited::RULE,
                target: Target::Symbol("pkg.db.fetch".into()),
                decide: crate::rules::coroutine_not_awaited::decide,
                sites: vec![(range, "how".into())],
            }],
            directives: crate::suppression::Directives::default(),
        };
        let entry = EntryRef {
            diagnostics: std::slice::from_ref(&diagnostic),
            project: &project,
        };
        assert!(entry.is_storable());
        cache.save([("k", entry)]).unwrap();
        let reopened = Cache::open(directory.path());
        let found = reopened.take("k").unwrap();
        assert_eq!(found.diagnostics[0].rule.code, "AL121");
        assert_eq!(found.diagnostics[0].fix, diagnostic.fix);
        assert_eq!(found.project.facts.as_ref().unwrap().module, "pkg.mod");
        let check = &found.project.pending[0];
        assert_eq!(check.rule.code, "AL101");
        assert_eq!(check.target, Target::Symbol("pkg.db.fetch".into()));
        assert_eq!(
            registry::decider_name(check.decide),
            registry::decider_name(crate::rules::coroutine_not_awaited::decide)
        );
        assert!(directory.path().join(".gitignore").exists());
    }

    /// The shapes of [`Entry`] with plain strings where the cache names rules and
    /// decisions, to write caches that asynclint would not write.
    #[derive(Serialize)]
    struct RawDiagnostic<'a> {
        rule: &'a str,
        message: &'a str,
        range: Option<TextRange>,
        fix: Option<crate::fix::Fix>,
    }

    #[derive(Serialize)]
    struct RawPending<'a> {
        rule: &'a str,
        target: Target,
        decide: &'a str,
        sites: Vec<(TextRange, Box<str>)>,
    }

    #[derive(Serialize)]
    struct RawProject<'a> {
        facts: Option<ModuleFacts>,
        pending: Vec<RawPending<'a>>,
        directives: crate::suppression::Directives,
    }

    #[derive(Serialize)]
    struct RawEntry<'a> {
        diagnostics: Vec<RawDiagnostic<'a>>,
        project: RawProject<'a>,
    }

    fn write_raw(directory: &Path, build: &str, entry: &RawEntry<'_>) {
        let mut bytes = postcard::to_stdvec(build).unwrap();
        let files: HashMap<&str, &RawEntry<'_>> = HashMap::from([("k", entry)]);
        bytes.extend(postcard::to_stdvec(&files).unwrap());
        std::fs::write(directory.join(FILE_NAME), bytes).unwrap();
    }

    #[test]
    fn a_cache_of_another_build_or_naming_an_unknown_rule_or_decision_is_ignored() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path();
        let project = || RawProject {
            facts: None,
            pending: Vec::new(),
            directives: crate::suppression::Directives::default(),
        };
        let diagnostic = |rule| RawDiagnostic {
            rule,
            message: "m",
            range: None,
            fix: None,
        };
        let good = RawEntry {
            diagnostics: vec![diagnostic("AL001")],
            project: project(),
        };
        write_raw(path, &build_id(), &good);
        assert_eq!(
            Cache::open(path).take("k").unwrap().diagnostics[0]
                .rule
                .code,
            "AL001"
        );
        write_raw(path, "asynclint 0.0.0 None", &good);
        assert!(Cache::open(path).take("k").is_none());
        let unknown_rule = RawEntry {
            diagnostics: vec![diagnostic("XX999")],
            project: project(),
        };
        write_raw(path, &build_id(), &unknown_rule);
        assert!(Cache::open(path).take("k").is_none());
        let unknown_decision = RawEntry {
            diagnostics: Vec::new(),
            project: RawProject {
                pending: vec![RawPending {
                    rule: "AL101",
                    target: Target::Symbol("a.b".into()),
                    decide: "rm -rf",
                    sites: Vec::new(),
                }],
                ..project()
            },
        };
        write_raw(path, &build_id(), &unknown_decision);
        assert!(Cache::open(path).take("k").is_none());
        std::fs::write(path.join(FILE_NAME), b"{not a cache").unwrap();
        assert!(Cache::open(path).is_empty());
    }

    /// Every decision a rule defers to phase 2 is in `registry::DECIDERS`, so that every
    /// file can be cached: the fixtures, linted with every rule and nothing known about
    /// the project (so that every check about another module is deferred).
    #[test]
    fn every_deferred_decision_can_be_stored() {
        let options = LintOptions {
            rules: registry::RULES.to_vec(),
            ..LintOptions::default()
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut directories = vec![root];
        let mut seen = std::collections::HashSet::new();
        while let Some(directory) = directories.pop() {
            for entry in std::fs::read_dir(&directory).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    directories.push(path);
                } else if path.extension().is_some_and(|e| e == "py") {
                    let linted = crate::linter::lint_bytes(std::fs::read(&path).unwrap(), &options);
                    for check in &linted.project.pending {
                        let name = registry::decider_name(check.decide);
                        assert!(
                            name.is_some(),
                            "{}: {} defers with a decision missing from DECIDERS",
                            path.display(),
                            check.rule.code
                        );
                        seen.insert(name);
                    }
                }
            }
        }
        // And each decision of the table is used by some fixture.
        assert_eq!(seen.len(), registry::DECIDERS.len(), "{seen:?}");
    }

    #[test]
    fn keys_change_with_content_and_settings() {
        let options = LintOptions::default();
        let a = key(Path::new("a.py"), b"x = 1\n", &options);
        assert_ne!(a, key(Path::new("a.py"), b"x = 2\n", &options));
        assert_ne!(a, key(Path::new("b.py"), b"x = 1\n", &options));
        let newer = LintOptions {
            target_version: crate::target_version::TargetVersion::Py313,
            ..LintOptions::default()
        };
        assert_ne!(a, key(Path::new("a.py"), b"x = 1\n", &newer));
    }
}
