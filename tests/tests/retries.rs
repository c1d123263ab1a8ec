//! The generated `iothub-jobs` client's resilience over real HTTP: retries (statuses, IoT Hub
//! error codes, `Retry-After` and the millisecond headers, idempotency, budgets), per-attempt
//! timeouts, SAS authentication and renewal (a 401 signed afresh once), custom credentials and
//! their failures, IoT Hub error bodies, decoding failures, the task-level helpers
//! (`schedule_device_method`, `schedule_twin_update`, a retried creation checked against the
//! job it created, `wait_for_job`) and tracing.
//!
//! Every test talks to a [`Mock`] on 127.0.0.1 and never sleeps itself: retry delays are kept
//! at a few milliseconds, and where a test takes longer it is the client that waits.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::Method;
use chrono::Utc;
use iothub_jobs::iothub::{Clock, IotHubErrorExt as _, SasCredential, sign};
use iothub_jobs::models::{
    CloudToDeviceMethod, JobProperties, JobStatus, JobType, Twin, TwinProperties,
};
use iothub_jobs::runtime::{BoxFuture, HeaderValue};
use iothub_jobs::{Client, Credential, Error, RetryPolicy};
use serde_json::{Value, json};
use support::{Mock, RawReply, RawServer, Reply, Seen};

/// The hub every token names.
const HOST: &str = "my-hub.azure-devices.net";
/// The policy key of the test connection string, base64 as in a connection string ...
const KEY_BASE64: &str = "c2VjcmV0LWtleS1mb3ItdGVzdHM9PQ==";
/// ... and decoded, as HMAC uses it.
const KEY: &[u8] = b"secret-key-for-tests==";

fn connection_string() -> String {
    format!("HostName={HOST};SharedAccessKeyName=iothubowner;SharedAccessKey={KEY_BASE64}")
}

/// The client's own retry policy (statuses and IoT Hub error codes) with millisecond delays.
fn fast_policy() -> RetryPolicy {
    Client::default_retry_policy().delays(Duration::from_millis(1), Duration::from_millis(5))
}

/// A client for the mock with the default retry policy, made fast.
fn client(base: &str) -> Client {
    Client::new(base)
        .expect("valid base URL")
        .with_sas_token_auth("SharedAccessSignature sr=x&sig=y&se=1&skn=p")
        .unwrap()
        .with_retry_policy(fast_policy())
}

fn job(id: &str, status: &str) -> Value {
    json!({"jobId": id, "type": "scheduleDeviceMethod", "status": status})
}

fn ok_job() -> Reply {
    Reply::json(200, &job("job-1", "completed"))
}

/// An error reply with IoT Hub's `iothub-errorcode` header.
fn hub_error(status: u16, code: &str) -> Reply {
    Reply::json(
        status,
        &json!({"Message": format!("ErrorCode:{code};test"), "ExceptionMessage": "Tracking ID:t-G:0-TimeStamp:x"}),
    )
    .header("iothub-errorcode", code)
}

/// The status of a failed call, panicking on anything but [`Error::Status`].
fn status_of(error: &Error) -> u16 {
    match error {
        Error::Status(response) => response.status.as_u16(),
        other => panic!("expected Error::Status, got {other:?}"),
    }
}

/// The `name=value` pairs of a `SharedAccessSignature …` header, in order.
fn token_fields(header: &str) -> Vec<(String, String)> {
    header
        .strip_prefix("SharedAccessSignature ")
        .unwrap_or_else(|| panic!("not a SAS token: {header}"))
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').expect("name=value");
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

fn token_field(header: &str, name: &str) -> String {
    token_fields(header)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no `{name}` in {header}"))
        .1
}

fn authorization(seen: &Seen) -> &str {
    seen.header("authorization").expect("Authorization sent")
}

// ---------------------------------------------------------------------------------------------
// Transient statuses and error codes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn retries_429_then_succeeds() {
    let mock = Mock::start(vec![Reply::text(429, "slow down"), ok_job()]).await;

    let job = client(&mock.base).get_scheduled_job("job-1").await.unwrap();

    assert_eq!(job.status, Some(JobStatus::Completed));
    let seen = mock.seen();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(request.method, Method::GET);
        assert_eq!(request.path, "/jobs/v2/job-1");
        assert_eq!(request.query_values("api-version"), ["2021-04-12"]);
    }
}

#[tokio::test]
async fn retries_503_then_500_then_succeeds() {
    let mock = Mock::start(vec![
        Reply::text(503, "busy"),
        Reply::text(500, "oops"),
        ok_job(),
    ])
    .await;

    let job = client(&mock.base).get_scheduled_job("job-1").await.unwrap();

    assert_eq!(job.job_id.as_deref(), Some("job-1"));
    assert_eq!(mock.count(), 3);
}

