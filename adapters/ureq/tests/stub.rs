//! apify-ureq against the local API stand-in over real sockets, with every fault the
//! stand-in can script.

use std::time::{Duration, Instant};

use apify_stub::{Fault, FaultKind, Match, Stub, StubConfig};
use apify_ureq::{
    Cause, Client, Error, ErrorType, EventType, Finish, Progress, RetryPolicy, RunOptions, RunStatus, Stage,
    TransportFailure, Webhook, Webhooks,
};

fn stub() -> Stub {
    let config = StubConfig {
        tokens: vec!["secret".into()],
        ready_for: Duration::from_millis(100),
        running_for: Duration::from_millis(400),
        ..StubConfig::default()
    };
    Stub::start(config).unwrap()
}

const FAST: RetryPolicy = RetryPolicy {
    attempt_timeout_ms: 2_000,
    base_delay_ms: 20,
    max_total_ms: 15_000,
    ..RetryPolicy::DEFAULT
};

fn client(stub: &Stub) -> Client {
    Client::builder().base_url(stub.base_url()).token("secret").retry_policy(FAST).build().unwrap()
}

fn follow(client: &Client) -> Result<apify_ureq::RunReport, Error> {
    client.call_task("janedoe~my-task", RunOptions::new(), None, Duration::from_secs(20))
}

#[test]
fn start_follow_and_finish() {
    let stub = stub();
    let client = client(&stub);
    let mut seen = Vec::new();
    let hooks = [Webhook::new(&[EventType::RunSucceeded], "https://example.com/done")];
    let mut scratch = [0u8; 128];
    let options = RunOptions::new()
        .memory_mbytes(512)
        .build("beta")
        .webhooks(Webhooks::encode(&hooks, &mut scratch).unwrap());
    let report = client
        .call_task_with(
            "janedoe~my-task",
            options,
            Some(br#"{"url":"https://example.com"}"#),
            Duration::from_secs(20),
            false,
            |progress| {
                if let Progress::Run(run) = progress {
                    seen.push(run.status().unwrap());
                }
            },
        )
        .unwrap();
    assert_eq!(report.finish, Finish::Terminal);
    assert_eq!(report.run.status(), Some(RunStatus::Succeeded));
    assert_eq!(report.run.options().memory_mbytes(), Some(512));
    assert_eq!(seen.first(), Some(&RunStatus::Ready));
    assert_eq!(seen.last(), Some(&RunStatus::Succeeded));
    let start = &stub.requests()[0];
    assert_eq!(start.body, br#"{"url":"https://example.com"}"#);
    assert!(
        start.headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("authorization") && v == "Bearer secret")
    );
    assert!(start.url.contains("webhooks="));
}

#[test]
fn single_operations() {
    let stub = stub();
    let client = client(&stub);
    let started = client.run_task("~my-task", RunOptions::new(), None).unwrap();
    assert_eq!(started.finish, Finish::Started);
    let id = started.run.id().unwrap().as_str().to_string();
    assert_eq!(client.get_run(&id).unwrap().run.id(), started.run.id());
    let finished = client.wait_for_run(&id, Duration::from_secs(20), |_| {}).unwrap();
    assert_eq!(finished.finish, Finish::Terminal);
    assert_eq!(client.last_run("~my-task").unwrap().run.id(), started.run.id());
    let other = client.run_task("~my-task", RunOptions::new(), None).unwrap();
    let aborted = client.abort_run(other.run.id().unwrap().as_str()).unwrap();
    assert!(matches!(aborted.run.status(), Some(RunStatus::Aborted | RunStatus::Aborting)));
}

#[test]
fn final_statuses_and_api_errors() {
    let stub = stub();
    stub.set_outcome("janedoe~flaky", "FAILED");
    let client = client(&stub);
    let report = client.call_task("janedoe~flaky", RunOptions::new(), None, Duration::from_secs(20)).unwrap();
    assert_eq!(report.run.status(), Some(RunStatus::Failed));
    match client.run_task("janedoe~missing", RunOptions::new(), None) {
        Err(Error::Api { status: 404, error_type, .. }) => {
            assert_eq!(error_type, Some(ErrorType::RecordNotFound));
        }
        other => panic!("{other:?}"),
    }
    let anonymous = Client::builder().base_url(stub.base_url()).retry_policy(FAST).build().unwrap();
    match anonymous.run_task("janedoe~my-task", RunOptions::new(), None) {
        Err(Error::Api { status: 401, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        client.run_task("janedoe~my-task", RunOptions::new().memory_mbytes(100), None),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        client.run_task("janedoe~my-task", RunOptions::new(), Some(b"[1]")),
        Err(Error::InvalidInput(_))
    ));
    assert_eq!(stub.runs_started(), 1, "invalid input is refused before sending");
}

#[test]
fn rate_limits_with_and_without_retry_after() {
    let stub = stub();
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::RateLimited { retry_after_secs: Some(1) }));
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::RateLimited { retry_after_secs: None }));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::RateLimited { retry_after_secs: None }));
    let started = Instant::now();
    let report = follow(&client(&stub)).unwrap();
    assert_eq!(report.run.status(), Some(RunStatus::Succeeded));
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
    assert_eq!(stub.runs_started(), 1);
}

