//! Runs every fixture under `fixtures/` at every target version and compares the
//! diagnostics with the expectations written inline, on the lines they are about:
//!
//! ```python
//! x = await y                      # expect: AL001
//! [x async for x in y]             # expect(<=py310): AL005; expect(>=py311): AL005
//! ```
//!
//! `# expect: CODE[, CODE]` applies to every version; `# expect(V): ...` to the versions
//! `V` selects: `py311`, `>=py311`, `<=py310`, or `py38-py310`. A line without an
//! expectation must get no diagnostic. A fixture whose first lines hold
//! `# fixture: versions >=py312` runs only at those versions; one holding
//! `# fixture: blocking-call PATTERN -> SUGGESTION` configures ASYNC200 (repeatable).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use asynclint::line_index::LineIndex;
use asynclint::linter::{LintOptions, lint_source};
use asynclint::registry::RULES;
use asynclint::settings::RuleOptions;
use asynclint::target_version::TargetVersion;

#[derive(Clone, Debug)]
struct VersionRange {
    low: TargetVersion,
    high: TargetVersion,
}

impl VersionRange {
    const ALL: VersionRange = VersionRange {
        low: TargetVersion::Py37,
        high: TargetVersion::Py314,
    };

    fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let version = |s: &str| s.trim().parse::<TargetVersion>();
        if let Some(rest) = text.strip_prefix(">=") {
            Ok(VersionRange {
                low: version(rest)?,
                high: TargetVersion::Py314,
            })
        } else if let Some(rest) = text.strip_prefix("<=") {
            Ok(VersionRange {
                low: TargetVersion::Py37,
                high: version(rest)?,
            })
        } else if let Some((low, high)) = text.split_once('-') {
            Ok(VersionRange {
                low: version(low)?,
                high: version(high)?,
            })
        } else {
            let v = version(text)?;
            Ok(VersionRange { low: v, high: v })
        }
    }

    fn contains(&self, version: TargetVersion) -> bool {
        self.low <= version && version <= self.high
    }
}

struct Fixture {
    path: PathBuf,
    text: String,
    versions: VersionRange,
    rule_options: RuleOptions,
    /// (1-based row) → expectations on it.
    expectations: BTreeMap<usize, Vec<(VersionRange, String)>>,
}

fn parse_fixture(path: &Path) -> Result<Fixture, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut versions = VersionRange::ALL;
    let mut rule_options = RuleOptions::default();
    let mut expectations: BTreeMap<usize, Vec<(VersionRange, String)>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let row = i + 1;
        if let Some(spec) = line.trim().strip_prefix("# fixture: versions ") {
            versions = VersionRange::parse(spec)?;
            continue;
        }
        if let Some(spec) = line.trim().strip_prefix("# fixture: blocking-call ") {
            let (pattern, suggestion) = spec.split_once("->").ok_or_else(|| {
                format!("{}:{row}: expected `PATTERN -> SUGGESTION`", path.display())
            })?;
            rule_options
                .blocking_calls
                .push((pattern.trim().to_string(), suggestion.trim().to_string()));
            continue;
        }
        let Some(at) = line.rfind("# expect") else {
            continue;
        };
        for group in line[at + 2..].split(';') {
            let group = group.trim();
            let rest = group
                .strip_prefix("expect")
                .ok_or_else(|| format!("{}:{row}: malformed `{group}`", path.display()))?;
            let (range, codes) = if let Some(rest) = rest.strip_prefix('(') {
                let (range, codes) = rest
                    .split_once("):")
                    .ok_or_else(|| format!("{}:{row}: malformed `{group}`", path.display()))?;
                (VersionRange::parse(range)?, codes)
            } else {
                let codes = rest
                    .strip_prefix(':')
                    .ok_or_else(|| format!("{}:{row}: malformed `{group}`", path.display()))?;
                (VersionRange::ALL, codes)
            };
            for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                if !RULES.iter().any(|r| r.code == code) {
                    return Err(format!("{}:{row}: unknown code {code}", path.display()));
                }
                expectations
                    .entry(row)
                    .or_default()
                    .push((range.clone(), code.to_string()));
            }
        }
    }
    Ok(Fixture {
        path: path.to_path_buf(),
        text,
        versions,
        rule_options,
        expectations,
    })
}

