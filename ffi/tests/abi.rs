//! The Rust side of the boundary, called as C calls it: every pointer raw, storage the
//! caller's. These also run under Miri (`cargo +nightly miri test -p apify-ffi --test abi`),
//! which checks that no call reads or writes out of bounds, reads uninitialised memory or
//! breaks the aliasing rules (the call's storage borrows from itself).

use std::ffi::{CStr, c_char};
use std::ptr::{null, null_mut};

use apify_core::encode::{BaseUrl, Endpoint, Input, Request, RunOptions, TaskId, Token};
use apify_core::http::{Outcome, ResponseReader};
use apify_core::model::{FieldPath, FieldValue};
use apify_ffi::*;

fn reader() -> Box<apify_reader> {
    Box::new(apify_reader { opaque: [0; APIFY_READER_WORDS] })
}

/// A call's storage, as C holds it: a raw pointer, never a fresh `&mut` (the call borrows
/// from its own storage, and a `&mut` to all of it would invalidate that borrow: Miri says
/// so). Freed with [`free`].
fn call() -> *mut apify_call {
    Box::into_raw(Box::new(apify_call { opaque: [0; APIFY_CALL_WORDS] }))
}

fn free(call: *mut apify_call) {
    // SAFETY: from `call()`, not used after.
    drop(unsafe { Box::from_raw(call) });
}

