//! Writing the model back out as JSON, with the API's field names and exact numbers.

use core::fmt::{self, Display, Write};

use super::{ApiError, Metamorph, Run, RunStats, Text, Usage, UsageItem};
use crate::model::NumberKind;

/// Writes `value` as a JSON string.
fn string(out: &mut impl Write, value: &dyn Display) -> fmt::Result {
    struct Escape<'w, W>(&'w mut W);
    impl<W: Write> Write for Escape<'_, W> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let mut plain = 0;
            for (i, c) in s.char_indices() {
                let escaped = match c {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    c if (c as u32) < 0x20 => "",
                    _ => continue,
                };
                self.0.write_str(&s[plain..i])?;
                if escaped.is_empty() {
                    write!(self.0, "\\u{:04x}", c as u32)?;
                } else {
                    self.0.write_str(escaped)?;
                }
                plain = i + c.len_utf8();
            }
            self.0.write_str(&s[plain..])
        }
    }
    out.write_char('"')?;
    write!(Escape(out), "{value}")?;
    out.write_char('"')
}

/// An object being written: members are separated by commas, absent values left out.
struct Object<'w, W> {
    out: &'w mut W,
    empty: bool,
}

impl<'w, W: Write> Object<'w, W> {
    fn open(out: &'w mut W) -> Result<Self, fmt::Error> {
        out.write_char('{')?;
        Ok(Self { out, empty: true })
    }

    fn key(&mut self, key: &str) -> fmt::Result {
        if !core::mem::take(&mut self.empty) {
            self.out.write_char(',')?;
        }
        string(self.out, &key)?;
        self.out.write_char(':')
    }

    /// A string member; a truncated [`Text`] ends in `…` (its `Display`).
    fn str(&mut self, key: &str, value: Option<&dyn Display>) -> fmt::Result {
        match value {
            Some(v) => {
                self.key(key)?;
                string(self.out, v)
            }
            None => Ok(()),
        }
    }

    /// A number or boolean member, written as its `Display` (exact for `Decimal`).
    fn raw(&mut self, key: &str, value: Option<&dyn Display>) -> fmt::Result {
        match value {
            Some(v) => {
                self.key(key)?;
                write!(self.out, "{v}")
            }
            None => Ok(()),
        }
    }

