//! The run object (`data` of Run task, Get run, Abort run), field by field.

use super::{GeneralAccess, Origin, PricingModel, RunStatus, Text, Timestamp, UsageBillingModel};
use crate::Decimal;

/// Text capacity of ID fields (IDs are 17 characters today; the API does not promise it).
pub const ID_CAPACITY: usize = 24;

/// An ID field's text.
pub type Id = Text<ID_CAPACITY>;

/// A run of an Actor or task, as `GET /v2/actor-runs/{id}` returns it.
///
/// Every field is optional: the spec requires some, but real bodies drop "required" fields
/// (older ones have no `generalAccess`, READY runs carry few stats), so absence is `None`,
/// never an error. Unknown fields are skipped. Not kept, to stay within the memory budget,
/// but reachable while decoding with [`json::Select`](crate::json::Select):
/// `chargedEventCounts`, `accountedChargedEventCounts`, `storageIds` (their `default` entries
/// equal the `default*Id` fields), `pricingInfo` beyond its model, `consoleUrl` (it is
/// `https://console.apify.com/view/runs/{id}`) and all but the last of `metamorphs`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Run {
    /// `id` (capacity 24).
    pub id: Option<Id>,
    /// `actId`: the Actor's ID, or `username~name` in some bodies (capacity 40).
    pub act_id: Option<Text<40>>,
    /// `userId`: who started the run (capacity 24).
    pub user_id: Option<Id>,
    /// `actorTaskId`: set for task runs (capacity 24).
    pub actor_task_id: Option<Id>,
    /// `startedAt`.
    pub started_at: Option<Timestamp>,
    /// `finishedAt`: `None` while the run is going. Never derive the status from it.
    pub finished_at: Option<Timestamp>,
    /// `status`.
    pub status: Option<RunStatus>,
    /// `statusMessage` set by the Actor (capacity 192).
    pub status_message: Option<Text<192>>,
    /// `isStatusMessageTerminal`.
    pub is_status_message_terminal: Option<bool>,
    /// `meta`.
    pub meta: RunMeta,
    /// `pricingInfo.pricingModel` (paid Store Actors only).
    pub pricing_model: Option<PricingModel>,
    /// `stats`.
    pub stats: RunStats,
    /// `options`: the settings the run started with.
    pub options: RunConfig,
    /// `buildId` (capacity 24).
    pub build_id: Option<Id>,
    /// `exitCode`: `None` until the process exits.
    pub exit_code: Option<i32>,
    /// `generalAccess`.
    pub general_access: Option<GeneralAccess>,
    /// `defaultKeyValueStoreId` (capacity 24).
    pub default_key_value_store_id: Option<Id>,
    /// `defaultDatasetId` (capacity 24): pass it to Get dataset items.
    pub default_dataset_id: Option<Id>,
    /// `defaultRequestQueueId` (capacity 24).
    pub default_request_queue_id: Option<Id>,
    /// `buildNumber`, such as `0.2.2`: a string, never a number (capacity 16).
    pub build_number: Option<Text<16>>,
    /// `containerUrl` (capacity 40; the API's form, `https://` and 12 characters on
    /// `.runs.apify.net`, takes 35).
    pub container_url: Option<Text<40>>,
    /// `isContainerServerReady`.
    pub is_container_server_ready: Option<bool>,
    /// `gitBranchName` (capacity 32).
    pub git_branch_name: Option<Text<32>>,
    /// `usage`: amounts per service.
    pub usage: Option<Usage>,
    /// `usageTotalUsd` (hidden without a token).
    pub usage_total_usd: Option<Decimal>,
    /// `usageUsd`: USD per service.
    pub usage_usd: Option<Usage>,
    /// How many entries `metamorphs` had.
    pub metamorph_count: u16,
    /// The last entry of `metamorphs`: the Actor the run turned into.
    pub last_metamorph: Option<Metamorph>,
    /// `platformUsageBillingModel`.
    pub platform_usage_billing_model: Option<UsageBillingModel>,
}

