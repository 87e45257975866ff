//! Requests from tiny_http: record, pick a fault, answer with the right framing.

use std::io::{Read, Write};
use std::sync::Arc;
use std::thread;
use std::time::Duration;
use std::time::Instant;

use tiny_http::Request;

use crate::api::{self, Call};
use crate::bodies::{JSON, MEMORY_LIMIT_MESSAGE, Reply};
use crate::front::{BYTE_PAUSE, Conn, Front};
use crate::state::Shared;
use crate::wire::Raw;
use crate::{FaultKind, RecordedRequest};

/// Largest request body the stand-in takes (the API takes 9 MB): a larger one is answered 413
/// without being read whole, so that many large uploads cannot fill its memory.
pub const MAX_BODY: u64 = 1 << 20;

/// Requests kept for [`Stub::requests`](crate::Stub::requests): the newest, older ones dropped.
pub const LOG_CAPACITY: usize = 1000;

/// Bytes of each request body kept in that log.
pub const BODY_CAPACITY: usize = 8 << 10;

/// Client connections served at once; more wait in the listen backlog until one ends (each
/// open connection takes three threads).
pub const MAX_CONNECTIONS: usize = 256;

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
    let started = Instant::now();
    let (method, url) = (request.method().as_str().to_owned(), request.url().to_owned());
    let status = match framing_error(&request) {
        Some(reply) => {
            respond(request, &reply, false);
            Answer::Status(reply.status)
        }
        None => match record(shared, &mut request) {
            Ok(recorded) => answer(shared, front, request, &recorded),
            Err(reply) => {
                respond(request, &reply, false);
                Answer::Status(reply.status)
            }
        },
    };
    if shared.config.log {
        let ms = started.elapsed().as_millis();
        // A closed stderr is not worth a panic.
        let _ = writeln!(std::io::stderr(), "{method} {url} {status} {ms} ms");
    }
}

/// What the client got, for the log.
enum Answer {
    Status(u16),
    Fault(&'static str),
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Status(status) => write!(f, "{status}"),
            Answer::Fault(what) => f.write_str(what),
        }
    }
}

/// A request whose framing is broken: a `Content-Length` that is not a decimal number, or a
/// body larger than [`MAX_BODY`]. (tiny_http reads a broken length as none.)
fn framing_error(request: &Request) -> Option<Reply> {
    let length = request.headers().iter().find(|h| h.field.equiv("Content-Length"))?;
    let value = length.value.as_str().trim();
    match value.parse::<u64>() {
        Ok(n) if n > MAX_BODY => {
            Some(Reply::error(413, "request-too-large", "The request body is too large."))
        }
        Ok(_) if value.bytes().all(|b| b.is_ascii_digit()) => None,
        _ => Some(Reply::error(400, "invalid-request", "The Content-Length header is not a number.")),
    }
}

