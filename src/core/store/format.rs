//! The store's text format: one id per line, plain or as a JSON string literal.

use std::ops::Range;

use crate::core::escape::{is_escaped, is_printable_ascii, push_json_string};

const BYTE_ORDER_MARK: &[u8] = "\u{feff}".as_bytes();

/// Appends the store line for `id` to `out`, `\n` included.
///
/// A plain id is written as it is, so stores written by other tools (one id per
/// line) stay readable both ways. Any id that would not read back as itself from a
/// plain line is written as a JSON string literal: one holding a character that
/// display escaping replaces (line breaks among them), one that starts or ends with
/// white space, and one that starts with `"` or with U+FEFF.
pub fn push_store_line(out: &mut String, id: &str) {
    if needs_quoting(id) {
        push_json_string(out, id);
    } else {
        out.push_str(id);
    }
    out.push('\n');
}

fn needs_quoting(id: &str) -> bool {
    // The only white space among printable ASCII characters is the space.
    if is_printable_ascii(id) {
        return id.starts_with(['"', ' ']) || id.ends_with(' ');
    }
    let starts_badly = id.starts_with(['"', '\u{feff}']) || id.starts_with(char::is_whitespace);
    starts_badly || id.ends_with(char::is_whitespace) || id.chars().any(is_escaped)
}

/// The ids read from a store file, in file order, kept in one buffer.
///
/// Lines are decoded in place (a JSON string literal never grows when decoded), so
/// a store of a million ids costs its own size plus eight bytes an id, and callers
/// borrow `&str` ids from it instead of allocating a `String` per id.
#[derive(Debug, Default)]
pub struct StoredIds {
    text: String,
    spans: Vec<Span>,
    /// One-based numbers of the lines that were skipped: invalid UTF-8, or a line
    /// starting with `"` that is not a valid JSON string.
    pub skipped_lines: Vec<usize>,
    /// The last line when it has no final `\n`: its one-based number and its text.
    /// It is still read as an id, but may be the torn end of an interrupted write.
    pub unterminated_line: Option<(usize, String)>,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

/// The store is larger than the 4 GiB that ids can be addressed in.
#[derive(Debug)]
pub struct StoreTooLarge;

impl StoredIds {
    /// Reads the ids from the whole contents of a store file.
    ///
    /// A leading byte-order mark, blank lines and one `\r` before each `\n` are
    /// ignored. Skipped lines are listed in `skipped_lines`, never fatal.
    pub fn parse(mut bytes: Vec<u8>) -> Result<StoredIds, StoreTooLarge> {
        if u32::try_from(bytes.len()).is_err() {
            return Err(StoreTooLarge);
        }
        let body_start = if bytes.starts_with(BYTE_ORDER_MARK) {
            BYTE_ORDER_MARK.len()
        } else {
            0
        };

        // Checking the whole file at once is much faster than line by line, and
        // every piece of valid UTF-8 cut at a `\n` is valid UTF-8 too.
        let known_utf8 = std::str::from_utf8(&bytes[body_start..]).is_ok();

        let mut spans = Vec::with_capacity(bytes.len() / 24);
        let mut skipped_lines = Vec::new();
        let mut unterminated = None;
        let mut line_start = body_start;
        let mut line_number = 0;
        while line_start < bytes.len() {
            line_number += 1;
            let newline = find_newline(&bytes[line_start..]);
            let line_end = newline.map_or(bytes.len(), |at| line_start + at);
            let next_start = line_end + 1;

            let mut content_end = line_end;
            if content_end > line_start && bytes[content_end - 1] == b'\r' {
                content_end -= 1;
            }
            match decode_line_in_place(&mut bytes, line_start..content_end, known_utf8) {
                LineKind::Blank => {}
                LineKind::Id(len) => {
                    spans.push(Span {
                        start: line_start as u32,
                        len: len as u32,
                    });
                    if newline.is_none() {
                        unterminated = Some(line_number);
                    }
                }
                LineKind::Skipped => {
                    // Invalid bytes are blanked so that the buffer as a whole is UTF-8.
                    bytes[line_start..content_end].fill(b'\n');
                    skipped_lines.push(line_number);
                }
            }
            line_start = next_start;
        }

        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            // Every line is valid UTF-8 or blanked above, so this branch is not
            // expected to run. If it did, ids after an invalid byte would read
            // shifted, but `get` checks every range, so nothing panics.
            Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
        };
        let mut ids = StoredIds {
            text,
            spans,
            skipped_lines,
            unterminated_line: None,
        };
        ids.unterminated_line =
            unterminated.and_then(|line| Some((line, ids.get(ids.len().checked_sub(1)?)?.to_owned())));
        Ok(ids)
    }

    /// Number of ids read, counting repeats.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Returns whether no id was read.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Returns the id at `position` in file order.
    pub fn get(&self, position: usize) -> Option<&str> {
        let span = self.spans.get(position)?;
        let start = span.start as usize;
        self.text.get(start..start + span.len as usize)
    }

    /// Returns the ids in file order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.spans.iter().map(|span| {
            let start = span.start as usize;
            self.text.get(start..start + span.len as usize).unwrap_or("")
        })
    }
}

