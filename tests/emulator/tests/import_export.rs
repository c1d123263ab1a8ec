// Hand-written test infrastructure (not generated): tests of import/export jobs in the emulator.
//! Import/export jobs through the generated client: created `enqueued` with a service id,
//! listed, fetched, `running` halfway through the simulated duration, `completed` at its end,
//! cancelled; blob URIs are kept; one active job at a time by default.

mod common;

use std::time::Duration;

use common::{expect_error, start, start_default};
use iothub_jobs::models::{
    CancelImportExportJobResponse, JobProperties, JobPropertiesStorageAuthenticationType,
    JobStatus, JobType,
};

fn export_request() -> JobProperties {
    JobProperties {
        r#type: JobType::Export,
        output_blob_container_uri: Some(
            "https://account.blob.core.windows.net/out?sv=x".to_owned(),
        ),
        exclude_keys_in_export: Some(true),
        storage_authentication_type: Some(JobPropertiesStorageAuthenticationType::KeyBased),
        job_id: None,
        start_time_utc: None,
        end_time_utc: None,
        status: None,
        progress: None,
        input_blob_container_uri: None,
        input_blob_name: None,
        output_blob_name: None,
        identity: None,
        failure_reason: None,
        include_configurations: None,
        configurations_blob_name: None,
    }
}

fn import_request() -> JobProperties {
    JobProperties {
        r#type: JobType::Import,
        input_blob_container_uri: Some("https://account.blob.core.windows.net/in?sv=x".to_owned()),
        input_blob_name: Some("devices.txt".to_owned()),
        output_blob_container_uri: Some(
            "https://account.blob.core.windows.net/out?sv=x".to_owned(),
        ),
        job_id: None,
        start_time_utc: None,
        end_time_utc: None,
        status: None,
        progress: None,
        output_blob_name: None,
        exclude_keys_in_export: None,
        storage_authentication_type: None,
        identity: None,
        failure_reason: None,
        include_configurations: None,
        configurations_blob_name: None,
    }
}

#[tokio::test]
async fn export_job_lifecycle() {
    let hub = start_default().await; // import/export jobs take 10 s by default
    let created = hub
        .client
        .create_import_export_job(&export_request())
        .await
        .unwrap();
    let id = created.job_id.clone().unwrap();
    assert_eq!(id.len(), 36, "a GUID-shaped id: {id}");
    assert_eq!(created.status, Some(JobStatus::Enqueued));
    assert_eq!(created.progress, Some(0));
    assert_eq!(created.start_time_utc, Some(hub.now()));
    assert_eq!(created.end_time_utc, None);
    assert_eq!(
        created.output_blob_container_uri,
        export_request().output_blob_container_uri,
        "the blob URI is recorded"
    );
    assert_eq!(created.exclude_keys_in_export, Some(true));
    assert_eq!(
        created.storage_authentication_type,
        Some(JobPropertiesStorageAuthenticationType::KeyBased)
    );

    hub.advance(4);
    let job = hub.client.get_import_export_job(&id).await.unwrap();
    assert_eq!(job.status, Some(JobStatus::Enqueued));
    hub.advance(1);
    let job = hub.client.get_import_export_job(&id).await.unwrap();
    assert_eq!(
        (job.status.clone(), job.progress),
        (Some(JobStatus::Running), Some(50))
    );
    hub.advance(5);
    let job = hub.client.get_import_export_job(&id).await.unwrap();
    assert_eq!(
        (job.status.clone(), job.progress),
        (Some(JobStatus::Completed), Some(100))
    );
    assert_eq!(
        job.end_time_utc,
        Some(created.start_time_utc.unwrap() + chrono::Duration::seconds(10))
    );
    assert_eq!(hub.emulator.import_export_job(&id).unwrap(), job);

    // Listed with everything else; cancelling a finished job changes nothing.
    let import = hub
        .client
        .create_import_export_job(&import_request())
        .await
        .unwrap();
    assert_eq!(import.input_blob_name.as_deref(), Some("devices.txt"));
    let all = hub.client.get_import_export_jobs().await.unwrap();
    let ids: Vec<_> = all.iter().map(|j| j.job_id.clone().unwrap()).collect();
    assert_eq!(ids, [id.clone(), import.job_id.clone().unwrap()]);
    let CancelImportExportJobResponse::Ok(body) =
        hub.client.cancel_import_export_job(&id).await.unwrap()
    else {
        panic!("200 with a body expected");
    };
    assert_eq!(body["status"], "completed");
}

