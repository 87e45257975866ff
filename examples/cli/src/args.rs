//! The command line, declared with clap: what each command takes, its help and its errors.
//!
//! The doc comments below are the `--help` text, where a URL in angle brackets would show as
//! typed: bare URLs are allowed here.
#![allow(rustdoc::bare_urls)]

use std::error::Error as _;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand};

use apify_core::Decimal;

use crate::exit::{self, Failure};

const AFTER_HELP: &str = "\
Environment:
  APIFY_TOKEN      the API token (sent only in the Authorization header, shown nowhere)
  APIFY_BASE_URL   the API address (default https://api.apify.com); --base-url wins
  With neither set, `task` runs against the local stand-in, started in-process.

Exit codes:
  0  the command did what was asked: the run succeeded (task, get), the run is aborted or had
     already finished (abort), every item was printed (items), the body decoded to a run or
     is valid (decode)
  1  the API refused (an error status)       2  malformed input or response
  3  the run ended FAILED                    4  the run ended ABORTED
  5  the run ended TIMED-OUT                 6  still running when --wait ended
  7  no usable response (network, TLS)
  8  outcome unknown: the start may have created a run; check the task's last run
  9  the run was started, then following it failed (its ID is printed: do not start again)
  64 bad usage or invalid input (nothing was sent)";

/// Start, follow, abort and inspect Apify task runs.
#[derive(Parser, Debug)]
#[command(name = "apify-run", version, after_help = AFTER_HELP, disable_help_subcommand = false)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Start a run of a task; with --wait, follow it to its end
    #[command(after_help = RUN_AFTER_HELP)]
    Task(TaskArgs),
    /// Show a run
    Get(RunArgs),
    /// Abort a run (exit 0 once it is aborted, or when it had already finished)
    Abort(RunArgs),
    /// Print a dataset's items as JSON Lines, as they arrive (a run's with --run)
    Items(ItemsArgs),
    /// Print the exact request `task` would send, the token hidden
    #[command(after_help = RUN_AFTER_HELP)]
    Request(RunOptionArgs),
    /// Serve the local API stand-in on 127.0.0.1
    #[command(after_help = apify_stub::SPECIAL_NAMES)]
    Stub(StubArgs),
    /// Decode a response body from stdin (--http: a whole response) as a device would
    Decode(DecodeArgs),
    /// Print a completion script for a shell (bash, zsh, fish, elvish, powershell)
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// The run's options, as `task` and `request` take them.
#[derive(Args, Debug)]
pub(crate) struct RunOptionArgs {
    /// The task: its ID, username~taskname or ~taskname
    pub(crate) task: String,
    /// Memory in megabytes: a power of two from 128 to 32768
    #[arg(long, value_name = "MB")]
    pub(crate) memory: Option<u32>,
    /// Timeout of the run in seconds
    #[arg(long, value_name = "SECS", allow_negative_numbers = true, value_parser = seconds)]
    pub(crate) timeout: Option<u32>,
    /// Build tag or number to run
    #[arg(long, value_name = "TAG")]
    pub(crate) build: Option<String>,
    /// Most dataset items the run may charge for
    #[arg(long, value_name = "N")]
    pub(crate) max_items: Option<u64>,
    /// Most USD the run may charge (pay-per-event Actors)
    #[arg(long, value_name = "USD", allow_negative_numbers = true)]
    pub(crate) max_charge: Option<Decimal>,
    /// Restart the run if it fails
    #[arg(long)]
    pub(crate) restart_on_error: bool,
    /// Input overrides: a JSON object, or @file
    #[arg(long, value_name = "JSON|@FILE")]
    pub(crate) input: Option<String>,
    /// A webhook (repeatable): e.g. SUCCEEDED,FAILED=https://example.com/hook
    #[arg(long, value_name = "EVENTS=URL")]
    pub(crate) webhook: Vec<String>,
    /// The API address (default https://api.apify.com; a trailing /v2 is accepted)
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
}

/// Listed after the options of `task` and `request`.
const RUN_AFTER_HELP: &str = "\
Webhook events: SUCCEEDED, FAILED, ABORTED, TIMED_OUT, CREATED, RESURRECTED (or in full,
ACTOR.RUN.SUCCEEDED and so on), comma-separated before the =.";

#[derive(Args, Debug)]
pub(crate) struct TaskArgs {
    #[command(flatten)]
    pub(crate) run: RunOptionArgs,
    /// Follow the run to its end, for at most SECS seconds
    #[arg(long, value_name = "SECS", allow_negative_numbers = true, value_parser = seconds)]
    pub(crate) wait: Option<u32>,
    /// Abort the run if --wait ends first
    #[arg(long)]
    pub(crate) abort_at_deadline: bool,
    /// Print the run (or the error) as JSON on stdout
    #[arg(long)]
    pub(crate) json: bool,
    /// No progress on stderr
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Run the task and stream its dataset's items in one request (run-sync: the API waits
    /// up to 300 s for the run)
    #[arg(long, conflicts_with_all = ["wait", "then_items", "json"])]
    pub(crate) items: bool,
    /// With --wait: once the run has succeeded, stream its dataset's items
    #[arg(long, requires = "wait")]
    pub(crate) then_items: bool,
    #[command(flatten)]
    pub(crate) item_options: ItemOptionArgs,
}

