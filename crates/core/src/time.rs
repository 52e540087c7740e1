//! The few timestamp operations the feed needs: parsing `last_modified`-style
//! RFC 3339 UTC timestamps and formatting the API's `start_date`.

/// Milliseconds since the Unix epoch, UTC.
pub type EpochMs = i64;

const MS_PER_DAY: i64 = 86_400_000;
const MS_PER_HOUR: i64 = 3_600_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u32, |acc, &b| acc.checked_mul(10)?.checked_add(u32::from(b - b'0')))
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff…][Z|±HH:MM]` (a space may stand for `T`; no zone means
/// UTC) into epoch milliseconds. Returns `None` for anything else.
pub fn parse_timestamp(s: &str) -> Option<EpochMs> {
    let b = s.trim().as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (h, mi, sec) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?);
    let days_in_month = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if d == 0 || d > days_in_month || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &b[19..];
    let mut ms = 0i64;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        for (i, &c) in frac[..n].iter().take(3).enumerate() {
            ms += i64::from(c - b'0') * [100, 10, 1][i];
        }
        rest = &frac[n..];
    }
    let offset_min: i64 = match rest {
        b"" | b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), hh @ .., ] if hh.len() == 5 && hh[2] == b':' => {
            let v = i64::from(digits(&hh[0..2])?) * 60 + i64::from(digits(&hh[3..5])?);
            if *sign == b'+' { v } else { -v }
        }
        _ => return None,
    };
    let secs = days_from_civil(i64::from(y), mo, d) * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(sec);
    Some(secs * 1000 + ms - offset_min * 60_000)
}

/// `now` minus `days` days, truncated to the hour: the API's `start_date` instant.
pub fn window_start(now: EpochMs, days: u32) -> EpochMs {
    let t = now - i64::from(days) * MS_PER_DAY;
    t - t.rem_euclid(MS_PER_HOUR)
}

/// Formats an instant as the legacy script did for `start_date`: `YYYY-MM-DDTHH:00:00.000Z`
/// (minutes and seconds are always those of the instant; callers pass an hour-aligned one).
pub fn format_timestamp(t: EpochMs) -> String {
    let days = t.div_euclid(MS_PER_DAY);
    let rem = t.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, ms) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_feed_timestamps() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(parse_timestamp("2020-10-08T20:55:58.000Z"), Some(1_602_190_558_000));
        assert_eq!(parse_timestamp("2020-10-08T20:55:58Z"), Some(1_602_190_558_000));
        assert_eq!(parse_timestamp("2020-10-08T22:55:58.5+02:00"), Some(1_602_190_558_500));
        assert!(parse_timestamp("2024-02-29T00:00:00Z").is_some());
        for bad in ["", "2020-10-08", "2023-02-29T00:00:00Z", "2020-13-01T00:00:00Z", "2020-10-08T20:55:58.Z", "x020-10-08T20:55:58Z", "2020-10-08T20:55:58+0200"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trips_and_window() {
        let t = parse_timestamp("2026-12-04T15:55:12.345Z").unwrap();
        assert_eq!(format_timestamp(t), "2026-12-04T15:55:12.345Z");
        assert_eq!(format_timestamp(window_start(t, 7)), "2026-11-27T15:00:00.000Z");
        assert_eq!(format_timestamp(window_start(t, 0)), "2026-12-04T15:00:00.000Z");
        assert_eq!(format_timestamp(-1), "1969-12-31T23:59:59.999Z");
    }
}
