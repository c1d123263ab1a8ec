//! The generated `iothub-jobs` client over real HTTP: each test starts an axum server on
//! 127.0.0.1 (port 0), lets the client call it, checks what arrived on the wire (method, raw
//! path, `api-version`, `Authorization`, headers, JSON body) and checks how the client decoded
//! the canned answer. Also what the client refuses: a credential in cleartext to a remote
//! host, redirects to another origin, bodies over the size limits, paging that loops.

mod support;

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use chrono::{TimeZone, Utc};
use futures::{StreamExt, TryStreamExt};
use iothub_jobs::models::{
    CancelImportExportJobResponse, CloudToDeviceMethod, IotHubError, JobProperties, JobRequest,
    JobResponse, JobStatus, JobType,
};
use iothub_jobs::{Client, Error, ErrorBody, StaticCredential};
use serde_json::{Value, json};
use support::{Mock, RawReply, RawServer, Reply, Seen};

/// The `Authorization` value every test client sends.
const SAS: &str = "SharedAccessSignature sr=my-hub.azure-devices.net&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D&se=1900000000&skn=iothubowner";
/// The part of [`SAS`] that must never show up in logs.
const SECRET: &str = "c2VjcmV0LXNpZ25hdHVyZQ";

const DEVGUIDE: &str = include_str!("../data/scheduled-jobs-devguide.json");
const RECORDING: &str = include_str!("../data/import-export-jobs-recording-2020-03-13.json");
const ERROR_BODIES: &str = include_str!("../data/error-bodies.json");

fn data(text: &str) -> Value {
    serde_json::from_str(text).expect("test data is JSON")
}

// ---------------------------------------------------------------------------------------------
// The test server (in `support`) and what every Jobs request carries
// ---------------------------------------------------------------------------------------------

impl Seen {
    /// Method, raw path, a single `api-version=2021-04-12` and the credential's
    /// `Authorization` value.
    fn assert_call(&self, method: Method, path: &str) {
        assert_eq!(self.method, method, "method of {self:?}");
        assert_eq!(self.path, path, "path of {self:?}");
        assert_eq!(
            self.query_values("api-version"),
            ["2021-04-12"],
            "query of {self:?}"
        );
        assert_eq!(
            self.header("authorization"),
            Some(SAS),
            "authorization of {self:?}"
        );
    }
}

/// A client for `base` (a [`Mock`]'s base URL, perhaps with a path prefix), with the test
/// credential.
/// A client for the mock, without retries: these tests check what one exchange gives
/// (retries have their own tests in `retries.rs`).
fn client(base: &str) -> Client {
    Client::new(base)
        .expect("valid base URL")
        .with_credential(StaticCredential::new(SAS).expect("valid header value"))
        .with_retry_policy(iothub_jobs::RetryPolicy::none())
}

// ---------------------------------------------------------------------------------------------
// One test per operation
// ---------------------------------------------------------------------------------------------