/// A transient IoT Hub error code makes any status worth another try.
#[tokio::test]
async fn retries_a_transient_iothub_error_code_whatever_the_status() {
    let mock = Mock::start(vec![hub_error(403, "IotHubQuotaExceeded"), ok_job()]).await;

    let job = client(&mock.base).get_scheduled_job("job-1").await.unwrap();

    assert_eq!(job.status, Some(JobStatus::Completed));
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn does_not_retry_job_not_found() {
    let mock = Mock::start(vec![hub_error(404, "JobNotFound"), ok_job()]).await;

    let error = client(&mock.base)
        .get_scheduled_job("job-1")
        .await
        .unwrap_err();

    assert_eq!(status_of(&error), 404);
    assert!(!error.is_retryable());
    assert_eq!(
        error.iothub_error().unwrap().code.as_deref(),
        Some("JobNotFound")
    );
    assert_eq!(mock.count(), 1);
}

// ---------------------------------------------------------------------------------------------
// Retry-After
// ---------------------------------------------------------------------------------------------

/// `Retry-After: 1` replaces the computed back-off: the back-off here (5 to 10 s) would exceed
/// the 5 s budget and end the call, so a retry at all shows the header was used, and its timing
/// shows it was honoured.
#[tokio::test]
async fn honours_retry_after_seconds() {
    let mock = Mock::start(vec![
        Reply::text(429, "").header("retry-after", "1"),
        ok_job(),
    ])
    .await;
    let client = client(&mock.base).with_retry_policy(
        fast_policy()
            .delays(Duration::from_secs(10), Duration::from_secs(10))
            .max_elapsed(Duration::from_secs(5)),
    );

    let started = Instant::now();
    client.get_scheduled_job("job-1").await.unwrap();

    let seen = mock.seen();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
    assert!(gap < Duration::from_secs(3), "retried after {gap:?}");
    assert!(started.elapsed() >= Duration::from_secs(1));
}

/// An HTTP-date `Retry-After` in the past means "now": the retry is immediate, not the 5 to
/// 10 s back-off (which would exceed the budget and end the call instead).
#[tokio::test]
async fn retries_promptly_after_a_past_retry_after_date() {
    let mock = Mock::start(vec![
        Reply::text(503, "").header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ok_job(),
    ])
    .await;
    let client = client(&mock.base).with_retry_policy(
        fast_policy()
            .delays(Duration::from_secs(10), Duration::from_secs(10))
            .max_elapsed(Duration::from_secs(3)),
    );

    let started = Instant::now();
    client.get_scheduled_job("job-1").await.unwrap();

    assert_eq!(mock.count(), 2);
    assert!(started.elapsed() < Duration::from_millis(500));
}

/// A `Retry-After` longer than what is left of the budget is not waited for: the call fails
/// at once with the throttling response.
#[tokio::test]
async fn gives_up_at_once_when_retry_after_exceeds_the_budget() {
    let mock = Mock::start(vec![
        Reply::text(429, "").header("retry-after", "120"),
        ok_job(),
    ])
    .await;

    let started = Instant::now();
    let error = client(&mock.base)
        .get_scheduled_job("job-1")
        .await
        .unwrap_err();

    assert_eq!(status_of(&error), 429);
    assert!(error.is_retryable());
    assert_eq!(error.header("retry-after"), Some("120"));
    assert_eq!(mock.count(), 1);
    assert!(started.elapsed() < Duration::from_secs(1));
}

/// Azure's millisecond headers win over `Retry-After`: the 120 s `Retry-After` here would
/// exceed the budget and end the call, so a quick retry shows the millisecond header was used.
#[tokio::test]
async fn millisecond_retry_after_headers_win() {
    for header in ["retry-after-ms", "x-ms-retry-after-ms"] {
        let mock = Mock::start(vec![
            Reply::text(429, "")
                .header("retry-after", "120")
                .header(header, "20"),
            ok_job(),
        ])
        .await;

        let started = Instant::now();
        client(&mock.base).get_scheduled_job("job-1").await.unwrap();

        let seen = mock.seen();
        assert_eq!(seen.len(), 2, "{header}");
        let gap = seen[1].at - seen[0].at;
        assert!(
            gap >= Duration::from_millis(20),
            "{header}: retried after {gap:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5), "{header}");
    }
}

/// The obsolete RFC 850 date form, in the past: retry now (not the 5 to 10 s back-off, which
/// would exceed the 3 s budget and end the call).
#[tokio::test]
async fn retries_promptly_after_a_past_rfc_850_retry_after_date() {
    let mock = Mock::start(vec![
        Reply::text(503, "").header("retry-after", "Wednesday, 21-Oct-15 07:28:00 GMT"),
        ok_job(),
    ])
    .await;
    let client = client(&mock.base).with_retry_policy(
        fast_policy()
            .delays(Duration::from_secs(10), Duration::from_secs(10))
            .max_elapsed(Duration::from_secs(3)),
    );

    client.get_scheduled_job("job-1").await.unwrap();

    assert_eq!(mock.count(), 2);
}

/// A `Retry-After` too large to add to the time already spent is the longest wait there is:
/// past the budget, so the call ends with the throttling response. (Added to the second the
/// first retry waited, it used to overflow and panic inside the client.)
#[tokio::test]
async fn an_absurd_retry_after_ends_the_call() {
    let mock = Mock::start(vec![
        Reply::text(503, "").header("retry-after", "1"),
        Reply::text(503, "").header("retry-after", "18446744073709551615"),
        ok_job(),
    ])
    .await;

    let error = client(&mock.base)
        .get_scheduled_job("job-1")
        .await
        .unwrap_err();

    assert_eq!(status_of(&error), 503);
    assert_eq!(error.header("retry-after"), Some("18446744073709551615"));
    assert_eq!(mock.count(), 2);
}

// ---------------------------------------------------------------------------------------------
// Idempotency
// ---------------------------------------------------------------------------------------------

/// `POST /jobs/create` creates a new job each time: a 503 is returned, not retried.
#[tokio::test]
async fn does_not_retry_a_non_idempotent_post() {
    let mock = Mock::start(vec![Reply::text(503, "busy"), Reply::json(200, &json!({}))]).await;
    let request = JobProperties {
        r#type: JobType::Export,
        output_blob_container_uri: Some("https://account.blob/container".into()),
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

    let error = client(&mock.base)
        .create_import_export_job(&request)
        .await
        .unwrap_err();

    assert_eq!(status_of(&error), 503);
    let seen = mock.single();
    assert_eq!(seen.method, Method::POST);
    assert_eq!(seen.path, "/jobs/create");
}

/// Cancelling twice is the same as once (`x-idempotent` in the document): retried, and each
/// attempt is a complete bodiless POST.
#[tokio::test]
async fn retries_an_idempotent_post() {
    let mock = Mock::start(vec![Reply::text(503, "busy"), ok_job()]).await;

    client(&mock.base)
        .cancel_scheduled_job("job-1")
        .await
        .unwrap();

    let seen = mock.seen();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(request.method, Method::POST);
        assert_eq!(request.path, "/jobs/v2/job-1/cancel");
        assert_eq!(request.header("content-length"), Some("0"));
    }
}

// ---------------------------------------------------------------------------------------------
// Budgets
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn stops_after_max_attempts() {
    let mock = Mock::start(vec![Reply::text(503, "busy"); 10]).await;
    let client = client(&mock.base).with_retry_policy(fast_policy().max_attempts(3));

    let error = client.get_scheduled_job("job-1").await.unwrap_err();

    assert_eq!(status_of(&error), 503);
    assert!(error.is_retryable());
    assert_eq!(mock.count(), 3);
}

/// The first back-off (50 to 100 ms) would end after the 40 ms budget: no retry at all,
/// although 5 attempts are allowed.
#[tokio::test]
async fn max_elapsed_shorter_than_the_first_delay_means_no_retry() {
    let mock = Mock::start(vec![Reply::text(503, "busy"); 10]).await;
    let client = client(&mock.base).with_retry_policy(
        fast_policy()
            .max_attempts(5)
            .delays(Duration::from_millis(100), Duration::from_millis(100))
            .max_elapsed(Duration::from_millis(40)),
    );

    let error = client.get_scheduled_job("job-1").await.unwrap_err();

    assert_eq!(status_of(&error), 503);
    assert_eq!(mock.count(), 1);
}

/// Back-offs of 10 to 20 ms within a 100 ms budget: a few retries, far fewer than the 50
/// attempts allowed, and none starting after the budget. The call ends with the last 503, or,
/// when the last attempt started with only a few milliseconds of the budget left and did not
/// get its answer within them, with that attempt's timeout.
#[tokio::test]
async fn max_elapsed_stops_retrying_before_max_attempts() {
    let mock = Mock::start(vec![Reply::text(503, "busy"); 60]).await;
    let client = client(&mock.base).with_retry_policy(
        fast_policy()
            .max_attempts(50)
            .delays(Duration::from_millis(20), Duration::from_millis(20))
            .max_elapsed(Duration::from_millis(100)),
    );

    let started = Instant::now();
    let error = client.get_scheduled_job("job-1").await.unwrap_err();

    assert!(
        error.status().map(|s| s.as_u16()) == Some(503) || error.is_timeout(),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(1000));
    let seen = mock.seen();
    assert!(
        (2..50).contains(&seen.len()),
        "{} attempts within the budget",
        seen.len()
    );
    let span = seen.last().unwrap().at - seen[0].at;
    assert!(
        span < Duration::from_millis(150),
        "last attempt after {span:?}"
    );
}

/// The budget bounds the whole call, the last attempt included: an attempt that starts
/// within the budget is cut where the budget ends, not 30 s (the per-attempt timeout) later.
#[tokio::test]
async fn the_last_attempt_ends_with_the_budget() {
    let mock = Mock::start(vec![Reply::text(503, "busy"), Reply::hang()]).await;
    let client =
        client(&mock.base).with_retry_policy(fast_policy().max_elapsed(Duration::from_millis(400)));

    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(10), client.get_scheduled_job("job-1"))
        .await
        .expect("the call ends with its 400 ms budget, not the 30 s attempt timeout");

    let error = outcome.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(mock.count(), 2);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
}

/// Without a per-attempt timeout, the budget still bounds the call.
#[tokio::test]
async fn the_budget_bounds_a_call_without_a_timeout() {
    let mock = Mock::start(vec![Reply::hang()]).await;
    let client = client(&mock.base)
        .with_timeout(None)
        .with_retry_policy(fast_policy().max_elapsed(Duration::from_millis(300)));

    let outcome = tokio::time::timeout(Duration::from_secs(10), client.get_scheduled_job("job-1"))
        .await
        .expect("the budget ends the call");

    assert!(outcome.unwrap_err().is_timeout());
}

#[tokio::test]
async fn retry_policy_none_sends_once() {
    let mock = Mock::start(vec![Reply::text(503, "busy"), ok_job()]).await;
    let client = client(&mock.base).with_retry_policy(RetryPolicy::none());

    let error = client.get_scheduled_job("job-1").await.unwrap_err();

    assert_eq!(status_of(&error), 503);
    assert_eq!(mock.count(), 1);
}

// ---------------------------------------------------------------------------------------------
// Per-attempt timeout
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_response_that_never_comes_times_out() {
    let mock = Mock::start(vec![Reply::hang(), ok_job()]).await;
    let client = client(&mock.base)
        .with_retry_policy(RetryPolicy::none())
        .with_timeout(Some(Duration::from_millis(200)));

    let started = Instant::now();
    let error = client.get_scheduled_job("job-1").await.unwrap_err();

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(error.is_timeout());
    assert!(error.is_retryable());
    assert_eq!(mock.count(), 1);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(200) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_timed_out_attempt_is_retried() {
    let mock = Mock::start(vec![Reply::hang(), ok_job()]).await;
    let client = client(&mock.base).with_timeout(Some(Duration::from_millis(100)));

    let job = client.get_scheduled_job("job-1").await.unwrap();

    assert_eq!(job.status, Some(JobStatus::Completed));
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn attempts_that_all_time_out_end_in_a_timeout() {
    let mock = Mock::start(vec![Reply::hang(); 5]).await;
    let client = client(&mock.base)
        .with_retry_policy(fast_policy().max_attempts(2))
        .with_timeout(Some(Duration::from_millis(100)));

    let error = client.get_scheduled_job("job-1").await.unwrap_err();

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(error.is_timeout());
    assert_eq!(mock.count(), 2);
}

/// A POST that may have reached the service is not sent again after a timeout.
#[tokio::test]
async fn a_timed_out_non_idempotent_post_is_not_retried() {
    let mock = Mock::start(vec![Reply::hang(), Reply::json(200, &json!({}))]).await;
    let client = client(&mock.base).with_timeout(Some(Duration::from_millis(100)));

    let error = client
        .create_import_export_job(
            &serde_json::from_value::<JobProperties>(json!({"type": "export"})).unwrap(),
        )
        .await
        .unwrap_err();

    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(mock.count(), 1);
}

// ---------------------------------------------------------------------------------------------
// SAS authentication
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn connection_string_client_signs_a_valid_sas_token() {
    let mock = Mock::start(vec![ok_job()]).await;
    let client =
        Client::from_connection_string_with_endpoint(&connection_string(), &mock.base).unwrap();

    let before = Utc::now().timestamp().unsigned_abs();
    client.get_scheduled_job("job-1").await.unwrap();
    let after = Utc::now().timestamp().unsigned_abs();

    let seen = mock.single();
    assert_eq!(seen.path, "/jobs/v2/job-1", "requests go to the endpoint");
    let header = authorization(&seen);
    let names: Vec<_> = token_fields(header).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["sr", "sig", "se", "skn"], "{header}");
    assert_eq!(token_field(header, "sr"), HOST, "the token names the hub");
    assert_eq!(token_field(header, "skn"), "iothubowner");
    let se: u64 = token_field(header, "se").parse().expect("numeric expiry");
    assert!(
        (before + 3600..=after + 3600).contains(&se),
        "expiry {se} is not one hour from now"
    );
    assert_eq!(header, sign(HOST, KEY, Some("iothubowner"), se));
}

/// A clock the test sets.
#[derive(Debug)]
struct TestClock(AtomicU64);

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

const T0: u64 = 1_700_000_000;

/// Tokens live 100 s and are renewed when about a fifth (20 s) is left; the clock moves well
/// clear of that point either way. The signatures are known answers (HMAC-SHA256 computed
/// independently of the crate).
#[tokio::test]
async fn sas_token_is_cached_then_renewed_before_it_expires() {
    let mock = Mock::start(vec![ok_job(), ok_job(), ok_job(), ok_job()]).await;
    let clock = Arc::new(TestClock(AtomicU64::new(T0)));
    let credential = SasCredential::new(HOST, Some("iothubowner"), KEY_BASE64)
        .unwrap()
        .with_ttl(Duration::from_secs(100))
        .with_clock(clock.clone());
    let client = Client::new(&mock.base)
        .unwrap()
        .with_retry_policy(fast_policy())
        .with_credential(credential);

    client.get_scheduled_job("job-1").await.unwrap();
    client.get_scheduled_job("job-1").await.unwrap();
    clock.0.store(T0 + 50, Ordering::SeqCst); // 50 s left: still good
    client.get_scheduled_job("job-1").await.unwrap();
    clock.0.store(T0 + 90, Ordering::SeqCst); // 10 s left: renew
    client.get_scheduled_job("job-1").await.unwrap();

    let seen = mock.seen();
    let tokens: Vec<_> = seen.iter().map(authorization).collect();
    let first = "SharedAccessSignature sr=my-hub.azure-devices.net&sig=uP4r2B5k0goO%2FbI1QXOFcMAZOgYDfYFrokX4UkM%2Bdso%3D&se=1700000100&skn=iothubowner";
    let renewed = "SharedAccessSignature sr=my-hub.azure-devices.net&sig=Bl%2B12S3dVCanfIALHe6%2BpLyr9EWi3mD8z%2FRakudY6PQ%3D&se=1700000190&skn=iothubowner";
    assert_eq!(tokens, [first, first, first, renewed]);
    assert_eq!(renewed, sign(HOST, KEY, Some("iothubowner"), T0 + 190));
}

/// IoT Hub's 401, in envelope A with its error code header.
fn unauthorized() -> Reply {
    Reply::json(
        401,
        &json!({
            "Message": "ErrorCode:IotHubUnauthorizedAccess;Unauthorized",
            "ExceptionMessage": "Tracking ID:abc-G:0-TimeStamp:x"
        }),
    )
    .header("iothub-errorcode", "IotHubUnauthorizedAccess")
}

/// A client for `base` with a SAS credential on `clock`, whose tokens live 100 s.
fn sas_client(base: &str, clock: &Arc<TestClock>) -> Client {
    let credential = SasCredential::new(HOST, Some("iothubowner"), KEY_BASE64)
        .unwrap()
        .with_ttl(Duration::from_secs(100))
        .with_clock(clock.clone());
    Client::new(base)
        .unwrap()
        .with_retry_policy(fast_policy())
        .with_credential(credential)
}

/// The service refuses a cached token that this machine still thinks good (its clock runs
/// ahead, or the machine slept): the credential drops it and the request goes once more with
/// a token signed now, which the service accepts. Any operation: a 401 is a refusal before
/// the request was processed, so even the POST that creates an import job is sent again.
#[tokio::test]
async fn a_refused_sas_token_is_signed_afresh_and_sent_once_more() {
    let mock = Mock::start(vec![
        ok_job(),
        unauthorized(),
        ok_job(),
        unauthorized(),
        Reply::json(200, &json!({"jobId": "import-1", "type": "export"})),
    ])
    .await;
    let clock = Arc::new(TestClock(AtomicU64::new(T0)));
    let client = sas_client(&mock.base, &clock);

    client.get_scheduled_job("job-1").await.unwrap();
    clock.0.store(T0 + 50, Ordering::SeqCst); // 50 s left: the cached token is still sent
    let job = client.get_scheduled_job("job-1").await.unwrap();
    assert_eq!(job.status, Some(JobStatus::Completed));
    clock.0.store(T0 + 60, Ordering::SeqCst);
    let import = client
        .create_import_export_job(
            &serde_json::from_value::<JobProperties>(json!({"type": "export"})).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(import.job_id.as_deref(), Some("import-1"));

    let seen = mock.seen();
    let expiries: Vec<String> = seen
        .iter()
        .map(|s| token_field(authorization(s), "se"))
        .collect();
    assert_eq!(
        expiries,
        [
            "1700000100",
            "1700000100",
            "1700000150",
            "1700000150",
            "1700000160"
        ]
    );
    assert_eq!(
        authorization(&seen[2]),
        sign(HOST, KEY, Some("iothubowner"), T0 + 150)
    );
    assert_eq!(seen[4].method, Method::POST);
    assert_eq!(seen[4].path, "/jobs/create");
}

/// A token refused twice is the caller's problem: the second 401 is the answer, with
/// everything IoT Hub said about it.
#[tokio::test]
async fn unauthorized_twice_is_final_and_explains_itself() {
    let mock = Mock::start(vec![ok_job(), unauthorized(), unauthorized(), ok_job()]).await;
    let clock = Arc::new(TestClock(AtomicU64::new(T0)));
    let client = sas_client(&mock.base, &clock);
    client.get_scheduled_job("job-1").await.unwrap();
    clock.0.store(T0 + 50, Ordering::SeqCst);

    let error = client.get_scheduled_job("job-1").await.unwrap_err();

    assert_eq!(status_of(&error), 401);
    assert!(!error.is_retryable());
    assert_eq!(mock.count(), 3);
    assert_eq!(error.response().unwrap().attempts, 2);
    let info = error.iothub_error().expect("an IoT Hub error");
    assert_eq!(info.code.as_deref(), Some("IotHubUnauthorizedAccess"));
    assert_eq!(info.tracking_id.as_deref(), Some("abc"));
    assert_eq!(info.message.as_deref(), Some("Unauthorized"));
}

/// A token signed this very second and refused (a wrong key, say) would be signed the same
/// again: no second request.
#[tokio::test]
async fn a_token_just_signed_and_refused_is_not_sent_again() {
    let mock = Mock::start(vec![unauthorized(), ok_job()]).await;
    let clock = Arc::new(TestClock(AtomicU64::new(T0)));

    let error = sas_client(&mock.base, &clock)
        .get_scheduled_job("job-1")
        .await
        .unwrap_err();

    assert_eq!(status_of(&error), 401);
    assert_eq!(mock.count(), 1);
}

/// A credential of the caller's own (an Entra ID bearer token, say): asked for a value on
/// every attempt, and told to drop its cached token after a 401.
struct BearerTokens {
    /// The token number handed out; invalidation moves to the next.
    current: AtomicU64,
    asked: AtomicU64,
}

impl Credential for BearerTokens {
    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let n = self.current.load(Ordering::SeqCst);
        Box::pin(async move {
            HeaderValue::from_str(&format!("Bearer token-{n}")).map_err(|e| e.to_string())
        })
    }

    fn invalidate(&self) -> bool {
        self.current.fetch_add(1, Ordering::SeqCst);
        true
    }
}

#[tokio::test]
async fn a_custom_credential_is_asked_every_attempt_and_renewed_after_a_401() {
    let mock = Mock::start(vec![
        Reply::text(503, "busy"),
        Reply::text(401, ""),
        ok_job(),
    ])
    .await;
    let credential = Arc::new(BearerTokens {
        current: AtomicU64::new(0),
        asked: AtomicU64::new(0),
    });
    let client = client(&mock.base).with_scheme_credential("sasToken", credential.clone());

    client.get_scheduled_job("job-1").await.unwrap();

    let tokens: Vec<_> = mock
        .seen()
        .iter()
        .map(|s| authorization(s).to_owned())
        .collect();
    assert_eq!(
        tokens,
        ["Bearer token-0", "Bearer token-0", "Bearer token-1"]
    );
    assert_eq!(credential.asked.load(Ordering::SeqCst), 3);
}

/// A credential that cannot renew (the trait's default `invalidate`): a 401 is final at once.
#[tokio::test]
async fn a_credential_that_cannot_renew_gets_one_401() {
    struct Fixed;
    impl Credential for Fixed {
        fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>> {
            Box::pin(async { Ok(HeaderValue::from_static("Bearer fixed")) })
        }
    }
    let mock = Mock::start(vec![Reply::text(401, ""), ok_job()]).await;

    let error = client(&mock.base)
        .with_scheme_credential("sasToken", Fixed)
        .get_scheduled_job("job-1")
        .await
        .unwrap_err();

    assert_eq!(status_of(&error), 401);
    assert_eq!(authorization(&mock.single()), "Bearer fixed");
}

/// A credential that cannot produce a value fails the call with `Error::Credential` and its
/// message, before anything is sent, and is not retried.
#[tokio::test]
async fn a_credential_failure_sends_nothing() {
    struct Unreachable(AtomicU64);
    impl Credential for Unreachable {
        fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Err("the token endpoint did not answer".to_owned()) })
        }
    }
    let mock = Mock::start(vec![ok_job()]).await;
    let credential = Arc::new(Unreachable(AtomicU64::new(0)));

    let error = client(&mock.base)
        .with_scheme_credential("sasToken", credential.clone())
        .get_scheduled_job("job-1")
        .await
        .unwrap_err();

    let Error::Credential(message) = &error else {
        panic!("expected Error::Credential, got {error:?}");
    };
    assert_eq!(message, "the token endpoint did not answer");
    assert_eq!(
        error.to_string(),
        "credential error: the token endpoint did not answer"
    );
    assert!(!error.is_retryable());
    assert_eq!(error.status(), None);
    assert_eq!(mock.count(), 0, "nothing was sent");
    assert_eq!(credential.0.load(Ordering::SeqCst), 1, "asked once");
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_success_body_that_is_not_json_is_a_decode_error() {
    let mock = Mock::start(vec![
        Reply::text(200, "<html>gateway says hi</html>").header("content-type", "text/html"),
    ])
    .await;

    let error = client(&mock.base)
        .get_scheduled_job("job-1")
        .await
        .unwrap_err();

    let Error::Decode(decode) = &error else {
        panic!("expected Error::Decode, got {error:?}");
    };
    assert_eq!(decode.status.as_u16(), 200);
    assert_eq!(decode.excerpt, "<html>gateway says hi</html>");
    assert!(!error.is_retryable());
    assert_eq!(mock.count(), 1, "a decode error is not retried");
}

