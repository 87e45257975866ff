//! A model of the Apify API as a fleet meets it: rate limits, the account's capacity for
//! concurrent runs, run durations, and faults.
//!
//! It answers requests at the moment they arrive and says when the answer reaches the device.
//! What it models, and what it leaves out:
//!
//! - **Rate limits**: a token bucket per task for run starts (400 requests per second, one
//!   second of burst; beyond it, 429 `rate-limit-exceeded`, with a `Retry-After` if
//!   configured), and one for every request of the account (250,000 per minute). Each device
//!   polls only its own run, so the per-run limit (60 per second) is never reached and is left
//!   out. A refused request takes no token.
//! - **Capacity**: at most `concurrent_runs` runs at once; a start beyond it gets 402
//!   `actor-memory-limit-exceeded` until a run finishes.
//! - **Runs**: `READY` for `ready_ms`, then `RUNNING`, then `SUCCEEDED` after a duration drawn
//!   from `run_ms`. A poll with `waitForFinish` is held until the run ends or the wait does.
//! - **Faults**, each at its own rate per request: the connection refused; reset after the
//!   request was sent but before the server read it (nothing happens); reset after a start
//!   created its run (the run exists, the answer is lost); the answer lost (the device times
//!   out, the server did the work); a 503 before any work. And an outage: every connection
//!   refused for a time.

use crate::rng::Rng;

/// A `Retry-After` the model sends with its 429s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerRetryAfter {
    /// None (the API's documentation does not promise one).
    Absent,
    /// This many seconds, always.
    Seconds(u32),
}

/// Fault rates, each a probability per request (0 to 1).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Faults {
    /// The connection is refused (nothing was sent).
    pub refused: f64,
    /// The connection is reset after the request was written, before the server read it.
    pub reset_before_read: f64,
    /// The connection is reset after a start created its run.
    pub reset_after_create: f64,
    /// The answer is lost after the server did the work; the device times out.
    pub lost_answer: f64,
    /// A 503 before any work.
    pub server_error: f64,
}

/// The model's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiConfig {
    /// Run starts per second per task.
    pub start_limit_per_s: u32,
    /// Requests per minute per account.
    pub account_limit_per_min: u32,
    /// What a 429 carries.
    pub retry_after: ServerRetryAfter,
    /// Runs at once before 402, if capped.
    pub concurrent_runs: Option<u32>,
    /// A run's duration, drawn uniformly from this range (milliseconds).
    pub run_ms: (u64, u64),
    /// How long a new run is `READY`.
    pub ready_ms: u64,
    /// Round trip between a device and the API.
    pub rtt_ms: u64,
    /// Fault rates.
    pub faults: Faults,
    /// Every connection is refused from the first to the second time (milliseconds).
    pub outage_ms: Option<(u64, u64)>,
    /// The seed of the model's own draws (faults, durations).
    pub seed: u64,
}

impl ApiConfig {
    /// The API as documented: 400 starts per second per task, 250,000 requests per minute,
    /// no `Retry-After`, no capacity cap, runs of 30 to 120 s, 100 ms round trips, no faults.
    pub const DOCUMENTED: ApiConfig = ApiConfig {
        start_limit_per_s: 400,
        account_limit_per_min: 250_000,
        retry_after: ServerRetryAfter::Absent,
        concurrent_runs: None,
        run_ms: (30_000, 120_000),
        ready_ms: 2_000,
        rtt_ms: 100,
        faults: Faults {
            refused: 0.0,
            reset_before_read: 0.0,
            reset_after_create: 0.0,
            lost_answer: 0.0,
            server_error: 0.0,
        },
        outage_ms: None,
        seed: 1,
    };
}

/// A request as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// `POST /v2/actor-tasks/{task}/runs`.
    Start,
    /// `GET /v2/actor-runs/{run}?waitForFinish=…`.
    GetRun {
        /// The run's index (see [`run_id`]).
        run: u32,
        /// Seconds the server may hold the answer.
        wait_secs: u8,
    },
    /// Anything else (the simulated devices send nothing else).
    Other,
}

