//! Decoding one "Run task" response body: apify-core against serde_json, serde-json-core and
//! picojson.
//!
//! Input: `fixtures/run-task-201.json` minified to compact JSON (1,929 bytes), the body of a
//! `201 Created` answer to `POST /v2/actor-tasks/{id}/runs`. Every benchmark reads the same bytes
//! and reports bytes per second next to the time per document.
//!
//! - `apify-core/whole`, `apify-core/chunks64`, `apify-core/bytewise`: `ResponseDecoder` fed the
//!   body in one piece, in 64-byte chunks (a small socket read) and one byte at a time, then
//!   `finish()`. One decoder is reused and `reset()` inside the timed loop, as a client reuses
//!   it between requests, so the reset (about 1.5 KB of state) is timed; nothing else is set up.
//!   The decoder does all of its work: it parses timestamps, maps the string enums, keeps numbers
//!   as exact decimals and copies text into the model's fixed buffers.
//! - `serde_json/typed`, `serde_json_core/typed`: `from_slice` into borrowed structs with the
//!   fields of `apify_core::model::Run` (strings as `&str`, fractions as `f64`, unknown keys
//!   skipped). They need the whole body in one buffer and do less per field (no timestamp or
//!   enum parsing), which is the comparison the design asks for.
//! - `picojson/push_events`, `picojson/push_events_chunks64`: picojson's `PushParser` with a
//!   handler that only counts events: a pull of the tokens alone, with no model behind it.
//!
//! Each decoder's result is checked once before timing (run id, status, a few numbers, the
//! number of events), so a broken decoder cannot report a fast time.
//!
//! Run: `cargo bench -p apify-benches --bench decode -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use apify_core::decode::{Decoded, ResponseDecoder};
use apify_core::model::{Run, RunStatus};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use picojson::{DefaultConfig, Event, ParseError, PushParser, PushParserHandler};

/// The fixture, pretty-printed as the documentation shows it.
const FIXTURE: &[u8] = include_bytes!("../../fixtures/run-task-201.json");

/// Length of the fixture once minified.
const COMPACT_LEN: usize = 1929;

/// The run's id in the fixture.
const RUN_ID: &str = "HG7ML7M8z78YcAPEB";

