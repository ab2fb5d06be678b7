//! Per-file settings: what `--target-version` is for a file when the command line does not
//! say, read from the nearest `pyproject.toml` above it.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::target_version::TargetVersion;

/// Options of individual rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleOptions {
    /// ASYNC200: calls to report in async functions, as (pattern, suggestion). Patterns are
    /// dotted names where `*` matches one component (`my_lib.*.read`).
    pub blocking_calls: Vec<(String, String)>,
}

/// A configuration file that exists but cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Resolves each file's target version, reading each `pyproject.toml` once.
pub struct TargetResolver {
    /// `--target-version`, which overrides every file's project.
    forced: Option<TargetVersion>,
    /// Nearest project's target for each directory looked at so far.
    by_directory: HashMap<PathBuf, Option<TargetVersion>>,
}

impl TargetResolver {
    pub fn new(forced: Option<TargetVersion>) -> Self {
        Self {
            forced,
            by_directory: HashMap::new(),
        }
    }

    /// The target version for a file: `--target-version`, else the lower bound of the
    /// nearest `pyproject.toml`'s `requires-python`, else [`TargetVersion::DEFAULT`].
    pub fn target_for(&mut self, file: &Path) -> Result<TargetVersion, ConfigError> {
        if let Some(forced) = self.forced {
            return Ok(forced);
        }
        let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        let directory = absolute.parent().unwrap_or(Path::new("/")).to_path_buf();
        Ok(self
            .project_target(&directory)?
            .unwrap_or(TargetVersion::DEFAULT))
    }

    fn project_target(&mut self, directory: &Path) -> Result<Option<TargetVersion>, ConfigError> {
        if let Some(known) = self.by_directory.get(directory) {
            return Ok(*known);
        }
        let candidate = directory.join("pyproject.toml");
        let found = if candidate.is_file() {
            target_from_pyproject(&candidate)?
        } else {
            match directory.parent() {
                Some(parent) => self.project_target(parent)?,
                None => None,
            }
        };
        self.by_directory.insert(directory.to_path_buf(), found);
        Ok(found)
    }
}

/// The target a `pyproject.toml` implies: PEP 621 `project.requires-python`, else
/// Poetry's `tool.poetry.dependencies.python`.
fn target_from_pyproject(path: &Path) -> Result<Option<TargetVersion>, ConfigError> {
    let error = |message: String| ConfigError {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read: {e}")))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| error(format!("invalid TOML: {e}")))?;
    let project = table
        .get("project")
        .and_then(|p| p.get("requires-python"))
        .and_then(toml::Value::as_str);
    if let Some(requires) = project {
        return Ok(TargetVersion::from_requires_python(requires));
    }
    let poetry = table
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.get("python"))
        .and_then(toml::Value::as_str);
    Ok(poetry.and_then(target_from_poetry_constraint))
}

/// Poetry writes `^3.8`, `~3.9`, `>=3.8,<4.0` or alternatives joined by `||`.
fn target_from_poetry_constraint(constraint: &str) -> Option<TargetVersion> {
    constraint
        .split("||")
        .filter_map(|alternative| {
            let alternative = alternative.trim();
            let pep440 = match alternative.strip_prefix('^') {
                Some(version) => format!(">={version}"),
                None => match alternative
                    .strip_prefix('~')
                    .filter(|v| !v.starts_with('='))
                {
                    Some(version) => format!(">={version}"),
                    None if alternative.starts_with(|c: char| c.is_ascii_digit()) => {
                        format!("=={alternative}")
                    }
                    None => alternative.to_string(),
                },
            };
            TargetVersion::from_requires_python(&pep440)
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poetry_constraints() {
        assert_eq!(
            target_from_poetry_constraint("^3.8"),
            Some(TargetVersion::Py38)
        );
        assert_eq!(
            target_from_poetry_constraint("~3.11"),
            Some(TargetVersion::Py311)
        );
        assert_eq!(
            target_from_poetry_constraint("^3.9 || ^3.12"),
            Some(TargetVersion::Py39)
        );
        assert_eq!(
            target_from_poetry_constraint("3.10.*"),
            Some(TargetVersion::Py310)
        );
    }

    #[test]
    fn nearest_pyproject_wins() {
        let root = tempfile::tempdir().unwrap();
        let inner = root.path().join("inner/pkg");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(
            root.path().join("pyproject.toml"),
            "[project]\nrequires-python = \">=3.8\"\n",
        )
        .unwrap();
        std::fs::write(
            root.path().join("inner/pyproject.toml"),
            "[project]\nrequires-python = \">=3.12\"\n",
        )
        .unwrap();
        let mut resolver = TargetResolver::new(None);
        assert_eq!(
            resolver.target_for(&root.path().join("a.py")),
            Ok(TargetVersion::Py38)
        );
        assert_eq!(
            resolver.target_for(&inner.join("b.py")),
            Ok(TargetVersion::Py312)
        );
        let mut forced = TargetResolver::new(Some(TargetVersion::Py37));
        assert_eq!(
            forced.target_for(&inner.join("b.py")),
            Ok(TargetVersion::Py37)
        );
    }

    #[test]
    fn invalid_pyproject_is_an_error_naming_the_file() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("pyproject.toml"), "[project\n").unwrap();
        let error = TargetResolver::new(None)
            .target_for(&root.path().join("a.py"))
            .unwrap_err();
        assert!(error.path.ends_with("pyproject.toml"));
        assert!(error.message.contains("invalid TOML"), "{}", error.message);
    }
}
