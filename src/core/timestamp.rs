//! The RFC 3339 date-time profile that event timestamps must follow.

use chrono::{DateTime, Datelike, NaiveDate};

/// Returns whether `text` is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, an
/// optional fraction of 1 to 9 digits, then `Z` or `+HH:MM` / `-HH:MM`.
///
/// `T` and `Z` may be lower case. The date must exist (leap years counted), the
/// hour is 00-23, minutes and seconds 00-59 (no leap second 60), and an offset has
/// hours 00-23 and minutes 00-59.
pub fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 20 {
        return false;
    }

    let Some(year) = digits(b, 0, 4) else {
        return false;
    };
    let Some(month) = digits(b, 5, 2) else {
        return false;
    };
    let Some(day) = digits(b, 8, 2) else {
        return false;
    };
    let Some(hour) = digits(b, 11, 2) else {
        return false;
    };
    let Some(minute) = digits(b, 14, 2) else {
        return false;
    };
    let Some(second) = digits(b, 17, 2) else {
        return false;
    };
    let separators_ok = b[4] == b'-' && b[7] == b'-' && matches!(b[10], b'T' | b't') && b[13] == b':' && b[16] == b':';
    if !separators_ok || hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    if NaiveDate::from_ymd_opt(year as i32, month, day).is_none() {
        return false;
    }

    let mut rest = &b[19..];
    if let Some((b'.', after_dot)) = rest.split_first() {
        let fraction_len = after_dot.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&fraction_len) {
            return false;
        }
        rest = &after_dot[fraction_len..];
    }

    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', ..] if rest.len() == 6 => {
            let offset_hours = digits(rest, 1, 2);
            let offset_minutes = digits(rest, 4, 2);
            rest[3] == b':'
                && matches!(offset_hours, Some(h) if h <= 23)
                && matches!(offset_minutes, Some(m) if m <= 59)
        }
        _ => false,
    }
}

/// Formats Unix seconds as an RFC 3339 date-time in UTC, or returns `None` when
/// the instant falls outside the years 0001 to 9999.
pub fn unix_seconds_to_rfc3339(seconds: i64) -> Option<String> {
    let instant = DateTime::from_timestamp(seconds, 0)?;
    if !(1..=9999).contains(&instant.year()) {
        return None;
    }
    Some(instant.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// Reads `len` ASCII digits of `bytes` at `start` as a number.
fn digits(bytes: &[u8], start: usize, len: usize) -> Option<u32> {
    let slice = bytes.get(start..start + len)?;
    slice.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_accepts_the_profile() {
        for text in [
            "2024-01-15T08:00:07Z",
            "2024-01-15t08:00:07z",
            "2024-01-15T08:00:07.5Z",
            "2024-01-15T08:00:07.123456789+05:30",
            "2024-02-29T23:59:59-23:59",
            "0000-01-01T00:00:00Z",
            "2000-02-29T00:00:00+00:00",
        ] {
            assert!(is_rfc3339(text), "{text} should be accepted");
        }
    }

    #[test]
    fn rfc3339_rejects_outside_the_profile() {
        for text in [
            "2024-01-15 08:00:07Z",
            "2024-01-15T08:00:60Z",
            "2024-01-15T08:00:07",
            "2024-01-15T08:00:07 UTC",
            "2024-01-15T08:00:07UTC",
            "2024-01-15T08:00:07.Z",
            "2024-01-15T08:00:07.1234567890Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-00-01T00:00:00Z",
            "2024-01-00T00:00:00Z",
            "2024-01-15T24:00:00Z",
            "2024-01-15T23:60:00Z",
            "2024-01-15T08:00:07+24:00",
            "2024-01-15T08:00:07+05:60",
            "2024-01-15T08:00:07+0530",
            "2024-01-15T08:00:07+05:30:00",
            "2024-1-15T08:00:07Z",
            "+2024-01-15T08:00:07Z",
            "2024-01-15T08:00:07Zjunk",
            "２０２４-01-15T08:00:07Z",
            "",
        ] {
            assert!(!is_rfc3339(text), "{text} should be rejected");
        }
    }

    #[test]
    fn unix_seconds_format_in_utc() {
        assert_eq!(
            unix_seconds_to_rfc3339(1621789667).as_deref(),
            Some("2021-05-23T17:07:47Z")
        );
        assert_eq!(unix_seconds_to_rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            unix_seconds_to_rfc3339(253402300799).as_deref(),
            Some("9999-12-31T23:59:59Z")
        );
        assert_eq!(unix_seconds_to_rfc3339(253402300800), None);
        assert_eq!(
            unix_seconds_to_rfc3339(-62135596800).as_deref(),
            Some("0001-01-01T00:00:00Z")
        );
        assert_eq!(unix_seconds_to_rfc3339(-62135596801), None);
        assert_eq!(unix_seconds_to_rfc3339(i64::MAX), None);
    }
}
