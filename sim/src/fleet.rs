//! The event loop: devices running core's real call machine against the API model, in virtual
//! milliseconds.
//!
//! Each device holds a [`Call`] (start the task, then follow the run) with its own seed. An
//! event wakes one device: it takes the answer that arrived (rendered as the HTTP bytes a
//! socket would carry and read by core's real [`ResponseReader`]), then asks its call what to
//! do next: send (the model answers, and says when), sleep, or stop. A device has at most one
//! event pending, so events are ordered by time and then by device: the same setup gives the
//! same run, bit for bit.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::Write as _;

use apify_core::call::{Action, Call, Cause, Finish, RetryPolicy, Stage, TransportFailure};
use apify_core::encode::{Endpoint, Input, RunOptions, TaskId};
use apify_core::http::ResponseReader;

use crate::api::{Answer, Api, ApiConfig, ApiCounts, Request, run_id, run_index};
use crate::rng::{Rng, device_seed};

/// Everything a simulation depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// Devices in the fleet.
    pub devices: u32,
    /// Devices boot at uniformly random times in this window, from 0 (milliseconds).
    pub boot_window_ms: u64,
    /// The API.
    pub api: ApiConfig,
    /// Every device's retry policy.
    pub policy: RetryPolicy,
    /// How long a device follows its run ([`Call::wait_ms`]).
    pub wait_ms: u32,
}

/// What became of one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceResult {
    /// When it booted.
    pub boot_ms: u64,
    /// When its call learned that its run was created, if it did.
    pub started_ms: Option<u64>,
    /// How its call ended.
    pub finish: Finish,
    /// When its call ended.
    pub done_ms: u64,
    /// Requests it sent.
    pub requests: u32,
    /// Runs the API created for it.
    pub runs_created: u32,
}

/// The outcome of a simulation: every device's result, and what the API counted.
#[derive(Debug, Clone)]
pub struct Report {
    /// The setup it ran.
    pub setup: Setup,
    /// One per device.
    pub devices: Vec<DeviceResult>,
    /// The API's counts.
    pub api: ApiCounts,
}

static OPTIONS: RunOptions<'static> = RunOptions::NONE;

/// What a device is waiting for.
#[derive(Debug, Clone, Copy)]
enum Pending {
    /// Nothing: the event wakes it from a sleep (or its boot).
    Nothing,
    /// The answer to its request.
    Answer(Answer),
    /// Its request's timeout.
    Timeout,
}

#[derive(Debug)]
struct Device {
    call: Call<'static>,
    boot_ms: u64,
    pending: Pending,
    started_ms: Option<u64>,
    requests: u32,
    done: Option<(Finish, u64)>,
}

/// Runs a simulation to its end (every device's call done).
pub fn simulate(setup: &Setup) -> Report {
    let task = TaskId::new("fleet~sensor-report").expect("a valid task ID");
    let mut boots = Rng::new(setup.api.seed ^ 0x5eed_b007);
    let mut devices: Vec<Device> = (0..setup.devices)
        .map(|index| Device {
            call: Call::start(task, &OPTIONS, Input::EMPTY, setup.policy, device_seed(index))
                .wait_ms(setup.wait_ms),
            boot_ms: boots.next_u64() % setup.boot_window_ms.max(1),
            pending: Pending::Nothing,
            started_ms: None,
            requests: 0,
            done: None,
        })
        .collect();
    let mut queue: BinaryHeap<Reverse<(u64, u32)>> =
        devices.iter().enumerate().map(|(index, device)| Reverse((device.boot_ms, index as u32))).collect();
    let mut api = Api::new(setup.api.clone(), setup.devices);
    let mut reader = ResponseReader::<16>::new();
    let mut bytes = String::new();
    while let Some(Reverse((now, index))) = queue.pop() {
        let device = &mut devices[index as usize];
        match std::mem::replace(&mut device.pending, Pending::Nothing) {
            Pending::Nothing => {}
            Pending::Timeout => {
                device.call.on_failure(now, TransportFailure::new(Stage::Read, Cause::Timeout));
            }
            Pending::Answer(Answer::Refused) => {
                device.call.on_failure(now, TransportFailure::new(Stage::Connect, Cause::Refused));
            }
            Pending::Answer(Answer::Reset) => {
                device.call.on_failure(now, TransportFailure::new(Stage::Read, Cause::Closed));
            }
            Pending::Answer(answer) => {
                render(answer, &mut bytes);
                reader.reset();
                // The model's own answers: one that does not parse is a bug of the model.
                let fed = reader.feed(bytes.as_bytes());
                assert!(fed.is_ok(), "the model's answer must parse: {bytes}");
                device.call.on_response(now, reader.finish());
            }
        }
        if device.started_ms.is_none() && device.call.created_run_id().is_some() {
            device.started_ms = Some(now);
        }
        match device.call.next(now) {
            Action::Sleep { ms, .. } => queue.push(Reverse((now + ms as u64, index))),
            Action::Send { endpoint, timeout_ms } => {
                let request = match endpoint {
                    Endpoint::RunTask { .. } => Request::Start,
                    Endpoint::GetRun { run, wait_for_finish_secs } => match run_index(run.as_str()) {
                        Some(run) => Request::GetRun { run, wait_secs: wait_for_finish_secs.unwrap_or(0) },
                        None => Request::Other,
                    },
                    _ => Request::Other,
                };
                device.requests += 1;
                let reply = api.handle(now, index, request);
                let timeout_at = now + timeout_ms as u64;
                let at = if reply.answer == Answer::Lost || reply.at_ms > timeout_at {
                    device.pending = Pending::Timeout;
                    timeout_at
                } else {
                    device.pending = Pending::Answer(reply.answer);
                    reply.at_ms
                };
                queue.push(Reverse((at, index)));
            }
            Action::Done(finish) => device.done = Some((finish, now)),
        }
    }
    let runs = api.runs_by_device();
    let devices = devices
        .iter()
        .zip(runs)
        .map(|(device, &runs_created)| {
            let (finish, done_ms) = device.done.expect("every call ends: each wait is bounded");
            DeviceResult {
                boot_ms: device.boot_ms,
                started_ms: device.started_ms,
                finish,
                done_ms,
                requests: device.requests,
                runs_created,
            }
        })
        .collect();
    Report { setup: setup.clone(), devices, api: api.counts().clone() }
}

/// The HTTP response a socket would carry for `answer`.
fn render(answer: Answer, out: &mut String) {
    out.clear();
    let (status, reason) = match answer {
        Answer::Run { status: 201, .. } => (201, "Created"),
        Answer::Run { .. } => (200, "OK"),
        Answer::Error { status, .. } => (status, "Error"),
        _ => unreachable!("transport faults have no bytes"),
    };
    let mut body = String::with_capacity(128);
    let mut retry_after = None;
    match answer {
        Answer::Run { run, state, .. } => {
            let _ = write!(body, r#"{{"data":{{"id":"{}","status":"{state}"}}}}"#, run_id(run));
        }
        Answer::Error { error_type, retry_after: after, .. } => {
            retry_after = after;
            let _ = write!(body, r#"{{"error":{{"type":"{error_type}","message":"simulated"}}}}"#);
        }
        _ => {}
    }
    let _ = write!(
        out,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(seconds) = retry_after {
        let _ = write!(out, "Retry-After: {seconds}\r\n");
    }
    let _ = write!(out, "\r\n{body}");
}
