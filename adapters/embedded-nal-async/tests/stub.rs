//! apify-nal-async over `std-embedded-nal-async` connections against the local API stand-in
//! on 127.0.0.1: the blocking adapter's fault table again, with a wrapper stack that injects
//! faults for real (1-byte reads, short writes, pending storms, a reset mid-body, a close
//! before the head, a peer that never answers or never stops sending).

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use apify_nal_async::{
    Cause, Client, Error, Finish, Progress, ResponseReader, RetryPolicy, RunOptions, RunStatus, Stage,
    TransportFailure,
};
use apify_stub::{Fault, FaultKind, Match, Stub, StubConfig};
use embedded_io_async::{ErrorType, Read, Write};
use embedded_nal_async::TcpConnect;
use futures_lite::future::{block_on, yield_now};
use std_embedded_nal_async::Stack;

struct StdDelay;

impl embedded_hal_async::delay::DelayNs for StdDelay {
    async fn delay_ns(&mut self, ns: u32) {
        async_io::Timer::after(Duration::from_nanos(ns as u64)).await;
    }
}

/// Faults the wrapper injects.
#[derive(Default, Clone, Copy)]
struct Faults {
    /// Read at most this many bytes per call.
    read_max: Option<usize>,
    /// Write at most this many bytes per call.
    write_max: Option<usize>,
    /// Be pending this many times before every real read and write.
    pending: u32,
    /// Reset the connection after this many bytes read (of one exchange).
    reset_after: Option<usize>,
    /// Report the peer closed before anything was read.
    close_before_head: bool,
    /// Never deliver anything.
    silent: bool,
    /// A 200 head, then whitespace (a JSON body that never ends) as fast as it is read;
    /// ends after `FLOOD_LIMIT`, so that a client without a deadline fails instead of hanging.
    flood: bool,
}

const FLOOD_LIMIT: Duration = Duration::from_secs(30);
const FLOOD_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";

/// A stack that wraps the std one and misbehaves on purpose; counts open connections.
struct Faulty {
    inner: Stack,
    faults: Faults,
    open: AtomicUsize,
}

struct FaultyConnection<'a> {
    inner: <Stack as TcpConnect>::Connection<'a>,
    faults: Faults,
    open: &'a AtomicUsize,
    read: usize,
    flood_since: Option<Instant>,
}

impl Faulty {
    fn new(faults: Faults) -> Self {
        Self { inner: Stack::default(), faults, open: AtomicUsize::new(0) }
    }
}

impl TcpConnect for Faulty {
    type Error = std::io::Error;
    type Connection<'a> = FaultyConnection<'a>;

    async fn connect(&self, remote: SocketAddr) -> Result<FaultyConnection<'_>, std::io::Error> {
        let inner = self.inner.connect(remote).await?;
        self.open.fetch_add(1, Ordering::SeqCst);
        Ok(FaultyConnection { inner, faults: self.faults, open: &self.open, read: 0, flood_since: None })
    }
}

impl Drop for FaultyConnection<'_> {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

impl FaultyConnection<'_> {
    async fn storm(&self) {
        for _ in 0..self.faults.pending {
            yield_now().await;
        }
    }

    fn flood(&mut self, buffer: &mut [u8]) -> usize {
        if self.flood_since.get_or_insert_with(Instant::now).elapsed() > FLOOD_LIMIT {
            return 0;
        }
        let head = FLOOD_HEAD.get(self.read..).unwrap_or_default();
        let n = head.len().min(buffer.len());
        buffer[..n].copy_from_slice(&head[..n]);
        buffer[n..].fill(b' ');
        self.read += buffer.len();
        buffer.len()
    }
}

impl ErrorType for FaultyConnection<'_> {
    type Error = std::io::Error;
}

impl Read for FaultyConnection<'_> {
    async fn read(&mut self, buffer: &mut [u8]) -> Result<usize, std::io::Error> {
        self.storm().await;
        if self.faults.silent {
            std::future::pending::<()>().await;
        }
        if self.faults.close_before_head {
            return Ok(0);
        }
        if self.faults.flood {
            // Yield now and then, as a real stack does between segments.
            yield_now().await;
            return Ok(self.flood(buffer));
        }
        if let Some(limit) = self.faults.reset_after {
            if self.read >= limit {
                return Err(std::io::Error::from(ErrorKind::ConnectionReset));
            }
        }
        let mut n = self.faults.read_max.map_or(buffer.len(), |m| m.min(buffer.len()));
        if let Some(limit) = self.faults.reset_after {
            n = n.min(limit - self.read).max(1);
        }
        let got = self.inner.read(&mut buffer[..n]).await?;
        self.read += got;
        Ok(got)
    }
}

