//! `task`, `get`, `abort`, `request` and `stub`: the commands that talk to the API.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use apify_core::call::Cause;
use apify_core::encode::{APIFY_API, BaseUrl, Endpoint, Request, Token};
use apify_core::model::Printable;
use apify_ureq::{Client, Error, Finish, Progress, Run, RunReport, RunStatus};

use crate::args::{RunArgs, RunOptionArgs, StubArgs, TaskArgs};
use crate::exit::{self, Failure, fail};
use crate::options::{Prepared, invalid, run_id, task_id};
use crate::out;

/// Where the API is and who we are: `--base-url`/`APIFY_BASE_URL`, `APIFY_TOKEN`. With
/// neither a token nor an address, the local stand-in starts in-process.
pub(crate) struct Target {
    base_url: String,
    token: Option<String>,
    /// Keeps the in-process stand-in alive for the command's duration.
    _stub: Option<apify_stub::Stub>,
}

/// `APIFY_TOKEN`, if set and not empty; masked in all output from now on.
fn env_token() -> Option<String> {
    let token = std::env::var("APIFY_TOKEN").ok().filter(|t| !t.is_empty());
    if let Some(token) = &token {
        out::hide(token);
    }
    token
}

/// `--base-url`, else `APIFY_BASE_URL`, checked (a trailing `/v2` is accepted).
fn base_url(flag: Option<&str>) -> Result<Option<String>, Failure> {
    let url =
        flag.map(String::from).or_else(|| std::env::var("APIFY_BASE_URL").ok().filter(|u| !u.is_empty()));
    if let Some(url) = &url {
        BaseUrl::parse(url).map_err(|e| exit::usage(format!("--base-url or APIFY_BASE_URL: {e}")))?;
    }
    Ok(url)
}