    fn object(&mut self, key: &str, body: impl FnOnce(&mut Object<'_, W>) -> fmt::Result) -> fmt::Result {
        self.key(key)?;
        let mut inner = Object::open(self.out)?;
        body(&mut inner)?;
        inner.close()
    }

    fn close(self) -> fmt::Result {
        self.out.write_char('}')
    }
}

fn text<const N: usize>(t: &Option<Text<N>>) -> Option<&dyn Display> {
    t.as_ref().map(|t| t as &dyn Display)
}

fn shown<T: Display>(v: &Option<T>) -> Option<&dyn Display> {
    v.as_ref().map(|v| v as &dyn Display)
}

fn usage<W: Write>(o: &mut Object<'_, W>, key: &str, usage: &Option<Usage>) -> fmt::Result {
    let Some(usage) = usage else { return Ok(()) };
    o.object(key, |o| usage.iter().try_for_each(|(item, v): (UsageItem, _)| o.raw(item.key(), Some(&v))))
}

fn stats<W: Write>(o: &mut Object<'_, W>, stats: &RunStats) -> fmt::Result {
    for (slot, (key, kind)) in RunStats::KEYS.iter().enumerate() {
        match (kind, stats.raw(slot)) {
            (NumberKind::Integer, Some(v)) => o.raw(key, Some(&v))?,
            (NumberKind::Fraction, Some(v)) => o.raw(key, Some(&crate::Decimal::from_bits(v)))?,
            (_, None) => {}
        }
    }
    Ok(())
}

fn metamorph<W: Write>(out: &mut W, m: &Metamorph) -> fmt::Result {
    let mut o = Object::open(out)?;
    o.str("createdAt", shown(&m.created_at))?;
    o.str("actorId", text(&m.actor_id))?;
    o.str("buildId", text(&m.build_id))?;
    o.str("inputKey", text(&m.input_key))?;
    o.close()
}

impl Run {
    /// Writes the run as `{"data": {...}}` with the API's field names, fields that are
    /// `None` left out, numbers exact. A truncated text ends in `…`. Only the last
    /// metamorph is kept, so `metamorphs` holds at most one entry.
    ///
    /// ```
    /// use apify_core::model::{Run, RunStatus};
    ///
    /// let mut run = Run::EMPTY;
    /// run.status = Some(RunStatus::Running);
    /// let mut out = String::new();
    /// run.write_json(&mut out).unwrap();
    /// assert_eq!(out, r#"{"data":{"status":"RUNNING","meta":{},"stats":{},"options":{}}}"#);
    /// ```
    pub fn write_json(&self, out: &mut impl Write) -> fmt::Result {
        out.write_str("{\"data\":")?;
        let mut o = Object::open(out)?;
        o.str("id", text(&self.id))?;
        o.str("actId", text(&self.act_id))?;
        o.str("userId", text(&self.user_id))?;
        o.str("actorTaskId", text(&self.actor_task_id))?;
        o.str("startedAt", shown(&self.started_at))?;
        o.str("finishedAt", shown(&self.finished_at))?;
        o.str("status", shown(&self.status))?;
        o.str("statusMessage", text(&self.status_message))?;
        o.raw("isStatusMessageTerminal", shown(&self.is_status_message_terminal))?;
        o.object("meta", |m| {
            let meta = &self.meta;
            m.str("origin", shown(&meta.origin))?;
            m.str("clientIp", text(&meta.client_ip))?;
            m.str("userAgent", text(&meta.user_agent))?;
            m.str("scheduleId", text(&meta.schedule_id))?;
            m.str("scheduledAt", shown(&meta.scheduled_at))
        })?;
        if let Some(model) = &self.pricing_model {
            o.object("pricingInfo", |p| p.str("pricingModel", Some(model)))?;
        }
        o.object("stats", |s| stats(s, &self.stats))?;
        o.object("options", |p| {
            let opts = &self.options;
            p.str("build", text(&opts.build))?;
            p.raw("timeoutSecs", shown(&opts.timeout_secs))?;
            p.raw("memoryMbytes", shown(&opts.memory_mbytes))?;
            p.raw("diskMbytes", shown(&opts.disk_mbytes))?;
            p.raw("maxItems", shown(&opts.max_items))?;
            p.raw("maxTotalChargeUsd", shown(&opts.max_total_charge_usd))?;
            p.raw("restartOnError", shown(&opts.restart_on_error))
        })?;
        o.str("buildId", text(&self.build_id))?;
        o.raw("exitCode", shown(&self.exit_code))?;
        o.str("generalAccess", shown(&self.general_access))?;
        o.str("defaultKeyValueStoreId", text(&self.default_key_value_store_id))?;
        o.str("defaultDatasetId", text(&self.default_dataset_id))?;
        o.str("defaultRequestQueueId", text(&self.default_request_queue_id))?;
        o.str("buildNumber", text(&self.build_number))?;
        o.str("containerUrl", text(&self.container_url))?;
        o.raw("isContainerServerReady", shown(&self.is_container_server_ready))?;
        o.str("gitBranchName", text(&self.git_branch_name))?;
        usage(&mut o, "usage", &self.usage)?;
        o.raw("usageTotalUsd", shown(&self.usage_total_usd))?;
        usage(&mut o, "usageUsd", &self.usage_usd)?;
        if let Some(last) = &self.last_metamorph {
            o.key("metamorphs")?;
            o.out.write_char('[')?;
            metamorph(o.out, last)?;
            o.out.write_char(']')?;
        }
        o.str("platformUsageBillingModel", shown(&self.platform_usage_billing_model))?;
        o.close()?;
        out.write_char('}')
    }
}

impl ApiError {
    /// Writes the error as `{"error": {"type", "message"}}`, plus `"hasData": true` when
    /// the body carried `error.data` (whose contents are not kept).
    pub fn write_json(&self, out: &mut impl Write) -> fmt::Result {
        out.write_str("{\"error\":")?;
        let mut o = Object::open(out)?;
        o.str("type", shown(&self.error_type))?;
        o.str("message", text(&self.message))?;
        if self.has_data {
            o.raw("hasData", Some(&true))?;
        }
        o.close()?;
        out.write_char('}')
    }
}
