//! Ad-hoc webhooks: typed definitions, compact JSON (serde-json-core), then base64.

use serde::{Serialize, Serializer};

use super::EncodeError;

/// An event that fires a webhook. The `ACTOR.RUN.*` events have variants; [`Other`](Self::Other)
/// names any other (`ACTOR.BUILD.SUCCEEDED`, `TEST`, or one added after this crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventType<'a> {
    /// `ACTOR.RUN.CREATED`
    RunCreated,
    /// `ACTOR.RUN.SUCCEEDED`
    RunSucceeded,
    /// `ACTOR.RUN.FAILED`
    RunFailed,
    /// `ACTOR.RUN.ABORTED`
    RunAborted,
    /// `ACTOR.RUN.TIMED_OUT` (with an underscore, unlike the run status `TIMED-OUT`)
    RunTimedOut,
    /// `ACTOR.RUN.RESURRECTED`
    RunResurrected,
    /// Any other event type, as the API spells it.
    Other(&'a str),
}

impl<'a> EventType<'a> {
    /// The name the API uses.
    pub const fn as_str(&self) -> &'a str {
        match self {
            Self::RunCreated => "ACTOR.RUN.CREATED",
            Self::RunSucceeded => "ACTOR.RUN.SUCCEEDED",
            Self::RunFailed => "ACTOR.RUN.FAILED",
            Self::RunAborted => "ACTOR.RUN.ABORTED",
            Self::RunTimedOut => "ACTOR.RUN.TIMED_OUT",
            Self::RunResurrected => "ACTOR.RUN.RESURRECTED",
            Self::Other(name) => name,
        }
    }

    /// The variant for a name; unknown names become [`Other`](Self::Other).
    pub fn from_name(name: &'a str) -> Self {
        [
            Self::RunCreated,
            Self::RunSucceeded,
            Self::RunFailed,
            Self::RunAborted,
            Self::RunTimedOut,
            Self::RunResurrected,
        ]
        .into_iter()
        .find(|known| known.as_str() == name)
        .unwrap_or(Self::Other(name))
    }
}

impl Serialize for EventType<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One ad-hoc webhook (`WebhookRepresentation`): where to POST, on which events, and how.
///
/// ```
/// use apify_core::encode::{EventType, Webhook};
///
/// let hook = Webhook::new(&[EventType::RunSucceeded, EventType::RunFailed], "https://example.com/done")
///     .idempotency_key("device-42-2026-11-29")
///     .do_not_retry(true);
/// assert_eq!(hook.request_url(), "https://example.com/done");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook<'a> {
    event_types: &'a [EventType<'a>],
    request_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload_template: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers_template: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    should_interpolate_strings: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idempotency_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ignore_ssl_errors: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    do_not_retry: Option<bool>,
}

