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

    /// Write the report to FILE (created or truncated, with its directories) instead of
    /// standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Print how many diagnostics each rule found instead of the diagnostics (a JSON
    /// array with `--output-format json`, one object per line with `json-lines`).
    #[arg(long)]
    pub statistics: bool,

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

    /// Add `# noqa` comments for every diagnostic found, instead of reporting them.
    #[arg(long)]
    pub add_noqa: bool,

    /// Apply safe fixes (with standard input, print the fixed source to stdout).
    #[arg(long)]
    pub fix: bool,

    /// Apply unsafe fixes too (with `--fix`, `--diff` or `--fix-only`).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the changes fixes would make as unified diffs instead of writing them; exit
    /// status 1 when there is a change.
    #[arg(long)]
    pub diff: bool,

    /// Apply fixes and report nothing else.
    #[arg(long)]
    pub fix_only: bool,

    /// List the fixes applied.
    #[arg(long)]
    pub show_fixes: bool,

    /// Exit with status 1 when any fix was applied.
    #[arg(long)]
    pub exit_non_zero_on_fix: bool,

    /// Lint every file, without reading or writing the cache of lint results.
    #[arg(long)]
    pub no_cache: bool,

    /// Where to keep the cache of lint results [default: .asynclint_cache in the current
    /// directory].
    #[arg(long, value_name = "DIR", env = "ASYNCLINT_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

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

/// `asynclint rule`: explain a rule (its page under `rules/`, embedded in the binary).
///
/// `asynclint rule` is recognised only as the first argument; to lint a directory named
/// `rule`, write `asynclint ./rule`.
#[derive(Debug, Parser)]
#[command(
    name = "asynclint rule",
    bin_name = "asynclint rule",
    override_usage = "asynclint rule [OPTIONS] <RULE|--all>",
    version,
    max_term_width = 100
)]
pub struct RuleArgs {
    /// The rule: a code (`AL101`), a name (`coroutine-not-awaited`) or another tool's code
    /// for the same check (`RUF006`).
    #[arg(
        value_name = "RULE",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub rule: Option<String>,

    /// Explain every rule, in registry order.
    #[arg(long)]
    pub all: bool,

    /// `text`: the page; `json`: ruff's `rule --output-format json` fields (`name`,
    /// `code`, `linter`, `summary`, `explanation`, `preview`) and `aliases`, `severity`,
    /// `default_enabled` (an object, or an array with `--all`); `markdown`: the page, or
    /// with `--all` the reference published as docs/rules.md.
    #[arg(long, value_enum, default_value_t = RuleFormat::Text, value_name = "FORMAT")]
    pub output_format: RuleFormat,
}

/// How `asynclint rule` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RuleFormat {
    Text,
    Json,
    Markdown,
}
