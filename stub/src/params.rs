//! The query parameters of "Run task", checked like the API checks them.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value, json};

use crate::bodies::Reply;
use crate::route::Query;

/// The longest wait the API grants (`MAX_ACTOR_JOB_ASYNC_WAIT_SECS`).
pub(crate) const MAX_WAIT_SECS: f64 = 60.0;

/// Standard base64 alphabet; the `=` padding may be there or not.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Validated options of a run start.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunParams {
    pub(crate) timeout_secs: Option<f64>,
    pub(crate) memory_mbytes: Option<u32>,
    pub(crate) max_items: Option<f64>,
    pub(crate) max_total_charge_usd: Option<f64>,
    pub(crate) restart_on_error: Option<bool>,
    pub(crate) build: Option<String>,
    pub(crate) wait: Duration,
    pub(crate) webhooks: Option<Value>,
}

impl RunParams {
    /// Checks every parameter the endpoint knows; unknown ones are ignored.
    pub(crate) fn parse(query: &Query) -> Result<RunParams, Reply> {
        let memory_mbytes = match query.get("memory") {
            None => None,
            Some(text) => Some(memory(text).ok_or_else(|| {
                invalid(format!(
                    "Parameter 'memory' must be a power of 2 between 128 and 32768 (MB), got '{text}'."
                ))
            })?),
        };
        let max_items = number(query, "maxItems")?;
        if max_items.is_some_and(|n| n <= 0.0) {
            let message = "Parameter 'maxItems' must be greater than zero.";
            return Err(Reply::error(400, "max-items-must-be-greater-than-zero", message));
        }
        let max_total_charge_usd = number(query, "maxTotalChargeUsd")?;
        if max_total_charge_usd.is_some_and(|n| n <= 0.0) {
            let message = "Parameter 'maxTotalChargeUsd' must be greater than zero.";
            return Err(Reply::error(400, "max-total-charge-usd-must-be-greater-than-zero", message));
        }
        let restart_on_error = match query.get("restartOnError") {
            None => None,
            Some("true" | "1") => Some(true),
            Some("false" | "0") => Some(false),
            Some(text) => {
                return Err(invalid(format!("Parameter 'restartOnError' must be a boolean, got '{text}'.")));
            }
        };
        let build = match query.get("build") {
            Some("") => return Err(invalid("Parameter 'build' must not be empty.".into())),
            build => build.map(str::to_owned),
        };
        let webhooks = query.get("webhooks").map(webhooks).transpose()?;
        Ok(RunParams {
            timeout_secs: non_negative(query, "timeout")?,
            memory_mbytes,
            max_items,
            max_total_charge_usd,
            restart_on_error,
            build,
            wait: wait_for_finish(query)?,
            webhooks,
        })
    }

    /// The run's `options` object.
    pub(crate) fn options(&self) -> Value {
        let memory = self.memory_mbytes.unwrap_or(1024);
        let mut options = json!({
            "build": self.build.as_deref().unwrap_or("latest"),
            "timeoutSecs": self.timeout_secs.map_or(json!(3600), number_value),
            "memoryMbytes": memory,
            "diskMbytes": 2 * memory,
        });
        let extra = [
            ("maxItems", self.max_items.map(number_value)),
            ("maxTotalChargeUsd", self.max_total_charge_usd.map(number_value)),
            ("restartOnError", self.restart_on_error.map(Value::Bool)),
        ];
        if let Some(map) = options.as_object_mut() {
            map.extend(extra.into_iter().filter_map(|(k, v)| Some((k.to_owned(), v?))));
        }
        options
    }
}

/// `waitForFinish`: a number of seconds ≥ 0, clamped to 60. Absent means 0.
pub(crate) fn wait_for_finish(query: &Query) -> Result<Duration, Reply> {
    let secs = non_negative(query, "waitForFinish")?.unwrap_or(0.0);
    Ok(Duration::from_secs_f64(secs.min(MAX_WAIT_SECS)))
}

/// An integral number of seconds as an integer, anything else as a float.
pub(crate) fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 { json!(n as i64) } else { json!(n) }
}

fn invalid(message: String) -> Reply {
    Reply::error(400, "invalid-value", message)
}

