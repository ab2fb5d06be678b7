//! The command: find files, lint them in parallel, render once at the end.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{self, IsTerminal, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::cache::{self, Cache};
use crate::cli::Cli;
use crate::config::Resolver;
use crate::diagnostic::Diagnostic;
use crate::discovery::{self, error_message};
use crate::fix::{self, Applicability};
use crate::linter::{self, LintOptions, LintedText, ProjectPart};
use crate::project::{self, ProjectIndex};
use crate::registry::RuleMeta;
use crate::render::{self, FileReport, RenderOptions};
use crate::rules::{internal_error, io_error};
use crate::suppression;

/// Exit statuses.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_DIAGNOSTICS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Files larger than this are not linted: linting takes about 35 bytes of memory per byte
/// of source (tokens, tree, scope model), so this bounds one file's share at about 9 GiB.
/// (The parser's 32-bit offsets could not address more than 4 GiB anyway.)
const MAX_FILE_SIZE: u64 = 256 << 20;

/// `eprintln!` panics when standard error is a closed pipe (`asynclint 2>&1 | true`): a
/// message that cannot be shown is dropped instead, and the exit status stays ours.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        let _ = writeln!(io::stderr(), $($arg)*);
    }};
}

pub fn run(cli: Cli) -> u8 {
    match try_run(&cli) {
        Ok(status) => status,
        Err(message) => {
            // The message may quote a path from the linted tree: nothing in it may act on
            // the terminal (its line breaks are the message's own).
            let message: Vec<_> = message
                .split('\n')
                .map(crate::source::escape_for_display)
                .collect();
            eprintln!("asynclint: error: {}", message.join("\n"));
            EXIT_ERROR
        }
    }
}

fn try_run(cli: &Cli) -> Result<u8, String> {
    let threads = cli.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    // Ignore the error when the global pool already exists (tests calling `run` twice).
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .stack_size(16 << 20)
        .build_global();
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let resolver =
        Arc::new(Resolver::new(cli.overrides(), cwd.clone()).map_err(|e| e.to_string())?);

    let dash = cli.paths.iter().any(|p| p.as_os_str() == "-");
    if dash && cli.paths.len() > 1 {
        return Err("`-` (standard input) cannot be combined with other paths".into());
    }
    if let (false, false, Some(name)) = (dash, cli.paths.is_empty(), &cli.stdin_filename) {
        return Err(format!(
            "`--stdin-filename {}` names standard input, but the paths given are not `-`",
            name.display()
        ));
    }
    // `--stdin-filename` alone means standard input too, as with ruff.
    let reading_stdin = dash || cli.stdin_filename.is_some();
    // `--diff` and `--fix-only` imply fixing; `--unsafe-fixes` widens it.
    let fixing = (cli.fix || cli.fix_only || cli.diff).then_some(if cli.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    });
    let Outcome {
        mut reports,
        rules: enabled,
        fixes,
    } = if reading_stdin {
        lint_stdin(cli, &resolver, fixing)?
    } else {
        let paths = if cli.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            cli.paths.clone()
        };
        let cache = (!cli.no_cache).then(|| {
            let directory = cli
                .cache_dir
                .clone()
                .unwrap_or_else(|| cwd.join(cache::DEFAULT_DIRECTORY));
            Cache::open(&directory)
        });
        lint_paths(&paths, threads, &resolver, fixing, cache.as_ref())?
    };
    if cli.add_noqa {
        return add_noqa(&reports);
    }
    if cli.diff {
        return print_diffs(&fixes, &cwd);
    }
    let fixed_count: usize = fixes.iter().map(|f| f.applied.len()).sum();
    if fixing.is_some() {
        write_fixes(&fixes, reading_stdin, &reports)?;
        if cli.show_fixes {
            show_fixes(&fixes, &cwd);
        }
    }
    reports.retain(|report| !report.diagnostics.is_empty());
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    let on_fix = if cli.exit_non_zero_on_fix && fixed_count > 0 {
        EXIT_DIAGNOSTICS
    } else {
        EXIT_CLEAN
    };
    if cli.fix_only {
        let errors = exit_status(&reports, true);
        return Ok(errors.max(on_fix));
    }
    let status = exit_status(&reports, cli.exit_zero).max(on_fix);
    if fixed_count > 0 {
        eprintln!(
            "Fixed {fixed_count} diagnostic{}.",
            if fixed_count == 1 { "" } else { "s" }
        );
    }
    hint_unsafe_fixes(&reports, fixing);
    warn_unfixed_notebooks(&reports, fixing, &cwd);
    let options = RenderOptions {
        color: cli.output_file.is_none() && use_color(std::io::stdout().is_terminal()),
        cwd,
        rules: enabled,
        statistics: cli.statistics,
    };
    if let Some(path) = &cli.output_file {
        render::write_file(path, cli.output_format, &reports, &options)?;
        return Ok(status);
    }
    // With `--fix` on standard input, the fixed source goes to stdout: the report to stderr.
    if reading_stdin && fixing.is_some() {
        let mut err = io::stderr().lock();
        return render::render(cli.output_format, &reports, &options, &mut err)
            .map(|()| status)
            .map_err(|e| format!("cannot write the output: {e}"));
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written =
        render::render(cli.output_format, &reports, &options, &mut out).and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(status),
        // A reader that stopped reading (`asynclint . | head -1`) is not an error of ours.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(status),
        Err(error) => Err(format!("cannot write the output: {error}")),
    }
}

