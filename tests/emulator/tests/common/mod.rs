// Hand-written test infrastructure (not generated): helpers shared by the emulator's tests.
//! Starting an emulator on 127.0.0.1 with a manual clock, clients for it, and reading IoT Hub
//! errors back. Not every test file uses every helper.
#![allow(dead_code)]

pub mod entra;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use iothub_emulator::{Config, Emulator, ManualClock, Server};
use iothub_jobs::iothub::{IotHubErrorExt as _, SasCredential};
use iothub_jobs::models::{
    CloudToDeviceMethod, DeviceJobStatistics, IotHubError, JobRequest, JobType, Twin,
};
use iothub_jobs::{Client, Error, ErrorBody, RetryPolicy};

/// An emulator served on 127.0.0.1 with a manual clock, and a client for it.
pub struct Hub {
    pub emulator: Arc<Emulator>,
    pub server: Server,
    /// From the emulator's connection string, with retries off so every answer shows.
    pub client: Client,
}

impl Hub {
    /// The emulator's clock now.
    pub fn now(&self) -> DateTime<Utc> {
        self.emulator.now()
    }

    /// `now + seconds`.
    pub fn at(&self, seconds: i64) -> DateTime<Utc> {
        self.now() + chrono::Duration::seconds(seconds)
    }

    /// Advances the emulator clock by whole seconds.
    pub fn advance(&self, seconds: u64) {
        self.emulator.advance(Duration::from_secs(seconds));
    }

    /// A client for the emulator from `connection_string`, retries off.
    pub fn client_with(&self, connection_string: &str) -> Client {
        Client::from_connection_string_with_endpoint(connection_string, &self.server.endpoint())
            .expect("valid connection string")
            .with_retry_policy(RetryPolicy::none())
    }

    /// A client whose SAS tokens follow the emulator's clock, for tests that advance it by
    /// hours (tokens signed with the system clock expire after one hour of emulator time).
    pub fn clock_following_client(&self) -> Client {
        let policy = &self.emulator.policies()[0];
        let credential = SasCredential::new(
            self.emulator.host_name(),
            Some(policy.name()),
            policy.key_base64(),
        )
        .expect("valid key")
        .with_clock(self.emulator.sas_clock());
        Client::new(&self.server.endpoint())
            .expect("valid endpoint")
            .with_retry_policy(RetryPolicy::none())
            .with_credential(credential)
    }

    /// A raw HTTP client and the URL of `path_and_query` on the emulator.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.server.endpoint())
    }

    /// A valid `Authorization` header value for raw requests.
    pub fn token(&self) -> String {
        let policy = &self.emulator.policies()[0];
        let expiry = u64::try_from(self.now().timestamp()).unwrap() + 3600;
        iothub_jobs::iothub::sign(
            self.emulator.host_name(),
            policy.key(),
            Some(policy.name()),
            expiry,
        )
    }
}

/// A config with a manual clock starting at the current second and the demo registry.
pub fn manual_config() -> Config {
    Config::default().with_clock(ManualClock::starting_now())
}

/// Starts `config` (which must have a manual clock) on 127.0.0.1.
pub async fn start(config: Config) -> Hub {
    assert!(
        config.clock.as_manual().is_some(),
        "tests use a manual clock"
    );
    let emulator = Emulator::new(config);
    let server = emulator.serve_loopback().await.expect("bind 127.0.0.1:0");
    assert!(server.addr().ip().is_loopback());
    let client = Client::from_connection_string_with_endpoint(
        &emulator.connection_string(),
        &server.endpoint(),
    )
    .expect("valid connection string")
    .with_retry_policy(RetryPolicy::none());
    Hub {
        emulator,
        server,
        client,
    }
}

/// Starts the default manual-clock emulator.
pub async fn start_default() -> Hub {
    start(manual_config()).await
}

