//! A complete HTTP/1.1 request: request line, headers and body.

use core::fmt;

use super::sink::{Sink, Window, measure, write_whole};
use super::{BaseUrl, EncodeError, Endpoint, Method, Token};

/// The `User-Agent` sent unless the caller sets another.
pub const DEFAULT_USER_AGENT: &str = concat!("apify-core/", env!("CARGO_PKG_VERSION"));

/// Longest request target (path and query) a request may have, in bytes. Load balancers in
/// front of HTTP APIs refuse longer request lines (AWS's at 16 KiB), so a longer one is
/// refused here, before any connection, rather than sent to fail.
pub const MAX_TARGET_LEN: usize = 16 * 1024;

/// A request ready to go out: where, which operation, and with which token.
///
/// The head can be sized ([`head_len`](Self::head_len)), written into one buffer
/// ([`write_head`](Self::write_head)), or written in pieces through a small buffer
/// ([`write_head_at`](Self::write_head_at)); the body is [`body`](Self::body). An HTTP library
/// that frames requests itself takes [`write_url`](Self::write_url) and
/// [`headers`](Self::headers) instead.
///
/// ```
/// use apify_core::encode::{BaseUrl, Endpoint, Input, Request, RunOptions, TaskId, Token};
///
/// let task = TaskId::new("janedoe~my-task")?;
/// let options = RunOptions::new().memory_mbytes(256).wait_for_finish_secs(60);
/// let request = Request::new(BaseUrl::APIFY, Endpoint::run_task(task, &options, Input::EMPTY))?
///     .with_token(Token::new("apify_api_xyz")?);
///
/// let mut buf = [0u8; 512];
/// let n = request.write_head(&mut buf)?;
/// assert_eq!(n, request.head_len());
/// assert!(buf.starts_with(b"POST /v2/actor-tasks/janedoe~my-task/runs?memory=256&waitForFinish=60 HTTP/1.1\r\n"));
/// assert_eq!(request.body(), b"{}");
///
/// // A device with a 128-byte buffer sends the same head in pieces.
/// let mut sent = 0;
/// let mut small = [0u8; 128];
/// loop {
///     let piece = request.write_head_at(sent, &mut small);
///     if piece == 0 { break; }
///     assert_eq!(&small[..piece], &buf[sent..sent + piece]);
///     sent += piece;
/// }
/// assert_eq!(sent, n);
/// # Ok::<(), apify_core::encode::EncodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    base: BaseUrl<'a>,
    endpoint: Endpoint<'a>,
    token: Option<Token<'a>>,
    user_agent: &'a str,
}

/// The value of a header field; `Debug` and `Display` hide the token.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HeaderValue<'a> {
    /// Text sent as is.
    Text(&'a str),
    /// `Bearer <token>`.
    Bearer(Token<'a>),
}

impl HeaderValue<'_> {
    /// Writes the real value (with the token) for a transport that builds its own request.
    pub fn write_to(&self, out: &mut impl fmt::Write) -> fmt::Result {
        match self {
            Self::Text(text) => out.write_str(text),
            Self::Bearer(token) => {
                out.write_str("Bearer ")?;
                out.write_str(token.expose())
            }
        }
    }

    fn put(&self, sink: &mut impl Sink, redact: bool) {
        match self {
            Self::Text(text) => sink.put_str(text),
            Self::Bearer(token) => {
                sink.put_str("Bearer ");
                sink.put_str(if redact { "<redacted>" } else { token.expose() });
            }
        }
    }
}

impl fmt::Debug for HeaderValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for HeaderValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => f.write_str(text),
            Self::Bearer(_) => f.write_str("Bearer <redacted>"),
        }
    }
}

/// A header field of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// The field name.
    pub name: &'static str,
    /// The field value.
    pub value: HeaderValue<'a>,
}

impl<'a> Request<'a> {
    /// A request for `endpoint` at `base`, without a token. Validates the endpoint's parameters.
    /// A target longer than [`MAX_TARGET_LEN`] is refused.
    pub fn new(base: BaseUrl<'a>, endpoint: Endpoint<'a>) -> Result<Self, EncodeError> {
        endpoint.validate()?;
        let len = measure(|s| {
            s.put_str(base.path_prefix());
            endpoint.put_target(s);
        });
        if len > MAX_TARGET_LEN {
            return Err(EncodeError::RequestTooLong { len, max: MAX_TARGET_LEN });
        }
        Ok(Self { base, endpoint, token: None, user_agent: DEFAULT_USER_AGENT })
    }

    /// Sends `Authorization: Bearer <token>`.
    pub const fn with_token(mut self, token: Token<'a>) -> Self {
        self.token = Some(token);
        self
    }

