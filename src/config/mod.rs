//! Settings per file. The closest configuration file to each file wins — `.asynclint.toml`,
//! `asynclint.toml`, or a `pyproject.toml` with a `[tool.asynclint]` table, searched from
//! the file's directory upwards — whatever the current directory and the other paths
//! given. `--config PATH` uses one file for everything, `--isolated` none; command-line
//! options and `--config 'KEY = VALUE'` pairs apply on top.

pub mod file;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::discovery::DEFAULT_EXCLUDES;
use crate::registry::{self, RuleMeta};
use crate::settings::{ConfigError, RuleOptions, TargetResolver};
use crate::target_version::TargetVersion;

pub use file::{Layout, Options};

/// Configuration file names, in the order they win within one directory.
pub const CONFIG_FILES: [(&str, Layout); 3] = [
    (".asynclint.toml", Layout::TopLevel),
    ("asynclint.toml", Layout::TopLevel),
    ("pyproject.toml", Layout::Pyproject),
];

/// What the command line says about settings.
#[derive(Clone, Debug, Default)]
pub struct CliOverrides {
    pub target_version: Option<TargetVersion>,
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Vec<String>,
    /// `--config` values: paths to a configuration file, or `KEY = VALUE` pairs.
    pub config: Vec<String>,
    /// `--isolated`: no configuration file at all.
    pub isolated: bool,
}

/// Globs of a configuration, matched against paths under its directory and, for those
/// without `/`, against file and directory names; all in one pass (the exclusions are
/// asked about every path walked, and matching them one by one showed in profiles).
#[derive(Clone, Debug)]
struct PathGlobs {
    full: GlobSet,
    names: GlobSet,
}

impl PathGlobs {
    /// The patterns' globs, or what is wrong with them.
    fn new<'p>(patterns: impl IntoIterator<Item = &'p str>, root: &Path) -> Result<Self, String> {
        let (mut full, mut names) = (GlobSetBuilder::new(), GlobSetBuilder::new());
        for pattern in patterns {
            let invalid = |e: globset::Error| format!("invalid glob `{pattern}`: {e}");
            full.add(Glob::new(&root.join(pattern).to_string_lossy()).map_err(invalid)?);
            if !pattern.contains('/') {
                names.add(Glob::new(pattern).map_err(invalid)?);
            }
        }
        let build = |set: GlobSetBuilder| set.build().map_err(|e| format!("invalid globs: {e}"));
        Ok(Self {
            full: build(full)?,
            names: build(names)?,
        })
    }

    fn is_match(&self, path: &Path) -> bool {
        self.full.is_match(path)
            || (!self.names.is_empty()
                && path
                    .file_name()
                    .is_some_and(|file_name| self.names.is_match(file_name)))
    }
}

