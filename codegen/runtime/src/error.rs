//! Errors: [`Error`], what every call of a generated client returns when it fails, the error
//! response it may carry, and [`DecodeError`] for success responses that do not match the
//! document.

use std::fmt;

use crate::{HeaderMap, StatusCode};

/// How much of an undecodable body errors keep, in bytes.
const EXCERPT_LIMIT: usize = 512;

/// Everything that can go wrong in a call. `E` is the type of the operation's documented error
/// body.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E = serde_json::Value> {
    /// An argument or setting is not valid (a bad job id, an unusable base URL, a header value
    /// with a newline...). Nothing was sent.
    InvalidInput(String),
    /// The credential could not produce an `Authorization` value. Nothing was sent.
    Credential(String),
    /// No response arrived: connection refused or reset, TLS failure, timeout
    /// ([`Error::is_connect`], [`Error::is_timeout`]).
    Transport(reqwest::Error),
    /// The service answered with a status the operation does not document as success.
    Status(Box<ErrorResponse<E>>),
    /// A success response whose body or headers do not match the document.
    Decode(Box<DecodeError>),
    /// A wait (for example for a job to finish) ran out of time.
    Timeout(String),
    /// A success response whose body is larger than the client's limit (its `Content-Length`
    /// said so, or more bytes arrived): the body was not read past the limit, nor decoded.
    /// Error responses with a large body stay [`Error::Status`], their body cut at the error
    /// body limit ([`ErrorResponse::body_truncated`]).
    ResponseTooLarge(Box<ResponseTooLarge>),
    /// Paging cannot go on: the service sent a continuation token that this stream has
    /// already followed, so following it would return the same pages forever.
    Paging(String),
    /// A hook ([`Hook::before_attempt`](crate::Hook::before_attempt)) refused the attempt, with
    /// its message. That attempt was not sent.
    Hook(String),
}

impl<E: serde::Serialize> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput(message) => write!(f, "invalid input: {message}"),
            Error::Timeout(message) => write!(f, "timed out: {message}"),
            Error::Credential(message) => write!(f, "credential error: {message}"),
            Error::Transport(error) => write!(f, "transport error: {error}"),
            Error::Status(response) => response.fmt(f),
            Error::Decode(error) => error.fmt(f),
            Error::ResponseTooLarge(error) => error.fmt(f),
            Error::Paging(message) => write!(f, "paging error: {message}"),
            Error::Hook(message) => write!(f, "a hook refused the request: {message}"),
        }
    }
}

impl<E: fmt::Debug + serde::Serialize> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(error) => Some(error),
            Error::Decode(error) => Some(error.as_ref()),
            Error::ResponseTooLarge(error) => Some(error.as_ref()),
            _ => None,
        }
    }
}

impl<E> Error<E> {
    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Status(response) => Some(response.status),
            Error::Decode(decode) => Some(decode.status),
            Error::ResponseTooLarge(error) => Some(error.status),
            _ => None,
        }
    }

    /// The error response, when the call failed with an error status.
    pub fn response(&self) -> Option<&ErrorResponse<E>> {
        match self {
            Error::Status(response) => Some(response),
            _ => None,
        }
    }

    /// Whether no response arrived because a connection could not be made.
    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Transport(e) if e.is_connect())
    }

    /// Whether the request (or a wait) timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(e) if e.is_timeout()) || matches!(self, Error::Timeout(_))
    }

    /// Whether trying again later may succeed: no connection, a timeout, or a status or error
    /// code the client's [`RetryPolicy`](crate::RetryPolicy) calls transient (throttling, server busy).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_connect() || e.is_timeout() || e.is_request(),
            Error::Status(response) => response.retryable,
            _ => false,
        }
    }

    /// The response header `name`, when the service answered with an error status.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.response()?.headers.get(name)?.to_str().ok()
    }
}