    /// Replaces the `User-Agent` (visible ASCII and spaces only).
    pub fn with_user_agent(mut self, user_agent: &'a str) -> Result<Self, EncodeError> {
        if user_agent.is_empty() || !user_agent.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
            return Err(EncodeError::InvalidUserAgent);
        }
        self.user_agent = user_agent;
        Ok(self)
    }

    /// The operation.
    pub const fn endpoint(&self) -> &Endpoint<'a> {
        &self.endpoint
    }

    /// The API address.
    pub const fn base_url(&self) -> &BaseUrl<'a> {
        &self.base
    }

    /// The request method.
    pub const fn method(&self) -> Method {
        self.endpoint.method()
    }

    /// The body to send after the head (empty for GET and abort).
    pub const fn body(&self) -> &'a [u8] {
        match self.endpoint.body() {
            Some(body) => body,
            None => b"",
        }
    }

    /// The end-to-end header fields, for HTTP libraries that add `Host`, `Content-Length` and
    /// connection handling themselves. The raw head ([`write_head`](Self::write_head)) holds
    /// these plus `Host`, `Content-Length` (POST) and `Connection: close`.
    pub fn headers(&self) -> impl Iterator<Item = Header<'a>> + use<'a> {
        let auth = self.token.map(|t| Header { name: "Authorization", value: HeaderValue::Bearer(t) });
        let content_type = (self.method() == Method::Post && !self.body().is_empty())
            .then_some(Header { name: "Content-Type", value: HeaderValue::Text("application/json") });
        auth.into_iter()
            .chain([
                Header { name: "Accept", value: HeaderValue::Text("application/json") },
                Header { name: "User-Agent", value: HeaderValue::Text(self.user_agent) },
            ])
            .chain(content_type)
    }

    /// Length of the URL ([`write_url`](Self::write_url)).
    pub fn url_len(&self) -> usize {
        measure(|s| self.put_url(s))
    }

    /// Writes the absolute URL (`https://api.apify.com/v2/…?…`); returns its length.
    pub fn write_url(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        write_whole(buf, |s| self.put_url(s))
    }

    /// Length of the head ([`write_head`](Self::write_head)).
    pub fn head_len(&self) -> usize {
        measure(|s| self.put_head(s, false))
    }

    /// Writes the request line and headers, ending with the blank line; returns the length.
    /// A short buffer gives [`EncodeError::BufferTooSmall`] with the length needed.
    pub fn write_head(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        write_whole(buf, |s| self.put_head(s, false))
    }

    /// Writes the head bytes from `offset` on, as many as fit `buf`; returns how many (0 once
    /// `offset` reaches [`head_len`](Self::head_len)). Each call renders the head again and
    /// keeps only the window, so no state is needed between calls.
    pub fn write_head_at(&self, offset: usize, buf: &mut [u8]) -> usize {
        let mut window = Window::new(offset, buf);
        self.put_head(&mut window, false);
        window.copied()
    }

    /// The head with the token replaced by `<redacted>`, for logs and `--dry-run` output.
    pub fn redacted_head(&self) -> impl fmt::Display + '_ {
        struct Redacted<'r, 'a>(&'r Request<'a>);
        impl fmt::Display for Redacted<'_, '_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                struct Out<'f, 'g> {
                    f: &'f mut fmt::Formatter<'g>,
                    result: fmt::Result,
                }
                impl Sink for Out<'_, '_> {
                    fn put(&mut self, bytes: &[u8]) {
                        // The head is ASCII: every part was validated or percent-encoded.
                        let text = core::str::from_utf8(bytes).unwrap_or("\u{fffd}");
                        self.result = self.result.and_then(|()| self.f.write_str(text));
                    }
                }
                let mut out = Out { f, result: Ok(()) };
                self.0.put_head(&mut out, true);
                out.result
            }
        }
        Redacted(self)
    }

    fn put_url(&self, sink: &mut impl Sink) {
        self.base.put_origin(sink);
        sink.put_str(self.base.path_prefix());
        self.endpoint.put_target(sink);
    }

    fn put_head(&self, sink: &mut impl Sink, redact: bool) {
        sink.put_str(self.method().as_str());
        sink.put_str(" ");
        sink.put_str(self.base.path_prefix());
        self.endpoint.put_target(sink);
        sink.put_str(" HTTP/1.1\r\nHost: ");
        self.base.put_authority(sink);
        sink.put_str("\r\n");
        for header in self.headers() {
            sink.put_str(header.name);
            sink.put_str(": ");
            header.value.put(sink, redact);
            sink.put_str("\r\n");
        }
        if self.method() == Method::Post {
            sink.put_str("Content-Length: ");
            sink.put_u64(self.body().len() as u64);
            sink.put_str("\r\n");
        }
        sink.put_str("Connection: close\r\n\r\n");
    }
}
