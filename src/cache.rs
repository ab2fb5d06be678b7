//! A cache of lint results. Each file's result is remembered by a key made of asynclint's
//! version, the file's settings, its path and its content: its phase-1 diagnostics, its
//! `# noqa` directives, what phase 2 added to it, and its project facts and deferred checks
//! (encoded apart). Next time, a file with the same key is read and hashed but not parsed.
//!
//! When every file of a run has the key it had in the run that stored the cache (the same
//! [`run_fingerprint`]), the project is the same, so are phase 2's decisions, and the stored
//! ones are used as they are: the facts are never decoded. Otherwise the facts and checks
//! are decoded and phase 2 runs as for fresh results. Either way the `# noqa` comments are
//! applied afresh, so the cache can only save time, never change a result.
//!
//! Not cached: files that could not be read or decoded, internal errors, and results that
//! cannot be stored (a phase-2 decision missing from [`crate::registry::DECIDERS`]).

use std::hash::Hash;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

use serde::{Deserialize, Serialize};
use serde_bytes::Bytes;

use crate::diagnostic::Diagnostic;
use crate::linter::LintOptions;
use crate::project::{ModuleFacts, PendingCheck};
use crate::suppression::Directives;

/// The cache directory used when none is given: `.asynclint_cache` in the current
/// directory.
pub const DEFAULT_DIRECTORY: &str = ".asynclint_cache";

/// The file in the cache directory.
pub const FILE_NAME: &str = "lint-results.postcard";

/// Identifies a file's result: a hash of everything it depends on ([`key`]).
pub type Key = u128;

/// A file's result, as read.
#[derive(Default)]
pub struct Entry {
    /// Its phase-1 diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// Its `# noqa` comments.
    pub directives: Directives,
    /// What phase 2 added to it in the run that stored it: still right when that run's
    /// files are all the same as this run's ([`Cache::run`]).
    pub decided: Vec<Diagnostic>,
    /// Where its facts and deferred checks are in the cache ([`Cache::deferred`]),
    /// encoded apart ([`encode_deferred`]): a run that can reuse `decided` never decodes
    /// them, nor copies them.
    pub deferred: std::ops::Range<usize>,
    /// Whether they hold checks (phase 2 may add diagnostics to the file).
    pub has_pending: bool,
}

/// [`Entry`] as the file holds it, its encoded part borrowed from the file's bytes.
#[derive(Deserialize)]
struct StoredEntry<'a> {
    diagnostics: Vec<Diagnostic>,
    directives: Directives,
    decided: Vec<Diagnostic>,
    #[serde(borrow)]
    deferred: &'a Bytes,
    has_pending: bool,
}

/// A file's contribution to phase 2.
#[derive(Deserialize)]
pub struct Deferred {
    pub facts: Option<ModuleFacts>,
    pub pending: Vec<PendingCheck>,
}

#[derive(Serialize)]
struct DeferredRef<'a> {
    facts: &'a Option<ModuleFacts>,
    pending: &'a [PendingCheck],
}

/// A file's facts and deferred checks as the cache stores them; `None` when a check's
/// decision cannot be stored (one missing from [`crate::registry::DECIDERS`]).
pub fn encode_deferred(facts: &Option<ModuleFacts>, pending: &[PendingCheck]) -> Option<Vec<u8>> {
    postcard::to_allocvec(&DeferredRef { facts, pending }).ok()
}

/// Decodes what [`encode_deferred`] encoded; `None` when it names a rule or a decision
/// this build does not know.
pub fn decode_deferred(bytes: &[u8]) -> Option<Deferred> {
    postcard::from_bytes(bytes).ok()
}

/// A file's result, borrowed for storing.
#[derive(Serialize)]
pub struct EntryRef<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub directives: &'a Directives,
    pub decided: &'a [Diagnostic],
    pub deferred: &'a Bytes,
    pub has_pending: bool,
}

/// What the file holds after the build id.
#[derive(Deserialize)]
struct Stored<'a> {
    /// [`run_fingerprint`] of the run that wrote it.
    run: u64,
    #[serde(borrow)]
    files: Vec<(Key, StoredEntry<'a>)>,
}

#[derive(Serialize)]
struct StoredRef<'a> {
    run: u64,
    files: Vec<(Key, EntryRef<'a>)>,
}

/// Entries of one run, as read: key → result, taken (not copied) by the file that has
/// the key.
#[derive(Default)]
struct Entries {
    run: Option<u64>,
    files: rustc_hash::FxHashMap<Key, Mutex<Option<Entry>>>,
    /// The cache file's bytes, where the entries' encoded parts are.
    bytes: Vec<u8>,
}

/// The file is the [`build_id`] of the asynclint that wrote it, then the entries, both in
/// postcard's compact binary encoding (decoding 40 MB of JSON was a quarter of a cached
/// run's time). The encoding does not name fields, so only the build that wrote a cache
/// may read it: a different build id ends the reading before the entries are decoded.
fn encode(out: &mut impl std::io::Write, stored: &StoredRef<'_>) -> std::io::Result<()> {
    let to_io = |error: postcard::Error| std::io::Error::other(error.to_string());
    postcard::to_io(&build_id(), &mut *out).map_err(to_io)?;
    postcard::to_io(stored, out).map_err(to_io)?;
    Ok(())
}

