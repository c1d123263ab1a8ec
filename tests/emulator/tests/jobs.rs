// Hand-written test infrastructure (not generated): tests of scheduled jobs in the emulator.
//! Scheduled jobs through the generated client, driven by the manual clock: direct methods
//! (answers, timeouts, offline devices, devices that connect late), twin updates read back
//! through the library, statistics, cancellation and the maximum execution time.

mod common;

use std::collections::BTreeMap;

use common::{Hub, method_job, start, start_default, stats, twin_job};
use iothub_emulator::{DeviceJobStatus, Registry};
use iothub_jobs::models::{JobResponse, JobStatus, Twin, TwinConnectionState, TwinProperties};
use serde_json::json;

async fn get(hub: &Hub, id: &str) -> JobResponse {
    hub.client.get_scheduled_job(id).await.unwrap()
}

fn status(job: &JobResponse) -> &str {
    job.status.as_ref().unwrap().as_str()
}

#[tokio::test]
async fn direct_method_on_building_43_runs_to_completion_with_statistics() {
    let hub = start_default().await;
    let start_at = hub.at(60);
    let request = method_job(
        "reboot-43",
        "tags.building = '43'",
        "reboot",
        start_at,
        30,
        0,
        Some(600),
    );
    let created = hub
        .client
        .create_scheduled_job("reboot-43", &request)
        .await
        .unwrap();
    assert_eq!(status(&created), "scheduled");
    assert_eq!(created.created_time, Some(hub.now()));
    assert_eq!(created.start_time, Some(start_at));
    assert_eq!(
        created.query_condition.as_deref(),
        Some("tags.building = '43'")
    );
    assert_eq!(
        stats(created.device_job_statistics.as_ref()),
        (0, 0, 0, 0, 0)
    );

    // Not yet at the start time.
    hub.advance(59);
    assert_eq!(status(&get(&hub, "reboot-43").await), "scheduled");

    // At the start time: three devices in building 43, every call in flight.
    hub.advance(1);
    let job = get(&hub, "reboot-43").await;
    assert_eq!(status(&job), "running");
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 0, 3, 0, 0));

    // thermostat-43-01 answers after 1 s, thermostat-43-02 after 2 s.
    hub.advance(1);
    let job = get(&hub, "reboot-43").await;
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 0, 2, 1, 0));
    hub.advance(1);
    let job = get(&hub, "reboot-43").await;
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 0, 1, 2, 0));
    assert_eq!(status(&job), "running");

    // camera-43-03 takes 600 s: it times out after responseTimeoutInSeconds (30 s).
    hub.advance(27);
    assert_eq!(status(&get(&hub, "reboot-43").await), "running");
    hub.advance(1);
    let job = get(&hub, "reboot-43").await;
    assert_eq!(status(&job), "completed");
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 0, 0, 2, 1));
    assert_eq!(job.end_time, Some(start_at + chrono::Duration::seconds(30)));

    let results = hub.emulator.device_results("reboot-43").unwrap();
    let by_device: BTreeMap<_, _> = results.iter().map(|r| (r.device_id.as_str(), r)).collect();
    assert_eq!(
        by_device.keys().copied().collect::<Vec<_>>(),
        ["camera-43-03", "thermostat-43-01", "thermostat-43-02"]
    );
    let ok = by_device["thermostat-43-01"];
    assert_eq!(ok.status, DeviceJobStatus::Succeeded);
    assert_eq!(ok.response_status, Some(200));
    assert_eq!(ok.response_payload, Some(json!({"rebooted": true})));
    assert_eq!(ok.end_time, Some(start_at + chrono::Duration::seconds(1)));
    let slow = by_device["camera-43-03"];
    assert_eq!(slow.status, DeviceJobStatus::Failed);
    assert_eq!(slow.response_status, Some(504));
}

