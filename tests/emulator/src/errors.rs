// Hand-written test infrastructure (not generated): IoT Hub error responses.
//! Error responses as IoT Hub sends them: a status, the `iothub-errorcode` header with the
//! textual code, and a JSON body in one of IoT Hub's envelopes (see `spec/README.md`,
//! correction 3):
//!
//! | case | status | `iothub-errorcode` | numeric | envelope |
//! | --- | --- | --- | --- | --- |
//! | bad token, no token, expired, wrong resource | 401 | `IotHubUnauthorizedAccess` | 401002 | A |
//! | bad body, bad job id, bad or missing `api-version`, bad query condition, bad paging header | 400 | `ArgumentInvalid` | 400004 | A |
//! | unknown scheduled job (`/jobs/v2/{id}`) | 404 | `JobNotFound` | 404002 | B at the top level |
//! | unknown import/export job (`/jobs/{id}`) | 404 | `JobNotFound` | 404002 | B serialised inside `Message` |
//! | `PUT /jobs/v2/{id}` of an existing id | 409 | `JobAlreadyExists` | none | A |
//! | too many active jobs | 429 | `ThrottlingMaxActiveJobCountExceeded` | 429004 | A |
//!
//! - Envelope A: `{"Message":"ErrorCode:<Name>;<text>","ExceptionMessage":"Tracking ID:<id>-G:0-TimeStamp:<MM/dd/yyyy HH:mm:ss>"}`.
//! - Envelope B: `{"errorCode":404002,"trackingId":"<id>","message":"<text>","timestampUtc":"<RFC 3339>"}`.
//!
//! `JobAlreadyExists` is the emulator's name: IoT Hub's public error-code list (the C# SDK's
//! `ErrorCode.cs`) has no code for a duplicate job id, and 409001 is `DeviceAlreadyExists`, so
//! the 409 carries no numeric code rather than a misleading one.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use iothub_jobs::models::IotHubError;
use iothub_jobs::server_runtime::{self, ServerError};

/// The body shape an error is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `Message` = `ErrorCode:<Name>;<text>` and `ExceptionMessage` = `Tracking ID:…`.
    A,
    /// `errorCode`, `trackingId`, `message`, `timestampUtc` at the top level.
    B,
    /// Envelope B serialised as a JSON string inside `Message`.
    BInMessage,
}

/// An IoT Hub error: status, textual and numeric code, message and envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The textual code, sent in `iothub-errorcode` and in envelope A's `Message`.
    pub code: &'static str,
    /// The six-digit code, sent in envelope B.
    pub numeric_code: Option<i32>,
    /// The human-readable text.
    pub message: String,
    /// The body shape.
    pub envelope: Envelope,
}

