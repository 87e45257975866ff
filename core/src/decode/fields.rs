//! Field dispatch: JSON events in, run or error model filled in place.
//!
//! A small stack of contexts says which object of the model the parser is in; a key selects
//! the [`Field`] its value belongs to; a value is checked against the field's type and stored.
//! Anything not modelled is skipped by counting its nesting, whatever its size.

use super::table::{Ctx, Field, MAX_CTX, Shape, lookup};
use super::{DecodeError, JsonKind};
use crate::json::{Event, Fragment, Number, SyntaxError, Visitor};
use crate::model::{
    ApiError, ErrorType, GeneralAccess, Metamorph, Origin, PricingModel, Run, RunStats, RunStatus, Text,
    Timestamp, Usage, UsageBillingModel,
};

/// What has been decoded so far.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // held in place, never moved around
pub(crate) enum Body {
    Empty,
    Run(Run),
    Error(ApiError),
}

/// The visitor that fills the model.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub(crate) body: Body,
    /// Known containers open, innermost last (`ctx[..ctx_len]`).
    ctx: [Ctx; MAX_CTX],
    ctx_len: u8,
    /// While skipping a container: its nesting so far (0 when not skipping).
    skip_depth: u32,
    pending: Field,
    /// A key, or a string value that is parsed when complete, across fragments. Known keys
    /// are at most 33 bytes and valid timestamps at most 35; as long as the longest enum
    /// catch-all (`ErrorType::Other`), so a cut value is cut where a whole one would be.
    scratch: Text<48>,
}

impl Fields {
    pub(crate) const fn new() -> Self {
        Self {
            body: Body::Empty,
            ctx: [Ctx::Root; MAX_CTX],
            ctx_len: 0,
            skip_depth: 0,
            pending: Field::Root,
            scratch: Text::new(),
        }
    }

    /// Applies `f` to the run being decoded. Run fields are only looked up inside `data`,
    /// which creates the run first, so `f` always runs; the check keeps decoding total.
    fn with_run(&mut self, f: impl FnOnce(&mut Run)) {
        if let Body::Run(run) = &mut self.body {
            f(run);
        }
    }

    /// Applies `f` to the error being decoded (see [`with_run`](Self::with_run)).
    fn with_error(&mut self, f: impl FnOnce(&mut ApiError)) {
        if let Body::Error(error) = &mut self.body {
            f(error);
        }
    }

    /// A value of a field kept as any value: only `error.data`'s presence is recorded, whatever
    /// its type (`null` is absence).
    fn any_value(&mut self, field: Field) {
        if field == Field::ErrorData {
            self.with_error(|e| e.has_data = true);
        }
    }

    /// The innermost open known container.
    fn top(&self) -> Option<Ctx> {
        self.ctx_len.checked_sub(1).map(|i| self.ctx[i as usize])
    }

    /// After a value: back to "a key comes next", or to "another element" in an array.
    fn value_done(&mut self) {
        self.pending = match self.top() {
            Some(Ctx::Metamorphs) => Field::MetamorphItem,
            Some(_) => Field::None,
            None => Field::Skip, // the document is complete; the parser refuses more values
        };
    }

    fn mismatch(&self, field: Field, found: JsonKind) -> DecodeError {
        DecodeError::UnexpectedType { field: field.path(), expected: field.shape().expected(), found }
    }

