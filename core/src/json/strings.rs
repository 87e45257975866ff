//! Strings: plain runs found a word at a time, escapes, UTF-8 checked once per chunk (or once
//! per run where the chunk's check stopped short), and the pending text that joins the pieces
//! of a string cut by chunk ends.

use super::{Event, Fragment, Parser, State, SyntaxError, SyntaxErrorKind, Visitor};

/// Text of a string waiting to be emitted. It only ever holds whole characters, checked
/// when they arrived, so it is handed to the visitor without a second UTF-8 check (which a
/// byte array would need: safe code cannot turn bytes into `&str` unchecked). The first bytes
/// of a character cut by a chunk's end wait in [`State::Cut`] instead.
#[derive(Debug, Clone)]
pub(super) struct Pending(arrayvec::ArrayString<PENDING>);

impl Pending {
    pub(super) const fn new() -> Self {
        Self(arrayvec::ArrayString::new_const())
    }

    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn as_str(&self) -> &str {
        self.0.as_str()
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    /// Appends `text`, which the caller made sure fits.
    #[inline]
    fn push(&mut self, text: &str) {
        let pushed = self.0.try_push_str(text);
        debug_assert!(pushed.is_ok(), "pending text over its capacity");
    }

    /// Appends one ASCII byte, which the caller made sure fits.
    #[inline]
    fn push_ascii(&mut self, byte: u8) {
        let pushed = self.0.try_push(char::from(byte));
        debug_assert!(byte < 0x80 && pushed.is_ok(), "pending byte not ASCII or over capacity");
    }
}

/// A run of string text at a chunk's end at least this long is emitted directly, not copied.
pub(super) const DIRECT_PIECE: usize = 4;

/// Capacity of the pending text (bytes): every key of the run object but one
/// (`PROXY_RESIDENTIAL_TRANSFER_GBYTES`), every id and every enum name of the run object fit,
/// so they reach the decoder whole whatever the chunking (one error type,
/// `full-permission-actor-not-approved`, does not). Each byte more is a byte of the
/// decoder's 1.5 KB budget, which has 8 left.
pub(super) const PENDING: usize = 32;

/// Bytes that may continue a string without special handling: printable ASCII other than `"`
/// and `\`, and every non-ASCII byte (checked as UTF-8 with the chunk, or per run where the
/// chunk's check stopped short).
pub(super) static PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0x20;
    while b < 256 {
        table[b] = b != b'"' as usize && b != b'\\' as usize;
        b += 1;
    }
    table
};

#[inline]
const fn hex_value(b: u8) -> Option<u16> {
    match b {
        b'0'..=b'9' => Some((b - b'0') as u16),
        b'a'..=b'f' => Some((b - b'a' + 10) as u16),
        b'A'..=b'F' => Some((b - b'A' + 10) as u16),
        _ => None,
    }
}