fn decode(bytes: Vec<u8>) -> Option<Entries> {
    let (build, rest) = postcard::take_from_bytes::<String>(&bytes).ok()?;
    if build != build_id() {
        return None;
    }
    let stored: Stored = postcard::from_bytes(rest).ok()?;
    let start = bytes.as_ptr() as usize;
    let files = stored
        .files
        .into_iter()
        .map(|(key, entry)| {
            let offset = entry.deferred.as_ptr() as usize - start;
            let entry = Entry {
                diagnostics: entry.diagnostics,
                directives: entry.directives,
                decided: entry.decided,
                deferred: offset..offset + entry.deferred.len(),
                has_pending: entry.has_pending,
            };
            (key, Mutex::new(Some(entry)))
        })
        .collect();
    Some(Entries {
        run: Some(stored.run),
        files,
        bytes,
    })
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

    /// The [`run_fingerprint`] of the run that stored the cache, if there is one.
    pub fn run(&self) -> Option<u64> {
        self.entries().run
    }

    /// The encoded facts and deferred checks of an entry ([`Entry::deferred`]).
    pub fn deferred(&self, range: std::ops::Range<usize>) -> &[u8] {
        self.entries().bytes.get(range).unwrap_or_default()
    }

    /// The stored result of a file, if its key is known. Each entry is handed out once
    /// (a file is linted once per run).
    pub fn take(&self, key: Key) -> Option<Entry> {
        let slot = self.entries().files.get(&key)?;
        slot.lock().ok()?.take()
    }

    /// Replaces the cache with the results of the run `run` ([`run_fingerprint`] of their
    /// keys), atomically (a temporary file renamed into place), creating the directory with
    /// a `.gitignore` of its own.
    pub fn save<'a>(
        &self,
        run: u64,
        results: impl IntoIterator<Item = (Key, EntryRef<'a>)>,
    ) -> std::io::Result<()> {
        let stored = StoredRef {
            run,
            files: results.into_iter().collect(),
        };
        let directory = self.file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(directory)?;
        let ignore = directory.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "# Created by asynclint.\n*\n")?;
        }
        let temporary = directory.join(format!("{FILE_NAME}.{}.tmp", std::process::id()));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&temporary)?);
        encode(&mut out, &stored)?;
        out.flush()?;
        drop(out);
        std::fs::rename(&temporary, &self.file)
    }
}

fn read_entries(file: &Path) -> Entries {
    std::fs::read(file)
        .ok()
        .and_then(decode)
        .unwrap_or_default()
}

/// Identifies a run by the keys of its files: the same keys mean the same files with the
/// same settings, hence the same facts and the same phase-2 decisions.
pub fn run_fingerprint(keys: impl IntoIterator<Item = Key>) -> u64 {
    let mut keys: Vec<Key> = keys.into_iter().collect();
    keys.sort_unstable();
    let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
    keys.hash(&mut hasher);
    hasher.digest()
}

