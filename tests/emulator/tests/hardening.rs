// Hand-written test infrastructure (not generated): the emulator under hostile input.
//! Requests that used to abort the emulator or leave it stuck, over real HTTP on 127.0.0.1:
//! huge and deeply nested query conditions, maximum execution times near `i64::MAX`, an
//! import/export job that never ends, a ticker whose clock fails, and a thousand malformed
//! requests in a row. After each, the same emulator still answers a well-formed request
//! correctly. Time only moves through the emulator's manual clock; where a background task
//! has to run, the test waits for what it reports, never for a duration.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{Hub, assert_envelope_a, method_job, start, start_default, stats};
use iothub_emulator::{Clock, Config, Emulator, ManualClock};
use iothub_jobs::models::{IotHubError, JobProperties, JobStatus, JobType};
use serde_json::json;

const INVALID: &str = "ArgumentInvalid";

/// A scheduled direct-method job as raw JSON, with `condition`.
fn job_body(id: &str, condition: &str) -> String {
    json!({
        "jobId": id,
        "type": "scheduleDeviceMethod",
        "cloudToDeviceMethod": {"methodName": "ping", "responseTimeoutInSeconds": 30},
        "queryCondition": condition,
    })
    .to_string()
}

/// `PUT /jobs/v2/{id}` with `body` as JSON.
async fn put_job(hub: &Hub, http: &reqwest::Client, id: &str, body: String) -> reqwest::Response {
    http.put(hub.url(&format!("/jobs/v2/{id}?api-version=2021-04-12")))
        .header("Authorization", hub.token())
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("an answer")
}

/// Checks a raw response: `status`, `iothub-errorcode: code`, envelope A; returns the text
/// after `ErrorCode:<code>;`.
async fn expect_hub_error(response: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(response.status().as_u16(), status, "{response:?}");
    assert_eq!(
        response
            .headers()
            .get("iothub-errorcode")
            .and_then(|v| v.to_str().ok()),
        Some(code),
        "{response:?}"
    );
    let body: IotHubError = common::json(response).await;
    assert_envelope_a(&body, code);
    let message = body.message.unwrap_or_default();
    message
        .strip_prefix(&format!("ErrorCode:{code};"))
        .unwrap_or(&message)
        .to_owned()
}

/// The emulator still schedules, runs and reports a job: the proof it is alive and sane.
async fn still_runs_jobs(hub: &Hub, id: &str) {
    let request = method_job(
        id,
        "deviceId IN ['thermostat-43-01', 'thermostat-43-02']",
        "reboot",
        hub.now(),
        30,
        0,
        None,
    );
    let client = hub.clock_following_client();
    let created = client.create_scheduled_job(id, &request).await.unwrap();
    assert_eq!(created.job_id.as_deref(), Some(id));
    hub.advance(2);
    let job = client.get_scheduled_job(id).await.unwrap();
    assert_eq!(job.status, Some(JobStatus::Completed), "{job:?}");
    assert_eq!(stats(job.device_job_statistics.as_ref()), (2, 0, 0, 2, 0));
}

#[tokio::test]
async fn a_2_mb_body_of_nested_conditions_is_400_and_the_emulator_lives_on() {
    let hub = start_default().await;
    let http = reqwest::Client::new();

    // 2,000,000 bytes of parentheses around one comparison: it used to recurse once per
    // parenthesis and overflow the stack.
    let depth = 999_900;
    let nested = format!("{}deviceId = 'x'{}", "(".repeat(depth), ")".repeat(depth));
    let body = job_body("nested", &nested);
    assert!(
        (1_990_000..2_000_100).contains(&body.len()),
        "{}",
        body.len()
    );
    let message = expect_hub_error(put_job(&hub, &http, "nested", body).await, 400, INVALID).await;
    assert!(message.contains("queryCondition"), "{message}");
    assert!(message.contains("at most"), "{message}");
    assert!(message.len() < 300, "{message}");

    // The reported cases: `NOT ` 5,000 times (20 KB), and 20,000 terms joined by OR (320 KB).
    let nots = format!("{}deviceId = 'x'", "NOT ".repeat(5000));
    let message = expect_hub_error(
        put_job(&hub, &http, "nots", job_body("nots", &nots)).await,
        400,
        INVALID,
    )
    .await;
    assert!(message.contains("nest"), "{message}");
    let chain = vec!["deviceId = 'a'"; 20_000].join(" OR ");
    let message = expect_hub_error(
        put_job(&hub, &http, "chain", job_body("chain", &chain)).await,
        400,
        INVALID,
    )
    .await;
    assert!(message.contains("at most"), "{message}");
    // Nesting beyond the limit in a short condition.
    let deep = format!("{}deviceId = 'x'{}", "(".repeat(100), ")".repeat(100));
    let message = expect_hub_error(
        put_job(&hub, &http, "deep", job_body("deep", &deep)).await,
        400,
        INVALID,
    )
    .await;
    assert!(message.contains("nest"), "{message}");
    // Within the limits, long chains and nesting work.
    let within = format!(
        "{}{}{}",
        "(".repeat(30),
        vec!["deviceId = 'thermostat-43-01'"; 500].join(" OR "),
        ")".repeat(30)
    );
    let response = put_job(&hub, &http, "within", job_body("within", &within)).await;
    assert_eq!(response.status().as_u16(), 200);

    // A body over the limit is 413 in IoT Hub's envelope, not axum's plain text.
    let huge = job_body("huge", &"x".repeat(3 * 1024 * 1024));
    let message = expect_hub_error(
        put_job(&hub, &http, "huge", huge).await,
        413,
        "MessageTooLarge",
    )
    .await;
    assert!(message.contains("bytes"), "{message}");

    still_runs_jobs(&hub, "after-nesting").await;
}

