//! apify-core (crate doc written below once the layers exist).
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod call;
pub mod decimal;
pub mod decode;
pub mod encode;
pub mod http;
pub mod json;
pub mod model;

pub use decimal::Decimal;

#[cfg(test)]
mod test_fixtures;

/// Progress of an incremental consumer after a chunk was fed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything given was consumed and more input is expected.
    Partial,
    /// The consumer has seen a whole message; later input may only be what the format allows
    /// after one (whitespace for JSON, nothing for HTTP).
    Complete,
}

impl Status {
    /// Whether the message is complete.
    pub const fn is_complete(self) -> bool {
        matches!(self, Self::Complete)
    }
}
