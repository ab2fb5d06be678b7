//! Reading one configuration file: `asynclint.toml`, `.asynclint.toml`, or the
//! `[tool.asynclint]` table of a `pyproject.toml`. Every key and value is checked; an error
//! names the file, the line, the key and, where one fits, the key that was meant.

use std::path::{Path, PathBuf};

use toml_edit::{ImDocument, Item, TableLike, Value};

use crate::registry::{edit_distance, resolve_selector};
use crate::settings::ConfigError;
use crate::target_version::TargetVersion;

/// The settings one file sets. `None`/empty means "not set here".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Another configuration file this one builds on (relative to this file's directory).
    pub extend: Option<PathBuf>,
    pub target_version: Option<TargetVersion>,
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Option<Vec<String>>,
    /// (glob, selectors): rules not to run on matching files.
    pub per_file_ignores: Option<Vec<(String, Vec<String>)>>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Vec<String>,
    /// ASYNC200: (pattern, suggestion).
    pub async200_blocking_calls: Option<Vec<(String, String)>>,
}

impl Options {
    /// `self` (a file that extends `base`) on top of `base`: what `self` sets wins; the
    /// `extend-*` lists add up.
    pub fn over(self, base: Options) -> Options {
        Options {
            extend: None,
            target_version: self.target_version.or(base.target_version),
            select: self.select.or(base.select),
            extend_select: [base.extend_select, self.extend_select].concat(),
            ignore: self.ignore.or(base.ignore),
            per_file_ignores: self.per_file_ignores.or(base.per_file_ignores),
            exclude: self.exclude.or(base.exclude),
            extend_exclude: [base.extend_exclude, self.extend_exclude].concat(),
            async200_blocking_calls: self
                .async200_blocking_calls
                .or(base.async200_blocking_calls),
        }
    }
}

/// Every key asynclint reads, for validation and "did you mean" suggestions.
pub const KEYS: &[&str] = &[
    "extend",
    "target-version",
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "async200-blocking-calls",
];

/// Where the settings live in a file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `asynclint.toml` / `.asynclint.toml`: keys at the top level.
    TopLevel,
    /// `pyproject.toml`: keys under `[tool.asynclint]`.
    Pyproject,
}

/// Whether a `pyproject.toml` has a `[tool.asynclint]` table (without validating it).
pub fn pyproject_has_table(text: &str) -> bool {
    ImDocument::parse(text).is_ok_and(|document| {
        document
            .get("tool")
            .and_then(|tool| tool.get("asynclint"))
            .is_some()
    })
}

/// Parses and validates the settings of one file.
pub fn parse(path: &Path, text: &str, layout: Layout) -> Result<Options, ConfigError> {
    let errors = Errors { path, text };
    let document = ImDocument::parse(text).map_err(|e| {
        let line = e.span().map_or(0, |span| errors.line(span.start));
        let message = e.message().trim_end().to_string();
        errors.at_line(line, format!("invalid TOML: {message}"))
    })?;
    let table: &dyn TableLike = match layout {
        Layout::TopLevel => document.as_table(),
        Layout::Pyproject => match document.get("tool").and_then(|t| t.get("asynclint")) {
            Some(item) => item
                .as_table_like()
                .ok_or_else(|| errors.item(item, "`tool.asynclint` must be a table"))?,
            None => return Ok(Options::default()),
        },
    };
    let mut options = Options::default();
    for (key, item) in table.iter() {
        let key_span = table.get_key_value(key).and_then(|(k, _)| k.span());
        let at_key = |message: String| errors.at(key_span.clone(), message);
        match key {
            "extend" => options.extend = Some(PathBuf::from(errors.string(key, item)?)),
            "target-version" => {
                let value = errors.string(key, item)?;
                options.target_version =
                    Some(value.parse().map_err(|message: String| {
                        errors.item(item, format!("`{key}`: {message}"))
                    })?);
            }
            "select" => options.select = Some(errors.selectors(key, item)?),
            "extend-select" => options.extend_select = errors.selectors(key, item)?,
            "ignore" => options.ignore = Some(errors.selectors(key, item)?),
            "exclude" => options.exclude = Some(errors.globs(key, item)?),
            "extend-exclude" => options.extend_exclude = errors.globs(key, item)?,
            "per-file-ignores" => {
                let table = item.as_table_like().ok_or_else(|| {
                    errors.item(item, format!("`{key}` must be a table of glob = [rules]"))
                })?;
                let mut entries = Vec::new();
                for (glob, codes) in table.iter() {
                    errors.glob(key, glob, codes)?;
                    entries.push((glob.to_string(), errors.selectors(key, codes)?));
                }
                options.per_file_ignores = Some(entries);
            }
            "async200-blocking-calls" => {
                options.async200_blocking_calls = Some(errors.blocking_calls(key, item)?);
            }
            unknown => {
                let mut message = format!("unknown key `{unknown}`");
                if let Some(known) = closest_key(unknown) {
                    message.push_str(&format!(" (did you mean `{known}`?)"));
                }
                return Err(at_key(message));
            }
        }
    }
    Ok(options)
}

