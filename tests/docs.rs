//! The user guide's links work: every relative link in README.md and docs/*.md names a
//! file that exists, and every `#anchor` one of that file's headings (as GitHub makes
//! anchors from headings).

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Pages linked before they exist: being written alongside other work. Remove an entry when
/// its page lands (the test then checks links to it like any other).
const PENDING: &[&str] = &[];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn markdown_files() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    for entry in fs::read_dir(repo().join("docs")).expect("docs/") {
        let path = entry.expect("docs/ entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// `(line number, line)` of the lines outside fenced code blocks.
fn prose(text: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .map(|(index, line)| (index + 1, line))
        .collect()
}

/// GitHub's anchor for a heading: lower case, punctuation other than `-` and `_`
/// dropped, spaces as `-`; repeated headings get `-1`, `-2`, ...
fn anchors(text: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    for (_, line) in prose(text) {
        let level = line.chars().take_while(|&c| c == '#').count();
        if level == 0 || level > 6 || !line[level..].starts_with(' ') {
            continue;
        }
        let slug: String = line[level..]
            .trim()
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        let mut unique = slug.clone();
        let mut n = 0;
        while !seen.insert(unique.clone()) {
            n += 1;
            unique = format!("{slug}-{n}");
        }
    }
    seen
}

/// `(target, line number)` of every inline link `[text](target)` in the prose.
fn links(text: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for (number, line) in prose(text) {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push((after[..end].to_string(), number));
            rest = &after[end..];
        }
    }
    found
}

/// `path` with `.` and `..` resolved lexically.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[test]
fn relative_links_and_anchors_in_the_docs_resolve() {
    let mut broken = Vec::new();
    for file in markdown_files() {
        let text = fs::read_to_string(&file).expect("read markdown");
        for (target, line) in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let linked = if path.is_empty() {
                file.clone()
            } else {
                file.parent().expect("a file has a parent").join(path)
            };
            let shown = format!(
                "{}:{line}: ({target})",
                file.strip_prefix(repo()).unwrap_or(&file).display()
            );
            if !linked.exists() {
                let pending = PENDING.iter().any(|p| repo().join(p) == clean(&linked));
                if !pending {
                    broken.push(format!("{shown}: no such file"));
                }
                continue;
            }
            if anchor.is_empty() || linked.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let linked_text = fs::read_to_string(&linked).expect("read linked file");
            if !anchors(&linked_text).contains(anchor) {
                broken.push(format!("{shown}: no heading with this anchor"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn anchors_follow_githubs_rules() {
    let text = "# asynclint rule\n## Suppressing diagnostics: `# noqa`\n## Notes\n## Notes\n```\n# not a heading\n```\n";
    let anchors = anchors(text);
    for expected in [
        "asynclint-rule",
        "suppressing-diagnostics--noqa",
        "notes",
        "notes-1",
    ] {
        assert!(anchors.contains(expected), "{expected}: {anchors:?}");
    }
    assert!(!anchors.contains("not-a-heading"));
}