/// `create_import_export_job` POSTs the job as JSON to `/jobs/create` and decodes the created
/// job, ignoring the `useSecondaryStorageAsSource` field the service sends but the spec lacks
/// (first entry of the recorded traffic).
#[tokio::test]
async fn create_import_export_job_posts_job_and_decodes_answer() {
    let entry = &data(RECORDING)["entries"][0];
    let mock = Mock::start(vec![Reply::json(200, &entry["ResponseBody"])]).await;
    let request = JobProperties {
        r#type: JobType::Export,
        output_blob_container_uri: Some("Sanitized".into()),
        exclude_keys_in_export: Some(false),
        job_id: None,
        start_time_utc: None,
        end_time_utc: None,
        status: None,
        progress: None,
        input_blob_container_uri: None,
        input_blob_name: None,
        output_blob_name: None,
        storage_authentication_type: None,
        identity: None,
        failure_reason: None,
        include_configurations: None,
        configurations_blob_name: None,
    };

    let job = client(&mock.base)
        .create_import_export_job(&request)
        .await
        .unwrap();

    let seen = mock.single();
    seen.assert_call(Method::POST, "/jobs/create");
    seen.assert_json_body(&entry["RequestBody"]);
    assert_eq!(
        job.job_id.as_deref(),
        Some("b427bdbb-ecef-4d42-8b1c-325361da9160")
    );
    assert_eq!(job.r#type, JobType::Export);
    assert_eq!(job.status, Some(JobStatus::Enqueued));
    assert_eq!(job.progress, Some(0));
    assert_eq!(
        job.start_time_utc,
        Some("2021-07-07T20:44:47.8509265Z".parse().unwrap())
    );
    assert_eq!(job.exclude_keys_in_export, Some(false));
}

/// `get_import_export_jobs` GETs `/jobs` and decodes the JSON array of jobs.
#[tokio::test]
async fn get_import_export_jobs_decodes_array() {
    let entries = data(RECORDING)["entries"].clone();
    let body = json!([entries[1]["ResponseBody"], entries[3]["ResponseBody"]]);
    let mock = Mock::start(vec![Reply::json(200, &body)]).await;

    let jobs = client(&mock.base).get_import_export_jobs().await.unwrap();

    let seen = mock.single();
    seen.assert_call(Method::GET, "/jobs");
    seen.assert_no_body();
    let summary: Vec<_> = jobs
        .iter()
        .map(|j| {
            (
                j.job_id.as_deref().unwrap(),
                j.r#type.clone(),
                j.status.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "b427bdbb-ecef-4d42-8b1c-325361da9160",
                JobType::Export,
                JobStatus::Completed
            ),
            (
                "130c2874-702b-4610-a6ea-2a38ee499d15",
                JobType::Import,
                JobStatus::Running
            ),
        ]
    );
    assert_eq!(jobs[0].progress, Some(100));
    assert_eq!(
        jobs[0].end_time_utc,
        Some("2021-07-07T20:44:49.4005955Z".parse().unwrap())
    );
}

/// `get_import_export_job` GETs `/jobs/{id}` and decodes the job (second recorded entry).
#[tokio::test]
async fn get_import_export_job_decodes_job() {
    let entry = &data(RECORDING)["entries"][1];
    let mock = Mock::start(vec![Reply::json(200, &entry["ResponseBody"])]).await;

    let job = client(&mock.base)
        .get_import_export_job("b427bdbb-ecef-4d42-8b1c-325361da9160")
        .await
        .unwrap();

    let seen = mock.single();
    seen.assert_call(Method::GET, "/jobs/b427bdbb-ecef-4d42-8b1c-325361da9160");
    seen.assert_no_body();
    assert_eq!(job.status, Some(JobStatus::Completed));
    assert_eq!(job.progress, Some(100));
    assert_eq!(job.output_blob_container_uri.as_deref(), Some("Sanitized"));
}

/// `cancel_import_export_job` sends DELETE `/jobs/{id}`; a 200 with `{}` is the `Ok` variant
/// holding the (empty) object.
#[tokio::test]
async fn cancel_import_export_job_200_is_ok_variant() {
    let mock = Mock::start(vec![Reply::json(200, &json!({}))]).await;

    let answer = client(&mock.base)
        .cancel_import_export_job("job-1")
        .await
        .unwrap();

    let seen = mock.single();
    seen.assert_call(Method::DELETE, "/jobs/job-1");
    seen.assert_no_body();
    assert_eq!(answer, CancelImportExportJobResponse::Ok(BTreeMap::new()));
}

/// `cancel_import_export_job` answered with 204 (no body) is the `NoContent` variant.
#[tokio::test]
async fn cancel_import_export_job_204_is_no_content() {
    let mock = Mock::start(vec![Reply::text(204, "")]).await;

    let answer = client(&mock.base)
        .cancel_import_export_job("job-1")
        .await
        .unwrap();

    mock.single().assert_call(Method::DELETE, "/jobs/job-1");
    assert_eq!(answer, CancelImportExportJobResponse::NoContent);
}

/// `get_scheduled_job` GETs `/jobs/v2/{id}` and decodes a full job, nested objects included.
#[tokio::test]
async fn get_scheduled_job_decodes_job() {
    let body = json!({
        "jobId": "job01",
        "queryCondition": "*",
        "createdTime": "2022-05-04T15:52:01.123Z",
        "startTime": "2022-05-04T15:53:00.077Z",
        "endTime": "2022-05-04T15:53:10Z",
        "maxExecutionTimeInSeconds": 20,
        "type": "scheduleDeviceMethod",
        "cloudToDeviceMethod": {"methodName": "testMethod", "payload": {"a": [1, 2]}, "responseTimeoutInSeconds": 30},
        "status": "completed",
        "deviceJobStatistics": {"deviceCount": 3, "failedCount": 1, "succeededCount": 2, "runningCount": 0, "pendingCount": 0}
    });
    let mock = Mock::start(vec![Reply::json(200, &body)]).await;

    let job = client(&mock.base).get_scheduled_job("job01").await.unwrap();

    let seen = mock.single();
    seen.assert_call(Method::GET, "/jobs/v2/job01");
    seen.assert_no_body();
    assert_eq!(job.job_id.as_deref(), Some("job01"));
    assert_eq!(job.r#type, Some(JobType::ScheduleDeviceMethod));
    assert_eq!(job.status, Some(JobStatus::Completed));
    assert_eq!(
        job.start_time,
        Some(
            Utc.with_ymd_and_hms(2022, 5, 4, 15, 53, 0).unwrap()
                + chrono::Duration::milliseconds(77)
        )
    );
    assert_eq!(job.max_execution_time_in_seconds, Some(20));
    let method = job.cloud_to_device_method.as_ref().unwrap();
    assert_eq!(method.method_name, "testMethod");
    assert_eq!(method.payload, Some(json!({"a": [1, 2]})));
    let stats = job.device_job_statistics.as_ref().unwrap();
    assert_eq!(
        (
            stats.device_count,
            stats.failed_count,
            stats.succeeded_count
        ),
        (Some(3), Some(1), Some(2))
    );
    // Nothing is lost on the way back out.
    assert_eq!(serde_json::to_value(&job).unwrap(), body);
}

/// `create_scheduled_job` PUTs `/jobs/v2/{id}` with exactly the body the IoT Hub developer guide
/// publishes for a direct-method job: the start time in RFC 3339 with milliseconds, and none of
/// the fields left `None` (`connectTimeoutInSeconds`, `updateTwin`...) on the wire.
#[tokio::test]
async fn create_scheduled_job_sends_exact_body() {
    let example = &data(DEVGUIDE)["examples"][0];
    let mock = Mock::start(vec![Reply::json(200, &example["response"]["body"])]).await;
    let request = JobRequest {
        job_id: "job01".into(),
        r#type: JobType::ScheduleDeviceMethod,
        cloud_to_device_method: Some(CloudToDeviceMethod {
            method_name: "testMethod".into(),
            payload: Some(json!({})),
            response_timeout_in_seconds: Some(30),
            connect_timeout_in_seconds: None,
        }),
        update_twin: None,
        query_condition: Some("*".into()),
        start_time: Some(
            Utc.with_ymd_and_hms(2022, 5, 4, 15, 53, 0).unwrap()
                + chrono::Duration::milliseconds(77),
        ),
        max_execution_time_in_seconds: Some(20),
    };

    let job = client(&mock.base)
        .create_scheduled_job("job01", &request)
        .await
        .unwrap();

    let seen = mock.single();
    seen.assert_call(Method::PUT, "/jobs/v2/job01");
    seen.assert_json_body(&example["request"]["body"]);
    assert_eq!(
        job,
        JobResponse {
            job_id: Some("job01".into()),
            r#type: Some(JobType::ScheduleDeviceMethod),
            status: Some(JobStatus::Queued),
            ..Default::default()
        }
    );
}

/// `cancel_scheduled_job` POSTs to `/jobs/v2/{id}/cancel` with no body and decodes the job.
#[tokio::test]
async fn cancel_scheduled_job_posts_without_body() {
    let body = json!({"jobId": "job01", "type": "scheduleDeviceMethod", "status": "cancelled"});
    let mock = Mock::start(vec![Reply::json(200, &body)]).await;

    let job = client(&mock.base)
        .cancel_scheduled_job("job01")
        .await
        .unwrap();

    let seen = mock.single();
    seen.assert_call(Method::POST, "/jobs/v2/job01/cancel");
    seen.assert_no_body();
    // An empty POST still says so: HTTP.sys answers 411 to a POST without a length.
    assert_eq!(seen.header("content-length"), Some("0"));
    assert_eq!(job.status, Some(JobStatus::Cancelled));
}

/// `query_scheduled_jobs_page` sends `jobType`/`jobStatus` as query parameters and the page size and
/// continuation token as `x-ms-max-item-count`/`x-ms-continuation` headers; it returns the array
/// together with the next token from the `x-ms-continuation` response header, and `None` on the
/// last page (where parameters passed as `None` are not sent at all).
#[tokio::test]
async fn query_scheduled_jobs_pages_with_continuation_headers() {
    let token = r#"{"token":"+RID:~Xz8AAA==#RT:1#TRC:2","range":{"min":"","max":"FF"}}"#;
    let page1 = json!([
        {"jobId": "job01", "type": "scheduleDeviceMethod", "status": "completed"},
        {"jobId": "job02", "type": "scheduleUpdateTwin", "status": "completed"}
    ]);
    let mock = Mock::start(vec![
        Reply::json(200, &page1)
            .header("x-ms-continuation", token)
            .header("x-ms-item-type", "JobResponse"),
        Reply::json(200, &json!([])),
    ])
    .await;
    let client = client(&mock.base);

    let first = client
        .query_scheduled_jobs_page()
        .job_type(JobType::ScheduleDeviceMethod)
        .job_status(JobStatus::Completed)
        .page_size(2)
        .continuation("start-token")
        .await
        .unwrap();
    let last = client
        .query_scheduled_jobs_page()
        .continuation(token)
        .await
        .unwrap();

    let seen = mock.seen();
    assert_eq!(seen.len(), 2);
    seen[0].assert_call(Method::GET, "/jobs/v2/query");
    seen[0].assert_no_body();
    assert_eq!(seen[0].query_values("jobType"), ["scheduleDeviceMethod"]);
    assert_eq!(seen[0].query_values("jobStatus"), ["completed"]);
    assert_eq!(seen[0].header("x-ms-max-item-count"), Some("2"));
    assert_eq!(seen[0].header("x-ms-continuation"), Some("start-token"));
    assert_eq!(serde_json::to_value(&first.body).unwrap(), page1);
    assert_eq!(first.x_ms_continuation.as_deref(), Some(token));
    assert_eq!(first.x_ms_item_type.as_deref(), Some("JobResponse"));

    seen[1].assert_call(Method::GET, "/jobs/v2/query");
    assert_eq!(
        seen[1].query.len(),
        1,
        "only api-version: {:?}",
        seen[1].query
    );
    assert_eq!(seen[1].header("x-ms-max-item-count"), None);
    assert_eq!(seen[1].header("x-ms-continuation"), Some(token));
    assert!(last.body.is_empty());
    assert_eq!(last.x_ms_continuation, None);
    assert_eq!(last.x_ms_item_type, None);
}

/// `query_scheduled_jobs` is a stream of jobs: it asks for the first page without a token,
/// then follows `x-ms-continuation` page after page, with the same filters and page size,
/// until a page comes back without a token.
#[tokio::test]
async fn query_scheduled_jobs_streams_every_page() {
    let job =
        |id: &str| json!({"jobId": id, "type": "scheduleDeviceMethod", "status": "completed"});
    let mock = Mock::start(vec![
        Reply::json(200, &json!([job("j1"), job("j2")])).header("x-ms-continuation", "t1"),
        Reply::json(200, &json!([job("j3"), job("j4")])).header("x-ms-continuation", "t2"),
        Reply::json(200, &json!([job("j5")])),
    ])
    .await;
    let client = client(&mock.base);

    let jobs: Vec<_> = client
        .query_scheduled_jobs()
        .job_type(JobType::ScheduleDeviceMethod)
        .page_size(2)
        .try_collect()
        .await
        .unwrap();

    let ids: Vec<_> = jobs.iter().filter_map(|j| j.job_id.as_deref()).collect();
    assert_eq!(ids, ["j1", "j2", "j3", "j4", "j5"]);
    let seen = mock.seen();
    assert_eq!(seen.len(), 3);
    let tokens: Vec<_> = seen.iter().map(|s| s.header("x-ms-continuation")).collect();
    assert_eq!(tokens, [None, Some("t1"), Some("t2")]);
    for request in &seen {
        request.assert_call(Method::GET, "/jobs/v2/query");
        assert_eq!(request.query_values("jobType"), ["scheduleDeviceMethod"]);
        assert_eq!(request.header("x-ms-max-item-count"), Some("2"));
    }
}

/// An error on a later page is yielded after the items before it, and ends the stream.
#[tokio::test]
async fn query_stream_yields_an_error_and_stops() {
    let mock = Mock::start(vec![
        Reply::json(200, &json!([{"jobId": "j1"}])).header("x-ms-continuation", "t1"),
        Reply::json(
            400,
            &json!({"Message": "ErrorCode:ArgumentInvalid;bad token"}),
        )
        .header("iothub-errorcode", "ArgumentInvalid"),
    ])
    .await;
    let client = client(&mock.base);

    let items: Vec<_> = client.query_scheduled_jobs().collect().await;

    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().job_id.as_deref(), Some("j1"));
    let error = items[1].as_ref().unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(mock.seen().len(), 2);
}

fn job(id: &str) -> Value {
    json!({"jobId": id, "type": "scheduleDeviceMethod", "status": "completed"})
}

/// A service that answers a token with the same token again would be paged forever: the
/// stream yields what the pages held, then ends with `Error::Paging` instead of asking again.
#[tokio::test]
async fn a_continuation_token_sent_back_unchanged_ends_the_stream() {
    let mock = Mock::start(vec![
        Reply::json(200, &json!([job("j1")])).header("x-ms-continuation", "t1"),
        Reply::json(200, &json!([job("j2")])).header("x-ms-continuation", "t1"),
        Reply::json(200, &json!([job("j2")])).header("x-ms-continuation", "t1"),
    ])
    .await;
    let client = client(&mock.base);

    let items: Vec<_> = client.query_scheduled_jobs().collect().await;

    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().job_id.as_deref(), Some("j1"));
    assert_eq!(items[1].as_ref().unwrap().job_id.as_deref(), Some("j2"));
    let error = items[2].as_ref().unwrap_err();
    assert!(matches!(error, Error::Paging(_)), "{error:?}");
    assert_eq!(error.status(), None);
    let tokens: Vec<_> = mock
        .seen()
        .iter()
        .map(|s| s.header("x-ms-continuation").map(str::to_owned))
        .collect();
    assert_eq!(tokens, [None, Some("t1".to_owned())]);
}

