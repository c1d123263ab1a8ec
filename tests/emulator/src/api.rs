// Hand-written test infrastructure (not generated): the HTTP contract of the emulator.
//! The emulator as the generated [`Api`]: the generated router decodes and validates every
//! request against `spec/iothub-jobs.yaml` and calls these methods, so the emulator, the
//! generated client and the spec cannot drift apart.

use axum::response::Response;
use iothub_jobs::models::{
    CancelImportExportJobResponse, IotHubError, JobProperties, JobRequest, JobResponse, JobStatus,
    JobType, QueryIotHubResponse, QueryScheduledJobsResponse, QuerySpecification,
};
use iothub_jobs::server::Api;
use iothub_jobs::server_runtime::{Rejection, RequestContext, ServerError};

use crate::Emulator;
use crate::engine::{self, JobQuery};
use crate::errors::{HubError, echo};
use crate::hubquery::{self, HubQuery};

/// The value of `x-ms-item-type` on job query pages.
pub const QUERY_ITEM_TYPE: &str = "JobResponse";

type ApiResult<T> = Result<T, ServerError<IotHubError>>;

/// Every job type the spec lists, for case-insensitive matching of query filters.
const JOB_TYPES: &[JobType] = &[
    JobType::Unknown,
    JobType::Export,
    JobType::Import,
    JobType::Backup,
    JobType::ReadDeviceProperties,
    JobType::WriteDeviceProperties,
    JobType::UpdateDeviceConfiguration,
    JobType::RebootDevice,
    JobType::FactoryResetDevice,
    JobType::FirmwareUpdate,
    JobType::ScheduleDeviceMethod,
    JobType::ScheduleUpdateTwin,
    JobType::RestoreFromBackup,
    JobType::FailoverDataCopy,
];

/// Every job status the spec lists.
const JOB_STATUSES: &[JobStatus] = &[
    JobStatus::Unknown,
    JobStatus::Enqueued,
    JobStatus::Running,
    JobStatus::Completed,
    JobStatus::Failed,
    JobStatus::Cancelled,
    JobStatus::Scheduled,
    JobStatus::Queued,
];

/// A `jobType` filter: any spec value, ignoring ASCII case (C# sends PascalCase).
fn parse_job_type(text: &str) -> Result<JobType, HubError> {
    JOB_TYPES
        .iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(text))
        .cloned()
        .ok_or_else(|| {
            HubError::argument_invalid(format!(
                "query parameter jobType: `{}` is not a job type",
                echo(text)
            ))
        })
}

/// A `jobStatus` filter: any spec value, ignoring ASCII case; `canceled` means `cancelled`.
fn parse_job_status(text: &str) -> Result<JobStatus, HubError> {
    if text.eq_ignore_ascii_case("canceled") {
        return Ok(JobStatus::Cancelled);
    }
    JOB_STATUSES
        .iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(text))
        .cloned()
        .ok_or_else(|| {
            HubError::argument_invalid(format!(
                "query parameter jobStatus: `{}` is not a job status",
                echo(text)
            ))
        })
}

/// The page size an `x-ms-max-item-count` asks for: default 100, at most 1000, below 1 refused.
fn page_size(requested: Option<i32>) -> Result<usize, HubError> {
    match requested {
        None => Ok(engine::DEFAULT_PAGE_SIZE),
        Some(n) if n >= 1 => Ok(usize::try_from(n)
            .unwrap_or(engine::MAX_PAGE_SIZE)
            .min(engine::MAX_PAGE_SIZE)),
        Some(n) => Err(HubError::argument_invalid(format!(
            "header x-ms-max-item-count: must be at least 1, not {n}"
        ))),
    }
}

/// An `x-ms-continuation` token `parse` reads, if one was sent (an empty one is none).
fn continuation<T>(
    token: Option<&str>,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, HubError> {
    match token.filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(token) => parse(token).map(Some).ok_or_else(|| {
            HubError::argument_invalid(
                "header x-ms-continuation: not a continuation token this hub issued for this query",
            )
        }),
    }
}

impl Emulator {
    /// Checks `api-version`, catches the state up with the clock, then runs `f` on it. A
    /// panic (a bug: nothing panics on purpose) is answered 500 `ServerError`; the lock is
    /// held across it without being poisoned, and the emulator goes on.
    // The error type is the one the generated `Api` trait returns.
    #[allow(clippy::result_large_err)]
    fn serve_call<T>(
        &self,
        api_version: &str,
        f: impl FnOnce(&mut engine::State, chrono::DateTime<chrono::Utc>) -> Result<T, HubError>,
    ) -> ApiResult<T> {
        let now = self.now();
        let result = if self.api_versions.iter().any(|v| v == api_version) {
            let mut state = self.lock();
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                state.run_until(now);
                f(&mut state, now)
            }))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!("a request failed inside the emulator: {what}");
                Err(HubError::server_error(
                    "the emulator failed while answering the request",
                ))
            })
        } else {
            Err(HubError::argument_invalid(format!(
                "api-version `{}` is not supported: use {}",
                echo(api_version),
                self.api_versions.join(" or ")
            )))
        };
        result.map_err(|error| {
            tracing::info!(
                "{} {}: {}",
                error.status.as_u16(),
                error.code,
                error.message
            );
            error.to_server_error(now)
        })
    }
}

impl Api for Emulator {
    async fn create_import_export_job(
        &self,
        _context: &RequestContext,
        api_version: String,
        body: JobProperties,
    ) -> ApiResult<JobProperties> {
        self.serve_call(&api_version, |state, now| {
            state.create_import_export(body, now, &self.limits)
        })
    }

