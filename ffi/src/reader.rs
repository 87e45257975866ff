//! The response reader in caller storage: feed, finish, then the status, the outcome and
//! every field by its path.

use core::ffi::c_char;
use core::ptr::addr_of;

use apify_core::Decimal;
use apify_core::http::{Outcome, ReadError, Response, ResponseReader};
use apify_core::model::{FieldPath, FieldValue, RunStatus};

use crate::apify_error;
use crate::args::{bytes, code, put, put_optional, text, writable, write_display};
use crate::storage::{Slot, Tagged, init, slot_of, value, value_ref};

/// Bytes of an `apify_reader` on this target (asserted against the Rust type when the
/// library is built). They leave room for apify-core's `items` feature, which Cargo turns on
/// when this crate is built with the rest of the workspace (features are united): 64 bytes of
/// it go unused in a build of this crate alone.
#[cfg(target_pointer_width = "32")]
pub const APIFY_READER_SIZE: usize = 2224;
/// Bytes of an `apify_reader` on this target (see the 32-bit constant).
#[cfg(target_pointer_width = "64")]
pub const APIFY_READER_SIZE: usize = 2288;
/// Alignment of the storage types (`apify_reader`, `apify_call`): that of `uint64_t`, their
/// element type (so C aligns them right by itself).
#[cfg(not(target_arch = "x86"))]
pub const APIFY_STORAGE_ALIGN: usize = 8;
/// Alignment of the storage types on 32-bit x86, where `uint64_t` aligns to 4.
#[cfg(target_arch = "x86")]
pub const APIFY_STORAGE_ALIGN: usize = 4;

/// `uint64_t`s in an `apify_reader`.
pub const APIFY_READER_WORDS: usize = APIFY_READER_SIZE / 8;

/// Storage for one response reader: declare one (static or on the stack), then
/// `apify_reader_init` it. Opaque: its bytes are the library's.
#[repr(C)]
#[derive(Debug)]
pub struct apify_reader {
    /// The library's bytes: never read or written by the program.
    pub opaque: [u64; APIFY_READER_WORDS],
}

const _: () = assert!(core::mem::align_of::<apify_reader>() == APIFY_STORAGE_ALIGN);

/// What lives in an `apify_reader`.
#[derive(Debug)]
pub(crate) struct Reader {
    pub(crate) http: ResponseReader<16>,
    /// Why `feed` or `finish` failed, for `apify_reader_describe`.
    pub(crate) failed: Option<ReadError>,
}

impl Tagged for Reader {
    const TAG: u32 = 0x6170_7272; // "aprr"
}

/// The reader in `reader`'s storage.
///
/// # Safety
/// `reader` is NULL or points to an `apify_reader` the caller owns and does not use
/// elsewhere while the result lives.
pub(crate) unsafe fn reader_mut<'a>(reader: *mut apify_reader) -> Result<&'a mut Reader, apify_error> {
    let slot: *mut Slot<Reader> = slot_of(reader)?;
    // SAFETY: the caller's contract.
    unsafe { value(slot) }
}

/// The reader in `reader`'s storage, read only.
///
/// # Safety
/// As [`reader_mut`], and nothing writes it while the result lives.
pub(crate) unsafe fn reader_ref<'a>(reader: *const apify_reader) -> Result<&'a Reader, apify_error> {
    let slot: *mut Slot<Reader> = slot_of(reader)?;
    // SAFETY: the caller's contract.
    unsafe { value_ref(slot) }
}

/// The response `apify_reader_finish` accepted.
fn accepted(reader: &Reader) -> Result<Response<'_>, apify_error> {
    reader.http.response().ok_or(apify_error::WrongState)
}

/// Makes `reader` ready for a response (also to start over for the next one). Until then,
/// every other function refuses it with `APIFY_ERROR_NOT_INITIALISED`.
///
/// # Safety
/// `reader` is NULL or points to writable `apify_reader` storage that nothing else uses.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_reader_init(reader: *mut apify_reader) -> apify_error {
    code(|| {
        let slot = slot_of(reader)?;
        // SAFETY: checked non-null and aligned; writable and unaliased per the caller.
        unsafe { init(slot, Reader { http: ResponseReader::new(), failed: None }) };
        Ok(())
    })
}

