//! The model's fields: which key names which field in each known object, the JSON type each
//! field takes, and where it sits in the document (for error messages).

use super::FieldPath;
use crate::model::{NumberKind, RunStats, UsageItem};

/// Objects the model knows; deeper or unknown containers are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ctx {
    Root,
    Run,
    Meta,
    Stats,
    Options,
    Usage,
    UsageUsd,
    PricingInfo,
    Metamorphs,
    Metamorph,
    Error,
}

/// Known containers nest at most this deep (`data.metamorphs[].…`).
pub(super) const MAX_CTX: usize = 4;

/// The destination of the next value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    /// Between members: a key must come first.
    None,
    /// A value nobody keeps.
    Skip,
    Root,
    Data,
    Error,
    Id,
    ActId,
    UserId,
    ActorTaskId,
    StartedAt,
    FinishedAt,
    Status,
    StatusMessage,
    IsStatusMessageTerminal,
    Meta,
    PricingInfo,
    Stats,
    Options,
    BuildId,
    ExitCode,
    GeneralAccess,
    DefaultKeyValueStoreId,
    DefaultDatasetId,
    DefaultRequestQueueId,
    BuildNumber,
    ContainerUrl,
    IsContainerServerReady,
    GitBranchName,
    Usage,
    UsageTotalUsd,
    UsageUsd,
    Metamorphs,
    PlatformUsageBillingModel,
    Origin,
    ClientIp,
    UserAgent,
    ScheduleId,
    ScheduledAt,
    Stat(u8),
    Build,
    TimeoutSecs,
    MemoryMbytes,
    DiskMbytes,
    MaxItems,
    MaxTotalChargeUsd,
    RestartOnError,
    UsageValue(UsageItem),
    UsageUsdValue(UsageItem),
    PricingModel,
    MetamorphItem,
    MetamorphCreatedAt,
    MetamorphActorId,
    MetamorphBuildId,
    MetamorphInputKey,
    ErrorType,
    ErrorMessage,
    ErrorData,
}

/// The JSON type a field takes, for type checks and error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Any,
    Object,
    Array,
    Text,
    /// A string parsed on its last fragment (enums, timestamps).
    ParsedText,
    Integer,
    Number,
    Bool,
}

impl Shape {
    pub(super) const fn expected(self) -> &'static str {
        match self {
            Self::Any => "any value",
            Self::Object => "an object",
            Self::Array => "an array",
            Self::Text | Self::ParsedText => "a string",
            Self::Integer => "an integer",
            Self::Number => "a number",
            Self::Bool => "a boolean",
        }
    }
}

impl Field {
    pub(super) fn shape(self) -> Shape {
        use Field as F;
        match self {
            F::None | F::Skip | F::ErrorData => Shape::Any,
            F::Root
            | F::Data
            | F::Error
            | F::Meta
            | F::PricingInfo
            | F::Stats
            | F::Options
            | F::Usage
            | F::UsageUsd
            | F::MetamorphItem => Shape::Object,
            F::Metamorphs => Shape::Array,
            F::Id
            | F::ActId
            | F::UserId
            | F::ActorTaskId
            | F::StatusMessage
            | F::BuildId
            | F::DefaultKeyValueStoreId
            | F::DefaultDatasetId
            | F::DefaultRequestQueueId
            | F::BuildNumber
            | F::ContainerUrl
            | F::GitBranchName
            | F::ClientIp
            | F::UserAgent
            | F::ScheduleId
            | F::Build
            | F::MetamorphActorId
            | F::MetamorphBuildId
            | F::MetamorphInputKey
            | F::ErrorMessage => Shape::Text,
            F::StartedAt
            | F::FinishedAt
            | F::Status
            | F::GeneralAccess
            | F::PlatformUsageBillingModel
            | F::Origin
            | F::ScheduledAt
            | F::PricingModel
            | F::MetamorphCreatedAt
            | F::ErrorType => Shape::ParsedText,
            F::ExitCode | F::TimeoutSecs | F::MemoryMbytes | F::DiskMbytes | F::MaxItems => Shape::Integer,
            F::Stat(slot) => match RunStats::KEYS[slot as usize].1 {
                NumberKind::Integer => Shape::Integer,
                NumberKind::Fraction => Shape::Number,
            },
            F::UsageTotalUsd | F::MaxTotalChargeUsd | F::UsageValue(_) | F::UsageUsdValue(_) => Shape::Number,
            F::IsStatusMessageTerminal | F::IsContainerServerReady | F::RestartOnError => Shape::Bool,
        }
    }

