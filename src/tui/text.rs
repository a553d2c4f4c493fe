//! Text shaping for the screen: escaping event text and cutting it to a number of
//! terminal columns, counted with the same Unicode widths ratatui uses, so that
//! wide characters (CJK, emoji) keep the columns aligned.

use std::borrow::Cow;

use unicode_width::UnicodeWidthChar;

use crate::core::escape::escape_display;

/// Marks text that was cut to fit.
pub const ELLIPSIS: char = '…';

/// Columns `text` takes on the terminal.
pub fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Returns `text` cut to at most `max` columns, ending with `…` when anything was
/// cut. A wide character that would straddle the limit is left out whole.
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    let Some(room) = max.checked_sub(1) else {
        return Cow::Borrowed("");
    };
    let mut out = String::with_capacity(max + 3);
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push(ELLIPSIS);
    Cow::Owned(out)
}

/// Returns `text` cut to at most `max` columns from the start, beginning with `…`
/// when anything was cut, so that the end of a path (its file name) stays in view.
pub fn cut_start(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    let Some(room) = max.checked_sub(1) else {
        return Cow::Borrowed("");
    };
    let mut used = 0;
    let mut start = text.len();
    for (at, c) in text.char_indices().rev() {
        let w = char_width(c);
        if used + w > room {
            break;
        }
        used += w;
        start = at;
    }
    let mut out = String::with_capacity(text.len() - start + 3);
    out.push(ELLIPSIS);
    out.push_str(&text[start..]);
    Cow::Owned(out)
}

/// Splits `text` into lines of at most `max` columns, breaking after a space
/// where a line has one and inside a word where it does not. Returns one line at
/// least, and one character a line when `max` is too small for any.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = text;
    loop {
        let mut used = 0;
        let mut end = rest.len();
        let mut last_space = None;
        for (at, c) in rest.char_indices() {
            let w = char_width(c);
            if used + w > max && at > 0 {
                end = at;
                break;
            }
            used += w;
            if c == ' ' {
                last_space = Some(at + 1);
            }
        }
        if end == rest.len() {
            lines.push(rest.to_owned());
            return lines;
        }
        let cut = last_space.filter(|&at| at < end).unwrap_or(end);
        lines.push(rest[..cut].trim_end_matches(' ').to_owned());
        rest = &rest[cut..];
    }
}

/// Returns untrusted event text escaped for display and cut to `max` columns.
pub fn event_text(text: &str, max: usize) -> String {
    cut(&escape_display(text), max).into_owned()
}

/// Returns untrusted event text escaped for display and cut to `max` columns
/// from the start, for values whose end matters most (`….card.updated`).
pub fn event_text_tail(text: &str, max: usize) -> String {
    cut_start(&escape_display(text), max).into_owned()
}

/// Formats a count with a comma between each group of three digits.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_text_that_fits() {
        assert_eq!(cut("evt_001", 7), "evt_001");
    }

    #[test]
    fn cut_ends_with_ellipsis() {
        assert_eq!(cut("evt_0012345", 6), "evt_0…");
    }

    #[test]
    fn cut_counts_wide_characters_as_two_columns() {
        assert_eq!(cut("日本語テキスト", 6), "日本…");
        assert_eq!(width(&cut("日本語テキスト", 6)), 5);
        assert_eq!(cut("😀😀😀", 4), "😀…");
    }

    #[test]
    fn cut_to_zero_or_one_column() {
        assert_eq!(cut("abc", 0), "");
        assert_eq!(cut("abc", 1), "…");
    }

    #[test]
    fn cut_start_keeps_the_end() {
        assert_eq!(cut_start("data/providers/stripe", 21), "data/providers/stripe");
        assert_eq!(cut_start("data/providers/stripe", 10), "…rs/stripe");
        assert_eq!(cut_start("日本語テキスト", 6), "…スト");
        assert_eq!(cut_start("abc", 1), "…");
        assert_eq!(cut_start("abc", 0), "");
    }

    #[test]
    fn wrap_splits_by_columns() {
        assert_eq!(wrap("abcdef", 4), ["abcd", "ef"]);
        assert_eq!(wrap("seen in a previous run", 12), ["seen in a", "previous run"]);
        assert_eq!(wrap("日本語", 4), ["日本", "語"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("ab", 0), ["a", "b"]);
    }

    #[test]
    fn event_text_escapes_before_cutting() {
        assert_eq!(event_text("a\u{1b}[2Jb", 20), "a\\u{1b}[2Jb");
        assert_eq!(event_text("\u{202e}abc", 5), "\\u{2…");
    }

    #[test]
    fn event_text_tail_escapes_before_cutting() {
        assert_eq!(event_text_tail("card.\u{1b}updated", 12), "…{1b}updated");
        assert_eq!(event_text_tail("account.updated", 9), "….updated");
    }

    #[test]
    fn count_groups_digits() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_000_000), "1,000,000");
    }
}
