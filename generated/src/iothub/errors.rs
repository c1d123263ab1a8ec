// Hand-written: not generated; `cargo xtask regen` never touches this file.
//! The IoT Hub error envelopes, read into one shape, and the error codes they carry.
//!
//! IoT Hub sends its errors in several envelopes (see `spec/README.md`, correction 3):
//! `{"Message":"ErrorCode:JobNotFound;…","ExceptionMessage":"Tracking ID:…-G:0-TimeStamp:…"}`,
//! `{"errorCode":404002,"trackingId":"…","message":"…","timestampUtc":"…"}`, or the latter as
//! a JSON string inside `Message`; the textual code also comes in the `iothub-errorcode`
//! header.

mod codes;

use std::fmt;

pub use codes::ErrorCode;

use crate::models::IotHubError;
use crate::runtime::{ErrorBody, StatusCode};

/// What an IoT Hub error says, whichever envelope it came in.
///
/// Its `Display` is one line with what is known of the status, the code (with its number),
/// the message and the tracking id:
///
/// ```
/// use iothub_jobs::iothub::{ErrorCode, IotHubErrorInfo};
///
/// let mut info = IotHubErrorInfo::default();
/// info.status = Some(iothub_jobs::runtime::StatusCode::NOT_FOUND);
/// info.code = Some(ErrorCode::JobNotFound);
/// info.message = Some("no job `nightly`".to_owned());
/// info.tracking_id = Some("4f3a".to_owned());
/// assert_eq!(
///     info.to_string(),
///     "HTTP status 404 Not Found, JobNotFound (404002): no job `nightly` (tracking ID 4f3a)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct IotHubErrorInfo {
    /// The HTTP status of the response (set by [`IotHubErrorExt::iothub_error`]; `None` from
    /// [`IotHubErrorInfo::from_parts`], which sees no status).
    pub status: Option<StatusCode>,
    /// The code, e.g. [`ErrorCode::JobNotFound`] (from the `iothub-errorcode` header, the
    /// `ErrorCode:` prefix of `Message`, or the numeric code). It dereferences to its name,
    /// so `info.code.as_deref() == Some("JobNotFound")` holds too.
    pub code: Option<ErrorCode>,
    /// The six-digit code as the body sent it, e.g. `404002` (envelope A has none:
    /// [`ErrorCode::numeric`] gives a listed code's number).
    pub numeric_code: Option<i64>,
    /// The tracking id to quote to Azure support.
    pub tracking_id: Option<String>,
    /// The human-readable message.
    pub message: Option<String>,
    /// The `x-ms-client-request-id` the failing attempt sent (set by
    /// [`IotHubErrorExt::iothub_error`]): with the tracking id, what Azure support asks for.
    pub client_request_id: Option<String>,
}

/// The textual name of a numeric IoT Hub error code, when it is a listed one
/// ([`ErrorCode::from_numeric`]).
pub fn code_name(numeric: i64) -> Option<&'static str> {
    codes::name_of(numeric)
}

impl IotHubErrorInfo {
    /// Reads an error response: its `iothub-errorcode` header and its body in any envelope.
    pub fn from_parts(header_code: Option<&str>, body: &ErrorBody<IotHubError>) -> Self {
        let mut info = Self {
            code: header_code.map(ErrorCode::from_name),
            ..Self::default()
        };
        if let ErrorBody::Typed(body) = body {
            info.merge_body(body, 0);
        }
        if info.code.is_none() {
            info.code = info.numeric_code.and_then(ErrorCode::from_numeric);
        }
        info
    }

