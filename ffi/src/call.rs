//! The call machine in caller storage: start a run and follow it (or get, abort, last run)
//! with the Rust adapters' retry rules, C code doing the I/O.
//!
//! ```text
//! apify_call_start ─▶ loop: apify_call_next(now)
//!   SEND  ─▶ apify_call_request (write the bytes) ─▶ read into an apify_reader ─▶
//!            apify_call_on_response(now, reader)   or   apify_call_on_failure(now, stage, cause)
//!   SLEEP ─▶ sleep action.ms
//!   DONE  ─▶ action.finish; the reader holds the last response
//! ```

use core::ffi::c_char;
use core::ptr::{addr_of, addr_of_mut};

use apify_core::call::{Action, Call, Cause, Finish, RetryPolicy, SleepReason, Stage, TransportFailure};
use apify_core::encode::{Endpoint, Input, RunId, RunOptions, TaskId};

use crate::apify_error;
use crate::args::{code, enum_value, get_optional, put, put_optional, text, writable, write_display};
use crate::reader::{Reader, apify_reader, reader_ref};
use crate::request::{apify_api, apify_input, apify_run_options, emit, run_task_parts};
use crate::storage::{Slot, Tagged, init, slot_of, value_ptr};

/// Bytes of an `apify_call` on this target (asserted against the Rust type when the library
/// is built).
#[cfg(target_pointer_width = "32")]
pub const APIFY_CALL_SIZE: usize = 272;
/// Bytes of an `apify_call` on this target.
#[cfg(target_pointer_width = "64")]
pub const APIFY_CALL_SIZE: usize = 336;

/// `uint64_t`s in an `apify_call`.
pub const APIFY_CALL_WORDS: usize = APIFY_CALL_SIZE / 8;

/// Storage for one call: declare one, then start it with `apify_call_start` (or
/// `apify_call_wait_for`, `_get`, `_abort`, `_last_run`). Opaque; must not be moved after: the
/// call keeps its options in it and borrows them. (From Rust, hold it by one raw pointer, as C
/// does: a fresh `&mut` to the whole storage would invalidate that borrow.)
#[repr(C)]
#[derive(Debug)]
pub struct apify_call {
    /// The library's bytes: never read or written by the program.
    pub opaque: [u64; APIFY_CALL_WORDS],
}

/// The retry policies (`apify_call_settings.policy`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum apify_policy {
    /// The official clients' backoff: 8 attempts, doubling waits from 0.5 s.
    Default,
    /// For a fleet of devices that may all start at once: fully spread waits growing
    /// fourfold, 30 attempts over 30 minutes (the README's fleet figures).
    Fleet,
}

/// How a call behaves. A zeroed struct (or NULL) is: no wait, the default policy, seed 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct apify_call_settings {
    /// Wait up to this long for the run to end (0: a start ends once the run exists). The
    /// call ends within `wait_ms` plus one attempt's timeout.
    pub wait_ms: u32,
    /// Spreads retries: give each device its own (a serial number, a random boot value).
    pub seed: u32,
    /// An `apify_policy`.
    pub policy: u32,
    /// Abort the run if the wait ends first ("so credits aren't wasted").
    pub abort_at_deadline: bool,
    /// The longest wait one poll asks of the server, 1 to 60 seconds (0: 60).
    pub poll_wait_secs: u8,
}

/// What the C program does next (`apify_call_next`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum apify_action_kind {
    /// Send the request `apify_call_request` writes, giving up on it after `ms`; then report
    /// with `apify_call_on_response` or `apify_call_on_failure`.
    Send,
    /// Sleep `ms`, then call `apify_call_next` again.
    Sleep,
    /// The call is over: `finish` says how.
    Done,
}

/// Why a call sleeps.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum apify_sleep_reason {
    /// Not sleeping.
    None,
    /// Between polls of a run that is still going.
    Poll,
    /// Before sending a failed request again (attempt `attempt` of `max_attempts`).
    Retry,
    /// Before asking again for something expected (capacity, a new run becoming visible).
    Wait,
}

/// How a call ended.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum apify_finish {
    /// Not done.
    None,
    /// The run was started (no wait asked); the reader holds it.
    Started,
    /// The run reached a terminal status; the reader holds it.
    Terminal,
    /// The wait ended with the run still going; the reader holds its latest state.
    DeadlineReached,
    /// The wait ended and the run was aborted; the reader holds the aborted run.
    AbortedAtDeadline,
    /// A get, abort or last run succeeded; the reader holds the run.
    Done,
    /// The API refused; the reader holds its error (`error.type`, `error.message`).
    ApiError,
    /// An error status without the API's error body (`apify_reader_body_prefix`).
    HttpStatus,
    /// No usable response after the retries allowed.
    Transport,
    /// A start was sent and may or may not have created a run: it was not sent again. Ask
    /// the task's last run (`apify_request_last_run`) before starting it again.
    OutcomeUnknown,
}

