//! `items::ItemsReader::<128>` on any bytes. Checks:
//! - it never panics, and a failed stream stays failed;
//! - chunk invariance: the chunking chosen by the first two bytes (see `apify_core_fuzz::split`)
//!   gives the same events (strings joined), the same items with the same byte ranges, or the
//!   same error, as one call;
//! - differential against `serde_json`: a document serde_json reads as an array is read, with
//!   as many items, and each item's byte range alone is the item serde_json read; any other
//!   document serde_json accepts is `NotAnArray`; a document serde_json refuses is refused.
//!   Documents nesting 127 or more deep are not compared (serde_json stops at 128 levels).
#![no_main]

use apify_core::items::{Item, ItemVisitor, ItemsError, ItemsReader};
use apify_core::json::{Event, SyntaxError, SyntaxErrorKind, Visitor};
use apify_core_fuzz::{Record, Token, split};
use libfuzzer_sys::fuzz_target;

#[derive(Default)]
struct Items {
    record: Record,
    items: Vec<Item>,
}

impl ItemVisitor for Items {
    type Error = SyntaxError;

    fn event(&mut self, event: Event<'_>) -> Result<(), SyntaxError> {
        self.record.event(event)
    }

    fn item_end(&mut self, item: Item) -> Result<(), SyntaxError> {
        self.items.push(item);
        Ok(())
    }
}

type Outcome = Result<(Vec<Token>, Vec<Item>), ItemsError<SyntaxError>>;

fn read(chunks: &[&[u8]]) -> Outcome {
    let mut reader = ItemsReader::<128>::new();
    let mut items = Items::default();
    let mut failed = None;
    for chunk in chunks {
        let result = reader.feed(chunk, &mut items);
        if failed.is_some() {
            assert!(result.is_err(), "a feed after an error must fail");
        } else if let Err(e) = result {
            failed = Some(e);
        }
    }
    if let Some(e) = failed {
        assert!(reader.finish(&mut items).is_err(), "finish after an error must fail");
        return Err(e);
    }
    let count = reader.finish(&mut items)?;
    assert_eq!(count, items.items.len() as u64);
    Ok((items.record.tokens, items.items))
}

fuzz_target!(|data: &[u8]| {
    let Some((doc, chunks)) = split(data) else { return };
    let whole = read(&[doc]);
    let chunked = read(&chunks);
    assert_eq!(chunked, whole, "chunked read (left) differs from one call (right); chunks: {chunks:?}");

    let theirs = serde_json::from_slice::<serde_json::Value>(doc);
    let too_deep = matches!(&whole, Err(ItemsError::Json(e)) if matches!(e.kind(), SyntaxErrorKind::TooDeep { .. }))
        || matches!(&theirs, Err(e) if e.to_string().starts_with("recursion limit exceeded"));
    if too_deep {
        return;
    }
    match (&whole, &theirs) {
        (Ok((_, items)), Ok(serde_json::Value::Array(values))) => {
            assert_eq!(items.len(), values.len(), "item counts differ");
            for (item, value) in items.iter().zip(values) {
                let range = &doc[item.start as usize..item.end as usize];
                let alone: serde_json::Value = serde_json::from_slice(range).expect("an item's range is JSON");
                assert_eq!(&alone, value, "the range of item {} is another value", item.index);
            }
        }
        (Err(ItemsError::NotAnArray), Ok(value)) => assert!(!value.is_array(), "an array refused as not one"),
        (Err(ItemsError::Json(_)), Err(_)) => {}
        // A document that is not an array is refused at its first event, before serde_json's
        // verdict on the rest.
        (Err(ItemsError::NotAnArray), Err(_)) => {}
        (ours, theirs) => panic!("verdicts differ: ours {ours:?}, serde_json {theirs:?}"),
    }
});
