//! The API's string enums: run status, origin, access, pricing.

string_enum! {
    /// `status` of a run (`ActorJobStatus`). Hyphens, unlike webhook event names.
    ///
    /// ```
    /// use apify_core::model::RunStatus;
    ///
    /// assert!(RunStatus::from_name("TIMED-OUT").is_terminal());
    /// assert!(!RunStatus::from_name("RUNNING").is_terminal());
    /// assert!(!RunStatus::from_name("SOMETHING-NEW").is_terminal());
    /// ```
    pub enum RunStatus (other: 16) {
        /// Started, not yet placed on a worker.
        Ready = "READY",
        /// Running on a worker.
        Running = "RUNNING",
        /// Finished successfully.
        Succeeded = "SUCCEEDED",
        /// Failed.
        Failed = "FAILED",
        /// Timing out now.
        TimingOut = "TIMING-OUT",
        /// Timed out.
        TimedOut = "TIMED-OUT",
        /// Being aborted.
        Aborting = "ABORTING",
        /// Aborted.
        Aborted = "ABORTED",
    }
}

impl RunStatus {
    /// `SUCCEEDED`, `FAILED`, `TIMED-OUT` or `ABORTED` (also the misspelling `TIMED_OUT`,
    /// which one official client accepts). Unknown statuses are not terminal: keep polling.
    /// A terminal run can still be resurrected.
    pub fn is_terminal(&self) -> bool {
        match self {
            Self::Succeeded | Self::Failed | Self::TimedOut | Self::Aborted => true,
            Self::Other(text) => text.as_str() == "TIMED_OUT",
            _ => false,
        }
    }
}

string_enum! {
    /// `meta.origin`: what started the run.
    pub enum Origin (other: 16) {
        /// Development.
        Development = "DEVELOPMENT",
        /// The web console.
        Web = "WEB",
        /// The API.
        Api = "API",
        /// A schedule.
        Scheduler = "SCHEDULER",
        /// A test.
        Test = "TEST",
        /// A webhook.
        Webhook = "WEBHOOK",
        /// Another Actor.
        Actor = "ACTOR",
        /// The CLI.
        Cli = "CLI",
        /// Continuous integration.
        Ci = "CI",
        /// Standby mode.
        Standby = "STANDBY",
        /// The MCP server.
        Mcp = "MCP",
    }
}

string_enum! {
    /// `generalAccess`: who may read the run.
    pub enum GeneralAccess (other: 16) {
        /// Anyone with the ID.
        AnyoneWithIdCanRead = "ANYONE_WITH_ID_CAN_READ",
        /// Anyone with the name.
        AnyoneWithNameCanRead = "ANYONE_WITH_NAME_CAN_READ",
        /// The user's setting applies.
        FollowUserSetting = "FOLLOW_USER_SETTING",
        /// Only permitted users.
        Restricted = "RESTRICTED",
    }
}

string_enum! {
    /// `pricingInfo.pricingModel` of a paid Store Actor.
    pub enum PricingModel (other: 16) {
        /// Charged per event.
        PayPerEvent = "PAY_PER_EVENT",
        /// Charged per dataset item.
        PricePerDatasetItem = "PRICE_PER_DATASET_ITEM",
        /// A monthly rental.
        FlatPricePerMonth = "FLAT_PRICE_PER_MONTH",
        /// Free.
        Free = "FREE",
    }
}

string_enum! {
    /// `platformUsageBillingModel`: who pays for platform usage.
    pub enum UsageBillingModel (other: 16) {
        /// The user who runs the Actor.
        User = "USER",
        /// The Actor's developer.
        Developer = "DEVELOPER",
    }
}
