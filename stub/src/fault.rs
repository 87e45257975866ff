//! Scriptable faults: which request they hit and what happens to it.

use crate::route::Route;

/// One scripted misbehaviour, applied to the next request it [matches](Match) and then
/// consumed. Queue it with [`Stub::push_fault`](crate::Stub::push_fault).
#[derive(Debug, Clone)]
pub struct Fault {
    /// Which requests it applies to.
    pub matching: Match,
    /// What happens to that request.
    pub kind: FaultKind,
}

impl Fault {
    /// A fault of `kind` for the next request that `matching` accepts.
    pub fn new(matching: Match, kind: FaultKind) -> Fault {
        Fault { matching, kind }
    }
}

/// Which requests a [`Fault`] applies to, by method and path (the query does not matter).
#[derive(Debug, Clone)]
pub enum Match {
    /// Any request, even one the stub would answer with 404 or 405.
    Any,
    /// `POST /v2/actor-tasks/{taskId}/runs`, any task.
    StartRun,
    /// `GET /v2/actor-runs/{runId}`, any run.
    GetRun,
    /// `POST /v2/actor-runs/{runId}/abort`, any run.
    AbortRun,
    /// `GET /v2/actor-tasks/{taskId}/runs/last`, any task.
    LastRun,
    /// A dataset items request: a dataset's, a run's, or run-sync-get-dataset-items.
    Items,
}

impl Match {
    pub(crate) fn matches(&self, route: &Route) -> bool {
        match self {
            Match::Any => true,
            Match::StartRun => matches!(route, Route::StartRun { .. }),
            Match::GetRun => matches!(route, Route::GetRun { .. }),
            Match::AbortRun => matches!(route, Route::AbortRun { .. }),
            Match::LastRun => matches!(route, Route::LastRun { .. }),
            Match::Items => route.is_items(),
        }
    }
}

/// What a [`Fault`] does to the request it hits.
///
/// "Handled normally" means the request has its usual effect (a run start creates the run)
/// and the usual answer is what gets mangled.
#[derive(Debug, Clone)]
pub enum FaultKind {
    /// 429 `rate-limit-exceeded`, with `Retry-After: <secs>` when `Some`. Nothing is created.
    RateLimited {
        /// Value of the `Retry-After` header, if any.
        retry_after_secs: Option<u32>,
    },
    /// 402 `actor-memory-limit-exceeded` with the API's message. The run is not created.
    CapacityExceeded,
    /// A server error: `status` (e.g. 500) with a JSON error body, or with an HTML page (as a
    /// proxy sends, e.g. 502) when `html`. Nothing is created.
    ServerError {
        /// The status code.
        status: u16,
        /// Send an HTML page instead of the API's JSON error.
        html: bool,
    },
    /// Handled normally, but only after sleeping `ms` milliseconds.
    Delay {
        /// How long to sleep first.
        ms: u64,
    },
    /// Handled normally; the raw response (head and body) goes out one byte per `write()`,
    /// each flushed, with a pause of about 50 µs between bytes so that the client's reads
    /// really see them one by one.
    OneBytePerWrite,
    /// Handled normally; the raw response goes out one byte per `write()` with a pause of
    /// `ms_per_byte` after each (a slow peer: every read sees progress, the whole takes long).
    Trickle {
        /// The pause after each byte.
        ms_per_byte: u64,
    },
    /// Handled normally; the answer's head carries this raw header line too (no CRLF), bytes
    /// as given: for clients' header checks.
    ExtraHeader {
        /// The line, such as `b"Location: /\xff"`.
        line: Vec<u8>,
    },
    /// Nothing is created; the answer is `status` with this body, as given (JSON content
    /// type): a hostile or odd server's answer, for clients' checks.
    Reply {
        /// The status code.
        status: u16,
        /// The body bytes.
        body: Vec<u8>,
    },
    /// Handled normally, answered with `Transfer-Encoding: chunked` in several chunks.
    Chunked,
    /// Handled normally (a run start creates the run); the head and half of the body are sent,
    /// then the connection is closed.
    CloseMidBody,
    /// The whole request is read and handled (a run start creates the run), then the
    /// connection is closed without a byte of answer.
    CloseWithoutResponse,
    /// The request is read and recorded, nothing is created and nothing is sent; the
    /// connection stays open for `ms` milliseconds, then is closed.
    NoAnswer {
        /// How long to keep the silent connection open.
        ms: u64,
    },
}
