// Hand-written test infrastructure (not generated): tests of the emulator.
//! Device jobs: the per-device results of scheduled jobs, read with
//! `SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '…'` on `POST /devices/query`
//! through the generated client, over 127.0.0.1, with a registry where some devices fail.

mod common;

use std::collections::BTreeMap;

use common::{expect_error, method_job, start, twin_job};
use iothub_emulator::Registry;
use iothub_jobs::Client;
use iothub_jobs::models::{
    DeviceJob, DeviceJobStatus, JobType, QueryIotHubResponse, QuerySpecification, Twin,
    TwinProperties,
};
use serde_json::json;

/// Six devices: two answer `reboot`, one answers 500, one is offline, one is slower than any
/// response timeout, one has no `reboot` (501).
const REGISTRY: &str = r#"{
  "devices": [
    {"deviceId": "ok-1", "tags": {"site": "a"},
     "methods": {"reboot": {"status": 200, "payload": {"rebooted": true}, "latencySeconds": 1}}},
    {"deviceId": "ok-2", "tags": {"site": "a"},
     "methods": {"reboot": {"status": 200, "payload": {"rebooted": true}, "latencySeconds": 2}}},
    {"deviceId": "broken", "tags": {"site": "b"},
     "methods": {"reboot": {"status": 500, "payload": {"error": "disk full"}, "latencySeconds": 1}}},
    {"deviceId": "offline", "tags": {"site": "b"}, "connectionState": "Disconnected"},
    {"deviceId": "slow", "tags": {"site": "b"},
     "methods": {"*": {"status": 200, "payload": null, "latencySeconds": 600}}},
    {"deviceId": "mute", "tags": {"site": "b"}}
  ]
}"#;

async fn hub() -> common::Hub {
    let registry = Registry::from_json(REGISTRY).expect("valid registry");
    start(common::manual_config().with_registry(registry)).await
}

fn spec(query: &str) -> QuerySpecification {
    QuerySpecification {
        query: Some(query.to_owned()),
    }
}

fn by_job(job_id: &str) -> String {
    format!("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '{job_id}'")
}

/// Every row of `query`, following the continuation tokens with pages of `page_size`; and
/// the number of pages.
async fn all_rows(client: &Client, query: &str, page_size: Option<i32>) -> (Vec<DeviceJob>, usize) {
    let mut rows = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let body = spec(query);
        let mut request = client.query_iot_hub_page(&body);
        if let Some(token) = &token {
            request = request.continuation(token);
        }
        if let Some(size) = page_size {
            request = request.page_size(size);
        }
        let page: QueryIotHubResponse = request.await.unwrap();
        pages += 1;
        assert_eq!(page.x_ms_item_type.as_deref(), Some("deviceJob"));
        for row in page.body {
            rows.push(serde_json::from_value(row).unwrap());
        }
        match page.x_ms_continuation {
            Some(next) => token = Some(next),
            None => return (rows, pages),
        }
    }
}

fn by_device(rows: Vec<DeviceJob>) -> BTreeMap<String, DeviceJob> {
    rows.into_iter()
        .map(|row| (row.device_id.clone().unwrap(), row))
        .collect()
}

