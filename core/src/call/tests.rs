//! The call machine driven by scripted responses and a fake clock: nothing sleeps.

use super::*;
use crate::http::{ResponseHead, ResponseReader};
use crate::model::ErrorType;
use std::boxed::Box;
use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

fn run_body(id: &str, status: &str) -> String {
    format!(r#"{{"data":{{"id":"{id}","status":"{status}","startedAt":"2026-11-29T13:40:57.000Z"}}}}"#)
}

fn error_body(kind: &str) -> String {
    format!(r#"{{"error":{{"type":"{kind}","message":"scripted"}}}}"#)
}

/// A scripted reply to one request.
enum Reply {
    Http(u16, &'static str, String),
    Fail(TransportFailure),
    /// No answer: the attempt fails with a read timeout once its whole time is used.
    Silent,
}

const REFUSED: TransportFailure = TransportFailure::new(Stage::Connect, Cause::Refused);
const NO_HOST: TransportFailure = TransportFailure::new(Stage::Resolve, Cause::HostNotFound);
const BAD_CERT: TransportFailure = TransportFailure::new(Stage::Tls, Cause::TlsRejected);
const CUT_WRITE: TransportFailure = TransportFailure::new(Stage::Write { any_written: true }, Cause::Closed);
const LOST: TransportFailure = TransportFailure::new(Stage::Read, Cause::Closed);
const SILENT: TransportFailure = TransportFailure::new(Stage::Read, Cause::Timeout);

fn http(status: u16, body: String) -> Reply {
    Reply::Http(status, "", body)
}

/// What the adapter was told to do, recorded for assertions.
#[derive(Debug, PartialEq)]
enum Step {
    Send(String, u32),
    Sleep(u32),
}

/// Plays `replies` against `call`, advancing the fake clock by each sleep and by `latency`
/// per request. Returns the steps and how the call finished.
fn drive(call: &mut Call<'_>, replies: Vec<Reply>, latency: u64) -> (Vec<Step>, Finish, u64) {
    let mut now = 1_000_000;
    let mut steps = Vec::new();
    let mut replies = replies.into_iter();
    loop {
        match call.next(now) {
            Action::Done(finish) => return (steps, finish, now),
            Action::Sleep { ms, .. } => {
                steps.push(Step::Sleep(ms));
                now += ms as u64;
            }
            Action::Send { endpoint, timeout_ms } => {
                let request = crate::encode::Request::new(crate::encode::BaseUrl::APIFY, endpoint).unwrap();
                let line = format!("{}", request.redacted_head());
                steps.push(Step::Send(line.lines().next().unwrap().into(), timeout_ms));
                let reply = replies.next().expect("the call sent more requests than scripted");
                if let Reply::Silent = reply {
                    now += timeout_ms as u64;
                    call.on_failure(now, SILENT);
                    continue;
                }
                now += latency;
                match reply {
                    Reply::Silent => {}
                    Reply::Fail(f) => call.on_failure(now, f),
                    Reply::Http(status, extra, body) => {
                        let bytes = format!(
                            "HTTP/1.1 {status} X\r\n{extra}Content-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        let mut reader = ResponseReader::<20>::new();
                        reader.feed(bytes.as_bytes()).unwrap();
                        call.on_response(now, reader.finish());
                    }
                }
            }
        }
        assert!(steps.len() < 500, "the call does not end");
    }
}

fn start_call() -> Call<'static> {
    Call::start(
        TaskId::new("janedoe~my-task").unwrap(),
        &RunOptions::NONE,
        Input::EMPTY,
        RetryPolicy::DEFAULT,
        7,
    )
}

const START: &str = "POST /v2/actor-tasks/janedoe~my-task/runs HTTP/1.1";

fn sends(steps: &[Step]) -> Vec<&str> {
    steps
        .iter()
        .filter_map(|s| if let Step::Send(line, _) = s { Some(line.as_str()) } else { None })
        .collect()
}

#[test]
fn start_without_waiting() {
    let mut call = start_call();
    let (steps, finish, _) = drive(&mut call, vec![http(201, run_body("R1", "READY"))], 40);
    assert_eq!(finish, Finish::Started);
    assert_eq!(steps, [Step::Send(START.into(), 30_000)]);
    assert_eq!(call.run_id(), Some("R1"));
}

#[test]
fn start_then_poll_to_a_terminal_status() {
    let mut call = start_call().wait_ms(300_000);
    let replies = vec![
        http(201, run_body("R1", "READY")),
        http(200, run_body("R1", "RUNNING")),
        http(200, run_body("R1", "SUCCEEDED")),
    ];
    let (steps, finish, _) = drive(&mut call, replies, 40);
    assert_eq!(finish, Finish::Terminal);
    assert_eq!(
        steps,
        [
            Step::Send(START.into(), 30_000),
            // READY: a short wait, so that RUNNING is seen as soon as it comes.
            Step::Send("GET /v2/actor-runs/R1?waitForFinish=1 HTTP/1.1".into(), 31_000),
            Step::Sleep(POLL_PAUSE_MS),
            Step::Send("GET /v2/actor-runs/R1?waitForFinish=60 HTTP/1.1".into(), 90_000),
        ]
    );
}

#[test]
fn an_attempt_timeout_of_no_limit_saturates() {
    let policy = RetryPolicy { attempt_timeout_ms: u32::MAX, ..RetryPolicy::DEFAULT };
    let task = TaskId::new("janedoe~my-task").unwrap();
    let mut call = Call::start(task, &RunOptions::NONE, Input::EMPTY, policy, 7).wait_ms(300_000);
    let replies = vec![http(201, run_body("R1", "RUNNING")), http(200, run_body("R1", "SUCCEEDED"))];
    let (steps, _, _) = drive(&mut call, replies, 40);
    // No overflow; the poll is cut at the end of the caller's wait.
    assert_eq!(steps[1], Step::Send("GET /v2/actor-runs/R1?waitForFinish=60 HTTP/1.1".into(), 299_960));
}

#[test]
fn a_404_right_after_the_start_is_retried_then_reported() {
    let mut call = start_call().wait_ms(60_000);
    let replies = vec![
        http(201, run_body("R1", "READY")),
        http(404, error_body("record-not-found")),
        http(200, run_body("R1", "SUCCEEDED")),
    ];
    let (steps, finish, _) = drive(&mut call, replies, 40);
    assert_eq!(finish, Finish::Terminal);
    assert_eq!(steps[2], Step::Sleep(POLL_PAUSE_MS));
    // A 404 that lasts past the grace period is the answer.
    let mut call = start_call().wait_ms(60_000);
    let mut replies = vec![http(201, run_body("R1", "READY"))];
    replies.extend((0..20).map(|_| http(404, error_body("record-not-found"))));
    let (steps, finish, _) = drive(&mut call, replies, 200);
    assert_eq!(finish, Finish::ApiError);
    let polls = sends(&steps).len() - 1;
    assert!((6..=10).contains(&polls), "{polls} polls within the 3 s grace");
}

#[test]
fn deadline_while_running_with_and_without_abort() {
    let running = || (0..10).map(|_| http(200, run_body("R1", "RUNNING"))).collect::<Vec<_>>();
    let mut call = start_call().wait_ms(200_000);
    let mut replies = vec![http(201, run_body("R1", "RUNNING"))];
    replies.extend(running());
    // Every request takes a minute: the polls ask for what is left of the wait, at most 60 s.
    let (steps, finish, _) = drive(&mut call, replies, 60_000);
    assert_eq!(finish, Finish::DeadlineReached);
    let waits: Vec<&str> = sends(&steps).into_iter().skip(1).collect();
    assert_eq!(
        waits,
        [
            "GET /v2/actor-runs/R1?waitForFinish=60 HTTP/1.1",
            "GET /v2/actor-runs/R1?waitForFinish=60 HTTP/1.1",
            "GET /v2/actor-runs/R1?waitForFinish=18 HTTP/1.1"
        ]
    );

    let mut call = start_call().wait_ms(100_000).abort_at_deadline(true);
    let mut replies = vec![http(201, run_body("R1", "READY"))];
    replies.extend(running().into_iter().take(2));
    replies.push(http(200, run_body("R1", "ABORTING")));
    let (steps, finish, _) = drive(&mut call, replies, 60_000);
    assert_eq!(finish, Finish::AbortedAtDeadline);
    assert_eq!(*sends(&steps).last().unwrap(), "POST /v2/actor-runs/R1/abort HTTP/1.1");
}

#[test]
fn rate_limits_are_retried_with_and_without_retry_after() {
    let mut call = start_call();
    let replies = vec![
        Reply::Http(429, "Retry-After: 3\r\n", error_body("rate-limit-exceeded")),
        http(429, error_body("rate-limit-exceeded")),
        http(429, error_body("rate-limit-exceeded")),
        http(201, run_body("R1", "READY")),
    ];
    let (steps, finish, _) = drive(&mut call, replies, 10);
    assert_eq!(finish, Finish::Started);
    let sleeps: Vec<u32> =
        steps.iter().filter_map(|s| if let Step::Sleep(ms) = s { Some(*ms) } else { None }).collect();
    assert!((3_500..4_000).contains(&sleeps[0]), "Retry-After, then the first backoff: {}", sleeps[0]);
    assert!((1_000..2_000).contains(&sleeps[1]), "second backoff {}", sleeps[1]);
    assert!((2_000..4_000).contains(&sleeps[2]), "third backoff {}", sleeps[2]);
    assert_eq!(sends(&steps).len(), 4);
}

#[test]
fn retries_stop_at_the_attempt_cap() {
    let mut call = start_call();
    let replies = (0..10).map(|_| http(429, error_body("rate-limit-exceeded"))).collect();
    let (steps, finish, _) = drive(&mut call, replies, 10);
    assert_eq!(finish, Finish::ApiError);
    assert_eq!(sends(&steps).len(), RetryPolicy::DEFAULT.max_attempts as usize);
}

#[test]
fn capacity_402_needs_the_opt_in() {
    let refused = || http(402, error_body("actor-memory-limit-exceeded"));
    let mut call = start_call();
    let (steps, finish, _) = drive(&mut call, vec![refused()], 10);
    assert_eq!((finish, sends(&steps).len()), (Finish::ApiError, 1));

    let policy = RetryPolicy { wait_for_resources: true, ..RetryPolicy::DEFAULT };
    let mut call = Call::start(TaskId::new("t~t").unwrap(), &RunOptions::NONE, Input::EMPTY, policy, 1);
    let (steps, finish, _) =
        drive(&mut call, vec![refused(), refused(), http(201, run_body("R2", "READY"))], 10);
    assert_eq!(finish, Finish::Started);
    assert!(matches!(steps[1], Step::Sleep(10_000..20_000)), "{:?}", steps[1]);
    // Other 402s are not capacity problems.
    let mut call = Call::start(TaskId::new("t~t").unwrap(), &RunOptions::NONE, Input::EMPTY, policy, 1);
    let (_, finish, _) =
        drive(&mut call, vec![http(402, error_body("not-enough-usage-to-run-paid-actor"))], 10);
    assert_eq!(finish, Finish::ApiError);
}

#[test]
fn waiting_for_resources_has_its_own_budget() {
    let policy = RetryPolicy { wait_for_resources: true, ..RetryPolicy::DEFAULT };
    let refused = || http(402, error_body("actor-memory-limit-exceeded"));
    let limited = || http(429, error_body("rate-limit-exceeded"));
    // Ten refusals (more attempts and more time than the ordinary budget), then rate limits:
    // those still get their retries.
    let mut replies: Vec<Reply> = (0..10).map(|_| refused()).collect();
    replies.extend([limited(), limited(), http(201, run_body("R3", "READY"))]);
    let mut call = Call::start(TaskId::new("t~t").unwrap(), &RunOptions::NONE, Input::EMPTY, policy, 1);
    let (steps, finish, _) = drive(&mut call, replies, 10);
    assert_eq!((finish, sends(&steps).len()), (Finish::Started, 13));
    // The wait for resources itself stops at its own limit (10 minutes), with pauses that
    // grow from 10 s to the policy's longest delay (30 s): fewer than 60 retries.
    let mut call = Call::start(TaskId::new("t~t").unwrap(), &RunOptions::NONE, Input::EMPTY, policy, 1);
    let (steps, finish, end) = drive(&mut call, (0..100).map(|_| refused()).collect(), 10);
    let pauses: Vec<u32> =
        steps.iter().filter_map(|s| if let Step::Sleep(ms) = s { Some(*ms) } else { None }).collect();
    assert_eq!(finish, Finish::ApiError);
    assert!((18..=30).contains(&sends(&steps).len()), "{} attempts", sends(&steps).len());
    assert!(pauses.iter().all(|ms| (10_000..60_000).contains(ms)), "{pauses:?}");
    assert!(pauses.last() > pauses.first(), "the pauses grow: {pauses:?}");
    assert!(end - 1_000_000 <= 600_000 + 60_000, "{} ms", end - 1_000_000);
}

#[test]
fn a_start_is_never_repeated_after_it_may_have_arrived() {
    for (reply, cause) in [
        (Reply::Fail(LOST), Some(LOST)),
        (Reply::Silent, Some(SILENT)),
        (http(502, "<html>".into()), None),
        (http(500, error_body("internal-error")), None),
    ] {
        let mut call = start_call().wait_ms(60_000);
        let (steps, finish, _) = drive(&mut call, vec![reply], 10);
        assert_eq!(finish, Finish::OutcomeUnknown(cause));
        assert_eq!(sends(&steps), [START]);
        let check =
            crate::encode::Request::new(crate::encode::BaseUrl::APIFY, call.check_endpoint().unwrap())
                .unwrap();
        assert!(
            format!("{}", check.redacted_head())
                .starts_with("GET /v2/actor-tasks/janedoe~my-task/runs/last HTTP/1.1")
        );
    }
    // A 2xx without a usable run ID: the run exists, but cannot be followed.
    let mut call = start_call();
    let (_, finish, _) = drive(&mut call, vec![http(201, r#"{"data":{"status":"READY"}}"#.into())], 10);
    assert_eq!(finish, Finish::OutcomeUnknown(None));
}

#[test]
fn a_start_that_never_arrived_is_repeated() {
    let mut call = start_call();
    let replies = vec![
        Reply::Fail(NO_HOST),
        Reply::Fail(REFUSED),
        Reply::Fail(TransportFailure::new(Stage::Connect, Cause::Timeout)),
        Reply::Fail(TransportFailure::new(Stage::Tls, Cause::Timeout)),
        Reply::Fail(CUT_WRITE),
        http(201, run_body("R1", "READY")),
    ];
    let (steps, finish, _) = drive(&mut call, replies, 10);
    assert_eq!(finish, Finish::Started);
    assert_eq!(sends(&steps), [START; 6]);
    let mut call = start_call();
    let replies = (0..10).map(|_| Reply::Fail(NO_HOST)).collect();
    let (_, finish, _) = drive(&mut call, replies, 10);
    assert_eq!(finish, Finish::Transport(NO_HOST), "never an unknown outcome");
    // A refused certificate is final: no retry, and nothing was sent.
    let mut call = start_call();
    let (steps, finish, _) = drive(&mut call, vec![Reply::Fail(BAD_CERT)], 10);
    assert_eq!((finish, sends(&steps).len()), (Finish::Transport(BAD_CERT), 1));
}

#[test]
fn polls_retry_network_errors_and_5xx() {
    let mut call = start_call().wait_ms(60_000);
    let replies = vec![
        http(201, run_body("R1", "RUNNING")),
        Reply::Fail(LOST),
        http(503, "".into()),
        http(200, run_body("R1", "FAILED")),
    ];
    let (_, finish, _) = drive(&mut call, replies, 10);
    assert_eq!(finish, Finish::Terminal);
}

#[test]
fn failing_polls_are_not_retried_past_the_wait() {
    for abort in [false, true] {
        let mut call = start_call().wait_ms(60_000).abort_at_deadline(abort);
        let mut replies = vec![http(201, run_body("R1", "RUNNING"))];
        replies.extend((0..2).map(|_| Reply::Fail(LOST)));
        if abort {
            replies.push(http(200, run_body("R1", "ABORTED")));
        }
        // Each attempt takes 25 s: the second failing poll ends past the 60 s wait.
        let (steps, finish, _) = drive(&mut call, replies, 25_000);
        let polls = sends(&steps).iter().filter(|s| s.starts_with("GET")).count();
        assert_eq!(polls, 2, "abort {abort}: {steps:?}");
        if abort {
            assert_eq!(finish, Finish::AbortedAtDeadline);
            assert!(sends(&steps).last().unwrap().starts_with("POST /v2/actor-runs/R1/abort"), "{steps:?}");
        } else {
            // Following failed: the call ends with the failure (adapters add the run's ID).
            assert_eq!(finish, Finish::Transport(LOST));
            assert_eq!(call.created_run_id(), Some("R1"));
        }
    }
    // A poll that fails 0.4 s before the deadline is not retried (the backoff is at least
    // 0.5 s): the run is aborted at once.
    let mut call = start_call().wait_ms(60_000).abort_at_deadline(true);
    let mut replies = vec![http(201, run_body("R1", "RUNNING"))];
    replies.push(Reply::Fail(LOST));
    replies.push(http(200, run_body("R1", "ABORTED")));
    let (steps, finish, _) = drive(&mut call, replies, 29_800);
    assert_eq!(finish, Finish::AbortedAtDeadline, "{steps:?}");
    assert_eq!(sends(&steps).iter().filter(|s| s.starts_with("GET")).count(), 1, "{steps:?}");
}

#[test]
fn single_operations() {
    let run = RunId::new("R9").unwrap();
    let mut call = Call::get(run, RetryPolicy::DEFAULT, 3);
    let (steps, finish, _) = drive(&mut call, vec![http(200, run_body("R9", "RUNNING"))], 10);
    assert_eq!(
        (finish, sends(&steps)),
        (Finish::Done, std::vec!["GET /v2/actor-runs/R9?waitForFinish=0 HTTP/1.1"])
    );
    let mut call = Call::abort(run, RetryPolicy::DEFAULT, 3);
    let (steps, finish, _) =
        drive(&mut call, vec![http(500, "".into()), http(200, run_body("R9", "ABORTED"))], 10);
    assert_eq!((finish, sends(&steps).len()), (Finish::Done, 2), "abort is safe to repeat");
    let mut call = Call::last_run(TaskId::new("~t").unwrap(), RetryPolicy::DEFAULT, 3);
    let (steps, finish, _) = drive(
        &mut call,
        vec![http(429, error_body("rate-limit-exceeded")), http(200, run_body("R9", "READY"))],
        10,
    );
    assert_eq!(finish, Finish::Done);
    assert_eq!(sends(&steps), ["GET /v2/actor-tasks/~t/runs/last HTTP/1.1"; 2]);
    let mut call = Call::wait_for(run, RetryPolicy::DEFAULT, 3).wait_ms(5_000);
    let (steps, finish, _) = drive(&mut call, vec![http(200, run_body("R9", "SUCCEEDED"))], 10);
    assert_eq!(
        (finish, sends(&steps)),
        (Finish::Terminal, std::vec!["GET /v2/actor-runs/R9?waitForFinish=4 HTTP/1.1"])
    );
}

#[test]
fn total_time_caps_retries() {
    let policy = RetryPolicy { max_total_ms: 5_000, max_attempts: 50, ..RetryPolicy::DEFAULT };
    let mut call = Call::get(RunId::new("R9").unwrap(), policy, 5);
    let replies = (0..50).map(|_| Reply::Fail(REFUSED)).collect();
    let (steps, finish, now) = drive(&mut call, replies, 10);
    assert_eq!(finish, Finish::Transport(REFUSED));
    assert!(now - 1_000_000 <= 5_000 + 10 * sends(&steps).len() as u64);
}

#[test]
fn backoff_doubles_within_the_jitter_band() {
    let p = RetryPolicy::DEFAULT;
    for attempt in 1..=6u8 {
        let base = 500u32 << (attempt - 1);
        assert_eq!(p.backoff_ms(attempt, 0, 0), base.min(30_000));
        assert!(p.backoff_ms(attempt, 0, u32::MAX) < (2 * base).min(30_001));
    }
    assert_eq!(p.backoff_ms(30, 0, u32::MAX), 30_000);
}

#[test]
fn full_and_decorrelated_jitter_stay_in_their_ranges() {
    let full = RetryPolicy { jitter: Jitter::Full, ..RetryPolicy::DEFAULT };
    let decorrelated = RetryPolicy { jitter: Jitter::Decorrelated, ..RetryPolicy::DEFAULT };
    for attempt in 1..=6u8 {
        let top = (500u32 << (attempt - 1)).min(30_000);
        assert_eq!(full.backoff_ms(attempt, 0, 0), 0);
        assert!(full.backoff_ms(attempt, 0, u32::MAX) <= top);
    }
    // From the base, up to three times the previous delay, never past the cap.
    assert_eq!(decorrelated.backoff_ms(1, 0, 0), 500);
    assert!(decorrelated.backoff_ms(1, 0, u32::MAX) < 1_500);
    assert!((500..6_000).contains(&decorrelated.backoff_ms(4, 2_000, u32::MAX)));
    assert_eq!(decorrelated.backoff_ms(9, 29_000, u32::MAX), 30_000);
    // A call hands the previous delay on.
    let mut call = start_call();
    let policy = RetryPolicy { jitter: Jitter::Decorrelated, max_attempts: 5, ..RetryPolicy::DEFAULT };
    call.policy = policy;
    let replies = (0..5).map(|_| http(429, error_body("rate-limit-exceeded"))).collect();
    let (steps, _, _) = drive(&mut call, replies, 10);
    let sleeps: Vec<u32> =
        steps.iter().filter_map(|s| if let Step::Sleep(ms) = s { Some(*ms) } else { None }).collect();
    assert_eq!(sleeps.len(), 4);
    for pair in sleeps.windows(2) {
        assert!(pair[1] >= 500 && pair[1] < 3 * pair[0].max(500), "{sleeps:?}");
    }
}

#[test]
fn retry_after_can_be_ignored() {
    let head = |text: &str| {
        let mut reader = ResponseReader::<16>::new();
        reader.feed(text.as_bytes()).unwrap();
        reader.finish().unwrap().head.clone()
    };
    let limited = head("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 20\r\nContent-Length: 0\r\n\r\n");
    let failure = Failure::Status { head: &limited, error_type: None };
    let start = Attempts { random: 0, ..Attempts::first(false) };
    assert_eq!(RetryPolicy::DEFAULT.decide(failure, &start), Decision::RetryAfterMs(20_500));
    let ignoring = RetryPolicy { honour_retry_after: false, ..RetryPolicy::DEFAULT };
    assert_eq!(ignoring.decide(failure, &start), Decision::RetryAfterMs(500));
}

#[test]
fn conclusions_pair_the_finish_with_the_last_response() {
    let read = |bytes: &[u8]| {
        let mut reader = Box::new(ResponseReader::<20>::new());
        reader.feed(bytes).unwrap();
        reader
    };
    let ok = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{}",
        run_body("R1", "READY").len(),
        run_body("R1", "READY")
    );
    let mut reader = read(ok.as_bytes());
    assert!(
        matches!(Finish::Terminal.conclude(reader.finish()), Conclusion::Run { finish: Finish::Terminal, run } if run.id().is_some())
    );
    let refused = error_body("record-not-found");
    let mut reader =
        read(format!("HTTP/1.1 404 X\r\nContent-Length: {}\r\n\r\n{refused}", refused.len()).as_bytes());
    assert!(matches!(Finish::ApiError.conclude(reader.finish()), Conclusion::ApiError { status: 404, .. }));
    let mut reader = read(b"HTTP/1.1 502 X\r\nContent-Length: 5\r\n\r\n<html");
    assert!(matches!(
        Finish::HttpStatus.conclude(reader.finish()),
        Conclusion::HttpStatus { status: 502, body_prefix: b"<html" }
    ));
    let mut reader = read(b"HTTP/1.1 503 X\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        Finish::OutcomeUnknown(None).conclude(reader.finish()),
        Conclusion::OutcomeUnknown { status: Some(503), failure: None }
    );
    // A start that got no answer: the reason is the failure, not the reader's older response.
    assert_eq!(
        Finish::OutcomeUnknown(Some(SILENT)).conclude(reader.finish()),
        Conclusion::OutcomeUnknown { status: None, failure: Some(SILENT) }
    );
    let mut reader = read(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{");
    assert_eq!(
        Finish::OutcomeUnknown(None).conclude(reader.finish()),
        Conclusion::OutcomeUnknown { status: None, failure: None }
    );
    assert_eq!(Finish::Transport(REFUSED).conclude(reader.finish()), Conclusion::Transport(REFUSED));
}

#[test]
fn the_policy_table() {
    let p = RetryPolicy { wait_for_resources: true, ..RetryPolicy::DEFAULT };
    let head = |status: u16| ResponseHead::new(status);
    let (h404, h429, h402, h503, h400) = (head(404), head(429), head(402), head(503), head(400));
    let capacity = ErrorType::ActorMemoryLimitExceeded;
    let start = Attempts { random: 0, ..Attempts::first(false) };
    let poll = Attempts { random: 0, ..Attempts::first(true) };
    let young = Attempts { since_created_ms: Some(1_000), ..poll };
    let old = Attempts { since_created_ms: Some(NOT_FOUND_GRACE_MS as u64), ..poll };
    let status = |head: &'static ResponseHead| Failure::Status { head, error_type: None };
    let leak = |h: ResponseHead| &*Box::leak(Box::new(h));
    let (h404, h429, h402, h503, h400) = (leak(h404), leak(h429), leak(h402), leak(h503), leak(h400));
    let t = Failure::Transport;
    let rows: Vec<(Failure<'_>, Attempts, Decision)> = vec![
        (t(NO_HOST), start, Decision::RetryAfterMs(500)),
        (t(REFUSED), start, Decision::RetryAfterMs(500)),
        (t(CUT_WRITE), start, Decision::RetryAfterMs(500)),
        (t(BAD_CERT), start, Decision::GiveUp),
        (t(BAD_CERT), poll, Decision::GiveUp),
        (t(LOST), start, Decision::OutcomeUnknown),
        (t(SILENT), start, Decision::OutcomeUnknown),
        (t(LOST), poll, Decision::RetryAfterMs(500)),
        (status(h404), young, Decision::WaitAfterMs(POLL_PAUSE_MS)),
        (status(h404), old, Decision::GiveUp),
        (status(h404), poll, Decision::GiveUp),
        (status(h429), start, Decision::RetryAfterMs(500)),
        (status(h402), start, Decision::GiveUp),
        (Failure::Status { head: h402, error_type: Some(&capacity) }, start, Decision::WaitAfterMs(10_000)),
        (Failure::Status { head: h402, error_type: Some(&capacity) }, poll, Decision::GiveUp),
        (
            Failure::Status { head: h402, error_type: Some(&capacity) },
            Attempts { resource_wait_ms: Some(595_000), ..start },
            Decision::GiveUp,
        ),
        (status(h503), start, Decision::OutcomeUnknown),
        (status(h503), poll, Decision::RetryAfterMs(500)),
        (status(h400), poll, Decision::GiveUp),
        // Budgets: attempts, total time, the caller's deadline.
        (t(REFUSED), Attempts { attempt: 6, ..start }, Decision::GiveUp),
        (t(REFUSED), Attempts { elapsed_ms: 119_800, ..start }, Decision::GiveUp),
        (t(REFUSED), Attempts { time_left_ms: Some(400), ..start }, Decision::OutOfTime),
        (status(h404), Attempts { time_left_ms: Some(100), ..young }, Decision::OutOfTime),
        (t(REFUSED), Attempts { attempt: 3, ..start }, Decision::RetryAfterMs(2_000)),
    ];
    for (i, (failure, history, expected)) in rows.into_iter().enumerate() {
        assert_eq!(p.decide(failure, &history), expected, "row {i}: {failure:?} {history:?}");
    }
    // Retry-After: the earliest time, with the backoff on top (never over the policy's cap),
    // and a pause longer than the policy allows ends the retries at once.
    let mut limited = head(429);
    for (value, expected) in [
        ("3", Decision::RetryAfterMs(3_500)),
        ("0", Decision::RetryAfterMs(500)),
        ("29", Decision::RetryAfterMs(29_500)),
        ("30", Decision::RetryAfterMs(30_000)),
        ("31", Decision::GiveUp),
        ("999999999", Decision::GiveUp),
    ] {
        limited.apply_header(b"Retry-After", value.as_bytes()).unwrap();
        let failure = Failure::Status { head: &limited, error_type: None };
        assert_eq!(p.decide(failure, &start), expected, "Retry-After: {value}");
    }
}

/// The time from the first `next` to the end, in the drive's fake clock.
fn duration(call: &mut Call<'_>, replies: Vec<Reply>) -> (Vec<Step>, Finish, u64) {
    let (steps, finish, end) = drive(call, replies, 40);
    (steps, finish, end - 1_000_000)
}

#[test]
fn a_wait_bounds_the_whole_call() {
    let silent = |n: usize| (0..n).map(|_| Reply::Silent).collect::<Vec<_>>();
    // A silent server while following: the call ends when the wait does, with what stopped
    // the polls.
    let mut call = start_call().wait_ms(20_000);
    let mut replies = vec![http(201, run_body("R1", "READY"))];
    replies.extend(silent(5));
    let (_, finish, took) = duration(&mut call, replies);
    assert_eq!(finish, Finish::Transport(SILENT));
    assert!(took <= 20_000, "{took} ms");
    // With an abort at the deadline, the abort has one attempt timeout more.
    let mut call = start_call().wait_ms(5_000).abort_at_deadline(true);
    let mut replies = vec![http(201, run_body("R1", "READY"))];
    replies.extend(silent(5));
    let (steps, finish, took) = duration(&mut call, replies);
    assert!(matches!(finish, Finish::Transport(SILENT)), "{finish:?}");
    assert!(sends(&steps).last().unwrap().contains("/abort"));
    assert!(took <= 5_000 + 30_000, "{took} ms");
    // A silent start: its outcome is unknown, within the same bound.
    let mut call = start_call().wait_ms(20_000);
    let (_, finish, took) = duration(&mut call, silent(1));
    assert_eq!(finish, Finish::OutcomeUnknown(Some(SILENT)));
    assert!(took <= 20_000 + 30_000, "{took} ms");
    // A start refused until after the wait: retries stop at the wait.
    let mut call = start_call().wait_ms(3_000);
    let (steps, finish, took) = duration(&mut call, (0..10).map(|_| Reply::Fail(REFUSED)).collect());
    assert_eq!(finish, Finish::Transport(REFUSED));
    assert!(took <= 3_000, "{took} ms, {steps:?}");
    // A Retry-After past what the policy waits ends the call at once.
    let mut call = start_call().wait_ms(60_000);
    let replies = vec![Reply::Http(429, "Retry-After: 999999999\r\n", error_body("rate-limit-exceeded"))];
    let (steps, finish, _) = duration(&mut call, replies);
    assert_eq!((finish, steps.len()), (Finish::ApiError, 1));
    // Within the policy but past the wait: the same.
    let mut call = start_call().wait_ms(10_000);
    let replies = vec![Reply::Http(429, "Retry-After: 20\r\n", error_body("rate-limit-exceeded"))];
    let (steps, finish, _) = duration(&mut call, replies);
    assert_eq!((finish, steps.len()), (Finish::ApiError, 1));
}

#[test]
fn polls_can_ask_for_shorter_waits() {
    let mut call = start_call().wait_ms(60_000).poll_wait_secs(2);
    let replies = vec![
        http(201, run_body("R1", "READY")),
        http(200, run_body("R1", "RUNNING")),
        http(200, run_body("R1", "SUCCEEDED")),
    ];
    let (steps, finish, _) = drive(&mut call, replies, 10);
    assert_eq!(finish, Finish::Terminal);
    // READY: a second at most, so that RUNNING shows as soon as it comes.
    assert_eq!(sends(&steps)[1], "GET /v2/actor-runs/R1?waitForFinish=1 HTTP/1.1");
    assert_eq!(sends(&steps)[2], "GET /v2/actor-runs/R1?waitForFinish=2 HTTP/1.1");
}

#[test]
fn polls_are_short_only_while_the_run_is_ready() {
    let mut call = start_call().wait_ms(120_000);
    let replies = vec![
        http(201, run_body("R1", "READY")),
        http(200, run_body("R1", "READY")),
        http(200, run_body("R1", "RUNNING")),
        http(200, run_body("R1", "SUCCEEDED")),
    ];
    let (steps, finish, _) = drive(&mut call, replies, 10);
    assert_eq!(finish, Finish::Terminal);
    let sends = sends(&steps);
    assert_eq!(sends[1], "GET /v2/actor-runs/R1?waitForFinish=1 HTTP/1.1");
    assert_eq!(sends[2], "GET /v2/actor-runs/R1?waitForFinish=1 HTTP/1.1");
    assert_eq!(sends[3], format!("GET /v2/actor-runs/R1?waitForFinish={MAX_WAIT_FOR_FINISH_SECS} HTTP/1.1"));
}

#[test]
fn a_poll_about_another_run_is_not_taken() {
    let mut call = start_call().wait_ms(60_000);
    let replies = vec![
        http(201, run_body("R1", "READY")),
        http(200, run_body("R2", "SUCCEEDED")),
        http(200, run_body("R1", "SUCCEEDED")),
    ];
    let (steps, finish, _) = drive(&mut call, replies, 10);
    assert_eq!(finish, Finish::Terminal);
    assert_eq!(sends(&steps).len(), 3, "the answer about R2 was retried");
    assert_eq!(call.created_run_id(), Some("R1"));
    // Only ever answers about another run: the call ends on that, naming why.
    let mut call = Call::get(RunId::new("R1").unwrap(), RetryPolicy::DEFAULT, 1);
    let replies = (0..6).map(|_| http(200, run_body("R2", "RUNNING"))).collect();
    let (_, finish, _) = drive(&mut call, replies, 10);
    assert_eq!(finish, Finish::Transport(TransportFailure::new(Stage::Read, Cause::WrongRun)));
    assert_eq!(call.created_run_id(), None, "a get creates nothing");
}

#[test]
fn the_multiplier_sets_the_growth_and_the_longest_delay_caps_it() {
    // With a zero random number the proportional jitter adds nothing: the windows show.
    let windows = |p: RetryPolicy| (1..=6).map(|n| p.backoff_ms(n, 0, 0)).collect::<Vec<_>>();
    let p = RetryPolicy { jitter: Jitter::Proportional, ..RetryPolicy::DEFAULT };
    assert_eq!(windows(p), [500, 1_000, 2_000, 4_000, 8_000, 16_000]);
    assert_eq!(windows(RetryPolicy { multiplier: 4, ..p }), [500, 2_000, 8_000, 30_000, 30_000, 30_000]);
    assert_eq!(windows(RetryPolicy { multiplier: 1, ..p }), [500; 6]);
    assert_eq!(RetryPolicy { multiplier: 255, ..p }.backoff_ms(255, 0, u32::MAX), 30_000, "no overflow");
    // The fleet preset: full jitter over windows of 0.5, 2, 8, 32, then 60 s.
    let fleet = RetryPolicy::FLEET;
    for (attempt, window) in [(1, 500), (2, 2_000), (3, 8_000), (4, 32_000), (5, 60_000), (30, 60_000)] {
        assert!(fleet.backoff_ms(attempt, 0, u32::MAX) <= window);
        assert!(fleet.backoff_ms(attempt, 0, u32::MAX) >= window * 99 / 100, "attempt {attempt}");
        assert_eq!(fleet.backoff_ms(attempt, 0, 0), 0);
    }
}
