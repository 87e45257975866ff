//! `apify-run decode` driven as a process, the way a user runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn apify_run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_apify-run"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn runs_decode_with_exit_0_in_any_chunking() {
    let body = fixture("run-task-201.json");
    let whole = apify_run(&["decode"], &body);
    assert_eq!(whole.status.code(), Some(0), "{}", String::from_utf8_lossy(&whole.stderr));
    let json: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    assert_eq!(json["data"]["id"], "HG7ML7M8z78YcAPEB");
    assert_eq!(json["data"]["stats"]["memAvgBytes"].to_string(), "35914228.4");
    assert_eq!(json["data"]["usage"]["DATA_TRANSFER_EXTERNAL_GBYTES"], 3);
    for chunk in ["1", "2", "64", "1000"] {
        let out = apify_run(&["decode", "--chunk", chunk], &body);
        assert_eq!(out.stdout, whole.stdout, "chunk {chunk}");
    }
}

#[test]
fn api_errors_exit_1() {
    let out = apify_run(&["decode", "--chunk", "5"], &fixture("error_429_rate_limit_exceeded.json"));
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["type"], "rate-limit-exceeded");
}

#[test]
fn malformed_input_exits_2_with_the_reason() {
    let out = apify_run(&["decode"], b"{\"data\": {\"id\": 5}}");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "apify-run: `data.id` should be a string, found a number"
    );
    let out = apify_run(&["decode", "--chunk", "3"], b"{\"data\": {\"id\": \"x\"}");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected end of input"));
    assert!(out.stdout.is_empty());
}

#[test]
fn validate_checks_one_document() {
    assert_eq!(apify_run(&["decode", "--validate"], b" [1, {\"a\": null}] ").status.code(), Some(0));
    assert_eq!(
        apify_run(&["decode", "--validate", "--chunk", "1"], b"\"\\ud83d\\ude00\"").status.code(),
        Some(0)
    );
    let out = apify_run(&["decode", "--validate"], b"[1] [2]");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("trailing characters"));
}

#[test]
fn bad_usage_exits_64() {
    assert_eq!(apify_run(&["decode", "--chunk", "0"], b"").status.code(), Some(64));
    assert_eq!(apify_run(&["decode", "--validate", "--http"], b"").status.code(), Some(64));
    assert_eq!(apify_run(&["frobnicate"], b"").status.code(), Some(64));
    assert_eq!(apify_run(&[], b"").status.code(), Some(64));
}

#[test]
fn http_responses_show_status_and_kept_headers() {
    let body = fixture("run-task-201.json");
    let mut response = format!(
        "HTTP/1.1 201 Created\r\nLocation: https://api.apify.com/v2/actor-runs/HG7ML7M8z78YcAPEB\r\nX-RateLimit-Limit: 400\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    let whole = apify_run(&["decode", "--http"], &response);
    assert_eq!(whole.status.code(), Some(0), "{}", String::from_utf8_lossy(&whole.stderr));
    let json: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    assert_eq!(json["status"], 201);
    assert_eq!(json["headers"]["X-RateLimit-Limit"], "400");
    assert_eq!(json["body"]["data"]["status"], "SUCCEEDED");
    assert_eq!(apify_run(&["decode", "--http", "--chunk", "1"], &response).stdout, whole.stdout);

    let html = b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 22\r\n\r\n<h1>\"Bad\" gateway</h1>";
    let out = apify_run(&["decode", "--http"], html);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["bodyPrefix"], "<h1>\"Bad\" gateway</h1>");

    let truncated = &response[..response.len() - 10];
    let out = apify_run(&["decode", "--http", "--chunk", "7"], truncated);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("before the body's end"));
}

/// A 48 MB body (a run with a long array the decoder skips), written in 1 MB pieces: the
/// process's memory stays far below the input's size, because stdin is decoded as it comes.
#[test]
fn memory_stays_fixed_whatever_the_input_size() {
    const PIECES: usize = 48;
    let mut child = Command::new(env!("CARGO_BIN_EXE_apify-run"))
        .arg("decode")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(br#"{"data":{"id":"HG7ML7M8z78YcAPEB","skipped":["#).unwrap();
    let piece = "0,".repeat(1 << 19);
    for _ in 0..PIECES {
        stdin.write_all(piece.as_bytes()).unwrap();
    }
    // Still running, waiting for the rest: its peak memory so far.
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    stdin.write_all(br#"0],"status":"SUCCEEDED"}}"#).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["data"]["status"], "SUCCEEDED");
    assert!(peak_kib < 16 << 10, "{peak_kib} KiB for a {PIECES} MB input");
}
