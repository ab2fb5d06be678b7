//! `--statistics`: how many diagnostics each rule found, most first, instead of the
//! diagnostics. A table for people (ruff's columns: count, code, name; then the rule's
//! summary), or, with `json` and `json-lines`, ruff's statistics objects.

use std::cmp::Reverse;
use std::io::{self, Write};

use serde::Serialize;

use super::{FileReport, OutputFormat, summary, write_json};
use crate::registry::{self, RuleMeta};

/// ruff's fields, in ruff's order; asynclint has no fixes yet.
#[derive(Serialize)]
struct Statistic {
    code: &'static str,
    name: &'static str,
    count: usize,
    fixable: bool,
    fixable_count: usize,
}

pub(super) fn render(
    format: OutputFormat,
    reports: &[FileReport],
    out: &mut dyn Write,
) -> io::Result<()> {
    let counts = counts(reports);
    let statistics = counts.iter().map(|&(rule, count)| Statistic {
        code: rule.code,
        name: rule.name,
        count,
        fixable: false,
        fixable_count: 0,
    });
    match format {
        OutputFormat::Json => {
            write_json(out, &statistics.collect::<Vec<_>>(), true)?;
            writeln!(out)
        }
        OutputFormat::JsonLines => {
            for statistic in statistics {
                write_json(out, &statistic, false)?;
                writeln!(out)?;
            }
            Ok(())
        }
        _ => table(&counts, out),
    }
}

/// Count, code and name aligned as ruff aligns them, tab-separated so that `cut` reads
/// them, then the rule's summary.
fn table(counts: &[(&'static RuleMeta, usize)], out: &mut dyn Write) -> io::Result<()> {
    let count_width = counts.iter().map(|(_, n)| n.to_string().len()).max();
    let code_width = counts.iter().map(|(rule, _)| rule.code.len()).max();
    let name_width = counts.iter().map(|(rule, _)| rule.name.len()).max();
    let (count_width, code_width, name_width) = (
        count_width.unwrap_or(1),
        code_width.unwrap_or(0),
        name_width.unwrap_or(0),
    );
    for (rule, count) in counts {
        writeln!(
            out,
            "{count:>count_width$}\t{:<code_width$}\t{:<name_width$}\t{}",
            rule.code, rule.name, rule.summary
        )?;
    }
    let total = counts.iter().map(|(_, count)| count).sum();
    writeln!(out, "{}", summary(total))
}

/// Rules with their counts, the most frequent first, ties in registry order.
fn counts(reports: &[FileReport]) -> Vec<(&'static RuleMeta, usize)> {
    let mut counts: Vec<(&'static RuleMeta, usize)> = Vec::new();
    for diagnostic in reports.iter().flat_map(|r| &r.diagnostics) {
        match counts.iter_mut().find(|(rule, _)| *rule == diagnostic.rule) {
            Some((_, count)) => *count += 1,
            None => counts.push((diagnostic.rule, 1)),
        }
    }
    let position = |rule: &RuleMeta| registry::RULES.iter().position(|r| *r == rule);
    counts.sort_by_key(|&(rule, count)| (Reverse(count), position(rule), rule.code));
    counts
}
