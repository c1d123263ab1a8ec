// Hand-written test infrastructure (not generated): the emulator's job engine.
//! The state of the emulated hub (twins, scheduled jobs, import/export jobs) and the
//! deterministic simulation that moves jobs along as the clock advances.
//!
//! Every change happens under one lock, at a time taken from the emulator's clock: an API
//! call first runs everything that became due up to "now" (so answers never lag behind the
//! clock), then does its work. Events are processed in time order, each with its own due
//! time as its time stamp, so the outcome does not depend on how often anything ticks.
//!
//! Scheduled jobs (`scheduleDeviceMethod`, `scheduleUpdateTwin`):
//!
//! - Created `scheduled` when `startTime` is in the future, `queued` otherwise.
//! - At `max(startTime, createdTime)` the job becomes `running`; `queryCondition` is evaluated
//!   against every twin at that moment and the matched devices are the job's devices.
//! - A twin update applies the patch (JSON merge patch of `tags` and
//!   `properties.desired`; the twin version goes up by one) to each device at once.
//! - A direct method reaches a connected device at once; a disconnected one is `pending`
//!   until it connects (`connectsAfterSeconds` in the registry), or fails with 404
//!   (`DeviceNotOnline`) when that is later than `connectTimeoutInSeconds` (default 0) or
//!   never. Once reached the device is `running` for its configured latency and then answers
//!   its configured status and payload; an answer slower than `responseTimeoutInSeconds`
//!   (default 30) is a failure with 504 (`GatewayTimeout`) at the timeout. A 2xx answer
//!   counts as succeeded, anything else as failed.
//! - When every device has finished the job is `completed` (also when some devices failed:
//!   `deviceJobStatistics` says how many). When `maxExecutionTimeInSeconds` (default 3600)
//!   passes first, the unfinished devices fail and the job is `failed`.
//! - Cancelling a `scheduled`, `queued` or `running` job makes it `cancelled` at once; the
//!   statistics keep the counts of that moment and no further device call is made.
//!
//! Import/export jobs are `enqueued` when created, `running` (progress 50) after half of
//! the configured duration and `completed` (progress 100) after all of it.
//!
//! Finished jobs (scheduled and import/export) are kept for [`JOB_RETENTION`] after they end,
//! as IoT Hub keeps job history for 30 days, and at most [`MAX_FINISHED_JOBS`] of them (the
//! emulator's own bound on memory; the oldest go first). Both can be configured.
//!
//! Nothing here panics on input: times are computed with checked arithmetic (a time past the
//! end of the calendar is "never"), and a job whose processing fails anyway is marked
//! `failed` and frees its slot instead of taking the emulator down.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use iothub_jobs::models::{
    CloudToDeviceMethod, DeviceJobStatistics, JobProperties, JobRequest, JobResponse, JobStatus,
    JobType, Twin,
};
use serde_json::{Map, Value};

use crate::errors::{HubError, echo};
use crate::query::Condition;
use crate::registry::{ConnectionState, Device, DeviceStatus, DeviceTwin, MethodAnswer};

mod rows;

pub(crate) use rows::{DeviceJobFilter, DeviceJobPosition};

/// The default `responseTimeoutInSeconds` of a direct method.
pub const DEFAULT_RESPONSE_TIMEOUT_SECONDS: i32 = 30;
/// The default `connectTimeoutInSeconds` of a direct method.
pub const DEFAULT_CONNECT_TIMEOUT_SECONDS: i32 = 0;
/// The range IoT Hub accepts for `responseTimeoutInSeconds`.
pub const RESPONSE_TIMEOUT_RANGE: std::ops::RangeInclusive<i32> = 5..=300;
/// The range IoT Hub accepts for `connectTimeoutInSeconds`.
pub const CONNECT_TIMEOUT_RANGE: std::ops::RangeInclusive<i32> = 0..=300;
/// The page size of job queries when `x-ms-max-item-count` is absent.
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// The largest page a job query returns, whatever `x-ms-max-item-count` asks for.
pub const MAX_PAGE_SIZE: usize = 1000;
/// The largest `maxExecutionTimeInSeconds` the emulator accepts: 30 days (2,592,000 s).
/// IoT Hub publishes no upper bound; it keeps a job's record for 30 days (the jobs guide:
/// "a TTL of 30 days"; the quotas page: "Job history is retained up to 30 days"), so a job
/// allowed to run longer could not be watched to its end. Larger values are 400.
pub const MAX_EXECUTION_SECONDS: i64 = 30 * 24 * 3600;
/// How long a finished job stays visible by default: 30 days, as IoT Hub keeps job history.
pub const JOB_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
/// How many finished jobs (scheduled and import/export together) are kept by default; the
/// oldest finished go first. The emulator's own bound, so that a long run of jobs cannot
/// fill memory within the 30 days.
pub const MAX_FINISHED_JOBS: usize = 10_000;

/// The limits that make the emulator refuse work.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_active_jobs: usize,
    pub max_active_import_export_jobs: usize,
    pub import_export_duration: Duration,
}

/// How long, and how many, finished jobs are kept.
#[derive(Debug, Clone, Copy)]
pub(crate) struct History {
    pub retention: Duration,
    pub max_finished: usize,
}

impl Default for History {
    fn default() -> Self {
        Self {
            retention: JOB_RETENTION,
            max_finished: MAX_FINISHED_JOBS,
        }
    }
}

/// Where a device stands in a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceJobStatus {
    /// Not reached yet (a disconnected device the job waits for).
    Pending,
    /// The direct method is in flight.
    Running,
    /// Done: twin updated, or the method answered 2xx.
    Succeeded,
    /// Done: the device answered a non-2xx status, was offline, timed out, or the job ran
    /// out of time.
    Failed,
}

