//! The one error code every function that can fail returns, and its sentence.

use core::ffi::c_char;

use apify_core::encode::EncodeError;
use apify_core::http::ReadError;

/// What a function of this library says about the arguments it was given or the response it
/// read. `APIFY_ERROR_OK` (0) is success.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum apify_error {
    /// Success.
    Ok = 0,
    /// A required pointer is NULL.
    NullArgument,
    /// A storage (`apify_reader`, `apify_call`) is not aligned for its type.
    Misaligned,
    /// A reader or call was used before its `init`/`start`, or moved after it.
    NotInitialised,
    /// The function does not fit the state: a field read before `apify_reader_finish`
    /// accepted the response, a request asked of a call that said no `SEND`, ...
    WrongState,
    /// A string is not UTF-8, has no NUL within `APIFY_MAX_TEXT` bytes, or a value is not one
    /// of its enumeration's.
    InvalidArgument,
    /// The output buffer is too small (the `needed` out-parameter, where there is one, says
    /// how large it must be).
    BufferTooSmall,
    /// The task ID is not `username~task-name` or a task ID.
    InvalidTaskId,
    /// The run ID is not a run ID.
    InvalidRunId,
    /// The token is empty or holds characters a token cannot.
    InvalidToken,
    /// The base URL is not an `http://` or `https://` URL this library can address.
    InvalidBaseUrl,
    /// A run option or webhook breaks the API's rule for it.
    InvalidOption,
    /// The input is not one JSON object.
    InvalidInput,
    /// The request's path and query would be longer than servers accept.
    RequestTooLong,
    /// The base URL is `https://` but `apify_api.tls` says the connection is not TLS: the
    /// token would travel in clear text. Nothing was written.
    TlsRequired,
    /// The connection closed before any byte of a response arrived.
    NoResponse,
    /// The connection closed before the response was whole.
    TruncatedResponse,
    /// The response is not HTTP/1.x, or its body is not the API's JSON
    /// (`apify_reader_describe` says what and where).
    MalformedResponse,
    /// The response or run has no such value (absent, `null`, or not this kind of response).
    NoValue,
    /// No field has this path (or this build of the library leaves it out).
    UnknownField,
    /// A number does not fit the type asked for.
    OutOfRange,
}

impl apify_error {
    /// The sentence for this code.
    pub fn message(self) -> &'static str {
        self.c_message().to_str().unwrap_or("")
    }

    /// The sentence, NUL-terminated for C.
    const fn c_message(self) -> &'static core::ffi::CStr {
        match self {
            Self::Ok => c"success",
            Self::NullArgument => c"a required pointer is NULL",
            Self::Misaligned => c"the storage is not aligned for its type",
            Self::NotInitialised => c"the reader or call was not initialised, or was moved after it was",
            Self::WrongState => c"the function does not fit the reader's or call's state",
            Self::InvalidArgument => {
                c"a string is not NUL-terminated UTF-8, or a value is not one of its enumeration"
            }
            Self::BufferTooSmall => c"the output buffer is too small",
            Self::InvalidTaskId => c"invalid task ID: use username~task-name or the task's ID",
            Self::InvalidRunId => c"invalid run ID",
            Self::InvalidToken => c"invalid API token",
            Self::InvalidBaseUrl => c"invalid base URL: use http:// or https:// with a host",
            Self::InvalidOption => c"a run option or webhook breaks the API's rule for it",
            Self::InvalidInput => c"the input is not one JSON object",
            Self::RequestTooLong => c"the request's path and query are longer than servers accept",
            Self::TlsRequired => c"the base URL is https:// but the connection is not TLS: the token would travel in clear text",
            Self::NoResponse => c"the connection closed before a response arrived",
            Self::TruncatedResponse => c"the connection closed before the response was whole",
            Self::MalformedResponse => c"the response is not a valid HTTP response with the API's JSON",
            Self::NoValue => c"no such value in this response",
            Self::UnknownField => c"no field has this path",
            Self::OutOfRange => c"the number does not fit the type asked for",
        }
    }
}

impl core::fmt::Display for apify_error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message())
    }
}

impl From<EncodeError> for apify_error {
    fn from(e: EncodeError) -> Self {
        match e {
            EncodeError::BufferTooSmall { .. } => Self::BufferTooSmall,
            EncodeError::InvalidTaskId(_) | EncodeError::InvalidDatasetId(_) => Self::InvalidTaskId,
            EncodeError::InvalidRunId(_) => Self::InvalidRunId,
            EncodeError::InvalidToken(_) => Self::InvalidToken,
            EncodeError::InvalidBaseUrl(_) => Self::InvalidBaseUrl,
            EncodeError::InvalidUserAgent => Self::InvalidArgument,
            EncodeError::InvalidParameter { .. } => Self::InvalidOption,
            EncodeError::InputNotJson(_)
            | EncodeError::InputNotObject
            | EncodeError::InputTooLarge { .. } => Self::InvalidInput,
            EncodeError::RequestTooLong { .. } => Self::RequestTooLong,
            _ => Self::InvalidArgument,
        }
    }
}

impl From<ReadError> for apify_error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::NoResponse => Self::NoResponse,
            ReadError::TruncatedHead | ReadError::TruncatedBody { .. } => Self::TruncatedResponse,
            _ => Self::MalformedResponse,
        }
    }
}

/// The sentence for `code`: a NUL-terminated static string, never NULL (an unknown code
/// gets "unknown error code").
#[unsafe(no_mangle)]
pub extern "C" fn apify_error_message(code: u32) -> *const c_char {
    match crate::args::enum_value(code, ERRORS) {
        Some(e) => e.c_message().as_ptr(),
        None => c"unknown error code".as_ptr(),
    }
}

/// Every code, in order of value.
const ERRORS: &[apify_error] = &[
    apify_error::Ok,
    apify_error::NullArgument,
    apify_error::Misaligned,
    apify_error::NotInitialised,
    apify_error::WrongState,
    apify_error::InvalidArgument,
    apify_error::BufferTooSmall,
    apify_error::InvalidTaskId,
    apify_error::InvalidRunId,
    apify_error::InvalidToken,
    apify_error::InvalidBaseUrl,
    apify_error::InvalidOption,
    apify_error::InvalidInput,
    apify_error::RequestTooLong,
    apify_error::TlsRequired,
    apify_error::NoResponse,
    apify_error::TruncatedResponse,
    apify_error::MalformedResponse,
    apify_error::NoValue,
    apify_error::UnknownField,
    apify_error::OutOfRange,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_sentence_in_both_forms() {
        for (i, e) in ERRORS.iter().enumerate() {
            assert_eq!(*e as u32, i as u32);
            assert!(!e.message().is_empty());
            // SAFETY: `apify_error_message` returns a static NUL-terminated string.
            let c = unsafe { core::ffi::CStr::from_ptr(apify_error_message(i as u32)) };
            assert_eq!(c.to_str(), Ok(e.message()));
        }
        // SAFETY: as above.
        let unknown = unsafe { core::ffi::CStr::from_ptr(apify_error_message(9999)) };
        assert_eq!(unknown.to_str(), Ok("unknown error code"));
    }
}
