//! Run Apify tasks from a microcontroller: [`apify_core`]'s protocol over any
//! [`embedded_nal::TcpClientStack`].
//!
//! `no_std`, no allocation, no `unsafe`. Every protocol decision comes from core's
//! [`Call`] state machine, exactly as in the `apify-ureq` adapter; this crate only moves
//! bytes through the stack's non-blocking sockets and waits through a caller-supplied
//! [`Clock`] and [`Delay`]. Every wait is bounded by a deadline, and the socket is closed on
//! every path.
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
//! Plain TCP. For `https://api.apify.com`, use a stack that provides TLS itself (a modem with
//! TLS offload, or a `TcpClientStack` that wraps a TLS session) and give the [`Client`] the
//! address of that endpoint; or use `http://` to a gateway on the local network that forwards
//! to the API over TLS.
//!
//! ```no_run
//! # fn demo<S: embedded_nal::TcpClientStack>(stack: S, clock: impl apify_nal::Clock, delay: impl apify_nal::Delay) -> Result<(), apify_nal::Error<S::Error>> {
//! use apify_nal::{Client, RunOptions};
//! use core::net::{Ipv4Addr, SocketAddr};
//!
//! let mut buffer = [0u8; 512];
//! let mut reader = apify_core::http::ResponseReader::new();
//! let remote = SocketAddr::from((Ipv4Addr::new(192, 168, 1, 10), 8080)); // a local gateway
//! let mut client = Client::new(stack, clock, delay, remote, "http://192.168.1.10:8080", &mut buffer, &mut reader)?
//!     .with_token("apify_api_...")?;
//! let report = client.call_task("janedoe~my-task", RunOptions::new().memory_mbytes(256), 120_000)?;
//! let status = report.run.status.as_ref().map(|s| s.as_str());
//! # let _ = status; Ok(()) }
//! ```
#![no_std]
#![deny(missing_docs)]

mod error;
mod io;

use core::net::SocketAddr;

use apify_core::call::{Action, Call, Conclusion, Finish, TransportFailure};
use apify_core::encode::{BaseUrl, Input, Request, RunId, TaskId, Token};
use apify_core::http::{Outcome, ResponseReader};
use apify_core::model::{ApiError, Run};
use embedded_nal::TcpClientStack;

pub use apify_core::call::RetryPolicy;
pub use apify_core::encode::{EventType, RunOptions, Webhook, Webhooks};
pub use error::Error;

/// A monotonic clock in milliseconds (any epoch).
pub trait Clock {
    /// Milliseconds since an arbitrary fixed point; never goes back.
    fn now_ms(&mut self) -> u64;
}

/// Blocking pauses, between retries and while a socket would block.
pub trait Delay {
    /// Waits `ms` milliseconds (longer is fine).
    fn delay_ms(&mut self, ms: u32);
}

/// How a call ended, with the run as last seen (held by the client until the next call).
#[derive(Debug, Clone, Copy)]
pub struct Report<'r> {
    /// The run.
    pub run: &'r Run,
    /// Why the call stopped.
    pub finish: Finish,
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

impl<'b, S: TcpClientStack, C: Clock, D: Delay> Client<'b, S, C, D> {
    /// A client that connects to `remote` and addresses requests to `base_url` (its host goes
    /// into the `Host` header). `buffer` is the one I/O buffer (64 bytes at least); `reader`
    /// receives each response and keeps the last one.
    pub fn new(
        stack: S,
        clock: C,
        delay: D,
        remote: SocketAddr,
        base_url: &'b str,
        buffer: &'b mut [u8],
        reader: &'b mut ResponseReader,
    ) -> Result<Self, Error<S::Error>> {
        let base = BaseUrl::parse(base_url)?;
        if buffer.len() < 64 {
            return Err(Error::InvalidInput(apify_core::encode::EncodeError::BufferTooSmall { needed: 64 }));
        }
        Ok(Self {
            stack,
            clock,
            delay,
            remote,
            base,
            token: None,
            policy: RetryPolicy::DEFAULT,
            buffer,
            reader,
            seed: 0x9e37_79b9,
            poll_ms: 1,
        })
    }

    /// Sends `Authorization: Bearer <token>`.
    pub fn with_token(mut self, token: &'b str) -> Result<Self, Error<S::Error>> {
        self.token = Some(Token::new(token)?);
        Ok(self)
    }

    /// Retry settings (default [`RetryPolicy::DEFAULT`]).
    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// A random seed for the backoff's jitter (use a hardware RNG or a unique device value,
    /// so that many devices do not retry in step).
    pub fn with_seed(mut self, seed: u32) -> Self {
        self.seed = seed;
        self
    }

