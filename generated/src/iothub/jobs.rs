// Hand-written: not generated; `cargo xtask regen` never touches this file.
//! Task-level helpers in the style of the official SDKs' job clients: create a client from a
//! connection string, schedule a direct method or a twin update (a retried creation checked
//! against the job it may already have created), wait for a job to finish.

use std::time::Duration;

use crate::runtime::chrono::{DateTime, Utc};

use super::connection_string::{ConnectionAuth, ConnectionString};
use super::sas::SasCredential;
use crate::models::{CloudToDeviceMethod, JobRequest, JobResponse, JobStatus, JobType, Twin};
use crate::runtime::{CallOptions, StatusCode};
use crate::{Client, Error};

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
                client.with_scheme_credential("sasToken", credential)
            }
            ConnectionAuth::SharedAccessSignature(token) => {
                client.with_sas_token_auth(token.expose())?
            }
        })
    }

    /// Schedules the direct method `method` on every device that `query_condition` matches
    /// (`*`, `deviceId = 'd1'`, `tags.building = '43'`...). The job starts now and may run
    /// 3600 s unless [`ScheduleJob::start_time`] and [`ScheduleJob::max_execution_time`] say
    /// otherwise; `.await` the returned [`ScheduleJob`] to create it. The job id is checked
    /// first, and a creation that was retried is checked against the job it may already have
    /// created ([`Client::create_scheduled_job_checked`]).
    ///
    /// ```no_run
    /// # async fn run(client: iothub_jobs::Client) -> Result<(), iothub_jobs::Error> {
    /// use iothub_jobs::models::CloudToDeviceMethod;
    /// use std::time::Duration;
    ///
    /// let reboot = CloudToDeviceMethod::new("reboot").with_response_timeout_in_seconds(30);
    /// let job = client
    ///     .schedule_device_method("reboot-43", "tags.building = '43'", reboot)
    ///     .max_execution_time(Duration::from_secs(600))
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn schedule_device_method(
        &self,
        job_id: &str,
        query_condition: &str,
        method: CloudToDeviceMethod,
    ) -> ScheduleJob<'_> {
        let request = JobRequest::new(job_id, JobType::ScheduleDeviceMethod)
            .with_cloud_to_device_method(method)
            .with_query_condition(query_condition);
        ScheduleJob::new(self, request)
    }

    /// Creates the scheduled job `job_id` ([`Client::create_scheduled_job`]) and, when the call
    /// was retried and its last attempt ended in 409 (Conflict), reads the job back: if it is
    /// the job `request` describes (see below), returns it as the success it was.
    ///
    /// Why: creating a job is retried on timeouts, lost connections, 429 and 5xx. When the
    /// first attempt created the job but its response was lost, the retry finds the job id
    /// taken and gets 409; without this check the caller would be told that a job it did
    /// create failed. A 409 on the first attempt is returned as it is (the id was taken
    /// before this call), and so is a 409 after a retry when the job read back differs, or
    /// cannot be read (the 409 error, not the read's).
    ///
    /// The job read back is this call's when its `type` and `queryCondition` equal the
    /// request's, and its `maxExecutionTimeInSeconds` and direct method name too when both
    /// sides have them. Start times are not compared (the service may store its own). Another
    /// client that created an identical job under the same id in the meantime is
    /// indistinguishable, and just as good.
    pub async fn create_scheduled_job_checked(
        &self,
        job_id: &str,
        request: &JobRequest,
    ) -> Result<JobResponse, Error> {
        self.create_checked(job_id, request, CallOptions::new())
            .await
    }

    /// [`Client::create_scheduled_job_checked`] with per-call options (used for the creation
    /// and for the read).
    async fn create_checked(
        &self,
        job_id: &str,
        request: &JobRequest,
        options: CallOptions,
    ) -> Result<JobResponse, Error> {
        let created = self
            .create_scheduled_job(job_id, request)
            .options(options.clone())
            .await;
        let error = match created {
            Ok(job) => return Ok(job),
            Err(error) => error,
        };
        let retried_conflict = error.response().is_some_and(|response| {
            response.status == StatusCode::CONFLICT && response.attempts > 1
        });
        if !retried_conflict {
            return Err(error);
        }
        match self.get_scheduled_job(job_id).options(options).await {
            Ok(job) if is_created_by(request, &job) => Ok(job),
            _ => Err(error),
        }
    }

    /// Schedules a twin update (tags and desired properties of `twin`) on every device that
    /// `query_condition` matches. The twin's etag is set to `*`, which the service requires
    /// for job updates. Defaults and checks as for [`Client::schedule_device_method`].
    pub fn schedule_twin_update(
        &self,
        job_id: &str,
        query_condition: &str,
        twin: Twin,
    ) -> ScheduleJob<'_> {
        let request = JobRequest::new(job_id, JobType::ScheduleUpdateTwin)
            .with_update_twin(Twin {
                etag: Some("*".to_owned()),
                ..twin
            })
            .with_query_condition(query_condition);
        ScheduleJob::new(self, request)
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
            let job = tokio::time::timeout_at(deadline, self.get_scheduled_job(job_id).send())
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

