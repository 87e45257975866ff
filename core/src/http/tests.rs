use super::*;
use crate::test_fixtures;
use proptest::prelude::*;
use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

/// An owned summary of a finished response, comparable across chunkings.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
enum Summary {
    Run(ResponseHead, Run),
    Api(ResponseHead, Run),
    Http(ResponseHead, Vec<u8>),
}

fn read_chunks(chunks: &[&[u8]]) -> Result<Summary, ReadError> {
    let mut reader = ResponseReader::<20>::new();
    for chunk in chunks {
        reader.feed(chunk)?;
    }
    let response = reader.finish()?;
    let head = response.head.clone();
    Ok(match response.outcome {
        Outcome::Run(run) => Summary::Run(head, run.clone()),
        Outcome::ApiError(e) => Summary::Api(head, e.run().clone()),
        Outcome::OtherBody { body_prefix } => Summary::Http(head, body_prefix.to_vec()),
    })
}

fn read(bytes: &[u8]) -> Result<Summary, ReadError> {
    read_chunks(&[bytes])
}

fn with_length(status: &str, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!("HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\n{extra}Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    r.extend_from_slice(body);
    r
}

fn chunked(status: &str, body: &[u8], sizes: &[usize]) -> Vec<u8> {
    let mut r = format!("HTTP/1.1 {status}\r\nTransfer-Encoding: chunked\r\nX-Other: x\r\n\r\n").into_bytes();
    let mut rest = body;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes.get(i).copied().unwrap_or(7).clamp(1, rest.len());
        r.extend_from_slice(format!("{n:x}").as_bytes());
        if i % 3 == 1 {
            r.extend_from_slice(b";name=\"value\"");
        }
        r.extend_from_slice(b"\r\n");
        r.extend_from_slice(&rest[..n]);
        r.extend_from_slice(b"\r\n");
        rest = &rest[n..];
        i += 1;
    }
    r.extend_from_slice(b"0\r\nX-Trailer: done\r\n\r\n");
    r
}

fn until_close(status: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!("HTTP/1.0 {status}\r\nServer: test\r\n\r\n").into_bytes();
    r.extend_from_slice(body);
    r
}

fn status_for(name: &str) -> &'static str {
    match name.split('_').nth(1) {
        _ if name.starts_with("run") => "201 Created",
        Some("400") => "400 Bad Request",
        Some("401") => "401 Unauthorized",
        Some("402") => "402 Payment Required",
        Some("403") => "403 Forbidden",
        Some("404") => "404 Not Found",
        Some("408") => "408 Request Timeout",
        _ => "429 Too Many Requests",
    }
}

fn assert_invariant(response: &[u8]) -> Result<Summary, ReadError> {
    let whole = read(response);
    for cut in 0..=response.len() {
        assert_eq!(read_chunks(&[&response[..cut], &response[cut..]]), whole, "split at {cut}");
    }
    let singles: Vec<&[u8]> = response.chunks(1).collect();
    assert_eq!(read_chunks(&singles), whole, "byte by byte");
    whole
}

