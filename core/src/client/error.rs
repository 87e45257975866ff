//! The error every `no_std` client returns; `apify-ureq`'s has the same variants and wording
//! with owned payloads. Large payloads stay in the client's reader, not copied.

use core::fmt;

use crate::call::{Conclusion, TransportFailure};
use crate::encode::EncodeError;
use crate::model::{ErrorType, Id, Printable};

use super::RunReport;

/// Why an operation failed. `E` is the network stack's error.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The API refused; the client's `api_error()` has its message.
    Api {
        /// The HTTP status.
        status: u16,
        /// `error.type`, when the API gave one.
        error_type: Option<ErrorType>,
    },
    /// An error status without the API's error body; the client's `http_status_body()` has its
    /// first bytes.
    HttpStatus {
        /// The HTTP status.
        status: u16,
    },
    /// No usable response after the retries allowed.
    Transport {
        /// How far the exchange got, and what ended it.
        failure: TransportFailure,
        /// The stack's error, when it gave one (`None` for a deadline, a peer that closed or
        /// a malformed response).
        source: Option<E>,
    },
    /// A run start was sent and may or may not have created a run; it was not sent again.
    /// Check with the client's `last_run()`.
    OutcomeUnknown {
        /// The status of the last answer, if there was one.
        status: Option<u16>,
        /// What happened to the request, if it got no answer.
        failure: Option<TransportFailure>,
    },
    /// The run was started, then following it (polling, or aborting it at the deadline)
    /// failed. The run exists: follow it again with the client's `wait_for_run()`; never
    /// start the task again for it.
    FollowFailed {
        /// The run that was created.
        run_id: Id,
        /// The status of the last answer, if the API answered with an error status.
        status: Option<u16>,
        /// What happened to the last request, if it got no answer.
        failure: Option<TransportFailure>,
        /// The stack's error, when it gave one.
        source: Option<E>,
    },
    /// The base URL is `https://` but the connection would not carry TLS (no TLS configured,
    /// and the stack not declared to provide it): the token would travel in clear text.
    /// Nothing was sent.
    TlsRequired,
    /// An argument breaks the API's rules, or the request could not be built; nothing was
    /// sent.
    InvalidInput(EncodeError),
}

impl<E> From<EncodeError> for Error<E> {
    fn from(e: EncodeError) -> Self {
        Self::InvalidInput(e)
    }
}

impl<E> Error<E> {
    /// The run this error leaves behind, if the call created one (see
    /// [`FollowFailed`](Self::FollowFailed)).
    pub fn started_run_id(&self) -> Option<&str> {
        match self {
            Self::FollowFailed { run_id, .. } => Some(run_id.as_str()),
            _ => None,
        }
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api { status, error_type } => {
                write!(f, "API error {status}")?;
                if let Some(kind) = error_type {
                    write!(f, " {}", Printable(kind.as_str()))?;
                }
                Ok(())
            }
            Self::HttpStatus { status } => {
                Conclusion::HttpStatus { status: *status, body_prefix: &[] }.fmt(f)
            }
            Self::Transport { failure, source } => {
                write!(f, "{failure}")?;
                match source {
                    Some(e) => write!(f, " ({e:?})"),
                    None => Ok(()),
                }
            }
            Self::OutcomeUnknown { status, failure } => {
                Conclusion::OutcomeUnknown { status: *status, failure: *failure }.fmt(f)
            }
            Self::FollowFailed { run_id, status, failure, source } => {
                write!(f, "run {} was started, then following it failed: ", Printable(run_id.as_str()))?;
                match (failure, status) {
                    (Some(failure), _) => write!(f, "{failure}")?,
                    (None, Some(status)) => write!(f, "HTTP {status}")?,
                    (None, None) => f.write_str("no usable answer")?,
                }
                match source {
                    Some(e) => write!(f, " ({e:?})"),
                    None => Ok(()),
                }
            }
            Self::TlsRequired => f.write_str(
                "the base URL is https:// but no TLS is set up (configure the client's TLS, or \
                 declare that the stack provides TLS); refusing to send the token in clear text",
            ),
            Self::InvalidInput(e) => write!(f, "the request cannot be built: {e}"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}

/// Translates core's conclusion into a client's result; after the run was created, an error
/// keeps its ID ([`Error::FollowFailed`]). `source` is the stack's error from the last
/// exchange, if it gave one.
pub fn conclude<E>(
    conclusion: Conclusion<'_>,
    created: Option<Id>,
    source: Option<E>,
) -> Result<RunReport<'_>, Error<E>> {
    let error = match conclusion {
        Conclusion::Run { run, finish } => return Ok(RunReport { run, finish }),
        Conclusion::ApiError { status, error } => Error::Api { status, error_type: error.error_type() },
        Conclusion::HttpStatus { status, .. } => Error::HttpStatus { status },
        Conclusion::OutcomeUnknown { status, failure } => Error::OutcomeUnknown { status, failure },
        Conclusion::Transport(failure) => Error::Transport { failure, source },
    };
    let Some(run_id) = created else { return Err(error) };
    Err(match error {
        Error::Api { status, .. } | Error::HttpStatus { status } => {
            Error::FollowFailed { run_id, status: Some(status), failure: None, source: None }
        }
        Error::Transport { failure, source } => {
            Error::FollowFailed { run_id, status: None, failure: Some(failure), source }
        }
        other => other,
    })
}
