//! Starts an Apify task and follows its run to the end over verified HTTPS, through exactly
//! the code a device runs (apify-nal-async with TLS 1.3), on the host's network stack.
//!
//! ```text
//! cargo run -p apify-nal-async --example https_task --features tls -- \
//!     --base-url https://localhost:PORT --ca ca.pem janedoe~my-task
//! ```
//!
//! With `apify-run stub --tls` as the server (it prints its port and the CA's path). The token
//! comes from `APIFY_TOKEN`. Exit codes are apify-run's: 0 succeeded, 1 API error, 3 failed,
//! 4 aborted, 5 timed out, 6 still running, 7 no usable response, 8 outcome unknown, 9 started
//! then lost, 64 bad usage.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use apify_nal_async::{
    Client, Error, Finish, Progress, READ_RECORD_LEN, ResponseReader, RunOptions, RunStatus, Tls,
    WRITE_RECORD_LEN,
};
use base64::Engine;
use futures_lite::future::block_on;
use std_embedded_nal_async::Stack;

struct HostDelay;

impl embedded_hal_async::delay::DelayNs for HostDelay {
    async fn delay_ns(&mut self, ns: u32) {
        async_io::Timer::after(Duration::from_nanos(ns as u64)).await;
    }
}

/// The arguments: `--base-url URL --ca FILE [--wait SECS] TASK`.
struct Args {
    base_url: String,
    ca: Vec<u8>,
    wait: Duration,
    task: String,
}

fn usage(message: &str) -> ExitCode {
    eprintln!(
        "https_task: {message}\nusage: https_task --base-url https://HOST:PORT --ca CA.pem [--wait SECS] TASK"
    );
    ExitCode::from(64)
}

/// A PEM certificate's DER bytes (or the file as it is, if it is DER already).
fn der(file: &[u8]) -> Option<Vec<u8>> {
    let Ok(text) = std::str::from_utf8(file) else { return Some(file.to_vec()) };
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok().filter(|d| !d.is_empty())
}

fn parse() -> Result<Args, ExitCode> {
    let mut args = std::env::args().skip(1);
    let (mut base_url, mut ca, mut wait, mut task) = (None, None, Duration::from_secs(300), None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--base-url" => base_url = args.next(),
            "--ca" => {
                let path = args.next().ok_or_else(|| usage("--ca needs a file"))?;
                let file = std::fs::read(&path).map_err(|e| usage(&format!("--ca {path}: {e}")))?;
                ca = Some(der(&file).ok_or_else(|| usage(&format!("--ca {path}: no certificate in it")))?);
            }
            "--wait" => {
                let secs =
                    args.next().and_then(|s| s.parse().ok()).ok_or_else(|| usage("--wait needs seconds"))?;
                wait = Duration::from_secs(secs);
            }
            other if other.starts_with('-') => return Err(usage(&format!("unknown option {other}"))),
            other => task = Some(other.to_string()),
        }
    }
    Ok(Args {
        base_url: base_url.ok_or_else(|| usage("--base-url is required"))?,
        ca: ca.ok_or_else(|| usage("--ca is required: the server's certificate is always checked"))?,
        wait,
        task: task.ok_or_else(|| usage("a task is required"))?,
    })
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(code) => return code,
    };
    // The address to connect to: the base URL's host through the stack's DNS, as a device does.
    let stack = Stack::default();
    let remote = match block_on(apify_nal_async::resolve(
        &stack,
        &args.base_url,
        &mut HostDelay,
        Duration::from_secs(10),
    )) {
        Ok(remote) => remote,
        Err(e) => {
            eprintln!("https_task: {e}");
            return ExitCode::from(7);
        }
    };
    let token = std::env::var("APIFY_TOKEN").unwrap_or_default();

    let (mut read_record, mut write_record) = (vec![0u8; READ_RECORD_LEN], vec![0u8; WRITE_RECORD_LEN]);
    let (mut buffer, mut reader) = ([0u8; 512], Box::new(ResponseReader::new()));
    let tls = Tls::verify(&args.ca, &mut read_record, &mut write_record, rand_core::OsRng);
    let started = Instant::now();
    let mut builder = Client::builder(remote).base_url(&args.base_url).tls(tls);
    if !token.is_empty() {
        builder = builder.token(&token);
    }
    let mut client = match builder.build(
        &stack,
        move || started.elapsed().as_millis() as u64,
        HostDelay,
        &mut buffer,
        &mut reader,
    ) {
        Ok(client) => client,
        Err(e) => return usage(&e.to_string()),
    };
    let progress = |p: Progress<'_>| match p {
        Progress::Run(run) => eprintln!(
            "{} {} after {:.1}s",
            run.id().map_or("?", |id| id.as_str()),
            run.status().as_ref().map_or("UNKNOWN", RunStatus::as_str),
            started.elapsed().as_secs_f32()
        ),
        Progress::Retry { reason, after_ms, next_attempt, max_attempts } => {
            eprintln!(
                "{reason}; retrying in {:.1} s (attempt {next_attempt} of {max_attempts})",
                after_ms as f32 / 1000.0
            );
        }
        _ => {}
    };
    let result =
        block_on(client.call_task_with(&args.task, RunOptions::new(), None, args.wait, false, progress));
    match result {
        Ok(report) => {
            let status = report.run.status();
            println!(
                "run {} {}",
                report.run.id().map_or("?", |id| id.as_str()),
                status.as_ref().map_or("UNKNOWN", RunStatus::as_str)
            );
            ExitCode::from(match (report.finish, status) {
                (Finish::DeadlineReached, _) => 6,
                (_, Some(RunStatus::Succeeded)) => 0,
                (_, Some(RunStatus::Failed)) => 3,
                (_, Some(RunStatus::Aborted | RunStatus::Aborting)) => 4,
                (_, Some(RunStatus::TimedOut | RunStatus::TimingOut)) => 5,
                _ => 6,
            })
        }
        Err(e) => {
            eprintln!("https_task: {e}");
            ExitCode::from(match e {
                Error::Api { .. } | Error::HttpStatus { .. } => 1,
                Error::Transport { .. } => 7,
                Error::OutcomeUnknown { .. } => 8,
                Error::FollowFailed { .. } => 9,
                _ => 64,
            })
        }
    }
}