/// What happened on one device of a job (for tests: IoT Hub shows this as device jobs).
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceJobResult {
    /// The device.
    pub device_id: String,
    /// Where it stands.
    pub status: DeviceJobStatus,
    /// When the job first tried to reach it.
    pub start_time: DateTime<Utc>,
    /// When it finished, once it has.
    pub end_time: Option<DateTime<Utc>>,
    /// The status of the direct-method answer, or of the failure (404 offline, 504 timeout,
    /// 408 out of job time); 200 for a twin update.
    pub response_status: Option<i32>,
    /// The payload of the answer or a description of the failure.
    pub response_payload: Option<Value>,
    /// Why the device failed when it did not answer (offline, timeout, out of job time...):
    /// the `error` of its device job. `None` when the device answered, whatever the status.
    pub error: Option<DeviceJobFailure>,
    /// When this device's part of the job last changed.
    pub last_updated: DateTime<Utc>,
}

/// Why a device did not answer: the `error` of a device job (`code`, `description`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceJobFailure {
    /// An IoT Hub error code name, e.g. `DeviceNotOnline` or `GatewayTimeout`.
    pub code: String,
    /// What went wrong.
    pub description: String,
}

#[derive(Debug, Clone)]
enum Phase {
    /// Waiting for a disconnected device until `until`; then it connects or the call fails.
    Pending {
        until: DateTime<Utc>,
        connects: bool,
    },
    /// The call is in flight; at `until` the outcome is known (`timed_out`: no answer).
    Running {
        until: DateTime<Utc>,
        outcome: (i32, Value),
        timed_out: bool,
    },
    Done,
}

#[derive(Debug, Clone)]
struct DeviceRun {
    device_id: String,
    phase: Phase,
    result: DeviceJobResult,
}

impl DeviceRun {
    fn due(&self) -> Option<DateTime<Utc>> {
        match &self.phase {
            Phase::Pending { until, .. } | Phase::Running { until, .. } => Some(*until),
            Phase::Done => None,
        }
    }

    fn finish(&mut self, at: DateTime<Utc>, status: i32, payload: Value) {
        self.phase = Phase::Done;
        self.result.status = if (200..300).contains(&status) {
            DeviceJobStatus::Succeeded
        } else {
            DeviceJobStatus::Failed
        };
        self.result.end_time = Some(at);
        self.result.last_updated = at;
        self.result.response_status = Some(status);
        self.result.response_payload = Some(payload);
        self.result.error = None;
    }

    /// Ends the device `failed` at `at` without an answer: `status` and `code` say why.
    fn fail(&mut self, at: DateTime<Utc>, status: i32, code: &str, description: String) {
        self.finish(
            at,
            status,
            serde_json::json!({"errorCode": code, "message": description}),
        );
        self.result.error = Some(DeviceJobFailure {
            code: code.to_owned(),
            description,
        });
    }
}

#[derive(Debug, Clone)]
enum Work {
    Method(CloudToDeviceMethod),
    Twin(Box<Twin>),
}

#[derive(Debug, Clone)]
struct ScheduledJob {
    id: String,
    work: Work,
    query_condition: String,
    condition: Condition,
    created: DateTime<Utc>,
    start_time: DateTime<Utc>,
    max_execution_seconds: i64,
    status: JobStatus,
    started: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    failure_reason: Option<String>,
    status_message: Option<String>,
    devices: Vec<DeviceRun>,
}

/// `s` seconds (to the millisecond) as a duration: zero for negative or NaN values, the
/// largest duration for values beyond it.
fn seconds(s: f64) -> chrono::Duration {
    let ms = (s * 1000.0).round();
    if ms.is_nan() || ms <= 0.0 {
        return chrono::Duration::zero();
    }
    // `as` saturates at i64::MAX for larger values.
    chrono::Duration::try_milliseconds(ms as i64).unwrap_or(chrono::Duration::MAX)
}

/// `t + d`, or the end of the calendar (a time that never comes) when that overflows.
fn after(t: DateTime<Utc>, d: chrono::Duration) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A std duration as a chrono one, saturating.
fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

fn is_active(status: &JobStatus) -> bool {
    matches!(
        status,
        JobStatus::Scheduled | JobStatus::Queued | JobStatus::Enqueued | JobStatus::Running
    )
}

impl ScheduledJob {
    fn due_start(&self) -> DateTime<Utc> {
        self.start_time.max(self.created)
    }

    fn deadline(&self) -> Option<DateTime<Utc>> {
        let limit = chrono::Duration::try_seconds(self.max_execution_seconds)
            .unwrap_or(chrono::Duration::MAX);
        self.started.map(|s| after(s, limit))
    }

    /// Ends the job `failed` at `t` after its processing failed inside the emulator: the
    /// devices not yet done fail with 500.
    fn fail_internally(&mut self, t: DateTime<Utc>, what: &str) {
        for run in &mut self.devices {
            if !matches!(run.phase, Phase::Done) {
                run.fail(
                    t,
                    500,
                    "ServerError",
                    "the emulator failed while running the job".to_owned(),
                );
            }
        }
        self.status = JobStatus::Failed;
        self.end = Some(t);
        self.failure_reason = Some(format!("The emulator failed while running the job: {what}"));
    }

    fn next_event(&self) -> Option<DateTime<Utc>> {
        match self.status {
            JobStatus::Scheduled | JobStatus::Queued => Some(self.due_start()),
            JobStatus::Running => self
                .devices
                .iter()
                .filter_map(DeviceRun::due)
                .chain(self.deadline())
                .min(),
            _ => None,
        }
    }