#[test]
fn capacity_errors_need_the_opt_in() {
    let stub = stub();
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::CapacityExceeded));
    match client(&stub).run_task("janedoe~my-task", RunOptions::new(), None) {
        Err(Error::Api { status: 402, error_type, .. }) => assert!(error_type.unwrap().is_capacity_limit()),
        other => panic!("{other:?}"),
    }
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::CapacityExceeded));
    let patient = RetryPolicy { wait_for_resources: true, resource_retry_ms: 200, ..FAST };
    let client =
        Client::builder().base_url(stub.base_url()).token("secret").retry_policy(patient).build().unwrap();
    assert_eq!(client.run_task("janedoe~my-task", RunOptions::new(), None).unwrap().finish, Finish::Started);
    assert_eq!(stub.runs_started(), 1);
}

#[test]
fn a_reset_after_the_start_was_sent_does_not_start_a_second_run() {
    for kind in [FaultKind::CloseWithoutResponse, FaultKind::CloseMidBody] {
        let stub = stub();
        stub.push_fault(Fault::new(Match::StartRun, kind.clone()));
        match follow(&client(&stub)) {
            Err(Error::OutcomeUnknown { task, .. }) => assert_eq!(task, "janedoe~my-task"),
            other => panic!("{kind:?}: {other:?}"),
        }
        assert_eq!(stub.runs_started(), 1, "{kind:?}: started exactly once");
        let starts = stub.requests().iter().filter(|r| r.method == "POST").count();
        assert_eq!(starts, 1, "{kind:?}: the start was not sent again");
        // The documented check finds the run.
        assert!(client(&stub).last_run("janedoe~my-task").is_ok());
    }
}

#[test]
fn server_errors_are_unknown_for_a_start_and_retried_for_a_poll() {
    let stub = stub();
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::ServerError { status: 500, html: false }));
    assert!(matches!(follow(&client(&stub)), Err(Error::OutcomeUnknown { .. })));
    assert_eq!(stub.runs_started(), 0);
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::ServerError { status: 502, html: true }));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::CloseMidBody));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::CloseWithoutResponse));
    assert_eq!(follow(&client(&stub)).unwrap().run.status(), Some(RunStatus::Succeeded));
}

#[test]
fn slow_and_fragmented_responses() {
    let stub = stub();
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::OneBytePerWrite));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::Chunked));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::Delay { ms: 300 }));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::OneBytePerWrite));
    assert_eq!(follow(&client(&stub)).unwrap().run.status(), Some(RunStatus::Succeeded));
}