impl Write for FaultyConnection<'_> {
    async fn write(&mut self, buffer: &[u8]) -> Result<usize, std::io::Error> {
        self.storm().await;
        let n = self.faults.write_max.map_or(buffer.len(), |m| m.min(buffer.len()));
        self.inner.write(&buffer[..n]).await
    }

    async fn flush(&mut self) -> Result<(), std::io::Error> {
        self.inner.flush().await
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

type TestClient<'b> = Client<'b, &'b Faulty, Box<dyn FnMut() -> u64>, StdDelay>;

/// Runs `f` with a client over a [`Faulty`] stack; returns its result and the connections
/// left open afterwards.
fn with_client<T>(
    stub: &Stub,
    faults: Faults,
    buffer_len: usize,
    f: impl AsyncFnOnce(&mut TestClient<'_>) -> T,
) -> (T, usize) {
    with_policy(stub, faults, buffer_len, FAST, f)
}

fn with_policy<T>(
    stub: &Stub,
    faults: Faults,
    buffer_len: usize,
    policy: RetryPolicy,
    f: impl AsyncFnOnce(&mut TestClient<'_>) -> T,
) -> (T, usize) {
    let base = stub.base_url();
    let mut buffer = vec![0u8; buffer_len];
    let mut reader = Box::new(ResponseReader::new());
    let stack = Faulty::new(faults);
    let result = {
        let started = Instant::now();
        let clock: Box<dyn FnMut() -> u64> = Box::new(move || started.elapsed().as_millis() as u64);
        let mut client = Client::builder(remote(stub))
            .base_url(&base)
            .token("secret")
            .retry_policy(policy)
            .build(&stack, clock, StdDelay, &mut buffer, &mut reader)
            .unwrap();
        block_on(f(&mut client))
    };
    (result, stack.open.load(Ordering::SeqCst))
}

#[test]
fn start_and_follow_with_small_and_medium_buffers() {
    let stub = stub();
    for buffer in [64, 128, 512] {
        let (status, open) = with_client(&stub, Faults::default(), buffer, async |client| {
            let report = client
                .call_task("janedoe~my-task", RunOptions::new().memory_mbytes(256), None, SECS_20)
                .await
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
    let (id, _) = with_client(&stub, Faults::default(), 256, async |client| {
        let report = client.run_task("janedoe~my-task", RunOptions::new(), Some(b"{\"a\":1}")).await.unwrap();
        assert_eq!(report.finish, Finish::Started);
        report.run.id().unwrap().as_str().to_string()
    });
    let ((), open) = with_client(&stub, Faults::default(), 256, async |client| {
        assert_eq!(client.get_run(&id).await.unwrap().run.id().unwrap().as_str(), id);
        let aborted = client.abort_run(&id).await.unwrap();
        assert!(matches!(aborted.run.status(), Some(RunStatus::Aborted | RunStatus::Aborting)));
        assert_eq!(client.last_run("janedoe~my-task").await.unwrap().run.id().unwrap().as_str(), id);
        assert!(matches!(client.get_run("NoSuchRun1234567").await, Err(Error::Api { status: 404, .. })));
        assert_eq!(client.api_error().unwrap().error_type().unwrap().as_str(), "record-not-found");
    });
    assert_eq!(open, 0);
}

#[test]
fn one_byte_reads_pending_storms_and_short_writes_still_work() {
    let stub = stub();
    let faults = [
        Faults { read_max: Some(1), ..Faults::default() },
        Faults { pending: 3, ..Faults::default() },
        Faults { write_max: Some(7), ..Faults::default() },
        Faults { read_max: Some(3), write_max: Some(1), pending: 1, ..Faults::default() },
    ];
    for f in faults {
        let (status, open) = with_client(&stub, f, 128, async |client| {
            client.call_task("janedoe~my-task", RunOptions::new(), None, SECS_20).await.unwrap().run.status()
        });
        assert_eq!((status, open), (Some(RunStatus::Succeeded), 0));
    }
}

#[test]
fn a_reset_after_the_start_was_sent_does_not_start_a_second_run() {
    let stub = stub();
    let before = stub.runs_started();
    let (result, open) =
        with_client(&stub, Faults { reset_after: Some(40), ..Faults::default() }, 128, async |client| {
            client
                .call_task("janedoe~my-task", RunOptions::new(), None, Duration::from_secs(10))
                .await
                .map(|r| r.finish)
        });
    assert!(matches!(result, Err(Error::OutcomeUnknown { failure: Some(_), .. })), "{result:?}");
    assert_eq!((stub.runs_started() - before, open), (1, 0), "started exactly once, connection closed");
}

#[test]
fn a_close_before_the_head_is_ambiguous_for_a_start_and_retried_for_a_get() {
    let stub = stub();
    let (result, open) =
        with_client(&stub, Faults { close_before_head: true, ..Faults::default() }, 128, async |client| {
            client.run_task("janedoe~my-task", RunOptions::new(), None).await.map(|r| r.finish)
        });
    assert!(matches!(result, Err(Error::OutcomeUnknown { failure: Some(_), .. })), "{result:?}");
    assert_eq!(open, 0);
    let gets_before = stub.requests().iter().filter(|r| r.method == "GET").count();
    let (result, open) =
        with_client(&stub, Faults { close_before_head: true, ..Faults::default() }, 128, async |client| {
            client.get_run("NoSuchRun1234567").await.map(|r| r.finish)
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
    let gets = stub.requests().iter().filter(|r| r.method == "GET").count() - gets_before;
    assert!(gets > 1, "{gets} GET sent");
}

/// A GET against a peer with `faults` ends in a deadline failure, bounded by the policy
/// (attempts of 1.5 s within a 10 s budget), with its connection closed.
fn get_hits_the_deadline(faults: Faults) {
    let stub = stub();
    let started = Instant::now();
    let (result, open) = with_client(&stub, faults, 128, async |client| {
        client.get_run("AnyRun12345678901").await.map(|r| r.finish)
    });
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
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::RateLimited { retry_after_secs: Some(1) }));
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::CapacityExceeded));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::CloseMidBody));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::ServerError { status: 502, html: true }));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::OneBytePerWrite));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::Chunked));
    let policy = RetryPolicy { wait_for_resources: true, resource_retry_ms: 200, ..FAST };
    let mut seen = Vec::new();
    let (status, open) = with_policy(&stub, Faults::default(), 128, policy, async |client| {
        client
            .call_task_with("janedoe~my-task", RunOptions::new(), None, SECS_20, false, |p| {
                if let Progress::Retry { reason, .. } = p {
                    seen.push(reason.to_string());
                }
            })
            .await
            .unwrap()
            .run
            .status()
    });
    assert_eq!((status, open), (Some(RunStatus::Succeeded), 0));
    assert_eq!(stub.runs_started(), 1);
    assert!(seen.iter().filter(|r| r.contains("429")).count() == 2, "{seen:?}");
    // Two 429s and a 402 refused the start before it went through; nothing was started twice.
    let starts = stub.requests().iter().filter(|r| r.method == "POST").count();
    assert_eq!(starts, 4);
}

