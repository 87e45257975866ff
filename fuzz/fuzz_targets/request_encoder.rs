//! The request encoder on structured input (`arbitrary`): any endpoint, ids, token, base URL,
//! user agent, run options, up to three webhooks and raw input. Building may fail with an
//! `EncodeError`; when it succeeds, checks:
//! - `head_len()` is what `write_head` writes, a 7-byte window (`write_head_at`) gives the same
//!   bytes, and any shorter buffer gives `BufferTooSmall { needed: head_len() }`;
//! - the head is visible ASCII with CR and LF only as `\r\n` line ends, ending in one blank
//!   line; its header fields are exactly Host, Authorization (with a token), Accept,
//!   User-Agent, Content-Type (POST with a body), Content-Length (POST) and Connection;
//! - the path segment percent-decodes to the task id (first `/` turned into `~`) or run id;
//! - every query parameter, in order, decodes to its input: numbers as decimal text,
//!   booleans as `true`/`false`, `build` percent-decoded, `webhooks` percent-decoded, then
//!   base64-decoded to JSON that holds exactly the webhook fields given;
//! - `write_url` is the origin plus the same target, `headers()` lists the same fields less
//!   the framing ones, `redacted_head()` differs only in the token, and
//!   `Webhooks::json_len` is exact.
#![no_main]

use apify_core::Decimal;
use apify_core::encode::{
    BaseUrl, DEFAULT_USER_AGENT, EncodeError, Endpoint, EventType, Input, Method, Request, RunId, RunOptions,
    TaskId, Token, Webhook, Webhooks,
};
use apify_core_fuzz::{Canonical, percent_decode};
use arbitrary::Arbitrary;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

#[derive(Debug, Arbitrary)]
enum Kind {
    RunTask,
    GetRun,
    AbortRun,
    LastTaskRun,
}

#[derive(Debug, Arbitrary)]
enum Base<'a> {
    Apify,
    Local,
    Prefixed,
    Ipv6,
    Parse(&'a str),
}

#[derive(Debug, Arbitrary)]
enum Memory {
    PowerOfTwo(u8),
    Raw(u32),
}

#[derive(Debug, Arbitrary)]
enum Event<'a> {
    Known(u8),
    Other(&'a str),
}

#[derive(Debug, Arbitrary)]
enum Url<'a> {
    Example,
    Https(&'a str),
    Raw(&'a str),
}

#[derive(Debug, Arbitrary)]
struct Hook<'a> {
    events: Vec<Event<'a>>,
    url: Url<'a>,
    payload_template: Option<&'a str>,
    headers_template: Option<&'a str>,
    interpolate: Option<bool>,
    idempotency_key: Option<&'a str>,
    ignore_ssl_errors: Option<bool>,
    do_not_retry: Option<bool>,
}

#[derive(Debug, Arbitrary)]
struct Case<'a> {
    kind: Kind,
    id: &'a str,
    base: Base<'a>,
    token: Option<&'a str>,
    user_agent: Option<&'a str>,
    timeout: Option<u32>,
    memory: Option<Memory>,
    max_items: Option<u64>,
    charge: Option<(u64, i8, bool)>,
    restart_on_error: Option<bool>,
    build: Option<&'a str>,
    wait: Option<u8>,
    gracefully: Option<bool>,
    hooks: Option<Vec<Hook<'a>>>,
    input: Option<&'a [u8]>,
    short: u16,
}

const KNOWN: [EventType<'static>; 6] = [
    EventType::RunCreated,
    EventType::RunSucceeded,
    EventType::RunFailed,
    EventType::RunAborted,
    EventType::RunTimedOut,
    EventType::RunResurrected,
];

fn webhook<'a>(hook: &Hook<'a>, events: &'a [EventType<'a>], url: &'a str) -> Webhook<'a> {
    let mut w = Webhook::new(events, url);
    if let Some(t) = hook.payload_template {
        w = w.payload_template(t);
    }
    if let Some(t) = hook.headers_template {
        w = w.headers_template(t);
    }
    if let Some(b) = hook.interpolate {
        w = w.should_interpolate_strings(b);
    }
    if let Some(k) = hook.idempotency_key {
        w = w.idempotency_key(k);
    }
    if let Some(b) = hook.ignore_ssl_errors {
        w = w.ignore_ssl_errors(b);
    }
    if let Some(b) = hook.do_not_retry {
        w = w.do_not_retry(b);
    }
    w
}

