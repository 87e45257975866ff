//! Helpers shared by the fuzz targets in `fuzz_targets/`.
//!
//! The byte-stream targets (`json_parser`, `http_response`, `run_decoder`) read their input
//! as two header bytes that choose a chunking ([`split`]) followed by the document, so the
//! fuzzer explores the incremental path (every state cut at a chunk boundary) as well as the
//! content.

use std::collections::BTreeMap;

use apify_core::json::{Event, Number, SyntaxError, Visitor};

/// Splits fuzz input into the chunking header and the payload, then cuts the payload into the
/// chunks the header chooses. `None` when the input is shorter than the header.
///
/// Header `[a, b]`:
/// - `a % 4 == 0`: fixed-size chunks of `1 + b % 64` bytes (1 is byte by byte);
/// - `a % 4 == 1`: two chunks, cut at `((a >> 2) << 8 | b) % (len + 1)`;
/// - `a % 4 == 2`: chunk sizes drawn from `1..=1 + b % 64` by a generator seeded with `a, b`;
/// - `a % 4 == 3`: like 2 with sizes `0..=1 + b % 16`, so empty chunks occur too.
pub fn split(data: &[u8]) -> Option<(&[u8], Vec<&[u8]>)> {
    let (&[a, b], payload) = data.split_first_chunk::<2>()?;
    Some((payload, chunks(a, b, payload)))
}

fn chunks(a: u8, b: u8, payload: &[u8]) -> Vec<&[u8]> {
    let len = payload.len();
    match a % 4 {
        0 => payload.chunks(1 + (b % 64) as usize).collect(),
        1 => {
            let cut = (((a as usize) >> 2) << 8 | b as usize) % (len + 1);
            vec![&payload[..cut], &payload[cut..]]
        }
        mode => {
            let (min, max) = if mode == 2 { (1, 1 + (b % 64) as usize) } else { (0, 1 + (b % 16) as usize) };
            // xorshift32; the seed is never zero.
            let mut state = 0x9E37_79B9u32 ^ (a as u32) << 8 ^ b as u32;
            let mut out = Vec::new();
            let mut rest = payload;
            while !rest.is_empty() {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let size = (min + state as usize % (max - min + 1)).min(rest.len());
                out.push(&rest[..size]);
                rest = &rest[size..];
            }
            out
        }
    }
}

/// Records a document's events with string fragments joined, so that any chunking of the
/// same bytes must give the same list (as in `core/src/json/tests.rs`). Also checks the
/// fragment contract: `first` on the first fragment only, `last` before any other event.
#[derive(Debug, Default, PartialEq)]
pub struct Record {
    pub tokens: Vec<Token>,
    pending: Option<(bool, String)>,
}

/// One event of a document, strings whole.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    ObjectStart,
    ObjectEnd,
    ArrayStart,
    ArrayEnd,
    Key(String),
    Str(String),
    Number(Number),
    Bool(bool),
    Null,
}

impl Visitor for Record {
    type Error = SyntaxError;

    fn event(&mut self, event: Event<'_>) -> Result<(), SyntaxError> {
        let token = match event {
            Event::ObjectStart => Token::ObjectStart,
            Event::ObjectEnd => Token::ObjectEnd,
            Event::ArrayStart => Token::ArrayStart,
            Event::ArrayEnd => Token::ArrayEnd,
            Event::Key(f) | Event::Str(f) => {
                let key = matches!(event, Event::Key(_));
                assert_eq!(f.first, self.pending.is_none(), "`first` flag out of order: {event:?}");
                let (was_key, text) = self.pending.get_or_insert_with(|| (key, String::new()));
                assert_eq!(*was_key, key, "a string's fragments changed from key to value");
                text.push_str(f.text);
                if !f.last {
                    return Ok(());
                }
                let (_, text) = self.pending.take().unwrap();
                if key { Token::Key(text) } else { Token::Str(text) }
            }
            Event::Number(n) => Token::Number(n),
            Event::Bool(b) => Token::Bool(b),
            Event::Null => Token::Null,
            other => panic!("unknown event {other:?}"),
        };
        assert!(self.pending.is_none(), "a string was not finished before {token:?}");
        self.tokens.push(token);
        Ok(())
    }
}

