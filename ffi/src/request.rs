//! Requests: "run task", "get run", "abort run", "last run", written into a caller buffer
//! whole or in windows.

use core::ffi::c_char;

use apify_core::Decimal;
use apify_core::client::{Error as ClientError, MIN_BUFFER, check_settings, request};
use apify_core::encode::{
    BaseUrl, EncodeError, Endpoint, EventType, Input, Request, RunId, RunOptions, TaskId, Token, Webhook,
    Webhooks,
};

use crate::apify_error;
use crate::args::{
    bytes, bytes_mut, code, get, get_optional, optional_text, put, put_optional, slice, text, writable,
    write_display,
};

/// Where requests go and with which token.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct apify_api {
    /// The API's address, such as `https://api.apify.com` (NULL: that one) or the local
    /// stand-in's `http://127.0.0.1:8080`.
    pub base_url: *const c_char,
    /// The API token (NULL: none). It goes out in the `Authorization` header only.
    pub token: *const c_char,
    /// Whether the caller's connection is TLS. An `https://` base URL without it is refused
    /// (`APIFY_ERROR_TLS_REQUIRED`): the token would travel in clear text.
    pub tls: bool,
}

/// Set in `apify_run_options.set` for each numeric or boolean option given.
pub const APIFY_OPTION_TIMEOUT: u32 = 1 << 0;
/// `memory_mbytes` is set.
pub const APIFY_OPTION_MEMORY: u32 = 1 << 1;
/// `max_items` is set.
pub const APIFY_OPTION_MAX_ITEMS: u32 = 1 << 2;
/// `restart_on_error` is set.
pub const APIFY_OPTION_RESTART_ON_ERROR: u32 = 1 << 3;
/// `wait_for_finish_secs` is set.
pub const APIFY_OPTION_WAIT_FOR_FINISH: u32 = 1 << 4;
const ALL_OPTIONS: u32 = (1 << 5) - 1;

/// The options of "Run task" (all of the API's query parameters). A zeroed struct sets none:
/// the task's saved settings apply. Numbers and booleans count when their `APIFY_OPTION_*`
/// bit is in `set`; strings when not NULL.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct apify_run_options {
    /// `APIFY_OPTION_*` bits of the numeric and boolean options given.
    pub set: u32,
    /// `timeout`: seconds (0: no timeout).
    pub timeout_secs: u32,
    /// `memory`: megabytes, a power of two from 128 to 32768.
    pub memory_mbytes: u32,
    /// `maxItems`: above zero.
    pub max_items: u64,
    /// `maxTotalChargeUsd`, as decimal text (`"5.25"`), sent exactly; NULL: not set.
    pub max_total_charge_usd: *const c_char,
    /// `restartOnError`.
    pub restart_on_error: bool,
    /// `build`: a tag or number; NULL: not set.
    pub build: *const c_char,
    /// `waitForFinish`: 0 to 60 seconds.
    pub wait_for_finish_secs: u8,
    /// `webhooks`: ad-hoc webhooks as JSON that `apify_webhooks_encode` wrote (now, or once
    /// and kept in flash), `webhooks_json_len` bytes; NULL: none.
    pub webhooks_json: *const u8,
    /// Bytes at `webhooks_json`.
    pub webhooks_json_len: usize,
}

/// Most webhooks in one run's options.
pub const APIFY_MAX_WEBHOOKS: usize = 8;
/// Most event types of one webhook.
pub const APIFY_MAX_WEBHOOK_EVENTS: usize = 8;

/// Set in `apify_webhook.set` for each boolean given.
pub const APIFY_WEBHOOK_SHOULD_INTERPOLATE_STRINGS: u32 = 1 << 0;
/// `ignore_ssl_errors` is set.
pub const APIFY_WEBHOOK_IGNORE_SSL_ERRORS: u32 = 1 << 1;
/// `do_not_retry` is set.
pub const APIFY_WEBHOOK_DO_NOT_RETRY: u32 = 1 << 2;
const ALL_WEBHOOK_FLAGS: u32 = (1 << 3) - 1;