/// The key of a file: everything its result depends on.
pub fn key(path: &Path, bytes: &[u8], options: &LintOptions) -> Key {
    // xxh3: hashing every file's content is most of a cached run (SipHash took 8% of it).
    let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
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
    for rule in options.rules.iter() {
        rule.code.hash(&mut hasher);
    }
    options.rule_options.blocking_calls.hash(&mut hasher);
    // A name deferred to phase 2 or not depends on which packages the tree holds.
    options.project_fingerprint.hash(&mut hasher);
    hasher.digest128()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{DefinitionKind, Target};
    use crate::registry;
    use ruff_text_size::{TextRange, TextSize};

    #[test]
    fn saves_and_reopens_every_part_of_a_result() {
        let directory = tempfile::tempdir().unwrap();
        let cache = Cache::open(directory.path());
        assert!(cache.take(7).is_none());
        assert_eq!(cache.run(), None);
        let range = TextRange::at(TextSize::new(3), TextSize::new(4));
        let diagnostic =
            Diagnostic::new(&crate::rules::get_event_loop_in_coroutine::RULE, "m", range).with_fix(
                crate::fix::Fix::safe("f", vec![crate::fix::Edit::replacement(range, "x")]),
            );
        let decided = Diagnostic::new(&crate::rules::coroutine_not_awaited::RULE, "d", range);
        let facts = Some(ModuleFacts {
            module: "pkg.mod".into(),
            definitions: vec![("x".into(), DefinitionKind::Other)],
        });
        let pending = vec![PendingCheck {
            rule: &crate::rules::coroutine_not_awaited::RULE,
            target: Target::Symbol("pkg.db.fetch".into()),
            decide: crate::rules::coroutine_not_awaited::decide,
            sites: vec![(range, "how".into())],
        }];
        let deferred = encode_deferred(&facts, &pending).unwrap();
        let entry = EntryRef {
            diagnostics: std::slice::from_ref(&diagnostic),
            directives: &Directives::default(),
            decided: std::slice::from_ref(&decided),
            deferred: Bytes::new(&deferred),
            has_pending: true,
        };
        cache.save(42, [(7, entry)]).unwrap();
        let reopened = Cache::open(directory.path());
        assert_eq!(reopened.run(), Some(42));
        let found = reopened.take(7).unwrap();
        assert!(reopened.take(7).is_none(), "an entry is handed out once");
        assert_eq!(found.diagnostics[0].rule.code, "AL121");
        assert_eq!(found.diagnostics[0].fix, diagnostic.fix);
        assert_eq!(found.decided[0].message, "d");
        assert!(found.has_pending);
        let restored = decode_deferred(reopened.deferred(found.deferred)).unwrap();
        assert_eq!(restored.facts.as_ref().unwrap().module, "pkg.mod");
        let check = &restored.pending[0];
        assert_eq!(check.rule.code, "AL101");
        assert_eq!(check.target, Target::Symbol("pkg.db.fetch".into()));
        assert_eq!(
            registry::decider_name(check.decide),
            registry::decider_name(crate::rules::coroutine_not_awaited::decide)
        );
        assert!(directory.path().join(".gitignore").exists());
    }

    /// The shapes of the stored types with plain strings where the cache names rules and
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
    struct RawDeferred<'a> {
        facts: Option<ModuleFacts>,
        pending: Vec<RawPending<'a>>,
    }

    #[derive(Serialize)]
    struct RawEntry<'a> {
        diagnostics: Vec<RawDiagnostic<'a>>,
        directives: Directives,
        decided: Vec<RawDiagnostic<'a>>,
        deferred: &'a Bytes,
        has_pending: bool,
    }

    fn write_raw(directory: &Path, build: &str, entry: RawEntry<'_>) {
        let mut bytes = postcard::to_stdvec(build).unwrap();
        bytes.extend(postcard::to_stdvec(&(3u64, vec![(7u128, entry)])).unwrap());
        std::fs::write(directory.join(FILE_NAME), bytes).unwrap();
    }

    #[test]
    fn a_cache_of_another_build_or_naming_an_unknown_rule_or_decision_is_ignored() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path();
        let no_deferred = postcard::to_stdvec(&RawDeferred {
            facts: None,
            pending: Vec::new(),
        })
        .unwrap();
        let diagnostic = |rule| RawDiagnostic {
            rule,
            message: "m",
            range: None,
            fix: None,
        };
        let entry = |rule, deferred| RawEntry {
            diagnostics: vec![diagnostic(rule)],
            directives: Directives::default(),
            decided: Vec::new(),
            deferred: Bytes::new(deferred),
            has_pending: false,
        };
        write_raw(path, &build_id(), entry("AL001", &no_deferred));
        let cache = Cache::open(path);
        assert_eq!(cache.run(), Some(3));
        let found = cache.take(7).unwrap();
        assert_eq!(found.diagnostics[0].rule.code, "AL001");
        assert!(decode_deferred(cache.deferred(found.deferred)).is_some());
        write_raw(path, "asynclint 0.0.0 None", entry("AL001", &no_deferred));
        assert!(Cache::open(path).take(7).is_none());
        write_raw(path, &build_id(), entry("XX999", &no_deferred));
        assert!(Cache::open(path).is_empty());
        // An unknown decision is found when the deferred part is decoded: the run then
        // lints the file again (`run::restore_deferred`).
        let unknown_decision = postcard::to_stdvec(&RawDeferred {
            facts: None,
            pending: vec![RawPending {
                rule: "AL101",
                target: Target::Symbol("a.b".into()),
                decide: "rm -rf",
                sites: Vec::new(),
            }],
        })
        .unwrap();
        write_raw(path, &build_id(), entry("AL001", &unknown_decision));
        let cache = Cache::open(path);
        let found = cache.take(7).unwrap();
        assert!(decode_deferred(cache.deferred(found.deferred)).is_none());
        std::fs::write(path.join(FILE_NAME), b"{not a cache").unwrap();
        assert!(Cache::open(path).is_empty());
    }

    /// Every decision a rule defers to phase 2 is in `registry::DECIDERS`, so that every
    /// file can be cached: the fixtures, linted with every rule and nothing known about
    /// the project (so that every check about another module is deferred).
    #[test]
    fn every_deferred_decision_can_be_stored() {
        let options = LintOptions {
            rules: registry::RULES.into(),
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
    fn a_run_is_known_by_its_set_of_keys() {
        assert_eq!(run_fingerprint([1, 2, 3]), run_fingerprint([3, 1, 2]));
        assert_ne!(run_fingerprint([1, 2, 3]), run_fingerprint([1, 2]));
        assert_ne!(run_fingerprint([1, 2, 3]), run_fingerprint([1, 2, 4]));
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