#[tokio::test]
async fn offline_devices_and_error_answers_fail_and_are_counted() {
    let hub = start_default().await;
    let start_at = hub.now();
    // Building 44: thermostat-44-01 answers 200 after 1 s; gateway-44-03 answers 500 after
    // 1 s; sensor-44-02 is offline and the job waits connectTimeoutInSeconds (10 s) for it.
    let request = method_job(
        "reboot-44",
        "tags.building = '44'",
        "reboot",
        start_at,
        30,
        10,
        None,
    );
    let created = hub
        .client
        .create_scheduled_job("reboot-44", &request)
        .await
        .unwrap();
    assert_eq!(status(&created), "queued", "start time now: queued");
    assert_eq!(
        created
            .cloud_to_device_method
            .unwrap()
            .connect_timeout_in_seconds,
        Some(10)
    );

    // A queued job starts on the next look, without the clock moving.
    let job = get(&hub, "reboot-44").await;
    assert_eq!(status(&job), "running");
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 1, 2, 0, 0));

    hub.advance(1);
    let job = get(&hub, "reboot-44").await;
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 1, 0, 1, 1));
    hub.advance(8);
    assert_eq!(status(&get(&hub, "reboot-44").await), "running");
    hub.advance(1);
    let job = get(&hub, "reboot-44").await;
    assert_eq!(
        status(&job),
        "completed",
        "completed even though devices failed"
    );
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 0, 0, 1, 2));

    let results = hub.emulator.device_results("reboot-44").unwrap();
    let answer = |id: &str| {
        let r = results.iter().find(|r| r.device_id == id).unwrap();
        (r.status, r.response_status)
    };
    assert_eq!(
        answer("thermostat-44-01"),
        (DeviceJobStatus::Succeeded, Some(200))
    );
    assert_eq!(
        answer("gateway-44-03"),
        (DeviceJobStatus::Failed, Some(500))
    );
    assert_eq!(answer("sensor-44-02"), (DeviceJobStatus::Failed, Some(404)));

    // With the default connectTimeoutInSeconds (0) the offline device fails at once.
    let request = method_job(
        "ping-sensor",
        "deviceId = 'sensor-44-02'",
        "ping",
        hub.now(),
        30,
        0,
        None,
    );
    hub.client
        .create_scheduled_job("ping-sensor", &request)
        .await
        .unwrap();
    let job = get(&hub, "ping-sensor").await;
    assert_eq!(status(&job), "completed");
    assert_eq!(stats(job.device_job_statistics.as_ref()), (1, 0, 0, 0, 1));
}

#[tokio::test]
async fn a_device_that_connects_within_the_connect_timeout_is_reached() {
    let registry = Registry::from_json(
        r#"{"devices": [
            {"deviceId": "late", "connectionState": "Disconnected", "connectsAfterSeconds": 5,
             "methods": {"wake": {"status": 202, "payload": "awake", "latencySeconds": 2}}},
            {"deviceId": "too-late", "connectionState": "Disconnected", "connectsAfterSeconds": 20,
             "methods": {"wake": {"status": 200}}},
            {"deviceId": "disabled", "status": "disabled", "connectsAfterSeconds": 1}
        ]}"#,
    )
    .unwrap();
    let hub = start(common::manual_config().with_registry(registry)).await;
    let request = method_job("wake", "*", "wake", hub.now(), 30, 10, None);
    hub.client
        .create_scheduled_job("wake", &request)
        .await
        .unwrap();
    let job = get(&hub, "wake").await;
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 3, 0, 0, 0));
    assert_eq!(
        hub.emulator.twin("late").unwrap().connection_state,
        Some(TwinConnectionState::Disconnected)
    );

    hub.advance(5);
    let job = get(&hub, "wake").await;
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 2, 1, 0, 0));
    assert_eq!(
        hub.emulator.twin("late").unwrap().connection_state,
        Some(TwinConnectionState::Connected),
        "the device stays connected"
    );
    hub.advance(2);
    let job = get(&hub, "wake").await;
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 2, 0, 1, 0));
    hub.advance(3);
    let job = get(&hub, "wake").await;
    assert_eq!(status(&job), "completed");
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 0, 0, 1, 2));
    let results = hub.emulator.device_results("wake").unwrap();
    let late = results.iter().find(|r| r.device_id == "late").unwrap();
    assert_eq!(late.response_status, Some(202));
    assert_eq!(late.response_payload, Some(json!("awake")));
}

