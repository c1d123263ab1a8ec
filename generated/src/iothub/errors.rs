// Hand-written: not generated; `cargo xtask regen` never touches this file.
//! The IoT Hub error envelopes, read into one shape.
//!
//! IoT Hub sends its errors in several envelopes (see `spec/README.md`, correction 3):
//! `{"Message":"ErrorCode:JobNotFound;…","ExceptionMessage":"Tracking ID:…-G:0-TimeStamp:…"}`,
//! `{"errorCode":404002,"trackingId":"…","message":"…","timestampUtc":"…"}`, or the latter as
//! a JSON string inside `Message`; the textual code also comes in the `iothub-errorcode`
//! header.

use crate::models::IotHubError;
use crate::runtime::ErrorBody;

/// What an IoT Hub error says, whichever envelope it came in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct IotHubErrorInfo {
    /// The textual code, e.g. `JobNotFound` (from the `iothub-errorcode` header, the
    /// `ErrorCode:` prefix of `Message`, or the numeric code).
    pub code: Option<String>,
    /// The six-digit code, e.g. `404002`.
    pub numeric_code: Option<i64>,
    /// The tracking id to quote to Azure support.
    pub tracking_id: Option<String>,
    /// The human-readable message.
    pub message: Option<String>,
}

/// Textual names of IoT Hub's numeric error codes (the C# service SDK's `ErrorCode.cs`).
const CODES: &[(i64, &str)] = &[
    (400004, "ArgumentInvalid"),
    (400006, "IotHubFormatError"),
    (401002, "IotHubUnauthorizedAccess"),
    (403002, "IotHubQuotaExceeded"),
    (403003, "JobQuotaExceeded"),
    (404001, "DeviceNotFound"),
    (404002, "JobNotFound"),
    (409001, "DeviceAlreadyExists"),
    (412001, "PreconditionFailed"),
    (429000, "GenericTooManyRequests"),
    (429001, "ThrottlingException"),
    (429002, "ThrottleBacklogLimitExceeded"),
    (429003, "ThrottlingBacklogTimeout"),
    (429004, "ThrottlingMaxActiveJobCountExceeded"),
    (429005, "DeviceThrottlingLimitExceeded"),
    (500001, "ServerError"),
    (500002, "JobCancelled"),
    (503001, "ServiceUnavailable"),
];

/// The textual name of a numeric IoT Hub error code, when it is a known one.
pub fn code_name(numeric: i64) -> Option<&'static str> {
    CODES
        .iter()
        .find(|(n, _)| *n == numeric)
        .map(|(_, name)| *name)
}

impl IotHubErrorInfo {
    /// Reads an error response: its `iothub-errorcode` header and its body in any envelope.
    pub fn from_parts(header_code: Option<&str>, body: &ErrorBody<IotHubError>) -> Self {
        let mut info = Self {
            code: header_code.map(str::to_owned),
            ..Self::default()
        };
        if let ErrorBody::Typed(body) = body {
            info.merge_body(body, 0);
        }
        if info.code.is_none() {
            info.code = info.numeric_code.and_then(code_name).map(str::to_owned);
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
                        self.code.get_or_insert_with(|| code.to_owned());
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

/// Reads the IoT Hub error out of an [`Error`](crate::Error) (a trait, because the error type
/// belongs to the runtime crate).
pub trait IotHubErrorExt {
    /// The IoT Hub error, when the service answered with an error status.
    ///
    /// ```
    /// use iothub_jobs::iothub::IotHubErrorExt as _;
    ///
    /// # fn handle(error: iothub_jobs::Error) {
    /// if let Some(info) = error.iothub_error() {
    ///     eprintln!("{:?} (tracking id {:?})", info.code, info.tracking_id);
    /// }
    /// # }
    /// ```
    fn iothub_error(&self) -> Option<IotHubErrorInfo>;
}

impl IotHubErrorExt for crate::Error {
    fn iothub_error(&self) -> Option<IotHubErrorInfo> {
        let response = self.response()?;
        let header = response
            .headers
            .get("iothub-errorcode")
            .and_then(|v| v.to_str().ok());
        Some(IotHubErrorInfo::from_parts(header, &response.body))
    }
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

    #[test]
    fn header_wins_and_raw_bodies_give_the_header_only() {
        let info = IotHubErrorInfo::from_parts(
            Some("ThrottlingException"),
            &ErrorBody::Raw(b"<html>".to_vec()),
        );
        assert_eq!(info.code.as_deref(), Some("ThrottlingException"));
        assert_eq!(info.message, None);
    }
}