/// `--diff`: the changes fixes would make, as unified diffs; nothing is written. Exit
/// status 1 when there is a diff.
fn print_diffs(fixes: &[FileFix], cwd: &Path) -> Result<u8, String> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut sorted: Vec<&FileFix> = fixes.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for fix in &sorted {
        let name = render::display_path(&fix.path, cwd);
        let diff = fix::unified_diff(&name, &fix.before, &fix.after);
        if let Err(error) = out.write_all(diff.as_bytes()) {
            if error.kind() == io::ErrorKind::BrokenPipe {
                break;
            }
            return Err(format!("cannot write the output: {error}"));
        }
    }
    let _ = out.flush();
    let count: usize = fixes.iter().map(|f| f.applied.len()).sum();
    if count > 0 {
        eprintln!(
            "Would fix {count} diagnostic{} in {} file{}.",
            if count == 1 { "" } else { "s" },
            fixes.len(),
            if fixes.len() == 1 { "" } else { "s" }
        );
    }
    Ok(if fixes.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_DIAGNOSTICS
    })
}

/// Writes fixed files back; for standard input, prints the fixed source (or the source
/// unchanged) to stdout.
fn write_fixes(
    fixes: &[FileFix],
    reading_stdin: bool,
    reports: &[FileReport],
) -> Result<(), String> {
    if reading_stdin {
        let text = match fixes.first() {
            Some(fix) => fix.after.clone(),
            None => reports.first().map(|r| r.text.clone()).unwrap_or_default(),
        };
        let mut out = io::stdout().lock();
        return out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .or_else(|e| {
                if e.kind() == io::ErrorKind::BrokenPipe {
                    Ok(())
                } else {
                    Err(e)
                }
            })
            .map_err(|e| format!("cannot write the output: {e}"));
    }
    for fix in fixes {
        std::fs::write(&fix.path, &fix.after)
            .map_err(|e| format!("cannot write {}: {e}", fix.path.display()))?;
    }
    Ok(())
}

fn show_fixes(fixes: &[FileFix], cwd: &Path) {
    if fixes.is_empty() {
        eprintln!("No fixes applied.");
        return;
    }
    eprintln!("Fixed:");
    for fix in fixes {
        let path = render::display_path(&fix.path, cwd);
        eprintln!("  {}:", crate::source::escape_for_display(&path));
        let mut counts: Vec<(&str, &str, usize)> = Vec::new();
        for (code, message) in &fix.applied {
            match counts
                .iter_mut()
                .find(|(c, m, _)| c == code && m == message)
            {
                Some(entry) => entry.2 += 1,
                None => counts.push((code, message, 1)),
            }
        }
        for (code, message, count) in counts {
            eprintln!("    {count} × {code} ({message})");
        }
    }
}

/// Notebooks are reported, not rewritten: say so when one has a fix that would apply,
/// rather than leave the user wondering why `--fix` did nothing there.
fn warn_unfixed_notebooks(reports: &[FileReport], fixing: Option<Applicability>, cwd: &Path) {
    let Some(allowed) = fixing else {
        return;
    };
    for report in reports.iter().filter(|r| r.cells.is_some()) {
        if report.diagnostics.iter().any(|d| d.is_fixable_at(allowed)) {
            let path = render::display_path(&report.path, cwd);
            let path = crate::source::escape_for_display(&path);
            eprintln!("asynclint: warning: {path}: fixes are not applied to notebooks");
        }
    }
}

/// Like ruff: say how many more fixes `--unsafe-fixes` would make.
fn hint_unsafe_fixes(reports: &[FileReport], fixing: Option<Applicability>) {
    if fixing == Some(Applicability::Unsafe) {
        return;
    }
    let hidden = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Unsafe)
        })
        .count();
    if hidden > 0 && fixing.is_some() {
        eprintln!(
            "{hidden} more fix{} available with `--unsafe-fixes`.",
            if hidden == 1 { " is" } else { "es are" }
        );
    }
}