    /// Where the field sits in the document, for error messages.
    pub(super) fn path(self) -> FieldPath {
        use Field as F;
        let (parent, key) = match self {
            F::None | F::Skip | F::Root => ("", "(document)"),
            F::Data => ("", "data"),
            F::Error => ("", "error"),
            F::Id => ("data", "id"),
            F::ActId => ("data", "actId"),
            F::UserId => ("data", "userId"),
            F::ActorTaskId => ("data", "actorTaskId"),
            F::StartedAt => ("data", "startedAt"),
            F::FinishedAt => ("data", "finishedAt"),
            F::Status => ("data", "status"),
            F::StatusMessage => ("data", "statusMessage"),
            F::IsStatusMessageTerminal => ("data", "isStatusMessageTerminal"),
            F::Meta => ("data", "meta"),
            F::PricingInfo => ("data", "pricingInfo"),
            F::Stats => ("data", "stats"),
            F::Options => ("data", "options"),
            F::BuildId => ("data", "buildId"),
            F::ExitCode => ("data", "exitCode"),
            F::GeneralAccess => ("data", "generalAccess"),
            F::DefaultKeyValueStoreId => ("data", "defaultKeyValueStoreId"),
            F::DefaultDatasetId => ("data", "defaultDatasetId"),
            F::DefaultRequestQueueId => ("data", "defaultRequestQueueId"),
            F::BuildNumber => ("data", "buildNumber"),
            F::ContainerUrl => ("data", "containerUrl"),
            F::IsContainerServerReady => ("data", "isContainerServerReady"),
            F::GitBranchName => ("data", "gitBranchName"),
            F::Usage => ("data", "usage"),
            F::UsageTotalUsd => ("data", "usageTotalUsd"),
            F::UsageUsd => ("data", "usageUsd"),
            F::Metamorphs => ("data", "metamorphs"),
            F::PlatformUsageBillingModel => ("data", "platformUsageBillingModel"),
            F::Origin => ("data.meta", "origin"),
            F::ClientIp => ("data.meta", "clientIp"),
            F::UserAgent => ("data.meta", "userAgent"),
            F::ScheduleId => ("data.meta", "scheduleId"),
            F::ScheduledAt => ("data.meta", "scheduledAt"),
            F::Stat(slot) => ("data.stats", RunStats::KEYS[slot as usize].0),
            F::Build => ("data.options", "build"),
            F::TimeoutSecs => ("data.options", "timeoutSecs"),
            F::MemoryMbytes => ("data.options", "memoryMbytes"),
            F::DiskMbytes => ("data.options", "diskMbytes"),
            F::MaxItems => ("data.options", "maxItems"),
            F::MaxTotalChargeUsd => ("data.options", "maxTotalChargeUsd"),
            F::RestartOnError => ("data.options", "restartOnError"),
            F::UsageValue(item) => ("data.usage", item.key()),
            F::UsageUsdValue(item) => ("data.usageUsd", item.key()),
            F::PricingModel => ("data.pricingInfo", "pricingModel"),
            F::MetamorphItem => ("data", "metamorphs[]"),
            F::MetamorphCreatedAt => ("data.metamorphs[]", "createdAt"),
            F::MetamorphActorId => ("data.metamorphs[]", "actorId"),
            F::MetamorphBuildId => ("data.metamorphs[]", "buildId"),
            F::MetamorphInputKey => ("data.metamorphs[]", "inputKey"),
            F::ErrorType => ("error", "type"),
            F::ErrorMessage => ("error", "message"),
            F::ErrorData => ("error", "data"),
        };
        FieldPath { parent, key }
    }
}

/// The member `key` names inside an object of kind `ctx`.
pub(super) fn lookup(ctx: Ctx, key: &str) -> Field {
    use Field as F;
    match ctx {
        Ctx::Root => match key {
            "data" => F::Data,
            "error" => F::Error,
            _ => F::Skip,
        },
        Ctx::Run => match key {
            "id" => F::Id,
            "actId" => F::ActId,
            "userId" => F::UserId,
            "actorTaskId" => F::ActorTaskId,
            "startedAt" => F::StartedAt,
            "finishedAt" => F::FinishedAt,
            "status" => F::Status,
            "statusMessage" => F::StatusMessage,
            "isStatusMessageTerminal" => F::IsStatusMessageTerminal,
            "meta" => F::Meta,
            "pricingInfo" => F::PricingInfo,
            "stats" => F::Stats,
            "options" => F::Options,
            "buildId" => F::BuildId,
            "exitCode" => F::ExitCode,
            "generalAccess" => F::GeneralAccess,
            "defaultKeyValueStoreId" => F::DefaultKeyValueStoreId,
            "defaultDatasetId" => F::DefaultDatasetId,
            "defaultRequestQueueId" => F::DefaultRequestQueueId,
            "buildNumber" => F::BuildNumber,
            "containerUrl" => F::ContainerUrl,
            "isContainerServerReady" => F::IsContainerServerReady,
            "gitBranchName" => F::GitBranchName,
            "usage" => F::Usage,
            "usageTotalUsd" => F::UsageTotalUsd,
            "usageUsd" => F::UsageUsd,
            "metamorphs" => F::Metamorphs,
            "platformUsageBillingModel" => F::PlatformUsageBillingModel,
            _ => F::Skip,
        },
        Ctx::Meta => match key {
            "origin" => F::Origin,
            "clientIp" => F::ClientIp,
            "userAgent" => F::UserAgent,
            "scheduleId" => F::ScheduleId,
            "scheduledAt" => F::ScheduledAt,
            _ => F::Skip,
        },
        Ctx::Stats => RunStats::slot(key).map_or(F::Skip, F::Stat),
        Ctx::Options => match key {
            "build" => F::Build,
            "timeoutSecs" => F::TimeoutSecs,
            "memoryMbytes" => F::MemoryMbytes,
            "diskMbytes" => F::DiskMbytes,
            "maxItems" => F::MaxItems,
            "maxTotalChargeUsd" => F::MaxTotalChargeUsd,
            "restartOnError" => F::RestartOnError,
            _ => F::Skip,
        },
        Ctx::Usage => UsageItem::from_key(key).map_or(F::Skip, F::UsageValue),
        Ctx::UsageUsd => UsageItem::from_key(key).map_or(F::Skip, F::UsageUsdValue),
        Ctx::PricingInfo => {
            if key == "pricingModel" {
                F::PricingModel
            } else {
                F::Skip
            }
        }
        Ctx::Metamorph => match key {
            "createdAt" => F::MetamorphCreatedAt,
            "actorId" => F::MetamorphActorId,
            "buildId" => F::MetamorphBuildId,
            "inputKey" => F::MetamorphInputKey,
            _ => F::Skip,
        },
        Ctx::Error => match key {
            "type" => F::ErrorType,
            "message" => F::ErrorMessage,
            "data" => F::ErrorData,
            _ => F::Skip,
        },
        Ctx::Metamorphs => F::Skip,
    }
}
