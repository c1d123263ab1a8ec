// Hand-written: not generated; `cargo xtask regen` never touches this directory.
//! What the OpenAPI document cannot say about IoT Hub: connection strings, SAS tokens,
//! Microsoft Entra ID tokens (module `entra`, feature `entra-id`), the IoT Hub error envelopes,
//! and task-level helpers in the style of the official SDKs.

pub mod connection_string;
#[cfg(feature = "entra-id")]
pub mod entra;
pub mod errors;
pub mod jobs;
pub mod sas;

pub use connection_string::{ConnectionAuth, ConnectionString, ConnectionStringError, Secret};
pub use errors::{IotHubErrorExt, IotHubErrorInfo};
pub use jobs::{DEFAULT_MAX_EXECUTION_TIME, TERMINAL_STATUSES, validate_job_id};
pub use sas::{Clock, SasCredential, SystemClock, sign};

/// azure_core, whose [`TokenCredential`] the
/// `entra-id` feature adapts: for implementing a token source of one's own without naming the
/// same azure_core release in the application's manifest.
#[cfg(feature = "entra-id")]
pub use azure_core;
#[cfg(feature = "entra-id")]
pub use entra::{EntraCredential, IOT_HUB_SCOPE, TokenCredential};