/// One ad-hoc webhook.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct apify_webhook {
    /// Event type names (`"ACTOR.RUN.SUCCEEDED"`, ...), `event_type_count` of them.
    pub event_types: *const *const c_char,
    /// How many, 1 to `APIFY_MAX_WEBHOOK_EVENTS`.
    pub event_type_count: usize,
    /// Where to POST: an `http://` or `https://` URL.
    pub request_url: *const c_char,
    /// The body template (NULL: the default).
    pub payload_template: *const c_char,
    /// Extra headers as a JSON template (NULL: none).
    pub headers_template: *const c_char,
    /// The API refuses a second webhook with the same key (NULL: none).
    pub idempotency_key: *const c_char,
    /// `APIFY_WEBHOOK_*` bits of the booleans given.
    pub set: u32,
    /// `shouldInterpolateStrings`.
    pub should_interpolate_strings: bool,
    /// `ignoreSslErrors`.
    pub ignore_ssl_errors: bool,
    /// `doNotRetry`.
    pub do_not_retry: bool,
}

/// The core's options from an `apify_run_options` (NULL: none), checked against the API's
/// rules. They borrow the strings and webhook JSON it points to.
///
/// # Safety
/// `options` and everything it points to is valid and unchanged for `'a`.
pub(crate) unsafe fn run_options<'a>(
    options: Option<&apify_run_options>,
) -> Result<RunOptions<'a>, apify_error> {
    let Some(o) = options else { return Ok(RunOptions::new()) };
    // SAFETY: the caller's contract, passed on.
    unsafe { run_options_checked(o) }.map_err(|e| match e {
        Checked::Encode(e) => e.into(),
        Checked::Argument(code) => code,
    })
}

/// Why options were refused: a rule of the API's (with its sentence), or an argument.
enum Checked {
    Encode(EncodeError),
    Argument(apify_error),
}

impl From<apify_error> for Checked {
    fn from(code: apify_error) -> Self {
        Self::Argument(code)
    }
}

/// As [`run_options`], keeping the broken rule.
///
/// # Safety
/// As [`run_options`].
unsafe fn run_options_checked<'a>(o: &apify_run_options) -> Result<RunOptions<'a>, Checked> {
    if o.set & !ALL_OPTIONS != 0 {
        return Err(apify_error::InvalidArgument.into());
    }
    let mut out = RunOptions::new();
    let has = |bit| o.set & bit != 0;
    if has(APIFY_OPTION_TIMEOUT) {
        out = out.timeout_secs(o.timeout_secs);
    }
    if has(APIFY_OPTION_MEMORY) {
        out = out.memory_mbytes(o.memory_mbytes);
    }
    if has(APIFY_OPTION_MAX_ITEMS) {
        out = out.max_items(o.max_items);
    }
    if has(APIFY_OPTION_RESTART_ON_ERROR) {
        out = out.restart_on_error(o.restart_on_error);
    }
    if has(APIFY_OPTION_WAIT_FOR_FINISH) {
        out = out.wait_for_finish_secs(o.wait_for_finish_secs);
    }
    // SAFETY: the caller's contract for every string and array of `options`.
    unsafe {
        if let Some(usd) = optional_text(o.max_total_charge_usd)? {
            let usd = usd.parse::<Decimal>().map_err(|_| {
                Checked::Encode(EncodeError::InvalidParameter {
                    name: "maxTotalChargeUsd",
                    rule: "must be a decimal number such as 5.25",
                })
            })?;
            out = out.max_total_charge_usd(usd);
        }
        if let Some(build) = optional_text(o.build)? {
            out = out.build(build);
        }
        if !o.webhooks_json.is_null() {
            out = out.webhooks(Webhooks::from_encoded(bytes(o.webhooks_json, o.webhooks_json_len)?));
        }
    }
    out.validate().map_err(Checked::Encode)?;
    Ok(out)
}

