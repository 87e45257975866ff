//! The error model, shaped like every adapter's of this project (`apify-ureq`'s has the same
//! variants and wording); large payloads stay in the client, not copied.

use core::fmt;

use apify_core::call::{Conclusion, TransportFailure};
use apify_core::encode::EncodeError;
use apify_core::model::{ErrorType, Id, Printable};

/// Why an operation failed. `E` is the network stack's error.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The API refused; [`Client::api_error`](crate::Client::api_error) has its message.
    Api {
        /// The HTTP status.
        status: u16,
        /// `error.type`, when the API gave one.
        error_type: Option<ErrorType>,
    },
    /// An error status without the API's error body;
    /// [`Client::http_status_body`](crate::Client::http_status_body) has its first bytes.
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
    /// Check with [`Client::last_run`](crate::Client::last_run).
    OutcomeUnknown {
        /// The status of the last answer, if there was one.
        status: Option<u16>,
        /// What happened to the request, if it got no answer.
        failure: Option<TransportFailure>,
    },
    /// The run was started, then following it (polling, or aborting it at the deadline)
    /// failed. The run exists: follow it again with
    /// [`Client::wait_for_run`](crate::Client::wait_for_run); never start the task again
    /// for it.
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
    /// The base URL is `https://` but the stack was not declared to carry TLS
    /// ([`ClientBuilder::stack_provides_tls`](crate::ClientBuilder::stack_provides_tls)):
    /// the token would travel in clear text. Nothing was sent.
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
                "the base URL is https:// but the stack was not declared to carry TLS \
                 (ClientBuilder::stack_provides_tls); refusing to send the token in clear text",
            ),
            Self::InvalidInput(e) => write!(f, "the request cannot be built: {e}"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}
