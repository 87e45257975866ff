//! `apify-run items`, `task --items` and `task --then-items` as processes against the local
//! stand-in: JSON Lines on stdout, exactly the stand-in's items, errors named by their flag.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use apify_stub::dataset_item;
use common::{apify_run, command, text};
use serde_json::Value;

fn lines(stdout: &[u8]) -> Vec<Value> {
    text(stdout).lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

#[test]
fn a_dataset_as_json_lines() {
    let stub = common::stub_with_times(50, 100);
    let base = stub.base_url();
    let out = apify_run(&["items", "items-50", "--base-url", &base]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let items = lines(&out.stdout);
    assert_eq!(items.len(), 50);
    assert!(items.iter().enumerate().all(|(i, item)| *item == dataset_item(i as u64, 0)));
    assert_eq!(text(&out.stderr), "50 items (of 50 in the dataset)\n");
    // The options.
    let out =
        apify_run(&["items", "items-50", "--base-url", &base, "--offset", "5", "--limit", "2", "--desc"]);
    let indices: Vec<u64> = lines(&out.stdout).iter().map(|i| i["index"].as_u64().unwrap()).collect();
    assert_eq!(indices, [44, 43]);
    let out = apify_run(&["items", "items-2", "--base-url", &base, "--fields", "title,index", "--quiet"]);
    let first = &lines(&out.stdout)[0];
    assert_eq!(*first, serde_json::json!({ "index": 0, "title": dataset_item(0, 0)["title"] }));
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn a_runs_items_after_following_it_and_in_one_request() {
    // Offline: the in-process stand-in.
    let out = apify_run(&["task", "janedoe~my-task", "--items", "--limit", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(lines(&out.stdout), [dataset_item(0, 0), dataset_item(1, 0), dataset_item(2, 0)]);
    let out = apify_run(&["task", "janedoe~my-task", "--wait", "30", "--then-items"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(lines(&out.stdout).len(), 5, "the stand-in's default: 5 items per run");
    assert!(text(&out.stderr).contains(" SUCCEEDED"), "the run's summary on stderr");
    // A run's dataset by the run's ID.
    let stub = common::stub_with_times(50, 100);
    let base = stub.base_url();
    let out = apify_run(&["task", "janedoe~my-task", "--wait", "30", "--json", "--base-url", &base]);
    let run: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = run["data"]["id"].as_str().unwrap();
    let out = apify_run(&["items", "--run", id, "--base-url", &base, "--limit", "1"]);
    assert_eq!(lines(&out.stdout), [dataset_item(0, 0)]);
}

#[test]
fn mistakes_are_named_and_nothing_is_sent() {
    let stub = common::stub_with_times(50, 100);
    let base = stub.base_url();
    let out = apify_run(&["items", "--base-url", &base]);
    assert_eq!(out.status.code(), Some(64));
    let out = apify_run(&["items", "items-3", "--limit", "0", "--base-url", &base]);
    assert_eq!(
        (out.status.code(), text(&out.stderr).trim()),
        (Some(64), "apify-run: --limit must be greater than zero")
    );
    let out = apify_run(&["items", "items-3", "--fields", "a,,b", "--base-url", &base]);
    assert!(text(&out.stderr).contains("--fields must be field names"), "{}", text(&out.stderr));
    assert!(stub.requests().is_empty(), "nothing was sent");
    let out = apify_run(&["items", "no-such-dataset", "--base-url", &base]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("404 record-not-found"), "{}", text(&out.stderr));
    let out = apify_run(&["task", "t", "--items", "--wait", "5"]);
    assert_eq!(out.status.code(), Some(64), "--items and --wait do not go together");
}

#[test]
fn a_reader_that_stops_early_ends_the_listing_quietly() {
    let stub = common::stub_with_times(50, 100);
    let mut child = command(&["items", "items-200000", "--base-url", &stub.base_url(), "--quiet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.contains("\"index\":0"), "{first}");
    // The pipe is closed here (the reader dropped): the program ends, without a panic.
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(0));
}
