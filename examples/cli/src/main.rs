//! `apify-run`: start and follow Apify task runs, and inspect what a device would see.
//!
//! Subcommands (see `apify-run --help`):
//! - `decode [--chunk N] [--http | --validate]`: decode a response body (or a whole HTTP
//!   response) from stdin, fed in chunks of N bytes, and print the outcome as JSON.
//!
//! Exit codes are listed in [`exit`].

mod decode;
mod exit;

use std::process::ExitCode;

const USAGE: &str = "\
usage: apify-run <command> [options]

commands:
  decode [--chunk N] [--validate | --http]
        read a response body from stdin, feed it to the decoder in chunks of N bytes
        (default: all at once) and print the decoded run or API error as JSON;
        --validate only checks that stdin is exactly one valid JSON document;
        --http reads a whole HTTP response (head and body) and adds the status code
        and the kept header fields

exit codes: 0 run decoded / valid, 1 API error, 2 malformed input, 64 bad usage";

fn main() -> ExitCode {
    let mut args = lexopt::Parser::from_env();
    let result = match args.next() {
        Ok(Some(lexopt::Arg::Value(command))) => match command.to_str() {
            Some("decode") => decode::run(args),
            Some(other) => Err(exit::usage(format!("unknown command `{other}`"))),
            None => Err(exit::usage("the command is not valid UTF-8".into())),
        },
        Ok(Some(lexopt::Arg::Long("help") | lexopt::Arg::Short('h'))) => {
            println!("{USAGE}");
            Ok(exit::SUCCESS)
        }
        Ok(Some(lexopt::Arg::Long("version"))) => {
            println!("apify-run {}", env!("CARGO_PKG_VERSION"));
            Ok(exit::SUCCESS)
        }
        Ok(_) => Err(exit::usage("a command is required".into())),
        Err(e) => Err(exit::usage(e.to_string())),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("apify-run: {}", failure.message);
            if failure.code == exit::USAGE {
                eprintln!("{USAGE}");
            }
            ExitCode::from(failure.code)
        }
    }
}
