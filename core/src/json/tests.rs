use super::*;
use std::format;
use std::string::String;
use std::string::ToString;
use std::vec::Vec;

/// Records events with string fragments joined, so any chunking must give the same list.
#[derive(Default, Debug, PartialEq)]
struct Record {
    tokens: Vec<String>,
    pending: Option<String>,
}

impl Visitor for Record {
    type Error = SyntaxError;
    fn event(&mut self, event: Event<'_>) -> Result<(), SyntaxError> {
        let token = match event {
            Event::ObjectStart => "{".into(),
            Event::ObjectEnd => "}".into(),
            Event::ArrayStart => "[".into(),
            Event::ArrayEnd => "]".into(),
            Event::Key(f) | Event::Str(f) => {
                let tag = if matches!(event, Event::Key(_)) { "k:" } else { "s:" };
                assert_eq!(f.first, self.pending.is_none(), "first flag out of order");
                let acc = self.pending.get_or_insert_with(|| tag.into());
                acc.push_str(f.text);
                if !f.last {
                    return Ok(());
                }
                self.pending.take().unwrap()
            }
            Event::Number(n) => format!(
                "n:{}{}e{}{}",
                if n.is_negative() { "-" } else { "" },
                n.mantissa(),
                n.exponent(),
                if n.is_exact() { "" } else { "~" }
            ),
            Event::Bool(b) => format!("b:{b}"),
            Event::Null => "null".into(),
        };
        assert!(self.pending.is_none(), "string not finished before {token}");
        self.tokens.push(token);
        Ok(())
    }
}

fn parse_chunks<const D: usize>(chunks: &[&[u8]]) -> Result<Vec<String>, SyntaxError> {
    let mut parser = Parser::<D>::new();
    let mut rec = Record::default();
    for chunk in chunks {
        parser.feed(chunk, &mut rec)?;
    }
    parser.finish(&mut rec)?;
    Ok(rec.tokens)
}

fn parse(doc: &[u8]) -> Result<Vec<String>, SyntaxError> {
    parse_chunks::<32>(&[doc])
}

/// One-shot, every two-chunk split and byte by byte must agree.
fn assert_chunk_invariant(doc: &[u8]) -> Result<Vec<String>, SyntaxError> {
    let whole = parse(doc);
    for cut in 0..=doc.len() {
        assert_eq!(
            parse_chunks::<32>(&[&doc[..cut], &doc[cut..]]),
            whole,
            "split at {cut} of {:?}",
            String::from_utf8_lossy(doc)
        );
    }
    let bytes: Vec<&[u8]> = doc.chunks(1).collect();
    assert_eq!(parse_chunks::<32>(&bytes), whole, "byte by byte");
    whole
}

const VALID: &[&str] = &[
    "{}",
    "[]",
    " { } ",
    "0",
    "-0",
    "123",
    "-1.5e+10",
    "1E-2",
    "\"\"",
    "\"plain\"",
    "true",
    "false",
    "null",
    "[1,2,3]",
    "{\"a\":{\"b\":[true,false,null,{}]}}",
    "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
    "\"\\u0041\\u00e9\\u20AC\\uD83D\\uDE00\"",
    "\"é€😀 mixed ascii\"",
    // Split inside a character, then members for the fast path in the same chunk.
    "{\"é\":\"€\",\"key\":\"value\",\"n\":12,\"o\":{\"x\":\"😀\"}}",
    "{\"DATA_TRANSFER_EXTERNAL_GBYTES?\":3}",
    "[[[[[[[[[[]]]]]]]]]]",
    "\t\r\n[\t1\r,\n2 ]\n",
    "{\"\":\"\"}",
    "[\"\\u0000\"]",
    "123456789012345678901234567890",
    "1e999999999999999",
    "[1e-7, 0.0056211830505728715]",
    "\"\u{7f}\"",
];

