//! The one place that decides whether a failed request is sent again, and after how long.

use super::failure::TransportFailure;
use crate::http::{ResponseHead, RetryAfter};
use crate::model::ErrorType;

/// After a run start, a `GET` may answer 404 for a short while: it is retried this long.
pub const NOT_FOUND_GRACE_MS: u32 = 3_000;
/// Pause between polls (and between 404 retries), as the official clients do.
pub const POLL_PAUSE_MS: u32 = 250;
/// The longest wait a poll asks for while the run is `READY`: the server answers a wait early
/// only when the run ends, and `READY` lasts seconds, so short polls see `RUNNING` within a
/// second of it (for progress displays) at the cost of a request or two.
pub const READY_POLL_WAIT_SECS: u8 = 1;

/// Why a request failed, as the policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'e> {
    /// No usable response (see [`TransportFailure`]).
    Transport(TransportFailure),
    /// A complete response with an error status.
    Status {
        /// The response head (status, `Retry-After`).
        head: &'e ResponseHead,
        /// The API's error type, when the body was the API's error document.
        error_type: Option<&'e ErrorType>,
    },
}

/// Everything besides the failure that a decision depends on: the request and its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    /// Whether sending the request twice is harmless (false only for a run start).
    pub idempotent: bool,
    /// Counted attempts of this request so far, the failed one included (from 1).
    pub attempt: u8,
    /// Milliseconds since the request's first counted attempt.
    pub elapsed_ms: u64,
    /// Milliseconds since the start was first refused for lack of resources, if it was.
    pub resource_wait_ms: Option<u64>,
    /// Milliseconds since the run this request is about was created, when the same call
    /// created it (a new run may answer 404 for a moment).
    pub since_created_ms: Option<u64>,
    /// Milliseconds left until the last moment a retry may be sent (the end of the caller's
    /// wait), if there is such a moment.
    pub time_left_ms: Option<u64>,
    /// The delay before the failed attempt, if it was a retry (0 for the first attempt); what
    /// [`Jitter::Decorrelated`] grows from.
    pub last_delay_ms: u32,
    /// A random number, for the jitter.
    pub random: u32,
}

impl Attempts {
    /// The first attempt of a request, with no history and no deadline.
    pub const fn first(idempotent: bool) -> Self {
        Self {
            idempotent,
            attempt: 1,
            elapsed_ms: 0,
            resource_wait_ms: None,
            since_created_ms: None,
            time_left_ms: None,
            last_delay_ms: 0,
            random: 0,
        }
    }
}

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send the same request again after this many milliseconds; this counts as an attempt.
    RetryAfterMs(u32),
    /// Send the same request again after this many milliseconds, as a first attempt: what it
    /// waits for is expected to come (a new run becoming visible, capacity for a run).
    WaitAfterMs(u32),
    /// Stop: the failure is final, or the attempts or time this policy allows are used up.
    GiveUp,
    /// Stop: a retry would come after the caller's deadline.
    OutOfTime,
    /// Stop: a run start may or may not have happened. Check the task's last run before
    /// starting again.
    OutcomeUnknown,
}

/// How the delays between attempts are spread, so that clients that failed together do not
/// all retry together (see "Exponential Backoff And Jitter", AWS Architecture Blog). With `n`
/// the attempt that failed and `base`, `cap` the policy's first and largest delay:
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Jitter {
    /// `base × multiplier^(n-1)` times a random factor in [1, 2): the official clients' backoff.
    Proportional,
    /// A random delay in [0, `base × multiplier^(n-1)`] ("full jitter").
    Full,
    /// A random delay in [`base`, 3 × the previous delay] ("decorrelated jitter").
    Decorrelated,
}

