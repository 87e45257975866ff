//! A local stand-in for the Apify API v2 on `127.0.0.1`, with scriptable faults.
//!
//! `apify-stub` answers the calls a client makes around a task run and its results, shaped like the real
//! API (see `fixtures/` and `docs/apify-api.md`), so that clients can be tested over a real
//! socket without a network or an account:
//!
//! | request | answer |
//! |---|---|
//! | `POST /v2/actor-tasks/{taskId}/runs` | 201 `{"data": run}` with `Location`, after checking the token, the query parameters, the `webhooks` and the input body |
//! | `GET /v2/actor-runs/{runId}` | 200 `{"data": run}`, long-polling with `waitForFinish` (at most 60 s) |
//! | `POST /v2/actor-runs/{runId}/abort` | 200 `{"data": run}`, now `ABORTED` unless it had already finished |
//! | `GET /v2/actor-tasks/{taskId}/runs/last` | 200 `{"data": run}`, the task's most recent run |
//! | `GET /v2/datasets/{datasetId}/items` | 200, the items as a bare JSON array, streamed (chunked), with the `X-Apify-Pagination-*` headers |
//! | `GET /v2/actor-runs/{runId}/dataset/items` | the same for a run's default dataset |
//! | `POST /v2/actor-tasks/{taskId}/run-sync-get-dataset-items` | starts a run, waits for it, 201 with its dataset's items; 408 `run-timeout-exceeded` after [`StubConfig::sync_timeout`] |
//!
//! Datasets hold generated items ([`dataset_item`]): each run's default dataset has
//! [`StubConfig::dataset_items`], and `items-N` (N items) or `items-NxS` (N items of about S
//! bytes) exist for any N, never held in memory. `offset`, `limit`, `desc`, `fields`, `omit`,
//! `clean` and `skipHidden` are honoured; `unwind`, `flatten` and `view` are accepted and
//! ignored; `format` must be `json`.
//!
//! Anything else is 404 `page-not-found`, a known path with another method is 405
//! `method-not-allowed`, and every error has the API's `{"error": {"type", "message"}}` shape.
//!
//! # Run lifecycle
//!
//! A run's status follows the time since it was created: `READY` for
//! [`StubConfig::ready_for`], then `RUNNING` for [`StubConfig::running_for`], then the final
//! status chosen with [`Stub::set_outcome`] (`SUCCEEDED` by default), with `finishedAt`,
//! `exitCode`, `usage`, `usageUsd` and `usageTotalUsd` filled in. An abort ends it at once.
//!
//! # Special task names
//!
//! So that failures can be tried from the command line without scripting faults:
//!
//! ```text
#![doc = include_str!("names.txt")]
//! ```
//!
//! # Limits and strictness
//!
//! Memory stays bounded under load: the request log keeps the newest [`LOG_CAPACITY`]
//! requests with their bodies cut to [`BODY_CAPACITY`] bytes, the newest [`RUN_CAPACITY`] runs
//! are kept (an older one is 404, as if deleted), bodies over [`MAX_BODY`] are answered 413,
//! and at most [`MAX_CONNECTIONS`] connections are served at once (more wait in the listen
//! backlog, and are answered once one ends). A `Content-Length` that is not a decimal number,
//! or a chunked body that cannot be read, is answered 400.
//!
//! # HTTPS
//!
//! With [`StubConfig::tls`] the stand-in serves HTTPS only: a CA and a server certificate
//! (for `localhost` and `127.0.0.1`, or the names in [`TlsOptions`]) are made at start with
//! rcgen, and [`Stub::ca_der`] / [`Stub::ca_pem`] give the CA to trust. [`TlsOptions`] can also
//! make the certificate an expired one, or offer TLS 1.2 only, so that clients can show they
//! refuse those. The TLS front relays plaintext to the plain one, so the request log, faults
//! and runs work the same; a client that refuses the certificate gets no request through.
//!
//! # Tokens
//!
//! With [`StubConfig::tokens`] set, starting a run, aborting one and reading a task's last run
//! need one of them as `Authorization: Bearer <token>` or `?token=<token>`: a missing token is 401
//! `token-not-provided`, another one 401 `invalid-token`. `GET /v2/actor-runs/{runId}` needs
//! none (the run ID is the credential, as in the real API), but a wrong token is still 401.
//!
//! # Faults
//!
//! [`Stub::push_fault`] queues a [`Fault`]: the next request it [matches](Match) gets the
//! [`FaultKind`] instead of (or on top of) the normal answer. Faults that act on the socket
//! (one byte per write, closing mid-body, closing without an answer, not answering) really
//! happen on the client's TCP connection.
//!
//! # How it is built
//!
//! HTTP is served by [`tiny_http`], each request on its own thread, so long polls never block
//! other requests and every wait is bounded. tiny_http never closes a keep-alive connection
//! by itself and does not hand out its sockets, so the listening port is a thin TCP relay in
//! front of it: the relay owns each client socket, which is what lets a fault write a response
//! one byte at a time or close the connection halfway through a body.
//!
//! ```no_run
//! use apify_stub::{Fault, FaultKind, Match, Stub, StubConfig};
//!
//! let stub = Stub::start(StubConfig { tokens: vec!["secret".into()], ..StubConfig::default() })?;
//! stub.push_fault(Fault::new(Match::StartRun, FaultKind::RateLimited { retry_after_secs: Some(1) }));
//! println!("POST {}/v2/actor-tasks/janedoe~my-task/runs", stub.base_url());
//! # Ok::<(), std::io::Error>(())
//! ```