/// A response with an error status.
#[derive(Debug)]
#[non_exhaustive]
pub struct ErrorResponse<E> {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body: typed when it parses as the documented error body, raw otherwise.
    pub body: ErrorBody<E>,
    /// Whether the client's retry policy considers this status or error code transient.
    pub retryable: bool,
    /// How many attempts the call made, this response's included: more than 1 when it was
    /// retried (after a transient failure, or once after a 401 with a fresh credential). An
    /// earlier attempt may have reached the service even if its response was lost, so a
    /// conflict (409) after a retry may be the call's own earlier success.
    pub attempts: u32,
    /// Whether the body was longer than the client's error body limit: `body` then holds
    /// what was read before the limit (nothing when `Content-Length` announced more), raw.
    pub body_truncated: bool,
    /// The client request id the failing attempt sent, for APIs that name a header for one
    /// (Azure's `x-ms-client-request-id`): quote it to the service's support.
    pub client_request_id: Option<String>,
}

/// The status, then the body: a typed body as compact JSON (the fields it has, as the service
/// named them, not the Rust type's `Debug` form), a raw one as text; either cut after 512
/// bytes, marked with `…`. `Debug` shows everything.
impl<E: serde::Serialize> fmt::Display for ErrorResponse<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP status {}", self.status)?;
        match &self.body {
            ErrorBody::Typed(body) => {
                f.write_str(": ")?;
                write_json(f, body)
            }
            ErrorBody::Raw(raw) if !raw.is_empty() => write!(f, ": {}", excerpt(raw)),
            ErrorBody::Raw(_) => Ok(()),
        }?;
        if self.body_truncated {
            f.write_str(" (body cut at the error body limit)")?;
        }
        if let Some(id) = &self.client_request_id {
            write!(f, " (client request id {id})")?;
        }
        Ok(())
    }
}

/// The body of an error response.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorBody<E> {
    /// The body parsed as the documented error type.
    Typed(E),
    /// The body did not parse (or was empty); its bytes as received.
    Raw(Vec<u8>),
}

/// A success response whose body is larger than the client's limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {status} response body is larger than the limit of {limit} bytes{}", announced(*content_length))]
#[non_exhaustive]
pub struct ResponseTooLarge {
    /// The status of the response.
    pub status: StatusCode,
    /// The limit, in bytes (a generated client's `with_max_response_bytes`).
    pub limit: u64,
    /// The length the response announced (`Content-Length`), if it did.
    pub content_length: Option<u64>,
}

impl ResponseTooLarge {
    /// A response with `status` over `limit`, whose announced length is `content_length`.
    pub fn new(status: StatusCode, limit: u64, content_length: Option<u64>) -> Self {
        Self {
            status,
            limit,
            content_length,
        }
    }
}

fn announced(content_length: Option<u64>) -> String {
    content_length.map_or_else(String::new, |length| format!(" (Content-Length: {length})"))
}

/// A body or header that does not match the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot decode the {status} response at `{path}`: {message} (body starts: {excerpt})")]
#[non_exhaustive]
pub struct DecodeError {
    /// The status of the response.
    pub status: StatusCode,
    /// Where decoding failed: a JSON path such as `items[3].startTime`, or `header x-name`.
    pub path: String,
    /// What was wrong.
    pub message: String,
    /// The start of the body, lossily decoded as UTF-8.
    pub excerpt: String,
}

impl DecodeError {
    /// A decoding failure of the `status` response at `path` (a JSON path such as
    /// `items[3].startTime`), for code that decodes parts of a response itself (query rows
    /// read as a type, say).
    pub fn new(
        status: StatusCode,
        path: impl Into<String>,
        message: impl Into<String>,
        excerpt: impl Into<String>,
    ) -> Self {
        Self {
            status,
            path: path.into(),
            message: message.into(),
            excerpt: excerpt.into(),
        }
    }
}

/// Writes `value` as compact JSON straight into `f`, cut after [`EXCERPT_LIMIT`] bytes (then
/// marked with `…`). Nothing is allocated: the JSON is never held whole.
fn write_json<T: serde::Serialize + ?Sized>(f: &mut fmt::Formatter<'_>, value: &T) -> fmt::Result {
    let mut out = JsonToFmt {
        f,
        left: EXCERPT_LIMIT,
        cut: false,
        failed: false,
    };
    let result = serde_json::to_writer(&mut out, value);
    let (cut, failed) = (out.cut, out.failed);
    if failed {
        return Err(fmt::Error);
    }
    if cut {
        f.write_str("…")
    } else if result.is_err() {
        // A body serde_json cannot write (a map with non-string keys, say): what was written
        // stays, and the rest is named.
        f.write_str(" (the rest of the body cannot be shown as JSON)")
    } else {
        Ok(())
    }
}

