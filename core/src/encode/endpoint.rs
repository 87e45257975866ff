//! The endpoints a client uses: a method, a path and its query parameters.

use base64::Engine as _;

use super::sink::{Sink, put_percent_encoded};
#[cfg(feature = "items")]
use super::{DatasetId, ItemsOptions};
use super::{EncodeError, Input, RunId, RunOptions, TaskId};
use crate::Decimal;

/// How long run-sync (`run-sync-get-dataset-items`) waits for its run before it answers 408
/// `run-timeout-exceeded` (the run goes on).
pub const RUN_SYNC_WAIT_SECS: u32 = 300;

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
    #[cfg(feature = "items")]
    /// `GET /v2/datasets/{dataset}/items?format=json&…`: a dataset's items, a bare JSON
    /// array (read it with [`ItemsReader`](crate::items::ItemsReader)).
    DatasetItems {
        /// The dataset.
        dataset: DatasetId<'a>,
        /// Which items and fields.
        items: &'a ItemsOptions<'a>,
    },
    #[cfg(feature = "items")]
    /// `GET /v2/actor-runs/{run}/dataset/items?format=json&…`: the items of a run's default
    /// dataset.
    RunDatasetItems {
        /// The run.
        run: RunId<'a>,
        /// Which items and fields.
        items: &'a ItemsOptions<'a>,
    },
    #[cfg(feature = "items")]
    /// `POST /v2/actor-tasks/{task}/run-sync-get-dataset-items?…`: runs the task, waits for it
    /// (the API gives up after 300 s with 408 `run-timeout-exceeded`, the run going on) and
    /// answers with its dataset's items. Starts a run: never sent twice.
    RunTaskSyncItems {
        /// The task.
        task: TaskId<'a>,
        /// The run's options; `waitForFinish` is not one of this endpoint's.
        options: &'a RunOptions<'a>,
        /// The body: input overrides.
        input: Input<'a>,
        /// Which items and fields.
        items: &'a ItemsOptions<'a>,
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

    #[cfg(feature = "items")]
    /// `GET /v2/datasets/{dataset}/items` with `items`.
    pub const fn dataset_items(dataset: DatasetId<'a>, items: &'a ItemsOptions<'a>) -> Self {
        Self::DatasetItems { dataset, items }
    }

    #[cfg(feature = "items")]
    /// `GET /v2/actor-runs/{run}/dataset/items` with `items`.
    pub const fn run_dataset_items(run: RunId<'a>, items: &'a ItemsOptions<'a>) -> Self {
        Self::RunDatasetItems { run, items }
    }

    #[cfg(feature = "items")]
    /// `POST /v2/actor-tasks/{task}/run-sync-get-dataset-items` with `options`, `input` and
    /// `items`.
    pub const fn run_task_sync_items(
        task: TaskId<'a>,
        options: &'a RunOptions<'a>,
        input: Input<'a>,
        items: &'a ItemsOptions<'a>,
    ) -> Self {
        Self::RunTaskSyncItems { task, options, input, items }
    }

    /// The request method.
    pub const fn method(&self) -> Method {
        match self {
            Self::RunTask { .. } | Self::AbortRun { .. } => Method::Post,
            Self::GetRun { .. } | Self::LastTaskRun { .. } => Method::Get,
            #[cfg(feature = "items")]
            Self::RunTaskSyncItems { .. } => Method::Post,
            #[cfg(feature = "items")]
            Self::DatasetItems { .. } | Self::RunDatasetItems { .. } => Method::Get,
        }
    }

    /// The request body: the input for a task run, empty for an abort, none for a GET.
    pub const fn body(&self) -> Option<&'a [u8]> {
        match self {
            Self::RunTask { input, .. } => Some(input.json()),
            Self::AbortRun { .. } => Some(b""),
            Self::GetRun { .. } | Self::LastTaskRun { .. } => None,
            #[cfg(feature = "items")]
            Self::RunTaskSyncItems { input, .. } => Some(input.json()),
            #[cfg(feature = "items")]
            Self::DatasetItems { .. } | Self::RunDatasetItems { .. } => None,
        }
    }

    /// How long the server may hold its answer, in milliseconds: the `waitForFinish` asked
    /// for, or the 300 s run-sync waits for its run ([`RUN_SYNC_WAIT_SECS`]).
    pub const fn server_wait_ms(&self) -> u32 {
        let secs = match self {
            Self::RunTask { options, .. } => match options.wait_for_finish_secs {
                Some(secs) => secs as u32,
                None => 0,
            },
            Self::GetRun { wait_for_finish_secs: Some(secs), .. }
            | Self::LastTaskRun { wait_for_finish_secs: Some(secs), .. } => *secs as u32,
            #[cfg(feature = "items")]
            Self::RunTaskSyncItems { .. } => RUN_SYNC_WAIT_SECS,
            _ => 0,
        };
        secs * 1000
    }

    /// Whether sending this twice can do something twice (a second run, for example).
    /// Retrying such a request is only safe where the server cannot have received it.
    pub const fn is_idempotent(&self) -> bool {
        match self {
            Self::RunTask { .. } => false,
            #[cfg(feature = "items")]
            Self::RunTaskSyncItems { .. } => false,
            _ => true,
        }
    }

    /// Checks the parameters against the API's rules.
    pub fn validate(&self) -> Result<(), EncodeError> {
        let wait_ok = |w: &Option<u8>| w.is_none_or(|s| s <= super::options::MAX_WAIT_FOR_FINISH_SECS);
        match self {
            Self::RunTask { options, .. } => options.validate(),
            #[cfg(feature = "items")]
            Self::RunTaskSyncItems { options, .. } if options.wait_for_finish_secs.is_some() => {
                Err(EncodeError::InvalidParameter {
                    name: "waitForFinish",
                    rule: "is not a parameter of run-sync-get-dataset-items (it waits up to 300 s itself)",
                })
            }
            #[cfg(feature = "items")]
            Self::RunTaskSyncItems { options, items, .. } => {
                options.validate().and_then(|()| items.validate())
            }
            #[cfg(feature = "items")]
            Self::DatasetItems { items, .. } | Self::RunDatasetItems { items, .. } => items.validate(),
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
            #[cfg(feature = "items")]
            Self::DatasetItems { dataset, .. } => {
                sink.put_str("/v2/datasets/");
                dataset.put_segment(sink);
                sink.put_str("/items");
            }
            #[cfg(feature = "items")]
            Self::RunDatasetItems { run, .. } => {
                sink.put_str("/v2/actor-runs/");
                run.put_segment(sink);
                sink.put_str("/dataset/items");
            }
            #[cfg(feature = "items")]
            Self::RunTaskSyncItems { task, .. } => {
                sink.put_str("/v2/actor-tasks/");
                task.put_segment(sink);
                sink.put_str("/run-sync-get-dataset-items");
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
                run_params(o, &mut param);
                wait(&mut param, &o.wait_for_finish_secs);
                if let Some(w) = o.webhooks {
                    param("webhooks", QueryValue::Base64Json(w.json()));
                }
            }
            #[cfg(feature = "items")]
            Self::RunTaskSyncItems { options: o, items, .. } => {
                run_params(o, &mut param);
                if let Some(w) = o.webhooks {
                    param("webhooks", QueryValue::Base64Json(w.json()));
                }
                items_params(items, &mut param);
            }
            #[cfg(feature = "items")]
            Self::DatasetItems { items, .. } | Self::RunDatasetItems { items, .. } => {
                items_params(items, &mut param);
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

/// A run's options as query parameters, but for `waitForFinish` and `webhooks` (the caller
/// places them: they come last, in the API's documented order).
fn run_params<'a>(o: &RunOptions<'a>, param: &mut impl FnMut(&'static str, QueryValue<'a>)) {
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
}

/// The items options as query parameters, `format=json` first.
#[cfg(feature = "items")]
fn items_params<'a>(o: &ItemsOptions<'a>, param: &mut impl FnMut(&'static str, QueryValue<'a>)) {
    param("format", QueryValue::Text("json"));
    let numbers = [("offset", o.offset), ("limit", o.limit)];
    for (name, value) in numbers {
        if let Some(v) = value {
            param(name, QueryValue::Uint(v));
        }
    }
    let texts = [("fields", o.fields), ("omit", o.omit), ("unwind", o.unwind), ("flatten", o.flatten)];
    for (name, value) in texts {
        if let Some(v) = value {
            param(name, QueryValue::Text(v));
        }
    }
    let flags =
        [("desc", o.desc), ("clean", o.clean), ("skipEmpty", o.skip_empty), ("skipHidden", o.skip_hidden)];
    for (name, value) in flags {
        if let Some(v) = value {
            param(name, QueryValue::Bool(v));
        }
    }
    if let Some(v) = o.view {
        param("view", QueryValue::Text(v));
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
