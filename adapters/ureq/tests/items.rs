//! Dataset items through apify-ureq, from the local API stand-in over real sockets: every
//! item, the options, a run's dataset, run-sync (and its 408), typed items, and faults in the
//! middle of the stream.

use std::time::Duration;

use apify_stub::{Fault, FaultKind, Match, Stub, StubConfig, dataset_item};
use apify_ureq::{Client, Error, ErrorType, Finish, ItemsOptions, RetryPolicy, RunOptions, Stage};
use serde_json::Value;

/// Short runs, a token required.
fn config() -> StubConfig {
    StubConfig {
        tokens: vec!["secret".into()],
        ready_for: Duration::from_millis(50),
        running_for: Duration::from_millis(200),
        ..StubConfig::default()
    }
}

fn stub(config: StubConfig) -> Stub {
    Stub::start(config).unwrap()
}

const FAST: RetryPolicy =
    RetryPolicy { attempt_timeout_ms: 5_000, base_delay_ms: 20, ..RetryPolicy::DEFAULT };

fn client(stub: &Stub) -> Client {
    Client::builder().base_url(stub.base_url()).token("secret").retry_policy(FAST).build().unwrap()
}

#[test]
fn every_item_arrives_in_order_as_the_stand_in_made_it() {
    let stub = stub(config());
    let client = client(&stub);
    let items = client.dataset_items::<Value>("items-20000", &ItemsOptions::NONE).unwrap();
    let p = items.head().pagination;
    assert_eq!((p.offset, p.count, p.total), (Some(0), Some(20_000), Some(20_000)));
    let mut n = 0;
    for (index, item) in items.enumerate() {
        assert_eq!(item.unwrap(), dataset_item(index as u64, 0), "item {index}");
        n += 1;
    }
    assert_eq!(n, 20_000);
    // Large items, many per read and one across many reads.
    let big: Vec<Value> =
        client.dataset_items("items-5x100000", &ItemsOptions::NONE).unwrap().map(Result::unwrap).collect();
    assert_eq!(big.len(), 5);
    assert_eq!(big[4], dataset_item(4, 100_000));
}

#[test]
fn options_choose_the_items_and_their_fields() {
    let stub = stub(config());
    let options = ItemsOptions::new().offset(10).limit(3).desc(true).fields("index,title");
    let items: Vec<Value> =
        client(&stub).dataset_items("items-100", &options).unwrap().map(Result::unwrap).collect();
    let indices: Vec<u64> = items.iter().map(|item| item["index"].as_u64().unwrap()).collect();
    assert_eq!(indices, [89, 88, 87]);
    assert!(items.iter().all(|item| item.as_object().unwrap().len() == 2));
    let clean: Vec<Value> = client(&stub)
        .dataset_items("items-3", &ItemsOptions::new().clean(true))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(clean.iter().all(|item| item.get("#debug").is_none()) && clean.len() == 3);
    assert_eq!(client(&stub).dataset_items::<Value>("items-0", &ItemsOptions::NONE).unwrap().count(), 0);
    // Refused before sending.
    let err = client(&stub).dataset_items::<Value>("items-3", &ItemsOptions::new().limit(0)).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    let err = client(&stub).dataset_items::<Value>("no-such-dataset", &ItemsOptions::NONE).unwrap_err();
    assert!(matches!(err, Error::Api { status: 404, .. }), "{err}");
}

#[test]
fn typed_items_and_a_type_that_does_not_fit() {
    #[derive(serde::Deserialize)]
    struct Product {
        index: u64,
        url: String,
    }
    let stub = stub(config());
    let products: Vec<Product> =
        client(&stub).dataset_items("items-4", &ItemsOptions::NONE).unwrap().map(Result::unwrap).collect();
    assert_eq!(products[3].index, 3);
    assert_eq!(products[3].url, "https://www.example.com/products/3");
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        index: String,
    }
    let first = client(&stub).dataset_items::<Wrong>("items-4", &ItemsOptions::NONE).unwrap().next().unwrap();
    assert!(matches!(first, Err(Error::ItemType { .. })), "{first:?}");
}