#![deny(missing_docs)]

mod api;
mod bodies;
mod datasets;
mod fault;
mod front;
mod ids;
mod names;
mod params;
mod route;
mod run;
mod runs;
mod server;
mod state;
mod time;
mod tls;
mod wire;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

pub use datasets::item as dataset_item;
pub use fault::{Fault, FaultKind, Match};
pub use names::SPECIAL_NAMES;
pub use runs::RUN_CAPACITY;
pub use server::{BODY_CAPACITY, LOG_CAPACITY, MAX_BODY, MAX_CONNECTIONS};
pub use tls::TlsOptions;

use front::Front;
use state::Shared;

/// How a [`Stub`] listens and how its runs behave.
#[derive(Debug, Clone)]
pub struct StubConfig {
    /// Port on `127.0.0.1`; 0 picks a free one (see [`Stub::port`]).
    pub port: u16,
    /// Tokens accepted: requests must carry one as `Authorization: Bearer t` or `?token=t`
    /// (see the crate docs for which ones). Empty: any token is accepted and none is required.
    pub tokens: Vec<String>,
    /// How long a new run stays `READY`.
    pub ready_for: Duration,
    /// How long it is then `RUNNING` before it reaches its final status.
    pub running_for: Duration,
    /// Framing of responses: `false` sends `Content-Length`, `true` sends
    /// `Transfer-Encoding: chunked` (several chunks per body).
    pub chunked: bool,
    /// Log one line per request to stderr: method, path with query, status, time taken.
    pub log: bool,
    /// Serve HTTPS instead of HTTP, with a CA and a server certificate made at start
    /// ([`Stub::ca_pem`], [`Stub::ca_der`]).
    pub tls: Option<TlsOptions>,
    /// Items in each run's default dataset (generated: see [`dataset_item`]).
    pub dataset_items: u64,
    /// How long run-sync-get-dataset-items waits for its run before 408
    /// `run-timeout-exceeded` (the API's 300 s; the run goes on).
    pub sync_timeout: Duration,
}

impl Default for StubConfig {
    /// Any free port, no token, 300 ms `READY`, 1500 ms `RUNNING`, `Content-Length` framing,
    /// 5 items per run's dataset, the API's 300 s for run-sync.
    fn default() -> StubConfig {
        StubConfig {
            port: 0,
            tokens: Vec::new(),
            ready_for: Duration::from_millis(300),
            running_for: Duration::from_millis(1500),
            chunked: false,
            log: false,
            tls: None,
            dataset_items: 5,
            sync_timeout: Duration::from_secs(300),
        }
    }
}

/// A request as the stub received it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The request target as received: path and query, still percent-encoded.
    pub url: String,
    /// The headers in the order received, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body, after undoing any chunked transfer coding.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The value of the first header called `name` (ignoring ASCII case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A running stand-in for the Apify API. Dropping it stops the server and closes its
/// connections.
pub struct Stub {
    shared: Arc<Shared>,
    front: Arc<Front>,
    tls: Option<tls::TlsFront>,
    http: Arc<tiny_http::Server>,
    threads: Vec<JoinHandle<()>>,
}

