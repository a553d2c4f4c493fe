//! Escaping of untrusted event text for terminals and for JSON.
//!
//! Event ids, types and payloads come from the network. Wherever they are shown,
//! the characters that could move the cursor, recolour the terminal, end a line or
//! reorder text are replaced by an escape. Everything else, backslash included, is
//! shown as it is.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

/// Returns whether `c` must never reach a terminal raw: C0 controls, DEL, C1
/// controls, the line and paragraph separators, and the bidirectional controls.
pub fn is_escaped(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Returns whether every byte of `text` is printable ASCII (space to `~`). None
/// of those characters is escaped, so such text can be copied whole instead of
/// being looked at one character at a time, which matters for large batches.
pub(crate) fn is_printable_ascii(text: &str) -> bool {
    text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// Returns `text` with every character of [`is_escaped`] replaced: tab, line feed
/// and carriage return by `\t`, `\n`, `\r`, any other by `\u{…}` in lower-case hex.
/// Borrows when nothing needs escaping.
pub fn escape_display(text: &str) -> Cow<'_, str> {
    if is_printable_ascii(text) || !text.chars().any(is_escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_display(&mut out, text);
    Cow::Owned(out)
}

/// Returns a path as messages show it, escaped as [`escape_display`] describes,
/// because a path may contain control characters too.
pub fn escape_path(path: &Path) -> String {
    escape_display(&path.display().to_string()).into_owned()
}

/// Appends `text` to `out`, escaped as [`escape_display`] describes.
pub fn push_display(out: &mut String, text: &str) {
    if is_printable_ascii(text) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_escaped(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// Appends `text` to `out` as a JSON string literal, quotes included.
///
/// `"` and `\` get their usual escapes, and every character of [`is_escaped`] is
/// written as `\uXXXX`, so the literal decodes to exactly `text` while no raw
/// control character reaches the output.
pub fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    if is_printable_ascii(text) && !text.contains(['"', '\\']) {
        out.push_str(text);
        out.push('"');
        return;
    }
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_escaped(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Returns `text` escaped for display and cut to at most `max` characters, the
/// last of which is `…` when anything was cut.
pub fn escape_and_cut(text: &str, max: usize) -> String {
    let escaped = escape_display(text);
    if escaped.chars().count() <= max {
        return escaped.into_owned();
    }
    let mut out: String = escaped.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_leaves_plain_text_borrowed() {
        assert!(matches!(escape_display("evt_1 é 😀 \\"), Cow::Borrowed(_)));
    }

    #[test]
    fn display_escapes_controls() {
        assert_eq!(escape_display("a\tb\nc\rd"), "a\\tb\\nc\\rd");
        assert_eq!(escape_display("\u{1b}[31m"), "\\u{1b}[31m");
        assert_eq!(escape_display("\u{7}\u{7f}\u{85}\u{9f}"), "\\u{7}\\u{7f}\\u{85}\\u{9f}");
        assert_eq!(escape_display("\u{2028}\u{2029}"), "\\u{2028}\\u{2029}");
        assert_eq!(
            escape_display("\u{61c}\u{200e}\u{200f}\u{202a}\u{202e}\u{2066}\u{2069}"),
            "\\u{61c}\\u{200e}\\u{200f}\\u{202a}\\u{202e}\\u{2066}\\u{2069}"
        );
    }

    #[test]
    fn printable_ascii_is_copied_whole() {
        let printable: String = (b' '..=b'~').map(char::from).collect();
        assert_eq!(escape_display(&printable), printable);
        let mut out = String::new();
        push_display(&mut out, &printable);
        assert_eq!(out, printable);
        assert!(!is_printable_ascii("a\u{1f}"));
        assert!(!is_printable_ascii("a\u{7f}"));
        assert!(!is_printable_ascii("é"));
    }

    #[test]
    fn json_string_of_printable_ascii_escapes_quote_and_backslash() {
        let mut out = String::new();
        push_json_string(&mut out, "evt_1");
        assert_eq!(out, "\"evt_1\"");
        out.clear();
        push_json_string(&mut out, "a\"b\\c");
        assert_eq!(out, "\"a\\\"b\\\\c\"");
    }

    #[test]
    fn display_keeps_neighbours_of_escaped_ranges() {
        assert_eq!(
            escape_display("\u{a0}\u{200d}\u{2065}\u{206a}"),
            "\u{a0}\u{200d}\u{2065}\u{206a}"
        );
    }

    #[test]
    fn json_string_decodes_to_the_same_text() {
        let text = "q\"b\\\n\u{1b}\u{85}\u{202e}é😀";
        let mut out = String::new();
        push_json_string(&mut out, text);
        assert_eq!(out, "\"q\\\"b\\\\\\u000a\\u001b\\u0085\\u202eé😀\"");
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn cut_counts_characters_after_escaping() {
        assert_eq!(escape_and_cut("abc", 3), "abc");
        assert_eq!(escape_and_cut("abcd", 3), "ab…");
        assert_eq!(escape_and_cut("\n\n", 3), "\\n…");
    }
}
