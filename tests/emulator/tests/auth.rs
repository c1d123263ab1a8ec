// Hand-written test infrastructure (not generated): tests of the emulator's SAS authentication.
//! SAS authentication over real HTTP on 127.0.0.1: tokens from the emulator's connection
//! string pass; a wrong key, an expired token (by advancing the emulator clock), another
//! resource, an unknown policy, a malformed or a missing header, a token valid for more
//! than a year, and a policy without the permission an operation needs get 401
//! `IotHubUnauthorizedAccess` in envelope A.

mod common;

use std::time::Duration;

use common::{Hub, assert_envelope_a, hub_error, start, start_default};
use iothub_emulator::{DEMO_KEY, Permissions, Policy};
use iothub_jobs::StaticCredential;
use iothub_jobs::iothub::sign;
use iothub_jobs::models::{JobProperties, JobType};

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
    let page = hub.client.query_scheduled_jobs_page().await.unwrap();
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
    // `service` has ServiceConnect, which scheduled jobs accept.
    client.query_scheduled_jobs_page().await.unwrap();
    // A policy of another name has every permission unless told otherwise.
    let ops = Policy::new("ops", "b3BzLXBvbGljeS1rZXk=").unwrap();
    let hub = start(common::manual_config().with_policies(vec![ops.clone()])).await;
    let connection_string = format!(
        "HostName={};SharedAccessKeyName=ops;SharedAccessKey={}",
        hub.emulator.host_name(),
        ops.key_base64()
    );
    hub.client_with(&connection_string)
        .get_import_export_jobs()
        .await
        .unwrap();
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

/// What each operation answers a client of `policy`: `true` when it got past
/// authorisation (any answer but 401), `false` on 401 (whose message names the policy).
async fn allowed(hub: &Hub, policy: &str, n: usize) -> [bool; 8] {
    let client = hub.client_with(&hub.emulator.connection_string_for(policy).unwrap());
    let export = JobProperties {
        r#type: JobType::Export,
        output_blob_container_uri: Some("https://blob.example/out".to_owned()),
        job_id: None,
        start_time_utc: None,
        end_time_utc: None,
        status: None,
        progress: None,
        input_blob_container_uri: None,
        input_blob_name: None,
        output_blob_name: None,
        exclude_keys_in_export: None,
        storage_authentication_type: None,
        identity: None,
        failure_reason: None,
        include_configurations: None,
        configurations_blob_name: None,
    };
    let id = format!("job-{n}");
    let job = common::method_job(&id, "*", "ping", hub.at(600), 30, 0, None);
    let results: [Result<(), iothub_jobs::Error>; 8] = [
        client.get_import_export_jobs().await.map(drop),
        client.create_import_export_job(&export).await.map(drop),
        client.get_import_export_job("nope").await.map(drop),
        client.cancel_import_export_job("nope").await.map(drop),
        client.query_scheduled_jobs_page().await.map(drop),
        client.get_scheduled_job("nope").await.map(drop),
        client.create_scheduled_job(&id, &job).await.map(drop),
        client.cancel_scheduled_job("nope").await.map(drop),
    ];
    results.map(|result| match result {
        Err(error) if error.status().map(|s| s.as_u16()) == Some(401) => {
            let seen = hub_error(&error);
            assert_envelope_a(&seen.body, UNAUTHORIZED);
            let message = seen.info.message.unwrap_or_default();
            assert!(message.contains(&format!("policy `{policy}`")), "{message}");
            assert!(message.contains("needs"), "{message}");
            false
        }
        _ => true,
    })
}

#[tokio::test]
async fn each_default_policy_has_the_permissions_of_its_name() {
    let hub = start(
        common::manual_config()
            .with_max_active_jobs(20)
            .with_max_active_import_export_jobs(20),
    )
    .await;
    // Operations, in order: list, create, get, cancel import/export jobs; query, get,
    // create, cancel scheduled jobs.
    let expected: [(&str, [bool; 8]); 5] = [
        ("iothubowner", [true; 8]),
        (
            "service",
            [false, false, false, false, true, true, true, true],
        ),
        ("device", [false; 8]),
        (
            "registryRead",
            [true, false, true, false, true, true, false, false],
        ),
        ("registryReadWrite", [true; 8]),
    ];
    for (n, (policy, operations)) in expected.into_iter().enumerate() {
        assert_eq!(allowed(&hub, policy, n).await, operations, "{policy}");
    }
    // A policy configured with other permissions gets those.
    let custom = Policy::new("jobs-only", DEMO_KEY)
        .unwrap()
        .with_permissions(Permissions::SERVICE_CONNECT | Permissions::REGISTRY_READ);
    let hub = start(common::manual_config().with_policies(vec![custom])).await;
    assert_eq!(
        allowed(&hub, "jobs-only", 0).await,
        [true, false, true, false, true, true, true, true]
    );
}

#[tokio::test]
async fn tokens_valid_for_more_than_a_year_are_401() {
    let hub = start_default().await;
    let policy = &hub.emulator.policies()[0];
    let now = u64::try_from(hub.now().timestamp()).unwrap();
    let year = 365 * 24 * 3600;
    let token = |expiry: u64| {
        sign(
            hub.emulator.host_name(),
            policy.key(),
            Some(policy.name()),
            expiry,
        )
    };
    static_client(&hub, &token(now + year))
        .get_import_export_jobs()
        .await
        .unwrap();
    for expiry in [now + year + 1, u64::MAX, 32_503_680_000] {
        expect_401(
            static_client(&hub, &token(expiry))
                .get_import_export_jobs()
                .await,
            "365 days",
        );
    }
}

#[tokio::test]
async fn a_signature_sent_with_a_raw_plus_passes() {
    let hub = start_default().await;
    let policy = &hub.emulator.policies()[0];
    let now = u64::try_from(hub.now().timestamp()).unwrap();
    // About two signatures in three contain a `+`; take the first that does.
    let token = (now + 600..now + 700)
        .map(|expiry| {
            sign(
                hub.emulator.host_name(),
                policy.key(),
                Some(policy.name()),
                expiry,
            )
        })
        .find(|token| token.contains("%2B"))
        .expect("a signature with a `+`");
    let raw = token.replace("%2B", "+");
    static_client(&hub, &raw)
        .get_import_export_jobs()
        .await
        .unwrap();
    // Read as a space, it would not have matched.
    expect_401(
        static_client(&hub, &token.replace("%2B", "%20"))
            .get_import_export_jobs()
            .await,
        "signature does not match",
    );
}