impl Run {
    /// A run with no fields set.
    pub const EMPTY: Run = Run {
        id: None,
        act_id: None,
        user_id: None,
        actor_task_id: None,
        started_at: None,
        finished_at: None,
        status: None,
        status_message: None,
        is_status_message_terminal: None,
        meta: RunMeta::EMPTY,
        pricing_model: None,
        stats: RunStats::EMPTY,
        options: RunConfig::EMPTY,
        build_id: None,
        exit_code: None,
        general_access: None,
        default_key_value_store_id: None,
        default_dataset_id: None,
        default_request_queue_id: None,
        build_number: None,
        container_url: None,
        is_container_server_ready: None,
        git_branch_name: None,
        usage: None,
        usage_total_usd: None,
        usage_usd: None,
        metamorph_count: 0,
        last_metamorph: None,
        platform_usage_billing_model: None,
    };

    /// Whether the status is terminal (see [`RunStatus::is_terminal`]).
    pub fn is_terminal(&self) -> bool {
        self.status.as_ref().is_some_and(RunStatus::is_terminal)
    }
}

/// `meta`: how the run was started.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RunMeta {
    /// `origin`.
    pub origin: Option<Origin>,
    /// `clientIp` (capacity 40).
    pub client_ip: Option<Text<40>>,
    /// `userAgent` of the client that started the run (capacity 64: the JavaScript client's
    /// 57-byte `ApifyClient/2.25.1 (linux; Node/v20.11.0); isAtHome/false` fits; a browser's
    /// agent is cut and flagged).
    pub user_agent: Option<Text<64>>,
    /// `scheduleId` (capacity 24).
    pub schedule_id: Option<Id>,
    /// `scheduledAt`.
    pub scheduled_at: Option<Timestamp>,
}

impl RunMeta {
    /// No fields set.
    pub const EMPTY: RunMeta =
        RunMeta { origin: None, client_ip: None, user_agent: None, schedule_id: None, scheduled_at: None };
}

/// `options`: the settings the run started with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RunConfig {
    /// `build` tag (capacity 24).
    pub build: Option<Text<24>>,
    /// `timeoutSecs`.
    pub timeout_secs: Option<u32>,
    /// `memoryMbytes`.
    pub memory_mbytes: Option<u32>,
    /// `diskMbytes`.
    pub disk_mbytes: Option<u32>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `maxTotalChargeUsd`.
    pub max_total_charge_usd: Option<Decimal>,
    /// `restartOnError`.
    pub restart_on_error: Option<bool>,
}

impl RunConfig {
    /// No fields set.
    pub const EMPTY: RunConfig = RunConfig {
        build: None,
        timeout_secs: None,
        memory_mbytes: None,
        disk_mbytes: None,
        max_items: None,
        max_total_charge_usd: None,
        restart_on_error: None,
    };
}

/// One entry of `metamorphs`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Metamorph {
    /// `createdAt`.
    pub created_at: Option<Timestamp>,
    /// `actorId` (capacity 24).
    pub actor_id: Option<Id>,
    /// `buildId` (capacity 24).
    pub build_id: Option<Id>,
    /// `inputKey` (capacity 24).
    pub input_key: Option<Text<24>>,
}

/// A stored number: an integer field's value, or a fraction field's [`Decimal`] bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberKind {
    Integer,
    Fraction,
}