/// A cycle of several tokens (t1 → t2 → t1) is caught too.
#[tokio::test]
async fn a_cycle_of_continuation_tokens_ends_the_stream() {
    let mock = Mock::start(vec![
        Reply::json(200, &json!([job("j1")])).header("x-ms-continuation", "t1"),
        Reply::json(200, &json!([job("j2")])).header("x-ms-continuation", "t2"),
        Reply::json(200, &json!([job("j3")])).header("x-ms-continuation", "t1"),
        Reply::json(200, &json!([job("j2")])).header("x-ms-continuation", "t2"),
    ])
    .await;
    let client = client(&mock.base);

    let items: Vec<_> = client.query_scheduled_jobs().collect().await;

    assert_eq!(items.len(), 4, "{items:?}");
    assert!(matches!(items[3], Err(Error::Paging(_))), "{items:?}");
    assert_eq!(mock.count(), 3);
}

/// An empty `x-ms-continuation` is no token: the listing ends there.
#[tokio::test]
async fn an_empty_continuation_token_ends_the_stream() {
    let mock = Mock::start(vec![
        Reply::json(200, &json!([job("j1")])).header("x-ms-continuation", ""),
        Reply::json(200, &json!([job("j2")])),
    ])
    .await;
    let client = client(&mock.base);

    let jobs: Vec<_> = client.query_scheduled_jobs().try_collect().await.unwrap();

    assert_eq!(jobs.len(), 1);
    assert_eq!(mock.count(), 1);
}

