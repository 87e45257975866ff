//! The run options of "Run task": each validated against the API's rules before sending.

use super::{EncodeError, Webhooks};
use crate::Decimal;

/// Longest build tag or number accepted (bytes).
pub const MAX_BUILD_LEN: usize = 128;
/// The server answers after at most this many seconds of `waitForFinish`.
pub const MAX_WAIT_FOR_FINISH_SECS: u8 = 60;

/// Options of a task run. Unset options are not sent, so the task's saved settings apply.
///
/// Setters do not fail; [`validate`](Self::validate) (called by the request encoder) reports
/// the first option that breaks a rule, naming the query parameter and the rule.
///
/// ```
/// use apify_core::encode::{EncodeError, RunOptions};
///
/// let options = RunOptions::new().memory_mbytes(1024).timeout_secs(300).build("beta");
/// assert!(options.validate().is_ok());
///
/// let err = RunOptions::new().memory_mbytes(1000).validate().unwrap_err();
/// assert_eq!(err, EncodeError::InvalidParameter { name: "memory", rule: "must be a power of two from 128 to 32768 (MB)" });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions<'a> {
    pub(crate) timeout_secs: Option<u32>,
    pub(crate) memory_mbytes: Option<u32>,
    pub(crate) max_items: Option<u64>,
    pub(crate) max_total_charge_usd: Option<Decimal>,
    pub(crate) restart_on_error: Option<bool>,
    pub(crate) build: Option<&'a str>,
    pub(crate) wait_for_finish_secs: Option<u8>,
    pub(crate) webhooks: Option<Webhooks<'a>>,
}

impl RunOptions<'static> {
    /// No options, as a constant (so `&RunOptions::NONE` lives as long as needed).
    pub const NONE: RunOptions<'static> = RunOptions::new();
}

impl<'a> RunOptions<'a> {
    /// No options: the task's saved settings apply.
    pub const fn new() -> Self {
        Self {
            timeout_secs: None,
            memory_mbytes: None,
            max_items: None,
            max_total_charge_usd: None,
            restart_on_error: None,
            build: None,
            wait_for_finish_secs: None,
            webhooks: None,
        }
    }

    /// `timeout`: run timeout in seconds (0 means no timeout).
    pub const fn timeout_secs(mut self, secs: u32) -> Self {
        self.timeout_secs = Some(secs);
        self
    }

    /// `memory`: megabytes, a power of two from 128 to 32768.
    pub const fn memory_mbytes(mut self, mbytes: u32) -> Self {
        self.memory_mbytes = Some(mbytes);
        self
    }

    /// `maxItems`: the most dataset items charged on pay-per-result Actors (above zero).
    pub const fn max_items(mut self, items: u64) -> Self {
        self.max_items = Some(items);
        self
    }

    /// `maxTotalChargeUsd`: cap on the run's cost in USD (above zero), sent exactly as given.
    pub const fn max_total_charge_usd(mut self, usd: Decimal) -> Self {
        self.max_total_charge_usd = Some(usd);
        self
    }

    /// `restartOnError`: restart the run if it fails.
    pub const fn restart_on_error(mut self, yes: bool) -> Self {
        self.restart_on_error = Some(yes);
        self
    }

    /// `build`: a build tag (`latest`, `beta`) or number (`0.1.234`).
    pub const fn build(mut self, build: &'a str) -> Self {
        self.build = Some(build);
        self
    }

    /// `waitForFinish`: seconds the server waits for the run to finish before answering (0..=60).
    pub const fn wait_for_finish_secs(mut self, secs: u8) -> Self {
        self.wait_for_finish_secs = Some(secs);
        self
    }

    /// `webhooks`: ad-hoc webhooks for this run (see [`Webhooks::encode`]).
    pub const fn webhooks(mut self, webhooks: Webhooks<'a>) -> Self {
        self.webhooks = Some(webhooks);
        self
    }

    /// Checks every option against the API's rules.
    pub fn validate(&self) -> Result<(), EncodeError> {
        let bad = |name, rule| Err(EncodeError::InvalidParameter { name, rule });
        if let Some(mb) = self.memory_mbytes {
            if !(128..=32768).contains(&mb) || !mb.is_power_of_two() {
                return bad("memory", "must be a power of two from 128 to 32768 (MB)");
            }
        }
        if self.max_items == Some(0) {
            return bad("maxItems", "must be greater than zero");
        }
        if let Some(usd) = self.max_total_charge_usd {
            if usd.is_zero() || usd.is_negative() {
                return bad("maxTotalChargeUsd", "must be greater than zero");
            }
        }
        if let Some(build) = self.build {
            if build.is_empty() || build.len() > MAX_BUILD_LEN {
                return bad("build", "must be 1 to 128 bytes long");
            }
        }
        if self.wait_for_finish_secs.is_some_and(|s| s > MAX_WAIT_FOR_FINISH_SECS) {
            return bad("waitForFinish", "must be from 0 to 60 (seconds)");
        }
        Ok(())
    }
}