/// Feeds the next `len` bytes read from the connection (any split of the response works the
/// same). `*complete` (if not NULL) is set once the response has ended by its framing: stop
/// reading and call `apify_reader_finish`. On an error the reader refuses further input;
/// `apify_reader_describe` says what was wrong.
///
/// # Safety
/// `reader` as in `apify_reader_init`, initialised; `data` points to `len` readable bytes
/// (NULL when `len` is 0) outside the reader (not a pointer it handed out); `complete` is NULL
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_reader_feed(
    reader: *mut apify_reader,
    data: *const u8,
    len: usize,
    complete: *mut bool,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract for each argument.
        let (reader, data) = unsafe { (reader_mut(reader)?, bytes(data, len)?) };
        let status = reader.http.feed(data).map_err(|e| {
            reader.failed = Some(e);
            apify_error::from(e)
        })?;
        // SAFETY: the caller's contract.
        unsafe { put_optional(complete, status.is_complete()) }
    })
}

/// The connection has closed (or `*complete` was set): checks the response is whole. After
/// `APIFY_ERROR_OK` the status, outcome and fields can be read, until the reader is fed or
/// initialised again.
///
/// # Safety
/// As `apify_reader_feed` for `reader`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_reader_finish(reader: *mut apify_reader) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract.
        let reader = unsafe { reader_mut(reader) }?;
        match reader.http.finish() {
            Ok(_) => Ok(()),
            Err(e) => {
                reader.failed = Some(e);
                Err(e.into())
            }
        }
    })
}

/// Writes why the last `feed` or `finish` failed, as a sentence (NUL-terminated), into
/// `buf` (`cap` bytes); `*needed` (if not NULL) gets the size it takes. `NO_VALUE` when
/// nothing failed.
///
/// # Safety
/// `reader` as in `apify_reader_feed`; `buf` points to `cap` writable bytes; `needed` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_reader_describe(
    reader: *const apify_reader,
    buf: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract.
        let reader = unsafe { reader_ref(reader) }?;
        let failed = reader.failed.ok_or(apify_error::NoValue)?;
        // SAFETY: the caller's contract.
        unsafe { write_display(&failed, buf, cap, needed) }
    })
}

/// The HTTP status, once the head has arrived (before `finish` too).
///
/// # Safety
/// `reader` as in `apify_reader_describe`; `status` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_reader_status(reader: *const apify_reader, status: *mut u16) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract.
        let reader = unsafe { reader_ref(reader) }?;
        let head = reader.http.head().ok_or(apify_error::WrongState)?;
        // SAFETY: the caller's contract.
        unsafe { put(status, head.status) }
    })
}

/// What a finished response holds.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum apify_outcome {
    /// A run (`{"data": ...}`): read its fields.
    Run,
    /// The API's error document: `error.type` and `error.message`.
    ApiError,
    /// An error status whose body is not the API's JSON (`apify_reader_body_prefix`).
    OtherBody,
}

/// What the response `apify_reader_finish` accepted holds.
///
/// # Safety
/// `reader` as in `apify_reader_describe`; `outcome` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_reader_outcome(
    reader: *const apify_reader,
    outcome: *mut apify_outcome,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract.
        let reader = unsafe { reader_ref(reader) }?;
        let kind = match accepted(reader)?.outcome {
            Outcome::Run(_) => apify_outcome::Run,
            Outcome::ApiError(_) => apify_outcome::ApiError,
            _ => apify_outcome::OtherBody,
        };
        // SAFETY: the caller's contract.
        unsafe { put(outcome, kind) }
    })
}

/// A run's status. `OTHER` is one this library does not know (read `data.status` for its
/// name): not terminal, keep following the run.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum apify_run_status {
    /// A status this library does not know.
    Other,
    /// `READY`: started, not yet on a worker.
    Ready,
    /// `RUNNING`.
    Running,
    /// `SUCCEEDED`.
    Succeeded,
    /// `FAILED`.
    Failed,
    /// `TIMING-OUT`.
    TimingOut,
    /// `TIMED-OUT`.
    TimedOut,
    /// `ABORTING`.
    Aborting,
    /// `ABORTED`.
    Aborted,
}

