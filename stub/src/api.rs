//! The endpoints: what each request does to the runs and what it answers.

use std::time::Instant;

use serde_json::Value;

use crate::RecordedRequest;
use crate::bodies::{Reply, not_found};
use crate::params::{self, RunParams};
use crate::route::{Query, Route};
use crate::runs::NewRun;
use crate::state::Shared;

/// A received request, routed.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub(crate) route: Route,
    query: Query,
    request: &'a RecordedRequest,
}

impl<'a> Call<'a> {
    pub(crate) fn new(request: &'a RecordedRequest) -> Call<'a> {
        let (path, query) = request.url.split_once('?').unwrap_or((&request.url, ""));
        let query = Query::parse(query);
        // As in the API, `GET …?method=POST` counts as a POST, for HTTP stacks that can only GET.
        let method = match query.get("method") {
            Some(method) if request.method == "GET" => method.to_ascii_uppercase(),
            _ => request.method.clone(),
        };
        Call { route: Route::of(&method, path), query, request }
    }
}

/// Handles `call` and says what to answer.
pub(crate) fn answer(shared: &Shared, call: &Call<'_>) -> Reply {
    let result = match &call.route {
        Route::StartRun { task } => start_run(shared, call, task),
        Route::GetRun { id } => get_run(shared, call, id),
        Route::AbortRun { id } => abort_run(shared, call, id),
        Route::LastRun { task } => last_run(shared, call, task),
        Route::DatasetItems { .. } | Route::RunDatasetItems { .. } | Route::RunSyncItems { .. } => {
            items_plan(shared, call).map(crate::datasets::ItemsPlan::into_reply)
        }
        Route::WrongMethod { allow } => {
            let message = format!(
                "This API end-point can only be accessed using the following HTTP methods: OPTIONS,{allow}"
            );
            Err(Reply::error(405, "method-not-allowed", message)
                .with_header("Allow", format!("OPTIONS, {allow}")))
        }
        Route::NotFound => {
            let message =
                "We have bad news: there is no API endpoint at this URL. Did you specify it correctly?";
            Err(Reply::error(404, "page-not-found", message))
        }
    };
    result.unwrap_or_else(|error| error)
}

/// The plan of a dataset items answer, after the token check (the run-sync start needs one;
/// reading a dataset by ID does not).
pub(crate) fn items_plan(shared: &Shared, call: &Call<'_>) -> Result<crate::datasets::ItemsPlan, Reply> {
    check_token(shared, call, matches!(call.route, Route::RunSyncItems { .. }))?;
    if matches!(call.route, Route::RunSyncItems { .. }) {
        check_input(&call.request.body)?;
    }
    match crate::datasets::plan(shared, &call.route, &call.query, &call.request.body) {
        Some(plan) => plan,
        None => Err(not_found("Dataset")),
    }
}

/// `POST /v2/actor-tasks/{task}/runs`
fn start_run(shared: &Shared, call: &Call<'_>, task: &str) -> Result<Reply, Reply> {
    check_token(shared, call, true)?;
    if is_missing(task) {
        return Err(not_found("Actor task"));
    }
    let params = RunParams::parse(&call.query)?;
    check_input(&call.request.body)?;
    let id = shared.lock().runs.create(NewRun {
        task,
        params: &params,
        user_agent: call.request.header("user-agent"),
        input_len: call.request.body.len(),
        ready_for: shared.config.ready_for,
        running_for: shared.config.running_for,
    });
    let run = run_json(shared, &id, &params)?;
    Ok(Reply::data(201, run).with_header("Location", format!("{}/v2/actor-runs/{id}", shared.base_url)))
}

/// `GET /v2/actor-runs/{id}`
fn get_run(shared: &Shared, call: &Call<'_>, id: &str) -> Result<Reply, Reply> {
    check_token(shared, call, false)?;
    let wait = params::wait_for_finish(&call.query)?;
    let run = run_json(shared, id, &RunParams { wait, ..RunParams::default() })?;
    Ok(Reply::data(200, run))
}

/// `POST /v2/actor-runs/{id}/abort`
fn abort_run(shared: &Shared, call: &Call<'_>, id: &str) -> Result<Reply, Reply> {
    check_token(shared, call, true)?;
    let run = {
        let mut state = shared.lock();
        let run = state.runs.get_mut(id).ok_or_else(|| not_found("Actor run"))?;
        let now = Instant::now();
        run.abort(now);
        run.to_json(now)
    };
    shared.notify();
    Ok(Reply::data(200, run))
}

/// `GET /v2/actor-tasks/{task}/runs/last`
fn last_run(shared: &Shared, call: &Call<'_>, task: &str) -> Result<Reply, Reply> {
    check_token(shared, call, true)?;
    if is_missing(task) {
        return Err(not_found("Actor task"));
    }
    let wait = params::wait_for_finish(&call.query)?;
    let status = call.query.get("status").filter(|status| !status.is_empty());
    let id = {
        let state = shared.lock();
        let run = state.runs.last_of(task, status, Instant::now()).ok_or_else(|| not_found("Actor run"))?;
        run.id.clone()
    };
    let run = run_json(shared, &id, &RunParams { wait, ..RunParams::default() })?;
    Ok(Reply::data(200, run))
}

/// Run `id` after waiting up to `params.wait` for it to finish.
fn run_json(shared: &Shared, id: &str, params: &RunParams) -> Result<Value, Reply> {
    let state = shared.wait_for_finish(id, params.wait);
    let run = state.runs.get(id).ok_or_else(|| not_found("Actor run"))?;
    Ok(run.to_json(Instant::now()))
}

use crate::names::is_missing;

/// With a token configured: `Authorization: Bearer <token>` or `?token=<token>` must carry
/// it. A missing token is an error only when `required`; a wrong one always is.
fn check_token(shared: &Shared, call: &Call<'_>, required: bool) -> Result<(), Reply> {
    let accepted = &shared.config.tokens;
    if accepted.is_empty() {
        return Ok(());
    }
    let given = match call.request.header("authorization") {
        Some(value) => match value.trim().split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Some(token.trim()),
            _ => Some(""),
        },
        None => call.query.get("token"),
    };
    match given {
        Some(token) if accepted.iter().any(|t| t == token) => Ok(()),
        None if !required => Ok(()),
        None => Err(Reply::error(401, "token-not-provided", "Authentication token was not provided")),
        Some(_) => Err(Reply::error(401, "invalid-token", "Authentication token is not valid.")),
    }
}

/// The input must be a JSON object; no body at all counts as `{}`.
fn check_input(body: &[u8]) -> Result<(), Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(_)) => Ok(()),
        _ => Err(Reply::error(400, "invalid-request", "POST data must be a JSON object")),
    }
}