impl Target {
    pub(crate) fn resolve(base_url_flag: Option<&str>, offline_allowed: bool) -> Result<Self, Failure> {
        let token = env_token();
        if let Some(token) = &token {
            Token::new(token).map_err(|e| exit::usage(format!("APIFY_TOKEN: {e}")))?;
        }
        let base_url = base_url(base_url_flag)?;
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

    /// The client. (Core polls a `READY` run with short waits, so progress shows `RUNNING`
    /// within a second of it; later status changes end the server's wait at once.)
    pub(crate) fn client(&self) -> Result<Client, Failure> {
        let mut builder = Client::builder().base_url(&self.base_url);
        if let Some(token) = &self.token {
            builder = builder.token(token);
        }
        builder.build().map_err(|e| exit::usage(e.to_string()))
    }
}

/// `apify-run task <task-id> [options]`.
pub(crate) fn task(args: &TaskArgs) -> Result<u8, Failure> {
    if args.abort_at_deadline && args.wait.is_none() {
        return Err(exit::usage(
            "--abort-at-deadline needs --wait SECS (how long to wait before aborting)".into(),
        ));
    }
    task_id(&args.run.task)?;
    let prepared = Prepared::new(&args.run)?;
    let hooks = prepared.hooks();
    let mut scratch = Vec::new();
    let options = prepared.run_options(&args.run, &hooks, &mut scratch)?;
    prepared.input()?;
    let target = Target::resolve(args.run.base_url.as_deref(), true)?;
    let client = target.client()?;
    if args.items {
        let items = crate::items::item_options(&args.item_options)?;
        let raw = client.run_task_sync_items_raw(&args.run.task, options, prepared.input_bytes(), &items);
        return crate::items::stream(raw, args.quiet);
    }
    let wait = Duration::from_secs(args.wait.unwrap_or(0) as u64);
    let progress = ProgressLine::start(args.quiet);
    let report = client.call_task_with(
        &args.run.task,
        options,
        prepared.input_bytes(),
        wait,
        args.abort_at_deadline,
        |p| progress.show(p),
    );
    progress.end();
    if args.then_items {
        // The run's summary on stderr, its items on stdout.
        let report = report.map_err(|e| failed(&e, false))?;
        if !args.quiet {
            out::note(summary(&report.run, None));
        }
        if report.run.status() != Some(RunStatus::Succeeded) {
            return conclude(Ok(report), false, true);
        }
        let run = report.run.id().map(|id| id.to_string()).unwrap_or_default();
        return crate::items::of_run(&client, &run, &args.item_options, args.quiet);
    }
    conclude(report, args.json, args.wait.is_some())
}

/// `apify-run get <run-id> [--json] [--base-url URL]`.
pub(crate) fn get(args: &RunArgs) -> Result<u8, Failure> {
    run_id(&args.run)?;
    let target = Target::resolve(args.base_url.as_deref(), false)?;
    conclude(target.client()?.get_run(&args.run), args.json, false)
}

/// `apify-run abort <run-id> [--json] [--base-url URL]`: exit 0 once the run is aborted (or
/// aborting), and when it had already finished (said so, with its status).
pub(crate) fn abort(args: &RunArgs) -> Result<u8, Failure> {
    run_id(&args.run)?;
    let target = Target::resolve(args.base_url.as_deref(), false)?;
    let report = target.client()?.abort_run(&args.run).map_err(|e| failed(&e, args.json))?;
    let run = &report.run;
    let status = run.status();
    let finished_before =
        matches!(status, Some(RunStatus::Succeeded | RunStatus::Failed | RunStatus::TimedOut));
    if args.json {
        out::line(run_json(run)?);
    } else if finished_before {
        out::line(summary(run, Some("had already finished; nothing to abort")));
    } else {
        out::line(summary(run, None));
    }
    Ok(exit::SUCCESS)
}

/// `apify-run request <task-id> [options]`: exactly what `task` would send, token hidden.
pub(crate) fn request(args: &RunOptionArgs) -> Result<u8, Failure> {
    let prepared = Prepared::new(args)?;
    let hooks = prepared.hooks();
    let mut scratch = Vec::new();
    let options = prepared.run_options(args, &hooks, &mut scratch)?;
    let base_url = base_url(args.base_url.as_deref())?.unwrap_or_else(|| APIFY_API.into());
    let base = BaseUrl::parse(&base_url).map_err(invalid)?;
    let task = task_id(&args.task)?;
    let mut request =
        Request::new(base, Endpoint::run_task(task, &options, prepared.input()?)).map_err(invalid)?;
    // The token `task` would send, if it would send one; an invalid one fails as in `task`.
    let token = env_token();
    if let Some(token) = &token {
        request =
            request.with_token(Token::new(token).map_err(|e| exit::usage(format!("APIFY_TOKEN: {e}")))?);
    }
    // The same User-Agent `task` sends through apify-ureq.
    let agent = apify_ureq::default_user_agent();
    let request = request.with_user_agent(&agent).map_err(invalid)?;
    out::raw(request.redacted_head());
    out::line(String::from_utf8_lossy(request.body()));
    Ok(exit::SUCCESS)
}

/// `apify-run stub [--port P] [--token T]... [--quiet]`: serve the stand-in until interrupted.
pub(crate) fn stub(args: &StubArgs) -> Result<u8, Failure> {
    let config = apify_stub::StubConfig {
        port: args.port,
        tokens: args.token.clone(),
        log: !args.quiet,
        tls: args.tls.then(apify_stub::TlsOptions::default),
        ..apify_stub::StubConfig::default()
    };
    let stub = apify_stub::Stub::start(config).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => exit::usage(format!(
            "port {} is in use on 127.0.0.1: choose another with --port, or --port 0 for any free one",
            args.port
        )),
        _ => fail(exit::TRANSPORT, format!("starting the stand-in: {e}")),
    })?;
    out::line(format_args!("Apify API stand-in listening on {} (Ctrl-C to stop)", stub.base_url()));
    let ca_path = args
        .ca_file
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("apify-stub-ca-{}.pem", stub.port())));
    if let Some(pem) = stub.ca_pem() {
        std::fs::write(&ca_path, pem).map_err(|e| {
            fail(exit::TRANSPORT, format!("writing the CA certificate to {}: {e}", ca_path.display()))
        })?;
        out::line(format_args!("CA certificate (trust it to verify the stand-in): {}", ca_path.display()));
    }
    if args.token.is_empty() {
        out::line("any token is accepted (--token T to accept only T)");
    } else {
        out::line(format_args!("accepting {} token(s) given with --token", args.token.len()));
    }
    match stub.ca_pem() {
        None => out::line(format_args!(
            "try: APIFY_BASE_URL={} apify-run task janedoe~my-task --wait 30",
            stub.base_url()
        )),
        Some(_) => out::line(format_args!(
            "try: cargo run -p apify-nal-async --example https_task --features tls -- --base-url https://localhost:{} --ca {} janedoe~my-task",
            stub.port(),
            ca_path.display()
        )),
    }
    stub.serve_forever();
    Ok(exit::SUCCESS)
}

