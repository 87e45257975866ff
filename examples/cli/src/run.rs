//! `task`, `get`, `abort`, `request` and `stub`: the commands that talk to the API.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use apify_core::call::Finish;
use apify_core::encode::{APIFY_API, BaseUrl, Endpoint, Request, TaskId, Token};
use apify_core::model::{Run, RunStatus};
use apify_ureq::{Client, Error, RunReport};
use lexopt::{Arg, ValueExt};

use crate::exit::{self, Failure, fail};
use crate::options::TaskArgs;

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
        let base_url = base_url.or_else(|| std::env::var("APIFY_BASE_URL").ok().filter(|u| !u.is_empty()));
        if token.is_none() && base_url.is_none() && offline_allowed {
            let stub = apify_stub::Stub::start(apify_stub::StubConfig::default())
                .map_err(|e| fail(exit::TRANSPORT, format!("starting the local API stand-in: {e}")))?;
            eprintln!(
                "APIFY_TOKEN is not set: running against the local API stand-in at {}",
                stub.base_url()
            );
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
    let mut progress = Progress::new(task.json);
    let report =
        client.call_task_with(&task.task, options, task.input_bytes(), wait, task.abort_at_deadline, |run| {
            progress.show(run);
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
    print!("{}", request.redacted_head());
    println!("{}", String::from_utf8_lossy(request.body()));
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
    println!("Apify API stand-in listening on {} (Ctrl-C to stop)", stub.base_url());
    println!("try: APIFY_BASE_URL={} apify-run task janedoe~my-task --wait 30", stub.base_url());
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

/// Prints the result and picks the exit code.
fn conclude(report: Result<RunReport, Error>, json: bool, waited: bool) -> Result<u8, Failure> {
    let report = report.map_err(|e| {
        let code = match &e {
            Error::Api { .. } | Error::Http { .. } => exit::API_ERROR,
            Error::Transport { .. } => exit::TRANSPORT,
            Error::OutcomeUnknown { .. } => exit::OUTCOME_UNKNOWN,
            _ => exit::USAGE,
        };
        fail(code, e.to_string())
    })?;
    let run = &report.run;
    if json {
        let mut out = String::new();
        run.write_json(&mut out).map_err(|e| fail(exit::MALFORMED, e.to_string()))?;
        println!("{out}");
    } else {
        println!("{}", summary(run, report.finish));
    }
    Ok(match (report.finish, run.status.as_ref()) {
        (Finish::DeadlineReached, _) => exit::STILL_RUNNING,
        (_, Some(RunStatus::Failed)) => exit::RUN_FAILED,
        (_, Some(RunStatus::Aborted | RunStatus::Aborting)) => exit::RUN_ABORTED,
        (_, Some(RunStatus::TimedOut | RunStatus::TimingOut)) => exit::RUN_TIMED_OUT,
        (_, Some(status)) if waited && !status.is_terminal() => exit::STILL_RUNNING,
        _ => exit::SUCCESS,
    })
}

fn summary(run: &Run, finish: Finish) -> String {
    let id = run.id.as_ref().map_or("?", |t| t.as_str());
    let status = run.status.as_ref().map_or("UNKNOWN", |s| s.as_str());
    let mut line = format!("run {id} {status}");
    if finish == Finish::DeadlineReached {
        line.push_str(" (still going when the wait ended)");
    }
    if let Some(message) = &run.status_message {
        line.push_str(&format!(": {message}"));
    }
    if let Some(dataset) = &run.default_dataset_id {
        line.push_str(&format!("\n  dataset {dataset}"));
    }
    if let Some(usd) = run.usage_total_usd {
        line.push_str(&format!("\n  cost ${usd}"));
    }
    line
}

/// The live progress line: rewritten in place on a terminal, one line per change otherwise.
struct Progress {
    started: Instant,
    tty: bool,
    quiet: bool,
    last: Option<String>,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        Self { started: Instant::now(), tty: std::io::stderr().is_terminal(), quiet, last: None }
    }

    fn show(&mut self, run: &Run) {
        if self.quiet {
            return;
        }
        let status = run.status.as_ref().map_or("UNKNOWN", RunStatus::as_str).to_string();
        let elapsed = self.started.elapsed().as_secs_f32();
        let id = run.id.as_ref().map_or("?", |t| t.as_str());
        if self.tty {
            eprint!("\r\x1b[2K{id} {status} {elapsed:.1}s");
        } else if self.last.as_deref() != Some(status.as_str()) {
            eprintln!("{id} {status} after {elapsed:.1}s");
        }
        self.last = Some(status);
    }

    fn end(&self) {
        if self.tty && self.last.is_some() && !self.quiet {
            eprintln!();
        }
    }
}
