// Hand-written test infrastructure (not generated): request bodies.
//! Request bodies before the generated router reads them: at most [`MAX_BODY_BYTES`], and
//! JSON. Both refusals come in IoT Hub's envelope A (as every other error of the emulator),
//! not as axum's plain-text rejections:
//!
//! - a body larger than [`MAX_BODY_BYTES`] (by its `Content-Length`, or once that many bytes
//!   have arrived) is 413 `MessageTooLarge`; the rest is read and thrown away (up to 16 MiB,
//!   beyond which the answer comes at once) so that a client still sending sees the 413;
//! - a non-empty body whose `Content-Type` is not JSON (`application/json` or
//!   `application/…+json`, any parameters) is 400 `ArgumentInvalid`, like any other body the
//!   spec does not allow. A body without `Content-Type` is read as JSON.

use std::sync::Arc;

use axum::body::{Body, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::Response;

use crate::Emulator;
use crate::errors::{HubError, echo};

/// The largest request body the emulator reads: 2 MiB, the limit axum applied before the
/// emulator set its own, so no request it accepted before is refused now. IoT Hub publishes
/// no limit for the body of a jobs request; its largest documented parts are a direct-method
/// payload (at most 128 KB) and a twin patch (tags at most 8 KB, desired properties 32 KB),
/// far below this.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// How much of a body over [`MAX_BODY_BYTES`] is read and thrown away before the 413, so
/// that a client still sending it sees the answer instead of a reset connection. A body
/// declared or found larger still is answered at once (the connection then closes).
const MAX_DRAINED_BYTES: u64 = 16 * 1024 * 1024;

fn too_large() -> HubError {
    HubError::too_large(format!(
        "the request body is larger than {MAX_BODY_BYTES} bytes, the most the emulator reads"
    ))
}

/// Whether a `Content-Type` value names JSON.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json"))
}

/// The middleware: reads the body (up to the limit) and checks its type, then passes the
/// request on with the body read.
pub(crate) async fn check_body(
    State(emulator): State<Arc<Emulator>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, mut body) = request.into_parts();
    let refuse = |error: HubError| {
        tracing::info!(
            method = %parts.method,
            path = %echo(parts.uri.path()),
            "{}: {}",
            error.status.as_u16(),
            error.message
        );
        error.to_response(emulator.now())
    };
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_DRAINED_BYTES) {
        return refuse(too_large());
    }
    let mut over = declared.is_some_and(|n| n > MAX_BODY_BYTES as u64);
    let mut bytes = Vec::new();
    let mut received: u64 = 0;
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let Ok(frame) = frame else {
            return refuse(HubError::argument_invalid(
                "the request body could not be read",
            ));
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        received = received.saturating_add(data.len() as u64);
        if over || bytes.len() + data.len() > MAX_BODY_BYTES {
            over = true;
            bytes = Vec::new();
            if received > MAX_DRAINED_BYTES {
                break;
            }
            continue;
        }
        bytes.extend_from_slice(&data);
    }
    if over {
        return refuse(too_large());
    }
    if !bytes.is_empty() {
        if let Some(value) = parts.headers.get(CONTENT_TYPE) {
            let text = value.to_str().unwrap_or("<not visible ASCII>");
            if !is_json(text) {
                return refuse(HubError::argument_invalid(format!(
                    "header Content-Type: `{}` is not supported: send the body as application/json",
                    echo(text)
                )));
            }
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        for yes in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/merge-patch+json",
        ] {
            assert!(is_json(yes), "{yes}");
        }
        for no in [
            "text/plain",
            "application/xml",
            "text/json+xml",
            "",
            "application/jsonx",
        ] {
            assert!(!is_json(no), "{no}");
        }
    }
}
