//! The command line.

use std::path::PathBuf;

use clap::Parser;

use crate::render::OutputFormat;
use crate::target_version::TargetVersion;

/// asynclint finds violations of Python's async/await rules without running the code:
/// what CPython refuses to compile, and what compiles but breaks at run time.
#[derive(Debug, Parser)]
#[command(name = "asynclint", version, about, max_term_width = 100)]
pub struct Cli {
    /// Files or directories to lint (default: the current directory); `-` reads standard
    /// input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The CPython version whose rules apply [default: the lower bound of `requires-python`
    /// in the nearest pyproject.toml, else py310].
    #[arg(long, value_name = "VERSION", value_parser = parse_target_version)]
    pub target_version: Option<TargetVersion>,

    /// How to print diagnostics. `full` is coloured on a terminal, or when `FORCE_COLOR`
    /// is set, unless `NO_COLOR` is set.
    #[arg(
        long,
        value_enum,
        default_value_t = OutputFormat::Full,
        env = "ASYNCLINT_OUTPUT_FORMAT",
        value_name = "FORMAT"
    )]
    pub output_format: OutputFormat,

    /// The file name to report (and resolve settings for) when linting standard input;
    /// standard input is read when no path is given, as with `-`.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Exit with status 0 even when diagnostics are found.
    #[arg(long)]
    pub exit_zero: bool,

    /// Only run these rules: codes, prefixes (`AL0`), names or other tools' codes
    /// (replaces the configuration's `select`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Option<Vec<String>>,

    /// Run these rules too.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_select: Vec<String>,

    /// Do not run these rules.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// A configuration file to use for every file instead of the closest one, or a
    /// `KEY = VALUE` pair (TOML) that overrides the configuration. Repeatable.
    #[arg(long, value_name = "PATH | KEY=VALUE")]
    pub config: Vec<String>,

    /// Ignore every configuration file.
    #[arg(long)]
    pub isolated: bool,

    /// Files and directories to skip when walking (replaces the defaults: `.git`,
    /// `.venv`, `venv`, `node_modules`, `__pycache__`, `build`, `dist`, ...).
    #[arg(long, value_delimiter = ',', value_name = "GLOBS")]
    pub exclude: Option<Vec<String>>,

    /// Files and directories to skip when walking, besides the excluded ones.
    #[arg(long, value_delimiter = ',', value_name = "GLOBS")]
    pub extend_exclude: Vec<String>,

    /// Number of worker threads [default: the number of CPUs].
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

fn parse_target_version(value: &str) -> Result<TargetVersion, String> {
    value.parse()
}

impl Cli {
    /// What the command line says about settings, for the configuration resolver.
    pub fn overrides(&self) -> crate::config::CliOverrides {
        crate::config::CliOverrides {
            target_version: self.target_version,
            select: self.select.clone(),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
            exclude: self.exclude.clone(),
            extend_exclude: self.extend_exclude.clone(),
            config: self.config.clone(),
            isolated: self.isolated,
        }
    }
}
