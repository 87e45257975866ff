//! The response fixtures in `fixtures/`, for tests.

macro_rules! fixtures {
    ($($name:literal),* $(,)?) => {
        /// Every fixture: its file name and bytes.
        pub(crate) const ALL: &[(&str, &[u8])] = &[$(($name, include_bytes!(concat!("../../fixtures/", $name)))),*];
    };
}

fixtures![
    "run-task-201.json",
    "run_task_201_succeeded_scheduled.json",
    "run_actor_201_running.json",
    "run_metamorphed_running_finishedAt_null.json",
    "run_aborted.json",
    "run_ready_minimal.json",
    "run_ppe_newer_fields.json",
    "error_400_invalid_input.json",
    "error_400_schema_validation_with_data.json",
    "error_401_invalid_token.json",
    "error_402_actor_memory_limit_exceeded.json",
    "error_403_insufficient_permissions.json",
    "error_404_record_not_found.json",
    "error_408_run_timeout_exceeded.json",
    "error_429_rate_limit_exceeded.json",
];

/// The dataset items fixtures (bare JSON arrays): name and bytes.
pub(crate) const ITEMS: &[(&str, &[u8])] = &[
    ("items_scraper.json", include_bytes!("../../fixtures/items_scraper.json")),
    ("items_empty.json", include_bytes!("../../fixtures/items_empty.json")),
    ("items_long_strings.json", include_bytes!("../../fixtures/items_long_strings.json")),
    ("items_scalars.json", include_bytes!("../../fixtures/items_scalars.json")),
];

/// The bytes of the fixture called `name`.
pub(crate) fn get(name: &str) -> &'static [u8] {
    ALL.iter().find(|(n, _)| *n == name).map(|(_, b)| *b).unwrap_or_else(|| panic!("no fixture {name}"))
}
