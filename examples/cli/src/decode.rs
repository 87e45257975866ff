//! `apify-run decode`: what a device would make of a response body.

use std::io::Read;

use lexopt::ValueExt;

use apify_core::decode::{Decoded, ResponseDecoder};
use apify_core::http::{Outcome, ResponseHead, ResponseReader, RetryAfter};
use apify_core::json::{Parser, Validate};

use crate::exit::{self, Failure, fail};

pub(crate) fn run(mut args: lexopt::Parser) -> Result<u8, Failure> {
    let mut chunk = None;
    let mut validate = false;
    let mut http = false;
    while let Some(arg) = args.next()? {
        match arg {
            lexopt::Arg::Long("chunk") => {
                let n: usize = args.value()?.parse()?;
                if n == 0 {
                    return Err(exit::usage("--chunk must be at least 1".into()));
                }
                chunk = Some(n);
            }
            lexopt::Arg::Long("validate") => validate = true,
            lexopt::Arg::Long("http") => http = true,
            other => return Err(other.unexpected().into()),
        }
    }
    if validate && http {
        return Err(exit::usage("--validate and --http are alternatives: choose one".into()));
    }
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .map_err(|e| fail(exit::MALFORMED, format!("reading stdin: {e}")))?;
    let chunk = chunk.unwrap_or(input.len().max(1));
    if validate {
        return validate_json(&input, chunk);
    }
    if http {
        return decode_http(&input, chunk);
    }
    let mut decoder = ResponseDecoder::<64>::new();
    let malformed = |e: &dyn std::fmt::Display| fail(exit::MALFORMED, format!("{e}"));
    for piece in input.chunks(chunk) {
        decoder.feed(piece).map_err(|e| malformed(&e))?;
    }
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

fn validate_json(input: &[u8], chunk: usize) -> Result<u8, Failure> {
    // Deep enough for any document a person would pass here; deeper is reported, not a crash.
    let mut parser = Parser::<1024>::new();
    for piece in input.chunks(chunk) {
        parser.feed(piece, &mut Validate).map_err(|e| fail(exit::MALFORMED, e.to_string()))?;
    }
    parser.finish(&mut Validate).map_err(|e| fail(exit::MALFORMED, e.to_string()))?;
    Ok(exit::SUCCESS)
}

/// A whole HTTP response: `{"status": N, "headers": {...}, "body": <run or error>}`, or
/// `"bodyPrefix"` for an error status whose body is not the API's JSON.
fn decode_http(input: &[u8], chunk: usize) -> Result<u8, Failure> {
    let malformed = |e: &dyn std::fmt::Display| fail(exit::MALFORMED, format!("{e}"));
    let mut reader = ResponseReader::<64>::new();
    for piece in input.chunks(chunk) {
        reader.feed(piece).map_err(|e| malformed(&e))?;
    }
    let response = reader.finish().map_err(|e| malformed(&e))?;
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