/// The settings that apply to the files under one configuration.
#[derive(Debug)]
pub struct Settings {
    /// The configuration file, if any.
    pub source: Option<PathBuf>,
    /// The directory globs are relative to.
    pub root: PathBuf,
    /// Set by the configuration or the command line; else each file's nearest
    /// `requires-python` decides.
    pub target_version: Option<TargetVersion>,
    pub rules: Arc<[&'static RuleMeta]>,
    per_file_ignores: Vec<(PathGlobs, Vec<&'static RuleMeta>)>,
    exclude: PathGlobs,
    pub rule_options: RuleOptions,
    /// Identifies these settings (for the cache).
    pub fingerprint: u64,
    /// Relative paths asked about are relative to this directory.
    cwd: PathBuf,
}

impl Settings {
    fn build(
        options: Options,
        overrides: &CliOverrides,
        root: PathBuf,
        source: Option<PathBuf>,
        cwd: &Path,
    ) -> Result<Self, ConfigError> {
        let error = |message: String| ConfigError {
            path: source
                .clone()
                .unwrap_or_else(|| PathBuf::from("<command line>")),
            message,
        };
        let mut fingerprint = std::collections::hash_map::DefaultHasher::new();
        format!("{options:?}{overrides:?}{}", env!("CARGO_PKG_VERSION")).hash(&mut fingerprint);

        let resolve = |selectors: &[String]| -> Result<Vec<&'static RuleMeta>, ConfigError> {
            let mut rules = Vec::new();
            for selector in selectors {
                rules.extend(registry::resolve_selector(selector).map_err(error)?);
            }
            Ok(rules)
        };
        let mut rules = match overrides.select.as_ref().or(options.select.as_ref()) {
            Some(selectors) => resolve(selectors)?,
            None => registry::RULES
                .iter()
                .copied()
                .filter(|r| r.default_enabled)
                .collect(),
        };
        rules.extend(resolve(&options.extend_select)?);
        rules.extend(resolve(&overrides.extend_select)?);
        let mut ignored = resolve(options.ignore.as_deref().unwrap_or_default())?;
        ignored.extend(resolve(&overrides.ignore)?);
        rules.retain(|rule| !ignored.contains(rule));
        let rules = registry::RULES
            .iter()
            .copied()
            .filter(|rule| rules.contains(rule))
            .collect();

        let mut per_file_ignores = Vec::new();
        for (pattern, selectors) in options.per_file_ignores.unwrap_or_default() {
            let glob = PathGlobs::new([pattern.as_str()], &root).map_err(error)?;
            per_file_ignores.push((glob, resolve(&selectors)?));
        }
        let default_excludes: Vec<String> =
            DEFAULT_EXCLUDES.iter().map(|s| s.to_string()).collect();
        let exclude_patterns = overrides
            .exclude
            .clone()
            .or(options.exclude)
            .unwrap_or(default_excludes)
            .into_iter()
            .chain(options.extend_exclude)
            .chain(overrides.extend_exclude.iter().cloned())
            .collect::<Vec<String>>();
        let exclude =
            PathGlobs::new(exclude_patterns.iter().map(String::as_str), &root).map_err(error)?;

        Ok(Settings {
            source,
            root,
            target_version: overrides.target_version.or(options.target_version),
            rules,
            per_file_ignores,
            exclude,
            rule_options: RuleOptions {
                blocking_calls: options.async200_blocking_calls.unwrap_or_default(),
            },
            fingerprint: fingerprint.finish(),
            cwd: cwd.to_path_buf(),
        })
    }

    /// The rules to run on one file: the selection minus its per-file ignores.
    pub fn rules_for(&self, file: &Path) -> Arc<[&'static RuleMeta]> {
        // Shared, not copied, by the files no per-file ignore applies to.
        if self.per_file_ignores.is_empty() {
            return Arc::clone(&self.rules);
        }
        let file = absolute(&self.cwd, file);
        let ignored: Vec<&'static RuleMeta> = self
            .per_file_ignores
            .iter()
            .filter(|(glob, _)| glob.is_match(&file))
            .flat_map(|(_, rules)| rules.iter().copied())
            .collect();
        self.rules
            .iter()
            .copied()
            .filter(|rule| !ignored.contains(rule))
            .collect()
    }

    /// Whether walking should skip this file or directory.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let path = absolute(&self.cwd, path);
        self.exclude.is_match(&path)
    }
}

/// Finds and caches the settings of every directory.
pub struct Resolver {
    overrides: CliOverrides,
    /// Inline `--config 'KEY = VALUE'` pairs, applied over every file's configuration.
    inline: Options,
    /// `--config PATH` or `--isolated`: the same settings everywhere.
    fixed: Option<Arc<Settings>>,
    cwd: PathBuf,
    by_directory: Mutex<HashMap<PathBuf, Arc<Settings>>>,
    requires_python: Mutex<TargetResolver>,
}

impl Resolver {
    pub fn new(overrides: CliOverrides, cwd: PathBuf) -> Result<Self, ConfigError> {
        let cwd = absolute(Path::new("/"), &cwd);
        let mut inline = Options::default();
        let mut config_path = None;
        for value in &overrides.config {
            let path = absolute(&cwd, Path::new(value));
            if path.is_file() {
                config_path = Some(path);
            } else if value.contains('=') {
                let pair = file::parse(Path::new("--config"), value, Layout::TopLevel)?;
                inline = pair.over(inline);
            } else {
                return Err(ConfigError {
                    path: PathBuf::from(value),
                    message: "no such configuration file (to set a value, write `--config 'KEY = VALUE'`)".into(),
                });
            }
        }
        let mut resolver = Resolver {
            overrides,
            inline,
            fixed: None,
            cwd: cwd.clone(),
            by_directory: Mutex::new(HashMap::new()),
            requires_python: Mutex::new(TargetResolver::new(None)),
        };
        if let Some(path) = config_path {
            let layout = if path.file_name().is_some_and(|n| n == "pyproject.toml") {
                Layout::Pyproject
            } else {
                Layout::TopLevel
            };
            resolver.fixed = Some(resolver.settings_from_file(&path, layout)?);
        } else if resolver.overrides.isolated {
            let options = resolver.inline.clone();
            resolver.fixed = Some(Arc::new(Settings::build(
                options,
                &resolver.overrides,
                cwd.clone(),
                None,
                &cwd,
            )?));
        }
        Ok(resolver)
    }

