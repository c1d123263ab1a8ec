// Hand-written: not generated; `cargo xtask regen` never touches this file.
//! Task-level helpers in the style of the official SDKs' job clients: create a client from a
//! connection string, schedule a direct method or a twin update, wait for a job to finish.

use std::time::Duration;

use crate::runtime::chrono::{DateTime, Utc};

use super::connection_string::{ConnectionAuth, ConnectionString};
use super::sas::SasCredential;
use crate::models::{CloudToDeviceMethod, JobRequest, JobResponse, JobStatus, JobType, Twin};
use crate::{Client, Error, StaticCredential};

/// How long a job may run when the caller does not say: 3600 s, as the official SDKs use.
pub const DEFAULT_MAX_EXECUTION_TIME: Duration = Duration::from_secs(3600);

/// The statuses after which a job no longer changes. `canceled` (one `l`) is how the jobs
/// guide spells it; the spec says `cancelled`.
pub const TERMINAL_STATUSES: &[&str] = &["completed", "failed", "cancelled", "canceled"];

/// Checks a job id against the service's rule: 1 to 64 characters, ASCII letters, digits and
/// `-` only.
pub fn validate_job_id(job_id: &str) -> Result<(), Error> {
    let valid = !job_id.is_empty()
        && job_id.len() <= 64
        && job_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "job id `{}` is not valid: use 1 to 64 ASCII letters, digits and `-`",
            job_id.escape_debug()
        )))
    }
}

fn max_execution_seconds(max_execution_time: Option<Duration>) -> Result<i64, Error> {
    let seconds = max_execution_time
        .unwrap_or(DEFAULT_MAX_EXECUTION_TIME)
        .as_secs();
    i64::try_from(seconds)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| {
            Error::InvalidInput("the maximum execution time must be at least one second".to_owned())
        })
}

impl Client {
    /// A client for the hub of a service connection string
    /// (`HostName=…;SharedAccessKeyName=…;SharedAccessKey=…`, or `HostName=…;SharedAccessSignature=…`),
    /// sending requests to `https://{HostName}` with SAS tokens renewed before they expire.
    pub fn from_connection_string(connection_string: &str) -> Result<Self, Error> {
        let parsed = parse(connection_string)?;
        Self::from_parsed(&parsed, &parsed.endpoint())
    }

    /// Like [`Client::from_connection_string`], but sending requests to `endpoint` (for
    /// example a local emulator at `http://127.0.0.1:8080`); the tokens still name the
    /// connection string's HostName as their resource.
    pub fn from_connection_string_with_endpoint(
        connection_string: &str,
        endpoint: &str,
    ) -> Result<Self, Error> {
        Self::from_parsed(&parse(connection_string)?, endpoint)
    }

    fn from_parsed(connection_string: &ConnectionString, endpoint: &str) -> Result<Self, Error> {
        let client = Client::new(endpoint)?;
        Ok(match connection_string.auth() {
            ConnectionAuth::SharedAccessKey { key_name, key } => {
                let credential =
                    SasCredential::new(connection_string.host_name(), Some(key_name), key.expose())
                        .map_err(|e| Error::InvalidInput(e.to_string()))?;
                client.with_credential(credential)
            }
            ConnectionAuth::SharedAccessSignature(token) => {
                client.with_credential(StaticCredential::new(token.expose())?)
            }
        })
    }

    /// Schedules the direct method `method` on every device that `query_condition` matches
    /// (`*`, `deviceId = 'd1'`, `tags.building = '43'`...). Starts at `start_time` (default:
    /// now) and may run `max_execution_time` (default 3600 s). The job id is checked first.
    pub async fn schedule_device_method(
        &self,
        job_id: &str,
        query_condition: &str,
        method: CloudToDeviceMethod,
        start_time: Option<DateTime<Utc>>,
        max_execution_time: Option<Duration>,
    ) -> Result<JobResponse, Error> {
        validate_job_id(job_id)?;
        let request = JobRequest {
            job_id: Some(job_id.to_owned()),
            r#type: Some(JobType::ScheduleDeviceMethod),
            cloud_to_device_method: Some(method),
            query_condition: Some(query_condition.to_owned()),
            start_time: Some(start_time.unwrap_or_else(Utc::now)),
            max_execution_time_in_seconds: Some(max_execution_seconds(max_execution_time)?),
            ..JobRequest::default()
        };
        self.create_scheduled_job(job_id, &request).await
    }