/// The request a `SEND` names (for logs; all go to the API's host).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum apify_operation {
    /// Not sending.
    None,
    /// `POST /v2/actor-tasks/{task}/runs`: start the run (never sent twice unless the first
    /// cannot have reached the server).
    RunTask,
    /// `GET /v2/actor-runs/{run}`: poll the run.
    GetRun,
    /// `POST /v2/actor-runs/{run}/abort`.
    AbortRun,
    /// `GET /v2/actor-tasks/{task}/runs/last`.
    LastRun,
}

/// What `apify_call_next` says to do.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct apify_action {
    /// Send, sleep or done.
    pub kind: apify_action_kind,
    /// Send: the attempt's timeout; sleep: how long.
    pub ms: u32,
    /// Send: which request (`apify_call_request` writes it).
    pub operation: apify_operation,
    /// Sleep: why.
    pub sleep_reason: apify_sleep_reason,
    /// Retry: the attempt that comes next (from 2) and how many the policy allows.
    pub attempt: u8,
    /// Retry: attempts the policy allows.
    pub max_attempts: u8,
    /// Done: how the call ended.
    pub finish: apify_finish,
}

/// How far an exchange got before the connection failed (`apify_call_on_failure`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum apify_stage {
    /// Looking up the host's address.
    Resolve,
    /// Opening the connection.
    Connect,
    /// The TLS handshake.
    Tls,
    /// Writing the request; no byte of it was handed to the connection.
    WriteNothing,
    /// Writing the request; some of it was handed to the connection, not all.
    WritePartial,
    /// Reading the response, after the whole request was written.
    Read,
}

/// What ended the exchange (`apify_call_on_failure`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum apify_cause {
    /// The attempt's time ran out.
    Timeout,
    /// No host has that name.
    HostNotFound,
    /// The peer refused the connection.
    Refused,
    /// The peer closed or reset the connection.
    Closed,
    /// The server's certificate or TLS parameters were refused (not retried).
    TlsRejected,
    /// Any other I/O error.
    Other,
}

const STAGES: &[Stage] = &[
    Stage::Resolve,
    Stage::Connect,
    Stage::Tls,
    Stage::Write { any_written: false },
    Stage::Write { any_written: true },
    Stage::Read,
];
const CAUSES: &[Cause] =
    &[Cause::Timeout, Cause::HostNotFound, Cause::Refused, Cause::Closed, Cause::TlsRejected, Cause::Other];

/// The request the last `Send` named, kept to write it again in any window.
#[derive(Debug, Clone, Copy)]
enum Sending {
    RunTask,
    GetRun(Option<u8>),
    Abort(Option<bool>),
    LastRun(Option<u8>),
}

/// What lives in an `apify_call`. `call` borrows `options` (its neighbour in the same
/// storage) and the caller's strings, hence `'static` and the rule that the storage is never
/// moved: every entry point checks it is at the address it was started at, and reaches the
/// fields one by one (a `&mut` to the whole would invalidate the borrow `call` holds).
struct CallState {
    options: RunOptions<'static>,
    task: Option<TaskId<'static>>,
    input: Input<'static>,
    call: Call<'static>,
    sending: Option<Sending>,
    /// How the call ended, once `apify_call_next` said so.
    finished: Option<Finish>,
}

impl Tagged for CallState {
    const TAG: u32 = 0x6170_6361; // "apca"
}

