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
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(error) => Some(error),
            Error::Decode(error) => Some(error.as_ref()),
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
}

impl<E: fmt::Debug> fmt::Display for ErrorResponse<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP status {}", self.status)?;
        match &self.body {
            ErrorBody::Typed(body) => write!(f, ": {body:?}"),
            ErrorBody::Raw(raw) if !raw.is_empty() => write!(f, ": {}", excerpt(raw)),
            ErrorBody::Raw(_) => Ok(()),
        }
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
}