/// The fixture without whitespace between tokens, keys in their original order.
fn compact_body() -> Vec<u8> {
    let value: serde_json::Value = serde_json::from_slice(FIXTURE).expect("fixture is JSON");
    let bytes = serde_json::to_vec(&value).expect("a Value serializes");
    assert_eq!(bytes.len(), COMPACT_LEN, "minified fixture length");
    assert!(
        bytes.starts_with(br#"{"data":{"id":"HG7ML7M8z78YcAPEB","actId""#),
        "key order not preserved: {}",
        String::from_utf8_lossy(&bytes[..60])
    );
    bytes
}

/// Structs for serde_json and serde-json-core with the fields that `apify_core::model::Run`
/// keeps. Not mapped: `metamorphs` (the model keeps a count and the last entry, which takes a
/// hand-written visitor; the fixture has none), and `DATA_TRANSFER_EXTERNAL_GBYTES?`, which is
/// skipped as an unknown key.
#[allow(dead_code, reason = "the fields are filled to be measured, and only a few are read")]
mod typed {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    pub(crate) struct Envelope<'a> {
        #[serde(borrow)]
        pub(crate) data: Option<RunDoc<'a>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct RunDoc<'a> {
        pub(crate) id: Option<&'a str>,
        pub(crate) act_id: Option<&'a str>,
        pub(crate) user_id: Option<&'a str>,
        pub(crate) actor_task_id: Option<&'a str>,
        pub(crate) started_at: Option<&'a str>,
        pub(crate) finished_at: Option<&'a str>,
        pub(crate) status: Option<&'a str>,
        pub(crate) status_message: Option<&'a str>,
        pub(crate) is_status_message_terminal: Option<bool>,
        #[serde(borrow)]
        pub(crate) meta: Option<Meta<'a>>,
        #[serde(borrow)]
        pub(crate) pricing_info: Option<PricingInfo<'a>>,
        pub(crate) stats: Option<Stats>,
        #[serde(borrow)]
        pub(crate) options: Option<Options<'a>>,
        pub(crate) build_id: Option<&'a str>,
        pub(crate) exit_code: Option<i32>,
        pub(crate) general_access: Option<&'a str>,
        pub(crate) default_key_value_store_id: Option<&'a str>,
        pub(crate) default_dataset_id: Option<&'a str>,
        pub(crate) default_request_queue_id: Option<&'a str>,
        pub(crate) build_number: Option<&'a str>,
        pub(crate) container_url: Option<&'a str>,
        pub(crate) is_container_server_ready: Option<bool>,
        pub(crate) git_branch_name: Option<&'a str>,
        pub(crate) usage: Option<Usage>,
        pub(crate) usage_total_usd: Option<f64>,
        pub(crate) usage_usd: Option<Usage>,
        pub(crate) platform_usage_billing_model: Option<&'a str>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct Meta<'a> {
        pub(crate) origin: Option<&'a str>,
        pub(crate) client_ip: Option<&'a str>,
        pub(crate) user_agent: Option<&'a str>,
        pub(crate) schedule_id: Option<&'a str>,
        pub(crate) scheduled_at: Option<&'a str>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct PricingInfo<'a> {
        pub(crate) pricing_model: Option<&'a str>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct Stats {
        pub(crate) input_body_len: Option<u64>,
        pub(crate) migration_count: Option<u64>,
        pub(crate) reboot_count: Option<u64>,
        pub(crate) restart_count: Option<u64>,
        pub(crate) resurrect_count: Option<u64>,
        pub(crate) mem_avg_bytes: Option<f64>,
        pub(crate) mem_max_bytes: Option<u64>,
        pub(crate) mem_current_bytes: Option<u64>,
        pub(crate) cpu_avg_usage: Option<f64>,
        pub(crate) cpu_max_usage: Option<f64>,
        pub(crate) cpu_current_usage: Option<f64>,
        pub(crate) net_rx_bytes: Option<u64>,
        pub(crate) net_tx_bytes: Option<u64>,
        pub(crate) duration_millis: Option<u64>,
        pub(crate) run_time_secs: Option<f64>,
        pub(crate) metamorph: Option<u64>,
        pub(crate) compute_units: Option<f64>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct Options<'a> {
        pub(crate) build: Option<&'a str>,
        pub(crate) timeout_secs: Option<u32>,
        pub(crate) memory_mbytes: Option<u32>,
        pub(crate) disk_mbytes: Option<u32>,
        pub(crate) max_items: Option<u64>,
        pub(crate) max_total_charge_usd: Option<f64>,
        pub(crate) restart_on_error: Option<bool>,
    }

    /// `usage` and `usageUsd`: the 12 services (amounts may be fractions in both).
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub(crate) struct Usage {
        pub(crate) actor_compute_units: Option<f64>,
        pub(crate) dataset_reads: Option<f64>,
        pub(crate) dataset_writes: Option<f64>,
        pub(crate) key_value_store_reads: Option<f64>,
        pub(crate) key_value_store_writes: Option<f64>,
        pub(crate) key_value_store_lists: Option<f64>,
        pub(crate) request_queue_reads: Option<f64>,
        pub(crate) request_queue_writes: Option<f64>,
        pub(crate) data_transfer_internal_gbytes: Option<f64>,
        pub(crate) data_transfer_external_gbytes: Option<f64>,
        pub(crate) proxy_residential_transfer_gbytes: Option<f64>,
        pub(crate) proxy_serps: Option<f64>,
    }
}

use typed::Envelope;

/// Decodes `bytes` fed in chunks of `chunk` bytes with a reused decoder.
fn decode_apify<'d>(decoder: &'d mut ResponseDecoder, bytes: &[u8], chunk: usize) -> &'d Run {
    decoder.reset();
    for piece in bytes.chunks(chunk) {
        decoder.feed(piece).expect("apify-core accepts the body");
    }
    match decoder.finish().expect("apify-core finishes the body") {
        Decoded::Run(run) => run,
        Decoded::Error(error) => panic!("decoded an error: {error:?}"),
    }
}

fn check_apify(run: &Run) {
    assert_eq!(run.id.as_ref().map(|id| id.as_str()), Some(RUN_ID));
    assert_eq!(run.status, Some(RunStatus::Succeeded));
    assert_eq!(run.stats.mem_avg_bytes().map(|d| d.to_string()).as_deref(), Some("35914228.4"));
    assert_eq!(run.stats.compute_units().map(|d| d.to_string()).as_deref(), Some("0.0072886"));
    assert!(run.usage.is_some() && run.usage_usd.is_some(), "usage and usageUsd decoded");
    assert_eq!(run.usage_usd.unwrap().iter().count(), 12, "every usageUsd amount, `?` key included");
}

fn check_typed(envelope: &Envelope<'_>) {
    let run = envelope.data.as_ref().expect("data");
    assert_eq!(run.id, Some(RUN_ID));
    assert_eq!(run.status, Some("SUCCEEDED"));
    assert_eq!(run.stats.as_ref().and_then(|s| s.mem_avg_bytes), Some(35914228.4));
    assert_eq!(run.stats.as_ref().and_then(|s| s.compute_units), Some(0.0072886));
    assert_eq!(run.options.as_ref().and_then(|o| o.disk_mbytes), Some(2048));
    let usage_usd = run.usage_usd.as_ref().expect("usageUsd");
    assert_eq!(usage_usd.proxy_serps, Some(0.0006));
    assert_eq!(usage_usd.data_transfer_external_gbytes, None, "the `?` key is not mapped");
    assert_eq!(run.git_branch_name, Some("master"));
}

/// A picojson handler that counts events and does nothing else.
struct CountEvents(usize);

impl<'input, 'scratch> PushParserHandler<'input, 'scratch, ParseError> for CountEvents {
    #[inline]
    fn handle_event(&mut self, event: Event<'input, 'scratch>) -> Result<(), ParseError> {
        black_box(&event);
        self.0 += 1;
        Ok(())
    }
}

/// Counts picojson's events for `bytes` fed in chunks of `chunk` bytes.
fn count_picojson(bytes: &[u8], chunk: usize, scratch: &mut [u8]) -> usize {
    let mut parser = PushParser::<_, DefaultConfig>::new(CountEvents(0), scratch);
    for piece in bytes.chunks(chunk) {
        parser.write(piece).expect("picojson accepts the body");
    }
    parser.finish::<ParseError>().expect("picojson finishes the body").0
}

/// Events a push parser should report for `value`: one per scalar and key, two per container.
fn expected_events(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::Array(items) => 2 + items.iter().map(expected_events).sum::<usize>(),
        serde_json::Value::Object(members) => {
            2 + members.values().map(|v| 1 + expected_events(v)).sum::<usize>()
        }
        _ => 1,
    }
}

