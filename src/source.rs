//! Turning a file's bytes into text the way CPython does: a UTF-8 BOM, or a PEP 263
//! `coding` declaration on line 1 or 2, else UTF-8.

use std::borrow::Cow;

/// Why the bytes of a file are not Python source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes are not valid in the file's encoding. `text` is a lossy decoding (with
    /// U+FFFD for the bad bytes) for showing the place; `offset` is the byte offset in
    /// `text` of the first bad character.
    Undecodable {
        encoding: String,
        text: String,
        offset: usize,
        /// The encoding was declared (cookie or BOM), not assumed.
        declared: bool,
    },
    /// CPython does not know the declared encoding.
    UnknownEncoding { name: String, text: String },
    /// CPython knows the encoding, but asynclint cannot decode it.
    UnsupportedEncoding { name: String },
    /// A UTF-8 BOM together with a declaration of another encoding.
    BomConflict { name: String, text: String },
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a Python source file. Valid UTF-8 without a declaration is not copied.
pub fn decode(bytes: Vec<u8>) -> Result<String, DecodeError> {
    let has_bom = bytes.starts_with(UTF8_BOM);
    let body = if has_bom {
        &bytes[UTF8_BOM.len()..]
    } else {
        &bytes[..]
    };
    let declared = coding_declaration(body);
    let encoding = match declared {
        None => Encoding::Utf8,
        Some(name) => match encoding_for(name) {
            Lookup::Found(encoding) => encoding,
            Lookup::Unknown => {
                return Err(DecodeError::UnknownEncoding {
                    name: name.to_string(),
                    text: String::from_utf8_lossy(body).into_owned(),
                });
            }
            Lookup::Unsupported => {
                return Err(DecodeError::UnsupportedEncoding {
                    name: name.to_string(),
                });
            }
        },
    };
    if has_bom && encoding != Encoding::Utf8 {
        return Err(DecodeError::BomConflict {
            name: declared.unwrap_or_default().to_string(),
            text: String::from_utf8_lossy(body).into_owned(),
        });
    }
    let declared = declared.is_some() || has_bom;
    match encoding {
        Encoding::Utf8 if !has_bom => String::from_utf8(bytes).map_err(|error| {
            let offset = error.utf8_error().valid_up_to();
            undecodable("utf-8", error.as_bytes(), offset, declared)
        }),
        Encoding::Utf8 => std::str::from_utf8(body)
            .map(str::to_string)
            .map_err(|error| undecodable("utf-8", body, error.valid_up_to(), declared)),
        Encoding::Latin1 => Ok(body.iter().map(|&b| char::from(b)).collect()),
        Encoding::Ascii => match body.iter().position(|b| !b.is_ascii()) {
            None => Ok(String::from_utf8(body.to_vec()).unwrap_or_default()),
            Some(position) => Err(undecodable("ascii", body, position, declared)),
        },
        Encoding::Other(encoding) => {
            match encoding.decode_without_bom_handling_and_without_replacement(body) {
                Some(text) => match undefined_in_python(encoding, &text) {
                    None => Ok(text.into_owned()),
                    Some(offset) => Err(DecodeError::Undecodable {
                        encoding: encoding.name().to_ascii_lowercase(),
                        text: text.into_owned(),
                        offset,
                        declared,
                    }),
                },
                None => {
                    let (lossy, _) = encoding.decode_without_bom_handling(body);
                    let offset = lossy.find('\u{FFFD}').unwrap_or(0);
                    Err(DecodeError::Undecodable {
                        encoding: encoding.name().to_ascii_lowercase(),
                        text: lossy.into_owned(),
                        offset,
                        declared,
                    })
                }
            }
        }
    }
}

/// WHATWG's `windows-125x` (and `windows-874`) decoders map the bytes Microsoft left
/// undefined to C1 controls; Python's `cp125x` codecs reject them, and never produce a C1
/// control otherwise. The byte offset in `text` of the first such character.
fn undefined_in_python(encoding: &'static encoding_rs::Encoding, text: &str) -> Option<usize> {
    if !encoding.name().starts_with("windows-") {
        return None;
    }
    text.find(|c| matches!(c, '\u{80}'..='\u{9F}'))
}

