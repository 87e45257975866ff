//! The backoff comparison: one scenario, run with each variant of the retry policy.

use std::fmt::Write as _;

use apify_core::call::{Jitter, RetryPolicy};

use crate::api::ServerRetryAfter;
use crate::{Metrics, Scenario, simulate};

/// A retry policy to compare, and what the API's 429s carry.
#[derive(Debug, Clone, Copy)]
pub struct Variant {
    /// The devices' policy.
    pub policy: RetryPolicy,
    /// The API's `Retry-After`.
    pub server_retry_after: ServerRetryAfter,
}

const fn fleet(jitter: Jitter, multiplier: u8) -> RetryPolicy {
    RetryPolicy { jitter, multiplier, ..RetryPolicy::FLEET }
}

const fn variant(policy: RetryPolicy, server_retry_after: ServerRetryAfter) -> Variant {
    Variant { policy, server_retry_after }
}

const NONE: ServerRetryAfter = ServerRetryAfter::Absent;
const FIVE: ServerRetryAfter = ServerRetryAfter::Seconds(5);

impl Variant {
    /// The rows of the README's table: the official clients' policy as it is; then, within
    /// the fleet preset's budget (so that nobody gives up and the times compare), each jitter
    /// with doubling and the fleet's steeper growth; then each jitter against an API that
    /// sends `Retry-After: 5`, honoured and ignored.
    pub const ALL: [Variant; 12] = [
        variant(RetryPolicy::DEFAULT, NONE),
        variant(fleet(Jitter::Proportional, 2), NONE),
        variant(fleet(Jitter::Full, 2), NONE),
        variant(fleet(Jitter::Decorrelated, 2), NONE),
        variant(fleet(Jitter::Full, 4), NONE),
        variant(fleet(Jitter::Full, 8), NONE),
        variant(fleet(Jitter::Proportional, 2), FIVE),
        variant(RetryPolicy { honour_retry_after: false, ..fleet(Jitter::Proportional, 2) }, FIVE),
        variant(fleet(Jitter::Full, 4), FIVE),
        variant(RetryPolicy { honour_retry_after: false, ..fleet(Jitter::Full, 4) }, FIVE),
        variant(fleet(Jitter::Decorrelated, 2), FIVE),
        variant(RetryPolicy { honour_retry_after: false, ..fleet(Jitter::Decorrelated, 2) }, FIVE),
    ];
}

/// A policy in a few words: its jitter, growth, delays and budget.
pub fn describe(policy: &RetryPolicy) -> String {
    let jitter = match policy.jitter {
        Jitter::Proportional => "proportional",
        Jitter::Full => "full",
        Jitter::Decorrelated => "decorrelated",
        _ => "other",
    };
    let growth = match policy.jitter {
        Jitter::Decorrelated => String::new(),
        _ => format!(" x{}", policy.multiplier),
    };
    let preset = match (policy.max_attempts, policy.max_total_ms) {
        (a, t) if (a, t) == (RetryPolicy::DEFAULT.max_attempts, RetryPolicy::DEFAULT.max_total_ms) => {
            "DEFAULT"
        }
        (a, t) if (a, t) == (RetryPolicy::FLEET.max_attempts, RetryPolicy::FLEET.max_total_ms) => "FLEET",
        _ => "custom",
    };
    format!(
        "{preset}: {jitter}{growth}, {}-{} s{}",
        policy.base_delay_ms as f64 / 1000.0,
        policy.max_delay_ms / 1000,
        if policy.honour_retry_after { "" } else { ", Retry-After ignored" }
    )
}

/// Runs `scenario` with `devices` devices for each of `variants` and returns a Markdown table.
pub fn table(scenario: Scenario, devices: u32, faults: f64, seed: u64, variants: &[Variant]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| policy | API's Retry-After | gave up | p50 start (s) | p99 start (s) | p99 ÷ ideal | start requests per device | requests per device | peak start rate after 5 s (/s) | time over 2x the limit (s) | 429 share |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|");
    for variant in variants {
        let mut setup = scenario.setup(devices, variant.policy, faults, seed);
        setup.api.retry_after = variant.server_retry_after;
        let m = Metrics::of(&simulate(&setup));
        let retry_after = match variant.server_retry_after {
            ServerRetryAfter::Absent => "none".to_string(),
            ServerRetryAfter::Seconds(s) => format!("{s} s"),
        };
        let _ = writeln!(
            out,
            "| {} | {retry_after} | {:.1}% | {:.1} | {:.1} | {:.2} | {:.2} | {:.2} | {:.0} | {:.1} | {:.2} |",
            describe(&variant.policy),
            m.gave_up as f64 * 100.0 / m.devices as f64,
            m.p50_start_s,
            m.p99_start_s,
            m.p99_start_s / m.ideal_drain_s,
            m.start_requests_per_device,
            m.requests_per_device,
            m.peak_rate_after_5s_per_s,
            m.over_2x_limit_s,
            m.share_429,
        );
    }
    out
}
