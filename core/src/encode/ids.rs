//! Identifiers that go into the path, and the token that goes into the header.

use core::fmt;

use super::EncodeError;
use super::sink::{Sink, put_percent_encoded};

/// Longest task or run identifier accepted (bytes, before encoding). Task names are at most
/// 63 characters and usernames shorter, so this leaves room without inviting abuse.
pub const MAX_ID_LEN: usize = 255;

/// Longest API token accepted (bytes).
pub const MAX_TOKEN_LEN: usize = 512;

fn check_id(id: &str, invalid: fn(&'static str) -> EncodeError) -> Result<(), EncodeError> {
    match id {
        "" => Err(invalid("is empty")),
        "." | ".." => Err(invalid("cannot be '.' or '..'")),
        _ if id.bytes().all(|b| b.is_ascii_whitespace()) => Err(invalid("is blank")),
        _ if [id.as_bytes().first(), id.as_bytes().last()]
            .into_iter()
            .flatten()
            .any(u8::is_ascii_whitespace) =>
        {
            Err(invalid("has leading or trailing whitespace"))
        }
        _ if id.len() > MAX_ID_LEN => Err(invalid("is longer than 255 bytes")),
        _ => Ok(()),
    }
}

/// A task: its ID (`HG7ML7M8z78YcAPEB`), `username~taskname`, `~taskname` (a task of the
/// token's owner) or `username/taskname` (the first `/` becomes `~`, as in the official
/// clients). Encoded as one path segment: RFC 3986 unreserved bytes pass, others become `%XX`.
///
/// ```
/// use apify_core::encode::TaskId;
///
/// assert!(TaskId::new("janedoe/my-task").is_ok());
/// assert!(TaskId::new("..").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskId<'a>(&'a str);

impl<'a> TaskId<'a> {
    /// Validates a task reference.
    pub fn new(id: &'a str) -> Result<Self, EncodeError> {
        check_id(id, EncodeError::InvalidTaskId)?;
        let name = id.split_once(['~', '/']).map_or(id, |(_, name)| name);
        if name.is_empty() {
            return Err(EncodeError::InvalidTaskId("has an empty task name after '~' or '/'"));
        }
        Ok(Self(id))
    }

    /// The reference as given.
    pub const fn as_str(&self) -> &'a str {
        self.0
    }

    pub(crate) fn put_segment(&self, sink: &mut impl Sink) {
        match self.0.split_once('/') {
            Some((user, rest)) => {
                put_percent_encoded(sink, user.as_bytes());
                sink.put_str("~");
                put_percent_encoded(sink, rest.as_bytes());
            }
            None => put_percent_encoded(sink, self.0.as_bytes()),
        }
    }
}

/// A dataset: its ID (a run's `defaultDatasetId`), `username~dataset-name` or
/// `username/dataset-name` (the first `/` becomes `~`). Encoded as one path segment.
///
/// ```
/// use apify_core::encode::DatasetId;
///
/// assert!(DatasetId::new("ns9q8TGzYhE1QyPqD").is_ok());
/// assert!(DatasetId::new(" ").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatasetId<'a>(TaskId<'a>);

impl<'a> DatasetId<'a> {
    /// Validates a dataset reference.
    pub fn new(id: &'a str) -> Result<Self, EncodeError> {
        check_id(id, EncodeError::InvalidDatasetId)?;
        Ok(Self(TaskId(id)))
    }

    /// The reference as given.
    pub const fn as_str(&self) -> &'a str {
        self.0.as_str()
    }

    #[cfg(feature = "items")]
    pub(crate) fn put_segment(&self, sink: &mut impl Sink) {
        // The same form as a task's: an ID, or a name with its owner.
        self.0.put_segment(sink);
    }
}

/// A run ID, as returned in `data.id`. Encoded as one path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunId<'a>(&'a str);

impl<'a> RunId<'a> {
    /// Validates a run ID.
    pub fn new(id: &'a str) -> Result<Self, EncodeError> {
        check_id(id, EncodeError::InvalidRunId)?;
        Ok(Self(id))
    }

    /// The ID as given.
    pub const fn as_str(&self) -> &'a str {
        self.0
    }

    pub(crate) fn put_segment(&self, sink: &mut impl Sink) {
        put_percent_encoded(sink, self.0.as_bytes());
    }
}

impl RunId<'static> {
    /// Wraps a literal the caller knows to be valid (not empty, `.` or `..`).
    pub(crate) const fn from_static(id: &'static str) -> Self {
        Self(id)
    }
}

/// An API token. It travels only in `Authorization: Bearer …`, never in a URL, and `Debug`
/// does not show it.
///
/// ```
/// use apify_core::encode::Token;
///
/// let token = Token::new("apify_api_secret")?;
/// assert_eq!(format!("{token:?}"), "Token(<redacted>)");
/// assert!(Token::new("two words").is_err());
/// # Ok::<(), apify_core::encode::EncodeError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Token<'a>(&'a str);

impl<'a> Token<'a> {
    /// Validates a token: visible ASCII only, so it cannot break or inject a header line.
    pub fn new(token: &'a str) -> Result<Self, EncodeError> {
        if token.is_empty() {
            return Err(EncodeError::InvalidToken("is empty"));
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(EncodeError::InvalidToken("is longer than 512 bytes"));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(EncodeError::InvalidToken("contains whitespace, control or non-ASCII characters"));
        }
        Ok(Self(token))
    }

    /// The secret itself, for transports that build the header on their own.
    pub const fn expose(&self) -> &'a str {
        self.0
    }
}

impl fmt::Debug for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::sink::measure;

    fn segment(id: &str) -> std::string::String {
        let id = TaskId::new(id).unwrap();
        let mut buf = [0u8; 1024];
        let n = crate::encode::sink::write_whole(&mut buf, |s| id.put_segment(s)).unwrap();
        assert_eq!(n, measure(|s| id.put_segment(s)));
        std::string::String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[test]
    fn task_ids_encode_as_one_segment() {
        assert_eq!(segment("HG7ML7M8z78YcAPEB"), "HG7ML7M8z78YcAPEB");
        assert_eq!(segment("janedoe~my-task"), "janedoe~my-task");
        assert_eq!(segment("~my-task"), "~my-task");
        assert_eq!(segment("janedoe/my-task"), "janedoe~my-task");
        assert_eq!(segment("a/b/c"), "a~b%2Fc");
        assert_eq!(segment("jane doe~t?#é"), "jane%20doe~t%3F%23%C3%A9");
    }

    #[test]
    fn bad_ids_are_refused() {
        for bad in ["", ".", "..", "janedoe~", "janedoe/", "~"] {
            assert!(TaskId::new(bad).is_err(), "{bad:?}");
        }
        assert!(TaskId::new(&"x".repeat(256)).is_err());
        assert!(TaskId::new(&"x".repeat(255)).is_ok());
        assert!(RunId::new("..").is_err());
        assert!(RunId::new("").is_err());
    }

    #[test]
    fn tokens_cannot_carry_header_breaks() {
        for bad in ["", "a b", "a\r\nX-Evil: 1", "tab\t", "é", "\u{7f}"] {
            assert!(Token::new(bad).is_err(), "{bad:?}");
        }
    }
}
