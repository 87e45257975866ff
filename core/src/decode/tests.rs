use super::*;
use crate::Decimal;
use crate::json::{Select, SyntaxErrorKind};
use crate::model::*;
use crate::test_fixtures;
use proptest::prelude::*;
use serde_json::Value;
use std::string::ToString;
use std::vec::Vec;

fn decode_chunks(chunks: &[&[u8]]) -> Result<Body, DecodeError> {
    let mut decoder = ResponseDecoder::<32>::new();
    for chunk in chunks {
        decoder.feed(chunk)?;
    }
    decoder.finish()?;
    Ok(decoder.fields.body.clone())
}

fn decode(body: &[u8]) -> Result<Body, DecodeError> {
    decode_chunks(&[body])
}

fn run_of(name: &str) -> Run {
    match decode(test_fixtures::get(name)).unwrap() {
        Body::Run(run) => run,
        other => panic!("{name}: {other:?}"),
    }
}

fn dec(s: &str) -> Option<Decimal> {
    Some(s.parse().unwrap())
}

/// An expected text field; the value must fit, so a cut field cannot pass for a whole one.
fn text<const N: usize>(s: &str) -> Option<Text<N>> {
    let text = Text::from_str_truncating(s);
    assert!(!text.is_truncated(), "{s:?} does not fit {N} bytes");
    Some(text)
}

fn ts(s: &str) -> Option<Timestamp> {
    Some(Timestamp::parse(s).unwrap())
}

#[test]
fn run_task_201_field_by_field() {
    let run = run_of("run-task-201.json");
    assert_eq!(run.id, text("HG7ML7M8z78YcAPEB"));
    assert_eq!(run.act_id, text("HDSasDasz78YcAPEB"));
    assert_eq!(run.user_id, text("BPWZBd9V9c746JAnF"));
    assert_eq!(run.actor_task_id, text("KJHSKHausidyaJKHs"));
    assert_eq!(run.started_at, ts("2019-11-30T07:34:24.202Z"));
    assert_eq!(run.finished_at, ts("2019-12-12T09:30:12.202Z"));
    assert_eq!(run.status, Some(RunStatus::Succeeded));
    assert!(run.is_terminal());
    assert_eq!(run.status_message, text("Actor has finished"));
    assert_eq!(run.is_status_message_terminal, Some(true));
    assert_eq!(run.meta.origin, Some(Origin::Web));
    assert_eq!(run.meta.client_ip, text("172.234.12.34"));
    assert_eq!(run.meta.user_agent, text("Mozilla/5.0 (iPad)"));
    assert_eq!(run.meta.schedule_id, text("dWazFsPpxMigMSqHL"));
    assert_eq!(run.meta.scheduled_at, ts("2019-06-10T11:40:00.000Z"));
    let s = &run.stats;
    assert_eq!(s.input_body_len(), Some(240));
    assert_eq!(s.migration_count(), Some(0));
    assert_eq!(s.reboot_count(), None);
    assert_eq!(s.restart_count(), Some(0));
    assert_eq!(s.resurrect_count(), Some(2));
    assert_eq!(s.mem_avg_bytes(), dec("35914228.4"));
    assert_eq!(s.mem_max_bytes(), Some(38244352));
    assert_eq!(s.mem_current_bytes(), Some(0));
    assert_eq!(s.cpu_avg_usage(), dec("0.00955965"));
    assert_eq!(s.cpu_max_usage(), dec("3.15469"));
    assert_eq!(s.cpu_current_usage(), dec("0"));
    assert_eq!(s.net_rx_bytes(), Some(2652));
    assert_eq!(s.net_tx_bytes(), Some(1338));
    assert_eq!(s.duration_millis(), Some(26239));
    assert_eq!(s.run_time_secs(), dec("26.239"));
    assert_eq!(s.metamorph(), Some(0));
    assert_eq!(s.compute_units(), dec("0.0072886"));
    assert_eq!(run.options.build, text("latest"));
    assert_eq!(run.options.timeout_secs, Some(300));
    assert_eq!(run.options.memory_mbytes, Some(1024));
    assert_eq!(run.options.disk_mbytes, Some(2048));
    assert_eq!(run.options.max_items, None);
    assert_eq!(run.options.max_total_charge_usd, None);
    assert_eq!(run.options.restart_on_error, None);
    assert_eq!(run.build_id, text("7sT5jcggjjA9fNcxF"));
    assert_eq!(run.exit_code, Some(0));
    assert_eq!(run.general_access, Some(GeneralAccess::Restricted));
    assert_eq!(run.default_key_value_store_id, text("eJNzqsbPiopwJcgGQ"));
    assert_eq!(run.default_dataset_id, text("wmKPijuyDnPZAPRMk"));
    assert_eq!(run.default_request_queue_id, text("FL35cSF7jrxr3BY39"));
    assert_eq!(run.build_number, text("0.2.2"));
    assert_eq!(run.container_url, text("https://nwfcc4btrgqt.runs.apify.com"));
    assert_eq!(run.is_container_server_ready, Some(false));
    assert_eq!(run.git_branch_name, text("master"));
    let usage = run.usage.unwrap();
    let amounts: Vec<(UsageItem, u64)> = usage.iter().map(|(i, d)| (i, d.to_u64().unwrap())).collect();
    assert_eq!(
        amounts,
        [
            (UsageItem::ActorComputeUnits, 3),
            (UsageItem::DatasetReads, 4),
            (UsageItem::DatasetWrites, 4),
            (UsageItem::KeyValueStoreReads, 5),
            (UsageItem::KeyValueStoreWrites, 3),
            (UsageItem::KeyValueStoreLists, 5),
            (UsageItem::RequestQueueReads, 2),
            (UsageItem::RequestQueueWrites, 1),
            (UsageItem::DataTransferInternalGbytes, 1),
            (UsageItem::DataTransferExternalGbytes, 3),
            (UsageItem::ProxyResidentialTransferGbytes, 34),
            (UsageItem::ProxySerps, 3),
        ]
    );
    assert_eq!(run.usage_total_usd, dec("0.2654"));
    let usd = run.usage_usd.unwrap();
    assert_eq!(usd.get(UsageItem::ActorComputeUnits), dec("0.072"));
    assert_eq!(usd.get(UsageItem::DataTransferExternalGbytes), dec("0.0002"));
    assert_eq!(usd.get(UsageItem::ProxyResidentialTransferGbytes), dec("0.16"));
    assert_eq!(usd.iter().count(), 12);
    assert_eq!(run.metamorph_count, 0);
    assert_eq!(run.last_metamorph, None);
    assert_eq!(run.pricing_model, None);
    assert_eq!(run.platform_usage_billing_model, None);
}