#[tokio::test]
async fn a_direct_method_job_has_one_device_job_per_device_with_its_outcome_or_error() {
    let hub = hub().await;
    let start_at = hub.now();
    hub.client
        .create_scheduled_job(
            "reboot-all",
            &method_job("reboot-all", "*", "reboot", start_at, 30, 0, None),
        )
        .await
        .unwrap();
    hub.advance(60);

    let (rows, pages) = all_rows(&hub.client, &by_job("reboot-all"), None).await;
    assert_eq!(pages, 1);
    let rows = by_device(rows);
    assert_eq!(
        rows.keys().collect::<Vec<_>>(),
        ["broken", "mute", "offline", "ok-1", "ok-2", "slow"]
    );
    for row in rows.values() {
        assert_eq!(row.job_id.as_deref(), Some("reboot-all"));
        assert_eq!(row.job_type, Some(JobType::ScheduleDeviceMethod));
        assert_eq!(row.created_date_time_utc, Some(start_at));
        assert!(
            row.start_time_utc.is_some() && row.end_time_utc.is_some(),
            "{row:?}"
        );
    }

    // Answered 2xx: completed, with the device's answer.
    let ok = &rows["ok-1"];
    assert_eq!(ok.status, Some(DeviceJobStatus::Completed));
    let answer = ok
        .outcome
        .as_ref()
        .unwrap()
        .device_method_response
        .as_ref()
        .unwrap();
    assert_eq!(answer.status, Some(200));
    assert_eq!(answer.payload, Some(json!({"rebooted": true})));
    assert_eq!(ok.error, None);
    assert_eq!(
        ok.last_updated_date_time_utc,
        Some(start_at + chrono::Duration::seconds(1))
    );

    // Answered 500, or 501 for a method it lacks: failed, with the device's answer.
    for (device, status) in [("broken", 500), ("mute", 501)] {
        let row = &rows[device];
        assert_eq!(row.status, Some(DeviceJobStatus::Failed), "{row:?}");
        let answer = row
            .outcome
            .as_ref()
            .unwrap()
            .device_method_response
            .as_ref()
            .unwrap();
        assert_eq!(answer.status, Some(status), "{row:?}");
        assert_eq!(row.error, None, "{row:?}");
    }
    assert_eq!(
        rows["broken"]
            .outcome
            .as_ref()
            .unwrap()
            .device_method_response
            .as_ref()
            .unwrap()
            .payload,
        Some(json!({"error": "disk full"}))
    );

    // No answer: failed, with an error and no method response.
    for (device, code) in [("offline", "DeviceNotOnline"), ("slow", "GatewayTimeout")] {
        let row = &rows[device];
        assert_eq!(row.status, Some(DeviceJobStatus::Failed), "{row:?}");
        let error = row.error.as_ref().unwrap();
        assert_eq!(error.code.as_deref(), Some(code), "{row:?}");
        assert!(!error.description.as_deref().unwrap_or_default().is_empty());
        assert_eq!(
            row.outcome
                .as_ref()
                .and_then(|o| o.device_method_response.as_ref()),
            None
        );
    }

    // The job's statistics agree with its device jobs.
    let job = hub.client.get_scheduled_job("reboot-all").await.unwrap();
    let stats = job.device_job_statistics.unwrap();
    assert_eq!(
        (stats.succeeded_count, stats.failed_count),
        (Some(2), Some(4))
    );
}

#[tokio::test]
async fn device_jobs_page_with_the_headers_and_filter_by_status() {
    let hub = hub().await;
    let now = hub.now();
    for id in ["job-a", "job-b"] {
        hub.client
            .create_scheduled_job(id, &method_job(id, "*", "reboot", now, 30, 0, None))
            .await
            .unwrap();
    }
    hub.advance(60);

    // Pages of 4: 6 rows in 2 pages, none twice, the last without a token.
    let (rows, pages) = all_rows(&hub.client, &by_job("job-a"), Some(4)).await;
    assert_eq!((rows.len(), pages), (6, 2));
    assert!(rows.iter().all(|r| r.job_id.as_deref() == Some("job-a")));
    assert_eq!(by_device(rows).len(), 6);

    // Pages of 1 over every job's device jobs.
    let (rows, pages) = all_rows(&hub.client, "SELECT * FROM devices.jobs", Some(1)).await;
    assert_eq!((rows.len(), pages), (12, 12));

    let failed = format!("{} AND devices.jobs.status = 'failed'", by_job("job-b"));
    let (rows, _) = all_rows(&hub.client, &failed, Some(3)).await;
    let devices: Vec<String> = by_device(rows).into_keys().collect();
    assert_eq!(devices, ["broken", "mute", "offline", "slow"]);
    let completed = format!("{} AND devices.jobs.status = 'completed'", by_job("job-b"));
    assert_eq!(all_rows(&hub.client, &completed, None).await.0.len(), 2);

    // An unknown job has no device jobs.
    let (rows, pages) = all_rows(&hub.client, &by_job("nope"), None).await;
    assert_eq!((rows.len(), pages), (0, 1));
}

