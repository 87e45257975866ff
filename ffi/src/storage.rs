//! Rust values kept in storage the C program owns (`apify_reader`, `apify_call`).
//!
//! The storage is opaque to C: an array of `uint64_t` whose size is a header constant. In it
//! lies a [`Slot`]: a tag saying what was initialised there and at which address, then the
//! value. Every entry point checks the tag before it touches the value, so storage that was
//! never initialised, was initialised as the other type, or was copied elsewhere (a call's
//! value points into its own storage) is refused instead of read.

use core::mem::{align_of, size_of};
use core::ptr::addr_of_mut;

use crate::apify_error;

#[repr(C)]
pub(crate) struct Slot<T> {
    /// [`Tagged::TAG`] once initialised.
    tag: u32,
    /// The address the value was initialised at.
    home: usize,
    value: T,
}

/// A type kept in caller storage.
pub(crate) trait Tagged: Sized {
    /// Tells this type's storage from another's and from bytes never initialised.
    const TAG: u32;
}

/// Checks `storage` (C's opaque storage type `S`) is not NULL and is aligned for a
/// `Slot<T>` (its size is checked when the library is built). Returns the slot's address.
pub(crate) fn slot_of<T: Tagged, S>(storage: *const S) -> Result<*mut Slot<T>, apify_error> {
    const {
        assert!(size_of::<Slot<T>>() <= size_of::<S>(), "the header's storage size is too small");
        assert!(align_of::<Slot<T>>() <= align_of::<S>(), "the header's storage alignment is too small");
    };
    if storage.is_null() {
        return Err(apify_error::NullArgument);
    }
    let slot = storage.cast::<Slot<T>>().cast_mut();
    if !slot.is_aligned() {
        return Err(apify_error::Misaligned);
    }
    Ok(slot)
}

/// Writes `value` into the slot, tagged with its address. Returns where the value is.
///
/// # Safety
/// `slot` comes from [`slot_of`] on storage the caller owns, writable and unaliased while the
/// returned reference lives.
pub(crate) unsafe fn init<T: Tagged>(slot: *mut Slot<T>, value: T) -> *mut T {
    // SAFETY: the slot is aligned and writable (slot_of, caller). Raw field writes: the old
    // bytes may be uninitialised, and nothing in them is dropped.
    unsafe {
        addr_of_mut!((*slot).value).write(value);
        addr_of_mut!((*slot).home).write(slot as usize);
        addr_of_mut!((*slot).tag).write(T::TAG);
        addr_of_mut!((*slot).value)
    }
}

/// The value in an initialised slot, as a pointer (for a value that borrows from itself,
/// whose fields must be reached one by one: see `call.rs`).
///
/// # Safety
/// `slot` comes from [`slot_of`] on storage the caller owns; its tag and home fields are
/// readable (C zero-initialises statics; stack storage must have been through `init`).
pub(crate) unsafe fn value_ptr<T: Tagged>(slot: *mut Slot<T>) -> Result<*mut T, apify_error> {
    // SAFETY: aligned and readable (slot_of, caller); the header is plain integers.
    let (tag, home) = unsafe { (addr_of_mut!((*slot).tag).read(), addr_of_mut!((*slot).home).read()) };
    if tag != T::TAG || home != slot as usize {
        return Err(apify_error::NotInitialised);
    }
    // SAFETY: in bounds of the slot.
    Ok(unsafe { addr_of_mut!((*slot).value) })
}

/// The value in an initialised slot.
///
/// # Safety
/// As [`value_ptr`], and the caller does not use the storage elsewhere while the reference
/// lives.
pub(crate) unsafe fn value<'a, T: Tagged>(slot: *mut Slot<T>) -> Result<&'a mut T, apify_error> {
    // SAFETY: the tag and home say `init` wrote a `T` here, at this address; unaliased per
    // the caller.
    unsafe { value_ptr(slot).map(|v| &mut *v) }
}

/// The value in an initialised slot, read only (for functions C calls with `const`
/// storage).
///
/// # Safety
/// As [`value`], and nothing writes the storage while the reference lives.
pub(crate) unsafe fn value_ref<'a, T: Tagged>(slot: *const Slot<T>) -> Result<&'a T, apify_error> {
    // SAFETY: aligned and readable (slot_of, caller); the header is plain integers.
    let (tag, home) = unsafe { ((*slot).tag, (*slot).home) };
    if tag != T::TAG || home != slot as usize {
        return Err(apify_error::NotInitialised);
    }
    // SAFETY: the tag and home say `init` wrote a `T` here; the caller keeps it unchanged.
    Ok(unsafe { &(*slot).value })
}