impl HubError {
    /// 400 `ArgumentInvalid` (400004), envelope A.
    pub fn argument_invalid(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "ArgumentInvalid",
            numeric_code: Some(400_004),
            message: message.into(),
            envelope: Envelope::A,
        }
    }

    /// 401 `IotHubUnauthorizedAccess` (401002), envelope A.
    pub fn unauthorized(reason: &str) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "IotHubUnauthorizedAccess",
            numeric_code: Some(401_002),
            message: format!("Unauthorized: {reason}"),
            envelope: Envelope::A,
        }
    }

    /// 404 `JobNotFound` (404002) for a scheduled job, envelope B.
    pub fn scheduled_job_not_found(job_id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "JobNotFound",
            numeric_code: Some(404_002),
            message: format!("Job with id '{job_id}' not found"),
            envelope: Envelope::B,
        }
    }

    /// 404 `JobNotFound` (404002) for an import/export job, envelope B inside `Message`.
    pub fn import_export_job_not_found(job_id: &str) -> Self {
        Self {
            envelope: Envelope::BInMessage,
            ..Self::scheduled_job_not_found(job_id)
        }
    }

    /// 409 `JobAlreadyExists` (no numeric code), envelope A.
    pub fn job_already_exists(job_id: &str) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            code: "JobAlreadyExists",
            numeric_code: None,
            message: format!("A job with id '{job_id}' already exists"),
            envelope: Envelope::A,
        }
    }

    /// 429 `ThrottlingMaxActiveJobCountExceeded` (429004), envelope A.
    pub fn too_many_active_jobs(max: usize, kind: &str) -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "ThrottlingMaxActiveJobCountExceeded",
            numeric_code: Some(429_004),
            message: format!(
                "The maximum number of active {kind} jobs ({max}) has been reached; retry after one finishes"
            ),
            envelope: Envelope::A,
        }
    }

    /// The body, with a new tracking id and `now` as its time stamp.
    pub fn body(&self, now: DateTime<Utc>) -> IotHubError {
        let tracking_id = tracking_id();
        let envelope_b = || IotHubError {
            error_code: self.numeric_code,
            tracking_id: Some(tracking_id.clone()),
            message2: Some(self.message.clone()),
            timestamp_utc: Some(now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            ..IotHubError::default()
        };
        match self.envelope {
            Envelope::A => IotHubError {
                message: Some(format!("ErrorCode:{};{}", self.code, self.message)),
                exception_message: Some(format!(
                    "Tracking ID:{tracking_id}-G:0-TimeStamp:{}",
                    now.format("%m/%d/%Y %H:%M:%S")
                )),
                ..IotHubError::default()
            },
            Envelope::B => envelope_b(),
            Envelope::BInMessage => IotHubError {
                message: Some(serde_json::to_string(&envelope_b()).unwrap_or_default()),
                ..IotHubError::default()
            },
        }
    }

    /// The error as the generated server's error value.
    pub fn to_server_error(&self, now: DateTime<Utc>) -> ServerError<IotHubError> {
        ServerError::new(self.status, self.body(now)).with_header("iothub-errorcode", self.code)
    }

    /// The error as a complete HTTP response.
    pub fn to_response(&self, now: DateTime<Utc>) -> Response {
        server_runtime::error_response(self.to_server_error(now))
    }
}

/// A tracking id: 32 lower-case hex digits, as IoT Hub's.
fn tracking_id() -> String {
    format!("{:032x}", fastrand::u128(..))
}

#[cfg(test)]
mod tests {
    use iothub_jobs::ErrorBody;
    use iothub_jobs::iothub::IotHubErrorInfo;

    use super::*;

    fn read_back(error: &HubError) -> IotHubErrorInfo {
        let body = error.body(Utc::now());
        IotHubErrorInfo::from_parts(None, &ErrorBody::Typed(body))
    }

    #[test]
    fn every_envelope_reads_back_with_the_client_parser() {
        let a = read_back(&HubError::argument_invalid("bad"));
        assert_eq!(a.code.as_deref(), Some("ArgumentInvalid"));
        assert_eq!(a.message.as_deref(), Some("bad"));
        assert_eq!(a.tracking_id.as_ref().map(String::len), Some(32));

        for error in [
            HubError::scheduled_job_not_found("j1"),
            HubError::import_export_job_not_found("j1"),
        ] {
            let info = read_back(&error);
            assert_eq!(info.numeric_code, Some(404_002));
            assert_eq!(info.code.as_deref(), Some("JobNotFound"));
            assert_eq!(info.message.as_deref(), Some("Job with id 'j1' not found"));
        }
        let nested = HubError::import_export_job_not_found("j1").body(Utc::now());
        assert!(nested.message.unwrap().starts_with("{\"errorCode\":404002"));
        assert_eq!(nested.error_code, None);
    }

    #[test]
    fn timestamps_have_the_service_formats() {
        let now = DateTime::parse_from_rfc3339("2022-10-18T20:50:39Z")
            .unwrap()
            .with_timezone(&Utc);
        let a = HubError::unauthorized("x").body(now);
        assert!(
            a.exception_message
                .unwrap()
                .ends_with("-G:0-TimeStamp:10/18/2022 20:50:39")
        );
        let b = HubError::scheduled_job_not_found("j").body(now);
        assert_eq!(b.timestamp_utc.as_deref(), Some("2022-10-18T20:50:39.000Z"));
    }
}