#[test]
fn a_start_answered_5xx_is_an_unknown_outcome_and_not_resent() {
    let stub = stub();
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::ServerError { status: 503, html: false }));
    let (result, open) = with_client(&stub, Faults::default(), 128, async |client| {
        client.run_task("janedoe~my-task", RunOptions::new(), None).await.map(|r| r.finish)
    });
    assert!(matches!(result, Err(Error::OutcomeUnknown { status: Some(503), .. })), "{result:?}");
    let starts = stub.requests().iter().filter(|r| r.method == "POST").count();
    assert_eq!((starts, open), (1, 0));
}

#[test]
fn connection_refused_is_a_connect_failure() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut buffer = [0u8; 128];
    let mut reader = ResponseReader::new();
    let stack = Faulty::new(Faults::default());
    let remote = SocketAddr::from(([127, 0, 0, 1], port));
    let policy = RetryPolicy { max_attempts: 3, base_delay_ms: 10, ..FAST };
    let started = Instant::now();
    let result = {
        let mut client = Client::builder(remote)
            .base_url(&base)
            .retry_policy(policy)
            .build(&stack, move || started.elapsed().as_millis() as u64, StdDelay, &mut buffer, &mut reader)
            .unwrap();
        block_on(client.run_task("t~t", RunOptions::new(), None)).map(|r| r.finish)
    };
    assert!(
        matches!(
            result,
            Err(Error::Transport {
                failure: TransportFailure { stage: Stage::Connect, cause: Cause::Refused },
                source: Some(_)
            })
        ),
        "{result:?}"
    );
    assert_eq!(stack.open.load(Ordering::SeqCst), 0);
}

