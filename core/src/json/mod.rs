//! An incremental, zero-allocation JSON push parser (strict RFC 8259).
//!
//! [`Parser::feed`] takes the document in chunks of any size, from a receive buffer that the
//! caller reuses, and calls a [`Visitor`] with one [`Event`] per token as soon as the token is
//! known. Strings and keys arrive as one or more [`Fragment`]s: a fragment never outlives the
//! chunk it came from, so nothing the size of the document, or even of one string, is held.
//! [`Parser::finish`] is called at end of input and says whether the document was whole.
//!
//! The parser's state is a fixed [`Parser::<DEPTH>`](Parser) value (about `88 + DEPTH` bytes
//! on a 32-bit target); nesting deeper than `DEPTH` is an error, never a stack overflow,
//! because nothing recurses.
//! Any split of the same bytes into chunks gives the same events, except that a string may be
//! cut into more fragments (the text they spell is identical). A string whose text is at most
//! 32 bytes (ids, keys, enum names), escapes decoded, always arrives whole, in one fragment.
//!
//! ```
//! use apify_core::json::{Event, Parser, SyntaxError, Visitor};
//!
//! /// Counts the values in a document.
//! struct Count(usize);
//! impl Visitor for Count {
//!     type Error = SyntaxError;
//!     fn event(&mut self, event: Event<'_>) -> Result<(), SyntaxError> {
//!         match event {
//!             Event::Str(f) if !f.last => {}
//!             Event::Str(_) | Event::Number(_) | Event::Bool(_) | Event::Null => self.0 += 1,
//!             _ => {}
//!         }
//!         Ok(())
//!     }
//! }
//!
//! let mut parser = Parser::<8>::new();
//! let mut count = Count(0);
//! for chunk in [&b"{\"a\": [1, tr"[..], b"ue, \"x\\u00e9", b"y\"]}"] {
//!     parser.feed(chunk, &mut count)?;
//! }
//! parser.finish(&mut count)?;
//! assert_eq!(count.0, 3);
//! # Ok::<(), SyntaxError>(())
//! ```

mod error;
mod members;
mod number;
mod select;
mod strings;

pub use error::{Expected, SyntaxError, SyntaxErrorKind};
pub use number::Number;
pub(crate) use number::NumberAccumulator;
pub use select::Select;
use strings::Pending;

use crate::Status;

/// Default nesting limit of [`Parser`]: enough for every document of the Apify API.
pub const DEFAULT_DEPTH: usize = 32;

/// A piece of a string or key. A string is delivered as one or more fragments in order;
/// `first` marks the first and `last` the final one (both for a string that arrives whole).
/// Escapes are already decoded, so the fragments spell the string's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment<'a> {
    /// The decoded text of this piece (may be empty on the final fragment).
    pub text: &'a str,
    /// Whether this is the first fragment of the string.
    pub first: bool,
    /// Whether this is the final fragment of the string.
    pub last: bool,
}

impl<'a> Fragment<'a> {
    /// The whole string, when it arrived in one piece.
    pub fn whole(&self) -> Option<&'a str> {
        (self.first && self.last).then_some(self.text)
    }
}

