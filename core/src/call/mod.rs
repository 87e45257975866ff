//! The call sequence: which request to send next, when to wait, when to stop.
//!
//! A [`Call`] is a sans-IO state machine. The adapter asks it for the next [`Action`]
//! ([`Call::next`]), carries out a [`Send`](Action::Send) (encode, connect, write, read the
//! response through a [`ResponseReader`](crate::http::ResponseReader)) or a
//! [`Sleep`](Action::Sleep), and reports back with [`Call::on_response`] (what the reader made
//! of the answer, a response or why there was none) or [`Call::on_failure`] (what went wrong
//! at the socket, as a [`TransportFailure`]). Every decision is taken here: what a failure
//! means ([`failure`](TransportFailure::may_have_reached_server)), whether to retry
//! ([`RetryPolicy::decide`]), when to poll, abort or stop. Time and randomness come from the
//! adapter (milliseconds from any monotonic clock, and a seed), so the machine is tested with a
//! fake clock and behaves the same over every transport.
//!
//! # Time
//!
//! Without a wait, each request has the policy's budget (attempts, total time). With a wait
//! ([`Call::wait_ms`]), the wait bounds the whole call: no request is sent and no retry is
//! made after it ends, and every request but the abort is cut off when it ends (polls ask the
//! server to answer a second before). Only the start, whose outcome must not be left unknown
//! for want of time, and the abort at the deadline may take one attempt timeout longer: a call
//! with a wait ends within `wait + attempt_timeout_ms`.
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

mod failure;
mod policy;

pub use failure::{Cause, Stage, TransportFailure};
pub use policy::{
    Attempts, Decision, Failure, Jitter, NOT_FOUND_GRACE_MS, POLL_PAUSE_MS, READY_POLL_WAIT_SECS, RetryPolicy,
};

use core::fmt;

use crate::encode::{Endpoint, Input, MAX_WAIT_FOR_FINISH_SECS, RunId, RunOptions, TaskId};
use crate::http::{Outcome, ReadError, Response};
use crate::model::{ApiError, Id, Printable, Run, RunStatus};

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
        /// Why: for progress displays (see [`Progress`]).
        reason: SleepReason,
    },
    /// The call is over; the reader holds the last complete response (see [`Finish`]).
    Done(Finish),
}

/// Why a call pauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SleepReason {
    /// Between polls of a run that is still going.
    Poll,
    /// Before sending a failed request again ([`Call::last_failure`] says why it failed).
    Retry {
        /// The attempt that comes next (from 2).
        next_attempt: u8,
        /// Attempts the policy allows.
        max_attempts: u8,
    },
    /// Before asking again for something that is expected to come: a new run becoming
    /// visible, capacity for a run.
    Wait,
}

/// What an adapter shows a caller while a call goes on (the same in every adapter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress<'a> {
    /// A response carried the run in this state.
    Run(&'a Run),
    /// A request failed and will be sent again.
    Retry {
        /// Why it failed.
        reason: Conclusion<'a>,
        /// In how long.
        after_ms: u32,
        /// The attempt that comes next (from 2).
        next_attempt: u8,
        /// Attempts the policy allows.
        max_attempts: u8,
    },
}

/// How a call ended. Where a response is named, it is the last complete one the adapter
/// read: adapters reset their reader only when a new response starts to arrive, so a request
/// that got no answer leaves the previous one in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
    HttpStatus,
    /// No usable response after the retries allowed.
    Transport(TransportFailure),
    /// A run start may or may not have happened: sent, then no answer (the failure), a 5xx
    /// or an answer without a run ID (the last response). Check with
    /// [`Call::check_endpoint`] before starting again.
    OutcomeUnknown(Option<TransportFailure>),
}

/// The run a call follows: given by the caller, or learned from the start's response.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RunRef<'a> {
    Unknown,
    Given(RunId<'a>),
    Learned(Id),
}