#[test]
fn an_unknown_outcome_gives_the_last_attempts_reason() {
    // A 429, then a start that times out: the outcome is unknown because of the timeout,
    // not because of the earlier answer.
    let stub = stub();
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::RateLimited { retry_after_secs: None }));
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::NoAnswer { ms: 5_000 }));
    match follow(&client(&stub)) {
        Err(e @ Error::OutcomeUnknown { status: None, failure: Some(_), .. }) => {
            assert!(!e.to_string().contains("429"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_server_that_never_answers_times_out() {
    let stub = stub();
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::NoAnswer { ms: 5_000 }));
    let started = Instant::now();
    assert!(matches!(follow(&client(&stub)), Err(Error::OutcomeUnknown { .. })));
    assert!(started.elapsed() < Duration::from_secs(5), "the attempt timeout ended the wait");
    let id =
        client(&stub).run_task("~t", RunOptions::new(), None).unwrap().run.id().unwrap().as_str().to_string();
    for _ in 0..10 {
        stub.push_fault(Fault::new(Match::GetRun, FaultKind::NoAnswer { ms: 3_000 }));
    }
    let policy = RetryPolicy { max_attempts: 2, ..FAST };
    let impatient =
        Client::builder().base_url(stub.base_url()).token("secret").retry_policy(policy).build().unwrap();
    match impatient.get_run(id.as_str()) {
        Err(Error::Transport { failure, .. }) => {
            assert_eq!(failure, TransportFailure::new(Stage::Read, Cause::Timeout));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn nobody_listening_is_a_connect_failure() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let policy = RetryPolicy { max_attempts: 2, ..FAST };
    let client =
        Client::builder().base_url(format!("http://127.0.0.1:{port}")).retry_policy(policy).build().unwrap();
    match client.run_task("t~t", RunOptions::new(), None) {
        Err(Error::Transport { failure, .. }) => {
            assert_eq!(failure, TransportFailure::new(Stage::Connect, Cause::Refused));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_start_that_never_left_is_retried_and_never_unknown() {
    // An unresolvable host: nothing was sent, so the start is retried and ends as a
    // resolve failure, never as an unknown outcome.
    let policy = RetryPolicy { max_attempts: 3, ..FAST };
    let client =
        Client::builder().base_url("http://no-such-host.invalid").retry_policy(policy).build().unwrap();
    let mut retries = 0;
    let result = client.call_task_with("t~t", RunOptions::new(), None, Duration::ZERO, false, |p| {
        if let Progress::Retry { .. } = p {
            retries += 1;
        }
    });
    match result {
        Err(Error::Transport { failure, .. }) => assert_eq!(failure.stage, Stage::Resolve, "{failure}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(retries, 2, "retried as the policy allows");
}

#[test]
fn tls_to_a_plain_http_server_fails_at_once_as_tls() {
    let stub = stub();
    let https = stub.base_url().replace("http://", "https://");
    let client = Client::builder().base_url(https).token("secret").retry_policy(FAST).build().unwrap();
    let started = Instant::now();
    match client.run_task("janedoe~my-task", RunOptions::new(), None) {
        Err(e @ Error::Transport { failure, .. }) => {
            assert_eq!((failure.stage, failure.cause), (Stage::Tls, Cause::TlsRejected), "{e}");
            assert!(e.to_string().starts_with("the TLS handshake failed"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2), "not retried: {:?}", started.elapsed());
    assert!(stub.requests().is_empty(), "no request reached the server");
}

#[test]
fn one_deadline_bounds_each_attempt() {
    // Every byte of the answer arrives within a phase timeout, but the whole takes far
    // longer than the attempt may: the attempt ends at its deadline.
    let stub = stub();
    let id =
        client(&stub).run_task("~t", RunOptions::new(), None).unwrap().run.id().unwrap().as_str().to_string();
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::Trickle { ms_per_byte: 20 }));
    let policy = RetryPolicy { max_attempts: 1, attempt_timeout_ms: 1_000, ..FAST };
    let client =
        Client::builder().base_url(stub.base_url()).token("secret").retry_policy(policy).build().unwrap();
    let started = Instant::now();
    match client.get_run(id.as_str()) {
        Err(Error::Transport { failure, .. }) => assert_eq!(failure.stage, Stage::Read),
        other => panic!("{other:?}"),
    }
    let took = started.elapsed();
    assert!(took < Duration::from_millis(2_500), "one attempt took {took:?}");
}

#[test]
fn header_bytes_core_refuses_are_refused_here_too() {
    let stub = stub();
    let id =
        client(&stub).run_task("~t", RunOptions::new(), None).unwrap().run.id().unwrap().as_str().to_string();
    for _ in 0..2 {
        let line = b"Location: https://api.apify.com/v2/actor-runs/\xff".to_vec();
        stub.push_fault(Fault::new(Match::GetRun, FaultKind::ExtraHeader { line }));
    }
    let policy = RetryPolicy { max_attempts: 2, ..FAST };
    let client =
        Client::builder().base_url(stub.base_url()).token("secret").retry_policy(policy).build().unwrap();
    match client.get_run(id.as_str()) {
        Err(e @ Error::Transport { failure, .. }) => {
            assert_eq!(failure.cause, Cause::Malformed);
            assert!(e.to_string().ends_with("(malformed response header field)"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_started_run_is_kept_when_following_it_fails() {
    let stub = stub();
    for _ in 0..10 {
        stub.push_fault(Fault::new(Match::GetRun, FaultKind::CloseWithoutResponse));
    }
    let policy = RetryPolicy { max_attempts: 2, ..FAST };
    let client =
        Client::builder().base_url(stub.base_url()).token("secret").retry_policy(policy).build().unwrap();
    match follow(&client) {
        Err(e @ Error::FollowFailed { .. }) => {
            let run = e.started_run().unwrap();
            let id = run.id().unwrap().as_str();
            assert_eq!(stub.requests().iter().filter(|r| r.method == "POST").count(), 1);
            assert!(
                e.to_string().starts_with(&format!("run {id} was started (READY), then following")),
                "{e}"
            );
            assert!(
                matches!(e, Error::FollowFailed { ref cause, .. } if matches!(**cause, Error::Transport { .. }))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn requests_that_cannot_be_sent_are_invalid_input() {
    let long = format!("https://example.com/{}", "x".repeat(60_000));
    let hooks = [Webhook::new(&[EventType::RunSucceeded], &long)];
    let mut scratch = vec![0; Webhooks::json_len(&hooks)];
    let options = RunOptions::new().webhooks(Webhooks::encode(&hooks, &mut scratch).unwrap());
    let stub = stub();
    let started = Instant::now();
    match client(&stub).run_task("~t", options, None) {
        Err(Error::InvalidInput(apify_ureq::EncodeError::RequestTooLong { .. })) => {}
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(stub.requests().is_empty());
}