/// For undecodable UTF-8 or ASCII: the valid prefix is the same in the lossy text, so the
/// byte offset of the first bad byte is also its offset there.
fn undecodable(encoding: &str, bytes: &[u8], offset: usize, declared: bool) -> DecodeError {
    DecodeError::Undecodable {
        encoding: encoding.to_string(),
        text: String::from_utf8_lossy(bytes).into_owned(),
        offset,
        declared,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    /// Python's latin-1 maps every byte to the code point of the same value (unlike the
    /// WHATWG "latin1" label, which means windows-1252).
    Latin1,
    Ascii,
    Other(&'static encoding_rs::Encoding),
}

enum Lookup {
    Found(Encoding),
    Unknown,
    Unsupported,
}

/// Python codec names that are not WHATWG labels, or mean something else there.
const PYTHON_ONLY_CODECS: &[&str] = &[
    "cp437",
    "cp850",
    "cp852",
    "cp855",
    "cp857",
    "cp858",
    "cp860",
    "cp861",
    "cp862",
    "cp863",
    "cp864",
    "cp865",
    "cp869",
    "cp037",
    "cp500",
    "cp1006",
    "cp1026",
    "cp1140",
    "cp273",
    "cp424",
    "cp720",
    "cp737",
    "cp775",
    "cp875",
    "cp932",
    "cp949",
    "cp950",
    "hz",
    "johab",
    "ptcp154",
    "kz1048",
    "mac-greek",
    "mac-iceland",
    "mac-latin2",
    "mac-turkish",
    "mac-roman",
    "tis-620",
    "utf-7",
    "utf-16-be",
    "utf-16-le",
    "utf-32",
    "utf-32-be",
    "utf-32-le",
    "euc-jis-2004",
    "euc-jisx0213",
    "iso2022-jp",
    "iso2022-jp-1",
    "iso2022-jp-2",
    "iso2022-kr",
    "shift-jis-2004",
    "shift-jisx0213",
    "big5hkscs",
    "idna",
    "punycode",
    "raw-unicode-escape",
    "unicode-escape",
    "rot-13",
];

fn encoding_for(declared: &str) -> Lookup {
    // CPython's own normalisation (`get_normal_name` in the tokenizer), then its codec
    // registry's: case-insensitive, `_` and ` ` equivalent to `-`.
    let name = declared.to_ascii_lowercase().replace(['_', ' '], "-");
    let base = |prefix: &str| name == prefix || name.starts_with(&format!("{prefix}-"));
    if base("utf-8") || matches!(name.as_str(), "utf8" | "u8" | "utf" | "cp65001") {
        return Lookup::Found(Encoding::Utf8);
    }
    if base("latin-1")
        || base("iso-8859-1")
        || base("iso-latin-1")
        || matches!(
            name.as_str(),
            "latin1" | "latin" | "l1" | "iso8859-1" | "8859" | "cp819" | "iso-ir-100"
        )
    {
        return Lookup::Found(Encoding::Latin1);
    }
    if matches!(
        name.as_str(),
        "ascii" | "us-ascii" | "646" | "us" | "ansi-x3.4-1968"
    ) {
        return Lookup::Found(Encoding::Ascii);
    }
    let original = declared.to_ascii_lowercase();
    for label in [original.as_str(), name.as_str(), &name.replace('-', "_")] {
        if let Some(encoding) = encoding_rs::Encoding::for_label(label.as_bytes()) {
            // WHATWG maps unknown legacy labels to "replacement": not a real decoder.
            if encoding != encoding_rs::REPLACEMENT {
                return Lookup::Found(Encoding::Other(encoding));
            }
        }
    }
    if PYTHON_ONLY_CODECS.contains(&name.as_str()) {
        Lookup::Unsupported
    } else {
        Lookup::Unknown
    }
}

/// The encoding named by a PEP 263 declaration on line 1, or on line 2 when line 1 holds
/// only a comment or whitespace.
fn coding_declaration(bytes: &[u8]) -> Option<&str> {
    let mut lines = bytes.split_inclusive(|&b| b == b'\n');
    let first = lines.next()?;
    if let Some(name) = coding_in_line(first) {
        return Some(name);
    }
    if !is_blank_or_comment(first) {
        return None;
    }
    coding_in_line(lines.next()?)
}

fn is_blank_or_comment(line: &[u8]) -> bool {
    let trimmed = trim_start(line);
    trimmed.is_empty() || trimmed[0] == b'#' || trimmed[0] == b'\n' || trimmed[0] == b'\r'
}

fn trim_start(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))
        .unwrap_or(line.len());
    &line[start..]
}