#[test]
fn every_fixture_in_every_framing_and_chunking() {
    for (name, body) in test_fixtures::ALL {
        let status = status_for(name);
        let framings = [
            with_length(status, "", body),
            chunked(status, body, &[1, 100, 3, 64]),
            until_close(status, body),
        ];
        let mut outcomes = Vec::new();
        for response in &framings {
            let summary = assert_invariant(response).unwrap_or_else(|e| panic!("{name}: {e}"));
            outcomes.push(summary);
        }
        for pair in outcomes.windows(2) {
            match (&pair[0], &pair[1]) {
                (Summary::Run(_, a), Summary::Run(_, b)) => assert_eq!(a, b, "{name}"),
                (Summary::Api(h1, a), Summary::Api(h2, b)) => {
                    assert!(a == b && h1.status == h2.status, "{name}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        let is_run = name.starts_with("run");
        assert_eq!(matches!(outcomes[0], Summary::Run(..)), is_run, "{name}");
    }
}

proptest! {
    #[test]
    fn random_chunk_sizes_and_random_feeds(
        fixture in 0..test_fixtures::ALL.len(),
        sizes in proptest::collection::vec(1usize..300, 1..20),
        feed in 1usize..97,
    ) {
        let (name, body) = test_fixtures::ALL[fixture];
        let response = chunked(status_for(name), body, &sizes);
        let pieces: Vec<&[u8]> = response.chunks(feed).collect();
        prop_assert_eq!(read_chunks(&pieces), read(&with_length(status_for(name), "", body)).map(|s| match s {
            // The framings differ only in the head fields they carry.
            Summary::Run(_, run) => Summary::Run(chunked_head(201), run),
            Summary::Api(h, e) => Summary::Api(chunked_head(h.status), e),
            other => other,
        }));
    }
}

fn chunked_head(status: u16) -> ResponseHead {
    let mut head = ResponseHead::new(status);
    head.chunked = true;
    head
}

#[test]
fn kept_header_fields() {
    let body = test_fixtures::get("error_429_rate_limit_exceeded.json");
    let r = with_length(
        "429 Too Many Requests",
        "retry-after: 7\r\nX-RateLimit-Limit:  400 \r\nX-Ignored: \x7e\r\n",
        body,
    );
    let Summary::Api(head, error) = read(&r).unwrap() else { panic!() };
    assert_eq!(
        (head.status, head.retry_after(), head.rate_limit),
        (429, Some(RetryAfter::Seconds(7)), Some(400))
    );
    assert_eq!(head.content_type.unwrap().as_str(), "application/json; charset=utf-8");
    assert!(crate::model::ApiError(&error).error_type().unwrap().as_str() == "rate-limit-exceeded");
    let r = with_length("503 Service Unavailable", "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n", b"");
    let Summary::Http(head, prefix) = read(&r).unwrap() else { panic!() };
    assert_eq!(head.retry_after(), Some(RetryAfter::At(1_445_412_480)));
    assert!(prefix.is_empty());
    let location = "https://api.apify.com/v2/actor-tasks/zdc3Pyhyz3m8vjDeM/runs/HG7ML7M8z78YcAPEB";
    let r = with_length(
        "201 Created",
        &format!("Location: {location}\r\n"),
        test_fixtures::get("run_ready_minimal.json"),
    );
    let Summary::Run(head, _) = read(&r).unwrap() else { panic!() };
    assert_eq!(head.location.unwrap().as_str(), location);
}

#[test]
fn long_kept_fields_are_flagged_ignored_or_refused() {
    let long = format!("https://api.apify.com/v2/actor-runs/{}", "x".repeat(300));
    let fields = format!(
        "Location: {long}\r\nContent-Type: application/json; {}\r\nRetry-After: {}\r\n",
        "p=1; ".repeat(40),
        "9".repeat(300)
    );
    let r = with_length("201 Created", &fields, test_fixtures::get("run_ready_minimal.json"));
    let Summary::Run(head, _) = read(&r).unwrap() else { panic!() };
    let location = head.location.clone().unwrap();
    assert!(location.is_truncated() && long.starts_with(location.as_str()), "{location:?}");
    let content_type = head.content_type.clone().unwrap();
    assert!(content_type.is_truncated() && content_type.as_str().starts_with("application/json; p=1"));
    assert_eq!(head.retry_after(), None);
    let r = with_length("200 OK", &format!("Content-Length: {}\r\n", "0".repeat(300)), b"{}");
    assert_eq!(read(&r).unwrap_err(), ReadError::InvalidHeader);
}

#[test]
fn non_api_error_bodies_keep_a_prefix() {
    let html =
        format!("<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>", "x".repeat(300));
    for response in [
        with_length("502 Bad Gateway", "", html.as_bytes()),
        chunked("502 Bad Gateway", html.as_bytes(), &[10]),
        until_close("502 Bad Gateway", html.as_bytes()),
    ] {
        let Summary::Http(head, prefix) = assert_invariant(&response).unwrap() else { panic!() };
        assert_eq!(head.status, 502);
        assert_eq!(prefix, &html.as_bytes()[..BODY_PREFIX_CAPACITY]);
    }
    // An error status with JSON that is not the API's shape is also a plain HTTP error.
    let Summary::Http(_, prefix) =
        read(&with_length("500 Internal Server Error", "", b"{\"oops\":1}")).unwrap()
    else {
        panic!()
    };
    assert_eq!(prefix, b"{\"oops\":1}");
    let Summary::Http(_, prefix) =
        read(&with_length("500 Internal Server Error", "", b"{\"data\":")).unwrap()
    else {
        panic!()
    };
    assert_eq!(prefix, b"{\"data\":");
}

#[test]
fn interim_and_bodiless_responses() {
    let mut r = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n".to_vec();
    r.extend_from_slice(&with_length("201 Created", "", test_fixtures::get("run-task-201.json")));
    assert!(matches!(assert_invariant(&r), Ok(Summary::Run(..))));
    let r = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
    assert!(matches!(read(r), Err(ReadError::Body(DecodeError::Json(_)))));
    let r = b"HTTP/1.1 304 Not Modified\r\n\r\n";
    assert_eq!(read(r), Ok(Summary::Http(ResponseHead::new(304), Vec::new())));
}

#[test]
fn a_2xx_body_must_be_valid() {
    let r = with_length("200 OK", "", b"<html>");
    assert!(matches!(read(&r), Err(ReadError::Body(DecodeError::Json(_)))));
    let r = with_length("200 OK", "", b"{}");
    assert_eq!(read(&r), Err(ReadError::Body(DecodeError::NoDataOrError)));
    let r = until_close("201 Created", b"");
    assert!(matches!(read(&r), Err(ReadError::Body(_))));
}

#[test]
fn malformed_responses_each_have_their_error() {
    let long_line = format!("HTTP/1.1 200 OK\r\nX-Long: {}\r\n\r\n", "a".repeat(9000));
    let many = format!("HTTP/1.1 200 OK\r\n{}\r\n", "A: b\r\n".repeat(101));
    let cases: Vec<(Vec<u8>, ReadError)> = vec![
        (b"".to_vec(), ReadError::NoResponse),
        (b"HTTP/1.1 201 Created\r\nContent-Len".to_vec(), ReadError::TruncatedHead),
        (b"HTTP/2 200\r\n\r\n".to_vec(), ReadError::InvalidStatusLine),
        (b"HTTP/1.2 200 OK\r\n\r\n".to_vec(), ReadError::UnsupportedVersion),
        (b"ICY 200 OK\r\n\r\n".to_vec(), ReadError::InvalidStatusLine),
        (b"HTTP/1.1 20 OK\r\n\r\n".to_vec(), ReadError::InvalidStatusLine),
        (b"HTTP/1.1 2000 OK\r\n\r\n".to_vec(), ReadError::InvalidStatusLine),
        (b"HTTP/1.1 099 OK\r\n\r\n".to_vec(), ReadError::InvalidStatusLine),
        (b"HTTP/1.1 200 OK\n\n".to_vec(), ReadError::BareLf),
        (b"HTTP/1.1 200 OK\r\nA: b\n\r\n".to_vec(), ReadError::BareLf),
        (b"HTTP/1.1 200 OK\r\nA: b\rX\r\n\r\n".to_vec(), ReadError::BareCr),
        (long_line.into_bytes(), ReadError::LineTooLong { limit: 8192 }),
        (many.into_bytes(), ReadError::TooManyHeaders { limit: 100 }),
        (b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n".to_vec(), ReadError::InvalidHeader),
        (b"HTTP/1.1 200 OK\r\nA: b\r\n  folded\r\n\r\n".to_vec(), ReadError::ObsoleteLineFolding),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n".to_vec(), ReadError::InvalidContentLength),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n".to_vec(),
            ReadError::InvalidContentLength,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n".to_vec(),
            ReadError::InvalidContentLength,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n".to_vec(),
            ReadError::UnsupportedEncoding,
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n".to_vec(), ReadError::UnsupportedEncoding),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
            ReadError::InvalidChunkSize,
        ),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n".to_vec(), ReadError::InvalidChunkSize),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n".to_vec(),
            ReadError::ChunkSizeTooLong { limit: 16 },
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX".to_vec(),
            ReadError::ChunkNotTerminated,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n".to_vec(),
            ReadError::TruncatedBody { received: 2 },
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"data\"".to_vec(),
            ReadError::TruncatedBody { received: 7 },
        ),
        (
            with_length("404 Not Found", "", b"{\"error\":{}}").into_iter().chain(*b"junk").collect(),
            ReadError::TrailingData,
        ),
        (
            chunked("404 Not Found", b"{\"error\":{}}", &[4]).into_iter().chain(*b"\r\n").collect(),
            ReadError::TrailingData,
        ),
    ];
    for (response, expected) in cases {
        let got = assert_invariant(&response).unwrap_err();
        assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(&response));
    }
}

#[test]
fn errors_are_final_and_reset_reuses() {
    let mut reader = ResponseReader::<20>::new();
    let first = reader.feed(b"HTTP/9.9 200 OK\r\n").unwrap_err();
    assert_eq!(reader.feed(b"more"), Err(first));
    assert_eq!(reader.finish().unwrap_err(), first);
    reader.reset();
    reader
        .feed(&with_length("404 Not Found", "", test_fixtures::get("error_404_record_not_found.json")))
        .unwrap();
    assert!(matches!(reader.finish().unwrap().outcome, Outcome::ApiError(_)));
}

#[test]
fn heads_parsed_elsewhere_use_the_same_rules() {
    let mut head = ResponseHead::new(201);
    head.apply_header(b"Location", b"https://api.apify.com/v2/actor-runs/x").unwrap();
    assert_eq!(head.apply_header(b"Content-Encoding", b"gzip"), Err(ReadError::UnsupportedEncoding));
    // What the parser refuses in a head, `apply_header` refuses too, and leaves the head as it was.
    let before = head.clone();
    for (name, value) in [
        (&b"Location"[..], &b"https://x/\xff"[..]),
        (b"X-Note", b"a\x1b[2Jb"),
        (b"X-Note", b"a\r\nLocation: forged"),
        (b"Bad Name", b"1"),
        (b"", b"1"),
        (b"Content-Length", b"12x"),
    ] {
        assert!(head.apply_header(name, value).is_err(), "{name:?}: {value:?}");
        let mut reader = ResponseReader::<20>::new();
        let mut bytes = b"HTTP/1.1 200 OK\r\n".to_vec();
        bytes.extend_from_slice(name);
        bytes.push(b':');
        bytes.extend_from_slice(value);
        bytes.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
        let parsed =
            reader.feed(&bytes).map_err(|_| ()).and_then(|_| reader.finish().map(|_| ()).map_err(|_| ()));
        assert!(parsed.is_err() || value.contains(&b'\n'), "the head parser takes {name:?}: {value:?}");
    }
    assert_eq!(head, before);
    let mut reader = ResponseReader::<20>::with_head(head);
    for chunk in test_fixtures::get("run-task-201.json").chunks(100) {
        reader.feed(chunk).unwrap();
    }
    let response = reader.finish().unwrap();
    assert!(matches!(response.outcome, Outcome::Run(run) if run.is_terminal()));

    // The same fields give the same head either way, long ones included.
    let long = format!("https://api.apify.com/v2/actor-runs/{}", "x".repeat(300));
    let fields = [
        ("Location", long.as_str()),
        ("Content-Type", "application/json"),
        ("Retry-After", " 7 "),
        ("X-RateLimit-Limit", "400"),
        ("Content-Length", "2"),
    ];
    let mut by_hand = ResponseHead::new(503);
    for (name, value) in fields {
        by_hand.apply_header(name.as_bytes(), value.as_bytes()).unwrap();
    }
    let lines: String = fields.iter().map(|(name, value)| format!("{name}:{value}\r\n")).collect();
    let mut reader = ResponseReader::<20>::new();
    reader.feed(format!("HTTP/1.1 503 Busy\r\n{lines}\r\n{{}}").as_bytes()).unwrap();
    assert_eq!(reader.finish().unwrap().head, &by_hand);
    assert!(by_hand.location.unwrap().is_truncated());
}

#[cfg(feature = "items")]
#[test]
fn pagination_headers_are_kept() {
    let response = b"HTTP/1.1 200 OK\r\nX-Apify-Pagination-Offset: 100\r\nx-apify-pagination-limit: 50\r\n\
        X-Apify-Pagination-Count: 50\r\nX-Apify-Pagination-Total: 1000000\r\nContent-Length: 0\r\n\r\n";
    for size in [1, 7, response.len()] {
        let mut reader = ResponseReader::<16>::new();
        for chunk in response.chunks(size) {
            reader.feed(chunk).unwrap();
        }
        let p = reader.head().unwrap().pagination;
        assert_eq!((p.offset, p.limit, p.count, p.total), (Some(100), Some(50), Some(50), Some(1_000_000)));
    }
    // An unreadable count is unknown, not an error; so is a missing one.
    let mut head = ResponseHead::new(200);
    head.apply_header(b"X-Apify-Pagination-Total", b"lots").unwrap();
    head.apply_header(b"X-Apify-Pagination-Count", b"3").unwrap();
    assert_eq!((head.pagination.total, head.pagination.count, head.pagination.offset), (None, Some(3), None));
}

#[test]
fn the_accepted_response_reads_again_without_mut() {
    let mut reader = ResponseReader::<16>::new();
    let bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 24\r\n\r\n{\"data\":{\"id\":\"abcdef\"}}";
    assert_eq!(reader.feed(bytes), Ok(Status::Complete));
    // Complete by its framing, not yet checked whole: nothing to read yet.
    assert!(reader.response().is_none());
    let first = reader.finish().map(|r| (r.head.status, format!("{:?}", r.outcome)));
    let again = reader.response().map(|r| (r.head.status, format!("{:?}", r.outcome)));
    assert_eq!(first.ok(), again);
    assert_eq!(reader.feed(b"x"), Err(ReadError::TrailingData));
    assert!(reader.response().is_none());
    reader.reset();
    assert!(reader.response().is_none());
}