/// How a request ended, as the device sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The connection was refused.
    Refused,
    /// The connection was reset after the request was written.
    Reset,
    /// No answer ever comes.
    Lost,
    /// A run, with this HTTP status.
    Run {
        /// 200 or 201.
        status: u16,
        /// The run's index.
        run: u32,
        /// Its status name at the time of the answer.
        state: &'static str,
    },
    /// An API error.
    Error {
        /// HTTP status.
        status: u16,
        /// The error's `type`.
        error_type: &'static str,
        /// `Retry-After`, in seconds.
        retry_after: Option<u32>,
    },
}

/// An answer and when it reaches the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    /// What came back.
    pub answer: Answer,
    /// When the device gets it (milliseconds).
    pub at_ms: u64,
}

#[derive(Debug, Clone)]
struct Run {
    created_ms: u64,
    ends_ms: u64,
}

/// A token bucket in millionths of a token, refilled every millisecond.
#[derive(Debug, Clone)]
struct TokenBucket {
    per_ms: u64,
    capacity: u64,
    level: u64,
    last_ms: u64,
}

impl TokenBucket {
    /// `count` tokens per `window_ms`, with one second's worth of burst (at least one token).
    fn new(count: u64, window_ms: u64) -> Self {
        let per_ms = count * 1_000_000 / window_ms;
        let capacity = (per_ms * 1_000).max(1_000_000);
        Self { per_ms, capacity, level: capacity, last_ms: 0 }
    }

    /// Takes a token at `now_ms`, or says in how many milliseconds one will be there.
    fn take(&mut self, now_ms: u64) -> Result<(), u64> {
        let elapsed = now_ms.saturating_sub(self.last_ms);
        self.level = (self.level + elapsed * self.per_ms).min(self.capacity);
        self.last_ms = self.last_ms.max(now_ms);
        if self.level >= 1_000_000 {
            self.level -= 1_000_000;
            Ok(())
        } else {
            Err((1_000_000 - self.level).div_ceil(self.per_ms.max(1)))
        }
    }
}

/// What the model counted.
#[derive(Debug, Clone, Default)]
pub struct ApiCounts {
    /// Requests per 100 ms of arrival time, run starts only.
    pub start_buckets: Vec<u32>,
    /// Requests per 100 ms of arrival time, all.
    pub all_buckets: Vec<u32>,
    /// Requests that arrived (refused connections included).
    pub requests: u64,
    /// Requests answered 429.
    pub answered_429: u64,
    /// Requests answered 402.
    pub answered_402: u64,
    /// The most runs going at once.
    pub most_active_runs: u32,
}

/// The model of the API (see the module docs).
#[derive(Debug, Clone)]
pub struct Api {
    config: ApiConfig,
    rng: Rng,
    starts: TokenBucket,
    account: TokenBucket,
    runs: Vec<Run>,
    /// Runs created per device.
    runs_by_device: Vec<u32>,
    /// End times of the runs that hold capacity, soonest first.
    active: std::collections::BinaryHeap<std::cmp::Reverse<u64>>,
    counts: ApiCounts,
}

/// The ID the model gives run `index`: 17 characters, like the API's.
pub fn run_id(index: u32) -> String {
    format!("r{index:016}")
}

/// The index back from a [`run_id`], if it is one.
pub fn run_index(id: &str) -> Option<u32> {
    id.strip_prefix('r')?.parse().ok()
}

impl Api {
    /// A model with `devices` devices.
    pub fn new(config: ApiConfig, devices: u32) -> Self {
        Self {
            rng: Rng::new(config.seed),
            starts: TokenBucket::new(config.start_limit_per_s as u64, 1_000),
            account: TokenBucket::new(config.account_limit_per_min as u64, 60_000),
            runs: Vec::new(),
            runs_by_device: vec![0; devices as usize],
            active: Default::default(),
            counts: ApiCounts::default(),
            config,
        }
    }

    /// Runs created for each device.
    pub fn runs_by_device(&self) -> &[u32] {
        &self.runs_by_device
    }

    /// What was counted.
    pub fn counts(&self) -> &ApiCounts {
        &self.counts
    }

