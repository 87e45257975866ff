//! The fleet's invariants, through the real call machine: no run is ever started twice,
//! requests per device stay bounded, the model keeps its limits, and a seed gives one result.

use apify_core::call::{Finish, RetryPolicy};
use apify_fleet::api::ServerRetryAfter;
use apify_fleet::fleet::{DeviceResult, Report};
use apify_fleet::{Metrics, Scenario, simulate};

fn run(scenario: Scenario, devices: u32, policy: RetryPolicy, faults: f64) -> (Report, Metrics) {
    let report = simulate(&scenario.setup(devices, policy, faults, 7));
    let metrics = Metrics::of(&report);
    (report, metrics)
}

/// Every device: told it started → exactly one run; stopped without knowing → at most one;
/// gave up → none.
fn assert_exactly_once(devices: &[DeviceResult]) {
    for (index, device) in devices.iter().enumerate() {
        let unknown = matches!(device.finish, Finish::OutcomeUnknown(_));
        match (device.started_ms, unknown) {
            (Some(_), _) => assert_eq!(device.runs_created, 1, "device {index}: {device:?}"),
            (None, true) => assert!(device.runs_created <= 1, "device {index}: {device:?}"),
            (None, false) => assert_eq!(device.runs_created, 0, "device {index}: {device:?}"),
        }
    }
}

#[test]
fn ten_thousand_devices_booting_at_once_start_exactly_once() {
    let (report, m) = run(Scenario::BootStorm, 10_000, RetryPolicy::FLEET, 0.0);
    assert_exactly_once(&report.devices);
    assert_eq!((m.started, m.runs_created, m.duplicate_starts, m.gave_up), (10_000, 10_000, 0, 0));
    assert_eq!(m.followed_to_end, 10_000, "every device follows its run to the end");
    // The storm is real: most first attempts are refused...
    assert!(m.share_429 > 0.2, "{m:?}");
    // ...and the requests each device sends stay bounded.
    assert!(m.start_requests_per_device < 8.0, "{m:?}");
    assert!(m.max_requests_device <= RetryPolicy::FLEET.max_attempts as u32 + 10, "{m:?}");
}

#[test]
fn faults_never_start_a_run_twice() {
    let (report, m) = run(Scenario::BootStorm, 10_000, RetryPolicy::FLEET, 0.02);
    assert_exactly_once(&report.devices);
    assert_eq!(m.duplicate_starts, 0);
    // The faults happened: some starts were lost after the run was created, some before.
    assert!(m.outcome_unknown_with_run > 0, "{m:?}");
    assert!(m.outcome_unknown > m.outcome_unknown_with_run, "{m:?}");
    assert_eq!(m.runs_created, (m.started + m.outcome_unknown_with_run) as u64);
    assert_eq!(m.started + m.outcome_unknown + m.gave_up, 10_000);
}

#[test]
fn the_same_seed_gives_the_same_run_and_another_seed_another() {
    let setup = Scenario::BootStorm.setup(2_000, RetryPolicy::FLEET, 0.01, 3);
    let (a, b) = (simulate(&setup), simulate(&setup));
    assert_eq!(a.devices, b.devices);
    assert_eq!(a.api.all_buckets, b.api.all_buckets);
    assert_eq!(Metrics::of(&a), Metrics::of(&b));
    let other = simulate(&Scenario::BootStorm.setup(2_000, RetryPolicy::FLEET, 0.01, 4));
    assert_ne!(a.devices, other.devices);
}

#[test]
fn no_run_starts_during_an_outage_and_the_fleet_policy_outlasts_it() {
    let (report, m) = run(Scenario::Outage, 2_000, RetryPolicy::FLEET, 0.0);
    assert_exactly_once(&report.devices);
    assert_eq!(m.started, 2_000);
    assert!(report.devices.iter().all(|d| d.started_ms.unwrap() >= 60_000), "a start during the outage");
    // The official clients' budget (6 attempts, 2 minutes) does not.
    let (_, m) = run(Scenario::Outage, 2_000, RetryPolicy::DEFAULT, 0.0);
    assert_eq!((m.started, m.gave_up), (0, 2_000));
}

#[test]
fn the_capacity_wall_holds_and_the_fleet_waits_behind_it() {
    let (report, m) = run(Scenario::Capacity, 2_000, RetryPolicy::FLEET, 0.0);
    assert_exactly_once(&report.devices);
    assert_eq!(report.api.most_active_runs, 200, "a tenth of the fleet at once, no more");
    assert!(m.answered_402 > 0);
    assert_eq!((m.started, m.duplicate_starts), (2_000, 0));
}

#[test]
fn the_rate_limit_holds_in_every_second() {
    let (report, _) = run(Scenario::BootStorm, 10_000, RetryPolicy::FLEET, 0.0);
    let mut per_second = vec![0u32; 1_000];
    for device in &report.devices {
        // The start's answer arrives half a round trip after the API took its token.
        per_second[((device.started_ms.unwrap() - 50) / 1_000) as usize] += 1;
    }
    // A bucket of 400 tokens, refilled at 400 per second: by the end of second k, at most
    // 400 + 400 × (k + 1) starts.
    let mut total = 0;
    for (k, &n) in per_second.iter().enumerate() {
        total += n;
        assert!(total <= 400 + 400 * (k as u32 + 1), "second {k}: {total} starts so far");
    }
    assert!(per_second[0] > 400 && per_second[5] >= 390, "the burst and the limit are used: {per_second:?}");
}

#[test]
fn a_retry_after_spreads_the_fleet_instead_of_synchronising_it() {
    // The same Retry-After to every device: honoured as the earliest time with the backoff on
    // top, nobody gives up and the fleet drains at the limit.
    let mut setup = Scenario::BootStorm.setup(10_000, RetryPolicy::FLEET, 0.0, 7);
    setup.api.retry_after = ServerRetryAfter::Seconds(5);
    let m = Metrics::of(&simulate(&setup));
    assert_eq!((m.started, m.gave_up), (10_000, 0));
    assert!(m.p99_start_s < 3.0 * m.ideal_drain_s, "{m:?}");
}

#[test]
fn the_command_line_prints_the_figures_as_json_and_draws_the_plot() {
    let dir = std::env::temp_dir().join(format!("apify-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("storm.svg");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_apify-fleet"))
        .args(["boot-storm", "--devices", "1000", "--json", "--plot"])
        .arg(&svg)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in [
        "devices",
        "runs_created",
        "duplicate_starts",
        "outcome_unknown",
        "gave_up",
        "p50_start_s",
        "p99_start_s",
        "ideal_drain_s",
        "requests_per_device",
        "peak_rate_per_s",
        "share_429",
    ] {
        assert!(json[key].is_number(), "{key} in {json}");
    }
    assert_eq!(json["devices"], 1000);
    assert_eq!(json["duplicate_starts"], 0);
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(
        drawn.starts_with("<svg") && drawn.contains("start rate limit"),
        "{}",
        &drawn[..200.min(drawn.len())]
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let output =
        std::process::Command::new(env!("CARGO_BIN_EXE_apify-fleet")).args(["landslide"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown scenario \"landslide\""));
}
