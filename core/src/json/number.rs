//! JSON numbers, read digit by digit and held exactly.

use crate::Decimal;

/// A JSON number as sent: `±mantissa × 10^exponent`.
///
/// Every significant digit that fits a `u64` mantissa (at least 19) is kept exactly; a number
/// with more non-zero digits than that is marked inexact (its mantissa holds the leading ones), so a consumer can refuse it instead of
/// rounding silently. The exponent saturates at ±1,000,000,000.
///
/// ```
/// use apify_core::json::Number;
///
/// let n: Number = "-12.50e1".parse().unwrap();
/// assert_eq!((n.mantissa(), n.exponent(), n.is_negative()), (1250, -1, true));
/// assert_eq!(n.to_i64(), Some(-125));
/// assert_eq!(n.to_decimal().unwrap().to_string(), "-125.0");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number {
    mantissa: u64,
    exponent: i32,
    negative: bool,
    exact: bool,
}

impl Number {
    /// The significant digits as an integer.
    pub const fn mantissa(&self) -> u64 {
        self.mantissa
    }

    /// The power of ten that scales the mantissa.
    pub const fn exponent(&self) -> i32 {
        self.exponent
    }

    /// Whether the text began with `-`.
    pub const fn is_negative(&self) -> bool {
        self.negative
    }

    /// Whether every digit was kept (false when non-zero digits did not fit the mantissa).
    pub const fn is_exact(&self) -> bool {
        self.exact
    }

    /// The value as an unsigned integer, when it is an exact integer that fits.
    pub const fn to_u64(&self) -> Option<u64> {
        if self.exponent == 0 && self.exact && (!self.negative || self.mantissa == 0) {
            return Some(self.mantissa);
        }
        if !self.exact {
            return None;
        }
        if self.mantissa == 0 {
            return Some(0);
        }
        if self.negative {
            return None;
        }
        let mut m = self.mantissa;
        let mut e = self.exponent;
        // Both loops end within 20 steps: a non-zero mantissa has at most 19 trailing zeros
        // and overflows after at most 20 multiplications.
        while e < 0 {
            if m % 10 != 0 {
                return None;
            }
            m /= 10;
            e += 1;
        }
        while e > 0 {
            m = match m.checked_mul(10) {
                Some(v) => v,
                None => return None,
            };
            e -= 1;
        }
        Some(m)
    }

    /// The value as a signed integer, when it is an exact integer that fits.
    pub const fn to_i64(&self) -> Option<i64> {
        let magnitude = match (Self { negative: false, ..*self }).to_u64() {
            Some(m) => m,
            None => return None,
        };
        if !self.negative {
            if magnitude <= i64::MAX as u64 { Some(magnitude as i64) } else { None }
        } else if magnitude <= i64::MAX as u64 + 1 {
            Some((magnitude as i64).wrapping_neg())
        } else {
            None
        }
    }

    /// The value as a [`Decimal`], when it is exact and fits one.
    pub const fn to_decimal(&self) -> Option<Decimal> {
        if !self.exact {
            return None;
        }
        Decimal::normalize(self.mantissa, self.exponent, self.negative)
    }

    /// The value as an `f64`, as close as [`Decimal::to_f64`] gets; saturates to infinity or
    /// zero.
    pub fn to_f64(&self) -> f64 {
        let value = crate::decimal::scale_pow10(self.mantissa as f64, self.exponent);
        if self.negative { -value } else { value }
    }
}

impl core::str::FromStr for Number {
    type Err = crate::decimal::ParseDecimalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut acc = NumberAccumulator::new();
        if s.bytes().all(|b| acc.push(b)) {
            acc.finish().ok_or(Self::Err::Syntax)
        } else {
            Err(Self::Err::Syntax)
        }
    }
}

