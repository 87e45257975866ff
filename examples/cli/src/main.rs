//! `apify-run`: start and follow Apify task runs, and inspect what a device would see.
//!
//! Subcommands (see `apify-run --help`): `task`, `get`, `abort`, `request`, `stub` and
//! `decode`. Protocol decisions come from apify-core, the HTTP from apify-ureq; this crate
//! parses arguments and prints. Exit codes are listed in [`exit`].

mod decode;
mod exit;
mod options;
mod out;
mod run;

use std::process::ExitCode;

const USAGE: &str = "\
usage: apify-run <command> [options]

commands:
  task <task-id> [--memory MB] [--timeout S] [--build TAG] [--max-items N] [--max-charge USD]
       [--restart-on-error] [--input JSON|@file] [--webhook EVENTS=URL]... [--wait SECS]
       [--abort-at-deadline] [--json] [--base-url URL]
        start a run of the task; with --wait, follow it to its end (at most SECS seconds)
  get <run-id> [--json] [--base-url URL]        show a run
  abort <run-id> [--json] [--base-url URL]      abort a run
  request <task-id> [task options]              print the exact request `task` would send
  stub [--port P]                               serve the local API stand-in
  decode [--chunk N] [--validate | --http]
        read a response body from stdin, feed it to the decoder in chunks of N bytes
        (default: all at once) and print the decoded run or API error as JSON;
        --validate only checks that stdin is exactly one valid JSON document;
        --http reads a whole HTTP response (head and body) and adds the status code
        and the kept header fields

environment:
  APIFY_TOKEN      the API token (sent only in the Authorization header)
  APIFY_BASE_URL   the API address (default https://api.apify.com); --base-url wins
  With neither set, `task` runs against the local stand-in, started in-process.

exit codes:
  0 succeeded (or started, or decoded/valid)   1 API or HTTP error status
  2 malformed input or response                3 run FAILED
  4 run ABORTED                                5 run TIMED-OUT
  6 still running when --wait ended            7 transport error (no usable response)
  8 outcome unknown: the start may have created a run; check the task's last run
  9 the run was started, then following it failed (its id is in the output)
  64 bad usage or invalid input (nothing was sent)";

fn main() -> ExitCode {
    let mut args = lexopt::Parser::from_env();
    let result = match args.next() {
        Ok(Some(lexopt::Arg::Value(command))) => match command.to_str() {
            Some("decode") => decode::run(args),
            Some("task") => run::task(args),
            Some("get") => run::get(args),
            Some("abort") => run::abort(args),
            Some("request") => run::request(args),
            Some("stub") => run::stub(args),
            Some(other) => Err(exit::usage(format!("unknown command `{other}`"))),
            None => Err(exit::usage("the command is not valid UTF-8".into())),
        },
        Ok(Some(lexopt::Arg::Long("help") | lexopt::Arg::Short('h'))) => {
            out::line(USAGE);
            Ok(exit::SUCCESS)
        }
        Ok(Some(lexopt::Arg::Long("version"))) => {
            out::line(format_args!("apify-run {}", env!("CARGO_PKG_VERSION")));
            Ok(exit::SUCCESS)
        }
        Ok(_) => Err(exit::usage("a command is required".into())),
        Err(e) => Err(exit::usage(e.to_string())),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            out::note(format_args!("apify-run: {}", failure.message));
            if failure.code == exit::USAGE {
                out::note(USAGE);
            }
            ExitCode::from(failure.code)
        }
    }
}
