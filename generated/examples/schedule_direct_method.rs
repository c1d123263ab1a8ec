//! Hand-written example: schedule a direct-method job on every device matching a query.
//!
//! ```text
//! IOTHUB_ENDPOINT=https://my-hub.azure-devices.net \
//! IOTHUB_SAS_TOKEN='SharedAccessSignature sr=my-hub.azure-devices.net&sig=...&se=...&skn=iothubowner' \
//! cargo run -p iothub-jobs --example schedule_direct_method -- "tags.building = '43'"
//! ```
//!
//! The first argument is the query condition (default `*`). The created job is printed as JSON;
//! the exit code is non-zero on failure.

use iothub_jobs::models::{CloudToDeviceMethod, JobRequest, JobType};
use iothub_jobs::{Client, StaticCredential};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = std::env::var("IOTHUB_ENDPOINT").map_err(|_| "set IOTHUB_ENDPOINT")?;
    let token = std::env::var("IOTHUB_SAS_TOKEN").map_err(|_| "set IOTHUB_SAS_TOKEN")?;
    let condition = std::env::args().nth(1).unwrap_or_else(|| "*".to_owned());

    let client = Client::new(&endpoint)?.with_credential(StaticCredential::new(&token)?);
    let job_id = format!("reboot-{}", chrono::Utc::now().timestamp());
    let request = JobRequest {
        job_id: Some(job_id.clone()),
        r#type: Some(JobType::ScheduleDeviceMethod),
        cloud_to_device_method: Some(CloudToDeviceMethod {
            method_name: Some("reboot".to_owned()),
            payload: Some(serde_json::json!({"delaySeconds": 5})),
            response_timeout_in_seconds: Some(30),
            connect_timeout_in_seconds: Some(30),
        }),
        query_condition: Some(condition),
        start_time: Some(chrono::Utc::now()),
        max_execution_time_in_seconds: Some(3600),
        ..JobRequest::default()
    };
    let job = client.create_scheduled_job(&job_id, &request).await?;
    println!("{}", serde_json::to_string_pretty(&job)?);
    Ok(())
}
