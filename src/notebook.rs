//! Jupyter notebooks: the code cells of a `.ipynb` file, joined into one module the way
//! IPython runs them — with top-level `await` allowed and IPython's `%magic`, `!shell`
//! and `?help` lines understood — and the way back from a position in that module to a
//! cell and a row in it.

use ruff_text_size::TextSize;
use serde::Deserialize;

/// The code of a notebook as one module, and where each code cell starts in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notebook {
    pub source: String,
    pub cells: CellIndex,
}

/// For each code cell: its number among all the notebook's cells (1-based, as Jupyter and
/// ruff count them) and the offset where it starts in the joined source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellIndex {
    starts: Vec<(usize, TextSize)>,
}

impl CellIndex {
    /// The cell an offset of the joined source is in, and the offset where that cell
    /// starts.
    pub fn cell_at(&self, offset: TextSize) -> Option<(usize, TextSize)> {
        let after = self.starts.partition_point(|(_, start)| *start <= offset);
        after.checked_sub(1).map(|i| self.starts[i])
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

#[derive(Deserialize)]
struct RawNotebook {
    cells: Vec<RawCell>,
}

#[derive(Deserialize)]
struct RawCell {
    cell_type: String,
    #[serde(default)]
    source: RawSource,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSource {
    Lines(Vec<String>),
    Text(String),
}

impl Default for RawSource {
    fn default() -> Self {
        RawSource::Text(String::new())
    }
}

/// Reads a notebook. Markdown and raw cells are skipped, and so are code cells that start
/// with a cell magic (`%%bash`): their body is not Python.
pub fn parse(bytes: &[u8]) -> Result<Notebook, String> {
    let raw: RawNotebook =
        serde_json::from_slice(bytes).map_err(|e| format!("not a valid notebook (JSON): {e}"))?;
    let mut source = String::new();
    let mut starts = Vec::new();
    for (index, cell) in raw.cells.iter().enumerate() {
        if cell.cell_type != "code" {
            continue;
        }
        let text = match &cell.source {
            RawSource::Lines(lines) => lines.concat(),
            RawSource::Text(text) => text.clone(),
        };
        if text.trim_start().starts_with("%%") {
            continue;
        }
        let start =
            TextSize::try_from(source.len()).map_err(|_| "notebook too large".to_string())?;
        starts.push((index + 1, start));
        source.push_str(&text);
        if !text.ends_with('\n') {
            source.push('\n');
        }
    }
    Ok(Notebook {
        source,
        cells: CellIndex { starts },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTEBOOK: &str = r##"{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n"]},
  {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["import os\n", "x = 1"]},
  {"cell_type": "code", "metadata": {}, "outputs": [], "source": "%%bash\necho hi\n"},
  {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["await main()\n"]}
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}"##;

    #[test]
    fn joins_code_cells_and_maps_back() {
        let notebook = parse(NOTEBOOK.as_bytes()).unwrap();
        assert_eq!(notebook.source, "import os\nx = 1\nawait main()\n");
        let await_offset = TextSize::try_from(notebook.source.find("await").unwrap()).unwrap();
        assert_eq!(
            notebook.cells.cell_at(await_offset),
            Some((4, await_offset))
        );
        assert_eq!(
            notebook.cells.cell_at(TextSize::new(3)),
            Some((2, TextSize::new(0)))
        );
    }

    #[test]
    fn invalid_json_is_an_error() {
        assert!(
            parse(b"{not json")
                .unwrap_err()
                .contains("not a valid notebook")
        );
    }
}