const INVALID: &[(&str, SyntaxErrorKind, usize)] = &[
    ("", SyntaxErrorKind::UnexpectedEnd(Expected::Value), 0),
    (" ", SyntaxErrorKind::UnexpectedEnd(Expected::Value), 1),
    ("{", SyntaxErrorKind::UnexpectedEnd(Expected::KeyOrObjectEnd), 1),
    ("[1,]", SyntaxErrorKind::Unexpected { found: b']', expected: Expected::Value }, 3),
    ("{\"a\":1,}", SyntaxErrorKind::Unexpected { found: b'}', expected: Expected::Key }, 7),
    ("{\"a\" 1}", SyntaxErrorKind::Unexpected { found: b'1', expected: Expected::Colon }, 5),
    ("{1:2}", SyntaxErrorKind::Unexpected { found: b'1', expected: Expected::KeyOrObjectEnd }, 1),
    ("[1 2]", SyntaxErrorKind::Unexpected { found: b'2', expected: Expected::CommaOrArrayEnd }, 3),
    ("[1}", SyntaxErrorKind::Unexpected { found: b'}', expected: Expected::CommaOrArrayEnd }, 2),
    ("{\"a\":1]", SyntaxErrorKind::Unexpected { found: b']', expected: Expected::CommaOrObjectEnd }, 6),
    ("01", SyntaxErrorKind::TrailingCharacters, 1),
    ("1.", SyntaxErrorKind::UnexpectedEnd(Expected::Digit), 2),
    ("-", SyntaxErrorKind::UnexpectedEnd(Expected::Digit), 1),
    ("[-x]", SyntaxErrorKind::Unexpected { found: b'x', expected: Expected::Digit }, 2),
    ("[1e]", SyntaxErrorKind::Unexpected { found: b']', expected: Expected::Digit }, 3),
    ("+1", SyntaxErrorKind::Unexpected { found: b'+', expected: Expected::Value }, 0),
    (".5", SyntaxErrorKind::Unexpected { found: b'.', expected: Expected::Value }, 0),
    ("tru", SyntaxErrorKind::UnexpectedEnd(Expected::Literal), 3),
    ("trux", SyntaxErrorKind::Unexpected { found: b'x', expected: Expected::Literal }, 3),
    ("nul", SyntaxErrorKind::UnexpectedEnd(Expected::Literal), 3),
    ("True", SyntaxErrorKind::Unexpected { found: b'T', expected: Expected::Value }, 0),
    ("NaN", SyntaxErrorKind::Unexpected { found: b'N', expected: Expected::Value }, 0),
    ("\"abc", SyntaxErrorKind::UnexpectedEnd(Expected::StringEnd), 4),
    ("\"a\nb\"", SyntaxErrorKind::ControlCharacter, 2),
    ("\"\\x\"", SyntaxErrorKind::InvalidEscape, 2),
    ("\"\\u12G4\"", SyntaxErrorKind::Unexpected { found: b'G', expected: Expected::HexDigit }, 5),
    ("\"\\uD800\"", SyntaxErrorKind::LoneSurrogate, 7),
    ("\"\\uDC00\"", SyntaxErrorKind::LoneSurrogate, 6),
    ("\"\\uD800\\u0041\"", SyntaxErrorKind::LoneSurrogate, 12),
    ("\"\\uD800\\n\"", SyntaxErrorKind::LoneSurrogate, 8),
    ("{} {}", SyntaxErrorKind::TrailingCharacters, 3),
    ("[] x", SyntaxErrorKind::TrailingCharacters, 3),
    ("\u{feff}{}", SyntaxErrorKind::Unexpected { found: 0xef, expected: Expected::Value }, 0),
    ("'a'", SyntaxErrorKind::Unexpected { found: b'\'', expected: Expected::Value }, 0),
    ("[1,2", SyntaxErrorKind::UnexpectedEnd(Expected::CommaOrArrayEnd), 4),
    ("{\"a\":", SyntaxErrorKind::UnexpectedEnd(Expected::Value), 5),
];

#[test]
fn valid_documents_are_accepted_in_any_chunking() {
    for doc in VALID {
        let tokens = assert_chunk_invariant(doc.as_bytes());
        assert!(tokens.is_ok(), "{doc:?}: {tokens:?}");
    }
}

