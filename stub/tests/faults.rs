//! Every fault, proven on the wire with raw reads.

mod common;

use std::io::{ErrorKind, Read};
use std::thread;
use std::time::{Duration, Instant};

use apify_stub::{Fault, FaultKind, Match};
use common::{call, connect, find, quick, read_response, read_until_closed, send, start};

const START: &str = "/v2/actor-tasks/janedoe~my-task/runs";

fn fault(matching: Match, kind: FaultKind) -> Fault {
    Fault::new(matching, kind)
}

#[test]
fn rate_limited_with_and_without_retry_after() {
    let stub = quick(None);
    stub.push_fault(fault(Match::StartRun, FaultKind::RateLimited { retry_after_secs: Some(3) }));
    stub.push_fault(fault(Match::StartRun, FaultKind::RateLimited { retry_after_secs: None }));
    let first = start(&stub, "t", "", &[]);
    assert_eq!(first.error(429).0, "rate-limit-exceeded");
    assert_eq!(first.header("retry-after"), Some("3"));
    let second = start(&stub, "t", "", &[]);
    assert_eq!(second.error(429).0, "rate-limit-exceeded");
    assert_eq!(second.header("retry-after"), None);
    assert_eq!(stub.runs_started(), 0);
    assert_eq!(start(&stub, "t", "", &[]).status, 201);
    assert_eq!(stub.runs_started(), 1);
}

#[test]
fn capacity_exceeded_creates_no_run() {
    let stub = quick(None);
    stub.push_fault(fault(Match::StartRun, FaultKind::CapacityExceeded));
    let (kind, message) = start(&stub, "t", "", &[]).error(402);
    assert_eq!(kind, "actor-memory-limit-exceeded");
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("../../fixtures/error_402_actor_memory_limit_exceeded.json"))
            .expect("fixture");
    assert_eq!(message, fixture["error"]["message"].as_str().expect("message"));
    assert_eq!(stub.runs_started(), 0);
}

#[test]
fn server_errors_json_and_html() {
    let stub = quick(None);
    stub.push_fault(fault(Match::StartRun, FaultKind::ServerError { status: 500, html: false }));
    stub.push_fault(fault(Match::StartRun, FaultKind::ServerError { status: 502, html: true }));
    let json = start(&stub, "t", "", &[]);
    assert_eq!(json.error(500).0, "internal-server-error");
    let html = start(&stub, "t", "", &[]);
    assert_eq!(html.status, 502);
    assert_eq!(html.header("content-type"), Some("text/html"));
    let page = String::from_utf8(html.body).expect("text");
    assert!(page.starts_with("<html>") && page.contains("502 Bad Gateway"), "{page}");
    assert_eq!(stub.runs_started(), 0);
}

#[test]
fn delay_then_normal_answer() {
    let stub = quick(None);
    stub.push_fault(fault(Match::StartRun, FaultKind::Delay { ms: 300 }));
    let begun = Instant::now();
    let response = start(&stub, "t", "", &[]);
    assert!(begun.elapsed() >= Duration::from_millis(300));
    assert_eq!(response.status, 201);
    assert_eq!(stub.runs_started(), 1);
}

#[test]
fn one_byte_per_write() {
    let stub = quick(None);
    stub.push_fault(fault(Match::StartRun, FaultKind::OneBytePerWrite));
    let mut stream = connect(&stub);
    send(&mut stream, "POST", START, &[], b"{}");
    let (mut data, mut reads) = (Vec::new(), Vec::new());
    let mut buf = [0u8; 1024];
    let complete = loop {
        let n = stream.read(&mut buf).expect("read");
        assert!(n > 0, "closed early");
        data.extend_from_slice(&buf[..n]);
        reads.push(n);
        if let Some(head_end) = find(&data, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..head_end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length: "))
                .map(|n| n.trim().parse().expect("length"))
                .expect("Content-Length");
            if data.len() >= head_end + 4 + length {
                break data.len() == head_end + 4 + length;
            }
        }
    };
    assert!(complete, "extra bytes");
    assert!(data.starts_with(b"HTTP/1.1 201 Created\r\n"));
    let small = reads.iter().filter(|&&n| n <= 4).count();
    assert!(
        reads.len() > data.len() / 4 && small > reads.len() / 2,
        "{} bytes in reads of {reads:?}",
        data.len()
    );
    // The run was created and the connection is still good for the next request.
    assert_eq!(stub.runs_started(), 1);
    send(&mut stream, "GET", "/v2/nope", &[], b"");
    assert_eq!(read_response(&mut stream).status, 404);
}

#[test]
fn chunked_in_several_chunks() {
    let stub = quick(None);
    stub.push_fault(fault(Match::GetRun, FaultKind::Chunked));
    let id = start(&stub, "t", "", &[]).data()["id"].as_str().expect("id").to_owned();
    let mut stream = connect(&stub);
    send(&mut stream, "GET", &format!("/v2/actor-runs/{id}"), &[], b"");
    let response = read_response(&mut stream);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("transfer-encoding"), Some("chunked"));
    assert!(response.chunks >= 3, "{} chunks", response.chunks);
    assert_eq!(response.data()["id"], id.as_str());
    // The next answer on the same connection is framed normally again.
    send(&mut stream, "GET", &format!("/v2/actor-runs/{id}"), &[], b"");
    let next = read_response(&mut stream);
    assert_eq!(next.chunks, 0);
    assert!(next.header("content-length").is_some());
}

