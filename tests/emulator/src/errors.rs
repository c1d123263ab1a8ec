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
//! | body larger than the emulator accepts | 413 | `MessageTooLarge` | 413001 | A |
//! | a failure inside the emulator (a bug: it never panics on purpose) | 500 | `ServerError` | 500001 | A |
//!
//! - Envelope A: `{"Message":"ErrorCode:<Name>;<text>","ExceptionMessage":"Tracking ID:<id>-G:0-TimeStamp:<MM/dd/yyyy HH:mm:ss>"}`.
//! - Envelope B: `{"errorCode":404002,"trackingId":"<id>","message":"<text>","timestampUtc":"<RFC 3339>"}`.
//!
//! `JobAlreadyExists` is the emulator's name: IoT Hub's public error-code list (the C# SDK's
//! `ErrorCode.cs`) has no code for a duplicate job id, and 409001 is `DeviceAlreadyExists`, so
//! the 409 carries no numeric code rather than a misleading one.
//!
//! Every message is safe to show and to log: values taken from the request are echoed
//! through [`echo`] (control characters escaped, at most [`MAX_ECHO_CHARS`] characters), and
//! the constructors escape any control character left and cut the message at
//! [`MAX_MESSAGE_CHARS`].

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use iothub_jobs::models::IotHubError;
use iothub_jobs::server_runtime::{self, ServerError};

/// How many characters of a value taken from a request [`echo`] shows.
pub const MAX_ECHO_CHARS: usize = 64;

/// The longest error message the emulator sends or logs, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1024;

/// A value taken from a request, ready to be quoted in a message or a log line: its first
/// [`MAX_ECHO_CHARS`] characters with control characters, quotes and backslashes escaped
/// (as Rust's `escape_debug` does: `\n`, `\u{1b}`...), then `…` and the full length when it
/// was longer. A value can therefore neither start a new log line nor flood one.
pub fn echo(value: &str) -> String {
    let mut shown: String = value
        .chars()
        .take(MAX_ECHO_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if value.chars().nth(MAX_ECHO_CHARS).is_some() {
        shown.push_str(&format!("… ({} characters)", value.chars().count()));
    }
    shown
}

/// `message` with its control characters escaped and cut after [`MAX_MESSAGE_CHARS`]
/// characters (the last resort for text no [`echo`] went through).
fn clean(message: &str) -> String {
    let mut cleaned = String::new();
    let mut shown = 0;
    for c in message.chars() {
        if shown >= MAX_MESSAGE_CHARS {
            cleaned.push('…');
            break;
        }
        if c.is_control() {
            for escaped in c.escape_debug() {
                cleaned.push(escaped);
                shown += 1;
            }
        } else {
            cleaned.push(c);
            shown += 1;
        }
    }
    cleaned
}

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
            message: clean(&message.into()),
            envelope: Envelope::A,
        }
    }

    /// 401 `IotHubUnauthorizedAccess` (401002), envelope A.
    pub fn unauthorized(reason: &str) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "IotHubUnauthorizedAccess",
            numeric_code: Some(401_002),
            message: clean(&format!("Unauthorized: {reason}")),
            envelope: Envelope::A,
        }
    }

    /// 404 `JobNotFound` (404002) for a scheduled job, envelope B.
    pub fn scheduled_job_not_found(job_id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "JobNotFound",
            numeric_code: Some(404_002),
            message: clean(&format!("Job with id '{}' not found", echo(job_id))),
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
            message: clean(&format!("A job with id '{}' already exists", echo(job_id))),
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

    /// 413 `MessageTooLarge` (413001, the code IoT Hub's C# service SDK lists for HTTP 413),
    /// envelope A: a body over the emulator's limit.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "MessageTooLarge",
            numeric_code: Some(413_001),
            message: clean(&message.into()),
            envelope: Envelope::A,
        }
    }

    /// 500 `ServerError` (500001), envelope A: something failed inside the emulator.
    pub fn server_error(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "ServerError",
            numeric_code: Some(500_001),
            message: clean(&message.into()),
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
    fn echoes_are_escaped_and_cut() {
        assert_eq!(echo("registryRead"), "registryRead");
        assert_eq!(echo("a\nINFO forged"), "a\\nINFO forged");
        assert_eq!(echo("\u{1b}[2J"), "\\u{1b}[2J");
        let long = "x".repeat(10_000);
        let shown = echo(&long);
        assert!(shown.starts_with(&"x".repeat(MAX_ECHO_CHARS)), "{shown}");
        assert!(shown.ends_with("… (10000 characters)"), "{shown}");
        assert_eq!(
            echo(&"é".repeat(MAX_ECHO_CHARS)),
            "é".repeat(MAX_ECHO_CHARS)
        );

        // Messages: control characters escaped, length capped, whatever the constructor.
        let error = HubError::argument_invalid(format!("a\r\nb{}", "y".repeat(5000)));
        assert!(error.message.starts_with("a\\r\\nb"), "{}", error.message);
        assert_eq!(error.message.chars().count(), MAX_MESSAGE_CHARS + 1);
        let error = HubError::scheduled_job_not_found("j\n1");
        assert_eq!(error.message, "Job with id 'j\\n1' not found");
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
