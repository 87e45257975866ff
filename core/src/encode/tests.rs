use super::*;
use crate::Decimal;
use base64::Engine as _;
use proptest::prelude::*;
use std::string::{String, ToString};
use std::vec::Vec;

fn head(request: &Request<'_>) -> String {
    let mut buf = std::vec![0u8; request.head_len()];
    let n = request.write_head(&mut buf).unwrap();
    assert_eq!(n, buf.len());
    String::from_utf8(buf).unwrap()
}

fn run_task<'a>(task: &'a str, options: &'a RunOptions<'a>, input: Input<'a>) -> Request<'a> {
    Request::new(BaseUrl::APIFY, Endpoint::run_task(TaskId::new(task).unwrap(), options, input))
        .unwrap()
        .with_token(Token::new("apify_api_TOKEN").unwrap())
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// The value of query parameter `name` in the head's request line.
fn query_param(head: &str, name: &str) -> Option<String> {
    let target = head.split(' ').nth(1)?;
    let query = target.split_once('?')?.1;
    query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=').map(str::to_string))
}

#[test]
fn minimal_run_task_request() {
    let request = run_task("janedoe~my-task", &RunOptions::NONE, Input::EMPTY);
    assert_eq!(
        head(&request),
        std::format!(
            "POST /v2/actor-tasks/janedoe~my-task/runs HTTP/1.1\r\n\
             Host: api.apify.com\r\n\
             Authorization: Bearer apify_api_TOKEN\r\n\
             Accept: application/json\r\n\
             User-Agent: apify-core/{}\r\n\
             Content-Type: application/json\r\n\
             Content-Length: 2\r\n\
             Connection: close\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_eq!(request.body(), b"{}");
}

#[test]
fn every_option_in_documented_order() {
    let hooks = [
        Webhook::new(&[EventType::RunFailed], "https://example.com/run-failed"),
        Webhook::new(&[EventType::RunSucceeded], "https://example.com/run-succeeded")
            .payload_template("{\"hello\": \"world\", \"resource\":{{resource}}}"),
    ];
    let mut scratch = [0u8; 256];
    let webhooks = Webhooks::encode(&hooks, &mut scratch).unwrap();
    let options = RunOptions::new()
        .timeout_secs(300)
        .memory_mbytes(4096)
        .max_items(1000)
        .max_total_charge_usd("0.000005".parse::<Decimal>().unwrap())
        .restart_on_error(false)
        .build("0.1.234 beta/x")
        .wait_for_finish_secs(60)
        .webhooks(webhooks);
    let input = Input::from_json(br#"{"url": "https://example.com"}"#).unwrap();
    let request = run_task("HG7ML7M8z78YcAPEB", &options, input);
    let h = head(&request);
    let line = h.lines().next().unwrap();
    assert_eq!(
        line,
        "POST /v2/actor-tasks/HG7ML7M8z78YcAPEB/runs?timeout=300&memory=4096&maxItems=1000\
         &maxTotalChargeUsd=0.000005&restartOnError=false&build=0.1.234%20beta%2Fx&waitForFinish=60\
         &webhooks=W3siZXZlbnRUeXBlcyI6WyJBQ1RPUi5SVU4uRkFJTEVEIl0sInJlcXVlc3RVcmwiOiJodHRwczovL2V4YW1wbGUuY29tL3J1bi1mYWlsZWQifSx7ImV2ZW50VHlwZXMiOlsiQUNUT1IuUlVOLlNVQ0NFRURFRCJdLCJyZXF1ZXN0VXJsIjoiaHR0cHM6Ly9leGFtcGxlLmNvbS9ydW4tc3VjY2VlZGVkIiwicGF5bG9hZFRlbXBsYXRlIjoie1wiaGVsbG9cIjogXCJ3b3JsZFwiLCBcInJlc291cmNlXCI6e3tyZXNvdXJjZX19fSJ9XQ%3D%3D HTTP/1.1"
    );
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(percent_decode(&query_param(&h, "webhooks").unwrap()))
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
    assert_eq!(json[1]["payloadTemplate"], "{\"hello\": \"world\", \"resource\":{{resource}}}");
    assert!(h.contains("Content-Length: 30\r\n"));
    assert_eq!(request.body(), br#"{"url": "https://example.com"}"#);
}

#[test]
fn other_endpoints() {
    let run = RunId::new("HG7ML7M8z78YcAPEB").unwrap();
    let base = BaseUrl::parse("http://127.0.0.1:8080/proxy/").unwrap();
    let get = Request::new(base, Endpoint::get_run(run, Some(60))).unwrap();
    let h = head(&get);
    assert!(h.starts_with(
        "GET /proxy/v2/actor-runs/HG7ML7M8z78YcAPEB?waitForFinish=60 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
    ));
    assert!(!h.contains("Content-Length") && !h.contains("Content-Type") && !h.contains("Authorization"));
    let abort = Request::new(BaseUrl::APIFY, Endpoint::abort_run(run, Some(true))).unwrap();
    let h = head(&abort);
    assert!(h.starts_with("POST /v2/actor-runs/HG7ML7M8z78YcAPEB/abort?gracefully=true HTTP/1.1\r\n"));
    assert!(h.contains("Content-Length: 0\r\n") && !h.contains("Content-Type"));
    let last =
        Request::new(BaseUrl::APIFY, Endpoint::last_task_run(TaskId::new("~t").unwrap(), None)).unwrap();
    assert!(head(&last).starts_with("GET /v2/actor-tasks/~t/runs/last HTTP/1.1\r\n"));
    let mut url = [0u8; 128];
    let n = get.write_url(&mut url).unwrap();
    assert_eq!(&url[..n], b"http://127.0.0.1:8080/proxy/v2/actor-runs/HG7ML7M8z78YcAPEB?waitForFinish=60");
    assert_eq!(n, get.url_len());
    assert_eq!(
        Request::new(BaseUrl::APIFY, Endpoint::get_run(run, Some(61))).unwrap_err(),
        EncodeError::InvalidParameter { name: "waitForFinish", rule: "must be from 0 to 60 (seconds)" }
    );
}

#[test]
fn redacted_head_hides_only_the_token() {
    let request = run_task("t~t", &RunOptions::NONE, Input::EMPTY);
    let shown = request.redacted_head().to_string();
    assert_eq!(shown, head(&request).replace("apify_api_TOKEN", "<redacted>"));
    assert!(!std::format!("{request:?}").contains("apify_api_TOKEN"));
    let headers: Vec<String> = request.headers().map(|h| std::format!("{}: {:?}", h.name, h.value)).collect();
    assert_eq!(headers[0], "Authorization: Bearer <redacted>");
    let mut real = String::new();
    request.headers().next().unwrap().value.write_to(&mut real).unwrap();
    assert_eq!(real, "Bearer apify_api_TOKEN");
}

#[test]
fn option_rules_name_the_parameter() {
    let cases: [(RunOptions<'_>, &str); 8] = [
        (RunOptions::new().memory_mbytes(64), "memory"),
        (RunOptions::new().memory_mbytes(384), "memory"),
        (RunOptions::new().memory_mbytes(65536), "memory"),
        (RunOptions::new().max_items(0), "maxItems"),
        (RunOptions::new().max_total_charge_usd(Decimal::ZERO), "maxTotalChargeUsd"),
        (RunOptions::new().max_total_charge_usd("-1".parse().unwrap()), "maxTotalChargeUsd"),
        (RunOptions::new().build(""), "build"),
        (RunOptions::new().wait_for_finish_secs(61), "waitForFinish"),
    ];
    for (options, param) in cases {
        match options.validate() {
            Err(EncodeError::InvalidParameter { name, .. }) => assert_eq!(name, param),
            other => panic!("{param}: {other:?}"),
        }
    }
    for mb in [128, 256, 1024, 32768] {
        assert!(RunOptions::new().memory_mbytes(mb).validate().is_ok());
    }
    let big_charge = "12345678901234567".parse::<Decimal>().unwrap();
    let options = RunOptions::new().max_total_charge_usd(big_charge);
    let h = head(&run_task("t~t", &options, Input::EMPTY));
    assert_eq!(query_param(&h, "maxTotalChargeUsd").unwrap(), "12345678901234567");
}

#[test]
fn input_is_checked() {
    assert!(Input::from_json(b"{\"a\":[1,{\"b\":null}]}").is_ok());
    assert_eq!(Input::from_json(b"[]"), Err(EncodeError::InputNotObject));
    assert_eq!(Input::from_json(b"\"x\""), Err(EncodeError::InputNotObject));
    assert!(matches!(Input::from_json(b"{\"a\":}"), Err(EncodeError::InputNotJson(_))));
    assert!(matches!(Input::from_json(b"{} {}"), Err(EncodeError::InputNotJson(_))));
    assert!(matches!(Input::from_json(b""), Err(EncodeError::InputNotJson(_))));
    let mut small = [0u8; 4];
    assert_eq!(Input::serialize(&("a", 1), &mut small), Err(EncodeError::InputTooLarge { capacity: 4 }));
    let mut buf = [0u8; 16];
    assert_eq!(Input::serialize(&[1, 2], &mut buf), Err(EncodeError::InputNotObject));
}

#[test]
fn short_buffers_report_the_needed_length() {
    let options = RunOptions::new().memory_mbytes(512);
    let request = run_task("janedoe~my-task", &options, Input::EMPTY);
    let len = request.head_len();
    let mut buf = std::vec![0u8; len];
    for size in 0..len {
        assert_eq!(request.write_head(&mut buf[..size]), Err(EncodeError::BufferTooSmall { needed: len }));
    }
    assert_eq!(
        request.write_url(&mut buf[..3]),
        Err(EncodeError::BufferTooSmall { needed: request.url_len() })
    );
    assert_eq!(request.write_head_at(len, &mut buf), 0);
    assert_eq!(request.write_head_at(len + 10, &mut buf), 0);
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{1,40}",
        any::<String>().prop_filter("non-empty", |s| !s.is_empty() && s.len() <= 80),
        "[a-z]{1,10}[~/][a-z\\-/]{1,20}",
    ]
}

proptest! {
    #[test]
    fn task_ids_round_trip_through_percent_decoding(id in any_text()) {
        let Ok(task) = TaskId::new(&id) else { return Ok(()) };
        let request = Request::new(BaseUrl::APIFY, Endpoint::run_task(task, &RunOptions::NONE, Input::EMPTY)).unwrap();
        let h = head(&request);
        let target = h.split(' ').nth(1).unwrap();
        let segment = target.strip_prefix("/v2/actor-tasks/").unwrap().strip_suffix("/runs").unwrap();
        prop_assert!(segment.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        prop_assert_eq!(percent_decode(segment), id.replacen('/', "~", 1).into_bytes());
    }

    #[test]
    fn builds_round_trip(build in any_text()) {
        let options = RunOptions::new().build(&build);
        let Ok(request) = Request::new(BaseUrl::APIFY, Endpoint::run_task(TaskId::new("t~t").unwrap(), &options, Input::EMPTY)) else {
            prop_assert!(build.len() > MAX_BUILD_LEN);
            return Ok(());
        };
        let h = head(&request);
        prop_assert_eq!(percent_decode(&query_param(&h, "build").unwrap()), build.into_bytes());
    }

    #[test]
    fn webhooks_round_trip(url_tail in any_text(), key in any_text(), template in any::<String>()) {
        let url = std::format!("https://{url_tail}");
        let events = [EventType::RunSucceeded, EventType::Other(&key)];
        let hook = Webhook::new(&events, &url).payload_template(&template).idempotency_key(&key);
        let needed = Webhooks::json_len(&[hook]);
        let mut scratch = std::vec![0u8; needed];
        let Ok(webhooks) = Webhooks::encode(&[hook], &mut scratch) else {
            prop_assert!(url.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()));
            return Ok(());
        };
        prop_assert_eq!(webhooks.json().len(), needed);
        let options = RunOptions::new().webhooks(webhooks);
        let request = run_task("t~t", &options, Input::EMPTY);
        let h = head(&request);
        let encoded = query_param(&h, "webhooks").unwrap();
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'%'));
        let json = base64::engine::general_purpose::STANDARD.decode(percent_decode(&encoded)).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        prop_assert_eq!(value[0]["requestUrl"].as_str(), Some(url.as_str()));
        prop_assert_eq!(value[0]["payloadTemplate"].as_str(), Some(template.as_str()));
        prop_assert_eq!(value[0]["eventTypes"][1].as_str(), Some(key.as_str()));
        prop_assert_eq!(value[0]["idempotencyKey"].as_str(), Some(key.as_str()));
    }

    #[test]
    fn no_input_breaks_a_header_line(
        task in any_text(), build in any_text(), token in any_text(), agent in any_text(), base in any_text(), run in any_text()
    ) {
        let base_url = std::format!("http://{base}");
        let parts = (TaskId::new(&task), Token::new(&token), BaseUrl::parse(&base_url), RunId::new(&run));
        let (Ok(task), Ok(token), Ok(base), Ok(run)) = parts else { return Ok(()) };
        let options = RunOptions::new().build(&build);
        let endpoints = [
            Endpoint::run_task(task, &options, Input::EMPTY),
            Endpoint::get_run(run, Some(5)),
            Endpoint::abort_run(run, None),
            Endpoint::last_task_run(task, None),
        ];
        for endpoint in endpoints {
            let Ok(request) = Request::new(base, endpoint) else { continue };
            let request = request.with_token(token);
            let request = request.with_user_agent(&agent).unwrap_or(request);
            let h = head(&request);
            let lines: Vec<&str> = h.strip_suffix("\r\n\r\n").unwrap().split("\r\n").collect();
            let expected = if endpoint.method() == Method::Post { 8 } else { 6 };
            prop_assert_eq!(lines.len(), expected - usize::from(endpoint.body() == Some(b"")), "{}", h);
            for line in lines {
                prop_assert!(!line.bytes().any(|b| b == b'\r' || b == b'\n' || (b.is_ascii_control() && b != b'\t')), "{:?}", line);
            }
        }
    }

    #[test]
    fn any_short_buffer_reports_the_exact_length(size in 0usize..600, task in any_text()) {
        let Ok(task) = TaskId::new(&task) else { return Ok(()) };
        let options = RunOptions::new().memory_mbytes(256);
        let request = Request::new(BaseUrl::APIFY, Endpoint::run_task(task, &options, Input::EMPTY)).unwrap();
        let len = request.head_len();
        let mut buf = std::vec![0u8; size];
        match request.write_head(&mut buf) {
            Ok(n) => prop_assert!(n == len && size >= len),
            Err(e) => prop_assert!(matches!(e, EncodeError::BufferTooSmall { needed } if needed == len) && size < len, "{:?}", e),
        }
        let mut joined = Vec::new();
        let mut piece = std::vec![0u8; size.max(1)];
        loop {
            let n = request.write_head_at(joined.len(), &mut piece);
            if n == 0 { break; }
            joined.extend_from_slice(&piece[..n]);
        }
        prop_assert_eq!(joined, head(&request).into_bytes());
    }
}

#[test]
fn requests_too_long_to_send_are_refused_before_sending() {
    let url = std::format!("https://example.com/{}", "h".repeat(60_000));
    let hooks = [Webhook::new(&[EventType::RunSucceeded], &url)];
    let mut scratch = std::vec![0u8; Webhooks::json_len(&hooks)];
    let options = RunOptions::new().webhooks(Webhooks::encode(&hooks, &mut scratch).unwrap());
    let task = TaskId::new("janedoe~my-task").unwrap();
    let refused = Request::new(BaseUrl::APIFY, Endpoint::run_task(task, &options, Input::EMPTY));
    assert!(matches!(refused, Err(EncodeError::RequestTooLong { max: MAX_TARGET_LEN, .. })));
    let path = std::format!("http://127.0.0.1:1/{}", "p".repeat(70_000));
    let base = BaseUrl::parse(&path).unwrap();
    let refused = Request::new(base, Endpoint::get_run(RunId::new("R1").unwrap(), None));
    assert!(matches!(refused, Err(EncodeError::RequestTooLong { .. })));
    assert!(refused.unwrap_err().to_string().contains("over the 16384"));
}

#[test]
fn blank_or_padded_ids_are_refused() {
    for id in ["   ", " janedoe~t", "janedoe~t ", "\tR1"] {
        assert!(TaskId::new(id).is_err(), "{id:?}");
        assert!(RunId::new(id).is_err(), "{id:?}");
    }
    assert!(TaskId::new("janedoe~my task").is_ok(), "inner spaces are encoded, not refused");
}

#[cfg(feature = "items")]
#[test]
fn dataset_items_requests() {
    let all = ItemsOptions::new()
        .offset(10)
        .limit(5)
        .fields("url,title")
        .omit("#debug")
        .unwind("tags")
        .flatten("price")
        .desc(true)
        .clean(true)
        .skip_empty(false)
        .skip_hidden(true)
        .view("overview");
    let dataset = DatasetId::new("janedoe/my-dataset").unwrap();
    let request = Request::new(BaseUrl::APIFY, Endpoint::dataset_items(dataset, &all)).unwrap();
    assert!(head(&request).starts_with(
        "GET /v2/datasets/janedoe~my-dataset/items?format=json&offset=10&limit=5&fields=url%2Ctitle\
         &omit=%23debug&unwind=tags&flatten=price&desc=true&clean=true&skipEmpty=false&skipHidden=true\
         &view=overview HTTP/1.1\r\n"
    ));
    assert!(Endpoint::dataset_items(dataset, &all).is_idempotent());
    let run = RunId::new("HG7ML7M8z78YcAPEB").unwrap();
    let request =
        Request::new(BaseUrl::APIFY, Endpoint::run_dataset_items(run, &ItemsOptions::NONE)).unwrap();
    assert!(
        head(&request)
            .starts_with("GET /v2/actor-runs/HG7ML7M8z78YcAPEB/dataset/items?format=json HTTP/1.1\r\n")
    );

    // Run-sync: the run's options, then the items'; a POST with the input; never repeated.
    let options = RunOptions::new().memory_mbytes(256).build("beta");
    let items = ItemsOptions::new().limit(3);
    let task = TaskId::new("janedoe~my-task").unwrap();
    let sync = Endpoint::run_task_sync_items(task, &options, Input::EMPTY, &items);
    let h = head(&Request::new(BaseUrl::APIFY, sync).unwrap().with_token(Token::new("apify_api_T").unwrap()));
    assert!(h.starts_with(
        "POST /v2/actor-tasks/janedoe~my-task/run-sync-get-dataset-items?memory=256&build=beta&format=json&limit=3 HTTP/1.1\r\n"
    ));
    assert!(h.contains("Content-Type: application/json\r\n") && h.ends_with("\r\n\r\n"));
    assert!(!sync.is_idempotent());
    let waiting = RunOptions::new().wait_for_finish_secs(10);
    let refused =
        Request::new(BaseUrl::APIFY, Endpoint::run_task_sync_items(task, &waiting, Input::EMPTY, &items));
    assert!(matches!(refused, Err(EncodeError::InvalidParameter { name: "waitForFinish", .. })));
}

#[cfg(feature = "items")]
#[test]
fn items_option_rules_name_the_parameter() {
    let dataset = DatasetId::new("d").unwrap();
    for (options, name) in [
        (ItemsOptions::new().limit(0), "limit"),
        (ItemsOptions::new().fields(""), "fields"),
        (ItemsOptions::new().fields("a,"), "fields"),
        (ItemsOptions::new().omit("a, ,b"), "omit"),
        (ItemsOptions::new().unwind("a\nb"), "unwind"),
        (ItemsOptions::new().view(" "), "view"),
    ] {
        let result = Request::new(BaseUrl::APIFY, Endpoint::dataset_items(dataset, &options));
        assert!(
            matches!(result, Err(EncodeError::InvalidParameter { name: n, .. }) if n == name),
            "{options:?}: {result:?}"
        );
    }
    assert_eq!(DatasetId::new("").unwrap_err(), EncodeError::InvalidDatasetId("is empty"));
    assert_eq!(EncodeError::InvalidDatasetId("is empty").to_string(), "invalid dataset id: it is empty");
}
