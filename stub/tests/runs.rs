//! Runs over real sockets: start, follow, abort, last run, outcomes, framing.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use apify_stub::{Stub, StubConfig};
use common::{call, connect, quick, read_response, send, start};
use serde_json::{Value, json};

fn is_timestamp(value: &Value) -> bool {
    let text = value.as_str().unwrap_or("");
    let bytes = text.as_bytes();
    text.len() == 24
        && text.ends_with('Z')
        && bytes[10] == b'T'
        && bytes[19] == b'.'
        && text[20..23].parse::<u16>().is_ok()
}

#[test]
fn start_a_run_and_follow_it_to_succeeded() {
    let stub = quick(None);
    let headers = [("User-Agent", "apify-core/0.1.0"), ("Content-Type", "application/json")];
    let response = call(&stub, "POST", "/v2/actor-tasks/janedoe~my-task/runs", &headers, br#"{"foo":"bar"}"#);
    assert_eq!(response.status, 201);
    assert_eq!(response.header("content-type"), Some("application/json; charset=utf-8"));
    let run = response.data();
    let id = run["id"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 17);
    assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    assert_eq!(response.header("location"), Some(format!("{}/v2/actor-runs/{id}", stub.base_url()).as_str()));
    assert_eq!(run["status"], "READY");
    assert_eq!(run["finishedAt"], Value::Null);
    assert!(is_timestamp(&run["startedAt"]), "{}", run["startedAt"]);
    assert_eq!(run["meta"], json!({"origin": "API", "userAgent": "apify-core/0.1.0"}));
    assert_eq!(
        run["options"],
        json!({"build": "latest", "timeoutSecs": 3600, "memoryMbytes": 1024, "diskMbytes": 2048})
    );
    assert_eq!(run["stats"]["inputBodyLen"], 13);
    assert_eq!(run["buildNumber"], "0.0.1");
    assert_eq!(run["generalAccess"], "FOLLOW_USER_SETTING");
    for key in [
        "actId",
        "userId",
        "actorTaskId",
        "buildId",
        "defaultKeyValueStoreId",
        "defaultDatasetId",
        "defaultRequestQueueId",
    ] {
        assert_eq!(run[key].as_str().map(str::len), Some(17), "{key}");
    }
    assert!(run.get("exitCode").is_none() && run.get("usage").is_none());
    assert_eq!(stub.runs_started(), 1);

    let response = call(&stub, "GET", &format!("/v2/actor-runs/{id}?waitForFinish=5"), &[], b"");
    assert_eq!(response.status, 200);
    let done = response.data();
    assert_eq!(done["id"], id.as_str());
    assert_eq!(done["status"], "SUCCEEDED");
    assert_eq!(done["exitCode"], 0);
    assert_eq!(done["isStatusMessageTerminal"], true);
    assert!(done["statusMessage"].as_str().is_some_and(|m| m.starts_with("Finished!")));
    assert!(is_timestamp(&done["finishedAt"]));
    assert_eq!(done["startedAt"], run["startedAt"]);
    let total = done["usageTotalUsd"].as_f64().expect("usageTotalUsd");
    assert!(total > 0.0 && total.fract() != 0.0);
    assert!(
        done["usage"]["ACTOR_COMPUTE_UNITS"].is_number() && done["usageUsd"]["DATASET_WRITES"].is_number()
    );
    assert!(done["stats"]["runTimeSecs"].as_f64().is_some_and(|secs| (0.15..1.0).contains(&secs)));
    assert!(done["stats"]["durationMillis"].as_u64().is_some());
    assert_eq!(stub.runs_started(), 1);
}

#[test]
fn wait_for_finish_on_start_answers_with_the_final_run() {
    let stub = quick(None);
    let begun = Instant::now();
    let response = start(&stub, "janedoe~my-task", "?waitForFinish=999999", &[]);
    assert!(begun.elapsed() >= Duration::from_millis(300), "{:?}", begun.elapsed());
    assert_eq!(response.status, 201);
    assert_eq!(response.data()["status"], "SUCCEEDED");
}

#[test]
fn waits_are_bounded_and_do_not_block_other_requests() {
    let config = StubConfig { running_for: Duration::from_secs(30), ..StubConfig::default() };
    let stub = Stub::start(config).expect("stub");
    let id = start(&stub, "t", "", &[]).data()["id"].as_str().expect("id").to_owned();
    let begun = Instant::now();
    let waiting = {
        let mut stream = connect(&stub);
        send(&mut stream, "GET", &format!("/v2/actor-runs/{id}?waitForFinish=1.5"), &[], b"");
        thread::spawn(move || read_response(&mut stream))
    };
    thread::sleep(Duration::from_millis(100));
    let quick_one = call(&stub, "GET", &format!("/v2/actor-runs/{id}"), &[], b"");
    assert_eq!(quick_one.status, 200);
    assert!(begun.elapsed() < Duration::from_millis(1000), "blocked by the long poll");
    let waited = waiting.join().expect("long poll");
    assert!((1400..3000).contains(&begun.elapsed().as_millis()), "{:?}", begun.elapsed());
    assert_eq!(waited.data()["status"], "RUNNING");
    assert_eq!(waited.data()["statusMessage"], "Crawled 1/3 pages");
}

#[test]
fn abort_ends_a_run_and_leaves_finished_ones_alone() {
    let stub = quick(None);
    let id = start(&stub, "t", "", &[]).data()["id"].as_str().expect("id").to_owned();
    let aborted = call(&stub, "POST", &format!("/v2/actor-runs/{id}/abort"), &[], b"");
    assert_eq!(aborted.status, 200);
    let run = aborted.data();
    assert_eq!(run["status"], "ABORTED");
    assert_eq!(run["exitCode"], 1);
    assert!(is_timestamp(&run["finishedAt"]));
    thread::sleep(Duration::from_millis(400));
    let again = call(&stub, "POST", &format!("/v2/actor-runs/{id}/abort"), &[], b"").data();
    assert_eq!(again["status"], "ABORTED");
    assert_eq!(again["finishedAt"], run["finishedAt"]);
    assert_eq!(call(&stub, "GET", &format!("/v2/actor-runs/{id}"), &[], b"").data()["status"], "ABORTED");

    let done = start(&stub, "t", "?waitForFinish=5", &[]).data();
    assert_eq!(done["status"], "SUCCEEDED");
    let id = done["id"].as_str().expect("id");
    let unchanged = call(&stub, "POST", &format!("/v2/actor-runs/{id}/abort"), &[], b"").data();
    assert_eq!(unchanged["status"], "SUCCEEDED");
    assert_eq!(unchanged["finishedAt"], done["finishedAt"]);
}

#[test]
fn abort_wakes_a_waiting_get() {
    let config = StubConfig { running_for: Duration::from_secs(30), ..StubConfig::default() };
    let stub = Stub::start(config).expect("stub");
    let id = start(&stub, "t", "", &[]).data()["id"].as_str().expect("id").to_owned();
    let begun = Instant::now();
    let waiting = {
        let mut stream = connect(&stub);
        send(&mut stream, "GET", &format!("/v2/actor-runs/{id}?waitForFinish=10"), &[], b"");
        thread::spawn(move || read_response(&mut stream))
    };
    thread::sleep(Duration::from_millis(200));
    call(&stub, "POST", &format!("/v2/actor-runs/{id}/abort"), &[], b"");
    assert_eq!(waiting.join().expect("long poll").data()["status"], "ABORTED");
    assert!(begun.elapsed() < Duration::from_secs(2));
}

#[test]
fn last_run_of_a_task() {
    let stub = quick(Some("secret"));
    let auth = [("Authorization", "Bearer secret")];
    let none = call(&stub, "GET", "/v2/actor-tasks/janedoe~my-task/runs/last", &auth, b"");
    assert_eq!(none.error(404).0, "record-not-found");
    start(&stub, "janedoe~my-task", "", &auth);
    let second = start(&stub, "janedoe~my-task", "", &auth).data()["id"].clone();
    start(&stub, "janedoe~other", "", &auth);
    let last = call(&stub, "GET", "/v2/actor-tasks/janedoe~my-task/runs/last", &auth, b"");
    assert_eq!(last.status, 200);
    assert_eq!(last.data()["id"], second);
    let waited = call(&stub, "GET", "/v2/actor-tasks/janedoe~my-task/runs/last?waitForFinish=5", &auth, b"");
    assert_eq!(waited.data()["id"], second);
    assert_eq!(waited.data()["status"], "SUCCEEDED");
    let filtered = call(&stub, "GET", "/v2/actor-tasks/janedoe~my-task/runs/last?status=FAILED", &auth, b"");
    assert_eq!(filtered.error(404).0, "record-not-found");
    let (kind, _) = call(&stub, "GET", "/v2/actor-tasks/janedoe~my-task/runs/last", &[], b"").error(401);
    assert_eq!(kind, "token-not-provided");
}

#[test]
fn outcomes_per_task() {
    let stub = quick(None);
    stub.set_outcome("janedoe~flaky", "FAILED");
    stub.set_outcome("janedoe~slow", "TIMED-OUT");
    let failed = start(&stub, "janedoe~flaky", "?waitForFinish=5", &[]).data();
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["exitCode"], 1);
    assert!(is_timestamp(&failed["finishedAt"]));
    assert_eq!(start(&stub, "janedoe~slow", "?waitForFinish=5", &[]).data()["status"], "TIMED-OUT");
    assert_eq!(start(&stub, "janedoe~fine", "?waitForFinish=5", &[]).data()["status"], "SUCCEEDED");
    // The task ID arrives percent-encoded; outcomes are keyed by the decoded form.
    assert_eq!(start(&stub, "janedoe%7Eflaky", "?waitForFinish=5", &[]).data()["status"], "FAILED");
}