/// The run's status, and whether it is terminal (`terminal` may be NULL). `NO_VALUE` when
/// the response is not a run or has no status.
///
/// # Safety
/// `reader` as in `apify_reader_describe`; `status` writable, `terminal` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_reader_run_status(
    reader: *const apify_reader,
    status: *mut apify_run_status,
    terminal: *mut bool,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract.
        let reader = unsafe { reader_ref(reader) }?;
        let Outcome::Run(run) = accepted(reader)?.outcome else { return Err(apify_error::NoValue) };
        let known = run.status().ok_or(apify_error::NoValue)?;
        let c = match known {
            RunStatus::Ready => apify_run_status::Ready,
            RunStatus::Running => apify_run_status::Running,
            RunStatus::Succeeded => apify_run_status::Succeeded,
            RunStatus::Failed => apify_run_status::Failed,
            RunStatus::TimingOut => apify_run_status::TimingOut,
            RunStatus::TimedOut => apify_run_status::TimedOut,
            RunStatus::Aborting => apify_run_status::Aborting,
            RunStatus::Aborted => apify_run_status::Aborted,
            _ => apify_run_status::Other,
        };
        // SAFETY: the caller's contract. The optional one first: a bad one leaves both as
        // they were.
        unsafe {
            put_optional(terminal, known.is_terminal())?;
            put(status, c)
        }
    })
}

/// The kind of an `apify_value`: which of its members hold it.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum apify_value_kind {
    /// `text`, `text_len`, `truncated`.
    Text,
    /// `unix_seconds`, `nanos`, `offset_minutes`.
    Timestamp,
    /// `unsigned_value`.
    Unsigned,
    /// `signed_value`.
    Signed,
    /// `mantissa`, `exponent`, `negative`: the value is exactly
    /// `(negative ? -1 : 1) * mantissa * 10^exponent`; `apify_decimal_text` writes it as text,
    /// `apify_decimal_scaled` as a scaled integer.
    Decimal,
    /// `boolean`.
    Bool,
}

/// A field's value. Only the members its `kind` names are meaningful (the others are 0).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct apify_value {
    /// Which members hold the value.
    pub kind: apify_value_kind,
    /// Text: UTF-8, NOT NUL-terminated, `text_len` bytes; points into the reader, valid
    /// until it is fed or initialised again.
    pub text: *const c_char,
    /// Bytes at `text`.
    pub text_len: usize,
    /// The value was longer than the field keeps: `text` is its start.
    pub truncated: bool,
    /// A count or size.
    pub unsigned_value: u64,
    /// A signed integer (`exitCode`).
    pub signed_value: i64,
    /// A decimal's digits.
    pub mantissa: u64,
    /// A decimal's power of ten.
    pub exponent: i8,
    /// A decimal's sign.
    pub negative: bool,
    /// A timestamp: seconds since 1970-01-01T00:00:00Z.
    pub unix_seconds: i64,
    /// A timestamp: nanoseconds within the second.
    pub nanos: u32,
    /// A timestamp: the UTC offset it was written with, in minutes (0 for `Z`).
    pub offset_minutes: i16,
    /// A boolean.
    pub boolean: bool,
}

impl apify_value {
    const fn empty(kind: apify_value_kind) -> Self {
        Self {
            kind,
            text: core::ptr::null(),
            text_len: 0,
            truncated: false,
            unsigned_value: 0,
            signed_value: 0,
            mantissa: 0,
            exponent: 0,
            negative: false,
            unix_seconds: 0,
            nanos: 0,
            offset_minutes: 0,
            boolean: false,
        }
    }

    /// `None` for a kind this library does not know yet (read as no value, never as another).
    fn from_field(value: FieldValue<'_>) -> Option<Self> {
        Some(match value {
            FieldValue::Text(t) => Self {
                text: t.as_str().as_ptr().cast(),
                text_len: t.as_str().len(),
                truncated: t.is_truncated(),
                ..Self::empty(apify_value_kind::Text)
            },
            FieldValue::Timestamp(t) => Self {
                unix_seconds: t.unix_seconds(),
                nanos: t.nanos(),
                offset_minutes: t.offset_minutes(),
                ..Self::empty(apify_value_kind::Timestamp)
            },
            FieldValue::Unsigned(n) => Self { unsigned_value: n, ..Self::empty(apify_value_kind::Unsigned) },
            FieldValue::Signed(n) => Self { signed_value: n, ..Self::empty(apify_value_kind::Signed) },
            FieldValue::Decimal(d) => Self {
                mantissa: d.mantissa(),
                exponent: d.exponent(),
                negative: d.is_negative(),
                ..Self::empty(apify_value_kind::Decimal)
            },
            FieldValue::Bool(b) => Self { boolean: b, ..Self::empty(apify_value_kind::Bool) },
            _ => return None,
        })
    }
}