/// Starts a call in `storage`: `options` first, then the call `make` builds on them.
///
/// # Safety
/// `storage` is NULL or writable `apify_call` storage the caller owns and never moves while
/// the call is used; the strings behind `options`, `task`, `input` and `make`'s run ID stay
/// valid as long.
unsafe fn start(
    storage: *mut apify_call,
    options: RunOptions<'static>,
    task: Option<TaskId<'static>>,
    input: Input<'static>,
    settings: Option<&apify_call_settings>,
    make: impl FnOnce(&'static RunOptions<'static>, RetryPolicy, u32) -> Call<'static>,
) -> Result<(), apify_error> {
    let defaults =
        apify_call_settings { wait_ms: 0, seed: 0, policy: 0, abort_at_deadline: false, poll_wait_secs: 0 };
    let s = settings.unwrap_or(&defaults);
    let policy = match enum_value(s.policy, &[RetryPolicy::DEFAULT, RetryPolicy::FLEET]) {
        Some(p) => p,
        None => return Err(apify_error::InvalidArgument),
    };
    if s.poll_wait_secs > 60 {
        return Err(apify_error::InvalidArgument);
    }
    let slot: *mut Slot<CallState> = slot_of(storage)?;
    let placeholder = Call::get(RunId::new("placeholder")?, policy, 0);
    let state =
        // SAFETY: aligned, writable and owned per the caller.
        unsafe { init(slot, CallState { options, task, input, call: placeholder, sending: None, finished: None }) };
    // SAFETY: `options` was just written at a place that does not move (the caller's rule)
    // and is never written again while this call lives: only `call`, `sending` and
    // `finished` are.
    let options: &'static RunOptions<'static> = unsafe { &*addr_of!((*state).options) };
    let mut call = make(options, policy, s.seed).wait_ms(s.wait_ms).abort_at_deadline(s.abort_at_deadline);
    if s.poll_wait_secs > 0 {
        call = call.poll_wait_secs(s.poll_wait_secs);
    }
    // SAFETY: the field is in the slot just initialised; the placeholder has nothing to drop.
    unsafe { addr_of_mut!((*state).call).write(call) };
    Ok(())
}

/// The started call in `storage`.
///
/// # Safety
/// `storage` is NULL or caller storage as in [`start`].
unsafe fn state(storage: *const apify_call) -> Result<*mut CallState, apify_error> {
    // SAFETY: the caller's contract.
    unsafe { value_ptr(slot_of::<CallState, _>(storage)?) }
}

/// Starts a run of `task_id` with `options` (NULL: none) and `input` (from
/// `apify_input_from_json`; NULL: `{}`), then follows it as `settings` (NULL: no wait) say.
///
/// # Safety
/// `call` is NULL or writable `apify_call` storage that is not moved until the call is done.
/// `task_id`, `options` and everything it points to, and `input` stay valid and unchanged as
/// long (they are borrowed, not copied).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_call_start(
    call: *mut apify_call,
    task_id: *const c_char,
    options: *const apify_run_options,
    input: *const apify_input,
    settings: *const apify_call_settings,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract for each argument, for as long as the call lives.
        unsafe {
            let (task, run_options, input) = run_task_parts(task_id, options, input)?;
            start(call, run_options, Some(task), input, get_optional(settings)?, |options, policy, seed| {
                Call::start(task, options, input, policy, seed)
            })
        }
    })
}

/// Starts a call on an existing run (`make`: wait for, get, abort).
///
/// # Safety
/// As `apify_call_start` for `call`, `run_id` and `settings`.
unsafe fn on_run(
    call: *mut apify_call,
    run_id: *const c_char,
    settings: *const apify_call_settings,
    make: fn(RunId<'static>, RetryPolicy, u32) -> Call<'static>,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract for each argument, for as long as the call lives.
        unsafe {
            let run = RunId::new(text(run_id)?)?;
            start(call, RunOptions::new(), None, Input::EMPTY, get_optional(settings)?, |_, policy, seed| {
                make(run, policy, seed)
            })
        }
    })
}

/// Follows run `run_id` until it ends or `settings.wait_ms` passes.
///
/// # Safety
/// As `apify_call_start`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_call_wait_for(
    call: *mut apify_call,
    run_id: *const c_char,
    settings: *const apify_call_settings,
) -> apify_error {
    // SAFETY: the caller's contract, passed on.
    unsafe { on_run(call, run_id, settings, Call::wait_for) }
}

/// Fetches run `run_id` once.
///
/// # Safety
/// As `apify_call_start`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_call_get(
    call: *mut apify_call,
    run_id: *const c_char,
    settings: *const apify_call_settings,
) -> apify_error {
    // SAFETY: the caller's contract, passed on.
    unsafe { on_run(call, run_id, settings, Call::get) }
}

/// Aborts run `run_id`.
///
/// # Safety
/// As `apify_call_start`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_call_abort(
    call: *mut apify_call,
    run_id: *const c_char,
    settings: *const apify_call_settings,
) -> apify_error {
    // SAFETY: the caller's contract, passed on.
    unsafe { on_run(call, run_id, settings, Call::abort) }
}

/// Fetches the task's most recent run once: how to settle an `OUTCOME_UNKNOWN` start
/// (compare its `data.startedAt` with the time of the attempt).
///
/// # Safety
/// As `apify_call_start`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_call_last_run(
    call: *mut apify_call,
    task_id: *const c_char,
    settings: *const apify_call_settings,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract for each argument, for as long as the call lives.
        unsafe {
            let task = TaskId::new(text(task_id)?)?;
            start(
                call,
                RunOptions::new(),
                Some(task),
                Input::EMPTY,
                get_optional(settings)?,
                |_, policy, seed| Call::last_run(task, policy, seed),
            )
        }
    })
}