#[test]
fn newer_fields_and_nulls() {
    let run = run_of("run_ppe_newer_fields.json");
    assert_eq!(run.act_id, text("apify~google-search-scraper"));
    assert_eq!(run.actor_task_id, None);
    assert_eq!(run.finished_at.unwrap().to_string(), "2026-10-02T08:16:41.987654321Z");
    assert_eq!(run.started_at.unwrap().to_string(), "2026-10-02T08:15:00.5Z");
    assert_eq!(run.status_message.as_ref().unwrap().as_str().len(), 179);
    assert!(!run.status_message.as_ref().unwrap().is_truncated());
    assert_eq!(run.meta.origin, Some(Origin::Scheduler));
    assert_eq!(run.meta.client_ip, None);
    assert_eq!(run.meta.user_agent, text("ApifyClient/2.25.1 (linux; Node/v20.11.0); isAtHome/false"));
    assert_eq!(run.meta.scheduled_at, ts("2026-10-02T08:15:00.000Z"));
    assert_eq!(run.pricing_model, Some(PricingModel::PayPerEvent));
    assert_eq!(run.stats.mem_avg_bytes(), dec("144937856.50460157"));
    assert_eq!(run.stats.cpu_max_usage(), dec("416.144"));
    assert_eq!(run.stats.net_rx_bytes(), Some(5_376_841_287));
    assert_eq!(run.stats.compute_units(), dec("0.0029730555555555556"));
    assert_eq!(run.options.build, text("version-0"));
    assert_eq!(run.options.timeout_secs, Some(604_800));
    assert_eq!(run.options.memory_mbytes, Some(32768));
    assert_eq!(run.options.max_items, None);
    assert_eq!(run.options.max_total_charge_usd, dec("36.626132276924785"));
    assert_eq!(run.options.restart_on_error, Some(false));
    assert_eq!(run.general_access, Some(GeneralAccess::AnyoneWithIdCanRead));
    assert_eq!(run.build_number, text("3.0.19"));
    assert_eq!(run.git_branch_name, None);
    assert_eq!(run.usage, None);
    assert_eq!(run.usage_total_usd.unwrap().to_string(), "0.0056211830505728715");
    let usd = run.usage_usd.unwrap();
    assert_eq!(usd.get(UsageItem::ActorComputeUnits).unwrap().to_string(), "0.000006183050572872162");
    assert_eq!(usd.get(UsageItem::DataTransferExternalGbytes), dec("0.0000012"));
    assert_eq!(usd.iter().count(), 3, "the unknown SOMETHING_NEW key is skipped");
    assert_eq!(run.metamorph_count, 0);
    assert_eq!(run.platform_usage_billing_model, Some(UsageBillingModel::Developer));
}

