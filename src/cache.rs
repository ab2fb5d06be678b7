//! A cache of clean files. A file whose lint found nothing — no diagnostic, no check left
//! for the project-wide phase, no `noqa` comment — is remembered by a key made of
//! asynclint's version, the file's settings, its path and its content; next time, the
//! file is read and hashed but not parsed, and its project facts come from the cache.
//! Anything else is linted again, so the cache can only save time, never change a result.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::linter::LintOptions;
use crate::project::ModuleFacts;

/// The cache directory used when none is given: `.asynclint_cache` in the current
/// directory.
pub const DEFAULT_DIRECTORY: &str = ".asynclint_cache";

/// Entries of one run: key → the facts of a clean file.
#[derive(Default, Serialize, Deserialize)]
struct Entries {
    version: String,
    files: HashMap<String, Option<ModuleFacts>>,
}

pub struct Cache {
    file: PathBuf,
    entries: Entries,
}

impl Cache {
    /// Opens the cache in `directory`; a missing, unreadable or outdated cache is empty.
    pub fn open(directory: &Path) -> Self {
        let file = directory.join("clean-files.json");
        let entries = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Entries>(&bytes).ok())
            .filter(|entries| entries.version == env!("CARGO_PKG_VERSION"))
            .unwrap_or_default();
        Self { file, entries }
    }

    /// The facts of a file known to be clean, if it is.
    pub fn clean_facts(&self, key: &str) -> Option<Option<ModuleFacts>> {
        self.entries.files.get(key).cloned()
    }

    /// Replaces the cache with this run's clean files, atomically (a temporary file
    /// renamed into place), creating the directory with a `.gitignore` of its own.
    pub fn save(
        &self,
        clean: impl IntoIterator<Item = (String, Option<ModuleFacts>)>,
    ) -> std::io::Result<()> {
        let entries = Entries {
            version: env!("CARGO_PKG_VERSION").to_string(),
            files: clean.into_iter().collect(),
        };
        let directory = self.file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(directory)?;
        let ignore = directory.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "# Created by asynclint.\n*\n")?;
        }
        let temporary = directory.join(format!("clean-files.{}.tmp", std::process::id()));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&temporary)?);
        serde_json::to_writer(&mut out, &entries)?;
        out.flush()?;
        drop(out);
        std::fs::rename(&temporary, &self.file)
    }
}

/// The key of a file: everything its result depends on.
pub fn key(path: &Path, bytes: &[u8], options: &LintOptions) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    path.hash(&mut hasher);
    bytes.hash(&mut hasher);
    options.target_version.hash(&mut hasher);
    options.top_level_await.hash(&mut hasher);
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
    use crate::project::{DefinitionKind, ModuleFacts};

    #[test]
    fn saves_and_reopens() {
        let directory = tempfile::tempdir().unwrap();
        let cache = Cache::open(directory.path());
        assert!(cache.clean_facts("k").is_none());
        let facts = ModuleFacts {
            module: "pkg.mod".into(),
            definitions: vec![("x".into(), DefinitionKind::Other)],
        };
        cache
            .save([("k".to_string(), Some(facts.clone()))])
            .unwrap();
        let reopened = Cache::open(directory.path());
        let found = reopened.clean_facts("k").unwrap().unwrap();
        assert_eq!(found.module, facts.module);
        assert!(directory.path().join(".gitignore").exists());
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