    fn merge_body(&mut self, body: &IotHubError, depth: u8) {
        // Envelope B, at the top level or inside `Message`.
        if let Some(code) = body.error_code {
            self.numeric_code.get_or_insert(i64::from(code));
        }
        if let Some(tracking_id) = &body.tracking_id {
            self.tracking_id.get_or_insert_with(|| tracking_id.clone());
        }
        if let Some(message) = &body.message2 {
            self.message.get_or_insert_with(|| message.clone());
        }
        // Envelope A: `Message` is `ErrorCode:<Name>;<text>`, or envelope B as JSON text.
        if let Some(message) = &body.message {
            let nested = message.trim_start().starts_with('{') && depth == 0;
            match crate::runtime::serde_json::from_str::<IotHubError>(message) {
                Ok(inner) if nested => self.merge_body(&inner, depth + 1),
                _ => match message
                    .strip_prefix("ErrorCode:")
                    .and_then(|m| m.split_once(';'))
                {
                    Some((code, text)) => {
                        self.code.get_or_insert_with(|| ErrorCode::from_name(code));
                        self.message.get_or_insert_with(|| text.to_owned());
                    }
                    None => {
                        self.message.get_or_insert_with(|| message.clone());
                    }
                },
            }
        }
        // `ExceptionMessage` is `Tracking ID:<id>-G:<n>-TimeStamp:<time>`.
        if let Some(exception) = &body.exception_message {
            if let Some(rest) = exception.strip_prefix("Tracking ID:") {
                let id = rest.split("-G:").next().unwrap_or(rest);
                self.tracking_id.get_or_insert_with(|| id.to_owned());
            }
        }
    }
}

impl fmt::Display for IotHubErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut separator = "";
        if let Some(status) = self.status {
            write!(f, "HTTP status {status}")?;
            separator = ", ";
        }
        let numeric = self
            .numeric_code
            .or_else(|| self.code.as_ref().and_then(ErrorCode::numeric));
        match (&self.code, numeric) {
            (Some(code), Some(numeric)) => write!(f, "{separator}{code} ({numeric})")?,
            (Some(code), None) => write!(f, "{separator}{code}")?,
            (None, Some(numeric)) => write!(f, "{separator}error code {numeric}")?,
            (None, None) if separator.is_empty() => f.write_str("IoT Hub error")?,
            (None, None) => {}
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        match (&self.tracking_id, &self.client_request_id) {
            (Some(tracking), Some(request)) => {
                write!(f, " (tracking ID {tracking}, client request id {request})")
            }
            (Some(tracking), None) => write!(f, " (tracking ID {tracking})"),
            (None, Some(request)) => write!(f, " (client request id {request})"),
            (None, None) => Ok(()),
        }
    }
}

/// Reads the IoT Hub error out of an [`Error`](crate::Error) (a trait, because the error type
/// belongs to the runtime crate), and sorts it into the kinds callers act on.
///
/// Each `is_…` is true when the service answered with that HTTP status, or with an error code
/// of that status's family (the first three digits of its number): for example a 404 of any
/// code, or a `JobNotFound` (404002) however it arrived. Errors without a response (transport
/// failures, invalid input) are none of them.
///
/// ```
/// use iothub_jobs::iothub::IotHubErrorExt as _;
///
/// # async fn run(client: iothub_jobs::Client) -> Result<(), iothub_jobs::Error> {
/// match client.get_scheduled_job("nightly").await {
///     Ok(job) => println!("{:?}", job.status),
///     Err(error) if error.is_not_found() => println!("no such job"),
///     Err(error) => match error.iothub_error() {
///         Some(info) => eprintln!("{info}"),
///         None => return Err(error),
///     },
/// }
/// # Ok(())
/// # }
/// ```
pub trait IotHubErrorExt {
    /// The IoT Hub error, when the service answered with an error status.
    fn iothub_error(&self) -> Option<IotHubErrorInfo>;

    /// Not found: 404, or a 404xxx code (`JobNotFound`, `DeviceNotFound`...).
    fn is_not_found(&self) -> bool;

    /// Throttled: 429, or a 429xxx code (`ThrottlingException`,
    /// `ThrottlingMaxActiveJobCountExceeded`...). Worth trying again later.
    fn is_throttled(&self) -> bool;

    /// Not authorized: 401, or a 401xxx code (`IotHubUnauthorizedAccess`: a bad, expired or
    /// insufficient token).
    fn is_unauthorized(&self) -> bool;