#[tokio::test]
async fn twin_update_patches_the_matched_twins() {
    let hub = start_default().await;
    let before_44 = hub.emulator.twin("thermostat-44-01").unwrap();
    let patch = Twin {
        tags: Some(
            [
                ("maintenance".to_owned(), json!({"window": "sunday"})),
                ("kind".to_owned(), serde_json::Value::Null),
            ]
            .into(),
        ),
        properties: Some(TwinProperties {
            desired: Some(
                [
                    ("setpoint".to_owned(), json!(18)),
                    ("eco".to_owned(), json!(true)),
                ]
                .into(),
            ),
            reported: None,
        }),
        ..Twin::default()
    };
    let start_at = hub.at(30);
    let request = twin_job(
        "eco-43",
        "tags.building = '43' AND tags.kind = 'thermostat'",
        patch,
        start_at,
    );
    let created = hub
        .client
        .create_scheduled_job("eco-43", &request)
        .await
        .unwrap();
    assert_eq!(status(&created), "scheduled");
    assert_eq!(created.update_twin.unwrap().etag.as_deref(), Some("*"));
    // Nothing changes before the start time.
    hub.advance(29);
    assert_eq!(
        hub.emulator.twin("thermostat-43-01").unwrap().version,
        Some(1)
    );

    hub.advance(1);
    let job = get(&hub, "eco-43").await;
    assert_eq!(status(&job), "completed");
    assert_eq!(stats(job.device_job_statistics.as_ref()), (2, 0, 0, 2, 0));
    assert_eq!(job.end_time, Some(start_at));

    for id in ["thermostat-43-01", "thermostat-43-02"] {
        let twin = hub.emulator.twin(id).unwrap();
        let tags = twin.tags.unwrap();
        assert_eq!(tags["maintenance"], json!({"window": "sunday"}), "{id}");
        assert!(!tags.contains_key("kind"), "null removes a tag");
        assert_eq!(tags["building"], json!("43"), "other tags stay");
        let desired = twin.properties.unwrap().desired.unwrap();
        assert_eq!(desired["setpoint"], json!(18));
        assert_eq!(desired["eco"], json!(true));
        assert_eq!(twin.version, Some(2));
    }
    // Devices the condition did not match are untouched.
    assert_eq!(hub.emulator.twin("camera-43-03").unwrap().version, Some(1));
    assert_eq!(hub.emulator.twin("thermostat-44-01").unwrap(), before_44);
    let json_twin = hub.emulator.twin_json("thermostat-43-01").unwrap();
    assert_eq!(json_twin["properties"]["reported"]["firmware"], "1.4.2");

    // Later jobs see the patched twins.
    let request = method_job(
        "sunday",
        "tags.maintenance.window = 'sunday'",
        "reboot",
        hub.now(),
        30,
        0,
        None,
    );
    hub.client
        .create_scheduled_job("sunday", &request)
        .await
        .unwrap();
    hub.advance(5);
    let job = get(&hub, "sunday").await;
    assert_eq!(stats(job.device_job_statistics.as_ref()), (2, 0, 0, 2, 0));
}

#[tokio::test]
async fn query_conditions_select_the_devices() {
    let hub = start(common::manual_config().with_max_active_jobs(100)).await;
    for (id, condition, expected) in [
        ("all", "*", 6),
        ("one", "deviceId = 'gateway-44-03'", 1),
        (
            "list",
            "deviceId IN ['thermostat-43-01', 'sensor-44-02', 'nobody']",
            2,
        ),
        ("warm", "properties.reported.temperature > 20", 2),
        (
            "floors",
            "tags.floor >= 2 AND (tags.building = '43' OR tags.kind = 'sensor')",
            3,
        ),
        ("not-thermostats", "NOT tags.kind = 'thermostat'", 3),
        ("connected", "connectionState = 'Disconnected'", 1),
        ("none", "tags.building = '45'", 0),
    ] {
        let request = method_job(id, condition, "ping", hub.now(), 30, 0, None);
        hub.client.create_scheduled_job(id, &request).await.unwrap();
        let job = get(&hub, id).await;
        assert_eq!(
            job.device_job_statistics.unwrap().device_count,
            Some(expected),
            "{condition}"
        );
    }
    // A job that matches no device completes at once.
    assert_eq!(status(&get(&hub, "none").await), "completed");
}

