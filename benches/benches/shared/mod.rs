//! What the decode benchmarks share: the input, the structs serde decodes into, the calls
//! timed, and the checks that each decoder's result is right before it is timed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use apify_core::decode::{Decoded, ResponseDecoder};
use apify_core::model::{Run, RunStatus};
use picojson::{DefaultConfig, Event, ParseError, PushParser, PushParserHandler};

/// The fixture, pretty-printed as the documentation shows it.
pub(crate) const FIXTURE: &[u8] = include_bytes!("../../../fixtures/run-task-201.json");

/// Length of the fixture once minified.
pub(crate) const COMPACT_LEN: usize = 1929;

/// The run's id in the fixture.
pub(crate) const RUN_ID: &str = "HG7ML7M8z78YcAPEB";

/// The fixture without whitespace between tokens, keys in their original order.
pub(crate) fn compact_body() -> Vec<u8> {
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

pub(crate) use typed::Envelope;

/// Decodes `bytes` fed in chunks of `chunk` bytes with a reused decoder.
pub(crate) fn decode_apify<'d>(decoder: &'d mut ResponseDecoder, bytes: &[u8], chunk: usize) -> &'d Run {
    decoder.reset();
    for piece in bytes.chunks(chunk) {
        decoder.feed(piece).expect("apify-core accepts the body");
    }
    match decoder.finish().expect("apify-core finishes the body") {
        Decoded::Run(run) => run,
        Decoded::Error(error) => panic!("decoded an error: {error:?}"),
    }
}

pub(crate) fn check_apify(run: &Run) {
    assert_eq!(run.id().map(|id| id.as_str()), Some(RUN_ID));
    assert_eq!(run.status(), Some(RunStatus::Succeeded));
    assert_eq!(run.stats().mem_avg_bytes().map(|d| d.to_string()).as_deref(), Some("35914228.4"));
    assert_eq!(run.stats().compute_units().map(|d| d.to_string()).as_deref(), Some("0.0072886"));
    assert!(run.usage().is_some() && run.usage_usd().is_some(), "usage and usageUsd decoded");
    assert_eq!(run.usage_usd().unwrap().iter().count(), 12, "every usageUsd amount, `?` key included");
}

pub(crate) fn check_typed(envelope: &Envelope<'_>) {
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
pub(crate) fn count_picojson(bytes: &[u8], chunk: usize, scratch: &mut [u8]) -> usize {
    let mut parser = PushParser::<_, DefaultConfig>::new(CountEvents(0), scratch);
    for piece in bytes.chunks(chunk) {
        parser.write(piece).expect("picojson accepts the body");
    }
    parser.finish::<ParseError>().expect("picojson finishes the body").0
}

/// Events a push parser should report for `value`: one per scalar and key, two per container.
pub(crate) fn expected_events(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::Array(items) => 2 + items.iter().map(expected_events).sum::<usize>(),
        serde_json::Value::Object(members) => {
            2 + members.values().map(|v| 1 + expected_events(v)).sum::<usize>()
        }
        _ => 1,
    }
}

/// Documents per timed batch, and batches per case, for the interleaved benches.
#[allow(dead_code, reason = "the interleaved benches use it, `decode` does not")]
pub(crate) const BATCH: u32 = 100;
#[allow(dead_code, reason = "the interleaved benches use it, `decode` does not")]
pub(crate) const ROUNDS: u32 = 1000;

/// The fastest of `ROUNDS` batches, per document, each case alternating with the others, so
/// that a busy minute on a shared machine slows every case alike or none.
#[allow(dead_code, reason = "the interleaved benches use it, `decode` does not")]
pub(crate) fn fastest(cases: &mut [&mut dyn FnMut()]) -> Vec<Duration> {
    let mut best = vec![Duration::MAX; cases.len()];
    for _ in 0..ROUNDS {
        for (case, best) in cases.iter_mut().zip(&mut best) {
            let start = Instant::now();
            for _ in 0..BATCH {
                case();
            }
            *best = (*best).min(start.elapsed() / BATCH);
        }
    }
    best
}
