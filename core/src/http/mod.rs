//! The incremental HTTP/1.1 response reader.
//!
//! [`ResponseReader`] is fed raw socket bytes in chunks of any size, the same contract as the
//! JSON parser: it parses the status line and headers with fixed memory (a head of any size
//! passes through at most 432 bytes of state on 32-bit targets, 504 with the `items` feature, the kept fields included, a
//! bound the bare-metal builds check), keeps the fields a client needs ([`ResponseHead`]),
//! undoes the body's framing and hands body bytes straight to the
//! [`ResponseDecoder`] without copying them anywhere else. A body that ends early is an error,
//! never a partial success.

mod body;
mod head;
#[cfg(feature = "items")]
mod items;

use core::fmt;

use body::Framing;
pub use body::MAX_CHUNK_SIZE_DIGITS;
use head::HeadParser;
#[cfg(feature = "items")]
pub use head::Pagination;
pub use head::{ResponseHead, RetryAfter};
#[cfg(feature = "items")]
pub use items::ItemsReadError;

use crate::Status;
use crate::decode::{DecodeError, Decoded, RESPONSE_DEPTH, ResponseDecoder};
use crate::model::{ApiError, Run};

/// Bytes of a non-API error body kept for the caller (an HTML page from a proxy, say).
pub const BODY_PREFIX_CAPACITY: usize = 128;

/// Bounds on what a response may make the reader do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest status, header, chunk-size or trailer line, in bytes.
    pub max_line: usize,
    /// Most header fields in one head.
    pub max_headers: usize,
}

impl Limits {
    /// 8 KiB lines and 100 fields, as common servers allow.
    pub const DEFAULT: Limits = Limits { max_line: 8192, max_headers: 100 };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a response could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadError {
    /// The connection closed before any byte of a response arrived.
    NoResponse,
    /// The status line is not `HTTP/1.x NNN …`.
    InvalidStatusLine,
    /// The response is not HTTP/1.0 or 1.1.
    UnsupportedVersion,
    /// A line exceeds [`Limits::max_line`].
    LineTooLong {
        /// The limit.
        limit: usize,
    },
    /// The head has more fields than [`Limits::max_headers`].
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// A header line is malformed (bad name, control bytes, an unreadable kept value).
    InvalidHeader,
    /// A header line starts with whitespace (obsolete line folding).
    ObsoleteLineFolding,
    /// A line ends in LF without CR.
    BareLf,
    /// A CR is not followed by LF.
    BareCr,
    /// `Content-Length` is not a number, or two of them disagree.
    InvalidContentLength,
    /// A transfer or content coding other than `chunked` (the client asks for none).
    UnsupportedEncoding,
    /// A chunk size is not hexadecimal.
    InvalidChunkSize,
    /// A chunk size has more than [`MAX_CHUNK_SIZE_DIGITS`] digits.
    ChunkSizeTooLong {
        /// The limit.
        limit: usize,
    },
    /// Chunk data is not followed by CRLF.
    ChunkNotTerminated,
    /// The connection closed inside the head.
    TruncatedHead,
    /// The connection closed before the body's declared end.
    TruncatedBody {
        /// Body bytes received.
        received: u64,
    },
    /// Bytes follow the end of the response.
    TrailingData,
    /// A 2xx body is not a valid run or error document.
    Body(DecodeError),
    /// An earlier call failed; the reader takes no more input.
    Failed,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoResponse => f.write_str("the connection closed before a response arrived"),
            Self::InvalidStatusLine => f.write_str("malformed HTTP status line"),
            Self::UnsupportedVersion => f.write_str("the response is not HTTP/1.0 or HTTP/1.1"),
            Self::LineTooLong { limit } => write!(f, "a response line is longer than {limit} bytes"),
            Self::TooManyHeaders { limit } => write!(f, "the response has more than {limit} header fields"),
            Self::InvalidHeader => f.write_str("malformed response header field"),
            Self::ObsoleteLineFolding => f.write_str("obsolete header line folding"),
            Self::BareLf => f.write_str("a response line ends in LF without CR"),
            Self::BareCr => f.write_str("CR not followed by LF in the response"),
            Self::InvalidContentLength => f.write_str("invalid or conflicting Content-Length"),
            Self::UnsupportedEncoding => f.write_str("unsupported transfer or content coding"),
            Self::InvalidChunkSize => f.write_str("invalid chunk size"),
            Self::ChunkSizeTooLong { limit } => write!(f, "chunk size longer than {limit} hex digits"),
            Self::ChunkNotTerminated => f.write_str("chunk data not followed by CRLF"),
            Self::TruncatedHead => f.write_str("the connection closed inside the response head"),
            Self::TruncatedBody { received } => {
                write!(f, "the connection closed after {received} body bytes, before the body's end")
            }
            Self::TrailingData => f.write_str("data after the end of the response"),
            Self::Body(e) => write!(f, "invalid response body: {e}"),
            Self::Failed => f.write_str("the response reader failed earlier"),
        }
    }
}

