//! Fixed-capacity text that says when it was cut.

use core::fmt;

use heapless::LenType;

/// A string of at most `N` bytes that records whether the value was longer.
///
/// The decoder never cuts silently: a value longer than its field's capacity keeps its first
/// bytes (up to a character boundary) and [`is_truncated`](Self::is_truncated) turns true.
/// Each field documents its capacity. `L` is the length type (`u8` up to 255 bytes).
///
/// ```
/// use apify_core::model::Text;
///
/// let t = Text::<3>::from_str_truncating("héllo");
/// assert_eq!((t.as_str(), t.is_truncated()), ("hé", true));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Text<const N: usize, L: LenType = u8> {
    text: heapless::String<N, L>,
    truncated: bool,
}

impl<const N: usize, L: LenType> Text<N, L> {
    /// Empty text.
    pub const fn new() -> Self {
        Self { text: heapless::String::new(), truncated: false }
    }

    /// Text holding as much of `s` as fits.
    pub fn from_str_truncating(s: &str) -> Self {
        let mut t = Self::new();
        t.push_truncating(s);
        t
    }

    /// The text kept.
    pub fn as_str(&self) -> &str {
        self.text.as_str()
    }

    /// Whether the value was longer than `N` bytes and lost its end.
    pub const fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// The whole value, or `None` when it was truncated.
    pub fn complete(&self) -> Option<&str> {
        (!self.truncated).then(|| self.as_str())
    }

    /// Whether no text is held.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Bytes the text can hold.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Appends `s`, or as much of it as fits, then refuses everything after a cut so the text
    /// is always a prefix of the real value.
    pub(crate) fn push_truncating(&mut self, s: &str) {
        if self.truncated {
            return;
        }
        if self.text.push_str(s).is_err() {
            let mut fit = N - self.text.len();
            while !s.is_char_boundary(fit) {
                fit -= 1;
            }
            // Cannot fail: `fit` bytes are free.
            let _ = self.text.push_str(&s[..fit]);
            self.truncated = true;
        }
    }

    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.truncated = false;
    }
}

impl<const N: usize, L: LenType> fmt::Display for Text<N, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.truncated { f.write_str("…") } else { Ok(()) }
    }
}

impl<const N: usize, L: LenType> fmt::Debug for Text<N, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)?;
        if self.truncated { f.write_str("…(truncated)") } else { Ok(()) }
    }
}

impl<const N: usize, L: LenType> PartialEq<str> for Text<N, L> {
    fn eq(&self, other: &str) -> bool {
        !self.truncated && self.as_str() == other
    }
}

impl<const N: usize, L: LenType> PartialEq<&str> for Text<N, L> {
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
        assert_eq!(core::mem::size_of::<Option<Text<24>>>(), 26);
    }
}
