//! The design's three decoding speed targets, as ratios that hold on a noisy machine.
//!
//! Criterion times one benchmark after another, so a busy minute on a shared machine lands on
//! one side of a comparison only (the `decode` medians of the same binary move by up to two thirds
//! between runs). Here the compared decoders alternate in short batches, many times over, and
//! each keeps its fastest batch: the least disturbed time of each, measured in the same
//! minutes. The work timed is `decode`'s, on the same 1,929-byte body, checked the same way.
//!
//! Run: `cargo bench -p apify-benches --bench targets`

#[allow(dead_code, reason = "`decode` uses all of the shared module, this bench a part")]
mod shared;

use std::hint::black_box;
use std::time::Duration;

use apify_core::decode::ResponseDecoder;
use shared::{
    BATCH, Envelope, ROUNDS, check_apify, check_typed, compact_body, count_picojson, decode_apify, fastest,
};

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this once as a smoke test.
    let quick = !std::env::args().any(|a| a == "--bench");
    let bytes = compact_body();
    let mut decoder: ResponseDecoder = ResponseDecoder::new();
    for chunk in [bytes.len(), 64, 1] {
        check_apify(decode_apify(&mut decoder, &bytes, chunk));
    }
    check_typed(&serde_json::from_slice::<Envelope<'_>>(&bytes).expect("serde_json decodes"));
    let mut scratch = [0u8; 256];
    if quick {
        println!("targets: decoders checked (run with `cargo bench` to time them)");
        return;
    }

    // One decoder per case, reused and reset as in `decode`.
    let (mut d1, mut d2, mut d3) = (decoder.clone(), decoder.clone(), decoder);
    let [whole, chunks64, bytewise, serde, picojson] = fastest(&mut [
        &mut || {
            black_box(decode_apify(&mut d1, black_box(&bytes), bytes.len()));
        },
        &mut || {
            black_box(decode_apify(&mut d2, black_box(&bytes), 64));
        },
        &mut || {
            black_box(decode_apify(&mut d3, black_box(&bytes), 1));
        },
        &mut || {
            black_box(serde_json::from_slice::<Envelope<'_>>(black_box(&bytes)).unwrap());
        },
        &mut || {
            black_box(count_picojson(black_box(&bytes), bytes.len(), &mut scratch));
        },
    ])[..] else {
        unreachable!("five cases")
    };

    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("fastest of {ROUNDS} interleaved batches of {BATCH} documents, per document:");
    println!("  serde_json/typed         {:8.2} µs", us(serde));
    println!("  picojson/push_events     {:8.2} µs", us(picojson));
    println!();
    println!("{:<22} {:>9} {:>28} {:>8} {:>4}", "apify-core", "time", "ratio", "target", "met");
    let row = |name: &str, time: Duration, ratio: f64, against: &str, target: f64| {
        let met = if ratio >= target { "yes" } else { "no" };
        println!("{name:<22} {:>6.2} µs {:>14.2}× {against:<12} {:>7.1}× {met:>4}", us(time), ratio, target);
    };
    row("whole", whole, serde.as_secs_f64() / whole.as_secs_f64(), "serde_json", 1.5);
    row("chunks64", chunks64, serde.as_secs_f64() / chunks64.as_secs_f64(), "serde_json", 1.0);
    row("bytewise", bytewise, picojson.as_secs_f64() / bytewise.as_secs_f64(), "picojson", 3.0);
}
