//! A blocking Apify task-run client: [`apify_core`]'s protocol carried by [`ureq`].
//!
//! Start with [`Client::builder`], then [`Client::call_task`] (start a task and follow the run
//! to its end) or [`Client::run_task`] (start it and return). Every protocol decision (what to
//! send, what may be retried, when to poll, when to give up) comes from core's
//! [`Call`] state machine; this crate only moves bytes and sleeps, and
//! its sister crates (`apify-nal` for microcontrollers) have the same builder, operations,
//! errors and re-exports. Response bodies stream from the socket into core's decoder, never
//! whole into memory; error statuses are decoded too, so an API refusal arrives as
//! [`Error::Api`] with the API's type and message. TLS (rustls, with the Mozilla roots) is used
//! for `https` base URLs; plain `http` only when the base URL says so.
//!
//! ```no_run
//! use apify_ureq::{Client, RunOptions};
//! use std::time::Duration;
//!
//! let client = Client::builder().token(std::env::var("APIFY_TOKEN").unwrap_or_default()).build()?;
//! let report = client.call_task("janedoe~my-task", RunOptions::new().memory_mbytes(1024), None, Duration::from_secs(300))?;
//! println!("{:?} {:?}", report.run.id(), report.run.status());
//! # Ok::<(), apify_ureq::Error>(())
//! ```
//!
//! # Against the local stand-in
//!
//! `apify-stub` (or `apify-run stub`) serves the API's run endpoints on `127.0.0.1`; point the
//! client at it with [`ClientBuilder::base_url`]:
//!
//! ```
//! use apify_ureq::{Client, Finish, RunOptions, RunStatus};
//! use std::time::Duration;
//!
//! let stub = apify_stub::Stub::start(apify_stub::StubConfig::default())?;
//! let client = Client::builder().base_url(stub.base_url()).token("apify_api_test").build()?;
//! let report = client.call_task("janedoe~my-task", RunOptions::new(), Some(br#"{"q":1}"#), Duration::from_secs(30))?;
//! assert_eq!((report.finish, report.run.status()), (Finish::Terminal, Some(RunStatus::Succeeded)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! A start that may have reached the server is never sent twice: when its outcome is
//! unknown (sent, then a timeout, reset or 5xx), the call fails with
//! [`Error::OutcomeUnknown`] and [`Client::last_run`] tells whether a run exists. A failure
//! after the run was created is [`Error::FollowFailed`], with the run as last seen. Failures
//! before the request left (name lookup, refused connection, TLS) are retried as the
//! [`RetryPolicy`] allows and reported as [`Error::Transport`], with how far the exchange got
//! ([`TransportFailure`]).
//!
//! # Time
//!
//! Each attempt has one deadline over the whole exchange, from the name lookup to the last
//! body byte. With a wait, the wait bounds the whole call, retries included; only the start
//! and an abort at the deadline may take one attempt timeout longer (see
//! [`apify_core::call`]).

mod error;
mod items;
mod transport;

use items::Stream;
pub use items::{Items, RawItems};

use std::fmt;
use std::time::{Duration, Instant};

use apify_core::call::{Action, Attempts, Call, Conclusion, Decision, Failure, SleepReason};
use apify_core::encode::{BaseUrl, DatasetId, Endpoint, Input, Request, RunId, TaskId, Token};
use apify_core::http::{Outcome, ReadError, Response, ResponseReader};
use serde::de::DeserializeOwned;

pub use apify_core::Decimal;
pub use apify_core::call::{Cause, Finish, Progress, RetryPolicy, Stage, TransportFailure};
pub use apify_core::encode::{
    APIFY_API, EncodeError, EventType, ItemsOptions, RunOptions, Webhook, Webhooks,
};
pub use apify_core::http::{Pagination, ResponseHead};
pub use apify_core::model::{ApiError, ErrorType, Id, Run, RunStatus, Text, Timestamp};
pub use error::Error;

/// How a call ended, with the run as last seen.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunReport {
    /// The run: new ([`Finish::Started`]), finished ([`Finish::Terminal`]), still going
    /// ([`Finish::DeadlineReached`]) or aborted ([`Finish::AbortedAtDeadline`]).
    pub run: Box<Run>,
    /// Why the call stopped.
    pub finish: Finish,
}

