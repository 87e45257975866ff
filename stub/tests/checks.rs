//! What the stub refuses, over real sockets: tokens, parameters, webhooks, bodies, paths.

mod common;

use common::{call, quick, start, webhooks_param};
use serde_json::json;

#[test]
fn token_checks() {
    let stub = quick(Some("secret"));
    let (kind, _) = start(&stub, "janedoe~my-task", "", &[]).error(401);
    assert_eq!(kind, "token-not-provided");
    let (kind, message) = start(&stub, "janedoe~my-task", "", &[("Authorization", "Bearer nope")]).error(401);
    assert_eq!((kind.as_str(), message.as_str()), ("invalid-token", "Authentication token is not valid."));
    assert_eq!(start(&stub, "janedoe~my-task", "?token=nope", &[]).error(401).0, "invalid-token");
    assert_eq!(
        start(&stub, "janedoe~my-task", "", &[("Authorization", "Basic c2VjcmV0")]).error(401).0,
        "invalid-token"
    );
    assert_eq!(stub.runs_started(), 0);

    let by_header = start(&stub, "janedoe~my-task", "", &[("Authorization", "Bearer secret")]);
    assert_eq!(by_header.status, 201);
    assert_eq!(start(&stub, "janedoe~my-task", "?token=secret", &[]).status, 201);
    assert_eq!(stub.runs_started(), 2);

    // Reading a run needs no token, but a wrong one is refused; aborting needs one.
    let id = by_header.data()["id"].as_str().expect("id").to_owned();
    assert_eq!(call(&stub, "GET", &format!("/v2/actor-runs/{id}"), &[], b"").status, 200);
    let wrong = call(&stub, "GET", &format!("/v2/actor-runs/{id}?token=nope"), &[], b"");
    assert_eq!(wrong.error(401).0, "invalid-token");
    let abort = format!("/v2/actor-runs/{id}/abort");
    assert_eq!(call(&stub, "POST", &abort, &[], b"").error(401).0, "token-not-provided");
    assert_eq!(call(&stub, "POST", &abort, &[("Authorization", "bearer secret")], b"").status, 200);
}

#[test]
fn without_a_configured_token_any_token_goes() {
    let stub = quick(None);
    assert_eq!(start(&stub, "t", "", &[]).status, 201);
    assert_eq!(start(&stub, "t", "?token=whatever", &[("Authorization", "Bearer x")]).status, 201);
}

#[test]
fn every_parameter_is_checked() {
    let stub = quick(None);
    let cases = [
        ("timeout=-1", "invalid-value", "timeout"),
        ("timeout=abc", "invalid-value", "timeout"),
        ("timeout=", "invalid-value", "timeout"),
        ("memory=100", "invalid-value", "memory"),
        ("memory=64", "invalid-value", "memory"),
        ("memory=65536", "invalid-value", "memory"),
        ("memory=lots", "invalid-value", "memory"),
        ("maxItems=0", "max-items-must-be-greater-than-zero", "maxItems"),
        ("maxItems=-3", "max-items-must-be-greater-than-zero", "maxItems"),
        ("maxItems=many", "invalid-value", "maxItems"),
        ("maxTotalChargeUsd=0", "max-total-charge-usd-must-be-greater-than-zero", "maxTotalChargeUsd"),
        ("maxTotalChargeUsd=x", "invalid-value", "maxTotalChargeUsd"),
        ("restartOnError=yes", "invalid-value", "restartOnError"),
        ("build=", "invalid-value", "build"),
        ("waitForFinish=-1", "invalid-value", "waitForFinish"),
        ("waitForFinish=soon", "invalid-value", "waitForFinish"),
        ("webhooks=%21%21%21", "invalid-value", "webhooks"),
    ];
    for (query, expected, parameter) in cases {
        let (kind, message) = start(&stub, "t", &format!("?{query}"), &[]).error(400);
        assert_eq!(kind, expected, "{query}");
        assert!(message.contains(parameter), "{query}: {message}");
    }
    assert_eq!(stub.runs_started(), 0);
    let fine = "?timeout=0&memory=32768&maxItems=1&maxTotalChargeUsd=0.01&restartOnError=0&build=1.2.3&waitForFinish=0";
    assert_eq!(start(&stub, "t", fine, &[]).status, 201);
}

#[test]
fn the_body_must_be_a_json_object() {
    let stub = quick(None);
    for body in [&b"[1]"[..], b"\"x\"", b"nope", b"{\"a\":", b"null"] {
        let response = call(&stub, "POST", "/v2/actor-tasks/t/runs", &[], body);
        let (kind, message) = response.error(400);
        assert_eq!((kind.as_str(), message.as_str()), ("invalid-request", "POST data must be a JSON object"));
    }
    assert_eq!(stub.runs_started(), 0);
    assert_eq!(call(&stub, "POST", "/v2/actor-tasks/t/runs", &[], b"").status, 201);
    assert_eq!(call(&stub, "POST", "/v2/actor-tasks/t/runs", &[], b" \r\n").status, 201);
    let input = br#"{"startUrls":[{"url":"https://example.com"}],"maxPages":3}"#;
    let run = call(&stub, "POST", "/v2/actor-tasks/t/runs", &[], input).data();
    assert_eq!(run["stats"]["inputBodyLen"], input.len());
}

