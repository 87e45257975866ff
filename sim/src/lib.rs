//! # apify-fleet: a fleet of devices against the Apify API, in virtual time
//!
//! What happens when 100,000 devices boot in the same second and each starts the same task?
//! The API allows 400 run starts per second per task and answers 429 beyond it; each device's
//! client is correct alone, but its backoff decides whether the fleet drains in about
//! `N / 400` seconds or keeps the rate limit saturated in waves. This crate measures it.
//!
//! ## How it works
//!
//! A deterministic discrete-event simulation ([`fleet`]): every device runs apify-core's real
//! [`Call`](apify_core::call::Call) (start the task, then follow the run with polls), with its
//! own seed for the jitter, and every answer it gets is HTTP bytes read by core's real
//! [`ResponseReader`](apify_core::http::ResponseReader), so the simulation tests the retry
//! table the adapters use, not a copy of it. The API is a model ([`api`]): rate limits as token
//! buckets, a cap on concurrent runs, run durations, and faults at set rates (connection
//! refused, reset before or after the run was created, lost answers, 503s). Time is virtual
//! milliseconds; the only randomness is seeded, so the same setup gives the same figures, bit
//! for bit.
//!
//! ## The invariants
//!
//! Whatever the load and faults, a device's client must never create a second run: a start
//! that may have reached the server is never sent again (it ends "outcome unknown", and the
//! simulation counts how many of those had in fact created a run). [`Metrics`] counts
//! `duplicate_starts`; the tests assert it is zero, and that every device that was told its
//! run started has exactly one.
//!
//! ## Use
//!
//! ```
//! use apify_core::call::RetryPolicy;
//! use apify_fleet::{Metrics, Scenario, simulate};
//!
//! let setup = Scenario::BootStorm.setup(1_000, RetryPolicy::FLEET, 0.0, 1);
//! let metrics = Metrics::of(&simulate(&setup));
//! assert_eq!(metrics.duplicate_starts, 0);
//! assert_eq!(metrics.started, 1_000);
//! assert_eq!(metrics.ideal_drain_s, 2.5);
//! ```
//!
//! From the command line: `cargo run -p apify-fleet --release -- boot-storm --devices 100000`
//! (see the README for the options and the figures).

pub mod api;
pub mod compare;
pub mod fleet;
pub mod metrics;
pub mod plot;
pub mod rng;
pub mod scenario;

pub use fleet::{Report, Setup, simulate};
pub use metrics::Metrics;
pub use scenario::Scenario;
