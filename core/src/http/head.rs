//! The status line and header fields, parsed byte by byte with bounded memory.

use super::{Limits, ReadError};
use crate::model::Text;

/// `Retry-After`: a delay, or a date to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// Seconds to wait.
    Seconds(u32),
    /// Wait until this time (Unix seconds, from an HTTP date).
    At(i64),
}

/// What a client needs from a response head; every other field is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseHead {
    /// The status code.
    pub status: u16,
    /// `Content-Length`.
    pub content_length: Option<u64>,
    /// Whether `Transfer-Encoding` ends in `chunked`.
    pub chunked: bool,
    /// `Content-Type` (capacity 64).
    pub content_type: Option<Text<64>>,
    /// `Location`: the new run's URL on a 201 (capacity 128).
    pub location: Option<Text<128>>,
    /// `Retry-After`, as its parts (kind 0: none, 1: seconds, 2: a date), so that a new head
    /// is all zero bits; read it with [`retry_after`](Self::retry_after).
    retry_after_kind: u8,
    retry_after_value: i64,
    /// `X-RateLimit-Limit`: requests per second allowed for the resource.
    pub rate_limit: Option<u32>,
    /// `X-Apify-Pagination-*`: where a page of dataset items stands.
    #[cfg(feature = "items")]
    pub pagination: Pagination,
}

/// The `X-Apify-Pagination-*` fields of a dataset items response: the page's `offset` and
/// `limit` as the API applied them, `count` items in this page, `total` in the dataset.
#[cfg(feature = "items")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pagination {
    /// `X-Apify-Pagination-Offset`.
    pub offset: Option<u64>,
    /// `X-Apify-Pagination-Limit`.
    pub limit: Option<u64>,
    /// `X-Apify-Pagination-Count`.
    pub count: Option<u64>,
    /// `X-Apify-Pagination-Total`.
    pub total: Option<u64>,
}

impl ResponseHead {
    /// A head with `status` and no fields.
    pub const fn new(status: u16) -> Self {
        Self {
            status,
            content_length: None,
            chunked: false,
            content_type: None,
            location: None,
            retry_after_kind: 0,
            retry_after_value: 0,
            rate_limit: None,
            #[cfg(feature = "items")]
            pagination: Pagination { offset: None, limit: None, count: None, total: None },
        }
    }

    /// `Retry-After`.
    pub const fn retry_after(&self) -> Option<RetryAfter> {
        match self.retry_after_kind {
            1 => Some(RetryAfter::Seconds(self.retry_after_value as u32)),
            2 => Some(RetryAfter::At(self.retry_after_value)),
            _ => None,
        }
    }

    fn set_retry_after(&mut self, value: Option<RetryAfter>) {
        (self.retry_after_kind, self.retry_after_value) = match value {
            None => (0, 0),
            Some(RetryAfter::Seconds(s)) => (1, s as i64),
            Some(RetryAfter::At(t)) => (2, t),
        };
    }

    /// Whether the status is 2xx.
    pub const fn is_success(&self) -> bool {
        self.status >= 200 && self.status < 300
    }

    /// Whether the response can have a body (not 1xx, 204 or 304).
    pub const fn has_body(&self) -> bool {
        !(self.status < 200 || self.status == 204 || self.status == 304)
    }

    /// Records one header field, as raw bytes from an HTTP library that parsed the head itself
    /// (see the ureq adapter). The field goes through the same parser as a head read here, so
    /// both accept and refuse the same bytes: a name that is not a token, a control byte in a
    /// value, non-ASCII in a kept field, a cut framing field. On error `self` is unchanged.
    ///
    /// ```
    /// use apify_core::http::{ReadError, ResponseHead};
    ///
    /// let mut head = ResponseHead::new(429);
    /// head.apply_header(b"Retry-After", b"3")?;
    /// assert!(head.retry_after().is_some());
    /// assert_eq!(head.apply_header(b"X-Note", b"a\x1bb"), Err(ReadError::InvalidHeader));
    /// # Ok::<(), ReadError>(())
    /// ```
    pub fn apply_header(&mut self, name: &[u8], value: &[u8]) -> Result<(), ReadError> {
        if value.contains(&b'\r') || value.contains(&b'\n') {
            // A line end inside the value would start another field.
            return Err(ReadError::InvalidHeader);
        }
        let mut parser = HeadParser::new();
        parser.part = Part::LineStart;
        parser.head = self.clone();
        let limits = Limits::DEFAULT;
        for &b in name.iter().chain(b":").chain(value).chain(b"\r\n") {
            parser.byte(b, &limits)?;
        }
        *self = parser.head;
        Ok(())
    }