#[test]
fn https_needs_a_stack_declared_to_carry_tls() {
    let stub = stub();
    let mut buffer = [0u8; 128];
    let mut reader = ResponseReader::new();
    let stack = Faulty::new(Faults::default());
    let built = Client::builder(remote(&stub)).token("apify_api_SECRET").build(
        &stack,
        || 0,
        StdDelay,
        &mut buffer,
        &mut reader,
    );
    assert!(matches!(built, Err(Error::TlsRequired)), "the default https:// base URL over a plain stack");
    assert!(built.unwrap_err().to_string().contains("clear text"));
    assert!(stub.requests().is_empty());
}

#[test]
fn a_started_run_is_kept_when_following_it_fails() {
    let stub = stub();
    for _ in 0..20 {
        stub.push_fault(Fault::new(Match::GetRun, FaultKind::ServerError { status: 503, html: true }));
    }
    let (result, open) = with_client(&stub, Faults::default(), 128, async |client| {
        let result = client.call_task("janedoe~my-task", RunOptions::new(), None, SECS_20).await;
        result.map(|r| r.finish).map_err(|e| (e.started_run_id().map(String::from), e.to_string()))
    });
    let (id, message) = result.unwrap_err();
    let id = id.expect("the run's ID is in the error");
    assert!(
        message.starts_with(&format!("run {id} was started, then following it failed: HTTP 503")),
        "{message}"
    );
    assert_eq!((stub.runs_started(), open), (1, 0));
}

#[test]
fn no_public_type_shows_the_token() {
    let stub = stub();
    let mut buffer = [0u8; 128];
    let mut reader = ResponseReader::new();
    let stack = Faulty::new(Faults::default());
    let builder = Client::builder(remote(&stub)).base_url("http://127.0.0.1:1").token("apify_api_SECRETTEXT");
    assert!(!format!("{builder:?}").contains("SECRETTEXT"));
    let started = Instant::now();
    let mut client = builder
        .base_url(Box::leak(stub.base_url().into_boxed_str()))
        .retry_policy(RetryPolicy { max_attempts: 1, ..FAST })
        .build(&stack, move || started.elapsed().as_millis() as u64, StdDelay, &mut buffer, &mut reader)
        .unwrap();
    assert!(!format!("{client:?}").contains("SECRETTEXT"));
    let e = block_on(client.run_task("t~t", RunOptions::new(), None)).unwrap_err();
    assert!(!format!("{e:?} {e}").contains("SECRETTEXT"));
    assert!(matches!(e, Error::Api { status: 401, .. }), "{e:?}");
}

#[test]
fn the_api_address_from_the_stacks_dns() {
    let stack = Stack::default();
    let mut delay = StdDelay;
    let resolve = |url: &str, delay: &mut StdDelay| {
        block_on(apify_nal_async::resolve(&stack, url, delay, Duration::from_secs(10)))
    };
    let localhost = resolve("http://localhost:8080", &mut delay).unwrap();
    assert!(localhost.ip().is_loopback() && localhost.port() == 8080, "{localhost}");
    assert_eq!(resolve("https://127.0.0.1", &mut delay).unwrap(), SocketAddr::from(([127, 0, 0, 1], 443)));
    let missing = resolve("https://no-such-host.invalid", &mut delay);
    assert!(
        matches!(
            missing,
            Err(Error::Transport {
                failure: TransportFailure { stage: Stage::Resolve, cause: Cause::HostNotFound },
                ..
            })
        ),
        "{missing:?}"
    );
    assert!(matches!(resolve("ftp://x", &mut delay), Err(Error::InvalidInput(_))));
}

/// Dataset items (the `items` feature): the same visitor as apify-nal's test.
#[cfg(feature = "items")]
mod items {
    use super::*;
    use apify_core::json::{Event, Select, SyntaxError, Visitor};
    use apify_nal_async::{Item, ItemVisitor, ItemsOptions};

    /// Each item's `title` (picked by a `Select` while the items stream) and each item's end.
    #[derive(Default)]
    struct Titles {
        titles: Vec<String>,
        text: String,
        ends: Vec<Item>,
        stop_after: Option<usize>,
    }

    impl Visitor for Titles {
        type Error = SyntaxError;
        fn event(&mut self, event: Event<'_>) -> Result<(), SyntaxError> {
            if let Event::Str(f) = event {
                self.text.push_str(f.text);
                if f.last {
                    self.titles.push(std::mem::take(&mut self.text));
                }
            }
            Ok(())
        }
    }

