//! asynclint: a static linter for Python's async/await rules.
//!
//! The pipeline, one module per stage (see `docs/architecture.md`):
//! [`discovery`] → [`source`] (decode) → [`linter`] (parse, [`scope`] model, [`rules`])
//! → [`render`].

pub mod analysis;
pub mod cache;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discovery;
pub mod fix;
pub mod line_index;
pub mod linter;
pub mod notebook;
pub mod project;
pub mod registry;
pub mod render;
pub mod rule_command;
pub mod rules;
pub mod run;
pub mod scope;
pub mod settings;
pub mod source;
pub mod suppression;
pub mod syntax_gaps;
pub mod target_version;
