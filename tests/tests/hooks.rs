//! Hooks over real HTTP (a [`Mock`] on 127.0.0.1): code of the user's that runs before every
//! attempt (after the credential, and may change the request) and after every response
//! (status, headers, time), composing with retries.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use iothub_jobs::runtime::{AttemptInfo, BoxFuture, Hook, ResponseInfo};
use iothub_jobs::{Client, StaticCredential};
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

/// Adds `x-tenant: <tenant>` to every attempt, and records what it saw of each.
#[derive(Default)]
struct Recorder {
    tenant: &'static str,
    before: Mutex<Vec<(u32, Option<String>)>>,
    after: Mutex<Vec<(&'static str, u32, u16, Duration)>>,
}

impl Hook for Recorder {
    fn before_attempt<'a>(
        &'a self,
        request: &'a mut iothub_jobs::runtime::reqwest::Request,
        attempt: AttemptInfo,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let authorization = request
                .headers()
                .get("authorization")
                .map(|v| v.to_str().unwrap_or("").to_owned());
            self.before
                .lock()
                .unwrap()
                .push((attempt.attempt, authorization));
            request
                .headers_mut()
                .insert("x-tenant", self.tenant.parse().unwrap());
            Ok(())
        })
    }

    fn after_response<'a>(&'a self, response: ResponseInfo<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.after.lock().unwrap().push((
                response.operation,
                response.attempt,
                response.status.as_u16(),
                response.elapsed,
            ));
        })
    }
}

#[tokio::test]
async fn hooks_run_around_every_attempt_after_the_credential() {
    let mock = Mock::start(vec![busy(), busy(), job()]).await;
    let recorder = Arc::new(Recorder {
        tenant: "blue",
        ..Recorder::default()
    });
    let client = Client::new(&mock.base)
        .unwrap()
        .with_credential(StaticCredential::new("SharedAccessSignature sr=x&sig=y").unwrap())
        .with_retry_policy(
            Client::default_retry_policy()
                .delays(Duration::from_millis(1), Duration::from_millis(2)),
        )
        .with_hook(Arc::clone(&recorder));

    client.get_scheduled_job("job-1").await.unwrap();

    for seen in mock.seen() {
        assert_eq!(seen.header("x-tenant"), Some("blue"), "{seen:?}");
    }
    let before = recorder.before.lock().unwrap().clone();
    assert_eq!(
        before.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(
        before
            .iter()
            .all(|(_, auth)| auth.as_deref() == Some("SharedAccessSignature sr=x&sig=y")),
        "the credential ran first: {before:?}"
    );
    let after = recorder.after.lock().unwrap().clone();
    let statuses: Vec<_> = after.iter().map(|(op, n, s, _)| (*op, *n, *s)).collect();
    assert_eq!(
        statuses,
        [
            ("Jobs_GetScheduledJob", 1, 503),
            ("Jobs_GetScheduledJob", 2, 503),
            ("Jobs_GetScheduledJob", 3, 200)
        ]
    );
}

/// Refuses every attempt.
struct Refuse;

impl Hook for Refuse {
    fn before_attempt<'a>(
        &'a self,
        _: &'a mut iothub_jobs::runtime::reqwest::Request,
        _: AttemptInfo,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async { Err("maintenance window".to_owned()) })
    }
}

#[tokio::test]
async fn a_hook_that_refuses_fails_the_call_before_sending() {
    let mock = Mock::start(vec![job()]).await;
    let first = Arc::new(Recorder {
        tenant: "red",
        ..Recorder::default()
    });
    let client = Client::new(&mock.base)
        .unwrap()
        .with_sas_token_auth("SharedAccessSignature sr=x&sig=y&se=1&skn=p")
        .unwrap()
        .with_hook(Arc::clone(&first))
        .with_hook(Refuse);

    let error = client.get_scheduled_job("job-1").await.unwrap_err();

    assert!(
        matches!(&error, iothub_jobs::runtime::Error::Hook(m) if m == "maintenance window"),
        "{error:?}"
    );
    assert_eq!(mock.count(), 0);
    assert_eq!(first.before.lock().unwrap().len(), 1, "hooks run in order");
    assert!(first.after.lock().unwrap().is_empty());
}