/// Writes the JSON of `count` webhooks (at most `APIFY_MAX_WEBHOOKS`) into `out` (`out_len`
/// bytes) for `apify_run_options.webhooks_json`; `*len` gets its length, or with
/// `APIFY_ERROR_BUFFER_TOO_SMALL` the length needed. Each definition is checked (an event
/// type at least, an `http(s)://` URL, ...): `APIFY_ERROR_INVALID_OPTION` otherwise. A
/// firmware whose webhooks never change can run this once (on a host, say) and keep the bytes
/// in flash: the serializer is then not linked.
///
/// # Safety
/// `list` points to `count` valid `apify_webhook`s with valid strings; `out` to `out_len`
/// writable bytes; `len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_webhooks_encode(
    list: *const apify_webhook,
    count: usize,
    out: *mut u8,
    out_len: usize,
    len: *mut usize,
) -> apify_error {
    code(|| {
        writable(len)?;
        if count == 0 || count > APIFY_MAX_WEBHOOKS {
            return Err(apify_error::InvalidOption);
        }
        // SAFETY: `count` (1 to 8) readable webhooks per the caller.
        let list = unsafe { slice(list, count) }?;
        let mut events = [[EventType::RunCreated; APIFY_MAX_WEBHOOK_EVENTS]; APIFY_MAX_WEBHOOKS];
        for (c, names) in list.iter().zip(events.iter_mut()) {
            if c.event_type_count > APIFY_MAX_WEBHOOK_EVENTS || c.set & !ALL_WEBHOOK_FLAGS != 0 {
                return Err(apify_error::InvalidOption);
            }
            // SAFETY: `event_type_count` (at most 8) readable pointers per the caller.
            let names_given = unsafe { slice(c.event_types, c.event_type_count) }?;
            for (slot, &name) in names.iter_mut().zip(names_given) {
                // SAFETY: each a valid string per the caller.
                *slot = EventType::from_name(unsafe { text(name) }?);
            }
        }
        let mut hooks = [Webhook::new(&[], ""); APIFY_MAX_WEBHOOKS];
        for ((c, names), hook) in list.iter().zip(events.iter()).zip(hooks.iter_mut()) {
            let names = names.get(..c.event_type_count).unwrap_or_default();
            // SAFETY: the strings of each webhook are valid per the caller.
            let mut h = Webhook::new(names, unsafe { text(c.request_url) }?);
            // SAFETY: as above.
            unsafe {
                if let Some(t) = optional_text(c.payload_template)? {
                    h = h.payload_template(t);
                }
                if let Some(t) = optional_text(c.headers_template)? {
                    h = h.headers_template(t);
                }
                if let Some(k) = optional_text(c.idempotency_key)? {
                    h = h.idempotency_key(k);
                }
            }
            if c.set & APIFY_WEBHOOK_SHOULD_INTERPOLATE_STRINGS != 0 {
                h = h.should_interpolate_strings(c.should_interpolate_strings);
            }
            if c.set & APIFY_WEBHOOK_IGNORE_SSL_ERRORS != 0 {
                h = h.ignore_ssl_errors(c.ignore_ssl_errors);
            }
            if c.set & APIFY_WEBHOOK_DO_NOT_RETRY != 0 {
                h = h.do_not_retry(c.do_not_retry);
            }
            *hook = h;
        }
        let hooks = hooks.get(..count).unwrap_or_default();
        // SAFETY: the caller's contract.
        let scratch = unsafe { bytes_mut(out, out_len) }?;
        let written = match Webhooks::encode(hooks, scratch) {
            Ok(webhooks) => webhooks.json().len(),
            Err(e) => {
                if let EncodeError::BufferTooSmall { needed } = e {
                    // SAFETY: the caller's contract.
                    unsafe { put(len, needed) }?;
                }
                return Err(e.into());
            }
        };
        // SAFETY: the caller's contract.
        unsafe { put(len, written) }
    })
}

/// Input overrides (the body of "Run task"), checked once to be one JSON object by
/// `apify_input_from_json`; calls and requests take it without checking it again.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct apify_input {
    /// The JSON.
    pub json: *const u8,
    /// Bytes at `json`.
    pub len: usize,
    /// Set by `apify_input_from_json` from the two above, so that an input filled in or
    /// changed by hand is refused (`APIFY_ERROR_INVALID_INPUT`): a check against mistakes, not
    /// a seal against forgery.
    pub seal: usize,
}

fn seal(json: *const u8, len: usize) -> usize {
    (json as usize ^ len.rotate_left(13)) ^ 0x5a5a_a5a5
}

/// Checks that `json` (`len` bytes) is one JSON object and makes `input` of it. The bytes are
/// borrowed: keep them valid and unchanged while `input` is used.
///
/// # Safety
/// `input` writable; `json` points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_input_from_json(
    input: *mut apify_input,
    json: *const u8,
    len: usize,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract.
        let bytes = unsafe { bytes(json, len) }?;
        Input::from_json(bytes)?;
        // SAFETY: the caller's contract.
        unsafe { put(input, apify_input { json, len, seal: seal(json, len) }) }
    })
}