    /// Runs every event of this job due at or before `at`, in time order.
    fn process(&mut self, at: DateTime<Utc>, twins: &mut BTreeMap<String, DeviceTwin>) {
        while let Some(t) = self.next_event().filter(|t| *t <= at) {
            self.step(t, twins);
        }
    }

    fn step(&mut self, t: DateTime<Utc>, twins: &mut BTreeMap<String, DeviceTwin>) {
        if matches!(self.status, JobStatus::Scheduled | JobStatus::Queued) {
            self.start(t, twins);
        } else {
            for run in &mut self.devices {
                if run.due() == Some(t) {
                    advance_device(run, t, &self.work, twins);
                }
            }
        }
        if self.devices.iter().all(|d| matches!(d.phase, Phase::Done)) {
            self.status = JobStatus::Completed;
            self.end = Some(t);
            tracing::info!(job = %self.id, "job completed");
        } else if self.deadline().is_some_and(|d| d <= t) {
            let limit = self.max_execution_seconds;
            for run in &mut self.devices {
                if !matches!(run.phase, Phase::Done) {
                    run.fail(
                        t,
                        408,
                        "JobTimedOut",
                        format!("the job exceeded its maximum execution time of {limit} s"),
                    );
                }
            }
            self.status = JobStatus::Failed;
            self.end = Some(t);
            self.failure_reason = Some(format!(
                "The job exceeded its maximum execution time of {limit} seconds"
            ));
            tracing::info!(job = %self.id, "job failed: maximum execution time exceeded");
        }
    }

    fn start(&mut self, t: DateTime<Utc>, twins: &mut BTreeMap<String, DeviceTwin>) {
        self.status = JobStatus::Running;
        self.started = Some(t);
        let matched: Vec<String> = twins
            .values()
            .filter(|twin| self.condition.matches(&twin.to_json()))
            .map(|twin| twin.device.device_id.clone())
            .collect();
        tracing::info!(job = %self.id, devices = matched.len(), "job started");
        self.devices = matched
            .into_iter()
            .map(|device_id| {
                let mut run = DeviceRun {
                    device_id: device_id.clone(),
                    phase: Phase::Done,
                    result: DeviceJobResult {
                        device_id,
                        status: DeviceJobStatus::Pending,
                        start_time: t,
                        end_time: None,
                        response_status: None,
                        response_payload: None,
                        error: None,
                        last_updated: t,
                    },
                };
                begin_device(&mut run, t, &self.work, twins);
                run
            })
            .collect();
    }

    fn statistics(&self) -> DeviceJobStatistics {
        let count = |status: DeviceJobStatus| {
            i32::try_from(
                self.devices
                    .iter()
                    .filter(|d| d.result.status == status)
                    .count(),
            )
            .unwrap_or(i32::MAX)
        };
        DeviceJobStatistics {
            device_count: Some(i32::try_from(self.devices.len()).unwrap_or(i32::MAX)),
            failed_count: Some(count(DeviceJobStatus::Failed)),
            succeeded_count: Some(count(DeviceJobStatus::Succeeded)),
            running_count: Some(count(DeviceJobStatus::Running)),
            pending_count: Some(count(DeviceJobStatus::Pending)),
        }
    }

    fn response(&self) -> JobResponse {
        let (r#type, method, twin) = match &self.work {
            Work::Method(m) => (JobType::ScheduleDeviceMethod, Some(m.clone()), None),
            Work::Twin(t) => (JobType::ScheduleUpdateTwin, None, Some(Twin::clone(t))),
        };
        JobResponse {
            job_id: Some(self.id.clone()),
            query_condition: Some(self.query_condition.clone()),
            created_time: Some(self.created),
            start_time: Some(self.start_time),
            end_time: self.end,
            max_execution_time_in_seconds: Some(self.max_execution_seconds),
            r#type: Some(r#type),
            cloud_to_device_method: method,
            update_twin: twin,
            status: Some(self.status.clone()),
            failure_reason: self.failure_reason.clone(),
            status_message: self.status_message.clone(),
            device_job_statistics: Some(self.statistics()),
        }
    }
}

/// The first step on a device when its job starts.
fn begin_device(
    run: &mut DeviceRun,
    t: DateTime<Utc>,
    work: &Work,
    twins: &mut BTreeMap<String, DeviceTwin>,
) {
    let Some(twin) = twins.get_mut(&run.device_id) else {
        run.fail(t, 404, "DeviceNotFound", "device not found".to_owned());
        return;
    };
    match work {
        Work::Twin(patch) => {
            apply_patch(twin, patch);
            run.finish(t, 200, Value::Null);
        }
        Work::Method(method) => {
            let device = &twin.device;
            let reachable = device.status == DeviceStatus::Enabled;
            if reachable && device.connection_state == ConnectionState::Connected {
                call(run, t, device, method);
                return;
            }
            let connect_timeout = seconds(f64::from(
                method
                    .connect_timeout_in_seconds
                    .unwrap_or(DEFAULT_CONNECT_TIMEOUT_SECONDS),
            ));
            let connects_after = device
                .connects_after_seconds
                .filter(|_| reachable)
                .map(seconds)
                .filter(|after| *after <= connect_timeout);
            run.phase = match connects_after {
                Some(delay) => Phase::Pending {
                    until: after(t, delay),
                    connects: true,
                },
                None => Phase::Pending {
                    until: after(t, connect_timeout),
                    connects: false,
                },
            };
            run.result.status = DeviceJobStatus::Pending;
            run.result.last_updated = t;
            if connect_timeout.is_zero() && connects_after.is_none() {
                fail_offline(run, t);
            }
        }
    }
}

