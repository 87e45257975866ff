//! `task`, `get`, `abort`, `request` and `stub`: the commands that talk to the API.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use apify_core::encode::{APIFY_API, BaseUrl, Endpoint, Request, TaskId, Token};
use apify_core::model::Printable;
use apify_ureq::{Client, Error, Finish, Progress, Run, RunReport, RunStatus};
use lexopt::{Arg, ValueExt};

use crate::exit::{self, Failure, fail};
use crate::options::TaskArgs;
use crate::out;

/// Where the API is and who we are: `--base-url`/`APIFY_BASE_URL`, `APIFY_TOKEN`. With
/// neither a token nor an address, the local stand-in starts in-process.
struct Target {
    base_url: String,
    token: Option<String>,
    /// Keeps the in-process stand-in alive for the command's duration.
    _stub: Option<apify_stub::Stub>,
}

impl Target {
    fn resolve(base_url: Option<String>, offline_allowed: bool) -> Result<Self, Failure> {
        let token = std::env::var("APIFY_TOKEN").ok().filter(|t| !t.is_empty());
        if let Some(token) = &token {
            out::hide(token);
        }
        let base_url = base_url.or_else(|| std::env::var("APIFY_BASE_URL").ok().filter(|u| !u.is_empty()));
        if token.is_none() && base_url.is_none() && offline_allowed {
            let stub = apify_stub::Stub::start(apify_stub::StubConfig::default())
                .map_err(|e| fail(exit::TRANSPORT, format!("starting the local API stand-in: {e}")))?;
            out::note(format_args!(
                "APIFY_TOKEN is not set: running against the local API stand-in at {}",
                stub.base_url()
            ));
            return Ok(Self { base_url: stub.base_url(), token: None, _stub: Some(stub) });
        }
        Ok(Self { base_url: base_url.unwrap_or_else(|| APIFY_API.into()), token, _stub: None })
    }

    fn client(&self) -> Result<Client, Failure> {
        let mut builder = Client::builder().base_url(&self.base_url);
        if let Some(token) = &self.token {
            builder = builder.token(token);
        }
        builder.build().map_err(|e| exit::usage(e.to_string()))
    }
}

/// `apify-run task <task-id> [options]`.
pub(crate) fn task(mut args: lexopt::Parser) -> Result<u8, Failure> {
    let task = TaskArgs::parse(&mut args)?;
    let events = task.webhook_events();
    let mut scratch = Vec::new();
    let options = task.run_options(&events, &mut scratch)?;
    task.input()?;
    let target = Target::resolve(task.base_url.clone(), true)?;
    let client = target.client()?;
    let wait = Duration::from_secs(task.wait_secs.unwrap_or(0) as u64);
    let mut progress = ProgressLine::new(task.json);
    let report =
        client.call_task_with(&task.task, options, task.input_bytes(), wait, task.abort_at_deadline, |p| {
            progress.show(p);
        });
    progress.end();
    conclude(report, task.json, task.wait_secs.is_some())
}

/// `apify-run get <run-id> [--json] [--base-url URL]`.
pub(crate) fn get(args: lexopt::Parser) -> Result<u8, Failure> {
    let (run, json, base_url) = run_args(args)?;
    let target = Target::resolve(base_url, false)?;
    conclude(target.client()?.get_run(&run), json, false)
}

/// `apify-run abort <run-id> [--json] [--base-url URL]`.
pub(crate) fn abort(args: lexopt::Parser) -> Result<u8, Failure> {
    let (run, json, base_url) = run_args(args)?;
    let target = Target::resolve(base_url, false)?;
    conclude(target.client()?.abort_run(&run), json, true)
}

