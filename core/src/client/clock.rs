//! Time for the client: a monotonic millisecond clock, with ready implementations.

/// A monotonic clock in milliseconds (any epoch). Implemented for closures
/// (`|| millis_since_boot()`) and by [`CounterClock`] for a free-running hardware counter.
pub trait Clock {
    /// Milliseconds since an arbitrary fixed point; never goes back.
    fn now_ms(&mut self) -> u64;
}

impl<F: FnMut() -> u64> Clock for F {
    fn now_ms(&mut self) -> u64 {
        self()
    }
}

/// A [`Clock`] from a free-running 32-bit counter that wraps (a timer's count register, the
/// Cortex-M cycle counter, an RTC's subsecond ticks): it extends the counter to 64 bits, so
/// it keeps time across wraps as long as it is read at least once per wrap period (at
/// 1 MHz, every 71 minutes; the client reads it at least once per socket wait).
///
/// ```
/// use apify_core::client::{Clock, CounterClock};
///
/// let mut ticks = 0u32;
/// // A 1 MHz timer; here a fake one that advances 1 ms per reading, and wraps.
/// let mut clock = CounterClock::new(1_000_000, move || {
///     ticks = ticks.wrapping_add(1_000);
///     ticks
/// });
/// let first = clock.now_ms();
/// for _ in 0..10_000_000 {
///     clock.now_ms();
/// }
/// assert_eq!(clock.now_ms() - first, 10_000_001); // two wraps later, no time lost
/// ```
#[derive(Debug, Clone)]
pub struct CounterClock<F> {
    read: F,
    hz: u32,
    last: u32,
    ticks: u64,
}

impl<F: FnMut() -> u32> CounterClock<F> {
    /// A clock over `read`, a counter ticking `hz` times per second (`hz` > 0).
    pub fn new(hz: u32, mut read: F) -> Self {
        let last = read();
        Self { read, hz: hz.max(1), last, ticks: 0 }
    }
}

impl<F: FnMut() -> u32> Clock for CounterClock<F> {
    fn now_ms(&mut self) -> u64 {
        let now = (self.read)();
        self.ticks += now.wrapping_sub(self.last) as u64;
        self.last = now;
        let hz = self.hz as u64;
        // Split so that no product overflows, however long the device runs.
        self.ticks / hz * 1000 + self.ticks % hz * 1000 / hz
    }
}