/// Colour when writing to a terminal, or when `FORCE_COLOR` is set; never when `NO_COLOR`
/// is (see no-color.org and force-color.org: a set variable is one with a non-empty value).
fn use_color(terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
    !set("NO_COLOR") && (terminal || set("FORCE_COLOR"))
}

fn exit_status(reports: &[FileReport], exit_zero: bool) -> u8 {
    let diagnostics = reports.iter().flat_map(|r| &r.diagnostics);
    let mut status = EXIT_CLEAN;
    for diagnostic in diagnostics {
        if diagnostic.rule == &io_error::RULE || diagnostic.rule == &internal_error::RULE {
            return EXIT_ERROR;
        }
        if !exit_zero {
            status = EXIT_DIAGNOSTICS;
        }
    }
    status
}

/// The reports of every file, every rule that ran on any of them, and the fixes made.
struct Outcome {
    reports: Vec<FileReport>,
    rules: Vec<&'static RuleMeta>,
    fixes: Vec<FileFix>,
}

/// A file fixed: its text before and after, and the fixes applied.
struct FileFix {
    path: PathBuf,
    before: String,
    after: String,
    applied: Vec<(&'static str, String)>,
}

fn lint_paths(
    paths: &[PathBuf],
    threads: usize,
    resolver: &Arc<Resolver>,
    fixing: Option<Applicability>,
    cache: Option<&Cache>,
) -> Result<Outcome, String> {
    let discovered = discovery::discover(paths, threads, resolver).map_err(|e| e.to_string())?;
    let jobs = plan(resolver, discovered.files)?;
    // Phase 1: every file on its own, in parallel.
    let mut linted: Vec<Linted> = jobs
        .into_par_iter()
        .map(|(path, options)| lint_file(path, options, cache))
        .collect();
    // Every file the same as in the run that stored the cache: so is every phase-2
    // decision, and the stored ones are used as they are (unless fixing, which needs
    // the project's facts).
    // (Files that cannot be cached have no key: such a run is stored, but never reused
    // whole, since not every file comes from the cache.)
    let run = cache.map(|_| cache::run_fingerprint(linted.iter().filter_map(|l| l.cache_key)));
    let same_run = run.is_some() && cache.and_then(Cache::run) == run;
    let unchanged = fixing.is_none() && same_run && linted.iter().all(|l| l.from_cache.is_some());
    // A damaged entry, linted again, must replace the stored one.
    let mut damaged = false;
    if !unchanged {
        damaged = linted
            .par_iter_mut()
            .map(|file| restore_deferred(file, cache))
            .reduce(|| false, |a, b| a || b);
    }
    // Phase 2: the checks that needed the rest of the project.
    let deferred = match cache {
        Some(cache) if !unchanged => linted
            .par_iter_mut()
            .map(|file| stored_deferred(file, cache))
            .collect(),
        _ => Vec::new(),
    };
    let mut facts = Vec::new();
    // By code: comparing every file's rules with a list showed in profiles.
    let mut enabled: rustc_hash::FxHashSet<&'static str> = rustc_hash::FxHashSet::default();
    for file in &mut linted {
        facts.extend(file.project.facts.take());
        enabled.extend(file.options.rules.iter().map(|rule| rule.code));
    }
    let index = ProjectIndex::new(if unchanged { Vec::new() } else { facts });
    let decided: Vec<Vec<Diagnostic>> = linted
        .par_iter_mut()
        .map(|file| match &mut file.from_cache {
            Some(stored) if unchanged => std::mem::take(&mut stored.decided),
            _ => index.decide(&file.project.pending),
        })
        .collect();
    if let (Some(cache), Some(run)) = (cache, run)
        && (!same_run || damaged)
    {
        save_cache(cache, run, &linted, &decided, &deferred);
    }
    let (mut reports, fixes): (Vec<FileReport>, Vec<Option<FileFix>>) = linted
        .into_par_iter()
        .zip(decided)
        .map(|(file, decided)| finish_and_fix(file, decided, &index, fixing))
        .unzip();
    reports.extend(discovered.errors.into_iter().map(|error| FileReport {
        path: error.path,
        text: String::new(),
        diagnostics: vec![Diagnostic::for_file(&io_error::RULE, error.message)],
        cells: None,
    }));
    Ok(Outcome {
        reports,
        rules: in_registry_order(&enabled),
        fixes: fixes.into_iter().flatten().collect(),
    })
}

/// A file's facts and deferred checks as the cache stores them: as the cache holds them,
/// or as phase 1 encoded them (moved out); `None` when they cannot be stored.
fn stored_deferred<'c>(file: &mut Linted, cache: &'c Cache) -> Option<std::borrow::Cow<'c, [u8]>> {
    match &file.from_cache {
        Some(stored) => Some(std::borrow::Cow::Borrowed(
            cache.deferred(stored.deferred.clone()),
        )),
        None => file.encoded.take().map(std::borrow::Cow::Owned),
    }
}

