//! The comparison row: the same run start through reqwless (the embedded ecosystem's async
//! HTTP client) and serde-json-core, over the same in-memory connection, on the same
//! executor. reqwless reads the whole body into a buffer and serde-json-core parses it from
//! there, so the buffer must hold the head and the whole 1,929-byte body; the run keeps the
//! fields a lean firmware keeps (no floats: serde-json-core's float parsing would add flash).
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "../roundtrip/canned.rs"]
#[allow(dead_code)] // The blocking stack in it is the other binary's.
mod canned;
#[path = "../../exit.rs"]
mod exit;
#[path = "../roundtrip_async/pipe.rs"]
mod pipe;
#[path = "../roundtrip/stack.rs"]
mod stack;

use core::net::{IpAddr, Ipv4Addr};

use cortex_m_semihosting::{debug, hprintln};
use embassy_executor::Spawner;
use embedded_nal_async::{AddrType, Dns};
use exit::exit;
use heapless::String;
use pipe::Pipe;
use reqwless::client::HttpClient;
use reqwless::headers::ContentType;
use reqwless::request::{Method, RequestBuilder};
use serde::Deserialize;

/// The answer's envelope.
#[derive(Deserialize)]
struct Envelope {
    data: RunLite,
}

/// The run's fields a lean firmware keeps.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // Decoded for the comparison; only the ID and status are printed.
struct RunLite {
    id: String<24>,
    status: String<16>,
    status_message: Option<String<128>>,
    default_dataset_id: Option<String<24>>,
    started_at: Option<String<32>>,
    finished_at: Option<String<32>>,
    exit_code: Option<i32>,
}

/// A resolver that knows one address.
struct FixedDns;

impl Dns for FixedDns {
    type Error = core::convert::Infallible;

    async fn get_host_by_name(&self, _: &str, _: AddrType) -> Result<IpAddr, Self::Error> {
        Ok(IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10)))
    }

    async fn get_host_by_address(&self, _: IpAddr, _: &mut [u8]) -> Result<usize, Self::Error> {
        Ok(0)
    }
}

/// The receive buffer: the response head and the whole body.
const RX: usize = 2560;

async fn round_trip(pipe: &Pipe) -> Option<([u8; 24], usize)> {
    let dns = FixedDns;
    let mut client = HttpClient::new(pipe, &dns);
    let mut rx = [0u8; RX];
    let headers = [("Authorization", "Bearer apify_api_firmware")];
    let url = "http://192.168.1.10:8080/v2/actor-tasks/janedoe~my-task/runs?timeout=300&memory=256";
    let request = client.request(Method::POST, url).await.ok()?;
    let mut request =
        request.headers(&headers).content_type(ContentType::ApplicationJson).body(b"{}".as_slice());
    let response = request.send(&mut rx).await.ok()?;
    let body = response.body().read_to_end().await.ok()?;
    let (envelope, _) = serde_json_core::from_slice::<Envelope>(body).ok()?;
    let mut id = [0u8; 24];
    let len = envelope.data.id.len().min(24);
    id[..len].copy_from_slice(&envelope.data.id.as_bytes()[..len]);
    (envelope.data.status.as_str() == "SUCCEEDED").then_some((id, len))
}

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let pipe = Pipe::new(64);
    let sp = stack::paint();
    let future = round_trip(&pipe);
    let future_size = core::mem::size_of_val(&future);
    let result = future.await;
    let peak = stack::used_below(sp);
    let (id, len) = result.unwrap_or(([b'?'; 24], 1));
    hprintln!("request bytes: {}", pipe.request_len.get());
    hprintln!("run: {} ok={}", core::str::from_utf8(&id[..len]).unwrap_or("?"), result.is_some());
    hprintln!("ram: call future {} bytes (receive buffer {} inside)", future_size, RX);
    hprintln!("stack: round trip peak {} bytes", peak);
    hprintln!("canned: {} bytes", canned::CANNED_BYTES);
    exit(if result.is_some() { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE })
}
