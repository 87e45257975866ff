//! Exit codes of `apify-run`, one per kind of outcome, so scripts can branch on them.

/// The run succeeded (`task`, `get`), the body decoded to a run (`decode`), or the input was
/// valid (`decode --validate`).
pub(crate) const SUCCESS: u8 = 0;
/// The API answered with an error (or a non-API HTTP error status).
pub(crate) const API_ERROR: u8 = 1;
/// The input or response was malformed (invalid JSON or HTTP).
pub(crate) const MALFORMED: u8 = 2;
/// The command line was not understood.
pub(crate) const USAGE: u8 = 64;

/// Why the tool stops: an exit code and one line for stderr.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

/// A failure with `code`.
pub(crate) fn fail(code: u8, message: String) -> Failure {
    Failure { code, message }
}

/// A command-line mistake.
pub(crate) fn usage(message: String) -> Failure {
    fail(USAGE, message)
}

impl From<lexopt::Error> for Failure {
    fn from(e: lexopt::Error) -> Self {
        usage(e.to_string())
    }
}