#[test]
fn webhooks_are_decoded() {
    let stub = quick(None);
    // `?>` and `?` make `/` and `+` appear in the base64, which the client percent-encodes.
    let hooks = json!([
        {"eventTypes": ["ACTOR.RUN.FAILED"], "requestUrl": "https://example.com/run-failed?>"},
        {"eventTypes": ["ACTOR.RUN.SUCCEEDED", "ACTOR.RUN.ABORTED"], "requestUrl": "https://example.com/ok",
         "payloadTemplate": "{\"hello\": \"world\", \"resource\":{{resource}}}"},
    ]);
    let param = webhooks_param(&hooks.to_string());
    assert!(param.contains("%2B") || param.contains("%2F"), "{param}");
    assert_eq!(start(&stub, "t", &format!("?webhooks={param}"), &[]).status, 201);
    assert_eq!(stub.webhooks_of_last_run(), Some(hooks));
    assert_eq!(start(&stub, "t", "", &[]).status, 201);
    assert_eq!(stub.webhooks_of_last_run(), None);
}

#[test]
fn bad_webhooks_are_refused() {
    let stub = quick(None);
    let bad_json = [
        "not json",
        r#"{"eventTypes":["ACTOR.RUN.FAILED"],"requestUrl":"https://x"}"#,
        r#"[{"eventTypes":["ACTOR.RUN.FAILED"]}]"#,
        r#"[{"eventTypes":[],"requestUrl":"https://x"}]"#,
        r#"[{"eventTypes":[1],"requestUrl":"https://x"}]"#,
        r#"[{"eventTypes":"ACTOR.RUN.FAILED","requestUrl":"https://x"}]"#,
        r#"[{"eventTypes":["ACTOR.RUN.FAILED"],"requestUrl":5}]"#,
        r#"["https://x"]"#,
    ];
    let mut params: Vec<String> = bad_json.iter().map(|json| webhooks_param(json)).collect();
    params.push("%FF%FE%FD".into()); // not base64
    params.push(common::webhooks_param("x").replace("eA", "/w")); // base64 of 0xff: not UTF-8
    for param in params {
        let (kind, message) = start(&stub, "t", &format!("?webhooks={param}"), &[]).error(400);
        assert_eq!(kind, "invalid-value", "{param}");
        assert!(message.contains("webhooks"), "{param}: {message}");
    }
    assert_eq!(stub.runs_started(), 0);
}

#[test]
fn unknown_things_are_404() {
    let stub = quick(None);
    for path in
        ["/", "/v2", "/v2/actor-tasks/t", "/v2/actor-tasks//runs", "/v2/acts/x/runs", "/v2/actor-runs/x/y"]
    {
        let (kind, _) = call(&stub, "GET", path, &[], b"").error(404);
        assert_eq!(kind, "page-not-found", "{path}");
    }
    for task in ["~missing", "janedoe~missing", "janedoe%7Emissing"] {
        let (kind, _) = start(&stub, task, "", &[]).error(404);
        assert_eq!(kind, "record-not-found", "{task}");
    }
    assert_eq!(stub.runs_started(), 0);
    assert_eq!(
        call(&stub, "GET", "/v2/actor-runs/NoSuchRun00000000", &[], b"").error(404).0,
        "record-not-found"
    );
    let abort = call(&stub, "POST", "/v2/actor-runs/NoSuchRun00000000/abort", &[], b"");
    assert_eq!(abort.error(404).0, "record-not-found");
}

#[test]
fn wrong_methods_are_405() {
    let stub = quick(None);
    let cases = [
        ("GET", "/v2/actor-tasks/t/runs", "POST"),
        ("PUT", "/v2/actor-tasks/t/runs", "POST"),
        ("POST", "/v2/actor-tasks/t/runs/last", "GET"),
        ("DELETE", "/v2/actor-runs/x", "GET"),
        ("GET", "/v2/actor-runs/x/abort", "POST"),
    ];
    for (method, path, allowed) in cases {
        let response = call(&stub, method, path, &[], b"");
        let (kind, message) = response.error(405);
        assert_eq!(kind, "method-not-allowed", "{method} {path}");
        assert!(message.ends_with(allowed), "{message}");
        assert_eq!(response.header("allow"), Some(format!("OPTIONS, {allowed}").as_str()));
    }
    assert_eq!(stub.runs_started(), 0);
}