impl Number {
    /// Reads a number that lies whole in `input[start..]` and is followed by another byte, in
    /// one pass: at most 19 digits, no exponent. Anything else (a longer number, an exponent,
    /// a number cut by the end of the chunk, a grammar error) returns `None` and goes through
    /// [`NumberAccumulator`], which gives the same result byte by byte.
    #[inline]
    pub(crate) fn read_simple(input: &[u8], start: usize) -> Option<(Number, usize)> {
        let mut i = start;
        let negative = input.get(i) == Some(&b'-');
        i += negative as usize;
        let mut mantissa: u64 = 0;
        let mut digits = 0;
        match *input.get(i)? {
            b'0' => {
                i += 1;
                digits = 1;
            }
            b'1'..=b'9' => {
                while let Some(&b) = input.get(i) {
                    if !b.is_ascii_digit() {
                        break;
                    }
                    mantissa = mantissa.wrapping_mul(10).wrapping_add((b - b'0') as u64);
                    digits += 1;
                    i += 1;
                }
            }
            _ => return None,
        }
        let mut exponent = 0;
        if input.get(i) == Some(&b'.') {
            i += 1;
            let frac_start = i;
            while let Some(&b) = input.get(i) {
                if !b.is_ascii_digit() {
                    break;
                }
                mantissa = mantissa.wrapping_mul(10).wrapping_add((b - b'0') as u64);
                i += 1;
            }
            let frac = i - frac_start;
            if frac == 0 {
                return None;
            }
            digits += frac;
            exponent = -(frac as i32);
        }
        // Past 19 digits the wrapping arithmetic above may have overflowed; an exponent or the
        // chunk's end needs the general reader.
        match input.get(i) {
            Some(b'e' | b'E' | b'0'..=b'9' | b'.' | b'-' | b'+') | None => None,
            Some(_) if digits > 19 => None,
            Some(_) => Some((Number { mantissa, exponent, negative, exact: true }, i)),
        }
    }
}

/// Where in `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` the reader stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Start,
    Minus,
    Zero,
    Int,
    FracFirst,
    Frac,
    ExpFirst,
    ExpSignDone,
    Exp,
}

const EXPONENT_LIMIT: i32 = 1_000_000_000;

/// Reads a JSON number one byte at a time; shared by the parser and by `FromStr` impls so the
/// grammar is written once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NumberAccumulator {
    part: Part,
    mantissa: u64,
    /// Power of ten from digits that moved the decimal point (dropped or fractional).
    scale: i32,
    exp: i32,
    exp_negative: bool,
    negative: bool,
    /// A non-zero digit did not fit the mantissa (kept this way round so that a new
    /// accumulator is all zero bits).
    inexact: bool,
}

impl NumberAccumulator {
    pub(crate) const fn new() -> Self {
        Self {
            part: Part::Start,
            mantissa: 0,
            scale: 0,
            exp: 0,
            exp_negative: false,
            negative: false,
            inexact: false,
        }
    }

    /// Takes one byte; false when it cannot continue the number (the caller decides whether
    /// that ends the number or is an error, see [`is_complete`](Self::is_complete)).
    #[inline]
    pub(crate) fn push(&mut self, b: u8) -> bool {
        match (self.part, b) {
            (Part::Start, b'-') => {
                self.negative = true;
                self.part = Part::Minus;
            }
            (Part::Start | Part::Minus, b'0') => self.part = Part::Zero,
            (Part::Start | Part::Minus, b'1'..=b'9') => {
                self.mantissa = (b - b'0') as u64;
                self.part = Part::Int;
            }
            (Part::Int, b'0'..=b'9') => self.int_digit(b - b'0'),
            (Part::Zero | Part::Int, b'.') => self.part = Part::FracFirst,
            (Part::FracFirst | Part::Frac, b'0'..=b'9') => {
                self.frac_digit(b - b'0');
                self.part = Part::Frac;
            }
            (Part::Zero | Part::Int | Part::Frac, b'e' | b'E') => self.part = Part::ExpFirst,
            (Part::ExpFirst, b'+') => self.part = Part::ExpSignDone,
            (Part::ExpFirst, b'-') => {
                self.exp_negative = true;
                self.part = Part::ExpSignDone;
            }
            (Part::ExpFirst | Part::ExpSignDone | Part::Exp, b'0'..=b'9') => {
                self.exp = self.exp.saturating_mul(10).saturating_add((b - b'0') as i32).min(EXPONENT_LIMIT);
                self.part = Part::Exp;
            }
            _ => return false,
        }
        true
    }