/// Checks `options` as a request would and, when one breaks a rule, writes which and why
/// (`invalid `memory`: must be a power of two from 128 to 32768 (MB)`, NUL-terminated) into
/// `buf` (`cap` bytes; `*needed`, if not NULL, gets the size it takes). Returns what the
/// request would return (`APIFY_ERROR_INVALID_OPTION`, ...; `APIFY_ERROR_BUFFER_TOO_SMALL`
/// when the sentence does not fit, cut to `buf`), or OK with `buf` untouched: for a log line
/// that says more than the code.
///
/// # Safety
/// `options` valid with its strings; `buf` points to `cap` writable bytes; `needed` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_run_options_check(
    options: *const apify_run_options,
    buf: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract.
        let o = unsafe { get(options) }?;
        // SAFETY: as above; the options are only checked, not kept.
        let Err(e) = (unsafe { run_options_checked(o) }) else { return Ok(()) };
        let code = match e {
            Checked::Encode(e) => {
                // SAFETY: the caller's contract.
                unsafe { write_display(&e, buf, cap, needed) }?;
                e.into()
            }
            Checked::Argument(code) => code,
        };
        Err(code)
    })
}

/// The API's address and token from `api`, checked as the Rust clients check theirs.
///
/// # Safety
/// `api` is NULL or a valid `apify_api` whose strings are valid for `'a`.
pub(crate) unsafe fn target<'a>(
    api: *const apify_api,
) -> Result<(BaseUrl<'a>, Option<Token<'a>>), apify_error> {
    // SAFETY: the caller's contract.
    let api = unsafe { get(api) }?;
    // SAFETY: the caller's contract for its strings.
    let (base, token) = unsafe { (optional_text(api.base_url)?, optional_text(api.token)?) };
    // The buffer check does not apply (requests are written in windows of any size): the
    // smallest size it accepts is passed.
    check_settings::<()>(base.unwrap_or(apify_core::encode::APIFY_API), token, api.tls, MIN_BUFFER).map_err(
        |e| match e {
            ClientError::TlsRequired => apify_error::TlsRequired,
            ClientError::InvalidInput(e) => e.into(),
            _ => apify_error::InvalidArgument,
        },
    )
}

/// Writes the window of `request` (head, then body) that starts at `offset` into `out`.
pub(crate) fn write_window(request: &Request<'_>, offset: usize, out: &mut [u8]) -> (usize, usize) {
    let head_len = request.head_len();
    let body = request.body();
    let total = head_len + body.len();
    let mut written = 0;
    if offset < head_len {
        written = request.write_head_at(offset, out);
    }
    let body_from = (offset + written).saturating_sub(head_len);
    if let (Some(rest), Some(dest)) = (body.get(body_from..), out.get_mut(written..)) {
        let n = rest.len().min(dest.len());
        if let (Some(d), Some(s)) = (dest.get_mut(..n), rest.get(..n)) {
            d.copy_from_slice(s);
            written += n;
        }
    }
    (written, total)
}

/// Builds the request for `endpoint` and writes its window.
///
/// # Safety
/// As [`target`] for `api`, [`bytes_mut`] for `out`, and the out-parameters are NULL or
/// writable.
pub(crate) unsafe fn emit(
    api: *const apify_api,
    endpoint: Endpoint<'_>,
    offset: usize,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
    total: *mut usize,
) -> Result<(), apify_error> {
    writable(written)?;
    // SAFETY: the caller's contract, passed on.
    let (base, token) = unsafe { target(api) }?;
    let request = request(base, token, endpoint)?;
    // SAFETY: the caller's contract, passed on.
    let out = unsafe { bytes_mut(out, out_len) }?;
    let (n, all) = write_window(&request, offset, out);
    // SAFETY: the caller's contract, passed on.
    unsafe {
        put(written, n)?;
        put_optional(total, all)
    }
}

/// `-1` (unset) or a value from 0 to `max`.
fn optional_u8(value: i32, max: u8) -> Result<Option<u8>, apify_error> {
    match value {
        -1 => Ok(None),
        0.. if value <= max as i32 => Ok(Some(value as u8)),
        _ => Err(apify_error::InvalidArgument),
    }
}