/// The next step on a device whose current phase is due at `t`.
fn advance_device(
    run: &mut DeviceRun,
    t: DateTime<Utc>,
    work: &Work,
    twins: &mut BTreeMap<String, DeviceTwin>,
) {
    match run.phase.clone() {
        Phase::Pending { connects: true, .. } => match (twins.get_mut(&run.device_id), work) {
            (Some(twin), Work::Method(method)) => {
                twin.device.connection_state = ConnectionState::Connected;
                call(run, t, &twin.device, method);
            }
            _ => fail_offline(run, t),
        },
        Phase::Pending {
            connects: false, ..
        } => fail_offline(run, t),
        Phase::Running {
            outcome: (status, payload),
            timed_out: false,
            ..
        } => run.finish(t, status, payload),
        Phase::Running {
            outcome: (status, payload),
            timed_out: true,
            ..
        } => {
            let description = payload["message"].as_str().unwrap_or_default().to_owned();
            run.fail(t, status, "GatewayTimeout", description);
        }
        Phase::Done => {}
    }
}

fn fail_offline(run: &mut DeviceRun, t: DateTime<Utc>) {
    run.fail(
        t,
        404,
        "DeviceNotOnline",
        "the device is not connected".to_owned(),
    );
}

/// Starts the direct method on a connected device at `t`.
fn call(run: &mut DeviceRun, t: DateTime<Utc>, device: &Device, method: &CloudToDeviceMethod) {
    let name = method.method_name.as_str();
    let MethodAnswer {
        status,
        payload,
        latency_seconds,
    } = device.answer(name);
    let timeout = f64::from(
        method
            .response_timeout_in_seconds
            .unwrap_or(DEFAULT_RESPONSE_TIMEOUT_SECONDS),
    );
    run.phase = if latency_seconds <= timeout {
        Phase::Running {
            until: after(t, seconds(latency_seconds)),
            outcome: (status, payload),
            timed_out: false,
        }
    } else {
        Phase::Running {
            until: after(t, seconds(timeout)),
            outcome: (
                504,
                serde_json::json!({"message": format!("the device did not answer within {timeout} s")}),
            ),
            timed_out: true,
        }
    };
    run.result.status = DeviceJobStatus::Running;
    run.result.last_updated = t;
}

