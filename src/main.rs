use std::process::ExitCode;

use asynclint::cli::{Cli, RuleArgs};
use clap::{CommandFactory, FromArgMatches, Parser};

/// Shown under `asynclint --help`.
const COMMANDS: &str = "\
Commands:
  asynclint rule RULE    Print a rule's page (a code, name or other tool's code)
  asynclint rule --all   Print every rule's page (`--output-format text|json|markdown`)

`rule` is a command only as the first argument: lint a directory named `rule` with
`asynclint ./rule`.";

fn main() -> ExitCode {
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
