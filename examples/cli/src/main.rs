//! `apify-run`: start and follow Apify task runs, and inspect what a device would see.
//!
//! Subcommands (see `apify-run --help`): `task`, `get`, `abort`, `items`, `request`, `stub`, `decode`
//! and `completions`. Protocol decisions come from apify-core, the HTTP from apify-ureq; this
//! crate parses arguments (clap) and prints. Exit codes are listed in [`exit`] and in the help.

mod args;
mod decode;
mod exit;
mod items;
mod options;
mod out;
mod run;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            // On stdout; a closed stdout is not an error worth a panic.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let failure = args::usage_failure(&e);
            // A script that asked for JSON gets it even when the command line was not understood.
            if std::env::args_os().any(|arg| arg == "--json") {
                let first_line = failure.message.lines().next().unwrap_or_default();
                out::line(exit::error_json(exit::kind_of(failure.code), first_line, None, None));
            }
            return report(failure);
        }
    };
    // With --json, every outcome is JSON on stdout, usage errors included.
    let json = match &cli.command {
        Command::Task(task) => task.json,
        Command::Get(run) | Command::Abort(run) => run.json,
        _ => false,
    };
    let result = match cli.command {
        Command::Task(task) => run::task(&task),
        Command::Get(get) => run::get(&get),
        Command::Abort(abort) => run::abort(&abort),
        Command::Items(items) => items::run(&items),
        Command::Request(request) => run::request(&request),
        Command::Stub(stub) => run::stub(&stub),
        Command::Decode(decode) => decode::run(&decode),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "apify-run", &mut script);
            out::raw(String::from_utf8_lossy(&script));
            Ok(exit::SUCCESS)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            if json && !failure.shown_as_json {
                out::line(exit::error_json(exit::kind_of(failure.code), &failure.message, None, None));
            }
            report(failure)
        }
    }
}

fn report(failure: exit::Failure) -> ExitCode {
    out::note(format_args!("apify-run: {}", failure.message));
    ExitCode::from(failure.code)
}
