//! The command: find files, lint them in parallel, render once at the end.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{self, IsTerminal, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::cli::Cli;
use crate::config::Resolver;
use crate::diagnostic::Diagnostic;
use crate::discovery::{self, error_message};
use crate::linter::{self, LintOptions, LintedText, ProjectPart};
use crate::project::{self, PendingCheck, ProjectIndex};
use crate::render::{self, FileReport, RenderOptions};
use crate::rules::{internal_error, io_error};

/// Exit statuses.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_DIAGNOSTICS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Files larger than this cannot be addressed by the parser's 32-bit offsets.
const MAX_FILE_SIZE: u64 = u32::MAX as u64;

pub fn run(cli: Cli) -> u8 {
    match try_run(&cli) {
        Ok(status) => status,
        Err(message) => {
            eprintln!("asynclint: error: {message}");
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
    let mut reports = if reading_stdin {
        vec![lint_stdin(cli, &resolver)?]
    } else {
        let paths = if cli.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            cli.paths.clone()
        };
        lint_paths(&paths, threads, &resolver)?
    };
    reports.retain(|report| !report.diagnostics.is_empty());
    reports.sort_by(|a, b| a.path.cmp(&b.path));

    let status = exit_status(&reports, cli.exit_zero);
    let options = RenderOptions {
        color: use_color(std::io::stdout().is_terminal()),
        cwd,
    };
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

fn lint_paths(
    paths: &[PathBuf],
    threads: usize,
    resolver: &Arc<Resolver>,
) -> Result<Vec<FileReport>, String> {
    let discovered = discovery::discover(paths, threads, resolver).map_err(|e| e.to_string())?;
    // Per-file settings, resolved once per directory before the parallel phase.
    let mut packages = HashMap::new();
    let mut jobs = Vec::with_capacity(discovered.files.len());
    for path in discovered.files {
        let options = lint_options(resolver, &path, &mut packages)?;
        jobs.push((path, options));
    }
    // Phase 1: every file on its own, in parallel.
    let linted: Vec<Linted> = jobs
        .into_par_iter()
        .map(|(path, options)| lint_file(path, &options))
        .collect();
    // Phase 2: the checks that needed the rest of the project.
    let mut facts = Vec::new();
    let mut files = Vec::with_capacity(linted.len());
    for Linted {
        report,
        project,
        text_hash,
    } in linted
    {
        facts.extend(project.facts);
        files.push((report, project.pending, text_hash));
    }
    let index = ProjectIndex::new(facts);
    let mut reports: Vec<FileReport> = files
        .into_par_iter()
        .map(|(report, pending, text_hash)| finish_report(report, &pending, text_hash, &index))
        .collect();
    reports.extend(discovered.errors.into_iter().map(|error| FileReport {
        path: error.path,
        text: String::new(),
        diagnostics: vec![Diagnostic::for_file(&io_error::RULE, error.message)],
    }));
    Ok(reports)
}

/// Adds a file's phase-2 diagnostics. A file that had none before has to be read again
/// for its text; if it changed since phase 1, its positions would be wrong, so that is
/// reported instead.
fn finish_report(
    mut report: FileReport,
    pending: &[PendingCheck],
    text_hash: Option<u64>,
    index: &ProjectIndex,
) -> FileReport {
    let found = index.decide(pending);
    if found.is_empty() {
        return report;
    }
    if report.text.is_empty() {
        let reread = read_source(&report.path).map(crate::source::decode);
        match reread {
            Ok(Ok(text)) if Some(hash_text(&text)) == text_hash => report.text = text,
            _ => {
                report.diagnostics.push(Diagnostic::for_file(
                    &io_error::RULE,
                    "the file changed or disappeared while it was being linted; run again",
                ));
                return report;
            }
        }
    }
    report.diagnostics.extend(found);
    report
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    report
}

fn hash_text(text: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// How to lint one file: the settings of its closest configuration.
fn lint_options(
    resolver: &Resolver,
    path: &Path,
    packages: &mut HashMap<PathBuf, Option<String>>,
) -> Result<LintOptions, String> {
    let settings = resolver.settings_for(path).map_err(|e| e.to_string())?;
    let target_version = resolver
        .target_for(path, &settings)
        .map_err(|e| e.to_string())?;
    Ok(LintOptions {
        target_version,
        module: project::module_path(path, packages),
        rules: settings.rules_for(path),
        rule_options: settings.rule_options.clone(),
        ..LintOptions::default()
    })
}

fn lint_stdin(cli: &Cli, resolver: &Resolver) -> Result<FileReport, String> {
    let path = cli
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("-"));
    let mut bytes = Vec::new();
    io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let mut packages = HashMap::new();
    let mut options = lint_options(resolver, &path, &mut packages)?;
    if cli.stdin_filename.is_none() {
        options.module = None;
    }
    // Standard input is a project of one file: its own facts decide its deferred checks.
    let Linted {
        report,
        project,
        text_hash: _,
    } = lint_guarded(path, &options, move |options| {
        Ok(linter::lint_bytes(bytes, options))
    });
    let index = ProjectIndex::new(project.facts);
    let mut report = report;
    let found = index.decide(&project.pending);
    if !found.is_empty() {
        report.diagnostics.extend(found);
        report
            .diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    Ok(report)
}

/// One file after phase 1.
pub struct Linted {
    pub report: FileReport,
    pub project: ProjectPart,
    /// Hash of the text, kept when phase 2 may need to read the file again.
    pub text_hash: Option<u64>,
}

/// Reads and lints one file. Whatever happens, the outcome is a report: unreadable files
/// and panics become diagnostics, and the other files are still linted.
pub fn lint_file(path: PathBuf, options: &LintOptions) -> Linted {
    let reading = path.clone();
    lint_guarded(path, options, move |options| {
        read_source(&reading).map(|bytes| linter::lint_bytes(bytes, options))
    })
}

fn lint_guarded(
    path: PathBuf,
    options: &LintOptions,
    lint: impl FnOnce(&LintOptions) -> Result<LintedText, String>,
) -> Linted {
    let outcome = catch_unwind(AssertUnwindSafe(|| lint(options)));
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
    } = linted;
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // Only files with diagnostics keep their text, for rendering; one that may get some
    // in phase 2 keeps a hash of it instead.
    let text_hash = (!project.pending.is_empty()).then(|| hash_text(&text));
    let text = if diagnostics.is_empty() {
        String::new()
    } else {
        text
    };
    Linted {
        report: FileReport {
            path,
            text,
            diagnostics,
        },
        project,
        text_hash,
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

fn read_source(path: &Path) -> Result<Vec<u8>, String> {
    let metadata = std::fs::metadata(path).map_err(|e| error_message(&e))?;
    if !metadata.is_file() {
        return Err(format!(
            "not a regular file ({}); to lint a stream, pipe it to `asynclint -`",
            describe_file_type(&metadata)
        ));
    }
    if metadata.len() > MAX_FILE_SIZE {
        return Err(format!(
            "file too large to lint ({} bytes; the limit is 4 GiB)",
            metadata.len()
        ));
    }
    std::fs::read(path).map_err(|e| error_message(&e))
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

    #[test]
    fn a_panic_becomes_an_internal_error_for_that_file() {
        let report = lint_guarded(PathBuf::from("boom.py"), &options(), |_| {
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
        let clean = lint_guarded(PathBuf::from("a.py"), &options(), |options| {
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