/// What to do next, at `now_ms`: milliseconds from a monotonic clock (since boot, say; it
/// must not go back).
///
/// # Safety
/// `call` started (as `apify_call_start`); `action` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_call_next(
    call: *mut apify_call,
    now_ms: u64,
    action: *mut apify_action,
) -> apify_error {
    code(|| {
        // The machine moves on in `next`: a bad out-parameter must stop it before.
        writable(action)?;
        // SAFETY: the caller's contract.
        let state = unsafe { state(call) }?;
        // SAFETY: only these fields are borrowed mutably, not `options` (see CallState).
        let (machine, sending, finished) = unsafe {
            (
                &mut *addr_of_mut!((*state).call),
                &mut *addr_of_mut!((*state).sending),
                &mut *addr_of_mut!((*state).finished),
            )
        };
        let mut out = apify_action {
            kind: apify_action_kind::Done,
            ms: 0,
            operation: apify_operation::None,
            sleep_reason: apify_sleep_reason::None,
            attempt: 0,
            max_attempts: 0,
            finish: apify_finish::None,
        };
        match machine.next(now_ms) {
            Action::Send { endpoint, timeout_ms } => {
                let (send, operation) = match endpoint {
                    Endpoint::RunTask { .. } => (Sending::RunTask, apify_operation::RunTask),
                    Endpoint::GetRun { wait_for_finish_secs: w, .. } => {
                        (Sending::GetRun(w), apify_operation::GetRun)
                    }
                    Endpoint::AbortRun { gracefully, .. } => {
                        (Sending::Abort(gracefully), apify_operation::AbortRun)
                    }
                    Endpoint::LastTaskRun { wait_for_finish_secs: w, .. } => {
                        (Sending::LastRun(w), apify_operation::LastRun)
                    }
                    _ => return Err(apify_error::WrongState),
                };
                *sending = Some(send);
                out.operation = operation;
                out.kind = apify_action_kind::Send;
                out.ms = timeout_ms;
            }
            Action::Sleep { ms, reason } => {
                *sending = None;
                out.kind = apify_action_kind::Sleep;
                out.ms = ms;
                out.sleep_reason = match reason {
                    SleepReason::Poll => apify_sleep_reason::Poll,
                    SleepReason::Retry { next_attempt, max_attempts } => {
                        out.attempt = next_attempt;
                        out.max_attempts = max_attempts;
                        apify_sleep_reason::Retry
                    }
                    _ => apify_sleep_reason::Wait,
                };
            }
            Action::Done(finish) => {
                *sending = None;
                *finished = Some(finish);
                out.finish = match finish {
                    Finish::Started => apify_finish::Started,
                    Finish::Terminal => apify_finish::Terminal,
                    Finish::DeadlineReached => apify_finish::DeadlineReached,
                    Finish::AbortedAtDeadline => apify_finish::AbortedAtDeadline,
                    Finish::Done => apify_finish::Done,
                    Finish::ApiError => apify_finish::ApiError,
                    Finish::HttpStatus => apify_finish::HttpStatus,
                    Finish::Transport(_) => apify_finish::Transport,
                    _ => apify_finish::OutcomeUnknown,
                };
            }
        }
        // SAFETY: the caller's contract.
        unsafe { put(action, out) }
    })
}

/// Writes the request the last `SEND` named, from byte `offset` of it, into `out`: windows
/// as `apify_request_run_task`. `WRONG_STATE` unless the last `apify_call_next` said `SEND`.
///
/// # Safety
/// `call` started; `api` valid with its strings; `out` points to `out_len` writable bytes;
/// `written` writable, `total` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_call_request(
    call: *const apify_call,
    api: *const apify_api,
    offset: usize,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
    total: *mut usize,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract; the fields are only read.
        let state = unsafe { &*state(call)? };
        let run = || state.call.run_id().and_then(|id| RunId::new(id).ok()).ok_or(apify_error::WrongState);
        let task = || state.task.ok_or(apify_error::WrongState);
        let endpoint = match state.sending.ok_or(apify_error::WrongState)? {
            Sending::RunTask => Endpoint::run_task(task()?, &state.options, state.input),
            Sending::GetRun(wait) => Endpoint::get_run(run()?, wait),
            Sending::Abort(gracefully) => Endpoint::abort_run(run()?, gracefully),
            Sending::LastRun(wait) => Endpoint::last_task_run(task()?, wait),
        };
        // SAFETY: the caller's contract, passed on.
        unsafe { emit(api, endpoint, offset, out, out_len, written, total) }
    })
}

