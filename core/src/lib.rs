//! The protocol core of an Apify task-run client: `no_std`, no allocation, no I/O.
//!
//! It turns "run task X with these options" into the exact bytes of an HTTP/1.1 request, and
//! the bytes of the response, in whatever pieces a socket delivers them, into a typed run or
//! API error. Adapters (`apify-ureq` on std, `apify-nal` on `embedded-nal` sockets) only move
//! those bytes and sleep; every protocol decision is made here, once.
//!
//! # In scope
//!
//! - The "Run task" request (`POST /v2/actor-tasks/{id}/runs`) with all its query parameters,
//!   ad-hoc webhooks and input body, and the other run endpoints a client needs next (get
//!   run, abort run, last run of a task): [`encode`].
//! - The run object and the API's error document, decoded chunk by chunk into fixed memory:
//!   [`decode`], [`model`], on an incremental strict JSON parser: [`json`].
//! - HTTP/1.1 responses (Content-Length, chunked, close-delimited), read with bounded memory:
//!   [`http`].
//! - A dataset's items (the bare JSON array `GET /v2/datasets/{id}/items` sends), streamed
//!   item by item with each item's byte range, in fixed memory: [`items`].
//! - What may be retried and when, and the start-then-poll sequence: [`call`].
//! - The error, report and clock the `no_std` adapters share: [`client`].
//!
//! # Out of scope
//!
//! Sockets, TLS, DNS, clocks and sleeping (the adapters'), compressed bodies (the client asks
//! for none), HTTP/2, redirects, and the rest of the Apify API (datasets, key-value stores).
//!
//! # Layers
//!
//! ```text
//! options ─▶ encode::Request ─▶ head bytes + body bytes ─▶ adapter writes them
//! socket bytes, any chunking ─▶ http::ResponseReader ─▶ json::Parser ─▶ decode (fields) ─▶ model
//!                                                                   call::Call decides what next
//! ```
//!
//! Each layer guarantees the same things:
//!
//! - **One incremental contract.** Everything that consumes bytes has `feed(&[u8])`, returns
//!   a [`Status`] (the whole chunk is always consumed), and is told about end of input with
//!   `finish()`. Any split of the same bytes gives the same result (property-tested and
//!   fuzzed over every fixture).
//! - **Caller-owned memory.** Capacities are const generics or caller slices. A buffer that is
//!   too small is an error carrying the length needed; a text longer than its field is kept
//!   cut with a flag ([`model::Text`]); nothing is cut silently.
//! - **Bounded everything.** No recursion; nesting, line length, header count, chunk-size
//!   digits and every loop are bounded, so no input can exhaust the stack or spin.
//! - **Total parsing.** No input panics. Malformed JSON and HTTP are rejected with what and
//!   where; unknown fields, statuses and error types are skipped or kept, never fatal.
//! - **Exact numbers.** Counts are integers, fractions are [`Decimal`]s that keep every
//!   digit the API sends; no float parser is linked.
//! - **Never start a run twice by accident.** [`call::RetryPolicy`] retries a start only where
//!   the server cannot have received it and otherwise reports
//!   [`call::Finish::OutcomeUnknown`].
//!
//! # Example: a whole exchange without I/O
//!
//! ```
//! use apify_core::encode::{BaseUrl, Endpoint, Input, Request, RunOptions, TaskId, Token};
//! use apify_core::http::{Outcome, ResponseReader};
//! use apify_core::model::RunStatus;
//!
//! let options = RunOptions::new().memory_mbytes(1024);
//! let request = Request::new(BaseUrl::APIFY, Endpoint::run_task(TaskId::new("janedoe~my-task")?, &options, Input::EMPTY))?
//!     .with_token(Token::new("apify_api_secret")?);
//! let mut head = [0u8; 512];
//! let head_len = request.write_head(&mut head)?;
//! assert!(head[..head_len].starts_with(b"POST /v2/actor-tasks/janedoe~my-task/runs?memory=1024 HTTP/1.1\r\n"));
//! // ...write &head[..head_len] and request.body() to the socket, then read:
//! let answer: &[u8] = b"HTTP/1.1 201 Created\r\nContent-Length: 52\r\n\r\n{\"data\":{\"id\":\"HG7ML7M8z78YcAPEB\",\"status\":\"READY\"}}";
//! let mut reader = ResponseReader::<16>::new();
//! for piece in answer.chunks(16) {
//!     reader.feed(piece).unwrap();
//! }
//! let response = reader.finish().unwrap();
//! let Outcome::Run(run) = response.outcome else { panic!("not a run") };
//! assert_eq!(run.status(), Some(RunStatus::Ready));
//! # Ok::<(), apify_core::encode::EncodeError>(())
//! ```
//!
//! # Features
//!
//! - `std` (off): implements `std::error::Error` through `core::error::Error` (the types
//!   implement `core::error::Error` regardless); nothing else changes.
//! - `stats`, `usage`, `options`, `meta`, `details` (all on): groups of the run's fields
//!   ([`model`] lists which). A build without one keeps neither RAM nor flash for its fields, and
//!   its keys are skipped like unknown ones. With none (`default-features = false`) the run
//!   keeps its ID, status, message, timestamps, exit code, cost and storage IDs: the decoder
//!   takes 680 bytes instead of 1,520 on a Cortex-M3.
//!
//! # MSRV
//!
//! See `rust-version` in `Cargo.toml`; raising it is a minor release.
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod call;
pub mod client;
pub mod decimal;
pub mod decode;
pub mod encode;
pub mod http;
pub mod items;
pub mod json;
pub mod model;

pub use decimal::Decimal;

#[cfg(test)]
mod test_fixtures;

/// The crate README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Progress of an incremental consumer after a chunk was fed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything given was consumed and more input is expected.
    Partial,
    /// The consumer has seen a whole message; later input may only be what the format allows
    /// after one (whitespace for JSON, nothing for HTTP).
    Complete,
}

impl Status {
    /// Whether the message is complete.
    pub const fn is_complete(self) -> bool {
        matches!(self, Self::Complete)
    }
}