    /// [`apply_header`](Self::apply_header) for a value that may have been `cut` upstream: a
    /// text field then says so.
    #[inline(never)]
    fn apply(&mut self, name: &str, value: &str, cut: bool) -> Result<(), ReadError> {
        fn text<const N: usize>(value: &str, cut: bool) -> Option<Text<N>> {
            let mut text = Text::from_str_truncating(value);
            if cut {
                text.mark_truncated();
            }
            Some(text)
        }
        let value = value.trim_matches([' ', '\t']);
        if name.eq_ignore_ascii_case("content-length") {
            let n = parse_decimal(value, 19).ok_or(ReadError::InvalidContentLength)?;
            if self.content_length.is_some_and(|old| old != n) {
                return Err(ReadError::InvalidContentLength);
            }
            self.content_length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            let last = value.rsplit(',').next().unwrap_or("").trim_matches([' ', '\t']);
            if !last.eq_ignore_ascii_case("chunked") {
                return Err(ReadError::UnsupportedEncoding);
            }
            if value.split(',').any(|c| !c.trim_matches([' ', '\t']).eq_ignore_ascii_case("chunked")) {
                return Err(ReadError::UnsupportedEncoding);
            }
            self.chunked = true;
        } else if name.eq_ignore_ascii_case("content-encoding") {
            // The client asks for no compression, so a compressed body cannot be read.
            if !value.is_empty() && !value.eq_ignore_ascii_case("identity") {
                return Err(ReadError::UnsupportedEncoding);
            }
        } else if name.eq_ignore_ascii_case("content-type") {
            self.content_type = text(value, cut);
        } else if name.eq_ignore_ascii_case("location") {
            self.location = text(value, cut);
        } else if name.eq_ignore_ascii_case("retry-after") {
            // An unreadable Retry-After is ignored: the backoff schedule applies instead.
            self.set_retry_after(
                parse_decimal(value, 9)
                    .map(|s| RetryAfter::Seconds(s.min(u32::MAX as u64) as u32))
                    .or_else(|| parse_http_date(value).map(RetryAfter::At)),
            );
        } else if name.eq_ignore_ascii_case("x-ratelimit-limit") {
            self.rate_limit = parse_decimal(value, 9).map(|n| n as u32);
        } else {
            #[cfg(feature = "items")]
            if let Some(i) = PAGINATION.iter().position(|k| k.eq_ignore_ascii_case(name)) {
                // An unreadable count is left unknown: the items themselves are what matters.
                let n = parse_decimal(value, 19);
                let p = &mut self.pagination;
                *[&mut p.offset, &mut p.limit, &mut p.count, &mut p.total][i] = n;
            }
        }
        Ok(())
    }
}

