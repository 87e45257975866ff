//! Whole exchanges against the local API stand-in over 127.0.0.1: what a std program pays per
//! request with apify-ureq, next to raw ureq reading the same body into a `String`.
//!
//! The stand-in runs in-process with runs that finish at once, so a start-and-wait is two
//! requests (the start, one poll that finds SUCCEEDED) and the time is the clients' and the
//! stand-in's work, not a simulated run.
//!
//! - `apify-ureq/call_task`: start a run and wait for its end (`Client::call_task`).
//! - `apify-ureq/get_run`: one `GET /v2/actor-runs/{id}`, decoded into the run model.
//! - `ureq/get_to_string`: the same `GET` with raw ureq, body read into a `String` (no
//!   decoding): the floor for a client on ureq.
//!
//! Run: `cargo bench -p apify-benches --bench roundtrip -- --warm-up-time 1 --measurement-time 5`

use std::hint::black_box;
use std::io::Read;
use std::time::Duration;

use apify_core::call::Finish;
use apify_stub::{Stub, StubConfig};
use apify_ureq::{Client, RunOptions};
use criterion::{Criterion, criterion_group, criterion_main};

fn roundtrip(c: &mut Criterion) {
    let config =
        StubConfig { ready_for: Duration::ZERO, running_for: Duration::ZERO, ..StubConfig::default() };
    let stub = Stub::start(config).expect("the stand-in starts");
    let client = Client::builder().base_url(stub.base_url()).build().expect("a valid client");
    let started = client.run_task("janedoe~bench", RunOptions::new(), None).expect("a run starts");
    let id = started.run.id().expect("the run has an id").as_str().to_string();
    let url = format!("{}/v2/actor-runs/{id}", stub.base_url());
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();

    // Check once that each does what it claims.
    let report = client.call_task("janedoe~bench", RunOptions::new(), None, Duration::from_secs(10)).unwrap();
    assert_eq!(report.finish, Finish::Terminal);
    assert_eq!(client.get_run(&id).unwrap().run.id().unwrap().as_str(), id);
    let mut body = String::new();
    agent.get(&url).call().unwrap().into_body().into_reader().read_to_string(&mut body).unwrap();
    assert!(body.contains(&id));

    let mut group = c.benchmark_group("roundtrip");
    group.bench_function("apify-ureq/call_task", |b| {
        let wait = Duration::from_secs(10);
        b.iter(|| black_box(client.call_task("janedoe~bench", RunOptions::new(), None, wait).unwrap()));
    });
    group.bench_function("apify-ureq/get_run", |b| b.iter(|| black_box(client.get_run(&id).unwrap())));
    group.bench_function("ureq/get_to_string", |b| {
        b.iter(|| {
            let mut body = String::new();
            agent.get(&url).call().unwrap().into_body().into_reader().read_to_string(&mut body).unwrap();
            black_box(body)
        });
    });
    group.finish();
}

criterion_group!(benches, roundtrip);
criterion_main!(benches);
