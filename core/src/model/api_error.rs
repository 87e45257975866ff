//! The API's error body: `{"error": {"type", "message", "data"}}`.

use core::fmt;

use super::{Printable, Text};

string_enum! {
    /// `error.type`: the kinds a client acts on have variants; the API lists about 390, so
    /// every other one is kept as text in `Other`.
    pub enum ErrorType (other: 48) {
        /// 400: the input was refused.
        InvalidInput = "invalid-input",
        /// 400: the request was malformed.
        InvalidRequest = "invalid-request",
        /// 400: a value was refused.
        InvalidValue = "invalid-value",
        /// 400: the input failed the Actor's schema (see `data`).
        SchemaValidationError = "schema-validation-error",
        /// 400: a synchronous run did not succeed.
        RunFailed = "run-failed",
        /// 401: no token was sent.
        TokenNotProvided = "token-not-provided",
        /// 401: the token is not valid.
        InvalidToken = "invalid-token",
        /// 402: the account's memory limit for concurrent runs would be exceeded.
        ActorMemoryLimitExceeded = "actor-memory-limit-exceeded",
        /// 402: too many runs at once.
        ConcurrentRunsLimitExceeded = "concurrent-runs-limit-exceeded",
        /// 403: the token may not do this.
        InsufficientPermissions = "insufficient-permissions",
        /// 403: the Actor needs approval of full permissions (see `data.approvalUrl`).
        FullPermissionActorNotApproved = "full-permission-actor-not-approved",
        /// 404: no such resource, or not visible to the token.
        RecordNotFound = "record-not-found",
        /// 404: no such resource, or no token.
        RecordOrTokenNotFound = "record-or-token-not-found",
        /// 405: wrong HTTP method.
        MethodNotAllowed = "method-not-allowed",
        /// 408: a synchronous wait exceeded its limit (the run goes on).
        RunTimeoutExceeded = "run-timeout-exceeded",
        /// 413: the body is too large.
        RequestTooLarge = "request-too-large",
        /// 415: unknown `Content-Encoding`.
        UnsupportedContentEncoding = "unsupported-content-encoding",
        /// 429: too many requests.
        RateLimitExceeded = "rate-limit-exceeded",
    }
}

impl ErrorType {
    /// Whether the run could not start for lack of account resources, so starting again
    /// later can succeed (the official clients' `wait_for_resources`).
    pub fn is_capacity_limit(&self) -> bool {
        matches!(self, Self::ActorMemoryLimitExceeded | Self::ConcurrentRunsLimitExceeded)
    }
}

/// An error the API reported. `Display` shows `type: message`, the message with control
/// characters escaped ([`Printable`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ApiError {
    /// `error.type`.
    pub error_type: Option<ErrorType>,
    /// `error.message`, for people (capacity 384; real ones pass 300 bytes).
    pub message: Option<Text<384>>,
    /// Whether `error.data` was present and not `null` (its contents are skipped; reach them
    /// with [`json::Select`](crate::json::Select)).
    pub has_data: bool,
}

impl ApiError {
    /// No fields set.
    pub const EMPTY: ApiError = ApiError { error_type: None, message: None, has_data: false };
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.error_type.as_ref().map_or("unknown-error", ErrorType::as_str);
        write!(f, "{}", Printable(kind))?;
        if let Some(message) = &self.message {
            write!(f, ": {}", Printable(message.as_str()))?;
            if message.is_truncated() {
                f.write_str("…")?;
            }
        }
        Ok(())
    }
}
