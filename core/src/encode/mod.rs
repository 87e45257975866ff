//! The request encoder: from "run task X with these options" to the exact bytes to send.
//!
//! Every part is validated where it is built ([`TaskId`], [`Token`], [`BaseUrl`],
//! [`RunOptions`], [`Webhook`], [`Input`]) and rendered by one routine per part, so the length
//! a part reports and the bytes it writes cannot disagree. Nothing is allocated: the webhook
//! JSON and a serialized input live in caller buffers, and the head is written into a caller
//! buffer whole or in windows of any size.

mod base_url;
mod endpoint;
mod ids;
mod input;
mod items_options;
mod options;
mod request;
pub(crate) mod sink;
mod webhook;

use core::fmt;

pub use base_url::{APIFY_API, BaseUrl, Scheme};
pub use endpoint::{Endpoint, Method, RUN_SYNC_WAIT_SECS};
pub use ids::{DatasetId, MAX_ID_LEN, MAX_TOKEN_LEN, RunId, TaskId, Token};
pub use input::{Input, MAX_INPUT_DEPTH};
pub use items_options::{ItemsOptions, MAX_ITEMS_LIST_LEN};
pub use options::{MAX_BUILD_LEN, MAX_WAIT_FOR_FINISH_SECS, RunOptions};
pub use request::{DEFAULT_USER_AGENT, Header, HeaderValue, MAX_TARGET_LEN, Request};
pub use webhook::{EventType, Webhook, Webhooks};

use crate::json::SyntaxError;

/// Why a request could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer is too small; `needed` bytes would fit.
    BufferTooSmall {
        /// The exact length needed.
        needed: usize,
    },
    /// The task reference breaks a rule (the text says which).
    InvalidTaskId(&'static str),
    /// The run ID breaks a rule.
    InvalidRunId(&'static str),
    /// The dataset reference breaks a rule.
    InvalidDatasetId(&'static str),
    /// The token breaks a rule.
    InvalidToken(&'static str),
    /// The base URL cannot be used.
    InvalidBaseUrl(&'static str),
    /// The user agent is empty or holds control or non-ASCII characters.
    InvalidUserAgent,
    /// A query parameter breaks the API's rule for it.
    InvalidParameter {
        /// The parameter as the API names it (`memory`, `webhooks.requestUrl`, …).
        name: &'static str,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// Raw input is not valid JSON.
    InputNotJson(SyntaxError),
    /// The input is valid JSON but not an object.
    InputNotObject,
    /// The request's target (path and query) is longer than [`MAX_TARGET_LEN`] (long
    /// webhook definitions or a long base URL path).
    RequestTooLong {
        /// The target's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The input did not serialize into the buffer given.
    InputTooLarge {
        /// The buffer's size.
        capacity: usize,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed } => write!(f, "buffer too small: {needed} bytes needed"),
            Self::InvalidTaskId(rule) => write!(f, "invalid task id: it {rule}"),
            Self::InvalidRunId(rule) => write!(f, "invalid run id: it {rule}"),
            Self::InvalidDatasetId(rule) => write!(f, "invalid dataset id: it {rule}"),
            Self::InvalidToken(rule) => write!(f, "invalid API token: it {rule}"),
            Self::InvalidBaseUrl(rule) => write!(f, "invalid base URL: {rule}"),
            Self::InvalidUserAgent => f.write_str("invalid user agent: use visible ASCII and spaces"),
            Self::InvalidParameter { name, rule } => write!(f, "invalid `{name}`: {rule}"),
            Self::InputNotJson(e) => write!(f, "input is not valid JSON: {e}"),
            Self::InputNotObject => f.write_str("input must be a JSON object"),
            Self::RequestTooLong { len, max } => {
                write!(f, "the request's path and query would be {len} bytes, over the {max} servers accept")
            }
            Self::InputTooLarge { capacity } => write!(f, "input does not fit the {capacity}-byte buffer"),
        }
    }
}

impl core::error::Error for EncodeError {}

#[cfg(test)]
mod tests;
