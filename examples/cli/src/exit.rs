//! Exit codes of `apify-run`, one per kind of outcome, so scripts can branch on them.

/// The run succeeded (`task`, `get`), the body decoded to a run (`decode`), or the input was
/// valid (`decode --validate`).
pub(crate) const SUCCESS: u8 = 0;
/// The API answered with an error (or a non-API HTTP error status); for `decode`, the body
/// was an API error.
pub(crate) const API_ERROR: u8 = 1;
/// The input or response was malformed (invalid JSON or HTTP).
pub(crate) const MALFORMED: u8 = 2;
/// The run ended FAILED.
pub(crate) const RUN_FAILED: u8 = 3;
/// The run ended ABORTED (or was aborting).
pub(crate) const RUN_ABORTED: u8 = 4;
/// The run ended TIMED-OUT (or was timing out).
pub(crate) const RUN_TIMED_OUT: u8 = 5;
/// `--wait` ended before the run did.
pub(crate) const STILL_RUNNING: u8 = 6;
/// No usable response from the API (connection, timeout, malformed answer) after retries.
pub(crate) const TRANSPORT: u8 = 7;
/// A run start may or may not have created a run; check the task's last run.
pub(crate) const OUTCOME_UNKNOWN: u8 = 8;
/// The run was started, then following it failed: the run exists (its ID is printed), so a
/// script must not start the task again for it.
pub(crate) const FOLLOW_FAILED: u8 = 9;
/// The command line was not understood, or an argument is invalid (nothing was sent).
pub(crate) const USAGE: u8 = 64;

/// Why the tool stops: an exit code and one line for stderr.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
    /// Already printed as `{"error": ...}` on stdout (for `--json`).
    pub(crate) shown_as_json: bool,
}

/// A failure with `code`.
pub(crate) fn fail(code: u8, message: String) -> Failure {
    Failure { code, message, shown_as_json: false }
}

/// The `--json` form of an error: `{"error":{"type":…,"message":…,"status":…}}`, with
/// `run` (a run's own JSON, `{"data":…}`) merged in when there is one.
pub(crate) fn error_json(kind: &str, message: &str, status: Option<u16>, run: Option<&str>) -> String {
    let mut object = String::from("{\"error\":{\"type\":");
    crate::decode::push_json_string(&mut object, kind);
    object.push_str(",\"message\":");
    crate::decode::push_json_string(&mut object, message);
    object.push_str(&format!(",\"status\":{}}}", status.map_or("null".into(), |s| s.to_string())));
    match run.and_then(|run| run.strip_prefix('{')) {
        Some(members) => {
            object.push(',');
            object.push_str(members);
        }
        None => object.push('}'),
    }
    object
}

/// The error type `--json` gives a failure that is not the API's own.
pub(crate) fn kind_of(code: u8) -> &'static str {
    match code {
        MALFORMED => "malformed-response",
        TRANSPORT => "transport",
        OUTCOME_UNKNOWN => "outcome-unknown",
        FOLLOW_FAILED => "follow-failed",
        API_ERROR => "http-status",
        _ => "invalid-input",
    }
}

/// A command-line mistake.
pub(crate) fn usage(message: String) -> Failure {
    fail(USAGE, message)
}
