//! RFC 3339 date-times as comparable instants, so that `gt`/`lt` on
//! dateTime attributes order by time and not by text (which breaks across
//! offsets: 10:00+02:00 is before 09:00Z).

/// Seconds since 1970-01-01T00:00:00Z and the nanoseconds within that
/// second; ordering the pairs orders the instants.
pub(crate) type Instant = (i64, u32);

fn digits(text: &[u8], from: usize, count: usize) -> Option<u32> {
    let part = text.get(from..from + count)?;
    part.iter().try_fold(0u32, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (years 0..=9999).
fn days_since_epoch(year: i64, month: u32, day: u32) -> i64 {
    // Count from 0000-03-01 so the leap day ends the year.
    let (y, m) = if month <= 2 {
        (year - 1, i64::from(month) + 9)
    } else {
        (year, i64::from(month) - 3)
    };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let day_of_year = (153 * m + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. A missing offset is
/// read as UTC (xsd:dateTime allows it); `t`, `z` and a space separator are
/// accepted too. Returns `None` for anything else or an impossible date.
pub(crate) fn parse(text: &str) -> Option<Instant> {
    let b = text.as_bytes();
    let year = i64::from(digits(b, 0, 4)?);
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    let separators_ok = b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't' | b' ')
        && b[13] == b':'
        && b[16] == b':';
    if !separators_ok
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            // Digits beyond nanoseconds are read and ignored.
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        let count = i - start;
        if count == 0 {
            return None;
        }
        for _ in count..9 {
            nanos *= 10;
        }
    }
    let offset_seconds = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let hours = digits(b, i + 1, 2)?;
            let minutes = digits(b, i + 4, 2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    let local =
        days_since_epoch(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some((local - offset_seconds, nanos))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn known_instants() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse("2000-03-01T00:00:00Z"), Some((951_868_800, 0)));
        assert_eq!(parse("2024-02-29T12:00:00Z"), Some((1_709_208_000, 0)));
        assert_eq!(parse("1969-12-31T23:59:59Z"), Some((-1, 0)));
        assert_eq!(
            parse("2024-05-01T10:00:00.5+02:00"),
            parse("2024-05-01T08:00:00.500Z"),
            "an offset is subtracted to get UTC"
        );
        assert_eq!(
            parse("2024-05-01T08:00:00.123456789123Z").map(|i| i.1),
            Some(123_456_789)
        );
        assert_eq!(parse("2024-05-01t08:00:00z"), parse("2024-05-01T08:00:00Z"));
        assert_eq!(parse("2024-05-01T08:00:00"), parse("2024-05-01T08:00:00Z"));
    }

    #[test]
    fn rejects_what_is_not_a_date_time() {
        for bad in [
            "",
            "2024-05-01",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T08:00:00.Z",
            "2024-05-01T08:00:00+2:00",
            "2024-05-01T08:00:00Zjunk",
            "2024/05/01T08:00:00Z",
            "२०२४-05-01T08:00:00Z",
        ] {
            assert_eq!(parse(bad), None, "{bad:?} must not parse");
        }
    }
}