#[test]
fn ready_run_has_few_fields() {
    let run = run_of("run_ready_minimal.json");
    assert_eq!(run.status, Some(RunStatus::Ready));
    assert!(!run.is_terminal());
    assert_eq!(run.finished_at, None);
    assert_eq!(run.exit_code, None);
    assert_eq!(run.usage, None);
    assert_eq!(run.status_message, None);
    assert_eq!(run.stats.compute_units(), dec("0"));
    assert_eq!(run.stats.mem_max_bytes(), None);
    assert_eq!(run.general_access, Some(GeneralAccess::FollowUserSetting));
}

#[test]
fn metamorphs_keep_the_last_one() {
    let run = run_of("run_metamorphed_running_finishedAt_null.json");
    assert_eq!(run.finished_at, None);
    assert_eq!(run.status, Some(RunStatus::Running));
    assert_eq!(run.metamorph_count, 1);
    let m = run.last_metamorph.unwrap();
    assert_eq!(m.created_at, ts("2019-11-30T07:39:24.202Z"));
    assert_eq!(m.actor_id, text("nspoEjklmnsF2oosD"));
    assert_eq!(m.build_id, text("ME6oKecqy5kXDS4KQ"));
    assert_eq!(m.input_key, text("INPUT-METAMORPH-1"));
}

#[test]
fn api_errors() {
    let cases = [
        (
            "error_400_invalid_input.json",
            ErrorType::InvalidInput,
            "Invalid input: The request body contains invalid data.",
            false,
        ),
        (
            "error_400_schema_validation_with_data.json",
            ErrorType::SchemaValidationError,
            "Schema validation failed",
            true,
        ),
        (
            "error_401_invalid_token.json",
            ErrorType::InvalidToken,
            "Authentication token is not valid.",
            false,
        ),
        (
            "error_403_insufficient_permissions.json",
            ErrorType::InsufficientPermissions,
            "You do not have permission to perform this action.",
            false,
        ),
        (
            "error_404_record_not_found.json",
            ErrorType::RecordNotFound,
            "The requested resource was not found.",
            false,
        ),
        (
            "error_408_run_timeout_exceeded.json",
            ErrorType::RunTimeoutExceeded,
            "Actor run exceeded the timeout of 300 seconds for this API endpoint",
            false,
        ),
        (
            "error_429_rate_limit_exceeded.json",
            ErrorType::RateLimitExceeded,
            "You have exceeded the rate limit. Please try again later.",
            false,
        ),
    ];
    for (name, kind, message, has_data) in cases {
        let Body::Error(e) = decode(test_fixtures::get(name)).unwrap() else { panic!("{name}") };
        assert_eq!(e.error_type, Some(kind), "{name}");
        assert_eq!(e.message.unwrap().as_str(), message, "{name}");
        assert_eq!(e.has_data, has_data, "{name}");
    }
    let Body::Error(e) = decode(test_fixtures::get("error_402_actor_memory_limit_exceeded.json")).unwrap()
    else {
        panic!()
    };
    assert!(e.error_type.as_ref().unwrap().is_capacity_limit());
    let message = e.message.unwrap();
    assert!(!message.is_truncated());
    assert!(message.as_str().starts_with("By launching this job you will exceed the memory limit of 8192MB"));
    assert!(message.as_str().ends_with("to increase your Actor memory limit."));
    let Body::Error(e) = decode(br#"{"error":{"type":"some-new-kind","message":"x"}}"#).unwrap() else {
        panic!()
    };
    assert_eq!(e.error_type.unwrap().as_str(), "some-new-kind");
}