#[tokio::test]
async fn unknown_enum_values_decode_into_the_fallback_variant() {
    let mock = Mock::start(vec![Reply::json(
        200,
        &json!({"jobId": "job-1", "type": "firmwareRollout", "status": "paused"}),
    )])
    .await;

    let job = client(&mock.base).get_scheduled_job("job-1").await.unwrap();

    assert_eq!(
        job.r#type,
        Some(JobType::Other("firmwareRollout".to_owned()))
    );
    assert_eq!(job.status, Some(JobStatus::Other("paused".to_owned())));
}

// ---------------------------------------------------------------------------------------------
// Task-level helpers
// ---------------------------------------------------------------------------------------------

/// `startTime` of a request body, and how far it is from now in seconds.
fn seconds_from_now(body: &Value) -> i64 {
    let start: chrono::DateTime<Utc> = body["startTime"]
        .as_str()
        .expect("startTime is a string")
        .parse()
        .expect("startTime is RFC 3339");
    (start - Utc::now()).num_seconds().abs()
}

#[tokio::test]
async fn schedule_device_method_puts_a_device_method_job() {
    let mock = Mock::start(vec![Reply::json(200, &job("job-1", "queued"))]).await;
    let method = CloudToDeviceMethod {
        method_name: "reboot".to_owned(),
        payload: Some(json!({})),
        response_timeout_in_seconds: Some(30),
        connect_timeout_in_seconds: None,
    };

    let job = client(&mock.base)
        .schedule_device_method("job-1", "tags.building = '43'", method)
        .await
        .unwrap();

    assert_eq!(job.status, Some(JobStatus::Queued));
    let seen = mock.single();
    assert_eq!(seen.method, Method::PUT);
    assert_eq!(seen.path, "/jobs/v2/job-1");
    assert_eq!(seen.header("content-type"), Some("application/json"));
    let body = seen.json();
    assert_eq!(body["jobId"], "job-1");
    assert_eq!(body["type"], "scheduleDeviceMethod");
    assert_eq!(body["queryCondition"], "tags.building = '43'");
    assert_eq!(body["maxExecutionTimeInSeconds"], 3600);
    assert_eq!(
        body["cloudToDeviceMethod"],
        json!({"methodName": "reboot", "payload": {}, "responseTimeoutInSeconds": 30})
    );
    assert!(
        seconds_from_now(&body) <= 5,
        "startTime {}",
        body["startTime"]
    );
    assert_eq!(body.get("updateTwin"), None);
}

