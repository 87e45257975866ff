//! The one place that decides what may be retried, and after how long.

use crate::http::{ResponseHead, RetryAfter};
use crate::model::ErrorType;

/// How a request failed before a complete response arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// No connection was made (name lookup, refused, connect timeout). The server has not
    /// seen the request.
    Connect,
    /// The connection failed before the whole request was written. The server cannot have
    /// acted on a request whose body it never received.
    Send,
    /// The request was sent, then the response did not arrive whole (timeout, reset,
    /// truncated or garbled reply). The server may have acted on it.
    AfterSend,
}

/// Why a request failed, as the policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'e> {
    /// The transport failed.
    Transport(TransportFailure),
    /// A complete response with an error status.
    Status {
        /// The response head (status, `Retry-After`).
        head: &'e ResponseHead,
        /// The API's error type, when the body was the API's error document.
        error_type: Option<&'e ErrorType>,
    },
}

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send the same request again after this many milliseconds.
    RetryAfterMs(u32),
    /// Stop: the failure is final, or the attempts or time allowed are used up.
    GiveUp,
    /// Stop: a run start may or may not have happened. Check the task's last run before
    /// starting again.
    OutcomeUnknown,
}

/// Retry and backoff settings. The defaults follow the official clients: the documented
/// backoff (500 ms, doubling, random factor in [1, 2)), `Retry-After` in seconds honoured. An
/// HTTP-date `Retry-After` would need the response's `Date`, which is not kept: the backoff
/// applies instead.
///
/// ```
/// use apify_core::call::{Decision, Failure, RetryPolicy, TransportFailure};
///
/// let policy = RetryPolicy::DEFAULT;
/// // A run start that never reached the server is safe to repeat...
/// let d = policy.decide(false, Failure::Transport(TransportFailure::Connect), 1, 0, 0);
/// assert!(matches!(d, Decision::RetryAfterMs(500..=999)));
/// // ...but one that was sent and then timed out is not.
/// assert_eq!(policy.decide(false, Failure::Transport(TransportFailure::AfterSend), 1, 0, 0), Decision::OutcomeUnknown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Time one attempt may take, on top of the server's `waitForFinish`.
    pub attempt_timeout_ms: u32,
    /// Attempts per request, the first included.
    pub max_attempts: u8,
    /// Total time for one request's attempts, sleeps included, in milliseconds.
    pub max_total_ms: u32,
    /// The first backoff delay; each later one doubles (before the random factor).
    pub base_delay_ms: u32,
    /// Cap on any single delay, `Retry-After` included.
    pub max_delay_ms: u32,
    /// Retry a run start refused with 402 `actor-memory-limit-exceeded` or
    /// `concurrent-runs-limit-exceeded` (the official clients' `wait_for_resources`).
    pub wait_for_resources: bool,
    /// Pause between such retries.
    pub resource_retry_ms: u32,
    /// How long to wait for resources in all.
    pub max_resource_wait_ms: u32,
}

impl RetryPolicy {
    /// 30 s per attempt, 6 attempts within 2 minutes, 500 ms first delay, 30 s cap; no
    /// waiting for resources.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        attempt_timeout_ms: 30_000,
        max_attempts: 6,
        max_total_ms: 120_000,
        base_delay_ms: 500,
        max_delay_ms: 30_000,
        wait_for_resources: false,
        resource_retry_ms: 10_000,
        max_resource_wait_ms: 600_000,
    };

    /// Never retry.
    pub const NONE: RetryPolicy = RetryPolicy { max_attempts: 1, ..Self::DEFAULT };

    /// The delay before attempt `attempt + 1` (attempts count from 1): `base × 2^(attempt-1)`
    /// times a factor in [1, 2) taken from `random`, capped at `max_delay_ms`.
    pub fn backoff_ms(&self, attempt: u8, random: u32) -> u32 {
        let doublings = attempt.saturating_sub(1).min(20) as u32;
        let delay = (self.base_delay_ms as u64) << doublings;
        let jittered = delay + (delay * (random as u64 >> 16)) / 65_536;
        jittered.min(self.max_delay_ms as u64) as u32
    }

    /// Whether `failure` is a run start refused for lack of resources (402
    /// `actor-memory-limit-exceeded` or `concurrent-runs-limit-exceeded`) that this policy
    /// waits out. Such waits have their own budget (`max_resource_wait_ms`), apart from the
    /// attempts and time allowed for other failures.
    pub fn waits_for_resources(&self, idempotent: bool, failure: Failure<'_>) -> bool {
        let Failure::Status { head, error_type } = failure else { return false };
        !idempotent
            && self.wait_for_resources
            && head.status == 402
            && error_type.is_some_and(ErrorType::is_capacity_limit)
    }

    /// Decides what follows failure number `attempt` of a request sent first `elapsed_ms`
    /// ago (for a wait for resources, see [`waits_for_resources`](Self::waits_for_resources):
    /// the time spent waiting for them). `idempotent` is false only for a run start: sending
    /// it twice could start two runs.
    pub fn decide(
        &self,
        idempotent: bool,
        failure: Failure<'_>,
        attempt: u8,
        elapsed_ms: u64,
        random: u32,
    ) -> Decision {
        let retryable = match failure {
            Failure::Transport(TransportFailure::Connect | TransportFailure::Send) => true,
            Failure::Transport(TransportFailure::AfterSend) => {
                if !idempotent {
                    return Decision::OutcomeUnknown;
                }
                true
            }
            Failure::Status { head, .. } => match head.status {
                429 => true,
                402 if self.waits_for_resources(idempotent, failure) => {
                    return self.resource_retry(elapsed_ms);
                }
                500..=599 if !idempotent => return Decision::OutcomeUnknown,
                500..=599 => true,
                _ => false,
            },
        };
        if !retryable || attempt >= self.max_attempts {
            return Decision::GiveUp;
        }
        let hinted = match failure {
            Failure::Status {
                head: ResponseHead { retry_after: Some(RetryAfter::Seconds(s)), .. }, ..
            } => Some((*s as u64 * 1000).min(self.max_delay_ms as u64) as u32),
            _ => None,
        };
        let delay = hinted.unwrap_or_else(|| self.backoff_ms(attempt, random));
        if elapsed_ms + delay as u64 > self.max_total_ms as u64 {
            return Decision::GiveUp;
        }
        Decision::RetryAfterMs(delay)
    }

    fn resource_retry(&self, elapsed_ms: u64) -> Decision {
        if elapsed_ms + self.resource_retry_ms as u64 > self.max_resource_wait_ms as u64 {
            Decision::GiveUp
        } else {
            Decision::RetryAfterMs(self.resource_retry_ms)
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}