    /// How long to pause when a socket would block (default 1 ms).
    pub fn with_poll_interval_ms(mut self, ms: u32) -> Self {
        self.poll_ms = ms;
        self
    }

    /// Gives the stack back.
    pub fn into_stack(self) -> S {
        self.stack
    }

    /// Starts a run of `task` and returns it as created.
    pub fn run_task(&mut self, task: &str, options: RunOptions<'_>) -> Result<Report<'_>, Error<S::Error>> {
        self.call_task_with(task, options, Input::EMPTY, 0, false)
    }

    /// Starts a run and follows it until it ends or `wait_ms` passes.
    pub fn call_task(
        &mut self,
        task: &str,
        options: RunOptions<'_>,
        wait_ms: u32,
    ) -> Result<Report<'_>, Error<S::Error>> {
        self.call_task_with(task, options, Input::EMPTY, wait_ms, false)
    }

    /// [`call_task`](Self::call_task) with input overrides, and optionally aborting the run
    /// when the wait ends first.
    pub fn call_task_with(
        &mut self,
        task: &str,
        options: RunOptions<'_>,
        input: Input<'_>,
        wait_ms: u32,
        abort_at_deadline: bool,
    ) -> Result<Report<'_>, Error<S::Error>> {
        let call = Call::start(TaskId::new(task)?, &options, input, self.policy, self.seed)
            .wait_ms(wait_ms)
            .abort_at_deadline(abort_at_deadline);
        self.drive(call)
    }

    /// The run's current state.
    pub fn get_run(&mut self, run: &str) -> Result<Report<'_>, Error<S::Error>> {
        self.drive(Call::get(RunId::new(run)?, self.policy, self.seed))
    }

    /// Follows a run until it ends or `wait_ms` passes.
    pub fn wait_for_run(&mut self, run: &str, wait_ms: u32) -> Result<Report<'_>, Error<S::Error>> {
        self.drive(Call::wait_for(RunId::new(run)?, self.policy, self.seed).wait_ms(wait_ms))
    }

    /// Aborts a run.
    pub fn abort_run(&mut self, run: &str) -> Result<Report<'_>, Error<S::Error>> {
        self.drive(Call::abort(RunId::new(run)?, self.policy, self.seed))
    }

    /// The task's most recent run (to settle [`Error::OutcomeUnknown`]).
    pub fn last_run(&mut self, task: &str) -> Result<Report<'_>, Error<S::Error>> {
        self.drive(Call::last_run(TaskId::new(task)?, self.policy, self.seed))
    }

    /// The API's error from the last response, after an [`Error::Api`].
    pub fn api_error(&mut self) -> Option<&ApiError> {
        match self.reader.finish().ok()?.outcome {
            Outcome::ApiError(error) => Some(error),
            _ => None,
        }
    }

    /// The body's first bytes from the last response, after an [`Error::Http`].
    pub fn http_error_body(&mut self) -> Option<&[u8]> {
        match self.reader.finish().ok()?.outcome {
            Outcome::HttpError { body_prefix } => Some(body_prefix),
            _ => None,
        }
    }

    fn drive(&mut self, mut call: Call<'_>) -> Result<Report<'_>, Error<S::Error>> {
        let mut last_error: Option<S::Error> = None;
        loop {
            let now = self.clock.now_ms();
            match call.next(now) {
                Action::Sleep { ms } => self.delay.delay_ms(ms),
                Action::Done(finish) => return self.conclude(finish, last_error),
                Action::Send { endpoint, timeout_ms } => {
                    let mut request = Request::new(self.base, endpoint)?;
                    if let Some(token) = self.token {
                        request = request.with_token(token);
                    }
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
                        Ok(()) => match self.reader.finish() {
                            Ok(response) => call.on_response(now, &response),
                            Err(_) => call.on_failure(now, TransportFailure::AfterSend),
                        },
                        Err((failure, source)) => {
                            if source.is_some() {
                                last_error = source;
                            }
                            call.on_failure(now, failure);
                        }
                    }
                }
            }
        }
    }

    fn conclude(
        &mut self,
        finish: Finish,
        last_error: Option<S::Error>,
    ) -> Result<Report<'_>, Error<S::Error>> {
        match finish.conclude(self.reader.finish()) {
            Conclusion::Run { run, finish } => Ok(Report { run, finish }),
            Conclusion::ApiError { status, .. } => Err(Error::Api { status }),
            Conclusion::HttpError { status, .. } => Err(Error::Http { status }),
            Conclusion::Transport(failure) => Err(Error::Transport { failure, source: last_error }),
            Conclusion::OutcomeUnknown { .. } => Err(Error::OutcomeUnknown),
        }
    }
}