fn reboot() -> CloudToDeviceMethod {
    CloudToDeviceMethod {
        method_name: "reboot".to_owned(),
        payload: Some(json!({})),
        response_timeout_in_seconds: None,
        connect_timeout_in_seconds: None,
    }
}

/// The job the service holds after `schedule_device_method("job-1", "*", reboot(), ..)`.
fn created_reboot_job() -> Value {
    json!({
        "jobId": "job-1",
        "type": "scheduleDeviceMethod",
        "queryCondition": "*",
        "maxExecutionTimeInSeconds": 3600,
        "cloudToDeviceMethod": {"methodName": "reboot", "payload": {}},
        "status": "queued"
    })
}

/// The first PUT creates the job, but its response is lost (the connection closes); the retry
/// finds the id taken (409). The job read back is the one this call asked for, so the call
/// succeeds with it instead of reporting a failure for a job that exists.
#[tokio::test]
async fn a_create_whose_response_was_lost_is_read_back_after_a_409() {
    let server = RawServer::start(vec![
        RawReply::Close,
        RawReply::json(
            "409 Conflict",
            &[("iothub-errorcode", "JobAlreadyExists")],
            &json!({"Message": "ErrorCode:JobAlreadyExists;job-1 exists", "ExceptionMessage": "Tracking ID:t-G:0-TimeStamp:x"}),
        ),
        RawReply::json("200 OK", &[], &created_reboot_job()),
    ])
    .await;

    let job = client(&server.base)
        .schedule_device_method("job-1", "*", reboot())
        .await
        .unwrap();

    assert_eq!(job.job_id.as_deref(), Some("job-1"));
    assert_eq!(job.status, Some(JobStatus::Queued));
    let requests = server.requests();
    let lines: Vec<&str> = requests
        .iter()
        .map(|r| r.line().split('?').next().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "PUT /jobs/v2/job-1",
            "PUT /jobs/v2/job-1",
            "GET /jobs/v2/job-1"
        ]
    );
    assert_eq!(
        requests[0].body, requests[1].body,
        "the retry is the same request"
    );
}