impl core::error::Error for ReadError {}

/// What a response said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome<'a> {
    /// A run (`{"data": …}`), normally with a 2xx status.
    Run(&'a Run),
    /// The API's error document, with the status in the head.
    ApiError(ApiError<'a>),
    /// An error status whose body is not the API's JSON (a proxy's HTML page, an empty 502):
    /// the first [`BODY_PREFIX_CAPACITY`] bytes of the body.
    OtherBody {
        /// The start of the body.
        body_prefix: &'a [u8],
    },
}

/// A complete response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response<'a> {
    /// Status and kept header fields.
    pub head: &'a ResponseHead,
    /// What the body said.
    pub outcome: Outcome<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Head,
    Body,
    /// The framing says the response has ended.
    Done,
    /// [`ResponseReader::finish`] accepted it.
    Finished,
    Failed,
}

/// Reads one HTTP/1.1 response, fed in chunks of any size (see the module docs).
///
/// ```
/// use apify_core::http::{Outcome, ResponseReader};
///
/// let response = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n\
///                  b\r\n{\"data\":{\"i\r\n10\r\nd\":\"abc\"}}      \r\n0\r\n\r\n";
/// let mut reader = ResponseReader::<16>::new();
/// for chunk in response.chunks(5) {
///     reader.feed(chunk)?;
/// }
/// let done = reader.finish()?;
/// assert_eq!(done.head.status, 201);
/// let Outcome::Run(run) = done.outcome else { panic!() };
/// assert_eq!(run.id().unwrap().as_str(), "abc");
/// # Ok::<(), apify_core::http::ReadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ResponseReader<const DEPTH: usize = RESPONSE_DEPTH> {
    /// `None`: [`Limits::DEFAULT`]. (Every field of a new reader is zero bits, so a `static`
    /// reader lands in `.bss`, not in flash.)
    limits: Option<Limits>,
    stage: Stage,
    head: HeadParser,
    framing: Framing,
    received: u64,
    /// Whether any byte arrived at all.
    started: bool,
    body: ResponseDecoder<DEPTH>,
    /// Set when an error status's body turned out not to be the API's JSON.
    not_api: bool,
    prefix: [u8; BODY_PREFIX_CAPACITY],
    prefix_len: u8,
    /// Why the reader failed, in [`Stage::Failed`].
    error: ReadError,
}

impl<const DEPTH: usize> Default for ResponseReader<DEPTH> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const DEPTH: usize> ResponseReader<DEPTH> {
    /// A reader at the start of a response, with [`Limits::DEFAULT`].
    pub const fn new() -> Self {
        Self {
            limits: None,
            stage: Stage::Head,
            head: HeadParser::new(),
            framing: Framing::UntilClose,
            received: 0,
            started: false,
            body: ResponseDecoder::new(),
            not_api: false,
            prefix: [0; BODY_PREFIX_CAPACITY],
            prefix_len: 0,
            // A placeholder with all zero bits (`NoResponse` is not), never reported.
            error: ReadError::Body(DecodeError::Json(crate::json::NO_ERROR)),
        }
    }

    /// Replaces the limits.
    pub const fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    fn limits(&self) -> Limits {
        self.limits.unwrap_or(Limits::DEFAULT)
    }

    /// For HTTP libraries that parse the head and undo the framing themselves: starts at the
    /// body of a response with `head`, and reads the body until [`finish`](Self::finish).
    pub fn with_head(head: ResponseHead) -> Self {
        let mut reader = Self::new();
        reader.started = true;
        reader.head.head = head;
        reader.framing = Framing::UntilClose;
        reader.stage = if reader.head.head.has_body() { Stage::Body } else { Stage::Done };
        reader
    }

    /// Starts over for another response, reusing this memory.
    pub fn reset(&mut self) {
        // Field by field: a whole new reader would be built on the stack first (2 KB).
        self.stage = Stage::Head;
        self.head = HeadParser::new();
        self.framing = Framing::UntilClose;
        self.received = 0;
        self.started = false;
        self.body.reset();
        self.not_api = false;
        self.prefix_len = 0;
    }

    /// The head, once it is complete.
    pub fn head(&self) -> Option<&ResponseHead> {
        matches!(self.stage, Stage::Body | Stage::Done | Stage::Finished).then_some(&self.head.head)
    }

    /// Reads the next bytes from the connection. Returns [`Status::Complete`] once the
    /// response has ended by its framing; more bytes after that are an error.
    pub fn feed(&mut self, input: &[u8]) -> Result<Status, ReadError> {
        if self.stage == Stage::Failed {
            return Err(self.error);
        }
        self.read(input).map_err(|e| self.fail(e))
    }

