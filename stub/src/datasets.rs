//! Datasets: items generated on the fly from their index, streamed, never held whole.
//!
//! Which datasets exist: every run's default dataset (with [`StubConfig::dataset_items`]
//! items), and `items-N` (N items) or `items-NxS` (N items of about S bytes each), so that a
//! client can be tried on a million items or on 500 MB (`items-500000x1000`) without the
//! stand-in storing any of it. Item `i` is always the same object, so a client's output can be
//! checked against [`item`]. `offset`, `limit`, `desc`, `fields`, `omit`, `clean` and
//! `skipHidden` are honoured; `unwind`, `flatten` and `view` are accepted and ignored;
//! `format` must be `json`.
//!
//! [`StubConfig::dataset_items`]: crate::StubConfig::dataset_items

use std::io::{self, Write};
use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::bodies::{JSON, Reply, not_found};
use crate::params::RunParams;
use crate::route::{Query, Route};
use crate::runs::NewRun;
use crate::state::Shared;

/// Bytes gathered before they go out as one chunk.
const CHUNK: usize = 64 << 10;

/// Item `index` of a generated dataset, with `pad` bytes of padding text (all fields; the
/// query's selection applies on top).
pub fn item(index: u64, pad: usize) -> Value {
    let mut item = json!({
        "index": index,
        "url": format!("https://www.example.com/products/{index}"),
        "title": format!("Caf\u{e9} \u{2116}{index} \u{2014} \"quoted\", [bracketed]"),
        "price": { "value": index as f64 / 100.0, "currency": "EUR" },
        "tags": ["coffee", if index % 2 == 0 { "even" } else { "odd" }],
        "inStock": index % 3 != 0,
        "#debug": { "requestId": format!("req-{index}") },
    });
    if pad > 0 {
        item["padding"] = Value::String("x".repeat(pad));
    }
    item
}

/// What a dataset items answer will hold: which items, and which of their fields.
#[derive(Debug, Clone)]
pub(crate) struct ItemsPlan {
    /// Items in the dataset.
    total: u64,
    pad: usize,
    offset: u64,
    count: u64,
    limit: Option<u64>,
    desc: bool,
    fields: Option<Vec<String>>,
    omit: Vec<String>,
    hidden: bool,
    /// 200, or 201 for run-sync.
    status: u16,
}

impl ItemsPlan {
    /// The answer's status and headers (framing aside).
    fn head(&self) -> Vec<(String, String)> {
        let limit = self.limit.unwrap_or(self.total.saturating_sub(self.offset).max(self.count));
        vec![
            ("Content-Type".into(), JSON.into()),
            ("X-Apify-Pagination-Offset".into(), self.offset.to_string()),
            ("X-Apify-Pagination-Limit".into(), limit.to_string()),
            ("X-Apify-Pagination-Count".into(), self.count.to_string()),
            ("X-Apify-Pagination-Total".into(), self.total.to_string()),
        ]
    }

    /// Writes the body's items into `out`, calling `flush` whenever [`CHUNK`] bytes gathered.
    fn body(&self, mut flush: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        let mut out = Vec::with_capacity(CHUNK + 4096);
        out.push(b'[');
        for n in 0..self.count {
            let position = self.offset + n;
            let index = if self.desc { self.total - 1 - position } else { position };
            if n > 0 {
                out.push(b',');
            }
            let value = self.select(item(index, self.pad));
            serde_json::to_writer(&mut out, &value).map_err(io::Error::other)?;
            if out.len() >= CHUNK {
                flush(&out)?;
                out.clear();
            }
        }
        out.push(b']');
        flush(&out)
    }

    /// The query's choice of fields of `item`.
    fn select(&self, item: Value) -> Value {
        let Value::Object(mut all) = item else { return item };
        all.retain(|key, _| !(self.omit.contains(key) || (self.hidden && key.starts_with('#'))));
        match &self.fields {
            None => Value::Object(all),
            Some(fields) => {
                let chosen: Map<String, Value> =
                    fields.iter().filter_map(|f| all.get(f).map(|v| (f.clone(), v.clone()))).collect();
                Value::Object(chosen)
            }
        }
    }

    /// The whole answer in memory (for the fault paths, which need it whole).
    pub(crate) fn into_reply(self) -> Reply {
        let mut body = Vec::new();
        let _ = self.body(|bytes| {
            body.extend_from_slice(bytes);
            Ok(())
        });
        Reply { status: self.status, headers: self.head(), body }
    }

