// Hand-written: not generated; `cargo xtask regen` never touches this file.
//! Per-device results of a scheduled job: the device jobs, which IoT Hub answers to
//! `SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '…'` on the hub query (the official
//! SDKs' `CreateQuery` / `query_iot_hub`). A job's statistics count its failures; these rows
//! say which devices failed, with their error and, for direct methods, what they answered.

use crate::models::{DeviceJob, DeviceJobStatus, QuerySpecification};
use crate::runtime::futures::Stream;
use crate::runtime::{Page, paginate};
use crate::{Client, Error};

use super::jobs::validate_job_id;

/// Rows per page when the caller does not say: the service's maximum for queries.
pub const DEFAULT_DEVICE_JOB_PAGE_SIZE: i32 = 100;

/// The query that selects the device jobs of `job_id`, with status `status` when given.
/// The job id is checked first ([`validate_job_id`]): its characters cannot end the quoted
/// string.
pub fn device_jobs_query(job_id: &str, status: Option<&DeviceJobStatus>) -> Result<String, Error> {
    validate_job_id(job_id)?;
    let mut query = format!("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '{job_id}'");
    if let Some(status) = status {
        let status = status.as_str();
        if status.contains('\'') {
            return Err(Error::InvalidInput(format!(
                "device job status `{}` cannot be queried",
                status.escape_debug()
            )));
        }
        query.push_str(&format!(" AND devices.jobs.status = '{status}'"));
    }
    Ok(query)
}

impl Client {
    /// Every device job of the scheduled job `job_id` (one row per targeted device), or only
    /// those with status `status`, page after page, as a stream: each row has the device id,
    /// the device job's status and times, the direct method's response
    /// (`outcome.device_method_response`: status and payload) and the error (`error`: code and
    /// description) of a device that failed. Rows exist once the job has started.
    ///
    /// ```no_run
    /// # async fn run(client: iothub_jobs::Client) -> Result<(), iothub_jobs::Error> {
    /// use iothub_jobs::models::DeviceJobStatus;
    /// use iothub_jobs::runtime::futures::TryStreamExt as _;
    ///
    /// let mut failed = client.device_jobs("reboot-43", Some(DeviceJobStatus::Failed));
    /// while let Some(row) = failed.try_next().await? {
    ///     let answer = row.outcome.and_then(|o| o.device_method_response);
    ///     println!("{:?}: {:?} {:?}", row.device_id, row.error, answer);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// An invalid job id ends the stream with [`Error::InvalidInput`](crate::runtime::Error)
    /// before anything is sent; a row that is not a device job, with
    /// [`Error::Decode`](crate::runtime::Error).
    pub fn device_jobs(
        &self,
        job_id: &str,
        status: Option<DeviceJobStatus>,
    ) -> impl Stream<Item = Result<DeviceJob, Error>> + Send + '_ {
        // An invalid job id is the stream's first (and only) item.
        let query = device_jobs_query(job_id, status.as_ref()).map_err(|e| match e {
            Error::InvalidInput(message) => message,
            other => other.to_string(),
        });
        paginate(None, move |continuation: Option<String>| {
            let query = query.clone();
            async move {
                let spec = QuerySpecification {
                    query: Some(query.map_err(Error::InvalidInput)?),
                };
                let mut request = self
                    .query_iot_hub_page(&spec)
                    .page_size(DEFAULT_DEVICE_JOB_PAGE_SIZE);
                if let Some(token) = continuation {
                    request = request.continuation(token);
                }
                let page = request.await?;
                let items = page
                    .body
                    .into_iter()
                    .enumerate()
                    .map(|(i, row)| decode_row(i, row))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Page {
                    items,
                    continuation: page.x_ms_continuation,
                })
            }
        })
    }
}

/// A query row as a device job.
fn decode_row(index: usize, row: crate::runtime::serde_json::Value) -> Result<DeviceJob, Error> {
    crate::runtime::serde_json::from_value(row).map_err(|e| {
        Error::Decode(Box::new(crate::runtime::DecodeError::new(
            crate::runtime::StatusCode::OK,
            format!("[{index}]"),
            format!("a query row is not a device job: {e}"),
            "",
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_names_the_job_and_the_status() {
        assert_eq!(
            device_jobs_query("reboot-43", None).unwrap(),
            "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'reboot-43'"
        );
        assert_eq!(
            device_jobs_query("reboot-43", Some(&DeviceJobStatus::Failed)).unwrap(),
            "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'reboot-43' AND \
             devices.jobs.status = 'failed'"
        );
        assert!(device_jobs_query("x' OR 1=1 --", None).is_err());
        let odd = DeviceJobStatus::Other("a'b".to_owned());
        assert!(device_jobs_query("j", Some(&odd)).is_err());
    }
}
