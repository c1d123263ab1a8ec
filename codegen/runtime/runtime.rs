//! The runtime every generated client carries: the HTTP core, the error type and the helpers
//! that encode requests and decode responses. It is the same for every API; the generator
//! copies it into each crate it writes, so generated crates depend on nothing of this project.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use reqwest::StatusCode;
pub use reqwest::Url;
pub use reqwest::header::{HeaderMap, HeaderValue};

/// How much of an undecodable body errors keep, in bytes.
const EXCERPT_LIMIT: usize = 512;

/// Everything that can go wrong in a call. `E` is the type of the operation's documented error
/// body.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E = serde_json::Value> {
    /// The request could not be built (for example a header value with a newline), or the base
    /// URL is not usable. Nothing was sent.
    InvalidRequest(String),
    /// The credential could not produce an `Authorization` value. Nothing was sent.
    Credential(String),
    /// No response arrived: connection refused or reset, TLS failure, timeout.
    Transport(reqwest::Error),
    /// The service answered with a status the operation does not document as success.
    Status(Box<ErrorResponse<E>>),
    /// A success response whose body or headers do not match the document.
    Decode(Box<DecodeError>),
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest(message) => write!(f, "invalid request: {message}"),
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

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(e) if e.is_timeout())
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

fn excerpt(bytes: &[u8]) -> String {
    let cut = bytes.get(..EXCERPT_LIMIT).unwrap_or(bytes);
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > EXCERPT_LIMIT {
        text.push('…');
    }
    text
}

/// A boxed future, as returned by [`Credential::authorization`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Supplies the `Authorization` header value of each request (an API key, a SAS token, a
/// bearer token...). Called once per request, so implementations can cache and renew.
pub trait Credential: Send + Sync {
    /// The value for the `Authorization` header, or a message saying why there is none.
    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>>;
}

/// A fixed `Authorization` value. Its `Debug` output never shows the value.
#[derive(Clone)]
pub struct StaticCredential(HeaderValue);

impl StaticCredential {
    /// A credential that always sends `value`.
    pub fn new(value: &str) -> Result<Self, Error> {
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            Error::InvalidRequest(
                "the Authorization value contains characters not allowed in a header".to_owned(),
            )
        })?;
        value.set_sensitive(true);
        Ok(Self(value))
    }
}

impl fmt::Debug for StaticCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticCredential(<redacted>)")
    }
}

impl Credential for StaticCredential {
    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>> {
        let value = self.0.clone();
        Box::pin(async move { Ok(value) })
    }
}

/// The HTTP client used when the caller does not pass one: rustls, 30 s connect timeout.
pub fn default_http_client() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(Error::Transport)
}

/// What every generated client holds: the base URL, the HTTP client and the credential.
#[derive(Clone)]
pub struct ClientCore {
    base_url: Url,
    http: reqwest::Client,
    credential: Option<Arc<dyn Credential>>,
}

impl fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &self.base_url.as_str())
            .field(
                "credential",
                &self.credential.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

impl ClientCore {
    /// A core for `base_url` (scheme and host, optionally a path prefix).
    pub fn new(base_url: &str, http: reqwest::Client) -> Result<Self, Error> {
        let base_url = Url::parse(base_url)
            .map_err(|e| Error::InvalidRequest(format!("base URL `{base_url}`: {e}")))?;
        if base_url.cannot_be_a_base() {
            return Err(Error::InvalidRequest(format!(
                "base URL `{base_url}` cannot have a path"
            )));
        }
        Ok(Self {
            base_url,
            http,
            credential: None,
        })
    }

    /// Sets the credential used for every request.
    pub fn set_credential(&mut self, credential: Arc<dyn Credential>) {
        self.credential = Some(credential);
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The HTTP client.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    /// The base URL with `segments` appended, each percent-encoded as one path segment.
    ///
    /// Empty, `.` and `..` segments are refused: URL normalization would drop them and the
    /// request would reach another resource (`cancel("..")` must not become `POST /jobs/v2/cancel`).
    pub fn url<E>(&self, segments: &[&str]) -> Result<Url, Error<E>> {
        if let Some(bad) = segments.iter().find(|s| matches!(**s, "" | "." | "..")) {
            return Err(Error::InvalidRequest(format!(
                "a path parameter may not be {}: it would change the path",
                if bad.is_empty() {
                    "empty".to_owned()
                } else {
                    format!("`{bad}`")
                }
            )));
        }
        let mut url = self.base_url.clone();
        {
            let mut path = url.path_segments_mut().map_err(|()| {
                Error::InvalidRequest("the base URL cannot have a path".to_owned())
            })?;
            path.pop_if_empty();
            path.extend(segments);
        }
        Ok(url)
    }

    /// Adds the credential's `Authorization` header and sends the request.
    pub async fn execute<E>(
        &self,
        _operation_id: &'static str,
        mut request: reqwest::Request,
    ) -> Result<reqwest::Response, Error<E>> {
        if let Some(credential) = &self.credential {
            let mut value = credential
                .authorization()
                .await
                .map_err(Error::Credential)?;
            value.set_sensitive(true);
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, value);
        }
        // Servers such as HTTP.sys answer 411 to a POST, PUT or PATCH without a length.
        let needs_length = matches!(
            *request.method(),
            reqwest::Method::POST | reqwest::Method::PUT | reqwest::Method::PATCH
        );
        if needs_length && request.body().is_none() {
            request.headers_mut().insert(
                reqwest::header::CONTENT_LENGTH,
                HeaderValue::from_static("0"),
            );
        }
        self.http.execute(request).await.map_err(Error::Transport)
    }
}

/// Sets a request header, rejecting values that are not valid in a header.
pub fn set_header<E>(
    request: &mut reqwest::Request,
    name: &'static str,
    value: &str,
) -> Result<(), Error<E>> {
    let header = reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::InvalidRequest(format!("`{name}` is not a valid header name")))?;
    let value = HeaderValue::from_str(value).map_err(|_| {
        Error::InvalidRequest(format!(
            "header `{name}`: the value contains characters not allowed in a header"
        ))
    })?;
    request.headers_mut().insert(header, value);
    Ok(())
}

