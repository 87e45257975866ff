//! `apify-run` as a user runs it, against hostile and failing servers: closed pipes, a run
//! lost while following, server text meant for the terminal, an echoed token, failures
//! before anything was sent.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use apify_stub::{Fault, FaultKind, Match, Stub, StubConfig};

const TOKEN: &str = "apify_api_SECRETECHO42";

fn stub() -> Stub {
    let config = StubConfig {
        ready_for: Duration::from_millis(300),
        running_for: Duration::from_millis(900),
        ..StubConfig::default()
    };
    Stub::start(config).unwrap()
}

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apify-run"));
    command.args(args).env("APIFY_TOKEN", TOKEN).env_remove("APIFY_BASE_URL");
    command
}

fn run(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `task … --wait 30` with stdout and stderr on pipes whose reading ends close when
/// `close_after` (a stderr line containing it, or `None` for at once) has been seen.
/// Returns the exit status.
fn with_pipes_closed(stub: &Stub, close_after: Option<&str>) -> Option<i32> {
    let (out_read, out_write) = std::io::pipe().unwrap();
    let (err_read, err_write) = std::io::pipe().unwrap();
    let mut child = command(&["task", "janedoe~my-task", "--wait", "30", "--base-url", &stub.base_url()])
        .stdout(Stdio::from(out_write))
        .stderr(Stdio::from(err_write))
        .spawn()
        .unwrap();
    drop(out_read);
    match close_after {
        None => drop(err_read),
        Some(marker) => {
            let mut lines = BufReader::new(err_read);
            let mut line = String::new();
            while lines.read_line(&mut line).unwrap_or(0) > 0 && !line.contains(marker) {
                line.clear();
            }
            drop(lines);
        }
    }
    child.wait().unwrap().code()
}

#[test]
fn closed_pipes_end_nothing_early() {
    for stage in [None, Some("READY"), Some("RUNNING")] {
        let stub = stub();
        let code = with_pipes_closed(&stub, stage);
        assert_eq!(code, Some(0), "pipes closed at {stage:?}: the run was followed to SUCCEEDED");
        assert_eq!(stub.runs_started(), 1, "{stage:?}");
    }
    // Help into a pipe that is already closed.
    let (read, write) = std::io::pipe().unwrap();
    drop(read);
    let status = command(&["--help"]).stdout(Stdio::from(write)).status().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_run_lost_while_following_keeps_its_id() {
    let stub = stub();
    for _ in 0..10 {
        stub.push_fault(Fault::new(Match::GetRun, FaultKind::CloseWithoutResponse));
    }
    let out = run(&["task", "janedoe~my-task", "--wait", "4", "--base-url", &stub.base_url()]);
    assert_eq!(out.status.code(), Some(9), "{}", text(&out.stderr));
    let id = stub.last_run_id().unwrap();
    assert!(text(&out.stdout).starts_with(&format!("run {id} READY (started; following it failed")));
    assert!(text(&out.stderr).contains(&format!("run {id} was started (READY), then following it failed")));

    let stub = stub_with(|stub| {
        for _ in 0..10 {
            stub.push_fault(Fault::new(Match::GetRun, FaultKind::ServerError { status: 500, html: false }));
        }
    });
    let out = run(&["task", "janedoe~my-task", "--wait", "4", "--json", "--base-url", &stub.base_url()]);
    assert_eq!(out.status.code(), Some(9));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["type"], "follow-failed");
    assert_eq!(json["data"]["id"], stub.last_run_id().unwrap().as_str());
    assert_eq!(stub.runs_started(), 1);
}

fn stub_with(setup: impl FnOnce(&Stub)) -> Stub {
    let stub = stub();
    setup(&stub);
    stub
}

#[test]
fn server_text_cannot_drive_the_terminal_or_show_the_token() {
    let stub = stub();
    let body = format!(
        r#"{{"data":{{"id":"Ab1\u001b]0;pwned\u0007","status":"SUCCEEDED","statusMessage":"done\u001b[2J\r\nrun X SUCCEEDED {TOKEN}"}}}}"#
    );
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::Reply { status: 201, body: body.into_bytes() }));
    let out = run(&["task", "janedoe~my-task", "--base-url", &stub.base_url()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains('\u{1b}') && !stdout.contains('\u{7}') && !stdout.contains('\r'), "{stdout:?}");
    assert_eq!(stdout.lines().count(), 1, "no forged line: {stdout:?}");
    assert!(stdout.contains("\\u{1b}[2J") && stdout.contains("<redacted>"), "{stdout:?}");
    assert!(!stdout.contains("SECRETECHO"));

    let body =
        format!(r#"{{"error":{{"type":"invalid-token","message":"token {TOKEN} is bad\u001b[31m"}}}}"#);
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::Reply { status: 401, body: body.into_bytes() }));
    let out = run(&["task", "janedoe~my-task", "--base-url", &stub.base_url()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr.contains("SECRETECHO") && !stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn failures_before_sending_are_quick_and_never_unknown() {
    // An unresolvable host: a transport failure (7), never "outcome unknown" (8).
    // (Retried as a start that never left may be; the wait bounds the retries.)
    let out = run(&["task", "janedoe~my-task", "--wait", "2", "--base-url", "http://no-such-host.invalid"]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("could not resolve the host name"), "{}", text(&out.stderr));

    // TLS to a plain-HTTP server: named, within seconds, nothing sent.
    let stub = stub();
    let started = Instant::now();
    let https = stub.base_url().replace("http://", "https://");
    let out = run(&["task", "janedoe~my-task", "--base-url", &https]);
    assert_eq!(out.status.code(), Some(7));
    assert!(text(&out.stderr).contains("the TLS handshake failed"), "{}", text(&out.stderr));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(stub.requests().is_empty());

    // A request that cannot be sent is invalid input (64), refused before any connection.
    let hook = format!("SUCCEEDED=https://example.com/{}", "h".repeat(60_000));
    let started = Instant::now();
    let out = run(&["task", "janedoe~my-task", "--webhook", &hook, "--base-url", &stub.base_url()]);
    assert_eq!(out.status.code(), Some(64), "{}", text(&out.stderr));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(stub.requests().is_empty());
}

#[test]
fn retries_are_visible() {
    let stub = stub();
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::RateLimited { retry_after_secs: None }));
    let mut child = command(&["task", "janedoe~my-task", "--base-url", &stub.base_url()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(stderr.contains("API error 429 rate-limit-exceeded"), "{stderr}");
    assert!(stderr.contains("; retrying in ") && stderr.contains(" s (attempt 2 of 6)"), "{stderr}");
}
