//! The error model, shaped like `apify-ureq`'s (payloads stay in the client, not copied).

use core::fmt;

use apify_core::call::TransportFailure;
use apify_core::encode::EncodeError;

/// Why an operation failed. `E` is the network stack's error.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The API refused; [`Client::api_error`](crate::Client::api_error) has its type and
    /// message.
    Api {
        /// The HTTP status.
        status: u16,
    },
    /// An error status without the API's error body;
    /// [`Client::http_error_body`](crate::Client::http_error_body) has its first bytes.
    Http {
        /// The HTTP status.
        status: u16,
    },
    /// No usable response after the retries allowed.
    Transport {
        /// When in the exchange it failed.
        failure: TransportFailure,
        /// The stack's last error, when it gave one (`None` for a deadline or a peer that
        /// closed early).
        source: Option<E>,
    },
    /// A run start was sent and may or may not have created a run; it was not sent again.
    /// Check with [`Client::last_run`](crate::Client::last_run).
    OutcomeUnknown,
    /// An argument breaks the API's rules; nothing was sent.
    InvalidInput(EncodeError),
}

impl<E> From<EncodeError> for Error<E> {
    fn from(e: EncodeError) -> Self {
        Self::InvalidInput(e)
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api { status } => write!(f, "API error, HTTP {status}"),
            Self::Http { status } => write!(f, "HTTP {status} without an API error body"),
            Self::Transport { failure, source } => {
                let when = match failure {
                    TransportFailure::Connect => "could not connect",
                    TransportFailure::Send => "sending the request failed",
                    TransportFailure::AfterSend => "no complete response",
                };
                match source {
                    Some(e) => write!(f, "transport error ({when}): {e:?}"),
                    None => write!(f, "transport error ({when}): deadline passed or peer closed"),
                }
            }
            Self::OutcomeUnknown => {
                f.write_str("a run start may or may not have created a run; check the task's last run")
            }
            Self::InvalidInput(e) => write!(f, "invalid input: {e}"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}