#[tokio::test]
async fn huge_max_execution_times_are_400_and_take_no_slot() {
    // Five active jobs at most (the default): six refused creates must leave all five free.
    let hub = start_default().await;
    let client = hub.clock_following_client();
    let limits = [
        i64::MAX,
        10_000_000_000_000,
        30 * 24 * 3600 + 1,
        i64::MAX - 1,
        i64::MIN,
        0,
    ];
    for (i, limit) in limits.into_iter().enumerate() {
        let id = format!("huge-{i}");
        let request = method_job(&id, "*", "ping", hub.now(), 30, 0, Some(limit));
        let message = common::expect_error(
            client.create_scheduled_job(&id, &request).await,
            400,
            INVALID,
        );
        assert!(message.contains("maxExecutionTimeInSeconds"), "{message}");
        assert!(message.contains("2592000"), "{message}");
    }
    // The largest accepted value (30 days) runs like any other.
    let request = method_job(
        "month",
        "deviceId = 'thermostat-43-01'",
        "reboot",
        hub.now(),
        30,
        0,
        Some(30 * 24 * 3600),
    );
    client
        .create_scheduled_job("month", &request)
        .await
        .unwrap();
    hub.advance(1);
    let job = client.get_scheduled_job("month").await.unwrap();
    assert_eq!(job.status, Some(JobStatus::Completed), "{job:?}");
    // Every slot is free: five jobs in the future are accepted at once.
    for i in 0..5 {
        let id = format!("later-{i}");
        let request = method_job(&id, "*", "ping", hub.at(600), 30, 0, None);
        client.create_scheduled_job(&id, &request).await.unwrap();
    }
    for i in 0..5 {
        client
            .cancel_scheduled_job(&format!("later-{i}"))
            .await
            .unwrap();
    }
    still_runs_jobs(&hub, "after-huge").await;
}

#[tokio::test]
async fn an_import_export_job_that_never_ends_is_no_panic() {
    // A duration no calendar can hold: the job starts and simply never moves on.
    let hub = start(common::manual_config().with_import_export_duration(Duration::MAX)).await;
    let client = hub.clock_following_client();
    let export = JobProperties {
        r#type: JobType::Export,
        output_blob_container_uri: Some("https://blob.example/out".to_owned()),
        job_id: None,
        start_time_utc: None,
        end_time_utc: None,
        status: None,
        progress: None,
        input_blob_container_uri: None,
        input_blob_name: None,
        output_blob_name: None,
        exclude_keys_in_export: None,
        storage_authentication_type: None,
        identity: None,
        failure_reason: None,
        include_configurations: None,
        configurations_blob_name: None,
    };
    let job = client.create_import_export_job(&export).await.unwrap();
    let id = job.job_id.unwrap();
    hub.emulator
        .advance(Duration::from_secs(100 * 365 * 24 * 3600));
    let job = client.get_import_export_job(&id).await.unwrap();
    assert_eq!(job.status, Some(JobStatus::Enqueued));
    client.cancel_import_export_job(&id).await.unwrap();
    still_runs_jobs(&hub, "after-forever").await;
}

/// A clock that panics the first time it is read, then keeps the time of a manual clock,
/// and reports every reading.
#[derive(Debug)]
struct FailingOnce {
    inner: Arc<ManualClock>,
    readings: AtomicUsize,
    report: tokio::sync::mpsc::UnboundedSender<usize>,
}

