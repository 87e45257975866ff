//! RFC 3339 timestamps held as numbers, with their text recoverable exactly.

use core::fmt;

/// A point in time as the API writes it (`2019-11-30T07:34:24.202Z`), held in 16 bytes:
/// seconds since the Unix epoch, nanoseconds, how many fraction digits were written and the
/// UTC offset. `Display` gives back the original text, byte for byte.
///
/// Accepted: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits, then `Z` or
/// `±HH:MM` (uppercase `T` and `Z`, as the API sends). Anything else is not a timestamp.
///
/// ```
/// use apify_core::model::Timestamp;
///
/// let t = Timestamp::parse("2019-11-30T07:34:24.202Z").unwrap();
/// assert_eq!(t.unix_millis(), 1_575_099_264_202);
/// assert_eq!(t.to_string(), "2019-11-30T07:34:24.202Z");
/// assert!(Timestamp::parse("2019-02-29T00:00:00Z").is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    unix_seconds: i64,
    nanos: u32,
    /// Offset from UTC in minutes; `i16::MIN` marks `Z`.
    offset_minutes: i16,
    /// Fraction digits written.
    digits: u8,
}

const ZULU: i16 = i16::MIN;

impl Timestamp {
    /// The timestamp as two words, for storage by kind.
    pub(crate) const fn to_words(self) -> [u64; 2] {
        let rest = self.nanos as u64 | (self.offset_minutes as u16 as u64) << 32 | (self.digits as u64) << 48;
        [self.unix_seconds as u64, rest]
    }

    /// The timestamp [`to_words`](Self::to_words) stored.
    pub(crate) const fn from_words(words: [u64; 2]) -> Self {
        let rest = words[1];
        Timestamp {
            unix_seconds: words[0] as i64,
            nanos: rest as u32,
            offset_minutes: (rest >> 32) as u16 as i16,
            digits: (rest >> 48) as u8,
        }
    }

    /// Parses the forms described above; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let num = |range: core::ops::Range<usize>| -> Option<u32> {
            let digits = b.get(range)?;
            digits.iter().try_fold(0u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + (d - b'0') as u32))
        };
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let (year, month, day) = (num(0..4)? as i64, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let mut i = 19;
        let mut nanos = 0u32;
        let mut digits = 0u8;
        if b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                if digits == 9 {
                    return None;
                }
                nanos = nanos * 10 + (b[i] - b'0') as u32;
                digits += 1;
                i += 1;
            }
            if digits == 0 {
                return None;
            }
            nanos *= 10u32.pow(9 - digits as u32);
        }
        let offset_minutes = match &b[i..] {
            b"Z" => ZULU,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
                // `-00:00` ("offset unknown") would not survive the round trip.
                if h > 23 || m > 59 || (*sign == b'-' && h == 0 && m == 0) {
                    return None;
                }
                let minutes = (h * 60 + m) as i16;
                if *sign == b'-' { -minutes } else { minutes }
            }
            _ => return None,
        };
        let offset_secs = if offset_minutes == ZULU { 0 } else { offset_minutes as i64 * 60 };
        let local = days_from_civil(year, month, day) * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
        Some(Self { unix_seconds: local - offset_secs, nanos, offset_minutes, digits })
    }

    /// Whole seconds since 1970-01-01T00:00:00Z.
    pub const fn unix_seconds(&self) -> i64 {
        self.unix_seconds
    }

    /// Nanoseconds past [`unix_seconds`](Self::unix_seconds).
    pub const fn nanos(&self) -> u32 {
        self.nanos
    }

    /// Milliseconds since the epoch (sub-millisecond digits dropped).
    pub const fn unix_millis(&self) -> i64 {
        self.unix_seconds * 1000 + (self.nanos / 1_000_000) as i64
    }

    /// The UTC offset in minutes as written (`Z` is 0).
    pub const fn offset_minutes(&self) -> i16 {
        if self.offset_minutes == ZULU { 0 } else { self.offset_minutes }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.unix_seconds + self.offset_minutes() as i64 * 60;
        let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        write!(f, "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)?;
        let digits = self.digits;
        if digits > 0 {
            let frac = self.nanos / 10u32.pow(9 - digits as u32);
            write!(f, ".{frac:0width$}", width = digits as usize)?;
        }
        if self.offset_minutes == ZULU {
            f.write_str("Z")
        } else {
            let m = self.offset_minutes;
            write!(
                f,
                "{}{:02}:{:02}",
                if m < 0 { '-' } else { '+' },
                m.unsigned_abs() / 60,
                m.unsigned_abs() % 60
            )
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn text_round_trips() {
        for text in [
            "2019-11-30T07:34:24.202Z",
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59.999999999Z",
            "2026-11-29T13:40:57.1+01:00",
            "1999-12-31T23:59:59-05:30",
            "0001-01-01T00:00:00.000Z",
            "9999-12-31T23:59:59.000Z",
        ] {
            assert_eq!(Timestamp::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Timestamp::parse("1970-01-01T01:00:00+01:00").unwrap().unix_seconds(), 0);
        assert_eq!(core::mem::size_of::<Timestamp>(), 16);
    }

    #[test]
    fn rejects_what_it_cannot_restore() {
        for bad in [
            "",
            "2019-11-30",
            "2019-11-30 07:34:24Z",
            "2019-11-30t07:34:24z",
            "2019-13-01T00:00:00Z",
            "2019-04-31T00:00:00Z",
            "2019-11-30T24:00:00Z",
            "2019-11-30T07:34:60Z",
            "2019-11-30T07:34:24.Z",
            "2019-11-30T07:34:24.1234567890Z",
            "2019-11-30T07:34:24",
            "2019-11-30T07:34:24+0100",
            "2019-11-30T07:34:24Zjunk",
            "+019-11-30T07:34:24Z",
            "2019-11-30T07:34:24-00:00",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad}");
        }
    }
}
