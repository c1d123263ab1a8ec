// Hand-written test infrastructure (not generated): tests of the emulator's SAS authentication.
//! SAS authentication over real HTTP on 127.0.0.1: tokens from the emulator's connection
//! string pass; a wrong key, an expired token (by advancing the emulator clock), another
//! resource, an unknown policy, a malformed or a missing header get 401
//! `IotHubUnauthorizedAccess` in envelope A.

mod common;

use std::time::Duration;

use common::{Hub, assert_envelope_a, hub_error, start, start_default};
use iothub_emulator::{DEMO_KEY, Policy};
use iothub_jobs::StaticCredential;
use iothub_jobs::iothub::sign;

const UNAUTHORIZED: &str = "IotHubUnauthorizedAccess";

/// Checks that `result` is a 401 in envelope A whose message mentions `reason`.
fn expect_401<T: std::fmt::Debug>(result: Result<T, iothub_jobs::Error>, reason: &str) {
    let error = result.expect_err("expected 401");
    let seen = hub_error(&error);
    assert_eq!(seen.status, 401, "{seen:?}");
    assert_eq!(seen.header.as_deref(), Some(UNAUTHORIZED));
    assert_envelope_a(&seen.body, UNAUTHORIZED);
    let message = seen.info.message.unwrap_or_default();
    assert!(message.contains(reason), "`{reason}` not in `{message}`");
}

/// A client sending exactly `token`.
fn static_client(hub: &Hub, token: &str) -> iothub_jobs::Client {
    iothub_jobs::Client::new(&hub.server.endpoint())
        .unwrap()
        .with_retry_policy(iothub_jobs::RetryPolicy::none())
        .with_credential(StaticCredential::new(token).unwrap())
}

#[tokio::test]
async fn good_token_from_the_connection_string_passes() {
    let hub = start_default().await;
    assert!(hub.emulator.connection_string().starts_with(
        "HostName=emulator.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey="
    ));
    assert_eq!(hub.client.get_import_export_jobs().await.unwrap(), vec![]);
    let page = hub
        .client
        .query_scheduled_jobs_page(None, None, None, None)
        .await
        .unwrap();
    assert!(page.body.is_empty());
}

#[tokio::test]
async fn every_configured_policy_signs_valid_tokens() {
    let service = Policy::new("service", "c2VydmljZS1wb2xpY3kta2V5").unwrap();
    let hub =
        start(common::manual_config().with_policies(vec![Policy::demo(), service.clone()])).await;
    let connection_string = format!(
        "HostName={};SharedAccessKeyName=service;SharedAccessKey={}",
        hub.emulator.host_name(),
        service.key_base64()
    );
    let client = hub.client_with(&connection_string);
    client.get_import_export_jobs().await.unwrap();
}

#[tokio::test]
async fn wrong_signature_is_401() {
    let hub = start_default().await;
    // The right policy name with another key.
    let wrong_key = format!(
        "HostName={};SharedAccessKeyName=iothubowner;SharedAccessKey=d3Jvbmcta2V5LWZvci10ZXN0cw==",
        hub.emulator.host_name()
    );
    expect_401(
        hub.client_with(&wrong_key).get_scheduled_job("job-1").await,
        "signature does not match",
    );
    // A valid token whose expiry was changed after signing.
    let token = hub.token();
    let se: u64 = token.split("se=").nth(1).unwrap()[..10].parse().unwrap();
    let tampered = token.replace(&format!("se={se}"), &format!("se={}", se + 86_400));
    expect_401(
        static_client(&hub, &tampered)
            .get_import_export_jobs()
            .await,
        "signature does not match",
    );
}

#[tokio::test]
async fn token_expires_when_the_emulator_clock_passes_it() {
    let hub = start_default().await;
    // A token valid for 60 s of emulator time.
    let policy = &hub.emulator.policies()[0];
    let expiry = u64::try_from(hub.now().timestamp()).unwrap() + 60;
    let token = sign(
        hub.emulator.host_name(),
        policy.key(),
        Some(policy.name()),
        expiry,
    );
    let client = static_client(&hub, &token);
    client.get_import_export_jobs().await.unwrap();
    hub.advance(59);
    client.get_import_export_jobs().await.unwrap();
    hub.advance(1);
    expect_401(client.get_import_export_jobs().await, "expired");

    // The connection-string client's tokens (one hour, system clock) expire too once the
    // emulator is two hours ahead...
    hub.emulator.advance(Duration::from_secs(2 * 3600));
    expect_401(hub.client.get_import_export_jobs().await, "expired");
    // ... while a client whose tokens follow the emulator's clock keeps working.
    hub.clock_following_client()
        .get_import_export_jobs()
        .await
        .unwrap();
}

#[tokio::test]
async fn wrong_resource_is_401() {
    let hub = start_default().await;
    let other_hub = format!(
        "HostName=other-hub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey={DEMO_KEY}"
    );
    expect_401(
        hub.client_with(&other_hub).get_import_export_jobs().await,
        "other-hub.azure-devices.net",
    );
    // The host name is configurable: the same token passes on a hub of that name.
    let renamed =
        start(common::manual_config().with_host_name("other-hub.azure-devices.net")).await;
    renamed
        .client_with(&other_hub)
        .get_import_export_jobs()
        .await
        .unwrap();
}

#[tokio::test]
async fn unknown_policy_malformed_and_missing_tokens_are_401() {
    let hub = start_default().await;
    let unknown = format!(
        "HostName={};SharedAccessKeyName=registryRead;SharedAccessKey={DEMO_KEY}",
        hub.emulator.host_name()
    );
    expect_401(
        hub.client_with(&unknown).get_import_export_jobs().await,
        "registryRead",
    );
    expect_401(
        static_client(&hub, "Bearer eyJhbGciOi")
            .get_import_export_jobs()
            .await,
        "SharedAccessSignature",
    );
    // No Authorization header at all, on every route (also one that does not exist).
    let http = reqwest::Client::new();
    for (method, path) in [
        (reqwest::Method::GET, "/jobs?api-version=2021-04-12"),
        (
            reqwest::Method::PUT,
            "/jobs/v2/job-1?api-version=2021-04-12",
        ),
        (
            reqwest::Method::GET,
            "/jobs/v2/query?api-version=2021-04-12",
        ),
        (reqwest::Method::GET, "/no/such/route"),
    ] {
        let response = http.request(method, hub.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401, "{path}");
        assert_eq!(
            response.headers()["iothub-errorcode"].to_str().unwrap(),
            UNAUTHORIZED
        );
        let body: serde_json::Value = common::json(response).await;
        assert!(
            body["Message"]
                .as_str()
                .unwrap()
                .starts_with("ErrorCode:IotHubUnauthorizedAccess;"),
            "{body}"
        );
    }
}