#[tokio::test]
async fn cancel_moves_scheduled_and_running_jobs_to_cancelled() {
    let hub = start_default().await;
    // A scheduled twin update, cancelled before it starts, never applies.
    let patch = Twin {
        tags: Some([("x".to_owned(), json!(1))].into()),
        ..Twin::default()
    };
    let request = twin_job("later", "*", patch, hub.at(60));
    hub.client
        .create_scheduled_job("later", &request)
        .await
        .unwrap();
    let cancelled = hub.client.cancel_scheduled_job("later").await.unwrap();
    assert_eq!(status(&cancelled), "cancelled");
    assert_eq!(cancelled.end_time, Some(hub.now()));
    hub.advance(120);
    let job = get(&hub, "later").await;
    assert_eq!(status(&job), "cancelled");
    assert_eq!(stats(job.device_job_statistics.as_ref()), (0, 0, 0, 0, 0));
    assert_eq!(hub.emulator.device_results("later"), Some(vec![]));
    assert!(
        !hub.emulator
            .twin("thermostat-43-01")
            .unwrap()
            .tags
            .unwrap()
            .contains_key("x")
    );

    // A running direct method, cancelled while one call is in flight, stops there.
    let request = method_job(
        "reboot",
        "tags.building = '43'",
        "reboot",
        hub.now(),
        30,
        0,
        None,
    );
    hub.client
        .create_scheduled_job("reboot", &request)
        .await
        .unwrap();
    hub.advance(1);
    let job = get(&hub, "reboot").await;
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 0, 2, 1, 0));
    let cancelled = hub.client.cancel_scheduled_job("reboot").await.unwrap();
    assert_eq!(status(&cancelled), "cancelled");
    hub.advance(60);
    let job = get(&hub, "reboot").await;
    assert_eq!(status(&job), "cancelled");
    assert_eq!(
        stats(job.device_job_statistics.as_ref()),
        (3, 0, 2, 1, 0),
        "counts of the moment of cancellation"
    );

    // Cancelling a finished job changes nothing.
    let request = method_job(
        "done",
        "deviceId = 'thermostat-44-01'",
        "ping",
        hub.now(),
        30,
        0,
        None,
    );
    hub.client
        .create_scheduled_job("done", &request)
        .await
        .unwrap();
    assert_eq!(status(&get(&hub, "done").await), "completed");
    let again = hub.client.cancel_scheduled_job("done").await.unwrap();
    assert_eq!(status(&again), "completed");
    // And cancelling twice leaves it cancelled.
    assert_eq!(
        status(&hub.client.cancel_scheduled_job("reboot").await.unwrap()),
        "cancelled"
    );
}