fn closest_key(unknown: &str) -> Option<&'static str> {
    KEYS.iter()
        .copied()
        .map(|key| (edit_distance(unknown, key), key))
        .filter(|(distance, key)| *distance <= (key.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, key)| key)
}

/// Builds errors that point at a place in the file.
struct Errors<'t> {
    path: &'t Path,
    text: &'t str,
}

impl Errors<'_> {
    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn at_line(&self, line: usize, message: String) -> ConfigError {
        let message = if line > 0 {
            format!("line {line}: {message}")
        } else {
            message
        };
        ConfigError {
            path: self.path.to_path_buf(),
            message,
        }
    }

    fn at(&self, span: Option<std::ops::Range<usize>>, message: String) -> ConfigError {
        self.at_line(span.map_or(0, |s| self.line(s.start)), message)
    }

    fn item(&self, item: &Item, message: impl Into<String>) -> ConfigError {
        self.at(item.span(), message.into())
    }

    fn value(&self, value: &Value, message: impl Into<String>) -> ConfigError {
        self.at(value.span(), message.into())
    }

    fn string<'i>(&self, key: &str, item: &'i Item) -> Result<&'i str, ConfigError> {
        item.as_str()
            .ok_or_else(|| self.item(item, format!("`{key}` must be a string")))
    }

    fn strings(&self, key: &str, item: &Item) -> Result<Vec<(String, Value)>, ConfigError> {
        let array = item
            .as_array()
            .ok_or_else(|| self.item(item, format!("`{key}` must be a list of strings")))?;
        array
            .iter()
            .map(|value| match value.as_str() {
                Some(s) => Ok((s.to_string(), value.clone())),
                None => Err(self.value(value, format!("`{key}` must be a list of strings"))),
            })
            .collect()
    }

    fn selectors(&self, key: &str, item: &Item) -> Result<Vec<String>, ConfigError> {
        self.strings(key, item)?
            .into_iter()
            .map(|(selector, value)| match resolve_selector(&selector) {
                Ok(_) => Ok(selector),
                Err(message) => Err(self.value(&value, format!("`{key}`: {message}"))),
            })
            .collect()
    }

    fn globs(&self, key: &str, item: &Item) -> Result<Vec<String>, ConfigError> {
        self.strings(key, item)?
            .into_iter()
            .map(|(glob, value)| match globset::Glob::new(&glob) {
                Ok(_) => Ok(glob),
                Err(e) => Err(self.value(&value, format!("`{key}`: invalid glob `{glob}`: {e}"))),
            })
            .collect()
    }

    fn glob(&self, key: &str, glob: &str, at: &Item) -> Result<(), ConfigError> {
        globset::Glob::new(glob)
            .map(|_| ())
            .map_err(|e| self.item(at, format!("`{key}`: invalid glob `{glob}`: {e}")))
    }

    /// A table `pattern = "suggestion"`, or flake8-async's list of `"pattern -> suggestion"`.
    fn blocking_calls(&self, key: &str, item: &Item) -> Result<Vec<(String, String)>, ConfigError> {
        if let Some(table) = item.as_table_like() {
            return table
                .iter()
                .map(|(pattern, suggestion)| {
                    let suggestion = suggestion.as_str().ok_or_else(|| {
                        self.item(suggestion, format!("`{key}`: each value must be a string"))
                    })?;
                    Ok((pattern.to_string(), suggestion.to_string()))
                })
                .collect();
        }
        self.strings(key, item)?
            .into_iter()
            .map(|(entry, value)| match entry.split_once("->") {
                Some((pattern, suggestion)) => {
                    Ok((pattern.trim().to_string(), suggestion.trim().to_string()))
                }
                None => Err(self.value(
                    &value,
                    format!("`{key}`: expected `\"pattern -> suggestion\"`, got `{entry}`"),
                )),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_top(text: &str) -> Result<Options, ConfigError> {
        parse(Path::new("asynclint.toml"), text, Layout::TopLevel)
    }

    #[test]
    fn reads_every_key() {
        let options = parse_top(
            r#"
extend = "../base.toml"
target-version = "py311"
select = ["AL0", "AL10"]
extend-select = ["AL101"]
ignore = ["await-outside-async"]
exclude = ["generated/*"]
extend-exclude = ["*_pb2.py"]
async200-blocking-calls = { "my_lib.*.read" = "my_lib.aread" }

[per-file-ignores]
"tests/*.py" = ["AL101", "PLE1142"]
"#,
        )
        .unwrap();
        assert_eq!(options.target_version, Some(TargetVersion::Py311));
        assert_eq!(
            options.select.as_deref(),
            Some(&["AL0".to_string(), "AL10".into()][..])
        );
        assert_eq!(options.extend.as_deref(), Some(Path::new("../base.toml")));
        assert_eq!(
            options.per_file_ignores,
            Some(vec![(
                "tests/*.py".into(),
                vec!["AL101".into(), "PLE1142".into()]
            )])
        );
        assert_eq!(
            options.async200_blocking_calls,
            Some(vec![("my_lib.*.read".into(), "my_lib.aread".into())])
        );
    }

    #[test]
    fn errors_name_the_line_the_key_and_a_suggestion() {
        let error = parse_top("select = [\"AL0\"]\nselct = [\"AL1\"]\n").unwrap_err();
        assert_eq!(
            error.message,
            "line 2: unknown key `selct` (did you mean `select`?)"
        );
        let error = parse_top("target-version = \"py36\"\n").unwrap_err();
        assert!(
            error
                .message
                .starts_with("line 1: `target-version`: unknown target version"),
            "{}",
            error.message
        );
        let error = parse_top("select = [\"AL0\",\n  \"AL99x\"]\n").unwrap_err();
        assert!(
            error
                .message
                .starts_with("line 2: `select`: unknown rule selector `AL99x`"),
            "{}",
            error.message
        );
        let error = parse_top("select = \"AL0\"\n").unwrap_err();
        assert_eq!(error.message, "line 1: `select` must be a list of strings");
        let error = parse_top("select = [\n").unwrap_err();
        assert!(error.message.contains("invalid TOML"), "{}", error.message);
    }

    #[test]
    fn pyproject_reads_only_its_table() {
        let text = "[project]\nname = \"x\"\n[tool.asynclint]\nignore = [\"AL101\"]\n[tool.other]\nselct = 1\n";
        let options = parse(Path::new("pyproject.toml"), text, Layout::Pyproject).unwrap();
        assert_eq!(options.ignore, Some(vec!["AL101".to_string()]));
        assert!(pyproject_has_table(text));
        assert!(!pyproject_has_table("[project]\nname = \"x\"\n"));
        let error = parse(
            Path::new("pyproject.toml"),
            "[tool.asynclint]\nexclud = []\n",
            Layout::Pyproject,
        )
        .unwrap_err();
        assert_eq!(
            error.message,
            "line 2: unknown key `exclud` (did you mean `exclude`?)"
        );
    }

    #[test]
    fn extending_files_layer() {
        let base = Options {
            select: Some(vec!["AL0".into()]),
            extend_select: vec!["AL101".into()],
            ignore: Some(vec!["AL002".into()]),
            ..Options::default()
        };
        let child = Options {
            ignore: Some(vec![]),
            extend_select: vec!["AL014".into()],
            ..Options::default()
        };
        let merged = child.over(base);
        assert_eq!(merged.select, Some(vec!["AL0".to_string()]));
        assert_eq!(merged.ignore, Some(vec![]));
        assert_eq!(
            merged.extend_select,
            vec!["AL101".to_string(), "AL014".into()]
        );
    }
}