/// What a finished call leaves the caller: the run, or why there is none. The one place
/// that pairs a [`Finish`] with the last response, so adapters only translate it; its
/// `Display` is the wording both adapters use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
        error: ApiError<'r>,
    },
    /// An error status without the API's error body.
    HttpStatus {
        /// The HTTP status.
        status: u16,
        /// The body's first bytes.
        body_prefix: &'r [u8],
    },
    /// No usable response after the retries allowed.
    Transport(TransportFailure),
    /// A start may or may not have happened (see [`Finish::OutcomeUnknown`]).
    OutcomeUnknown {
        /// The last answer's status (a 5xx, or a 2xx without a run ID), if there was one.
        status: Option<u16>,
        /// What happened to the request, if it got no answer.
        failure: Option<TransportFailure>,
    },
}

impl Finish {
    /// Pairs the finish with the last response the adapter read (`reader.finish()`).
    pub fn conclude<'r>(self, last: Result<Response<'r>, ReadError>) -> Conclusion<'r> {
        match (self, last) {
            (Finish::Transport(failure), _) => Conclusion::Transport(failure),
            (Finish::OutcomeUnknown(Some(failure)), _) => {
                Conclusion::OutcomeUnknown { status: None, failure: Some(failure) }
            }
            (Finish::OutcomeUnknown(None), last) => {
                Conclusion::OutcomeUnknown { status: last.ok().map(|r| r.head.status), failure: None }
            }
            (_, Ok(response)) => match response.outcome {
                Outcome::Run(run) if !matches!(self, Finish::ApiError | Finish::HttpStatus) => {
                    Conclusion::Run { run, finish: self }
                }
                Outcome::ApiError(error) => Conclusion::ApiError { status: response.head.status, error },
                Outcome::OtherBody { body_prefix } => {
                    Conclusion::HttpStatus { status: response.head.status, body_prefix }
                }
                Outcome::Run(_) => Conclusion::HttpStatus { status: response.head.status, body_prefix: &[] },
            },
            // The machine only ends on a status after a readable response, so this is a
            // response that broke after it was judged, or a reader given another response.
            (_, Err(_)) => Conclusion::Transport(TransportFailure::new(Stage::Read, Cause::Malformed)),
        }
    }
}