/// A JSON value in a form both parsers can be turned into: object members by name (the last
/// duplicate wins, as in `serde_json::Value`), numbers as canonical digits and exponent.
#[derive(Debug)]
pub enum Tree {
    Null,
    Bool(bool),
    /// `None` when the number cannot be compared exactly (see [`Canonical`]).
    Number(Option<Canonical>),
    Str(String),
    Array(Vec<Tree>),
    Object(BTreeMap<String, Tree>),
}

impl PartialEq for Tree {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Tree::Null, Tree::Null) => true,
            (Tree::Bool(a), Tree::Bool(b)) => a == b,
            (Tree::Number(a), Tree::Number(b)) => a.is_none() || b.is_none() || a == b,
            (Tree::Str(a), Tree::Str(b)) => a == b,
            (Tree::Array(a), Tree::Array(b)) => a == b,
            (Tree::Object(a), Tree::Object(b)) => a == b,
            _ => false,
        }
    }
}

/// A number as `±digits × 10^exponent` with no leading or trailing zero digit (zero has no
/// digits); the sign is kept, so `-0` and `0` differ, as both parsers report them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    pub negative: bool,
    pub digits: String,
    pub exponent: i64,
}

/// Exponents beyond this are not compared: the core saturates at ±1,000,000,000.
const EXPONENT_LIMIT: i64 = 100_000_000;

impl Canonical {
    fn new(negative: bool, digits: &str, exponent: i64) -> Option<Self> {
        let digits = digits.trim_start_matches('0');
        let trimmed = digits.trim_end_matches('0');
        let exponent = exponent.saturating_add((digits.len() - trimmed.len()) as i64);
        (exponent.abs() < EXPONENT_LIMIT).then(|| Canonical {
            negative,
            digits: trimmed.to_string(),
            exponent: if trimmed.is_empty() { 0 } else { exponent },
        })
    }

    /// From the text of a JSON number (as `serde_json` with `arbitrary_precision` keeps it).
    pub fn from_text(text: &str) -> Option<Self> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, "0"),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        // Saturating: a longer exponent is far beyond the compared range anyway.
        let exp = exp.trim_start_matches('+').parse::<i64>().unwrap_or(if exp.starts_with('-') {
            i64::MIN / 2
        } else {
            i64::MAX / 2
        });
        Self::new(negative, &format!("{int}{frac}"), exp.saturating_sub(frac.len() as i64))
    }

    /// From the core's [`Number`]; `None` when it is inexact (more digits than it keeps).
    pub fn from_number(n: &Number) -> Option<Self> {
        if !n.is_exact() {
            return None;
        }
        Self::new(n.is_negative(), &n.mantissa().to_string(), n.exponent() as i64)
    }
}

impl Tree {
    /// Builds the tree of a whole document from its tokens.
    pub fn from_tokens(tokens: &[Token]) -> Tree {
        let mut iter = tokens.iter();
        let tree = Self::next(&mut iter).expect("a document has a value");
        assert!(iter.next().is_none(), "tokens after the document's value");
        tree
    }