#[test]
fn error_data_of_any_type_is_present_and_null_is_not() {
    for (data, present) in [
        ("0", true),
        ("true", true),
        ("false", true),
        (r#""x""#, true),
        ("{}", true),
        ("[1]", true),
        ("null", false),
    ] {
        let body = std::format!(r#"{{"error":{{"type":"x","data":{data},"message":"m"}}}}"#);
        let Body::Error(e) = decode(body.as_bytes()).unwrap() else { panic!("{body}") };
        assert_eq!(e.has_data, present, "{body}");
        assert_eq!(e.message.unwrap().as_str(), "m", "{body}: members after `data` still decode");
    }
}

#[test]
fn cut_unknown_names_are_marked_when_written() {
    let long = "A_STATUS_NAME_FROM_A_FUTURE_API_VERSION_LONGER_THAN_ANY_CAPACITY";
    let body = std::format!(r#"{{"data":{{"status":"{long}","meta":{{"origin":"{long}"}}}}}}"#);
    let Body::Run(run) = decode(body.as_bytes()).unwrap() else { panic!() };
    let Some(RunStatus::Other(status)) = &run.status else { panic!("{:?}", run.status) };
    assert!(status.is_truncated() && long.starts_with(status.as_str()));
    let mut out = std::string::String::new();
    run.write_json(&mut out).unwrap();
    assert!(out.contains(&std::format!(r#""status":"{}…""#, status.as_str())), "{out}");
    let Some(Origin::Other(origin)) = &run.meta.origin else { panic!() };
    assert!(out.contains(&std::format!(r#""origin":"{}…""#, origin.as_str())), "{out}");
    assert_eq!(RunStatus::Succeeded.to_string(), "SUCCEEDED");
}

/// An independent oracle: serde_json (with exact number text) mapped onto the model by hand.
fn expected_from_serde(bytes: &[u8]) -> Body {
    let doc: Value = serde_json::from_slice(bytes).unwrap();
    if let Some(e) = doc.get("error") {
        return Body::Error(ApiError {
            error_type: e["type"].as_str().map(ErrorType::from_name),
            message: e["message"].as_str().and_then(text),
            has_data: e.get("data").is_some_and(|d| !d.is_null()),
        });
    }
    let d = &doc["data"];
    // Every fixture's text fits its field: the oracle refuses to cut.
    fn s<const N: usize>(v: &Value) -> Option<Text<N>> {
        v.as_str().and_then(text)
    }
    let t = |v: &Value| v.as_str().map(|v| Timestamp::parse(v).unwrap());
    let num = |v: &Value| v.as_number().map(|n| n.to_string().parse::<Decimal>().unwrap());
    let int = |v: &Value| v.as_number().map(|n| n.to_string().parse::<u64>().unwrap());
    let usage = |v: &Value| {
        v.as_object().map(|o| {
            let mut u = Usage::EMPTY;
            for (k, v) in o {
                if let Some(item) = UsageItem::from_key(k) {
                    u.set(item, num(v));
                }
            }
            u
        })
    };
    let mut stats = RunStats::EMPTY;
    for (slot, (key, kind)) in RunStats::KEYS.iter().enumerate() {
        let v = &d["stats"][key];
        let raw = match kind {
            NumberKind::Integer => int(v),
            NumberKind::Fraction => num(v).map(Decimal::to_bits),
        };
        stats.set(slot, raw);
    }
    let metamorphs = d["metamorphs"].as_array();
    let m = |k: &str| &d["meta"][k];
    let o = |k: &str| &d["options"][k];
    Body::Run(Run {
        id: s(&d["id"]),
        act_id: s(&d["actId"]),
        user_id: s(&d["userId"]),
        actor_task_id: s(&d["actorTaskId"]),
        started_at: t(&d["startedAt"]),
        finished_at: t(&d["finishedAt"]),
        status: d["status"].as_str().map(RunStatus::from_name),
        status_message: s(&d["statusMessage"]),
        is_status_message_terminal: d["isStatusMessageTerminal"].as_bool(),
        meta: RunMeta {
            origin: m("origin").as_str().map(Origin::from_name),
            client_ip: s(m("clientIp")),
            user_agent: s(m("userAgent")),
            schedule_id: s(m("scheduleId")),
            scheduled_at: t(m("scheduledAt")),
        },
        pricing_model: d["pricingInfo"]["pricingModel"].as_str().map(PricingModel::from_name),
        stats,
        options: RunConfig {
            build: s(o("build")),
            timeout_secs: int(o("timeoutSecs")).map(|v| v as u32),
            memory_mbytes: int(o("memoryMbytes")).map(|v| v as u32),
            disk_mbytes: int(o("diskMbytes")).map(|v| v as u32),
            max_items: int(o("maxItems")),
            max_total_charge_usd: num(o("maxTotalChargeUsd")),
            restart_on_error: o("restartOnError").as_bool(),
        },
        build_id: s(&d["buildId"]),
        exit_code: d["exitCode"].as_i64().map(|v| v as i32),
        general_access: d["generalAccess"].as_str().map(GeneralAccess::from_name),
        default_key_value_store_id: s(&d["defaultKeyValueStoreId"]),
        default_dataset_id: s(&d["defaultDatasetId"]),
        default_request_queue_id: s(&d["defaultRequestQueueId"]),
        build_number: s(&d["buildNumber"]),
        container_url: s(&d["containerUrl"]),
        is_container_server_ready: d["isContainerServerReady"].as_bool(),
        git_branch_name: s(&d["gitBranchName"]),
        usage: usage(&d["usage"]),
        usage_total_usd: num(&d["usageTotalUsd"]),
        usage_usd: usage(&d["usageUsd"]),
        metamorph_count: metamorphs.map_or(0, |a| a.len() as u16),
        last_metamorph: metamorphs.and_then(|a| a.last()).map(|l| Metamorph {
            created_at: t(&l["createdAt"]),
            actor_id: s(&l["actorId"]),
            build_id: s(&l["buildId"]),
            input_key: s(&l["inputKey"]),
        }),
        platform_usage_billing_model: d["platformUsageBillingModel"]
            .as_str()
            .map(UsageBillingModel::from_name),
    })
}

#[test]
fn every_fixture_matches_the_serde_json_oracle() {
    for (name, bytes) in test_fixtures::ALL {
        assert_eq!(decode(bytes).unwrap(), expected_from_serde(bytes), "{name}");
    }
}

#[test]
fn every_fixture_is_chunk_invariant() {
    for (name, bytes) in test_fixtures::ALL {
        let whole = decode(bytes);
        for cut in 0..=bytes.len() {
            assert_eq!(decode_chunks(&[&bytes[..cut], &bytes[cut..]]), whole, "{name} split at {cut}");
        }
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(decode_chunks(&singles), whole, "{name} byte by byte");
    }
}

proptest! {
    #[test]
    fn random_chunkings_agree(fixture in 0..test_fixtures::ALL.len(), cuts in proptest::collection::vec(any::<proptest::sample::Index>(), 0..40)) {
        let (name, bytes) = test_fixtures::ALL[fixture];
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        points.sort_unstable();
        let mut chunks = Vec::new();
        let mut start = 0;
        for p in points {
            chunks.push(&bytes[start..p]);
            start = p;
        }
        chunks.push(&bytes[start..]);
        prop_assert_eq!(decode_chunks(&chunks), decode(bytes), "{}", name);
    }
}

#[test]
fn type_errors_name_the_field() {
    let err = decode(br#"{"data":{"status":5}}"#).unwrap_err();
    assert_eq!(err.to_string(), "`data.status` should be a string, found a number");
    let err = decode(br#"{"data":{"stats":{"memMaxBytes":"big"}}}"#).unwrap_err();
    assert_eq!(err.to_string(), "`data.stats.memMaxBytes` should be an integer, found a string");
    let err = decode(br#"{"data":{"meta":[]}}"#).unwrap_err();
    assert_eq!(err.to_string(), "`data.meta` should be an object, found an array");
    let err = decode(br#"{"data":{"metamorphs":{}}}"#).unwrap_err();
    assert_eq!(err.to_string(), "`data.metamorphs` should be an array, found an object");
    assert_eq!(decode(b"[1]").unwrap_err().to_string(), "`(document)` should be an object, found an array");
    assert_eq!(decode(b"null").unwrap_err().to_string(), "`(document)` should be an object, found null");
    assert_eq!(decode(b"{}").unwrap_err(), DecodeError::NoDataOrError);
    assert_eq!(decode(br#"{"data":null}"#).unwrap_err(), DecodeError::NoDataOrError);
}

#[test]
fn calls_after_a_field_error_do_not_call_the_body_invalid() {
    let mut decoder = ResponseDecoder::<8>::new();
    decoder.feed(br#"{"data":{"#).unwrap();
    assert!(matches!(decoder.feed(br#""status":5,"#), Err(DecodeError::UnexpectedType { .. })));
    let later = decoder.feed(br#""id":"x"}}"#).unwrap_err();
    assert!(matches!(later, DecodeError::Json(e) if e.kind() == SyntaxErrorKind::Aborted && e.offset() == 9));
    assert_eq!(later.to_string(), "parsing was stopped by an earlier error (in the chunk from byte 9)");
    assert_eq!(decoder.finish().unwrap_err(), later);
}

#[test]
fn numbers_must_fit_exactly() {
    for body in [
        &br#"{"data":{"stats":{"memMaxBytes":1.5}}}"#[..],
        br#"{"data":{"stats":{"memMaxBytes":-1}}}"#,
        br#"{"data":{"stats":{"netRxBytes":18446744073709551616}}}"#,
        br#"{"data":{"options":{"memoryMbytes":4294967296}}}"#,
        br#"{"data":{"exitCode":2147483648}}"#,
        br#"{"data":{"usageTotalUsd":0.12345678901234567890123}}"#,
        br#"{"data":{"usageTotalUsd":1e300}}"#,
    ] {
        assert!(
            matches!(decode(body), Err(DecodeError::NumberOutOfRange { .. })),
            "{}",
            std::str::from_utf8(body).unwrap()
        );
    }
    let Body::Run(run) =
        decode(br#"{"data":{"stats":{"memMaxBytes":2e3,"netRxBytes":18446744073709551615},"exitCode":-1}}"#)
            .unwrap()
    else {
        panic!()
    };
    assert_eq!(run.stats.mem_max_bytes(), Some(2000));
    assert_eq!(run.stats.net_rx_bytes(), Some(u64::MAX));
    assert_eq!(run.exit_code, Some(-1));
}

#[test]
fn timestamps_must_be_rfc3339() {
    let err = decode(br#"{"data":{"startedAt":"yesterday"}}"#).unwrap_err();
    assert_eq!(err.to_string(), "`data.startedAt` is not an RFC 3339 timestamp");
    // Split, a timestamp goes through the decoder's 48-byte scratch buffer: one that fits
    // decodes as it does whole; a longer one is an error, as it is whole, and is never cut to
    // a valid prefix.
    let fits = br#"{"data":{"finishedAt":"2019-11-30T07:34:24.123456789+01:00"}}"#;
    let long = std::format!(r#"{{"data":{{"finishedAt":"2019-11-30T07:34:24.{}Z"}}}}"#, "0".repeat(40));
    let whole = decode(fits).unwrap();
    assert!(
        matches!(&whole, Body::Run(run) if run.finished_at.unwrap().to_string() == "2019-11-30T07:34:24.123456789+01:00")
    );
    for size in [1, 3, 10, 30] {
        let chunks = |body: &[u8]| body.chunks(size).map(|c| c.to_vec()).collect::<Vec<_>>();
        let pieces = chunks(fits);
        assert_eq!(
            decode_chunks(&pieces.iter().map(|c| &c[..]).collect::<Vec<_>>()).unwrap(),
            whole,
            "{size}"
        );
        let pieces = chunks(long.as_bytes());
        let split = decode_chunks(&pieces.iter().map(|c| &c[..]).collect::<Vec<_>>());
        assert!(matches!(split, Err(DecodeError::InvalidTimestamp { .. })), "{size}: {split:?}");
    }
    assert!(matches!(decode(long.as_bytes()), Err(DecodeError::InvalidTimestamp { .. })));
}

#[test]
fn long_strings_are_flagged_not_cut_silently() {
    let message = "m".repeat(250);
    let body = std::format!(
        r#"{{"data":{{"id":"{}","statusMessage":"{message}","status":"A-STATUS-NAME-LONGER-THAN-16"}}}}"#,
        "i".repeat(30)
    );
    let Body::Run(run) = decode(body.as_bytes()).unwrap() else { panic!() };
    let id = run.id.unwrap();
    assert!(id.is_truncated() && id.as_str().len() == 24 && id.complete().is_none());
    let status_message = run.status_message.unwrap();
    assert!(status_message.is_truncated() && status_message.as_str().len() == 192);
    let RunStatus::Other(status) = run.status.unwrap() else { panic!() };
    assert!(status.is_truncated());
}

#[test]
fn escapes_and_unicode_land_in_text_fields() {
    let Body::Run(run) = decode(br#"{"data":{"statusMessage":"Line\n\"quoted\" \u00e9\ud83d\ude00 \u2014 done","gitBranchName":"f\/x"}}"#).unwrap() else {
        panic!()
    };
    assert_eq!(run.status_message.unwrap().as_str(), "Line\n\"quoted\" é😀 — done");
    assert_eq!(run.git_branch_name.unwrap().as_str(), "f/x");
}

#[test]
fn duplicates_nulls_and_unknowns() {
    let body = br#"{"extra":[{"x":{"y":[1,2,{}]}}],"data":{"status":"RUNNING","status":"TIMED_OUT","exitCode":3,"exitCode":null,
        "usage":{"ACTOR_COMPUTE_UNITS":1,"ACTOR_COMPUTE_UNITS":null},"stats":{"restartCount":4,"restartCount":null},
        "unknownObject":{"status":"FAILED","id":"nope"},"meta":null,"metamorphs":[{"actorId":"a"},{"actorId":"b"},null]}}"#;
    let Body::Run(run) = decode(body).unwrap() else { panic!() };
    assert!(run.is_terminal(), "TIMED_OUT is the misspelling one client accepts");
    assert_eq!(run.exit_code, None);
    assert_eq!(run.usage.unwrap().get(UsageItem::ActorComputeUnits), None);
    assert_eq!(run.stats.restart_count(), None);
    assert_eq!(run.id, None);
    assert_eq!(run.metamorph_count, 2);
    assert_eq!(run.last_metamorph.unwrap().actor_id, text("b"));
}

#[test]
fn deep_nesting_in_skipped_fields_is_refused_cleanly() {
    let mut body = std::vec::Vec::from(&br#"{"data":{"junk":"#[..]);
    body.resize(body.len() + 100_000, b'[');
    let err = decode(&body).unwrap_err();
    assert!(matches!(err, DecodeError::Json(e) if e.kind() == SyntaxErrorKind::TooDeep { limit: 32 }));
}

#[test]
fn truncated_and_trailing_input_are_errors() {
    let bytes = test_fixtures::get("run-task-201.json");
    for cut in 0..bytes.len() - 2 {
        assert!(decode(&bytes[..cut]).is_err(), "prefix of {cut} bytes accepted");
    }
    let mut extra = bytes.to_vec();
    extra.extend_from_slice(b"\n{}");
    assert!(
        matches!(decode(&extra), Err(DecodeError::Json(e)) if e.kind() == SyntaxErrorKind::TrailingCharacters)
    );
}

#[test]
fn select_receives_fields_the_model_skips() {
    #[derive(Default)]
    struct Count(Option<u64>);
    impl Visitor for Count {
        type Error = DecodeError;
        fn event(&mut self, event: Event<'_>) -> Result<(), DecodeError> {
            if let Event::Number(n) = event {
                self.0 = n.to_u64();
            }
            Ok(())
        }
    }
    let bytes = test_fixtures::get("run_ppe_newer_fields.json");
    let mut decoder = ResponseDecoder::<32>::new();
    let mut pages = Select::new(&["data", "chargedEventCounts", "search-page-scraped"], Count::default());
    for chunk in bytes.chunks(16) {
        decoder.feed_with(chunk, &mut pages).unwrap();
    }
    let Decoded::Run(run) = decoder.finish_with(&mut pages).unwrap() else { panic!() };
    assert_eq!(run.status, Some(RunStatus::Succeeded));
    assert_eq!(pages.into_inner().0, Some(3));
}

#[test]
fn reset_reuses_the_decoder() {
    let mut decoder = ResponseDecoder::<32>::new();
    decoder.feed(test_fixtures::get("error_404_record_not_found.json")).unwrap();
    assert!(matches!(decoder.finish().unwrap(), Decoded::Error(_)));
    decoder.reset();
    decoder.feed(test_fixtures::get("run-task-201.json")).unwrap();
    assert!(matches!(decoder.finish().unwrap(), Decoded::Run(_)));
}

#[test]
fn written_json_decodes_to_the_same_model() {
    for (name, bytes) in test_fixtures::ALL {
        let body = decode(bytes).unwrap();
        let mut out = std::string::String::new();
        match &body {
            Body::Run(run) => run.write_json(&mut out).unwrap(),
            Body::Error(error) => error.write_json(&mut out).unwrap(),
            Body::Empty => unreachable!(),
        }
        let mut again = decode(out.as_bytes()).unwrap();
        if let (Body::Run(first), Body::Run(second)) = (&body, &mut again) {
            // Only the last metamorph is written back.
            second.metamorph_count = first.metamorph_count;
        }
        if let (Body::Error(first), Body::Error(second)) = (&body, &mut again) {
            second.has_data = first.has_data;
        }
        assert_eq!(again, body, "{name}: {out}");
    }
}

#[test]
fn a_wrong_type_does_not_hide_a_later_syntax_error() {
    // Found by the run_decoder fuzzer: `error` holding a long string with a raw newline. A
    // chunked parse hands the visitor the string's start before it meets the newline, so the
    // type error waits for the string's end, as in a one-shot parse.
    let body = b"{\"error\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\"}";
    let whole = decode(body);
    assert!(matches!(whole, Err(DecodeError::Json(e)) if e.kind() == SyntaxErrorKind::ControlCharacter));
    for cut in 0..=body.len() {
        assert_eq!(decode_chunks(&[&body[..cut], &body[cut..]]), whole, "split at {cut}");
    }
    let singles: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(decode_chunks(&singles), whole);
    assert!(matches!(decode(b"{\"error\":\"x\"}"), Err(DecodeError::UnexpectedType { .. })));
}

#[test]
fn a_long_enum_value_is_cut_the_same_way_in_any_chunking() {
    // Found by the run_decoder fuzzer: a 60-character error type, whole in one chunk, was cut
    // at the catch-all's 48 bytes and flagged; in pieces it went through the 40-byte scratch
    // first and came out shorter and unflagged.
    let body = std::format!(r#"{{"error":{{"type":"{}"}}}}"#, "x".repeat(60));
    let whole = decode(body.as_bytes()).unwrap();
    let Body::Error(error) = &whole else { panic!() };
    let Some(ErrorType::Other(kind)) = &error.error_type else { panic!() };
    assert!(kind.is_truncated() && kind.as_str().len() == 48);
    let pieces: Vec<&[u8]> = body.as_bytes().chunks(2).collect();
    assert_eq!(decode_chunks(&pieces).unwrap(), whole);
}
