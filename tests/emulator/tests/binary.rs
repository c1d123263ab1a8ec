// Hand-written test infrastructure (not generated): a test of the `iothub-emulator` binary.
//! Runs the compiled binary on 127.0.0.1 with a free port, reads its two first lines
//! (`IOTHUB_ENDPOINT=…`, `IOTHUB_CONNECTION_STRING=…`), makes authenticated calls with the
//! generated client built from them, then kills it.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use iothub_jobs::models::{CloudToDeviceMethod, JobStatus};
use iothub_jobs::{Client, RetryPolicy};

/// Kills the child however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_prints_endpoint_and_connection_string_and_serves() {
    let registry = concat!(env!("CARGO_MANIFEST_DIR"), "/demo-registry.json");
    let mut child = Running(
        Command::new(env!("CARGO_BIN_EXE_iothub-emulator"))
            .args(["--addr", "127.0.0.1:0", "--registry", registry])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start iothub-emulator"),
    );
    let stdout = child.0.stdout.take().unwrap();
    // Blocking reads of the first two lines, off the async runtime.
    let (first, second) = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        let mut next = || lines.next().expect("a line").expect("readable stdout");
        (next(), next())
    })
    .await
    .unwrap();

    let endpoint = first
        .strip_prefix("IOTHUB_ENDPOINT=")
        .unwrap_or_else(|| panic!("first line: {first}"));
    let connection_string = second
        .strip_prefix("IOTHUB_CONNECTION_STRING=")
        .unwrap_or_else(|| panic!("second line: {second}"));
    let port: u16 = endpoint
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("endpoint on 127.0.0.1: {endpoint}"))
        .parse()
        .unwrap();
    assert_ne!(port, 0);
    assert!(connection_string.starts_with(
        "HostName=emulator.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey="
    ));

    let client = Client::from_connection_string_with_endpoint(connection_string, endpoint)
        .unwrap()
        .with_retry_policy(RetryPolicy::none());
    // An authenticated call: schedule a direct method far in the future, read it back.
    let method = CloudToDeviceMethod {
        method_name: "reboot".to_owned(),
        payload: Some(serde_json::json!({})),
        response_timeout_in_seconds: Some(30),
        connect_timeout_in_seconds: Some(0),
    };
    let start = chrono::Utc::now() + chrono::Duration::hours(1);
    let created = client
        .schedule_device_method("binary-test", "tags.building = '43'", method)
        .start_time(start)
        .await
        .unwrap();
    assert_eq!(created.status, Some(JobStatus::Scheduled));
    let fetched = client.get_scheduled_job("binary-test").await.unwrap();
    assert_eq!(fetched.job_id.as_deref(), Some("binary-test"));
    // Without a credential the client does not send the call (every operation needs the
    // `sasToken` or `entraId` scheme); with a wrong one, the emulator refuses it.
    let anonymous = Client::new(endpoint)
        .unwrap()
        .with_retry_policy(RetryPolicy::none());
    let error = anonymous
        .get_scheduled_job("binary-test")
        .await
        .unwrap_err();
    assert!(
        matches!(error, iothub_jobs::Error::Credential(_)),
        "{error:?}"
    );
    let wrong = anonymous
        .with_sas_token_auth("SharedAccessSignature sr=x&sig=nonsense&se=1&skn=p")
        .unwrap();
    let error = wrong.get_scheduled_job("binary-test").await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
}
