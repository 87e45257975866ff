//! `apify-run` as a command-line tool: help, version, completions, errors that name the flag,
//! inputs that used to be silently wrong, `--json` for every outcome.

mod common;

use std::process::Command;
use std::time::Duration;

use apify_stub::{Fault, FaultKind, Match, Stub, StubConfig};
use common::{apify_run, text};

/// Runs a command expected to fail with a usage error (64) and returns its stderr.
fn usage_error(args: &[&str]) -> String {
    let out = apify_run(args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}");
    assert!(stderr.matches("invalid").count() <= 1, "says invalid once: {stderr}");
    stderr
}

fn stub() -> Stub {
    common::stub_with_times(100, 300)
}

#[test]
fn help_and_version_go_to_stdout_with_exit_0() {
    for args in [&["--help"][..], &["-h"], &["help"], &["task", "--help"], &["task", "-h"], &["help", "task"]]
    {
        let out = apify_run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(text(&out.stdout).contains("Usage: apify-run"), "{args:?}: {}", text(&out.stdout));
        assert!(out.stderr.is_empty(), "{args:?}");
    }
    let help = text(&apify_run(&["task", "--help"]).stdout);
    for flag in ["--wait <SECS>", "--abort-at-deadline", "--memory <MB>", "--webhook <EVENTS=URL>", "--quiet"]
    {
        assert!(help.contains(flag), "{flag} in {help}");
    }
    let version = format!("apify-run {}\n", env!("CARGO_PKG_VERSION"));
    for flag in ["-V", "--version"] {
        let out = apify_run(&[flag]);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(text(&out.stdout), version);
    }
}

#[test]
fn an_unknown_option_is_named_with_the_commands_short_usage() {
    let stderr = usage_error(&["task", "janedoe~my-task", "--foo"]);
    assert_eq!(
        stderr,
        "apify-run: unknown option --foo\nUsage: apify-run task [OPTIONS] <TASK>\n\
         For more, run 'apify-run task --help'.\n"
    );
    let stderr = usage_error(&["frobnicate"]);
    assert!(
        stderr.starts_with("apify-run: unknown command `frobnicate`\nUsage: apify-run <COMMAND>"),
        "{stderr}"
    );
    let stderr = usage_error(&[]);
    assert!(stderr.starts_with("apify-run: a command is required"), "{stderr}");
    assert!(stderr.lines().count() <= 3, "{stderr}");
}

#[test]
fn errors_name_the_flag_typed_and_how_to_fix_it() {
    let cases: [(&[&str], &str); 8] = [
        (&["--max-charge", "0"], "--max-charge must be greater than zero"),
        (&["--memory", "1000"], "--memory must be a power of two from 128 to 32768"),
        (&["--wait", "-1"], "invalid value '-1' for --wait: give a whole number of seconds, 0 or more"),
        (&["--wait", "soon"], "invalid value 'soon' for --wait"),
        (&["--timeout", "-5"], "for --timeout: give a whole number of seconds"),
        (&["--max-charge", "lots"], "invalid value 'lots' for --max-charge"),
        (&["--webhook", "SUCCEEDED"], "--webhook \"SUCCEEDED\" needs EVENTS=URL (e.g. --webhook"),
        (&["--input", "[1]"], "--input: "),
    ];
    for (flags, expected) in cases {
        let mut args = vec!["task", "janedoe~my-task"];
        args.extend_from_slice(flags);
        let stderr = usage_error(&args);
        assert!(stderr.contains(expected), "{flags:?}: {stderr}");
        assert!(!stderr.contains("maxTotalChargeUsd") && !stderr.contains("memoryMbytes"), "{stderr}");
    }
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = apify_run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        for word in ["apify-run", "abort", "abort-at-deadline", "webhook"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
    }
    assert!(usage_error(&["completions", "tcsh"]).contains("invalid value 'tcsh'"));
}

