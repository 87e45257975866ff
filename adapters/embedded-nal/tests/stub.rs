//! apify-nal over `std-embedded-nal` sockets against the local API stand-in on 127.0.0.1,
//! with a wrapper stack that injects faults for real: 1-byte receives, `WouldBlock` storms,
//! short sends, a reset mid-body, a close before the head, a peer that never answers.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use apify_nal::{
    Cause, Client, Clock, Error, Finish, Progress, ResponseReader, RetryPolicy, RunOptions, RunStatus, Stage,
    TransportFailure,
};
use apify_stub::{Fault, FaultKind, Match, Stub, StubConfig};
use embedded_nal::{TcpClientStack, TcpErrorKind, nb};
use std_embedded_nal::Stack;

struct StdClock(Instant);

impl Clock for StdClock {
    fn now_ms(&mut self) -> u64 {
        self.0.elapsed().as_millis() as u64
    }
}

struct StdDelay;

impl embedded_hal::delay::DelayNs for StdDelay {
    fn delay_ns(&mut self, ns: u32) {
        std::thread::sleep(Duration::from_nanos(ns as u64));
    }
}

/// Faults the wrapper injects.
#[derive(Default, Clone, Copy)]
struct Faults {
    /// Receive at most this many bytes per call.
    receive_max: Option<usize>,
    /// Send at most this many bytes per call.
    send_max: Option<usize>,
    /// Answer `WouldBlock` this many times before every real send and receive.
    would_block: u32,
    /// Reset the connection after this many received bytes (of one exchange).
    reset_after: Option<usize>,
    /// Report the peer closed before anything was received.
    close_before_head: bool,
    /// Never deliver anything (`WouldBlock` forever).
    silent: bool,
    /// Stand in for a peer that never stops sending: a 200 head, then whitespace (a JSON
    /// body that never ends) as fast as it is read, never `WouldBlock`; it closes after
    /// `FLOOD_LIMIT`, so that a client without a deadline fails the test instead of hanging it.
    flood: bool,
}

const FLOOD_LIMIT: Duration = Duration::from_secs(30);
const FLOOD_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";

/// The wrapper's errors: the std stack's own, or an injected reset.
#[derive(Debug)]
enum FaultError {
    Inner(<Stack as TcpClientStack>::Error),
    Reset,
}

impl embedded_nal::TcpError for FaultError {
    fn kind(&self) -> TcpErrorKind {
        match self {
            Self::Inner(e) => e.kind(),
            Self::Reset => TcpErrorKind::Other,
        }
    }
}

fn inner<T>(r: nb::Result<T, <Stack as TcpClientStack>::Error>) -> nb::Result<T, FaultError> {
    r.map_err(|e| e.map(FaultError::Inner))
}

/// A stack that wraps the std one and misbehaves on purpose; counts open sockets.
struct Faulty {
    inner: Stack,
    faults: Faults,
    open: usize,
    blocked: u32,
    received: usize,
    flood_since: Option<Instant>,
}

impl Faulty {
    fn new(faults: Faults) -> Self {
        Self { inner: Stack, faults, open: 0, blocked: 0, received: 0, flood_since: None }
    }

    /// The next bytes of the endless response.
    fn flood(&mut self, buffer: &mut [u8]) -> usize {
        if self.flood_since.get_or_insert_with(Instant::now).elapsed() > FLOOD_LIMIT {
            return 0;
        }
        let head = FLOOD_HEAD.get(self.received..).unwrap_or_default();
        let n = head.len().min(buffer.len());
        buffer[..n].copy_from_slice(&head[..n]);
        buffer[n..].fill(b' ');
        self.received += buffer.len();
        buffer.len()
    }

    fn storm(&mut self) -> bool {
        if self.blocked < self.faults.would_block {
            self.blocked += 1;
            return true;
        }
        self.blocked = 0;
        false
    }
}

impl TcpClientStack for Faulty {
    type TcpSocket = <Stack as TcpClientStack>::TcpSocket;
    type Error = FaultError;

    fn socket(&mut self) -> Result<Self::TcpSocket, FaultError> {
        self.open += 1;
        self.received = 0;
        self.inner.socket().map_err(FaultError::Inner)
    }

    fn connect(&mut self, socket: &mut Self::TcpSocket, remote: SocketAddr) -> nb::Result<(), FaultError> {
        inner(self.inner.connect(socket, remote))
    }

    fn send(&mut self, socket: &mut Self::TcpSocket, buffer: &[u8]) -> nb::Result<usize, FaultError> {
        if self.storm() {
            return Err(nb::Error::WouldBlock);
        }
        let n = self.faults.send_max.map_or(buffer.len(), |m| m.min(buffer.len()));
        inner(self.inner.send(socket, &buffer[..n]))
    }

