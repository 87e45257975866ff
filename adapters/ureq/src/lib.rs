//! A blocking Apify task-run client: [`apify_core`]'s protocol carried by [`ureq`].
//!
//! Every protocol decision (what to send, what may be retried, when to poll, when to give
//! up) comes from core's [`Call`] state machine; this crate only moves bytes and sleeps.
//! Response bodies stream from the socket into core's decoder, never whole into memory; error
//! statuses are decoded too, so an API refusal arrives as [`Error::Api`] with the API's type
//! and message. TLS (rustls) is used for `https` base URLs; plain `http` only when the base
//! URL says so.
//!
//! ```no_run
//! use apify_ureq::{Client, RunOptions};
//! use std::time::Duration;
//!
//! let client = Client::builder().token("apify_api_...").build()?;
//! let report = client.call_task("janedoe~my-task", RunOptions::new().memory_mbytes(1024), None, Duration::from_secs(300))?;
//! println!("{} {:?}", report.run.id.as_ref().unwrap(), report.run.status);
//! # Ok::<(), apify_ureq::Error>(())
//! ```
//!
//! A start that may have reached the server is never sent twice: when its outcome is
//! unknown (sent, then a timeout, reset or 5xx), the call fails with
//! [`Error::OutcomeUnknown`] and [`Client::last_run`] tells whether a run exists.

mod error;
mod transport;

use std::time::{Duration, Instant};

use apify_core::call::{Action, Call, Conclusion, Finish, TransportFailure};
use apify_core::encode::{BaseUrl, Endpoint, Input, Request, RunId, TaskId, Token};
use apify_core::http::{Outcome, ResponseReader};
use apify_core::model::Run;

pub use apify_core::call::RetryPolicy;
pub use apify_core::encode::{APIFY_API, EventType, RunOptions, Webhook, Webhooks};
pub use error::Error;

/// How a call ended, with the run as last seen.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The run: new ([`Finish::Started`]), finished ([`Finish::Terminal`]), still going
    /// ([`Finish::DeadlineReached`]) or aborted ([`Finish::AbortedAtDeadline`]).
    pub run: Box<Run>,
    /// Why the call stopped.
    pub finish: Finish,
}

/// Settings of a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<String>,
    user_agent: String,
    policy: RetryPolicy,
    connect_timeout: Duration,
}

