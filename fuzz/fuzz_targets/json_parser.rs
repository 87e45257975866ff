//! `json::Parser::<128>` on any bytes. Checks:
//! - it never panics, and a failed parse stays failed (every later call repeats the error);
//! - chunk invariance: the chunking chosen by the first two bytes (see `apify_core_fuzz::split`)
//!   gives the same events (strings joined) or the same error kind and offset as one call;
//! - differential against `serde_json` (arbitrary precision): both accept or both reject, and
//!   on accept both read the same value (structure, keys, strings, booleans, exact numbers).
//!   Exceptions: documents nesting 127 or more deep (serde_json stops at 128 levels, the
//!   parser at `DEPTH` = 128), so a depth error on either side is not compared.
#![no_main]

use apify_core::json::{Parser, SyntaxError, SyntaxErrorKind};
use apify_core_fuzz::{Record, Token, Tree, split};
use libfuzzer_sys::fuzz_target;

const DEPTH: usize = 128;

fn parse(chunks: &[&[u8]]) -> Result<Vec<Token>, SyntaxError> {
    let mut parser = Parser::<DEPTH>::new();
    let mut record = Record::default();
    let mut failed = None;
    for chunk in chunks {
        let result = parser.feed(chunk, &mut record);
        if let Some(e) = failed {
            assert_eq!(result, Err(e), "a feed after an error must repeat it");
        } else if let Err(e) = result {
            failed = Some(e);
        }
    }
    let finished = parser.finish(&mut record);
    if let Some(e) = failed {
        assert_eq!(finished, Err(e), "finish after an error must repeat it");
        return Err(e);
    }
    finished?;
    assert!(parser.is_complete(), "finish succeeded on an incomplete document");
    Ok(record.tokens)
}

fuzz_target!(|data: &[u8]| {
    let Some((doc, chunks)) = split(data) else { return };
    let whole = parse(&[doc]);
    let chunked = parse(&chunks);
    assert_eq!(chunked, whole, "chunked parse (left) differs from one call (right); chunks: {chunks:?}");

    let theirs = serde_json::from_slice::<serde_json::Value>(doc);
    let too_deep = matches!(&whole, Err(e) if matches!(e.kind(), SyntaxErrorKind::TooDeep { .. }))
        || matches!(&theirs, Err(e) if e.to_string().starts_with("recursion limit exceeded"));
    if too_deep {
        return;
    }
    match (&whole, &theirs) {
        (Ok(tokens), Ok(value)) => {
            assert_eq!(
                Tree::from_tokens(tokens),
                Tree::from_serde(value),
                "the parsers read different values"
            )
        }
        (Err(_), Err(_)) => {}
        (ours, theirs) => panic!("verdicts differ: ours {ours:?}, serde_json {theirs:?}"),
    }
});