/// The same after a 503 (the service may have created the job before failing), for a twin
/// update.
#[tokio::test]
async fn a_twin_update_retried_after_a_503_is_read_back_after_a_409() {
    let mock = Mock::start(vec![
        Reply::text(503, "busy"),
        hub_error(409, "JobAlreadyExists"),
        Reply::json(
            200,
            &json!({"jobId": "job-2", "type": "scheduleUpdateTwin", "queryCondition": "deviceId = 'd1'", "status": "running"}),
        ),
    ])
    .await;

    let job = client(&mock.base)
        .schedule_twin_update("job-2", "deviceId = 'd1'", Twin::default())
        .await
        .unwrap();

    assert_eq!(job.status, Some(JobStatus::Running));
    let methods: Vec<Method> = mock.seen().into_iter().map(|s| s.method).collect();
    assert_eq!(methods, [Method::PUT, Method::PUT, Method::GET]);
}

/// A 409 after a retry for a job that is not this call's (another type or condition) is the
/// conflict it says; so is a 409 whose job cannot be read back.
#[tokio::test]
async fn a_409_after_a_retry_for_another_job_is_a_conflict() {
    let mock = Mock::start(vec![
        Reply::text(503, "busy"),
        hub_error(409, "JobAlreadyExists"),
        Reply::json(
            200,
            &json!({"jobId": "job-1", "type": "scheduleDeviceMethod", "queryCondition": "tags.building = '44'"}),
        ),
        Reply::text(503, "busy"),
        hub_error(409, "JobAlreadyExists"),
        hub_error(404, "JobNotFound"),
    ])
    .await;
    let client = client(&mock.base);

    for _ in 0..2 {
        let error = client
            .schedule_device_method("job-1", "*", reboot())
            .await
            .unwrap_err();
        assert_eq!(status_of(&error), 409, "{error:?}");
        assert_eq!(error.response().unwrap().attempts, 2);
        assert_eq!(
            error.iothub_error().unwrap().code.as_deref(),
            Some("JobAlreadyExists")
        );
    }
    assert_eq!(mock.count(), 6);
}