impl ClientBuilder {
    /// The API address (default `https://api.apify.com`); `http://` for a local gateway or
    /// the stand-in.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The API token, sent as `Authorization: Bearer …`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The `User-Agent` (default `apify-ureq/<version> apify-core/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Retries and timeouts per attempt (default [`RetryPolicy::DEFAULT`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        BaseUrl::parse(&self.base_url)?;
        if let Some(token) = &self.token {
            Token::new(token)?;
        }
        Request::new(BaseUrl::APIFY, Endpoint::get_run(RunId::new("x")?, None))?
            .with_user_agent(&self.user_agent)?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(self.connect_timeout))
            .user_agent(self.user_agent.as_str())
            .build()
            .new_agent();
        let seed =
            std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), Instant::now())
                as u32;
        Ok(Client { agent, settings: self, epoch: Instant::now(), seed })
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
    /// A builder with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            base_url: APIFY_API.into(),
            token: None,
            user_agent: format!(
                "apify-ureq/{} {}",
                env!("CARGO_PKG_VERSION"),
                apify_core::encode::DEFAULT_USER_AGENT
            ),
            policy: RetryPolicy::DEFAULT,
            connect_timeout: Duration::from_secs(10),
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
    /// first, and see each state of the run as it is fetched (for progress displays).
    pub fn call_task_with(
        &self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
        wait: Duration,
        abort_at_deadline: bool,
        progress: impl FnMut(&Run),
    ) -> Result<RunReport, Error> {
        let task_id = TaskId::new(task)?;
        let input = input.map_or(Ok(Input::EMPTY), Input::from_json)?;
        let call = Call::start(task_id, &options, input, self.settings.policy, self.seed)
            .wait_ms(millis(wait))
            .abort_at_deadline(abort_at_deadline);
        self.drive(call, progress).map_err(|e| match e {
            Error::OutcomeUnknown { reason, .. } => Error::OutcomeUnknown { task: task.into(), reason },
            other => other,
        })
    }

    /// The run's current state.
    pub fn get_run(&self, run: &str) -> Result<RunReport, Error> {
        self.drive(Call::get(RunId::new(run)?, self.settings.policy, self.seed), |_| {})
    }

    /// Follows a run until it ends or `wait` passes.
    pub fn wait_for_run(
        &self,
        run: &str,
        wait: Duration,
        progress: impl FnMut(&Run),
    ) -> Result<RunReport, Error> {
        self.drive(
            Call::wait_for(RunId::new(run)?, self.settings.policy, self.seed).wait_ms(millis(wait)),
            progress,
        )
    }

    /// Aborts a run (aborting a finished run changes nothing).
    pub fn abort_run(&self, run: &str) -> Result<RunReport, Error> {
        self.drive(Call::abort(RunId::new(run)?, self.settings.policy, self.seed), |_| {})
    }

    /// The task's most recent run: how to find out whether a start with an unknown outcome
    /// created one (compare its `startedAt` with the time of the attempt).
    pub fn last_run(&self, task: &str) -> Result<RunReport, Error> {
        self.drive(Call::last_run(TaskId::new(task)?, self.settings.policy, self.seed), |_| {})
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// The adapter loop: carry out the machine's actions until it is done.
    fn drive(&self, mut call: Call<'_>, mut progress: impl FnMut(&Run)) -> Result<RunReport, Error> {
        let mut reader = ResponseReader::<64>::new();
        let mut last_error: Option<transport::Source> = None;
        loop {
            let action = call.next(self.now_ms());
            match action {
                Action::Sleep { ms } => std::thread::sleep(Duration::from_millis(ms as u64)),
                Action::Done(finish) => return finish_report(finish, &mut reader, last_error),
                Action::Send { endpoint, timeout_ms } => match transport::exchange(
                    &self.agent,
                    &self.request(endpoint)?,
                    Duration::from_millis(timeout_ms as u64),
                    &mut reader,
                ) {
                    Ok(()) => match reader.finish() {
                        Ok(response) => {
                            if let Outcome::Run(run) = response.outcome {
                                progress(run);
                            }
                            call.on_response(self.now_ms(), &response);
                        }
                        Err(e) => {
                            last_error = Some(Box::new(e));
                            call.on_failure(self.now_ms(), TransportFailure::AfterSend);
                        }
                    },
                    Err((failure, source)) => {
                        last_error = Some(source);
                        call.on_failure(self.now_ms(), failure);
                    }
                },
            }
        }
    }

    /// The request for `endpoint` with this client's address, token and user agent.
    fn request<'e>(&'e self, endpoint: Endpoint<'e>) -> Result<Request<'e>, Error> {
        let mut request = Request::new(BaseUrl::parse(&self.settings.base_url)?, endpoint)?;
        if let Some(token) = &self.settings.token {
            request = request.with_token(Token::new(token)?);
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
fn finish_report(
    finish: Finish,
    reader: &mut ResponseReader<64>,
    last_error: Option<transport::Source>,
) -> Result<RunReport, Error> {
    match finish.conclude(reader.finish()) {
        Conclusion::Run { run, finish } => Ok(RunReport { run: Box::new(run.clone()), finish }),
        Conclusion::ApiError { status, error } => Err(Error::Api { status, error: Box::new(error.clone()) }),
        Conclusion::HttpError { status, body_prefix } => {
            Err(Error::Http { status, body_prefix: body_prefix.to_vec() })
        }
        Conclusion::Transport(failure) => Err(Error::Transport {
            failure,
            source: last_error.unwrap_or_else(|| "no complete response".into()),
        }),
        Conclusion::OutcomeUnknown { status } => {
            let reason = match (status, last_error) {
                (Some(status), _) => format!("the answer was HTTP {status}"),
                (None, Some(e)) => e.to_string(),
                (None, None) => "no answer".into(),
            };
            Err(Error::OutcomeUnknown { task: String::new(), reason })
        }
    }
}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