/// `apify-run request <task-id> [options]`: the exact request `task` would send, token hidden.
pub(crate) fn request(mut args: lexopt::Parser) -> Result<u8, Failure> {
    let task = TaskArgs::parse(&mut args)?;
    let events = task.webhook_events();
    let mut scratch = Vec::new();
    let options = task.run_options(&events, &mut scratch)?;
    let base_url = task
        .base_url
        .clone()
        .or_else(|| std::env::var("APIFY_BASE_URL").ok())
        .unwrap_or_else(|| APIFY_API.into());
    let base = BaseUrl::parse(&base_url).map_err(|e| exit::usage(e.to_string()))?;
    let task_id = TaskId::new(&task.task).map_err(|e| exit::usage(e.to_string()))?;
    let mut request = Request::new(base, Endpoint::run_task(task_id, &options, task.input()?))
        .map_err(|e| exit::usage(e.to_string()))?;
    let token = std::env::var("APIFY_TOKEN").unwrap_or_else(|_| "<APIFY_TOKEN>".into());
    if let Ok(token) = Token::new(&token) {
        request = request.with_token(token);
    }
    // The same User-Agent `task` sends through apify-ureq.
    let agent = apify_ureq::default_user_agent();
    let request = request.with_user_agent(&agent).map_err(|e| exit::usage(e.to_string()))?;
    out::raw(request.redacted_head());
    out::line(String::from_utf8_lossy(request.body()));
    Ok(exit::SUCCESS)
}

/// `apify-run stub [--port P]`: serve the local API stand-in until interrupted.
pub(crate) fn stub(mut args: lexopt::Parser) -> Result<u8, Failure> {
    let mut config = apify_stub::StubConfig::default();
    while let Some(arg) = args.next()? {
        match arg {
            Arg::Long("port") => config.port = args.value()?.parse()?,
            other => return Err(other.unexpected().into()),
        }
    }
    let stub = apify_stub::Stub::start(config)
        .map_err(|e| fail(exit::TRANSPORT, format!("starting the stand-in: {e}")))?;
    out::line(format_args!("Apify API stand-in listening on {} (Ctrl-C to stop)", stub.base_url()));
    out::line(format_args!(
        "try: APIFY_BASE_URL={} apify-run task janedoe~my-task --wait 30",
        stub.base_url()
    ));
    stub.serve_forever();
    Ok(exit::SUCCESS)
}

fn run_args(mut args: lexopt::Parser) -> Result<(String, bool, Option<String>), Failure> {
    let (mut run, mut json, mut base_url) = (None, false, None);
    while let Some(arg) = args.next()? {
        match arg {
            Arg::Value(v) if run.is_none() => run = Some(v.string()?),
            Arg::Long("json") => json = true,
            Arg::Long("base-url") => base_url = Some(args.value()?.string()?),
            other => return Err(other.unexpected().into()),
        }
    }
    Ok((run.ok_or_else(|| exit::usage("a run id is required".into()))?, json, base_url))
}

/// Prints the result and picks the exit code. Every outcome after a successful start names
/// the run, in text and in `--json`.
fn conclude(report: Result<RunReport, Error>, json: bool, waited: bool) -> Result<u8, Failure> {
    let report = match report {
        Ok(report) => report,
        Err(e) => return Err(failed(&e, json)),
    };
    let run = &report.run;
    if json {
        out::line(run_json(run)?);
    } else {
        let still = report.finish == Finish::DeadlineReached && !run.is_terminal();
        out::line(summary(run, still.then_some("still going when the wait ended")));
    }
    Ok(match (report.finish, run.status().as_ref()) {
        (Finish::DeadlineReached, _) => exit::STILL_RUNNING,
        (_, Some(RunStatus::Failed)) => exit::RUN_FAILED,
        (_, Some(RunStatus::Aborted | RunStatus::Aborting)) => exit::RUN_ABORTED,
        (_, Some(RunStatus::TimedOut | RunStatus::TimingOut)) => exit::RUN_TIMED_OUT,
        (_, Some(status)) if waited && !status.is_terminal() => exit::STILL_RUNNING,
        _ => exit::SUCCESS,
    })
}

fn run_json(run: &Run) -> Result<String, Failure> {
    let mut out = String::new();
    run.write_json(&mut out).map_err(|e| fail(exit::MALFORMED, e.to_string()))?;
    Ok(out)
}