    fn receive(&mut self, socket: &mut Self::TcpSocket, buffer: &mut [u8]) -> nb::Result<usize, FaultError> {
        if self.faults.silent || self.storm() {
            return Err(nb::Error::WouldBlock);
        }
        if self.faults.close_before_head {
            return Ok(0);
        }
        if self.faults.flood {
            return Ok(self.flood(buffer));
        }
        if let Some(limit) = self.faults.reset_after {
            if self.received >= limit {
                return Err(nb::Error::Other(FaultError::Reset));
            }
        }
        let mut n = self.faults.receive_max.map_or(buffer.len(), |m| m.min(buffer.len()));
        if let Some(limit) = self.faults.reset_after {
            n = n.min(limit - self.received).max(1);
        }
        let got = inner(self.inner.receive(socket, &mut buffer[..n]))?;
        self.received += got;
        Ok(got)
    }

    fn close(&mut self, socket: Self::TcpSocket) -> Result<(), FaultError> {
        self.open -= 1;
        self.inner.close(socket).map_err(FaultError::Inner)
    }
}

fn stub() -> Stub {
    let config = StubConfig {
        tokens: vec!["secret".into()],
        ready_for: Duration::from_millis(100),
        running_for: Duration::from_millis(400),
        ..StubConfig::default()
    };
    Stub::start(config).unwrap()
}

const SECS_20: Duration = Duration::from_secs(20);

fn remote(stub: &Stub) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], stub.port()))
}

/// Short timeouts so the fault tests finish quickly.
const FAST: RetryPolicy = RetryPolicy {
    attempt_timeout_ms: 1_500,
    base_delay_ms: 20,
    max_total_ms: 10_000,
    ..RetryPolicy::DEFAULT
};

