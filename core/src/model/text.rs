//! Fixed-capacity text that says when it was cut.

use core::fmt;

/// A string of at most `N` bytes that records whether the value was longer.
///
/// The decoder never cuts silently: a value longer than its field's capacity keeps its first
/// bytes (up to a character boundary) and [`is_truncated`](Self::is_truncated) turns true.
/// Each field documents its capacity (at most 32,767 bytes). Length and flag share two bytes.
///
/// (A byte array rather than `heapless::String`: appending copies the slice in one go, where
/// heapless 0.9 pushes byte by byte, which showed up in the decoder's profile.)
///
/// ```
/// use apify_core::model::Text;
///
/// let t = Text::<3>::from_str_truncating("héllo");
/// assert_eq!((t.as_str(), t.is_truncated()), ("hé", true));
/// ```
#[derive(Clone)]
pub struct Text<const N: usize> {
    bytes: [u8; N],
    /// The length, and in the top bit the truncation flag.
    meta: u16,
}

const CUT: u16 = 1 << 15;

impl<const N: usize> Default for Text<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> PartialEq for Text<N> {
    fn eq(&self, other: &Self) -> bool {
        self.is_truncated() == other.is_truncated() && self.as_str() == other.as_str()
    }
}

impl<const N: usize> Eq for Text<N> {}

impl<const N: usize> core::hash::Hash for Text<N> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
        self.is_truncated().hash(state);
    }
}

impl<const N: usize> Text<N> {
    const FITS: () = assert!(N < CUT as usize - 1, "Text holds at most 32766 bytes");

    /// Empty text.
    pub const fn new() -> Self {
        let () = Self::FITS;
        Self { bytes: [0; N], meta: 0 }
    }

    const fn len(&self) -> usize {
        (self.meta & !CUT) as usize
    }

    const fn set_meta(&mut self, len: usize, cut: u16) {
        // `len` is at most N, below 32767: it never reaches the flag bit.
        self.meta = len as u16 | cut;
    }

    /// Text holding as much of `s` as fits.
    pub fn from_str_truncating(s: &str) -> Self {
        let mut t = Self::new();
        t.push_truncating(s);
        t
    }

    /// The text kept.
    pub fn as_str(&self) -> &str {
        // Only whole `&str`s, cut at character boundaries, are ever copied in.
        core::str::from_utf8(&self.bytes[..self.len()]).unwrap_or_default()
    }

    /// Whether the value was longer than `N` bytes and lost its end.
    pub const fn is_truncated(&self) -> bool {
        self.meta & CUT != 0
    }

    /// The whole value, or `None` when it was truncated.
    pub fn complete(&self) -> Option<&str> {
        (!self.is_truncated()).then(|| self.as_str())
    }

    /// Whether no text is held.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the text can hold.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Appends `s`, or as much of it as fits, then refuses everything after a cut so the text
    /// is always a prefix of the real value.
    pub(crate) fn push_truncating(&mut self, s: &str) {
        if self.is_truncated() {
            return;
        }
        let len = self.len();
        let fit = super::run::fitting(s, N - len);
        self.bytes[len..len + fit].copy_from_slice(&s.as_bytes()[..fit]);
        self.set_meta(len + fit, if fit < s.len() { CUT } else { 0 });
    }

    /// Flags the text as cut (its value was longer than what was kept upstream).
    pub(crate) fn mark_truncated(&mut self) {
        let len = self.len();
        self.set_meta(len, CUT);
    }

    pub(crate) fn clear(&mut self) {
        self.meta = 0;
    }
}

impl<const N: usize> fmt::Display for Text<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.is_truncated() { f.write_str("…") } else { Ok(()) }
    }
}

impl<const N: usize> fmt::Debug for Text<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)?;
        if self.is_truncated() { f.write_str("…(truncated)") } else { Ok(()) }
    }
}

impl<const N: usize> PartialEq<str> for Text<N> {
    fn eq(&self, other: &str) -> bool {
        !self.is_truncated() && self.as_str() == other
    }
}

impl<const N: usize> PartialEq<&str> for Text<N> {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_char_boundaries_and_stays_a_prefix() {
        let mut t = Text::<5>::new();
        t.push_truncating("ab");
        t.push_truncating("c€");
        assert_eq!((t.as_str(), t.is_truncated()), ("abc", true));
        t.push_truncating("d");
        assert_eq!(t.as_str(), "abc");
        assert!(t != "abc");
        t.clear();
        t.push_truncating("abcde");
        assert!(t == "abcde" && !t.is_truncated());
        assert_eq!(core::mem::size_of::<Text<24>>(), 26);
        // No niche, so that all zero bits is an empty text (a `static` lands in `.bss`).
        assert_eq!(core::mem::size_of::<Option<Text<24>>>(), 28);
        assert!(Text::<4>::new().as_str().is_empty());
    }
}

/// Text from the server for people to read: `Display` writes it with control characters
/// (C0, DEL, C1) and bidirectional overrides escaped as `\u{…}`, so a response can neither
/// move a terminal's cursor, retitle its window, nor forge a line of output.
///
/// ```
/// use apify_core::model::Printable;
///
/// assert_eq!(Printable("ok\x1b[2J\r\nrun X SUCCEEDED").to_string(), "ok\\u{1b}[2J\\u{d}\\u{a}run X SUCCEEDED");
/// assert_eq!(Printable("naïve — fine").to_string(), "naïve — fine");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Printable<'a>(pub &'a str);

impl Printable<'_> {
    fn is_unsafe(c: char) -> bool {
        c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
}

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(Self::is_unsafe) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(f, "\\u{{{:x}}}", c as u32)?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}
