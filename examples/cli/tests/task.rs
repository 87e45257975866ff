//! `apify-run task/get/abort/request` driven as processes against the local stand-in.

mod common;

use std::process::{Command, Output};
use std::time::Duration;

use apify_stub::{Fault, FaultKind, Match, Stub, StubConfig};
use common::apify_run;

fn stub() -> Stub {
    common::stub_with_times(100, 300)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn offline_run_uses_the_in_process_stand_in() {
    let out = apify_run(&["task", "janedoe~my-task", "--wait", "30"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with(
            "APIFY_TOKEN is not set: running against the local API stand-in at http://127.0.0.1:"
        )
    );
    assert!(stdout(&out).contains(" SUCCEEDED"));
}

#[test]
fn exit_codes_follow_the_run() {
    let stub = stub();
    let base = stub.base_url();
    stub.set_outcome("janedoe~fails", "FAILED");
    stub.set_outcome("janedoe~aborts", "ABORTED");
    stub.set_outcome("janedoe~times-out", "TIMED-OUT");
    for (task, code) in
        [("janedoe~my-task", 0), ("janedoe~fails", 3), ("janedoe~aborts", 4), ("janedoe~times-out", 5)]
    {
        let out = apify_run(&["task", task, "--wait", "30", "--base-url", &base, "--json"]);
        assert_eq!(out.status.code(), Some(code), "{task}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout(&out).starts_with("{\"data\":{\"id\":"), "{task}: --json prints the run");
    }
    let out = apify_run(&["task", "janedoe~missing", "--base-url", &base]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("record-not-found"));
    let out = apify_run(&["task", "janedoe~my-task", "--base-url", &base]);
    assert_eq!(out.status.code(), Some(0), "started without waiting");
    assert!(stdout(&out).contains(" READY"));
}

#[test]
fn a_wait_that_ends_first_exits_6_or_aborts() {
    let config = StubConfig { running_for: Duration::from_secs(30), ..StubConfig::default() };
    let stub = Stub::start(config).unwrap();
    let base = stub.base_url();
    let out = apify_run(&["task", "janedoe~slow", "--wait", "1", "--base-url", &base]);
    assert_eq!(out.status.code(), Some(6), "{}", String::from_utf8_lossy(&out.stderr));
    let out = apify_run(&["task", "janedoe~slow", "--wait", "1", "--abort-at-deadline", "--base-url", &base]);
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn transport_errors_and_unknown_outcomes() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = apify_run(&["get", "SomeRun1234567890", "--base-url", &format!("http://127.0.0.1:{port}")]);
    assert_eq!(out.status.code(), Some(7));
    let stub = stub();
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::CloseWithoutResponse));
    let out = apify_run(&["task", "janedoe~my-task", "--wait", "30", "--base-url", &stub.base_url()]);
    assert_eq!(out.status.code(), Some(8));
    assert!(String::from_utf8_lossy(&out.stderr).contains("check the task's last run"));
    assert_eq!(stub.runs_started(), 1);
}

#[test]
fn get_and_abort() {
    let config = StubConfig { running_for: Duration::from_secs(30), ..StubConfig::default() };
    let stub = Stub::start(config).unwrap();
    let base = stub.base_url();
    let out = apify_run(&["task", "janedoe~my-task", "--base-url", &base, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = json["data"]["id"].as_str().unwrap().to_string();
    let out = apify_run(&["get", &id, "--base-url", &base]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with(&format!("run {id} ")));
    // Aborting did what was asked: exit 0, whatever the run's status says.
    let out = apify_run(&["abort", &id, "--base-url", &base, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("\"status\":\"ABORT"));
    let out = apify_run(&["abort", &id, "--base-url", &base]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with(&format!("run {id} ABORTED")), "{}", stdout(&out));

    // A run that had already finished: said so, with its status, exit 0.
    let quick = self::stub();
    let out = apify_run(&["task", "janedoe~my-task", "--wait", "30", "--base-url", &quick.base_url()]);
    assert_eq!(out.status.code(), Some(0));
    let id = quick.last_run_id().unwrap();
    let out = apify_run(&["abort", &id, "--base-url", &quick.base_url()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout(&out).starts_with(&format!("run {id} SUCCEEDED (had already finished; nothing to abort)")),
        "{}",
        stdout(&out)
    );
    // A run that does not exist is the API's 404: exit 1.
    let out = apify_run(&["abort", "NoSuchRun12345678", "--base-url", &quick.base_url()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("record-not-found"));
}

#[test]
fn request_prints_the_request_with_the_token_hidden() {
    let out = Command::new(env!("CARGO_BIN_EXE_apify-run"))
        .args(["request", "janedoe/my-task", "--memory", "512", "--max-charge", "1.50", "--restart-on-error"])
        .args(["--webhook", "SUCCEEDED=https://example.com/hook", "--input", "{\"q\": 1}"])
        .env("APIFY_TOKEN", "apify_api_SECRET")
        .env_remove("APIFY_BASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with(
        "POST /v2/actor-tasks/janedoe~my-task/runs?memory=512&maxTotalChargeUsd=1.50&restartOnError=true&webhooks="
    ));
    assert!(text.contains("Authorization: Bearer <redacted>\r\n"));
    assert!(!text.contains("SECRET"));
    assert!(text.ends_with("\r\n\r\n{\"q\": 1}\n"));
    let bad = apify_run(&["request", "janedoe~my-task", "--memory", "1000"]);
    assert_eq!(bad.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--memory must be a power of two"));
}
