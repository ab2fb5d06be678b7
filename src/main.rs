use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = asynclint::cli::Cli::parse();
    ExitCode::from(asynclint::run::run(cli))
}
