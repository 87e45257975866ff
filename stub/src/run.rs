//! One run: its status, worked out from the clock, and its JSON.

use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

use crate::time::rfc3339;

/// The statuses the clients treat as terminal.
const TERMINAL: [&str; 4] = ["SUCCEEDED", "FAILED", "TIMED-OUT", "ABORTED"];

/// One run. Its status is worked out from the time since it was created.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) id: String,
    /// The task as it appeared in the path, decoded.
    pub(crate) task: String,
    pub(crate) ids: TaskIds,
    pub(crate) user_id: String,
    /// Default key-value store, dataset and request queue.
    pub(crate) storage: [String; 3],
    pub(crate) created: Instant,
    pub(crate) started_at: SystemTime,
    pub(crate) ready_for: Duration,
    pub(crate) running_for: Duration,
    /// The status it ends with unless aborted first.
    pub(crate) outcome: String,
    pub(crate) aborted: Option<Instant>,
    pub(crate) options: Value,
    pub(crate) memory_mbytes: u32,
    pub(crate) user_agent: Option<String>,
    pub(crate) input_len: usize,
    pub(crate) webhooks: Option<Value>,
}

/// IDs that stay the same for every run of one task.
#[derive(Debug, Clone)]
pub(crate) struct TaskIds {
    pub(crate) actor_task_id: String,
    pub(crate) act_id: String,
    pub(crate) build_id: String,
}

impl Run {
    /// The status at `now`.
    pub(crate) fn status(&self, now: Instant) -> &str {
        if self.aborted.is_some() {
            "ABORTED"
        } else if now < self.created + self.ready_for {
            "READY"
        } else if now < self.created + self.ready_for + self.running_for {
            "RUNNING"
        } else {
            &self.outcome
        }
    }

    pub(crate) fn is_terminal(&self, now: Instant) -> bool {
        TERMINAL.contains(&self.status(now))
    }

    /// When the status changes next by itself, if it still will.
    pub(crate) fn next_change(&self, now: Instant) -> Option<Instant> {
        let running = self.created + self.ready_for;
        let done = running + self.running_for;
        if self.aborted.is_some() || now >= done {
            None
        } else if now < running {
            Some(running)
        } else {
            Some(done)
        }
    }

    /// Aborts the run, unless it has already finished.
    pub(crate) fn abort(&mut self, now: Instant) {
        if !self.is_terminal(now) {
            self.aborted = Some(now);
        }
    }

    /// When the run ended (abort or final status), if it has.
    fn ended(&self, now: Instant) -> Option<Instant> {
        let end = self.aborted.unwrap_or(self.created + self.ready_for + self.running_for);
        self.is_terminal(now).then_some(end)
    }

    /// Seconds spent `RUNNING` up to `at`.
    fn run_time(&self, at: Instant) -> Duration {
        at.saturating_duration_since(self.created + self.ready_for)
    }

    /// The run object, as `{"data": ...}` carries it.
    pub(crate) fn to_json(&self, now: Instant) -> Value {
        let status = self.status(now);
        let ended = self.ended(now);
        let run_time = self.run_time(ended.unwrap_or(now));
        let finished_at = ended.map(|end| rfc3339(self.started_at + (end - self.created)));
        let mut run = json!({
            "id": self.id,
            "actId": self.ids.act_id,
            "userId": self.user_id,
            "actorTaskId": self.ids.actor_task_id,
            "startedAt": rfc3339(self.started_at),
            "finishedAt": finished_at,
            "status": status,
            "meta": { "origin": "API", "userAgent": self.user_agent },
            "stats": self.stats(status, run_time),
            "options": self.options,
            "buildId": self.ids.build_id,
            "generalAccess": "FOLLOW_USER_SETTING",
            "defaultKeyValueStoreId": self.storage[0],
            "defaultDatasetId": self.storage[1],
            "defaultRequestQueueId": self.storage[2],
            "buildNumber": "0.0.1",
            "containerUrl": format!("https://{}.runs.apify.net", self.id.to_ascii_lowercase()),
        });
        let Some(map) = run.as_object_mut() else { return run };
        if status != "READY" {
            map.insert("statusMessage".into(), json!(status_message(status)));
            map.insert("isStatusMessageTerminal".into(), json!(ended.is_some()));
        }
        if ended.is_some() {
            map.insert("exitCode".into(), json!(if status == "SUCCEEDED" { 0 } else { 1 }));
            let (usage, usage_usd, total) = usage(self.compute_units(run_time));
            map.insert("usage".into(), usage);
            map.insert("usageUsd".into(), usage_usd);
            map.insert("usageTotalUsd".into(), json!(total));
        }
        run
    }

    fn compute_units(&self, run_time: Duration) -> f64 {
        f64::from(self.memory_mbytes) / 1024.0 * run_time.as_secs_f64() / 3600.0
    }

    fn stats(&self, status: &str, run_time: Duration) -> Value {
        let mut stats = json!({
            "inputBodyLen": self.input_len,
            "migrationCount": 0,
            "rebootCount": 0,
            "restartCount": 0,
            "resurrectCount": 0,
            "computeUnits": 0,
        });
        if status == "READY" {
            return stats;
        }
        if let Some(map) = stats.as_object_mut() {
            let extra = json!({
                "memAvgBytes": 35_914_228.4,
                "memMaxBytes": 38_244_352,
                "memCurrentBytes": 0,
                "cpuAvgUsage": 0.00955965,
                "cpuMaxUsage": 3.15469,
                "cpuCurrentUsage": 0,
                "netRxBytes": 2652,
                "netTxBytes": 1338,
                "durationMillis": run_time.as_millis() as u64,
                "runTimeSecs": run_time.as_secs_f64(),
                "metamorph": 0,
                "computeUnits": self.compute_units(run_time),
            });
            map.extend(extra.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())));
        }
        stats
    }
}

fn status_message(status: &str) -> String {
    match status {
        "RUNNING" => "Crawled 1/3 pages".into(),
        "SUCCEEDED" => "Finished! Total 3 requests: 3 succeeded, 0 failed.".into(),
        "FAILED" => "The Actor process exited with code 1.".into(),
        "TIMED-OUT" => "The Actor run has timed out.".into(),
        "ABORTED" => "The Actor run was aborted.".into(),
        other => format!("Status: {other}"),
    }
}

/// `usage`, `usageUsd` and `usageTotalUsd` of a run that used `compute_units`.
fn usage(compute_units: f64) -> (Value, Value, f64) {
    let items = [
        ("ACTOR_COMPUTE_UNITS", json!(compute_units), compute_units * 0.4),
        ("DATASET_WRITES", json!(3), 0.000_015),
        ("KEY_VALUE_STORE_READS", json!(1), 0.000_005),
        ("KEY_VALUE_STORE_WRITES", json!(2), 0.000_1),
        ("REQUEST_QUEUE_READS", json!(3), 0.000_012),
    ];
    let total = items.iter().map(|(_, _, usd)| usd).sum::<f64>() + 0.005_123_456_789_012_345;
    let usd = items.iter().map(|(k, _, usd)| ((*k).to_owned(), json!(usd))).collect();
    let usage = items.into_iter().map(|(k, n, _)| (k.to_owned(), n)).collect();
    (Value::Object(usage), Value::Object(usd), total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_is_fractional() {
        let (_, _, total) = usage(0.0001);
        assert!(total.fract() != 0.0 && total < 0.01);
    }
}