    // Kept out of line: the per-event hot path (keys, text, numbers) stays small.
    #[inline(never)]
    fn open(&mut self, array: bool) -> Result<(), DecodeError> {
        if self.skip_depth > 0 {
            self.skip_depth += 1;
            return Ok(());
        }
        let field = self.pending;
        let found = if array { JsonKind::Array } else { JsonKind::Object };
        let shape = field.shape();
        if shape == Shape::Any {
            self.any_value(field);
            self.skip_depth = 1;
            return Ok(());
        }
        if (shape == Shape::Array) != array || !matches!(shape, Shape::Object | Shape::Array) {
            return Err(self.mismatch(field, found));
        }
        let ctx = match field {
            Field::Root => Ctx::Root,
            Field::Data => {
                self.body = Body::Run(Run::EMPTY);
                Ctx::Run
            }
            Field::Error => {
                self.body = Body::Error(ApiError::EMPTY);
                Ctx::Error
            }
            Field::Meta => Ctx::Meta,
            Field::Stats => Ctx::Stats,
            Field::Options => Ctx::Options,
            Field::Usage => {
                self.with_run(|run| run.usage = Some(Usage::EMPTY));
                Ctx::Usage
            }
            Field::UsageUsd => {
                self.with_run(|run| run.usage_usd = Some(Usage::EMPTY));
                Ctx::UsageUsd
            }
            Field::PricingInfo => Ctx::PricingInfo,
            Field::Metamorphs => {
                self.with_run(|run| {
                    run.metamorph_count = 0;
                    run.last_metamorph = None;
                });
                Ctx::Metamorphs
            }
            _ => {
                // MetamorphItem, the only object field left.
                self.with_run(|run| {
                    run.metamorph_count = run.metamorph_count.saturating_add(1);
                    run.last_metamorph = Some(Metamorph::default());
                });
                Ctx::Metamorph
            }
        };
        // At most MAX_CTX known containers nest, so there is always room.
        if let Some(slot) = self.ctx.get_mut(self.ctx_len as usize) {
            *slot = ctx;
            self.ctx_len += 1;
        }
        self.pending = if ctx == Ctx::Metamorphs { Field::MetamorphItem } else { Field::None };
        Ok(())
    }