// ---------------------------------------------------------------------------------------------
// Body size limits
// ---------------------------------------------------------------------------------------------

/// A `Content-Length` above the limit (64 MiB by default) fails at once, before a byte of the
/// body is read: the server here announces 100 GiB and sends nothing, and the client's
/// timeout is off, so a client that waited for the body would wait until the budget ran out.
#[tokio::test]
async fn a_content_length_over_the_limit_fails_before_the_body_is_read() {
    let server = RawServer::start(vec![RawReply::SendThenHang(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 107374182400\r\n\r\n{\"jobId\":"
            .to_vec(),
    )])
    .await;
    let client = client(&server.base).with_timeout(None);

    let started = std::time::Instant::now();
    let outcome = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        client.get_scheduled_job("job-1"),
    )
    .await
    .expect("refused without waiting for the body");

    let error = outcome.unwrap_err();
    let Error::ResponseTooLarge(too_large) = &error else {
        panic!("expected Error::ResponseTooLarge, got {error:?}");
    };
    assert_eq!(too_large.status, StatusCode::OK);
    assert_eq!(too_large.limit, 64 * 1024 * 1024);
    assert_eq!(too_large.content_length, Some(107_374_182_400));
    assert_eq!(error.status(), Some(StatusCode::OK));
    assert!(!error.is_retryable());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// Without a `Content-Length`, the body is counted as it streams and the read stops at the
/// limit (`with_max_response_bytes`).
#[tokio::test]
async fn a_streamed_body_over_the_limit_is_cut_off() {
    let server = RawServer::start(vec![
        RawReply::chunked("200 OK", 64 * 1024, 32),
        RawReply::chunked("200 OK", 64 * 1024, 32),
    ])
    .await;
    let client = client(&server.base);

    // 2 MiB in 64 KiB chunks, against a 1 MiB limit.
    let error = client
        .clone()
        .with_max_response_bytes(1024 * 1024)
        .get_scheduled_job("job-1")
        .await
        .unwrap_err();
    let Error::ResponseTooLarge(too_large) = &error else {
        panic!("expected Error::ResponseTooLarge, got {error:?}");
    };
    assert_eq!(too_large.limit, 1024 * 1024);
    assert_eq!(too_large.content_length, None);

    // Within the limit it is read whole (and is no job: a decode error).
    let error = client
        .with_max_response_bytes(2 * 1024 * 1024)
        .get_scheduled_job("job-1")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
}

/// An error body is kept up to 1 MiB by default: a longer one is cut there, kept raw, and the
/// error says so.
#[tokio::test]
async fn an_error_body_over_the_limit_is_cut() {
    let server = RawServer::start(vec![RawReply::chunked(
        "500 Internal Server Error",
        64 * 1024,
        32,
    )])
    .await;

    let error = client(&server.base)
        .get_scheduled_job("job-1")
        .client_request_id("req-1")
        .await
        .unwrap_err();

    let response = error.response().expect("an error response");
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    let ErrorBody::Raw(raw) = &response.body else {
        panic!("a cut body is not decoded: {:?}", response.body);
    };
    assert_eq!(raw.len(), 1024 * 1024);
    assert!(response.body_truncated);
    assert!(
        error
            .to_string()
            .ends_with("(body cut at the error body limit) (client request id req-1)")
    );
}

// ---------------------------------------------------------------------------------------------
// Credentials in cleartext, redirects
// ---------------------------------------------------------------------------------------------

/// An HTTP client that sends requests for `host` to the mock at `base` (127.0.0.1), so that a
/// test can name a host that is not a loopback address without leaving this machine.
fn resolving(host: &str, base: &str) -> reqwest::Client {
    let address = base
        .trim_start_matches("http://")
        .parse()
        .expect("socket address");
    reqwest::Client::builder()
        .resolve(host, address)
        .no_proxy()
        .build()
        .unwrap()
}

/// The mock's port, from its base URL.
fn port_of(base: &str) -> &str {
    base.rsplit(':').next().unwrap()
}

/// `http://` to a host that is not a loopback address would carry the SAS token in cleartext:
/// refused before anything is sent.
#[tokio::test]
async fn a_credential_is_not_sent_in_cleartext_to_a_remote_host() {
    let mock = Mock::start(vec![Reply::json(200, &job("job-1"))]).await;
    let base = format!("http://my-hub.azure-devices.net:{}", port_of(&mock.base));
    let client = Client::with_http_client(&base, resolving("my-hub.azure-devices.net", &mock.base))
        .unwrap()
        .with_credential(StaticCredential::new(SAS).unwrap());

    let error = client.get_scheduled_job("job-1").await.unwrap_err();

    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    assert!(error.to_string().contains("cleartext"), "{error}");
    assert!(!error.to_string().contains(SECRET), "{error}");
    assert_eq!(mock.count(), 0, "nothing was sent");
}

/// `with_insecure_http(true)` allows it, for a network the caller trusts.
#[tokio::test]
async fn insecure_http_can_be_allowed() {
    let mock = Mock::start(vec![Reply::json(200, &job("job-1"))]).await;
    let base = format!("http://my-hub.azure-devices.net:{}", port_of(&mock.base));
    let client = Client::with_http_client(&base, resolving("my-hub.azure-devices.net", &mock.base))
        .unwrap()
        .with_credential(StaticCredential::new(SAS).unwrap())
        .with_insecure_http(true);

    client.get_scheduled_job("job-1").await.unwrap();

    mock.single().assert_call(Method::GET, "/jobs/v2/job-1");
}

/// Loopback stays allowed, by name or address, for local emulators.
#[tokio::test]
async fn loopback_http_is_allowed_with_a_credential() {
    let mock = Mock::start(vec![Reply::json(200, &job("job-1")); 2]).await;
    let by_name = format!("http://localhost:{}", port_of(&mock.base));

    Client::with_http_client(&by_name, resolving("localhost", &mock.base))
        .unwrap()
        .with_credential(StaticCredential::new(SAS).unwrap())
        .get_scheduled_job("job-1")
        .await
        .unwrap();
    client(&mock.base).get_scheduled_job("job-1").await.unwrap();

    for seen in mock.seen() {
        seen.assert_call(Method::GET, "/jobs/v2/job-1");
    }
}

/// A redirect to another origin (another port on 127.0.0.1) is not followed: the other
/// server gets nothing (neither the credential nor the request), and the caller gets the
/// redirect with its `Location`.
#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    let elsewhere = Mock::start(vec![Reply::json(200, &job("job-1"))]).await;
    let location = format!("{}/jobs/v2/job-1", elsewhere.base);
    let mock = Mock::start(vec![Reply::text(307, "").header("location", &location)]).await;

    let error = client(&mock.base)
        .get_scheduled_job("job-1")
        .await
        .unwrap_err();

    assert_eq!(
        error.status(),
        Some(StatusCode::TEMPORARY_REDIRECT),
        "{error:?}"
    );
    assert_eq!(error.header("location"), Some(location.as_str()));
    mock.single().assert_call(Method::GET, "/jobs/v2/job-1");
    assert_eq!(elsewhere.count(), 0, "{:?}", elsewhere.seen());
}