/// Prints the result and picks the exit code. Every outcome after a successful start names
/// the run, in text and in `--json`.
fn conclude(report: Result<RunReport, Error>, json: bool, waited: bool) -> Result<u8, Failure> {
    let report = report.map_err(|e| failed(&e, json))?;
    let run = &report.run;
    let status = run.status();
    let still_going = waited && !run.is_terminal();
    if json {
        out::line(run_json(run)?);
    } else {
        out::line(summary(run, still_going.then_some("still going when the wait ended")));
    }
    Ok(match (report.finish, status) {
        (Finish::DeadlineReached, _) => exit::STILL_RUNNING,
        (_, Some(RunStatus::Failed)) => exit::RUN_FAILED,
        (_, Some(RunStatus::Aborted | RunStatus::Aborting)) => exit::RUN_ABORTED,
        (_, Some(RunStatus::TimedOut | RunStatus::TimingOut)) => exit::RUN_TIMED_OUT,
        _ if still_going => exit::STILL_RUNNING,
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
pub(crate) fn failed(e: &Error, json: bool) -> Failure {
    let (code, status) = match e {
        Error::Api { status, .. } | Error::HttpStatus { status, .. } => (exit::API_ERROR, Some(*status)),
        // A response came, but not one that could be read.
        Error::Transport { failure, .. } if failure.cause == Cause::Malformed => (exit::MALFORMED, None),
        Error::Transport { .. } => (exit::TRANSPORT, None),
        Error::OutcomeUnknown { status, .. } => (exit::OUTCOME_UNKNOWN, *status),
        Error::FollowFailed { .. } => (exit::FOLLOW_FAILED, None),
        _ => (exit::USAGE, None),
    };
    let kind = match e {
        Error::Api { error_type, .. } => error_type.as_ref().map_or("unknown-error", |t| t.as_str()),
        _ => exit::kind_of(code),
    };
    let mut failure = fail(code, e.to_string());
    if json {
        let run = e.started_run().and_then(|run| run_json(run).ok());
        out::line(exit::error_json(kind, &failure.message, status, run.as_deref()));
        failure.shown_as_json = true;
    } else if let Some(run) = e.started_run() {
        // The ID on stdout too, where a script reads the outcome.
        out::line(summary(run, Some("started; following it failed, see stderr")));
    }
    failure
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

/// The live progress line on stderr. On a terminal it is redrawn in place every second (the
/// elapsed time ticks while the server holds a poll); otherwise one plain line per status
/// change. Retries get a line of their own.
struct ProgressLine {
    state: Arc<Mutex<Shown>>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct Shown {
    started: Option<Instant>,
    /// The run's ID and status as last seen.
    run: Option<(String, String)>,
    tty: bool,
    quiet: bool,
    done: bool,
}

impl Shown {
    fn draw(&self) {
        let (Some((id, status)), Some(started)) = (&self.run, self.started) else { return };
        let elapsed = started.elapsed().as_secs_f32();
        out::note_raw(format_args!("\r\x1b[2K{} {} {elapsed:.1}s", Printable(id), Printable(status)));
    }
}

impl ProgressLine {
    fn start(quiet: bool) -> Self {
        let tty = std::io::stderr().is_terminal();
        let state =
            Arc::new(Mutex::new(Shown { started: Some(Instant::now()), tty, quiet, ..Shown::default() }));
        let ticker = (tty && !quiet).then(|| {
            let state = state.clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_millis(500));
                    let shown = state.lock().unwrap_or_else(PoisonError::into_inner);
                    if shown.done {
                        break;
                    }
                    shown.draw();
                }
            })
        });
        Self { state, ticker }
    }

    fn show(&self, progress: Progress<'_>) {
        let mut shown = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if shown.quiet {
            return;
        }
        let run = match progress {
            Progress::Run(run) => run,
            Progress::Retry { reason, after_ms, next_attempt, max_attempts } => {
                if shown.tty && shown.run.is_some() {
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
        let id = run.id().map_or("?".into(), |t| t.as_str().to_string());
        let changed = shown.run.as_ref().is_none_or(|(_, last)| *last != status);
        let elapsed = shown.started.map_or(0.0, |s| s.elapsed().as_secs_f32());
        if !shown.tty && changed {
            out::note(format_args!("{} {} after {elapsed:.1}s", Printable(&id), Printable(&status)));
        }
        shown.run = Some((id, status));
        if shown.tty {
            shown.draw();
        }
    }

    fn end(self) {
        let ended = {
            let mut shown = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            shown.done = true;
            shown.tty && shown.run.is_some() && !shown.quiet
        };
        if let Some(ticker) = self.ticker {
            let _ = ticker.join();
        }
        if ended {
            out::note("");
        }
    }
}
