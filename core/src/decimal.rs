//! Exact decimal numbers, shared by the encoder (`maxTotalChargeUsd`) and the run model.

use core::fmt;
use core::num::NonZeroU64;
use core::str::FromStr;

/// Largest mantissa a [`Decimal`] holds: 2^57 − 1, so every 17-digit mantissa fits.
pub const MAX_MANTISSA: u64 = (1 << 57) - 1;
/// Smallest exponent a [`Decimal`] holds.
pub const MIN_EXPONENT: i8 = -31;
/// Largest exponent a [`Decimal`] holds.
pub const MAX_EXPONENT: i8 = 31;

const MANTISSA_BITS: u32 = 57;
const EXPONENT_BIAS: i8 = 32;

/// An exact decimal number `±mantissa × 10^exponent`, packed into 8 bytes.
///
/// The API sends fractional values with up to 17 significant digits (for example
/// `usageTotalUsd: 0.0056211830505728715`); an `f64` cannot hold all of them, and parsing one
/// costs about 20 KB of flash on a Cortex-M. A `Decimal` keeps the digits as they were sent:
/// the mantissa (up to [`MAX_MANTISSA`], which covers every 17-digit mantissa) and a power of ten
/// ([`MIN_EXPONENT`]`..=`[`MAX_EXPONENT`]). The packing is never all zero bits, so an
/// `Option<Decimal>` is 8 bytes too. Equality compares the digits, so `1.5` and `1.50`
/// are different values that [`to_f64`](Self::to_f64) maps to the same float.
///
/// `Display` prints the plain decimal form, never an exponent:
///
/// ```
/// use apify_core::Decimal;
///
/// let d: Decimal = "6.183050572872162e-6".parse()?;
/// assert_eq!(d.to_string(), "0.000006183050572872162");
/// assert_eq!(Decimal::new(150, -2, false).unwrap().to_string(), "1.50");
/// assert_eq!(Decimal::from_u64(1024).unwrap().to_u64(), Some(1024));
/// # Ok::<(), apify_core::decimal::ParseDecimalError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal(NonZeroU64);

impl Decimal {
    /// Zero (`0`).
    pub const ZERO: Self = pack(0, 0, false);

    /// `±mantissa × 10^exponent`, or `None` when a part is outside the ranges above.
    pub const fn new(mantissa: u64, exponent: i8, negative: bool) -> Option<Self> {
        if mantissa > MAX_MANTISSA || exponent < MIN_EXPONENT || exponent > MAX_EXPONENT {
            return None;
        }
        Some(pack(mantissa, exponent, negative))
    }

    /// An integer; trailing zeros move into the exponent when the value is too large.
    pub const fn from_u64(value: u64) -> Option<Self> {
        Self::normalize(value, 0, false)
    }

    /// Builds the closest packing of `±mantissa × 10^exponent` that is still exact: trailing
    /// zeros of a too-large mantissa move into the exponent. `None` when that is not enough.
    pub(crate) const fn normalize(mut mantissa: u64, mut exponent: i32, negative: bool) -> Option<Self> {
        while mantissa > MAX_MANTISSA && mantissa % 10 == 0 {
            mantissa /= 10;
            exponent += 1;
        }
        // A fraction with too many trailing zeros (0.5000…0) can still be shortened.
        while exponent < MIN_EXPONENT as i32 && mantissa != 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            exponent += 1;
        }
        if mantissa == 0 {
            // Zero is exact whatever its exponent; keep the scale when it fits (`0.00`).
            exponent =
                if exponent < MIN_EXPONENT as i32 || exponent > MAX_EXPONENT as i32 { 0 } else { exponent };
        }
        if mantissa > MAX_MANTISSA || exponent < MIN_EXPONENT as i32 || exponent > MAX_EXPONENT as i32 {
            return None;
        }
        Some(pack(mantissa, exponent as i8, negative))
    }

    /// The packed representation (for compact storage).
    pub(crate) const fn to_bits(self) -> u64 {
        self.0.get()
    }

    /// Inverse of [`to_bits`](Self::to_bits) for bits it produced.
    pub(crate) const fn from_bits(bits: u64) -> Self {
        match NonZeroU64::new(bits) {
            Some(bits) => Self(bits),
            None => Self::ZERO,
        }
    }

    /// The digits, without sign or decimal point.
    pub const fn mantissa(self) -> u64 {
        self.0.get() & MAX_MANTISSA
    }

    /// The power of ten the mantissa is multiplied by.
    pub const fn exponent(self) -> i8 {
        (((self.0.get() >> MANTISSA_BITS) & 0x3f) as i8) - EXPONENT_BIAS
    }

    /// Whether a minus sign was given (also for `-0`).
    pub const fn is_negative(self) -> bool {
        self.0.get() >> 63 == 1
    }

    /// Whether the value is zero (`0`, `0.0`, `-0`).
    pub const fn is_zero(self) -> bool {
        self.mantissa() == 0
    }

    /// The value as an integer, when it is one and fits (`2048`, `1.0`, `3e2`).
    pub const fn to_u64(self) -> Option<u64> {
        if self.is_negative() && !self.is_zero() {
            return None;
        }
        let mut m = self.mantissa();
        let mut e = self.exponent();
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

    /// The value as a signed integer, when it is one and fits.
    pub const fn to_i64(self) -> Option<i64> {
        let negative = self.is_negative();
        let magnitude = match pack(self.mantissa(), self.exponent(), false).to_u64() {
            Some(m) => m,
            None => return None,
        };
        if negative {
            if magnitude <= i64::MAX as u64 + 1 { Some((magnitude as i64).wrapping_neg()) } else { None }
        } else if magnitude <= i64::MAX as u64 {
            Some(magnitude as i64)
        } else {
            None
        }
    }

    /// The value as an `f64`: the nearest one when the mantissa is below 2^53 (16 digits) and
    /// the exponent within ±22; within one unit in the last place for larger mantissas (the
    /// API's 17-digit fractions) at those exponents; within a few units beyond. Pulls in no
    /// float parser (correct rounding of every value would need one: `f64::from_str` is about
    /// 21 KB of flash on a Cortex-M4). For an exact value keep the `Decimal`.
    pub fn to_f64(self) -> f64 {
        let value = scale_pow10(self.mantissa() as f64, self.exponent() as i32);
        if self.is_negative() { -value } else { value }
    }
}