fn decode(c: &mut Criterion) {
    let bytes = compact_body();
    let value: serde_json::Value = serde_json::from_slice(&bytes).expect("compact body is JSON");
    // Plus one for picojson's `EndDocument`.
    let events = expected_events(&value) + 1;

    // Check every decoder once, outside the timing.
    let mut decoder: ResponseDecoder = ResponseDecoder::new();
    for chunk in [bytes.len(), 64, 1] {
        check_apify(decode_apify(&mut decoder, &bytes, chunk));
    }
    check_typed(&serde_json::from_slice::<Envelope<'_>>(&bytes).expect("serde_json decodes"));
    let (envelope, used) =
        serde_json_core::from_slice::<Envelope<'_>>(&bytes).expect("serde-json-core decodes");
    assert_eq!(used, bytes.len());
    check_typed(&envelope);
    let mut scratch = [0u8; 256];
    for chunk in [bytes.len(), 64, 1] {
        assert_eq!(count_picojson(&bytes, chunk, &mut scratch), events, "picojson events, chunk {chunk}");
    }

    let mut group = c.benchmark_group("run-task-201");
    group.throughput(Throughput::Bytes(bytes.len() as u64));

    for (name, chunk) in
        [("apify-core/whole", bytes.len()), ("apify-core/chunks64", 64), ("apify-core/bytewise", 1)]
    {
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(decode_apify(&mut decoder, black_box(&bytes), chunk));
            });
        });
    }

    group.bench_function("serde_json/typed", |b| {
        b.iter(|| black_box(serde_json::from_slice::<Envelope<'_>>(black_box(&bytes)).unwrap()));
    });

    group.bench_function("serde_json_core/typed", |b| {
        b.iter(|| black_box(serde_json_core::from_slice::<Envelope<'_>>(black_box(&bytes)).unwrap()));
    });

    for (name, chunk) in [("picojson/push_events", bytes.len()), ("picojson/push_events_chunks64", 64)] {
        group.bench_function(name, |b| {
            b.iter(|| black_box(count_picojson(black_box(&bytes), chunk, &mut scratch)));
        });
    }

    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