/// One token of the document, in document order.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// `{`
    ObjectStart,
    /// `}`
    ObjectEnd,
    /// `[`
    ArrayStart,
    /// `]`
    ArrayEnd,
    /// A piece of an object member's name.
    Key(Fragment<'a>),
    /// A piece of a string value.
    Str(Fragment<'a>),
    /// A number, held exactly (see [`Number`]).
    Number(Number),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// Receives the events of a document.
///
/// Return an error to stop parsing: [`Parser::feed`] then returns it and the parser refuses
/// further input. The error type must take the parser's own [`SyntaxError`].
///
/// A string's first fragments can arrive before the parser has seen the rest of it, and how
/// early depends on the chunking. For a result that does not depend on the chunking, refuse a
/// string on its last fragment (as the run decoder does): a syntax error later in the string
/// then still comes first, as it does when the whole string is in one chunk.
pub trait Visitor {
    /// What parsing returns on failure.
    type Error: From<SyntaxError>;

    /// Called once per event, in document order.
    fn event(&mut self, event: Event<'_>) -> Result<(), Self::Error>;
}

/// A visitor that ignores every event: with it the parser is a validator.
///
/// ```
/// use apify_core::json::{Parser, Validate};
///
/// let mut parser = Parser::<4>::new();
/// assert!(parser.feed(br#"{"a": [1, 2"#, &mut Validate).is_ok());
/// assert!(parser.feed(b"}", &mut Validate).is_err());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Validate;

impl Visitor for Validate {
    type Error = SyntaxError;

    #[inline]
    fn event(&mut self, _: Event<'_>) -> Result<(), SyntaxError> {
        Ok(())
    }
}

impl<V: Visitor + ?Sized> Visitor for &mut V {
    type Error = V::Error;

    #[inline]
    fn event(&mut self, event: Event<'_>) -> Result<(), V::Error> {
        (**self).event(event)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Object,
    Array,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Literal {
    True,
    False,
    Null,
}

impl Literal {
    const fn text(self) -> &'static [u8] {
        match self {
            Self::True => b"true",
            Self::False => b"false",
            Self::Null => b"null",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A value must come next (document start, after `:`, after `,` in an array).
    Value,
    /// After `[`: a value or `]`.
    ArrayFirst,
    /// After `{`: a key or `}`.
    ObjectFirst,
    /// After `,` in an object: a key.
    Key,
    /// After a key: `:`.
    Colon,
    /// After a value inside a container: `,` or the closing bracket.
    AfterValue,
    /// The top-level value is complete: only whitespace may follow.
    Done,
    /// Inside a string; `first` is true until a fragment has been emitted.
    Str {
        key: bool,
        first: bool,
    },
    /// After a backslash.
    Escape {
        key: bool,
        first: bool,
    },
    /// Reading the hex digits of `\uXXXX` (`digits` read so far, `high` a pending surrogate).
    Hex {
        key: bool,
        first: bool,
        digits: u8,
        value: u16,
        high: u16,
    },
    /// After a high surrogate: `\` then `u` of the low one must follow.
    LowBackslash {
        key: bool,
        first: bool,
        high: u16,
    },
    LowU {
        key: bool,
        first: bool,
        high: u16,
    },
    /// Inside a multi-byte character that a chunk's end cut: its first `len` bytes.
    Cut {
        key: bool,
        first: bool,
        bytes: [u8; 3],
        len: u8,
    },
    Number,
    Literal {
        which: Literal,
        matched: u8,
    },
    /// A previous call failed; every later call fails the same way.
    Failed,
}

/// The incremental JSON parser; `DEPTH` bounds the nesting of arrays and objects.
///
/// Size: `DEPTH` bytes of container stack plus 88 bytes of state on a 32-bit target (104 in
/// all with `DEPTH` 16), 36 of them for the text of a string cut by a chunk boundary.
#[derive(Debug, Clone)]
pub struct Parser<const DEPTH: usize = DEFAULT_DEPTH> {
    state: State,
    depth: usize,
    stack: [Container; DEPTH],
    /// Bytes consumed by earlier calls, for error offsets.
    offset: usize,
    number: NumberAccumulator,
    /// Text of the current string not emitted yet: decoded escapes, and text at the end of a
    /// chunk. Joining it here means a string fed in small chunks (or with escapes) reaches
    /// the visitor in a few fragments, not one per piece.
    pending: Pending,
    /// The error that failed the parse, when `error_set` (kept apart from an `Option`, whose
    /// `None` is not zero bits: a new parser is all zeros, so a `static` lands in `.bss`).
    error: SyntaxError,
    error_set: bool,
}

/// A placeholder with all zero bits, never reported.
pub(crate) const NO_ERROR: SyntaxError =
    SyntaxError::new(SyntaxErrorKind::Unexpected { found: 0, expected: Expected::Value }, 0);

impl<const DEPTH: usize> Default for Parser<DEPTH> {
    fn default() -> Self {
        Self::new()
    }
}

#[inline]
const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl<const DEPTH: usize> Parser<DEPTH> {
    /// A parser at the start of a document.
    pub const fn new() -> Self {
        Self {
            state: State::Value,
            depth: 0,
            stack: [Container::Object; DEPTH],
            offset: 0,
            number: NumberAccumulator::new(),
            pending: Pending::new(),
            error: NO_ERROR,
            error_set: false,
        }
    }

    /// Total bytes consumed so far. Offsets, error offsets included, count modulo the address
    /// space: past `usize::MAX` bytes (4 GiB on 32-bit targets) they wrap, and never panic.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The document offset of byte `i` of the current chunk.
    #[inline]
    const fn at(&self, i: usize) -> usize {
        self.offset.wrapping_add(i)
    }

    /// Whether the top-level value is complete (more input may only be whitespace).
    pub const fn is_complete(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Current nesting depth (0 outside any array or object).
    pub const fn depth(&self) -> usize {
        self.depth
    }

    /// Parses the next chunk; the whole chunk is always consumed.
    ///
    /// Returns [`Status::Complete`] once the top-level value has ended (later chunks may only
    /// hold whitespace) and [`Status::Partial`] before. Errors (syntax, or the visitor's) are
    /// final: every later call returns an error too.
    pub fn feed<V: Visitor>(&mut self, input: &[u8], v: &mut V) -> Result<Status, V::Error> {
        // `run` leaves the offset alone; setting it from `start` on both paths below still
        // measured 4% fewer instructions byte by byte (`scripts/instructions`).
        let start = self.offset;
        let result = 'parse: {
            // Small chunks inside a string (a slow socket's byte or few) skip the general loop.
            if let State::Str { key, first } = self.state {
                match self.small_string(input, key, first, v) {
                    Ok(true) => break 'parse Ok(()),
                    Ok(false) => {}
                    Err(e) => break 'parse Err(e),
                }
            }
            // One call site, so that the general loop is inlined once. A failed parser is in
            // none of the states above; `run` returns its error.
            self.run(input, v)
        };
        match result {
            Ok(()) => {
                self.offset = start.wrapping_add(input.len());
                Ok(if self.is_complete() { Status::Complete } else { Status::Partial })
            }
            Err(e) => {
                self.offset = start;
                if !self.error_set {
                    self.error = SyntaxError::new(SyntaxErrorKind::Aborted, self.offset);
                    self.error_set = true;
                }
                self.state = State::Failed;
                Err(e)
            }
        }
    }

    /// Ends the input: emits a pending top-level number and checks the document is whole.
    pub fn finish<V: Visitor>(&mut self, v: &mut V) -> Result<(), V::Error> {
        let result = match self.state {
            State::Done => Ok(()),
            State::Failed => return Err(self.failure().into()),
            State::Number if self.depth == 0 && self.number.is_complete() => {
                self.state = State::Done;
                match self.number.finish() {
                    Some(n) => v.event(Event::Number(n)),
                    None => Err(self.fail_end().into()),
                }
            }
            _ => Err(self.fail_end().into()),
        };
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    /// The error that put the parser in [`State::Failed`].
    fn failure(&self) -> SyntaxError {
        if self.error_set { self.error } else { SyntaxError::new(SyntaxErrorKind::Aborted, self.offset) }
    }

    fn fail_end(&mut self) -> SyntaxError {
        let e = SyntaxError::new(SyntaxErrorKind::UnexpectedEnd(self.expected()), self.offset);
        self.error = e;
        self.error_set = true;
        e
    }

    fn fail(&mut self, kind: SyntaxErrorKind, at: usize) -> SyntaxError {
        self.fail_at(kind, self.at(at))
    }

    /// Fails at an absolute document offset (for bytes kept from earlier chunks).
    fn fail_at(&mut self, kind: SyntaxErrorKind, offset: usize) -> SyntaxError {
        let e = SyntaxError::new(kind, offset);
        self.error = e;
        self.error_set = true;
        e
    }

    fn unexpected(&mut self, at: usize, byte: u8) -> SyntaxError {
        let kind = SyntaxErrorKind::Unexpected { found: byte, expected: self.expected() };
        self.fail(kind, at)
    }

    /// What the grammar allows at the current point, for error messages.
    fn expected(&self) -> Expected {
        match self.state {
            State::Value => Expected::Value,
            State::ArrayFirst => Expected::ValueOrArrayEnd,
            State::ObjectFirst => Expected::KeyOrObjectEnd,
            State::Key => Expected::Key,
            State::Colon => Expected::Colon,
            State::AfterValue => match self.stack[self.depth - 1] {
                Container::Object => Expected::CommaOrObjectEnd,
                Container::Array => Expected::CommaOrArrayEnd,
            },
            State::Done | State::Failed => Expected::EndOfInput,
            State::Str { .. } | State::Cut { .. } => Expected::StringEnd,
            State::Escape { .. } => Expected::Escape,
            State::Hex { .. } => Expected::HexDigit,
            State::LowBackslash { .. } | State::LowU { .. } => Expected::LowSurrogate,
            State::Number if self.number.wants_digit() => Expected::Digit,
            State::Number => match self.depth {
                0 => Expected::EndOfInput,
                d => match self.stack[d - 1] {
                    Container::Object => Expected::CommaOrObjectEnd,
                    Container::Array => Expected::CommaOrArrayEnd,
                },
            },
            State::Literal { .. } => Expected::Literal,
        }
    }

    /// The state after a value ends.
    #[inline]
    fn after_value(&self) -> State {
        if self.depth == 0 { State::Done } else { State::AfterValue }
    }

    fn push(&mut self, c: Container, at: usize) -> Result<(), SyntaxError> {
        if self.depth == DEPTH {
            return Err(self.fail(SyntaxErrorKind::TooDeep { limit: DEPTH as u32 }, at));
        }
        self.stack[self.depth] = c;
        self.depth += 1;
        Ok(())
    }

    fn run<V: Visitor>(&mut self, input: &[u8], v: &mut V) -> Result<(), V::Error> {
        // Also for an empty chunk: every call after an error returns it.
        if matches!(self.state, State::Failed) {
            return Err(self.failure().into());
        }
        // The chunk's valid UTF-8 prefix, computed on first need: strings that lie whole in
        // the chunk are slices of it, so a large chunk is validated once, not per string.
        let mut text: Option<&str> = None;
        let mut i = 0;
        while i < input.len() {
            match self.state {
                // At a value the fast path takes, after a key that the general path read
                // (a chunk boundary cut it).
                State::Value
                    if input.len() - i >= 16 && matches!(input[i], b'"' | b'{' | b'-' | b'0'..=b'9') =>
                {
                    i = self.members(input, &mut text, i, true, v)?;
                }
                State::Value
                | State::ArrayFirst
                | State::ObjectFirst
                | State::Key
                | State::Colon
                | State::AfterValue
                | State::Done => {
                    // Structural positions: skip whitespace, then one token.
                    while i < input.len() && is_ws(input[i]) {
                        i += 1;
                    }
                    if i == input.len() {
                        break;
                    }
                    i = self.structural(input, i, v)?;
                }
                // At the start of a key: the members of compact objects, in one tight loop.
                State::Str { key: true, first: true } if self.pending.is_empty() && input.len() - i >= 16 => {
                    i = self.members(input, &mut text, i, false, v)?;
                }
                State::Str { key, first } => i = self.string(input, &mut text, i, key, first, v)?,
                State::Escape { key, first } => i = self.escape(input[i], i, key, first, v)?,
                // At a chunk's start only: the state is entered at a chunk's end.
                State::Cut { key, first, bytes, len } => {
                    i = self.cut_char(input, i, key, first, bytes, len, v)?;
                }
                State::Hex { key, first, digits, value, high } => {
                    i = self.hex(input[i], i, key, first, digits, value, high, v)?;
                }
                State::LowBackslash { key, first, high } => {
                    if input[i] != b'\\' {
                        return Err(self.fail(SyntaxErrorKind::LoneSurrogate, i).into());
                    }
                    self.state = State::LowU { key, first, high };
                    i += 1;
                }
                State::LowU { key, first, high } => {
                    if input[i] != b'u' {
                        return Err(self.fail(SyntaxErrorKind::LoneSurrogate, i).into());
                    }
                    self.state = State::Hex { key, first, digits: 0, value: 0, high };
                    i += 1;
                }
                State::Number => {
                    i = self.number.scan(input, i);
                    if i < input.len() {
                        // The byte does not continue the number: it ends it, or it is an error.
                        if !self.number.is_complete() {
                            return Err(self.unexpected(i, input[i]).into());
                        }
                        if let Some(n) = self.number.finish() {
                            v.event(Event::Number(n))?;
                        }
                        i = self.value_ended(input, i);
                    }
                }
                State::Literal { which, matched } => {
                    let text = which.text();
                    let mut m = matched as usize;
                    while m < text.len() && i < input.len() {
                        if input[i] != text[m] {
                            return Err(self.unexpected(i, input[i]).into());
                        }
                        m += 1;
                        i += 1;
                    }
                    if m == text.len() {
                        v.event(match which {
                            Literal::True => Event::Bool(true),
                            Literal::False => Event::Bool(false),
                            Literal::Null => Event::Null,
                        })?;
                        self.state = self.after_value();
                    } else {
                        self.state = State::Literal { which, matched: m as u8 };
                    }
                }
                State::Failed => return Err(self.failure().into()),
            }
        }
        Ok(())
    }

    /// One token at a structural position; `input[i]` is not whitespace.
    #[inline]
    fn structural<V: Visitor>(&mut self, input: &[u8], i: usize, v: &mut V) -> Result<usize, V::Error> {
        let b = input[i];
        match (self.state, b) {
            (State::Value, _) => self.value_start(input, i, v),
            (State::ArrayFirst, b']') => self.close(input, Container::Array, i, v),
            (State::ArrayFirst, _) => self.value_start(input, i, v),
            (State::ObjectFirst, b'}') => self.close(input, Container::Object, i, v),
            (State::ObjectFirst | State::Key, b'"') => {
                self.state = State::Str { key: true, first: true };
                Ok(i + 1)
            }
            (State::Colon, b':') => {
                self.state = State::Value;
                Ok(i + 1)
            }
            (State::AfterValue, b',') => {
                self.state = match self.stack[self.depth - 1] {
                    Container::Object => State::Key,
                    Container::Array => State::Value,
                };
                Ok(i + 1)
            }
            (State::AfterValue, b'}') => self.close(input, Container::Object, i, v),
            (State::AfterValue, b']') => self.close(input, Container::Array, i, v),
            (State::Done, _) => Err(self.fail(SyntaxErrorKind::TrailingCharacters, i).into()),
            _ => Err(self.unexpected(i, b).into()),
        }
    }

    #[inline]
    fn close<V: Visitor>(
        &mut self,
        input: &[u8],
        c: Container,
        i: usize,
        v: &mut V,
    ) -> Result<usize, V::Error> {
        if self.stack[self.depth - 1] != c {
            return Err(self.unexpected(i, if c == Container::Object { b'}' } else { b']' }).into());
        }
        self.depth -= 1;
        v.event(if c == Container::Object { Event::ObjectEnd } else { Event::ArrayEnd })?;
        Ok(self.value_ended(input, i + 1))
    }

    #[inline]
    fn value_start<V: Visitor>(&mut self, input: &[u8], i: usize, v: &mut V) -> Result<usize, V::Error> {
        let b = input[i];
        match b {
            b'"' => self.state = State::Str { key: false, first: true },
            b'{' => {
                self.push(Container::Object, i)?;
                self.state = State::ObjectFirst;
                v.event(Event::ObjectStart)?;
            }
            b'[' => {
                self.push(Container::Array, i)?;
                self.state = State::ArrayFirst;
                v.event(Event::ArrayStart)?;
            }
            b'-' | b'0'..=b'9' => {
                if let Some((n, end)) = Number::read_simple(input, i) {
                    v.event(Event::Number(n))?;
                    return Ok(self.value_ended(input, end));
                }
                self.number = NumberAccumulator::new();
                self.number.push(b);
                self.state = State::Number;
            }
            b't' => self.state = State::Literal { which: Literal::True, matched: 1 },
            b'f' => self.state = State::Literal { which: Literal::False, matched: 1 },
            b'n' => self.state = State::Literal { which: Literal::Null, matched: 1 },
            _ => return Err(self.unexpected(i, b).into()),
        }
        Ok(i + 1)
    }

    /// The state after a value that ended at `input[i - 1]`, taking `,"` (the next member's
    /// key) in the same step when it follows in an object.
    #[inline]
    fn value_ended(&mut self, input: &[u8], mut i: usize) -> usize {
        self.state = self.after_value();
        if matches!(self.state, State::AfterValue)
            && input.get(i) == Some(&b',')
            && self.stack[self.depth - 1] == Container::Object
        {
            i += 1;
            self.state = State::Key;
            if input.get(i) == Some(&b'"') {
                i += 1;
                self.state = State::Str { key: true, first: true };
            }
        }
        i
    }
}

#[cfg(test)]
mod tests;