/// Stores the results of the run `run` (the fingerprint of its files' keys): every file
/// with a key.
fn save_cache(
    cache: &Cache,
    run: u64,
    linted: &[Linted],
    decided: &[Vec<Diagnostic>],
    deferred: &[Option<std::borrow::Cow<'_, [u8]>>],
) {
    let results =
        linted
            .iter()
            .zip(decided)
            .zip(deferred)
            .filter_map(|((file, decided), deferred)| {
                let entry = cache::EntryRef {
                    diagnostics: &file.report.diagnostics,
                    directives: &file.project.directives,
                    decided,
                    deferred: serde_bytes::Bytes::new(deferred.as_deref()?),
                    has_pending: match &file.from_cache {
                        Some(stored) => stored.has_pending,
                        None => !file.project.pending.is_empty(),
                    },
                };
                Some((file.cache_key?, entry))
            });
    if let Err(error) = cache.save(run, results) {
        eprintln!("asynclint: warning: cannot write the cache: {error}");
    }
}

/// Finishes a file's report and, when fixing, fixes it until it is stable.
fn finish_and_fix(
    file: Linted,
    decided: Vec<Diagnostic>,
    index: &ProjectIndex,
    fixing: Option<Applicability>,
) -> (FileReport, Option<FileFix>) {
    // Kept only when fixing (a copy per file showed in profiles of cached runs).
    let options = fixing.map(|_| file.options.clone()).unwrap_or_default();
    let report = finish_report(file, decided);
    // Notebooks are reported, not rewritten.
    let Some(allowed) = fixing.filter(|_| report.cells.is_none()) else {
        return (report, None);
    };
    if !report.diagnostics.iter().any(|d| d.is_fixable_at(allowed)) {
        return (report, None);
    }
    let lint = |text: &str| {
        let (mut diagnostics, project) = linter::lint_module(text, &options);
        diagnostics.extend(index.decide(&project.pending));
        suppression::apply(&mut diagnostics, &project.directives, &options.rules);
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        diagnostics
    };
    let syntax_errors = |text: &str| linter::syntax_error_count(text, options.target_version);
    let fixed = fix::fix_until_stable(
        &report.text,
        report.diagnostics.clone(),
        allowed,
        &lint,
        &syntax_errors,
    );
    if fixed.applied.is_empty() {
        return (report, None);
    }
    let file_fix = FileFix {
        path: report.path.clone(),
        before: report.text,
        after: fixed.text.clone(),
        applied: fixed.applied,
    };
    let report = FileReport {
        path: report.path,
        text: fixed.text,
        diagnostics: fixed.remaining,
        cells: None,
    };
    (report, Some(file_fix))
}

fn in_registry_order(codes: &rustc_hash::FxHashSet<&'static str>) -> Vec<&'static RuleMeta> {
    crate::registry::RULES
        .iter()
        .copied()
        .filter(|rule| codes.contains(rule.code))
        .collect()
}

/// `--add-noqa`: writes a `# noqa` comment for every diagnostic into its file.
fn add_noqa(reports: &[FileReport]) -> Result<u8, String> {
    let mut added = 0;
    for report in reports {
        if report.text.is_empty() || report.path.as_os_str() == "-" || report.cells.is_some() {
            continue;
        }
        let (text, changed) = suppression::add_noqa(&report.text, &report.diagnostics);
        if changed > 0 {
            std::fs::write(&report.path, text)
                .map_err(|e| format!("cannot write {}: {e}", report.path.display()))?;
            added += changed;
        }
    }
    let plural = if added == 1 { "" } else { "s" };
    eprintln!("Added {added} noqa directive{plural}.");
    Ok(EXIT_CLEAN)
}

/// A file's report: its phase-1 diagnostics and those phase 2 `decided`, with its
/// `# noqa` comments applied. A file that had no diagnostics before has to be read again
/// for its text; if it changed since phase 1, its positions would be wrong, so that is
/// reported instead.
fn finish_report(file: Linted, decided: Vec<Diagnostic>) -> FileReport {
    let Linted {
        mut report,
        project,
        text_hash,
        options,
        cache_key: _,
        from_cache: _,
        encoded: _,
    } = file;
    report.diagnostics.extend(decided);
    suppression::apply(&mut report.diagnostics, &project.directives, &options.rules);
    if report.diagnostics.is_empty() {
        return report;
    }
    let needs_text = report.diagnostics.iter().any(|d| d.range.is_some());
    // Without a hash (phase 1 expected no change), the text is read again all the same:
    // a diagnostic shown without its source line is better than a wrong one.
    if needs_text && report.text.is_empty() {
        let reread = read_source(&report.path).map(|bytes| {
            if options.notebook {
                crate::notebook::parse(&bytes)
                    .map(|notebook| notebook.source)
                    .ok()
            } else {
                crate::source::decode(bytes).ok()
            }
        });
        match reread {
            Ok(Some(text)) if text_hash.is_none_or(|hash| hash_text(&text) == hash) => {
                report.text = text;
            }
            _ => {
                report.diagnostics.push(Diagnostic::for_file(
                    &io_error::RULE,
                    "the file changed or disappeared while it was being linted; run again",
                ));
                return report;
            }
        }
    }
    report
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    report
}

/// Detects a file edited during the run; a fast non-cryptographic hash is enough.
fn hash_text(text: &str) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

/// How to lint one file: the settings of its closest configuration.
/// Each file with its lint options: its settings (from the closest configuration), its
/// module name, and the project's top-level package names that phase 1 needs to tell
/// project imports from the others.
pub fn plan(
    resolver: &Resolver,
    files: Vec<PathBuf>,
) -> Result<Vec<(PathBuf, LintOptions)>, String> {
    // Per-file settings, resolved once per directory before the parallel phase.
    let mut planner = Planner::default();
    let mut jobs = Vec::with_capacity(files.len());
    for path in files {
        let options = lint_options(resolver, &path, &mut planner)?;
        jobs.push((path, options));
    }
    let roots: linter::ProjectRoots = jobs
        .iter()
        .filter_map(|(_, options)| options.module.as_ref())
        .map(|module| {
            module
                .name
                .split('.')
                .next()
                .unwrap_or(&module.name)
                .to_string()
        })
        .collect();
    let fingerprint = {
        let mut sorted: Vec<&String> = roots.iter().collect();
        sorted.sort_unstable();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        sorted.hash(&mut hasher);
        hasher.finish()
    };
    let roots = Arc::new(roots);
    for (_, options) in &mut jobs {
        options.project_roots = Some(Arc::clone(&roots));
        options.project_fingerprint = fingerprint;
    }
    Ok(jobs)
}

/// What [`lint_options`] remembers from file to file.
#[derive(Default)]
struct Planner {
    /// The dotted name of each directory that is a package.
    packages: HashMap<PathBuf, Option<String>>,
    /// What the files of each directory share, looked up once per directory. Keyed by
    /// the path's text: hashing a `Path` goes component by component.
    directories: rustc_hash::FxHashMap<std::ffi::OsString, DirectoryOptions>,
}

/// What depends only on a file's directory.
struct DirectoryOptions {
    settings: Arc<crate::config::Settings>,
    target_version: crate::target_version::TargetVersion,
    /// The directory's dotted name, when it is a package.
    package: Option<String>,
}

fn lint_options(
    resolver: &Resolver,
    path: &Path,
    planner: &mut Planner,
) -> Result<LintOptions, String> {
    // Made absolute once, against the directory the resolver knows: each lookup below
    // would otherwise ask the system for the current directory again.
    let file = crate::config::absolute(resolver.cwd(), path);
    let directory = file.parent().unwrap_or(&file);
    let shared = match planner.directories.get(directory.as_os_str()) {
        Some(shared) => shared,
        None => {
            let settings = resolver
                .settings_for_file(&file)
                .map_err(|e| e.to_string())?;
            let target_version = resolver
                .target_for(&file, &settings)
                .map_err(|e| e.to_string())?;
            let package = project::package_name(directory, &mut planner.packages);
            let shared = DirectoryOptions {
                settings,
                target_version,
                package,
            };
            planner
                .directories
                .entry(directory.as_os_str().to_os_string())
                .or_insert(shared)
        }
    };
    Ok(LintOptions {
        target_version: shared.target_version,
        notebook: path.extension().is_some_and(|ext| ext == "ipynb"),
        module: project::module_in(&file, shared.package.as_deref()),
        rules: shared.settings.rules_for(&file),
        rule_options: shared.settings.rule_options.clone(),
        ..LintOptions::default()
    })
}

fn lint_stdin(
    cli: &Cli,
    resolver: &Resolver,
    fixing: Option<Applicability>,
) -> Result<Outcome, String> {
    let path = cli
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("-"));
    let mut bytes = Vec::new();
    io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let mut options = lint_options(resolver, &path, &mut Planner::default())?;
    if cli.stdin_filename.is_none() {
        options.module = None;
    }
    // Standard input is a project of one file: its own facts decide its deferred checks.
    let mut linted = lint_guarded(path, options, move |options| {
        let mut linted = linter::lint_bytes(bytes, options);
        // Standard input cannot be read twice: keep its text whatever happens.
        linted.keep_text = true;
        Ok(linted)
    });
    linted.text_hash = None;
    let index = ProjectIndex::new(linted.project.facts.take());
    let enabled = in_registry_order(&linted.options.rules.iter().map(|rule| rule.code).collect());
    let decided = index.decide(&linted.project.pending);
    let (report, fix) = finish_and_fix(linted, decided, &index, fixing);
    Ok(Outcome {
        reports: vec![report],
        rules: enabled,
        fixes: fix.into_iter().collect(),
    })
}

/// One file after phase 1.
pub struct Linted {
    pub report: FileReport,
    pub project: ProjectPart,
    /// Hash of the text, kept when phase 2 may need to read the file again.
    pub text_hash: Option<u64>,
    /// How it was linted (for judging its `# noqa` comments, and for fixing it).
    pub options: LintOptions,
    /// Its cache key, when its result may be remembered.
    pub cache_key: Option<cache::Key>,
    /// For a result taken from the cache: its entry, for what phase 2 may reuse (the
    /// phase-1 diagnostics and directives moved out into the result).
    pub from_cache: Option<cache::Entry>,
    /// For a fresh result: its facts and deferred checks, encoded as the cache stores
    /// them, until phase 2 decodes them. One buffer per file kept between the phases
    /// instead of many small allocations: on 100,000 files, 13% less peak memory, and the
    /// cache stores the buffer as it is.
    pub encoded: Option<Vec<u8>>,
}

/// Reads and lints one file. Whatever happens, the outcome is a report: unreadable files
/// and panics become diagnostics, and the other files are still linted.
pub fn lint_file(path: PathBuf, options: LintOptions, cache: Option<&Cache>) -> Linted {
    let reading = path.clone();
    let mut key = None;
    let mut cacheable = true;
    let mut from_cache = None;
    let mut text_hash = None;
    let mut linted = lint_guarded(path, options, |options| {
        // With a cache, most files are read only to be hashed: into this thread's buffer,
        // kept from file to file (fresh buffers cost a page fault per page).
        let bytes = match cache {
            Some(_) => {
                let mut buffer = READ_BUFFER.take();
                read_source_into(&reading, &mut buffer)?;
                buffer
            }
            None => read_source(&reading)?,
        };
        #[cfg(debug_assertions)]
        panic_if_asked(&reading);
        if let Some(cache) = cache {
            let file_key = cache::key(&reading, &bytes, options);
            let hit = cache.take(file_key);
            key = Some(file_key);
            if let Some(mut entry) = hit {
                // The phase-1 parts go into the result; phase 2's stay in the entry.
                let diagnostics = std::mem::take(&mut entry.diagnostics);
                let directives = std::mem::take(&mut entry.directives);
                let has_pending = entry.has_pending;
                let clean = diagnostics.is_empty() && !has_pending && directives.is_empty();
                from_cache = Some(entry);
                let project = ProjectPart {
                    directives,
                    ..ProjectPart::default()
                };
                // A clean file's text is not needed at all (the most common hit).
                if !options.notebook && clean {
                    READ_BUFFER.set(bytes);
                    return Ok(LintedText {
                        project,
                        ..LintedText::default()
                    });
                }
                // Otherwise the text is needed for the diagnostics' positions and the
                // `noqa` comments' lines: decoding is cheap, parsing is what the cache saves.
                let Some((text, cells)) = linter::decode_only(bytes, options) else {
                    // Not stored for such a file: the key matched something else.
                    cacheable = false;
                    from_cache = None;
                    return Ok(linter::lint_bytes(read_source(&reading)?, options));
                };
                // Its checks are still encoded: the hash that tells whether the file
                // changed before phase 2 reads it again is taken here.
                text_hash = has_pending.then(|| hash_text(&text));
                return Ok(LintedText {
                    text,
                    diagnostics,
                    project,
                    keep_text: false,
                    cells,
                });
            }
        }
        let linted = linter::lint_bytes(bytes, options);
        // Text that was not decoded as it is (undecodable bytes) cannot be read again.
        cacheable = !linted.keep_text;
        Ok(linted)
    });
    // Results that came from reading the file as it is, and not from an internal error.
    let failed =
        linted.report.diagnostics.iter().any(|d| {
            d.rule.code == internal_error::RULE.code || d.rule.code == io_error::RULE.code
        });
    linted.cache_key = key.filter(|_| cacheable && !failed);
    linted.from_cache = from_cache.filter(|_| linted.cache_key.is_some());
    linted.text_hash = linted.text_hash.or(text_hash);
    if linted.from_cache.is_none() {
        linted.encoded = cache::encode_deferred(&linted.project.facts, &linted.project.pending);
        if linted.encoded.is_some() {
            linted.project.facts = None;
            linted.project.pending = Vec::new();
        }
    }
    linted
}

/// Puts back the facts and deferred checks of a result, encoded since phase 1 or taken
/// from the cache, for a phase 2 that cannot reuse stored decisions. A cached one that
/// cannot be decoded (stored by this build, but damaged) is linted again; says whether
/// that happened.
fn restore_deferred(linted: &mut Linted, cache: Option<&Cache>) -> bool {
    let decoded = match (&linted.from_cache, &linted.encoded, cache) {
        (Some(from_cache), _, Some(stored)) => {
            cache::decode_deferred(stored.deferred(from_cache.deferred.clone()))
        }
        (None, Some(encoded), _) => cache::decode_deferred(encoded),
        _ => return false,
    };
    match decoded {
        Some(deferred) => {
            linted.project.facts = deferred.facts;
            linted.project.pending = deferred.pending;
            // Kept only for the cache to store.
            if cache.is_none() {
                linted.encoded = None;
            }
            false
        }
        // What this run encoded decodes: only the cache can be damaged.
        None if linted.from_cache.is_none() => false,
        None => {
            // Its entry was taken: this lints it afresh, with its key.
            let options = std::mem::take(&mut linted.options);
            *linted = lint_file(linted.report.path.clone(), options, cache);
            restore_deferred(linted, cache);
            true
        }
    }
}

/// Debug builds only: a panic while linting the file whose name is
/// `ASYNCLINT_TEST_PANIC_ON`, so that `tests/hostile.rs` can check that a worker's panic
/// becomes an AL901 diagnostic for that file and nothing else.
#[cfg(debug_assertions)]
fn panic_if_asked(path: &Path) {
    let asked = std::env::var_os("ASYNCLINT_TEST_PANIC_ON");
    if asked.is_some_and(|name| path.file_name() == Some(name.as_os_str())) {
        panic!("ASYNCLINT_TEST_PANIC_ON asked for a panic here");
    }
}

fn lint_guarded(
    path: PathBuf,
    options: LintOptions,
    lint: impl FnOnce(&LintOptions) -> Result<LintedText, String>,
) -> Linted {
    let outcome = catch_unwind(AssertUnwindSafe(|| lint(&options)));
    let linted = match outcome {
        Ok(Ok(linted)) => linted,
        Ok(Err(message)) => LintedText {
            diagnostics: vec![Diagnostic::for_file(&io_error::RULE, message)],
            ..LintedText::default()
        },
        Err(panic) => LintedText {
            diagnostics: vec![internal_error_diagnostic(&panic)],
            ..LintedText::default()
        },
    };
    let LintedText {
        text,
        mut diagnostics,
        project,
        keep_text,
        cells,
    } = linted;
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // Only files with diagnostics keep their text, for rendering; one whose diagnostics
    // may change in phase 2 keeps a hash of it instead.
    // (A file with `noqa` comments may lose or gain diagnostics once they are applied.)
    let may_change = !project.pending.is_empty() || !project.directives.is_empty();
    let text_hash = may_change.then(|| hash_text(&text));
    let text = if diagnostics.is_empty() && !keep_text {
        String::new()
    } else {
        text
    };
    Linted {
        report: FileReport {
            path,
            text,
            diagnostics,
            cells,
        },
        project,
        text_hash,
        options,
        cache_key: None,
        from_cache: None,
        encoded: None,
    }
}

fn internal_error_diagnostic(panic: &Box<dyn std::any::Any + Send>) -> Diagnostic {
    let detail = panic
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Diagnostic::for_file(
        &internal_error::RULE,
        format!(
            "internal error while linting this file: {detail}. This is a bug in asynclint {}; please report it with the file attached",
            env!("CARGO_PKG_VERSION")
        ),
    )
}

/// Reads a file to lint: opened once and asked about through its descriptor (a cached run
/// is mostly reading files, and each lookup of the path cost as much as the read).
fn read_source(path: &Path) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    read_source_into(path, &mut bytes)?;
    Ok(bytes)
}