/// Returns the position of the first `\n` in `bytes`. It tests eight bytes at a
/// time, because a store has millions of short lines and a byte-by-byte search
/// was a large part of reading it.
fn find_newline(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH_BITS: u64 = u64::from_ne_bytes([0x80; 8]);
    const NEWLINES: u64 = u64::from_ne_bytes([b'\n'; 8]);

    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        // A byte of `equal` is zero where the byte is `\n`. The lowest set bit of
        // `zero_bytes` marks the first zero byte exactly (higher ones may be false).
        let equal = u64::from_le_bytes(word) ^ NEWLINES;
        let zero_bytes = equal.wrapping_sub(ONES) & !equal & HIGH_BITS;
        if zero_bytes != 0 {
            return Some(offset + zero_bytes.trailing_zeros() as usize / 8);
        }
        offset += 8;
    }
    let rest = chunks.remainder();
    rest.iter().position(|&b| b == b'\n').map(|at| offset + at)
}

enum LineKind {
    Blank,
    /// An id now stored at the line's start, of this many bytes.
    Id(usize),
    Skipped,
}

/// Decodes one line of the store. `known_utf8` is true when the whole file is
/// valid UTF-8, so that a plain line needs no check of its own.
fn decode_line_in_place(bytes: &mut [u8], range: Range<usize>, known_utf8: bool) -> LineKind {
    let line = &bytes[range.clone()];
    if line.is_empty() {
        return LineKind::Blank;
    }
    if line[0] != b'"' {
        if known_utf8 || std::str::from_utf8(line).is_ok() {
            return LineKind::Id(line.len());
        }
        return LineKind::Skipped;
    }
    let Ok(text) = std::str::from_utf8(line) else {
        return LineKind::Skipped;
    };

    let Ok(id) = serde_json::from_str::<String>(text) else {
        return LineKind::Skipped;
    };
    if id.is_empty() {
        return LineKind::Blank;
    }
    let decoded_len = id.len();
    bytes[range.start..range.start + decoded_len].copy_from_slice(id.as_bytes());
    bytes[range.start + decoded_len..range.end].fill(b'\n');
    LineKind::Id(decoded_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str) -> String {
        let mut out = String::new();
        push_store_line(&mut out, id);
        out
    }

    fn ids(bytes: &[u8]) -> Vec<String> {
        StoredIds::parse(bytes.to_vec())
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn plain_ids_are_written_as_they_are() {
        assert_eq!(line("evt_001"), "evt_001\n");
        assert_eq!(line("a b\\c é 😀 \""), "a b\\c é 😀 \"\n");
    }

    #[test]
    fn other_ids_are_written_as_json_strings() {
        assert_eq!(line("a\nb"), "\"a\\u000ab\"\n");
        assert_eq!(line(" a"), "\" a\"\n");
        assert_eq!(line("a "), "\"a \"\n");
        assert_eq!(line("a\u{3000}"), "\"a\u{3000}\"\n");
        assert_eq!(line("\"a"), "\"\\\"a\"\n");
        assert_eq!(line("\u{feff}a"), "\"\u{feff}a\"\n");
        assert_eq!(line("a\u{202e}b"), "\"a\\u202eb\"\n");
    }

    #[test]
    fn every_written_line_reads_back() {
        let samples = [
            "evt",
            "a\nb",
            "\r",
            "\t x \t",
            "\u{7f}\u{85}\u{9f}",
            "\"",
            "\u{feff}",
            "\u{2066}é",
            "x\\u0041",
            "  ",
        ];
        let mut file = String::new();
        for id in samples {
            push_store_line(&mut file, id);
        }
        assert_eq!(ids(file.as_bytes()), samples);
    }

    #[test]
    fn reading_ignores_bom_blank_lines_and_crlf() {
        assert_eq!(ids(b"\xef\xbb\xbfa\r\n\r\n\nb\r\n"), ["a", "b"]);
    }

    #[test]
    fn reading_skips_broken_lines() {
        let parsed = StoredIds::parse(b"a\n\xff\xfe\n\"open\nb\n\"ok\"\n".to_vec()).unwrap();
        assert_eq!(parsed.iter().collect::<Vec<_>>(), ["a", "b", "ok"]);
        assert_eq!(parsed.skipped_lines, [2, 3]);
        assert_eq!(parsed.unterminated_line, None);
    }

    #[test]
    fn find_newline_matches_a_byte_search() {
        // Bytes next to `\n` in value, or differing from it in one bit, around
        // every position of the eight-byte words.
        let fillers = [b'a', 0x09, 0x0b, 0x0e, 0x8a, 0xff, 0x00, 0x01];
        for len in 0..40 {
            for filler in fillers {
                let mut bytes = vec![filler; len];
                assert_eq!(find_newline(&bytes), None, "len {len}, filler {filler:#x}");
                for at in (0..len).rev() {
                    bytes[at] = b'\n';
                    let expected = bytes.iter().position(|&b| b == b'\n');
                    assert_eq!(find_newline(&bytes), expected, "len {len}, filler {filler:#x}, at {at}");
                }
            }
        }
    }

    #[test]
    fn last_line_without_newline_is_kept_and_named() {
        let parsed = StoredIds::parse(b"a\nb\ntor".to_vec()).unwrap();
        assert_eq!(parsed.iter().collect::<Vec<_>>(), ["a", "b", "tor"]);
        assert_eq!(parsed.unterminated_line, Some((3, "tor".to_owned())));
    }
}
