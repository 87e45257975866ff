//! Arguments from C, checked before use: pointers for null, lengths for range, strings for
//! a NUL within [`APIFY_MAX_TEXT`] bytes and for UTF-8, enumerations for their values.

use core::ffi::c_char;
use core::fmt;

use crate::{APIFY_MAX_TEXT, apify_error};

/// A required NUL-terminated UTF-8 string.
///
/// # Safety
/// `ptr` is NULL or points to readable memory up to its NUL or `APIFY_MAX_TEXT` bytes,
/// which stays valid and unchanged for `'a`.
pub(crate) unsafe fn text<'a>(ptr: *const c_char) -> Result<&'a str, apify_error> {
    // SAFETY: the caller's contract, passed on.
    unsafe { optional_text(ptr) }?.ok_or(apify_error::NullArgument)
}

/// An optional NUL-terminated UTF-8 string: NULL is `None`.
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn optional_text<'a>(ptr: *const c_char) -> Result<Option<&'a str>, apify_error> {
    if ptr.is_null() {
        return Ok(None);
    }
    let mut len = 0;
    // SAFETY: each byte read is at or before the NUL or within APIFY_MAX_TEXT bytes, which
    // the caller promises are readable; the scan stops at the first NUL.
    while len < APIFY_MAX_TEXT && unsafe { *ptr.add(len) } != 0 {
        len += 1;
    }
    if len == APIFY_MAX_TEXT {
        return Err(apify_error::InvalidArgument);
    }
    // SAFETY: the `len` bytes before the NUL were just read, so they are readable; the caller
    // keeps them unchanged for 'a.
    let bytes = unsafe { core::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    core::str::from_utf8(bytes).map(Some).map_err(|_| apify_error::InvalidArgument)
}

/// `len` bytes at `ptr` (NULL is allowed when `len` is 0).
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes, valid and unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], apify_error> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(apify_error::NullArgument);
    }
    if len > isize::MAX as usize {
        return Err(apify_error::InvalidArgument);
    }
    // SAFETY: non-null, `len` within isize::MAX, readable and unchanged per the caller.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// `len` values of `T` at `ptr` (NULL is allowed when `len` is 0), checked for alignment.
///
/// # Safety
/// `ptr` is NULL or points to `len` valid `T`s, unchanged for `'a`.
pub(crate) unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> Result<&'a [T], apify_error> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(apify_error::NullArgument);
    }
    if !ptr.is_aligned() {
        return Err(apify_error::Misaligned);
    }
    if len > isize::MAX as usize / core::mem::size_of::<T>().max(1) {
        return Err(apify_error::InvalidArgument);
    }
    // SAFETY: non-null, aligned, in range; valid and unchanged per the caller.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// `len` writable bytes at `ptr` (NULL is allowed when `len` is 0).
///
/// # Safety
/// `ptr` is NULL or points to `len` writable bytes that nothing else uses for `'a`.
pub(crate) unsafe fn bytes_mut<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8], apify_error> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(apify_error::NullArgument);
    }
    if len > isize::MAX as usize {
        return Err(apify_error::InvalidArgument);
    }
    // SAFETY: non-null, `len` within isize::MAX, writable and unaliased per the caller.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

/// Checks a required out-parameter before a function changes any state, so that a bad one
/// leaves everything as it was.
pub(crate) fn writable<T>(ptr: *mut T) -> Result<(), apify_error> {
    if ptr.is_null() {
        return Err(apify_error::NullArgument);
    }
    if !ptr.is_aligned() {
        return Err(apify_error::Misaligned);
    }
    Ok(())
}

/// Writes `value` to a required out-parameter.
///
/// # Safety
/// `ptr` is NULL or points to writable memory for a `T`, aligned.
pub(crate) unsafe fn put<T>(ptr: *mut T, value: T) -> Result<(), apify_error> {
    writable(ptr)?;
    // SAFETY: non-null and aligned; writable per the caller. `write` drops nothing (the
    // out-parameters are plain C data whose old bytes may be uninitialised).
    unsafe { ptr.write(value) };
    Ok(())
}

/// Writes `value` to an optional out-parameter (NULL: not wanted).
///
/// # Safety
/// As [`put`].
pub(crate) unsafe fn put_optional<T>(ptr: *mut T, value: T) -> Result<(), apify_error> {
    if ptr.is_null() {
        return Ok(());
    }
    // SAFETY: the caller's contract, passed on.
    unsafe { put(ptr, value) }
}

/// A plain C struct given by pointer, read by reference.
///
/// # Safety
/// `ptr` is NULL or points to a valid, aligned `T` that stays unchanged for `'a`.
pub(crate) unsafe fn get<'a, T>(ptr: *const T) -> Result<&'a T, apify_error> {
    if ptr.is_null() {
        return Err(apify_error::NullArgument);
    }
    if !ptr.is_aligned() {
        return Err(apify_error::Misaligned);
    }
    // SAFETY: non-null, aligned, valid and unchanged for 'a per the caller.
    Ok(unsafe { &*ptr })
}

/// An optional plain C struct (NULL: `None`).
///
/// # Safety
/// As [`get`].
pub(crate) unsafe fn get_optional<'a, T>(ptr: *const T) -> Result<Option<&'a T>, apify_error> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller's contract, passed on.
    unsafe { get(ptr) }.map(Some)
}

/// The variant of `values` whose discriminant is `code` (C passes enumerations as integers,
/// which may hold any value).
pub(crate) fn enum_value<T: Copy>(code: u32, values: &[T]) -> Option<T> {
    values.get(code as usize).copied()
}

/// Writes `value`'s `Display` into `buf` (`cap` bytes) with a NUL after it; `needed` (if
/// not NULL) gets its size with the NUL. A short `buf` gets `BufferTooSmall` and, as
/// `snprintf` does, as much as fits with a NUL after it.
///
/// # Safety
/// As [`bytes_mut`] for `buf`/`cap`, and [`put_optional`] for `needed`.
pub(crate) unsafe fn write_display(
    value: &dyn fmt::Display,
    buf: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> Result<(), apify_error> {
    /// Copies what fits (keeping a byte for the NUL) and counts everything.
    struct Out<'a> {
        buf: &'a mut [u8],
        len: usize,
    }
    impl fmt::Write for Out<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let room = self.buf.len().saturating_sub(1).saturating_sub(self.len);
            let n = room.min(s.len());
            if let (Some(dest), Some(src)) = (self.buf.get_mut(self.len..self.len + n), s.as_bytes().get(..n))
            {
                dest.copy_from_slice(src);
            }
            self.len += s.len();
            Ok(())
        }
    }
    // SAFETY: the caller's contract, passed on.
    let buf = unsafe { bytes_mut(buf.cast::<u8>(), cap) }?;
    let mut out = Out { buf, len: 0 };
    fmt::write(&mut out, format_args!("{value}")).map_err(|_| apify_error::OutOfRange)?;
    let len = out.len;
    // SAFETY: the caller's contract, passed on.
    unsafe { put_optional(needed, len + 1) }?;
    match out.buf.get_mut(len) {
        Some(nul) => {
            *nul = 0;
            Ok(())
        }
        None => {
            // `Out` kept the last byte free for this.
            if let Some(last) = out.buf.last_mut() {
                *last = 0;
            }
            Err(apify_error::BufferTooSmall)
        }
    }
}

/// Runs `f` and turns its result into the code C sees.
pub(crate) fn code(f: impl FnOnce() -> Result<(), apify_error>) -> apify_error {
    match f() {
        Ok(()) => apify_error::Ok,
        Err(e) => e,
    }
}
