//! The server side of server-sent events: what a generated server's operation returns for a
//! `text/event-stream` response ([`Events`]) and how it is written
//! ([`event_stream_response`]). Behind the `server` feature; re-exported by `server`.

use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use futures::{Stream, StreamExt};

use crate::{DataFormat, Event, EventData};

/// The events an operation answers with, written to the client as they come: each value's
/// data as JSON (for a text stream, as text), with its type, id and retry.
pub struct Events<T> {
    stream: Pin<Box<dyn Stream<Item = Event<T>> + Send>>,
}

impl<T> fmt::Debug for Events<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events").finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Events<T> {
    /// The events of `stream`; the response ends when it does.
    pub fn new(stream: impl Stream<Item = Event<T>> + Send + 'static) -> Self {
        Self {
            stream: Box::pin(stream),
        }
    }

    /// One event per value of `stream`, without type or id.
    pub fn values(stream: impl Stream<Item = T> + Send + 'static) -> Self {
        Self::new(stream.map(Event::new))
    }
}

/// The response of an operation answering with events: `status`, `Content-Type:
/// text/event-stream`, `Cache-Control: no-cache`, and each event written as soon as `events`
/// yields it.
pub fn event_stream_response<T>(status: u16, events: Events<T>, format: DataFormat) -> Response
where
    T: serde::Serialize + Send + 'static,
{
    let body = events
        .stream
        .map(move |event| Ok::<_, Infallible>(Bytes::from(encode(&event, format))));
    let mut response = Response::new(Body::from_stream(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The text of one event: its fields, a `data` line per line of its data, a blank line. Line
/// breaks in the type or id (which a field cannot hold) become spaces; an id with NUL, which
/// clients ignore, is not sent.
pub(crate) fn encode<T: serde::Serialize>(event: &Event<T>, format: DataFormat) -> String {
    let one_line = |text: &str| text.replace(['\r', '\n'], " ");
    let mut out = String::new();
    if let Some(kind) = &event.event {
        out.push_str(&format!("event: {}\n", one_line(kind)));
    }
    if let Some(id) = event.id.as_deref().filter(|id| !id.contains('\0')) {
        out.push_str(&format!("id: {}\n", one_line(id)));
    }
    if let Some(retry) = event.retry {
        out.push_str(&format!("retry: {}\n", retry.as_millis()));
    }
    let data = match &event.data {
        EventData::Text(text) => text.clone(),
        EventData::Value(value) => match (format, serde_json::to_value(value)) {
            (DataFormat::Text, Ok(serde_json::Value::String(text))) => text,
            (_, Ok(json)) => json.to_string(),
            (_, Err(error)) => {
                tracing::error!(%error, "an event's data could not be encoded; sent as `null`");
                "null".to_owned()
            }
        },
    };
    let data = data.replace("\r\n", "\n").replace('\r', "\n");
    for line in data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse_parser::Parser;
    use std::time::Duration;

    #[test]
    fn events_read_back_as_written() {
        let events = [
            Event::new(serde_json::json!({"token": "hi"}))
                .event("delta")
                .id("1")
                .retry(Duration::from_millis(5)),
            Event::text("line one\r\nline two\rthree"),
            Event::new(serde_json::json!(null))
                .id("bad\0id")
                .event("a\nb"),
        ];
        let text: String = events.iter().map(|e| encode(e, DataFormat::Json)).collect();
        let mut parser = Parser::new(1 << 16);
        let mut out = Vec::new();
        parser
            .feed(text.as_bytes(), &mut out)
            .expect("within limit");
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].data, r#"{"token":"hi"}"#);
        assert_eq!(out[0].event.as_deref(), Some("delta"));
        assert_eq!(out[0].retry, Some(Duration::from_millis(5)));
        assert_eq!(out[1].data, "line one\nline two\nthree");
        assert_eq!(out[2].id.as_deref(), Some("1"), "the NUL id was not sent");
        assert_eq!(out[2].event.as_deref(), Some("a b"));
    }

    #[test]
    fn text_streams_send_strings_as_they_are() {
        let text = encode(&Event::new("plain".to_owned()), DataFormat::Text);
        assert_eq!(text, "data: plain\n\n");
        let json = encode(&Event::new("plain".to_owned()), DataFormat::Json);
        assert_eq!(json, "data: \"plain\"\n\n");
    }
}