#[test]
fn options_come_from_the_query() {
    let stub = quick(None);
    let query =
        "?memory=256&timeout=60&maxItems=5&maxTotalChargeUsd=2.5&restartOnError=true&build=beta&unknown=1";
    let run = start(&stub, "HG7ML7M8z78YcAPEB", query, &[]).data();
    let expected = json!({
        "build": "beta", "timeoutSecs": 60, "memoryMbytes": 256, "diskMbytes": 512,
        "maxItems": 5, "maxTotalChargeUsd": 2.5, "restartOnError": true,
    });
    assert_eq!(run["options"], expected);
    assert_eq!(run["actorTaskId"], "HG7ML7M8z78YcAPEB");
}

#[test]
fn get_with_method_post_starts_a_run() {
    let stub = quick(None);
    let response = call(&stub, "GET", "/v2/actor-tasks/t/runs?method=POST", &[], b"");
    assert_eq!(response.status, 201);
    assert_eq!(stub.runs_started(), 1);
}

#[test]
fn chunked_framing_when_configured() {
    let config = StubConfig { chunked: true, ..StubConfig::default() };
    let stub = Stub::start(config).expect("stub");
    let mut stream = connect(&stub);
    send(&mut stream, "POST", "/v2/actor-tasks/t/runs", &[], b"{}");
    let response = read_response(&mut stream);
    assert_eq!(response.status, 201);
    assert_eq!(response.header("transfer-encoding"), Some("chunked"));
    assert!(response.header("content-length").is_none());
    assert!(response.chunks >= 3, "{} chunks", response.chunks);
    let id = response.data()["id"].as_str().expect("id").to_owned();
    // Keep-alive: the same connection serves the next request, errors framed the same way.
    send(&mut stream, "GET", "/v2/nope", &[], b"");
    let response = read_response(&mut stream);
    assert_eq!(response.error(404).0, "page-not-found");
    assert!(response.chunks >= 3);
    send(&mut stream, "GET", &format!("/v2/actor-runs/{id}"), &[], b"");
    assert_eq!(read_response(&mut stream).data()["id"], id.as_str());
}