/// Serializes `body` as the JSON request body.
pub fn set_json_body<T: serde::Serialize + ?Sized, E>(
    request: &mut reqwest::Request,
    content_type: &'static str,
    body: &T,
) -> Result<(), Error<E>> {
    let bytes = serde_json::to_vec(body)
        .map_err(|e| Error::InvalidRequest(format!("request body: {e}")))?;
    set_bytes_body(request, content_type, bytes)
}

/// Sets raw bytes as the request body.
pub fn set_bytes_body<E>(
    request: &mut reqwest::Request,
    content_type: &'static str,
    body: Vec<u8>,
) -> Result<(), Error<E>> {
    set_header(request, "content-type", content_type)?;
    *request.body_mut() = Some(body.into());
    Ok(())
}

/// A value as JSON text, for parameters whose type has no plain-text form.
pub fn to_json_string<T: serde::Serialize + ?Sized, E>(
    name: &'static str,
    value: &T,
) -> Result<String, Error<E>> {
    serde_json::to_string(value)
        .map_err(|e| Error::InvalidRequest(format!("parameter `{name}`: {e}")))
}

/// Reads the whole body and decodes it as JSON.
pub async fn json_body<T: serde::de::DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<T, Error<E>> {
    let status = response.status();
    let bytes = response.bytes().await.map_err(Error::Transport)?;
    decode_json(status, &bytes).map_err(|e| Error::Decode(Box::new(e)))
}

/// Decodes `bytes` as JSON, reporting the path of the value that failed.
pub fn decode_json<T: serde::de::DeserializeOwned>(
    status: StatusCode,
    bytes: &[u8],
) -> Result<T, DecodeError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        DecodeError {
            status,
            path,
            message: e.into_inner().to_string(),
            excerpt: excerpt(bytes),
        }
    })
}

/// Reads the whole body as bytes.
pub async fn bytes_body<E>(response: reqwest::Response) -> Result<Vec<u8>, Error<E>> {
    Ok(response.bytes().await.map_err(Error::Transport)?.to_vec())
}

/// Reads and parses a response header; `None` when it is absent.
pub fn header_value<T: std::str::FromStr, E>(
    response: &reqwest::Response,
    name: &'static str,
) -> Result<Option<T>, Error<E>>
where
    T::Err: fmt::Display,
{
    let Some(value) = response.headers().get(name) else {
        return Ok(None);
    };
    let decode_error = |message: String| {
        Error::Decode(Box::new(DecodeError {
            status: response.status(),
            path: format!("header {name}"),
            message,
            excerpt: String::from_utf8_lossy(value.as_bytes()).into_owned(),
        }))
    };
    let text = value.to_str().map_err(|e| decode_error(e.to_string()))?;
    text.parse()
        .map(Some)
        .map_err(|e: T::Err| decode_error(e.to_string()))
}

/// Turns a response with an undocumented or error status into [`Error::Status`].
pub async fn error_from<E: serde::de::DeserializeOwned>(response: reqwest::Response) -> Error<E> {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return Error::Transport(e),
    };
    let body = match serde_json::from_slice::<E>(&bytes) {
        Ok(typed) if !bytes.is_empty() => ErrorBody::Typed(typed),
        _ => ErrorBody::Raw(bytes.to_vec()),
    };
    Error::Status(Box::new(ErrorResponse {
        status,
        headers,
        body,
    }))
}
