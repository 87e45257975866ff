//! Strings: plain runs found a word at a time, escapes, UTF-8 checked once per chunk or once
//! per fragment, and the pending bytes that join the pieces of a string cut by chunk ends.

use super::{Event, Fragment, Parser, State, SyntaxError, SyntaxErrorKind, Visitor};

/// Bytes of a string waiting to be emitted (a plain array: heapless 0.9 copies slices byte
/// by byte).
#[derive(Debug, Clone)]
pub(super) struct Pending {
    bytes: [u8; PENDING],
    len: u8,
}

impl Pending {
    pub(super) const fn new() -> Self {
        Self { bytes: [0; PENDING], len: 0 }
    }

    pub(super) const fn len(&self) -> usize {
        self.len as usize
    }

    pub(super) const fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(super) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// Whether the bytes end with a whole character (or there are none): then ASCII may
    /// follow without a UTF-8 check.
    #[inline]
    pub(super) fn ends_whole(&self) -> bool {
        self.as_slice().last().is_none_or(|&b| b < 0x80)
    }

    /// Appends `bytes`, which the caller made sure fit.
    #[inline]
    pub(super) fn push(&mut self, bytes: &[u8]) {
        let len = self.len as usize;
        let end = (len + bytes.len()).min(PENDING);
        self.bytes[len..end].copy_from_slice(&bytes[..end - len]);
        self.len = end as u8;
    }

    /// Appends one byte, which the caller made sure fits.
    #[inline]
    pub(super) fn push_byte(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len as usize) {
            *slot = byte;
            self.len += 1;
        }
    }

    pub(super) fn clear(&mut self) {
        self.len = 0;
    }
}

/// A run of string text at a chunk's end at least this long is emitted directly, not copied.
pub(super) const DIRECT_PIECE: usize = 4;

/// Capacity of the pending-piece buffer (bytes): every key of the run object but one
/// (`PROXY_RESIDENTIAL_TRANSFER_GBYTES`), every id and every enum name of the run object fit,
/// so they reach the decoder whole whatever the chunking (one error type,
/// `full-permission-actor-not-approved`, does not). The decoder's RAM budget has no room for
/// more.
pub(super) const PENDING: usize = 32;