    /// Consumes the longest run of number bytes from `input[i..]`; returns where it stopped
    /// (the same as calling [`push`](Self::push) byte by byte, with tight loops for digits).
    #[inline]
    pub(crate) fn scan(&mut self, input: &[u8], mut i: usize) -> usize {
        loop {
            match self.part {
                Part::Int => {
                    while let Some(&b) = input.get(i) {
                        if !b.is_ascii_digit() {
                            break;
                        }
                        // No overflow below this bound; the exact check handles the rest.
                        if self.mantissa < u64::MAX / 10 - 1 {
                            self.mantissa = self.mantissa * 10 + (b - b'0') as u64;
                        } else {
                            self.int_digit(b - b'0');
                        }
                        i += 1;
                    }
                }
                Part::Frac => {
                    while let Some(&b) = input.get(i) {
                        if !b.is_ascii_digit() {
                            break;
                        }
                        if self.mantissa < u64::MAX / 10 - 1 {
                            self.mantissa = self.mantissa * 10 + (b - b'0') as u64;
                            self.scale = self.scale.saturating_sub(1);
                        } else {
                            self.frac_digit(b - b'0');
                        }
                        i += 1;
                    }
                }
                _ => {}
            }
            match input.get(i) {
                Some(&b) if self.push(b) => i += 1,
                _ => return i,
            }
        }
    }

    #[inline]
    fn int_digit(&mut self, d: u8) {
        match self.mantissa.checked_mul(10).and_then(|m| m.checked_add(d as u64)) {
            Some(m) => self.mantissa = m,
            None => {
                self.scale = self.scale.saturating_add(1);
                self.inexact |= d != 0;
            }
        }
    }

    #[inline]
    fn frac_digit(&mut self, d: u8) {
        match self.mantissa.checked_mul(10).and_then(|m| m.checked_add(d as u64)) {
            Some(m) => {
                self.mantissa = m;
                self.scale = self.scale.saturating_sub(1);
            }
            None => self.inexact |= d != 0,
        }
    }

    /// Whether the bytes so far form a whole number (they may still continue).
    pub(crate) const fn is_complete(&self) -> bool {
        matches!(self.part, Part::Zero | Part::Int | Part::Frac | Part::Exp)
    }

    /// Whether the next byte must be a digit (used to say what was expected in errors).
    pub(crate) const fn wants_digit(&self) -> bool {
        matches!(self.part, Part::Minus | Part::FracFirst | Part::ExpFirst | Part::ExpSignDone)
    }

    /// The number, when the bytes so far form a whole one.
    pub(crate) fn finish(&self) -> Option<Number> {
        if !self.is_complete() {
            return None;
        }
        let exp = if self.exp_negative { -self.exp } else { self.exp };
        let exponent = self.scale.saturating_add(exp).clamp(-EXPONENT_LIMIT, EXPONENT_LIMIT);
        Some(Number { mantissa: self.mantissa, exponent, negative: self.negative, exact: !self.inexact })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    fn n(s: &str) -> Number {
        s.parse().unwrap()
    }

    #[test]
    fn grammar() {
        for ok in [
            "0",
            "-0",
            "1",
            "-1",
            "10",
            "0.5",
            "1.25",
            "1e5",
            "1E+5",
            "1e-5",
            "-0.0e0",
            "123456789012345678901234",
        ] {
            assert!(ok.parse::<Number>().is_ok(), "{ok}");
        }
        for bad in [
            "", "-", "01", "-01", "1.", ".5", "1e", "1e+", "+1", "0x1", "1.e5", "--1", "1-", "Infinity",
            "NaN",
        ] {
            assert!(bad.parse::<Number>().is_err(), "{bad}");
        }
    }

    #[test]
    fn exactness() {
        let big = n("18446744073709551615");
        assert_eq!(big.to_u64(), Some(u64::MAX));
        assert!(n("18446744073709551616").to_u64().is_none());
        let rounded = n("123456789012345678901");
        assert!(!rounded.is_exact());
        assert!(rounded.to_decimal().is_none());
        let zeros = n("100000000000000000000000");
        assert!(zeros.is_exact());
        assert_eq!(zeros.to_decimal().unwrap().to_string(), "100000000000000000000000");
        assert_eq!(n("-9223372036854775808").to_i64(), Some(i64::MIN));
        assert_eq!(n("0.00000000000000000000000000000000000000001").to_u64(), None);
        assert_eq!(n("0e-999999999999").to_u64(), Some(0));
        assert_eq!(n("1e999999999999").exponent(), EXPONENT_LIMIT);
    }

    #[test]
    fn floats() {
        for s in ["0.1", "1e300", "-2.5e-300", "144937856.50460157", "123456789012345678901"] {
            let want: f64 = s.parse().unwrap();
            let got = n(s).to_f64();
            assert!((got - want).abs() <= want.abs() * 1e-14, "{s}: {got} vs {want}");
        }
    }
}