thread_local! {
    /// The buffer [`lint_file`] reads files into when they may come from the cache.
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// [`read_source`] into `bytes`, which is emptied first.
fn read_source_into(path: &Path, bytes: &mut Vec<u8>) -> Result<(), String> {
    bytes.clear();
    let file = open_for_reading(path).map_err(|e| error_message(&e))?;
    let metadata = file.metadata().map_err(|e| error_message(&e))?;
    if !metadata.is_file() {
        return Err(format!(
            "not a regular file ({}); to lint a stream, pipe it to `asynclint -`",
            describe_file_type(&metadata)
        ));
    }
    if metadata.len() > MAX_FILE_SIZE {
        return Err(format!(
            "file too large to lint ({} bytes; the limit is {} MiB)",
            metadata.len(),
            MAX_FILE_SIZE >> 20
        ));
    }
    // Sized from the metadata, read to the end: one `read` for most files, and no second
    // `stat` (as `std::fs::read` makes) to size the buffer.
    bytes.reserve(usize::try_from(metadata.len()).unwrap_or(0) + 1);
    std::io::Read::read_to_end(&mut std::io::Read::take(&file, MAX_FILE_SIZE + 1), bytes)
        .map_err(|e| error_message(&e))?;
    Ok(())
}

/// Opens a file for reading without blocking on a named pipe (whose `open` waits for a
/// writer): it is then refused as not a regular file.
#[cfg(target_os = "linux")]
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

/// Elsewhere, a path that is not a regular file is not opened at all.
#[cfg(not(target_os = "linux"))]
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(std::io::Error::other(format!(
            "not a regular file ({}); to lint a stream, pipe it to `asynclint -`",
            describe_file_type(&metadata)
        )));
    }
    std::fs::File::open(path)
}

