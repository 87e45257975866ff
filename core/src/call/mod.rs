//! The call sequence: which request to send next, when to wait, when to stop.
//!
//! A [`Call`] is a sans-IO state machine. The adapter asks it for the next [`Action`]
//! ([`Call::next`]), carries out a [`Send`](Action::Send) (encode, connect, write, read the
//! response through a [`ResponseReader`](crate::http::ResponseReader)) or a
//! [`Sleep`](Action::Sleep), and reports back with [`Call::on_response`] or
//! [`Call::on_failure`]. Time and randomness come from the adapter (milliseconds from any
//! monotonic clock, and a seed), so the machine is tested with a fake clock and behaves the
//! same over every transport.
//!
//! ```
//! use apify_core::call::{Action, Call, RetryPolicy};
//! use apify_core::encode::{Input, RunOptions, TaskId};
//!
//! let mut call = Call::start(TaskId::new("janedoe~my-task")?, &RunOptions::NONE, Input::EMPTY, RetryPolicy::DEFAULT, 42)
//!     .wait_ms(120_000);
//! let Action::Send { endpoint, timeout_ms } = call.next(0) else { panic!() };
//! assert_eq!(endpoint.method().as_str(), "POST");
//! assert_eq!(timeout_ms, 30_000);
//! // ...the adapter sends it and reports the response with `call.on_response(now, &response)`.
//! # Ok::<(), apify_core::encode::EncodeError>(())
//! ```

mod policy;

pub use policy::{Decision, Failure, RetryPolicy, TransportFailure};

use crate::encode::{Endpoint, Input, MAX_WAIT_FOR_FINISH_SECS, RunId, RunOptions, TaskId};
use crate::http::{HttpError, Outcome, Response};
use crate::model::{ApiError, ErrorType, Id, Run, RunStatus};

/// After a run start, a `GET` may answer 404 for a short while: it is retried this long.
pub const NOT_FOUND_GRACE_MS: u32 = 3_000;
/// Pause between polls (and between 404 retries), as the official clients do.
pub const POLL_PAUSE_MS: u32 = 250;

/// What the adapter does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'c> {
    /// Send this request and report the response; give up on it after `timeout_ms`
    /// (which covers the server's `waitForFinish` wait).
    Send {
        /// The request to send.
        endpoint: Endpoint<'c>,
        /// How long the attempt may take in all, in milliseconds.
        timeout_ms: u32,
    },
    /// Sleep this long, then ask again.
    Sleep {
        /// Milliseconds.
        ms: u32,
    },
    /// The call is over; the last response the adapter read holds the run or the error.
    Done(Finish),
}

/// How a call ended. Where a response is named, it is the last one the adapter read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// The run was started (no waiting asked); the last response is the new run.
    Started,
    /// The run reached a terminal status; the last response is the run.
    Terminal,
    /// The wait ended with the run still going; the last response is its latest state.
    DeadlineReached,
    /// The wait ended and the run was aborted; the last response is the aborted run.
    AbortedAtDeadline,
    /// A single `get`, `abort` or `last_run` succeeded; the last response is the run.
    Done,
    /// The API refused; the last response holds its error (status in the head).
    ApiError,
    /// An error status without the API's error body; the last response holds its prefix.
    HttpError,
    /// No usable response after the retries allowed.
    Transport(TransportFailure),
    /// A run start may or may not have happened (sent, then no answer, a 5xx, or an answer
    /// without a run ID). Check with [`Call::check_endpoint`] before starting again.
    OutcomeUnknown,
}

/// The run a call follows: given by the caller, or learned from the start's response.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RunRef<'a> {
    Unknown,
    Given(RunId<'a>),
    Learned(Id),
}

/// What a finished call leaves the caller: the run, or why there is none. The one place
/// that pairs a [`Finish`] with the last response, so adapters only translate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion<'r> {
    /// The call succeeded; `run` is from the last response.
    Run {
        /// The run as last seen.
        run: &'r Run,
        /// Why the call stopped.
        finish: Finish,
    },
    /// The API refused.
    ApiError {
        /// The HTTP status.
        status: u16,
        /// The API's error document.
        error: &'r ApiError,
    },
    /// An error status without the API's error body.
    HttpError {
        /// The HTTP status.
        status: u16,
        /// The body's first bytes.
        body_prefix: &'r [u8],
    },
    /// No usable response after the retries allowed.
    Transport(TransportFailure),
    /// A start may or may not have happened (see [`Finish::OutcomeUnknown`]); the status of
    /// the last answer, when there was one.
    OutcomeUnknown {
        /// The last answer's status (a 5xx, or a 2xx without a run ID), if any.
        status: Option<u16>,
    },
}