impl<'a> Webhook<'a> {
    /// A webhook that POSTs to `request_url` when one of `event_types` happens.
    pub const fn new(event_types: &'a [EventType<'a>], request_url: &'a str) -> Self {
        Self {
            event_types,
            request_url,
            payload_template: None,
            headers_template: None,
            should_interpolate_strings: None,
            idempotency_key: None,
            ignore_ssl_errors: None,
            do_not_retry: None,
        }
    }

    /// The body template, with `{{resource}}`-style variables.
    pub const fn payload_template(mut self, template: &'a str) -> Self {
        self.payload_template = Some(template);
        self
    }

    /// A JSON object of extra headers, as a template.
    pub const fn headers_template(mut self, template: &'a str) -> Self {
        self.headers_template = Some(template);
        self
    }

    /// Also interpolate `"{{var}}"` inside strings of the templates.
    pub const fn should_interpolate_strings(mut self, yes: bool) -> Self {
        self.should_interpolate_strings = Some(yes);
        self
    }

    /// A key the API uses to refuse duplicate webhooks (for example when a start is retried).
    pub const fn idempotency_key(mut self, key: &'a str) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// Deliver even when the receiver's TLS certificate is invalid.
    pub const fn ignore_ssl_errors(mut self, yes: bool) -> Self {
        self.ignore_ssl_errors = Some(yes);
        self
    }

    /// Do not retry failed deliveries.
    pub const fn do_not_retry(mut self, yes: bool) -> Self {
        self.do_not_retry = Some(yes);
        self
    }

    /// The events that fire this webhook.
    pub const fn event_types(&self) -> &'a [EventType<'a>] {
        self.event_types
    }

    /// Where the webhook POSTs.
    pub const fn request_url(&self) -> &'a str {
        self.request_url
    }

    fn validate(&self) -> Result<(), EncodeError> {
        let bad = |name, rule| Err(EncodeError::InvalidParameter { name, rule });
        if self.event_types.is_empty() {
            return bad("webhooks.eventTypes", "must name at least one event");
        }
        if self.event_types.iter().any(|e| e.as_str().is_empty()) {
            return bad("webhooks.eventTypes", "event names cannot be empty");
        }
        let url = self.request_url;
        let has_scheme = ["http://", "https://"]
            .iter()
            .any(|p| url.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)) && url.len() > p.len());
        if !has_scheme || url.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) {
            return bad("webhooks.requestUrl", "must be an http:// or https:// URL without spaces");
        }
        if self.idempotency_key == Some("") {
            return bad("webhooks.idempotencyKey", "cannot be empty");
        }
        Ok(())
    }

    /// Bytes of this definition as compact JSON, computed without writing it.
    fn json_len(&self) -> usize {
        let field = |name: &str| name.len() + 4; // `"name":` plus the separator
        let opt_str = |name: &str, v: Option<&str>| v.map_or(0, |v| field(name) + json_string_len(v));
        let opt_bool = |name: &str, v: Option<bool>| v.map_or(0, |v| field(name) + if v { 4 } else { 5 });
        let events: usize =
            self.event_types.iter().map(|e| json_string_len(e.as_str()) + 1).sum::<usize>().max(1) + 1;
        // `{`, the fields (the first without its comma), `}`.
        1 + field("eventTypes") - 1
            + events
            + field("requestUrl")
            + json_string_len(self.request_url)
            + opt_str("payloadTemplate", self.payload_template)
            + opt_str("headersTemplate", self.headers_template)
            + opt_bool("shouldInterpolateStrings", self.should_interpolate_strings)
            + opt_str("idempotencyKey", self.idempotency_key)
            + opt_bool("ignoreSslErrors", self.ignore_ssl_errors)
            + opt_bool("doNotRetry", self.do_not_retry)
            + 1
    }
}

/// Length of `s` as a JSON string written by serde-json-core (quotes included).
fn json_string_len(s: &str) -> usize {
    2 + s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\u{8}' | '\t' | '\n' | '\u{c}' | '\r' => 2,
            '\0'..='\u{1f}' => 6,
            c => c.len_utf8(),
        })
        .sum::<usize>()
}

/// The `webhooks` query parameter, ready to send: the definitions as compact JSON in a caller
/// buffer. The request encoder base64-encodes it and percent-encodes that straight into the URL.
///
/// ```
/// use apify_core::encode::{EventType, Webhook, Webhooks};
///
/// let hooks = [Webhook::new(&[EventType::RunFailed], "https://example.com/run-failed")];
/// let mut scratch = [0u8; 128];
/// assert_eq!(Webhooks::json_len(&hooks), 83);
/// let webhooks = Webhooks::encode(&hooks, &mut scratch)?;
/// assert_eq!(webhooks.json(), br#"[{"eventTypes":["ACTOR.RUN.FAILED"],"requestUrl":"https://example.com/run-failed"}]"#);
/// # Ok::<(), apify_core::encode::EncodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Webhooks<'a> {
    json: &'a [u8],
}

