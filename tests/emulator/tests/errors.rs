// Hand-written test infrastructure (not generated): tests of the emulator's error answers.
//! Every error the emulator sends, through the generated client (or raw HTTP where the client
//! cannot send the bad request): status, `iothub-errorcode` header and envelope.

mod common;

use common::{
    assert_envelope_a, expect_error, hub_error, method_job, start, start_default, twin_job,
};
use iothub_jobs::models::{JobProperties, JobRequest, JobStatus, JobType, Twin, TwinProperties};

const INVALID: &str = "ArgumentInvalid";

#[tokio::test]
async fn unknown_jobs_are_404_job_not_found_in_both_envelopes() {
    let hub = start_default().await;

    // Scheduled jobs: envelope B at the top level.
    let error = hub
        .client
        .get_scheduled_job("no-such-job")
        .await
        .unwrap_err();
    let seen = hub_error(&error);
    assert_eq!(seen.status, 404);
    assert_eq!(seen.header.as_deref(), Some("JobNotFound"));
    assert_eq!(seen.body.error_code, Some(404_002));
    assert_eq!(seen.body.tracking_id.as_ref().map(String::len), Some(32));
    assert!(seen.body.timestamp_utc.is_some());
    assert_eq!(
        seen.body.message2.as_deref(),
        Some("Job with id 'no-such-job' not found")
    );
    assert_eq!(seen.body.message, None);
    expect_error(
        hub.client.cancel_scheduled_job("no-such-job").await,
        404,
        "JobNotFound",
    );

    // Import/export jobs: envelope B serialised inside `Message`.
    let error = hub
        .client
        .get_import_export_job("no-such-job")
        .await
        .unwrap_err();
    let seen = hub_error(&error);
    assert_eq!(seen.status, 404);
    assert_eq!(seen.header.as_deref(), Some("JobNotFound"));
    let inner: serde_json::Value =
        serde_json::from_str(seen.body.message.as_deref().unwrap()).unwrap();
    assert_eq!(inner["errorCode"], 404_002);
    assert_eq!(seen.info.numeric_code, Some(404_002));
    assert_eq!(seen.info.code.as_deref(), Some("JobNotFound"));
    expect_error(
        hub.client.cancel_import_export_job("no-such-job").await,
        404,
        "JobNotFound",
    );
}

#[tokio::test]
async fn bad_job_ids_are_400() {
    let hub = start_default().await;
    for id in ["job_1", "job 1", &"a".repeat(65), "jöb"] {
        let request = method_job(id, "*", "reboot", hub.now(), 30, 0, None);
        let message = expect_error(
            hub.client.create_scheduled_job(id, &request).await,
            400,
            INVALID,
        );
        assert!(message.contains("job id"), "{message}");
        expect_error(hub.client.get_scheduled_job(id).await, 400, INVALID);
        expect_error(hub.client.cancel_scheduled_job(id).await, 400, INVALID);
    }
    // The body's jobId must be the path's.
    let request = method_job("job-a", "*", "reboot", hub.now(), 30, 0, None);
    let message = expect_error(
        hub.client.create_scheduled_job("job-b", &request).await,
        400,
        INVALID,
    );
    assert!(message.contains("differs"), "{message}");
}