/// Retry and backoff settings, and the decision table ([`decide`](Self::decide)).
///
/// The defaults follow the official clients: the documented backoff (500 ms, doubling,
/// random factor in [1, 2)), and `Retry-After` in seconds honoured as the earliest time, with
/// the backoff added on top (so that a fleet told the same time spreads out). An
/// HTTP-date `Retry-After` would need the response's `Date`, which is not kept: the backoff
/// applies instead.
///
/// ```
/// use apify_core::call::{Attempts, Cause, Decision, Failure, RetryPolicy, Stage, TransportFailure};
///
/// let policy = RetryPolicy::DEFAULT;
/// let start = Attempts::first(false);
/// // A run start that never reached the server is safe to repeat...
/// let refused = Failure::Transport(TransportFailure::new(Stage::Connect, Cause::Refused));
/// assert!(matches!(policy.decide(refused, &start), Decision::RetryAfterMs(500..=999)));
/// // ...but one that was sent and then timed out is not.
/// let lost = Failure::Transport(TransportFailure::new(Stage::Read, Cause::Timeout));
/// assert_eq!(policy.decide(lost, &start), Decision::OutcomeUnknown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Time one attempt may take, on top of the server's `waitForFinish`.
    pub attempt_timeout_ms: u32,
    /// Attempts per request, the first included.
    pub max_attempts: u8,
    /// Total time for one request's attempts, sleeps included, in milliseconds.
    pub max_total_ms: u32,
    /// The first backoff delay (before the jitter).
    pub base_delay_ms: u32,
    /// Each later delay is this many times the one before (before the jitter): 2 doubles.
    pub multiplier: u8,
    /// Cap on any single delay. A `Retry-After` asking for longer ends the retries at once.
    pub max_delay_ms: u32,
    /// Retry a run start refused with 402 `actor-memory-limit-exceeded` or
    /// `concurrent-runs-limit-exceeded` (the official clients' `wait_for_resources`).
    pub wait_for_resources: bool,
    /// The shortest pause between such retries. Each pause is half the time waited so far
    /// (at least this, at most `max_delay_ms`) times a random factor in [1, 2).
    pub resource_retry_ms: u32,
    /// How long to wait for resources in all.
    pub max_resource_wait_ms: u32,
    /// How the backoff's delays are spread.
    pub jitter: Jitter,
    /// Wait at least what a 429's `Retry-After` asks (plus the backoff); `false` uses the
    /// backoff alone.
    pub honour_retry_after: bool,
}

