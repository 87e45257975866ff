//! apify-nal-async with TLS 1.3 against the stand-in over real HTTPS on 127.0.0.1: a run to
//! its end, and every way a server can fail the check (another CA, another name, an expired
//! certificate, no TLS 1.3), each named, each before a request byte reached the stand-in.
#![cfg(feature = "tls")]

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use apify_nal_async::{
    Cause, Client, Error, Finish, NetError, READ_RECORD_LEN, ResponseReader, RetryPolicy, RunOptions,
    RunStatus, Stage, Tls, TlsClock, TlsError, TransportFailure, WRITE_RECORD_LEN,
};
use apify_stub::{Stub, StubConfig, TlsOptions};
use futures_lite::future::block_on;
use rand_core::OsRng;
use std_embedded_nal_async::Stack;

struct StdDelay;

impl embedded_hal_async::delay::DelayNs for StdDelay {
    async fn delay_ns(&mut self, ns: u32) {
        async_io::Timer::after(Duration::from_nanos(ns as u64)).await;
    }
}

/// The wall clock, for certificate validity dates.
struct WallClock;

impl TlsClock for WallClock {
    fn now() -> Option<u64> {
        Some(SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs())
    }
}

fn tls_stub(options: TlsOptions) -> Stub {
    let config = StubConfig {
        tls: Some(options),
        ready_for: Duration::from_millis(100),
        running_for: Duration::from_millis(300),
        ..StubConfig::default()
    };
    Stub::start(config).unwrap()
}

const QUICK: RetryPolicy =
    RetryPolicy { attempt_timeout_ms: 5_000, base_delay_ms: 20, ..RetryPolicy::DEFAULT };

/// How the client checks the server.
enum Check<'a> {
    Ca(&'a [u8]),
    CaAndDates(&'a [u8]),
    AcceptAny,
}

/// Starts `janedoe~my-task` on `stub`, addressed as `https://{host}:{port}`, following it for
/// up to 20 s; the outcome as text, so that tests can compare it.
fn run(
    stub: &Stub,
    host: &str,
    check: Check<'_>,
) -> Result<(Finish, Option<RunStatus>), Error<NetError<std::io::Error>>> {
    let base = format!("https://{host}:{}", stub.port());
    let remote = SocketAddr::from(([127, 0, 0, 1], stub.port()));
    let (mut read_record, mut write_record) = (vec![0u8; READ_RECORD_LEN], vec![0u8; WRITE_RECORD_LEN]);
    let (mut buffer, mut reader) = ([0u8; 256], Box::new(ResponseReader::new()));
    let stack = Stack::default();
    let started = Instant::now();
    let clock = move || started.elapsed().as_millis() as u64;
    let builder = Client::builder(remote).base_url(&base).token("apify_api_TLSSECRET").retry_policy(QUICK);
    let wait = Duration::from_secs(20);
    macro_rules! call {
        ($tls:expr) => {{
            let mut client = builder.tls($tls).build(&stack, clock, StdDelay, &mut buffer, &mut reader)?;
            let report = block_on(client.call_task("janedoe~my-task", RunOptions::new(), None, wait))?;
            Ok((report.finish, report.run.status()))
        }};
    }
    match check {
        Check::Ca(ca) => call!(Tls::verify(ca, &mut read_record, &mut write_record, OsRng)),
        Check::CaAndDates(ca) => {
            call!(Tls::verify(ca, &mut read_record, &mut write_record, OsRng).with_clock::<WallClock>())
        }
        Check::AcceptAny => {
            call!(Tls::danger_accept_any_certificate(&mut read_record, &mut write_record, OsRng))
        }
    }
}

/// The call ended in the TLS handshake, with embedded-tls's reason, and nothing reached the
/// stand-in (so neither did the token).
fn refused(
    stub: &Stub,
    result: Result<(Finish, Option<RunStatus>), Error<NetError<std::io::Error>>>,
) -> TlsError {
    let reason = match result {
        Err(Error::Transport {
            failure: TransportFailure { stage: Stage::Tls, cause: Cause::TlsRejected },
            source: Some(NetError::Tls(reason)),
        }) => reason,
        other => panic!("not a TLS refusal: {other:?}"),
    };
    assert!(stub.requests().is_empty(), "no request reached the stand-in");
    assert_eq!(stub.runs_started(), 0);
    reason
}

#[test]
fn a_run_to_its_end_over_verified_tls() {
    let stub = tls_stub(TlsOptions::default());
    let ca = stub.ca_der().unwrap().to_vec();
    let outcome = run(&stub, "localhost", Check::CaAndDates(&ca)).unwrap();
    assert_eq!(outcome, (Finish::Terminal, Some(RunStatus::Succeeded)));
    assert_eq!(stub.runs_started(), 1);
    let start = &stub.requests()[0];
    assert_eq!(start.header("authorization"), Some("Bearer apify_api_TLSSECRET"));
}

#[test]
fn another_ca_is_refused() {
    let stub = tls_stub(TlsOptions::default());
    let other = tls_stub(TlsOptions::default());
    let reason = refused(&stub, run(&stub, "localhost", Check::Ca(other.ca_der().unwrap())));
    assert!(matches!(reason, TlsError::InvalidCertificate), "{reason:?}");
}

#[test]
fn another_host_name_is_refused() {
    let stub = tls_stub(TlsOptions::default());
    let ca = stub.ca_der().unwrap().to_vec();
    let reason = refused(&stub, run(&stub, "api.apify.com", Check::Ca(&ca)));
    assert!(matches!(reason, TlsError::InvalidCertificate), "{reason:?}");
}

#[test]
fn an_expired_certificate_is_refused_when_the_device_knows_the_date() {
    let stub = tls_stub(TlsOptions { expired: true, ..TlsOptions::default() });
    let ca = stub.ca_der().unwrap().to_vec();
    let reason = refused(&stub, run(&stub, "localhost", Check::CaAndDates(&ca)));
    assert!(matches!(reason, TlsError::InvalidCertificate), "{reason:?}");
}

#[test]
fn a_server_without_tls_1_3_is_refused() {
    let stub = tls_stub(TlsOptions { tls12_only: true, ..TlsOptions::default() });
    let ca = stub.ca_der().unwrap().to_vec();
    let reason = refused(&stub, run(&stub, "localhost", Check::Ca(&ca)));
    // The server's alert: no protocol version in common.
    assert!(
        matches!(
            reason,
            TlsError::HandshakeAborted(_, embedded_tls::alert::AlertDescription::ProtocolVersion)
        ),
        "{reason:?}"
    );
}

#[test]
fn accepting_any_certificate_must_be_asked_for_by_name() {
    let stub = tls_stub(TlsOptions::default());
    let other = tls_stub(TlsOptions::default());
    // The stand-in's own CA is not given: only the opt-out by name gets through.
    let outcome = run(&stub, "localhost", Check::AcceptAny).unwrap();
    assert_eq!(outcome, (Finish::Terminal, Some(RunStatus::Succeeded)));
    assert!(run(&other, "localhost", Check::Ca(stub.ca_der().unwrap())).is_err());
}
