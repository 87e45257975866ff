//! Run Apify tasks from async firmware: [`apify_core`]'s protocol over any
//! [`embedded_nal_async::TcpConnect`] (embassy-net, esp-hal's Wi-Fi, `std-embedded-nal-async`
//! on a host).
//!
//! `no_std`, no allocation, no `unsafe`, executor-agnostic. Start with [`Client::builder`],
//! then [`Client::call_task`] (start a task and follow the run to its end) or
//! [`Client::run_task`]. Every protocol decision comes from core's [`Call`] state machine, as in
//! the blocking `apify-nal` and the std `apify-ureq`, which have the same builder, operations,
//! errors and re-exports; this crate only moves bytes through the stack's connections and waits
//! through any `embedded_hal_async::delay::DelayNs` and a [`Clock`].
//!
//! # Time and cancellation
//!
//! Every await (connect, each write and read) is raced against the attempt's deadline, so no
//! peer can hold a call longer than the [`RetryPolicy`] allows, and a wait bounds the whole call.
//! A call's future may be dropped at any await point: the connection it held is dropped (and
//! so closed), the reader's half-read response is discarded by the next call's first bytes,
//! and the next call starts clean.
//!
//! # Memory
//!
//! The caller owns it all: one buffer serves both directions (the request head is written
//! through it in pieces, received bytes pass through it), and a [`ResponseReader`] holds the
//! decoded run (2,136 bytes on 32-bit targets with every field, best placed in a `static`).
//!
//! # TLS
//!
//! With the `tls` feature, `ClientBuilder::tls` wraps every connection in TLS 1.3
//! (embedded-tls, no allocator): `Tls::verify` checks the server's chain against a CA you
//! give and against the base URL's host before a request byte (so before the token) is
//! written; a refusal is [`Error::Transport`] at [`Stage::Tls`] with embedded-tls's reason
//! (`NetError::Tls`). The record buffers are the caller's (see `READ_RECORD_LEN`). The
//! README has a whole example, run against the stand-in over HTTPS. Without `.tls(..)` an
//! `https://` base URL (the default, `https://api.apify.com`) is refused with
//! [`Error::TlsRequired`] unless the stack's connections carry TLS themselves
//! ([`ClientBuilder::stack_provides_tls`]), so the token never goes out in clear text by
//! mistake. Plain `http://` suits a gateway on the local network, or the local stand-in.
//!
//! ```no_run
//! # async fn demo<T: embedded_nal_async::TcpConnect>(stack: T, delay: impl embedded_hal_async::delay::DelayNs) -> Result<(), apify_nal_async::ClientError<T::Error>> {
//! use apify_nal_async::{Client, ResponseReader, RunOptions};
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
//!     .build(&stack, millis_since_boot, delay, &mut buffer, &mut reader)?;
//! let report = client.call_task("janedoe~my-task", RunOptions::new().memory_mbytes(256), None, Duration::from_secs(120)).await?;
//! let status = report.run.status();
//! # let _ = status; Ok(()) }
//! ```
#![no_std]
#![deny(missing_docs)]

mod io;
#[cfg(feature = "items")]
mod items;
#[cfg(feature = "tls")]
mod tls;

use core::net::SocketAddr;
use core::time::Duration;

use apify_core::call::{Action, Call, SleepReason};
use apify_core::client::{check_settings, conclude};
use apify_core::encode::{BaseUrl, Input, Request, RunId, TaskId, Token};
use apify_core::http::Outcome;
use embedded_hal_async::delay::DelayNs;
use embedded_nal_async::TcpConnect;