    fn next(iter: &mut std::slice::Iter<'_, Token>) -> Option<Tree> {
        Some(match iter.next()? {
            Token::Null => Tree::Null,
            Token::Bool(b) => Tree::Bool(*b),
            Token::Number(n) => Tree::Number(Canonical::from_number(n)),
            Token::Str(s) => Tree::Str(s.clone()),
            Token::ArrayStart => {
                let mut items = Vec::new();
                while let Some(item) = Self::next(iter) {
                    items.push(item);
                }
                Tree::Array(items)
            }
            Token::ObjectStart => {
                let mut members = BTreeMap::new();
                loop {
                    match iter.next().expect("an object ends") {
                        Token::ObjectEnd => break,
                        Token::Key(k) => {
                            let value = Self::next(iter).expect("a member has a value");
                            members.insert(k.clone(), value);
                        }
                        other => panic!("{other:?} where a key belongs"),
                    }
                }
                Tree::Object(members)
            }
            // The end of the array being read.
            Token::ArrayEnd => return None,
            other => panic!("{other:?} where a value belongs"),
        })
    }

    /// The same tree from a `serde_json` value.
    pub fn from_serde(value: &serde_json::Value) -> Tree {
        use serde_json::Value;
        match value {
            Value::Null => Tree::Null,
            Value::Bool(b) => Tree::Bool(*b),
            Value::Number(n) => Tree::Number(Canonical::from_text(&n.to_string())),
            Value::String(s) => Tree::Str(s.clone()),
            Value::Array(items) => Tree::Array(items.iter().map(Self::from_serde).collect()),
            Value::Object(members) => {
                Tree::Object(members.iter().map(|(k, v)| (k.clone(), Self::from_serde(v))).collect())
            }
        }
    }
}

/// Decodes `%XX` escapes; `None` if an escape is malformed or a byte that must be escaped
/// (anything but RFC 3986 unreserved) appears literally.
pub fn percent_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b == b'%' {
            let hex = std::str::from_utf8(s.get(i + 1..i + 3)?).ok()?;
            if !hex.bytes().all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(&h)) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b);
            i += 1;
        } else {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use apify_core::json::Parser;

    fn tree(doc: &[u8]) -> Tree {
        let mut parser = Parser::<8>::new();
        let mut record = Record::default();
        parser.feed(doc, &mut record).unwrap();
        parser.finish(&mut record).unwrap();
        Tree::from_tokens(&record.tokens)
    }

    fn serde(doc: &[u8]) -> Tree {
        Tree::from_serde(&serde_json::from_slice(doc).unwrap())
    }

    #[test]
    fn chunkings_cover_the_payload() {
        let payload: Vec<u8> = (0..=255).collect();
        for a in 0..=255u8 {
            for b in [0, 1, 7, 63, 200, 255] {
                let mut data = vec![a, b];
                data.extend_from_slice(&payload);
                let (rest, chunks) = split(&data).unwrap();
                assert_eq!(rest, &payload[..]);
                assert_eq!(chunks.concat(), payload, "header {a} {b}");
            }
        }
        assert!(split(b"x").is_none());
    }

    #[test]
    fn trees_compare_values_not_spelling() {
        let doc = br#"{"a":[1.50e1,-0,1e400,"x\u00e9"],"a":{"k":null,"t":true},"n":100}"#;
        assert_eq!(tree(doc), serde(doc));
        assert_eq!(tree(b"[15]"), serde(b"[1.5e1]"));
        assert_ne!(tree(b"[15]"), serde(b"[16]"));
        assert_ne!(tree(b"[0]"), serde(b"[-0]"));
        assert_ne!(tree(br#"["a"]"#), serde(br#"["b"]"#));
        assert_ne!(tree(br#"{"a":1}"#), serde(br#"{"b":1}"#));
        assert_ne!(tree(b"[[]]"), serde(b"[{}]"));
        // More digits than the core keeps: not compared.
        assert_eq!(tree(b"123456789012345678901234567890"), serde(b"1"));
    }

    #[test]
    fn percent_decoding_is_strict() {
        assert_eq!(percent_decode(b"a%20b~%C3%A9"), Some("a b~é".into()));
        assert_eq!(percent_decode(b"a b"), None);
        assert_eq!(percent_decode(b"%2f"), None);
        assert_eq!(percent_decode(b"%2"), None);
    }
}
