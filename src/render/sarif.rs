//! `sarif`: SARIF 2.1.0 (OASIS), which GitHub code scanning and other viewers read. It
//! has ruff's content and goes further:
//!
//! * `columnKind` is `unicodeCodePoints`, which is how asynclint counts columns (SARIF's
//!   default is UTF-16 code units); `endColumn` is exclusive, as SARIF defines it (§3.30.8);
//! * file URIs are relative to `%SRCROOT%`, the git work tree containing the working
//!   directory (else the working directory), declared in `originalUriBaseIds`, so that
//!   reports from different checkouts agree; files outside it get absolute `file://` URIs;
//! * each result has a `partialFingerprints` entry that does not depend on line numbers
//!   (see `FileReport::fingerprints`) and a `ruleIndex` into `tool.driver.rules`, which
//!   describes every rule that ran, not only those that found something.
//!
//! Fields are in alphabetical order, as in ruff's output.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use super::{FileReport, RenderOptions, lexical_absolute, write_json};
use crate::diagnostic::Severity;
use crate::registry::{self, RuleMeta};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// GitHub code scanning's limit for `shortDescription.text` and `fullDescription.text`:
/// each is "limited to 1024 characters" ("SARIF support for code scanning",
/// docs.github.com, `reportingDescriptor` object). The same table limits `name` to 255
/// characters (a test checks every rule's) and documents no limit for `help`.
const MAX_DESCRIPTION: usize = 1024;

#[derive(Serialize)]
struct Log<'r> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'r>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'r> {
    column_kind: &'static str,
    original_uri_base_ids: BaseIds,
    results: Vec<SarifResult<'r>>,
    tool: Tool,
}

#[derive(Serialize)]
struct BaseIds {
    #[serde(rename = "%SRCROOT%")]
    src_root: ArtifactLocation,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    rules: Vec<Descriptor>,
    semantic_version: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    default_configuration: Configuration,
    full_description: Text,
    help: Help,
    id: &'static str,
    name: &'static str,
    properties: Properties,
    short_description: Text,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    markdown: &'static str,
    text: &'static str,
}

/// What GitHub reads to rank results that are not security results.
#[derive(Serialize)]
struct Properties {
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'r> {
    level: &'static str,
    locations: [ResultLocation; 1],
    message: Message<'r>,
    partial_fingerprints: PartialFingerprints,
    rule_id: &'static str,
    rule_index: usize,
}

#[derive(Serialize)]
struct Message<'r> {
    text: &'r str,
}

/// Named after what it hashes, versioned as SARIF suggests (§3.27.17), so that a future
/// change of the hash comes with a new name instead of mismatching old results. GitHub
/// reads only its own `primaryLocationLineHash`, which its upload action adds.
#[derive(Serialize)]
struct PartialFingerprints {
    #[serde(rename = "asynclintLineHash/v1")]
    line_hash: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    /// None for findings about a whole file (it could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    end_column: usize,
    end_line: usize,
    start_column: usize,
    start_line: usize,
}

pub(super) fn render(
    reports: &[FileReport],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let root = source_root(&options.cwd);
    let rules = described_rules(reports, &options.rules);
    let mut results = Vec::new();
    for report in reports {
        let artifact = artifact_location(&report.path, &options.cwd, root);
        let fingerprints = report.fingerprints(&artifact.uri);
        for (located, fingerprint) in report.located().into_iter().zip(fingerprints) {
            let diagnostic = located.diagnostic;
            let region = diagnostic.range.map(|_| Region {
                end_column: located.end.column,
                end_line: located.end.row,
                start_column: located.start.column,
                start_line: located.start.row,
            });
            results.push(SarifResult {
                level: level(diagnostic.rule),
                locations: [ResultLocation {
                    physical_location: PhysicalLocation {
                        artifact_location: artifact.clone(),
                        region,
                    },
                }],
                message: Message {
                    text: &diagnostic.message,
                },
                partial_fingerprints: PartialFingerprints {
                    line_hash: format!("{:016x}:{}", fingerprint.hash, fingerprint.occurrence),
                },
                rule_id: diagnostic.code(),
                rule_index: rules
                    .iter()
                    .position(|rule| *rule == diagnostic.rule)
                    .expect("every result's rule is described"),
            });
        }
    }
    let log = Log {
        schema: SCHEMA,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            original_uri_base_ids: BaseIds {
                src_root: ArtifactLocation {
                    uri: directory_uri(root),
                    uri_base_id: None,
                },
            },
            results,
            tool: Tool {
                driver: Driver {
                    name: "asynclint",
                    rules: rules.iter().map(|rule| descriptor(rule)).collect(),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
        }],
        version: "2.1.0",
    };
    write_json(out, &log, true)?;
    writeln!(out)
}

/// The rules that ran, and any other rule a result names (the pipeline's own, such as
/// I/O errors), in registry order.
fn described_rules(
    reports: &[FileReport],
    enabled: &[&'static RuleMeta],
) -> Vec<&'static RuleMeta> {
    let mut rules = enabled.to_vec();
    for diagnostic in reports.iter().flat_map(|report| &report.diagnostics) {
        if !rules.contains(&diagnostic.rule) {
            rules.push(diagnostic.rule);
        }
    }
    rules.sort_by_key(|rule| {
        let position = registry::RULES.iter().position(|r| r == rule);
        (position.unwrap_or(usize::MAX), rule.code)
    });
    rules.dedup();
    rules
}