#[tokio::test]
async fn api_version_missing_or_unsupported_is_400() {
    let hub = start_default().await;
    let old = hub.client.clone().with_api_version("2020-03-13");
    let message = expect_error(old.get_scheduled_job("job-1").await, 400, INVALID);
    assert!(message.contains("2020-03-13"), "{message}");
    expect_error(old.get_import_export_jobs().await, 400, INVALID);
    expect_error(old.query_scheduled_jobs_page().await, 400, INVALID);

    // Missing entirely: the generated router's rejection, answered by `Api::reject`.
    let response = reqwest::Client::new()
        .get(hub.url("/jobs/v2/job-1"))
        .header("Authorization", hub.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(response.headers()["iothub-errorcode"], INVALID);
    let body: iothub_jobs::models::IotHubError = common::json(response).await;
    assert_envelope_a(&body, INVALID);
    assert_eq!(
        body.message.as_deref(),
        Some("ErrorCode:ArgumentInvalid;query parameter api-version: is missing")
    );

    // A configurable list: another version can be accepted.
    let both =
        start(common::manual_config().with_api_versions(&["2021-04-12", "2020-03-13"])).await;
    both.client
        .clone()
        .with_api_version("2020-03-13")
        .get_import_export_jobs()
        .await
        .unwrap();
}

#[tokio::test]
async fn bad_bodies_are_400_naming_the_field() {
    let hub = start_default().await;
    let http = reqwest::Client::new();
    for (body, field) in [
        (r#"{"type": 5}"#, "body at type"),
        (
            r#"{"maxExecutionTimeInSeconds": "soon"}"#,
            "body at maxExecutionTimeInSeconds",
        ),
        ("not json", "body"),
        ("", "body: is missing"),
        // Required fields (spec correction 8).
        (
            r#"{"jobId": "job-1", "queryCondition": "*"}"#,
            "body at type",
        ),
        (
            r#"{"type": "scheduleDeviceMethod", "queryCondition": "*"}"#,
            "body at jobId",
        ),
        (
            r#"{"jobId": "job-1", "type": "scheduleDeviceMethod", "queryCondition": "*", "cloudToDeviceMethod": {"payload": {}}}"#,
            "body at cloudToDeviceMethod.methodName",
        ),
    ] {
        let response = http
            .put(hub.url("/jobs/v2/job-1?api-version=2021-04-12"))
            .header("Authorization", hub.token())
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{body}");
        assert_eq!(response.headers()["iothub-errorcode"], INVALID);
        let error: iothub_jobs::models::IotHubError = common::json(response).await;
        assert_envelope_a(&error, INVALID);
        let message = error.message.unwrap();
        assert!(
            message.starts_with(&format!("ErrorCode:ArgumentInvalid;{field}")),
            "{body}: {message}"
        );
    }

    // Well-formed JSON that is not a valid job, through the generated client.
    let now = hub.now();
    let mut import_type = method_job("job-1", "*", "reboot", now, 30, 0, None);
    import_type.r#type = JobType::Import;
    let mut no_method = method_job("job-1", "*", "reboot", now, 30, 0, None);
    no_method.cloud_to_device_method = None;
    let mut no_condition = method_job("job-1", "*", "reboot", now, 30, 0, None);
    no_condition.query_condition = None;
    let reported = Twin {
        properties: Some(TwinProperties {
            reported: Some([("x".to_owned(), serde_json::json!(1))].into()),
            ..TwinProperties::default()
        }),
        ..Twin::default()
    };
    let mut bad_etag = twin_job("job-1", "*", Twin::default(), now);
    bad_etag.update_twin.as_mut().unwrap().etag = Some("\"AAAA\"".to_owned());
    let cases: Vec<(JobRequest, &str)> = vec![
        (import_type, "cannot be scheduled"),
        (no_method, "cloudToDeviceMethod is required"),
        (no_condition, "queryCondition is required"),
        (
            method_job("job-1", "SELECT * FROM devices", "reboot", now, 30, 0, None),
            "queryCondition: invalid query condition at character",
        ),
        (
            method_job("job-1", "tags.building = ", "reboot", now, 30, 0, None),
            "queryCondition",
        ),
        (
            method_job("job-1", "*", "reboot", now, 1, 0, None),
            "responseTimeoutInSeconds",
        ),
        (
            method_job("job-1", "*", "reboot", now, 30, 301, None),
            "connectTimeoutInSeconds",
        ),
        (
            method_job("job-1", "*", "reboot", now, 30, 0, Some(0)),
            "maxExecutionTimeInSeconds",
        ),
        (twin_job("job-1", "*", reported, now), "reported"),
        (bad_etag, "etag"),
    ];
    for (request, needle) in cases {
        let message = expect_error(
            hub.client.create_scheduled_job("job-1", &request).await,
            400,
            INVALID,
        );
        assert!(message.contains(needle), "`{needle}` not in `{message}`");
    }
    // None of them was created.
    expect_error(
        hub.client.get_scheduled_job("job-1").await,
        404,
        "JobNotFound",
    );

    // Import/export bodies.
    for (body, needle) in [
        (
            JobProperties {
                r#type: JobType::Export,
                job_id: None,
                start_time_utc: None,
                end_time_utc: None,
                status: None,
                progress: None,
                input_blob_container_uri: None,
                input_blob_name: None,
                output_blob_container_uri: None,
                output_blob_name: None,
                exclude_keys_in_export: None,
                storage_authentication_type: None,
                identity: None,
                failure_reason: None,
                include_configurations: None,
                configurations_blob_name: None,
            },
            "outputBlobContainerUri",
        ),
        (
            JobProperties {
                r#type: JobType::Import,
                output_blob_container_uri: Some("https://blob/out".to_owned()),
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
            },
            "inputBlobContainerUri",
        ),
        (
            JobProperties {
                r#type: JobType::ScheduleDeviceMethod,
                job_id: None,
                start_time_utc: None,
                end_time_utc: None,
                status: None,
                progress: None,
                input_blob_container_uri: None,
                input_blob_name: None,
                output_blob_container_uri: None,
                output_blob_name: None,
                exclude_keys_in_export: None,
                storage_authentication_type: None,
                identity: None,
                failure_reason: None,
                include_configurations: None,
                configurations_blob_name: None,
            },
            "not an import/export job type",
        ),
    ] {
        let message = expect_error(
            hub.client.create_import_export_job(&body).await,
            400,
            INVALID,
        );
        assert!(message.contains(needle), "`{needle}` not in `{message}`");
    }
}

#[tokio::test]
async fn existing_job_id_is_409() {
    let hub = start_default().await;
    let request = method_job("job-1", "*", "reboot", hub.at(60), 30, 0, None);
    hub.client
        .create_scheduled_job("job-1", &request)
        .await
        .unwrap();
    let error = hub
        .client
        .create_scheduled_job("job-1", &request)
        .await
        .unwrap_err();
    let seen = hub_error(&error);
    assert_eq!(seen.status, 409);
    assert_eq!(seen.header.as_deref(), Some("JobAlreadyExists"));
    assert_envelope_a(&seen.body, "JobAlreadyExists");
    // Still 409 once the job is over.
    hub.client.cancel_scheduled_job("job-1").await.unwrap();
    expect_error(
        hub.client.create_scheduled_job("job-1", &request).await,
        409,
        "JobAlreadyExists",
    );
}

#[tokio::test]
async fn too_many_active_jobs_is_429_until_one_finishes() {
    let hub = start(common::manual_config().with_max_active_jobs(2)).await;
    let future = hub.at(600);
    for id in ["job-1", "job-2"] {
        let request = method_job(id, "*", "reboot", future, 30, 0, None);
        hub.client.create_scheduled_job(id, &request).await.unwrap();
    }
    let third = method_job("job-3", "*", "reboot", future, 30, 0, None);
    let error = hub
        .client
        .create_scheduled_job("job-3", &third)
        .await
        .unwrap_err();
    let seen = hub_error(&error);
    assert_eq!(seen.status, 429);
    assert_eq!(
        seen.header.as_deref(),
        Some("ThrottlingMaxActiveJobCountExceeded")
    );
    assert_envelope_a(&seen.body, "ThrottlingMaxActiveJobCountExceeded");
    assert!(error.is_retryable(), "the client sees a transient error");

    // A cancelled job no longer counts.
    hub.client.cancel_scheduled_job("job-1").await.unwrap();
    hub.client
        .create_scheduled_job("job-3", &third)
        .await
        .unwrap();
    expect_error(
        hub.client
            .create_scheduled_job("job-4", &method_job("job-4", "*", "m", future, 30, 0, None))
            .await,
        429,
        "ThrottlingMaxActiveJobCountExceeded",
    );
    // Nor does a finished one: the demo registry answers `ping` at once (its `*` entries).
    hub.client.cancel_scheduled_job("job-2").await.unwrap();
    hub.client.cancel_scheduled_job("job-3").await.unwrap();
    let soon = hub.at(10);
    for id in ["job-5", "job-6"] {
        let condition = "tags.building = '43' AND NOT tags.kind = 'camera'";
        let quick = method_job(id, condition, "ping", soon, 30, 0, None);
        hub.client.create_scheduled_job(id, &quick).await.unwrap();
    }
    let seventh = method_job("job-7", "*", "m", future, 30, 0, None);
    expect_error(
        hub.client.create_scheduled_job("job-7", &seventh).await,
        429,
        "ThrottlingMaxActiveJobCountExceeded",
    );
    hub.advance(10);
    assert_eq!(
        hub.emulator.job("job-5").unwrap().status,
        Some(iothub_jobs::models::JobStatus::Completed)
    );
    hub.client
        .create_scheduled_job("job-7", &seventh)
        .await
        .unwrap();
    let eighth = method_job("job-8", "*", "m", future, 30, 0, None);
    hub.client
        .create_scheduled_job("job-8", &eighth)
        .await
        .unwrap();

    // With its default retry policy the client retries 429 and reports the last answer.
    let retrying = hub.client.clone().with_retry_policy(
        iothub_jobs::Client::default_retry_policy()
            .max_attempts(3)
            .delays(
                std::time::Duration::from_millis(1),
                std::time::Duration::from_millis(2),
            ),
    );
    expect_error(
        retrying
            .create_scheduled_job("job-9", &method_job("job-9", "*", "m", future, 30, 0, None))
            .await,
        429,
        "ThrottlingMaxActiveJobCountExceeded",
    );
}

#[tokio::test]
async fn bad_query_parameters_are_400() {
    let hub = start_default().await;
    let client = &hub.client;
    let message = expect_error(
        client
            .query_scheduled_jobs_page()
            .job_type(JobType::Other("reboot".to_owned()))
            .await,
        400,
        INVALID,
    );
    assert!(message.contains("jobType"), "{message}");
    let message = expect_error(
        client
            .query_scheduled_jobs_page()
            .job_status(JobStatus::Other("pending".to_owned()))
            .await,
        400,
        INVALID,
    );
    assert!(message.contains("jobStatus"), "{message}");
    let message = expect_error(
        client.query_scheduled_jobs_page().page_size(0).await,
        400,
        INVALID,
    );
    assert!(message.contains("x-ms-max-item-count"), "{message}");
    let message = expect_error(
        client
            .query_scheduled_jobs_page()
            .continuation("not-a-token")
            .await,
        400,
        INVALID,
    );
    assert!(message.contains("x-ms-continuation"), "{message}");
    // A page size that is not a number is refused by the generated router.
    let response = reqwest::Client::new()
        .get(hub.url("/jobs/v2/query?api-version=2021-04-12"))
        .header("Authorization", hub.token())
        .header("x-ms-max-item-count", "lots")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: iothub_jobs::models::IotHubError = common::json(response).await;
    assert!(
        body.message
            .unwrap()
            .starts_with("ErrorCode:ArgumentInvalid;header x-ms-max-item-count:")
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_in_the_envelope() {
    let hub = start_default().await;
    let http = reqwest::Client::new();
    let limit = iothub_emulator::body::MAX_BODY_BYTES;
    let condition = |size: usize| {
        let mut body = String::from(r#"{"type": "scheduleDeviceMethod", "queryCondition": ""#);
        body.push_str(&"x".repeat(size.saturating_sub(body.len() + 2)));
        body.push_str("\"}");
        body
    };
    // At the limit the body is read (and refused for what it says); one byte more is 413.
    for (size, status, code) in [
        (limit, 400, INVALID),
        (limit + 1, 413, "MessageTooLarge"),
        (3 * limit, 413, "MessageTooLarge"),
    ] {
        let body = condition(size);
        assert_eq!(body.len(), size);
        let response = http
            .put(hub.url("/jobs/v2/job-1?api-version=2021-04-12"))
            .header("Authorization", hub.token())
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{size}");
        assert_eq!(response.headers()["iothub-errorcode"], code);
        let error: iothub_jobs::models::IotHubError = common::json(response).await;
        assert_envelope_a(&error, code);
    }

    // Without Content-Length (chunked), the limit applies to what arrives.
    let address = hub.server.addr();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "PUT /jobs/v2/job-1?api-version=2021-04-12 HTTP/1.1\r\nHost: {address}\r\nAuthorization: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        hub.token()
    );
    let chunk = vec![b'x'; 64 * 1024];
    let exchange = async {
        use tokio::io::AsyncWriteExt as _;
        let (mut reader, mut writer) = stream.split();
        writer.write_all(head.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let read = async {
            use tokio::io::AsyncReadExt as _;
            reader.read_to_end(&mut answer).await.unwrap();
        };
        let write = async {
            // 3 MiB in 64 KiB chunks; the server may stop reading once it has answered.
            for _ in 0..48 {
                let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
                frame.extend_from_slice(&chunk);
                frame.extend_from_slice(b"\r\n");
                if writer.write_all(&frame).await.is_err() {
                    return;
                }
            }
            let _ = writer.write_all(b"0\r\n\r\n").await;
        };
        tokio::join!(read, write);
        answer
    };
    let answer = String::from_utf8_lossy(&exchange.await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("iothub-errorcode: messagetoolarge"),
        "{answer}"
    );
    assert!(
        answer.contains(r#""Message":"ErrorCode:MessageTooLarge;"#),
        "{answer}"
    );
}

#[tokio::test]
async fn bodies_that_are_not_json_are_400_in_the_envelope() {
    let hub = start_default().await;
    let http = reqwest::Client::new();
    let job = |id: &str| {
        serde_json::to_string(&method_job(id, "*", "ping", hub.at(60), 30, 0, None)).unwrap()
    };
    for content_type in [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
    ] {
        let response = http
            .put(hub.url("/jobs/v2/job-1?api-version=2021-04-12"))
            .header("Authorization", hub.token())
            .header("Content-Type", content_type)
            .body(job("job-1"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{content_type}");
        assert_eq!(response.headers()["iothub-errorcode"], INVALID);
        let error: iothub_jobs::models::IotHubError = common::json(response).await;
        assert_envelope_a(&error, INVALID);
        let message = error.message.unwrap();
        assert!(message.contains("Content-Type"), "{message}");
        assert!(message.contains(content_type), "{message}");
    }
    // JSON with parameters, and no Content-Type at all, are read as JSON.
    for (id, content_type) in [
        ("job-2", Some("application/json; charset=utf-8")),
        ("job-3", None),
    ] {
        let request = http
            .put(hub.url(&format!("/jobs/v2/{id}?api-version=2021-04-12")))
            .header("Authorization", hub.token());
        let request = match content_type {
            Some(value) => request.header("Content-Type", value),
            None => request,
        };
        let response = request.body(job(id)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{content_type:?}");
    }
    expect_error(
        hub.client.get_scheduled_job("job-1").await,
        404,
        "JobNotFound",
    );
}

/// The error kinds callers act on, as the emulator answers them: a missing job is
/// `is_not_found` (and nothing else), and both `Display`s are one line without `None`s or
/// Rust type names.
#[tokio::test]
async fn error_kinds_and_display_texts() {
    use iothub_jobs::iothub::{ErrorCode, IotHubErrorExt as _};

    let hub = start(common::manual_config().with_max_active_jobs(1)).await;
    let error = hub
        .client
        .get_scheduled_job("no-such-job")
        .client_request_id("req-1")
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert!(!error.is_throttled() && !error.is_unauthorized() && !error.is_conflict());
    let info = error.iothub_error().unwrap();
    assert_eq!(info.code, Some(ErrorCode::JobNotFound));
    let tracking_id = info.tracking_id.clone().unwrap();
    assert_eq!(
        info.to_string(),
        format!(
            "HTTP status 404 Not Found, JobNotFound (404002): Job with id 'no-such-job' not found (tracking ID {tracking_id}, client request id req-1)"
        )
    );
    let timestamp = hub_error(&error).body.timestamp_utc.unwrap();
    assert_eq!(
        error.to_string(),
        format!(
            r#"HTTP status 404 Not Found: {{"errorCode":404002,"trackingId":"{tracking_id}","message":"Job with id 'no-such-job' not found","timestampUtc":"{timestamp}"}} (client request id req-1)"#
        )
    );
    // Import/export jobs: envelope B inside `Message`, the same kind.
    let error = hub
        .client
        .get_import_export_job("no-such-job")
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error}");
    let text = error.iothub_error().unwrap().to_string();
    assert!(
        text.starts_with("HTTP status 404 Not Found, JobNotFound (404002): "),
        "{text}"
    );

    // 409 (`JobAlreadyExists`, 409104: envelope A, so the number comes from the code).
    let request = method_job("job-1", "*", "reboot", hub.at(60), 30, 0, None);
    hub.client
        .create_scheduled_job("job-1", &request)
        .await
        .unwrap();
    let error = hub
        .client
        .create_scheduled_job("job-1", &request)
        .await
        .unwrap_err();
    assert!(error.is_conflict() && !error.is_not_found(), "{error}");
    let info = error.iothub_error().unwrap();
    assert_eq!(info.code, Some(ErrorCode::JobAlreadyExists));
    assert!(
        info.to_string()
            .starts_with("HTTP status 409 Conflict, JobAlreadyExists (409104): "),
        "{info}"
    );
    assert!(
        error
            .to_string()
            .starts_with(r#"HTTP status 409 Conflict: {"Message":"ErrorCode:JobAlreadyExists;"#),
        "{error}"
    );

    // 429 with more active jobs than allowed.
    let second = method_job("job-2", "*", "reboot", hub.at(60), 30, 0, None);
    let error = hub
        .client
        .create_scheduled_job("job-2", &second)
        .await
        .unwrap_err();
    assert!(error.is_throttled() && !error.is_conflict(), "{error}");
    assert_eq!(
        error.iothub_error().unwrap().code,
        Some(ErrorCode::ThrottlingMaxActiveJobCountExceeded)
    );

    // 401 for a policy without the permission.
    let device = hub.client_with(&hub.emulator.connection_string_for("device").unwrap());
    let error = device.get_scheduled_job("job-1").await.unwrap_err();
    assert!(error.is_unauthorized() && !error.is_not_found(), "{error}");
    for text in [error.to_string(), error.iothub_error().unwrap().to_string()] {
        assert!(
            !text.contains("None") && !text.contains("Some(") && !text.contains("IotHubError"),
            "{text}"
        );
    }
}