macro_rules! stats {
    ($( $index:literal $field:ident $key:literal $kind:ident $ty:ty, $doc:literal; )*) => {
        /// `stats`: resource use. Values are exact; `None` where the body had none (a READY
        /// run carries only counters). 17 slots of 8 bytes plus a presence mask.
        #[derive(Clone, Copy, PartialEq, Eq, Default)]
        pub struct RunStats {
            values: [u64; 17],
            present: u32,
        }

        impl RunStats {
            /// No fields set.
            pub const EMPTY: RunStats = RunStats { values: [0; 17], present: 0 };

            /// Keys and kinds in slot order, for the decoder.
            pub(crate) const KEYS: [(&'static str, NumberKind); 17] = [$( ($key, NumberKind::$kind), )*];

            /// The slot of `key` (a `match`, which compiles to a few comparisons).
            pub(crate) fn slot(key: &str) -> Option<u8> {
                match key {
                    $( $key => Some($index), )*
                    _ => None,
                }
            }

            $(
                #[doc = concat!("`", $key, "`: ", $doc)]
                pub fn $field(&self) -> Option<$ty> {
                    stats!(@get self, $index, $kind)
                }
            )*

            /// The stored bits of `slot` (an integer, or a Decimal's bits).
            pub(crate) fn raw(&self, slot: usize) -> Option<u64> {
                (self.present & (1 << slot) != 0).then(|| self.values[slot])
            }

            pub(crate) fn set(&mut self, slot: usize, raw: Option<u64>) {
                match raw {
                    Some(v) => {
                        self.values[slot] = v;
                        self.present |= 1 << slot;
                    }
                    None => self.present &= !(1 << slot),
                }
            }
        }

        impl core::fmt::Debug for RunStats {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                let mut s = f.debug_struct("RunStats");
                $( if let Some(v) = self.$field() { s.field(stringify!($field), &v); } )*
                s.finish()
            }
        }
    };
    (@get $self:ident, $index:literal, Integer) => {
        ($self.present & (1 << $index) != 0).then(|| $self.values[$index])
    };
    (@get $self:ident, $index:literal, Fraction) => {
        ($self.present & (1 << $index) != 0).then(|| crate::decimal::Decimal::from_bits($self.values[$index]))
    };
}

stats! {
    0 input_body_len "inputBodyLen" Integer u64, "bytes of input.";
    1 migration_count "migrationCount" Integer u64, "times the run migrated to another worker.";
    2 reboot_count "rebootCount" Integer u64, "reboots.";
    3 restart_count "restartCount" Integer u64, "restarts.";
    4 resurrect_count "resurrectCount" Integer u64, "resurrections.";
    5 mem_avg_bytes "memAvgBytes" Fraction Decimal, "average memory use in bytes.";
    6 mem_max_bytes "memMaxBytes" Integer u64, "peak memory use in bytes.";
    7 mem_current_bytes "memCurrentBytes" Integer u64, "current memory use in bytes.";
    8 cpu_avg_usage "cpuAvgUsage" Fraction Decimal, "average CPU use in percent (may pass 100).";
    9 cpu_max_usage "cpuMaxUsage" Fraction Decimal, "peak CPU use in percent.";
    10 cpu_current_usage "cpuCurrentUsage" Fraction Decimal, "current CPU use in percent.";
    11 net_rx_bytes "netRxBytes" Integer u64, "bytes received.";
    12 net_tx_bytes "netTxBytes" Integer u64, "bytes sent.";
    13 duration_millis "durationMillis" Integer u64, "run time in milliseconds.";
    14 run_time_secs "runTimeSecs" Fraction Decimal, "run time in seconds.";
    15 metamorph "metamorph" Integer u64, "metamorph count.";
    16 compute_units "computeUnits" Fraction Decimal, "compute units used.";
}

/// A service counted in `usage` and `usageUsd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UsageItem {
    /// `ACTOR_COMPUTE_UNITS`
    ActorComputeUnits,
    /// `DATASET_READS`
    DatasetReads,
    /// `DATASET_WRITES`
    DatasetWrites,
    /// `KEY_VALUE_STORE_READS`
    KeyValueStoreReads,
    /// `KEY_VALUE_STORE_WRITES`
    KeyValueStoreWrites,
    /// `KEY_VALUE_STORE_LISTS`
    KeyValueStoreLists,
    /// `REQUEST_QUEUE_READS`
    RequestQueueReads,
    /// `REQUEST_QUEUE_WRITES`
    RequestQueueWrites,
    /// `DATA_TRANSFER_INTERNAL_GBYTES`
    DataTransferInternalGbytes,
    /// `DATA_TRANSFER_EXTERNAL_GBYTES` (also read from the documentation's
    /// `DATA_TRANSFER_EXTERNAL_GBYTES?` spelling)
    DataTransferExternalGbytes,
    /// `PROXY_RESIDENTIAL_TRANSFER_GBYTES`
    ProxyResidentialTransferGbytes,
    /// `PROXY_SERPS`
    ProxySerps,
}