fn with_client<T>(
    stub: &Stub,
    faults: Faults,
    buffer_len: usize,
    f: impl FnOnce(&mut Client<'_, &mut Faulty, StdClock, StdDelay>) -> T,
) -> (T, usize) {
    let base = stub.base_url();
    let mut buffer = vec![0u8; buffer_len];
    let mut reader = Box::new(ResponseReader::new());
    let mut stack = Faulty::new(faults);
    let result = {
        let mut client = Client::builder(remote(stub))
            .base_url(&base)
            .token("secret")
            .retry_policy(FAST)
            .build(&mut stack, StdClock(Instant::now()), StdDelay, &mut buffer, &mut reader)
            .unwrap();
        f(&mut client)
    };
    (result, stack.open)
}

#[test]
fn start_and_follow_with_small_and_medium_buffers() {
    let stub = stub();
    for buffer in [64, 128, 512] {
        let (status, open) = with_client(&stub, Faults::default(), buffer, |client| {
            let report = client
                .call_task("janedoe~my-task", RunOptions::new().memory_mbytes(256), None, SECS_20)
                .unwrap();
            assert_eq!(report.finish, Finish::Terminal);
            report.run.status()
        });
        assert_eq!((status, open), (Some(RunStatus::Succeeded), 0), "buffer {buffer}");
    }
    assert_eq!(stub.runs_started(), 3);
}

#[test]
fn single_operations_and_api_errors() {
    let stub = stub();
    let (id, _) = with_client(&stub, Faults::default(), 256, |client| {
        let report = client.run_task("janedoe~my-task", RunOptions::new(), Some(b"{\"a\":1}")).unwrap();
        assert_eq!(report.finish, Finish::Started);
        report.run.id().unwrap().as_str().to_string()
    });
    let ((), open) = with_client(&stub, Faults::default(), 256, |client| {
        assert_eq!(client.get_run(&id).unwrap().run.id().unwrap().as_str(), id);
        let aborted = client.abort_run(&id).unwrap();
        assert!(matches!(aborted.run.status(), Some(RunStatus::Aborted | RunStatus::Aborting)));
        assert_eq!(client.last_run("janedoe~my-task").unwrap().run.id().unwrap().as_str(), id);
        assert!(matches!(client.get_run("NoSuchRun1234567"), Err(Error::Api { status: 404, .. })));
        assert_eq!(client.api_error().unwrap().error_type().unwrap().as_str(), "record-not-found");
    });
    assert_eq!(open, 0);
}

#[test]
fn one_byte_receives_storms_and_short_sends_still_work() {
    let stub = stub();
    let faults = [
        Faults { receive_max: Some(1), ..Faults::default() },
        Faults { would_block: 3, ..Faults::default() },
        Faults { send_max: Some(7), ..Faults::default() },
        Faults { receive_max: Some(3), send_max: Some(1), would_block: 1, ..Faults::default() },
    ];
    for f in faults {
        let (status, open) = with_client(&stub, f, 128, |client| {
            client.call_task("janedoe~my-task", RunOptions::new(), None, SECS_20).unwrap().run.status()
        });
        assert_eq!((status, open), (Some(RunStatus::Succeeded), 0));
    }
}

#[test]
fn a_reset_after_the_start_was_sent_does_not_start_a_second_run() {
    let stub = stub();
    let before = stub.runs_started();
    let (result, open) =
        with_client(&stub, Faults { reset_after: Some(40), ..Faults::default() }, 128, |client| {
            client
                .call_task("janedoe~my-task", RunOptions::new(), None, Duration::from_secs(10))
                .map(|r| r.finish)
        });
    assert!(matches!(result, Err(Error::OutcomeUnknown { failure: Some(_), .. })), "{result:?}");
    assert_eq!((stub.runs_started() - before, open), (1, 0), "started exactly once, socket closed");
}

#[test]
fn a_close_before_the_head_is_ambiguous_for_a_start_and_retried_for_a_get() {
    let stub = stub();
    let (result, open) =
        with_client(&stub, Faults { close_before_head: true, ..Faults::default() }, 128, |client| {
            client.run_task("janedoe~my-task", RunOptions::new(), None).map(|r| r.finish)
        });
    assert!(matches!(result, Err(Error::OutcomeUnknown { failure: Some(_), .. })), "{result:?}");
    assert_eq!(open, 0);
    let gets_before = stub.requests().iter().filter(|r| r.method == "GET").count();
    let (result, open) =
        with_client(&stub, Faults { close_before_head: true, ..Faults::default() }, 128, |client| {
            client.get_run("NoSuchRun1234567").map(|r| r.finish)
        });
    assert!(
        matches!(
            result,
            Err(Error::Transport {
                failure: TransportFailure { stage: Stage::Read, cause: Cause::Closed },
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(open, 0);
    // Retried: every attempt reached the stand-in (the wrapper only hid the answers).
    let gets = stub.requests().iter().filter(|r| r.method == "GET").count() - gets_before;
    assert!(gets > 1, "{gets} GET sent");
}

/// A GET against a peer with `faults` ends in a deadline failure, bounded by the policy
/// (attempts of 1.5 s within a 10 s budget), with its socket closed.
fn get_hits_the_deadline(faults: Faults) {
    let stub = stub();
    let started = Instant::now();
    let (result, open) =
        with_client(&stub, faults, 128, |client| client.get_run("AnyRun12345678901").map(|r| r.finish));
    assert!(
        matches!(
            result,
            Err(Error::Transport {
                failure: TransportFailure { stage: Stage::Read, cause: Cause::Timeout },
                source: None
            })
        ),
        "{result:?}"
    );
    assert_eq!(open, 0);
    // Well under the flood's own end, so it is the deadline that stopped a flood.
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
}

#[test]
fn a_peer_that_never_answers_hits_the_deadline() {
    get_hits_the_deadline(Faults { silent: true, ..Faults::default() });
}

#[test]
fn a_peer_that_never_stops_sending_hits_the_deadline() {
    get_hits_the_deadline(Faults { flood: true, ..Faults::default() });
}

#[test]
fn server_faults_from_the_stand_in() {
    let stub = stub();
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::RateLimited { retry_after_secs: None }));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::CloseMidBody));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::ServerError { status: 502, html: true }));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::Chunked));
    let (status, open) = with_client(&stub, Faults::default(), 128, |client| {
        client.call_task("janedoe~my-task", RunOptions::new(), None, SECS_20).unwrap().run.status()
    });
    assert_eq!((status, open), (Some(RunStatus::Succeeded), 0));
    assert_eq!(stub.runs_started(), 1);
}

#[test]
fn connection_refused_is_a_connect_failure() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut buffer = [0u8; 128];
    let mut reader = ResponseReader::new();
    let mut stack = Faulty::new(Faults::default());
    let remote = SocketAddr::from(([127, 0, 0, 1], port));
    let policy = RetryPolicy { max_attempts: 3, base_delay_ms: 10, ..FAST };
    let result = {
        let mut client = Client::builder(remote)
            .base_url(&base)
            .retry_policy(policy)
            .build(&mut stack, StdClock(Instant::now()), StdDelay, &mut buffer, &mut reader)
            .unwrap();
        client.run_task("t~t", RunOptions::new(), None).map(|r| r.finish)
    };
    assert!(
        matches!(
            result,
            Err(Error::Transport {
                failure: TransportFailure { stage: Stage::Connect, .. },
                source: Some(_)
            })
        ),
        "{result:?}"
    );
    assert_eq!(stack.open, 0);
}

