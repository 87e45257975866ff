//! The run's options from the command line, turned into core's types, with errors that name
//! the flag the user typed.

use apify_core::encode::{EncodeError, EventType, Input, RunId, RunOptions, TaskId, Webhook, Webhooks};

use crate::args::RunOptionArgs;
use crate::exit::{self, Failure};

/// The webhook events `--webhook` knows, by their short and full names.
const EVENTS: [(&str, EventType<'static>); 6] = [
    ("CREATED", EventType::RunCreated),
    ("SUCCEEDED", EventType::RunSucceeded),
    ("FAILED", EventType::RunFailed),
    ("ABORTED", EventType::RunAborted),
    ("TIMED_OUT", EventType::RunTimedOut),
    ("RESURRECTED", EventType::RunResurrected),
];

/// What the options need besides the arguments: the input read, the webhooks parsed.
#[derive(Debug)]
pub(crate) struct Prepared {
    input: Option<Vec<u8>>,
    /// `(events, URL)` per `--webhook`.
    webhooks: Vec<(Vec<EventType<'static>>, String)>,
}

impl Prepared {
    /// Reads `--input @file` and parses every `--webhook`.
    pub(crate) fn new(args: &RunOptionArgs) -> Result<Self, Failure> {
        let input = args.input.as_deref().map(read_input).transpose()?;
        let webhooks = args.webhook.iter().map(|w| parse_webhook(w)).collect::<Result<_, _>>()?;
        Ok(Self { input, webhooks })
    }

    /// The webhook definitions (borrowed by [`run_options`](Self::run_options)).
    pub(crate) fn hooks(&self) -> Vec<Webhook<'_>> {
        self.webhooks.iter().map(|(events, url)| Webhook::new(events, url)).collect()
    }

    /// Core's options; `scratch` receives the webhooks' JSON.
    pub(crate) fn run_options<'a>(
        &self,
        args: &'a RunOptionArgs,
        hooks: &'a [Webhook<'a>],
        scratch: &'a mut Vec<u8>,
    ) -> Result<RunOptions<'a>, Failure> {
        let mut options = RunOptions::new();
        if let Some(v) = args.memory {
            options = options.memory_mbytes(v);
        }
        if let Some(v) = args.timeout {
            options = options.timeout_secs(v);
        }
        if let Some(v) = &args.build {
            options = options.build(v);
        }
        if let Some(v) = args.max_items {
            options = options.max_items(v);
        }
        if let Some(v) = args.max_charge {
            options = options.max_total_charge_usd(v);
        }
        if args.restart_on_error {
            options = options.restart_on_error(true);
        }
        if !hooks.is_empty() {
            scratch.resize(Webhooks::json_len(hooks), 0);
            options = options.webhooks(Webhooks::encode(hooks, scratch).map_err(invalid)?);
        }
        options.validate().map_err(invalid)?;
        Ok(options)
    }

    /// The input body, checked to be a JSON object.
    pub(crate) fn input(&self) -> Result<Input<'_>, Failure> {
        match &self.input {
            Some(json) => Input::from_json(json).map_err(|e| exit::usage(format!("--input: {e}"))),
            None => Ok(Input::EMPTY),
        }
    }

    /// The raw input bytes, for clients that check them themselves.
    pub(crate) fn input_bytes(&self) -> Option<&[u8]> {
        self.input.as_deref()
    }
}

/// The task reference, checked as core checks it (blank or padded IDs are refused).
pub(crate) fn task_id(task: &str) -> Result<TaskId<'_>, Failure> {
    TaskId::new(task).map_err(invalid)
}

/// The run ID, checked as core checks it.
pub(crate) fn run_id(run: &str) -> Result<RunId<'_>, Failure> {
    RunId::new(run).map_err(invalid)
}

/// A request that cannot be built, as a usage error naming the flag behind it.
pub(crate) fn invalid(e: EncodeError) -> Failure {
    let (name, rule) = match e {
        EncodeError::InvalidParameter { name, rule } => (name, rule),
        EncodeError::InvalidTaskId(rule) => {
            return exit::usage(format!(
                "invalid task id: it {rule} (give its ID, username~taskname or ~taskname)"
            ));
        }
        EncodeError::InvalidRunId(rule) => {
            return exit::usage(format!("invalid run id: it {rule} (give the ID `task` printed)"));
        }
        EncodeError::InvalidDatasetId(rule) => {
            return exit::usage(format!(
                "invalid dataset id: it {rule} (give its ID, a run's defaultDatasetId, or username~name)"
            ));
        }
        e => return exit::usage(e.to_string()),
    };
    let flag = match name {
        "memory" => "--memory",
        "timeout" => "--timeout",
        "build" => "--build",
        "maxItems" => "--max-items",
        "maxTotalChargeUsd" => "--max-charge",
        "waitForFinish" => "--wait",
        "offset" => "--offset",
        "limit" => "--limit",
        "fields" => "--fields",
        "omit" => "--omit",
        webhook if webhook.starts_with("webhooks") => "--webhook",
        other => other,
    };
    exit::usage(format!("{flag} {rule}"))
}

/// `--input '{"a":1}'` or `--input @file.json`.
fn read_input(value: &str) -> Result<Vec<u8>, Failure> {
    match value.strip_prefix('@') {
        Some(path) => std::fs::read(path).map_err(|e| exit::usage(format!("--input {value}: {e}"))),
        None => Ok(value.as_bytes().to_vec()),
    }
}

/// `EVENTS=URL`, EVENTS a comma list of known events, by their last part (`SUCCEEDED`) or
/// their full name (`ACTOR.RUN.SUCCEEDED`).
fn parse_webhook(value: &str) -> Result<(Vec<EventType<'static>>, String), Failure> {
    let example = "e.g. --webhook SUCCEEDED,FAILED=https://example.com/hook";
    let Some((events, url)) = value.split_once('=') else {
        return Err(exit::usage(format!("--webhook {value:?} needs EVENTS=URL ({example})")));
    };
    let events = events
        .split(',')
        .filter(|e| !e.is_empty())
        .map(|name| {
            let short = name.strip_prefix("ACTOR.RUN.").unwrap_or(name);
            EVENTS.iter().find(|(known, _)| known.eq_ignore_ascii_case(short)).map(|&(_, e)| e).ok_or_else(
                || {
                    let known: Vec<&str> = EVENTS.iter().map(|(k, _)| *k).collect();
                    exit::usage(format!(
                        "--webhook: unknown event {name:?}; known events: {}",
                        known.join(", ")
                    ))
                },
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    if events.is_empty() {
        return Err(exit::usage(format!("--webhook {value:?} names no event ({example})")));
    }
    Ok((events, url.to_string()))
}
