// Hand-written test infrastructure (not generated): Microsoft Entra ID end to end.
//! The client's `entra-id` feature against the emulator over real HTTP on 127.0.0.1: a fake
//! token source gives the bearer token the emulator was configured with, and a job is
//! scheduled, run and read back. A wrong bearer token, any bearer token when none is
//! configured, and one without the permission an operation needs get the service's 401
//! `IotHubUnauthorizedAccess`, without the token in the message.

mod common;

use std::sync::atomic::Ordering;

use common::entra::{FakeSource, client};
use common::{assert_envelope_a, hub_error, manual_config, start};
use iothub_emulator::{BearerToken, Permissions};
use iothub_jobs::models::{CloudToDeviceMethod, JobStatus};

const TOKEN: &str = "emulator-entra-token-0001";

#[tokio::test]
async fn schedules_a_job_and_reads_it_back_with_an_entra_token() {
    let hub = start(manual_config().with_bearer_token(TOKEN)).await;
    let source = FakeSource::new(TOKEN);
    let client = client(&hub.server.endpoint(), &source);
    let method = CloudToDeviceMethod::new("reboot").with_response_timeout_in_seconds(30);
    let created = client
        .schedule_device_method(
            "entra-reboot",
            "deviceId IN ['thermostat-43-01', 'thermostat-43-02']",
            method,
        )
        .start_time(hub.now())
        .await
        .unwrap();
    assert_eq!(created.job_id.as_deref(), Some("entra-reboot"));
    hub.advance(5);
    let job = client.get_scheduled_job("entra-reboot").await.unwrap();
    assert_eq!(job.status, Some(JobStatus::Completed));
    let statistics = job.device_job_statistics.unwrap();
    assert_eq!(statistics.succeeded_count, Some(2));
    // One token for every request.
    assert_eq!(source.calls.load(Ordering::SeqCst), 1);
    // SAS tokens still pass beside the bearer token.
    hub.client.get_scheduled_job("entra-reboot").await.unwrap();
}

#[tokio::test]
async fn wrong_or_unconfigured_bearer_tokens_get_401() {
    for (configured, sent, reason) in [
        (
            Some(TOKEN),
            "someone-elses-token",
            "the bearer token is not one this hub accepts",
        ),
        (None, TOKEN, "the emulator accepts no bearer tokens"),
    ] {
        let config = match configured {
            Some(token) => manual_config().with_bearer_token(token),
            None => manual_config(),
        };
        let hub = start(config).await;
        let source = FakeSource::new(sent);
        let client = client(&hub.server.endpoint(), &source);
        let error = client.get_scheduled_job("any").await.unwrap_err();
        let seen = hub_error(&error);
        assert_eq!(seen.status, 401, "{seen:?}");
        assert_eq!(seen.header.as_deref(), Some("IotHubUnauthorizedAccess"));
        assert_envelope_a(&seen.body, "IotHubUnauthorizedAccess");
        let message = seen.info.message.unwrap_or_default();
        assert!(message.contains(reason), "`{reason}` not in `{message}`");
        assert!(!message.contains(sent), "{message}");
        // The 401 made the client drop the token and try once more with a fresh one.
        assert_eq!(source.calls.load(Ordering::SeqCst), 2);
    }
}

#[tokio::test]
async fn a_bearer_token_has_the_permissions_it_was_given() {
    let reader = BearerToken::new(TOKEN).with_permissions(Permissions::REGISTRY_READ);
    let hub = start(manual_config().with_bearer_tokens(vec![reader])).await;
    let client = client(&hub.server.endpoint(), &FakeSource::new(TOKEN));
    // Reading needs RegistryRead: allowed (the job does not exist).
    let error = client.get_scheduled_job("missing").await.unwrap_err();
    assert_eq!(hub_error(&error).status, 404);
    // Creating needs ServiceConnect or RegistryReadWrite.
    let error = client
        .schedule_device_method("not-allowed", "*", CloudToDeviceMethod::new("reboot"))
        .await
        .unwrap_err();
    let seen = hub_error(&error);
    assert_eq!(seen.status, 401);
    let message = seen.info.message.unwrap_or_default();
    assert!(
        message.contains("the bearer token (RegistryRead) may not call PUT /jobs/v2/{id}"),
        "{message}"
    );
}