#[test]
fn close_mid_body() {
    let stub = quick(None);
    stub.push_fault(fault(Match::StartRun, FaultKind::CloseMidBody));
    let mut stream = connect(&stub);
    send(&mut stream, "POST", START, &[], b"{}");
    let (data, _) = read_until_closed(&mut stream, Duration::from_secs(3));
    let head_end = find(&data, b"\r\n\r\n").expect("a whole head") + 4;
    let head = String::from_utf8_lossy(&data[..head_end]).to_lowercase();
    assert!(head.starts_with("http/1.1 201 created\r\n"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .map(|n| n.trim().parse().expect("length"))
        .expect("Content-Length");
    let body = data.len() - head_end;
    assert!(body > 0 && body < length, "{body} of {length} body bytes");
    assert_eq!(stub.runs_started(), 1);
}

#[test]
fn close_without_response() {
    let stub = quick(None);
    stub.push_fault(fault(Match::StartRun, FaultKind::CloseWithoutResponse));
    let mut stream = connect(&stub);
    send(&mut stream, "POST", START, &[], br#"{"a":1}"#);
    let (data, _) = read_until_closed(&mut stream, Duration::from_secs(3));
    assert!(data.is_empty(), "{}", String::from_utf8_lossy(&data));
    assert_eq!(stub.runs_started(), 1);
    let requests = stub.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body, br#"{"a":1}"#);
}

#[test]
fn no_answer_then_close() {
    let stub = quick(None);
    stub.push_fault(fault(Match::StartRun, FaultKind::NoAnswer { ms: 700 }));
    let mut stream = connect(&stub);
    let begun = Instant::now();
    send(&mut stream, "POST", START, &[], b"{}");
    stream.set_read_timeout(Some(Duration::from_millis(300))).expect("timeout");
    let mut buf = [0u8; 64];
    let silent = stream.read(&mut buf).expect_err("no bytes, no close");
    assert!(matches!(silent.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut), "{silent}");
    let (data, _) = read_until_closed(&mut stream, Duration::from_secs(3));
    assert!(data.is_empty());
    assert!(begun.elapsed() >= Duration::from_millis(700), "{:?}", begun.elapsed());
    assert_eq!(stub.runs_started(), 0);
    assert_eq!(stub.requests().len(), 1);
    // Other connections were answered meanwhile, and are now.
    assert_eq!(start(&stub, "t", "", &[]).status, 201);
}

#[test]
fn faults_wait_for_the_request_they_match() {
    let stub = quick(None);
    stub.push_fault(fault(Match::AbortRun, FaultKind::ServerError { status: 503, html: false }));
    stub.push_fault(fault(Match::LastRun, FaultKind::ServerError { status: 504, html: false }));
    stub.push_fault(fault(Match::GetRun, FaultKind::ServerError { status: 500, html: false }));
    let id = start(&stub, "t", "", &[]).data()["id"].as_str().expect("id").to_owned();
    assert_eq!(call(&stub, "GET", &format!("/v2/actor-runs/{id}"), &[], b"").status, 500);
    assert_eq!(call(&stub, "GET", &format!("/v2/actor-runs/{id}"), &[], b"").status, 200);
    assert_eq!(call(&stub, "GET", "/v2/actor-tasks/t/runs/last", &[], b"").error(504).0, "gateway-timeout");
    assert_eq!(
        call(&stub, "POST", &format!("/v2/actor-runs/{id}/abort"), &[], b"").error(503).0,
        "service-unavailable"
    );
    assert_eq!(call(&stub, "POST", &format!("/v2/actor-runs/{id}/abort"), &[], b"").status, 200);

    stub.push_fault(fault(Match::Any, FaultKind::RateLimited { retry_after_secs: None }));
    assert_eq!(call(&stub, "GET", "/nowhere", &[], b"").status, 429);
    assert_eq!(call(&stub, "GET", "/nowhere", &[], b"").status, 404);
    // Faulted requests are recorded too.
    assert_eq!(stub.requests().len(), 8);
}

#[test]
fn a_slow_fault_does_not_hold_up_other_connections() {
    let stub = quick(None);
    stub.push_fault(fault(Match::StartRun, FaultKind::Delay { ms: 1000 }));
    let begun = Instant::now();
    let slow = {
        let mut stream = connect(&stub);
        send(&mut stream, "POST", START, &[], b"{}");
        thread::spawn(move || read_response(&mut stream))
    };
    thread::sleep(Duration::from_millis(50));
    assert_eq!(call(&stub, "GET", "/v2/nope", &[], b"").status, 404);
    assert!(begun.elapsed() < Duration::from_millis(800));
    assert_eq!(slow.join().expect("slow").status, 201);
}
