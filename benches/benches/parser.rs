//! The JSON parser alone: `json::Parser` with a visitor that ignores every event
//! (`json::Validate`), on the same 1,929-byte body as `decode` and `targets`, whole, in 64-byte
//! chunks and byte by byte, next to the full `ResponseDecoder`. It shows what the generic
//! parser costs without the run model, and how much of the decoder's time at each chunk size
//! is parsing. Timed like `targets`: interleaved batches, each case keeping its fastest.
//!
//! Run: `cargo bench -p apify-benches --bench parser`

#[allow(dead_code, reason = "`decode` uses all of the shared module, this bench a part")]
mod shared;

use std::hint::black_box;

use apify_core::decode::ResponseDecoder;
use apify_core::json::{DEFAULT_DEPTH, Parser, SyntaxError, Validate};
use shared::{BATCH, ROUNDS, check_apify, compact_body, decode_apify, fastest};

/// Validates `bytes` fed in pieces of `chunk` bytes with a fresh parser.
fn validate(bytes: &[u8], chunk: usize) -> Result<(), SyntaxError> {
    let mut parser = Parser::<DEFAULT_DEPTH>::new();
    for piece in bytes.chunks(chunk) {
        parser.feed(piece, &mut Validate)?;
    }
    parser.finish(&mut Validate)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this once as a smoke test.
    let quick = !std::env::args().any(|a| a == "--bench");
    let bytes = compact_body();
    let mut decoder: ResponseDecoder = ResponseDecoder::new();
    for chunk in [bytes.len(), 64, 1] {
        validate(&bytes, chunk).expect("the parser accepts the body");
        check_apify(decode_apify(&mut decoder, &bytes, chunk));
    }
    if quick {
        println!("parser: parser and decoder checked (run with `cargo bench` to time them)");
        return;
    }

    let (mut d1, mut d2, mut d3) = (decoder.clone(), decoder.clone(), decoder);
    let len = bytes.len();
    let times = fastest(&mut [
        &mut || validate(black_box(&bytes), len).unwrap(),
        &mut || validate(black_box(&bytes), 64).unwrap(),
        &mut || validate(black_box(&bytes), 1).unwrap(),
        &mut || {
            black_box(decode_apify(&mut d1, black_box(&bytes), len));
        },
        &mut || {
            black_box(decode_apify(&mut d2, black_box(&bytes), 64));
        },
        &mut || {
            black_box(decode_apify(&mut d3, black_box(&bytes), 1));
        },
    ]);

    let us = |i: usize| times[i].as_secs_f64() * 1e6;
    println!("fastest of {ROUNDS} interleaved batches of {BATCH} documents, per document:");
    println!("{:<10} {:>14} {:>16} {:>14}", "chunking", "parser alone", "ResponseDecoder", "parser share");
    for (row, name) in ["whole", "chunks64", "bytewise"].iter().enumerate() {
        let (parser, full) = (us(row), us(row + 3));
        println!("{name:<10} {parser:>11.2} µs {full:>13.2} µs {:>13.0}%", 100.0 * parser / full);
    }
}