/// A direct-method request.
pub fn method_job(
    id: &str,
    condition: &str,
    method: &str,
    start: DateTime<Utc>,
    response_timeout: i32,
    connect_timeout: i32,
    max_execution: Option<i64>,
) -> JobRequest {
    JobRequest {
        job_id: id.to_owned(),
        r#type: JobType::ScheduleDeviceMethod,
        cloud_to_device_method: Some(CloudToDeviceMethod {
            method_name: method.to_owned(),
            payload: Some(serde_json::json!({"delay": 0})),
            response_timeout_in_seconds: Some(response_timeout),
            connect_timeout_in_seconds: Some(connect_timeout),
        }),
        query_condition: Some(condition.to_owned()),
        start_time: Some(start),
        max_execution_time_in_seconds: max_execution,
        update_twin: None,
    }
}

/// A twin-update request.
pub fn twin_job(id: &str, condition: &str, twin: Twin, start: DateTime<Utc>) -> JobRequest {
    JobRequest {
        job_id: id.to_owned(),
        r#type: JobType::ScheduleUpdateTwin,
        update_twin: Some(Twin {
            etag: Some("*".to_owned()),
            ..twin
        }),
        query_condition: Some(condition.to_owned()),
        start_time: Some(start),
        max_execution_time_in_seconds: Some(3600),
        cloud_to_device_method: None,
    }
}

/// The statistics as `(devices, pending, running, succeeded, failed)`.
pub fn stats(statistics: Option<&DeviceJobStatistics>) -> (i32, i32, i32, i32, i32) {
    let s = statistics.expect("deviceJobStatistics present");
    (
        s.device_count.unwrap(),
        s.pending_count.unwrap(),
        s.running_count.unwrap(),
        s.succeeded_count.unwrap(),
        s.failed_count.unwrap(),
    )
}

/// An IoT Hub error as the client received it.
#[derive(Debug)]
pub struct HubErrorSeen {
    pub status: u16,
    /// The `iothub-errorcode` header.
    pub header: Option<String>,
    /// The body as typed by the client.
    pub body: IotHubError,
    /// The textual code, tracking id and message as the client's parser reads them.
    pub info: iothub_jobs::iothub::IotHubErrorInfo,
}

/// Reads an [`Error::Status`] back, panicking on anything else.
pub fn hub_error(error: &Error) -> HubErrorSeen {
    let response = error
        .response()
        .unwrap_or_else(|| panic!("expected an error status, got {error:?}"));
    let body = match &response.body {
        ErrorBody::Typed(body) => body.clone(),
        ErrorBody::Raw(raw) => panic!("untyped error body: {}", String::from_utf8_lossy(raw)),
    };
    HubErrorSeen {
        status: response.status.as_u16(),
        header: error.header("iothub-errorcode").map(str::to_owned),
        body,
        info: error.iothub_error().expect("an IoT Hub error"),
    }
}

/// Checks an error: status, `iothub-errorcode` header, and the code the client reads from the
/// body; returns the message.
pub fn expect_error(
    result: Result<impl std::fmt::Debug, Error>,
    status: u16,
    code: &str,
) -> String {
    let error = match result {
        Ok(value) => panic!("expected {status} {code}, got {value:?}"),
        Err(error) => error,
    };
    let seen = hub_error(&error);
    assert_eq!(seen.status, status, "{seen:?}");
    assert_eq!(seen.header.as_deref(), Some(code), "{seen:?}");
    assert_eq!(seen.info.code.as_deref(), Some(code), "{seen:?}");
    assert!(seen.info.tracking_id.is_some(), "{seen:?}");
    seen.info.message.unwrap_or_default()
}

/// Checks that a body is in envelope A for `code`.
pub fn assert_envelope_a(body: &IotHubError, code: &str) {
    let message = body.message.as_deref().expect("Message");
    assert!(
        message.starts_with(&format!("ErrorCode:{code};")),
        "{message}"
    );
    let exception = body.exception_message.as_deref().expect("ExceptionMessage");
    assert!(exception.starts_with("Tracking ID:"), "{exception}");
    assert!(exception.contains("-G:0-TimeStamp:"), "{exception}");
    assert_eq!(body.error_code, None);
}

/// The JSON body of a raw response.
pub async fn json<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> T {
    let bytes = response.bytes().await.expect("response body");
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
}
