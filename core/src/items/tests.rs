use super::*;
use crate::test_fixtures;
use serde_json::{Map, Value};
use std::string::String;
use std::vec::Vec;
use std::{format, vec};

/// Rebuilds every item from its events (numbers as `f64`) and keeps the items' ranges.
#[derive(Default)]
struct Rebuild {
    stack: Vec<(Value, Option<String>)>,
    key: Option<String>,
    text: String,
    done: Option<Value>,
    items: Vec<(Value, Item)>,
}

impl Rebuild {
    fn value(&mut self, value: Value) {
        match self.stack.last_mut() {
            None => self.done = Some(value),
            Some((Value::Array(a), _)) => a.push(value),
            Some((Value::Object(o), _)) => {
                o.insert(self.key.take().expect("a key before a member"), value);
            }
            Some(_) => unreachable!(),
        }
    }
}

impl ItemVisitor for Rebuild {
    type Error = String;

    fn event(&mut self, event: Event<'_>) -> Result<(), String> {
        match event {
            Event::ObjectStart => self.stack.push((Value::Object(Map::new()), self.key.take())),
            Event::ArrayStart => self.stack.push((Value::Array(vec![]), self.key.take())),
            Event::ObjectEnd | Event::ArrayEnd => {
                let (value, key) = self.stack.pop().ok_or("an end without a start")?;
                self.key = key;
                self.value(value);
            }
            Event::Key(f) => {
                self.text.push_str(f.text);
                if f.last {
                    self.key = Some(core::mem::take(&mut self.text));
                }
            }
            Event::Str(f) => {
                self.text.push_str(f.text);
                if f.last {
                    let text = core::mem::take(&mut self.text);
                    self.value(Value::String(text));
                }
            }
            Event::Number(n) => self.value(Value::from(n.to_f64())),
            Event::Bool(b) => self.value(Value::Bool(b)),
            Event::Null => self.value(Value::Null),
        }
        Ok(())
    }

    fn item_end(&mut self, item: Item) -> Result<(), String> {
        let value = self.done.take().ok_or("an item ended before its value")?;
        if !self.stack.is_empty() || item.index != self.items.len() as u64 {
            return Err(format!("item {item:?} ended inside a value"));
        }
        self.items.push((value, item));
        Ok(())
    }
}

/// `value` with every number as an `f64`, as [`Rebuild`] makes them.
fn as_f64(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::from(n.as_f64().expect("a finite number")),
        Value::Array(a) => Value::Array(a.into_iter().map(as_f64).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, as_f64(v))).collect()),
        other => other,
    }
}

/// Each item as rebuilt, with its range.
type Items = Vec<(Value, Item)>;

fn read(chunks: &[&[u8]]) -> Result<(u64, Items), ItemsError<String>> {
    let mut reader = ItemsReader::<16>::new();
    let mut rebuild = Rebuild::default();
    for chunk in chunks {
        reader.feed(chunk, &mut rebuild)?;
    }
    let count = reader.finish(&mut rebuild)?;
    Ok((count, rebuild.items))
}

/// Whether two values are the same, numbers within a relative 1e-12 (`Number::to_f64` is not
/// always the nearest `f64`; the decimal itself is exact).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Every item as serde_json reads it, and as it reads each item's byte range.
fn check(name: &str, body: &[u8], got: &[(Value, Item)]) {
    let Value::Array(expected) = serde_json::from_slice::<Value>(body).unwrap() else { panic!("{name}") };
    assert_eq!(got.len(), expected.len(), "{name}");
    for ((value, item), expected) in got.iter().zip(expected) {
        let expected = as_f64(expected);
        assert!(same(value, &expected), "{name}: item {}: {value} != {expected}", item.index);
        let range = &body[item.start as usize..item.end as usize];
        let alone: Value = serde_json::from_slice(range).unwrap_or_else(|e| panic!("{name}: {item:?}: {e}"));
        assert!(same(&as_f64(alone), &expected), "{name}: the range of item {}", item.index);
    }
}