fn number(query: &Query, name: &str) -> Result<Option<f64>, Reply> {
    let Some(text) = query.get(name) else { return Ok(None) };
    match text.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && !text.trim().is_empty() => Ok(Some(n)),
        _ => Err(invalid(format!("Parameter '{name}' must be a number, got '{text}'."))),
    }
}

fn non_negative(query: &Query, name: &str) -> Result<Option<f64>, Reply> {
    match number(query, name)? {
        Some(n) if n < 0.0 => {
            Err(invalid(format!("Parameter '{name}' must be a non-negative number, got '{n}'.")))
        }
        n => Ok(n),
    }
}

fn memory(text: &str) -> Option<u32> {
    let n = text.trim().parse::<f64>().ok()?;
    let ok = n.fract() == 0.0 && (128.0..=32768.0).contains(&n) && (n as u32).is_power_of_two();
    ok.then_some(n as u32)
}

/// Base64 of a UTF-8 JSON array of `{"eventTypes": [..], "requestUrl": ".."}` objects.
fn webhooks(text: &str) -> Result<Value, Reply> {
    let bad = |why: String| invalid(format!("Parameter 'webhooks' {why}"));
    let bytes = BASE64.decode(text.trim()).map_err(|e| bad(format!("is not valid base64: {e}.")))?;
    let json = String::from_utf8(bytes).map_err(|_| bad("is not base64 of UTF-8 text.".into()))?;
    let value: Value =
        serde_json::from_str(&json).map_err(|e| bad(format!("is not base64 of a JSON array: {e}.")))?;
    let Some(hooks) = value.as_array() else {
        return Err(bad("must be base64 of a JSON array of webhook definitions.".into()));
    };
    for (i, hook) in hooks.iter().enumerate() {
        let empty = Map::new();
        let hook = hook.as_object().unwrap_or(&empty);
        let event_types = hook.get("eventTypes").and_then(Value::as_array);
        if !event_types.is_some_and(|types| !types.is_empty() && types.iter().all(Value::is_string)) {
            return Err(bad(format!("item {i}: 'eventTypes' must be a non-empty array of strings.")));
        }
        if !hook.get("requestUrl").is_some_and(Value::is_string) {
            return Err(bad(format!("item {i}: 'requestUrl' must be a string.")));
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_values() {
        assert_eq!(memory("128"), Some(128));
        assert_eq!(memory("32768"), Some(32768));
        assert_eq!(memory("1024.0"), Some(1024));
        for bad in ["64", "65536", "1000", "", "abc", "-256", "256.5"] {
            assert_eq!(memory(bad), None, "{bad}");
        }
    }

    #[test]
    fn options_defaults_and_given() {
        let options = RunParams::default().options();
        let expected =
            json!({"build": "latest", "timeoutSecs": 3600, "memoryMbytes": 1024, "diskMbytes": 2048});
        assert_eq!(options, expected);
        let query = Query::parse(
            "memory=256&timeout=60&maxItems=10&maxTotalChargeUsd=1.5&restartOnError=1&build=beta",
        );
        let options = RunParams::parse(&query).map_err(|r| r.status).unwrap().options();
        assert_eq!(options["memoryMbytes"], 256);
        assert_eq!(options["diskMbytes"], 512);
        assert_eq!(options["timeoutSecs"], 60);
        assert_eq!(options["maxItems"], 10);
        assert_eq!(options["maxTotalChargeUsd"], 1.5);
        assert_eq!(options["restartOnError"], true);
        assert_eq!(options["build"], "beta");
    }

    #[test]
    fn wait_is_clamped() {
        let wait = wait_for_finish(&Query::parse("waitForFinish=999999")).map_err(|r| r.status).unwrap();
        assert_eq!(wait, Duration::from_secs(60));
        assert!(wait_for_finish(&Query::parse("waitForFinish=-1")).is_err());
    }

    #[test]
    fn webhooks_with_and_without_padding() {
        let hooks = br#"[{"eventTypes":["ACTOR.RUN.SUCCEEDED"],"requestUrl":"https://example.com/x"}]"#;
        let padded = base64::engine::general_purpose::STANDARD.encode(hooks);
        let unpadded = base64::engine::general_purpose::STANDARD_NO_PAD.encode(hooks);
        assert!(webhooks(&padded).is_ok());
        assert!(webhooks(&unpadded).is_ok());
    }
}