/// A redirect to another scheme on the same host and port (here `https://`) is another origin
/// too: not followed, no second connection.
#[tokio::test]
async fn a_redirect_to_another_scheme_on_the_same_port_is_not_followed() {
    // The redirect names the port of the server that sends it.
    let server = RawServer::start(Vec::new()).await;
    let location = format!("https://127.0.0.1:{}/jobs/v2/job-1", server.port);
    server.push(RawReply::response(
        "307 Temporary Redirect",
        &[("location", &location)],
        b"",
    ));

    let error = client(&server.base)
        .get_scheduled_job("job-1")
        .await
        .unwrap_err();

    assert_eq!(
        error.status(),
        Some(StatusCode::TEMPORARY_REDIRECT),
        "{error:?}"
    );
    assert_eq!(server.connections(), 1);
}

/// A redirect within the origin is followed, and keeps the credential.
#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_the_credential() {
    let mock = Mock::start(vec![
        Reply::text(308, "").header("location", "/jobs/v2/job-2"),
        Reply::json(200, &job("job-2")),
    ])
    .await;

    let job = client(&mock.base).get_scheduled_job("job-1").await.unwrap();

    assert_eq!(job.job_id.as_deref(), Some("job-2"));
    let seen = mock.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].path, "/jobs/v2/job-2");
    assert_eq!(seen[1].header("authorization"), Some(SAS));
}