    // Kept out of line: the per-event hot path (keys, text, numbers) stays small.
    #[inline(never)]
    fn close(&mut self) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
        } else {
            self.ctx_len = self.ctx_len.saturating_sub(1);
        }
        if self.skip_depth == 0 {
            self.value_done();
        }
    }

    // Inlined into the parser: keys are the most frequent event, and little more than a lookup.
    #[inline(always)]
    fn key(&mut self, f: Fragment<'_>) {
        if self.skip_depth > 0 {
            return;
        }
        let ctx = self.top().unwrap_or(Ctx::Root);
        if let Some(key) = f.whole() {
            self.pending = lookup(ctx, key);
            return;
        }
        if f.first {
            self.scratch.clear();
        }
        self.scratch.push_truncating(f.text);
        if f.last {
            // A key longer than the scratch is no key the model knows.
            self.pending = self.scratch.complete().map_or(Field::Skip, |key| lookup(ctx, key));
        }
    }

    #[inline(never)]
    fn string(&mut self, f: Fragment<'_>) -> Result<(), DecodeError> {
        if self.skip_depth > 0 {
            return Ok(());
        }
        let field = self.pending;
        match field.shape() {
            Shape::Any if f.first => self.any_value(field),
            Shape::Any => {}
            Shape::Text => self.text(field, f),
            Shape::ParsedText => match f.whole() {
                // Usually the string arrives whole: parsed in place, not copied.
                Some(whole) => store_parsed(&mut self.body, field, whole, true)?,
                None => {
                    if f.first {
                        self.scratch.clear();
                    }
                    self.scratch.push_truncating(f.text);
                    if f.last {
                        let complete = !self.scratch.is_truncated();
                        store_parsed(&mut self.body, field, self.scratch.as_str(), complete)?;
                    }
                }
            },
            // Reported on the last fragment, where a one-shot parse would report it: a syntax
            // error later in the string must win whatever the chunking.
            _ if f.last => return Err(self.mismatch(field, JsonKind::String)),
            _ => {}
        }
        if f.last {
            self.value_done();
        }
        Ok(())
    }

    fn text(&mut self, field: Field, f: Fragment<'_>) {
        fn put<const N: usize>(slot: &mut Option<Text<N>>, f: Fragment<'_>) {
            if f.first {
                *slot = Some(Text::new());
            }
            if let Some(text) = slot {
                text.push_truncating(f.text);
            }
        }
        if field == Field::ErrorMessage {
            return self.with_error(|e| put(&mut e.message, f));
        }
        self.with_run(|run| match field {
            Field::Id => put(&mut run.id, f),
            Field::ActId => put(&mut run.act_id, f),
            Field::UserId => put(&mut run.user_id, f),
            Field::ActorTaskId => put(&mut run.actor_task_id, f),
            Field::StatusMessage => put(&mut run.status_message, f),
            Field::BuildId => put(&mut run.build_id, f),
            Field::DefaultKeyValueStoreId => put(&mut run.default_key_value_store_id, f),
            Field::DefaultDatasetId => put(&mut run.default_dataset_id, f),
            Field::DefaultRequestQueueId => put(&mut run.default_request_queue_id, f),
            Field::BuildNumber => put(&mut run.build_number, f),
            Field::ContainerUrl => put(&mut run.container_url, f),
            Field::GitBranchName => put(&mut run.git_branch_name, f),
            Field::ClientIp => put(&mut run.meta.client_ip, f),
            Field::UserAgent => put(&mut run.meta.user_agent, f),
            Field::ScheduleId => put(&mut run.meta.schedule_id, f),
            Field::Build => put(&mut run.options.build, f),
            Field::MetamorphActorId => put(&mut metamorph(run).actor_id, f),
            Field::MetamorphBuildId => put(&mut metamorph(run).build_id, f),
            Field::MetamorphInputKey => put(&mut metamorph(run).input_key, f),
            _ => {}
        });
    }

    #[inline(never)]
    fn number(&mut self, n: Number) -> Result<(), DecodeError> {
        if self.skip_depth > 0 {
            return Ok(());
        }
        let field = self.pending;
        let out_of_range = || DecodeError::NumberOutOfRange { field: field.path() };
        match field.shape() {
            Shape::Any => self.any_value(field),
            Shape::Integer => {
                let v = n.to_u64();
                match field {
                    Field::ExitCode => {
                        let code = n.to_i64().and_then(|v| i32::try_from(v).ok()).ok_or_else(out_of_range)?;
                        self.with_run(|run| run.exit_code = Some(code));
                    }
                    Field::MemoryMbytes | Field::DiskMbytes => {
                        let mb = v.and_then(|v| u32::try_from(v).ok()).ok_or_else(out_of_range)?;
                        self.with_run(|run| match field {
                            Field::MemoryMbytes => run.options.memory_mbytes = Some(mb),
                            _ => run.options.disk_mbytes = Some(mb),
                        });
                    }
                    Field::TimeoutSecs => {
                        let secs = v.and_then(|v| u32::try_from(v).ok()).ok_or_else(out_of_range)?;
                        self.with_run(|run| run.options.timeout_secs = Some(secs));
                    }
                    _ => {
                        let v = v.ok_or_else(out_of_range)?;
                        self.with_run(|run| match field {
                            Field::MaxItems => run.options.max_items = Some(v),
                            Field::Stat(slot) => run.stats.set(slot as usize, Some(v)),
                            _ => {}
                        });
                    }
                }
            }
            Shape::Number => {
                let d = n.to_decimal().ok_or_else(out_of_range)?;
                self.with_run(|run| match field {
                    Field::UsageTotalUsd => run.usage_total_usd = Some(d),
                    Field::MaxTotalChargeUsd => run.options.max_total_charge_usd = Some(d),
                    Field::Stat(slot) => run.stats.set(slot as usize, Some(d.to_bits())),
                    Field::UsageValue(item) => usage(&mut run.usage).set(item, Some(d)),
                    Field::UsageUsdValue(item) => usage(&mut run.usage_usd).set(item, Some(d)),
                    _ => {}
                });
            }
            _ => return Err(self.mismatch(field, JsonKind::Number)),
        }
        self.value_done();
        Ok(())
    }

    // Kept out of line: the per-event hot path (keys, text, numbers) stays small.
    #[inline(never)]
    fn boolean(&mut self, b: bool) -> Result<(), DecodeError> {
        if self.skip_depth > 0 {
            return Ok(());
        }
        let field = self.pending;
        match field.shape() {
            Shape::Any => self.any_value(field),
            Shape::Bool => self.with_run(|run| {
                let slot = match field {
                    Field::IsStatusMessageTerminal => &mut run.is_status_message_terminal,
                    Field::IsContainerServerReady => &mut run.is_container_server_ready,
                    _ => &mut run.options.restart_on_error,
                };
                *slot = Some(b);
            }),
            _ => return Err(self.mismatch(field, JsonKind::Bool)),
        }
        self.value_done();
        Ok(())
    }

    /// `null` means "not set", whatever the field's type.
    // Kept out of line: the per-event hot path (keys, text, numbers) stays small.
    #[inline(never)]
    fn null(&mut self) -> Result<(), DecodeError> {
        if self.skip_depth > 0 {
            return Ok(());
        }
        let field = self.pending;
        if field == Field::Root {
            return Err(self.mismatch(field, JsonKind::Null));
        }
        if matches!(
            field,
            Field::Data | Field::Error | Field::None | Field::Skip | Field::ErrorData | Field::MetamorphItem
        ) {
            self.value_done();
            return Ok(());
        }
        if field == Field::ErrorType {
            self.with_error(|e| e.error_type = None);
        } else if field == Field::ErrorMessage {
            self.with_error(|e| e.message = None);
        } else {
            self.with_run(|run| match field {
                Field::Id => run.id = None,
                Field::ActId => run.act_id = None,
                Field::UserId => run.user_id = None,
                Field::ActorTaskId => run.actor_task_id = None,
                Field::StartedAt => run.started_at = None,
                Field::FinishedAt => run.finished_at = None,
                Field::Status => run.status = None,
                Field::StatusMessage => run.status_message = None,
                Field::IsStatusMessageTerminal => run.is_status_message_terminal = None,
                Field::Meta => run.meta = Default::default(),
                Field::PricingInfo => run.pricing_model = None,
                Field::Stats => run.stats = RunStats::EMPTY,
                Field::Options => run.options = Default::default(),
                Field::BuildId => run.build_id = None,
                Field::ExitCode => run.exit_code = None,
                Field::GeneralAccess => run.general_access = None,
                Field::DefaultKeyValueStoreId => run.default_key_value_store_id = None,
                Field::DefaultDatasetId => run.default_dataset_id = None,
                Field::DefaultRequestQueueId => run.default_request_queue_id = None,
                Field::BuildNumber => run.build_number = None,
                Field::ContainerUrl => run.container_url = None,
                Field::IsContainerServerReady => run.is_container_server_ready = None,
                Field::GitBranchName => run.git_branch_name = None,
                Field::Usage => run.usage = None,
                Field::UsageTotalUsd => run.usage_total_usd = None,
                Field::UsageUsd => run.usage_usd = None,
                Field::Metamorphs => {
                    run.metamorph_count = 0;
                    run.last_metamorph = None;
                }
                Field::PlatformUsageBillingModel => run.platform_usage_billing_model = None,
                Field::Origin => run.meta.origin = None,
                Field::ClientIp => run.meta.client_ip = None,
                Field::UserAgent => run.meta.user_agent = None,
                Field::ScheduleId => run.meta.schedule_id = None,
                Field::ScheduledAt => run.meta.scheduled_at = None,
                Field::Stat(slot) => run.stats.set(slot as usize, None),
                Field::Build => run.options.build = None,
                Field::TimeoutSecs => run.options.timeout_secs = None,
                Field::MemoryMbytes => run.options.memory_mbytes = None,
                Field::DiskMbytes => run.options.disk_mbytes = None,
                Field::MaxItems => run.options.max_items = None,
                Field::MaxTotalChargeUsd => run.options.max_total_charge_usd = None,
                Field::RestartOnError => run.options.restart_on_error = None,
                Field::UsageValue(item) => usage(&mut run.usage).set(item, None),
                Field::UsageUsdValue(item) => usage(&mut run.usage_usd).set(item, None),
                Field::PricingModel => run.pricing_model = None,
                Field::MetamorphCreatedAt => metamorph(run).created_at = None,
                Field::MetamorphActorId => metamorph(run).actor_id = None,
                Field::MetamorphBuildId => metamorph(run).build_id = None,
                Field::MetamorphInputKey => metamorph(run).input_key = None,
                _ => {}
            });
        }
        self.value_done();
        Ok(())
    }
}

