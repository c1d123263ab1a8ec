//! Serde round trips: every request and response body published for the Jobs API decodes into
//! the generated models and encodes back to the same JSON.

use iothub_jobs::models::{
    IotHubError, JobProperties, JobRequest, JobResponse, JobStatus, JobType,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

fn data(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

/// Decodes `value` as `T`, encodes it again and checks nothing was lost or added.
fn round_trip<T: DeserializeOwned + serde::Serialize>(value: &Value) -> T {
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("{value} does not decode: {e}"));
    let back = serde_json::to_value(&typed).expect("encodes");
    assert_eq!(&back, value, "round trip changed the body");
    typed
}

#[test]
fn devguide_request_and_response_bodies() {
    let guide = data("scheduled-jobs-devguide.json");
    let examples = guide["examples"].as_array().expect("examples");
    let mut bodies = 0;
    for example in examples {
        if let Some(body) = example["request"].get("body") {
            let request: JobRequest = round_trip(body);
            assert!(!request.job_id.is_empty());
            bodies += 1;
        }
        if let Some(body) = example.get("response").and_then(|r| r.get("body")) {
            let response: JobResponse = round_trip(body);
            assert_eq!(response.status, Some(JobStatus::Queued));
            bodies += 1;
        }
    }
    assert_eq!(bodies, 4, "two requests and two responses in the guide");
}

#[test]
fn devguide_direct_method_request_is_typed() {
    let guide = data("scheduled-jobs-devguide.json");
    let request: JobRequest = round_trip(&guide["examples"][0]["request"]["body"]);
    assert_eq!(request.r#type, JobType::ScheduleDeviceMethod);
    let method = request.cloud_to_device_method.expect("method");
    assert_eq!(method.method_name, "testMethod");
    assert_eq!(method.payload, Some(serde_json::json!({})));
    assert_eq!(method.response_timeout_in_seconds, Some(30));
    let start = request.start_time.expect("start time");
    assert_eq!(start.to_rfc3339(), "2022-05-04T15:53:00.077+00:00");
    assert_eq!(request.max_execution_time_in_seconds, Some(20));
}

#[test]
fn devguide_twin_update_values_are_any_json() {
    let guide = data("scheduled-jobs-devguide.json");
    let request: JobRequest = round_trip(&guide["examples"][1]["request"]["body"]);
    let twin = request.update_twin.expect("twin");
    assert_eq!(twin.etag.as_deref(), Some("*"));
    let desired = twin.properties.and_then(|p| p.desired).expect("desired");
    assert_eq!(desired.get("test1"), Some(&Value::from("value1")));
}

/// Recorded import/export traffic decodes; the undocumented `useSecondaryStorageAsSource`
/// field is ignored rather than rejected.
#[test]
fn recorded_import_export_bodies_decode() {
    let recording = data("import-export-jobs-recording-2020-03-13.json");
    let mut decoded = 0;
    for entry in recording["entries"].as_array().expect("entries") {
        for key in ["RequestBody", "ResponseBody"] {
            let Some(body) = entry.get(key).filter(|b| b.is_object()) else {
                continue;
            };
            let job: JobProperties = serde_json::from_value(body.clone())
                .unwrap_or_else(|e| panic!("{key} {body} does not decode: {e}"));
            // Everything the model knows survives the round trip. Date-times keep their instant;
            // the service's 7-digit fractions come back with 9 digits.
            let back = serde_json::to_value(&job).expect("encodes");
            for (field, value) in back.as_object().expect("object") {
                let sent = body.get(field).expect("no field is added");
                match (sent.as_str().map(instant), value.as_str().map(instant)) {
                    (Some(Some(a)), Some(Some(b))) => assert_eq!(a, b, "field {field}"),
                    _ => assert_eq!(sent, value, "field {field}"),
                }
            }
            decoded += 1;
        }
    }
    assert!(decoded >= 2, "decoded {decoded} bodies");
}

fn instant(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(text).ok()
}

#[test]
fn error_envelopes_decode() {
    let errors = data("error-bodies.json");
    let a: IotHubError = round_trip(&errors["envelopeA_errorcode_in_message_string"]);
    assert!(
        a.message
            .as_deref()
            .is_some_and(|m| m.starts_with("ErrorCode:DeviceNotFound;"))
    );
    assert!(
        a.exception_message
            .as_deref()
            .is_some_and(|m| m.starts_with("Tracking ID:"))
    );
    let c: IotHubError = round_trip(&errors["envelopeC_envelopeB_serialized_inside_Message"]);
    let inner: IotHubError =
        serde_json::from_str(c.message.as_deref().expect("Message")).expect("envelope B inside");
    assert_eq!(inner.error_code, Some(404001));
}

/// An enum value the document does not list survives decoding and encoding unchanged.
#[test]
fn unknown_enum_values_round_trip() {
    let body = serde_json::json!({"jobId": "j", "type": "someFutureType", "status": "pending"});
    let job: JobResponse = round_trip(&body);
    assert_eq!(
        job.r#type,
        Some(JobType::Other("someFutureType".to_owned()))
    );
    assert_eq!(job.status, Some(JobStatus::Other("pending".to_owned())));
    assert_eq!("running".parse::<JobStatus>(), Ok(JobStatus::Running));
    assert_eq!(
        JobType::ScheduleUpdateTwin.to_string(),
        "scheduleUpdateTwin"
    );
}