// ---------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------

/// A job id with reserved characters is percent-encoded into a single path segment, for the
/// id in the middle of the path (`/cancel`) as well as at its end.
#[tokio::test]
async fn job_id_is_percent_encoded_as_one_segment() {
    let body = json!({"jobId": "a b/c?d"});
    let mock = Mock::start(vec![
        Reply::json(200, &body),
        Reply::json(200, &body),
        Reply::json(200, &json!({"jobId": "x#y%z", "type": "export"})),
    ])
    .await;
    let client = client(&mock.base);

    let job = client.get_scheduled_job("a b/c?d").await.unwrap();
    client.cancel_scheduled_job("a b/c?d").await.unwrap();
    client.get_import_export_job("x#y%z").await.unwrap();

    let seen = mock.seen();
    seen[0].assert_call(Method::GET, "/jobs/v2/a%20b%2Fc%3Fd");
    seen[1].assert_call(Method::POST, "/jobs/v2/a%20b%2Fc%3Fd/cancel");
    seen[2].assert_call(Method::GET, "/jobs/x%23y%25z");
    assert_eq!(job.job_id.as_deref(), Some("a b/c?d"));
}

/// The job ids `.` and `..` are refused before sending: URL normalization would turn
/// `POST /jobs/v2/../cancel` into `POST /jobs/v2/cancel`, another resource.
#[tokio::test]
async fn dot_segment_job_ids_are_refused() {
    for id in [".", ".."] {
        let mock = Mock::start(vec![Reply::json(200, &json!({}))]).await;

        let result = client(&mock.base).cancel_scheduled_job(id).await;

        assert!(
            matches!(result, Err(Error::InvalidInput(_))),
            "id {id:?}: {result:?}"
        );
        assert!(mock.seen().is_empty(), "id {id:?}: sent anyway");
    }
}