fn describe_file_type(metadata: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let file_type = metadata.file_type();
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    let _ = metadata;
    "not a file"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target_version::TargetVersion;

    fn options() -> LintOptions {
        LintOptions {
            target_version: TargetVersion::DEFAULT,
            top_level_await: false,
            module: None,
            rules: crate::registry::RULES
                .iter()
                .copied()
                .filter(|r| r.default_enabled)
                .collect(),
            ..LintOptions::default()
        }
    }

    /// What may be cached: a file read and decoded as it is, with or without diagnostics;
    /// not one whose bytes could not be decoded, nor one that could not be read.
    #[test]
    fn only_results_read_from_the_file_as_it_is_are_cached() {
        let directory = tempfile::tempdir().unwrap();
        let cache = Cache::open(&directory.path().join("cache"));
        let file = |name: &str, bytes: &[u8]| {
            let path = directory.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            lint_file(path, options(), Some(&cache)).cache_key.is_some()
        };
        assert!(file("clean.py", b"x = 1\n"));
        assert!(file("bad.py", b"await x  # noqa: AL002\n"));
        assert!(!file("latin.py", b"x = '\xff'\n"));
        let missing = lint_file(directory.path().join("missing.py"), options(), Some(&cache));
        assert!(missing.cache_key.is_none());
    }

    #[test]
    fn a_panic_becomes_an_internal_error_for_that_file() {
        let report = lint_guarded(PathBuf::from("boom.py"), options(), |_| {
            panic!("the scope builder tripped")
        })
        .report;
        assert_eq!(report.path, PathBuf::from("boom.py"));
        assert_eq!(report.diagnostics.len(), 1);
        let diagnostic = &report.diagnostics[0];
        assert_eq!(diagnostic.code(), "AL901");
        assert!(diagnostic.range.is_none());
        assert!(
            diagnostic.message.contains("the scope builder tripped"),
            "{}",
            diagnostic.message
        );
        let reports = [report];
        assert_eq!(exit_status(&reports, true), EXIT_ERROR);
    }

    #[test]
    fn exit_zero_keeps_errors_of_asynclint_itself() {
        let clean = lint_guarded(PathBuf::from("a.py"), options(), |options| {
            Ok(linter::lint_bytes(b"await x\n".to_vec(), options))
        })
        .report;
        assert_eq!(clean.diagnostics[0].code(), "AL001");
        let reports = [clean];
        assert_eq!(exit_status(&reports, false), EXIT_DIAGNOSTICS);
        assert_eq!(exit_status(&reports, true), EXIT_CLEAN);
        assert_eq!(exit_status(&[], false), EXIT_CLEAN);
    }
}