#[tokio::test]
async fn one_active_import_export_job_at_a_time_and_cancel() {
    let hub =
        start(common::manual_config().with_import_export_duration(Duration::from_secs(60))).await;
    let first = hub
        .client
        .create_import_export_job(&import_request())
        .await
        .unwrap();
    let first_id = first.job_id.unwrap();
    expect_error(
        hub.client.create_import_export_job(&export_request()).await,
        429,
        "ThrottlingMaxActiveJobCountExceeded",
    );

    hub.advance(30);
    let CancelImportExportJobResponse::Ok(body) = hub
        .client
        .cancel_import_export_job(&first_id)
        .await
        .unwrap()
    else {
        panic!("200 with a body expected");
    };
    assert_eq!(body["status"], "cancelled");
    assert_eq!(body["jobId"], first_id.as_str());
    hub.advance(60);
    let job = hub.client.get_import_export_job(&first_id).await.unwrap();
    assert_eq!(job.status, Some(JobStatus::Cancelled));
    assert_eq!(
        job.progress,
        Some(50),
        "progress of the moment of cancellation"
    );
    assert_eq!(
        job.end_time_utc,
        Some(first.start_time_utc.unwrap() + chrono::Duration::seconds(30))
    );

    // The slot is free again.
    let second = hub
        .client
        .create_import_export_job(&export_request())
        .await
        .unwrap();
    assert_ne!(second.job_id.unwrap(), first_id);

    // A configurable limit.
    let roomy = start(common::manual_config().with_max_active_import_export_jobs(3)).await;
    for _ in 0..3 {
        roomy
            .client
            .create_import_export_job(&export_request())
            .await
            .unwrap();
    }
    expect_error(
        roomy
            .client
            .create_import_export_job(&export_request())
            .await,
        429,
        "ThrottlingMaxActiveJobCountExceeded",
    );
}

