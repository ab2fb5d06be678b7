//! The runtime programs of the shared spec (`../shared/spec/runtime/R*.py`, each a
//! pattern CPython accepts but that misbehaves when it runs, see section 6 of
//! `cpython-async-rules.md`) are flagged by the rules that cover them: each case names a
//! program, a target version, the codes it is about, and the (line, code) diagnostics it
//! must get for those codes, no more and no fewer. Other codes are not looked at.
//!
//! Skipped, with a message, when the spec directory is not there.

use std::path::{Path, PathBuf};

use asynclint::line_index::LineIndex;
use asynclint::linter::{LintOptions, lint_source};
use asynclint::registry::RULES;
use asynclint::target_version::TargetVersion;

struct Case {
    /// The program's id: `R09` for `R09_await_int.py`.
    program: &'static str,
    target: &'static str,
    /// The codes this case is about.
    codes: &'static [&'static str],
    /// Every diagnostic of those codes the program must get: (1-based line, code).
    expected: &'static [(usize, &'static str)],
}

/// The codes of the protocol-mismatch rules.
const PROTOCOL_MISMATCHES: &[&str] = &[
    "AL110", "AL111", "AL112", "AL113", "AL114", "AL115", "AL116", "AL117", "AL118",
];

const CASES: &[Case] = &[
    // Runtime bugs: protocol mismatches (AL110-AL119).
    Case {
        program: "R01",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(6, "AL110")],
    },
    Case {
        program: "R02",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(7, "AL110")],
    },
    Case {
        program: "R03",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(7, "AL110")],
    },
    Case {
        program: "R04",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(7, "AL114")],
    },
    Case {
        program: "R06",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(8, "AL113")],
    },
    Case {
        program: "R07",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(7, "AL112")],
    },
    Case {
        program: "R08",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(5, "AL111")],
    },
    Case {
        program: "R12",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(5, "AL117")],
    },
    Case {
        program: "R13",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(6, "AL117")],
    },
    Case {
        program: "R14",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(5, "AL115")],
    },
    Case {
        program: "R15",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(5, "AL116")],
    },
    Case {
        program: "R16",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(8, "AL118")],
    },
    Case {
        program: "R18",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(6, "AL110")],
    },
    Case {
        program: "R19",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(5, "AL115")],
    },
    Case {
        program: "R20",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(6, "AL114")],
    },
    Case {
        program: "R22",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(5, "AL116")],
    },
    Case {
        program: "R28",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(9, "AL110")],
    },
    Case {
        program: "R30",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(5, "AL112")],
    },
    Case {
        program: "R31",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(5, "AL115"), (6, "AL115")],
    },
    Case {
        program: "R32",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(5, "AL115")],
    },
    Case {
        program: "R34",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(7, "AL110")],
    },
    Case {
        program: "R35",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[(6, "AL112")],
    },
    // The legacy `with await lock:` still worked (deprecated) up to 3.8.
    Case {
        program: "R35",
        target: "py38",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    // Not protocol mismatches: none of AL110-AL119 may fire.
    Case {
        program: "R05",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R09",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R10",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R11",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R17",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R21",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R23",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R24",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R25",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R26",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R27",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R29",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    Case {
        program: "R33",
        target: "py310",
        codes: PROTOCOL_MISMATCHES,
        expected: &[],
    },
    // Runtime bugs: event-loop misuse, tasks, API availability (AL102-AL103, AL120-AL129, ASYNC300).
    Case {
        program: "R09",
        target: "py312",
        codes: &["AL102"],
        expected: &[(5, "AL102")],
    },
    Case {
        program: "R10",
        target: "py312",
        codes: &["AL102"],
        expected: &[(5, "AL102")],
    },
    Case {
        program: "R11",
        target: "py312",
        codes: &["AL102"],
        expected: &[(7, "AL102")],
    },
    Case {
        program: "R35",
        target: "py312",
        codes: &["AL102"],
        expected: &[],
    },
    Case {
        program: "R17",
        target: "py312",
        codes: &["AL120"],
        expected: &[(7, "AL120")],
    },
    Case {
        program: "R25",
        target: "py37",
        codes: &["AL120", "AL123"],
        expected: &[],
    },
    Case {
        program: "R21",
        target: "py312",
        codes: &["AL103"],
        expected: &[(9, "AL103")],
    },
    Case {
        program: "R23",
        target: "py39",
        codes: &["AL123"],
        expected: &[(7, "AL123"), (7, "AL123")],
    },
    Case {
        program: "R23",
        target: "py310",
        codes: &["AL123"],
        expected: &[],
    },
    Case {
        program: "R24",
        target: "py311",
        codes: &["AL123"],
        expected: &[(4, "AL123")],
    },
    Case {
        program: "R24",
        target: "py310",
        codes: &["AL123"],
        expected: &[],
    },
    Case {
        program: "R27",
        target: "py310",
        codes: &["AL123"],
        expected: &[(5, "AL123"), (6, "AL123")],
    },
    Case {
        program: "R27",
        target: "py311",
        codes: &["AL123"],
        expected: &[],
    },
    Case {
        program: "R33",
        target: "py310",
        codes: &["AL123"],
        expected: &[(5, "AL123")],
    },
    Case {
        program: "R33",
        target: "py39",
        codes: &["AL123"],
        expected: &[],
    },
];

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/runtime")
}

fn program_path(dir: &Path, program: &str) -> Option<PathBuf> {
    let prefix = format!("{program}_");
    let mut matches: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "py")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&prefix))
        })
        .collect();
    matches.sort();
    matches.into_iter().next()
}

/// Every (line, code) diagnostic of `codes`, sorted.
fn diagnostics(text: &str, target: TargetVersion, codes: &[&str]) -> Vec<(usize, String)> {
    let options = LintOptions {
        target_version: target,
        top_level_await: false,
        module: None,
        rules: RULES.into(),
        ..LintOptions::default()
    };
    let index = LineIndex::new(text);
    let mut found: Vec<(usize, String)> = lint_source(text, &options)
        .into_iter()
        .filter(|d| codes.contains(&d.code()))
        .map(|d| {
            let row = d.range.map_or(1, |r| index.location(r.start(), text).row);
            (row, d.code().to_string())
        })
        .collect();
    found.sort();
    found
}

#[test]
fn runtime_programs_are_flagged_where_they_fail() {
    let dir = spec_dir();
    if !dir.is_dir() {
        println!(
            "skipped: the runtime programs are not at {} (the shared spec is not checked out)",
            dir.display()
        );
        return;
    }
    let mut failures = Vec::new();
    for case in CASES {
        for code in case
            .codes
            .iter()
            .chain(case.expected.iter().map(|(_, c)| c))
        {
            assert!(
                RULES.iter().any(|r| r.code == *code),
                "{}: unknown code {code}",
                case.program
            );
        }
        let Some(path) = program_path(&dir, case.program) else {
            failures.push(format!(
                "{}: no program {}_*.py",
                case.program, case.program
            ));
            continue;
        };
        let target: TargetVersion = case.target.parse().expect("a known target version");
        let text = std::fs::read_to_string(&path).expect("the program is readable");
        let got = diagnostics(&text, target, case.codes);
        let mut want: Vec<(usize, String)> = case
            .expected
            .iter()
            .map(|(row, code)| (*row, code.to_string()))
            .collect();
        want.sort();
        if got != want {
            failures.push(format!(
                "{} at {target}: expected {want:?}, got {got:?}",
                path.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
