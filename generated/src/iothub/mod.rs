// Hand-written: not generated; `cargo xtask regen` never touches this directory.
//! What the OpenAPI document cannot say about IoT Hub: connection strings, SAS tokens,
//! the IoT Hub error envelopes and codes, and task-level helpers in the style of the official SDKs.

pub mod connection_string;
pub mod device_jobs;
pub mod errors;
pub mod import_export;
pub mod jobs;
pub mod sas;

pub use connection_string::{ConnectionAuth, ConnectionString, ConnectionStringError, Secret};
pub use device_jobs::{DEFAULT_DEVICE_JOB_PAGE_SIZE, device_jobs_query};
pub use errors::{ErrorCode, IotHubErrorExt, IotHubErrorInfo};
pub use import_export::{BlobContainerUri, ExportOptions, ImportOptions, StorageAuthentication};
pub use jobs::{DEFAULT_MAX_EXECUTION_TIME, ScheduleJob, TERMINAL_STATUSES, validate_job_id};
pub use sas::{Clock, SasCredential, SystemClock, sign};