    /// Handles `request`, sent by `device` at `sent_ms`. Requests must come in the order they
    /// are sent (every request travels the same time, so that is their arrival order too).
    pub fn handle(&mut self, sent_ms: u64, device: u32, request: Request) -> Reply {
        let half = self.config.rtt_ms / 2;
        let arrival = sent_ms + half;
        let reply = |answer, at_ms| Reply { answer, at_ms };
        let back = arrival + half;
        self.count(arrival, request);
        if self.config.outage_ms.is_some_and(|(from, to)| (from..to).contains(&arrival)) {
            return reply(Answer::Refused, back);
        }
        let faults = self.config.faults;
        if self.rng.chance(faults.refused) {
            return reply(Answer::Refused, back);
        }
        if self.rng.chance(faults.reset_before_read) {
            return reply(Answer::Reset, back);
        }
        if self.rng.chance(faults.server_error) {
            return reply(Answer::Error { status: 503, error_type: "server-error", retry_after: None }, back);
        }
        if let Err(wait_ms) = self.account.take(arrival) {
            return reply(self.too_many(wait_ms), back);
        }
        while self.active.peek().is_some_and(|end| end.0 <= arrival) {
            self.active.pop();
        }
        match request {
            Request::Start => {
                if let Err(wait_ms) = self.starts.take(arrival) {
                    return reply(self.too_many(wait_ms), back);
                }
                if self.config.concurrent_runs.is_some_and(|cap| self.active.len() as u32 >= cap) {
                    self.counts.answered_402 += 1;
                    let error_type = "actor-memory-limit-exceeded";
                    return reply(Answer::Error { status: 402, error_type, retry_after: None }, back);
                }
                let (low, high) = self.config.run_ms;
                let ends_ms = arrival + self.rng.between(low, high);
                let index = self.runs.len() as u32;
                self.runs.push(Run { created_ms: arrival, ends_ms });
                self.active.push(std::cmp::Reverse(ends_ms));
                self.counts.most_active_runs = self.counts.most_active_runs.max(self.active.len() as u32);
                self.runs_by_device[device as usize] += 1;
                if self.rng.chance(faults.reset_after_create) {
                    return reply(Answer::Reset, back);
                }
                if self.rng.chance(faults.lost_answer) {
                    return reply(Answer::Lost, back);
                }
                reply(Answer::Run { status: 201, run: index, state: self.state(index, arrival) }, back)
            }
            Request::GetRun { run, wait_secs } => {
                if self.rng.chance(faults.lost_answer) {
                    return reply(Answer::Lost, back);
                }
                let Some(found) = self.runs.get(run as usize) else {
                    return reply(
                        Answer::Error { status: 404, error_type: "record-not-found", retry_after: None },
                        back,
                    );
                };
                let answered = found.ends_ms.min(arrival + wait_secs as u64 * 1_000).max(arrival);
                reply(Answer::Run { status: 200, run, state: self.state(run, answered) }, answered + half)
            }
            Request::Other => reply(
                Answer::Error { status: 405, error_type: "method-not-allowed", retry_after: None },
                back,
            ),
        }
    }

    fn state(&self, run: u32, at_ms: u64) -> &'static str {
        let run = &self.runs[run as usize];
        if at_ms >= run.ends_ms {
            "SUCCEEDED"
        } else if at_ms < run.created_ms + self.config.ready_ms {
            "READY"
        } else {
            "RUNNING"
        }
    }

    fn too_many(&mut self, wait_ms: u64) -> Answer {
        self.counts.answered_429 += 1;
        let retry_after = match self.config.retry_after {
            ServerRetryAfter::Absent => None,
            ServerRetryAfter::Seconds(s) => Some(s.max(wait_ms.div_ceil(1_000) as u32)),
        };
        Answer::Error { status: 429, error_type: "rate-limit-exceeded", retry_after }
    }

    fn count(&mut self, arrival: u64, request: Request) {
        let bucket = (arrival / 100) as usize;
        let grow = |buckets: &mut Vec<u32>| {
            if buckets.len() <= bucket {
                buckets.resize(bucket + 1, 0);
            }
            buckets[bucket] += 1;
        };
        grow(&mut self.counts.all_buckets);
        if request == Request::Start {
            grow(&mut self.counts.start_buckets);
        }
        self.counts.requests += 1;
    }
}