    /// Streams the answer to `out`, chunked: the head, then a chunk per [`CHUNK`] bytes.
    pub(crate) fn stream(&self, out: &mut impl Write) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, crate::bodies::reason(self.status));
        for (name, value) in self.head() {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("Transfer-Encoding: chunked\r\n\r\n");
        out.write_all(head.as_bytes())?;
        self.body(|bytes| {
            write!(out, "{:x}\r\n", bytes.len())?;
            out.write_all(bytes)?;
            out.write_all(b"\r\n")
        })?;
        out.write_all(b"0\r\n\r\n")?;
        out.flush()
    }
}

/// The plan for a dataset items route (`None` for other routes).
pub(crate) fn plan(
    shared: &Shared,
    route: &Route,
    query: &Query,
    body: &[u8],
) -> Option<Result<ItemsPlan, Reply>> {
    let result = match route {
        Route::DatasetItems { id } => {
            dataset(shared, id).and_then(|(total, pad)| choose(query, total, pad, 200))
        }
        Route::RunDatasetItems { id } => {
            let dataset = shared.lock().runs.get(id).map(|run| run.storage[1].clone());
            match dataset {
                Some(dataset) => dataset_of(shared, &dataset).and_then(|(t, p)| choose(query, t, p, 200)),
                None => Err(not_found("Actor run")),
            }
        }
        Route::RunSyncItems { task } => run_sync(shared, query, body, task),
        _ => return None,
    };
    Some(result)
}

/// Items and padding of dataset `id`.
fn dataset(shared: &Shared, id: &str) -> Result<(u64, usize), Reply> {
    if let Some(spec) = id.strip_prefix("items-") {
        let (count, pad) = spec.split_once('x').unwrap_or((spec, "0"));
        if let (Ok(count), Ok(pad)) = (count.parse::<u64>(), pad.parse::<usize>()) {
            return Ok((count, pad.min(1 << 20)));
        }
    }
    dataset_of(shared, id)
}

/// A run's default dataset `id`, if one has it.
fn dataset_of(shared: &Shared, id: &str) -> Result<(u64, usize), Reply> {
    let state = shared.lock();
    match state.runs.with_dataset(id) {
        true => Ok((shared.config.dataset_items, 0)),
        false => Err(not_found("Dataset")),
    }
}

/// The query's selection over a dataset of `total` items.
fn choose(query: &Query, total: u64, pad: usize, status: u16) -> Result<ItemsPlan, Reply> {
    let invalid =
        |name: &str| Reply::error(400, "invalid-parameter", format!("The parameter '{name}' is not valid."));
    if query.get("format").is_some_and(|f| !f.eq_ignore_ascii_case("json")) {
        return Err(Reply::error(400, "invalid-parameter", "The stand-in serves format=json only."));
    }
    let number =
        |name: &str| query.get(name).map(|v| v.parse::<u64>().map_err(|_| invalid(name))).transpose();
    let flag = |name: &str| matches!(query.get(name), Some("1" | "true"));
    let list =
        |name: &str| query.get(name).map(|v| v.split(',').map(|f| f.trim().to_owned()).collect::<Vec<_>>());
    let offset = number("offset")?.unwrap_or(0);
    let limit = number("limit")?;
    let count = total.saturating_sub(offset).min(limit.unwrap_or(u64::MAX));
    Ok(ItemsPlan {
        total,
        pad,
        offset,
        count,
        limit,
        desc: flag("desc"),
        fields: list("fields"),
        omit: list("omit").unwrap_or_default(),
        hidden: flag("clean") || flag("skipHidden"),
        status,
    })
}

/// `POST /v2/actor-tasks/{task}/run-sync-get-dataset-items`: starts a run, waits for it (at
/// most [`StubConfig::sync_timeout`](crate::StubConfig::sync_timeout), then 408 with the run
/// going on), answers with its default dataset's items.
fn run_sync(shared: &Shared, query: &Query, body: &[u8], task: &str) -> Result<ItemsPlan, Reply> {
    if crate::names::is_missing(task) {
        return Err(not_found("Actor task"));
    }
    if query.get("waitForFinish").is_some() {
        return Err(Reply::error(
            400,
            "invalid-parameter",
            "waitForFinish is not a parameter of this endpoint",
        ));
    }
    let params = RunParams::parse(query)?;
    let id = shared.lock().runs.create(NewRun {
        task,
        params: &params,
        user_agent: None,
        input_len: body.len(),
        ready_for: shared.config.ready_for,
        running_for: shared.config.running_for,
    });
    let state = shared.wait_for_finish(&id, shared.config.sync_timeout);
    let run = state.runs.get(&id).ok_or_else(|| not_found("Actor run"))?;
    if !run.is_terminal(Instant::now()) {
        let message = format!(
            "Actor run exceeded the timeout of {} seconds for this API endpoint",
            shared.config.sync_timeout.as_secs()
        );
        return Err(Reply::error(408, "run-timeout-exceeded", message));
    }
    drop(state);
    choose(query, shared.config.dataset_items, 0, 201)
}