fn descriptor(rule: &'static RuleMeta) -> Descriptor {
    let what_it_does = section(rule.doc, "What it does").unwrap_or(rule.summary);
    Descriptor {
        default_configuration: Configuration { level: level(rule) },
        full_description: Text {
            text: first_paragraphs(what_it_does, MAX_DESCRIPTION),
        },
        help: Help {
            markdown: rule.doc,
            text: rule.doc,
        },
        id: rule.code,
        name: rule.name,
        properties: Properties {
            problem_severity: level(rule),
        },
        short_description: Text {
            text: truncate(rule.summary, MAX_DESCRIPTION),
        },
    }
}

fn level(rule: &RuleMeta) -> &'static str {
    match rule.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The text of a rule page's `## title` section, if it has one that is not empty.
fn section<'d>(doc: &'d str, title: &str) -> Option<&'d str> {
    let heading = format!("## {title}\n");
    let start = doc
        .match_indices(&heading)
        .map(|(at, _)| at)
        .find(|&at| at == 0 || doc.as_bytes()[at - 1] == b'\n')?
        + heading.len();
    let end = doc[start..]
        .find("\n## ")
        .map_or(doc.len(), |at| start + at);
    Some(doc[start..end].trim()).filter(|text| !text.is_empty())
}

/// As many whole paragraphs as fit in `max` characters (at least a cut first one).
fn first_paragraphs(text: &str, max: usize) -> String {
    let mut fitting = String::new();
    for paragraph in text.split("\n\n") {
        let separator = if fitting.is_empty() { "" } else { "\n\n" };
        if fitting.chars().count() + separator.len() + paragraph.chars().count() > max {
            break;
        }
        fitting.push_str(separator);
        fitting.push_str(paragraph);
    }
    if fitting.is_empty() {
        truncate(text, max)
    } else {
        fitting
    }
}

/// At most `max` characters, the last of them `…` when the text was cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// The git work tree the working directory is in (the nearest directory with a `.git`
/// entry, a directory or, in worktrees and submodules, a file), else the working directory.
fn source_root(cwd: &Path) -> &Path {
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(cwd)
}

fn artifact_location(path: &Path, cwd: &Path, root: &Path) -> ArtifactLocation {
    let absolute = lexical_absolute(path, cwd);
    match absolute.strip_prefix(root) {
        Ok(relative) => ArtifactLocation {
            uri: encode_path(relative),
            uri_base_id: Some(SRCROOT),
        },
        Err(_) => ArtifactLocation {
            uri: format!("file://{}", encode_path(&absolute)),
            uri_base_id: None,
        },
    }
}

/// A base URI must end with `/` (SARIF §3.14.14).
fn directory_uri(directory: &Path) -> String {
    let mut uri = format!("file://{}", encode_path(directory));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The path as a URI path: components joined by `/`, each byte outside RFC 3986's
/// unreserved set percent-encoded (so a `:` in a file name cannot read as a scheme, nor a
/// `#` or `?` as a fragment or query).
fn encode_path(path: &Path) -> String {
    let segments: Vec<String> = path
        .iter()
        .filter(|segment| *segment != "/")
        .map(|segment| {
            let mut encoded = String::new();
            for &byte in segment.as_encoded_bytes() {
                if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                    encoded.push(char::from(byte));
                } else {
                    encoded.push_str(&format!("%{byte:02X}"));
                }
            }
            encoded
        })
        .collect();
    let joined = segments.join("/");
    if path.has_root() {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn paths_become_uris() {
        assert_eq!(
            encode_path(Path::new("src/a b/é#?:%.py")),
            "src/a%20b/%C3%A9%23%3F%3A%25.py"
        );
        assert_eq!(encode_path(Path::new("/x/y.py")), "/x/y.py");
        assert_eq!(directory_uri(Path::new("/")), "file:///");
        assert_eq!(directory_uri(Path::new("/work/p")), "file:///work/p/");
        let inside = artifact_location(Path::new("b/c.py"), Path::new("/r/a"), Path::new("/r"));
        assert_eq!(
            (inside.uri.as_str(), inside.uri_base_id),
            ("a/b/c.py", Some(SRCROOT))
        );
        let outside =
            artifact_location(Path::new("../../o.py"), Path::new("/r/a"), Path::new("/r"));
        assert_eq!(
            (outside.uri.as_str(), outside.uri_base_id),
            ("file:///o.py", None)
        );
    }

    #[test]
    fn every_rule_fits_github_limits() {
        for rule in registry::RULES {
            let descriptor = descriptor(rule);
            assert!(descriptor.name.chars().count() <= 255, "{}", rule.code);
            assert!(
                !descriptor.short_description.text.is_empty(),
                "{}",
                rule.code
            );
            assert!(descriptor.full_description.text.chars().count() <= MAX_DESCRIPTION);
            assert!(
                !descriptor.full_description.text.is_empty(),
                "{}",
                rule.code
            );
        }
        let page = "# x\n\n## What it does\nFinds things.\n\n## Why is this bad?\nIt is.\n";
        assert_eq!(section(page, "What it does"), Some("Finds things."));
        assert_eq!(section(page, "Why is this bad?"), Some("It is."));
        assert_eq!(section(page, "Example"), None);
        assert_eq!(first_paragraphs("ab\n\ncd\n\nef", 6), "ab\n\ncd");
        assert_eq!(first_paragraphs("abcdef\n\ncd", 4), "abc…");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abcd", 4), "abcd");
    }
}