impl Clock for FailingOnce {
    fn now(&self) -> DateTime<Utc> {
        let n = self.readings.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = self.report.send(n);
        assert!(n != 1, "the clock fails once");
        self.inner.now()
    }
}

#[tokio::test]
async fn the_ticker_survives_a_failing_tick() {
    let (report, mut readings) = tokio::sync::mpsc::unbounded_channel();
    let clock = Arc::new(FailingOnce {
        inner: ManualClock::starting_now(),
        readings: AtomicUsize::new(0),
        report,
    });
    let emulator = Emulator::new(Config::default().with_clock(clock));
    let ticker = emulator.spawn_ticker(Duration::from_millis(1));
    // The first tick fails; the ticker must go on reading the clock. (The bound only ends a
    // test whose ticker died: every reading here comes within milliseconds.)
    for expected in 1..=3 {
        let n = tokio::time::timeout(Duration::from_secs(20), readings.recv())
            .await
            .expect("the ticker keeps ticking")
            .expect("the clock is alive");
        assert_eq!(n, expected);
    }
    assert!(!ticker.is_finished());
    ticker.abort();
    // The emulator it ticks serves requests.
    let server = emulator.serve_loopback().await.unwrap();
    let client = iothub_jobs::Client::from_connection_string_with_endpoint(
        &emulator.connection_string(),
        &server.endpoint(),
    )
    .unwrap();
    assert_eq!(client.get_import_export_jobs().await.unwrap(), vec![]);
}

