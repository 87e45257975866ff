//! Task names that ask the stand-in for a behaviour, so that a person (or a script) can try a
//! failure from the command line without scripting faults: see [`SPECIAL_NAMES`].

use std::time::Duration;

use crate::FaultKind;

/// What the special task names do, for `apify-run stub --help` and the crate docs.
pub const SPECIAL_NAMES: &str = include_str!("names.txt");

/// How long a `runs-long` run stays `RUNNING`.
pub(crate) const SLOW_RUN: Duration = Duration::from_secs(600);

/// The task's name: after `~` (or `/`), or the whole reference.
fn name(task: &str) -> &str {
    task.rsplit(['~', '/']).next().unwrap_or(task)
}

/// A task that does not exist: `~missing`.
pub(crate) fn is_missing(task: &str) -> bool {
    task.contains('~') && name(task) == "missing"
}

/// A task whose runs stay `RUNNING` long: `~runs-long`.
pub(crate) fn is_slow(task: &str) -> bool {
    name(task) == "runs-long"
}

/// The fault a special name asks for on a run start. `starts` counts the starts of tasks
/// with such names, so that `rate-limited` and `busy` fail every other attempt (a client that
/// retries gets through).
pub(crate) fn start_fault(task: &str, starts: &mut u32) -> Option<FaultKind> {
    let odd = *starts % 2 == 1;
    let fault = match name(task) {
        "rate-limited" => (!odd).then_some(FaultKind::RateLimited { retry_after_secs: Some(1) }),
        "busy" => (!odd).then_some(FaultKind::CapacityExceeded),
        "drops" => Some(FaultKind::CloseMidBody),
        _ => return None,
    };
    *starts = starts.wrapping_add(1);
    fault
}

/// The final status a special name asks for.
pub(crate) fn outcome(task: &str) -> Option<&'static str> {
    match name(task) {
        "fails" => Some("FAILED"),
        "aborts" => Some("ABORTED"),
        "times-out" => Some("TIMED-OUT"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_missing("janedoe~missing") && is_missing("~missing") && !is_missing("missing"));
        assert_eq!(outcome("janedoe~fails"), Some("FAILED"));
        assert_eq!(outcome("~times-out"), Some("TIMED-OUT"));
        assert_eq!(outcome("janedoe~my-task"), None);
        assert!(is_slow("~runs-long") && !is_slow("~slow"));
        let mut starts = 0;
        assert!(matches!(start_fault("~rate-limited", &mut starts), Some(FaultKind::RateLimited { .. })));
        assert!(start_fault("~rate-limited", &mut starts).is_none());
        assert!(matches!(start_fault("janedoe~busy", &mut starts), Some(FaultKind::CapacityExceeded)));
        assert!(start_fault("janedoe~my-task", &mut starts).is_none());
        assert!(start_fault("janedoe~busy", &mut starts).is_none());
        assert!(matches!(start_fault("janedoe~drops", &mut starts), Some(FaultKind::CloseMidBody)));
        assert_eq!(starts, 5);
    }

    #[test]
    fn the_readme_lists_every_name() {
        let readme = include_str!("../README.md");
        for line in SPECIAL_NAMES.lines().filter(|l| l.starts_with("  ")) {
            assert!(readme.contains(line), "README.md lacks {line:?}");
        }
    }
}