pub use apify_core::Decimal;
pub use apify_core::call::{Cause, Finish, Progress, RetryPolicy, Stage, TransportFailure};
#[cfg(feature = "items")]
pub use apify_core::client::ItemsReport;
pub use apify_core::client::{Clock, CounterClock, Error, RunReport};
#[cfg(feature = "items")]
pub use apify_core::encode::ItemsOptions;
pub use apify_core::encode::{APIFY_API, EncodeError, EventType, RunOptions, Webhook, Webhooks};
pub use apify_core::http::ResponseReader;
#[cfg(feature = "items")]
pub use apify_core::items::{Item, ItemVisitor};
pub use apify_core::model::{ApiError, ErrorType, Id, Run, RunStatus, Text, Timestamp};
#[cfg(feature = "tls")]
pub use embedded_tls::CryptoRngCore;
#[doc(hidden)]
pub use io::Deadline;
pub use io::{Link, NetError, Plain};
#[cfg(feature = "items")]
pub use items::ITEMS_DEPTH;
#[cfg(feature = "tls")]
pub use tls::{MAX_CERTIFICATE_LEN, NoClock, READ_RECORD_LEN, Tls, TlsClock, TlsError, WRITE_RECORD_LEN};

/// What this crate's operations fail with: core's [`Error`], whose `source` is what the
/// connection reported ([`NetError`]: the stack's error, or the TLS session's).
pub type ClientError<E> = Error<NetError<E>>;

/// Settings of a [`Client`] ([`Client::builder`]). Its `Debug` never shows the token.
pub struct ClientBuilder<'b, L = Plain> {
    link: L,
    remote: SocketAddr,
    base_url: &'b str,
    token: Option<&'b str>,
    policy: RetryPolicy,
    seed: u32,
    tls: bool,
    max_poll_wait: Duration,
}

impl<L: core::fmt::Debug> core::fmt::Debug for ClientBuilder<'_, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("link", &self.link)
            .field("remote", &self.remote)
            .field("base_url", &self.base_url)
            .field("token", &self.token.map(|_| "<redacted>"))
            .field("policy", &self.policy)
            .field("stack_provides_tls", &self.tls)
            .finish()
    }
}

impl<'b, L: Link> ClientBuilder<'b, L> {
    /// The API address that goes into each request (its host into `Host`, and the name the
    /// server's certificate must carry; default `https://api.apify.com`, which needs TLS).
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

    /// The longest wait each poll asks the server for while following a run (default and
    /// most: 60 s); a shorter one shows status changes sooner, at the cost of more requests.
    pub fn max_poll_wait(mut self, wait: Duration) -> Self {
        self.max_poll_wait = wait;
        self
    }

    /// Declares that the stack's connections carry TLS to the remote (a modem with TLS
    /// offload, a stack that wraps a TLS session, checking the server's certificate): only
    /// then is an `https://` base URL accepted.
    pub fn stack_provides_tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// TLS 1.3 on every connection (feature `tls`): see [`Tls`]. With it, `https://` base
    /// URLs are accepted, and nothing is written before the server's certificate has passed.
    #[cfg(feature = "tls")]
    pub fn tls<R: CryptoRngCore, K: TlsClock>(self, tls: Tls<'b, R, K>) -> ClientBuilder<'b, Tls<'b, R, K>> {
        let ClientBuilder { link: _, remote, base_url, token, policy, seed, tls: stack_tls, max_poll_wait } =
            self;
        ClientBuilder { link: tls, remote, base_url, token, policy, seed, tls: stack_tls, max_poll_wait }
    }

    /// Checks the settings and builds the client over `stack`. `buffer` is the one I/O
    /// buffer (64 bytes at least); `reader` receives each response and keeps the last one.
    pub fn build<T: TcpConnect, C: Clock, D: DelayNs>(
        self,
        stack: T,
        clock: C,
        delay: D,
        buffer: &'b mut [u8],
        reader: &'b mut ResponseReader,
    ) -> Result<Client<'b, T, C, D, L>, ClientError<T::Error>> {
        let (base, token) = check_settings(self.base_url, self.token, self.tls || L::SECURE, buffer.len())?;
        Ok(Client {
            link: self.link,
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
            poll_wait_secs: self.max_poll_wait.as_secs().min(u8::MAX as u64) as u8,
        })
    }
}