/// The decimal in a value C passes back. Its `kind` and `negative` are read as the integers C
/// may have stored there (`kind` is a `uint32_t` in C, `negative` a byte), never as a Rust enum
/// or `bool`, so that any bits are safe.
///
/// # Safety
/// `value` is NULL or points to a readable `apify_value` (as the library filled it).
unsafe fn decimal(value: *const apify_value) -> Result<Decimal, apify_error> {
    if value.is_null() {
        return Err(apify_error::NullArgument);
    }
    if !value.is_aligned() {
        return Err(apify_error::Misaligned);
    }
    // SAFETY: non-null, aligned, readable per the caller; each field is read as plain integer
    // bits through a raw pointer, without a reference to the whole.
    let (kind, mantissa, exponent, negative) = unsafe {
        (
            addr_of!((*value).kind).cast::<u32>().read(),
            addr_of!((*value).mantissa).read(),
            addr_of!((*value).exponent).read(),
            addr_of!((*value).negative).cast::<u8>().read(),
        )
    };
    if kind != apify_value_kind::Decimal as u32 {
        return Err(apify_error::InvalidArgument);
    }
    Decimal::new(mantissa, exponent, negative != 0).ok_or(apify_error::OutOfRange)
}

/// The value of `field` in the finished response, if it has one.
fn read_field(reader: &Reader, field: FieldPath) -> Result<apify_value, apify_error> {
    let value = match accepted(reader)?.outcome {
        Outcome::Run(run) => run.get(field),
        Outcome::ApiError(error) => error.get(field),
        _ => None,
    };
    value.and_then(apify_value::from_field).ok_or(apify_error::NoValue)
}

/// The value of the field at `path` (`"data.status"`, `"data.stats.durationMillis"`,
/// `"data.metamorphs[].actorId"` for the last metamorph, `"error.message"`), in the response
/// `apify_reader_finish` accepted. `UNKNOWN_FIELD` for a path no field has; `NO_VALUE` when
/// this response has none (absent, `null`, a number that did not fit, a run field of an
/// error document).
///
/// # Safety
/// `reader` as in `apify_reader_describe`; `path` a NUL-terminated string; `value` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_reader_field(
    reader: *const apify_reader,
    path: *const c_char,
    value: *mut apify_value,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract for each argument.
        let (reader, path) = unsafe { (reader_ref(reader)?, text(path)?) };
        let field = FieldPath::find(path).ok_or(apify_error::UnknownField)?;
        let got = read_field(reader, field)?;
        // SAFETY: the caller's contract.
        unsafe { put(value, got) }
    })
}

/// How many fields there are (`apify_field_path` and `apify_reader_field_at` take an index
/// below it).
#[unsafe(no_mangle)]
pub extern "C" fn apify_field_count() -> usize {
    FieldPath::all().count()
}

fn field_at(index: usize) -> Result<FieldPath, apify_error> {
    FieldPath::all().nth(index).ok_or(apify_error::UnknownField)
}

/// Writes the path of field number `index` (NUL-terminated) into `buf` (`cap` bytes);
/// `*needed` (if not NULL) gets the size it takes.
///
/// # Safety
/// `buf` points to `cap` writable bytes; `needed` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_field_path(
    index: usize,
    buf: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> apify_error {
    code(|| {
        let field = field_at(index)?;
        // SAFETY: the caller's contract.
        unsafe { write_display(&field, buf, cap, needed) }
    })
}

/// The value of field number `index`, as `apify_reader_field`.
///
/// # Safety
/// `reader` as in `apify_reader_describe`; `value` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_reader_field_at(
    reader: *const apify_reader,
    index: usize,
    value: *mut apify_value,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract.
        let reader = unsafe { reader_ref(reader) }?;
        let got = read_field(reader, field_at(index)?)?;
        // SAFETY: the caller's contract.
        unsafe { put(value, got) }
    })
}

