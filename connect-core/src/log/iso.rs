//! ISO-8601 UTC text for log times, as JavaScript's `Date.prototype.toISOString` writes it.

use crate::model::Timestamp;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Formats `time` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, milliseconds), exactly like
/// `new Date(ms).toISOString()`; years outside 0–9999 use the signed six-digit form.
///
/// ```
/// use connect_core::log::format_iso8601;
/// use connect_core::model::Timestamp;
///
/// assert_eq!(format_iso8601(Timestamp::from_millis(0)), "1970-01-01T00:00:00.000Z");
/// assert_eq!(
///     format_iso8601(Timestamp::from_millis(1_646_369_082_782)),
///     "2022-03-04T04:44:42.782Z"
/// );
/// ```
pub fn format_iso8601(time: Timestamp) -> String {
    let ms = time.as_millis();
    let days = ms.div_euclid(MILLIS_PER_DAY);
    let in_day = ms.rem_euclid(MILLIS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (in_day / 3_600_000, in_day / 60_000 % 60);
    let (second, milli) = (in_day / 1000 % 60, in_day % 1000);
    let year_text = if (0..=9999).contains(&year) {
        format!("{year:04}")
    } else {
        let sign = if year < 0 { '-' } else { '+' };
        format!("{sign}{:06}", year.unsigned_abs())
    };
    format!("{year_text}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
}

/// Parses ISO-8601 date-time text: `YYYY-MM-DDTHH:MM[:SS[.fff…]]` followed by `Z` or an offset
/// `±HH:MM`; the signed six-digit year form is accepted. Digits beyond milliseconds are
/// truncated. Returns `None` for anything else.
///
/// ```
/// use connect_core::log::parse_iso8601;
///
/// let t = parse_iso8601("2022-03-04T04:44:42.782Z").unwrap();
/// assert_eq!(t.as_millis(), 1_646_369_082_782);
/// assert_eq!(parse_iso8601("2022-03-04T06:44:42.782+02:00"), Some(t));
/// assert_eq!(parse_iso8601("yesterday"), None);
/// ```
pub fn parse_iso8601(text: &str) -> Option<Timestamp> {
    let mut p = Parser { rest: text };
    let year = p.year()?;
    p.expect(b'-')?;
    let month = p.number(2)?;
    p.expect(b'-')?;
    let day = p.number(2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    p.expect_any(b"Tt ")?;
    let hour = p.number(2)?;
    p.expect(b':')?;
    let minute = p.number(2)?;
    let second = if p.peek() == Some(b':') {
        p.expect(b':')?;
        p.number(2)?
    } else {
        0
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut milli = 0;
    if p.peek() == Some(b'.') {
        p.expect(b'.')?;
        let digits = p.digits();
        if digits.is_empty() {
            return None;
        }
        let padded = format!("{:0<3}", &digits[..digits.len().min(3)]);
        milli = padded.parse::<i64>().ok()?;
    }
    let offset_minutes = match p.next()? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let hours = p.number(2)?;
            p.expect(b':')?;
            let minutes = p.number(2)?;
            let total = hours * 60 + minutes;
            if sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    if !p.rest.is_empty() {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let ms = days
        .checked_mul(MILLIS_PER_DAY)?
        .checked_add(((hour * 60 + minute - offset_minutes) * 60 + second) * 1000 + milli)?;
    Some(Timestamp::from_millis(ms))
}

/// A tiny cursor over ASCII text.
struct Parser<'a> {
    rest: &'a str,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.rest.as_bytes().first().copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        // Only ASCII is ever consumed here, so slicing one byte stays on a char boundary.
        self.rest = self.rest.get(1..)?;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    fn expect_any(&mut self, bytes: &[u8]) -> Option<()> {
        bytes.contains(&self.next()?).then_some(())
    }

    fn digits(&mut self) -> &'a str {
        let len = self.rest.bytes().take_while(u8::is_ascii_digit).count();
        let (digits, rest) = self.rest.split_at(len);
        self.rest = rest;
        digits
    }

    fn number(&mut self, width: usize) -> Option<i64> {
        let len = self.rest.bytes().take_while(u8::is_ascii_digit).count();
        if len < width {
            return None;
        }
        let (digits, rest) = self.rest.split_at(width);
        self.rest = rest;
        digits.parse().ok()
    }

    fn year(&mut self) -> Option<i64> {
        match self.peek()? {
            sign @ (b'+' | b'-') => {
                self.next()?;
                let year = self.number(6)?;
                Some(if sign == b'-' { -year } else { year })
            }
            _ => self.number(4),
        }
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day) → days since 1970-01-01; the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_to_iso_string() {
        // Expected values from `new Date(ms).toISOString()` in Node.
        let table: [(i64, &str); 9] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (1_646_369_082_782, "2022-03-04T04:44:42.782Z"),
            (1_709_251_199_999, "2024-02-29T23:59:59.999Z"),
            (4_102_444_800_000, "2100-01-01T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
            (253_402_300_800_000, "+010000-01-01T00:00:00.000Z"),
            (-62_198_755_200_000, "-000001-01-01T00:00:00.000Z"),
        ];
        for (ms, text) in table {
            let time = Timestamp::from_millis(ms);
            assert_eq!(format_iso8601(time), text, "{ms}");
            assert_eq!(parse_iso8601(text), Some(time), "{text}");
        }
    }

    #[test]
    fn round_trips_every_day_of_four_centuries() {
        let mut ms = Timestamp::from_millis(-12_000_000_000_000);
        let end = Timestamp::from_millis(12_700_000_000_000);
        while ms < end {
            assert_eq!(parse_iso8601(&format_iso8601(ms)), Some(ms));
            ms = ms.add_millis(MILLIS_PER_DAY + 3_723_004);
        }
    }

    #[test]
    fn parses_variants_and_rejects_garbage() {
        let base = parse_iso8601("2021-03-09T20:03:34.625Z").expect("parses");
        assert_eq!(base.as_millis(), 1_615_320_214_625);
        let same = [
            "2021-03-09T20:03:34.625123Z",
            "2021-03-09t20:03:34.625z",
            "2021-03-09 20:03:34.625Z",
            "2021-03-09T15:03:34.625-05:00",
        ];
        for text in same {
            assert_eq!(parse_iso8601(text), Some(base), "{text}");
        }
        assert_eq!(
            parse_iso8601("2021-03-09T20:03Z").map(Timestamp::as_millis),
            Some(1_615_320_180_000)
        );
        assert_eq!(
            parse_iso8601("2021-03-09T20:03:34.6Z").map(Timestamp::as_millis),
            Some(1_615_320_214_600)
        );
        let bad = [
            "",
            "2021-03-09",
            "2021-02-29T00:00:00Z",
            "2021-13-01T00:00:00Z",
            "2021-03-09T24:00:00Z",
            "2021-03-09T20:03:34.Z",
            "2021-03-09T20:03:34",
            "2021-03-09T20:03:34Zjunk",
            "21-03-09T20:03:34Z",
        ];
        for text in bad {
            assert_eq!(parse_iso8601(text), None, "{text}");
        }
    }
}
