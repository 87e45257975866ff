//! Requests from tiny_http: record, pick a fault, answer with the right framing.

use std::io::{Read, Write};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use tiny_http::Request;

use crate::api::{self, Call};
use crate::bodies::{JSON, MEMORY_LIMIT_MESSAGE, Reply};
use crate::front::{BYTE_PAUSE, Conn, Front};
use crate::state::Shared;
use crate::wire::Raw;
use crate::{FaultKind, RecordedRequest};

/// Bodies larger than this are cut (the API's own limit is 9 MiB).
const MAX_BODY: u64 = 16 << 20;

/// Hands each request to a thread of its own until the server is unblocked.
pub(crate) fn dispatch(http: &tiny_http::Server, shared: &Arc<Shared>, front: &Arc<Front>) {
    while let Ok(request) = http.recv() {
        let (shared, front) = (shared.clone(), front.clone());
        // If no thread can be had, the request is dropped and tiny_http answers 500.
        let _ = thread::Builder::new()
            .name("apify-stub-request".into())
            .spawn(move || handle(&shared, &front, request));
    }
}

fn handle(shared: &Shared, front: &Front, mut request: Request) {
    let recorded = record(shared, &mut request);
    let call = Call::new(&recorded);
    let fault = shared.take_fault(&call.route).map(|fault| fault.kind);
    let conn = front.conn(request.remote_addr());
    let chunked = shared.config.chunked;
    match fault {
        None => respond(request, &api::answer(shared, &call), chunked),
        Some(FaultKind::RateLimited { retry_after_secs }) => {
            let message = "You have exceeded the rate limit. Please try again later.";
            let mut reply = Reply::error(429, "rate-limit-exceeded", message);
            if let Some(secs) = retry_after_secs {
                reply = reply.with_header("Retry-After", secs.to_string());
            }
            respond(request, &reply, chunked);
        }
        Some(FaultKind::CapacityExceeded) => {
            let reply = Reply::error(402, "actor-memory-limit-exceeded", MEMORY_LIMIT_MESSAGE);
            respond(request, &reply, chunked);
        }
        Some(FaultKind::ServerError { status, html }) => {
            let reply = if html { Reply::html(status) } else { Reply::server_error(status) };
            respond(request, &reply, chunked);
        }
        Some(FaultKind::Reply { status, body }) => {
            let reply = Reply { status, headers: vec![("Content-Type".into(), JSON.into())], body };
            respond(request, &reply, chunked);
        }
        Some(FaultKind::Delay { ms }) => {
            shared.pause(Duration::from_millis(ms));
            respond(request, &api::answer(shared, &call), chunked);
        }
        Some(FaultKind::Chunked) => respond(request, &api::answer(shared, &call), true),
        Some(FaultKind::OneBytePerWrite) => {
            let raw = Raw::encode(&api::answer(shared, &call), chunked).to_bytes();
            on_socket(request, conn, &raw, |conn| {
                let _ = conn.send(&raw, Some(BYTE_PAUSE));
            });
        }
        Some(FaultKind::Trickle { ms_per_byte }) => {
            let raw = Raw::encode(&api::answer(shared, &call), chunked).to_bytes();
            on_socket(request, conn, &raw, |conn| {
                let _ = conn.send(&raw, Some(Duration::from_millis(ms_per_byte)));
            });
        }
        Some(FaultKind::ExtraHeader { line }) => {
            let mut raw = Raw::encode(&api::answer(shared, &call), chunked);
            // Before the blank line that ends the head.
            let at = raw.head.len() - 2;
            raw.head.splice(at..at, line.iter().copied().chain(*b"\r\n"));
            let raw = raw.to_bytes();
            on_socket(request, conn, &raw, |conn| {
                let _ = conn.send(&raw, None);
            });
        }
        Some(FaultKind::CloseMidBody) => {
            let raw = Raw::encode(&api::answer(shared, &call), chunked);
            let half = [raw.head.as_slice(), &raw.body[..raw.body.len() / 2]].concat();
            on_socket(request, conn, &half, |conn| {
                let _ = conn.send(&half, None);
                conn.close();
            });
        }
        Some(FaultKind::CloseWithoutResponse) => {
            api::answer(shared, &call);
            on_socket(request, conn, &[], Conn::close);
        }
        Some(FaultKind::NoAnswer { ms }) => {
            // Hold tiny_http's writer, so nothing else is answered on this connection meanwhile.
            let writer = request.into_writer();
            shared.pause(Duration::from_millis(ms));
            if let Some(conn) = conn {
                conn.close();
            }
            drop(writer);
        }
    }
}

/// Reads the body and adds the request to the log.
fn record(shared: &Shared, request: &mut Request) -> RecordedRequest {
    let mut body = Vec::new();
    // A body cut short by the client is recorded as far as it came.
    let _ = request.as_reader().take(MAX_BODY).read_to_end(&mut body);
    let headers = request.headers().iter().map(|h| (h.field.to_string(), h.value.to_string())).collect();
    let recorded = RecordedRequest {
        method: request.method().as_str().to_owned(),
        url: request.url().to_owned(),
        headers,
        body,
    };
    shared.lock().requests.push(recorded.clone());
    recorded
}

/// Answers through tiny_http's raw writer, head and body in one write: tiny_http's
/// `Response` writes them separately, and with Nagle's algorithm on its socket the body then
/// waits for the relay's delayed ACK (40 ms per request on Linux).
fn respond(request: Request, reply: &Reply, chunked: bool) {
    let mut writer = request.into_writer();
    let _ = writer.write_all(&Raw::encode(reply, chunked).to_bytes());
    let _ = writer.flush();
}

/// Does `act` on the client socket, while holding tiny_http's writer for the request so
/// that no later answer on the connection can get ahead. Without a relayed connection (a
/// client that reached tiny_http directly) `fallback` is written through tiny_http instead.
fn on_socket(request: Request, conn: Option<Arc<Conn>>, fallback: &[u8], act: impl FnOnce(&Conn)) {
    let mut writer = request.into_writer();
    // Waits until earlier answers on this connection have been written.
    let _ = writer.flush();
    match conn {
        Some(conn) => act(&conn),
        None => {
            let _ = writer.write_all(fallback);
            let _ = writer.flush();
        }
    }
}