/// The API token, kept so that no `Debug` of a client or builder can show it.
#[derive(Clone, PartialEq, Eq)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Settings of a [`Client`] ([`Client::builder`]).
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<Secret>,
    user_agent: String,
    policy: RetryPolicy,
    connect_timeout: Duration,
    seed: Option<u32>,
    max_poll_wait: Duration,
    items_timeout: Duration,
}

impl ClientBuilder {
    /// The API address (default `https://api.apify.com`); `http://` for a local gateway or
    /// the stand-in.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The API token, sent as `Authorization: Bearer …` and shown nowhere.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret(token.into()));
        self
    }

    /// The `User-Agent` (default [`default_user_agent`]).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Retries and timeouts per attempt (default [`RetryPolicy::DEFAULT`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// A seed for the backoff's jitter (default: random per client).
    pub fn seed(mut self, seed: u32) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The longest wait each poll asks the server for while following a run (default and
    /// most: 60 s). The server answers at once when the run ends; a shorter wait shows its
    /// other status changes (READY to RUNNING) sooner to a progress callback, at the cost of
    /// more requests.
    pub fn max_poll_wait(mut self, wait: Duration) -> Self {
        self.max_poll_wait = wait;
        self
    }

    /// How long the body of a dataset items answer may take to stream, from its head to its
    /// last byte (default 1 hour: a 500 MB dataset on a slow line).
    pub fn items_timeout(mut self, timeout: Duration) -> Self {
        self.items_timeout = timeout;
        self
    }

    /// How long opening a connection may take, TLS included (default 10 s; the attempt's
    /// deadline applies too).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        BaseUrl::parse(&self.base_url)?;
        if let Some(token) = &self.token {
            Token::new(&token.0)?;
        }
        Request::new(BaseUrl::APIFY, Endpoint::get_run(RunId::new("x")?, None))?
            .with_user_agent(&self.user_agent)?;
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(self.connect_timeout))
            .user_agent(self.user_agent.as_str())
            .build();
        let seed = self.seed.unwrap_or_else(|| {
            std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), Instant::now())
                as u32
        });
        Ok(Client { agent: transport::agent(config), settings: self, epoch: Instant::now(), seed })
    }
}

/// A blocking client. Cheap to share by reference; requests on one client reuse connections.
#[derive(Debug)]
pub struct Client {
    agent: ureq::Agent,
    settings: ClientBuilder,
    epoch: Instant,
    seed: u32,
}

