//! The API's error body: `{"error": {"type", "message", "data"}}`.

use core::fmt;

use super::table::{Ctx, index};
use super::{FieldPath, FieldValue, Printable, Run};

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

/// An error the API reported (`{"error": {"type", "message", "data"}}`), read from the
/// decoded body: [`error_type`](Self::error_type), [`message`](Self::message),
/// [`has_data`](Self::has_data). `Display` shows `type: message`, the message with control
/// characters escaped ([`Printable`]).
///
/// ```
/// use apify_core::decode::{Decoded, ResponseDecoder};
/// use apify_core::model::ErrorType;
///
/// let mut decoder = ResponseDecoder::<16>::new();
/// decoder.feed(br#"{"error":{"type":"record-not-found","message":"No such run."}}"#)?;
/// let Decoded::Error(error) = decoder.finish()? else { panic!() };
/// assert_eq!(error.error_type(), Some(ErrorType::RecordNotFound));
/// assert_eq!(error.to_string(), "record-not-found: No such run.");
/// # Ok::<(), apify_core::decode::DecodeError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ApiError<'a>(pub(crate) &'a Run);

impl<'a> ApiError<'a> {
    #[inline]
    pub(crate) const fn run(&self) -> &Run {
        self.0
    }

    /// The value of `field` (`error.type`, `error.message`), as [`Run::get`] reads a run's.
    ///
    /// ```
    /// use apify_core::decode::{Decoded, ResponseDecoder};
    /// use apify_core::model::{FieldPath, FieldValue};
    ///
    /// let mut decoder = ResponseDecoder::<16>::new();
    /// decoder.feed(br#"{"error":{"type":"record-not-found","message":"No such run."}}"#)?;
    /// let Decoded::Error(error) = decoder.finish()? else { panic!() };
    /// let Some(FieldValue::Text(message)) = error.get(FieldPath::find("error.message").unwrap()) else { panic!() };
    /// assert_eq!(message.as_str(), "No such run.");
    /// # Ok::<(), apify_core::decode::DecodeError>(())
    /// ```
    pub fn get(&self, field: FieldPath) -> Option<FieldValue<'a>> {
        self.0.get(field)
    }

    /// Whether `error.data` was present and not `null` (its contents are skipped; reach them
    /// with [`json::Select`](crate::json::Select)).
    pub fn has_data(&self) -> bool {
        const DATA: u8 = index(Ctx::Error, "data");
        self.0.is_present(DATA)
    }
}

impl fmt::Debug for ApiError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("error_type", &self.error_type())
            .field("message", &self.message())
            .field("has_data", &self.has_data())
            .finish()
    }
}

impl fmt::Display for ApiError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.error_type();
        write!(f, "{}", Printable(kind.as_ref().map_or("unknown-error", ErrorType::as_str)))?;
        if let Some(message) = self.message() {
            write!(f, ": {}", Printable(message.as_str()))?;
            if message.is_truncated() {
                f.write_str("…")?;
            }
        }
        Ok(())
    }
}