/// An empty job id must be refused before anything is sent: it cannot be one path segment, and
/// sending it turns `GET /jobs/{id}` into `GET /jobs/` (the list) and
/// `POST /jobs/v2/{id}/cancel` into `POST /jobs/v2//cancel`.
#[tokio::test]
async fn empty_job_id_is_refused() {
    let mock = Mock::start(vec![
        Reply::json(200, &json!([])),
        Reply::json(200, &json!({})),
    ])
    .await;
    let client = client(&mock.base);

    let get = client.get_import_export_job("").await;
    let cancel = client.cancel_scheduled_job("").await;

    assert!(matches!(get, Err(Error::InvalidInput(_))), "{get:?}");
    assert!(matches!(cancel, Err(Error::InvalidInput(_))), "{cancel:?}");
    assert!(mock.seen().is_empty(), "sent anyway: {:?}", mock.seen());
}

/// A base URL with a path prefix keeps it (with or without a trailing slash).
#[tokio::test]
async fn base_url_path_prefix_is_kept() {
    let mock = Mock::start(vec![
        Reply::json(200, &json!([])),
        Reply::json(200, &json!([])),
    ])
    .await;

    client(&format!("{}/hub", mock.base))
        .get_import_export_jobs()
        .await
        .unwrap();
    client(&format!("{}/hub/", mock.base))
        .get_import_export_jobs()
        .await
        .unwrap();

    let seen = mock.seen();
    seen[0].assert_call(Method::GET, "/hub/jobs");
    seen[1].assert_call(Method::GET, "/hub/jobs");
}

