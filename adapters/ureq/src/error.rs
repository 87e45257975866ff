//! What can go wrong, one variant per kind of answer a caller acts on differently.

use std::fmt;

use apify_core::call::TransportFailure;
use apify_core::encode::EncodeError;
use apify_core::model::ApiError;

/// Why an operation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API refused with its error document.
    Api {
        /// The HTTP status.
        status: u16,
        /// `error.type`, `error.message`, whether `error.data` was present.
        error: Box<ApiError>,
    },
    /// An error status whose body is not the API's JSON (a proxy's page, an empty 502).
    Http {
        /// The HTTP status.
        status: u16,
        /// The start of the body (at most 128 bytes).
        body_prefix: Vec<u8>,
    },
    /// No usable response after the retries allowed.
    Transport {
        /// When in the exchange it failed.
        failure: TransportFailure,
        /// The last underlying error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A run start was sent and may or may not have started a run (no answer, a 5xx, or an
    /// answer without a run ID). It was not sent again. Check the task's last run
    /// ([`Client::last_run`](crate::Client::last_run)) before starting another.
    OutcomeUnknown {
        /// The task that was started.
        task: String,
        /// What happened to the start.
        reason: String,
    },
    /// An argument breaks the API's rules; nothing was sent.
    InvalidInput(EncodeError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api { status, error } => {
                let kind = error.error_type.as_ref().map_or("unknown-error", |t| t.as_str());
                let message = error.message.as_ref().map_or("", |m| m.as_str());
                write!(f, "API error {status} {kind}: {message}")
            }
            Self::Http { status, body_prefix } => {
                write!(
                    f,
                    "HTTP {status} without an API error body: {:?}",
                    String::from_utf8_lossy(body_prefix)
                )
            }
            Self::Transport { failure, source } => {
                let when = match failure {
                    TransportFailure::Connect => "could not connect",
                    TransportFailure::Send => "sending the request failed",
                    TransportFailure::AfterSend => "no complete response",
                };
                write!(f, "transport error ({when}): {source}")
            }
            Self::OutcomeUnknown { task, reason } => write!(
                f,
                "the start of task {task} may or may not have created a run ({reason}); check the task's last run before starting it again"
            ),
            Self::InvalidInput(e) => write!(f, "invalid input: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport { source, .. } => Some(source.as_ref()),
            Self::InvalidInput(e) => Some(e),
            _ => None,
        }
    }
}

impl From<EncodeError> for Error {
    fn from(e: EncodeError) -> Self {
        Self::InvalidInput(e)
    }
}
