// Hand-written test infrastructure (not generated): what the emulator logs about requests.
//! Values taken from a request (`sr`, `skn`, `api-version`, job ids and types, paths) cannot
//! forge log lines or flood them: control characters are escaped and long values cut, in the
//! log and in the error messages sent back. The emulator's log is captured by installing a
//! `tracing` subscriber for this test binary (one test, so it is the only one).

mod common;

use std::sync::{Arc, Mutex};

use common::start_default;
use serde_json::json;

/// Everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn request_values_cannot_forge_or_flood_log_lines() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .init();
    let hub = start_default().await;
    let http = reqwest::Client::new();
    let token = hub.token();
    let host = hub.emulator.host_name().to_owned();
    let forged = "%0AFORGED%20INFO%20admin%20logged%20in";

    // `skn` and `sr` with a new line in them (refused: unknown policy, other resource).
    let bad_skn = token.replace("skn=iothubowner", &format!("skn=x{forged}"));
    let bad_sr = token.replace(&format!("sr={host}"), &format!("sr=evil{forged}"));
    // A policy name of 200 characters and a resource of 10,000: refused, not echoed whole.
    let long_skn = token.replace("skn=iothubowner", &format!("skn={}", "n".repeat(200)));
    let long_sr = token.replace(&format!("sr={host}"), &format!("sr={}", "h".repeat(10_000)));
    for header in [&bad_skn, &bad_sr, &long_skn, &long_sr] {
        let response = http
            .get(hub.url("/jobs?api-version=2021-04-12"))
            .header("Authorization", header.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 401);
        let body: serde_json::Value = common::json(response).await;
        let message = body["Message"].as_str().unwrap();
        assert!(!message.contains('\n'), "{message}");
        assert!(message.len() < 400, "{} characters", message.len());
    }

    // An api-version, a filter and a path with new lines (400).
    for path in [
        format!("/jobs?api-version=2021-04-12{forged}"),
        format!("/jobs/v2/query?api-version=2021-04-12&jobType=x{forged}"),
        format!("/jobs/v2/job{forged}?api-version=2021-04-12"),
        format!("/jobs/v2/query?api-version={}", "9".repeat(10_000)),
    ] {
        let response = http
            .get(hub.url(&path))
            .header("Authorization", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{path}");
        let body: serde_json::Value = common::json(response).await;
        let message = body["Message"].as_str().unwrap();
        assert!(!message.contains('\n'), "{message}");
        assert!(message.len() < 400, "{} characters", message.len());
    }
    // A body whose job id and type have new lines (400).
    for body in [
        json!({"jobId": "a\nFORGED INFO admin", "type": "scheduleDeviceMethod"}),
        json!({"jobId": "job-1", "type": "reboot\nFORGED INFO admin", "queryCondition": "*"}),
    ] {
        let response = http
            .put(hub.url("/jobs/v2/job-1?api-version=2021-04-12"))
            .header("Authorization", &token)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
    }

    let log = captured.text();
    // Each request above was logged, with its value escaped...
    assert!(
        log.matches("\\nFORGED INFO admin").count() >= 7,
        "escaped values missing from the log:\n{log}"
    );
    // ...and no line of the log is one a request wrote.
    for line in log.lines() {
        assert!(!line.starts_with("FORGED"), "a forged log line: {line}");
        assert!(
            line.len() < 2000,
            "a flooded log line: {} characters",
            line.len()
        );
    }
}
