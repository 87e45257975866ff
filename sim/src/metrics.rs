//! The figures the issue asks for, from a [`Report`].

use std::fmt::{self, Write as _};

use apify_core::call::Finish;

use crate::fleet::Report;

/// The first seconds of a storm, left out of [`Metrics::peak_rate_after_5s_per_s`]: every
/// device's first attempt lands there, whatever its policy.
pub const STORM_MS: u64 = 5_000;

/// A simulation's figures (see the crate docs for their meaning).
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Devices in the fleet.
    pub devices: u32,
    /// Runs the API created.
    pub runs_created: u64,
    /// Runs beyond the first created for a device.
    pub duplicate_starts: u64,
    /// Devices whose call learned that their run started.
    pub started: u32,
    /// Devices whose call ended "outcome unknown".
    pub outcome_unknown: u32,
    /// Of those, how many had a run in fact.
    pub outcome_unknown_with_run: u32,
    /// Devices that stopped without a run (the policy gave up, or an error was final).
    pub gave_up: u32,
    /// Devices that followed their run to its end.
    pub followed_to_end: u32,
    /// Time from boot to start, over the devices that started: median, 99th percentile, most.
    pub p50_start_s: f64,
    /// See `p50_start_s`.
    pub p99_start_s: f64,
    /// See `p50_start_s`.
    pub max_start_s: f64,
    /// Devices ÷ the start rate limit: the time the fleet's starts take at best.
    pub ideal_drain_s: f64,
    /// Requests sent, per device (all kinds).
    pub requests_per_device: f64,
    /// Run start requests sent, per device.
    pub start_requests_per_device: f64,
    /// The most requests any one device sent.
    pub max_requests_device: u32,
    /// The busiest 100 ms of run start requests, as a rate.
    pub peak_rate_per_s: f64,
    /// The same after the first [`STORM_MS`].
    pub peak_rate_after_5s_per_s: f64,
    /// After the first [`STORM_MS`], the time during which run start requests came faster
    /// than twice the rate limit (seconds, counted in 100 ms buckets): how long the waves last.
    pub over_2x_limit_s: f64,
    /// Run start requests per second, from the first to the last.
    pub mean_rate_per_s: f64,
    /// Share of all requests answered 429.
    pub share_429: f64,
    /// Requests answered 402.
    pub answered_402: u64,
    /// When the last device's call ended.
    pub virtual_s: f64,
}

impl Metrics {
    /// The figures of `report`.
    pub fn of(report: &Report) -> Self {
        let devices = &report.devices;
        let mut start_ms: Vec<u64> =
            devices.iter().filter_map(|d| d.started_ms.map(|at| at - d.boot_ms)).collect();
        start_ms.sort_unstable();
        let quantile = |q: f64| match start_ms.len() {
            0 => 0.0,
            n => start_ms[((n as f64 * q).ceil() as usize).clamp(1, n) - 1] as f64 / 1000.0,
        };
        let count = |pick: &dyn Fn(&crate::fleet::DeviceResult) -> bool| {
            devices.iter().filter(|d| pick(d)).count() as u32
        };
        let unknown = |d: &crate::fleet::DeviceResult| {
            d.started_ms.is_none() && matches!(d.finish, Finish::OutcomeUnknown(_))
        };
        let buckets = &report.api.start_buckets;
        let peak = |from: usize| buckets.iter().skip(from).copied().max().unwrap_or(0) as f64 * 10.0;
        let busy = buckets.iter().position(|&b| b > 0).map_or(0, |first| {
            buckets.len() - first - buckets.iter().rev().position(|&b| b > 0).unwrap_or(0)
        });
        let start_requests: u64 = buckets.iter().map(|&b| b as u64).sum();
        let n = report.setup.devices.max(1) as f64;
        Metrics {
            devices: report.setup.devices,
            runs_created: devices.iter().map(|d| d.runs_created as u64).sum(),
            duplicate_starts: devices.iter().map(|d| d.runs_created.saturating_sub(1) as u64).sum(),
            started: count(&|d| d.started_ms.is_some()),
            outcome_unknown: count(&unknown),
            outcome_unknown_with_run: count(&|d| unknown(d) && d.runs_created > 0),
            gave_up: count(&|d| d.started_ms.is_none() && !unknown(d)),
            followed_to_end: count(&|d| d.finish == Finish::Terminal),
            p50_start_s: quantile(0.50),
            p99_start_s: quantile(0.99),
            max_start_s: start_ms.last().map_or(0.0, |&ms| ms as f64 / 1000.0),
            ideal_drain_s: n / report.setup.api.start_limit_per_s as f64,
            requests_per_device: report.api.requests as f64 / n,
            start_requests_per_device: start_requests as f64 / n,
            max_requests_device: devices.iter().map(|d| d.requests).max().unwrap_or(0),
            peak_rate_per_s: peak(0),
            peak_rate_after_5s_per_s: peak((STORM_MS / 100) as usize),
            over_2x_limit_s: {
                let twice = report.setup.api.start_limit_per_s as f64 * 2.0 / 10.0;
                let over = buckets.iter().skip((STORM_MS / 100) as usize).filter(|&&b| b as f64 > twice);
                over.count() as f64 / 10.0
            },
            mean_rate_per_s: match busy {
                0 => 0.0,
                busy => start_requests as f64 / (busy as f64 / 10.0),
            },
            share_429: report.api.answered_429 as f64 / report.api.requests.max(1) as f64,
            answered_402: report.api.answered_402,
            virtual_s: devices.iter().map(|d| d.done_ms).max().unwrap_or(0) as f64 / 1000.0,
        }
    }

    /// The figures as one JSON object.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        for (index, (key, value)) in self.fields().iter().enumerate() {
            let _ = write!(out, "{}\"{key}\":{value}", if index == 0 { "" } else { "," });
        }
        out.push('}');
        out
    }

    /// Name and value of every figure, in order.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let float = |v: f64| format!("{v:.3}");
        vec![
            ("devices", self.devices.to_string()),
            ("runs_created", self.runs_created.to_string()),
            ("duplicate_starts", self.duplicate_starts.to_string()),
            ("started", self.started.to_string()),
            ("outcome_unknown", self.outcome_unknown.to_string()),
            ("outcome_unknown_with_run", self.outcome_unknown_with_run.to_string()),
            ("gave_up", self.gave_up.to_string()),
            ("followed_to_end", self.followed_to_end.to_string()),
            ("p50_start_s", float(self.p50_start_s)),
            ("p99_start_s", float(self.p99_start_s)),
            ("max_start_s", float(self.max_start_s)),
            ("ideal_drain_s", float(self.ideal_drain_s)),
            ("requests_per_device", float(self.requests_per_device)),
            ("start_requests_per_device", float(self.start_requests_per_device)),
            ("max_requests_device", self.max_requests_device.to_string()),
            ("peak_rate_per_s", float(self.peak_rate_per_s)),
            ("peak_rate_after_5s_per_s", float(self.peak_rate_after_5s_per_s)),
            ("over_2x_limit_s", float(self.over_2x_limit_s)),
            ("mean_rate_per_s", float(self.mean_rate_per_s)),
            ("share_429", float(self.share_429)),
            ("answered_402", self.answered_402.to_string()),
            ("virtual_s", float(self.virtual_s)),
        ]
    }
}

impl fmt::Display for Metrics {
    /// The figures as a two-column table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in self.fields() {
            writeln!(f, "{key:<28}{value:>14}")?;
        }
        Ok(())
    }
}
