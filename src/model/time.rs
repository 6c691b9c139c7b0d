//! CloudTrail timestamps.
//!
//! `eventTime` is nominally RFC 3339 UTC with second precision, but exports in the
//! wild add fractional seconds, `+00:00` offsets or a space instead of `T`
//! (CloudTrail Lake). Parsing is hand-rolled because it runs once per event on the
//! load path; times are kept as milliseconds since the Unix epoch.

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// The sort key of an event whose time could not be understood: after every real time.
pub const NO_TIME: Millis = i64::MAX;

/// Parses `YYYY-MM-DD[T| ]HH:MM:SS[.fff…][Z|±HH:MM|±HHMM]`; a missing zone means UTC.
pub fn parse_event_time(text: &str) -> Option<Millis> {
    let b = text.trim().as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let mut v: i64 = 0;
        for &c in b.get(range)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut pos = 19;
    let mut millis = 0i64;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            if pos - start < 3 {
                millis = millis * 10 + i64::from(b[pos] - b'0');
            }
            pos += 1;
        }
        if pos == start {
            return None;
        }
        for _ in (pos - start)..3 {
            millis *= 10;
        }
    }
    let offset_minutes = match b.get(pos) {
        None => 0,
        Some(b'Z') | Some(b'z') if pos + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let rest = &b[pos + 1..];
            let (h, m) = match rest.len() {
                5 if rest[2] == b':' => (num(pos + 1..pos + 3)?, num(pos + 4..pos + 6)?),
                4 => (num(pos + 1..pos + 3)?, num(pos + 3..pos + 5)?),
                2 => (num(pos + 1..pos + 3)?, 0),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let total = h * 60 + m;
            if sign == b'-' { -total } else { total }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

/// Parses a filter bound: RFC 3339 (as [`parse_event_time`]), a bare
/// `YYYY-MM-DD` (midnight UTC), or a timestamp cut after the hour or the minute
/// (`2024-03-02T10`, `2024-03-02T10:00`), UTC unless it carries an offset.
pub fn parse_bound(text: &str) -> Option<Millis> {
    let t = text.trim();
    if t.len() == 10 {
        return parse_event_time(&format!("{t}T00:00:00Z"));
    }
    if let Some(full) = parse_event_time(t) {
        return Some(full);
    }
    // A partial time: the clock part before any zone is `HH` or `HH:MM`.
    let (date, rest) = (t.get(..11)?, t.get(11..)?);
    let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(zone_at);
    let clock = match clock.len() {
        2 => format!("{clock}:00:00"),
        5 => format!("{clock}:00"),
        _ => return None,
    };
    parse_event_time(&format!("{date}{clock}{zone}"))
}

/// A span of time written `90s`, `30m`, `2h`, `7d` or `1w`, in milliseconds.
pub fn parse_span(text: &str) -> Option<Millis> {
    let t = text.trim();
    let unit = t.chars().last()?;
    let n: i64 = t[..t.len() - unit.len_utf8()].parse().ok()?;
    let ms = match unit.to_ascii_lowercase() {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        'w' => 7 * 86_400_000,
        _ => return None,
    };
    (n >= 0).then(|| n.checked_mul(ms)).flatten()
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats as `2024-03-01T10:00:00Z` (milliseconds shown only when non-zero); `-` for [`NO_TIME`].
pub fn format_time(ms: Millis) -> String {
    if ms == NO_TIME {
        return "-".to_string();
    }
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) if ms % 1000 == 0 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => "-".to_string(),
    }
}

/// A compact form for narrow columns: `2024-03-01 10:00:00`.
pub fn format_time_short(ms: Millis) -> String {
    if ms == NO_TIME {
        return "-".to_string();
    }
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => "-".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_found_in_the_wild() {
        let base = parse_event_time("2024-03-01T10:00:00Z").unwrap();
        assert_eq!(base, 1_709_287_200_000);
        assert_eq!(
            parse_event_time("2024-03-01T10:00:00.250Z"),
            Some(base + 250)
        );
        assert_eq!(parse_event_time("2024-03-01T10:00:00.2Z"), Some(base + 200));
        assert_eq!(
            parse_event_time("2024-03-01T10:00:00.123456Z"),
            Some(base + 123)
        );
        assert_eq!(parse_event_time("2024-03-01T10:00:00+00:00"), Some(base));
        assert_eq!(parse_event_time("2024-03-01T11:00:00+01:00"), Some(base));
        assert_eq!(parse_event_time("2024-03-01T09:00:00-0100"), Some(base));
        assert_eq!(parse_event_time("2024-03-01 10:00:00.000"), Some(base));
        assert_eq!(parse_event_time("2024-03-01T10:00:00"), Some(base));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "yesterday",
            "2024-13-01T10:00:00Z",
            "2023-02-29T10:00:00Z",
            "2024-03-01T25:00:00Z",
            "2024-03-01T10:00:00Zjunk",
            "2024-03-01T10:00:00.Z",
            "2024/03/01T10:00:00Z",
            "２０２４-03-01T10:00:00Z",
        ] {
            assert_eq!(parse_event_time(bad), None, "{bad:?}");
        }
        assert!(parse_event_time("2024-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn bounds_accept_dates() {
        assert_eq!(
            parse_bound("2024-03-01"),
            parse_event_time("2024-03-01T00:00:00Z")
        );
        assert_eq!(parse_bound("bad"), None);
    }

    #[test]
    fn bounds_accept_partial_times_and_offsets() {
        let ten = parse_event_time("2024-03-02T10:00:00Z");
        assert_eq!(parse_bound("2024-03-02T10:00"), ten);
        assert_eq!(parse_bound("2024-03-02T10"), ten);
        assert_eq!(parse_bound("2024-03-02 10:00"), ten);
        assert_eq!(parse_bound("2024-03-02T11:00+01:00"), ten);
        assert_eq!(parse_bound("2024-03-02T05-05:00"), ten);
        assert_eq!(parse_bound("2024-03-02T10:0"), None);
        assert_eq!(parse_bound("2024-03-02T1"), None);
    }

    #[test]
    fn spans() {
        assert_eq!(parse_span("2h"), Some(7_200_000));
        assert_eq!(parse_span("30m"), Some(1_800_000));
        assert_eq!(parse_span("1w"), Some(604_800_000));
        assert_eq!(parse_span("90s"), Some(90_000));
        for bad in ["", "h", "2", "2x", "-2h", "99999999999999999999d"] {
            assert_eq!(parse_span(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_round_trip() {
        let t = parse_event_time("2024-03-01T10:00:00Z").unwrap();
        assert_eq!(format_time(t), "2024-03-01T10:00:00Z");
        assert_eq!(format_time(t + 5), "2024-03-01T10:00:00.005Z");
        assert_eq!(format_time(NO_TIME), "-");
        assert_eq!(format_time_short(t), "2024-03-01 10:00:00");
    }
}
