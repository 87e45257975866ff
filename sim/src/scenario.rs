//! The situations the fleet is put in.

use std::fmt;

use apify_core::call::RetryPolicy;

use crate::api::{ApiConfig, Faults};
use crate::fleet::Setup;

/// How long every device follows its run: long enough for any scenario to play out, so that
/// a call ends by the policy's choices, not by this wait.
pub const FOLLOW_MS: u32 = 4 * 3_600_000;

/// A situation (see [`Scenario::setup`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Every device boots within one second (a power cut ends, a firmware push lands).
    BootStorm,
    /// Devices boot at a steady 200 per second, half the start rate limit.
    Trickle,
    /// Every device boots within one second, and the API refuses connections for 60 s.
    Outage,
    /// Every device boots within one second, and the account has capacity for a tenth of the
    /// fleet's runs at once (402 beyond it).
    Capacity,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 4] = [Self::BootStorm, Self::Trickle, Self::Outage, Self::Capacity];

    /// The scenario's name on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Self::BootStorm => "boot-storm",
            Self::Trickle => "trickle",
            Self::Outage => "outage",
            Self::Capacity => "capacity",
        }
    }

    /// The scenario named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The setup for `devices` devices running `policy`, with every fault at `fault_rate`.
    pub fn setup(self, devices: u32, policy: RetryPolicy, fault_rate: f64, seed: u64) -> Setup {
        let rate = fault_rate;
        let mut api = ApiConfig {
            faults: Faults {
                refused: rate,
                reset_before_read: rate,
                reset_after_create: rate,
                lost_answer: rate,
                server_error: rate,
            },
            seed,
            ..ApiConfig::DOCUMENTED
        };
        let mut boot_window_ms = 1_000;
        match self {
            Self::BootStorm => {}
            Self::Trickle => boot_window_ms = devices as u64 * 1_000 / 200,
            Self::Outage => api.outage_ms = Some((0, 60_000)),
            Self::Capacity => api.concurrent_runs = Some((devices / 10).max(1)),
        }
        Setup { devices, boot_window_ms, api, policy, wait_ms: FOLLOW_MS }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