impl Finish {
    /// Pairs the finish with the last response the adapter read (`reader.finish()`).
    pub fn conclude<'r>(self, last: Result<Response<'r>, HttpError>) -> Conclusion<'r> {
        match (self, last) {
            (Finish::Transport(failure), _) => Conclusion::Transport(failure),
            (Finish::OutcomeUnknown, last) => {
                Conclusion::OutcomeUnknown { status: last.ok().map(|r| r.head.status) }
            }
            (_, Ok(response)) => match response.outcome {
                Outcome::Run(run) if !matches!(self, Finish::ApiError | Finish::HttpError) => {
                    Conclusion::Run { run, finish: self }
                }
                Outcome::ApiError(error) => Conclusion::ApiError { status: response.head.status, error },
                Outcome::HttpError { body_prefix } => {
                    Conclusion::HttpError { status: response.head.status, body_prefix }
                }
                Outcome::Run(_) => Conclusion::HttpError { status: response.head.status, body_prefix: &[] },
            },
            // The machine only succeeds or fails on a status after a readable response, so
            // this is a transport failure in all but name.
            (_, Err(_)) => Conclusion::Transport(TransportFailure::AfterSend),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Start,
    Poll,
    Abort,
    LastRun,
    Done(Finish),
}

/// A start-and-follow call, or a single operation on a run (see the module docs).
#[derive(Debug, Clone)]
pub struct Call<'a> {
    task: Option<TaskId<'a>>,
    options: &'a RunOptions<'a>,
    input: Input<'a>,
    policy: RetryPolicy,
    run: RunRef<'a>,
    phase: Phase,
    /// For `Poll`: a single `get` stops after the first answer.
    poll_once: bool,
    wait_ms: u32,
    abort_at_deadline: bool,
    deadline_ms: Option<u64>,
    /// When the run was known to exist (for the 404 grace).
    started_ms: Option<u64>,
    /// Attempts of the current request, and when its first attempt went out.
    attempt: u8,
    first_attempt_ms: u64,
    /// When the start was first refused for lack of resources: such waits have a budget of
    /// their own, and each one starts the ordinary attempts afresh.
    resources_since_ms: Option<u64>,
    /// No request before this time.
    resume_ms: u64,
    /// Waiting for the response to a request handed out by `next`.
    in_flight: bool,
    random: u32,
}

impl<'a> Call<'a> {
    fn with(phase: Phase, policy: RetryPolicy, seed: u32) -> Self {
        Self {
            task: None,
            options: &RunOptions::NONE,
            input: Input::EMPTY,
            policy,
            run: RunRef::Unknown,
            phase,
            poll_once: false,
            wait_ms: 0,
            abort_at_deadline: false,
            deadline_ms: None,
            started_ms: None,
            attempt: 0,
            first_attempt_ms: 0,
            resources_since_ms: None,
            resume_ms: 0,
            in_flight: false,
            // xorshift must not start at zero.
            random: seed | 1,
        }
    }

    /// Starts a run of `task`. Without [`wait_ms`](Self::wait_ms) the call ends once the run
    /// exists. The start itself is sent without `waitForFinish` unless `options` asks for
    /// it: a long request that drops midway leaves the start's outcome unknown, while
    /// polls are safe to repeat.
    pub fn start(
        task: TaskId<'a>,
        options: &'a RunOptions<'a>,
        input: Input<'a>,
        policy: RetryPolicy,
        seed: u32,
    ) -> Self {
        let mut call = Self::with(Phase::Start, policy, seed);
        call.task = Some(task);
        call.options = options;
        call.input = input;
        call
    }

    /// Follows an existing run until it ends or [`wait_ms`](Self::wait_ms) passes.
    pub fn wait_for(run: RunId<'a>, policy: RetryPolicy, seed: u32) -> Self {
        let mut call = Self::with(Phase::Poll, policy, seed);
        call.run = RunRef::Given(run);
        call
    }

    /// Fetches a run once.
    pub fn get(run: RunId<'a>, policy: RetryPolicy, seed: u32) -> Self {
        let mut call = Self::wait_for(run, policy, seed);
        call.poll_once = true;
        call
    }

    /// Aborts a run.
    pub fn abort(run: RunId<'a>, policy: RetryPolicy, seed: u32) -> Self {
        let mut call = Self::with(Phase::Abort, policy, seed);
        call.run = RunRef::Given(run);
        call
    }

    /// Fetches the task's most recent run once: how to settle an
    /// [`OutcomeUnknown`](Finish::OutcomeUnknown) start (compare its `startedAt` with the
    /// time of the attempt).
    pub fn last_run(task: TaskId<'a>, policy: RetryPolicy, seed: u32) -> Self {
        let mut call = Self::with(Phase::LastRun, policy, seed);
        call.task = Some(task);
        call
    }

