//! What went wrong in a JSON document, and where.

use core::fmt;

/// A JSON document was rejected: what was wrong and at which byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError {
    kind: SyntaxErrorKind,
    offset: usize,
}

impl SyntaxError {
    pub(crate) const fn new(kind: SyntaxErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What was wrong.
    pub const fn kind(&self) -> SyntaxErrorKind {
        self.kind
    }

    /// Offset of the offending byte from the start of the document (for an unexpected end,
    /// the document's length; for [`Aborted`](SyntaxErrorKind::Aborted), where the chunk in
    /// which the consumer stopped begins).
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

/// The ways a document can break RFC 8259 or the parser's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyntaxErrorKind {
    /// A byte the grammar does not allow here.
    Unexpected {
        /// The byte found.
        found: u8,
        /// What the grammar allows at this point.
        expected: Expected,
    },
    /// The input ended inside the document.
    UnexpectedEnd(Expected),
    /// Something other than whitespace follows the complete document.
    TrailingCharacters,
    /// A raw control byte (below 0x20) inside a string.
    ControlCharacter,
    /// A backslash followed by something other than `"\/bfnrtu`.
    InvalidEscape,
    /// A `\u` escape of a UTF-16 surrogate without its partner.
    LoneSurrogate,
    /// Bytes that are not UTF-8 inside a string.
    InvalidUtf8,
    /// Arrays and objects nest deeper than the parser's limit.
    TooDeep {
        /// The parser's `DEPTH`.
        limit: u32,
    },
    /// The consumer (the [`Visitor`](super::Visitor)) stopped the parse: its own error was
    /// returned at the time, and this one by every later call. The document may be valid.
    Aborted,
}

/// What the grammar allowed where a document went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expected {
    /// Any JSON value.
    Value,
    /// A value or `]`.
    ValueOrArrayEnd,
    /// A member name or `}`.
    KeyOrObjectEnd,
    /// A member name.
    Key,
    /// `:`.
    Colon,
    /// `,` or `}`.
    CommaOrObjectEnd,
    /// `,` or `]`.
    CommaOrArrayEnd,
    /// The closing quote of a string.
    StringEnd,
    /// An escape character after `\`.
    Escape,
    /// A hexadecimal digit of `\uXXXX`.
    HexDigit,
    /// The `\uXXXX` low surrogate that must follow a high one.
    LowSurrogate,
    /// A decimal digit of a number.
    Digit,
    /// The rest of `true`, `false` or `null`.
    Literal,
    /// Nothing (the document is complete).
    EndOfInput,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Value => "a value",
            Self::ValueOrArrayEnd => "a value or ']'",
            Self::KeyOrObjectEnd => "a member name or '}'",
            Self::Key => "a member name",
            Self::Colon => "':'",
            Self::CommaOrObjectEnd => "',' or '}'",
            Self::CommaOrArrayEnd => "',' or ']'",
            Self::StringEnd => "the end of the string",
            Self::Escape => "an escape character",
            Self::HexDigit => "a hex digit",
            Self::LowSurrogate => "a low surrogate escape",
            Self::Digit => "a digit",
            Self::Literal => "the rest of true, false or null",
            Self::EndOfInput => "the end of input",
        })
    }
}

impl fmt::Display for SyntaxErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unexpected { found, expected } => {
                if found.is_ascii_graphic() {
                    write!(f, "unexpected '{}', expected {expected}", *found as char)
                } else {
                    write!(f, "unexpected byte 0x{found:02x}, expected {expected}")
                }
            }
            Self::UnexpectedEnd(expected) => {
                write!(f, "unexpected end of input, expected {expected}")
            }
            Self::TrailingCharacters => f.write_str("trailing characters after the document"),
            Self::ControlCharacter => f.write_str("control character inside a string"),
            Self::InvalidEscape => f.write_str("invalid escape sequence"),
            Self::LoneSurrogate => f.write_str("unpaired UTF-16 surrogate in a \\u escape"),
            Self::InvalidUtf8 => f.write_str("invalid UTF-8 in a string"),
            Self::TooDeep { limit } => write!(f, "nesting deeper than {limit} levels"),
            Self::Aborted => f.write_str("parsing was stopped by an earlier error"),
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            SyntaxErrorKind::Aborted => write!(f, "{} (in the chunk from byte {})", self.kind, self.offset),
            kind => write!(f, "invalid JSON at byte {}: {kind}", self.offset),
        }
    }
}

impl core::error::Error for SyntaxError {}