/// A decimal number of 1 to `max_digits` digits.
fn parse_decimal(s: &str, max_digits: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |n, b| n * 10 + (b - b'0') as u64))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) as Unix seconds.
fn parse_http_date(s: &str) -> Option<i64> {
    const MONTHS: [&[u8]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    let b = s.as_bytes();
    if b.len() != 29
        || &b[3..5] != b", "
        || b[7] != b' '
        || b[11] != b' '
        || b[16] != b' '
        || &b[25..] != b" GMT"
    {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == &b[8..11])? as u8 + 1;
    // Rewritten as RFC 3339 so one date reader (with its range checks) serves both.
    let mut iso = *b"0000-00-00T00:00:00Z";
    iso[..4].copy_from_slice(&b[12..16]);
    iso[5] = b'0' + month / 10;
    iso[6] = b'0' + month % 10;
    iso[8..10].copy_from_slice(&b[5..7]);
    iso[11..19].copy_from_slice(&b[17..25]);
    crate::model::Timestamp::parse(core::str::from_utf8(&iso).ok()?).map(|t| t.unix_seconds())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Reading the status line.
    StatusLine,
    /// At the start of a header line (or the blank line that ends the head).
    LineStart,
    /// Reading a header name.
    Name,
    /// Reading a header value.
    Value,
    /// A CR was read; LF must follow (plain variants, no payload: a new parser is all zero
    /// bits).
    Lf,
    /// A CR ending the blank line was read; LF must follow and ends the head.
    LfBlank,
    Done,
}

/// Header names the client keeps are at most this long (`x-ratelimit-limit`, and with the
/// `items` feature `x-apify-pagination-offset`).
const NAME_CAPACITY: usize = if cfg!(feature = "items") { 25 } else { 24 };
/// Values are kept up to this length; longer values of kept fields are cut (and flagged by
/// their [`Text`]) or, for numbers, rejected.
const VALUE_CAPACITY: usize = 128;

// The bound on the head parser's state that the module doc gives, for 32-bit targets.
#[cfg(target_pointer_width = "32")]
const _: () = assert!(
    core::mem::size_of::<HeadParser>() <= if cfg!(feature = "items") { 504 } else { 432 },
    "head parser state over 432 bytes (504 with the items feature's pagination fields)"
);

/// Parses a response head incrementally; memory is fixed whatever the head's size.
#[derive(Debug, Clone)]
pub(crate) struct HeadParser {
    part: Part,
    line_len: usize,
    headers: usize,
    name: Text<NAME_CAPACITY>,
    value: Text<VALUE_CAPACITY>,
    /// Which of [`KEPT`] the current header is, if the client keeps it.
    keep: Option<u8>,
    /// The status line's first 13 bytes (`HTTP/1.1 201 `).
    status_line: [u8; 13],
    pub(crate) head: ResponseHead,
}

/// The fields kept, in the order `HeadParser::byte` relies on: the framing fields, then the
/// text fields, then the numbers and dates.
const KEPT: [&str; 7] = [
    "content-length",
    "transfer-encoding",
    "content-encoding",
    "content-type",
    "location",
    "retry-after",
    "x-ratelimit-limit",
];

/// `X-Apify-Pagination-*` (dataset items), kept after [`KEPT`] with the `items` feature.
#[cfg(feature = "items")]
const PAGINATION: [&str; 4] = [
    "x-apify-pagination-offset",
    "x-apify-pagination-limit",
    "x-apify-pagination-count",
    "x-apify-pagination-total",
];

/// Which kept field `name` is: its index in [`KEPT`], then in `PAGINATION`.
fn kept_index(name: &str) -> Option<u8> {
    let found = KEPT.iter().position(|k| k.eq_ignore_ascii_case(name));
    #[cfg(feature = "items")]
    let found = found
        .or_else(|| PAGINATION.iter().position(|k| k.eq_ignore_ascii_case(name)).map(|i| i + KEPT.len()));
    found.map(|i| i as u8)
}

/// The name of kept field `index` (see [`kept_index`]).
fn kept_name(index: u8) -> &'static str {
    #[cfg(feature = "items")]
    if let Some(name) = (index as usize).checked_sub(KEPT.len()).and_then(|i| PAGINATION.get(i)) {
        return name;
    }
    KEPT.get(index as usize).copied().unwrap_or_default()
}

impl HeadParser {
    pub(crate) const fn new() -> Self {
        Self {
            part: Part::StatusLine,
            line_len: 0,
            headers: 0,
            name: Text::new(),
            value: Text::new(),
            keep: None,
            status_line: [0; 13],
            head: ResponseHead::new(0),
        }
    }

    /// Consumes head bytes from `input`; returns how many were used and whether the head
    /// is complete (the body starts right after).
    pub(crate) fn feed(&mut self, input: &[u8], limits: &Limits) -> Result<(usize, bool), ReadError> {
        for (i, &b) in input.iter().enumerate() {
            if self.part == Part::Done {
                return Ok((i, true));
            }
            self.byte(b, limits)?;
        }
        Ok((input.len(), self.part == Part::Done))
    }

