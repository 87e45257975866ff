//! Decodes the 201 body `count` times with one decoder, for instruction counts under
//! valgrind (`scripts/instructions` runs it twice and takes the difference, so setup cancels
//! out). Usage: `decode_loop <apify|serde_json|picojson> <chunk bytes> <count>`.

#[allow(dead_code, reason = "the benchmarks use all of the shared module, this example a part")]
#[path = "../benches/shared/mod.rs"]
mod shared;

use std::hint::black_box;

use apify_core::decode::ResponseDecoder;
use shared::{Envelope, check_apify, check_typed, compact_body, count_picojson, decode_apify};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, decoder, chunk, count] = &args[..] else {
        eprintln!("usage: decode_loop <apify|serde_json|picojson> <chunk bytes> <count>");
        std::process::exit(64);
    };
    let (Ok(chunk), Ok(count)) = (chunk.parse::<usize>(), count.parse::<usize>()) else {
        eprintln!("decode_loop: chunk and count are numbers");
        std::process::exit(64);
    };
    let bytes = compact_body();
    match decoder.as_str() {
        "apify" => {
            let mut decoder: ResponseDecoder = ResponseDecoder::new();
            check_apify(decode_apify(&mut decoder, &bytes, chunk));
            for _ in 0..count {
                black_box(decode_apify(&mut decoder, black_box(&bytes), chunk));
            }
        }
        "serde_json" => {
            check_typed(&serde_json::from_slice::<Envelope<'_>>(&bytes).expect("serde_json decodes"));
            for _ in 0..count {
                black_box(serde_json::from_slice::<Envelope<'_>>(black_box(&bytes)).expect("decodes"));
            }
        }
        "picojson" => {
            let mut scratch = [0u8; 256];
            for _ in 0..count {
                black_box(count_picojson(black_box(&bytes), chunk, &mut scratch));
            }
        }
        other => {
            eprintln!("decode_loop: unknown decoder {other:?}");
            std::process::exit(64);
        }
    }
}