    async fn get_import_export_jobs(
        &self,
        _context: &RequestContext,
        api_version: String,
    ) -> ApiResult<Vec<JobProperties>> {
        self.serve_call(&api_version, |state, _| Ok(state.list_import_export()))
    }

    async fn get_import_export_job(
        &self,
        _context: &RequestContext,
        id: String,
        api_version: String,
    ) -> ApiResult<JobProperties> {
        self.serve_call(&api_version, |state, _| {
            engine::validate_job_id(&id)?;
            state.get_import_export(&id)
        })
    }

    async fn cancel_import_export_job(
        &self,
        _context: &RequestContext,
        id: String,
        api_version: String,
    ) -> ApiResult<CancelImportExportJobResponse> {
        self.serve_call(&api_version, |state, now| {
            engine::validate_job_id(&id)?;
            let job = state.cancel_import_export(&id, now)?;
            let map = match serde_json::to_value(job) {
                Ok(serde_json::Value::Object(map)) => map.into_iter().collect(),
                _ => Default::default(),
            };
            Ok(CancelImportExportJobResponse::Ok(map))
        })
    }

    async fn get_scheduled_job(
        &self,
        _context: &RequestContext,
        id: String,
        api_version: String,
    ) -> ApiResult<JobResponse> {
        self.serve_call(&api_version, |state, _| {
            engine::validate_job_id(&id)?;
            state.get_scheduled(&id)
        })
    }

    async fn create_scheduled_job(
        &self,
        _context: &RequestContext,
        id: String,
        api_version: String,
        body: JobRequest,
    ) -> ApiResult<JobResponse> {
        self.serve_call(&api_version, |state, now| {
            state.create_scheduled(&id, body, now, &self.limits)
        })
    }

    async fn cancel_scheduled_job(
        &self,
        _context: &RequestContext,
        id: String,
        api_version: String,
    ) -> ApiResult<JobResponse> {
        self.serve_call(&api_version, |state, now| {
            engine::validate_job_id(&id)?;
            state.cancel_scheduled(&id, now)
        })
    }

    async fn query_scheduled_jobs_page(
        &self,
        _context: &RequestContext,
        api_version: String,
        job_type: Option<JobType>,
        job_status: Option<JobStatus>,
        page_size: Option<i32>,
        continuation: Option<String>,
    ) -> ApiResult<QueryScheduledJobsResponse> {
        self.serve_call(&api_version, |state, _| {
            let page_size = self::page_size(page_size)?;
            let after = self::continuation(continuation.as_deref(), engine::parse_continuation)?;
            // Values outside the spec's enums arrive as `Other`; their case is ignored.
            let query = JobQuery {
                job_type: job_type
                    .as_ref()
                    .map(|t| parse_job_type(t.as_str()))
                    .transpose()?,
                job_status: job_status
                    .as_ref()
                    .map(|s| parse_job_status(s.as_str()))
                    .transpose()?,
                page_size,
                after,
            };
            let (body, next) = state.query(&query);
            Ok(QueryScheduledJobsResponse {
                body,
                x_ms_continuation: next.map(engine::continuation_token),
                x_ms_item_type: Some(QUERY_ITEM_TYPE.to_owned()),
            })
        })
    }

    async fn query_iot_hub_page(
        &self,
        _context: &RequestContext,
        api_version: String,
        continuation: Option<String>,
        page_size: Option<i32>,
        body: QuerySpecification,
    ) -> ApiResult<QueryIotHubResponse> {
        self.serve_call(&api_version, |state, _| {
            let page_size = self::page_size(page_size)?;
            let text = body.query.as_deref().unwrap_or_default();
            let (rows, next, item_type) = match HubQuery::parse(text)? {
                HubQuery::DeviceJobs(filter) => {
                    let after = self::continuation(
                        continuation.as_deref(),
                        hubquery::parse_device_job_token,
                    )?;
                    let (rows, next) = state.device_jobs_page(&filter, page_size, after);
                    let next = next.map(hubquery::device_job_token);
                    (rows, next, hubquery::DEVICE_JOB_ITEM_TYPE)
                }
                HubQuery::Twins(condition) => {
                    let after =
                        self::continuation(continuation.as_deref(), hubquery::parse_twin_token)?;
                    let (rows, next) =
                        state.twins_page(condition.as_deref(), page_size, after.as_deref());
                    let next = next.as_deref().map(hubquery::twin_token);
                    (rows, next, hubquery::TWIN_ITEM_TYPE)
                }
            };
            Ok(QueryIotHubResponse {
                body: rows,
                x_ms_continuation: next,
                x_ms_item_type: Some(item_type.to_owned()),
            })
        })
    }

    /// A request that does not match the spec: 400 `ArgumentInvalid` (envelope A) naming the
    /// input, e.g. `ErrorCode:ArgumentInvalid;query parameter api-version: is missing`.
    fn reject(&self, context: &RequestContext, rejection: Rejection) -> Response {
        // The rejection quotes the request (a value it could not read): the error's message
        // is escaped and cut, so that is what is logged.
        let error =
            HubError::argument_invalid(format!("{}: {}", rejection.field, rejection.message));
        tracing::info!(operation = context.operation_id, "400: {}", error.message);
        error.to_response(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_ignore_case() {
        assert_eq!(
            parse_job_type("ScheduleDeviceMethod").unwrap(),
            JobType::ScheduleDeviceMethod
        );
        assert_eq!(parse_job_status("Canceled").unwrap(), JobStatus::Cancelled);
        assert_eq!(parse_job_status("RUNNING").unwrap(), JobStatus::Running);
        assert!(parse_job_type("reboot").is_err());
        assert!(parse_job_status("pending").is_err());
    }
}