#[test]
fn requests_are_recorded() {
    let stub = quick(None);
    start(&stub, "janedoe~my-task", "?memory=256", &[("X-Probe", "1")]);
    call(&stub, "GET", "/elsewhere", &[], b"");
    let requests = stub.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].url, "/v2/actor-tasks/janedoe~my-task/runs?memory=256");
    assert_eq!(requests[0].header("x-probe"), Some("1"));
    assert_eq!(requests[0].body, b"{}");
    assert_eq!(requests[1].url, "/elsewhere");
}

#[test]
fn dropping_the_stub_closes_connections_and_the_port() {
    let stub = quick(None);
    let port = stub.port();
    let mut stream = connect(&stub);
    send(&mut stream, "GET", "/v2/nope", &[], b"");
    assert_eq!(read_response(&mut stream).status, 404);
    let begun = Instant::now();
    drop(stub);
    assert!(begun.elapsed() < Duration::from_secs(1), "{:?}", begun.elapsed());
    let (rest, _) = common::read_until_closed(&mut stream, Duration::from_secs(2));
    assert!(rest.is_empty());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn a_chosen_port_and_a_taken_one() {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    let stub = Stub::start(StubConfig { port, ..StubConfig::default() }).expect("stub on a chosen port");
    assert_eq!(stub.port(), port);
    assert_eq!(stub.base_url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(call(&stub, "GET", "/v2/nope", &[], b"").status, 404);
    let taken = Stub::start(StubConfig { port, ..StubConfig::default() });
    assert_eq!(taken.expect_err("port in use").kind(), std::io::ErrorKind::AddrInUse);
}