    /// A conflict: 409, or a 409xxx code (`JobAlreadyExists`, `DeviceAlreadyExists`...).
    fn is_conflict(&self) -> bool;
}

impl IotHubErrorExt for crate::Error {
    fn iothub_error(&self) -> Option<IotHubErrorInfo> {
        let response = self.response()?;
        let header = response
            .headers
            .get("iothub-errorcode")
            .and_then(|v| v.to_str().ok());
        let mut info = IotHubErrorInfo::from_parts(header, &response.body);
        info.status = Some(response.status);
        info.client_request_id = response.client_request_id.clone();
        Some(info)
    }

    fn is_not_found(&self) -> bool {
        is_family(self, StatusCode::NOT_FOUND)
    }

    fn is_throttled(&self) -> bool {
        is_family(self, StatusCode::TOO_MANY_REQUESTS)
    }

    fn is_unauthorized(&self) -> bool {
        is_family(self, StatusCode::UNAUTHORIZED)
    }

    fn is_conflict(&self) -> bool {
        is_family(self, StatusCode::CONFLICT)
    }
}

/// Whether `error` is a response with `status`, or whose error code belongs to it.
fn is_family(error: &crate::Error, status: StatusCode) -> bool {
    error.response().is_some_and(|response| {
        response.status == status
            || error
                .iothub_error()
                .and_then(|info| info.code)
                .and_then(|code| code.http_status())
                == Some(status.as_u16())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(json: crate::runtime::serde_json::Value) -> ErrorBody<IotHubError> {
        ErrorBody::Typed(crate::runtime::serde_json::from_value(json).unwrap())
    }

    #[test]
    fn envelope_a() {
        let body = typed(crate::runtime::serde_json::json!({
            "Message": "ErrorCode:DeviceNotFound;E2E_device",
            "ExceptionMessage": "Tracking ID:aeec4c1e4e914a4c9f40fdba7be68fa5-G:0-TimeStamp:10/18/2022 20:50:39"
        }));
        let info = IotHubErrorInfo::from_parts(None, &body);
        assert_eq!(info.code.as_deref(), Some("DeviceNotFound"));
        assert_eq!(info.message.as_deref(), Some("E2E_device"));
        assert_eq!(
            info.tracking_id.as_deref(),
            Some("aeec4c1e4e914a4c9f40fdba7be68fa5")
        );
    }

    #[test]
    fn envelope_b_and_nested_in_message() {
        let b = crate::runtime::serde_json::json!({"errorCode": 404002, "trackingId": "t1", "message": "no such job", "timestampUtc": "2021"});
        let top = IotHubErrorInfo::from_parts(None, &typed(b.clone()));
        let nested = IotHubErrorInfo::from_parts(
            None,
            &typed(crate::runtime::serde_json::json!({"Message": b.to_string()})),
        );
        for info in [top, nested] {
            assert_eq!(info.code.as_deref(), Some("JobNotFound"));
            assert_eq!(info.numeric_code, Some(404002));
            assert_eq!(info.tracking_id.as_deref(), Some("t1"));
            assert_eq!(info.message.as_deref(), Some("no such job"));
        }
    }

    /// The recorded shapes of IoT Hub error bodies (`tests/data/error-bodies.json`).
    fn recorded(key: &str) -> crate::runtime::serde_json::Value {
        let all: crate::runtime::serde_json::Value = crate::runtime::serde_json::from_str(
            include_str!("../../../tests/data/error-bodies.json"),
        )
        .unwrap();
        all[key].clone()
    }

    #[test]
    fn recorded_envelope_a_is_typed_and_shown_on_one_line() {
        let info = IotHubErrorInfo::from_parts(
            None,
            &typed(recorded("envelopeA_errorcode_in_message_string")),
        );
        assert_eq!(info.code, Some(ErrorCode::DeviceNotFound));
        assert_eq!(info.numeric_code, None, "envelope A sends no number");
        let text = info.to_string();
        assert_eq!(
            text,
            "DeviceNotFound (404001): E2E_MessageReceiveE2EPoolAmqpTests__3_Sasl_f16d18b2-97dc-4ea5-86f1-a3405ee98939 (tracking ID aeec4c1e4e914a4c9f40fdba7be68fa5)"
        );
        let with_status = IotHubErrorInfo {
            status: Some(StatusCode::NOT_FOUND),
            ..info
        };
        assert!(
            with_status
                .to_string()
                .starts_with("HTTP status 404 Not Found, DeviceNotFound (404001): E2E_"),
            "{with_status}"
        );
    }

    #[test]
    fn recorded_envelope_b_inside_message_gives_the_code_by_its_number() {
        let info = IotHubErrorInfo::from_parts(
            None,
            &typed(recorded("envelopeC_envelopeB_serialized_inside_Message")),
        );
        assert_eq!(info.code, Some(ErrorCode::DeviceNotFound));
        assert_eq!(info.numeric_code, Some(404001));
        assert_eq!(info.message, None);
        assert_eq!(info.to_string(), "DeviceNotFound (404001)");
    }

    #[test]
    fn recorded_envelope_b_fields_are_all_read() {
        // The recording names envelope B's fields only: a body with each of them.
        let fields = recorded("envelopeB_json_object_fields");
        let mut body = crate::runtime::serde_json::Map::new();
        for field in fields.as_array().unwrap() {
            let name = field.as_str().unwrap().split(' ').next().unwrap();
            let value = match name {
                "errorCode" => crate::runtime::serde_json::json!(429004),
                other => crate::runtime::serde_json::json!(format!("the {other}")),
            };
            body.insert(name.to_owned(), value);
        }
        assert_eq!(body.len(), 4);
        let info = IotHubErrorInfo::from_parts(None, &typed(body.into()));
        assert_eq!(
            info.code,
            Some(ErrorCode::ThrottlingMaxActiveJobCountExceeded)
        );
        assert_eq!(info.code.as_ref().and_then(|c| c.http_status()), Some(429));
        assert_eq!(info.numeric_code, Some(429004));
        assert_eq!(
            info.to_string(),
            "ThrottlingMaxActiveJobCountExceeded (429004): the message (tracking ID the trackingId)"
        );
    }

    #[test]
    fn display_leaves_out_what_is_unknown() {
        assert_eq!(IotHubErrorInfo::default().to_string(), "IoT Hub error");
        let status_only = IotHubErrorInfo {
            status: Some(StatusCode::INTERNAL_SERVER_ERROR),
            ..IotHubErrorInfo::default()
        };
        assert_eq!(
            status_only.to_string(),
            "HTTP status 500 Internal Server Error"
        );
        let unknown = IotHubErrorInfo {
            numeric_code: Some(400999),
            message: Some("new".to_owned()),
            ..IotHubErrorInfo::default()
        };
        assert_eq!(unknown.to_string(), "error code 400999: new");
        let unlisted = IotHubErrorInfo::from_parts(
            Some("BrandNewCode"),
            &typed(crate::runtime::serde_json::json!({"errorCode": 400999})),
        );
        assert_eq!(
            unlisted.code,
            Some(ErrorCode::Other("BrandNewCode".to_owned()))
        );
        assert_eq!(unlisted.to_string(), "BrandNewCode (400999)");
        for text in [
            unknown.to_string(),
            unlisted.to_string(),
            status_only.to_string(),
        ] {
            assert!(!text.contains("None") && !text.contains("Some("), "{text}");
        }
    }

    #[test]
    fn header_wins_and_raw_bodies_give_the_header_only() {
        let info = IotHubErrorInfo::from_parts(
            Some("ThrottlingException"),
            &ErrorBody::Raw(b"<html>".to_vec()),
        );
        assert_eq!(info.code, Some(ErrorCode::ThrottlingException));
        assert_eq!(info.code.as_deref(), Some("ThrottlingException"));
        assert_eq!(info.message, None);
    }
}
