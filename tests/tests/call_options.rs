//! Request builders and request identity over real HTTP (a [`Mock`] on 127.0.0.1): what a
//! call sends with its optional parameters and per-call options (timeout, retry policy, extra
//! headers, client request id), the `User-Agent` with and without an application id, and a
//! fresh `x-ms-client-request-id` per attempt.

mod support;

use std::time::Duration;

use iothub_jobs::models::{JobStatus, JobType};
use iothub_jobs::runtime::CallOptions;
use iothub_jobs::{Client, RetryPolicy};
use serde_json::json;
use support::{Mock, Reply};

fn job() -> Reply {
    Reply::json(
        200,
        &json!({"jobId": "job-1", "type": "scheduleDeviceMethod", "status": "completed"}),
    )
}

fn busy() -> Reply {
    Reply::json(
        503,
        &json!({"Message": "ErrorCode:ServiceUnavailable;busy"}),
    )
    .header("iothub-errorcode", "ServiceUnavailable")
}

fn fast() -> RetryPolicy {
    Client::default_retry_policy().delays(Duration::from_millis(1), Duration::from_millis(2))
}

/// `iothub-jobs/<major>.<minor>.<patch>`, the product the Jobs crate names itself.
fn is_product(text: &str) -> bool {
    text.strip_prefix("iothub-jobs/").is_some_and(|version| {
        let parts: Vec<&str> = version.split('.').collect();
        parts.len() == 3 && parts.iter().all(|p| p.parse::<u64>().is_ok())
    })
}

/// A UUID in its hyphenated text form (8-4-4-4-12 hexadecimal digits).
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[tokio::test]
async fn every_attempt_names_the_crate_and_gets_a_fresh_request_id() {
    let mock = Mock::start(vec![busy(), busy(), job()]).await;
    let client = Client::new(&mock.base)
        .unwrap()
        .with_sas_token_auth("SharedAccessSignature sr=x&sig=y&se=1&skn=p")
        .unwrap()
        .with_retry_policy(fast());

    client.get_scheduled_job("job-1").await.unwrap();

    let seen = mock.seen();
    assert_eq!(seen.len(), 3);
    let ids: Vec<&str> = seen
        .iter()
        .map(|s| s.header("x-ms-client-request-id").expect("an id"))
        .collect();
    for (s, id) in seen.iter().zip(&ids) {
        assert!(s.header("user-agent").is_some_and(is_product), "{s:?}");
        assert!(is_uuid(id), "{id}");
    }
    assert!(
        ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2],
        "{ids:?}"
    );
}

#[tokio::test]
async fn an_application_id_comes_first_in_the_user_agent() {
    let mock = Mock::start(vec![job()]).await;
    let client = Client::new(&mock.base)
        .unwrap()
        .with_sas_token_auth("SharedAccessSignature sr=x&sig=y&se=1&skn=p")
        .unwrap()
        .with_application_id("fleet manager");

    client.get_scheduled_job("job-1").await.unwrap();

    let agent = mock.single().header("user-agent").map(str::to_owned);
    let product = agent
        .as_deref()
        .and_then(|a| a.strip_prefix("fleet-manager "));
    assert!(product.is_some_and(is_product), "{agent:?}");
}

#[tokio::test]
async fn a_callers_request_id_and_headers_go_with_every_attempt() {
    let mock = Mock::start(vec![busy(), job()]).await;
    let client = Client::new(&mock.base)
        .unwrap()
        .with_sas_token_auth("SharedAccessSignature sr=x&sig=y&se=1&skn=p")
        .unwrap()
        .with_retry_policy(fast());

    client
        .get_scheduled_job("job-1")
        .client_request_id("trace-42")
        .header("x-ms-correlation", "abc")
        .await
        .unwrap();

    for seen in mock.seen() {
        assert_eq!(seen.header("x-ms-client-request-id"), Some("trace-42"));
        assert_eq!(seen.header("x-ms-correlation"), Some("abc"));
    }
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn a_calls_retry_policy_replaces_the_clients() {
    let mock = Mock::start(vec![busy(), job()]).await;
    let client = Client::new(&mock.base)
        .unwrap()
        .with_sas_token_auth("SharedAccessSignature sr=x&sig=y&se=1&skn=p")
        .unwrap()
        .with_retry_policy(fast());

    let error = client
        .get_scheduled_job("job-1")
        .retry_policy(RetryPolicy::none())
        .await
        .unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(mock.count(), 1, "sent once");
    assert!(error.to_string().contains("(client request id "), "{error}");
    // The next call uses the client's policy again.
    client.get_scheduled_job("job-1").await.unwrap();
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn a_calls_timeout_replaces_the_clients() {
    let mock = Mock::start(vec![Reply::hang()]).await;
    let client = Client::new(&mock.base)
        .unwrap()
        .with_sas_token_auth("SharedAccessSignature sr=x&sig=y&se=1&skn=p")
        .unwrap()
        .with_retry_policy(RetryPolicy::none());

    let error = client
        .get_scheduled_job("job-1")
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();

    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn invalid_headers_and_the_authorization_header_are_refused_before_sending() {
    let mock = Mock::start(vec![job()]).await;
    let client = Client::new(&mock.base)
        .unwrap()
        .with_sas_token_auth("SharedAccessSignature sr=x&sig=y&se=1&skn=p")
        .unwrap();

    for (name, value) in [
        ("bad name", "x"),
        ("x-ok", "line\nbreak"),
        ("Authorization", "Bearer mine"),
    ] {
        let error = client
            .get_scheduled_job("job-1")
            .header(name, value)
            .await
            .unwrap_err();
        assert!(
            matches!(error, iothub_jobs::runtime::Error::InvalidInput(_)),
            "{name}: {error:?}"
        );
        assert!(!error.to_string().contains("Bearer mine"), "{error}");
    }
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn options_shared_by_several_calls_and_typed_filters() {
    let mock = Mock::start(vec![
        Reply::json(200, &json!([])).header("x-ms-item-type", "JobResponse"),
    ])
    .await;
    let client = Client::new(&mock.base)
        .unwrap()
        .with_sas_token_auth("SharedAccessSignature sr=x&sig=y&se=1&skn=p")
        .unwrap();
    let shared = CallOptions::new()
        .client_request_id("batch-7")
        .header("x-extra", "hunter2");
    let debug = format!("{shared:?}");
    assert!(
        debug.contains("x-extra") && !debug.contains("hunter2"),
        "header values stay out of Debug: {debug}"
    );

    let page = client
        .query_scheduled_jobs_page()
        .job_type(JobType::ScheduleUpdateTwin)
        .job_status(JobStatus::Running)
        .page_size(5)
        .options(shared)
        .await
        .unwrap();

    assert!(page.body.is_empty());
    let seen = mock.single();
    assert_eq!(seen.query_values("jobType"), ["scheduleUpdateTwin"]);
    assert_eq!(seen.query_values("jobStatus"), ["running"]);
    assert_eq!(seen.header("x-ms-max-item-count"), Some("5"));
    assert_eq!(seen.header("x-ms-client-request-id"), Some("batch-7"));
    assert_eq!(seen.header("x-extra"), Some("hunter2"));
}
