// Hand-written: not generated; `cargo xtask regen` never touches this file.
//! Exporting and importing the device identity registry through blob storage, in the style of
//! the C# service SDK's `RegistryManager.ExportDevicesAsync` / `ImportDevicesAsync` (which
//! build their requests with `JobProperties.CreateForExportJob` / `CreateForImportJob`).
//!
//! IoT Hub reaches the storage account in one of two ways ("Import and export IoT Hub device
//! identities in bulk", learn.microsoft.com/azure/iot-hub/iot-hub-bulk-identity-mgmt):
//!
//! - key-based: each blob container URI carries a SAS token in its query string, with the
//!   permissions the job needs;
//! - identity-based: the container URIs carry no token, and the hub signs in to storage with
//!   its system-assigned managed identity, or the user-assigned one named by its resource id.
//!
//! A SAS token is a secret: [`BlobContainerUri`] keeps the query string out of `Debug` and of
//! every error these helpers return, and the [`JobProperties`] they return have the query
//! strings removed.

use std::fmt;

use crate::models::{
    JobProperties, JobPropertiesStorageAuthenticationType, JobType, ManagedIdentity,
};
use crate::{Client, Error};

/// The URI of a blob container, for key-based storage authentication with a SAS token in its
/// query string. Its `Debug` shows the URI without the query string.
#[derive(Clone, PartialEq, Eq)]
pub struct BlobContainerUri(String);

impl BlobContainerUri {
    /// Wraps a container URI (`https://{account}.blob.core.windows.net/{container}?{sas}`).
    pub fn new(uri: impl Into<String>) -> Self {
        Self(uri.into())
    }

    /// The whole URI, SAS token included. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URI without its query string (and fragment): safe to show.
    pub fn redacted(&self) -> &str {
        without_query(&self.0)
    }

    /// Checks that the URI can name a container: an `https://` or `http://` URI with a host.
    /// `what` names the URI in the error, which shows it without its query string.
    fn validate(&self, what: &str) -> Result<(), Error> {
        let rest = self
            .0
            .strip_prefix("https://")
            .or_else(|| self.0.strip_prefix("http://"));
        let host = rest.and_then(|rest| rest.split(['/', '?', '#']).next());
        if host.is_some_and(|host| !host.is_empty()) {
            Ok(())
        } else {
            Err(Error::InvalidInput(format!(
                "the {what} `{}` is not an https:// URI of a blob container",
                self.redacted().escape_debug()
            )))
        }
    }
}

impl fmt::Debug for BlobContainerUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query = if self.redacted().len() < self.0.len() {
            "?<redacted>"
        } else {
            ""
        };
        write!(f, "BlobContainerUri({:?}{query})", self.redacted())
    }
}

impl From<&str> for BlobContainerUri {
    fn from(uri: &str) -> Self {
        Self::new(uri)
    }
}

impl From<String> for BlobContainerUri {
    fn from(uri: String) -> Self {
        Self::new(uri)
    }
}

/// `uri` up to its query string or fragment.
fn without_query(uri: &str) -> &str {
    uri.split(['?', '#']).next().unwrap_or(uri)
}

/// How IoT Hub authenticates to the storage account (`storageAuthenticationType`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StorageAuthentication {
    /// `keyBased`: the container URIs carry SAS tokens (the service's default).
    #[default]
    KeyBased,
    /// `identityBased`: the hub uses a managed identity; the container URIs carry no token.
    IdentityBased {
        /// The resource id of a user-assigned managed identity of the hub
        /// (`/subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/…`);
        /// `None` for the hub's system-assigned identity.
        user_assigned_identity: Option<String>,
    },
}

impl StorageAuthentication {
    /// Identity-based, with the hub's system-assigned managed identity.
    pub fn system_assigned_identity() -> Self {
        Self::IdentityBased {
            user_assigned_identity: None,
        }
    }

    /// Identity-based, with the user-assigned managed identity `resource_id`.
    pub fn user_assigned_identity(resource_id: impl Into<String>) -> Self {
        Self::IdentityBased {
            user_assigned_identity: Some(resource_id.into()),
        }
    }

