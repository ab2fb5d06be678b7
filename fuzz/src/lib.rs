//! The fuzz targets' code: `pipeline` (one file through asynclint and every renderer, with
//! checks on the output) and `generate` (Python-like programs for the structured target).

pub mod generate;
pub mod pipeline;

pub use pipeline::{Mode, Setup, run};