impl<'a> Webhooks<'a> {
    /// Validates the definitions and serializes them into `scratch`.
    ///
    /// Errors: an empty list or an invalid definition ([`EncodeError::InvalidParameter`]), or
    /// a `scratch` shorter than [`json_len`](Self::json_len) ([`EncodeError::BufferTooSmall`]).
    pub fn encode(hooks: &[Webhook<'_>], scratch: &'a mut [u8]) -> Result<Self, EncodeError> {
        if hooks.is_empty() {
            return Err(EncodeError::InvalidParameter {
                name: "webhooks",
                rule: "must hold at least one webhook (leave it unset instead)",
            });
        }
        hooks.iter().try_for_each(Webhook::validate)?;
        let needed = Self::json_len(hooks);
        if scratch.len() < needed {
            return Err(EncodeError::BufferTooSmall { needed });
        }
        let n =
            serde_json_core::to_slice(hooks, scratch).map_err(|_| EncodeError::BufferTooSmall { needed })?;
        Ok(Self { json: &scratch[..n] })
    }

    /// JSON that [`encode`](Self::encode) wrote before (kept in flash, say, so that the
    /// firmware does not carry the serializer), not checked again: the request sends it
    /// base64-encoded, and JSON that is not a list of webhooks gets the API's 400.
    ///
    /// ```
    /// use apify_core::encode::{RunOptions, Webhooks};
    ///
    /// // Written once by `Webhooks::encode` (on a host, say) and kept as a constant.
    /// const HOOKS: &[u8] = br#"[{"eventTypes":["ACTOR.RUN.FAILED"],"requestUrl":"https://example.com/failed"}]"#;
    /// let options = RunOptions::new().webhooks(Webhooks::from_encoded(HOOKS));
    /// assert!(options.validate().is_ok());
    /// ```
    pub const fn from_encoded(json: &'a [u8]) -> Self {
        Self { json }
    }

    /// Exact size of the JSON that [`encode`](Self::encode) writes.
    pub fn json_len(hooks: &[Webhook<'_>]) -> usize {
        hooks.iter().map(|h| h.json_len() + 1).sum::<usize>().max(1) + 1
    }

    /// The JSON array.
    pub const fn json(&self) -> &'a [u8] {
        self.json
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_len_matches_serde_json_core() {
        let events = [EventType::RunSucceeded, EventType::Other("TEST\u{1}\"é")];
        let full = Webhook::new(&events, "https://x.y/\\path")
            .payload_template("{\"hello\": \"world\", \"resource\":{{resource}}}\n")
            .headers_template("{}")
            .should_interpolate_strings(false)
            .idempotency_key("k")
            .ignore_ssl_errors(true)
            .do_not_retry(false);
        for hooks in [&[full][..], &[Webhook::new(&events[..1], "http://a")], &[full, full]] {
            let mut buf = [0u8; 1024];
            let n = serde_json_core::to_slice(hooks, &mut buf).unwrap();
            assert_eq!(Webhooks::json_len(hooks), n);
            let back: serde_json::Value = serde_json::from_slice(&buf[..n]).unwrap();
            assert_eq!(back[0]["eventTypes"][0], "ACTOR.RUN.SUCCEEDED");
        }
    }

    #[test]
    fn invalid_definitions_name_the_field() {
        let mut buf = [0u8; 256];
        let cases: [(&[Webhook<'_>], &str); 5] = [
            (&[], "webhooks"),
            (&[Webhook::new(&[], "https://x")], "webhooks.eventTypes"),
            (&[Webhook::new(&[EventType::Other("")], "https://x")], "webhooks.eventTypes"),
            (&[Webhook::new(&[EventType::RunFailed], "ftp://x")], "webhooks.requestUrl"),
            (
                &[Webhook::new(&[EventType::RunFailed], "https://x").idempotency_key("")],
                "webhooks.idempotencyKey",
            ),
        ];
        for (hooks, field) in cases {
            match Webhooks::encode(hooks, &mut buf) {
                Err(EncodeError::InvalidParameter { name, .. }) => assert_eq!(name, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        let hooks = [Webhook::new(&[EventType::RunFailed], "https://x")];
        let needed = Webhooks::json_len(&hooks);
        assert_eq!(
            Webhooks::encode(&hooks, &mut buf[..needed - 1]),
            Err(EncodeError::BufferTooSmall { needed })
        );
    }

    #[test]
    fn event_names_round_trip() {
        for e in [EventType::RunCreated, EventType::RunTimedOut, EventType::Other("ACTOR.BUILD.FAILED")] {
            assert_eq!(EventType::from_name(e.as_str()), e);
        }
    }
}