impl UsageItem {
    /// Every item, in the API's order.
    pub const ALL: [UsageItem; 12] = [
        Self::ActorComputeUnits,
        Self::DatasetReads,
        Self::DatasetWrites,
        Self::KeyValueStoreReads,
        Self::KeyValueStoreWrites,
        Self::KeyValueStoreLists,
        Self::RequestQueueReads,
        Self::RequestQueueWrites,
        Self::DataTransferInternalGbytes,
        Self::DataTransferExternalGbytes,
        Self::ProxyResidentialTransferGbytes,
        Self::ProxySerps,
    ];

    /// The API's key.
    pub const fn key(self) -> &'static str {
        match self {
            Self::ActorComputeUnits => "ACTOR_COMPUTE_UNITS",
            Self::DatasetReads => "DATASET_READS",
            Self::DatasetWrites => "DATASET_WRITES",
            Self::KeyValueStoreReads => "KEY_VALUE_STORE_READS",
            Self::KeyValueStoreWrites => "KEY_VALUE_STORE_WRITES",
            Self::KeyValueStoreLists => "KEY_VALUE_STORE_LISTS",
            Self::RequestQueueReads => "REQUEST_QUEUE_READS",
            Self::RequestQueueWrites => "REQUEST_QUEUE_WRITES",
            Self::DataTransferInternalGbytes => "DATA_TRANSFER_INTERNAL_GBYTES",
            Self::DataTransferExternalGbytes => "DATA_TRANSFER_EXTERNAL_GBYTES",
            Self::ProxyResidentialTransferGbytes => "PROXY_RESIDENTIAL_TRANSFER_GBYTES",
            Self::ProxySerps => "PROXY_SERPS",
        }
    }

    /// The item a key names, including the `…_GBYTES?` spelling.
    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "ACTOR_COMPUTE_UNITS" => Self::ActorComputeUnits,
            "DATASET_READS" => Self::DatasetReads,
            "DATASET_WRITES" => Self::DatasetWrites,
            "KEY_VALUE_STORE_READS" => Self::KeyValueStoreReads,
            "KEY_VALUE_STORE_WRITES" => Self::KeyValueStoreWrites,
            "KEY_VALUE_STORE_LISTS" => Self::KeyValueStoreLists,
            "REQUEST_QUEUE_READS" => Self::RequestQueueReads,
            "REQUEST_QUEUE_WRITES" => Self::RequestQueueWrites,
            "DATA_TRANSFER_INTERNAL_GBYTES" => Self::DataTransferInternalGbytes,
            "DATA_TRANSFER_EXTERNAL_GBYTES" | "DATA_TRANSFER_EXTERNAL_GBYTES?" => {
                Self::DataTransferExternalGbytes
            }
            "PROXY_RESIDENTIAL_TRANSFER_GBYTES" => Self::ProxyResidentialTransferGbytes,
            "PROXY_SERPS" => Self::ProxySerps,
            _ => return None,
        })
    }
}

/// `usage` or `usageUsd`: an exact amount per [`UsageItem`], `None` where absent or `null`.
///
/// ```
/// use apify_core::model::{Usage, UsageItem};
///
/// let usage = Usage::default();
/// assert_eq!(usage.get(UsageItem::DatasetReads), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    values: [Option<Decimal>; 12],
}

impl Usage {
    /// No amounts.
    pub const EMPTY: Usage = Usage { values: [None; 12] };

    /// The amount for `item`.
    pub fn get(&self, item: UsageItem) -> Option<Decimal> {
        self.values[item as usize]
    }

    /// The amounts present, in the API's order.
    pub fn iter(&self) -> impl Iterator<Item = (UsageItem, Decimal)> + '_ {
        UsageItem::ALL.into_iter().filter_map(|item| Some((item, self.get(item)?)))
    }

    pub(crate) fn set(&mut self, item: UsageItem, value: Option<Decimal>) {
        self.values[item as usize] = value;
    }
}

impl core::fmt::Debug for Usage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.iter().map(|(item, v)| (item.key(), v))).finish()
    }
}
