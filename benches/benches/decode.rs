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

mod shared;

use std::hint::black_box;

use apify_core::decode::ResponseDecoder;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shared::{
    Envelope, check_apify, check_typed, compact_body, count_picojson, decode_apify, expected_events,
};

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