/// A 409 on the first attempt: the id was taken before this call. Nothing is read back.
#[tokio::test]
async fn a_409_on_the_first_attempt_is_not_read_back() {
    let mock = Mock::start(vec![
        hub_error(409, "JobAlreadyExists"),
        Reply::json(200, &created_reboot_job()),
    ])
    .await;

    let error = client(&mock.base)
        .schedule_device_method("job-1", "*", reboot())
        .await
        .unwrap_err();

    assert_eq!(status_of(&error), 409);
    assert_eq!(error.response().unwrap().attempts, 1);
    assert_eq!(mock.single().method, Method::PUT);
}

/// The public helper behind both: `create_scheduled_job_checked` with a request of the
/// caller's own.
#[tokio::test]
async fn create_scheduled_job_checked_reads_back_after_a_retried_409() {
    let mock = Mock::start(vec![
        Reply::hang(),
        hub_error(409, "JobAlreadyExists"),
        Reply::json(200, &created_reboot_job()),
    ])
    .await;
    let request = iothub_jobs::models::JobRequest {
        job_id: "job-1".to_owned(),
        r#type: JobType::ScheduleDeviceMethod,
        query_condition: Some("*".to_owned()),
        cloud_to_device_method: Some(reboot()),
        update_twin: None,
        start_time: None,
        max_execution_time_in_seconds: None,
    };

    let job = client(&mock.base)
        .with_timeout(Some(Duration::from_millis(200)))
        .create_scheduled_job_checked("job-1", &request)
        .await
        .unwrap();

    assert_eq!(job.query_condition.as_deref(), Some("*"));
    assert_eq!(mock.count(), 3);
}