/// `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`, the pattern PEP 263 gives.
fn coding_in_line(line: &[u8]) -> Option<&str> {
    let rest = trim_start(line);
    let comment = rest.strip_prefix(b"#")?;
    let mut search = comment;
    while let Some(position) = memchr::memmem::find(search, b"coding") {
        let after = &search[position + b"coding".len()..];
        if let Some(value) = after
            .strip_prefix(b":")
            .or_else(|| after.strip_prefix(b"="))
        {
            let value = &value[value
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .count()..];
            let length = value
                .iter()
                .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                .count();
            if length > 0 {
                return std::str::from_utf8(&value[..length]).ok();
            }
        }
        search = after;
    }
    None
}

/// Text for display with every character that could act on a terminal (C0/C1 controls
/// other than tab, DEL, and the bidirectional overrides) replaced by a visible escape.
pub fn escape_for_display(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            escaped.push_str(&c.escape_unicode().to_string());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

pub fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_without_declaration() {
        assert_eq!(decode(b"x = 'h\xc3\xa9'\n".to_vec()).unwrap(), "x = 'hé'\n");
    }

    #[test]
    fn strips_utf8_bom() {
        assert_eq!(decode(b"\xEF\xBB\xBFx = 1\n".to_vec()).unwrap(), "x = 1\n");
    }

    #[test]
    fn latin1_declaration_on_line_two() {
        let source = b"#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nx = '\xe9\x85'\n";
        let text = decode(source.to_vec()).unwrap();
        assert!(text.ends_with("x = '\u{e9}\u{85}'\n"), "{text:?}");
    }

    #[test]
    fn declaration_after_code_is_ignored() {
        let source = b"x = 1\n# coding: latin-1\ny = '\xe9'\n";
        assert!(matches!(
            decode(source.to_vec()),
            Err(DecodeError::Undecodable { .. })
        ));
    }

    #[test]
    fn other_encodings() {
        let source = b"# vim: set fileencoding=cp1251 :\nx = '\xef\xf0\xe8'\n";
        assert!(decode(source.to_vec()).unwrap().contains("при"));
        let source = b"# coding=shift_jis\nx = '\x82\xa0'\n";
        assert!(decode(source.to_vec()).unwrap().contains('あ'));
        let source = b"# coding: cp1252\nx = '\x80\xe9'\n";
        assert!(decode(source.to_vec()).unwrap().contains("€é"));
    }

    #[test]
    fn bytes_python_leaves_undefined() {
        // 0x81 is undefined in Python's cp1252; WHATWG's windows-1252 maps it to U+0081.
        let source = b"# coding: cp1252\nx = '\x80\x81'\n";
        let error = decode(source.to_vec()).unwrap_err();
        let DecodeError::Undecodable { text, offset, .. } = error else {
            panic!("{error:?}");
        };
        assert_eq!(&text[offset..], "\u{81}'\n");
    }

    #[test]
    fn errors() {
        let bad = decode(b"x = 1\ny = '\xff'\n".to_vec()).unwrap_err();
        assert_eq!(
            bad,
            DecodeError::Undecodable {
                encoding: "utf-8".into(),
                text: "x = 1\ny = '\u{FFFD}'\n".into(),
                offset: 11,
                declared: false,
            }
        );
        assert!(matches!(
            decode(b"# coding: klingon\n".to_vec()),
            Err(DecodeError::UnknownEncoding { .. })
        ));
        assert!(matches!(
            decode(b"# coding: cp437\n".to_vec()),
            Err(DecodeError::UnsupportedEncoding { .. })
        ));
        assert!(matches!(
            decode(b"\xEF\xBB\xBF# coding: latin-1\n".to_vec()),
            Err(DecodeError::BomConflict { .. })
        ));
        assert!(matches!(
            decode(b"# coding: ascii\nx = '\xe9'\n".to_vec()),
            Err(DecodeError::Undecodable { .. })
        ));
    }

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape_for_display("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(escape_for_display("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(escape_for_display("plain\ttext"), "plain\ttext");
    }
}
