//! What the process tests share: running `apify-run` as a user would, and a quick stand-in.

#![allow(dead_code)] // Each test binary uses its own part.

use std::process::{Command, Output};
use std::time::Duration;

use apify_stub::{Stub, StubConfig};

/// `apify-run` with `args`, neither `APIFY_TOKEN` nor `APIFY_BASE_URL` inherited.
pub(crate) fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apify-run"));
    command.args(args).env_remove("APIFY_TOKEN").env_remove("APIFY_BASE_URL");
    command
}

/// Runs [`command`] to its end.
pub(crate) fn apify_run(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A stand-in whose runs are `READY` for `ready_ms`, then `RUNNING` for `running_ms`.
pub(crate) fn stub_with_times(ready_ms: u64, running_ms: u64) -> Stub {
    let config = StubConfig {
        ready_for: Duration::from_millis(ready_ms),
        running_for: Duration::from_millis(running_ms),
        ..StubConfig::default()
    };
    Stub::start(config).unwrap()
}