/// The sentence an adapter's error shows for each conclusion. Text from the server (error
/// messages, body prefixes, run IDs) is shown with control characters escaped, so a response
/// cannot move the cursor, retitle a terminal or forge a line.
impl fmt::Display for Conclusion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Run { run, finish } => {
                let id = run.id();
                let status = run.status();
                let id = id.as_ref().map_or("?", |t| t.as_str());
                let status = status.as_ref().map_or("UNKNOWN", RunStatus::as_str);
                write!(f, "run {} {}", Printable(id), Printable(status))?;
                if *finish == Finish::DeadlineReached {
                    f.write_str(" (still going when the wait ended)")?;
                }
                Ok(())
            }
            Self::ApiError { status, error } => write!(f, "API error {status} {error}"),
            Self::HttpStatus { status, body_prefix } => {
                write!(f, "HTTP {status} without an API error body")?;
                if !body_prefix.is_empty() {
                    let text = core::str::from_utf8(body_prefix).unwrap_or_else(|e| {
                        core::str::from_utf8(&body_prefix[..e.valid_up_to()]).unwrap_or("")
                    });
                    write!(f, ": \"{}\"", Printable(text))?;
                }
                Ok(())
            }
            Self::Transport(failure) => write!(f, "{failure}"),
            Self::OutcomeUnknown { status, failure } => {
                f.write_str("the start may or may not have created a run (")?;
                match (status, failure) {
                    (_, Some(failure)) => write!(f, "{failure}")?,
                    (Some(status), None) => write!(f, "the answer was HTTP {status}")?,
                    (None, None) => f.write_str("no usable answer")?,
                }
                f.write_str("); check the task's last run before starting it again")
            }
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
    /// The longest wait a poll asks the server for, in seconds.
    poll_wait_secs: u8,
    /// When the first `next` came (the call's start); the deadline is `wait_ms` later.
    begun_ms: Option<u64>,
    /// When this call created the run (for the 404 grace).
    created_ms: Option<u64>,
    /// Whether a response carried the run this call is about.
    seen_run: bool,
    /// Whether it was `READY` (not yet running) when last seen.
    seen_ready: bool,
    /// Counted attempts of the current request, and when its first attempt went out.
    attempt: u8,
    /// The delay before the current attempt, if it was a retry.
    last_delay_ms: u32,
    first_attempt_ms: u64,
    /// When the start was first refused for lack of resources: such waits have a budget of
    /// their own, and each one starts the ordinary attempts afresh.
    resources_since_ms: Option<u64>,
    /// No request before this time, and why.
    resume_ms: u64,
    sleep: SleepReason,
    /// How the last request failed at the transport, if it did.
    last_failure: Option<TransportFailure>,
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
            poll_wait_secs: MAX_WAIT_FOR_FINISH_SECS,
            begun_ms: None,
            created_ms: None,
            seen_run: false,
            seen_ready: false,
            attempt: 0,
            last_delay_ms: 0,
            first_attempt_ms: 0,
            resources_since_ms: None,
            resume_ms: 0,
            sleep: SleepReason::Poll,
            last_failure: None,
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

    /// Waits up to `ms` for a terminal status (counted from the first [`next`](Self::next));
    /// see "Time" in the module docs for what the wait bounds.
    pub const fn wait_ms(mut self, ms: u32) -> Self {
        self.wait_ms = ms;
        self
    }

    /// The longest wait a poll asks the server for (default and most: 60 s; while the run is
    /// `READY`, [`READY_POLL_WAIT_SECS`]). The server answers at once when the run ends;
    /// shorter waits also show its other status changes sooner, at the cost of more requests.
    pub const fn poll_wait_secs(mut self, secs: u8) -> Self {
        self.poll_wait_secs = if secs < MAX_WAIT_FOR_FINISH_SECS { secs } else { MAX_WAIT_FOR_FINISH_SECS };
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

    /// The ID of the run this call created, once the start succeeded. A call that then ends
    /// without the run it followed (an error while polling or aborting) leaves a run that
    /// exists: report this ID, never start the task again for it.
    pub fn created_run_id(&self) -> Option<&str> {
        match &self.run {
            RunRef::Learned(id) => Some(id.as_str()),
            _ => None,
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

    /// The end of the caller's wait, if there is one.
    fn deadline(&self) -> Option<u64> {
        let begun = self.begun_ms?;
        (self.wait_ms > 0 && !self.poll_once).then(|| begun + self.wait_ms as u64)
    }

    /// The next thing to do, at time `now_ms`.
    pub fn next(&mut self, now_ms: u64) -> Action<'_> {
        self.begun_ms.get_or_insert(now_ms);
        if let Phase::Done(finish) = self.phase {
            return Action::Done(finish);
        }
        if now_ms < self.resume_ms {
            let ms = (self.resume_ms - now_ms).min(u32::MAX as u64) as u32;
            return Action::Sleep { ms, reason: self.sleep };
        }
        if self.attempt == 0 {
            self.first_attempt_ms = now_ms;
        }
        self.attempt = self.attempt.saturating_add(1);
        self.in_flight = true;
        let attempt_ms = self.policy.attempt_timeout_ms;
        let deadline = self.deadline();
        // Time to the deadline, or for the start and the abort one attempt past it (see the
        // module docs).
        let left = |extra: u32| deadline.map(|d| (d + extra as u64).saturating_sub(now_ms));
        let (endpoint, timeout_ms) = match self.phase {
            Phase::Start => {
                let Some(task) = self.task else {
                    self.phase = Phase::Done(Finish::OutcomeUnknown(None));
                    return Action::Done(Finish::OutcomeUnknown(None));
                };
                let server_wait = self.options.wait_for_finish_secs.unwrap_or(0) as u32 * 1000;
                let timeout = cap(attempt_ms.saturating_add(server_wait), left(attempt_ms));
                (Endpoint::run_task(task, self.options, self.input), timeout)
            }
            Phase::Poll => {
                // The server answers a second before the deadline, so its answer arrives
                // in time.
                let most = match self.seen_ready {
                    true => self.poll_wait_secs.min(READY_POLL_WAIT_SECS),
                    false => self.poll_wait_secs,
                };
                let server_wait = match (left(0), self.poll_once) {
                    (Some(left), false) => (left.saturating_sub(1000) / 1000).min(most as u64),
                    _ => 0,
                } as u8;
                let timeout = cap(attempt_ms.saturating_add(server_wait as u32 * 1000), left(0));
                (Endpoint::get_run(self.run(), Some(server_wait)), timeout)
            }
            Phase::Abort => (Endpoint::abort_run(self.run(), None), cap(attempt_ms, left(attempt_ms))),
            Phase::LastRun => match self.check_endpoint() {
                Some(endpoint) => (endpoint, attempt_ms),
                None => (Endpoint::get_run(PLACEHOLDER_RUN, Some(0)), attempt_ms),
            },
            Phase::Done(_) => (Endpoint::get_run(PLACEHOLDER_RUN, Some(0)), attempt_ms),
        };
        Action::Send { endpoint, timeout_ms }
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
        self.last_delay_ms = 0;
        self.resume_ms = resume_ms;
        self.sleep = SleepReason::Poll;
    }

    /// Why the last request failed, for a [`Progress::Retry`]: the transport failure, or
    /// else what the last response said (`reader.finish()`).
    pub fn last_failure<'r>(&self, last: Result<Response<'r>, ReadError>) -> Conclusion<'r> {
        match self.last_failure {
            Some(failure) => Conclusion::Transport(failure),
            None => Finish::ApiError.conclude(last),
        }
    }

    /// The wait is over: abort the run if asked and it was seen going, else end with
    /// `finish` (the run as last seen, or what stopped the request that was to show it).
    fn wait_over(&mut self, now_ms: u64, finish: Finish) {
        if self.seen_run && self.abort_at_deadline && matches!(self.phase, Phase::Poll) {
            self.next_request(Phase::Abort, now_ms);
        } else {
            self.finish(finish);
        }
    }

    /// Applies the policy's decision on a failure of the request in flight.
    fn after_failure(&mut self, now_ms: u64, failure: Failure<'_>, otherwise: Finish) {
        let limit = self.deadline().map(|d| match self.phase {
            // The abort has one attempt past the deadline (see the module docs).
            Phase::Abort => d + self.policy.attempt_timeout_ms as u64,
            _ => d,
        });
        let history = Attempts {
            idempotent: !matches!(self.phase, Phase::Start),
            attempt: self.attempt,
            elapsed_ms: now_ms.saturating_sub(self.first_attempt_ms),
            resource_wait_ms: self.resources_since_ms.map(|t| now_ms.saturating_sub(t)),
            since_created_ms: self.created_ms.map(|t| now_ms.saturating_sub(t)),
            time_left_ms: limit.map(|l| l.saturating_sub(now_ms)),
            last_delay_ms: self.last_delay_ms,
            random: self.random(),
        };
        match self.policy.decide(failure, &history) {
            Decision::RetryAfterMs(ms) => {
                self.resume_ms = now_ms + ms as u64;
                self.last_delay_ms = ms;
                let next_attempt = self.attempt.saturating_add(1);
                self.sleep = SleepReason::Retry { next_attempt, max_attempts: self.policy.max_attempts };
            }
            Decision::WaitAfterMs(ms) => {
                self.sleep = SleepReason::Wait;
                if matches!(self.phase, Phase::Start) {
                    self.resources_since_ms.get_or_insert(now_ms);
                }
                self.attempt = 0;
                self.last_delay_ms = 0;
                self.resume_ms = now_ms + ms as u64;
            }
            Decision::GiveUp => self.finish(otherwise),
            Decision::OutOfTime => self.wait_over(now_ms, otherwise),
            Decision::OutcomeUnknown => self.finish(Finish::OutcomeUnknown(match failure {
                Failure::Transport(failure) => Some(failure),
                Failure::Status { .. } => None,
            })),
        }
    }

    /// The request handed out by [`next`](Self::next) failed at the transport level.
    pub fn on_failure(&mut self, now_ms: u64, failure: TransportFailure) {
        if !core::mem::take(&mut self.in_flight) {
            return;
        }
        self.last_failure = Some(failure);
        self.after_failure(now_ms, Failure::Transport(failure), Finish::Transport(failure));
    }

    /// The request handed out by [`next`](Self::next) got an answer: `reader.finish()`, a
    /// complete response or why the bytes that came were not one.
    pub fn on_response(&mut self, now_ms: u64, response: Result<Response<'_>, ReadError>) {
        let response = match response {
            Ok(response) => response,
            Err(_) => return self.on_failure(now_ms, TransportFailure::new(Stage::Read, Cause::Malformed)),
        };
        if !self.in_flight {
            return;
        }
        self.last_failure = None;
        let head = response.head;
        let run = match response.outcome {
            Outcome::Run(run) if head.is_success() => run,
            Outcome::ApiError(error) => {
                self.in_flight = false;
                let error_type = error.error_type();
                let failure = Failure::Status { head, error_type: error_type.as_ref() };
                return self.after_failure(now_ms, failure, Finish::ApiError);
            }
            _ => {
                self.in_flight = false;
                return self.after_failure(
                    now_ms,
                    Failure::Status { head, error_type: None },
                    Finish::HttpStatus,
                );
            }
        };
        // An answer about another run than the one asked for is not an answer.
        let asked = match self.phase {
            Phase::Poll | Phase::Abort => Some(self.run()),
            _ => None,
        };
        if let Some(asked) = asked {
            if run.id().is_some_and(|id| id.as_str() != asked.as_str() || id.is_truncated()) {
                return self.on_failure(now_ms, TransportFailure::new(Stage::Read, Cause::WrongRun));
            }
        }
        self.in_flight = false;
        self.seen_ready = run.status() == Some(RunStatus::Ready);
        let terminal = run.is_terminal();
        let past_deadline = self.deadline().is_some_and(|d| now_ms >= d);
        match self.phase {
            Phase::Start => {
                let Some(id) = run.id().and_then(|id| id.complete()).filter(|id| RunId::new(id).is_ok())
                else {
                    // Created, but without an ID to follow: as good as unknown.
                    return self.finish(Finish::OutcomeUnknown(None));
                };
                self.run = RunRef::Learned(Id::from_str_truncating(id));
                self.created_ms = Some(now_ms);
                self.seen_run = true;
                if terminal {
                    self.finish(Finish::Terminal);
                } else if self.wait_ms == 0 {
                    self.finish(Finish::Started);
                } else if past_deadline {
                    self.wait_over(now_ms, Finish::DeadlineReached);
                } else {
                    self.next_request(Phase::Poll, now_ms);
                }
            }
            Phase::Poll => {
                self.seen_run = true;
                if self.poll_once {
                    self.finish(Finish::Done);
                } else if terminal {
                    self.finish(Finish::Terminal);
                } else if past_deadline || self.deadline().is_some_and(|d| now_ms + POLL_PAUSE_MS as u64 >= d)
                {
                    self.wait_over(now_ms, Finish::DeadlineReached);
                } else {
                    self.next_request(Phase::Poll, now_ms + POLL_PAUSE_MS as u64);
                }
            }
            Phase::LastRun => self.finish(Finish::Done),
            Phase::Abort => {
                let waited = self.deadline().is_some_and(|d| now_ms >= d);
                self.finish(if waited { Finish::AbortedAtDeadline } else { Finish::Done });
            }
            Phase::Done(_) => {}
        }
    }
}

/// `timeout` cut to the time `left`, if any (at least 1 ms: zero means "no limit" to some
/// HTTP libraries).
fn cap(timeout: u32, left: Option<u64>) -> u32 {
    match left {
        Some(left) => (timeout as u64).min(left).max(1) as u32,
        None => timeout,
    }
}

// `next` returns before matching a finished phase, and polls and aborts only run once an ID
// is known; these keep the machine total without a panic path.
const PLACEHOLDER_RUN: RunId<'static> = RunId::from_static("unknown-run");

#[cfg(test)]
mod tests;