/// Which items and fields, for `items`, `task --items` and `task --then-items`.
#[derive(Args, Debug)]
#[command(next_help_heading = "Items (with --items, --then-items)")]
pub(crate) struct ItemOptionArgs {
    /// Skip this many items
    #[arg(long, value_name = "N")]
    pub(crate) offset: Option<u64>,
    /// At most this many items
    #[arg(long, value_name = "N")]
    pub(crate) limit: Option<u64>,
    /// Only these fields, in this order (comma-separated)
    #[arg(long, value_name = "A,B")]
    pub(crate) fields: Option<String>,
    /// Leave these fields out (comma-separated)
    #[arg(long, value_name = "A,B")]
    pub(crate) omit: Option<String>,
    /// Newest items first
    #[arg(long)]
    pub(crate) desc: bool,
    /// Leave out empty items and hidden fields (#name)
    #[arg(long)]
    pub(crate) clean: bool,
}

#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["dataset", "run"]))]
pub(crate) struct ItemsArgs {
    /// The dataset: its ID (a run's defaultDatasetId) or username~name
    pub(crate) dataset: Option<String>,
    /// A run's ID: its default dataset
    #[arg(long, value_name = "RUN")]
    pub(crate) run: Option<String>,
    #[command(flatten)]
    pub(crate) options: ItemOptionArgs,
    /// No summary on stderr
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// The API address (default https://api.apify.com; a trailing /v2 is accepted)
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
}

#[derive(Args, Debug)]
pub(crate) struct RunArgs {
    /// The run's ID
    pub(crate) run: String,
    /// Print the run (or the error) as JSON on stdout
    #[arg(long)]
    pub(crate) json: bool,
    /// The API address (default https://api.apify.com; a trailing /v2 is accepted)
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
}

#[derive(Args, Debug)]
pub(crate) struct StubArgs {
    /// Port on 127.0.0.1 (default: any free one)
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,
    /// Accept only this token (repeatable); without, any token is accepted
    #[arg(long, value_name = "TOKEN")]
    pub(crate) token: Vec<String>,
    /// No request log on stderr
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Serve HTTPS, with a CA and a certificate for localhost and 127.0.0.1 made at start
    #[arg(long)]
    pub(crate) tls: bool,
    /// With --tls, where to write the CA certificate (PEM; default: in the temp directory)
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub(crate) ca_file: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct DecodeArgs {
    /// Feed the decoder N bytes at a time (default: as stdin delivers them)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) chunk: Option<u32>,
    /// Only check that stdin is exactly one valid JSON document
    #[arg(long, conflicts_with = "http")]
    pub(crate) validate: bool,
    /// Read a whole HTTP response (head and body); show the status and kept header fields
    #[arg(long)]
    pub(crate) http: bool,
}

/// A number of seconds, with a message that says what is expected.
fn seconds(value: &str) -> Result<u32, String> {
    value.parse().map_err(|_| "give a whole number of seconds, 0 or more".to_string())
}

/// A command-line mistake as one line naming the flag, then the command's usage line.
pub(crate) fn usage_failure(e: &clap::Error) -> Failure {
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(s)) => s.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    // `--wait <SECS>` as the user types it: `--wait`.
    let flag = || context(ContextKind::InvalidArg).split([' ', '=']).next().unwrap_or_default().to_string();
    let message = match e.kind() {
        ErrorKind::UnknownArgument => format!("unknown option {}", flag()),
        ErrorKind::InvalidSubcommand => {
            format!("unknown command `{}`", context(ContextKind::InvalidSubcommand))
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let value = context(ContextKind::InvalidValue);
            let reason = e.source().map(|s| format!(": {s}")).unwrap_or_default();
            format!("invalid value '{value}' for {}{reason}", flag())
        }
        ErrorKind::MissingRequiredArgument => {
            format!("missing {}", context(ContextKind::InvalidArg).replace(['<', '>'], ""))
        }
        ErrorKind::ArgumentConflict => {
            format!("{} cannot be used with {}", flag(), context(ContextKind::PriorArg))
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "a command is required (task, get, abort, items, request, stub, decode, completions)".into()
        }
        _ => e.kind().to_string(),
    };
    // The usage of the command the user typed, not of the whole tool.
    let typed = std::env::args().nth(1).unwrap_or_default();
    let mut cli = <Cli as clap::CommandFactory>::command();
    // Built, the subcommands know their full name (`apify-run task`) for the usage line.
    cli.build();
    let usage = match cli.find_subcommand_mut(&typed) {
        Some(command) => command.render_usage().to_string(),
        None => cli.render_usage().to_string(),
    };
    let help = if cli.find_subcommand(&typed).is_some() {
        format!("apify-run {typed} --help")
    } else {
        "apify-run --help".into()
    };
    exit::usage(format!("{message}\n{}\nFor more, run '{help}'.", usage.trim()))
}