impl Client {
    /// A builder with the defaults: `https://api.apify.com`, no token, [`RetryPolicy::DEFAULT`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            base_url: APIFY_API.into(),
            token: None,
            user_agent: default_user_agent(),
            policy: RetryPolicy::DEFAULT,
            connect_timeout: Duration::from_secs(10),
            seed: None,
            max_poll_wait: Duration::from_secs(60),
            items_timeout: Duration::from_secs(3600),
        }
    }

    /// Starts a run of `task` and returns it as created (usually READY). `input` is a JSON
    /// object of input overrides; `None` sends `{}`.
    pub fn run_task(
        &self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
    ) -> Result<RunReport, Error> {
        self.call_task_with(task, options, input, Duration::ZERO, false, |_| {})
    }

    /// Starts a run of `task` and follows it until it ends or `wait` passes (then the report
    /// says [`Finish::DeadlineReached`]).
    pub fn call_task(
        &self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
        wait: Duration,
    ) -> Result<RunReport, Error> {
        self.call_task_with(task, options, input, wait, false, |_| {})
    }

    /// [`call_task`](Self::call_task) with every option: abort the run when the wait ends
    /// first, and see each state of the run and each retry as they happen (for progress
    /// displays).
    pub fn call_task_with(
        &self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
        wait: Duration,
        abort_at_deadline: bool,
        progress: impl FnMut(Progress<'_>),
    ) -> Result<RunReport, Error> {
        let task_id = TaskId::new(task)?;
        let input = input.map_or(Ok(Input::EMPTY), Input::from_json)?;
        let call = Call::start(task_id, &options, input, self.settings.policy, self.seed)
            .wait_ms(millis(wait))
            .abort_at_deadline(abort_at_deadline)
            .poll_wait_secs(self.poll_wait_secs());
        self.drive(call, Some(task), progress)
    }

    /// The run's current state.
    pub fn get_run(&self, run: &str) -> Result<RunReport, Error> {
        self.drive(Call::get(RunId::new(run)?, self.settings.policy, self.seed), None, |_| {})
    }

    /// Follows a run until it ends or `wait` passes, showing each state and retry to
    /// `progress`.
    pub fn wait_for_run(
        &self,
        run: &str,
        wait: Duration,
        progress: impl FnMut(Progress<'_>),
    ) -> Result<RunReport, Error> {
        let call = Call::wait_for(RunId::new(run)?, self.settings.policy, self.seed)
            .wait_ms(millis(wait))
            .poll_wait_secs(self.poll_wait_secs());
        self.drive(call, None, progress)
    }

    /// Aborts a run (aborting a finished run changes nothing; the report shows its status).
    pub fn abort_run(&self, run: &str) -> Result<RunReport, Error> {
        self.drive(Call::abort(RunId::new(run)?, self.settings.policy, self.seed), None, |_| {})
    }

    /// Streams the items of dataset `dataset` (an ID, such as a run's `defaultDatasetId`, or
    /// `username~name`) as `T`, each read alone by serde_json as it arrives: memory holds one
    /// item, whatever the dataset's size. The request is retried as the policy allows until
    /// its head arrives; a failure in the body ends the iteration with that error.
    ///
    /// ```no_run
    /// use apify_ureq::{Client, ItemsOptions};
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Product { url: String, title: String }
    ///
    /// let client = Client::builder().token("apify_api_...").build()?;
    /// for product in client.dataset_items::<Product>("ns9q8TGzYhE1QyPqD", &ItemsOptions::new().clean(true))? {
    ///     let product = product?;
    ///     println!("{} {}", product.url, product.title);
    /// }
    /// # Ok::<(), apify_ureq::Error>(())
    /// ```
    pub fn dataset_items<'c, T: DeserializeOwned>(
        &'c self,
        dataset: &'c str,
        options: &ItemsOptions<'c>,
    ) -> Result<Items<'c, T>, Error> {
        Ok(Items::new(self.dataset_items_raw(dataset, options)?))
    }

    /// [`dataset_items`](Self::dataset_items) with each item as its JSON bytes.
    pub fn dataset_items_raw<'c>(
        &'c self,
        dataset: &'c str,
        options: &ItemsOptions<'c>,
    ) -> Result<RawItems<'c>, Error> {
        self.open_resumable(Stream::Dataset(DatasetId::new(dataset)?), *options)
    }

    /// [`run_dataset_items`](Self::run_dataset_items) with each item as its JSON bytes.
    pub fn run_dataset_items_raw<'c>(
        &'c self,
        run: &'c str,
        options: &ItemsOptions<'c>,
    ) -> Result<RawItems<'c>, Error> {
        self.open_resumable(Stream::Run(RunId::new(run)?), *options)
    }

    /// Opens a dataset's or a run's items so that a cut body is asked for again.
    fn open_resumable<'c>(
        &'c self,
        source: Stream<'c>,
        options: ItemsOptions<'c>,
    ) -> Result<RawItems<'c>, Error> {
        let raw = self.open_items(source.endpoint(&options), None)?;
        Ok(raw.resumable(items::Resume { client: self, source, options, before: 0, stalls: 0 }))
    }

    /// The retry policy.
    pub(crate) fn policy(&self) -> RetryPolicy {
        self.settings.policy
    }

    /// [`run_task_sync_items`](Self::run_task_sync_items) with each item as its JSON bytes.
    pub fn run_task_sync_items_raw(
        &self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
        items: &ItemsOptions<'_>,
    ) -> Result<RawItems<'static>, Error> {
        let input = input.map_or(Ok(Input::EMPTY), Input::from_json)?;
        let endpoint = Endpoint::run_task_sync_items(TaskId::new(task)?, &options, input, items);
        self.open_items(endpoint, Some(task))
    }

    /// The items of run `run`'s default dataset (see [`dataset_items`](Self::dataset_items)).
    pub fn run_dataset_items<'c, T: DeserializeOwned>(
        &'c self,
        run: &'c str,
        options: &ItemsOptions<'c>,
    ) -> Result<Items<'c, T>, Error> {
        Ok(Items::new(self.run_dataset_items_raw(run, options)?))
    }

    /// Runs `task` and streams its dataset's items in one request
    /// (`run-sync-get-dataset-items`): the API waits up to 300 s for the run, then answers
    /// 408 `run-timeout-exceeded` ([`Error::Api`]) and the run goes on. It starts a run, so it
    /// is never sent twice where it may have arrived ([`Error::OutcomeUnknown`]).
    pub fn run_task_sync_items<T: DeserializeOwned>(
        &self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
        items: &ItemsOptions<'_>,
    ) -> Result<Items<'static, T>, Error> {
        Ok(Items::new(self.run_task_sync_items_raw(task, options, input, items)?))
    }

    /// Sends an items request until its head arrives with a success status, retrying as the
    /// policy allows (a run-sync start only where it cannot have arrived).
    pub(crate) fn open_items(
        &self,
        endpoint: Endpoint<'_>,
        task: Option<&str>,
    ) -> Result<RawItems<'static>, Error> {
        let policy = self.settings.policy;
        let idempotent = endpoint.is_idempotent();
        // The head may take the API's 300 s of run-sync; the body as long as it streams.
        let deadline = transport::Deadline::HeadThenBody {
            head: Duration::from_millis(policy.attempt_timeout_ms as u64 + endpoint.server_wait_ms() as u64),
            body: self.settings.items_timeout,
        };
        let first = self.now_ms();
        let mut random = self.seed | 1;
        let (mut attempt, mut last_delay_ms) = (1u8, 0u32);
        loop {
            random = random.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let history = Attempts {
                idempotent,
                attempt,
                elapsed_ms: self.now_ms() - first,
                last_delay_ms,
                random,
                ..Attempts::first(idempotent)
            };
            let request = self.request(endpoint)?;
            let (decision, error) = match transport::open(&self.agent, &request, deadline) {
                Ok((head, body)) if head.is_success() => return RawItems::new(head, body).start(),
                Ok((head, mut body)) => {
                    // An error status: its body is the API's error, read whole (it is small,
                    // and the body deadline bounds it).
                    let mut reader = ResponseReader::<64>::with_head(head);
                    // A cut error body shows as a truncated response below.
                    let _ = transport::read_rest(&mut body, &mut reader);
                    let response = reader.finish();
                    let decision = match &response {
                        Ok(r) => {
                            let error_type = match r.outcome {
                                Outcome::ApiError(e) => e.error_type(),
                                _ => None,
                            };
                            policy.decide(
                                Failure::Status { head: r.head, error_type: error_type.as_ref() },
                                &history,
                            )
                        }
                        Err(_) => {
                            let malformed = TransportFailure::new(Stage::Read, Cause::Malformed);
                            policy.decide(Failure::Transport(malformed), &history)
                        }
                    };
                    let status = response.as_ref().map(|r| r.head.status).ok();
                    let error = match decision {
                        Decision::OutcomeUnknown => Error::OutcomeUnknown {
                            task: task.unwrap_or_default().into(),
                            status,
                            failure: None,
                        },
                        _ => not_items(status.unwrap_or(0), response),
                    };
                    (decision, error)
                }
                Err((failure, source)) => {
                    let decision = policy.decide(Failure::Transport(failure), &history);
                    let error = match decision {
                        Decision::OutcomeUnknown => Error::OutcomeUnknown {
                            task: task.unwrap_or_default().into(),
                            status: None,
                            failure: Some(failure),
                        },
                        _ => Error::Transport { failure, source: Some(source) },
                    };
                    (decision, error)
                }
            };
            match decision {
                Decision::RetryAfterMs(ms) | Decision::WaitAfterMs(ms) => {
                    std::thread::sleep(Duration::from_millis(ms as u64));
                    attempt = attempt.saturating_add(1);
                    last_delay_ms = ms;
                }
                _ => return Err(error),
            }
        }
    }

    /// The task's most recent run: how to find out whether a start with an unknown outcome
    /// created one (compare its `startedAt` with the time of the attempt).
    pub fn last_run(&self, task: &str) -> Result<RunReport, Error> {
        self.drive(Call::last_run(TaskId::new(task)?, self.settings.policy, self.seed), None, |_| {})
    }

    fn poll_wait_secs(&self) -> u8 {
        self.settings.max_poll_wait.as_secs().min(u8::MAX as u64) as u8
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// The adapter loop: carry out the machine's actions until it is done.
    fn drive(
        &self,
        mut call: Call<'_>,
        task: Option<&str>,
        mut progress: impl FnMut(Progress<'_>),
    ) -> Result<RunReport, Error> {
        let mut reader = ResponseReader::<64>::new();
        let mut last_error: Option<transport::Source> = None;
        // The run as last seen, for an error after it was created.
        let mut last_run: Option<Box<Run>> = None;
        loop {
            match call.next(self.now_ms()) {
                Action::Sleep { ms, reason } => {
                    if let SleepReason::Retry { next_attempt, max_attempts } = reason {
                        let reason = call.last_failure(reader.finish());
                        progress(Progress::Retry { reason, after_ms: ms, next_attempt, max_attempts });
                    }
                    std::thread::sleep(Duration::from_millis(ms as u64));
                }
                Action::Done(finish) => {
                    let conclusion = finish.conclude(reader.finish());
                    let failed = match outcome(conclusion, task, last_error) {
                        Ok(report) => return Ok(report),
                        Err(e) => e,
                    };
                    return Err(match (call.created_run_id(), last_run) {
                        (Some(_), Some(run)) => Error::FollowFailed { run, cause: Box::new(failed) },
                        _ => failed,
                    });
                }
                Action::Send { endpoint, timeout_ms } => {
                    let request = self.request(endpoint)?;
                    last_error = None;
                    let timeout = Duration::from_millis(timeout_ms as u64);
                    match transport::exchange(&self.agent, &request, timeout, &mut reader) {
                        Ok(()) => {
                            let response = reader.finish();
                            if let Err(e) = response {
                                // Core hears "malformed"; the caller gets what was wrong.
                                last_error = Some(Box::new(e));
                            }
                            if let Ok(response) = &response {
                                if let (Outcome::Run(run), true) =
                                    (response.outcome, response.head.is_success())
                                {
                                    progress(Progress::Run(run));
                                    last_run = Some(Box::new(run.clone()));
                                }
                            }
                            call.on_response(self.now_ms(), response);
                        }
                        Err((failure, source)) => {
                            last_error = Some(source);
                            call.on_failure(self.now_ms(), failure);
                        }
                    }
                }
            }
        }
    }

    /// The request for `endpoint` with this client's address, token and user agent.
    fn request<'e>(&'e self, endpoint: Endpoint<'e>) -> Result<Request<'e>, Error> {
        let mut request = Request::new(BaseUrl::parse(&self.settings.base_url)?, endpoint)?;
        if let Some(token) = &self.settings.token {
            request = request.with_token(Token::new(&token.0)?);
        }
        Ok(request.with_user_agent(&self.settings.user_agent)?)
    }
}

/// The default `User-Agent`: `apify-ureq/<version> apify-core/<version>`.
pub fn default_user_agent() -> String {
    format!("apify-ureq/{} {}", env!("CARGO_PKG_VERSION"), apify_core::encode::DEFAULT_USER_AGENT)
}

fn millis(d: Duration) -> u32 {
    d.as_millis().min(u32::MAX as u128) as u32
}

/// Translates core's conclusion into this crate's result.
fn outcome(
    conclusion: Conclusion<'_>,
    task: Option<&str>,
    last_error: Option<transport::Source>,
) -> Result<RunReport, Error> {
    Err(match conclusion {
        Conclusion::Run { run, finish } => return Ok(RunReport { run: Box::new(run.clone()), finish }),
        Conclusion::ApiError { status, error } => Error::Api {
            status,
            error_type: error.error_type(),
            message: error.message().map(|m| m.to_string()),
        },
        Conclusion::HttpStatus { status, body_prefix } => {
            Error::HttpStatus { status, body_prefix: body_prefix.to_vec() }
        }
        Conclusion::OutcomeUnknown { status, failure } => {
            Error::OutcomeUnknown { task: task.unwrap_or_default().into(), status, failure }
        }
        Conclusion::Transport(failure) => Error::Transport { failure, source: last_error },
        other => Error::Transport {
            failure: apify_core::call::TransportFailure::new(Stage::Read, Cause::Other),
            source: Some(other.to_string().into()),
        },
    })
}

/// The error of a dataset items answer that holds no items (`response`, read by the run
/// decoder): the API's error, or the run where the items should have been, or neither.
fn not_items(status: u16, response: Result<Response<'_>, ReadError>) -> Error {
    match outcome(Finish::Done.conclude(response), None, None) {
        Ok(report) => Error::NotItems { status, run: Some(report.run) },
        Err(Error::HttpStatus { .. } | Error::Transport { .. }) => Error::NotItems { status, run: None },
        Err(e) => e,
    }
}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The crate README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadmeDoctests;