/// An [`std::io::Write`] into a formatter, stopping after `left` bytes.
struct JsonToFmt<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    left: usize,
    /// Whether output was cut at the limit.
    cut: bool,
    /// Whether the formatter failed.
    failed: bool,
}

impl std::io::Write for JsonToFmt<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let stop = || std::io::Error::from(std::io::ErrorKind::WriteZero);
        let take = buf.len().min(self.left);
        // serde_json writes whole characters in each call; a cut backs off to a boundary.
        let text = match std::str::from_utf8(buf.get(..take).unwrap_or(buf)) {
            Ok(text) => text,
            Err(error) => std::str::from_utf8(buf.get(..error.valid_up_to()).unwrap_or_default())
                .unwrap_or_default(),
        };
        if self.f.write_str(text).is_err() {
            self.failed = true;
            return Err(stop());
        }
        self.left -= text.len();
        if text.len() < buf.len() {
            self.cut = true;
            return Err(stop());
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let cut = bytes.get(..EXCERPT_LIMIT).unwrap_or(bytes);
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > EXCERPT_LIMIT {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_error(status: u16, retryable: bool, body: ErrorBody<String>) -> Error<String> {
        let mut headers = HeaderMap::new();
        headers.insert("x-ms-request-id", "abc".parse().expect("header value"));
        Error::Status(Box::new(ErrorResponse {
            status: StatusCode::from_u16(status).expect("status"),
            headers,
            body,
            retryable,
            attempts: 1,
            body_truncated: false,
            client_request_id: None,
        }))
    }

    #[test]
    fn excerpts_are_cut_at_the_limit_and_marked() {
        assert_eq!(excerpt(b"short"), "short");
        let long = vec![b'a'; EXCERPT_LIMIT + 10];
        let text = excerpt(&long);
        assert_eq!(text.chars().count(), EXCERPT_LIMIT + 1);
        assert!(text.ends_with('…'));
        // Invalid UTF-8 is replaced, never a panic.
        assert_eq!(excerpt(&[0xff, b'x']), "\u{fffd}x");
    }

    #[test]
    fn status_errors_expose_status_headers_and_retryability() {
        let error = status_error(503, true, ErrorBody::Raw(b"busy".to_vec()));
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(error.header("x-ms-request-id"), Some("abc"));
        assert!(error.is_retryable());
        assert!(!error.is_timeout());
        assert_eq!(
            error.to_string(),
            "HTTP status 503 Service Unavailable: busy"
        );

        let typed = status_error(404, false, ErrorBody::Typed("not found".to_owned()));
        assert!(!typed.is_retryable());
        assert_eq!(
            typed.to_string(),
            "HTTP status 404 Not Found: \"not found\""
        );
        let empty = status_error(500, false, ErrorBody::Raw(Vec::new()));
        assert_eq!(empty.to_string(), "HTTP status 500 Internal Server Error");
    }

    #[test]
    fn typed_bodies_show_as_compact_json_and_debug_keeps_everything() {
        #[derive(Debug, serde::Serialize)]
        struct Body {
            #[serde(rename = "Message", skip_serializing_if = "Option::is_none")]
            message: Option<String>,
            #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
            error_code: Option<i64>,
        }
        let response = |body: Body| ErrorResponse {
            status: StatusCode::NOT_FOUND,
            headers: HeaderMap::new(),
            body: ErrorBody::Typed(body),
            retryable: false,
            attempts: 1,
            body_truncated: false,
            client_request_id: None,
        };
        let typed = response(Body {
            message: Some("ErrorCode:JobNotFound;no job \"j1\"".to_owned()),
            error_code: None,
        });
        assert_eq!(
            typed.to_string(),
            r#"HTTP status 404 Not Found: {"Message":"ErrorCode:JobNotFound;no job \"j1\""}"#
        );
        assert!(format!("{typed:?}").contains("error_code: None"));

        // Long bodies are cut at the limit, never inside a character.
        let long = response(Body {
            message: Some(format!(
                "{}é{}",
                "a".repeat(EXCERPT_LIMIT - 13),
                "b".repeat(600)
            )),
            error_code: Some(404002),
        });
        let text = long.to_string();
        let json = text
            .strip_prefix("HTTP status 404 Not Found: ")
            .expect("status first");
        assert!(json.ends_with('…'), "{json}");
        assert!(
            json.len() <= EXCERPT_LIMIT + '…'.len_utf8(),
            "{}",
            json.len()
        );
        assert!(json.starts_with(r#"{"Message":"aaa"#));
        let value: Error<serde_json::Value> = Error::Status(Box::new(ErrorResponse {
            status: StatusCode::BAD_REQUEST,
            headers: HeaderMap::new(),
            body: ErrorBody::Typed(serde_json::json!({"error": {"code": "Bad", "message": "no"}})),
            retryable: false,
            attempts: 1,
            body_truncated: false,
            client_request_id: Some("5f1c".to_owned()),
        }));
        assert_eq!(
            value.to_string(),
            r#"HTTP status 400 Bad Request: {"error":{"code":"Bad","message":"no"}} (client request id 5f1c)"#
        );
    }

    #[test]
    fn errors_without_a_response_have_no_status() {
        let invalid: Error = Error::InvalidInput("bad id".to_owned());
        assert_eq!(invalid.status(), None);
        assert!(invalid.response().is_none());
        assert!(!invalid.is_retryable());
        assert_eq!(invalid.to_string(), "invalid input: bad id");
        let timeout: Error = Error::Timeout("job still running".to_owned());
        assert!(timeout.is_timeout());
        assert_eq!(timeout.to_string(), "timed out: job still running");
    }

    #[test]
    fn decode_errors_name_the_path_and_show_the_body() {
        let decode = DecodeError {
            status: StatusCode::OK,
            path: "items[3].startTime".to_owned(),
            message: "premature end of input".to_owned(),
            excerpt: "{\"items\":".to_owned(),
        };
        let error: Error = Error::Decode(Box::new(decode));
        assert_eq!(error.status(), Some(StatusCode::OK));
        assert_eq!(
            error.to_string(),
            "cannot decode the 200 OK response at `items[3].startTime`: premature end of input (body starts: {\"items\":)"
        );
        assert!(std::error::Error::source(&error).is_some());
    }

    #[test]
    fn bodies_over_the_limit_and_paging_loops_say_what_happened() {
        let too_large: Error = Error::ResponseTooLarge(Box::new(ResponseTooLarge::new(
            StatusCode::OK,
            1024,
            Some(4096),
        )));
        assert_eq!(too_large.status(), Some(StatusCode::OK));
        assert!(!too_large.is_retryable());
        assert!(too_large.response().is_none());
        assert_eq!(
            too_large.to_string(),
            "the 200 OK response body is larger than the limit of 1024 bytes (Content-Length: 4096)"
        );
        assert!(std::error::Error::source(&too_large).is_some());
        let streamed: Error =
            Error::ResponseTooLarge(Box::new(ResponseTooLarge::new(StatusCode::OK, 10, None)));
        assert_eq!(
            streamed.to_string(),
            "the 200 OK response body is larger than the limit of 10 bytes"
        );

        let paging: Error = Error::Paging("page 2 came back".to_owned());
        assert_eq!(paging.status(), None);
        assert!(!paging.is_retryable());
        assert_eq!(paging.to_string(), "paging error: page 2 came back");

        let Error::Status(mut response) = status_error(500, false, ErrorBody::Raw(b"xx".to_vec()))
        else {
            unreachable!()
        };
        response.body_truncated = true;
        response.attempts = 3;
        let cut: Error<String> = Error::Status(response);
        assert_eq!(
            cut.to_string(),
            "HTTP status 500 Internal Server Error: xx (body cut at the error body limit)"
        );
        assert_eq!(cut.response().map(|r| r.attempts), Some(3));
    }
}
