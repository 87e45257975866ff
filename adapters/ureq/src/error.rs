//! What can go wrong, one variant per kind of answer a caller acts on differently. The
//! variants and their wording are those of every adapter of this project; the wording itself
//! comes from core ([`Conclusion`]'s `Display`).

use std::fmt;

use apify_core::call::{Conclusion, TransportFailure};
use apify_core::encode::EncodeError;
use apify_core::model::{ErrorType, Printable, Run, RunStatus};

/// Why an operation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API refused with its error document.
    Api {
        /// The HTTP status.
        status: u16,
        /// `error.type`, for code to act on.
        error_type: Option<ErrorType>,
        /// `error.message`, for people (ending in `…` if the client cut it).
        message: Option<String>,
    },
    /// An error status whose body is not the API's JSON (a proxy's page, an empty 502).
    HttpStatus {
        /// The HTTP status.
        status: u16,
        /// The start of the body (at most 128 bytes).
        body_prefix: Vec<u8>,
    },
    /// No usable response after the retries allowed.
    Transport {
        /// How far the exchange got, and what ended it.
        failure: TransportFailure,
        /// The underlying error of the last attempt, when the HTTP library gave one.
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A run start was sent and may or may not have started a run (no answer, a 5xx, or an
    /// answer without a run ID). It was not sent again. Check the task's last run
    /// ([`Client::last_run`](crate::Client::last_run)) before starting another.
    OutcomeUnknown {
        /// The task that was started.
        task: String,
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
        /// The run as last seen.
        run: Box<Run>,
        /// What stopped the following (never `FollowFailed` itself).
        cause: Box<Error>,
    },
    /// An argument breaks the API's rules, or the request could not be built; nothing was
    /// sent.
    InvalidInput(EncodeError),
    /// A dataset items request was answered with something other than items: a run (as the
    /// academy says run-sync can answer when the run outlives the wait), or a body that is
    /// neither.
    NotItems {
        /// The HTTP status.
        status: u16,
        /// The run the body held, if it was one.
        run: Option<Box<Run>>,
    },
    /// An item could not be read as the type asked for (serde_json's message).
    ItemType {
        /// What serde_json said.
        message: String,
    },
}

impl Error {
    /// The run this error leaves behind, if the call created one (see
    /// [`FollowFailed`](Self::FollowFailed)).
    pub fn started_run(&self) -> Option<&Run> {
        match self {
            Self::FollowFailed { run, .. } => Some(run),
            Self::NotItems { run: Some(run), .. } => Some(run),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The wording of core's `Conclusion::ApiError`, from the owned parts.
            Self::Api { status, error_type, message } => {
                let kind = error_type.as_ref().map_or("unknown-error", ErrorType::as_str);
                write!(f, "API error {status} {}", Printable(kind))?;
                match message {
                    Some(message) => write!(f, ": {}", Printable(message)),
                    None => Ok(()),
                }
            }
            Self::HttpStatus { status, body_prefix } => {
                Conclusion::HttpStatus { status: *status, body_prefix }.fmt(f)
            }
            Self::Transport { failure, source: Some(source) } => write!(f, "{failure} ({source})"),
            Self::Transport { failure, source: None } => write!(f, "{failure}"),
            Self::OutcomeUnknown { task, status, failure } => {
                write!(f, "task {}: ", Printable(task))?;
                Conclusion::OutcomeUnknown { status: *status, failure: *failure }.fmt(f)
            }
            Self::FollowFailed { run, cause } => {
                let (id, status) = (run.id(), run.status());
                let id = id.as_ref().map_or("?", |t| t.as_str());
                let status = status.as_ref().map_or("UNKNOWN", RunStatus::as_str);
                write!(
                    f,
                    "run {} was started ({}), then following it failed: {cause}",
                    Printable(id),
                    Printable(status)
                )
            }
            Self::InvalidInput(e) => write!(f, "the request cannot be built: {e}"),
            Self::NotItems { status, run: Some(run) } => {
                let id = run.id();
                let id = id.as_ref().map_or("?", |t| t.as_str());
                let state = run.status();
                let state = state.as_ref().map_or("UNKNOWN", RunStatus::as_str);
                write!(
                    f,
                    "the answer ({status}) holds run {} ({}), not items",
                    Printable(id),
                    Printable(state)
                )
            }
            Self::NotItems { status, run: None } => {
                write!(f, "the answer ({status}) is not a JSON array of items")
            }
            Self::ItemType { message } => {
                write!(f, "an item is not of the type asked for: {}", Printable(message))
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport { source: Some(source), .. } => Some(source.as_ref()),
            Self::FollowFailed { cause, .. } => Some(cause.as_ref()),
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
