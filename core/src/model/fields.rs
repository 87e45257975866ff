//! The one list of the run's fields: which object each is in, its JSON key, what it holds,
//! and its accessor. Everything else is derived from it: the key index the decoder looks keys
//! up in, the storage layout of [`Run`](super::Run), the accessors, the JSON writer, the paths
//! in errors. Adding a field is one line here (plus its test).
//!
//! Lines marked with a feature are left out of builds without it (see the crate docs,
//! "Features"): their keys are then skipped like any unknown key, at the parser's fastest path.

use super::table::{Ctx, Field, Kind, index};
// Used by lines that a build may leave out (see the features).
#[allow(unused_imports)]
use super::{
    ErrorType, GeneralAccess, Origin, PricingModel, RunStatus, TextRef, Timestamp, UsageBillingModel,
};
use crate::Decimal;

/// Declares the list: `FIELDS` (the table) and one accessor per value field, on the type of
/// its object ([`Run`](super::Run) or one of its views). An accessor named `_` is none (the
/// field is read another way).
macro_rules! run_fields {
    ($( $(#[doc = $doc:literal])* [$($feature:literal)?] $ctx:ident . $name:tt = $key:literal : $kind:ident $(($($arg:tt)*))? ; )*) => {
        /// Every field, in the order the API writes them (the JSON writer's order).
        pub(crate) const FIELDS: &[Field] = &[
            $( $(#[cfg(feature = $feature)])? Field { ctx: Ctx::$ctx, key: $key, kind: run_fields!(@kind $kind $(($($arg)*))?) }, )*
        ];

        $( run_fields!(@accessor [$(#[doc = $doc])*] [$($feature)?] $ctx $name $key $kind $(($($arg)*))?); )*
    };

    (@kind Text($cap:literal)) => { Kind::Text { cap: $cap } };
    (@kind Enum($ty:ty, $cap:literal)) => { Kind::Text { cap: $cap } };
    (@kind Object($ctx:ident)) => { Kind::Object(Ctx::$ctx) };
    (@kind Array($ctx:ident)) => { Kind::Array(Ctx::$ctx) };
    (@kind $kind:ident) => { Kind::$kind };

    (@accessor $docs:tt $feature:tt $ctx:ident _ $($rest:tt)*) => {};
    (@accessor $docs:tt $feature:tt Run $name:ident $($rest:tt)*) => {
        run_fields!(@impl super::Run, $docs $feature Run $name $($rest)*);
    };
    (@accessor $docs:tt $feature:tt PricingInfo $name:ident $($rest:tt)*) => {
        run_fields!(@impl super::Run, $docs $feature PricingInfo $name $($rest)*);
    };
    (@accessor $docs:tt $feature:tt Meta $name:ident $($rest:tt)*) => {
        run_fields!(@impl super::RunMeta<'_>, $docs $feature Meta $name $($rest)*);
    };
    (@accessor $docs:tt $feature:tt Stats $name:ident $($rest:tt)*) => {
        run_fields!(@impl super::RunStats<'_>, $docs $feature Stats $name $($rest)*);
    };
    (@accessor $docs:tt $feature:tt Options $name:ident $($rest:tt)*) => {
        run_fields!(@impl super::RunConfig<'_>, $docs $feature Options $name $($rest)*);
    };
    (@accessor $docs:tt $feature:tt Error $name:ident $($rest:tt)*) => {
        run_fields!(@impl super::ApiError<'_>, $docs $feature Error $name $($rest)*);
    };
    (@accessor $docs:tt $feature:tt Metamorph $name:ident $($rest:tt)*) => {
        run_fields!(@impl super::Metamorph<'_>, $docs $feature Metamorph $name $($rest)*);
    };

    (@impl $target:ty, [$(#[$doc:meta])*] [$($feature:literal)?] $ctx:ident $name:ident $key:literal $kind:ident $(($($arg:tt)*))?) => {
        $(#[cfg(feature = $feature)])?
        impl $target {
            $(#[$doc])*
            #[inline]
            pub fn $name(&self) -> run_fields!(@type $kind $(($($arg)*))?) {
                const FIELD: u8 = index(Ctx::$ctx, $key);
                run_fields!(@get self.run(), FIELD, $kind $(($($arg)*))?)
            }
        }
    };

    (@type Text($cap:literal)) => { Option<TextRef<'_>> };
    (@type Enum($ty:ty, $cap:literal)) => { Option<$ty> };
    (@type Timestamp) => { Option<Timestamp> };
    (@type U32) => { Option<u32> };
    (@type U64) => { Option<u64> };
    (@type I32) => { Option<i32> };
    (@type Decimal) => { Option<Decimal> };
    (@type Bool) => { Option<bool> };

    (@get $run:expr, $field:ident, Text($cap:literal)) => { $run.text($field) };
    (@get $run:expr, $field:ident, Enum($ty:ty, $cap:literal)) => {
        $run.text($field).map(|t| <$ty>::from_name_cut(t.as_str(), t.is_truncated()))
    };
    (@get $run:expr, $field:ident, Timestamp) => { $run.timestamp($field) };
    (@get $run:expr, $field:ident, U32) => { $run.number($field).map(|n| n as u32) };
    (@get $run:expr, $field:ident, U64) => { $run.number($field) };
    (@get $run:expr, $field:ident, I32) => { $run.number($field).map(|n| n as i32) };
    (@get $run:expr, $field:ident, Decimal) => { $run.number($field).map(Decimal::from_bits) };
    (@get $run:expr, $field:ident, Bool) => { $run.boolean($field) };
}

run_fields! {
    // The document (entry 0: the decoder starts there), then the run or the API's error.
    [] Root._ = "": Object(Root);
    [] Root._ = "data": Object(Run);
    [] Root._ = "error": Object(Error);
    /// `error.type`: the kind of error, for code to act on.
    [] Error.error_type = "type": Enum(ErrorType, 48);
    /// `error.message`, for people (capacity 384; real ones pass 300 bytes).
    [] Error.message = "message": Text(384);
    [] Error._ = "data": ErrorData;

    /// `id` (capacity 24; IDs are 17 characters today, the API does not promise it).
    [] Run.id = "id": Text(24);
    /// `actId`: the Actor's ID, or `username~name` in some bodies (capacity 40).
    ["details"] Run.act_id = "actId": Text(40);
    /// `userId`: who started the run (capacity 24).
    ["details"] Run.user_id = "userId": Text(24);
    /// `actorTaskId`: set for task runs (capacity 24).
    ["details"] Run.actor_task_id = "actorTaskId": Text(24);
    /// `startedAt`.
    [] Run.started_at = "startedAt": Timestamp;
    /// `finishedAt`: `None` while the run is going. Never derive the status from it.
    [] Run.finished_at = "finishedAt": Timestamp;
    /// `status`.
    [] Run.status = "status": Enum(RunStatus, 16);
    /// `statusMessage` set by the Actor (capacity 192).
    [] Run.status_message = "statusMessage": Text(192);
    /// `isStatusMessageTerminal`.
    ["details"] Run.is_status_message_terminal = "isStatusMessageTerminal": Bool;
    ["meta"] Run._ = "meta": Object(Meta);
    ["details"] Run._ = "pricingInfo": Object(PricingInfo);
    ["stats"] Run._ = "stats": Object(Stats);
    ["options"] Run._ = "options": Object(Options);
    /// `buildId` (capacity 24).
    ["details"] Run.build_id = "buildId": Text(24);
    /// `exitCode`: `None` until the process exits.
    [] Run.exit_code = "exitCode": I32;
    /// `generalAccess`.
    ["details"] Run.general_access = "generalAccess": Enum(GeneralAccess, 32);
    /// `defaultKeyValueStoreId` (capacity 24).
    [] Run.default_key_value_store_id = "defaultKeyValueStoreId": Text(24);
    /// `defaultDatasetId` (capacity 24): pass it to Get dataset items.
    [] Run.default_dataset_id = "defaultDatasetId": Text(24);
    /// `defaultRequestQueueId` (capacity 24).
    ["details"] Run.default_request_queue_id = "defaultRequestQueueId": Text(24);
    /// `buildNumber`, such as `0.2.2`: a string, never a number (capacity 16).
    ["details"] Run.build_number = "buildNumber": Text(16);
    /// `containerUrl` (capacity 40; the API's form, `https://` and 12 characters on
    /// `.runs.apify.net`, takes 35).
    ["details"] Run.container_url = "containerUrl": Text(40);
    /// `isContainerServerReady`.
    ["details"] Run.is_container_server_ready = "isContainerServerReady": Bool;
    /// `gitBranchName` (capacity 32).
    ["details"] Run.git_branch_name = "gitBranchName": Text(32);
    ["usage"] Run._ = "usage": Object(Usage);
    /// `usageTotalUsd` (hidden without a token).
    [] Run.usage_total_usd = "usageTotalUsd": Decimal;
    ["usage"] Run._ = "usageUsd": Object(UsageUsd);
    ["details"] Run._ = "metamorphs": Array(Metamorphs);
    /// `platformUsageBillingModel`.
    ["details"] Run.platform_usage_billing_model = "platformUsageBillingModel": Enum(UsageBillingModel, 16);

    /// `origin`.
    ["meta"] Meta.origin = "origin": Enum(Origin, 16);
    /// `clientIp` (capacity 40).
    ["meta"] Meta.client_ip = "clientIp": Text(40);
    /// `userAgent` of the client that started the run (capacity 64: the JavaScript client's
    /// 57-byte `ApifyClient/2.25.1 (linux; Node/v20.11.0); isAtHome/false` fits; a browser's
    /// agent is cut and flagged).
    ["meta"] Meta.user_agent = "userAgent": Text(64);
    /// `scheduleId` (capacity 24).
    ["meta"] Meta.schedule_id = "scheduleId": Text(24);
    /// `scheduledAt`.
    ["meta"] Meta.scheduled_at = "scheduledAt": Timestamp;

    /// `pricingInfo.pricingModel` (paid Store Actors only).
    ["details"] PricingInfo.pricing_model = "pricingModel": Enum(PricingModel, 24);

    /// `inputBodyLen`: bytes of input.
    ["stats"] Stats.input_body_len = "inputBodyLen": U64;
    /// `migrationCount`: times the run migrated to another worker.
    ["stats"] Stats.migration_count = "migrationCount": U64;
    /// `rebootCount`: reboots.
    ["stats"] Stats.reboot_count = "rebootCount": U64;
    /// `restartCount`: restarts.
    ["stats"] Stats.restart_count = "restartCount": U64;
    /// `resurrectCount`: resurrections.
    ["stats"] Stats.resurrect_count = "resurrectCount": U64;
    /// `memAvgBytes`: average memory use in bytes.
    ["stats"] Stats.mem_avg_bytes = "memAvgBytes": Decimal;
    /// `memMaxBytes`: peak memory use in bytes.
    ["stats"] Stats.mem_max_bytes = "memMaxBytes": U64;
    /// `memCurrentBytes`: current memory use in bytes.
    ["stats"] Stats.mem_current_bytes = "memCurrentBytes": U64;
    /// `cpuAvgUsage`: average CPU use in percent (may pass 100).
    ["stats"] Stats.cpu_avg_usage = "cpuAvgUsage": Decimal;
    /// `cpuMaxUsage`: peak CPU use in percent.
    ["stats"] Stats.cpu_max_usage = "cpuMaxUsage": Decimal;
    /// `cpuCurrentUsage`: current CPU use in percent.
    ["stats"] Stats.cpu_current_usage = "cpuCurrentUsage": Decimal;
    /// `netRxBytes`: bytes received.
    ["stats"] Stats.net_rx_bytes = "netRxBytes": U64;
    /// `netTxBytes`: bytes sent.
    ["stats"] Stats.net_tx_bytes = "netTxBytes": U64;
    /// `durationMillis`: run time in milliseconds.
    ["stats"] Stats.duration_millis = "durationMillis": U64;
    /// `runTimeSecs`: run time in seconds.
    ["stats"] Stats.run_time_secs = "runTimeSecs": Decimal;
    /// `metamorph`: metamorph count.
    ["stats"] Stats.metamorph = "metamorph": U64;
    /// `computeUnits`: compute units used.
    ["stats"] Stats.compute_units = "computeUnits": Decimal;

    /// `build` tag (capacity 24).
    ["options"] Options.build = "build": Text(24);
    /// `timeoutSecs`.
    ["options"] Options.timeout_secs = "timeoutSecs": U32;
    /// `memoryMbytes`.
    ["options"] Options.memory_mbytes = "memoryMbytes": U32;
    /// `diskMbytes`.
    ["options"] Options.disk_mbytes = "diskMbytes": U32;
    /// `maxItems`.
    ["options"] Options.max_items = "maxItems": U64;
    /// `maxTotalChargeUsd`.
    ["options"] Options.max_total_charge_usd = "maxTotalChargeUsd": Decimal;
    /// `restartOnError`.
    ["options"] Options.restart_on_error = "restartOnError": Bool;

    // `usage` and `usageUsd`: in `UsageItem` order (read through `Run::usage`).
    ["usage"] Usage._ = "ACTOR_COMPUTE_UNITS": Decimal;
    ["usage"] Usage._ = "DATASET_READS": Decimal;
    ["usage"] Usage._ = "DATASET_WRITES": Decimal;
    ["usage"] Usage._ = "KEY_VALUE_STORE_READS": Decimal;
    ["usage"] Usage._ = "KEY_VALUE_STORE_WRITES": Decimal;
    ["usage"] Usage._ = "KEY_VALUE_STORE_LISTS": Decimal;
    ["usage"] Usage._ = "REQUEST_QUEUE_READS": Decimal;
    ["usage"] Usage._ = "REQUEST_QUEUE_WRITES": Decimal;
    ["usage"] Usage._ = "DATA_TRANSFER_INTERNAL_GBYTES": Decimal;
    ["usage"] Usage._ = "DATA_TRANSFER_EXTERNAL_GBYTES": Decimal;
    ["usage"] Usage._ = "PROXY_RESIDENTIAL_TRANSFER_GBYTES": Decimal;
    ["usage"] Usage._ = "PROXY_SERPS": Decimal;
    ["usage"] UsageUsd._ = "ACTOR_COMPUTE_UNITS": Decimal;
    ["usage"] UsageUsd._ = "DATASET_READS": Decimal;
    ["usage"] UsageUsd._ = "DATASET_WRITES": Decimal;
    ["usage"] UsageUsd._ = "KEY_VALUE_STORE_READS": Decimal;
    ["usage"] UsageUsd._ = "KEY_VALUE_STORE_WRITES": Decimal;
    ["usage"] UsageUsd._ = "KEY_VALUE_STORE_LISTS": Decimal;
    ["usage"] UsageUsd._ = "REQUEST_QUEUE_READS": Decimal;
    ["usage"] UsageUsd._ = "REQUEST_QUEUE_WRITES": Decimal;
    ["usage"] UsageUsd._ = "DATA_TRANSFER_INTERNAL_GBYTES": Decimal;
    ["usage"] UsageUsd._ = "DATA_TRANSFER_EXTERNAL_GBYTES": Decimal;
    ["usage"] UsageUsd._ = "PROXY_RESIDENTIAL_TRANSFER_GBYTES": Decimal;
    ["usage"] UsageUsd._ = "PROXY_SERPS": Decimal;

    // `metamorphs`: how many, and the last one (read through `Run::last_metamorph`).
    ["details"] Metamorphs._ = "": Object(Metamorph);
    /// `createdAt`.
    ["details"] Metamorph.created_at = "createdAt": Timestamp;
    /// `actorId` (capacity 24).
    ["details"] Metamorph.actor_id = "actorId": Text(24);
    /// `buildId` (capacity 24).
    ["details"] Metamorph.build_id = "buildId": Text(24);
    /// `inputKey` (capacity 24).
    ["details"] Metamorph.input_key = "inputKey": Text(24);
}

/// Other spellings of a key: `(object, key, the field's own key)`.
pub(crate) const ALIASES: &[(Ctx, &str, &str)] = &[
    // The API documentation's spelling.
    #[cfg(feature = "usage")]
    (Ctx::Usage, "DATA_TRANSFER_EXTERNAL_GBYTES?", "DATA_TRANSFER_EXTERNAL_GBYTES"),
    #[cfg(feature = "usage")]
    (Ctx::UsageUsd, "DATA_TRANSFER_EXTERNAL_GBYTES?", "DATA_TRANSFER_EXTERNAL_GBYTES"),
];
