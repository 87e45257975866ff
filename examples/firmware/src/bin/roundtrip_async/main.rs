//! The async round trip, on embassy-executor: start "janedoe~my-task" through
//! apify-nal-async over an in-memory connection that answers with the canned 201 response,
//! and print the run, the call's future size and the peak stack. With the `tls` feature the
//! client also links TLS 1.3 (embedded-tls): the canned peer does not speak TLS, so that
//! build's handshake is refused, and it is there for its flash figure.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "../roundtrip/canned.rs"]
#[allow(dead_code)] // The blocking stack in it is the other binary's.
mod canned;
#[path = "../../exit.rs"]
mod exit;
mod pipe;
#[path = "../roundtrip/stack.rs"]
mod stack;

use apify_core::http::ResponseReader;
use apify_nal_async::{Client, RunOptions};
use cortex_m_semihosting::{debug, hprintln};
use embassy_executor::Spawner;
use exit::exit;
use pipe::Pipe;
use static_cell::ConstStaticCell;

/// A clock that advances a millisecond per reading: the pipe never waits.
fn ticking() -> impl FnMut() -> u64 {
    let mut now = 0;
    move || {
        now += 1;
        now
    }
}

struct NoDelay;

impl embedded_hal_async::delay::DelayNs for NoDelay {
    async fn delay_ns(&mut self, _: u32) {}
}

static READER: ConstStaticCell<ResponseReader> = ConstStaticCell::new(ResponseReader::new());

const BUFFER: usize = 128;

/// What the round trip learned.
struct Summary {
    id: [u8; 24],
    id_len: usize,
    ok: bool,
}

#[cfg(not(feature = "tls"))]
async fn round_trip(reader: &mut ResponseReader, pipe: &Pipe) -> Summary {
    let mut buffer = [0u8; BUFFER];
    let remote = core::net::SocketAddr::from(([192, 168, 1, 10], 8080));
    let mut summary = Summary { id: [0; 24], id_len: 0, ok: false };
    let Ok(mut client) = Client::builder(remote)
        .base_url("http://192.168.1.10:8080")
        .token("apify_api_firmware")
        .build(pipe, ticking(), NoDelay, &mut buffer, reader)
    else {
        return summary;
    };
    let options = RunOptions::new().memory_mbytes(256).timeout_secs(300);
    if let Ok(report) = client.run_task("janedoe~my-task", options, None).await {
        if let Some(id) = report.run.id() {
            let id = id.as_str().as_bytes();
            summary.id_len = id.len().min(24);
            summary.id[..summary.id_len].copy_from_slice(&id[..summary.id_len]);
        }
        summary.ok = report.run.is_terminal();
    }
    summary
}

#[cfg(feature = "tls")]
mod tls {
    use apify_nal_async::{READ_RECORD_LEN, WRITE_RECORD_LEN};
    use static_cell::ConstStaticCell;

    pub static READ_RECORD: ConstStaticCell<[u8; READ_RECORD_LEN]> =
        ConstStaticCell::new([0; READ_RECORD_LEN]);
    pub static WRITE_RECORD: ConstStaticCell<[u8; WRITE_RECORD_LEN]> =
        ConstStaticCell::new([0; WRITE_RECORD_LEN]);
    /// A stand-in CA (any DER bytes do: the canned peer never gets that far).
    pub static CA: [u8; 16] = [0x30; 16];

    /// Not random: the footprint build only needs the code linked. A device uses its TRNG.
    pub struct FixedRng(pub u64);

    impl rand_core::RngCore for FixedRng {
        fn next_u32(&mut self) -> u32 {
            self.next_u64() as u32
        }
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            self.0
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for byte in dest {
                *byte = self.next_u32() as u8;
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl rand_core::CryptoRng for FixedRng {}
}

#[cfg(feature = "tls")]
async fn round_trip(reader: &mut ResponseReader, pipe: &Pipe) -> Summary {
    use apify_nal_async::Tls;
    let mut buffer = [0u8; BUFFER];
    let remote = core::net::SocketAddr::from(([192, 168, 1, 10], 443));
    let mut summary = Summary { id: [0; 24], id_len: 0, ok: false };
    let records = (tls::READ_RECORD.take(), tls::WRITE_RECORD.take());
    let Ok(mut client) = Client::builder(remote)
        .base_url("https://api.apify.com")
        .token("apify_api_firmware")
        .tls(Tls::verify(&tls::CA, records.0, records.1, tls::FixedRng(7)))
        .build(pipe, ticking(), NoDelay, &mut buffer, reader)
    else {
        return summary;
    };
    let options = RunOptions::new().memory_mbytes(256).timeout_secs(300);
    // The canned peer answers a ClientHello with HTTP: the handshake must be refused.
    summary.ok = matches!(
        client.run_task("janedoe~my-task", options, None).await,
        Err(apify_nal_async::Error::Transport { failure, .. }) if failure.stage == apify_nal_async::Stage::Tls
    );
    summary.id_len = 3;
    summary.id[..3].copy_from_slice(b"tls");
    summary
}

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let reader = READER.take();
    let pipe = Pipe::new(64);
    let sp = stack::paint();
    let future = round_trip(reader, &pipe);
    let future_size = core::mem::size_of_val(&future);
    let summary = future.await;
    let peak = stack::used_below(sp);
    let id = core::str::from_utf8(&summary.id[..summary.id_len]).unwrap_or("?");
    hprintln!("request bytes: {}", pipe.request_len.get());
    hprintln!("run: {} ok={}", id, summary.ok);
    hprintln!(
        "ram: ResponseReader {} bytes, call future {} bytes",
        core::mem::size_of::<ResponseReader>(),
        future_size
    );
    hprintln!("stack: round trip peak {} bytes with a {}-byte buffer", peak, BUFFER);
    hprintln!("canned: {} bytes", canned::CANNED_BYTES);
    exit(if summary.ok { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE })
}
