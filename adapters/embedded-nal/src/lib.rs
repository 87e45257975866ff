//! Run Apify tasks from a microcontroller: [`apify_core`]'s protocol over any
//! [`embedded_nal::TcpClientStack`].
//!
//! `no_std`, no allocation, no `unsafe`. Start with [`Client::builder`], then
//! [`Client::call_task`] (start a task and follow the run to its end) or [`Client::run_task`].
//! Every protocol decision comes from core's [`Call`] state machine,
//! exactly as in the `apify-ureq` adapter, which has the same builder, operations, errors and
//! re-exports; this crate only moves bytes through the stack's non-blocking sockets and waits
//! through a [`Clock`] (a closure will do, or [`CounterClock`] over a hardware counter) and
//! any `embedded_hal::delay::DelayNs`. Every wait is bounded by a deadline, and the socket is
//! closed on every path.
//!
//! # Memory
//!
//! The caller owns it all: one buffer serves both directions (the request head is written
//! through it in pieces, so a 128-byte buffer sends a 1 KB head in 8 sends, and received
//! bytes pass through it), and a [`ResponseReader`] holds the decoded run (2,160 bytes on
//! 32-bit targets, best placed in a `static`). See the README for the RAM an operation needs
//! with 128- and 512-byte buffers.
//!
//! # TLS
//!
//! The client sends what the stack's sockets carry. A stack or modem that does TLS itself
//! (TLS offload) is declared with [`ClientBuilder::stack_provides_tls`]; without it an
//! `https://` base URL (the default, `https://api.apify.com`) is refused with
//! [`Error::TlsRequired`], so the token never goes out in clear text by mistake. Plain
//! `http://` suits a gateway on the local network that forwards to the API over TLS, or the
//! local stand-in (`apify-run stub`).
//!
//! ```no_run
//! # fn demo<S: embedded_nal::TcpClientStack>(stack: S, delay: impl embedded_hal::delay::DelayNs) -> Result<(), apify_nal::Error<S::Error>> {
//! use apify_nal::{Client, ResponseReader, RunOptions};
//! use core::net::{Ipv4Addr, SocketAddr};
//! use core::time::Duration;
//!
//! # fn millis_since_boot() -> u64 { 0 }
//! let mut buffer = [0u8; 512];
//! let mut reader = ResponseReader::new();
//! let gateway = SocketAddr::from((Ipv4Addr::new(192, 168, 1, 10), 8080));
//! let mut client = Client::builder(gateway)
//!     .base_url("http://192.168.1.10:8080")
//!     .token("apify_api_...")
//!     .build(stack, millis_since_boot, delay, &mut buffer, &mut reader)?;
//! let report = client.call_task("janedoe~my-task", RunOptions::new().memory_mbytes(256), None, Duration::from_secs(120))?;
//! let status = report.run.status();
//! # let _ = status; Ok(()) }
//! ```
#![no_std]
#![deny(missing_docs)]

mod io;
#[cfg(feature = "items")]
mod items;

#[cfg(feature = "items")]
pub use apify_core::client::ItemsReport;
#[cfg(feature = "items")]
pub use apify_core::encode::ItemsOptions;
#[cfg(feature = "items")]
pub use apify_core::items::{Item, ItemVisitor};
#[cfg(feature = "items")]
pub use items::ITEMS_DEPTH;

use core::net::SocketAddr;
use core::time::Duration;

use apify_core::call::{Action, Call, SleepReason};
use apify_core::client::{check_settings, conclude};
use apify_core::encode::{BaseUrl, Input, RunId, TaskId, Token};
use apify_core::http::Outcome;
use embedded_hal::delay::DelayNs;
use embedded_nal::TcpClientStack;

pub use apify_core::Decimal;
pub use apify_core::call::{Cause, Finish, Progress, RetryPolicy, Stage, TransportFailure};
pub use apify_core::client::{Clock, CounterClock, Error, RunReport};
pub use apify_core::encode::{APIFY_API, EncodeError, EventType, RunOptions, Webhook, Webhooks};
pub use apify_core::http::ResponseReader;
pub use apify_core::model::{ApiError, ErrorType, Id, Run, RunStatus, Text, Timestamp};

/// Settings of a [`Client`] ([`Client::builder`]). Its `Debug` never shows the token.
#[derive(Clone)]
pub struct ClientBuilder<'b> {
    remote: SocketAddr,
    base_url: &'b str,
    token: Option<&'b str>,
    policy: RetryPolicy,
    seed: u32,
    poll_ms: u32,
    tls: bool,
    max_poll_wait: Duration,
}

impl core::fmt::Debug for ClientBuilder<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("remote", &self.remote)
            .field("base_url", &self.base_url)
            .field("token", &self.token.map(|_| "<redacted>"))
            .field("policy", &self.policy)
            .field("stack_provides_tls", &self.tls)
            .finish()
    }
}

impl<'b> ClientBuilder<'b> {
    /// The API address that goes into each request (its host into `Host`; default
    /// `https://api.apify.com`, which needs [`stack_provides_tls`](Self::stack_provides_tls)).
    pub fn base_url(mut self, url: &'b str) -> Self {
        self.base_url = url;
        self
    }

