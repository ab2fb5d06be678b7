use std::process::ExitCode;

/// glibc's allocator spent a quarter of a corpus run in malloc/free (perf, one thread);
/// mimalloc, as ruff does, halves that (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use asynclint::cli::{Cli, RuleArgs};
use clap::{CommandFactory, FromArgMatches, Parser};

/// Shown under `asynclint --help`.
const COMMANDS: &str = "\
Commands:
  asynclint rule RULE    Print a rule's page (a code, name or other tool's code)
  asynclint rule --all   Print every rule's page (`--output-format text|json|markdown`)

`rule` is a command only as the first argument: lint a directory named `rule` with
`asynclint ./rule`.";

/// mimalloc's `mi_option_purge_delay` (its index in `mimalloc.h`; the same in v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // A lint run is short: returning freed pages to the OS only to fault them in again for
    // the next file cost a fifth of the run in the kernel (`clear_page`, perf).
    // SAFETY: sets a process-wide allocator option before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    // Transparent huge pages: each first touch of a 2 MiB page zeroes all of it, which
    // took half of a cached run's time and a quarter more memory on a cold one (perf:
    // `clear_page_erms` under `do_huge_pmd_anonymous_page`). mimalloc's own switch is read
    // when it starts, before `main`; the process-wide one applies to every later fault.
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag of this process; no memory is touched.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // `asynclint rule ...` is the one subcommand; everything else is `asynclint [PATH]...`,
    // so a clap subcommand (which would claim every first positional) is not used.
    if std::env::args_os().nth(1).is_some_and(|arg| arg == "rule") {
        let args = std::env::args_os()
            .take(1)
            .chain(std::env::args_os().skip(2));
        let args = RuleArgs::parse_from(args);
        return ExitCode::from(asynclint::rule_command::run(&args));
    }
    let mut command = Cli::command().after_help(COMMANDS);
    let matches = command.get_matches_mut();
    let cli =
        Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.format(&mut command).exit());
    ExitCode::from(asynclint::run::run(cli))
}