/// `export_devices` then `import_devices`, key-based: the emulator records the SAS URIs whole
/// and every option; the jobs returned show the URIs without their tokens.
#[tokio::test]
async fn export_then_import_with_sas_container_uris() {
    use iothub_jobs::iothub::{BlobContainerUri, ExportOptions, ImportOptions};

    let hub =
        start(common::manual_config().with_import_export_duration(Duration::from_secs(10))).await;
    let sas = "sv=2021-08-06&sr=c&sp=racwdl&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D";
    let exports = BlobContainerUri::new(format!(
        "https://account.blob.core.windows.net/exports?{sas}"
    ));
    let export = hub
        .client
        .export_devices(
            &exports,
            &ExportOptions::new()
                .exclude_keys(true)
                .output_blob_name("backup.txt")
                .include_configurations(true)
                .configurations_blob_name("backup-configurations.txt"),
        )
        .await
        .unwrap();
    let id = export.job_id.clone().unwrap();
    assert_eq!(export.status, Some(JobStatus::Enqueued));
    assert_eq!(
        export.output_blob_container_uri.as_deref(),
        Some("https://account.blob.core.windows.net/exports"),
        "the returned job has no token"
    );
    assert!(!format!("{export:?} {exports:?}").contains("sig="));
    let recorded = hub.emulator.import_export_job(&id).unwrap();
    assert_eq!(recorded.r#type, JobType::Export);
    assert_eq!(
        recorded.output_blob_container_uri.as_deref(),
        Some(exports.expose()),
        "the service got the SAS URI whole"
    );
    assert_eq!(recorded.output_blob_name.as_deref(), Some("backup.txt"));
    assert_eq!(recorded.exclude_keys_in_export, Some(true));
    assert_eq!(recorded.include_configurations, Some(true));
    assert_eq!(
        recorded.configurations_blob_name.as_deref(),
        Some("backup-configurations.txt")
    );
    assert_eq!(
        recorded.storage_authentication_type,
        Some(JobPropertiesStorageAuthenticationType::KeyBased)
    );
    assert_eq!(recorded.identity, None);

    // One job at a time: the import waits for the export to finish.
    hub.advance(10);
    let done = hub.client.get_import_export_job(&id).await.unwrap();
    assert_eq!(done.status, Some(JobStatus::Completed));

    let results = BlobContainerUri::new(format!(
        "https://account.blob.core.windows.net/results?{sas}"
    ));
    let import = hub
        .client
        .import_devices(
            &exports,
            &results,
            &ImportOptions::new().input_blob_name("backup.txt"),
        )
        .await
        .unwrap();
    let recorded = hub
        .emulator
        .import_export_job(import.job_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(recorded.r#type, JobType::Import);
    assert_eq!(
        recorded.input_blob_container_uri.as_deref(),
        Some(exports.expose())
    );
    assert_eq!(recorded.input_blob_name.as_deref(), Some("backup.txt"));
    assert_eq!(
        recorded.output_blob_container_uri.as_deref(),
        Some(results.expose())
    );
    assert_eq!(recorded.include_configurations, None);
    assert_eq!(
        recorded.storage_authentication_type,
        Some(JobPropertiesStorageAuthenticationType::KeyBased)
    );
    assert_eq!(
        import.input_blob_container_uri.as_deref(),
        Some("https://account.blob.core.windows.net/exports")
    );
    assert!(!format!("{import:?}").contains("sig="));
}

/// `export_devices` then `import_devices`, identity-based: the system-assigned identity (no
/// `identity` field) for the export, a user-assigned one for the import.
#[tokio::test]
async fn export_then_import_with_managed_identities() {
    use iothub_jobs::iothub::{
        BlobContainerUri, ExportOptions, ImportOptions, StorageAuthentication,
    };

    let hub = start(common::manual_config().with_max_active_import_export_jobs(2)).await;
    let container = BlobContainerUri::new("https://account.blob.core.windows.net/devices");
    let export = hub
        .client
        .export_devices(
            &container,
            &ExportOptions::new()
                .storage_authentication(StorageAuthentication::system_assigned_identity()),
        )
        .await
        .unwrap();
    let recorded = hub
        .emulator
        .import_export_job(export.job_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(
        recorded.storage_authentication_type,
        Some(JobPropertiesStorageAuthenticationType::IdentityBased)
    );
    assert_eq!(recorded.identity, None);
    assert_eq!(
        recorded.output_blob_container_uri.as_deref(),
        Some(container.expose())
    );
    assert_eq!(recorded.exclude_keys_in_export, Some(false));

    let identity = "/subscriptions/0000/resourceGroups/iot/providers/Microsoft.ManagedIdentity/userAssignedIdentities/hub-storage";
    let import = hub
        .client
        .import_devices(
            &container,
            &container,
            &ImportOptions::new()
                .storage_authentication(StorageAuthentication::user_assigned_identity(identity)),
        )
        .await
        .unwrap();
    let recorded = hub
        .emulator
        .import_export_job(import.job_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(
        recorded.storage_authentication_type,
        Some(JobPropertiesStorageAuthenticationType::IdentityBased)
    );
    assert_eq!(
        recorded
            .identity
            .and_then(|identity| identity.user_assigned_identity)
            .as_deref(),
        Some(identity)
    );
    assert_eq!(
        import.input_blob_container_uri,
        recorded.input_blob_container_uri
    );
}

/// A container URI that is not one is refused before anything is sent, and the error does
/// not show its query string; the service's own refusals arrive typed.
#[tokio::test]
async fn bad_container_uris_are_refused_without_showing_tokens() {
    use iothub_jobs::iothub::{BlobContainerUri, ExportOptions, IotHubErrorExt as _};

    let hub = start(common::manual_config()).await;
    let error = hub
        .client
        .export_devices(
            &BlobContainerUri::new("account/exports?sig=c2VjcmV0"),
            &ExportOptions::new(),
        )
        .await
        .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(
        matches!(error, iothub_jobs::Error::InvalidInput(_)),
        "{text}"
    );
    assert!(text.contains("account/exports"), "{text}");
    assert!(!text.contains("c2VjcmV0"), "{text}");
    assert!(
        hub.client
            .get_import_export_jobs()
            .await
            .unwrap()
            .is_empty()
    );

    // The hub's limit of one active job, as the service answers it.
    let container = BlobContainerUri::new("https://account.blob.core.windows.net/x?sig=c2VjcmV0");
    hub.client
        .export_devices(&container, &ExportOptions::new())
        .await
        .unwrap();
    let error = hub
        .client
        .export_devices(&container, &ExportOptions::new())
        .await
        .unwrap_err();
    assert!(error.is_throttled(), "{error}");
    assert!(!format!("{error} {error:?}").contains("c2VjcmV0"));
}
