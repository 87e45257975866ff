//! The endpoints a client uses: a method, a path and its query parameters.

use base64::Engine as _;

use super::sink::{Sink, put_percent_encoded};
use super::{EncodeError, Input, RunId, RunOptions, TaskId};
use crate::Decimal;

/// An HTTP request method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

impl Method {
    /// The method's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// One API operation with its parameters. Each knows its method, path, query and body; the
/// [`Request`](super::Request) adds the address, the token and the headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Endpoint<'a> {
    /// `POST /v2/actor-tasks/{task}/runs`: start a run of a task.
    RunTask {
        /// The task.
        task: TaskId<'a>,
        /// Query parameters (borrowed: a request is rebuilt for every attempt, and a device's
        /// stack should not hold copies).
        options: &'a RunOptions<'a>,
        /// The body: input overrides.
        input: Input<'a>,
    },
    /// `GET /v2/actor-runs/{run}`: a run's current state, optionally after waiting for it.
    GetRun {
        /// The run.
        run: RunId<'a>,
        /// `waitForFinish`: seconds the server may wait for a terminal status (0..=60).
        wait_for_finish_secs: Option<u8>,
    },
    /// `POST /v2/actor-runs/{run}/abort`: abort a run.
    AbortRun {
        /// The run.
        run: RunId<'a>,
        /// `gracefully`: let the run persist its state first (it is force-stopped after 30 s).
        gracefully: Option<bool>,
    },
    /// `GET /v2/actor-tasks/{task}/runs/last`: the task's most recent run (needs a token).
    /// This is how to find out whether a start whose answer was lost created a run.
    LastTaskRun {
        /// The task.
        task: TaskId<'a>,
        /// `waitForFinish` (0..=60).
        wait_for_finish_secs: Option<u8>,
    },
}