    fn byte(&mut self, b: u8, limits: &Limits) -> Result<(), ReadError> {
        if let Part::Lf | Part::LfBlank = self.part {
            let blank = self.part == Part::LfBlank;
            if b != b'\n' {
                return Err(ReadError::BareCr);
            }
            self.line_len = 0;
            self.part = if blank { Part::Done } else { Part::LineStart };
            return Ok(());
        }
        self.line_len += 1;
        if self.line_len > limits.max_line {
            return Err(ReadError::LineTooLong { limit: limits.max_line });
        }
        match self.part {
            Part::StatusLine => match b {
                b'\r' => {
                    self.status_line_done()?;
                    self.part = Part::Lf;
                }
                b'\n' => return Err(ReadError::BareLf),
                _ if self.line_len <= self.status_line.len() => self.status_line[self.line_len - 1] = b,
                _ => {}
            },
            Part::LineStart => match b {
                b'\r' => self.part = Part::LfBlank,
                b'\n' => return Err(ReadError::BareLf),
                b' ' | b'\t' => return Err(ReadError::ObsoleteLineFolding),
                _ => {
                    self.headers += 1;
                    if self.headers > limits.max_headers {
                        return Err(ReadError::TooManyHeaders { limit: limits.max_headers });
                    }
                    self.name.clear();
                    self.value.clear();
                    self.name_byte(b)?;
                    self.part = Part::Name;
                }
            },
            Part::Name => {
                if b == b':' {
                    let name = self.name.complete().unwrap_or_default();
                    self.keep = kept_index(name);
                    self.part = Part::Value;
                } else {
                    self.name_byte(b)?;
                }
            }
            Part::Value => match b {
                b'\r' => {
                    if let Some(field) = self.keep {
                        let cut = self.value.is_truncated();
                        match field {
                            // The framing fields: a cut value would falsify the body's length
                            // or encoding.
                            0..=2 if cut => return Err(ReadError::InvalidHeader),
                            // A cut number or date is not read, as an unreadable one is not.
                            5.. if cut => {}
                            // Text fields keep their start, flagged as cut.
                            _ => self.head.apply(kept_name(field), self.value.as_str(), cut)?,
                        }
                    }
                    self.part = Part::Lf;
                }
                b'\n' => return Err(ReadError::BareLf),
                0..=8 | 10..=31 | 127 => return Err(ReadError::InvalidHeader),
                _ if self.keep.is_some() => {
                    let byte = [b];
                    // Header values are Latin-1 in theory; non-ASCII in a kept field is refused.
                    let text = core::str::from_utf8(&byte).map_err(|_| ReadError::InvalidHeader)?;
                    self.value.push_truncating(text);
                }
                _ => {}
            },
            Part::Lf | Part::LfBlank | Part::Done => {}
        }
        Ok(())
    }

    fn name_byte(&mut self, b: u8) -> Result<(), ReadError> {
        // RFC 9110 token characters.
        let token = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if !token {
            return Err(ReadError::InvalidHeader);
        }
        let byte = [b];
        self.name.push_truncating(core::str::from_utf8(&byte).unwrap_or(""));
        Ok(())
    }

    /// `HTTP/1.x NNN`, then the end of the line or a space and a reason phrase.
    fn status_line_done(&mut self) -> Result<(), ReadError> {
        // `line_len` counted the CR too.
        let len = self.line_len - 1;
        let line = &self.status_line[..len.min(self.status_line.len())];
        if len < 12 || !line.starts_with(b"HTTP/") || line[8] != b' ' || (len > 12 && line[12] != b' ') {
            return Err(ReadError::InvalidStatusLine);
        }
        if &line[5..8] != b"1.1" && &line[5..8] != b"1.0" {
            return Err(ReadError::UnsupportedVersion);
        }
        let digits = &line[9..12];
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(ReadError::InvalidStatusLine);
        }
        let status = digits.iter().fold(0u16, |n, d| n * 10 + (d - b'0') as u16);
        if !(100..=599).contains(&status) {
            return Err(ReadError::InvalidStatusLine);
        }
        self.head.status = status;
        Ok(())
    }
}