fn answer(shared: &Shared, front: &Front, request: Request, recorded: &RecordedRequest) -> Answer {
    let call = Call::new(recorded);
    let fault = shared.take_fault(&call.route).map(|fault| fault.kind);
    let conn = front.conn(request.remote_addr());
    let chunked = shared.config.chunked;
    match fault {
        None if call.route.is_items() => match api::items_plan(shared, &call) {
            // Streamed, whatever the framing asked for: a million items are never held.
            Ok(plan) => {
                let mut writer = request.into_writer();
                match plan.stream(&mut writer) {
                    Ok(()) => Answer::Status(200),
                    Err(_) => Answer::Fault("client left mid-stream"),
                }
            }
            Err(reply) => {
                respond(request, &reply, chunked);
                Answer::Status(reply.status)
            }
        },
        None => {
            let reply = api::answer(shared, &call);
            respond(request, &reply, chunked);
            Answer::Status(reply.status)
        }
        Some(FaultKind::RateLimited { retry_after_secs }) => {
            let message = "You have exceeded the rate limit. Please try again later.";
            let mut reply = Reply::error(429, "rate-limit-exceeded", message);
            if let Some(secs) = retry_after_secs {
                reply = reply.with_header("Retry-After", secs.to_string());
            }
            respond(request, &reply, chunked);
            Answer::Status(429)
        }
        Some(FaultKind::CapacityExceeded) => {
            let reply = Reply::error(402, "actor-memory-limit-exceeded", MEMORY_LIMIT_MESSAGE);
            respond(request, &reply, chunked);
            Answer::Status(402)
        }
        Some(FaultKind::ServerError { status, html }) => {
            let reply = if html { Reply::html(status) } else { Reply::server_error(status) };
            respond(request, &reply, chunked);
            Answer::Status(status)
        }
        Some(FaultKind::Reply { status, body }) => {
            let reply = Reply { status, headers: vec![("Content-Type".into(), JSON.into())], body };
            respond(request, &reply, chunked);
            Answer::Status(status)
        }
        Some(FaultKind::Delay { ms }) => {
            shared.pause(Duration::from_millis(ms));
            let reply = api::answer(shared, &call);
            respond(request, &reply, chunked);
            Answer::Status(reply.status)
        }
        Some(FaultKind::Chunked) => {
            let reply = api::answer(shared, &call);
            respond(request, &reply, true);
            Answer::Status(reply.status)
        }
        Some(FaultKind::OneBytePerWrite) => {
            let raw = Raw::encode(&api::answer(shared, &call), chunked).to_bytes();
            on_socket(request, conn, &raw, |conn| {
                let _ = conn.send(&raw, Some(BYTE_PAUSE));
            });
            Answer::Fault("one byte per write")
        }
        Some(FaultKind::Trickle { ms_per_byte }) => {
            let raw = Raw::encode(&api::answer(shared, &call), chunked).to_bytes();
            on_socket(request, conn, &raw, |conn| {
                let _ = conn.send(&raw, Some(Duration::from_millis(ms_per_byte)));
            });
            Answer::Fault("trickled")
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
            Answer::Fault("extra header")
        }
        Some(FaultKind::CloseMidBody) => {
            let raw = Raw::encode(&api::answer(shared, &call), chunked);
            let half = [raw.head.as_slice(), &raw.body[..raw.body.len() / 2]].concat();
            on_socket(request, conn, &half, |conn| {
                let _ = conn.send(&half, None);
                conn.close();
            });
            Answer::Fault("closed mid-body")
        }
        Some(FaultKind::CloseWithoutResponse) => {
            api::answer(shared, &call);
            on_socket(request, conn, &[], Conn::close);
            Answer::Fault("closed without an answer")
        }
        Some(FaultKind::NoAnswer { ms }) => {
            // Hold tiny_http's writer, so nothing else is answered on this connection meanwhile.
            let writer = request.into_writer();
            shared.pause(Duration::from_millis(ms));
            if let Some(conn) = conn {
                conn.close();
            }
            drop(writer);
            Answer::Fault("no answer")
        }
    }
}

/// Reads the body and adds the request to the log (bounded: see [`LOG_CAPACITY`]). A body
/// that cannot be read (a bad chunk size, a connection cut midway) or passes [`MAX_BODY`] is
/// answered instead.
fn record(shared: &Shared, request: &mut Request) -> Result<RecordedRequest, Reply> {
    let mut body = Vec::new();
    let read = request.as_reader().take(MAX_BODY + 1).read_to_end(&mut body);
    let headers = request.headers().iter().map(|h| (h.field.to_string(), h.value.to_string())).collect();
    let recorded = RecordedRequest {
        method: request.method().as_str().to_owned(),
        url: request.url().to_owned(),
        headers,
        body,
    };
    let mut kept = RecordedRequest { body: Vec::new(), ..recorded.clone() };
    kept.body.extend_from_slice(&recorded.body[..recorded.body.len().min(BODY_CAPACITY)]);
    {
        let mut state = shared.lock();
        if state.requests.len() == LOG_CAPACITY {
            state.requests.pop_front();
        }
        state.requests.push_back(kept);
    }
    match read {
        Err(_) => Err(Reply::error(400, "invalid-request", "The request body could not be read.")),
        Ok(_) if recorded.body.len() as u64 > MAX_BODY => {
            Err(Reply::error(413, "request-too-large", "The request body is too large."))
        }
        Ok(_) => Ok(recorded),
    }
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