/// A query parameter's value, rendered in the form the API expects.
#[derive(Debug, Clone, Copy)]
enum QueryValue<'v> {
    Uint(u64),
    Decimal(Decimal),
    Bool(bool),
    Text(&'v str),
    /// JSON that goes out as standard base64 (padding kept), percent-encoded.
    Base64Json(&'v [u8]),
}

impl<'a> Endpoint<'a> {
    /// `POST /v2/actor-tasks/{task}/runs` with `options` and `input`.
    pub const fn run_task(task: TaskId<'a>, options: &'a RunOptions<'a>, input: Input<'a>) -> Self {
        Self::RunTask { task, options, input }
    }

    /// `GET /v2/actor-runs/{run}?waitForFinish=…`.
    pub const fn get_run(run: RunId<'a>, wait_for_finish_secs: Option<u8>) -> Self {
        Self::GetRun { run, wait_for_finish_secs }
    }

    /// `POST /v2/actor-runs/{run}/abort`.
    pub const fn abort_run(run: RunId<'a>, gracefully: Option<bool>) -> Self {
        Self::AbortRun { run, gracefully }
    }

    /// `GET /v2/actor-tasks/{task}/runs/last`.
    pub const fn last_task_run(task: TaskId<'a>, wait_for_finish_secs: Option<u8>) -> Self {
        Self::LastTaskRun { task, wait_for_finish_secs }
    }

    /// The request method.
    pub const fn method(&self) -> Method {
        match self {
            Self::RunTask { .. } | Self::AbortRun { .. } => Method::Post,
            Self::GetRun { .. } | Self::LastTaskRun { .. } => Method::Get,
        }
    }

    /// The request body: the input for a task run, empty for an abort, none for a GET.
    pub const fn body(&self) -> Option<&'a [u8]> {
        match self {
            Self::RunTask { input, .. } => Some(input.json()),
            Self::AbortRun { .. } => Some(b""),
            Self::GetRun { .. } | Self::LastTaskRun { .. } => None,
        }
    }

    /// Whether sending this twice can do something twice (a second run, for example).
    /// Retrying such a request is only safe where the server cannot have received it.
    pub const fn is_idempotent(&self) -> bool {
        !matches!(self, Self::RunTask { .. })
    }

    /// Checks the parameters against the API's rules.
    pub fn validate(&self) -> Result<(), EncodeError> {
        let wait_ok = |w: &Option<u8>| w.is_none_or(|s| s <= super::options::MAX_WAIT_FOR_FINISH_SECS);
        match self {
            Self::RunTask { options, .. } => options.validate(),
            Self::GetRun { wait_for_finish_secs: w, .. }
            | Self::LastTaskRun { wait_for_finish_secs: w, .. }
                if !wait_ok(w) =>
            {
                Err(EncodeError::InvalidParameter {
                    name: "waitForFinish",
                    rule: "must be from 0 to 60 (seconds)",
                })
            }
            _ => Ok(()),
        }
    }

    /// Writes `/v2/…` and the query string.
    pub(crate) fn put_target(&self, sink: &mut impl Sink) {
        match self {
            Self::RunTask { task, .. } => {
                sink.put_str("/v2/actor-tasks/");
                task.put_segment(sink);
                sink.put_str("/runs");
            }
            Self::GetRun { run, .. } => {
                sink.put_str("/v2/actor-runs/");
                run.put_segment(sink);
            }
            Self::AbortRun { run, .. } => {
                sink.put_str("/v2/actor-runs/");
                run.put_segment(sink);
                sink.put_str("/abort");
            }
            Self::LastTaskRun { task, .. } => {
                sink.put_str("/v2/actor-tasks/");
                task.put_segment(sink);
                sink.put_str("/runs/last");
            }
        }
        let mut separator = "?";
        self.for_each_param(|name, value| {
            sink.put_str(separator);
            separator = "&";
            sink.put_str(name);
            sink.put_str("=");
            put_query_value(sink, value);
        });
    }

    /// The query parameters that are set, in the order the API documents them.
    fn for_each_param(&self, mut param: impl FnMut(&'static str, QueryValue<'a>)) {
        let wait = |param: &mut dyn FnMut(&'static str, QueryValue<'a>), w: &Option<u8>| {
            if let Some(secs) = w {
                param("waitForFinish", QueryValue::Uint(*secs as u64));
            }
        };
        match self {
            Self::RunTask { options: o, .. } => {
                if let Some(v) = o.timeout_secs {
                    param("timeout", QueryValue::Uint(v as u64));
                }
                if let Some(v) = o.memory_mbytes {
                    param("memory", QueryValue::Uint(v as u64));
                }
                if let Some(v) = o.max_items {
                    param("maxItems", QueryValue::Uint(v));
                }
                if let Some(v) = o.max_total_charge_usd {
                    param("maxTotalChargeUsd", QueryValue::Decimal(v));
                }
                if let Some(v) = o.restart_on_error {
                    param("restartOnError", QueryValue::Bool(v));
                }
                if let Some(v) = o.build {
                    param("build", QueryValue::Text(v));
                }
                wait(&mut param, &o.wait_for_finish_secs);
                if let Some(w) = o.webhooks {
                    param("webhooks", QueryValue::Base64Json(w.json()));
                }
            }
            Self::GetRun { wait_for_finish_secs: w, .. }
            | Self::LastTaskRun { wait_for_finish_secs: w, .. } => {
                wait(&mut param, w);
            }
            Self::AbortRun { gracefully, .. } => {
                if let Some(v) = gracefully {
                    param("gracefully", QueryValue::Bool(*v));
                }
            }
        }
    }
}

fn put_query_value(sink: &mut impl Sink, value: QueryValue<'_>) {
    match value {
        QueryValue::Uint(v) => sink.put_u64(v),
        // The plain form never uses an exponent, and its bytes are unreserved.
        QueryValue::Decimal(v) => v.render(|piece| sink.put_str(piece)),
        QueryValue::Bool(v) => sink.put_str(if v { "true" } else { "false" }),
        QueryValue::Text(v) => put_percent_encoded(sink, v.as_bytes()),
        QueryValue::Base64Json(json) => {
            // 12 input bytes are exactly 16 base64 characters, so chunk outputs concatenate
            // to the encoding of the whole (small, for devices with small stacks).
            for chunk in json.chunks(12) {
                let mut out = [0u8; 16];
                let n = base64::engine::general_purpose::STANDARD.encode_slice(chunk, &mut out).unwrap_or(0);
                put_percent_encoded(sink, &out[..n]);
            }
        }
    }
}