#[tokio::test]
async fn bad_job_ids_are_refused_before_sending() {
    let mock = Mock::start(vec![ok_job(); 4]).await;
    let client = client(&mock.base);

    for bad in ["bad id".to_owned(), "a".repeat(65)] {
        let error = client
            .schedule_device_method(&bad, "*", reboot())
            .await
            .unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{bad}: {error:?}");
        let error = client
            .wait_for_job(&bad, Duration::from_millis(5), Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{bad}: {error:?}");
    }

    assert!(mock.seen().is_empty(), "sent {:?}", mock.seen());
}

#[tokio::test]
async fn schedule_twin_update_sends_etag_star() {
    let mock = Mock::start(vec![Reply::json(200, &job("job-2", "queued"))]).await;
    let twin = Twin {
        etag: Some("AAAAAAAAAAc=".to_owned()),
        tags: Some(BTreeMap::from([("building".to_owned(), json!("43"))])),
        properties: Some(TwinProperties {
            desired: Some(BTreeMap::from([("interval".to_owned(), json!(30))])),
            ..Default::default()
        }),
        ..Default::default()
    };

    client(&mock.base)
        .schedule_twin_update("job-2", "deviceId = 'd1'", twin)
        .max_execution_time(Duration::from_secs(60))
        .await
        .unwrap();

    let seen = mock.single();
    assert_eq!(seen.method, Method::PUT);
    assert_eq!(seen.path, "/jobs/v2/job-2");
    let body = seen.json();
    assert_eq!(body["type"], "scheduleUpdateTwin");
    assert_eq!(body["queryCondition"], "deviceId = 'd1'");
    assert_eq!(body["maxExecutionTimeInSeconds"], 60);
    assert_eq!(
        body["updateTwin"],
        json!({"etag": "*", "tags": {"building": "43"}, "properties": {"desired": {"interval": 30}}})
    );
    assert!(
        seconds_from_now(&body) <= 5,
        "startTime {}",
        body["startTime"]
    );
    assert_eq!(body.get("cloudToDeviceMethod"), None);
}

#[tokio::test]
async fn wait_for_job_polls_until_the_job_completes() {
    let mock = Mock::start(vec![
        Reply::json(200, &job("job-1", "running")),
        Reply::json(200, &job("job-1", "running")),
        Reply::json(200, &job("job-1", "completed")),
        Reply::json(200, &job("job-1", "running")),
    ])
    .await;

    let job = client(&mock.base)
        .wait_for_job("job-1", Duration::from_millis(5), Duration::from_secs(5))
        .await
        .unwrap();

    assert_eq!(job.status, Some(JobStatus::Completed));
    let seen = mock.seen();
    assert_eq!(seen.len(), 3);
    for request in &seen {
        assert_eq!(request.method, Method::GET);
        assert_eq!(request.path, "/jobs/v2/job-1");
    }
    for pair in seen.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(5),
            "polled again after {gap:?}"
        );
    }
}