/// A client over one network stack. The decoded run lives in the caller's reader.
pub struct Client<'b, T, C, D, L = Plain> {
    link: L,
    stack: T,
    clock: C,
    delay: D,
    remote: SocketAddr,
    base: BaseUrl<'b>,
    token: Option<Token<'b>>,
    policy: RetryPolicy,
    buffer: &'b mut [u8],
    reader: &'b mut ResponseReader,
    seed: u32,
    /// The longest wait a poll asks the server for.
    poll_wait_secs: u8,
}

impl<T, C, D, L> core::fmt::Debug for Client<'_, T, C, D, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("remote", &self.remote)
            .field("base", &self.base)
            .field("token", &self.token)
            .finish()
    }
}

impl Client<'static, (), (), ()> {
    /// A builder for a client that connects to `remote` (the API's address, a gateway's, or
    /// the stand-in's), with the defaults: `https://api.apify.com`, no token,
    /// [`RetryPolicy::DEFAULT`].
    pub fn builder(remote: SocketAddr) -> ClientBuilder<'static> {
        ClientBuilder {
            link: Plain,
            remote,
            base_url: APIFY_API,
            token: None,
            policy: RetryPolicy::DEFAULT,
            seed: 0x9e37_79b9,
            tls: false,
            max_poll_wait: Duration::from_secs(60),
        }
    }
}

impl<'b, T: TcpConnect, C: Clock, D: DelayNs, L: Link> Client<'b, T, C, D, L> {
    /// Gives the stack back.
    pub fn into_stack(self) -> T {
        self.stack
    }