fn http(status: u16, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Feeds `bytes` in `chunk`-byte pieces and finishes.
fn read(reader: &mut apify_reader, bytes: &[u8], chunk: usize) -> apify_error {
    // SAFETY: the reader is ours; each piece is a live slice.
    unsafe {
        assert_eq!(apify_reader_init(reader), apify_error::Ok);
        for piece in bytes.chunks(chunk) {
            let e = apify_reader_feed(reader, piece.as_ptr(), piece.len(), null_mut());
            if e != apify_error::Ok {
                return e;
            }
        }
        apify_reader_finish(reader)
    }
}

/// A field's value read through the C API, as the core's `FieldValue` for comparison.
fn value_at(reader: &apify_reader, index: usize) -> Option<String> {
    let mut v = std::mem::MaybeUninit::<apify_value>::uninit();
    // SAFETY: the reader is ours; `v` is written on success.
    let e = unsafe { apify_reader_field_at(reader, index, v.as_mut_ptr()) };
    if e == apify_error::NoValue {
        return None;
    }
    assert_eq!(e, apify_error::Ok);
    // SAFETY: written by the successful call.
    let v = unsafe { v.assume_init() };
    Some(match v.kind {
        apify_value_kind::Text => {
            // SAFETY: `text_len` bytes at `text`, inside the reader we still hold.
            let bytes = unsafe { std::slice::from_raw_parts(v.text.cast::<u8>(), v.text_len) };
            format!("{:?} {}", std::str::from_utf8(bytes).unwrap(), v.truncated)
        }
        apify_value_kind::Timestamp => format!("{} {} {}", v.unix_seconds, v.nanos, v.offset_minutes),
        apify_value_kind::Unsigned => v.unsigned_value.to_string(),
        apify_value_kind::Signed => v.signed_value.to_string(),
        apify_value_kind::Bool => v.boolean.to_string(),
        apify_value_kind::Decimal => {
            let mut text = [0 as c_char; 64];
            // SAFETY: `v` is a decimal value; the buffer is 64 bytes.
            let e = unsafe { apify_decimal_text(&v, text.as_mut_ptr(), text.len(), null_mut()) };
            assert_eq!(e, apify_error::Ok);
            // SAFETY: NUL-terminated by the successful call.
            unsafe { CStr::from_ptr(text.as_ptr()) }.to_str().unwrap().to_owned()
        }
    })
}

fn core_value(value: FieldValue<'_>) -> String {
    match value {
        FieldValue::Text(t) => format!("{:?} {}", t.as_str(), t.is_truncated()),
        FieldValue::Timestamp(t) => format!("{} {} {}", t.unix_seconds(), t.nanos(), t.offset_minutes()),
        FieldValue::Unsigned(n) => n.to_string(),
        FieldValue::Signed(n) => n.to_string(),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Decimal(d) => d.to_string(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn fixtures_read_through_the_abi_as_the_core_reads_them() {
    macro_rules! fixtures {
        ($($name:literal),*) => { [$(($name, &include_bytes!(concat!("../../fixtures/", $name))[..])),*] };
    }
    let all = fixtures!(
        "run-task-201.json",
        "error_404_record_not_found.json",
        "run_ppe_newer_fields.json",
        "run_metamorphed_running_finishedAt_null.json",
        "run_ready_minimal.json",
        "error_400_schema_validation_with_data.json"
    );
    // Miri is slow: two fixtures there, in two chunkings.
    let fixtures = if cfg!(miri) { &all[..2] } else { &all[..] };
    let chunkings: &[usize] = if cfg!(miri) { &[usize::MAX, 61] } else { &[usize::MAX, 64, 7, 1] };
    for &(name, body) in fixtures {
        let status = if name.starts_with("error_404") {
            404
        } else if name.starts_with("error") {
            400
        } else {
            201
        };
        let bytes = http(status, body);
        let mut core = ResponseReader::<16>::new();
        core.feed(&bytes).unwrap();
        let response = core.finish().unwrap();
        let expected: Vec<Option<String>> = FieldPath::all()
            .map(|f| match response.outcome {
                Outcome::Run(run) => run.get(f),
                Outcome::ApiError(error) => error.get(f),
                _ => None,
            })
            .map(|v| v.map(core_value))
            .collect();
        assert!(expected.iter().flatten().count() >= 2, "{name}");
        for &chunk in chunkings {
            let mut reader = reader();
            assert_eq!(read(&mut reader, &bytes, chunk), apify_error::Ok, "{name} {chunk}");
            assert_eq!(apify_field_count(), expected.len());
            let got: Vec<_> = (0..expected.len()).map(|i| value_at(&reader, i)).collect();
            assert_eq!(got, expected, "{name} in {chunk}-byte chunks");
        }
    }
}

fn api(base_url: &CStr, token: Option<&CStr>) -> apify_api {
    apify_api { base_url: base_url.as_ptr(), token: token.map_or(null(), CStr::as_ptr), tls: false }
}

#[test]
fn requests_in_windows_are_the_core_request() {
    let options = RunOptions::new().memory_mbytes(1024).build("beta");
    let input = br#"{"url":"https://example.com"}"#;
    let core = Request::new(
        BaseUrl::parse("http://127.0.0.1:8080").unwrap(),
        Endpoint::run_task(
            TaskId::new("janedoe~my-task").unwrap(),
            &options,
            Input::from_json(input).unwrap(),
        ),
    )
    .unwrap()
    .with_token(Token::new("apify_api_secret").unwrap());
    let mut whole = vec![0u8; core.head_len()];
    core.write_head(&mut whole).unwrap();
    whole.extend_from_slice(core.body());

    let c_options = apify_run_options {
        set: APIFY_OPTION_MEMORY,
        timeout_secs: 0,
        memory_mbytes: 1024,
        max_items: 0,
        max_total_charge_usd: null(),
        restart_on_error: false,
        build: c"beta".as_ptr(),
        wait_for_finish_secs: 0,
        webhooks_json: null(),
        webhooks_json_len: 0,
    };
    let mut c_input = std::mem::MaybeUninit::<apify_input>::uninit();
    // SAFETY: `input` lives through the test; `c_input` is written on success.
    let e = unsafe { apify_input_from_json(c_input.as_mut_ptr(), input.as_ptr(), input.len()) };
    assert_eq!(e, apify_error::Ok);
    // SAFETY: written by the successful call.
    let c_input = unsafe { c_input.assume_init() };
    let api = api(c"http://127.0.0.1:8080", Some(c"apify_api_secret"));
    for window in [whole.len(), 64, 7] {
        let mut out = Vec::new();
        let (mut offset, mut total) = (0, usize::MAX);
        while offset < total {
            let mut buf = vec![0u8; window];
            let mut written = 0;
            // SAFETY: every pointer is to live memory of the stated length.
            let e = unsafe {
                apify_request_run_task(
                    &api,
                    c"janedoe~my-task".as_ptr(),
                    &c_options,
                    &c_input,
                    offset,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut written,
                    &mut total,
                )
            };
            assert_eq!(e, apify_error::Ok);
            assert!(written > 0 && written <= window);
            out.extend_from_slice(&buf[..written]);
            offset += written;
        }
        assert_eq!(out, whole, "{window}-byte windows");
    }
}

/// One exchange of the call machine: `next` says send, the request is written, `answer` is
/// read and reported. Returns the request's first line.
fn exchange(call: *mut apify_call, reader: &mut apify_reader, now: u64, answer: &[u8]) -> String {
    let mut action = std::mem::MaybeUninit::<apify_action>::uninit();
    // SAFETY: our storage; `action` written on success.
    assert_eq!(unsafe { apify_call_next(call, now, action.as_mut_ptr()) }, apify_error::Ok);
    // SAFETY: written by the successful call.
    let action = unsafe { action.assume_init() };
    assert_eq!(action.kind, apify_action_kind::Send);
    assert_eq!(action.operation, if now == 0 { apify_operation::RunTask } else { apify_operation::GetRun });
    let api = api(c"http://127.0.0.1:8080", None);
    let (mut buf, mut written, mut total) = ([0u8; 512], 0, 0);
    // SAFETY: as above; the buffer is 512 bytes.
    let e =
        unsafe { apify_call_request(call, &api, 0, buf.as_mut_ptr(), buf.len(), &mut written, &mut total) };
    assert_eq!((e, written), (apify_error::Ok, total));
    assert_eq!(read(reader, answer, 16), apify_error::Ok);
    // SAFETY: our storage.
    assert_eq!(unsafe { apify_call_on_response(call, now, reader) }, apify_error::Ok);
    String::from_utf8_lossy(&buf[..written]).lines().next().unwrap().to_owned()
}

#[test]
fn the_call_machine_starts_and_follows_a_run() {
    let (call, mut reader) = (call(), reader());
    let settings = apify_call_settings {
        wait_ms: 60_000,
        seed: 7,
        policy: apify_policy::Fleet as u32,
        abort_at_deadline: false,
        poll_wait_secs: 0,
    };
    // SAFETY: our storage; the task ID is a static string.
    let e = unsafe { apify_call_start(call, c"janedoe~my-task".as_ptr(), null(), null(), &settings) };
    assert_eq!(e, apify_error::Ok);
    let ready = http(201, br#"{"data":{"id":"HG7ML7M8z78YcAPEB","status":"READY"}}"#);
    let first = exchange(call, &mut reader, 0, &ready);
    assert_eq!(first, "POST /v2/actor-tasks/janedoe~my-task/runs HTTP/1.1");
    let (mut id, mut len, mut created) = (null(), 0, false);
    // SAFETY: our storage and out-parameters.
    assert_eq!(unsafe { apify_call_run_id(call, &mut id, &mut len, &mut created) }, apify_error::Ok);
    // SAFETY: `len` bytes at `id`, inside the call we still hold.
    assert_eq!(unsafe { std::slice::from_raw_parts(id.cast::<u8>(), len) }, b"HG7ML7M8z78YcAPEB");
    assert!(created);

    let done = http(200, br#"{"data":{"id":"HG7ML7M8z78YcAPEB","status":"SUCCEEDED"}}"#);
    let poll = exchange(call, &mut reader, 10, &done);
    assert!(poll.starts_with("GET /v2/actor-runs/HG7ML7M8z78YcAPEB?waitForFinish="), "{poll}");
    let mut action = std::mem::MaybeUninit::<apify_action>::uninit();
    // SAFETY: our storage.
    assert_eq!(unsafe { apify_call_next(call, 20, action.as_mut_ptr()) }, apify_error::Ok);
    // SAFETY: written by the successful call.
    let action = unsafe { action.assume_init() };
    assert_eq!((action.kind, action.finish), (apify_action_kind::Done, apify_finish::Terminal));
    let mut sentence = [0 as c_char; 64];
    // SAFETY: our storage; 64 bytes.
    let e = unsafe { apify_call_describe(call, &*reader, sentence.as_mut_ptr(), sentence.len(), null_mut()) };
    assert_eq!(e, apify_error::Ok);
    // SAFETY: NUL-terminated by the successful call.
    assert_eq!(unsafe { CStr::from_ptr(sentence.as_ptr()) }.to_str(), Ok("run HG7ML7M8z78YcAPEB SUCCEEDED"));
    free(call);
}

#[test]
fn a_start_cut_after_sending_is_never_sent_again() {
    let call = call();
    // SAFETY: our storage; the task ID is a static string.
    let e = unsafe { apify_call_start(call, c"janedoe~my-task".as_ptr(), null(), null(), null()) };
    assert_eq!(e, apify_error::Ok);
    let mut action = std::mem::MaybeUninit::<apify_action>::uninit();
    // SAFETY: our storage.
    unsafe {
        assert_eq!(apify_call_next(call, 0, action.as_mut_ptr()), apify_error::Ok);
        assert_eq!(
            apify_call_on_failure(call, 5, apify_stage::Read as u32, apify_cause::Closed as u32),
            apify_error::Ok
        );
        assert_eq!(apify_call_next(call, 6, action.as_mut_ptr()), apify_error::Ok);
        assert_eq!(action.assume_init().finish, apify_finish::OutcomeUnknown);
    }
    // Refused before anything was written: sent again after a pause.
    // SAFETY: as above.
    unsafe {
        assert_eq!(
            apify_call_start(call, c"janedoe~my-task".as_ptr(), null(), null(), null()),
            apify_error::Ok
        );
        assert_eq!(apify_call_next(call, 0, action.as_mut_ptr()), apify_error::Ok);
        assert_eq!(
            apify_call_on_failure(call, 5, apify_stage::Connect as u32, apify_cause::Refused as u32),
            apify_error::Ok
        );
        assert_eq!(apify_call_next(call, 6, action.as_mut_ptr()), apify_error::Ok);
        let sleep = action.assume_init();
        assert_eq!(
            (sleep.kind, sleep.sleep_reason, sleep.attempt),
            (apify_action_kind::Sleep, apify_sleep_reason::Retry, 2)
        );
    }
    free(call);
}

#[test]
fn storage_that_was_not_initialised_or_was_moved_is_refused() {
    let (mut reader, call) = (reader(), call());
    let answer = http(201, br#"{"data":{"id":"HG7ML7M8z78YcAPEB","status":"READY"}}"#);
    let mut status = 0u16;
    let mut action = std::mem::MaybeUninit::<apify_action>::uninit();
    // SAFETY: our storage, zeroed and never initialised.
    unsafe {
        assert_eq!(apify_reader_status(&*reader, &mut status), apify_error::NotInitialised);
        assert_eq!(apify_call_next(call, 0, action.as_mut_ptr()), apify_error::NotInitialised);
    }
    assert_eq!(read(&mut reader, &answer, 1000), apify_error::Ok);
    // A copy at another address: the call's storage borrows from itself, so no copy is used.
    let mut moved = self::reader();
    // SAFETY: both are live storages of the same type (bytes copied as they are, padding too).
    unsafe { std::ptr::copy_nonoverlapping(&*reader, &mut *moved, 1) };
    // SAFETY: our storage.
    unsafe {
        assert_eq!(apify_reader_status(&*reader, &mut status), apify_error::Ok);
        assert_eq!(apify_reader_status(&*moved, &mut status), apify_error::NotInitialised);
        assert_eq!(
            apify_call_start(call, c"janedoe~my-task".as_ptr(), null(), null(), null()),
            apify_error::Ok
        );
    }
    let moved_call = self::call();
    // SAFETY: as for the reader.
    unsafe {
        std::ptr::copy_nonoverlapping(call, moved_call, 1);
        assert_eq!(apify_call_next(moved_call, 0, action.as_mut_ptr()), apify_error::NotInitialised);
        assert_eq!(apify_call_next(call, 0, action.as_mut_ptr()), apify_error::Ok);
    }
    // Misaligned storage: inside a larger buffer, 4 bytes in.
    let mut raw = vec![0u64; APIFY_READER_WORDS + 1];
    let misaligned = raw.as_mut_ptr().cast::<u8>().wrapping_add(4).cast::<apify_reader>();
    // SAFETY: the function checks alignment before it writes.
    assert_eq!(unsafe { apify_reader_init(misaligned) }, apify_error::Misaligned);
    // A string without its NUL within the limit is refused, not read past.
    let long = vec![b'a'; APIFY_MAX_TEXT + 8];
    let mut buf = [0u8; 64];
    let mut written = 0;
    let api = api(c"http://127.0.0.1:8080", None);
    // SAFETY: `long` is readable for more than APIFY_MAX_TEXT bytes.
    let e = unsafe {
        apify_request_get_run(
            &api,
            long.as_ptr().cast(),
            -1,
            0,
            buf.as_mut_ptr(),
            buf.len(),
            &mut written,
            null_mut(),
        )
    };
    assert_eq!(e, apify_error::InvalidArgument);
    free(call);
    free(moved_call);
}