#[test]
fn invalid_documents_are_rejected_with_kind_and_offset() {
    for (doc, kind, offset) in INVALID {
        let err = assert_chunk_invariant(doc.as_bytes()).expect_err(doc);
        assert_eq!((err.kind(), err.offset()), (*kind, *offset), "{doc:?}");
    }
}

#[test]
fn invalid_utf8_is_rejected_even_when_split() {
    for (doc, offset) in [
        (&b"\"\xff\""[..], 1),
        (b"\"a\xc3\"", 2),
        (b"\"\xc3\x28\"", 1),
        (b"\"\xe2\x82\"", 1),
        (b"\"\xed\xa0\x80\"", 1),
        (b"\"\xf4\x90\x80\x80\"", 1),
        (b"\"\xc0\xaf\"", 1),
        (b"{\"k\xff\":1}", 3),
    ] {
        let whole = parse(doc).unwrap_err();
        assert_eq!(whole.kind(), SyntaxErrorKind::InvalidUtf8, "{doc:?}");
        assert_eq!(whole.offset(), offset, "{doc:?}");
        for cut in 0..=doc.len() {
            let split = parse_chunks::<32>(&[&doc[..cut], &doc[cut..]]).unwrap_err();
            assert_eq!(split, whole, "{doc:?} cut at {cut}");
        }
        let bytewise: Vec<&[u8]> = doc.chunks(1).collect();
        assert_eq!(parse_chunks::<32>(&bytewise).unwrap_err(), whole, "{doc:?} byte by byte");
    }
}

