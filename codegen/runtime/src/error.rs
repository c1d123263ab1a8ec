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
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
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
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
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

impl<E: fmt::Debug> fmt::Display for ErrorResponse<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP status {}", self.status)?;
        match &self.body {
            ErrorBody::Typed(body) => write!(f, ": {body:?}"),
            ErrorBody::Raw(raw) if !raw.is_empty() => write!(f, ": {}", excerpt(raw)),
            ErrorBody::Raw(_) => Ok(()),
        }?;
        if self.body_truncated {
            f.write_str(" (body cut at the error body limit)")?;
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