/// `value × 10^exponent`, one rounding per factor of up to 1e22 (each of which is exact).
pub(crate) fn scale_pow10(mut value: f64, exponent: i32) -> f64 {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
        1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    // Past ±400 every finite mantissa is already infinite or zero.
    let mut e = exponent.clamp(-400, 400);
    while e > 22 {
        value *= 1e22;
        e -= 22;
    }
    while e < -22 {
        value /= 1e22;
        e += 22;
    }
    if e >= 0 { value * POW10[e as usize] } else { value / POW10[(-e) as usize] }
}

impl Default for Decimal {
    /// Zero.
    fn default() -> Self {
        Self::ZERO
    }
}

/// Packs parts that are in range. The biased exponent is 1..=63, so the bits are never zero.
const fn pack(mantissa: u64, exponent: i8, negative: bool) -> Decimal {
    let bits = ((negative as u64) << 63)
        | ((((exponent + EXPONENT_BIAS) as u64) & 0x3f) << MANTISSA_BITS)
        | mantissa;
    match NonZeroU64::new(bits) {
        Some(bits) => Decimal(bits),
        // Unreachable for in-range parts; zero keeps the function total.
        None => Decimal(NonZeroU64::MIN),
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({self})")
    }
}

impl Decimal {
    /// Hands the plain decimal text to `out` in pieces (sign, digits, zeros, point): the one
    /// rendering behind `Display` and the request encoder, which needs no formatting machinery.
    pub(crate) fn render(&self, mut out: impl FnMut(&str)) {
        const ZEROS: &str = "00000000000000000000000000000000";
        let mut digits = [0u8; 20];
        let mut n = self.mantissa();
        let mut start = digits.len();
        loop {
            start -= 1;
            // A mantissa below 2^57 fits 32-bit division after the first step on small
            // targets; `u64 % 10` is a library call on Cortex-M either way.
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        // ASCII digits by construction.
        let digits = core::str::from_utf8(&digits[start..]).unwrap_or_default();
        if self.is_negative() {
            out("-");
        }
        let exponent = self.exponent() as i32;
        // |exponent| is at most 31, so one slice of `ZEROS` is enough.
        let zeros = |count: usize| &ZEROS[..count.min(ZEROS.len())];
        if exponent >= 0 {
            out(digits);
            // Zero times a power of ten is written `0`, never `000`.
            if self.mantissa() != 0 {
                out(zeros(exponent as usize));
            }
            return;
        }
        let frac = (-exponent) as usize;
        if frac >= digits.len() {
            out("0.");
            out(zeros(frac - digits.len()));
            out(digits);
        } else {
            out(&digits[..digits.len() - frac]);
            out(".");
            out(&digits[digits.len() - frac..]);
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut result = Ok(());
        self.render(|piece| result = result.and_then(|()| f.write_str(piece)));
        result
    }
}

/// Why text could not be read as a [`Decimal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseDecimalError {
    /// The text is not a number in JSON's grammar (`-?int[.frac][e±exp]`).
    Syntax,
    /// The number is valid but needs more digits or a larger exponent than a `Decimal` holds.
    OutOfRange,
}

impl fmt::Display for ParseDecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax => {
                f.write_str("not a decimal number (expected digits, an optional fraction and exponent)")
            }
            Self::OutOfRange => {
                f.write_str("number has more digits or a larger exponent than a Decimal holds exactly")
            }
        }
    }
}