/// JSON merge patch (RFC 7396) of `patch` into `target`.
fn merge(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match (target.get_mut(key), value) {
            (_, Value::Null) => {
                target.remove(key);
            }
            (Some(Value::Object(existing)), Value::Object(inner)) => merge(existing, inner),
            (_, Value::Object(inner)) => {
                let mut fresh = Map::new();
                merge(&mut fresh, inner);
                target.insert(key.clone(), Value::Object(fresh));
            }
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

fn apply_patch(twin: &mut DeviceTwin, patch: &Twin) {
    let to_map = |m: &BTreeMap<String, Value>| m.clone().into_iter().collect::<Map<_, _>>();
    if let Some(tags) = &patch.tags {
        merge(&mut twin.device.tags, &to_map(tags));
    }
    if let Some(desired) = patch.properties.as_ref().and_then(|p| p.desired.as_ref()) {
        merge(&mut twin.device.properties.desired, &to_map(desired));
    }
    twin.version += 1;
}

#[derive(Debug, Clone)]
struct ImportExportJob {
    props: JobProperties,
    created: DateTime<Utc>,
    duration: chrono::Duration,
}

impl ImportExportJob {
    fn next_event(&self) -> Option<DateTime<Utc>> {
        match self.props.status {
            Some(JobStatus::Enqueued) => Some(after(self.created, self.duration / 2)),
            Some(JobStatus::Running) => Some(after(self.created, self.duration)),
            _ => None,
        }
    }

    fn process(&mut self, at: DateTime<Utc>) {
        while let Some(t) = self.next_event().filter(|t| *t <= at) {
            if self.props.status == Some(JobStatus::Enqueued) {
                self.props.status = Some(JobStatus::Running);
                self.props.progress = Some(50);
            } else {
                self.props.status = Some(JobStatus::Completed);
                self.props.progress = Some(100);
                self.props.end_time_utc = Some(t);
                tracing::info!(job = ?self.props.job_id, "import/export job completed");
            }
        }
    }
}

/// A query's filters and position.
#[derive(Debug, Clone, Default)]
pub(crate) struct JobQuery {
    pub job_type: Option<JobType>,
    pub job_status: Option<JobStatus>,
    pub page_size: usize,
    pub after: Option<u64>,
}

/// The state of the emulated hub.
#[derive(Debug, Default)]
pub(crate) struct State {
    twins: BTreeMap<String, DeviceTwin>,
    scheduled: BTreeMap<u64, ScheduledJob>,
    scheduled_ids: HashMap<String, u64>,
    import_export: BTreeMap<u64, ImportExportJob>,
    import_export_ids: HashMap<String, u64>,
    next_seq: u64,
    wakeups: BinaryHeap<Reverse<(DateTime<Utc>, u64)>>,
    active_scheduled: usize,
    active_import_export: usize,
    /// Finished jobs of both kinds by end time, oldest first.
    finished: BTreeSet<(DateTime<Utc>, u64)>,
    history: History,
}

/// What a caught panic said.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}

// The id of a job that makes the emulator panic while it runs, for the tests of what
// happens then (nothing in the emulator panics on purpose).
#[cfg(test)]
thread_local! {
    static PANICKING_JOB: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

impl State {
    pub fn new(devices: BTreeMap<String, Device>, history: History) -> Self {
        Self {
            twins: devices
                .into_iter()
                .map(|(id, device)| (id, DeviceTwin { device, version: 1 }))
                .collect(),
            history,
            ..Self::default()
        }
    }

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Runs every event due at or before `limit`, in time order across all jobs, then lets
    /// go of the finished jobs older than the retention. A job whose processing panics is
    /// marked failed (and frees its slot); the others go on.
    pub fn run_until(&mut self, limit: DateTime<Utc>) {
        while let Some(&Reverse((t, seq))) = self.wakeups.peek() {
            if t > limit {
                break;
            }
            self.wakeups.pop();
            let (ended, next, scheduled) = if let Some(job) = self.scheduled.get_mut(&seq) {
                if job.next_event() != Some(t) {
                    continue;
                }
                let twins = &mut self.twins;
                let run = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    #[cfg(test)]
                    PANICKING_JOB.with(|p| {
                        if p.borrow().as_deref() == Some(job.id.as_str()) {
                            panic!("test panic in job {}", job.id);
                        }
                    });
                    job.process(t, twins);
                }));
                if let Err(panic) = run {
                    let what = panic_message(panic.as_ref());
                    tracing::error!(job = %job.id, "running the job failed: {what}");
                    job.fail_internally(t, &what);
                }
                let ended = (!is_active(&job.status)).then(|| job.end.unwrap_or(t));
                (ended, job.next_event(), true)
            } else if let Some(job) = self.import_export.get_mut(&seq) {
                if job.next_event() != Some(t) {
                    continue;
                }
                if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(|| job.process(t))) {
                    let what = panic_message(panic.as_ref());
                    tracing::error!(job = ?job.props.job_id, "running the job failed: {what}");
                    job.props.status = Some(JobStatus::Failed);
                    job.props.end_time_utc = Some(t);
                    job.props.failure_reason =
                        Some(format!("The emulator failed while running the job: {what}"));
                }
                let status = job.props.status.as_ref().unwrap_or(&JobStatus::Unknown);
                let ended = (!is_active(status)).then(|| job.props.end_time_utc.unwrap_or(t));
                (ended, job.next_event(), false)
            } else {
                continue;
            };
            if let Some(end) = ended {
                if scheduled {
                    self.active_scheduled = self.active_scheduled.saturating_sub(1);
                } else {
                    self.active_import_export = self.active_import_export.saturating_sub(1);
                }
                self.record_finished(end, seq);
            }
            if let Some(next) = next {
                self.wakeups.push(Reverse((next, seq)));
            }
        }
        self.forget_expired(limit);
    }

    /// Notes that job `seq` ended at `end`; forgets the oldest finished jobs beyond the
    /// number kept.
    fn record_finished(&mut self, end: DateTime<Utc>, seq: u64) {
        self.finished.insert((end, seq));
        while self.finished.len() > self.history.max_finished {
            match self.finished.pop_first() {
                Some((_, oldest)) => self.forget(oldest),
                None => break,
            }
        }
    }

    /// Forgets the finished jobs that ended a retention period or more before `now`.
    fn forget_expired(&mut self, now: DateTime<Utc>) {
        let retention = to_chrono(self.history.retention);
        while let Some(&(end, seq)) = self.finished.first() {
            if after(end, retention) > now {
                break;
            }
            self.finished.pop_first();
            self.forget(seq);
        }
    }

    fn forget(&mut self, seq: u64) {
        if let Some(job) = self.scheduled.remove(&seq) {
            self.scheduled_ids.remove(&job.id);
            tracing::info!(job = %job.id, "job removed from the history");
        } else if let Some(job) = self.import_export.remove(&seq) {
            if let Some(id) = &job.props.job_id {
                self.import_export_ids.remove(id);
                tracing::info!(job = %id, "import/export job removed from the history");
            }
        }
    }

    pub fn create_scheduled(
        &mut self,
        id: &str,
        request: JobRequest,
        now: DateTime<Utc>,
        limits: &Limits,
    ) -> Result<JobResponse, HubError> {
        let spec = validate_request(id, request, now)?;
        if self.scheduled_ids.contains_key(id) {
            return Err(HubError::job_already_exists(id));
        }
        if self.active_scheduled >= limits.max_active_jobs {
            return Err(HubError::too_many_active_jobs(
                limits.max_active_jobs,
                "scheduled",
            ));
        }
        let seq = self.seq();
        let job = ScheduledJob {
            id: id.to_owned(),
            status: if spec.start_time > now {
                JobStatus::Scheduled
            } else {
                JobStatus::Queued
            },
            created: now,
            started: None,
            end: None,
            failure_reason: None,
            status_message: None,
            devices: Vec::new(),
            ..spec
        };
        let response = job.response();
        if let Some(next) = job.next_event() {
            self.wakeups.push(Reverse((next, seq)));
        }
        tracing::info!(job = %id, status = %job.status, "job created");
        self.scheduled.insert(seq, job);
        self.scheduled_ids.insert(id.to_owned(), seq);
        self.active_scheduled += 1;
        Ok(response)
    }

    fn scheduled_job(&self, id: &str) -> Result<&ScheduledJob, HubError> {
        self.scheduled_ids
            .get(id)
            .and_then(|seq| self.scheduled.get(seq))
            .ok_or_else(|| HubError::scheduled_job_not_found(id))
    }

    pub fn get_scheduled(&self, id: &str) -> Result<JobResponse, HubError> {
        self.scheduled_job(id).map(ScheduledJob::response)
    }

    pub fn cancel_scheduled(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<JobResponse, HubError> {
        let seq = *self
            .scheduled_ids
            .get(id)
            .ok_or_else(|| HubError::scheduled_job_not_found(id))?;
        let job = self
            .scheduled
            .get_mut(&seq)
            .ok_or_else(|| HubError::scheduled_job_not_found(id))?;
        if !is_active(&job.status) {
            return Ok(job.response());
        }
        job.status = JobStatus::Cancelled;
        job.end = Some(now);
        tracing::info!(job = %id, "job cancelled");
        let response = job.response();
        self.active_scheduled = self.active_scheduled.saturating_sub(1);
        self.record_finished(now, seq);
        Ok(response)
    }

    pub fn device_results(&self, id: &str) -> Option<Vec<DeviceJobResult>> {
        self.scheduled_job(id)
            .ok()
            .map(|job| job.devices.iter().map(|d| d.result.clone()).collect())
    }

    /// One page of scheduled jobs in creation order, and the position after it when more
    /// jobs match.
    pub fn query(&self, query: &JobQuery) -> (Vec<JobResponse>, Option<u64>) {
        let start = query.after.map_or(0, |after| after.saturating_add(1));
        let mut matching = self.scheduled.range(start..).filter(|(_, job)| {
            let type_ok = query.job_type.as_ref().is_none_or(|t| {
                *t == match job.work {
                    Work::Method(_) => JobType::ScheduleDeviceMethod,
                    Work::Twin(_) => JobType::ScheduleUpdateTwin,
                }
            });
            let status_ok = query.job_status.as_ref().is_none_or(|s| *s == job.status);
            type_ok && status_ok
        });
        let mut page = Vec::new();
        let mut last = None;
        for (seq, job) in matching.by_ref().take(query.page_size) {
            page.push(job.response());
            last = Some(*seq);
        }
        let more = matching.next().is_some();
        (page, last.filter(|_| more))
    }

    pub fn create_import_export(
        &mut self,
        request: JobProperties,
        now: DateTime<Utc>,
        limits: &Limits,
    ) -> Result<JobProperties, HubError> {
        match request.r#type {
            JobType::Export => {
                if request
                    .output_blob_container_uri
                    .as_deref()
                    .is_none_or(str::is_empty)
                {
                    return Err(HubError::argument_invalid(
                        "outputBlobContainerUri is required for an export job",
                    ));
                }
            }
            JobType::Import => {
                for (value, name) in [
                    (&request.input_blob_container_uri, "inputBlobContainerUri"),
                    (&request.output_blob_container_uri, "outputBlobContainerUri"),
                ] {
                    if value.as_deref().is_none_or(str::is_empty) {
                        return Err(HubError::argument_invalid(format!(
                            "{name} is required for an import job"
                        )));
                    }
                }
            }
            ref other => {
                return Err(HubError::argument_invalid(format!(
                    "type `{}` is not an import/export job type: use import or export",
                    echo(other.as_str())
                )));
            }
        }
        if self.active_import_export >= limits.max_active_import_export_jobs {
            return Err(HubError::too_many_active_jobs(
                limits.max_active_import_export_jobs,
                "import/export",
            ));
        }
        let seq = self.seq();
        let id = uuid_like();
        let props = JobProperties {
            job_id: Some(id.clone()),
            start_time_utc: Some(now),
            end_time_utc: None,
            status: Some(JobStatus::Enqueued),
            progress: Some(0),
            failure_reason: None,
            exclude_keys_in_export: Some(request.exclude_keys_in_export.unwrap_or(false)),
            ..request
        };
        let job = ImportExportJob {
            props: props.clone(),
            created: now,
            duration: to_chrono(limits.import_export_duration),
        };
        if let Some(next) = job.next_event() {
            self.wakeups.push(Reverse((next, seq)));
        }
        tracing::info!(job = %id, r#type = ?props.r#type, "import/export job created");
        self.import_export.insert(seq, job);
        self.import_export_ids.insert(id, seq);
        self.active_import_export += 1;
        Ok(props)
    }

    pub fn list_import_export(&self) -> Vec<JobProperties> {
        self.import_export
            .values()
            .map(|job| job.props.clone())
            .collect()
    }

    pub fn get_import_export(&self, id: &str) -> Result<JobProperties, HubError> {
        self.import_export_ids
            .get(id)
            .and_then(|seq| self.import_export.get(seq))
            .map(|job| job.props.clone())
            .ok_or_else(|| HubError::import_export_job_not_found(id))
    }

    pub fn cancel_import_export(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<JobProperties, HubError> {
        let seq = *self
            .import_export_ids
            .get(id)
            .ok_or_else(|| HubError::import_export_job_not_found(id))?;
        let job = self
            .import_export
            .get_mut(&seq)
            .ok_or_else(|| HubError::import_export_job_not_found(id))?;
        if !is_active(job.props.status.as_ref().unwrap_or(&JobStatus::Unknown)) {
            return Ok(job.props.clone());
        }
        job.props.status = Some(JobStatus::Cancelled);
        job.props.end_time_utc = Some(now);
        tracing::info!(job = %id, "import/export job cancelled");
        let props = job.props.clone();
        self.active_import_export = self.active_import_export.saturating_sub(1);
        self.record_finished(now, seq);
        Ok(props)
    }

    pub fn twin(&self, device_id: &str) -> Option<&DeviceTwin> {
        self.twins.get(device_id)
    }

    pub fn twins(&self) -> impl Iterator<Item = &DeviceTwin> {
        self.twins.values()
    }
}

/// A random id in the shape of a GUID, as IoT Hub gives import/export jobs.
fn uuid_like() -> String {
    let n = fastrand::u128(..);
    let hex = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Checks a create request and turns it into the job's fixed part.
fn validate_request(
    id: &str,
    request: JobRequest,
    now: DateTime<Utc>,
) -> Result<ScheduledJob, HubError> {
    validate_job_id(id)?;
    if request.job_id != id {
        return Err(HubError::argument_invalid(format!(
            "jobId `{}` in the body differs from the job id `{id}` in the path",
            echo(&request.job_id)
        )));
    }
    let work = match request.r#type {
        JobType::ScheduleDeviceMethod => {
            let method = request.cloud_to_device_method.ok_or_else(|| {
                HubError::argument_invalid(
                    "cloudToDeviceMethod is required for scheduleDeviceMethod",
                )
            })?;
            if method.method_name.trim().is_empty() {
                return Err(HubError::argument_invalid(
                    "cloudToDeviceMethod.methodName is required",
                ));
            }
            let response = method
                .response_timeout_in_seconds
                .unwrap_or(DEFAULT_RESPONSE_TIMEOUT_SECONDS);
            if !RESPONSE_TIMEOUT_RANGE.contains(&response) {
                return Err(HubError::argument_invalid(format!(
                    "cloudToDeviceMethod.responseTimeoutInSeconds must be between 5 and 300, not {response}"
                )));
            }
            let connect = method
                .connect_timeout_in_seconds
                .unwrap_or(DEFAULT_CONNECT_TIMEOUT_SECONDS);
            if !CONNECT_TIMEOUT_RANGE.contains(&connect) {
                return Err(HubError::argument_invalid(format!(
                    "cloudToDeviceMethod.connectTimeoutInSeconds must be between 0 and 300, not {connect}"
                )));
            }
            Work::Method(CloudToDeviceMethod {
                response_timeout_in_seconds: Some(response),
                connect_timeout_in_seconds: Some(connect),
                ..method
            })
        }
        JobType::ScheduleUpdateTwin => {
            let twin = request.update_twin.ok_or_else(|| {
                HubError::argument_invalid("updateTwin is required for scheduleUpdateTwin")
            })?;
            if let Some(etag) = twin.etag.as_deref() {
                if etag != "*" {
                    return Err(HubError::argument_invalid(format!(
                        "updateTwin.etag must be \"*\", not `{}`",
                        echo(etag)
                    )));
                }
            }
            let reported = twin.properties.as_ref().and_then(|p| p.reported.as_ref());
            if reported.is_some_and(|r| !r.is_empty()) {
                return Err(HubError::argument_invalid(
                    "updateTwin.properties.reported cannot be set by a job: only tags and desired properties",
                ));
            }
            Work::Twin(Box::new(twin))
        }
        other => {
            return Err(HubError::argument_invalid(format!(
                "type `{}` cannot be scheduled: use scheduleDeviceMethod or scheduleUpdateTwin",
                echo(other.as_str())
            )));
        }
    };
    let query_condition = request
        .query_condition
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| HubError::argument_invalid("queryCondition is required"))?;
    let condition = Condition::parse(&query_condition)
        .map_err(|e| HubError::argument_invalid(format!("queryCondition: {e}")))?;
    let max_execution_seconds = request.max_execution_time_in_seconds.unwrap_or(
        i64::try_from(iothub_jobs::iothub::DEFAULT_MAX_EXECUTION_TIME.as_secs()).unwrap_or(3600),
    );
    if !(1..=MAX_EXECUTION_SECONDS).contains(&max_execution_seconds) {
        return Err(HubError::argument_invalid(format!(
            "maxExecutionTimeInSeconds must be between 1 and {MAX_EXECUTION_SECONDS} (30 days), not {max_execution_seconds}"
        )));
    }
    Ok(ScheduledJob {
        id: id.to_owned(),
        work,
        query_condition,
        condition,
        created: now,
        start_time: request.start_time.unwrap_or(now),
        max_execution_seconds,
        status: JobStatus::Unknown,
        started: None,
        end: None,
        failure_reason: None,
        status_message: None,
        devices: Vec::new(),
    })
}