#[test]
fn a_runs_dataset_and_run_sync() {
    let stub = stub(StubConfig { dataset_items: 7, ..config() });
    let client = client(&stub);
    let report =
        client.call_task("janedoe~my-task", RunOptions::new(), None, Duration::from_secs(20)).unwrap();
    assert_eq!(report.finish, Finish::Terminal);
    let run = report.run.id().unwrap().to_string();
    let items: Vec<Value> =
        client.run_dataset_items(&run, &ItemsOptions::NONE).unwrap().map(Result::unwrap).collect();
    assert_eq!(items.len(), 7);
    let items: Vec<Value> = client
        .run_task_sync_items(
            "janedoe~my-task",
            RunOptions::new().memory_mbytes(256),
            None,
            &ItemsOptions::new().limit(2),
        )
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(items, [dataset_item(0, 0), dataset_item(1, 0)]);
    // One start per call, never repeated.
    let starts = stub.requests().iter().filter(|r| r.url.contains("run-sync-get-dataset-items")).count();
    assert_eq!(starts, 1);
}

#[test]
fn run_sync_past_its_wait_is_the_apis_408_and_the_run_goes_on() {
    let stub = stub(StubConfig {
        running_for: Duration::from_secs(30),
        sync_timeout: Duration::from_millis(300),
        ..config()
    });
    let err = client(&stub)
        .run_task_sync_items::<Value>("janedoe~slow", RunOptions::new(), None, &ItemsOptions::NONE)
        .unwrap_err();
    assert!(
        matches!(err, Error::Api { status: 408, error_type: Some(ErrorType::RunTimeoutExceeded), .. }),
        "{err}"
    );
}

#[test]
fn faults_before_the_head_are_retried_and_a_body_cut_midway_is_resumed() {
    let stub = stub(config());
    stub.push_fault(Fault::new(Match::Items, FaultKind::RateLimited { retry_after_secs: None }));
    stub.push_fault(Fault::new(Match::Items, FaultKind::ServerError { status: 503, html: false }));
    let items: Vec<Value> =
        client(&stub).dataset_items("items-10", &ItemsOptions::NONE).unwrap().map(Result::unwrap).collect();
    assert_eq!(items.len(), 10, "retried after a 429 and a 503");

    // A body cut midway is asked for again from its first missing item: every item, once.
    for _ in 0..3 {
        stub.push_fault(Fault::new(Match::Items, FaultKind::CloseMidBody));
    }
    let resuming = client(&stub);
    let items: Vec<Value> = resuming
        .dataset_items("items-1000", &ItemsOptions::new().offset(5).limit(990))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let indices: Vec<u64> = items.iter().map(|item| item["index"].as_u64().unwrap()).collect();
    assert_eq!(indices, (5..995).collect::<Vec<u64>>());
    let asked: Vec<String> =
        stub.requests().iter().map(|r| r.url.clone()).filter(|u| u.contains("items-1000")).collect();
    assert_eq!(asked.len(), 4, "the first request and three resumptions: {asked:?}");
    assert!(asked[1].contains("offset=") && !asked[1].contains("offset=5&"), "{asked:?}");

    // Run-sync cannot be asked again (it would start another run): the cut is the last item.
    stub.push_fault(Fault::new(Match::Items, FaultKind::CloseMidBody));
    let results: Vec<Result<Value, Error>> = resuming
        .run_task_sync_items("janedoe~my-task", RunOptions::new(), None, &ItemsOptions::NONE)
        .unwrap()
        .collect();
    let (last, _) = results.split_last().unwrap();
    assert!(
        matches!(last, Err(Error::Transport { failure, .. }) if failure.stage == Stage::Read),
        "{last:?}"
    );

    stub.push_fault(Fault::new(Match::Items, FaultKind::OneBytePerWrite));
    let items: Vec<Value> =
        client(&stub).dataset_items("items-3", &ItemsOptions::NONE).unwrap().map(Result::unwrap).collect();
    assert_eq!(items.len(), 3, "one byte per write");
}

#[test]
fn a_body_that_is_a_run_is_not_read_as_items() {
    let stub = stub(config());
    let run = br#"{"data":{"id":"HG7ML7M8z78YcAPEB","status":"RUNNING"}}"#.to_vec();
    stub.push_fault(Fault::new(Match::Items, FaultKind::Reply { status: 201, body: run }));
    let err = client(&stub)
        .run_task_sync_items::<Value>("janedoe~my-task", RunOptions::new(), None, &ItemsOptions::NONE)
        .unwrap_err();
    assert!(matches!(&err, Error::NotItems { status: 201, run: Some(_) }), "{err}");
    assert_eq!(err.started_run().unwrap().id().unwrap().as_str(), "HG7ML7M8z78YcAPEB");
}