/// The longest valid UTF-8 prefix of `input`.
pub(super) fn valid_prefix(input: &[u8]) -> &str {
    match core::str::from_utf8(input) {
        Ok(text) => text,
        Err(e) => core::str::from_utf8(&input[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// Index of the first byte at or after `i` that ends a plain run: `"`, `\\`, a control byte,
/// or the end. A machine word at a time where possible (8 bytes on 64-bit hosts, 4 on
/// Cortex-M).
#[inline]
pub(super) fn plain_run(input: &[u8], mut i: usize) -> usize {
    const WORD: usize = core::mem::size_of::<usize>();
    const LOW: usize = usize::MAX / 255;
    const HIGH: usize = LOW << 7;
    while let Some(word) = input.get(i..i + WORD) {
        let Ok(word) = <[u8; WORD]>::try_from(word) else { break };
        let w = usize::from_le_bytes(word);
        // Lanes below 0x20, equal to '"', or equal to '\\' (exact for the lowest such lane).
        let quote = w ^ (LOW * b'"' as usize);
        let backslash = w ^ (LOW * b'\\' as usize);
        let hits = (w.wrapping_sub(LOW * 0x20) & !w
            | quote.wrapping_sub(LOW) & !quote
            | backslash.wrapping_sub(LOW) & !backslash)
            & HIGH;
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += WORD;
    }
    while i < input.len() && PLAIN[input[i] as usize] {
        i += 1;
    }
    i
}

pub(super) fn str_fragment<V: Visitor>(
    v: &mut V,
    key: bool,
    text: &str,
    first: bool,
    last: bool,
) -> Result<(), V::Error> {
    let fragment = Fragment { text, first, last };
    v.event(if key { Event::Key(fragment) } else { Event::Str(fragment) })
}

impl<const DEPTH: usize> Parser<DEPTH> {
    /// A small chunk inside a string: plain ASCII text joins the pending text, and a closing
    /// quote at the chunk's end emits it, without the general loop (a slow socket's byte or
    /// few). Returns false, having done nothing, when the chunk needs the general path
    /// (escapes, non-ASCII, more after the quote, or more text than the pending buffer has
    /// room for).
    #[inline]
    pub(super) fn small_string<V: Visitor>(
        &mut self,
        input: &[u8],
        key: bool,
        first: bool,
        v: &mut V,
    ) -> Result<bool, V::Error> {
        let closed = match *input {
            // A byte at a time is the common small chunk: no loop.
            [b] if b < 0x80 && PLAIN[b as usize] && self.pending.len() < PENDING => {
                self.pending.push_ascii(b);
                return Ok(true);
            }
            [b'"'] => true,
            [.., b'"'] if self.plain_fits(&input[..input.len() - 1]) => true,
            _ if self.plain_fits(input) => false,
            _ => return Ok(false),
        };
        for &b in &input[..input.len() - closed as usize] {
            self.pending.push_ascii(b);
        }
        if closed {
            let mut first = first;
            self.emit_pending(v, key, &mut first, true)?;
            self.state = if key { State::Colon } else { self.after_value() };
        }
        Ok(true)
    }

    /// Keeps the start of a string that runs to the chunk's end (`piece`, when it is whole
    /// characters) in the pending text when it fits, so the string can be emitted whole once
    /// its end arrives. False, having done nothing, otherwise.
    #[inline]
    pub(super) fn hold_start(&mut self, piece: Option<&str>, key: bool) -> bool {
        match piece {
            Some(piece) if self.pending.is_empty() && piece.len() <= PENDING => {
                self.pending.push(piece);
                self.state = State::Str { key, first: true };
                true
            }
            _ => false,
        }
    }

    /// Whether `text` is plain ASCII that fits in the pending buffer.
    fn plain_fits(&self, text: &[u8]) -> bool {
        self.pending.len() + text.len() <= PENDING && text.iter().all(|&b| b < 0x80 && PLAIN[b as usize])
    }

    /// Plain string content up to the next quote, backslash, control byte or chunk end.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn string<'i, V: Visitor>(
        &mut self,
        input: &'i [u8],
        text: &mut Option<&'i str>,
        start: usize,
        key: bool,
        first: bool,
        v: &mut V,
    ) -> Result<usize, V::Error> {
        let i = plain_run(input, start);
        let chunk = *text.get_or_insert_with(|| valid_prefix(input));
        let mut first = first;
        let Some(&end) = input.get(i) else {
            // The chunk ends inside the string. A string's start that fits waits in `pending`
            // for its end, so the visitor gets short strings whole (one event, nothing to
            // join) whatever the chunking. Otherwise a long run of text goes out as it is
            // (no copy); a short one waits in `pending` for the next chunk, so a slow socket
            // does not mean an event per byte.
            let piece = chunk.get(start..i);
            if first && self.hold_start(piece, key) {
                return Ok(i);
            }
            match piece {
                Some(piece) if self.pending.is_empty() && piece.len() >= DIRECT_PIECE => {
                    str_fragment(v, key, piece, first, false)?;
                    first = false;
                }
                Some(piece) => self.push_text(v, key, &mut first, piece)?,
                None => {
                    let (piece, cut) = self.run_text(input, start, i, true)?;
                    self.push_text(v, key, &mut first, piece)?;
                    if let [a, rest @ ..] = cut {
                        // A character cut by the chunk's end (at most 3 of its bytes).
                        let mut bytes = [*a, 0, 0];
                        bytes[1..=rest.len()].copy_from_slice(rest);
                        self.state = State::Cut { key, first, bytes, len: cut.len() as u8 };
                        return Ok(i);
                    }
                }
            }
            self.state = State::Str { key, first };
            return Ok(i);
        };
        // Errors are reported in document order: invalid UTF-8 before the quote, backslash or
        // control byte comes first.
        let piece = match chunk.get(start..i) {
            Some(piece) => piece,
            None => self.run_text(input, start, i, false)?.0,
        };
        match end {
            b'"' => {
                if self.pending.is_empty() {
                    // The common case: the whole string is in this chunk; no copy.
                    str_fragment(v, key, piece, first, true)?;
                } else {
                    // The end of a string whose start waits in `pending`: joined, emitted once.
                    self.push_text(v, key, &mut first, piece)?;
                    self.emit_pending(v, key, &mut first, true)?;
                }
                return Ok(self.after_string(input, i + 1, key));
            }
            b'\\' => {
                self.push_text(v, key, &mut first, piece)?;
                self.state = State::Escape { key, first };
            }
            _ => return Err(self.fail(SyntaxErrorKind::ControlCharacter, i).into()),
        }
        Ok(i + 1)
    }

    /// The text of the string bytes `input[start..end]` that the chunk's valid prefix does not
    /// cover, and, when `at_end` allows it, the first bytes of a character that the chunk's end
    /// cut, apart. Invalid UTF-8 is an error at its first byte.
    #[inline(never)]
    fn run_text<'i>(
        &mut self,
        input: &'i [u8],
        start: usize,
        end: usize,
        at_end: bool,
    ) -> Result<(&'i str, &'i [u8]), SyntaxError> {
        let run = &input[start..end];
        match core::str::from_utf8(run) {
            Ok(text) => Ok((text, &[])),
            Err(e) if at_end && e.error_len().is_none() => {
                let (text, cut) = run.split_at(e.valid_up_to());
                Ok((core::str::from_utf8(text).unwrap_or_default(), cut))
            }
            Err(e) => Err(self.fail(SyntaxErrorKind::InvalidUtf8, start + e.valid_up_to())),
        }
    }

    /// The rest of a character that the previous chunk's end cut (its first `len` bytes are in
    /// `bytes`), from `input[i]`: joined to the pending text once whole, or kept for the next
    /// chunk. Returns where the string goes on.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn cut_char<V: Visitor>(
        &mut self,
        input: &[u8],
        mut i: usize,
        key: bool,
        first: bool,
        bytes: [u8; 3],
        len: u8,
        v: &mut V,
    ) -> Result<usize, V::Error> {
        let mut char_bytes = [bytes[0], bytes[1], bytes[2], 0];
        let width = match bytes[0] {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        let mut n = len as usize;
        while n < width && i < input.len() {
            char_bytes[n] = input[i];
            n += 1;
            i += 1;
        }
        match core::str::from_utf8(&char_bytes[..n]) {
            Ok(c) => {
                let mut first = first;
                self.push_text(v, key, &mut first, c)?;
                self.state = State::Str { key, first };
            }
            // Still cut: this chunk was too short to finish it.
            Err(e) if e.error_len().is_none() => {
                let bytes = [char_bytes[0], char_bytes[1], char_bytes[2]];
                self.state = State::Cut { key, first, bytes, len: n as u8 };
            }
            // The held bytes end the previous chunk, so the character starts `len` bytes
            // before this one.
            Err(_) => {
                let at = self.offset.wrapping_sub(len as usize);
                return Err(self.fail_at(SyntaxErrorKind::InvalidUtf8, at).into());
            }
        }
        Ok(i)
    }

    /// The state after a string ends at `input[i - 1]`, taking the separators that compact
    /// JSON puts right after it (`:` after a key, `,"` after a member's value) in
    /// one step; anything else is left to the general loop. Returns where to continue.
    #[inline]
    pub(super) fn after_string(&mut self, input: &[u8], mut i: usize, key: bool) -> usize {
        if key {
            self.state = State::Colon;
            if input.get(i) == Some(&b':') {
                i += 1;
                self.state = State::Value;
            }
            return i;
        }
        self.value_ended(input, i)
    }

    /// Appends checked text to the pending text. When it does not fit, the pending text goes
    /// out first, and text longer than the whole buffer goes out as it is (no copy).
    #[inline]
    fn push_text<V: Visitor>(
        &mut self,
        v: &mut V,
        key: bool,
        first: &mut bool,
        text: &str,
    ) -> Result<(), V::Error> {
        if self.pending.len() + text.len() > PENDING {
            self.emit_pending(v, key, first, false)?;
            if text.len() > PENDING {
                str_fragment(v, key, text, *first, false)?;
                *first = false;
                return Ok(());
            }
        }
        self.pending.push(text);
        Ok(())
    }

    /// Emits the pending text as a fragment (`last` ends the string; otherwise an empty one
    /// is not emitted).
    fn emit_pending<V: Visitor>(
        &mut self,
        v: &mut V,
        key: bool,
        first: &mut bool,
        last: bool,
    ) -> Result<(), V::Error> {
        if !self.pending.is_empty() || last {
            str_fragment(v, key, self.pending.as_str(), *first, last)?;
            *first = false;
        }
        self.pending.clear();
        Ok(())
    }

    pub(super) fn escape<V: Visitor>(
        &mut self,
        b: u8,
        i: usize,
        key: bool,
        first: bool,
        v: &mut V,
    ) -> Result<usize, V::Error> {
        let text = match b {
            b'"' => "\"",
            b'\\' => "\\",
            b'/' => "/",
            b'b' => "\u{8}",
            b'f' => "\u{c}",
            b'n' => "\n",
            b'r' => "\r",
            b't' => "\t",
            b'u' => {
                self.state = State::Hex { key, first, digits: 0, value: 0, high: 0 };
                return Ok(i + 1);
            }
            _ => return Err(self.fail(SyntaxErrorKind::InvalidEscape, i).into()),
        };
        let mut first = first;
        self.push_text(v, key, &mut first, text)?;
        self.state = State::Str { key, first };
        Ok(i + 1)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn hex<V: Visitor>(
        &mut self,
        b: u8,
        i: usize,
        key: bool,
        first: bool,
        digits: u8,
        value: u16,
        high: u16,
        v: &mut V,
    ) -> Result<usize, V::Error> {
        let Some(d) = hex_value(b) else {
            return Err(self.unexpected(i, b).into());
        };
        let value = value << 4 | d;
        if digits < 3 {
            self.state = State::Hex { key, first, digits: digits + 1, value, high };
            return Ok(i + 1);
        }
        let code = match (high, value) {
            (0, 0xD800..=0xDBFF) => {
                self.state = State::LowBackslash { key, first, high: value };
                return Ok(i + 1);
            }
            (0, 0xDC00..=0xDFFF) => {
                return Err(self.fail(SyntaxErrorKind::LoneSurrogate, i).into());
            }
            (0, c) => c as u32,
            (h, 0xDC00..=0xDFFF) => 0x10000 + (((h as u32) - 0xD800) << 10) + (value as u32 - 0xDC00),
            _ => return Err(self.fail(SyntaxErrorKind::LoneSurrogate, i).into()),
        };
        let Some(c) = char::from_u32(code) else {
            return Err(self.fail(SyntaxErrorKind::LoneSurrogate, i).into());
        };
        let mut buf = [0u8; 4];
        let mut first = first;
        self.push_text(v, key, &mut first, c.encode_utf8(&mut buf))?;
        self.state = State::Str { key, first };
        Ok(i + 1)
    }
}
