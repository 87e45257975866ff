//! Decoding response bodies: `{"data": Run}` and `{"error": {...}}`, chunk by chunk.
//!
//! [`ResponseDecoder`] couples the [`json::Parser`](crate::json::Parser) with field dispatch
//! into the [`model`](crate::model): each value is stored as it arrives, so neither the body
//! nor any string is ever held whole outside its field. The state is one fixed value (see
//! [`ResponseDecoder`] for its size); nothing is allocated and nothing recurses.
//!
//! Any chunking gives the same result, but not at the same cost: each call dispatches on the
//! parser's state, and each chunk boundary inside a string costs a copy. On x86-64 the
//! 1,929-byte run body of the benchmarks decodes in about 1.4 µs whole, 2.0 µs in 64-byte
//! chunks and 4.7 µs a byte at a time (the README's "Benchmarks"). Hand over whatever the
//! socket has delivered, not one byte per call, where the driver allows it.

mod fields;

use core::fmt;

use fields::{Body, Fields};

use crate::Status;
use crate::json::{Event, Parser, SyntaxError, Visitor};
use crate::model::{ApiError, Run};

pub use crate::model::FieldPath;

/// A JSON value's type, as found in a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// `{…}`
    Object,
    /// `[…]`
    Array,
    /// `"…"`
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Object => "an object",
            Self::Array => "an array",
            Self::String => "a string",
            Self::Number => "a number",
            Self::Bool => "a boolean",
            Self::Null => "null",
        })
    }
}

/// Why a body could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The body is not valid JSON.
    Json(SyntaxError),
    /// A known field holds a value of another type.
    UnexpectedType {
        /// The field.
        field: FieldPath,
        /// What the field holds.
        expected: &'static str,
        /// What the body held.
        found: JsonKind,
    },
    /// The body is a JSON object with no `data` object and no `error` object in it (a
    /// `"data": null` is none).
    NoDataOrError,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(e) => fmt::Display::fmt(e, f),
            Self::UnexpectedType { field, expected, found } => {
                write!(f, "`{field}` should be {expected}, found {found}")
            }
            Self::NoDataOrError => f.write_str("the body has no `data` or `error` object"),
        }
    }
}

impl core::error::Error for DecodeError {}

/// A decoded body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// `{"data": …}`: a run.
    Run(&'a Run),
    /// `{"error": …}`: an API error.
    Error(ApiError<'a>),
}

/// Decodes a response body into a [`Run`] or an [`ApiError`], fed in chunks of any size.
///
/// Size: at most [`RAM_BUDGET`] bytes with the default `DEPTH` on 32-bit targets (checked at
/// compile time): the run model plus parser and dispatch state. `DEPTH`
/// bounds nesting in the skipped parts of the body.
///
/// ```
/// use apify_core::decode::{Decoded, ResponseDecoder};
/// use apify_core::model::RunStatus;
///
/// let body = br#"{"data":{"id":"HG7ML7M8z78YcAPEB","status":"RUNNING","stats":{"memAvgBytes":35914228.4}}}"#;
/// let mut decoder = ResponseDecoder::<16>::new();
/// for chunk in body.chunks(7) {
///     decoder.feed(chunk)?;
/// }
/// let Decoded::Run(run) = decoder.finish()? else { panic!("not a run") };
/// assert_eq!(run.id().unwrap().as_str(), "HG7ML7M8z78YcAPEB");
/// assert_eq!(run.status(), Some(RunStatus::Running));
/// assert_eq!(run.stats().mem_avg_bytes().unwrap().to_string(), "35914228.4");
/// # Ok::<(), apify_core::decode::DecodeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ResponseDecoder<const DEPTH: usize = RESPONSE_DEPTH> {
    parser: Parser<DEPTH>,
    fields: Fields,
}

/// Default nesting limit of [`ResponseDecoder`]: the API's bodies nest at most 8 deep
/// (`data.pricingInfo.pricingPerEvent.actorChargeEvents.*.eventTieredPricingUsd.*`), so 16
/// leaves room for fields added later.
pub const RESPONSE_DEPTH: usize = 16;

/// The design's RAM budget for decoder state plus run model, in bytes.
pub const RAM_BUDGET: usize = 1536;

// The budget is for the 32-bit microcontrollers it was set for; 64-bit hosts spend more on
// `usize` fields. The bare-metal builds in CI enforce it.
#[cfg(target_pointer_width = "32")]
const _: () =
    assert!(core::mem::size_of::<ResponseDecoder>() <= RAM_BUDGET, "decoder plus model over budget");

impl<const DEPTH: usize> Default for ResponseDecoder<DEPTH> {
    fn default() -> Self {
        Self::new()
    }
}

/// Feeds each event to the model first, then to the caller's visitor.
struct Tee<'a, X> {
    fields: &'a mut Fields,
    extra: &'a mut X,
}

impl<X: Visitor> Visitor for Tee<'_, X>
where
    DecodeError: From<X::Error>,
{
    type Error = DecodeError;

    #[inline(always)]
    fn event(&mut self, event: Event<'_>) -> Result<(), DecodeError> {
        self.fields.event(event)?;
        self.extra.event(event).map_err(DecodeError::from)
    }
}

/// A visitor that takes nothing, for calls without an extra visitor.
struct Nothing;

impl Visitor for Nothing {
    type Error = DecodeError;

    #[inline]
    fn event(&mut self, _: Event<'_>) -> Result<(), DecodeError> {
        Ok(())
    }
}

impl<const DEPTH: usize> ResponseDecoder<DEPTH> {
    /// A decoder at the start of a body.
    pub const fn new() -> Self {
        Self { parser: Parser::new(), fields: Fields::new() }
    }

    /// Starts over for another body, reusing this memory.
    pub fn reset(&mut self) {
        self.parser = Parser::new();
        self.fields.reset();
    }

    /// Decodes the next chunk (see [`json::Parser::feed`](crate::json::Parser::feed)).
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Status, DecodeError> {
        self.feed_with(chunk, &mut Nothing)
    }

    /// Like [`feed`](Self::feed), and also hands every event to `extra`, for fields the model
    /// does not keep (wrap it in [`json::Select`](crate::json::Select) to pick one by path).
    pub fn feed_with<X: Visitor>(&mut self, chunk: &[u8], extra: &mut X) -> Result<Status, DecodeError>
    where
        DecodeError: From<X::Error>,
    {
        self.parser.feed(chunk, &mut Tee { fields: &mut self.fields, extra })
    }

    /// Ends the body and returns what it held.
    pub fn finish(&mut self) -> Result<Decoded<'_>, DecodeError> {
        self.finish_with(&mut Nothing)
    }

    /// [`finish`](Self::finish) with an extra visitor (it may receive a last event).
    pub fn finish_with<X: Visitor>(&mut self, extra: &mut X) -> Result<Decoded<'_>, DecodeError>
    where
        DecodeError: From<X::Error>,
    {
        self.parser.finish(&mut Tee { fields: &mut self.fields, extra })?;
        self.decoded().ok_or(DecodeError::NoDataOrError)
    }

    /// What has been decoded so far (a run or error may still be filling in).
    pub fn decoded(&self) -> Option<Decoded<'_>> {
        match self.fields.body {
            Body::Empty => None,
            Body::Run => Some(Decoded::Run(&self.fields.store)),
            Body::Error => Some(Decoded::Error(ApiError(&self.fields.store))),
        }
    }

    /// Bytes consumed so far.
    pub const fn offset(&self) -> usize {
        self.parser.offset()
    }
}

#[cfg(test)]
mod tests;
