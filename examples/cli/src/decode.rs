//! `apify-run decode`: what a device would make of a response body.

use std::io::Read;

use apify_core::decode::{Decoded, ResponseDecoder};
use apify_core::http::{Outcome, ReadError, ResponseHead, ResponseReader, RetryAfter};
use apify_core::json::{Parser, SyntaxError, Validate};

use crate::args::DecodeArgs;
use crate::exit::{self, Failure, fail};

/// Bytes read from stdin per call: the input is decoded as it arrives, so memory stays the
/// same whatever its size.
const READ: usize = 64 << 10;

/// `apify-run decode [--chunk N] [--validate | --http]`.
pub(crate) fn run(args: &DecodeArgs) -> Result<u8, Failure> {
    let chunk = args.chunk.map_or(READ, |n| n as usize);
    if args.validate {
        let mut parser = Parser::<1024>::new();
        let malformed = |e: SyntaxError| fail(exit::MALFORMED, e.to_string());
        each_chunk(chunk, |piece| parser.feed(piece, &mut Validate).map(|_| ()).map_err(malformed))?;
        parser.finish(&mut Validate).map_err(malformed)?;
        return Ok(exit::SUCCESS);
    }
    if args.http {
        return decode_http(chunk);
    }
    let mut decoder = ResponseDecoder::<64>::new();
    let malformed = |e: &dyn std::fmt::Display| fail(exit::MALFORMED, format!("{e}"));
    each_chunk(chunk, |piece| decoder.feed(piece).map(|_| ()).map_err(|e| malformed(&e)))?;
    let mut out = String::new();
    let code = match decoder.finish().map_err(|e| malformed(&e))? {
        Decoded::Run(run) => {
            run.write_json(&mut out).map_err(|e| malformed(&e))?;
            exit::SUCCESS
        }
        Decoded::Error(error) => {
            error.write_json(&mut out).map_err(|e| malformed(&e))?;
            exit::API_ERROR
        }
    };
    crate::out::line(out);
    Ok(code)
}

/// Reads stdin as it arrives and hands it on in pieces of at most `chunk` bytes.
fn each_chunk(chunk: usize, mut feed: impl FnMut(&[u8]) -> Result<(), Failure>) -> Result<(), Failure> {
    let mut buffer = vec![0; chunk.min(READ)];
    let mut stdin = std::io::stdin().lock();
    loop {
        let n = match stdin.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(fail(exit::MALFORMED, format!("reading stdin: {e}"))),
        };
        for piece in buffer[..n].chunks(chunk) {
            feed(piece)?;
        }
    }
}

/// A whole HTTP response: `{"status": N, "headers": {...}, "body": <run or error>}`, or
/// `"bodyPrefix"` for an error status whose body is not the API's JSON.
fn decode_http(chunk: usize) -> Result<u8, Failure> {
    let mut reader = ResponseReader::<64>::new();
    let mut first = None;
    // Every response starts with `HTTP/`: anything else (a JSON body, say) is named as such,
    // not as whatever the head parser tripped over first.
    let malformed = |e: ReadError, first: Option<u8>| match first {
        Some(b'H') => fail(exit::MALFORMED, e.to_string()),
        Some(b'{' | b'[') => {
            fail(exit::MALFORMED, "input is not an HTTP response (it looks like a body: drop --http)".into())
        }
        _ => fail(exit::MALFORMED, "input is not an HTTP response (it should start with `HTTP/1.1`)".into()),
    };
    each_chunk(chunk, |piece| {
        first = first.or(piece.first().copied());
        reader.feed(piece).map(|_| ()).map_err(|e| malformed(e, first))
    })?;
    let response = reader.finish().map_err(|e| malformed(e, first))?;
    let malformed = |e: &dyn std::fmt::Display| fail(exit::MALFORMED, format!("{e}"));
    let mut out =
        format!("{{\"status\":{},\"headers\":{}", response.head.status, headers_json(response.head));
    let code = match response.outcome {
        Outcome::Run(run) => {
            out.push_str(",\"body\":");
            run.write_json(&mut out).map_err(|e| malformed(&e))?;
            if response.head.is_success() { exit::SUCCESS } else { exit::API_ERROR }
        }
        Outcome::ApiError(error) => {
            out.push_str(",\"body\":");
            error.write_json(&mut out).map_err(|e| malformed(&e))?;
            exit::API_ERROR
        }
        Outcome::OtherBody { body_prefix } => {
            out.push_str(",\"bodyPrefix\":");
            push_json_string(&mut out, &String::from_utf8_lossy(body_prefix));
            exit::API_ERROR
        }
        _ => exit::MALFORMED,
    };
    out.push('}');
    crate::out::line(out);
    Ok(code)
}

fn headers_json(head: &ResponseHead) -> String {
    let mut fields: Vec<(&str, String)> = Vec::new();
    if let Some(n) = head.content_length {
        fields.push(("Content-Length", n.to_string()));
    }
    if head.chunked {
        fields.push(("Transfer-Encoding", "chunked".into()));
    }
    if let Some(t) = &head.content_type {
        fields.push(("Content-Type", t.to_string()));
    }
    if let Some(t) = &head.location {
        fields.push(("Location", t.to_string()));
    }
    match head.retry_after() {
        Some(RetryAfter::Seconds(s)) => fields.push(("Retry-After", s.to_string())),
        Some(RetryAfter::At(unix)) => fields.push(("Retry-After", format!("@{unix}"))),
        None => {}
    }
    if let Some(n) = head.rate_limit {
        fields.push(("X-RateLimit-Limit", n.to_string()));
    }
    let mut out = String::from("{");
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(&mut out, name);
        out.push(':');
        push_json_string(&mut out, value);
    }
    out.push('}');
    out
}

pub(crate) fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