#[tokio::test]
async fn a_thousand_malformed_requests_in_a_row_then_a_good_one() {
    let hub = start_default().await;
    let http = reqwest::Client::new();
    let api = "?api-version=2021-04-12";
    let token = hub.token();
    let deep_json = format!(
        r#"{{"type": "scheduleDeviceMethod", "cloudToDeviceMethod": {{"methodName": "m", "payload": {}{}}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let over_limit = "x".repeat(3 * 1024 * 1024);
    let mut answered = 0;
    for i in 0..1000 {
        let id = format!("bad-{i}");
        let put = http
            .put(hub.url(&format!("/jobs/v2/{id}{api}")))
            .header("Authorization", &token);
        let kind = i % 10;
        let result = match kind {
            // Bad JSON.
            0 => {
                put.header("Content-Type", "application/json")
                    .body(r#"{"type": "scheduleDeviceMethod", "queryCondition": "#)
                    .send()
                    .await
            }
            // Wrong types, and JSON nested 100,000 deep.
            1 => {
                let body = match i % 3 {
                    0 => r#"{"type": 5, "queryCondition": []}"#.to_owned(),
                    1 => r#"{"maxExecutionTimeInSeconds": "soon", "startTime": 7}"#.to_owned(),
                    _ => deep_json.clone(),
                };
                put.header("Content-Type", "application/json")
                    .body(body)
                    .send()
                    .await
            }
            // Huge headers: 64 KiB (read), and 1 MiB (beyond what the HTTP server reads).
            2 => {
                let size = if i % 20 == 2 { 64 * 1024 } else { 1024 * 1024 };
                http.get(hub.url(&format!("/jobs/v2/query{api}")))
                    .header("Authorization", &token)
                    .header("x-padding", "p".repeat(size))
                    .send()
                    .await
            }
            // Bad tokens: garbage, forged fields, another policy's name, not ASCII.
            3 => {
                let bad = match i % 4 {
                    0 => "SharedAccessSignature garbage".to_owned(),
                    1 => token.replace("skn=iothubowner", "skn=x%0AINFO%20forged"),
                    2 => format!("{token}&se=1"),
                    _ => token.replace("sig=", "sig=%FF%FE"),
                };
                let request = http.get(hub.url(&format!("/jobs/v2/query{api}")));
                let request = if i % 40 == 3 {
                    request.header(
                        "Authorization",
                        reqwest::header::HeaderValue::from_bytes(b"SharedAccessSignature \xff\xfe")
                            .unwrap(),
                    )
                } else {
                    request.header("Authorization", bad)
                };
                request.send().await
            }
            // Paths no operation has, or with ids the hub refuses.
            4 => {
                let path = match i % 5 {
                    0 => "/jobs/v2/a/b/c/d".to_owned(),
                    1 => "/%FF%FE".to_owned(),
                    2 => format!("/jobs/v2/{}", "x".repeat(5000)),
                    3 => "/jobs/v2/..%2F..%2Fetc".to_owned(),
                    _ => "//jobs".to_owned(),
                };
                http.get(hub.url(&format!("{path}{api}")))
                    .header("Authorization", &token)
                    .send()
                    .await
            }
            // Bodies over the limit (fewer of them: each is 3 MiB).
            5 if i % 50 == 5 => {
                put.header("Content-Type", "application/json")
                    .body(over_limit.clone())
                    .send()
                    .await
            }
            // Not JSON.
            5 => {
                put.header("Content-Type", "text/plain")
                    .body(job_body(&id, "*"))
                    .send()
                    .await
            }
            // Invalid jobs and parameters.
            6 => {
                put.header("Content-Type", "application/json")
                    .body(job_body(&id, "deviceId = 'unterminated"))
                    .send()
                    .await
            }
            7 => {
                http.get(hub.url("/jobs/v2/query?api-version=1999-01-01"))
                    .header("Authorization", &token)
                    .header("x-ms-max-item-count", "lots")
                    .send()
                    .await
            }
            // Conditions at and beyond the limits.
            8 => {
                let condition = if i % 20 == 8 {
                    "(".repeat(40_000)
                } else {
                    "NOT ".repeat(65) + "deviceId = 'x'"
                };
                put.header("Content-Type", "application/json")
                    .body(job_body(&id, &condition))
                    .send()
                    .await
            }
            // Methods and bodies where none belong.
            _ => {
                http.delete(hub.url(&format!("/jobs/v2/{id}{api}")))
                    .header("Authorization", &token)
                    .body("{}")
                    .send()
                    .await
            }
        };
        // A 1 MiB header may be refused by the HTTP server with a closed connection;
        // everything else gets an answer.
        let Ok(response) = result else {
            assert_eq!(kind, 2, "request {i} got no answer: {result:?}");
            continue;
        };
        answered += 1;
        let status = response.status().as_u16();
        match kind {
            0 | 1 | 6 | 7 | 8 => {
                expect_hub_error(response, 400, INVALID).await;
            }
            3 => {
                expect_hub_error(response, 401, "IotHubUnauthorizedAccess").await;
            }
            5 if i % 50 == 5 => {
                expect_hub_error(response, 413, "MessageTooLarge").await;
            }
            5 => {
                let message = expect_hub_error(response, 400, INVALID).await;
                assert!(message.contains("Content-Type"), "{message}");
            }
            2 => assert!([200, 431].contains(&status), "request {i}: {status}"),
            4 => assert!([400, 404].contains(&status), "request {i}: {status}"),
            _ => assert_eq!(status, 405, "request {i}"),
        }
    }
    assert!(answered >= 950, "{answered} answers");
    // None of them created anything.
    let page = hub.client.query_scheduled_jobs_page().await.unwrap();
    assert!(page.body.is_empty(), "{:?}", page.body);

    still_runs_jobs(&hub, "after-malformed").await;
}

#[tokio::test]
async fn finished_jobs_are_kept_30_days() {
    let hub = start_default().await;
    let client = hub.clock_following_client();
    let request = method_job(
        "old",
        "deviceId = 'thermostat-43-01'",
        "reboot",
        hub.now(),
        30,
        0,
        None,
    );
    client.create_scheduled_job("old", &request).await.unwrap();
    let export = JobProperties {
        r#type: JobType::Export,
        output_blob_container_uri: Some("https://blob.example/out".to_owned()),
        job_id: None,
        start_time_utc: None,
        end_time_utc: None,
        status: None,
        progress: None,
        input_blob_container_uri: None,
        input_blob_name: None,
        output_blob_name: None,
        exclude_keys_in_export: None,
        storage_authentication_type: None,
        identity: None,
        failure_reason: None,
        include_configurations: None,
        configurations_blob_name: None,
    };
    let export = client.create_import_export_job(&export).await.unwrap();
    let export_id = export.job_id.unwrap();
    // The job ends 1 s after it starts, the export after 10 s.
    hub.advance(10);
    assert_eq!(
        client.get_scheduled_job("old").await.unwrap().status,
        Some(JobStatus::Completed)
    );
    let month = 30 * 24 * 3600;
    hub.advance(month - 10);
    client.get_scheduled_job("old").await.unwrap();
    hub.advance(1);
    common::expect_error(client.get_scheduled_job("old").await, 404, "JobNotFound");
    let page = client.query_scheduled_jobs_page().await.unwrap();
    assert!(page.body.is_empty());
    // The export ended 9 s later than the job, so it goes 9 s later.
    client.get_import_export_job(&export_id).await.unwrap();
    hub.advance(9);
    common::expect_error(
        client.get_import_export_job(&export_id).await,
        404,
        "JobNotFound",
    );
    assert_eq!(client.get_import_export_jobs().await.unwrap(), vec![]);
    // The id is free again.
    client.create_scheduled_job("old", &request).await.unwrap();
}