#[test]
fn every_items_fixture_is_read_alike_whole_split_in_two_and_byte_by_byte() {
    for (name, body) in test_fixtures::ITEMS {
        let (count, whole) = read(&[body]).unwrap();
        assert_eq!(count as usize, whole.len());
        check(name, body, &whole);
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(read(&bytes).unwrap().1, whole, "{name} byte by byte");
        // Every two-chunk split (every 37th for the 89 KB fixture, for time).
        let step = if body.len() > 10_000 { 37 } else { 1 };
        for at in (0..=body.len()).step_by(step) {
            let (a, b) = body.split_at(at);
            assert_eq!(read(&[a, b]).unwrap().1, whole, "{name} split at {at}");
        }
    }
}

#[test]
fn a_body_that_is_not_an_array_is_refused_before_any_item() {
    for body in
        [test_fixtures::get("run-task-201.json"), test_fixtures::get("error_408_run_timeout_exceeded.json")]
    {
        for size in [1, 7, body.len()] {
            let chunks: Vec<&[u8]> = body.chunks(size).collect();
            assert!(matches!(read(&chunks), Err(ItemsError::NotAnArray)), "chunks of {size}");
        }
    }
    assert!(matches!(read(&[b"\"items\""]), Err(ItemsError::NotAnArray)));
    // A top-level string with a fault in it: the fault, whatever the chunking (found by the
    // items_stream fuzzer).
    let bad = b"\"{1]]]\xff\"";
    assert!(matches!(read(&[bad]), Err(ItemsError::Json(_))));
    assert!(matches!(read(&[&bad[..4], &bad[4..]]), Err(ItemsError::Json(_))));
    assert!(matches!(read(&[b"  42 "]), Err(ItemsError::NotAnArray)));
}

#[test]
fn cut_and_malformed_bodies_are_errors_and_no_item_past_the_fault_is_reported() {
    let body = br#"[{"a": 1}, {"b": 2}, {"c": 3}]"#;
    for cut in 1..body.len() {
        let mut reader = ItemsReader::<8>::new();
        let mut rebuild = Rebuild::default();
        reader.feed(&body[..cut], &mut rebuild).unwrap();
        assert!(matches!(reader.finish(&mut rebuild), Err(ItemsError::Json(_))), "cut at {cut}");
        let whole_items = body[..cut].iter().filter(|&&b| b == b',' || b == b']').count();
        assert_eq!(rebuild.items.len(), whole_items, "cut at {cut}");
    }
    for bad in [&b"[1,]"[..], b"[1 2]", b"[{\"a\" 1}]", b"[\"\\x\"]", b"[1]]", b"[1],"] {
        let result = read(&[bad]);
        assert!(matches!(result, Err(ItemsError::Json(_))), "{:?}: {result:?}", std::str::from_utf8(bad));
    }
    // A trailing comma: the item before it is whole and reported; the fault is not.
    let mut rebuild = Rebuild::default();
    let mut reader = ItemsReader::<8>::new();
    assert!(reader.feed(b"[7,]", &mut rebuild).is_err());
    assert_eq!(rebuild.items.len(), 1);
    // Errors are final.
    assert!(reader.feed(b"", &mut rebuild).is_err());
}

#[test]
fn nesting_deeper_than_the_reader_allows_is_an_error_not_a_crash() {
    let mut deep = Vec::new();
    deep.push(b'[');
    deep.extend(core::iter::repeat_n(b'[', 100));
    deep.extend(core::iter::repeat_n(b']', 101));
    assert!(matches!(read(&[&deep]), Err(ItemsError::Json(_))));
}

#[test]
fn the_visitor_can_stop_the_stream() {
    struct StopAtSecond;
    impl ItemVisitor for StopAtSecond {
        type Error = &'static str;
        fn event(&mut self, _: Event<'_>) -> Result<(), &'static str> {
            Ok(())
        }
        fn item_end(&mut self, item: Item) -> Result<(), &'static str> {
            if item.index == 1 { Err("enough") } else { Ok(()) }
        }
    }
    let mut reader = ItemsReader::<8>::new();
    assert_eq!(reader.feed(b"[1, 2, 3]", &mut StopAtSecond), Err(ItemsError::Visitor("enough")));
    assert_eq!(reader.count(), 2);
}