    /// Sets `storageAuthenticationType` and `identity` of `job`.
    fn apply(&self, job: &mut JobProperties) {
        match self {
            Self::KeyBased => {
                job.storage_authentication_type =
                    Some(JobPropertiesStorageAuthenticationType::KeyBased);
            }
            Self::IdentityBased {
                user_assigned_identity,
            } => {
                job.storage_authentication_type =
                    Some(JobPropertiesStorageAuthenticationType::IdentityBased);
                job.identity = user_assigned_identity
                    .as_ref()
                    .map(|resource_id| ManagedIdentity {
                        user_assigned_identity: Some(resource_id.clone()),
                    });
            }
        }
    }
}

/// What [`Client::export_devices`] asks for besides the container. The defaults are the
/// service's: keys included, `devices.txt`, no configurations, key-based storage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOptions {
    exclude_keys: bool,
    output_blob_name: Option<String>,
    include_configurations: bool,
    configurations_blob_name: Option<String>,
    storage_authentication: StorageAuthentication,
}

impl ExportOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to export the devices' authentication keys as `null` (`excludeKeysInExport`).
    pub fn exclude_keys(mut self, exclude: bool) -> Self {
        self.exclude_keys = exclude;
        self
    }

    /// The blob to write the devices to (`outputBlobName`; the service's default is
    /// `devices.txt`).
    pub fn output_blob_name(mut self, name: impl Into<String>) -> Self {
        self.output_blob_name = Some(name.into());
        self
    }

    /// Whether to export the hub's configurations too (`includeConfigurations`).
    pub fn include_configurations(mut self, include: bool) -> Self {
        self.include_configurations = include;
        self
    }

    /// The blob for the configurations (`configurationsBlobName`; the service's default is
    /// `configurations.txt`).
    pub fn configurations_blob_name(mut self, name: impl Into<String>) -> Self {
        self.configurations_blob_name = Some(name.into());
        self
    }

    /// How the hub authenticates to storage.
    pub fn storage_authentication(mut self, authentication: StorageAuthentication) -> Self {
        self.storage_authentication = authentication;
        self
    }

    /// The job [`Client::export_devices`] creates (the C# SDK's
    /// `JobProperties.CreateForExportJob`).
    pub fn job_properties(&self, output_blob_container_uri: &BlobContainerUri) -> JobProperties {
        let mut job = JobProperties {
            output_blob_container_uri: Some(output_blob_container_uri.expose().to_owned()),
            output_blob_name: self.output_blob_name.clone(),
            exclude_keys_in_export: Some(self.exclude_keys),
            include_configurations: self.include_configurations.then_some(true),
            configurations_blob_name: self.configurations_blob_name.clone(),
            ..JobProperties::new(JobType::Export)
        };
        self.storage_authentication.apply(&mut job);
        job
    }
}

/// What [`Client::import_devices`] asks for besides the containers. The defaults are the
/// service's: `devices.txt`, no configurations, key-based storage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    input_blob_name: Option<String>,
    output_blob_name: Option<String>,
    include_configurations: bool,
    configurations_blob_name: Option<String>,
    storage_authentication: StorageAuthentication,
}