    /// The API token, sent as `Authorization: Bearer …` and shown nowhere.
    pub fn token(mut self, token: &'b str) -> Self {
        self.token = Some(token);
        self
    }

    /// Retries and timeouts per attempt (default [`RetryPolicy::DEFAULT`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// A random seed for the backoff's jitter (use a hardware RNG or a unique device value,
    /// so that many devices do not retry in step).
    pub fn seed(mut self, seed: u32) -> Self {
        self.seed = seed;
        self
    }

    /// How long to pause when a socket would block (default 1 ms).
    pub fn poll_interval_ms(mut self, ms: u32) -> Self {
        self.poll_ms = ms;
        self
    }

    /// The longest wait each poll asks the server for while following a run (default and
    /// most: 60 s); a shorter one shows status changes sooner, at the cost of more requests.
    pub fn max_poll_wait(mut self, wait: Duration) -> Self {
        self.max_poll_wait = wait;
        self
    }

    /// Declares that the stack's sockets carry TLS to the remote (a modem with TLS offload,
    /// a stack that wraps a TLS session, checking the server's certificate): only then is an
    /// `https://` base URL accepted.
    pub fn stack_provides_tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Checks the settings and builds the client over `stack`. `buffer` is the one I/O
    /// buffer (64 bytes at least); `reader` receives each response and keeps the last one.
    pub fn build<S: TcpClientStack, C: Clock, D: DelayNs>(
        self,
        stack: S,
        clock: C,
        delay: D,
        buffer: &'b mut [u8],
        reader: &'b mut ResponseReader,
    ) -> Result<Client<'b, S, C, D>, Error<S::Error>> {
        let (base, token) = check_settings(self.base_url, self.token, self.tls, buffer.len())?;
        Ok(Client {
            stack,
            clock,
            delay,
            remote: self.remote,
            base,
            token,
            policy: self.policy,
            buffer,
            reader,
            seed: self.seed,
            poll_ms: self.poll_ms,
            poll_wait_secs: self.max_poll_wait.as_secs().min(u8::MAX as u64) as u8,
        })
    }
}

/// A client over one network stack. The decoded run lives in the caller's reader.
pub struct Client<'b, S: TcpClientStack, C, D> {
    stack: S,
    clock: C,
    delay: D,
    remote: SocketAddr,
    base: BaseUrl<'b>,
    token: Option<Token<'b>>,
    policy: RetryPolicy,
    buffer: &'b mut [u8],
    reader: &'b mut ResponseReader,
    seed: u32,
    /// While a socket would block, pause this long between tries.
    poll_ms: u32,
    /// The longest wait a poll asks the server for.
    poll_wait_secs: u8,
}

impl<S: TcpClientStack, C, D> core::fmt::Debug for Client<'_, S, C, D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("remote", &self.remote)
            .field("base", &self.base)
            .field("token", &self.token)
            .finish()
    }
}

impl Client<'_, NoStack, (), ()> {
    /// A builder for a client that connects to `remote` (the API's address, a gateway's, or
    /// the stand-in's), with the defaults: `https://api.apify.com`, no token,
    /// [`RetryPolicy::DEFAULT`].
    pub fn builder(remote: SocketAddr) -> ClientBuilder<'static> {
        ClientBuilder {
            remote,
            base_url: APIFY_API,
            token: None,
            policy: RetryPolicy::DEFAULT,
            seed: 0x9e37_79b9,
            poll_ms: 1,
            tls: false,
            max_poll_wait: Duration::from_secs(60),
        }
    }
}

impl<'b, S: TcpClientStack, C: Clock, D: DelayNs> Client<'b, S, C, D> {
    /// Gives the stack back.
    pub fn into_stack(self) -> S {
        self.stack
    }

