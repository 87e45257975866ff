//! The C ABI of `apify-core`: C firmware (ESP-IDF, Zephyr, Arduino, bare lwIP) links this
//! static library and its header `include/apify.h`, and keeps its own sockets and TLS.
//!
//! # Design
//!
//! - **Sans-IO, as the core.** C code writes the request bytes this library encodes, feeds the
//!   bytes it reads, sleeps when told. The same call machine as the Rust adapters decides what
//!   to send next, what to retry and when a start's outcome is unknown.
//! - **Caller-owned memory only.** The reader and the call live in storage the C program
//!   declares (`apify_reader`, `apify_call`: their sizes are constants in the header, asserted
//!   against the Rust types when this crate is built). Nothing is allocated.
//! - **One error type.** Every function that can fail returns an [`apify_error`];
//!   [`apify_error_message`] gives its sentence.
//! - **Checked arguments.** Every pointer is checked for null, every length for range, every
//!   storage for alignment and for having been initialised (and not moved) before it is used;
//!   strings must be NUL-terminated UTF-8 of at most [`APIFY_MAX_TEXT`] bytes. Out-parameters
//!   are checked before anything changes. The storage check reads a tag: storage must be zeroed
//!   (C statics are) or initialised before any other use, since garbage that happened to match
//!   would not be caught; it is a check against mistakes (use before init, a copy), not
//!   against any bytes.
//! - **No panic crosses the boundary.** The code paths have none (slices are taken with
//!   `get`); on a hosted target a panic in an `extern "C"` function would abort the process,
//!   on a bare-metal one the panic handler stops the core.
//! - **Fields by path.** A run's fields are read by their JSON path (`data.stats.durationMillis`)
//!   through the core's one field table ([`apify_reader_field`]), or listed one by one
//!   ([`apify_field_count`], [`apify_field_path`], [`apify_reader_field_at`]): the C API grows
//!   with the table without a new function per field.
//!
//! # Lifetimes the C program keeps
//!
//! Text given to a call (the task ID, the run ID, the options' strings and webhook scratch, the
//! input) is borrowed, not copied: it must stay valid and unchanged until the call is done or
//! started again. A reader or call must not be moved (copied to another address) after its
//! `init`/`start`: the library notices and answers [`apify_error::NotInitialised`].

#![no_std]
#![allow(non_camel_case_types)]

#[cfg(not(target_os = "none"))]
extern crate std;

mod args;
mod call;
mod error;
mod reader;
mod request;
mod storage;

pub use call::*;
pub use error::*;
pub use reader::*;
pub use request::*;

/// Longest NUL-terminated string accepted (task and run IDs, tokens, URLs, templates), in
/// bytes: a string without a NUL within it is refused rather than read past its end.
pub const APIFY_MAX_TEXT: usize = 65536;

// A bare-metal build has no panic runtime; the code has no panic path, so this only stops
// the core should one ever be reached.
#[cfg(all(target_os = "none", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