impl ImportOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The blob to read the devices from (`inputBlobName`; the service's default is
    /// `devices.txt`).
    pub fn input_blob_name(mut self, name: impl Into<String>) -> Self {
        self.input_blob_name = Some(name.into());
        self
    }

    /// The blob of the output container to write the import's results to
    /// (`outputBlobName`).
    pub fn output_blob_name(mut self, name: impl Into<String>) -> Self {
        self.output_blob_name = Some(name.into());
        self
    }

    /// Whether to import configurations too (`includeConfigurations`).
    pub fn include_configurations(mut self, include: bool) -> Self {
        self.include_configurations = include;
        self
    }

    /// The blob to read the configurations from (`configurationsBlobName`; the service's
    /// default is `configurations.txt`).
    pub fn configurations_blob_name(mut self, name: impl Into<String>) -> Self {
        self.configurations_blob_name = Some(name.into());
        self
    }

    /// How the hub authenticates to storage.
    pub fn storage_authentication(mut self, authentication: StorageAuthentication) -> Self {
        self.storage_authentication = authentication;
        self
    }

    /// The job [`Client::import_devices`] creates (the C# SDK's
    /// `JobProperties.CreateForImportJob`).
    pub fn job_properties(
        &self,
        input_blob_container_uri: &BlobContainerUri,
        output_blob_container_uri: &BlobContainerUri,
    ) -> JobProperties {
        let mut job = JobProperties {
            input_blob_container_uri: Some(input_blob_container_uri.expose().to_owned()),
            input_blob_name: self.input_blob_name.clone(),
            output_blob_container_uri: Some(output_blob_container_uri.expose().to_owned()),
            output_blob_name: self.output_blob_name.clone(),
            include_configurations: self.include_configurations.then_some(true),
            configurations_blob_name: self.configurations_blob_name.clone(),
            ..JobProperties::new(JobType::Import)
        };
        self.storage_authentication.apply(&mut job);
        job
    }
}

impl Client {
    /// Exports every device identity of the hub to blobs of `output_blob_container_uri`
    /// (`devices.txt` unless [`ExportOptions::output_blob_name`] says otherwise): creates an
    /// `export` import/export job and returns it as created (`enqueued`); follow it with
    /// [`Client::get_import_export_job`]. The hub runs one such job at a time: another
    /// active one is answered 429 (`ThrottlingMaxActiveJobCountExceeded`).
    ///
    /// The container URI is checked first (an `https://` URI with a host); errors show it
    /// without its query string, and so do the blob URIs of the returned job (the caller has
    /// them whole), so it can be logged.
    ///
    /// ```no_run
    /// use iothub_jobs::iothub::{BlobContainerUri, ExportOptions, StorageAuthentication};
    ///
    /// # async fn run(client: iothub_jobs::Client) -> Result<(), iothub_jobs::Error> {
    /// // Key-based: a SAS token with write, read and delete permissions.
    /// let container = BlobContainerUri::new("https://account.blob.core.windows.net/export?sv=…&sig=…");
    /// let job = client
    ///     .export_devices(&container, &ExportOptions::new().exclude_keys(true))
    ///     .await?;
    /// // Identity-based: no token; the hub's managed identity needs the
    /// // Storage Blob Data Contributor role on the account.
    /// let container = BlobContainerUri::new("https://account.blob.core.windows.net/export");
    /// let options = ExportOptions::new()
    ///     .storage_authentication(StorageAuthentication::system_assigned_identity());
    /// let job = client.export_devices(&container, &options).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn export_devices(
        &self,
        output_blob_container_uri: &BlobContainerUri,
        options: &ExportOptions,
    ) -> Result<JobProperties, Error> {
        output_blob_container_uri.validate("output blob container URI")?;
        let job = options.job_properties(output_blob_container_uri);
        self.create_import_export_job(&job)
            .await
            .map(without_queries)
    }

    /// Imports device identities (create, update or delete, as each line of the input blob
    /// says) from `input_blob_container_uri` (`devices.txt` unless
    /// [`ImportOptions::input_blob_name`] says otherwise), writing the results (such as
    /// `importErrors.log`) to `output_blob_container_uri`: creates an `import` job and
    /// returns it as created. The same checks, limits and redaction as
    /// [`Client::export_devices`].
    pub async fn import_devices(
        &self,
        input_blob_container_uri: &BlobContainerUri,
        output_blob_container_uri: &BlobContainerUri,
        options: &ImportOptions,
    ) -> Result<JobProperties, Error> {
        input_blob_container_uri.validate("input blob container URI")?;
        output_blob_container_uri.validate("output blob container URI")?;
        let job = options.job_properties(input_blob_container_uri, output_blob_container_uri);
        self.create_import_export_job(&job)
            .await
            .map(without_queries)
    }
}