/// The exit code for an error, and with `--json` the error as a JSON object on stdout:
/// `{"error": {"type", "message", "status"}}`, plus the run as last seen (`"data"`, as a
/// run's own JSON has it) when the run was started.
fn failed(e: &Error, json: bool) -> Failure {
    let (code, kind, status) = match e {
        Error::Api { status, error_type, .. } => {
            (exit::API_ERROR, error_type.as_ref().map_or("unknown-error", |t| t.as_str()), Some(*status))
        }
        Error::HttpStatus { status, .. } => (exit::API_ERROR, "http-status", Some(*status)),
        Error::Transport { .. } => (exit::TRANSPORT, "transport", None),
        Error::OutcomeUnknown { status, .. } => (exit::OUTCOME_UNKNOWN, "outcome-unknown", *status),
        Error::FollowFailed { .. } => (exit::FOLLOW_FAILED, "follow-failed", None),
        _ => (exit::USAGE, "invalid-input", None),
    };
    let message = e.to_string();
    if json {
        let mut object = String::from("{\"error\":{\"type\":");
        crate::decode::push_json_string(&mut object, kind);
        object.push_str(",\"message\":");
        crate::decode::push_json_string(&mut object, &message);
        object.push_str(&format!(",\"status\":{}}}", status.map_or("null".into(), |s| s.to_string())));
        match e.started_run().map(run_json) {
            Some(Ok(run)) => {
                object.push(',');
                object.push_str(&run[1..]);
            }
            _ => object.push('}'),
        }
        out::line(object);
    } else if let Some(run) = e.started_run() {
        // The ID on stdout too, where a script reads the outcome.
        out::line(summary(run, Some("started; following it failed, see stderr")));
    }
    fail(code, message)
}

/// The run for people: ID, status (and `note`), message, dataset and cost; server text with
/// control characters escaped, so a response cannot forge lines or drive the terminal.
fn summary(run: &Run, note: Option<&str>) -> String {
    let (id, status) = (run.id(), run.status());
    let id = id.as_ref().map_or("?", |t| t.as_str());
    let status = status.as_ref().map_or("UNKNOWN", |s| s.as_str());
    let mut line = format!("run {} {}", Printable(id), Printable(status));
    if let Some(note) = note {
        line.push_str(&format!(" ({note})"));
    }
    if let Some(message) = run.status_message() {
        line.push_str(&format!(": {}", Printable(message.as_str())));
    }
    if let Some(dataset) = run.default_dataset_id() {
        line.push_str(&format!("\n  dataset {}", Printable(dataset.as_str())));
    }
    if let Some(usd) = run.usage_total_usd() {
        line.push_str(&format!("\n  cost ${usd}"));
    }
    line
}

/// The live progress line: rewritten in place on a terminal, one line per change otherwise;
/// retries get a line of their own.
struct ProgressLine {
    started: Instant,
    tty: bool,
    quiet: bool,
    last: Option<String>,
}

impl ProgressLine {
    fn new(quiet: bool) -> Self {
        Self { started: Instant::now(), tty: std::io::stderr().is_terminal(), quiet, last: None }
    }

    fn show(&mut self, progress: Progress<'_>) {
        if self.quiet {
            return;
        }
        let run = match progress {
            Progress::Run(run) => run,
            Progress::Retry { reason, after_ms, next_attempt, max_attempts } => {
                if self.tty && self.last.is_some() {
                    out::note("");
                }
                out::note(format_args!(
                    "{reason}; retrying in {:.1} s (attempt {next_attempt} of {max_attempts})",
                    after_ms as f64 / 1000.0
                ));
                return;
            }
            _ => return,
        };
        let status = run.status().as_ref().map_or("UNKNOWN", RunStatus::as_str).to_string();
        let elapsed = self.started.elapsed().as_secs_f32();
        let id = run.id();
        let id = id.as_ref().map_or("?", |t| t.as_str());
        let (id, shown) = (Printable(id), Printable(&status));
        if self.tty {
            out::note_raw(format_args!("\r\x1b[2K{id} {shown} {elapsed:.1}s"));
        } else if self.last.as_deref() != Some(status.as_str()) {
            out::note(format_args!("{id} {shown} after {elapsed:.1}s"));
        }
        self.last = Some(status);
    }

    fn end(&self) {
        if self.tty && self.last.is_some() && !self.quiet {
            out::note("");
        }
    }
}
