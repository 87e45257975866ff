//! The token is shown nowhere: not in any public type's `Debug` or `Display`, and not in any
//! error, whatever the server answers.

use std::time::Duration;

use apify_stub::{Fault, FaultKind, Match, Stub, StubConfig};
use apify_ureq::{Client, Progress, RetryPolicy, RunOptions};

const TOKEN: &str = "apify_api_SECRETTOKENTEXT123";

fn assert_hidden(what: &str, text: String) {
    assert!(!text.contains("SECRETTOKENTEXT"), "{what} shows the token: {text}");
}

#[test]
fn no_public_type_shows_the_token() {
    let stub = Stub::start(StubConfig { tokens: vec![TOKEN.into()], ..StubConfig::default() }).unwrap();
    let fast = RetryPolicy { base_delay_ms: 10, max_attempts: 2, ..RetryPolicy::DEFAULT };
    let builder = Client::builder().base_url(stub.base_url()).token(TOKEN).retry_policy(fast);
    assert_hidden("ClientBuilder Debug", format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_hidden("Client Debug", format!("{client:?}"));

    let mut seen = Vec::new();
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::RateLimited { retry_after_secs: None }));
    let report = client
        .call_task_with("janedoe~my-task", RunOptions::new(), None, Duration::from_secs(20), false, |p| {
            if let Progress::Retry { reason, .. } = p {
                seen.push(reason.to_string());
            }
            seen.push(format!("{p:?}"));
        })
        .unwrap();
    assert_hidden("RunReport Debug", format!("{report:?}"));
    for line in seen {
        assert_hidden("Progress", line);
    }

    // Errors of every kind.
    let wrong = Client::builder().base_url(stub.base_url()).token("apify_api_OTHER").build().unwrap();
    let mut errors = vec![wrong.run_task("janedoe~my-task", RunOptions::new(), None).unwrap_err()];
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::ServerError { status: 502, html: true }));
    errors.push(client.run_task("janedoe~my-task", RunOptions::new(), None).unwrap_err());
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::CloseWithoutResponse));
    errors.push(client.run_task("janedoe~my-task", RunOptions::new(), None).unwrap_err());
    for _ in 0..4 {
        stub.push_fault(Fault::new(Match::GetRun, FaultKind::CloseMidBody));
    }
    errors.push(
        client.call_task("janedoe~my-task", RunOptions::new(), None, Duration::from_secs(5)).unwrap_err(),
    );
    errors.push(client.run_task(" bad", RunOptions::new(), None).unwrap_err());
    let down =
        Client::builder().base_url("http://127.0.0.1:1").token(TOKEN).retry_policy(fast).build().unwrap();
    errors.push(down.get_run("R1").unwrap_err());
    errors.push(Client::builder().token(format!("{TOKEN}\n")).build().unwrap_err());
    for e in errors {
        assert_hidden("Error Debug", format!("{e:?}"));
        assert_hidden("Error Display", e.to_string());
    }
}
