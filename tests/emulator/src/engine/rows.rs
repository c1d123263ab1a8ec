// Hand-written test infrastructure (not generated): the rows of the hub query.
//! The rows `POST /devices/query` answers from the engine's state: device jobs (the
//! per-device part of each scheduled job, `FROM devices.jobs`) and twins (`FROM devices`),
//! one page at a time from a position.

use chrono::{DateTime, Utc};
use iothub_jobs::models::{
    CloudToDeviceMethodResult, DeviceJob, DeviceJobError, DeviceJobOutcome,
    DeviceJobStatus as WireStatus, JobStatus, JobType,
};
use serde_json::Value;

use super::{DeviceJobStatus, DeviceRun, ScheduledJob, State, Work};
use crate::query::Condition;

/// Which device jobs a query selects: every `(field, value)` must hold (`AND`). Fields are
/// the device job's wire names (`jobId`, `deviceId`, `status`, `jobType`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DeviceJobFilter {
    pub equals: Vec<(String, String)>,
}

/// A position in the device jobs: the job's sequence number and the device's index in it.
pub(crate) type DeviceJobPosition = (u64, usize);

/// A device job's time as the service writes `startTimeUtc` and `endTimeUtc` in the query
/// guide's sample: UTC with seven fractional digits and no offset.
fn offsetless(t: DateTime<Utc>) -> String {
    // chrono has no seven-digit fraction: ticks of 100 ns, as .NET writes them.
    format!(
        "{}.{:07}",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.timestamp_subsec_nanos() / 100
    )
}

/// The device job of `run` in `job`, as the service shows it.
fn device_job(job: &ScheduledJob, run: &DeviceRun) -> DeviceJob {
    let result = &run.result;
    let cancelled = job.status == JobStatus::Cancelled;
    let status = match result.status {
        DeviceJobStatus::Succeeded => WireStatus::Completed,
        DeviceJobStatus::Failed => WireStatus::Failed,
        DeviceJobStatus::Pending | DeviceJobStatus::Running if cancelled => WireStatus::Canceled,
        DeviceJobStatus::Pending => WireStatus::Pending,
        DeviceJobStatus::Running => WireStatus::Running,
    };
    let (job_type, answer) = match job.work {
        Work::Method(_) => (
            JobType::ScheduleDeviceMethod,
            result
                .response_status
                .filter(|_| result.error.is_none())
                .map(|status| CloudToDeviceMethodResult {
                    status: Some(status),
                    payload: result.response_payload.clone(),
                }),
        ),
        Work::Twin(_) => (JobType::ScheduleUpdateTwin, None),
    };
    DeviceJob {
        device_id: Some(result.device_id.clone()),
        job_id: Some(job.id.clone()),
        job_type: Some(job_type),
        status: Some(status),
        start_time_utc: Some(offsetless(result.start_time)),
        end_time_utc: result.end_time.map(offsetless),
        created_date_time_utc: Some(job.started.unwrap_or(result.start_time)),
        last_updated_date_time_utc: Some(result.last_updated),
        outcome: Some(DeviceJobOutcome {
            device_method_response: answer,
        }),
        error: result.error.as_ref().map(|e| DeviceJobError {
            code: Some(e.code.clone()),
            description: Some(e.description.clone()),
        }),
    }
}

/// The value of `field` in a device job, for filters.
fn field(job: &DeviceJob, field: &str) -> Option<String> {
    match field {
        "jobId" => job.job_id.clone(),
        "deviceId" => job.device_id.clone(),
        "status" => job.status.as_ref().map(|s| s.as_str().to_owned()),
        "jobType" => job.job_type.as_ref().map(|t| t.as_str().to_owned()),
        _ => None,
    }
}

impl State {
    /// One page of the device jobs `filter` selects, in job creation order and then in the
    /// order the job matched its devices, after `after`; and the position of the page's last
    /// row when more rows follow.
    pub(crate) fn device_jobs_page(
        &self,
        filter: &DeviceJobFilter,
        page_size: usize,
        after: Option<DeviceJobPosition>,
    ) -> (Vec<Value>, Option<DeviceJobPosition>) {
        let start = after.map_or(0, |(seq, _)| seq);
        let mut rows = self.scheduled.range(start..).flat_map(|(seq, job)| {
            job.devices
                .iter()
                .enumerate()
                .map(move |(index, run)| ((*seq, index), job, run))
        });
        let mut matching = rows
            .by_ref()
            .filter(|(position, _, _)| after.is_none_or(|a| *position > a))
            .map(|(position, job, run)| (position, device_job(job, run)))
            .filter(|(_, row)| {
                filter
                    .equals
                    .iter()
                    .all(|(name, value)| field(row, name).as_deref() == Some(value.as_str()))
            });
        let mut page = Vec::new();
        let mut last = None;
        for (position, row) in matching.by_ref().take(page_size) {
            let mut row = serde_json::to_value(row).unwrap_or_default();
            // The service writes `"outcome": {"deviceMethodResponse": null}` when there is no
            // answer (the query guide's sample); the model leaves out what is absent.
            if let Some(outcome) = row.get_mut("outcome").and_then(Value::as_object_mut) {
                outcome.entry("deviceMethodResponse").or_insert(Value::Null);
            }
            page.push(row);
            last = Some(position);
        }
        let more = matching.next().is_some();
        (page, last.filter(|_| more))
    }

    /// One page of the twins `condition` matches (all without one), by device id, after the
    /// device `after`; and the last device id of the page when more twins follow.
    pub(crate) fn twins_page(
        &self,
        condition: Option<&Condition>,
        page_size: usize,
        after: Option<&str>,
    ) -> (Vec<Value>, Option<String>) {
        let mut matching = self
            .twins
            .iter()
            .filter(|(id, _)| after.is_none_or(|a| id.as_str() > a))
            .map(|(id, twin)| (id, twin.to_json()))
            .filter(|(_, json)| condition.is_none_or(|c| c.matches(json)));
        let mut page = Vec::new();
        let mut last = None;
        for (id, json) in matching.by_ref().take(page_size) {
            page.push(json);
            last = Some(id.clone());
        }
        let more = matching.next().is_some();
        (page, last.filter(|_| more))
    }
}