/// The first bytes (at most 128) of an error body that is not the API's JSON (outcome
/// `OTHER_BODY`), for a log line: `*data` points into the reader, valid until it is fed or
/// initialised again.
///
/// # Safety
/// `reader` as in `apify_reader_describe`; `data` and `len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_reader_body_prefix(
    reader: *const apify_reader,
    data: *mut *const u8,
    len: *mut usize,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract.
        let reader = unsafe { reader_ref(reader) }?;
        let Outcome::OtherBody { body_prefix } = accepted(reader)?.outcome else {
            return Err(apify_error::NoValue);
        };
        writable(len)?;
        // SAFETY: the caller's contract; `len` was checked above.
        unsafe {
            put(data, body_prefix.as_ptr())?;
            put(len, body_prefix.len())
        }
    })
}

/// Writes a decimal value exactly as text (`"0.0123"`, `"-5"`, NUL-terminated) into `buf`
/// (`cap` bytes); `*needed` (if not NULL) gets the size it takes.
///
/// # Safety
/// `value` points to an `apify_value`; `buf` to `cap` writable bytes; `needed` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_decimal_text(
    value: *const apify_value,
    buf: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> apify_error {
    code(|| {
        // SAFETY: the caller's contract.
        let decimal = unsafe { decimal(value) }?;
        // SAFETY: the caller's contract.
        unsafe { write_display(&decimal, buf, cap, needed) }
    })
}

/// A decimal value times `10^scale` (`scale` 0 to 18) as an integer: `0.0123` at scale 6 is
/// `12300`. `*exact` (if not NULL) is false when digits below the scale were dropped
/// (rounded toward zero); `OUT_OF_RANGE` when it does not fit an `int64_t`.
///
/// # Safety
/// `value` points to an `apify_value`; `scaled` writable; `exact` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn apify_decimal_scaled(
    value: *const apify_value,
    scale: u8,
    scaled: *mut i64,
    exact: *mut bool,
) -> apify_error {
    code(|| {
        writable(scaled)?;
        // SAFETY: the caller's contract.
        let decimal = unsafe { decimal(value) }?;
        let (n, is_exact) = scale_decimal(decimal, scale)?;
        // SAFETY: the caller's contract.
        unsafe {
            put_optional(exact, is_exact)?;
            put(scaled, n)
        }
    })
}

/// `decimal * 10^scale`, rounded toward zero, and whether nothing was dropped.
fn scale_decimal(decimal: Decimal, scale: u8) -> Result<(i64, bool), apify_error> {
    if scale > 18 {
        return Err(apify_error::InvalidArgument);
    }
    let power = decimal.exponent() as i32 + scale as i32;
    let mantissa = decimal.mantissa() as u128;
    let (magnitude, exact) = if power >= 0 {
        let factor = 10u128.checked_pow(power as u32).ok_or(apify_error::OutOfRange)?;
        (mantissa.checked_mul(factor).ok_or(apify_error::OutOfRange)?, true)
    } else {
        match 10u128.checked_pow(power.unsigned_abs()) {
            Some(divisor) => (mantissa / divisor, mantissa % divisor == 0),
            None => (0, mantissa == 0),
        }
    };
    let signed = if decimal.is_negative() { -(magnitude as i128) } else { magnitude as i128 };
    let n = i64::try_from(signed).map_err(|_| apify_error::OutOfRange)?;
    Ok((n, exact))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_is_exact_or_says_so() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(scale_decimal(d("0.0123"), 6), Ok((12300, true)));
        assert_eq!(scale_decimal(d("-1.5"), 0), Ok((-1, false)));
        assert_eq!(scale_decimal(d("5"), 18), Ok((5_000_000_000_000_000_000, true)));
        assert_eq!(scale_decimal(d("10"), 18), Err(apify_error::OutOfRange));
        assert_eq!(scale_decimal(d("1e-30"), 0), Ok((0, false)));
        assert_eq!(scale_decimal(d("1"), 19), Err(apify_error::InvalidArgument));
    }
}
