//! Answers before framing: status, headers and body, with the API's body shapes.

use serde_json::{Value, json};

/// `Content-Type` of every JSON answer.
pub(crate) const JSON: &str = "application/json; charset=utf-8";

/// The 402 message of `fixtures/error_402_actor_memory_limit_exceeded.json`.
pub(crate) const MEMORY_LIMIT_MESSAGE: &str = "By launching this job you will exceed the memory limit of \
8192MB for all your Actor runs and builds (currently used: 4096MB, requested: 8192MB). Please consider \
upgrading or purchasing extra memory as an add-on at https://console.apify.com/billing/subscription to \
increase your Actor memory limit.";

/// An answer: status, headers (besides framing, `Date` and `Server`) and body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    /// `value` as compact JSON.
    pub(crate) fn json(status: u16, value: &Value) -> Reply {
        let body = serde_json::to_vec(value).unwrap_or_default();
        Reply { status, headers: vec![("Content-Type".into(), JSON.into())], body }
    }

    /// `{"data": value}`.
    pub(crate) fn data(status: u16, value: Value) -> Reply {
        Reply::json(status, &json!({ "data": value }))
    }

    /// `{"error": {"type": kind, "message": message}}`.
    pub(crate) fn error(status: u16, kind: &str, message: impl Into<String>) -> Reply {
        Reply::json(status, &json!({ "error": { "type": kind, "message": message.into() } }))
    }

    /// The HTML page a proxy in front of the API sends on a server error.
    pub(crate) fn html(status: u16) -> Reply {
        let title = format!("{status} {}", reason(status));
        let page = format!(
            "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n\
             </body>\r\n</html>\r\n"
        );
        Reply { status, headers: vec![("Content-Type".into(), "text/html".into())], body: page.into_bytes() }
    }

    /// The JSON error a server error carries when the API itself answers.
    pub(crate) fn server_error(status: u16) -> Reply {
        let kind = match status {
            502 => "bad-gateway",
            503 => "service-unavailable",
            504 => "gateway-timeout",
            _ => "internal-server-error",
        };
        Reply::error(status, kind, format!("{}. Please try again later.", reason(status)))
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The reason phrase of a status code.
pub(crate) fn reason(status: u16) -> &'static str {
    tiny_http::StatusCode(status).default_reason_phrase()
}

/// 404 `record-not-found`.
pub(crate) fn not_found(what: &str) -> Reply {
    Reply::error(404, "record-not-found", format!("{what} was not found"))
}