proptest::proptest! {
    /// Random arrays of random JSON, cut into random chunks: the same items, the same ranges.
    #[test]
    fn random_items_in_random_chunks(items in proptest::collection::vec(json_value(), 0..8), cuts in proptest::collection::vec(0usize..4096, 0..6), pretty: bool) {
        let array = Value::Array(items);
        let body = if pretty { serde_json::to_vec_pretty(&array) } else { serde_json::to_vec(&array) }.unwrap();
        let (_, whole) = read(&[&body]).unwrap();
        check("random", &body, &whole);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (body.len() + 1)).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut from = 0;
        for cut in cuts {
            chunks.push(&body[from..cut]);
            from = cut;
        }
        chunks.push(&body[from..]);
        proptest::prop_assert_eq!(read(&chunks).unwrap().1, whole);
    }
}

fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        "[ -~\u{e9}\u{1F600},\\]\\[\"\\\\]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z,\\]\"]{0,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A whole HTTP response of `body`, framed by length or in chunks of `chunk` bytes.
#[cfg(feature = "items")]
fn http_response(status: &str, body: &[u8], chunk: Option<usize>) -> Vec<u8> {
    let mut out = Vec::new();
    match chunk {
        None => {
            out.extend_from_slice(
                format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes(),
            );
            out.extend_from_slice(body);
        }
        Some(size) => {
            out.extend_from_slice(
                format!("HTTP/1.1 {status}\r\nTransfer-Encoding: chunked\r\n\r\n").as_bytes(),
            );
            for piece in body.chunks(size) {
                out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                out.extend_from_slice(piece);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"0\r\n\r\n");
        }
    }
    out
}

#[cfg(feature = "items")]
#[test]
fn items_over_http_read_alike_in_any_framing_and_chunking() {
    use crate::http::ResponseReader;
    for (name, body) in test_fixtures::ITEMS {
        let (_, expected) = read(&[body]).unwrap();
        for framing in [None, Some(1), Some(100), Some(4096)] {
            let response = http_response("200 OK", body, framing);
            for size in [1, 13, 4096, response.len()] {
                let mut reader = ResponseReader::<16>::new();
                let mut items = ItemsReader::<16>::new();
                let mut rebuild = Rebuild::default();
                for piece in response.chunks(size) {
                    reader.feed_items(piece, &mut items, &mut rebuild).unwrap();
                }
                let count = reader.finish_items(&mut items, &mut rebuild).unwrap();
                assert_eq!(count as usize, expected.len(), "{name} {framing:?} {size}");
                assert_eq!(rebuild.items, expected, "{name} {framing:?} {size}");
            }
        }
    }
}

#[cfg(feature = "items")]
#[test]
fn an_error_status_over_http_is_the_apis_error_and_a_cut_body_is_an_error() {
    use crate::http::{ItemsReadError, Outcome, ReadError, ResponseReader};
    let error = test_fixtures::get("error_408_run_timeout_exceeded.json");
    let response = http_response("408 Request Timeout", error, Some(10));
    let mut reader = ResponseReader::<16>::new();
    let (mut items, mut rebuild) = (ItemsReader::<16>::new(), Rebuild::default());
    for piece in response.chunks(5) {
        reader.feed_items(piece, &mut items, &mut rebuild).unwrap();
    }
    let finished = reader.finish().unwrap();
    assert!(matches!(finished.outcome, Outcome::ApiError(e) if e.error_type().is_some()));
    // A body cut short: the framing says so, whatever items came before.
    let body = test_fixtures::ITEMS[0].1;
    let response = http_response("200 OK", body, None);
    let mut reader = ResponseReader::<16>::new();
    let (mut items, mut rebuild) = (ItemsReader::<16>::new(), Rebuild::default());
    reader.feed_items(&response[..response.len() - 10], &mut items, &mut rebuild).unwrap();
    let result = reader.finish_items(&mut items, &mut rebuild);
    assert!(matches!(result, Err(ItemsReadError::Http(ReadError::TruncatedBody { .. }))), "{result:?}");
    // A run where items were expected.
    let run = test_fixtures::get("run-task-201.json");
    let response = http_response("201 Created", run, None);
    let mut reader = ResponseReader::<16>::new();
    let (mut items, mut rebuild) = (ItemsReader::<16>::new(), Rebuild::default());
    let result = reader.feed_items(&response, &mut items, &mut rebuild);
    assert!(matches!(result, Err(ItemsReadError::Items(ItemsError::NotAnArray))), "{result:?}");
}