    /// Schedules a twin update (tags and desired properties of `twin`) on every device that
    /// `query_condition` matches. The twin's etag is set to `*`, which the service requires
    /// for job updates. Defaults as for [`Client::schedule_device_method`].
    pub async fn schedule_twin_update(
        &self,
        job_id: &str,
        query_condition: &str,
        twin: Twin,
        start_time: Option<DateTime<Utc>>,
        max_execution_time: Option<Duration>,
    ) -> Result<JobResponse, Error> {
        validate_job_id(job_id)?;
        let request = JobRequest {
            job_id: Some(job_id.to_owned()),
            r#type: Some(JobType::ScheduleUpdateTwin),
            update_twin: Some(Twin {
                etag: Some("*".to_owned()),
                ..twin
            }),
            query_condition: Some(query_condition.to_owned()),
            start_time: Some(start_time.unwrap_or_else(Utc::now)),
            max_execution_time_in_seconds: Some(max_execution_seconds(max_execution_time)?),
            ..JobRequest::default()
        };
        self.create_scheduled_job(job_id, &request).await
    }

    /// Polls the job every `poll_interval` until its status is terminal (completed, failed or
    /// cancelled) and returns it; [`Error::Timeout`](crate::runtime::Error::Timeout) when
    /// `timeout` passes first.
    pub async fn wait_for_job(
        &self,
        job_id: &str,
        poll_interval: Duration,
        timeout: Duration,
    ) -> Result<JobResponse, Error> {
        validate_job_id(job_id)?;
        let deadline = tokio::time::Instant::now() + timeout;
        // The status the last finished poll saw, for the timeout's message.
        let mut last: Option<String> = None;
        let timed_out = |last: &Option<String>| match last {
            Some(status) => Error::Timeout(format!(
                "job `{job_id}` is still {status} after {timeout:?}"
            )),
            None => Error::Timeout(format!("job `{job_id}` did not finish within {timeout:?}")),
        };
        loop {
            // The deadline bounds each poll too, not only the pauses between them.
            let job = tokio::time::timeout_at(deadline, self.get_scheduled_job(job_id))
                .await
                .map_err(|_| timed_out(&last))??;
            if job.status.as_ref().is_some_and(is_terminal) {
                return Ok(job);
            }
            last = Some(
                job.status
                    .as_ref()
                    .map_or("without a status", JobStatus::as_str)
                    .to_owned(),
            );
            let now = tokio::time::Instant::now();
            if now + poll_interval > deadline {
                return Err(timed_out(&last));
            }
            tokio::time::sleep(poll_interval).await;
        }
    }
}

/// Whether a job in `status` can still change.
pub fn is_terminal(status: &JobStatus) -> bool {
    TERMINAL_STATUSES.contains(&status.as_str())
}

fn parse(connection_string: &str) -> Result<ConnectionString, Error> {
    ConnectionString::parse(connection_string).map_err(|e| Error::InvalidInput(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids() {
        assert!(validate_job_id("job-01").is_ok());
        assert!(validate_job_id(&"a".repeat(64)).is_ok());
        for bad in ["", "a b", "job_1", "ü", &"a".repeat(65), "a/b"] {
            assert!(
                matches!(validate_job_id(bad), Err(Error::InvalidInput(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn terminal_statuses() {
        assert!(is_terminal(&JobStatus::Completed));
        assert!(is_terminal(&JobStatus::Other("canceled".to_owned())));
        assert!(!is_terminal(&JobStatus::Running));
        assert!(!is_terminal(&JobStatus::Other("pending".to_owned())));
    }
}