#[test]
fn events_spell_the_decoded_values() {
    let tokens = parse(br#"{"k\n":"\u00e9\ud83d\ude00","n":-12.50e1,"t":[true,null]}"#).unwrap();
    assert_eq!(tokens, ["{", "k:k\n", "s:é😀", "k:n", "n:-1250e-1", "k:t", "[", "b:true", "null", "]", "}"]);
    assert_eq!(parse(b"123456789012345678901").unwrap(), ["n:12345678901234567890e1~"]);
}

#[test]
fn top_level_number_needs_finish() {
    let mut parser = Parser::<4>::new();
    let mut rec = Record::default();
    assert_eq!(parser.feed(b"42", &mut rec), Ok(Status::Partial));
    assert!(rec.tokens.is_empty());
    parser.finish(&mut rec).unwrap();
    assert_eq!(rec.tokens, ["n:42e0"]);
    let mut parser = Parser::<4>::new();
    assert_eq!(parser.feed(b"42 ", &mut Validate), Ok(Status::Complete));
}

#[test]
fn depth_limit_is_an_error_not_a_crash() {
    let mut deep = Vec::new();
    deep.resize(100_000, b'[');
    deep.resize(200_000, b']');
    let err = parse(&deep).unwrap_err();
    assert_eq!((err.kind(), err.offset()), (SyntaxErrorKind::TooDeep { limit: 32 }, 32));
    let ok: Vec<u8> = core::iter::repeat_n(b'[', 32).chain(core::iter::repeat_n(b']', 32)).collect();
    assert!(parse(&ok).is_ok());
    let err = parse_chunks::<2>(&[b"{\"a\":[{}]}"]).unwrap_err();
    assert_eq!(err.kind(), SyntaxErrorKind::TooDeep { limit: 2 });
}

#[test]
fn errors_are_final() {
    let mut parser = Parser::<4>::new();
    let first = parser.feed(b"[1,,", &mut Validate).unwrap_err();
    assert_eq!(parser.feed(b"2]", &mut Validate), Err(first));
    assert_eq!(parser.feed(b"", &mut Validate), Err(first));
    assert_eq!(parser.finish(&mut Validate), Err(first));
    // Also after an error inside a string, where small chunks would take a shortcut.
    let mut parser = Parser::<4>::new();
    let first = parser.feed(b"[\"a\x01", &mut Validate).unwrap_err();
    for chunk in [&b""[..], b"b", b"\""] {
        assert_eq!(parser.feed(chunk, &mut Validate), Err(first));
    }
}

#[test]
fn visitor_errors_stop_the_parse() {
    struct Refuse;
    impl Visitor for Refuse {
        type Error = SyntaxError;
        fn event(&mut self, e: Event<'_>) -> Result<(), SyntaxError> {
            if e == Event::Null { Err(SyntaxError::new(SyntaxErrorKind::InvalidEscape, 99)) } else { Ok(()) }
        }
    }
    let mut parser = Parser::<4>::new();
    assert_eq!(parser.feed(b"[null", &mut Refuse).unwrap_err().offset(), 99);
    assert_eq!(parser.feed(b"]", &mut Refuse).unwrap_err().kind(), SyntaxErrorKind::Aborted);
}

#[test]
fn matches_serde_json_verdicts() {
    let mut docs: Vec<&str> = VALID.to_vec();
    docs.extend(INVALID.iter().map(|(d, _, _)| *d));
    for doc in docs {
        let ours = parse(doc.as_bytes()).is_ok();
        let theirs = match serde_json::from_str::<serde_json::Value>(doc) {
            Ok(_) => true,
            // serde_json refuses numbers beyond f64, which RFC 8259 allows.
            Err(e) if e.to_string().contains("number out of range") => true,
            Err(_) => false,
        };
        assert_eq!(ours, theirs, "{doc:?}");
    }
}

mod select {
    use super::*;

    fn selected(path: &[&str], doc: &[u8]) -> Vec<String> {
        let mut select = Select::new(path, Record::default());
        let mut parser = Parser::<16>::new();
        for b in doc.chunks(3) {
            parser.feed(b, &mut select).unwrap();
        }
        parser.finish(&mut select).unwrap();
        select.into_inner().tokens
    }

    #[test]
    fn joining_mid_document_does_not_panic() {
        let mut select = Select::new(&["a"], Record::default());
        for event in [Event::ObjectEnd, Event::ArrayEnd, Event::ObjectStart, Event::ObjectEnd] {
            select.event(event).unwrap();
        }
        assert!(select.into_inner().tokens.is_empty());
    }

    #[test]
    fn picks_values_by_path() {
        let doc = br#"{"data":{"a":{"b":1},"x":[{"b":2}],"c":"long string","b":3,"nest":{"a":{"b":{"deep":[1]}}}},"b":4}"#;
        assert_eq!(selected(&["data", "b"], doc), ["n:3e0"]);
        assert_eq!(selected(&["b"], doc), ["n:4e0"]);
        assert_eq!(selected(&["data", "a", "b"], doc), ["n:1e0"]);
        assert_eq!(selected(&["data", "c"], doc), ["s:long string"]);
        assert_eq!(
            selected(&["data", "nest", "a"], doc),
            ["{", "k:b", "{", "k:deep", "[", "n:1e0", "]", "}", "}"]
        );
        assert_eq!(selected(&["data", "x", "b"], doc), Vec::<String>::new());
        assert_eq!(selected(&["data", "missing"], doc), Vec::<String>::new());
        assert_eq!(selected(&["dat"], doc), Vec::<String>::new());
        assert_eq!(selected(&[], b"[1]"), ["[", "n:1e0", "]"]);
        assert_eq!(selected(&["a"], b"[{\"a\":1}]"), Vec::<String>::new());
    }
}

#[test]
fn errors_come_in_document_order_whatever_the_chunking() {
    // Found by the json_parser fuzzer: invalid UTF-8 early in a long string, then another
    // error later in it (a chunked parse sees the bytes before the one-shot parse does).
    let cases: [(&[u8], SyntaxErrorKind, usize); 7] = [
        (b"\"\x91aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\x01\"", SyntaxErrorKind::InvalidUtf8, 1),
        (b"\"\x91aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\x\"", SyntaxErrorKind::InvalidUtf8, 1),
        (b"[\"\x91aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", SyntaxErrorKind::InvalidUtf8, 2),
        (b"\"ab\xe2\x82\x01\"", SyntaxErrorKind::InvalidUtf8, 3),
        (b"\"ab\xe2\x82\\n\"", SyntaxErrorKind::InvalidUtf8, 3),
        // Found by the fuzzers: a character's lead byte at a chunk end, then ASCII.
        (b"\"\xe2]", SyntaxErrorKind::InvalidUtf8, 1),
        // A chunk that finishes a cut character, then invalid UTF-8 further on in it.
        (b"[\"\xc3\xa9x\",\"ab\xff\"]", SyntaxErrorKind::InvalidUtf8, 10),
    ];
    for (doc, kind, offset) in cases {
        let err = assert_chunk_invariant(doc).expect_err("invalid");
        assert_eq!((err.kind(), err.offset()), (kind, offset), "{doc:?}");
    }
}

#[test]
fn short_strings_arrive_whole_in_any_chunking() {
    /// Fails on any string or key that comes in more than one fragment.
    struct Whole(usize);
    impl Visitor for Whole {
        type Error = SyntaxError;
        fn event(&mut self, event: Event<'_>) -> Result<(), SyntaxError> {
            if let Event::Key(f) | Event::Str(f) = event {
                assert!(f.whole().is_some(), "{f:?} is a piece");
                self.0 += 1;
            }
            Ok(())
        }
    }
    // Every string's text at most 32 bytes (the pending buffer): ASCII, multi-byte
    // characters that any chunking may cut, escapes.
    let doc = r#"{"id":"HG7ML7M8z78YcAPEB","statusMessage":"Actor finished, 123","stats":{"x":1},"":"","k":["abcdefghijklmnopqrstuvwxyz012345","y"],"é":"éééééééééééééééé","m":"€€€€€€€€€€ab","e":"a\n\u00e9\ud83d\ude00b"}"#.as_bytes();
    for size in 1..=doc.len() {
        let mut parser = Parser::<8>::new();
        let mut whole = Whole(0);
        for chunk in doc.chunks(size) {
            parser.feed(chunk, &mut whole).unwrap();
        }
        parser.finish(&mut whole).unwrap();
        assert_eq!(whole.0, 17, "chunks of {size}");
    }
}

#[test]
fn every_key_and_short_value_of_the_fixtures_arrives_whole_at_any_chunk_size() {
    /// Collects the keys and string values that came in pieces.
    struct Pieces(Vec<String>, Option<String>);
    impl Visitor for Pieces {
        type Error = SyntaxError;
        fn event(&mut self, event: Event<'_>) -> Result<(), SyntaxError> {
            if let Event::Key(f) | Event::Str(f) = event {
                if f.whole().is_none() {
                    self.1.get_or_insert_with(String::new).push_str(f.text);
                    if f.last {
                        self.0.extend(self.1.take());
                    }
                }
            }
            Ok(())
        }
    }
    for (name, doc) in crate::test_fixtures::ALL {
        for size in 1..=80 {
            let mut parser = Parser::<32>::new();
            let mut pieces = Pieces(Vec::new(), None);
            for chunk in doc.chunks(size) {
                parser.feed(chunk, &mut pieces).unwrap();
            }
            parser.finish(&mut pieces).unwrap();
            for text in pieces.0 {
                // Only text longer than the pending buffer may come in pieces.
                assert!(text.len() > strings::PENDING, "{name} in chunks of {size}: {text:?} came in pieces");
            }
        }
    }
}

#[test]
fn offsets_wrap_instead_of_overflowing() {
    // As after 4 GiB on a 32-bit target: the count wraps, in every build, and so do offsets
    // computed from it within a chunk.
    let mut parser = Parser::<4>::new();
    parser.feed(b"[1] ", &mut Validate).unwrap();
    parser.offset = usize::MAX - 1;
    assert_eq!(parser.feed(b"    ", &mut Validate), Ok(Status::Complete));
    assert_eq!(parser.offset(), 2);
    parser.offset = usize::MAX - 1;
    let e = parser.feed(b"   x", &mut Validate).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (SyntaxErrorKind::TrailingCharacters, 1));
    let mut parser = Parser::<4>::new();
    parser.offset = usize::MAX - 1;
    let e = parser.feed(b"[\"abc\xff\"]", &mut Validate).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (SyntaxErrorKind::InvalidUtf8, 3));
}
