//! `decode::ResponseDecoder::<16>` on any bytes. Checks:
//! - it never panics, and a failed decoder stays failed (later calls repeat a syntax error, or
//!   report `Aborted` after a field error, as `json::Visitor` documents);
//! - chunk invariance: the chunking chosen by the first two bytes (see `apify_core_fuzz::split`)
//!   decodes the same run or API error, or fails with the same error, as one call;
//! - output round trip: `Run::write_json` (and `ApiError::write_json`) writes valid JSON that
//!   decodes again to a run (an error), and writing that gives the same text (a fixed point:
//!   a cut text is written with `…` and cut the same way again; an error's `hasData` is
//!   written but not read back, as documented).
#![no_main]

use apify_core::decode::{DecodeError, Decoded, ResponseDecoder};
use apify_core::json::SyntaxErrorKind;
use apify_core::model::{ErrorType, Run};
use apify_core_fuzz::split;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
enum Body {
    Run(Run),
    /// The error's type, message and `has_data`, and its `write_json` text.
    Error(Option<ErrorType>, Option<String>, bool, String),
}

fn decode(chunks: &[&[u8]]) -> Result<Body, DecodeError> {
    let mut decoder = ResponseDecoder::<16>::new();
    let mut failed = None;
    for chunk in chunks {
        let result = decoder.feed(chunk).map(|_| ());
        match failed {
            Some(e) => assert_final(e, result),
            None => failed = result.err(),
        }
    }
    if let Some(e) = failed {
        assert_final(e, decoder.finish().map(|_| ()));
        return Err(e);
    }
    decoder.finish().map(|d| match d {
        Decoded::Run(run) => Body::Run(run.clone()),
        Decoded::Error(e) => {
            let mut json = String::new();
            e.write_json(&mut json).expect("writing into a String cannot fail");
            Body::Error(e.error_type(), e.message().map(|m| m.to_string()), e.has_data(), json)
        }
    })
}

/// Errors are final: a later call repeats a syntax error; after a field error (which stopped
/// the parser from its visitor) it reports `Aborted`.
fn assert_final(first: DecodeError, later: Result<(), DecodeError>) {
    match first {
        DecodeError::Json(_) => assert_eq!(later, Err(first), "a call after an error must repeat it"),
        _ => assert!(
            matches!(later, Err(DecodeError::Json(e)) if e.kind() == SyntaxErrorKind::Aborted),
            "a call after {first:?} gave {later:?}"
        ),
    }
}

fn write(body: &Body) -> String {
    let mut out = String::new();
    match body {
        Body::Run(run) => run.write_json(&mut out).expect("writing into a String cannot fail"),
        Body::Error(.., json) => out.push_str(json),
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((body, chunks)) = split(data) else { return };
    let whole = decode(&[body]);
    let chunked = decode(&chunks);
    assert_eq!(chunked, whole, "chunked decode (left) differs from one call (right); chunks: {chunks:?}");

    let Ok(first) = whole else { return };
    let written = write(&first);
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&written) {
        panic!("write_json wrote invalid JSON ({e}): {written}");
    }
    let again = decode(&[written.as_bytes()])
        .unwrap_or_else(|e| panic!("write_json output does not decode ({e}): {written}"));
    assert_eq!(
        std::mem::discriminant(&again),
        std::mem::discriminant(&first),
        "a written run (error) decoded as something else: {written}"
    );
    // `hasData` is written, but only `error.data` sets it when decoding (documented).
    let without_data = |text: &str| text.replace(",\"hasData\":true", "").replace("\"hasData\":true", "");
    assert_eq!(without_data(&write(&again)), without_data(&written), "writing the decoded output again differs");
});