impl Stub {
    /// Binds `127.0.0.1:config.port` and serves on background threads until dropped.
    pub fn start(config: StubConfig) -> io::Result<Stub> {
        let inner = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let inner_addr = inner.local_addr()?;
        let http = tiny_http::Server::from_listener(inner, None).map_err(io::Error::other)?;
        let http = Arc::new(http);
        // With TLS, the plain front listens on a port of its own, behind the TLS one.
        let plain_port = if config.tls.is_some() { 0 } else { config.port };
        let (front, accept) = Front::start(plain_port, inner_addr)?;
        let tls = match &config.tls {
            Some(options) => {
                let plain = SocketAddr::from((Ipv4Addr::LOCALHOST, front.port()));
                Some(tls::TlsFront::start(config.port, plain, options).inspect_err(|_| front.stop())?)
            }
            None => None,
        };
        let base_url = match &tls {
            Some(tls) => format!("https://127.0.0.1:{}", tls.port()),
            None => format!("http://127.0.0.1:{}", front.port()),
        };
        let shared = Arc::new(Shared::new(config, base_url));
        let dispatch = {
            let (http, shared, front) = (http.clone(), shared.clone(), front.clone());
            thread::Builder::new()
                .name("apify-stub-dispatch".into())
                .spawn(move || server::dispatch(&http, &shared, &front))
        };
        let dispatch = dispatch.inspect_err(|_| front.stop())?;
        Ok(Stub { shared, front, tls, http, threads: vec![accept, dispatch] })
    }

    /// `http://127.0.0.1:<port>` (`https://` with [`StubConfig::tls`]), without a trailing
    /// slash.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The port the stub listens on (the HTTPS one with [`StubConfig::tls`]).
    pub fn port(&self) -> u16 {
        self.tls.as_ref().map_or_else(|| self.front.port(), tls::TlsFront::port)
    }

    /// With [`StubConfig::tls`], the CA that signed the server certificate, PEM-encoded.
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|tls| tls.ca.pem.as_str())
    }

    /// With [`StubConfig::tls`], the CA that signed the server certificate, DER-encoded (the
    /// form `no_std` TLS clients take).
    pub fn ca_der(&self) -> Option<&[u8]> {
        self.tls.as_ref().map(|tls| tls.ca.der.as_slice())
    }

    /// Queues a fault. Each request takes the first queued fault that matches it, which is
    /// then consumed; faults that match nothing stay queued.
    pub fn push_fault(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// The requests received, in order, including those answered by a fault: the last
    /// [`LOG_CAPACITY`] of them, each body cut to its first [`BODY_CAPACITY`] bytes, so that
    /// memory stays bounded under load.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    /// How many runs were created (requests to start a run that got past the checks and
    /// were not refused by a fault).
    pub fn runs_started(&self) -> usize {
        self.shared.lock().runs.count()
    }

    /// The ID of the most recently created run, if any.
    pub fn last_run_id(&self) -> Option<String> {
        self.shared.lock().runs.last().map(|run| run.id.clone())
    }

    /// Final status of the runs of `task` created from now on. `task` is the task ID as it
    /// appears in the path, decoded (e.g. `janedoe~my-task`). `SUCCEEDED` (the default),
    /// `FAILED`, `TIMED-OUT` and `ABORTED` are terminal; any other string becomes the run's
    /// last status as it is, one no client knows to be terminal.
    pub fn set_outcome(&self, task: &str, status: &str) {
        self.shared.lock().runs.set_outcome(task, status);
    }

    /// The `webhooks` of the most recently created run, decoded from base64 into JSON;
    /// `None` if there is no run yet or it was started without webhooks.
    pub fn webhooks_of_last_run(&self) -> Option<serde_json::Value> {
        self.shared.lock().runs.last().and_then(|run| run.webhooks.clone())
    }

    /// Blocks the calling thread for good; the stub keeps serving (for `apify-run stub`).
    pub fn serve_forever(&self) {
        loop {
            thread::park();
        }
    }
}

impl std::fmt::Debug for Stub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stub")
            .field("base_url", &self.shared.base_url)
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.shared.stop();
        if let Some(tls) = &self.tls {
            tls.stop();
        }
        self.front.stop();
        self.http.unblock();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// The crate README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
