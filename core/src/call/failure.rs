//! What an adapter saw go wrong at the socket, and what that means for the request.
//!
//! Adapters only report facts: how far the exchange got ([`Stage`]) and what ended it
//! ([`Cause`]). Whether the server can have acted on the request, and so whether a run start
//! may be sent again, is decided here, once, for every transport.

use core::fmt;

/// How far an exchange got before the transport failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Looking up the host's address.
    Resolve,
    /// Opening the connection.
    Connect,
    /// The TLS handshake, certificate checks included.
    Tls,
    /// Writing the request, which was not written whole.
    Write {
        /// Whether any byte of the request was handed to the connection.
        any_written: bool,
    },
    /// Reading the response, after the whole request was written.
    Read,
}

/// What ended the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// The time allowed for the attempt ran out.
    Timeout,
    /// No host has that name.
    HostNotFound,
    /// The peer refused the connection.
    Refused,
    /// The peer closed or reset the connection.
    Closed,
    /// The server's certificate or TLS parameters were not accepted (a wrong CA, another
    /// host name, an expired certificate, no common protocol version). Trying again gives
    /// the same answer.
    TlsRejected,
    /// The response could not be read as HTTP or as the API's JSON (the reader's
    /// [`ReadError`](crate::http::ReadError) says how; it is not carried here, to keep
    /// failures small on the stack of a microcontroller).
    Malformed,
    /// The response is about another run than the one asked for.
    WrongRun,
    /// Any other I/O error (the adapter's own error says more).
    Other,
}

/// Why a request got no usable response: where the exchange stood and what ended it.
///
/// ```
/// use apify_core::call::{Cause, Stage, TransportFailure};
///
/// let refused = TransportFailure::new(Stage::Connect, Cause::Refused);
/// assert!(!refused.may_have_reached_server());
/// assert_eq!(refused.to_string(), "could not connect: connection refused");
/// let cut = TransportFailure::new(Stage::Read, Cause::Closed);
/// assert!(cut.may_have_reached_server());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportFailure {
    /// How far the exchange got.
    pub stage: Stage,
    /// What ended it.
    pub cause: Cause,
}

impl TransportFailure {
    /// A failure at `stage` because of `cause`.
    pub const fn new(stage: Stage, cause: Cause) -> Self {
        Self { stage, cause }
    }

    /// Whether the server can have received the whole request, and so acted on it. Only then
    /// is a run start's outcome unknown: a request that was not written whole cannot have
    /// been acted on (the server waits for the body its `Content-Length` announces).
    pub const fn may_have_reached_server(&self) -> bool {
        matches!(self.stage, Stage::Read)
    }

    /// Whether trying again can give another answer: not when the server's TLS identity was
    /// refused.
    pub const fn is_transient(&self) -> bool {
        !matches!(self.cause, Cause::TlsRejected)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Resolve => "could not resolve the host name",
            Self::Connect => "could not connect",
            Self::Tls => "the TLS handshake failed",
            Self::Write { .. } => "sending the request failed",
            Self::Read => "no complete response",
        })
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout => f.write_str("timed out"),
            Self::HostNotFound => f.write_str("host not found"),
            Self::Refused => f.write_str("connection refused"),
            Self::Closed => f.write_str("connection closed by the peer"),
            Self::TlsRejected => f.write_str("the server's certificate or TLS parameters were refused"),
            Self::Malformed => f.write_str("malformed response"),
            Self::WrongRun => f.write_str("the response is about another run"),
            Self::Other => f.write_str("I/O error"),
        }
    }
}

impl fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.stage, self.cause)
    }
}

impl core::error::Error for TransportFailure {}