impl RetryPolicy {
    /// 30 s per attempt, 6 attempts within 2 minutes, 500 ms first delay, 30 s cap; no
    /// waiting for resources.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        attempt_timeout_ms: 30_000,
        max_attempts: 6,
        max_total_ms: 120_000,
        base_delay_ms: 500,
        multiplier: 2,
        max_delay_ms: 30_000,
        wait_for_resources: false,
        resource_retry_ms: 10_000,
        max_resource_wait_ms: 600_000,
        jitter: Jitter::Proportional,
        honour_retry_after: true,
    };

    /// Never retry.
    pub const NONE: RetryPolicy = RetryPolicy { max_attempts: 1, ..Self::DEFAULT };

    /// For a device in a fleet, where thousands may start the same task in the same second
    /// (a power cut ends, a firmware push lands). Chosen with the fleet simulation (`sim/`,
    /// the README's "A fleet of 100,000 devices"): full jitter over windows that grow
    /// fourfold (0.5, 2, 8, 32, then 60 s), 30 attempts within 30 minutes, and waits for
    /// capacity (402) for up to an hour. 100,000 devices booting within one second all
    /// start, each exactly once, the 99th percentile within 1.08 times the time the rate
    /// limit allows at best (270 s for 250 s), with 7.2 start requests each on average; with
    /// [`DEFAULT`](Self::DEFAULT) 88 % of them give up. The price: a fleet of 10,000 waits
    /// longer for its last starts (68 s for 25 s at best) than with doubling delays (40 s).
    ///
    /// ```
    /// use apify_core::call::{Jitter, RetryPolicy};
    ///
    /// let policy = RetryPolicy::FLEET;
    /// assert_eq!((policy.jitter, policy.multiplier, policy.max_delay_ms), (Jitter::Full, 4, 60_000));
    /// assert!(policy.wait_for_resources);
    /// ```
    pub const FLEET: RetryPolicy = RetryPolicy {
        max_attempts: 30,
        max_total_ms: 1_800_000,
        multiplier: 4,
        max_delay_ms: 60_000,
        wait_for_resources: true,
        max_resource_wait_ms: 3_600_000,
        jitter: Jitter::Full,
        ..Self::DEFAULT
    };

    /// The delay before attempt `attempt + 1` (attempts count from 1), spread by the
    /// policy's [`Jitter`] with `random`, capped at `max_delay_ms`. `last_delay_ms` is the
    /// delay before the failed attempt (what decorrelated jitter grows from).
    pub fn backoff_ms(&self, attempt: u8, last_delay_ms: u32, random: u32) -> u32 {
        let mut delay = self.base_delay_ms as u64;
        for _ in 1..attempt {
            if delay >= self.max_delay_ms as u64 {
                break;
            }
            delay *= self.multiplier as u64;
        }
        self.spread(delay, last_delay_ms, random)
    }

    /// `window` spread by the policy's [`Jitter`], capped at `max_delay_ms`.
    fn spread(&self, window: u64, last_delay_ms: u32, random: u32) -> u32 {
        let fraction = |span: u64| fraction(span, random);
        let jittered = match self.jitter {
            Jitter::Proportional => window + fraction(window),
            Jitter::Full => fraction(window + 1),
            Jitter::Decorrelated => {
                let base = self.base_delay_ms as u64;
                let high = (last_delay_ms as u64).max(base) * 3;
                base + fraction(high - base)
            }
        };
        jittered.min(self.max_delay_ms as u64) as u32
    }

    /// Decides what follows a failure. The whole table:
    ///
    /// | failure | idempotent request | run start |
    /// |---|---|---|
    /// | transport, request not sent whole (resolve, connect, TLS, write) | backoff | backoff |
    /// | transport, TLS identity refused | give up | give up |
    /// | transport, after the whole request was sent | backoff | outcome unknown |
    /// | 404 within [`NOT_FOUND_GRACE_MS`] of the run's creation | wait [`POLL_PAUSE_MS`] | – |
    /// | 429 | `Retry-After` plus backoff, or backoff | the same |
    /// | 402 capacity, `wait_for_resources` | give up | wait (growing from `resource_retry_ms`), own budget |
    /// | 5xx | backoff | outcome unknown |
    /// | any other status | give up | give up |
    ///
    /// A backoff or `Retry-After` stops the retries when the attempts or the total time are
    /// used up, or when it is longer than `max_delay_ms`; any retry that would come after
    /// `time_left_ms` is [`Decision::OutOfTime`].
    pub fn decide(&self, failure: Failure<'_>, history: &Attempts) -> Decision {
        let hint_ms = match failure {
            Failure::Transport(failure) => {
                if failure.may_have_reached_server() && !history.idempotent {
                    return Decision::OutcomeUnknown;
                }
                if !failure.is_transient() {
                    return Decision::GiveUp;
                }
                None
            }
            Failure::Status { head, error_type } => match head.status {
                404 if history.idempotent
                    && history.since_created_ms.is_some_and(|ms| ms < NOT_FOUND_GRACE_MS as u64) =>
                {
                    return Self::wait(POLL_PAUSE_MS, history);
                }
                429 => match head.retry_after() {
                    Some(RetryAfter::Seconds(s)) if self.honour_retry_after => Some(s as u64 * 1000),
                    _ => None,
                },
                402 if !history.idempotent
                    && self.wait_for_resources
                    && error_type.is_some_and(ErrorType::is_capacity_limit) =>
                {
                    let waited = history.resource_wait_ms.unwrap_or(0);
                    if waited + self.resource_retry_ms as u64 > self.max_resource_wait_ms as u64 {
                        return Decision::GiveUp;
                    }
                    // Longer the longer the wait (half of it so far, up to the longest
                    // delay), times a random factor in [1, 2): a fleet waiting for capacity
                    // must not come back all at once every 10 s for as long as the wall
                    // stands (the fleet simulation: 36 requests per device down to 8).
                    let retry = self.resource_retry_ms as u64;
                    let pause = (waited / 2).clamp(retry, retry.max(self.max_delay_ms as u64));
                    return Self::wait((pause + fraction(pause, history.random)) as u32, history);
                }
                500..=599 if !history.idempotent => return Decision::OutcomeUnknown,
                500..=599 => None,
                _ => return Decision::GiveUp,
            },
        };
        if history.attempt >= self.max_attempts {
            return Decision::GiveUp;
        }
        let backoff = self.backoff_ms(history.attempt, history.last_delay_ms, history.random);
        let delay = match hint_ms {
            Some(hint) if hint > self.max_delay_ms as u64 => return Decision::GiveUp,
            // The server's earliest time, then the backoff's spread on top: a fleet told the
            // same `Retry-After` must not come back in the same millisecond (the fleet
            // simulation measured 100,000 devices in lockstep otherwise), and a
            // `Retry-After: 0` from a busy server must not turn into a burst.
            Some(hint) => (hint + backoff as u64).min(hint.max(self.max_delay_ms as u64)) as u32,
            None => backoff,
        };
        if history.elapsed_ms + delay as u64 > self.max_total_ms as u64 {
            return Decision::GiveUp;
        }
        match Self::wait(delay, history) {
            Decision::WaitAfterMs(ms) => Decision::RetryAfterMs(ms),
            other => other,
        }
    }

    /// A pause of `ms`, unless it ends past the time left.
    fn wait(ms: u32, history: &Attempts) -> Decision {
        if history.time_left_ms.is_some_and(|left| ms as u64 >= left) {
            Decision::OutOfTime
        } else {
            Decision::WaitAfterMs(ms)
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A random part of `span`: `span` times a fraction in [0, 1) taken from the high 16 bits of
/// `random` (the better bits of a shift-register generator).
fn fraction(span: u64, random: u32) -> u64 {
    span * (random as u64 >> 16) / 65_536
}