/// `with_api_version` replaces the `api-version` query parameter of every request.
#[tokio::test]
async fn with_api_version_changes_query_parameter() {
    let mock = Mock::start(vec![Reply::json(200, &json!([]))]).await;
    let client = client(&mock.base).with_api_version("2099-01-01");
    assert_eq!(client.api_version(), "2099-01-01");

    client.get_import_export_jobs().await.unwrap();

    let seen = mock.single();
    assert_eq!(seen.path, "/jobs");
    assert_eq!(seen.query_values("api-version"), ["2099-01-01"]);
    assert_eq!(seen.header("authorization"), Some(SAS));
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A 404 with IoT Hub's envelope A body (`Message` + `ExceptionMessage`, from the C# SDK) is
/// `Error::Status` with the typed body, and the `iothub-errorcode` header is kept.
#[tokio::test]
async fn not_found_with_envelope_a_is_typed_status_error() {
    let body = data(ERROR_BODIES)["envelopeA_errorcode_in_message_string"].clone();
    let mock = Mock::start(vec![
        Reply::json(404, &body).header("iothub-errorcode", "DeviceNotFound"),
    ])
    .await;

    let result = client(&mock.base)
        .get_scheduled_job("missing")
        .client_request_id("req-404")
        .await;

    let Err(Error::Status(response)) = result else {
        panic!("expected a status error, got {result:?}")
    };
    assert_eq!(response.status, 404);
    assert_eq!(
        response.body,
        ErrorBody::Typed(IotHubError {
            message: Some(
                "ErrorCode:DeviceNotFound;E2E_MessageReceiveE2EPoolAmqpTests__3_Sasl_f16d18b2-97dc-4ea5-86f1-a3405ee98939".into()
            ),
            exception_message: Some(
                "Tracking ID:aeec4c1e4e914a4c9f40fdba7be68fa5-G:0-TimeStamp:10/18/2022 20:50:39".into()
            ),
            ..Default::default()
        })
    );
    assert_eq!(
        response.headers.get("iothub-errorcode").unwrap(),
        "DeviceNotFound"
    );
    // The message shows the status and the typed body as compact JSON (no `None` fields, no
    // Rust type names).
    assert_eq!(
        response.to_string(),
        r#"HTTP status 404 Not Found: {"Message":"ErrorCode:DeviceNotFound;E2E_MessageReceiveE2EPoolAmqpTests__3_Sasl_f16d18b2-97dc-4ea5-86f1-a3405ee98939","ExceptionMessage":"Tracking ID:aeec4c1e4e914a4c9f40fdba7be68fa5-G:0-TimeStamp:10/18/2022 20:50:39"} (client request id req-404)"#
    );
}

/// A 429 with envelope B at the top level (`errorCode`, `trackingId`, `message`,
/// `timestampUtc`) is typed, with the numeric error code.
#[tokio::test]
async fn throttled_with_envelope_b_is_typed_status_error() {
    let body = json!({
        "errorCode": 429004,
        "trackingId": "abc",
        "message": "Too many active jobs",
        "timestampUtc": "2021-04-12T00:00:00Z"
    });
    let mock = Mock::start(vec![
        Reply::json(429, &body).header("iothub-errorcode", "ThrottlingMaxActiveJobCountExceeded"),
    ])
    .await;

    let result = client(&mock.base)
        .create_scheduled_job(
            "job01",
            &serde_json::from_value::<JobRequest>(
                json!({"jobId": "job01", "type": "scheduleDeviceMethod"}),
            )
            .unwrap(),
        )
        .await;

    let err = result.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    let response = err.response().expect("a status error");
    assert_eq!(
        response.body,
        ErrorBody::Typed(IotHubError {
            error_code: Some(429004),
            tracking_id: Some("abc".into()),
            message2: Some("Too many active jobs".into()),
            timestamp_utc: Some("2021-04-12T00:00:00Z".into()),
            ..Default::default()
        })
    );
    assert_eq!(
        response.headers.get("iothub-errorcode").unwrap(),
        "ThrottlingMaxActiveJobCountExceeded"
    );
}

/// Envelope B serialised as a string inside `Message` (envelope C) is typed too; the inner
/// JSON stays text in `message`.
#[tokio::test]
async fn envelope_b_inside_message_is_typed_with_text_message() {
    let body = data(ERROR_BODIES)["envelopeC_envelopeB_serialized_inside_Message"].clone();
    let mock = Mock::start(vec![Reply::json(404, &body)]).await;

    let err = client(&mock.base)
        .get_import_export_job("missing")
        .await
        .unwrap_err();

    let response = err.response().expect("a status error");
    assert_eq!(
        response.body,
        ErrorBody::Typed(IotHubError {
            message: Some(r#"{"errorCode":404001}"#.into()),
            ..Default::default()
        })
    );
}

/// A 500 whose body is not JSON is `Error::Status` with the raw bytes, shown in the message.
#[tokio::test]
async fn server_error_with_html_body_is_raw() {
    let mock = Mock::start(vec![
        Reply::text(500, "<html>oops</html>").header("content-type", "text/html"),
    ])
    .await;

    let err = client(&mock.base)
        .get_import_export_jobs()
        .client_request_id("req-500")
        .await
        .unwrap_err();

    let Error::Status(response) = &err else {
        panic!("expected a status error, got {err:?}")
    };
    assert_eq!(response.status, 500);
    assert_eq!(response.body, ErrorBody::Raw(b"<html>oops</html>".to_vec()));
    assert_eq!(
        err.to_string(),
        "HTTP status 500 Internal Server Error: <html>oops</html> (client request id req-500)"
    );
}

/// A 200 whose body does not fit the model is `Error::Decode`, naming the JSON path of the bad
/// value and quoting the body.
#[tokio::test]
async fn success_body_of_wrong_shape_is_decode_error() {
    let mock = Mock::start(vec![
        Reply::text(200, r#"{"jobId": 5}"#).header("content-type", "application/json"),
    ])
    .await;

    let err = client(&mock.base)
        .get_import_export_job("job-1")
        .await
        .unwrap_err();

    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.status, 200);
    assert_eq!(decode.path, "jobId");
    assert!(
        decode.message.contains("invalid type: integer `5`"),
        "{}",
        decode.message
    );
    assert!(
        decode.excerpt.contains(r#"{"jobId": 5}"#),
        "{}",
        decode.excerpt
    );
    assert_eq!(err.status(), Some(StatusCode::OK));
    assert!(err.to_string().contains("`jobId`"), "{err}");
}

/// A JSON array where the spec has an object is not the object: as a success body it is
/// `Error::Decode`, as an error body it is `ErrorBody::Raw`. (It must not be read positionally,
/// field by field in declaration order.)
#[tokio::test]
async fn array_where_object_expected_is_not_accepted() {
    let positional = json!(["job-1", "2021-07-07T20:44:47Z"]);
    let mock = Mock::start(vec![
        Reply::json(200, &positional),
        Reply::json(404, &json!([])),
    ])
    .await;
    let client = client(&mock.base);

    let success = client.get_import_export_job("job-1").await;
    let error = client.get_import_export_job("job-1").await.unwrap_err();

    let Err(Error::Decode(decode)) = &success else {
        panic!("expected a decode error, got {success:?}")
    };
    assert!(decode.excerpt.contains("job-1"), "{}", decode.excerpt);
    assert_eq!(
        error.response().expect("a status error").body,
        ErrorBody::Raw(b"[]".to_vec())
    );
}

/// Enum values the spec does not list (`"type": "someFutureType"`, `"status": "pending"`) decode
/// into the `Other` variants, and the client sends them back unchanged.
#[tokio::test]
async fn unknown_enum_values_round_trip() {
    let body = json!({"jobId": "job-9", "type": "someFutureType", "status": "pending"});
    let mock = Mock::start(vec![Reply::json(200, &body), Reply::json(200, &body)]).await;
    let client = client(&mock.base);

    let job = client.get_import_export_job("job-9").await.unwrap();
    assert_eq!(job.r#type, JobType::Other("someFutureType".into()));
    assert_eq!(job.status, Some(JobStatus::Other("pending".into())));
    assert_eq!(serde_json::to_value(&job).unwrap(), body);

    client.create_import_export_job(&job).await.unwrap();
    let seen = mock.seen();
    seen[1].assert_call(Method::POST, "/jobs/create");
    seen[1].assert_json_body(&body);
}

/// A call to a port where nothing listens is `Error::Transport`, reported as a connect error.
#[tokio::test]
async fn nothing_listening_is_transport_connect_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);

    let err = client(&format!("http://127.0.0.1:{port}"))
        .get_import_export_jobs()
        .await
        .unwrap_err();

    assert!(
        matches!(&err, Error::Transport(e) if e.is_connect()),
        "{err:?}"
    );
    assert!(err.is_connect());
    assert_eq!(err.status(), None);
}

/// Neither the client's nor the credential's `Debug` output shows the secret.
#[tokio::test]
async fn debug_output_hides_credential() {
    let client = client("http://127.0.0.1:1");

    let debug = format!("{client:?} {:?}", StaticCredential::new(SAS).unwrap());

    assert!(!debug.contains(SECRET), "{debug}");
    assert!(!debug.contains("SharedAccessSignature"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}