    /// The directory relative paths are resolved against.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// The settings for a file or directory: those of the closest configuration above it.
    pub fn settings_for(&self, path: &Path) -> Result<Arc<Settings>, ConfigError> {
        if self.fixed.is_none() {
            let absolute = absolute(&self.cwd, path);
            if absolute.is_dir() {
                return self.directory_settings(&absolute);
            }
        }
        self.settings_for_file(path)
    }

    /// The settings for a path known to be a file (as the walk found it): those of its
    /// directory, without asking the file system what the path is (one `stat` a file was
    /// a tenth of a cached run).
    pub fn settings_for_file(&self, file: &Path) -> Result<Arc<Settings>, ConfigError> {
        if let Some(fixed) = &self.fixed {
            return Ok(Arc::clone(fixed));
        }
        let absolute = absolute(&self.cwd, file);
        match absolute.parent() {
            Some(directory) => self.directory_settings(directory),
            None => self.directory_settings(&absolute),
        }
    }

    fn directory_settings(&self, directory: &Path) -> Result<Arc<Settings>, ConfigError> {
        if let Some(known) = self.lock().get(directory) {
            return Ok(Arc::clone(known));
        }
        let settings = match find_config(directory) {
            Some((path, layout)) => self.settings_from_file(&path, layout)?,
            None => match directory.parent() {
                Some(parent) => self.directory_settings(parent)?,
                None => Arc::new(Settings::build(
                    self.inline.clone(),
                    &self.overrides,
                    self.cwd.clone(),
                    None,
                    &self.cwd,
                )?),
            },
        };
        self.lock()
            .insert(directory.to_path_buf(), Arc::clone(&settings));
        Ok(settings)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Arc<Settings>>> {
        self.by_directory.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn settings_from_file(
        &self,
        path: &Path,
        layout: Layout,
    ) -> Result<Arc<Settings>, ConfigError> {
        let options = load_with_extends(path, layout, &mut Vec::new())?;
        let options = self.inline.clone().over(options);
        let root = path
            .parent()
            .map_or_else(|| self.cwd.clone(), Path::to_path_buf);
        Ok(Arc::new(Settings::build(
            options,
            &self.overrides,
            root,
            Some(path.to_path_buf()),
            &self.cwd,
        )?))
    }

    /// The target version of a file: the settings', else the lower bound of the nearest
    /// `requires-python`, else the default.
    pub fn target_for(
        &self,
        file: &Path,
        settings: &Settings,
    ) -> Result<TargetVersion, ConfigError> {
        if let Some(version) = settings.target_version {
            return Ok(version);
        }
        let mut requires = self
            .requires_python
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        requires.target_for(&absolute(&self.cwd, file))
    }
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved lexically.
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut clean = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

/// The configuration file of a directory, if it has one.
fn find_config(directory: &Path) -> Option<(PathBuf, Layout)> {
    for (name, layout) in CONFIG_FILES {
        let candidate = directory.join(name);
        if !candidate.is_file() {
            continue;
        }
        if layout == Layout::Pyproject {
            let text = std::fs::read_to_string(&candidate).unwrap_or_default();
            if !file::pyproject_has_table(&text) {
                continue;
            }
        }
        return Some((candidate, layout));
    }
    None
}

/// Reads a configuration file and the files it `extend`s.
fn load_with_extends(
    path: &Path,
    layout: Layout,
    seen: &mut Vec<PathBuf>,
) -> Result<Options, ConfigError> {
    let error = |message: String| ConfigError {
        path: path.to_path_buf(),
        message,
    };
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if seen.contains(&canonical) {
        return Err(error("`extend` forms a cycle".into()));
    }
    seen.push(canonical);
    let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read: {e}")))?;
    let options = file::parse(path, &text, layout)?;
    match &options.extend {
        Some(base) => {
            let base_path = path.parent().unwrap_or(Path::new(".")).join(base);
            if !base_path.is_file() {
                return Err(error(format!(
                    "`extend` names `{}`, which does not exist",
                    base.display()
                )));
            }
            let base_layout = if base_path.file_name().is_some_and(|n| n == "pyproject.toml") {
                Layout::Pyproject
            } else {
                Layout::TopLevel
            };
            let base_options = load_with_extends(&base_path, base_layout, seen)?;
            Ok(options.over(base_options))
        }
        None => Ok(options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn codes(settings: &Settings, file: &Path) -> Vec<&'static str> {
        settings.rules_for(file).iter().map(|r| r.code).collect()
    }

    #[test]
    fn closest_configuration_wins_and_extends() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        write(
            &root.join("pyproject.toml"),
            "[tool.asynclint]\nselect = [\"AL001\", \"AL002\"]\n",
        );
        write(
            &root.join("sub/asynclint.toml"),
            "extend = \"../pyproject.toml\"\nignore = [\"AL002\"]\n",
        );
        write(
            &root.join("other/pyproject.toml"),
            "[project]\nname = \"no asynclint table\"\n",
        );
        let resolver = Resolver::new(CliOverrides::default(), root.to_path_buf()).unwrap();
        let top = resolver.settings_for(&root.join("a.py")).unwrap();
        assert_eq!(codes(&top, &root.join("a.py")), ["AL001", "AL002"]);
        let sub = resolver.settings_for(&root.join("sub/b.py")).unwrap();
        assert_eq!(codes(&sub, &root.join("sub/b.py")), ["AL001"]);
        // A pyproject.toml without a [tool.asynclint] table is not a configuration.
        let other = resolver.settings_for(&root.join("other/c.py")).unwrap();
        assert_eq!(
            other.source.as_deref(),
            Some(root.join("pyproject.toml").as_path())
        );
    }

    #[test]
    fn command_line_overrides_and_per_file_ignores() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        write(
            &root.join("asynclint.toml"),
            "select = [\"AL00\"]\n[per-file-ignores]\n\"tests/*\" = [\"AL001\"]\n",
        );
        let overrides = CliOverrides {
            extend_select: vec!["AL101".into()],
            ignore: vec!["AL002".into()],
            config: vec!["target-version = 'py38'".into()],
            ..CliOverrides::default()
        };
        let resolver = Resolver::new(overrides, root.to_path_buf()).unwrap();
        let settings = resolver.settings_for(&root.join("x.py")).unwrap();
        assert_eq!(settings.target_version, Some(TargetVersion::Py38));
        let normal = codes(&settings, &root.join("x.py"));
        assert!(
            normal.contains(&"AL001") && normal.contains(&"AL101") && !normal.contains(&"AL002")
        );
        let test_file = codes(&settings, &root.join("tests/test_x.py"));
        assert!(!test_file.contains(&"AL001"));
    }

    #[test]
    fn excludes_match_paths_and_names() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        write(
            &root.join("asynclint.toml"),
            "extend-exclude = [\"generated/*\", \"*_pb2.py\"]\n",
        );
        let resolver = Resolver::new(CliOverrides::default(), root.to_path_buf()).unwrap();
        let settings = resolver.settings_for(&root.join("x.py")).unwrap();
        assert!(settings.is_excluded(&root.join("generated/api.py")));
        assert!(settings.is_excluded(&root.join("deep/api_pb2.py")));
        assert!(settings.is_excluded(&root.join("venv")));
        assert!(!settings.is_excluded(&root.join("src/api.py")));
    }

    #[test]
    fn errors_stop_the_run_with_the_file_named() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        write(
            &root.join("asynclint.toml"),
            "extend = \"asynclint.toml\"\n",
        );
        let resolver = Resolver::new(CliOverrides::default(), root.to_path_buf()).unwrap();
        let error = resolver.settings_for(&root.join("x.py")).unwrap_err();
        assert!(error.message.contains("cycle"), "{}", error.message);
        let isolated = CliOverrides {
            isolated: true,
            ..CliOverrides::default()
        };
        let resolver = Resolver::new(isolated, root.to_path_buf()).unwrap();
        assert!(
            resolver
                .settings_for(&root.join("x.py"))
                .unwrap()
                .source
                .is_none()
        );
    }
}