    /// Waits up to `ms` for a terminal status (counted from the first [`next`](Self::next)).
    pub const fn wait_ms(mut self, ms: u32) -> Self {
        self.wait_ms = ms;
        self
    }

    /// Aborts the run when the wait ends before it does ("so credits aren't wasted").
    pub const fn abort_at_deadline(mut self, yes: bool) -> Self {
        self.abort_at_deadline = yes;
        self
    }

    /// The run's ID, once known.
    pub fn run_id(&self) -> Option<&str> {
        match &self.run {
            RunRef::Unknown => None,
            RunRef::Given(id) => Some(id.as_str()),
            RunRef::Learned(id) => Some(id.as_str()),
        }
    }

    /// The request that tells whether an unknown start happened: the task's last run
    /// (compare its `startedAt` with the time of the attempt).
    pub fn check_endpoint(&self) -> Option<Endpoint<'a>> {
        self.task.map(|task| Endpoint::last_task_run(task, None))
    }

    fn random(&mut self) -> u32 {
        let mut x = self.random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.random = x;
        x
    }

    /// The next thing to do, at time `now_ms`.
    pub fn next(&mut self, now_ms: u64) -> Action<'_> {
        if self.deadline_ms.is_none() {
            self.deadline_ms = Some(now_ms + self.wait_ms as u64);
        }
        if let Phase::Done(finish) = self.phase {
            return Action::Done(finish);
        }
        if now_ms < self.resume_ms {
            return Action::Sleep { ms: (self.resume_ms - now_ms).min(u32::MAX as u64) as u32 };
        }
        if self.attempt == 0 {
            self.first_attempt_ms = now_ms;
        }
        self.attempt = self.attempt.saturating_add(1);
        self.in_flight = true;
        let timeout = self.policy.attempt_timeout_ms;
        let (endpoint, wait_secs) = match self.phase {
            Phase::Start => {
                let Some(task) = self.task else {
                    self.phase = Phase::Done(Finish::OutcomeUnknown);
                    return Action::Done(Finish::OutcomeUnknown);
                };
                let wait = self.options.wait_for_finish_secs.unwrap_or(0);
                (Endpoint::run_task(task, self.options, self.input), wait)
            }
            Phase::Poll => {
                let remaining_ms = self.deadline_ms.unwrap_or(now_ms).saturating_sub(now_ms);
                let wait = if self.poll_once {
                    0
                } else {
                    (remaining_ms / 1000).min(MAX_WAIT_FOR_FINISH_SECS as u64) as u8
                };
                (Endpoint::get_run(self.run(), Some(wait)), wait)
            }
            Phase::Abort => (Endpoint::abort_run(self.run(), None), 0),
            Phase::LastRun => match self.check_endpoint() {
                Some(endpoint) => (endpoint, 0),
                None => unreachable_phase(),
            },
            Phase::Done(_) => unreachable_phase(),
        };
        Action::Send { endpoint, timeout_ms: timeout.saturating_add(wait_secs as u32 * 1000) }
    }

    fn run(&self) -> RunId<'_> {
        match &self.run {
            RunRef::Given(id) => *id,
            // Stored only after `RunId::new` accepted it.
            RunRef::Learned(id) => RunId::new(id.as_str()).unwrap_or(PLACEHOLDER_RUN),
            RunRef::Unknown => PLACEHOLDER_RUN,
        }
    }

    fn finish(&mut self, finish: Finish) {
        self.phase = Phase::Done(finish);
    }

    fn next_request(&mut self, phase: Phase, resume_ms: u64) {
        self.phase = phase;
        self.attempt = 0;
        self.resume_ms = resume_ms;
    }

    fn retry_or(&mut self, decision: Decision, now_ms: u64, otherwise: Finish) {
        match decision {
            // A failed poll is not retried past the caller's wait: the run is aborted if
            // asked, else the call ends with what stopped the poll.
            Decision::RetryAfterMs(ms) if self.waits_past_deadline(now_ms + ms as u64) => {
                if self.abort_at_deadline {
                    // The wait ends here.
                    self.deadline_ms = Some(now_ms);
                    self.next_request(Phase::Abort, now_ms);
                } else {
                    self.finish(otherwise);
                }
            }
            Decision::RetryAfterMs(ms) => self.resume_ms = now_ms + ms as u64,
            Decision::GiveUp => self.finish(otherwise),
            Decision::OutcomeUnknown => self.finish(Finish::OutcomeUnknown),
        }
    }

    /// Whether a poll sent at `at_ms` would come after the end of the caller's wait.
    fn waits_past_deadline(&self, at_ms: u64) -> bool {
        self.phase == Phase::Poll && !self.poll_once && self.deadline_ms.is_some_and(|d| at_ms >= d)
    }

    /// The request handed out by [`next`](Self::next) failed at the transport level.
    pub fn on_failure(&mut self, now_ms: u64, failure: TransportFailure) {
        if !core::mem::take(&mut self.in_flight) {
            return;
        }
        let idempotent = self.phase != Phase::Start;
        let elapsed = now_ms.saturating_sub(self.first_attempt_ms);
        let random = self.random();
        let decision =
            self.policy.decide(idempotent, Failure::Transport(failure), self.attempt, elapsed, random);
        self.retry_or(decision, now_ms, Finish::Transport(failure));
    }

    /// The request handed out by [`next`](Self::next) got this complete response.
    pub fn on_response(&mut self, now_ms: u64, response: &Response<'_>) {
        if !core::mem::take(&mut self.in_flight) {
            return;
        }
        let head = response.head;
        let status = match response.outcome {
            Outcome::Run(run) if head.is_success() => run.status.as_ref(),
            Outcome::ApiError(error) => {
                return self.on_error_status(now_ms, response, error.error_type.as_ref());
            }
            _ => return self.on_error_status(now_ms, response, None),
        };
        let terminal = status.is_some_and(RunStatus::is_terminal);
        match self.phase {
            Phase::Start => {
                let Outcome::Run(run) = response.outcome else { return };
                match run.id.as_ref().and_then(|id| id.complete()).map(RunId::new) {
                    Some(Ok(_)) => {}
                    // Created, but without an ID to follow: as good as unknown.
                    _ => return self.finish(Finish::OutcomeUnknown),
                }
                self.run = RunRef::Learned(run.id.clone().unwrap_or_default());
                self.started_ms = Some(now_ms);
                if terminal {
                    self.finish(Finish::Terminal);
                } else if self.wait_ms == 0 {
                    self.finish(Finish::Started);
                } else {
                    self.next_request(Phase::Poll, now_ms);
                }
            }
            Phase::Poll if self.poll_once => self.finish(Finish::Done),
            Phase::Poll if terminal => self.finish(Finish::Terminal),
            Phase::Poll if now_ms >= self.deadline_ms.unwrap_or(0) => {
                if self.abort_at_deadline {
                    self.next_request(Phase::Abort, now_ms);
                } else {
                    self.finish(Finish::DeadlineReached);
                }
            }
            Phase::Poll => self.next_request(Phase::Poll, now_ms + POLL_PAUSE_MS as u64),
            Phase::LastRun => self.finish(Finish::Done),
            Phase::Abort => {
                let waited = self.deadline_ms.is_some_and(|d| self.wait_ms > 0 && now_ms >= d);
                self.finish(if waited { Finish::AbortedAtDeadline } else { Finish::Done });
            }
            Phase::Done(_) => {}
        }
    }

    fn on_error_status(&mut self, now_ms: u64, response: &Response<'_>, error_type: Option<&ErrorType>) {
        let head = response.head;
        let api = matches!(response.outcome, Outcome::ApiError(_));
        // A run that was just started may not be visible yet: the official clients retry 404s.
        let young = self.started_ms.is_some_and(|t| now_ms < t + NOT_FOUND_GRACE_MS as u64);
        if self.phase == Phase::Poll && head.status == 404 && young {
            self.resume_ms = now_ms + POLL_PAUSE_MS as u64;
            self.attempt = 0;
            return;
        }
        let idempotent = self.phase != Phase::Start;
        let failure = Failure::Status { head, error_type };
        let resources = self.policy.waits_for_resources(idempotent, failure);
        let since =
            if resources { *self.resources_since_ms.get_or_insert(now_ms) } else { self.first_attempt_ms };
        let random = self.random();
        let decision =
            self.policy.decide(idempotent, failure, self.attempt, now_ms.saturating_sub(since), random);
        if resources {
            // The next attempt counts as a first one again.
            self.attempt = 0;
        }
        self.retry_or(decision, now_ms, if api { Finish::ApiError } else { Finish::HttpError });
    }
}

// `next` returns before matching a finished phase, and polls and aborts only run once an ID
// is known; these keep the machine total without a panic path.
const PLACEHOLDER_RUN: RunId<'static> = RunId::from_static("unknown-run");

fn unreachable_phase() -> (Endpoint<'static>, u8) {
    (Endpoint::get_run(PLACEHOLDER_RUN, Some(0)), 0)
}

#[cfg(test)]
mod tests;
