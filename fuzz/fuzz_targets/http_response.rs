//! `http::ResponseReader::<16>` on any bytes. Checks:
//! - it never panics, and a failed reader stays failed (every later call repeats the error);
//! - chunk invariance: the chunking chosen by the first two bytes (see `apify_core_fuzz::split`)
//!   gives the same result as one call: the status after the last chunk, then either the same
//!   head, outcome (run, API error or body prefix) or the same error;
//! - once the head is complete, `head()` shows the head that `finish` returns.
#![no_main]

use apify_core::Status;
use apify_core::http::{Outcome, ReadError, ResponseHead, ResponseReader};
use apify_core::model::{ErrorType, Run};
use apify_core_fuzz::split;
use libfuzzer_sys::fuzz_target;

/// An owned copy of a finished response, comparable across chunkings.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
enum Summary {
    Run(ResponseHead, Run),
    Api(ResponseHead, Option<ErrorType>, Option<String>, bool),
    Http(ResponseHead, Vec<u8>),
}

fn read(chunks: &[&[u8]]) -> Result<(Status, Summary), ReadError> {
    let mut reader = ResponseReader::<16>::new();
    let mut status = Status::Partial;
    let mut failed = None;
    for chunk in chunks {
        let result = reader.feed(chunk);
        match (failed, result) {
            (Some(e), result) => assert_eq!(result, Err(e), "a feed after an error must repeat it"),
            (None, Ok(s)) => status = s,
            (None, Err(e)) => failed = Some(e),
        }
    }
    let early_head = reader.head().cloned();
    let response = reader.finish();
    if let Some(e) = failed {
        assert_eq!(response, Err(e), "finish after an error must repeat it");
        return Err(e);
    }
    let response = response?;
    let head = response.head.clone();
    if let Some(early) = early_head {
        assert_eq!(early, head, "head() before finish differs from the finished head");
    }
    Ok((
        status,
        match response.outcome {
            Outcome::Run(run) => Summary::Run(head, run.clone()),
            Outcome::ApiError(e) => {
                Summary::Api(head, e.error_type(), e.message().map(|m| m.to_string()), e.has_data())
            }
            Outcome::OtherBody { body_prefix } => Summary::Http(head, body_prefix.to_vec()),
            _ => Summary::Http(head, Vec::new()),
        },
    ))
}

fuzz_target!(|data: &[u8]| {
    let Some((response, chunks)) = split(data) else { return };
    let whole = read(&[response]);
    let chunked = read(&chunks);
    assert_eq!(chunked, whole, "chunked read (left) differs from one call (right); chunks: {chunks:?}");
});