#[test]
fn https_needs_a_stack_declared_to_carry_tls() {
    let stub = stub();
    let mut buffer = [0u8; 128];
    let mut reader = ResponseReader::new();
    let mut stack = Faulty::new(Faults::default());
    let built = Client::builder(remote(&stub)).token("apify_api_SECRET").build(
        &mut stack,
        StdClock(Instant::now()),
        StdDelay,
        &mut buffer,
        &mut reader,
    );
    assert!(matches!(built, Err(Error::TlsRequired)), "the default https:// base URL over a plain stack");
    let message = built.unwrap_err().to_string();
    assert!(
        message.contains("clear text") && message.contains("declare that the stack provides TLS"),
        "{message}"
    );
    let built = Client::builder(remote(&stub))
        .base_url("https://api.apify.com")
        .token("apify_api_SECRET")
        .stack_provides_tls()
        .build(&mut stack, StdClock(Instant::now()), StdDelay, &mut buffer, &mut reader);
    assert!(built.is_ok(), "declared");
    assert!(stub.requests().is_empty());
}

#[test]
fn a_started_run_is_kept_when_following_it_fails() {
    let stub = stub();
    for _ in 0..20 {
        stub.push_fault(Fault::new(Match::GetRun, FaultKind::ServerError { status: 503, html: true }));
    }
    let mut seen = Vec::new();
    let (result, open) = with_client(&stub, Faults::default(), 128, |client| {
        let result = client.call_task_with("janedoe~my-task", RunOptions::new(), None, SECS_20, false, |p| {
            seen.push(match p {
                Progress::Run(run) => format!("run {:?}", run.status()),
                Progress::Retry { reason, next_attempt, .. } => format!("retry {next_attempt}: {reason}"),
                other => format!("{other:?}"),
            });
        });
        result.map(|r| r.finish).map_err(|e| (e.started_run_id().map(String::from), e.to_string()))
    });
    let (id, message) = result.unwrap_err();
    let id = id.expect("the run's ID is in the error");
    assert!(
        message.starts_with(&format!("run {id} was started, then following it failed: HTTP 503")),
        "{message}"
    );
    assert_eq!((stub.runs_started(), open), (1, 0));
    assert_eq!(seen[0], "run Some(Ready)");
    assert!(seen[1].starts_with("retry 2: HTTP 503 without an API error body"), "{seen:?}");
}

#[test]
fn no_public_type_shows_the_token() {
    let stub = stub();
    let mut buffer = [0u8; 128];
    let mut reader = ResponseReader::new();
    let mut stack = Faulty::new(Faults::default());
    let builder = Client::builder(remote(&stub)).base_url("http://127.0.0.1:1").token("apify_api_SECRETTEXT");
    assert!(!format!("{builder:?}").contains("SECRETTEXT"));
    let mut client = builder
        .retry_policy(RetryPolicy { max_attempts: 1, ..FAST })
        .build(&mut stack, StdClock(Instant::now()), StdDelay, &mut buffer, &mut reader)
        .unwrap();
    assert!(!format!("{client:?}").contains("SECRETTEXT"));
    let e = client.run_task("t~t", RunOptions::new(), None).unwrap_err();
    assert!(!format!("{e:?} {e}").contains("SECRETTEXT"));
    assert!(matches!(e, Error::Api { status: 401, .. }), "{e:?}");
}

/// Dataset items (the `items` feature).
#[cfg(feature = "items")]
mod items {
    use super::*;
    use apify_core::json::Visitor as _;
    use apify_nal::ItemsOptions;

    /// Each item's `title`, picked with `json::Select` while the items stream, and each item's end.
    #[derive(Default)]
    struct Titles {
        titles: Vec<String>,
        text: String,
        ends: Vec<apify_nal::Item>,
        /// Stop after this many items.
        stop_after: Option<usize>,
    }

    impl apify_core::json::Visitor for Titles {
        type Error = apify_core::json::SyntaxError;
        fn event(&mut self, event: apify_core::json::Event<'_>) -> Result<(), Self::Error> {
            if let apify_core::json::Event::Str(f) = event {
                self.text.push_str(f.text);
                if f.last {
                    self.titles.push(std::mem::take(&mut self.text));
                }
            }
            Ok(())
        }
    }

