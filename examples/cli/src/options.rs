//! Options of `task` and `request`: parsed once, turned into core's types.

use apify_core::Decimal;
use apify_core::encode::{EventType, Input, RunOptions, Webhook, Webhooks};
use lexopt::{Arg, ValueExt};

use crate::exit::{self, Failure};

/// Everything `task` and `request` accept, owned.
#[derive(Debug, Default)]
pub(crate) struct TaskArgs {
    pub(crate) task: String,
    memory: Option<u32>,
    timeout: Option<u32>,
    build: Option<String>,
    max_items: Option<u64>,
    max_charge: Option<Decimal>,
    restart_on_error: bool,
    input: Option<Vec<u8>>,
    /// `(event types, URL)` per `--webhook`.
    webhooks: Vec<(Vec<String>, String)>,
    pub(crate) wait_secs: Option<u32>,
    pub(crate) json: bool,
    pub(crate) abort_at_deadline: bool,
    pub(crate) base_url: Option<String>,
}

impl TaskArgs {
    pub(crate) fn parse(args: &mut lexopt::Parser) -> Result<Self, Failure> {
        let mut out = TaskArgs::default();
        while let Some(arg) = args.next()? {
            match arg {
                Arg::Value(task) if out.task.is_empty() => out.task = task.string()?,
                Arg::Long("memory") => out.memory = Some(args.value()?.parse()?),
                Arg::Long("timeout") => out.timeout = Some(args.value()?.parse()?),
                Arg::Long("build") => out.build = Some(args.value()?.string()?),
                Arg::Long("max-items") => out.max_items = Some(args.value()?.parse()?),
                Arg::Long("max-charge") => out.max_charge = Some(args.value()?.parse()?),
                Arg::Long("restart-on-error") => out.restart_on_error = true,
                Arg::Long("input") => out.input = Some(read_input(&args.value()?.string()?)?),
                Arg::Long("webhook") => out.webhooks.push(parse_webhook(&args.value()?.string()?)?),
                Arg::Long("wait") => out.wait_secs = Some(args.value()?.parse()?),
                Arg::Long("abort-at-deadline") => out.abort_at_deadline = true,
                Arg::Long("json") => out.json = true,
                Arg::Long("base-url") => out.base_url = Some(args.value()?.string()?),
                other => return Err(other.unexpected().into()),
            }
        }
        if out.task.is_empty() {
            return Err(exit::usage("a task id is required (an ID, username~taskname or ~taskname)".into()));
        }
        Ok(out)
    }

    /// Builds core's options; `scratch` receives the webhooks' JSON.
    pub(crate) fn run_options<'a>(
        &'a self,
        events: &'a [Vec<EventType<'a>>],
        scratch: &'a mut Vec<u8>,
    ) -> Result<RunOptions<'a>, Failure> {
        let mut options = RunOptions::new();
        if let Some(v) = self.memory {
            options = options.memory_mbytes(v);
        }
        if let Some(v) = self.timeout {
            options = options.timeout_secs(v);
        }
        if let Some(v) = &self.build {
            options = options.build(v);
        }
        if let Some(v) = self.max_items {
            options = options.max_items(v);
        }
        if let Some(v) = self.max_charge {
            options = options.max_total_charge_usd(v);
        }
        if self.restart_on_error {
            options = options.restart_on_error(true);
        }
        if !self.webhooks.is_empty() {
            let hooks: Vec<Webhook<'_>> = self
                .webhooks
                .iter()
                .zip(events)
                .map(|((_, url), events)| Webhook::new(events, url))
                .collect();
            scratch.resize(Webhooks::json_len(&hooks), 0);
            let webhooks = Webhooks::encode(&hooks, scratch).map_err(|e| exit::usage(e.to_string()))?;
            options = options.webhooks(webhooks);
        }
        options.validate().map_err(|e| exit::usage(e.to_string()))?;
        Ok(options)
    }

    /// The event types of each `--webhook`, borrowed from the arguments.
    pub(crate) fn webhook_events(&self) -> Vec<Vec<EventType<'_>>> {
        self.webhooks
            .iter()
            .map(|(events, _)| events.iter().map(|e| EventType::from_name(e)).collect())
            .collect()
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

/// `--input '{"a":1}'` or `--input @file.json`.
fn read_input(value: &str) -> Result<Vec<u8>, Failure> {
    match value.strip_prefix('@') {
        Some(path) => std::fs::read(path).map_err(|e| exit::usage(format!("--input {value}: {e}"))),
        None => Ok(value.as_bytes().to_vec()),
    }
}

/// `EVENTS=URL`, EVENTS a comma list of `ACTOR.RUN.*` names or their last part
/// (`SUCCEEDED,FAILED`).
fn parse_webhook(value: &str) -> Result<(Vec<String>, String), Failure> {
    let Some((events, url)) = value.split_once('=') else {
        return Err(exit::usage(format!(
            "--webhook {value}: expected EVENTS=URL, e.g. SUCCEEDED,FAILED=https://example.com/hook"
        )));
    };
    let events = events
        .split(',')
        .filter(|e| !e.is_empty())
        .map(|e| if e.contains('.') { e.to_string() } else { format!("ACTOR.RUN.{e}") })
        .collect();
    Ok((events, url.to_string()))
}