    struct ByTitle(Select<'static, Titles>);

    impl ItemVisitor for ByTitle {
        type Error = &'static str;
        fn event(&mut self, event: Event<'_>) -> Result<(), Self::Error> {
            self.0.event(event).map_err(|_| "syntax")
        }
        fn item_end(&mut self, item: Item) -> Result<(), Self::Error> {
            let titles = self.0.inner_mut();
            titles.ends.push(item);
            match titles.stop_after {
                Some(n) if titles.ends.len() >= n => Err("enough"),
                _ => Ok(()),
            }
        }
    }

    fn titles(stop_after: Option<usize>) -> ByTitle {
        ByTitle(Select::new(&["title"], Titles { stop_after, ..Titles::default() }))
    }

    #[test]
    fn dataset_items_stream_through_a_small_buffer_and_one_byte_reads() {
        let stub = stub();
        let slow = Faults { read_max: Some(1), pending: 1, ..Faults::default() };
        for (buffer, faults, count) in
            [(64, Faults::default(), 300u64), (64, slow, 20), (512, Faults::default(), 300)]
        {
            let ((report, seen), open) = with_client(&stub, faults, buffer, async |client| {
                let mut visitor = titles(None);
                let dataset = format!("items-{count}");
                let report = client.dataset_items(&dataset, &ItemsOptions::NONE, &mut visitor).await.unwrap();
                (report, visitor.0.into_inner())
            });
            assert_eq!((report.items, report.stopped, report.pagination.total), (count, false, Some(count)));
            assert_eq!(seen.ends.len() as u64, count);
            for (i, title) in seen.titles.iter().enumerate() {
                assert_eq!(
                    title,
                    apify_stub::dataset_item(i as u64, 0)["title"].as_str().unwrap(),
                    "item {i}"
                );
            }
            assert_eq!(open, 0, "the connection is closed");
        }
    }

    #[test]
    fn a_runs_items_the_apis_errors_a_reset_and_a_visitor_that_stops() {
        let stub = stub();
        let ((), _) = with_client(&stub, Faults::default(), 128, async |client| {
            let report = client.call_task("janedoe~my-task", RunOptions::new(), None, SECS_20).await.unwrap();
            let run = report.run.id().unwrap().to_string();
            let mut visitor = titles(None);
            let items =
                client.run_dataset_items(&run, &ItemsOptions::new().limit(3), &mut visitor).await.unwrap();
            assert_eq!((items.items, visitor.0.inner().titles.len()), (3, 3));
            let err = client
                .dataset_items("no-such-dataset", &ItemsOptions::NONE, &mut titles(None))
                .await
                .unwrap_err();
            assert!(matches!(err, Error::Api { status: 404, .. }), "{err:?}");
            let mut visitor = titles(Some(2));
            let stopped = client.dataset_items("items-100", &ItemsOptions::NONE, &mut visitor).await.unwrap();
            assert_eq!((stopped.items, stopped.stopped), (2, true));
            // Run-sync: the run and its items in one request.
            let mut visitor = titles(None);
            let options = ItemsOptions::new().limit(2);
            let report = client
                .run_task_sync_items("janedoe~my-task", RunOptions::new(), None, &options, &mut visitor)
                .await;
            assert_eq!(report.unwrap().items, 2);
        });
        // A run-sync cut after it was sent may have started a run: never sent again.
        let before = stub.runs_started();
        let (err, _) =
            with_client(&stub, Faults { reset_after: Some(300), ..Faults::default() }, 128, async |client| {
                client
                    .run_task_sync_items(
                        "janedoe~my-task",
                        RunOptions::new(),
                        None,
                        &ItemsOptions::NONE,
                        &mut titles(None),
                    )
                    .await
                    .unwrap_err()
            });
        assert!(matches!(err, Error::OutcomeUnknown { failure: Some(_), .. }), "{err:?}");
        assert_eq!(stub.runs_started(), before + 1, "one start, not repeated");
        let (err, open) =
            with_client(&stub, Faults { reset_after: Some(700), ..Faults::default() }, 128, async |client| {
                client.dataset_items("items-100", &ItemsOptions::NONE, &mut titles(None)).await.unwrap_err()
            });
        assert!(matches!(err, Error::Transport { failure, .. } if failure.stage == Stage::Read), "{err:?}");
        assert_eq!(open, 0);
    }
}