/// The JSON object the API should receive for `hook`.
fn expected_json(hook: &Hook<'_>, w: &Webhook<'_>) -> Value {
    let mut o = json!({
        "eventTypes": w.event_types().iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        "requestUrl": w.request_url(),
    });
    let m = o.as_object_mut().unwrap();
    let mut put = |name: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(name.into(), v);
        }
    };
    put("payloadTemplate", hook.payload_template.map(Value::from));
    put("headersTemplate", hook.headers_template.map(Value::from));
    put("shouldInterpolateStrings", hook.interpolate.map(Value::from));
    put("idempotencyKey", hook.idempotency_key.map(Value::from));
    put("ignoreSslErrors", hook.ignore_ssl_errors.map(Value::from));
    put("doNotRetry", hook.do_not_retry.map(Value::from));
    o
}

fuzz_target!(|case: Case<'_>| {
    let _ = check(&case);
});

/// Builds the request; any `EncodeError` ends the case. Assertions check the properties.
fn check(case: &Case<'_>) -> Result<(), EncodeError> {
    let base = match case.base {
        Base::Apify => BaseUrl::APIFY,
        Base::Local => BaseUrl::parse("http://127.0.0.1:8080")?,
        Base::Prefixed => BaseUrl::parse("https://gateway.example/apify/")?,
        Base::Ipv6 => BaseUrl::parse("http://[::1]:3000/")?,
        Base::Parse(s) => BaseUrl::parse(s)?,
    };

    // Webhooks: owned event lists first, then definitions borrowing them.
    let hooks: &[Hook<'_>] = case.hooks.as_deref().map_or(&[], |h| &h[..h.len().min(3)]);
    let events: Vec<Vec<EventType<'_>>> = hooks
        .iter()
        .map(|h| {
            let events = h.events.iter().take(8).map(|e| match e {
                Event::Known(i) => KNOWN[*i as usize % KNOWN.len()],
                Event::Other(name) => EventType::Other(name),
            });
            events.collect()
        })
        .collect();
    let urls: Vec<String> = hooks
        .iter()
        .map(|h| match h.url {
            Url::Example => "https://example.com/hook".into(),
            Url::Https(s) => format!("https://{s}"),
            Url::Raw(s) => s.into(),
        })
        .collect();
    let defs: Vec<Webhook<'_>> =
        hooks.iter().zip(&events).zip(&urls).map(|((h, e), url)| webhook(h, e, url)).collect();
    let json_len = Webhooks::json_len(&defs);
    let mut scratch = vec![0u8; json_len];
    let webhooks = match case.hooks {
        Some(_) => {
            let encoded = Webhooks::encode(&defs, &mut scratch)?;
            assert_eq!(encoded.json().len(), json_len, "json_len is not the encoded length");
            let mut short = vec![0u8; json_len - 1];
            assert_eq!(
                Webhooks::encode(&defs, &mut short),
                Err(EncodeError::BufferTooSmall { needed: json_len })
            );
            Some(encoded)
        }
        None => None,
    };

    let mut options = RunOptions::new();
    if let Some(v) = case.timeout {
        options = options.timeout_secs(v);
    }
    let memory = case.memory.as_ref().map(|m| match *m {
        Memory::PowerOfTwo(e) => 1u32 << (e % 32),
        Memory::Raw(v) => v,
    });
    if let Some(v) = memory {
        options = options.memory_mbytes(v);
    }
    if let Some(v) = case.max_items {
        options = options.max_items(v);
    }
    let charge = case.charge.and_then(|(m, e, neg)| Decimal::new(m >> 7, e, neg));
    if let Some(v) = charge {
        options = options.max_total_charge_usd(v);
    }
    if let Some(v) = case.restart_on_error {
        options = options.restart_on_error(v);
    }
    if let Some(v) = case.build {
        options = options.build(v);
    }
    if let Some(v) = case.wait {
        options = options.wait_for_finish_secs(v);
    }
    if let Some(v) = webhooks {
        options = options.webhooks(v);
    }
    let input = match case.input {
        Some(raw) => Input::from_json(raw)?,
        None => Input::EMPTY,
    };

    let endpoint = match case.kind {
        Kind::RunTask => Endpoint::run_task(TaskId::new(case.id)?, &options, input),
        Kind::GetRun => Endpoint::get_run(RunId::new(case.id)?, case.wait),
        Kind::AbortRun => Endpoint::abort_run(RunId::new(case.id)?, case.gracefully),
        Kind::LastTaskRun => Endpoint::last_task_run(TaskId::new(case.id)?, case.wait),
    };
    let mut request = Request::new(base, endpoint)?;
    if let Some(t) = case.token {
        request = request.with_token(Token::new(t)?);
    }
    if let Some(ua) = case.user_agent {
        request = request.with_user_agent(ua)?;
    }

    // Length, whole write, windowed write, short buffers.
    let len = request.head_len();
    let mut head = vec![0u8; len];
    assert_eq!(request.write_head(&mut head), Ok(len), "write_head length differs from head_len");
    let mut windowed = Vec::new();
    loop {
        let mut window = [0u8; 7];
        let n = request.write_head_at(windowed.len(), &mut window);
        if n == 0 {
            break;
        }
        windowed.extend_from_slice(&window[..n]);
        assert!(windowed.len() <= len, "windows run past head_len");
    }
    assert_eq!(windowed, head, "7-byte windows give other bytes");
    let short = case.short as usize % len;
    assert_eq!(request.write_head(&mut vec![0u8; short]), Err(EncodeError::BufferTooSmall { needed: len }));

    // Line structure: visible ASCII, CR and LF only as CRLF, one blank line at the end.
    for (i, &b) in head.iter().enumerate() {
        match b {
            b'\r' => assert_eq!(head.get(i + 1), Some(&b'\n'), "CR without LF at {i}"),
            b'\n' => assert_eq!(head.get(i.wrapping_sub(1)), Some(&b'\r'), "LF without CR at {i}"),
            b' '..=b'~' => {}
            _ => panic!("byte {b:#04x} at {i} in the head"),
        }
    }
    let text = std::str::from_utf8(&head).unwrap();
    let (fields, rest) = text.split_once("\r\n\r\n").expect("the head ends in a blank line");
    assert_eq!(rest, "", "bytes after the blank line");
    let mut lines = fields.split("\r\n");

    // Request line and target.
    let method = request.method();
    let request_line = lines.next().unwrap();
    let target = request_line
        .strip_prefix(method.as_str())
        .and_then(|r| r.strip_prefix(' '))
        .and_then(|r| r.strip_suffix(" HTTP/1.1"))
        .unwrap_or_else(|| panic!("request line {request_line:?}"));
    assert!(!target.contains(' '), "space in the target {target:?}");
    let path = target.strip_prefix(base.path_prefix()).expect("the target starts with the base path");
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let (collection, tail) = match case.kind {
        Kind::RunTask => ("/v2/actor-tasks/", "/runs"),
        Kind::GetRun => ("/v2/actor-runs/", ""),
        Kind::AbortRun => ("/v2/actor-runs/", "/abort"),
        Kind::LastTaskRun => ("/v2/actor-tasks/", "/runs/last"),
    };
    let segment = path
        .strip_prefix(collection)
        .and_then(|p| p.strip_suffix(tail))
        .unwrap_or_else(|| panic!("path {path:?}"));
    let expected_id = match case.kind {
        Kind::RunTask | Kind::LastTaskRun => case.id.replacen('/', "~", 1),
        Kind::GetRun | Kind::AbortRun => case.id.to_string(),
    };
    assert_eq!(
        percent_decode(segment.as_bytes()),
        Some(expected_id.into_bytes()),
        "path segment {segment:?}"
    );

    // Query parameters, in order.
    let mut expected: Vec<(&str, String)> = Vec::new();
    let mut param = |name, value: Option<String>| {
        if let Some(value) = value {
            expected.push((name, value));
        }
    };
    let wait = case.wait.map(|v| v.to_string());
    match case.kind {
        Kind::RunTask => {
            param("timeout", case.timeout.map(|v| v.to_string()));
            param("memory", memory.map(|v| v.to_string()));
            param("maxItems", case.max_items.map(|v| v.to_string()));
            param("maxTotalChargeUsd", charge.map(|v| v.to_string()));
            param("restartOnError", case.restart_on_error.map(|v| v.to_string()));
            param("build", case.build.map(str::to_string));
            param("waitForFinish", wait);
            // Checked separately below.
            param("webhooks", webhooks.map(|_| String::new()));
        }
        Kind::GetRun | Kind::LastTaskRun => param("waitForFinish", wait),
        Kind::AbortRun => param("gracefully", case.gracefully.map(|v| v.to_string())),
    }
    let params: Vec<(&str, &str)> = if query.is_empty() {
        Vec::new()
    } else {
        query.split('&').map(|kv| kv.split_once('=').unwrap_or_else(|| panic!("parameter {kv:?}"))).collect()
    };
    assert_eq!(
        params.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        expected.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        "query parameters"
    );
    for ((name, raw), (_, want)) in params.iter().zip(&expected) {
        let decoded =
            percent_decode(raw.as_bytes()).unwrap_or_else(|| panic!("{name}={raw} is badly encoded"));
        match *name {
            "webhooks" => {
                let json = base64::engine::general_purpose::STANDARD
                    .decode(&decoded)
                    .unwrap_or_else(|e| panic!("webhooks: not base64 ({e}): {raw}"));
                assert_eq!(Some(&json[..]), webhooks.map(|w| w.json()), "webhooks JSON");
                let value: Value = serde_json::from_slice(&json).expect("webhooks: not JSON");
                let want: Vec<Value> = hooks.iter().zip(&defs).map(|(h, w)| expected_json(h, w)).collect();
                assert_eq!(value, Value::Array(want), "webhooks JSON content");
            }
            "maxTotalChargeUsd" => {
                let d = charge.unwrap();
                assert!(raw.bytes().all(|b| b.is_ascii_digit() || b == b'.'), "{name}={raw}");
                let exact = format!("{}e{}", d.mantissa(), d.exponent());
                assert_eq!(
                    Canonical::from_text(raw),
                    Canonical::from_text(&exact),
                    "{name}={raw}, not {exact}"
                );
                assert_eq!(decoded, want.as_bytes(), "{name}");
            }
            _ => assert_eq!(decoded, want.as_bytes(), "{name}"),
        }
    }

    // Header fields.
    let host = lines.next().unwrap().strip_prefix("Host: ").expect("Host comes first");
    let port = host.strip_prefix(base.host()).expect("Host holds the host");
    if port.is_empty() {
        assert_eq!(base.port(), base.scheme().default_port(), "Host without the port");
    } else {
        assert_eq!(port, format!(":{}", base.port()), "Host port");
    }
    let body = request.body();
    let mut want: Vec<String> = Vec::new();
    if let Some(t) = case.token {
        want.push(format!("Authorization: Bearer {t}"));
    }
    want.push("Accept: application/json".into());
    want.push(format!("User-Agent: {}", case.user_agent.unwrap_or(DEFAULT_USER_AGENT)));
    if method == Method::Post {
        if !body.is_empty() {
            want.push("Content-Type: application/json".into());
        }
        want.push(format!("Content-Length: {}", body.len()));
    }
    want.push("Connection: close".into());
    let lines: Vec<&str> = lines.collect();
    assert_eq!(lines, want, "header fields");
    // `headers()` (for HTTP libraries) lists the same fields, less the framing ones.
    let listed: Vec<String> = request
        .headers()
        .map(|h| {
            let mut value = String::new();
            h.value.write_to(&mut value).unwrap();
            format!("{}: {value}", h.name)
        })
        .collect();
    let framing = ["Content-Length: ", "Connection: "];
    let unframed: Vec<&str> =
        lines.iter().copied().filter(|l| !framing.iter().any(|f| l.starts_with(f))).collect();
    assert_eq!(listed, unframed, "headers() differs from the head");
    // The redacted head differs only in the token.
    let redacted = match case.token {
        Some(t) => text.replacen(
            &format!("\r\nAuthorization: Bearer {t}\r\n"),
            "\r\nAuthorization: Bearer <redacted>\r\n",
            1,
        ),
        None => text.to_string(),
    };
    assert_eq!(request.redacted_head().to_string(), redacted, "redacted head");
    let want_body: &[u8] = match case.kind {
        Kind::RunTask => input.json(),
        Kind::AbortRun => b"",
        Kind::GetRun | Kind::LastTaskRun => b"",
    };
    assert_eq!(body, want_body, "body");

    // The absolute URL carries the same target.
    let mut url = vec![0u8; request.url_len()];
    assert_eq!(request.write_url(&mut url), Ok(url.len()));
    let origin = format!("{}://{host}", base.scheme().as_str());
    assert_eq!(String::from_utf8(url).unwrap(), format!("{origin}{target}"), "write_url");
    Ok(())
}