/// Fixtures linted one file at a time; `fixtures/projects/*` are linted as projects.
fn fixture_paths(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures directory is readable")
        .map(|e| e.expect("readable entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() && path.file_name().is_some_and(|n| n == "projects") {
            continue;
        }
        if path.is_dir() {
            fixture_paths(&path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

/// The rules a fixture runs with: the default set, plus every rule its expectations or
/// its file name (`ASYNC124_*.py`) name — so off-by-default rules are tested where they
/// are meant to fire, and cannot make every other fixture noisy.
fn rules_for(fixture: &Fixture) -> Vec<&'static asynclint::registry::RuleMeta> {
    let name = fixture
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    RULES
        .iter()
        .copied()
        .filter(|rule| {
            rule.default_enabled
                || name.starts_with(&format!("{}_", rule.code))
                || name.contains(&format!("_{}_", rule.code))
                || fixture
                    .expectations
                    .values()
                    .flatten()
                    .any(|(_, code)| code == rule.code)
        })
        .collect()
}

/// (row, code) pairs, sorted.
fn actual(fixture: &Fixture, version: TargetVersion) -> Vec<(usize, String)> {
    let options = LintOptions {
        target_version: version,
        top_level_await: false,
        module: None,
        rules: rules_for(fixture).into(),
        rule_options: fixture.rule_options.clone(),
        ..LintOptions::default()
    };
    let index = LineIndex::new(&fixture.text);
    let mut found: Vec<(usize, String)> = lint_source(&fixture.text, &options)
        .into_iter()
        .map(|d| {
            let row = d
                .range
                .map_or(1, |r| index.location(r.start(), &fixture.text).row);
            (row, d.code().to_string())
        })
        .collect();
    found.sort();
    found
}

fn expected(fixture: &Fixture, version: TargetVersion) -> Vec<(usize, String)> {
    let mut wanted: Vec<(usize, String)> = fixture
        .expectations
        .iter()
        .flat_map(|(row, list)| {
            list.iter()
                .filter(|(range, _)| range.contains(version))
                .map(|(_, code)| (*row, code.clone()))
        })
        .collect();
    wanted.sort();
    wanted
}

#[test]
fn fixtures_match_their_inline_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut paths = Vec::new();
    fixture_paths(&root, &mut paths);
    assert!(
        paths.len() >= 10,
        "expected fixtures under {}",
        root.display()
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &paths {
        let fixture = match parse_fixture(path) {
            Ok(f) => f,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        assert!(
            !fixture.expectations.is_empty() || fixture.path.to_string_lossy().contains("clean"),
            "{}: a fixture without expectations must have `clean` in its name",
            path.display()
        );
        for version in TargetVersion::ALL {
            if !fixture.versions.contains(version) {
                continue;
            }
            checked += 1;
            let (got, want) = (actual(&fixture, version), expected(&fixture, version));
            if got != want {
                let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
                let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
                failures.push(format!(
                    "{} at {version}: missing {missing:?}, unexpected {extra:?}",
                    path.strip_prefix(&root).unwrap_or(path).display()
                ));
            }
        }
    }
    println!(
        "checked {} fixtures, {checked} (fixture, version) runs",
        paths.len()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Each directory under `fixtures/projects/` is linted as one project by the binary, so
/// that checks needing other modules (phase 2) are exercised; its files carry their
/// expectations like any fixture.
#[test]
fn project_fixtures_match_their_inline_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects");
    let mut projects: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/projects is readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    assert!(!projects.is_empty());
    let mut failures = Vec::new();
    for project in &projects {
        let mut files = Vec::new();
        fixture_paths(project, &mut files);
        let fixtures: Vec<Fixture> = files
            .iter()
            .map(|f| parse_fixture(f).expect("valid fixture"))
            .collect();
        let mut selected: Vec<&str> = fixtures
            .iter()
            .flat_map(rules_for)
            .map(|r| r.code)
            .collect();
        selected.sort_unstable();
        selected.dedup();
        let select = selected.join(",");
        for version in TargetVersion::ALL {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_asynclint"))
                .args(["--no-cache", "--select", &select, "--output-format", "json"])
                .arg("--target-version")
                .arg(version.to_string())
                .arg(project)
                .output()
                .expect("asynclint runs");
            let found: Vec<serde_json::Value> =
                serde_json::from_slice(&output.stdout).expect("JSON output");
            for fixture in &fixtures {
                let absolute = std::path::absolute(&fixture.path).unwrap();
                let mut got: Vec<(usize, String)> = found
                    .iter()
                    .filter(|d| Path::new(d["filename"].as_str().unwrap()) == absolute)
                    .map(|d| {
                        (
                            d["location"]["row"].as_u64().unwrap() as usize,
                            d["code"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect();
                got.sort();
                let want = expected(fixture, version);
                if got != want {
                    failures.push(format!(
                        "{} at {version}: expected {want:?}, got {got:?}",
                        fixture
                            .path
                            .strip_prefix(&root)
                            .unwrap_or(&fixture.path)
                            .display()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