#[test]
fn base_urls_in_the_documented_form_are_accepted() {
    let out = apify_run(&["request", "janedoe~my-task", "--base-url", "https://api.apify.com/v2"]);
    assert!(text(&out.stdout).starts_with("POST /v2/actor-tasks/janedoe~my-task/runs HTTP/1.1\r\n"));
    let out = Command::new(env!("CARGO_BIN_EXE_apify-run"))
        .args(["request", "janedoe~my-task"])
        .env("APIFY_BASE_URL", "https://api.apify.com/v2/")
        .env_remove("APIFY_TOKEN")
        .output()
        .unwrap();
    assert!(text(&out.stdout).starts_with("POST /v2/actor-tasks/janedoe~my-task/runs HTTP/1.1\r\n"));

    let stub = stub();
    let out = apify_run(&["task", "janedoe~my-task", "--base-url", &format!("{}/v2", stub.base_url())]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(stub.requests()[0].url, "/v2/actor-tasks/janedoe~my-task/runs");
}

#[test]
fn blank_or_padded_ids_are_refused_before_sending() {
    let stub = stub();
    for id in ["   ", " janedoe~my-task", "janedoe~my-task\t", ""] {
        let stderr = usage_error(&["task", id, "--base-url", &stub.base_url()]);
        assert!(stderr.contains("task id"), "{id:?}: {stderr}");
        let stderr = usage_error(&["get", id, "--base-url", &stub.base_url()]);
        assert!(stderr.contains("run id"), "{id:?}: {stderr}");
    }
    assert!(stub.requests().is_empty());
}

#[test]
fn unknown_webhook_events_are_refused_with_the_known_ones() {
    let stderr = usage_error(&["request", "janedoe~my-task", "--webhook", "FOO=https://example.com/h"]);
    assert!(stderr.contains("unknown event \"FOO\"; known events: CREATED, SUCCEEDED, FAILED"), "{stderr}");
    let out =
        apify_run(&["request", "janedoe~my-task", "--webhook", "ACTOR.RUN.SUCCEEDED,failed=https://e.com/h"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The webhooks parameter is base64 of JSON naming both events in full.
    assert!(text(&out.stdout).contains("&webhooks=") || text(&out.stdout).contains("?webhooks="));
}

#[test]
fn ignored_combinations_are_errors() {
    let stderr = usage_error(&["task", "janedoe~my-task", "--abort-at-deadline"]);
    assert!(stderr.contains("--abort-at-deadline needs --wait"), "{stderr}");
    let out = apify_run(&["request", "janedoe~my-task", "--json"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("unknown option --json"), "{}", text(&out.stderr));
    assert!(usage_error(&["request", "janedoe~my-task", "--wait", "5"]).contains("unknown option --wait"));
    let stderr = usage_error(&["decode", "--validate", "--http"]);
    assert!(stderr.contains("--validate cannot be used with --http"), "{stderr}");
}

#[test]
fn wait_0_notes_a_run_still_going_as_wait_1_does() {
    let config = StubConfig { running_for: Duration::from_secs(30), ..StubConfig::default() };
    let stub = Stub::start(config).unwrap();
    for wait in ["0", "1"] {
        let out = apify_run(&["task", "janedoe~my-task", "--wait", wait, "--base-url", &stub.base_url()]);
        assert_eq!(out.status.code(), Some(6), "--wait {wait}");
        assert!(
            text(&out.stdout).contains("(still going when the wait ended)"),
            "--wait {wait}: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn request_shows_exactly_what_task_would_send() {
    let out = apify_run(&["request", "janedoe~my-task"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !text(&out.stdout).contains("Authorization"),
        "no token, no Authorization: {}",
        text(&out.stdout)
    );

    for command in ["request", "task"] {
        let out = Command::new(env!("CARGO_BIN_EXE_apify-run"))
            .args([command, "janedoe~my-task", "--base-url", "http://127.0.0.1:9"])
            .env("APIFY_TOKEN", "apify api token")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(64), "{command}");
        assert!(
            text(&out.stderr).starts_with("apify-run: APIFY_TOKEN: "),
            "{command}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).contains("apify api token"));
    }
}

#[test]
fn json_makes_every_outcome_a_json_object() {
    let stub = stub();
    let base = stub.base_url();
    let out = apify_run(&["task", "janedoe~missing", "--json", "--base-url", &base]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["type"], "record-not-found");
    assert_eq!(json["error"]["status"], 404);
    assert!(json["error"]["message"].as_str().unwrap().contains("not found"));

    let out = apify_run(&["task", "janedoe~my-task", "--json", "--memory", "3"]);
    assert_eq!(out.status.code(), Some(64));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["type"], "invalid-input");
    assert!(json["error"]["message"].as_str().unwrap().starts_with("--memory"));
    assert_eq!(json["error"]["status"], serde_json::Value::Null);

    // A command line that was not understood, too.
    let out = apify_run(&["task", "janedoe~my-task", "--json", "--wait", "soon"]);
    assert_eq!(out.status.code(), Some(64));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["type"], "invalid-input");
    assert!(json["error"]["message"].as_str().unwrap().starts_with("invalid value 'soon' for --wait"));

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out =
        apify_run(&["get", "SomeRun1234567890", "--json", "--base-url", &format!("http://127.0.0.1:{port}")]);
    assert_eq!(out.status.code(), Some(7));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["type"], "transport");

    // A response that is not the API's JSON: exit 2, as documented.
    for _ in 0..10 {
        let body = b"{\"data\": [1, 2".to_vec();
        stub.push_fault(Fault::new(Match::GetRun, FaultKind::Reply { status: 200, body }));
    }
    let id = {
        let out = apify_run(&["task", "janedoe~my-task", "--json", "--base-url", &base]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["data"]["id"].as_str().unwrap().to_string()
    };
    let out = apify_run(&["get", &id, "--json", "--base-url", &base]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["type"], "malformed-response");
}

#[test]
fn decode_http_names_a_body_given_for_a_response() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_apify-run"))
        .args(["decode", "--http"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"{\"data\":{}}\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("input is not an HTTP response"), "{}", text(&out.stderr));
}