    /// Starts a run of `task` and returns it as created. `input` is a JSON object of input
    /// overrides; `None` sends `{}`.
    pub async fn run_task(
        &mut self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
    ) -> Result<RunReport<'_>, ClientError<T::Error>> {
        self.call_task_with(task, options, input, Duration::ZERO, false, |_| {}).await
    }

    /// Starts a run and follows it until it ends or `wait` passes.
    pub async fn call_task(
        &mut self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
        wait: Duration,
    ) -> Result<RunReport<'_>, ClientError<T::Error>> {
        self.call_task_with(task, options, input, wait, false, |_| {}).await
    }

    /// [`call_task`](Self::call_task) with every option: abort the run when the wait ends
    /// first, and see each state of the run and each retry as they happen.
    pub async fn call_task_with(
        &mut self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
        wait: Duration,
        abort_at_deadline: bool,
        progress: impl FnMut(Progress<'_>),
    ) -> Result<RunReport<'_>, ClientError<T::Error>> {
        let input = input.map_or(Ok(Input::EMPTY), Input::from_json)?;
        let call = Call::start(TaskId::new(task)?, &options, input, self.policy, self.seed)
            .wait_ms(millis(wait))
            .abort_at_deadline(abort_at_deadline)
            .poll_wait_secs(self.poll_wait_secs);
        self.drive(call, progress).await
    }

    /// The run's current state.
    pub async fn get_run(&mut self, run: &str) -> Result<RunReport<'_>, ClientError<T::Error>> {
        self.drive(Call::get(RunId::new(run)?, self.policy, self.seed), |_| {}).await
    }

    /// Follows a run until it ends or `wait` passes, showing each state and retry to
    /// `progress`.
    pub async fn wait_for_run(
        &mut self,
        run: &str,
        wait: Duration,
        progress: impl FnMut(Progress<'_>),
    ) -> Result<RunReport<'_>, ClientError<T::Error>> {
        let call = Call::wait_for(RunId::new(run)?, self.policy, self.seed)
            .wait_ms(millis(wait))
            .poll_wait_secs(self.poll_wait_secs);
        self.drive(call, progress).await
    }

    /// Aborts a run (aborting a finished run changes nothing; the report shows its status).
    pub async fn abort_run(&mut self, run: &str) -> Result<RunReport<'_>, ClientError<T::Error>> {
        self.drive(Call::abort(RunId::new(run)?, self.policy, self.seed), |_| {}).await
    }

    /// The task's most recent run (to settle [`Error::OutcomeUnknown`]).
    pub async fn last_run(&mut self, task: &str) -> Result<RunReport<'_>, ClientError<T::Error>> {
        self.drive(Call::last_run(TaskId::new(task)?, self.policy, self.seed), |_| {}).await
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
    async fn drive(
        &mut self,
        mut call: Call<'_>,
        mut progress: impl FnMut(Progress<'_>),
    ) -> Result<RunReport<'_>, ClientError<T::Error>> {
        let mut last_error: Option<NetError<T::Error>> = None;
        loop {
            let now = self.clock.now_ms();
            match call.next(now) {
                Action::Sleep { ms, reason } => {
                    if let SleepReason::Retry { next_attempt, max_attempts } = reason {
                        let reason = call.last_failure(self.reader.finish());
                        progress(Progress::Retry { reason, after_ms: ms, next_attempt, max_attempts });
                    }
                    self.delay.delay_ms(ms).await;
                }
                Action::Done(finish) => {
                    let created = call.created_run_id().map(Id::from_str_truncating);
                    return conclude(finish.conclude(self.reader.finish()), created, last_error);
                }
                Action::Send { endpoint, timeout_ms } => {
                    // `apify_core::client::request` written out: called here, inside the
                    // call's future, it measured 524 bytes more flash (scripts/footprint).
                    let mut request = Request::new(self.base, endpoint)?;
                    if let Some(token) = self.token {
                        request = request.with_token(token);
                    }
                    last_error = None;
                    let mut deadline = io::Deadline {
                        clock: &mut self.clock,
                        delay: &mut self.delay,
                        at: now + timeout_ms as u64,
                    };
                    let host = self.base.host();
                    let result = self
                        .link
                        .exchange(
                            &self.stack,
                            self.remote,
                            host,
                            &mut deadline,
                            &request,
                            self.buffer,
                            self.reader,
                        )
                        .await;
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

/// The address to connect to for `base_url`: its host resolved through the stack's
/// [`Dns`](embedded_nal_async::Dns) (an IP literal is used as it is), with its port. Waits at
/// most `timeout`. Resolve again after a [`Stage::Connect`] failure: the API's addresses
/// change.
///
/// ```no_run
/// # async fn demo<N: embedded_nal_async::Dns>(dns: &N, mut delay: impl embedded_hal_async::delay::DelayNs) {
/// use core::time::Duration;
/// let api = apify_nal_async::resolve(dns, "https://api.apify.com", &mut delay, Duration::from_secs(10)).await;
/// # }
/// ```
pub async fn resolve<N: embedded_nal_async::Dns, D: DelayNs>(
    dns: &N,
    base_url: &str,
    delay: &mut D,
    timeout: Duration,
) -> Result<SocketAddr, ClientError<N::Error>> {
    let base = apify_core::encode::BaseUrl::parse(base_url)?;
    let host = base.host().trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<core::net::IpAddr>() {
        return Ok(SocketAddr::new(ip, base.port()));
    }
    let lookup = dns.get_host_by_name(host, embedded_nal_async::AddrType::Either);
    let failed =
        |cause, source| Error::Transport { failure: TransportFailure::new(Stage::Resolve, cause), source };
    match embassy_futures::select::select(lookup, delay.delay_ms(millis(timeout))).await {
        embassy_futures::select::Either::First(Ok(ip)) => Ok(SocketAddr::new(ip, base.port())),
        embassy_futures::select::Either::First(Err(e)) => {
            Err(failed(Cause::HostNotFound, Some(NetError::Tcp(e))))
        }
        embassy_futures::select::Either::Second(()) => Err(failed(Cause::Timeout, None)),
    }
}

fn millis(d: Duration) -> u32 {
    d.as_millis().min(u32::MAX as u128) as u32
}

/// The crate README's example, compiled and run as a doctest (it needs the `tls` feature).
#[cfg(all(doctest, feature = "tls"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
