//! Byte offsets to 1-based rows and columns, built only for files that have diagnostics.

use std::cell::Cell;

use ruff_text_size::TextSize;
use serde::Serialize;

/// A 1-based row and a 1-based column counted in Unicode code points, as ruff reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

/// The start offset of every line of a text. Lines end at `\n`, `\r\n` or a lone `\r`, as
/// in Python's tokenizer.
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// The text is ASCII: a column is then a distance in bytes.
    ascii: bool,
    /// The last two (offset, column) pairs computed: a column is counted from the nearest
    /// of them on its line, so that many diagnostics on one long line (in order, as they
    /// are rendered) cost the line's length once, not once each.
    recent: Cell<[(usize, usize); 2]>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + found;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            line_starts.push(next);
            i = next;
        }
        Self {
            line_starts,
            ascii: text.is_ascii(),
            recent: Cell::new([(0, 1); 2]),
        }
    }

    /// The 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.min(self.line_starts.len() - 1)]
    }

    /// The end of the line's content, before its line terminator.
    pub fn line_end(&self, line: usize, text: &str) -> usize {
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(text.len());
        let content = &text.as_bytes()[self.line_start(line)..end];
        let terminator = if content.ends_with(b"\r\n") {
            2
        } else {
            usize::from(content.ends_with(b"\n") || content.ends_with(b"\r"))
        };
        end - terminator
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    pub fn location(&self, offset: TextSize, text: &str) -> Location {
        let offset = clamp_to_char_boundary(text, offset.to_usize());
        let line = self.line_of(offset);
        let start = self.line_start(line);
        Location {
            row: line + 1,
            column: self.column(text, start, offset),
        }
    }

    /// The 1-based code-point column of `offset` on the line that starts at `start`.
    fn column(&self, text: &str, start: usize, offset: usize) -> usize {
        if self.ascii {
            return offset - start + 1;
        }
        let mut recent = self.recent.get();
        // Counting on from a recent offset on the same line, at or before this one.
        let base = (0..2)
            .filter(|&i| (start..=offset).contains(&recent[i].0) && recent[i].0 > 0)
            .max_by_key(|&i| recent[i].0);
        let (from, column) = base.map_or((start, 1), |i| recent[i]);
        let column = column + text[from..offset].chars().count();
        // The entry counted from is superseded by this one; else the older one is.
        recent[base.unwrap_or_else(|| usize::from(recent[0].0 > recent[1].0))] = (offset, column);
        self.recent.set(recent);
        column
    }
}

fn clamp_to_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_code_point_columns() {
        let text = "a = 1\r\nb = 'é'; c\rd\n";
        let index = LineIndex::new(text);
        let at = |o: u32| index.location(TextSize::new(o), text);
        assert_eq!(at(0), Location { row: 1, column: 1 });
        assert_eq!(at(7), Location { row: 2, column: 1 });
        // `c` follows a two-byte `é`: byte 17, code-point column 10.
        assert_eq!(&text[17..18], "c");
        assert_eq!(at(17), Location { row: 2, column: 10 });
        assert_eq!(at(19), Location { row: 3, column: 1 });
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_end(0, text), 5);
    }

    #[test]
    fn columns_are_the_same_in_any_order_of_asking() {
        let text = "é = 'ü𝔘'; await x\nx = 1\r日本 = await y; await z\n";
        let index = LineIndex::new(text);
        let naive = |offset: usize| {
            let line = index.line_of(offset);
            let start = index.line_start(line);
            text[start..offset].chars().count() + 1
        };
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .collect();
        // Forwards, backwards, and alternating between two places, as starts and ends of
        // ranges are asked for.
        let mut order = offsets.clone();
        order.extend(offsets.iter().rev());
        for (i, &a) in offsets.iter().enumerate() {
            order.push(a);
            order.push(offsets[(i * 7) % offsets.len()]);
        }
        for offset in order {
            let location = index.location(TextSize::new(offset as u32), text);
            assert_eq!(location.column, naive(offset), "offset {offset}");
        }
    }
}