/// Stores an enum or timestamp string (`complete` is false when the scratch cut it).
// Kept out of line: the per-event hot path (keys, text, numbers) stays small.
#[inline(never)]
fn store_parsed(body: &mut Body, field: Field, text: &str, complete: bool) -> Result<(), DecodeError> {
    if field == Field::ErrorType {
        if let Body::Error(error) = body {
            error.error_type = Some(ErrorType::from_name_cut(text, !complete));
        }
        return Ok(());
    }
    let Body::Run(run) = body else { return Ok(()) };
    let timestamp = || {
        // A timestamp longer than the scratch cannot be one the API writes.
        complete
            .then(|| Timestamp::parse(text))
            .flatten()
            .ok_or(DecodeError::InvalidTimestamp { field: field.path() })
    };
    match field {
        Field::StartedAt => run.started_at = Some(timestamp()?),
        Field::FinishedAt => run.finished_at = Some(timestamp()?),
        Field::ScheduledAt => run.meta.scheduled_at = Some(timestamp()?),
        Field::MetamorphCreatedAt => metamorph(run).created_at = Some(timestamp()?),
        Field::Status => run.status = Some(RunStatus::from_name_cut(text, !complete)),
        Field::GeneralAccess => run.general_access = Some(GeneralAccess::from_name_cut(text, !complete)),
        Field::PlatformUsageBillingModel => {
            run.platform_usage_billing_model = Some(UsageBillingModel::from_name_cut(text, !complete));
        }
        Field::Origin => run.meta.origin = Some(Origin::from_name_cut(text, !complete)),
        Field::PricingModel => run.pricing_model = Some(PricingModel::from_name_cut(text, !complete)),
        _ => {}
    }
    Ok(())
}

/// The usage map being filled (created when its object opened).
fn usage(slot: &mut Option<Usage>) -> &mut Usage {
    slot.get_or_insert(Usage::EMPTY)
}

/// The metamorph being filled (created when its object opened).
fn metamorph(run: &mut Run) -> &mut Metamorph {
    run.last_metamorph.get_or_insert_with(Metamorph::default)
}

impl Visitor for Fields {
    type Error = DecodeError;

    // Inlined so that each call site, which knows its event's kind, calls the one handler.
    #[inline(always)]
    fn event(&mut self, event: Event<'_>) -> Result<(), DecodeError> {
        match event {
            Event::ObjectStart => self.open(false),
            Event::ArrayStart => self.open(true),
            Event::ObjectEnd | Event::ArrayEnd => {
                self.close();
                Ok(())
            }
            Event::Key(f) => {
                self.key(f);
                Ok(())
            }
            Event::Str(f) => self.string(f),
            Event::Number(n) => self.number(n),
            Event::Bool(b) => self.boolean(b),
            Event::Null => self.null(),
        }
    }
}

impl From<SyntaxError> for DecodeError {
    fn from(e: SyntaxError) -> Self {
        DecodeError::Json(e)
    }
}
