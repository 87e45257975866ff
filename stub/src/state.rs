//! What the request threads share: configuration, queued faults, the request log and runs.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::route::Route;
use crate::runs::Runs;
use crate::{Fault, RecordedRequest, StubConfig};

/// State behind one lock, plus a condition variable that wakes every waiter whenever a run
/// changes by hand (abort) or the stub stops. Time-driven changes need no wake-up: waiters
/// sleep until the next one.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: StubConfig,
    pub(crate) base_url: String,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) stopping: bool,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) requests: VecDeque<RecordedRequest>,
    pub(crate) runs: Runs,
    /// Run starts that hit a special fault name, for those that fail every other attempt.
    pub(crate) special_starts: u32,
}

impl Shared {
    pub(crate) fn new(config: StubConfig, base_url: String) -> Shared {
        let state = State {
            stopping: false,
            faults: VecDeque::new(),
            requests: VecDeque::new(),
            runs: Runs::new(),
            special_starts: 0,
        };
        Shared { config, base_url, state: Mutex::new(state), changed: Condvar::new() }
    }

    /// Locks the state. A panic on another thread does not make the stub unusable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes every waiter so it looks at the state again.
    pub(crate) fn notify(&self) {
        self.changed.notify_all();
    }

    /// Makes every wait return now and from now on.
    pub(crate) fn stop(&self) {
        self.lock().stopping = true;
        self.notify();
    }

    /// Takes the first queued fault that matches `route`; else the fault a special task name
    /// asks for (see [`SPECIAL_NAMES`](crate::SPECIAL_NAMES)).
    pub(crate) fn take_fault(&self, route: &Route) -> Option<Fault> {
        let mut state = self.lock();
        if let Some(at) = state.faults.iter().position(|fault| fault.matching.matches(route)) {
            return state.faults.remove(at);
        }
        let Route::StartRun { task } = route else { return None };
        let fault = crate::names::start_fault(task, &mut state.special_starts)?;
        Some(Fault::new(crate::Match::StartRun, fault))
    }

    /// Sleeps for `time`, or less if the stub stops.
    pub(crate) fn pause(&self, time: Duration) {
        let deadline = Instant::now() + time;
        let mut state = self.lock();
        while !state.stopping {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = self.wait(state, deadline - now);
        }
    }

    /// Waits up to `time` for run `id` to reach a terminal status, then returns the locked
    /// state for reading it. Returns at once for an unknown run or a stopping stub.
    pub(crate) fn wait_for_finish(&self, id: &str, time: Duration) -> MutexGuard<'_, State> {
        let deadline = Instant::now() + time;
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            if state.stopping || now >= deadline {
                return state;
            }
            let Some(run) = state.runs.get(id) else { return state };
            if run.is_terminal(now) {
                return state;
            }
            let until = run.next_change(now).map_or(deadline, |change| change.min(deadline));
            // A millisecond past the change, so the status has really moved on waking.
            let nap = until.saturating_duration_since(now) + Duration::from_millis(1);
            state = self.wait(state, nap);
        }
    }

    fn wait<'a>(&self, state: MutexGuard<'a, State>, time: Duration) -> MutexGuard<'a, State> {
        self.changed.wait_timeout(state, time).unwrap_or_else(PoisonError::into_inner).0
    }
}