#[tokio::test]
async fn max_execution_time_is_enforced() {
    let hub = start_default().await;
    // camera-43-03 takes 600 s; the call may wait 300 s; the job may run 100 s.
    let request = method_job(
        "bounded",
        "tags.building = '43'",
        "reboot",
        hub.now(),
        300,
        0,
        Some(100),
    );
    hub.client
        .create_scheduled_job("bounded", &request)
        .await
        .unwrap();
    hub.advance(99);
    let job = get(&hub, "bounded").await;
    assert_eq!(status(&job), "running");
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 0, 1, 2, 0));
    hub.advance(1);
    let job = get(&hub, "bounded").await;
    assert_eq!(status(&job), "failed");
    assert_eq!(stats(job.device_job_statistics.as_ref()), (3, 0, 0, 2, 1));
    assert!(
        job.failure_reason
            .as_deref()
            .unwrap()
            .contains("maximum execution time"),
        "{job:?}"
    );
    assert_eq!(
        job.end_time,
        Some(job.start_time.unwrap() + chrono::Duration::seconds(100))
    );
    let results = hub.emulator.device_results("bounded").unwrap();
    let camera = results
        .iter()
        .find(|r| r.device_id == "camera-43-03")
        .unwrap();
    assert_eq!(
        (camera.status, camera.response_status),
        (DeviceJobStatus::Failed, Some(408))
    );

    // The default limit is 3600 s (the clock-following client keeps its tokens valid).
    let client = hub.clock_following_client();
    let mut request = method_job(
        "default-limit",
        "deviceId = 'camera-43-03'",
        "reboot",
        hub.now(),
        300,
        0,
        None,
    );
    request.max_execution_time_in_seconds = None;
    let created = client
        .create_scheduled_job("default-limit", &request)
        .await
        .unwrap();
    assert_eq!(created.max_execution_time_in_seconds, Some(3600));
    hub.advance(300);
    let job = client.get_scheduled_job("default-limit").await.unwrap();
    assert_eq!(
        status(&job),
        "completed",
        "timed out device, job within its limit"
    );
}

#[tokio::test]
async fn statuses_move_scheduled_running_completed() {
    let hub = start_default().await;
    let request = method_job(
        "steps",
        "deviceId = 'thermostat-43-02'",
        "reboot",
        hub.at(10),
        30,
        0,
        None,
    );
    hub.client
        .create_scheduled_job("steps", &request)
        .await
        .unwrap();
    let mut seen = vec![status(&get(&hub, "steps").await).to_owned()];
    for _ in 0..4 {
        hub.advance(5);
        let job = get(&hub, "steps").await;
        if seen.last().map(String::as_str) != Some(status(&job)) {
            seen.push(status(&job).to_owned());
        }
    }
    assert_eq!(seen, ["scheduled", "running", "completed"]);
    assert_eq!(
        hub.emulator.job("steps").unwrap().status,
        Some(JobStatus::Completed)
    );
}

#[tokio::test]
async fn the_oldest_finished_jobs_go_beyond_the_number_kept() {
    let hub = start(common::manual_config().with_max_finished_jobs(3)).await;
    // `ping` answers at once: each job finishes when it starts, one second apart.
    for i in 0..5 {
        let id = format!("job-{i}");
        let request = method_job(
            &id,
            "deviceId = 'thermostat-43-01'",
            "ping",
            hub.at(i),
            30,
            0,
            None,
        );
        hub.client
            .create_scheduled_job(&id, &request)
            .await
            .unwrap();
    }
    hub.advance(5);
    for i in 0..2 {
        common::expect_error(
            hub.client.get_scheduled_job(&format!("job-{i}")).await,
            404,
            "JobNotFound",
        );
    }
    for i in 2..5 {
        assert_eq!(status(&get(&hub, &format!("job-{i}")).await), "completed");
    }
    // Active jobs are never forgotten, however many finish.
    let waiting = method_job("waiting", "*", "ping", hub.at(600), 30, 0, None);
    hub.client
        .create_scheduled_job("waiting", &waiting)
        .await
        .unwrap();
    for i in 5..10 {
        let id = format!("job-{i}");
        let request = method_job(
            &id,
            "deviceId = 'thermostat-43-01'",
            "ping",
            hub.now(),
            30,
            0,
            None,
        );
        hub.client
            .create_scheduled_job(&id, &request)
            .await
            .unwrap();
        hub.advance(1);
    }
    assert_eq!(status(&get(&hub, "waiting").await), "scheduled");
    let page = hub.client.query_scheduled_jobs_page().await.unwrap();
    let ids: Vec<&str> = page
        .body
        .iter()
        .filter_map(|j| j.job_id.as_deref())
        .collect();
    assert_eq!(ids, ["waiting", "job-7", "job-8", "job-9"]);
}
