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
