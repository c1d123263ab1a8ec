// Hand-written: not generated; `cargo xtask regen` never touches this directory.
//! What the OpenAPI document cannot say about IoT Hub: connection strings, SAS tokens,
//! Microsoft Entra ID tokens (module `entra`, feature `entra-id`), the IoT Hub error envelopes
//! and codes, and task-level helpers in the style of the official SDKs.
//!
//! Two ways to authenticate, as the official SDKs offer:
//!
//! - **Shared access signatures**: `Client::from_connection_string` reads a service
//!   connection string ([`connection_string`]) and signs SAS tokens with its policy key
//!   ([`sas::SasCredential`], renewed when a fifth of their hour is left), or sends the
//!   ready-made signature it holds.
//! - **Microsoft Entra ID** (feature `entra-id`, off by default; needs Rust 1.88):
//!   `Client::from_token_credential(host_name, credential)` takes any azure_core
//!   `TokenCredential`, usually one of azure_identity's (`DeveloperToolsCredential`,
//!   `ManagedIdentityCredential`, `ClientSecretCredential`...), which the application depends
//!   on itself with the same azure_core major version (1.x). Requests carry
//!   `Authorization: Bearer <token>` for the scope `https://iothubs.azure.net/.default`; the
//!   token is cached and fetched again 5 minutes before it expires or after a 401
//!   (`entra::EntraCredential`). The identity needs an IoT Hub data-plane role on the hub.
//!   `from_token_credential_with_endpoint` sends to another base URL (a local emulator).
//!   The feature adds about 27 crates (azure_core and what it needs, no HTTP or TLS stack of
//!   its own); azure_core is re-exported as `iothub::azure_core`.

pub mod connection_string;
pub mod device_jobs;
#[cfg(feature = "entra-id")]
pub mod entra;
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

/// azure_core, whose [`TokenCredential`] the
/// `entra-id` feature adapts: for implementing a token source of one's own without naming the
/// same azure_core release in the application's manifest.
#[cfg(feature = "entra-id")]
pub use azure_core;
#[cfg(feature = "entra-id")]
pub use entra::{EntraCredential, IOT_HUB_SCOPE, TokenCredential};