impl core::error::Error for ParseDecimalError {}

impl FromStr for Decimal {
    type Err = ParseDecimalError;

    /// Parses JSON's number grammar exactly; never rounds.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut acc = crate::json::NumberAccumulator::new();
        for &b in s.as_bytes() {
            if !acc.push(b) {
                return Err(ParseDecimalError::Syntax);
            }
        }
        let number = acc.finish().ok_or(ParseDecimalError::Syntax)?;
        number.to_decimal().ok_or(ParseDecimalError::OutOfRange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn display_is_plain_and_exact() {
        for (text, shown) in [
            ("0", "0"),
            ("-0", "-0"),
            ("0.00", "0.00"),
            ("1.50", "1.50"),
            ("35914228.4", "35914228.4"),
            ("0.0056211830505728715", "0.0056211830505728715"),
            ("144937856.50460157", "144937856.50460157"),
            ("1e3", "1000"),
            ("1.5E+2", "150"),
            ("25e-3", "0.025"),
            ("-12.5", "-12.5"),
            ("99999999999999999", "99999999999999999"),
            // Found by the run_decoder fuzzer: `0e2` was written `000`, not JSON.
            ("0e2", "0"),
            ("-0e5", "-0"),
        ] {
            assert_eq!(d(text).to_string(), shown, "{text}");
        }
    }

    #[test]
    fn integer_conversions() {
        assert_eq!(d("2048").to_u64(), Some(2048));
        assert_eq!(d("1.0").to_u64(), Some(1));
        assert_eq!(d("1.5").to_u64(), None);
        assert_eq!(d("-3").to_u64(), None);
        assert_eq!(d("-3").to_i64(), Some(-3));
        assert_eq!(d("3e2").to_i64(), Some(300));
        assert_eq!(Decimal::from_u64(u64::MAX), None);
        assert_eq!(
            Decimal::from_u64(10_000_000_000_000_000_000).unwrap().to_u64(),
            Some(10_000_000_000_000_000_000)
        );
        assert_eq!(d("1e30").to_u64(), None);
    }

    #[test]
    fn out_of_range_is_reported() {
        assert_eq!("123456789012345678901".parse::<Decimal>(), Err(ParseDecimalError::OutOfRange));
        assert_eq!("1e40".parse::<Decimal>(), Err(ParseDecimalError::OutOfRange));
        assert_eq!("1e-40".parse::<Decimal>(), Err(ParseDecimalError::OutOfRange));
        assert_eq!("1e-32".parse::<Decimal>(), Err(ParseDecimalError::OutOfRange));
        assert!("1e-31".parse::<Decimal>().is_ok());
        assert_eq!("1.".parse::<Decimal>(), Err(ParseDecimalError::Syntax));
        assert_eq!("".parse::<Decimal>(), Err(ParseDecimalError::Syntax));
        assert_eq!("01".parse::<Decimal>(), Err(ParseDecimalError::Syntax));
        assert_eq!("1e".parse::<Decimal>(), Err(ParseDecimalError::Syntax));
    }

    proptest::proptest! {
        /// 17 significant digits, as the API sends, at every exponent down to -22.
        #[test]
        fn to_f64_is_within_one_ulp(mantissa in 10_000_000_000_000_000u64..100_000_000_000_000_000, exponent in -22i8..=0) {
            let value = Decimal::new(mantissa, exponent, false).unwrap();
            let nearest: f64 = value.to_string().parse().unwrap();
            let apart = value.to_f64().to_bits().abs_diff(nearest.to_bits());
            proptest::prop_assert!(apart <= 1, "{value}: {} against {nearest}", value.to_f64());
        }
    }

    #[test]
    fn to_f64_is_nearest_for_api_values() {
        for text in
            ["0.0056211830505728715", "144937856.50460157", "0.000006183050572872162", "416.144", "-2.5", "0"]
        {
            assert_eq!(d(text).to_f64(), text.parse::<f64>().unwrap(), "{text}");
        }
    }

    #[test]
    fn packing_round_trips() {
        let v = Decimal::new(MAX_MANTISSA, MIN_EXPONENT, true).unwrap();
        assert_eq!((v.mantissa(), v.exponent(), v.is_negative()), (MAX_MANTISSA, MIN_EXPONENT, true));
        let v = Decimal::new(7, MAX_EXPONENT, false).unwrap();
        assert_eq!((v.mantissa(), v.exponent(), v.is_negative()), (7, MAX_EXPONENT, false));
        assert_eq!(Decimal::new(MAX_MANTISSA + 1, 0, false), None);
        assert_eq!(core::mem::size_of::<Option<Decimal>>(), 8);
        assert_eq!(core::mem::size_of::<Decimal>(), 8);
    }
}