/// What the reader made of the response: a whole response (`apify_reader_finish` said OK)
/// or why the bytes were not one (it failed).
fn last_response(
    reader: &Reader,
) -> Result<Result<apify_core::http::Response<'_>, apify_core::http::ReadError>, apify_error> {
    match (reader.http.response(), reader.failed) {
        (Some(response), _) => Ok(Ok(response)),
        (None, Some(failed)) => Ok(Err(failed)),
        (None, None) => Err(apify_error::WrongState),
    }
}

/// The request sent after `SEND` got an answer: `reader` holds it, finished (or failed while
/// it was fed or finished: the call treats that as a malformed response).
///
/// # Safety
/// `call` started; `reader` initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_call_on_response(
    call: *mut apify_call,
    now_ms: u64,
    reader: *const apify_reader,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract for each.
        let (state, reader) = unsafe { (state(call)?, reader_ref(reader)?) };
        let response = last_response(reader)?;
        // SAFETY: only the `call` field is borrowed mutably (see CallState).
        unsafe { (*addr_of_mut!((*state).call)).on_response(now_ms, response) };
        Ok(())
    })
}

/// The request sent after `SEND` failed at the connection: how far it got (`stage`, an
/// `apify_stage`) and what ended it (`cause`, an `apify_cause`). This decides whether a start
/// may be sent again: only a request that was not written whole cannot have reached the
/// server.
///
/// # Safety
/// `call` started.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_call_on_failure(
    call: *mut apify_call,
    now_ms: u64,
    stage: u32,
    cause: u32,
) -> apify_error {
    code(|| {
        let (Some(stage), Some(cause)) = (enum_value(stage, STAGES), enum_value(cause, CAUSES)) else {
            return Err(apify_error::InvalidArgument);
        };
        // SAFETY: the caller's contract.
        let state = unsafe { state(call) }?;
        // SAFETY: only the `call` field is borrowed mutably (see CallState).
        unsafe { (*addr_of_mut!((*state).call)).on_failure(now_ms, TransportFailure::new(stage, cause)) };
        Ok(())
    })
}

/// The run the call follows, once known: `*id` points to its ID (not NUL-terminated, `*len`
/// bytes), in the call's storage when the call learned it, else the caller's own string;
/// valid until the call is started again. `*created` (if not NULL) says whether this call
/// started it.
/// A call that created a run and then failed leaves a run that exists: report this ID, do
/// not start the task again for it.
///
/// # Safety
/// `call` started; `id`, `len` writable; `created` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_call_run_id(
    call: *const apify_call,
    id: *mut *const c_char,
    len: *mut usize,
    created: *mut bool,
) -> apify_error {
    code(|| {
        writable(id)?;
        writable(len)?;
        // SAFETY: the caller's contract; the fields are only read.
        let state = unsafe { &*state(call)? };
        let run = state.call.run_id().ok_or(apify_error::NoValue)?;
        // SAFETY: the caller's contract; `id` and `len` were checked above.
        unsafe {
            put_optional(created, state.call.created_run_id().is_some())?;
            put(id, run.as_ptr().cast())?;
            put(len, run.len())
        }
    })
}

/// Writes the sentence the Rust adapters show for how the call ended (or, while it goes on,
/// why the last request failed), such as `run HG7ML7M8z78YcAPEB SUCCEEDED` or `API error 404
/// record-not-found: ...`, NUL-terminated into `buf`; `*needed` (if not NULL) gets its size.
/// `reader` holds the last response (NULL if none was read).
///
/// # Safety
/// `call` started; `reader` NULL or initialised; `buf` points to `cap` writable bytes;
/// `needed` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_call_describe(
    call: *const apify_call,
    reader: *const apify_reader,
    buf: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract.
        let state = unsafe { state(call) }?;
        let last = if reader.is_null() {
            Err(apify_core::http::ReadError::NoResponse)
        } else {
            // SAFETY: the caller's contract.
            last_response(unsafe { reader_ref(reader) }?)
                .unwrap_or(Err(apify_core::http::ReadError::NoResponse))
        };
        // SAFETY: the fields are only read.
        let (machine, finished) = unsafe { (&*addr_of!((*state).call), *addr_of!((*state).finished)) };
        let conclusion = match finished {
            Some(finish) => finish.conclude(last),
            None => machine.last_failure(last),
        };
        // SAFETY: the caller's contract.
        unsafe { write_display(&conclusion, buf, cap, needed) }
    })
}