/// `job` with the query strings (SAS tokens) of its blob container URIs removed.
fn without_queries(mut job: JobProperties) -> JobProperties {
    for uri in [
        &mut job.input_blob_container_uri,
        &mut job.output_blob_container_uri,
    ]
    .into_iter()
    .flatten()
    {
        let end = without_query(uri).len();
        uri.truncate(end);
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAS: &str = "https://account.blob.core.windows.net/out?sv=2021&sig=c2VjcmV0";

    #[test]
    fn debug_and_errors_never_show_the_query_string() {
        let uri = BlobContainerUri::new(SAS);
        assert_eq!(
            format!("{uri:?}"),
            r#"BlobContainerUri("https://account.blob.core.windows.net/out"?<redacted>)"#
        );
        assert_eq!(uri.redacted(), "https://account.blob.core.windows.net/out");
        assert_eq!(uri.expose(), SAS);
        let plain = BlobContainerUri::new("https://account.blob.core.windows.net/out");
        assert_eq!(
            format!("{plain:?}"),
            r#"BlobContainerUri("https://account.blob.core.windows.net/out")"#
        );
        for bad in [
            "ftp://account/out?sig=c2VjcmV0",
            "https://?sig=c2VjcmV0",
            "https:///out?sig=c2VjcmV0",
            "",
        ] {
            let error = BlobContainerUri::new(bad)
                .validate("output blob container URI")
                .unwrap_err();
            let text = format!("{error} {error:?}");
            assert!(matches!(error, Error::InvalidInput(_)), "{text}");
            assert!(!text.contains("c2VjcmV0"), "{text}");
        }
        assert!(uri.validate("x").is_ok());
        assert!(
            BlobContainerUri::new("http://127.0.0.1:10000/devstoreaccount1/out")
                .validate("x")
                .is_ok()
        );
    }

    #[test]
    fn export_and_import_jobs_carry_what_the_options_say() {
        let out = BlobContainerUri::new(SAS);
        let job = ExportOptions::new().job_properties(&out);
        assert_eq!(job.r#type, JobType::Export);
        assert_eq!(job.output_blob_container_uri.as_deref(), Some(SAS));
        assert_eq!(job.exclude_keys_in_export, Some(false));
        assert_eq!(job.include_configurations, None);
        assert_eq!(
            job.storage_authentication_type,
            Some(JobPropertiesStorageAuthenticationType::KeyBased)
        );
        assert_eq!(job.identity, None);

        let identity = "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i";
        let input = BlobContainerUri::new("https://account.blob.core.windows.net/in");
        let job = ImportOptions::new()
            .input_blob_name("in.txt")
            .output_blob_name("results.txt")
            .include_configurations(true)
            .configurations_blob_name("configs.txt")
            .storage_authentication(StorageAuthentication::user_assigned_identity(identity))
            .job_properties(&input, &out);
        assert_eq!(job.r#type, JobType::Import);
        assert_eq!(job.input_blob_name.as_deref(), Some("in.txt"));
        assert_eq!(job.output_blob_name.as_deref(), Some("results.txt"));
        assert_eq!(job.include_configurations, Some(true));
        assert_eq!(job.configurations_blob_name.as_deref(), Some("configs.txt"));
        assert_eq!(
            job.storage_authentication_type,
            Some(JobPropertiesStorageAuthenticationType::IdentityBased)
        );
        assert_eq!(
            job.identity
                .and_then(|i| i.user_assigned_identity)
                .as_deref(),
            Some(identity)
        );
        let system = ExportOptions::new()
            .storage_authentication(StorageAuthentication::system_assigned_identity())
            .job_properties(&input);
        assert_eq!(system.identity, None);
        assert_eq!(
            system.storage_authentication_type,
            Some(JobPropertiesStorageAuthenticationType::IdentityBased)
        );
    }

    #[test]
    fn returned_jobs_lose_the_query_strings() {
        let job = without_queries(JobProperties {
            input_blob_container_uri: Some(format!("{SAS}#frag")),
            output_blob_container_uri: Some(SAS.to_owned()),
            ..JobProperties::new(JobType::Export)
        });
        let text = format!("{job:?}");
        assert!(!text.contains("sig="), "{text}");
        assert_eq!(
            job.output_blob_container_uri.as_deref(),
            Some("https://account.blob.core.windows.net/out")
        );
    }
}