/// `canceled` (one `l`, as the jobs guide spells it) ends the wait too.
#[tokio::test]
async fn wait_for_job_stops_at_canceled() {
    let mock = Mock::start(vec![
        Reply::json(200, &job("job-1", "running")),
        Reply::json(200, &job("job-1", "canceled")),
    ])
    .await;

    let job = client(&mock.base)
        .wait_for_job("job-1", Duration::from_millis(5), Duration::from_secs(5))
        .await
        .unwrap();

    assert_eq!(job.status, Some(JobStatus::Other("canceled".to_owned())));
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn wait_for_job_times_out_on_a_job_that_keeps_running() {
    let mock = Mock::start(vec![Reply::json(200, &job("job-1", "running")); 200]).await;

    let started = Instant::now();
    let error = client(&mock.base)
        .wait_for_job(
            "job-1",
            Duration::from_millis(5),
            Duration::from_millis(300),
        )
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(error.is_timeout());
    assert!(error.to_string().contains("running"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(1));
    // At most one poll per interval within the timeout; how many fit depends on the machine's
    // load, so only the upper bound is exact.
    let polls = mock.count();
    assert!((1..=61).contains(&polls), "{polls} polls");
}

/// The wait's timeout bounds the whole wait, including a poll that hangs: the caller asked for
/// an answer within 100 ms, not after the 30 s per-attempt timeout times five attempts.
#[tokio::test]
async fn wait_for_job_timeout_bounds_a_hanging_poll() {
    let mock = Mock::start(vec![Reply::hang(); 5]).await;
    let client = client(&mock.base);

    let outcome = tokio::time::timeout(
        Duration::from_secs(3),
        client.wait_for_job(
            "job-1",
            Duration::from_millis(5),
            Duration::from_millis(100),
        ),
    )
    .await
    .expect("wait_for_job returns within its timeout");

    let error = outcome.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}

// ---------------------------------------------------------------------------------------------
// Tracing
// ---------------------------------------------------------------------------------------------

/// A `MakeWriter` for the fmt subscriber: everything goes into one shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// One call (throttled once, then answered) logs a `request` span per attempt with the
/// operation, method, attempt and status, and never the token or the key. The subscriber is
/// this test's default only; the current-thread runtime keeps the client on this thread.
#[tokio::test(flavor = "current_thread")]
async fn requests_are_traced_without_secrets() {
    use tracing_subscriber::util::SubscriberInitExt as _;

    let captured = Captured::default();
    let writer = captured.clone();
    let _guard = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
        .set_default();

    let mock = Mock::start(vec![Reply::text(429, "slow down"), ok_job()]).await;
    let client = Client::from_connection_string_with_endpoint(&connection_string(), &mock.base)
        .unwrap()
        .with_retry_policy(fast_policy());
    client.get_scheduled_job("job-1").await.unwrap();

    let logs = captured.text();
    let spans: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains("request{"))
        .collect();
    // A `&str` field prints as Debug in the fmt subscriber: `operation="Jobs_GetScheduledJob"`.
    let operation = |line: &&str| {
        line.contains("operation=Jobs_GetScheduledJob")
            || line.contains("operation=\"Jobs_GetScheduledJob\"")
    };
    assert!(spans.iter().any(operation), "no operation in:\n{logs}");
    for expected in [
        "method=GET",
        "attempt=1",
        "attempt=2",
        "status=429",
        "status=200",
    ] {
        assert!(
            spans.iter().any(|line| line.contains(expected)),
            "no `request` span with {expected} in:\n{logs}"
        );
    }
    assert!(logs.contains("retrying"), "the retry is logged:\n{logs}");

    let seen = mock.seen();
    let sig = token_field(authorization(&seen[0]), "sig");
    let sig_decoded = sig
        .replace("%2B", "+")
        .replace("%2F", "/")
        .replace("%3D", "=");
    for secret in [
        sig.as_str(),
        sig_decoded.as_str(),
        sig_decoded.trim_end_matches('='),
        KEY_BASE64,
        KEY_BASE64.trim_end_matches('='),
        "secret-key-for-tests",
        "SharedAccessSignature",
    ] {
        assert!(!logs.contains(secret), "`{secret}` logged:\n{logs}");
    }
}