    struct ByTitle(apify_core::json::Select<'static, Titles>);

    impl apify_nal::ItemVisitor for ByTitle {
        type Error = &'static str;
        fn event(&mut self, event: apify_core::json::Event<'_>) -> Result<(), Self::Error> {
            self.0.event(event).map_err(|_| "syntax")
        }
        fn item_end(&mut self, item: apify_nal::Item) -> Result<(), Self::Error> {
            let titles = self.0.inner_mut();
            titles.ends.push(item);
            match titles.stop_after {
                Some(n) if titles.ends.len() >= n => Err("enough"),
                _ => Ok(()),
            }
        }
    }

    fn titles(stop_after: Option<usize>) -> ByTitle {
        ByTitle(apify_core::json::Select::new(&["title"], Titles { stop_after, ..Titles::default() }))
    }

    #[test]
    fn dataset_items_stream_through_a_small_buffer_and_one_byte_receives() {
        let stub = stub();
        // One-byte receives with `WouldBlock`s: fewer items, for the attempt's 1.5 s.
        let slow = Faults { receive_max: Some(1), would_block: 1, ..Faults::default() };
        for (buffer, faults, count) in
            [(64, Faults::default(), 300), (64, slow, 3), (512, Faults::default(), 300)]
        {
            let (result, open) = with_client(&stub, faults, buffer, |client| {
                let mut visitor = titles(None);
                let dataset = format!("items-{count}");
                let report =
                    client.dataset_items(&dataset, &apify_nal::ItemsOptions::NONE, &mut visitor).unwrap();
                (report, visitor.0.into_inner())
            });
            let (report, seen) = result;
            assert_eq!((report.items, report.stopped, report.pagination.total), (count, false, Some(count)));
            assert_eq!(seen.ends.len() as u64, count);
            for (i, title) in seen.titles.iter().enumerate() {
                assert_eq!(
                    title,
                    apify_stub::dataset_item(i as u64, 0)["title"].as_str().unwrap(),
                    "item {i}"
                );
            }
            assert_eq!(open, 0, "the socket is closed");
        }
    }

    #[test]
    fn a_runs_items_the_apis_errors_a_reset_and_a_visitor_that_stops() {
        let stub = stub();
        let ((), _) = with_client(&stub, Faults::default(), 128, |client| {
            let report = client.call_task("janedoe~my-task", RunOptions::new(), None, SECS_20).unwrap();
            let run = report.run.id().unwrap().to_string();
            let mut visitor = titles(None);
            let items = client
                .run_dataset_items(&run, &apify_nal::ItemsOptions::new().limit(3), &mut visitor)
                .unwrap();
            assert_eq!((items.items, visitor.0.inner().titles.len()), (3, 3));
            let err = client
                .dataset_items("no-such-dataset", &apify_nal::ItemsOptions::NONE, &mut titles(None))
                .unwrap_err();
            assert!(matches!(err, Error::Api { status: 404, .. }), "{err:?}");
            let err = client
                .dataset_items("items-3", &apify_nal::ItemsOptions::new().limit(0), &mut titles(None))
                .unwrap_err();
            assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
            let mut visitor = titles(Some(2));
            let stopped =
                client.dataset_items("items-100", &apify_nal::ItemsOptions::NONE, &mut visitor).unwrap();
            assert_eq!((stopped.items, stopped.stopped), (2, true));
            // Run-sync: the run and its items in one request.
            let mut visitor = titles(None);
            let options = ItemsOptions::new().limit(2);
            let report = client.run_task_sync_items(
                "janedoe~my-task",
                RunOptions::new(),
                None,
                &options,
                &mut visitor,
            );
            assert_eq!(report.unwrap().items, 2);
        });
        // A run-sync cut after it was sent may have started a run: never sent again.
        let before = stub.runs_started();
        let (err, _) =
            with_client(&stub, Faults { reset_after: Some(300), ..Faults::default() }, 128, |client| {
                client
                    .run_task_sync_items(
                        "janedoe~my-task",
                        RunOptions::new(),
                        None,
                        &ItemsOptions::NONE,
                        &mut titles(None),
                    )
                    .unwrap_err()
            });
        assert!(matches!(err, Error::OutcomeUnknown { failure: Some(_), .. }), "{err:?}");
        assert_eq!(stub.runs_started(), before + 1, "one start, not repeated");
        let (err, open) =
            with_client(&stub, Faults { reset_after: Some(700), ..Faults::default() }, 128, |client| {
                client
                    .dataset_items("items-100", &apify_nal::ItemsOptions::NONE, &mut titles(None))
                    .unwrap_err()
            });
        assert!(matches!(err, Error::Transport { failure, .. } if failure.stage == Stage::Read), "{err:?}");
        assert_eq!(open, 0);
    }
}
