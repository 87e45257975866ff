//! The face every `no_std` client of this project shows: its error, its report, its clock.
//!
//! `apify-nal` (blocking, `embedded-nal` sockets) and `apify-nal-async` (async,
//! `embedded-nal-async` connections, optional TLS) drive the same [`Call`](crate::call::Call)
//! and return the same [`Error`] and [`RunReport`]; they re-export these types, so a user
//! never names this module. `apify-ureq` (std) has the same variants with owned payloads.
//!
//! Nothing here does I/O: [`conclude`] turns the machine's [`Conclusion`](crate::call::Conclusion)
//! into a client's result, and [`Clock`] is how a client reads the time it hands the machine.

mod clock;
mod error;

pub use clock::{Clock, CounterClock};
pub use error::{Error, conclude};

use crate::call::Finish;
use crate::model::Run;

/// How a call ended, with the run as last seen (held by the client's reader until the next
/// call).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RunReport<'r> {
    /// The run.
    pub run: &'r Run,
    /// Why the call stopped.
    pub finish: Finish,
}