    fn read(&mut self, mut input: &[u8]) -> Result<Status, ReadError> {
        self.started |= !input.is_empty();
        while !input.is_empty() {
            match self.stage {
                Stage::Head => {
                    let (used, complete) = self.head.feed(input, &self.limits())?;
                    input = &input[used..];
                    if complete {
                        self.start_body();
                    }
                }
                Stage::Body => {
                    let limits = &self.limits();
                    let Self { framing, body, received, not_api, prefix, prefix_len, head, .. } = self;
                    let success = head.head.is_success();
                    let used = framing.feed(input, limits, |bytes| {
                        *received += bytes.len() as u64;
                        let kept = *prefix_len as usize;
                        let n = (BODY_PREFIX_CAPACITY - kept).min(bytes.len());
                        prefix[kept..kept + n].copy_from_slice(&bytes[..n]);
                        *prefix_len = (kept + n) as u8;
                        if *not_api {
                            return Ok(());
                        }
                        match body.feed(bytes) {
                            Ok(_) => Ok(()),
                            Err(e) if success => Err(ReadError::Body(e)),
                            // An error status with a body that is not the API's JSON: keep
                            // reading to the end, then report the status and the prefix.
                            Err(_) => {
                                *not_api = true;
                                Ok(())
                            }
                        }
                    })?;
                    input = &input[used..];
                    if self.framing.is_done() {
                        self.stage = Stage::Done;
                    }
                }
                Stage::Done | Stage::Finished => return Err(ReadError::TrailingData),
                Stage::Failed => return Err(ReadError::Failed),
            }
        }
        Ok(if self.stage == Stage::Done { Status::Complete } else { Status::Partial })
    }

    fn start_body(&mut self) {
        let head = &self.head.head;
        // An interim 1xx response (100 Continue, 103 Early Hints) precedes the real one.
        if head.status < 200 && head.status != 101 {
            self.head = HeadParser::new();
            return;
        }
        self.framing = if !head.has_body() {
            Framing::Empty
        } else if head.chunked {
            Framing::chunked()
        } else if let Some(n) = head.content_length {
            Framing::Length { remaining: n }
        } else {
            Framing::UntilClose
        };
        self.stage = if self.framing.is_done() { Stage::Done } else { Stage::Body };
    }

    /// The connection has closed (or, for [`with_head`](Self::with_head), the body ended):
    /// checks the response is whole and returns it.
    pub fn finish(&mut self) -> Result<Response<'_>, ReadError> {
        self.check_ended()?;
        self.stage = Stage::Finished;
        let success = self.head.head.is_success();
        let verdict =
            if self.not_api { Err(DecodeError::NoDataOrError) } else { self.body.finish().map(|_| ()) };
        if let Err(e) = verdict {
            if success {
                self.stage = Stage::Failed;
                self.error = ReadError::Body(e);
                return Err(ReadError::Body(e));
            }
            self.not_api = true;
        }
        Ok(self.accepted())
    }

    /// The connection has closed: whether the response had ended by then (the one check
    /// behind [`finish`](Self::finish) and `finish_items`). A response cut short fails the
    /// reader.
    fn check_ended(&mut self) -> Result<(), ReadError> {
        let checked = match self.stage {
            Stage::Failed => Err(self.error),
            Stage::Head if !self.started => Err(ReadError::NoResponse),
            Stage::Head => Err(ReadError::TruncatedHead),
            Stage::Body if self.framing != Framing::UntilClose => {
                Err(ReadError::TruncatedBody { received: self.received })
            }
            Stage::Body | Stage::Done | Stage::Finished => Ok(()),
        };
        checked.map_err(|e| self.fail(e))
    }

    /// Fails the reader with `e`, for good; returns `e`.
    fn fail(&mut self, e: ReadError) -> ReadError {
        self.stage = Stage::Failed;
        self.error = e;
        e
    }

    /// The response [`finish`](Self::finish) accepted, read again without `&mut` (for
    /// bindings that hand it out field by field); `None` until `finish` returned it, and
    /// after [`reset`](Self::reset).
    ///
    /// ```
    /// use apify_core::http::ResponseReader;
    ///
    /// let mut reader = ResponseReader::<16>::new();
    /// reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 21\r\n\r\n{\"data\":{\"id\":\"abc\"}}")?;
    /// assert!(reader.response().is_none()); // whole by its framing, not yet checked
    /// reader.finish()?;
    /// assert_eq!(reader.response().map(|r| r.head.status), Some(200));
    /// # Ok::<(), apify_core::http::ReadError>(())
    /// ```
    pub fn response(&self) -> Option<Response<'_>> {
        (self.stage == Stage::Finished).then(|| self.accepted())
    }

    fn accepted(&self) -> Response<'_> {
        let outcome = match self.body.decoded() {
            Some(Decoded::Run(run)) if !self.not_api => Outcome::Run(run),
            Some(Decoded::Error(error)) if !self.not_api => Outcome::ApiError(error),
            _ => Outcome::OtherBody { body_prefix: &self.prefix[..self.prefix_len as usize] },
        };
        Response { head: &self.head.head, outcome }
    }
}

#[cfg(test)]
mod tests;