/// Bytes that may continue a string without special handling: printable ASCII other than `"`
/// and `\`, and every non-ASCII byte (validated as UTF-8 per run).
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
    /// A small chunk inside a string: plain ASCII text joins the pending bytes, and a closing
    /// quote at the chunk's end emits them, without the general loop (a slow socket's byte or
    /// few). Returns false, having done nothing, when the chunk needs the general path
    /// (escapes, non-ASCII, a pending cut character, more after the quote, or more text than
    /// the pending buffer has room for).
    #[inline]
    pub(super) fn small_string<V: Visitor>(
        &mut self,
        input: &[u8],
        key: bool,
        first: bool,
        v: &mut V,
    ) -> Result<bool, V::Error> {
        // ASCII after the first bytes of a character is an error the general path reports.
        if !self.pending.ends_whole() {
            return Ok(false);
        }
        let closed = match *input {
            // A byte at a time is the common small chunk: no loop.
            [b] if b < 0x80 && PLAIN[b as usize] && self.pending.len() < PENDING => {
                self.mark_raw_start(self.offset);
                self.pending.push_byte(b);
                return Ok(true);
            }
            [b'"'] => true,
            [.., b'"'] if self.plain_fits(&input[..input.len() - 1]) => true,
            _ if self.plain_fits(input) => false,
            _ => return Ok(false),
        };
        let text = &input[..input.len() - closed as usize];
        // A lone closing quote, the usual case, has nothing to copy.
        if !text.is_empty() {
            self.mark_raw_start(self.offset);
            self.pending.push(text);
        }
        if closed {
            let mut first = first;
            self.emit_pending(v, key, &mut first, true)?;
            self.state = if key { State::Colon } else { self.after_value() };
        }
        Ok(true)
    }

    /// Keeps the start of a string that runs to the chunk's end (from `input[start]`) in the
    /// pending bytes when it fits and is ASCII, so the string can be emitted whole once its
    /// end arrives. False, having done nothing, otherwise.
    #[inline]
    pub(super) fn hold_start(&mut self, input: &[u8], start: usize, key: bool) -> bool {
        let run = &input[start..];
        if !(self.pending.is_empty() && run.len() <= PENDING && run.is_ascii()) {
            return false;
        }
        self.raw_offset = self.at(start);
        self.pending.push(run);
        self.state = State::Str { key, first: true };
        true
    }

    /// Records `offset` as where the unchecked raw bytes start in the document, when the bytes
    /// about to be appended are the first of them.
    #[inline]
    fn mark_raw_start(&mut self, offset: usize) {
        if self.raw_from as usize == self.pending.len() {
            self.raw_offset = offset;
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
        let run = &input[start..i];
        let mut first = first;
        let Some(&end) = input.get(i) else {
            // The chunk ends inside the string. A string's start that fits waits in `pending`
            // for its end, so the visitor gets short strings whole (one event, nothing to
            // join) whatever the chunking. Otherwise a long run of checked text goes out as
            // it is (no copy); a short one, or one that ends inside a character, waits in
            // `pending` for the next chunk, so a slow socket does not mean an event per byte.
            if first && self.hold_start(input, start, key) {
                return Ok(i);
            }
            let chunk = *text.get_or_insert_with(|| valid_prefix(input));
            match chunk.get(start..i) {
                Some(piece) if self.pending.is_empty() && piece.len() >= DIRECT_PIECE => {
                    str_fragment(v, key, piece, first, false)?;
                    first = false;
                }
                _ => self.push_raw(v, key, &mut first, run, self.at(start))?,
            }
            self.state = State::Str { key, first };
            return Ok(i);
        };
        match end {
            b'"' => {
                if self.pending.is_empty() {
                    // The common case: the whole string is in this chunk; no copy.
                    let chunk = *text.get_or_insert_with(|| valid_prefix(input));
                    let whole = match chunk.get(start..i) {
                        Some(whole) => whole,
                        None => core::str::from_utf8(run)
                            .map_err(|e| self.fail(SyntaxErrorKind::InvalidUtf8, start + e.valid_up_to()))?,
                    };
                    str_fragment(v, key, whole, first, true)?;
                } else {
                    // The end of a string whose start waits in `pending`: joined, emitted once.
                    self.push_raw(v, key, &mut first, run, self.at(start))?;
                    self.emit_pending(v, key, &mut first, true)?;
                }
                return Ok(self.after_string(input, i + 1, key));
            }
            b'\\' => {
                self.push_raw(v, key, &mut first, run, self.at(start))?;
                // A character cut before the backslash is invalid.
                self.check_raw(false)?;
                self.state = State::Escape { key, first };
            }
            _ => {
                // Errors are reported in document order: invalid UTF-8 before the control
                // byte wins, whether or not earlier chunks already showed it.
                if self.pending.is_empty() {
                    if let Err(e) = core::str::from_utf8(run) {
                        return Err(self.fail(SyntaxErrorKind::InvalidUtf8, start + e.valid_up_to()).into());
                    }
                } else {
                    self.push_raw(v, key, &mut first, run, self.at(start))?;
                    self.check_raw(false)?;
                }
                return Err(self.fail(SyntaxErrorKind::ControlCharacter, i).into());
            }
        }
        Ok(i + 1)
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

    /// Appends raw string bytes that start at document offset `offset`; when the buffer
    /// fills, emits what is complete and keeps a cut character's first bytes.
    #[inline]
    fn push_raw<V: Visitor>(
        &mut self,
        v: &mut V,
        key: bool,
        first: &mut bool,
        bytes: &[u8],
        offset: usize,
    ) -> Result<(), V::Error> {
        // The usual case, ASCII that fits after whole characters: nothing to check or emit.
        if self.pending.len() + bytes.len() <= PENDING && bytes.is_ascii() && self.pending.ends_whole() {
            self.mark_raw_start(offset);
            self.pending.push(bytes);
            return Ok(());
        }
        self.push_raw_checked(v, key, first, bytes, offset)
    }

    /// [`push_raw`](Self::push_raw) for bytes that need a UTF-8 check or more room.
    #[inline(never)]
    fn push_raw_checked<V: Visitor>(
        &mut self,
        v: &mut V,
        key: bool,
        first: &mut bool,
        mut bytes: &[u8],
        mut offset: usize,
    ) -> Result<(), V::Error> {
        while !bytes.is_empty() {
            if self.pending.len() == PENDING {
                self.emit_pending(v, key, first, false)?;
            }
            self.mark_raw_start(offset);
            let n = (PENDING - self.pending.len()).min(bytes.len());
            // Fits: `n` is at most the room left.
            let whole_chars = self.pending.ends_whole();
            self.pending.push(&bytes[..n]);
            // Checked as they arrive, so an invalid byte is reported at once, as a one-shot
            // parse reports it, and not after a later error in the same string (ASCII after
            // whole characters needs no check).
            if !(whole_chars && bytes[..n].is_ascii()) {
                self.check_raw(true)?;
            }
            bytes = &bytes[n..];
            offset = offset.wrapping_add(n);
        }
        Ok(())
    }

    /// Checks the unchecked raw bytes; `cut_allowed` accepts a character that the end of the
    /// chunk cut (its first bytes end the buffer).
    fn check_raw<E: From<SyntaxError>>(&mut self, cut_allowed: bool) -> Result<(), E> {
        let raw = &self.pending.as_slice()[self.raw_from as usize..];
        match core::str::from_utf8(raw) {
            Ok(_) => Ok(()),
            Err(e) if cut_allowed && e.error_len().is_none() => Ok(()),
            Err(e) => {
                let at = self.raw_offset.wrapping_add(e.valid_up_to());
                Err(self.fail_at(SyntaxErrorKind::InvalidUtf8, at).into())
            }
        }
    }

    /// Appends a decoded escape. Raw bytes before it must be whole characters by now.
    fn push_piece<V: Visitor>(
        &mut self,
        v: &mut V,
        key: bool,
        first: &mut bool,
        piece: &str,
    ) -> Result<(), V::Error> {
        self.check_raw(false)?;
        if self.pending.len() + piece.len() > PENDING {
            self.emit_pending(v, key, first, false)?;
        }
        // Fits: a piece is at most 4 bytes and the buffer has room for it now.
        self.pending.push(piece.as_bytes());
        self.raw_from = self.pending.len() as u8;
        Ok(())
    }

    /// Emits the pending bytes as a fragment (`last` ends the string). Unless `last`, the
    /// first bytes of a character cut at the end stay pending for the next chunk.
    fn emit_pending<V: Visitor>(
        &mut self,
        v: &mut V,
        key: bool,
        first: &mut bool,
        last: bool,
    ) -> Result<(), V::Error> {
        // One validation gives both the text to emit and where a cut character starts.
        let (valid, complete) = match core::str::from_utf8(self.pending.as_slice()) {
            Ok(text) => {
                if !text.is_empty() || last {
                    str_fragment(v, key, text, *first, last)?;
                    *first = false;
                }
                (self.pending.len(), true)
            }
            Err(e) if e.error_len().is_none() && !last => {
                let valid = e.valid_up_to();
                if valid > 0 {
                    let text = core::str::from_utf8(&self.pending.as_slice()[..valid]).unwrap_or_default();
                    str_fragment(v, key, text, *first, false)?;
                    *first = false;
                }
                (valid, false)
            }
            Err(e) => {
                // Decoded escapes are whole characters, so the error is in the raw bytes.
                let at = self
                    .raw_offset
                    .wrapping_add(e.valid_up_to() - (self.raw_from as usize).min(e.valid_up_to()));
                return Err(self.fail_at(SyntaxErrorKind::InvalidUtf8, at).into());
            }
        };
        if complete {
            self.pending.clear();
            self.raw_from = 0;
        } else {
            // Keep the cut character (at most 3 bytes) at the front.
            let tail_len = self.pending.len() - valid;
            let mut tail = [0u8; 4];
            tail[..tail_len].copy_from_slice(&self.pending.as_slice()[valid..]);
            self.raw_offset = self.raw_offset.wrapping_add(valid - (self.raw_from as usize).min(valid));
            self.pending.clear();
            self.pending.push(&tail[..tail_len]);
            self.raw_from = 0;
        }
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
        self.push_piece(v, key, &mut first, text)?;
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
        self.push_piece(v, key, &mut first, c.encode_utf8(&mut buf))?;
        self.state = State::Str { key, first };
        Ok(i + 1)
    }
}
