//! The C API's reader (`apify-ffi`) on any bytes, called as C calls it. Checks:
//! - no call panics or misbehaves (the fuzzer runs with the address sanitizer);
//! - chunk invariance through the boundary: fed in the chunking the first two bytes choose
//!   (`apify_core_fuzz::split`), the C API reads what the core reads from the whole input,
//!   the same error code or, field by field, the same values;
//! - every decimal's text reads back as the same decimal, and its scaled integers at every
//!   scale agree with that text (exact, or rounded toward zero and said so).
#![no_main]

use std::ffi::{CStr, c_char};
use std::ptr::null_mut;

use apify_core::Decimal;
use apify_core::http::{Outcome, ResponseReader};
use apify_core::model::{FieldPath, FieldValue};
use apify_core_fuzz::split;
use apify_ffi::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((payload, chunks)) = split(data) else { return };
    let mut storage = Box::new(apify_reader { opaque: [0; APIFY_READER_WORDS] });
    let reader: *mut apify_reader = &mut *storage;
    // SAFETY: `reader` is live storage; each chunk a live slice.
    let code = unsafe {
        assert_eq!(apify_reader_init(reader), apify_error::Ok);
        let mut code = apify_error::Ok;
        for chunk in &chunks {
            code = apify_reader_feed(reader, chunk.as_ptr(), chunk.len(), null_mut());
            if code != apify_error::Ok {
                break;
            }
        }
        if code == apify_error::Ok { apify_reader_finish(reader) } else { code }
    };

    let mut core = ResponseReader::<16>::new();
    let whole = core.feed(payload).map(|_| ()).and_then(|()| core.finish().map(|_| ()));
    match whole {
        Err(e) => {
            assert_eq!(code, apify_error::from(e), "{e:?}");
            let mut text = [0 as c_char; 256];
            // SAFETY: live storage and a 256-byte buffer.
            let described = unsafe { apify_reader_describe(reader, text.as_mut_ptr(), text.len(), null_mut()) };
            assert_eq!(described, apify_error::Ok);
            return;
        }
        Ok(()) => assert_eq!(code, apify_error::Ok),
    }
    let response = core.response().expect("finished");
    for (i, field) in FieldPath::all().enumerate() {
        let expected = match response.outcome {
            Outcome::Run(run) => run.get(field),
            Outcome::ApiError(error) => error.get(field),
            _ => None,
        };
        let mut value = std::mem::MaybeUninit::<apify_value>::uninit();
        // SAFETY: live storage; `value` written on success.
        let got = unsafe { apify_reader_field_at(reader, i, value.as_mut_ptr()) };
        let Some(expected) = expected else {
            assert_eq!(got, apify_error::NoValue);
            continue;
        };
        assert_eq!(got, apify_error::Ok);
        // SAFETY: written by the successful call.
        let value = unsafe { value.assume_init() };
        match expected {
            FieldValue::Text(t) => {
                // SAFETY: `text_len` bytes at `text`, inside the reader.
                let bytes = unsafe { std::slice::from_raw_parts(value.text.cast::<u8>(), value.text_len) };
                assert_eq!((bytes, value.truncated), (t.as_str().as_bytes(), t.is_truncated()));
            }
            FieldValue::Unsigned(n) => assert_eq!(value.unsigned_value, n),
            FieldValue::Signed(n) => assert_eq!(value.signed_value, n),
            FieldValue::Bool(b) => assert_eq!(value.boolean, b),
            FieldValue::Timestamp(t) => {
                assert_eq!((value.unix_seconds, value.nanos, value.offset_minutes), (t.unix_seconds(), t.nanos(), t.offset_minutes()))
            }
            FieldValue::Decimal(d) => check_decimal(&value, d),
            _ => {}
        }
    }
});

fn check_decimal(value: &apify_value, d: Decimal) {
    let mut text = [0 as c_char; 96];
    // SAFETY: a live value and a 96-byte buffer.
    assert_eq!(unsafe { apify_decimal_text(value, text.as_mut_ptr(), text.len(), null_mut()) }, apify_error::Ok);
    // SAFETY: NUL-terminated by the successful call.
    let text = unsafe { CStr::from_ptr(text.as_ptr()) }.to_str().unwrap().to_owned();
    assert_eq!(text.parse::<Decimal>().ok(), Some(d), "{text}");
    for scale in 0..=18u8 {
        let (mut scaled, mut exact) = (0i64, false);
        // SAFETY: a live value and out-parameters.
        let code = unsafe { apify_decimal_scaled(value, scale, &mut scaled, &mut exact) };
        // The text with its point moved `scale` places: the integer the library must give.
        let (negative, digits) = text.strip_prefix('-').map_or((false, text.as_str()), |t| (true, t));
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let kept: String = frac.chars().chain(std::iter::repeat('0')).take(scale as usize).collect();
        let dropped = frac.len() > scale as usize && frac[scale as usize..].bytes().any(|b| b != b'0');
        let magnitude = format!("{int}{kept}").parse::<i128>().ok();
        let want = magnitude.map(|m| if negative { -m } else { m }).and_then(|v| i64::try_from(v).ok());
        match want {
            Some(v) => assert_eq!((code, scaled, exact), (apify_error::Ok, v, !dropped), "{text} at {scale}"),
            None => assert_eq!(code, apify_error::OutOfRange, "{text} at {scale}"),
        }
    }
}
