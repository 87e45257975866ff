//! `apify-run decode`: what a device would make of a response body.

use std::io::Read;

use lexopt::ValueExt;

use apify_core::decode::{Decoded, ResponseDecoder};
use apify_core::json::{Parser, Validate};

use crate::exit::{self, Failure, fail};

pub(crate) fn run(mut args: lexopt::Parser) -> Result<u8, Failure> {
    let mut chunk = None;
    let mut validate = false;
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
            other => return Err(other.unexpected().into()),
        }
    }
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .map_err(|e| fail(exit::MALFORMED, format!("reading stdin: {e}")))?;
    let chunk = chunk.unwrap_or(input.len().max(1));
    if validate {
        return validate_json(&input, chunk);
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
    println!("{out}");
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
