//! Hand-written example: schedule a direct-method job on every device matching a query, wait
//! for it to finish and print it.
//!
//! ```text
//! IOTHUB_CONNECTION_STRING='HostName=my-hub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=...' \
//! IOTHUB_METHOD=reboot \
//! cargo run -p iothub-jobs --features serde-all --example schedule_direct_method -- "tags.building = '43'"
//! ```
//!
//! - `IOTHUB_CONNECTION_STRING` (required): a service connection string with a shared access
//!   key (tokens are signed and renewed by the client) or a ready-made
//!   `SharedAccessSignature`.
//! - `IOTHUB_ENDPOINT` (optional): send requests there instead of `https://{HostName}`, for
//!   example a local emulator at `http://127.0.0.1:8080`; tokens still name the HostName.
//! - `IOTHUB_METHOD` (optional): the direct method to invoke, `reboot` by default; its
//!   payload is `{}`.
//! - The first argument is the query condition, `*` (every device) by default.
//!
//! The job is polled every 2 s for up to 5 minutes. Its final state is printed as JSON on
//! stdout. (Printing a response model as JSON needs its `Serialize`, which the
//! `serde-all` feature adds: the example requires it.) The exit code is non-zero, with the reason on stderr, when anything fails: a
//! missing setting, a request the hub refuses, a wait that times out, or a job that ends
//! `failed` or `cancelled`.

use std::process::ExitCode;
use std::time::Duration;

use iothub_jobs::iothub::IotHubErrorExt as _;
use iothub_jobs::models::{CloudToDeviceMethod, JobResponse, JobStatus};
use iothub_jobs::runtime::{chrono, serde_json};
use iothub_jobs::{Client, Error};

/// How often the job is polled.
const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// How long the job may take before the example gives up waiting.
const WAIT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let connection_string = std::env::var("IOTHUB_CONNECTION_STRING")
        .map_err(|_| "set IOTHUB_CONNECTION_STRING to a service connection string".to_owned())?;
    let endpoint = std::env::var("IOTHUB_ENDPOINT")
        .ok()
        .filter(|e| !e.trim().is_empty());
    let method_name = std::env::var("IOTHUB_METHOD")
        .ok()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| "reboot".to_owned());
    let condition = std::env::args().nth(1).unwrap_or_else(|| "*".to_owned());

    // The connection string's errors never contain its key.
    let client = match endpoint.as_deref() {
        Some(endpoint) => {
            Client::from_connection_string_with_endpoint(&connection_string, endpoint)
        }
        None => Client::from_connection_string(&connection_string),
    }
    .map_err(|e| describe(&e))?;

    let job_id = new_job_id();
    let method = CloudToDeviceMethod {
        method_name: method_name.clone(),
        payload: Some(serde_json::json!({})),
        response_timeout_in_seconds: Some(30),
        connect_timeout_in_seconds: Some(30),
    };
    client
        .schedule_device_method(&job_id, &condition, method)
        .await
        .map_err(|e| format!("scheduling job `{job_id}`: {}", describe(&e)))?;
    eprintln!("scheduled job `{job_id}`: `{method_name}` on devices matching `{condition}`");

    let job = client
        .wait_for_job(&job_id, POLL_INTERVAL, WAIT_TIMEOUT)
        .await
        .map_err(|e| format!("waiting for job `{job_id}`: {}", describe(&e)))?;
    let json =
        serde_json::to_string_pretty(&job).map_err(|e| format!("printing job `{job_id}`: {e}"))?;
    println!("{json}");
    check_outcome(&job)
}

/// A job id the service accepts (ASCII letters, digits and `-`, at most 64) that is unlikely
/// to collide: `direct-method-20250101T120000-1a2b3c4d`.
fn new_job_id() -> String {
    format!(
        "direct-method-{}-{:08x}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S"),
        fastrand::u32(..)
    )
}

/// A failed or cancelled job is a failure of the example, after it has been printed.
fn check_outcome(job: &JobResponse) -> Result<(), String> {
    match &job.status {
        Some(JobStatus::Completed) => Ok(()),
        Some(status) => Err(format!(
            "job ended {status}{}",
            job.failure_reason
                .as_deref()
                .map_or_else(String::new, |reason| format!(": {reason}"))
        )),
        None => Err("job ended without a status".to_owned()),
    }
}

/// The error: IoT Hub's status, code, message and tracking id when the hub answered.
fn describe(error: &Error) -> String {
    match error.iothub_error() {
        Some(info) => info.to_string(),
        None => error.to_string(),
    }
}