/// A scheduled job to create ([`Client::schedule_device_method`],
/// [`Client::schedule_twin_update`]): set its start time, time limit and per-call options,
/// then `.await` it (or call [`send`](Self::send)).
#[must_use = "the job is created when this is awaited"]
#[derive(Debug, Clone)]
pub struct ScheduleJob<'a> {
    client: &'a Client,
    request: JobRequest,
    start_time: Option<DateTime<Utc>>,
    max_execution_time: Option<Duration>,
    options: CallOptions,
}

impl<'a> ScheduleJob<'a> {
    fn new(client: &'a Client, request: JobRequest) -> Self {
        Self {
            client,
            request,
            start_time: None,
            max_execution_time: None,
            options: CallOptions::new(),
        }
    }

    /// When the job starts (default: when it is created).
    pub fn start_time(mut self, start_time: DateTime<Utc>) -> Self {
        self.start_time = Some(start_time);
        self
    }

    /// How long the job may run (default [`DEFAULT_MAX_EXECUTION_TIME`], 3600 s; at least one
    /// second).
    pub fn max_execution_time(mut self, max_execution_time: Duration) -> Self {
        self.max_execution_time = Some(max_execution_time);
        self
    }

    /// The job request as it will be sent, but for the start time (set when it is sent).
    pub fn request(&self) -> &JobRequest {
        &self.request
    }

    crate::runtime::call_options!(options);

    /// Checks the job id and the time limit, then creates the job (what `.await` does).
    pub async fn send(self) -> Result<JobResponse, Error> {
        let Self {
            client,
            mut request,
            start_time,
            max_execution_time,
            options,
        } = self;
        validate_job_id(&request.job_id)?;
        request.start_time = Some(start_time.unwrap_or_else(Utc::now));
        request.max_execution_time_in_seconds = Some(max_execution_seconds(max_execution_time)?);
        let job_id = request.job_id.clone();
        client.create_checked(&job_id, &request, options).await
    }
}

impl<'a> std::future::IntoFuture for ScheduleJob<'a> {
    type Output = Result<JobResponse, Error>;
    type IntoFuture = crate::runtime::BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Whether `job` (read back after a 409) is the job `request` creates: same type and query
/// condition, and the same maximum execution time and direct method name where both say.
fn is_created_by(request: &JobRequest, job: &JobResponse) -> bool {
    fn agree<T: PartialEq>(a: Option<&T>, b: Option<&T>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
    fn method_name(method: Option<&CloudToDeviceMethod>) -> Option<&String> {
        method.map(|m| &m.method_name)
    }
    request.query_condition.is_some()
        && job.r#type.as_ref() == Some(&request.r#type)
        && job.query_condition == request.query_condition
        && agree(
            request.max_execution_time_in_seconds.as_ref(),
            job.max_execution_time_in_seconds.as_ref(),
        )
        && agree(
            method_name(request.cloud_to_device_method.as_ref()),
            method_name(job.cloud_to_device_method.as_ref()),
        )
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

    fn method(name: &str) -> CloudToDeviceMethod {
        CloudToDeviceMethod {
            method_name: name.to_owned(),
            payload: None,
            response_timeout_in_seconds: None,
            connect_timeout_in_seconds: None,
        }
    }

    #[test]
    fn a_job_read_back_is_ours_when_type_and_condition_agree() {
        let request = JobRequest {
            job_id: "j".to_owned(),
            r#type: JobType::ScheduleDeviceMethod,
            query_condition: Some("*".to_owned()),
            max_execution_time_in_seconds: Some(60),
            cloud_to_device_method: Some(method("reboot")),
            update_twin: None,
            start_time: None,
        };
        let ours = JobResponse {
            job_id: Some("j".to_owned()),
            r#type: Some(JobType::ScheduleDeviceMethod),
            query_condition: Some("*".to_owned()),
            status: Some(JobStatus::Queued),
            ..JobResponse::default()
        };
        assert!(
            is_created_by(&request, &ours),
            "fields it lacks are not held against it"
        );
        let full = JobResponse {
            max_execution_time_in_seconds: Some(60),
            cloud_to_device_method: request.cloud_to_device_method.clone(),
            ..ours.clone()
        };
        assert!(is_created_by(&request, &full));
        for other in [
            JobResponse {
                r#type: Some(JobType::ScheduleUpdateTwin),
                ..ours.clone()
            },
            JobResponse {
                query_condition: Some("deviceId = 'd1'".to_owned()),
                ..ours.clone()
            },
            JobResponse {
                r#type: None,
                ..ours.clone()
            },
            JobResponse {
                max_execution_time_in_seconds: Some(3600),
                ..ours.clone()
            },
            JobResponse {
                cloud_to_device_method: Some(method("factoryReset")),
                ..ours.clone()
            },
        ] {
            assert!(!is_created_by(&request, &other), "{other:?}");
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
