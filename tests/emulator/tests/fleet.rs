// Hand-written test infrastructure (not generated): tests of the emulator.
//! What a user of the Jobs crate does with a fleet, end to end over 127.0.0.1, through the
//! crate's task-level helpers only: schedule a direct method on devices of which some fail,
//! wait for the job, list exactly the devices that failed (with their error and what they
//! answered), then export the registry and import it back.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::entra::FakeSource;
use common::start;
use iothub_emulator::Registry;
use iothub_jobs::iothub::{BlobContainerUri, ExportOptions, ImportOptions, IotHubErrorExt as _};
use iothub_jobs::models::{CloudToDeviceMethod, DeviceJob, DeviceJobStatus, JobStatus};
use iothub_jobs::runtime::futures::TryStreamExt as _;
use serde_json::json;

/// Five thermostats: three answer `reboot`, one answers 500, one is offline.
const FLEET: &str = r#"{
  "devices": [
    {"deviceId": "t-1", "tags": {"building": "43"},
     "methods": {"reboot": {"status": 200, "payload": {"rebooted": true}, "latencySeconds": 1}}},
    {"deviceId": "t-2", "tags": {"building": "43"},
     "methods": {"reboot": {"status": 200, "payload": {"rebooted": true}, "latencySeconds": 2}}},
    {"deviceId": "t-3", "tags": {"building": "43"},
     "methods": {"reboot": {"status": 200, "payload": {"rebooted": true}, "latencySeconds": 1}}},
    {"deviceId": "t-4", "tags": {"building": "43"},
     "methods": {"reboot": {"status": 500, "payload": {"error": "disk full"}, "latencySeconds": 1}}},
    {"deviceId": "t-5", "tags": {"building": "43"}, "connectionState": "Disconnected"},
    {"deviceId": "elsewhere", "tags": {"building": "44"},
     "methods": {"reboot": {"status": 200, "payload": null, "latencySeconds": 1}}}
  ]
}"#;

/// The bearer token the emulator accepts in the Entra ID test.
const ENTRA_TOKEN: &str = "fleet-entra-token-0001";

async fn fleet() -> common::Hub {
    let registry = Registry::from_json(FLEET).expect("valid registry");
    start(
        common::manual_config()
            .with_registry(registry)
            .with_import_export_duration(Duration::from_secs(10))
            .with_bearer_token(ENTRA_TOKEN),
    )
    .await
}

/// Schedules `reboot` on building 43, lets the emulator run it, waits, and returns the failed
/// device jobs by device.
async fn reboot_building_43(hub: &common::Hub, client: &iothub_jobs::Client) -> Vec<DeviceJob> {
    let reboot = CloudToDeviceMethod::new("reboot")
        .with_payload(json!({"delaySeconds": 5}))
        .with_response_timeout_in_seconds(30)
        .with_connect_timeout_in_seconds(0);
    let created = client
        .schedule_device_method("reboot-43", "tags.building = '43'", reboot)
        .max_execution_time(Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(created.job_id.as_deref(), Some("reboot-43"));
    hub.advance(60);

    let job = client
        .wait_for_job(
            "reboot-43",
            Duration::from_millis(10),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert_eq!(job.status, Some(JobStatus::Completed));
    let statistics = job.device_job_statistics.unwrap();
    assert_eq!(
        (
            statistics.device_count,
            statistics.succeeded_count,
            statistics.failed_count
        ),
        (Some(5), Some(3), Some(2))
    );

    let all: Vec<DeviceJob> = client
        .device_jobs("reboot-43", None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5, "one row per targeted device: {all:?}");
    let mut failed: Vec<DeviceJob> = client
        .device_jobs("reboot-43", Some(DeviceJobStatus::Failed))
        .try_collect()
        .await
        .unwrap();
    failed.sort_by(|a, b| a.device_id.cmp(&b.device_id));
    failed
}

/// The failed rows are exactly t-4 (it answered 500: its answer is kept) and t-5 (offline:
/// no answer, an error).
fn assert_failures(failed: &[DeviceJob]) {
    let devices: Vec<_> = failed.iter().map(|r| r.device_id.as_deref()).collect();
    assert_eq!(devices, [Some("t-4"), Some("t-5")]);
    let broken = &failed[0];
    assert_eq!(broken.status, Some(DeviceJobStatus::Failed));
    let answer = broken
        .outcome
        .as_ref()
        .and_then(|o| o.device_method_response.as_ref())
        .expect("t-4 answered");
    assert_eq!(answer.status, Some(500));
    assert_eq!(answer.payload, Some(json!({"error": "disk full"})));
    let offline = &failed[1];
    assert!(
        offline
            .outcome
            .as_ref()
            .is_none_or(|o| o.device_method_response.is_none()),
        "{offline:?}"
    );
    let error = offline.error.as_ref().expect("t-5 has an error");
    assert_eq!(error.code.as_deref(), Some("DeviceNotOnline"), "{error:?}");
    assert!(error.description.is_some(), "{error:?}");
}

#[tokio::test]
async fn a_fleet_job_where_some_devices_fail_then_export_and_import() {
    let hub = fleet().await;
    fleet_scenario(&hub, &hub.client).await;
}

#[tokio::test]
async fn the_same_with_a_microsoft_entra_id_token() {
    let hub = fleet().await;
    let source = FakeSource::new(ENTRA_TOKEN);
    let client = common::entra::client(&hub.server.endpoint(), &source);
    fleet_scenario(&hub, &client).await;
    assert_eq!(source.calls.load(Ordering::SeqCst), 1, "one token, cached");
}

/// Everything a user does, with `client`.
async fn fleet_scenario(hub: &common::Hub, client: &iothub_jobs::Client) {
    let failed = reboot_building_43(hub, client).await;
    assert_failures(&failed);

    // A job that does not exist has no device jobs.
    let none: Vec<DeviceJob> = client
        .device_jobs("no-such-job", None)
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());
    // An invalid id is refused before anything is sent.
    let refused: Result<Vec<DeviceJob>, _> =
        client.device_jobs("x' OR 1=1", None).try_collect().await;
    assert!(
        matches!(refused, Err(iothub_jobs::runtime::Error::InvalidInput(_))),
        "{refused:?}"
    );

    // Export the registry, then import it back.
    let container = BlobContainerUri::new(
        "https://account.blob.core.windows.net/backup?sv=2021-08-06&sr=c&sp=racwdl&sig=c2lnbmF0dXJl",
    );
    let export = client
        .export_devices(&container, &ExportOptions::new().exclude_keys(true))
        .await
        .unwrap();
    let export_id = export.job_id.clone().unwrap();
    hub.advance(20);
    let done = client.get_import_export_job(&export_id).await.unwrap();
    assert_eq!(done.status, Some(JobStatus::Completed), "{done:?}");
    let import = client
        .import_devices(&container, &container, &ImportOptions::new())
        .await
        .unwrap();
    let import_id = import.job_id.clone().unwrap();
    assert_ne!(import_id, export_id);
    hub.advance(20);
    let done = client.get_import_export_job(&import_id).await.unwrap();
    assert_eq!(done.status, Some(JobStatus::Completed), "{done:?}");
    let recorded = hub.emulator.import_export_job(&import_id).unwrap();
    assert_eq!(
        recorded.input_blob_container_uri.as_deref(),
        Some(container.expose())
    );

    // Errors are typed.
    let missing = client.get_scheduled_job("no-such-job").await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
}