    /// Starts a run of `task` and returns it as created. `input` is a JSON object of input
    /// overrides; `None` sends `{}`.
    pub fn run_task(
        &mut self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
    ) -> Result<RunReport<'_>, Error<S::Error>> {
        self.call_task_with(task, options, input, Duration::ZERO, false, |_| {})
    }

    /// Starts a run and follows it until it ends or `wait` passes.
    pub fn call_task(
        &mut self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
        wait: Duration,
    ) -> Result<RunReport<'_>, Error<S::Error>> {
        self.call_task_with(task, options, input, wait, false, |_| {})
    }

    /// [`call_task`](Self::call_task) with every option: abort the run when the wait ends
    /// first, and see each state of the run and each retry as they happen.
    pub fn call_task_with(
        &mut self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
        wait: Duration,
        abort_at_deadline: bool,
        progress: impl FnMut(Progress<'_>),
    ) -> Result<RunReport<'_>, Error<S::Error>> {
        let input = input.map_or(Ok(Input::EMPTY), Input::from_json)?;
        let call = Call::start(TaskId::new(task)?, &options, input, self.policy, self.seed)
            .wait_ms(millis(wait))
            .abort_at_deadline(abort_at_deadline)
            .poll_wait_secs(self.poll_wait_secs);
        self.drive(call, progress)
    }

    /// The run's current state.
    pub fn get_run(&mut self, run: &str) -> Result<RunReport<'_>, Error<S::Error>> {
        self.drive(Call::get(RunId::new(run)?, self.policy, self.seed), |_| {})
    }

    /// Follows a run until it ends or `wait` passes, showing each state and retry to
    /// `progress`.
    pub fn wait_for_run(
        &mut self,
        run: &str,
        wait: Duration,
        progress: impl FnMut(Progress<'_>),
    ) -> Result<RunReport<'_>, Error<S::Error>> {
        let call = Call::wait_for(RunId::new(run)?, self.policy, self.seed)
            .wait_ms(millis(wait))
            .poll_wait_secs(self.poll_wait_secs);
        self.drive(call, progress)
    }

    /// Aborts a run (aborting a finished run changes nothing; the report shows its status).
    pub fn abort_run(&mut self, run: &str) -> Result<RunReport<'_>, Error<S::Error>> {
        self.drive(Call::abort(RunId::new(run)?, self.policy, self.seed), |_| {})
    }

    /// The task's most recent run (to settle [`Error::OutcomeUnknown`]).
    pub fn last_run(&mut self, task: &str) -> Result<RunReport<'_>, Error<S::Error>> {
        self.drive(Call::last_run(TaskId::new(task)?, self.policy, self.seed), |_| {})
    }

    /// The API's error from the last response, after an [`Error::Api`].
    pub fn api_error(&mut self) -> Option<ApiError<'_>> {
        match self.reader.finish().ok()?.outcome {
            Outcome::ApiError(error) => Some(error),
            _ => None,
        }
    }

    /// The body's first bytes from the last response, after an [`Error::HttpStatus`].
    pub fn http_status_body(&mut self) -> Option<&[u8]> {
        match self.reader.finish().ok()?.outcome {
            Outcome::OtherBody { body_prefix } => Some(body_prefix),
            _ => None,
        }
    }

    /// The adapter loop: carry out the machine's actions until it is done.
    fn drive(
        &mut self,
        mut call: Call<'_>,
        mut progress: impl FnMut(Progress<'_>),
    ) -> Result<RunReport<'_>, Error<S::Error>> {
        let mut last_error: Option<S::Error> = None;
        loop {
            let now = self.clock.now_ms();
            match call.next(now) {
                Action::Sleep { ms, reason } => {
                    if let SleepReason::Retry { next_attempt, max_attempts } = reason {
                        let reason = call.last_failure(self.reader.finish());
                        progress(Progress::Retry { reason, after_ms: ms, next_attempt, max_attempts });
                    }
                    self.delay.delay_ms(ms);
                }
                Action::Done(finish) => {
                    let created = call.created_run_id().map(Id::from_str_truncating);
                    return conclude(finish.conclude(self.reader.finish()), created, last_error);
                }
                Action::Send { endpoint, timeout_ms } => {
                    let request = apify_core::client::request(self.base, self.token, endpoint)?;
                    last_error = None;
                    let mut link = io::Link {
                        stack: &mut self.stack,
                        clock: &mut self.clock,
                        delay: &mut self.delay,
                        poll_ms: self.poll_ms,
                        deadline: now + timeout_ms as u64,
                    };
                    let result = link.exchange(self.remote, &request, self.buffer, self.reader);
                    let now = self.clock.now_ms();
                    match result {
                        Ok(()) => {
                            let response = self.reader.finish();
                            if let Ok(response) = &response {
                                if let (Outcome::Run(run), true) =
                                    (response.outcome, response.head.is_success())
                                {
                                    progress(Progress::Run(run));
                                }
                            }
                            call.on_response(now, response);
                        }
                        Err((failure, source)) => {
                            last_error = source;
                            call.on_failure(now, failure);
                        }
                    }
                }
            }
        }
    }
}

/// Stands for "no stack yet" in [`Client::builder`].
#[doc(hidden)]
#[derive(Debug)]
pub enum NoStack {}

impl TcpClientStack for NoStack {
    type TcpSocket = NoStack;
    type Error = NoStack;

    fn socket(&mut self) -> Result<NoStack, Self::Error> {
        match *self {}
    }

    fn connect(&mut self, _: &mut NoStack, _: SocketAddr) -> embedded_nal::nb::Result<(), Self::Error> {
        match *self {}
    }

    fn send(&mut self, _: &mut NoStack, _: &[u8]) -> embedded_nal::nb::Result<usize, Self::Error> {
        match *self {}
    }

    fn receive(&mut self, _: &mut NoStack, _: &mut [u8]) -> embedded_nal::nb::Result<usize, Self::Error> {
        match *self {}
    }

    fn close(&mut self, _: NoStack) -> Result<(), Self::Error> {
        match *self {}
    }
}

impl embedded_nal::TcpError for NoStack {
    fn kind(&self) -> embedded_nal::TcpErrorKind {
        match *self {}
    }
}

fn millis(d: Duration) -> u32 {
    d.as_millis().min(u32::MAX as u128) as u32
}

/// The crate README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