#[tokio::test]
async fn device_jobs_show_pending_running_and_canceled() {
    let hub = hub().await;
    let now = hub.now();
    // Waits 10 s for devices to connect; the offline one never does.
    hub.client
        .create_scheduled_job(
            "wait",
            &method_job("wait", "*", "reboot", now, 30, 10, None),
        )
        .await
        .unwrap();
    hub.emulator.tick();
    let rows = by_device(all_rows(&hub.client, &by_job("wait"), None).await.0);
    assert_eq!(rows["offline"].status, Some(DeviceJobStatus::Pending));
    assert_eq!(rows["ok-1"].status, Some(DeviceJobStatus::Running));
    assert_eq!(rows["ok-1"].end_time_utc, None);
    hub.advance(1);
    let rows = by_device(all_rows(&hub.client, &by_job("wait"), None).await.0);
    assert_eq!(rows["ok-1"].status, Some(DeviceJobStatus::Completed));
    assert_eq!(rows["ok-2"].status, Some(DeviceJobStatus::Running));

    hub.client.cancel_scheduled_job("wait").await.unwrap();
    let rows = by_device(all_rows(&hub.client, &by_job("wait"), None).await.0);
    assert_eq!(rows["offline"].status, Some(DeviceJobStatus::Canceled));
    assert_eq!(rows["ok-2"].status, Some(DeviceJobStatus::Canceled));
    assert_eq!(rows["ok-1"].status, Some(DeviceJobStatus::Completed));
}

#[tokio::test]
async fn a_twin_update_job_has_completed_device_jobs_without_a_method_response() {
    let hub = hub().await;
    let twin = Twin {
        properties: Some(TwinProperties {
            desired: Some([("setpoint".to_owned(), json!(20))].into()),
            ..TwinProperties::default()
        }),
        ..Twin::default()
    };
    hub.client
        .create_scheduled_job(
            "setpoint",
            &twin_job("setpoint", "tags.site = 'a'", twin, hub.now()),
        )
        .await
        .unwrap();
    hub.emulator.tick();
    let rows = by_device(all_rows(&hub.client, &by_job("setpoint"), None).await.0);
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["ok-1", "ok-2"]);
    for row in rows.values() {
        assert_eq!(row.job_type, Some(JobType::ScheduleUpdateTwin));
        assert_eq!(row.status, Some(DeviceJobStatus::Completed));
        assert_eq!(row.outcome.as_ref().unwrap().device_method_response, None);
        assert_eq!(row.error, None);
    }
}

#[tokio::test]
async fn twin_queries_page_too() {
    let hub = hub().await;
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let body = spec("SELECT * FROM devices WHERE tags.site = 'b'");
        let mut request = hub.client.query_iot_hub_page(&body).page_size(2);
        if let Some(token) = &token {
            request = request.continuation(token);
        }
        let page = request.await.unwrap();
        assert_eq!(page.x_ms_item_type.as_deref(), Some("twin"));
        ids.extend(
            page.body
                .iter()
                .map(|t| t["deviceId"].as_str().unwrap().to_owned()),
        );
        token = page.x_ms_continuation;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(ids, ["broken", "mute", "offline", "slow"]);
    let all = hub
        .client
        .query_iot_hub_page(&spec("select * from devices"))
        .await
        .unwrap();
    assert_eq!(all.body.len(), 6);
    assert_eq!(all.x_ms_continuation, None);
}

#[tokio::test]
async fn other_queries_and_foreign_tokens_are_400() {
    let hub = hub().await;
    for query in [
        "SELECT deviceId FROM devices",
        "SELECT * FROM devices.modules",
        "SELECT * FROM devices.jobs WHERE devices.jobs.createdTimeUtc > '2016-09-01'",
        "SELECT COUNT() FROM devices",
        "",
    ] {
        let message = expect_error(
            hub.client.query_iot_hub_page(&spec(query)).await,
            400,
            "ArgumentInvalid",
        );
        assert!(message.contains("SELECT * FROM devices.jobs"), "{message}");
    }
    let message = expect_error(
        hub.client
            .query_iot_hub_page(&QuerySpecification { query: None })
            .await,
        400,
        "ArgumentInvalid",
    );
    assert!(message.contains("query"), "{message}");
    // A token of the twin query is not one of the device job query, nor is garbage.
    let page = hub
        .client
        .query_iot_hub_page(&spec("SELECT * FROM devices"))
        .page_size(1)
        .await
        .unwrap();
    let twin_token = page.x_ms_continuation.unwrap();
    for token in [twin_token.as_str(), "garbage"] {
        expect_error(
            hub.client
                .query_iot_hub_page(&spec(&by_job("x")))
                .continuation(token)
                .await,
            400,
            "ArgumentInvalid",
        );
    }
    expect_error(
        hub.client
            .query_iot_hub_page(&spec(&by_job("x")))
            .page_size(0)
            .await,
        400,
        "ArgumentInvalid",
    );
}