/// IoT Hub's job id rule: 1 to 64 ASCII letters, digits and `-`.
pub(crate) fn validate_job_id(id: &str) -> Result<(), HubError> {
    iothub_jobs::iothub::validate_job_id(id).map_err(|_| {
        HubError::argument_invalid(format!(
            "job id `{}` is not valid: use 1 to 64 ASCII letters, digits and `-`",
            echo(id)
        ))
    })
}

/// Encodes a query position as an opaque continuation token.
pub(crate) fn continuation_token(after: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("jobs-after:{after}"))
}

/// Decodes a continuation token this emulator issued.
pub(crate) fn parse_continuation(token: &str) -> Option<u64> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("jobs-after:")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    fn limits(max_active_jobs: usize, import_export_duration: Duration) -> Limits {
        Limits {
            max_active_jobs,
            max_active_import_export_jobs: 1,
            import_export_duration,
        }
    }

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn ping(id: &str, at: DateTime<Utc>) -> JobRequest {
        JobRequest {
            job_id: id.to_owned(),
            r#type: JobType::ScheduleDeviceMethod,
            cloud_to_device_method: Some(CloudToDeviceMethod {
                method_name: "ping".to_owned(),
                payload: None,
                response_timeout_in_seconds: None,
                connect_timeout_in_seconds: None,
            }),
            update_twin: None,
            query_condition: Some("deviceId = 'thermostat-43-01'".to_owned()),
            start_time: Some(at),
            max_execution_time_in_seconds: None,
        }
    }

    fn status(state: &State, id: &str) -> JobStatus {
        state.get_scheduled(id).unwrap().status.unwrap()
    }

    #[test]
    fn a_job_that_panics_fails_alone_and_frees_its_slot() {
        let now = start();
        let mut state = State::new(Registry::demo().into_devices(), History::default());
        let limits = limits(2, Duration::from_secs(10));
        for id in ["boom", "fine"] {
            state
                .create_scheduled(id, ping(id, now), now, &limits)
                .unwrap();
        }
        PANICKING_JOB.with(|p| *p.borrow_mut() = Some("boom".to_owned()));
        state.run_until(now + chrono::Duration::seconds(10));
        PANICKING_JOB.with(|p| *p.borrow_mut() = None);
        assert_eq!(status(&state, "boom"), JobStatus::Failed);
        let failed = state.get_scheduled("boom").unwrap();
        assert!(
            failed
                .failure_reason
                .as_deref()
                .unwrap()
                .contains("emulator failed"),
            "{failed:?}"
        );
        assert_eq!(status(&state, "fine"), JobStatus::Completed);
        // Both slots are free again.
        for id in ["next-1", "next-2"] {
            state
                .create_scheduled(id, ping(id, now), now, &limits)
                .unwrap();
        }
    }

    #[test]
    fn times_past_the_end_of_the_calendar_are_never() {
        assert_eq!(seconds(f64::MAX), chrono::Duration::MAX);
        assert_eq!(seconds(1e300), chrono::Duration::MAX);
        assert_eq!(seconds(-1.0), chrono::Duration::zero());
        assert_eq!(seconds(f64::NAN), chrono::Duration::zero());
        assert_eq!(seconds(1.5), chrono::Duration::milliseconds(1500));
        assert_eq!(
            after(DateTime::<Utc>::MAX_UTC, chrono::Duration::seconds(1)),
            DateTime::<Utc>::MAX_UTC
        );

        // A job whose limit was never validated (the largest possible) runs and completes.
        let now = start();
        let mut state = State::new(Registry::demo().into_devices(), History::default());
        let limits = limits(5, Duration::MAX);
        state
            .create_scheduled("long", ping("long", now), now, &limits)
            .unwrap();
        if let Some(job) = state.scheduled.values_mut().next() {
            job.max_execution_seconds = i64::MAX;
        }
        state.run_until(now + chrono::Duration::seconds(5));
        assert_eq!(status(&state, "long"), JobStatus::Completed);

        // An import/export job that takes forever stays enqueued, however far the clock goes.
        let request: JobProperties = serde_json::from_value(serde_json::json!({
            "type": "export",
            "outputBlobContainerUri": "https://blob/out",
        }))
        .unwrap();
        let job = state.create_import_export(request, now, &limits).unwrap();
        state.run_until(DateTime::<Utc>::MAX_UTC - chrono::Duration::days(1));
        let id = job.job_id.unwrap();
        assert_eq!(
            state.get_import_export(&id).unwrap().status,
            Some(JobStatus::Enqueued)
        );
    }

    #[test]
    fn finished_jobs_are_forgotten_after_the_retention_or_beyond_the_count() {
        let now = start();
        let history = History {
            retention: Duration::from_secs(100),
            max_finished: 2,
        };
        let mut state = State::new(Registry::demo().into_devices(), history);
        let limits = limits(10, Duration::from_secs(10));
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            let at = now + chrono::Duration::seconds(i64::try_from(i).unwrap() * 10);
            state
                .create_scheduled(id, ping(id, at), now, &limits)
                .unwrap();
        }
        // `ping` answers at once: a ends at 0 s, b at 10 s, c at 20 s; keeping two forgets a.
        state.run_until(now + chrono::Duration::seconds(30));
        assert!(state.get_scheduled("a").is_err());
        assert_eq!(status(&state, "b"), JobStatus::Completed);
        assert_eq!(status(&state, "c"), JobStatus::Completed);
        // 100 s after its end, b goes; c ten seconds later. The id `a` can be used again.
        state.run_until(now + chrono::Duration::seconds(110));
        assert!(state.get_scheduled("b").is_err());
        assert!(state.get_scheduled("c").is_ok());
        state.run_until(now + chrono::Duration::seconds(121));
        assert!(state.get_scheduled("c").is_err());
        let later = now + chrono::Duration::seconds(200);
        state
            .create_scheduled("a", ping("a", later), later, &limits)
            .unwrap();
        assert_eq!(state.finished.len(), 0);
    }

    #[test]
    fn merge_patch() {
        let mut target = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}, "e": 4})
            .as_object()
            .unwrap()
            .clone();
        let patch =
            serde_json::json!({"a": null, "b": {"c": 5, "x": {"y": null, "z": 1}}, "f": [1]})
                .as_object()
                .unwrap()
                .clone();
        merge(&mut target, &patch);
        assert_eq!(
            Value::Object(target),
            serde_json::json!({"b": {"c": 5, "d": 3, "x": {"z": 1}}, "e": 4, "f": [1]})
        );
    }

    #[test]
    fn continuation_tokens_round_trip() {
        for n in [0, 1, 99, u64::MAX] {
            assert_eq!(parse_continuation(&continuation_token(n)), Some(n));
        }
        assert_eq!(parse_continuation("garbage!"), None);
        assert_eq!(parse_continuation("Zm9v"), None);
    }

    #[test]
    fn uuid_shape() {
        let id = uuid_like();
        assert_eq!(id.len(), 36);
        assert!(validate_job_id(&id).is_ok());
    }
}