/// Writes the "Run task" request (`POST /v2/actor-tasks/{task_id}/runs`) with `options`
/// (NULL: none) and `input` (from `apify_input_from_json`; NULL: `{}`), from byte
/// `offset` of the whole request (head and body) into `out`. `*written` gets the bytes
/// written, `*total` (if not NULL) the whole request's length: call again with `offset +
/// *written` until they meet, or give a buffer of `*total` bytes for the whole request.
///
/// # Safety
/// Every pointer is NULL or valid for its type and length (`out`: `out_len` writable
/// bytes); strings are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_request_run_task(
    api: *const apify_api,
    task_id: *const c_char,
    options: *const apify_run_options,
    input: *const apify_input,
    offset: usize,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
    total: *mut usize,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract for every argument.
        unsafe {
            let (task, options, input) = run_task_parts(task_id, options, input)?;
            emit(api, Endpoint::run_task(task, &options, input), offset, out, out_len, written, total)
        }
    })
}

/// What "Run task" is made of, from C: the task, its options, its input.
///
/// # Safety
/// As [`text`], [`run_options`] and [`run_input`], for `'a`.
// Inlined: a call of its own costs the C firmware 116 bytes of flash (scripts/footprint).
#[inline(always)]
pub(crate) unsafe fn run_task_parts<'a>(
    task_id: *const c_char,
    options: *const apify_run_options,
    input: *const apify_input,
) -> Result<(TaskId<'a>, RunOptions<'a>, Input<'a>), apify_error> {
    // SAFETY: the caller's contract, passed on.
    unsafe { Ok((TaskId::new(text(task_id)?)?, run_options(get_optional(options)?)?, run_input(input)?)) }
}

/// The input body: NULL is `{}`; else one that `apify_input_from_json` made.
///
/// # Safety
/// `input` is NULL or a valid `apify_input` whose bytes are valid for `'a`.
pub(crate) unsafe fn run_input<'a>(input: *const apify_input) -> Result<Input<'a>, apify_error> {
    // SAFETY: the caller's contract.
    let Some(input) = unsafe { get_optional(input) }? else { return Ok(Input::EMPTY) };
    if input.seal != seal(input.json, input.len) {
        return Err(apify_error::InvalidInput);
    }
    // SAFETY: the caller's contract.
    Ok(Input::from_checked_json(unsafe { bytes(input.json, input.len) }?))
}

/// Writes "Get run" (`GET /v2/actor-runs/{run_id}`), with `waitForFinish` of
/// `wait_for_finish_secs` (0 to 60; -1: not sent). Windows as `apify_request_run_task`.
///
/// # Safety
/// As `apify_request_run_task`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_request_get_run(
    api: *const apify_api,
    run_id: *const c_char,
    wait_for_finish_secs: i32,
    offset: usize,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
    total: *mut usize,
) -> apify_error {
    code(|| {
        let wait = optional_u8(wait_for_finish_secs, 60)?;
        // SAFETY: the caller's contract for every argument.
        unsafe {
            let run = RunId::new(text(run_id)?)?;
            emit(api, Endpoint::get_run(run, wait), offset, out, out_len, written, total)
        }
    })
}

/// Writes "Abort run" (`POST /v2/actor-runs/{run_id}/abort`), with `gracefully` 0 or 1 (-1:
/// not sent). Windows as `apify_request_run_task`.
///
/// # Safety
/// As `apify_request_run_task`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_request_abort_run(
    api: *const apify_api,
    run_id: *const c_char,
    gracefully: i32,
    offset: usize,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
    total: *mut usize,
) -> apify_error {
    code(|| {
        let gracefully = optional_u8(gracefully, 1)?.map(|g| g == 1);
        // SAFETY: the caller's contract for every argument.
        unsafe {
            let run = RunId::new(text(run_id)?)?;
            emit(api, Endpoint::abort_run(run, gracefully), offset, out, out_len, written, total)
        }
    })
}

/// Writes "Last run" (`GET /v2/actor-tasks/{task_id}/runs/last`), how to tell whether a start
/// whose answer was lost created a run; `wait_for_finish_secs` as in `apify_request_get_run`.
/// Windows as `apify_request_run_task`.
///
/// # Safety
/// As `apify_request_run_task`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_request_last_run(
    api: *const apify_api,
    task_id: *const c_char,
    wait_for_finish_secs: i32,
    offset: usize,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
    total: *mut usize,
) -> apify_error {
    code(|| {
        let wait = optional_u8(wait_for_finish_secs, 60)?;
        // SAFETY: the caller's contract for every argument.
        unsafe {
            let task = TaskId::new(text(task_id)?)?;
            emit(api, Endpoint::last_task_run(task, wait), offset, out, out_len, written, total)
        }
    })
}
