//! The round trip a sensor node makes: encode "run task janedoe~my-task" with options, send
//! it through apify-nal over a TCP stack, decode the 201 response, print the run. The stack
//! here is in memory (it answers with the shared fixture in 64-byte segments), so the figures
//! cover exactly what real firmware links: core's encoder, HTTP reader, JSON decoder and
//! model, the call machine and the adapter.
//!
//! Printed over semihosting: the run summary, RAM sizes, peak stack of the round trip, and
//! SysTick ticks spent decoding the 1,929-byte body (whole, and in 64-byte chunks). Under
//! `qemu-system-arm -icount shift=0` virtual time follows executed instructions, so the tick
//! counts are deterministic.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

mod canned;
#[path = "../../exit.rs"]
mod exit;
mod stack;
#[path = "../../systick.rs"]
mod systick;

use apify_core::decode::{Decoded, ResponseDecoder};
use apify_core::http::ResponseReader;
use apify_nal::{Client, Clock, RunOptions};
use canned::{BODY, Canned};
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use exit::exit;
use static_cell::ConstStaticCell;
use systick::ticks;

/// A clock that advances a millisecond per reading: the canned stack never blocks, so the
/// call machine only needs time to move forward.
struct Ticking(u64);

impl Clock for Ticking {
    fn now_ms(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}

struct NoDelay;

impl embedded_hal::delay::DelayNs for NoDelay {
    fn delay_ns(&mut self, _: u32) {}
}

static READER: ConstStaticCell<ResponseReader> = ConstStaticCell::new(ResponseReader::new());
static DECODER: ConstStaticCell<ResponseDecoder> = ConstStaticCell::new(ResponseDecoder::new());

/// What the round trip learned, kept small so printing does not need the reader.
struct Summary {
    id: [u8; 24],
    id_len: usize,
    terminal: bool,
    ok: bool,
}

/// The I/O buffer: 128 bytes, or 512 with the `buffer-512` feature (the footprint script
/// builds both, to report the RAM each needs).
const BUFFER: usize = if cfg!(feature = "buffer-512") { 512 } else { 128 };

/// Encodes the request, sends it through apify-nal with a `BUFFER`-byte I/O buffer, reads
/// and decodes the response.
#[inline(never)]
fn round_trip(reader: &mut ResponseReader, stack: &mut Canned) -> Summary {
    let mut buffer = [0u8; BUFFER];
    let remote = core::net::SocketAddr::from(([192, 168, 1, 10], 8080));
    let mut summary = Summary { id: [0; 24], id_len: 0, terminal: false, ok: false };
    let Ok(mut client) = Client::builder(remote)
        .base_url("http://192.168.1.10:8080")
        .token("apify_api_firmware")
        .build(stack, Ticking(0), NoDelay, &mut buffer, reader)
    else {
        return summary;
    };
    let options = RunOptions::new().memory_mbytes(256).timeout_secs(300);
    if let Ok(report) = client.run_task("janedoe~my-task", options, None) {
        if let Some(id) = report.run.id() {
            let id = id.as_str().as_bytes();
            summary.id_len = id.len().min(24);
            summary.id[..summary.id_len].copy_from_slice(&id[..summary.id_len]);
        }
        summary.terminal = report.run.is_terminal();
        summary.ok = true;
    }
    summary
}

#[inline(never)]
fn decode(decoder: &mut ResponseDecoder, chunk: usize) -> bool {
    decoder.reset();
    for piece in BODY.chunks(chunk) {
        if decoder.feed(piece).is_err() {
            return false;
        }
    }
    matches!(decoder.finish(), Ok(Decoded::Run(run)) if run.is_terminal())
}

#[entry]
fn main() -> ! {
    let Some(mut peripherals) = cortex_m::Peripherals::take() else { exit(debug::EXIT_FAILURE) };
    systick::start(&mut peripherals.SYST);

    let reader = READER.take();
    let decoder = DECODER.take();
    let mut canned = Canned::new(64);

    let sp = stack::paint();
    let summary = round_trip(reader, &mut canned);
    let peak = stack::used_below(sp);

    let id = core::str::from_utf8(&summary.id[..summary.id_len]).unwrap_or("?");
    let request = core::str::from_utf8(&canned.request_start).unwrap_or("?");
    hprintln!("request: {}", request.lines().next().unwrap_or(""));
    hprintln!("request bytes: {}", canned.request_len);
    hprintln!("run: {} terminal={} ok={}", id, summary.terminal, summary.ok);
    hprintln!(
        "ram: ResponseDecoder {} bytes, ResponseReader {} bytes, Run {} bytes",
        core::mem::size_of::<ResponseDecoder>(),
        core::mem::size_of::<ResponseReader>(),
        core::mem::size_of::<apify_core::model::Run>()
    );
    hprintln!("stack: round trip peak {} bytes with a {}-byte buffer", peak, BUFFER);
    hprintln!("canned: {} bytes", canned::CANNED_BYTES);

    let (whole, ok_whole) = ticks(|| decode(decoder, BODY.len()));
    let (chunked, ok_chunked) = ticks(|| decode(decoder, 64));
    hprintln!("body: {} bytes", BODY.len());
    hprintln!("ticks: whole {} ok={}", whole, ok_whole);
    hprintln!("ticks: chunks64 {} ok={}", chunked, ok_chunked);

    let all_ok = summary.ok && summary.terminal && ok_whole && ok_chunked;
    exit(if all_ok { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE })
}
