//! The runtime every generated client carries: the HTTP core, the error type and the helpers
//! that encode requests and decode responses. It is the same for every API; the generator
//! writes it as a crate of its own beside each crate it generates (`runtime/`, which the
//! generated crate re-exports as `runtime`), so generated crates depend on nothing of this
//! project, and the runtime compiles once rather than with every change of the API crate.
//!
//! With the `server` feature, [`server`] holds the server side.

/// The server side: decoding and validating requests, encoding responses.
#[cfg(feature = "server")]
pub mod server;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt, TryStreamExt};
use tracing::Instrument;

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
    /// code the client's [`RetryPolicy`] calls transient (throttling, server busy).
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
    pub fn new(value: &str) -> Result<Self, InvalidHeaderValue> {
        let mut value = HeaderValue::from_str(value).map_err(|_| InvalidHeaderValue)?;
        value.set_sensitive(true);
        Ok(Self(value))
    }
}

/// A credential value with characters not allowed in an HTTP header (the value itself is not
/// shown: it is a secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the Authorization value contains characters not allowed in an HTTP header")]
pub struct InvalidHeaderValue;

impl<E> From<InvalidHeaderValue> for Error<E> {
    fn from(error: InvalidHeaderValue) -> Self {
        Error::InvalidInput(error.to_string())
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
pub fn default_http_client<E>() -> Result<reqwest::Client, Error<E>> {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(Error::Transport)
}

/// When and how often a failed call is tried again.
///
/// Defaults: 5 attempts in all, exponential back-off from 200 ms doubling up to 10 s with
/// jitter (each delay is drawn between half and all of the nominal one), at most 60 s in all
/// including the attempts themselves. A `Retry-After` header on the response replaces the
/// computed delay. Only operations that are safe to repeat are retried on an error status or
/// a timeout; a connection that could not be made is retried for every operation, since
/// nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (1 turns retries off).
    pub max_attempts: u32,
    /// The nominal delay before the second attempt.
    pub initial_delay: Duration,
    /// The largest nominal delay.
    pub max_delay: Duration,
    /// No attempt starts after this much time since the first one.
    pub max_elapsed: Duration,
    /// Statuses worth another try.
    pub statuses: Vec<u16>,
    /// The response header carrying a textual error code (IoT Hub: `iothub-errorcode`).
    pub error_code_header: Option<String>,
    /// Error codes in that header worth another try, whatever the status.
    pub transient_error_codes: Vec<String>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(60),
            statuses: vec![429, 500, 502, 503, 504],
            error_code_header: None,
            transient_error_codes: Vec::new(),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts in all (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first delay and the largest one.
    #[must_use]
    pub fn delays(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_delay = initial;
        self.max_delay = max.max(initial);
        self
    }

    /// Sets the total time budget.
    #[must_use]
    pub fn max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    /// Sets the statuses worth another try.
    #[must_use]
    pub fn statuses(mut self, statuses: &[u16]) -> Self {
        self.statuses = statuses.to_vec();
        self
    }

    /// Sets the header with textual error codes and the codes worth another try.
    #[must_use]
    pub fn transient_error_codes(mut self, header: &str, codes: &[&str]) -> Self {
        self.error_code_header = Some(header.to_ascii_lowercase());
        self.transient_error_codes = codes.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    /// Whether a response with this status and headers is worth another try.
    pub fn is_transient(&self, status: StatusCode, headers: &HeaderMap) -> bool {
        if self.statuses.contains(&status.as_u16()) {
            return true;
        }
        let code = self
            .error_code_header
            .as_deref()
            .and_then(|name| headers.get(name))
            .and_then(|v| v.to_str().ok());
        code.is_some_and(|code| self.transient_error_codes.iter().any(|c| c == code))
    }

    /// The nominal delay before attempt `attempt + 1` (`attempt` counts from 1), with jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let nominal = self
            .initial_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        nominal.mul_f64(0.5 + fastrand::f64() / 2.0)
    }
}

/// The `Retry-After` delay of a response: seconds, or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// What the runtime needs to know about the operation it sends.
#[derive(Debug, Clone, Copy)]
pub struct OperationInfo {
    /// The operationId, for tracing.
    pub id: &'static str,
    /// Whether sending the request twice has the same effect as once.
    pub idempotent: bool,
}

/// What every generated client holds: the base URL, the HTTP client, the credential, the
/// retry policy and the per-attempt timeout.
#[derive(Clone)]
pub struct ClientCore {
    base_url: Url,
    http: reqwest::Client,
    credential: Option<Arc<dyn Credential>>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
}

impl fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &self.base_url.as_str())
            .field(
                "credential",
                &self.credential.as_ref().map(|_| "<redacted>"),
            )
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The default time one attempt may take, from sending to the end of the response: 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl ClientCore {
    /// A core for `base_url` (scheme and host, optionally a path prefix), with the default
    /// timeout and `retry` as the retry policy.
    pub fn new<E>(
        base_url: &str,
        http: reqwest::Client,
        retry: RetryPolicy,
    ) -> Result<Self, Error<E>> {
        let base_url = Url::parse(base_url)
            .map_err(|e| Error::InvalidInput(format!("base URL `{base_url}`: {e}")))?;
        if base_url.cannot_be_a_base() {
            return Err(Error::InvalidInput(format!(
                "base URL `{base_url}` cannot have a path"
            )));
        }
        Ok(Self {
            base_url,
            http,
            credential: None,
            retry,
            timeout: Some(DEFAULT_TIMEOUT),
        })
    }

    /// Sets the credential used for every request.
    pub fn set_credential(&mut self, credential: Arc<dyn Credential>) {
        self.credential = Some(credential);
    }

    /// Sets the retry policy.
    pub fn set_retry_policy(&mut self, retry: RetryPolicy) {
        self.retry = retry;
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Sets the time one attempt may take (`None`: no limit).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
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
            return Err(Error::InvalidInput(format!(
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
            let mut path = url
                .path_segments_mut()
                .map_err(|()| Error::InvalidInput("the base URL cannot have a path".to_owned()))?;
            path.pop_if_empty();
            path.extend(segments);
        }
        Ok(url)
    }

    /// Sends the request, retrying as the policy allows, and returns the last response
    /// (successful or not) or transport error. Each attempt gets a fresh `Authorization` value
    /// and runs in a `request` tracing span (operation, method, attempt, status, duration).
    pub async fn execute<E>(
        &self,
        operation: OperationInfo,
        mut request: reqwest::Request,
    ) -> Result<reqwest::Response, Error<E>> {
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
        *request.timeout_mut() = self.timeout;
        let started = std::time::Instant::now();
        let mut attempt = 1u32;
        loop {
            // Bodies are bytes, so a request can always be cloned; if not, it is sent once.
            let retry_copy = request.try_clone();
            let span = tracing::debug_span!(
                "request",
                operation = %operation.id,
                method = %request.method(),
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let result = self.attempt(request).instrument(span.clone()).await;
            let elapsed = started.elapsed();
            let delay = match &result {
                Ok(response) => {
                    let transient = self
                        .retry
                        .is_transient(response.status(), response.headers());
                    if !(transient && operation.idempotent) || response.status().is_success() {
                        return result;
                    }
                    retry_after(response.headers()).unwrap_or_else(|| self.retry.backoff(attempt))
                }
                Err(Error::Transport(e))
                    if e.is_connect()
                        || (operation.idempotent && (e.is_timeout() || e.is_request())) =>
                {
                    self.retry.backoff(attempt)
                }
                Err(_) => return result,
            };
            let Some(next) = retry_copy else {
                return result;
            };
            if attempt >= self.retry.max_attempts || elapsed + delay >= self.retry.max_elapsed {
                span.in_scope(|| tracing::debug!("retry budget spent; giving up"));
                return result;
            }
            span.in_scope(|| {
                tracing::warn!(
                    delay_ms = delay.as_millis() as u64,
                    "transient failure; retrying"
                )
            });
            tokio::time::sleep(delay).await;
            request = next;
            attempt += 1;
        }
    }

    /// One attempt: credential, send, record the outcome on the current span.
    async fn attempt<E>(
        &self,
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
        let sent = std::time::Instant::now();
        let result = self.http.execute(request).await;
        let span = tracing::Span::current();
        span.record("duration_ms", sent.elapsed().as_millis() as u64);
        match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                tracing::debug!("response");
            }
            Err(error) => tracing::debug!(%error, "no response"),
        }
        result.map_err(Error::Transport)
    }

    /// Sends the request ([`execute`](Self::execute)) and decodes the JSON body of a response
    /// whose status is one of `statuses` (any 2xx when empty); any other status is an error
    /// ([`error_from`](Self::error_from)).
    pub async fn send_json<T: serde::de::DeserializeOwned, E>(
        &self,
        operation: OperationInfo,
        request: reqwest::Request,
        statuses: &[u16],
        decode: fn(u16, &[u8]) -> Option<E>,
    ) -> Result<T, Error<E>> {
        let response = self
            .send_expecting(operation, request, statuses, decode)
            .await?;
        json_body(response).await
    }

    /// As [`send_json`](Self::send_json), for a response without a body: the body of a
    /// response with an expected status is not read.
    pub async fn send_empty<E>(
        &self,
        operation: OperationInfo,
        request: reqwest::Request,
        statuses: &[u16],
        decode: fn(u16, &[u8]) -> Option<E>,
    ) -> Result<(), Error<E>> {
        self.send_expecting(operation, request, statuses, decode)
            .await
            .map(drop)
    }

    /// Sends the request and returns a response whose status is one of `statuses` (any 2xx
    /// when empty), or the error any other status makes.
    async fn send_expecting<E>(
        &self,
        operation: OperationInfo,
        request: reqwest::Request,
        statuses: &[u16],
        decode: fn(u16, &[u8]) -> Option<E>,
    ) -> Result<reqwest::Response, Error<E>> {
        let response = self.execute(operation, request).await?;
        let status = response.status();
        let expected = if statuses.is_empty() {
            status.is_success()
        } else {
            statuses.contains(&status.as_u16())
        };
        if expected {
            Ok(response)
        } else {
            Err(self.error_from(response, decode).await)
        }
    }

    /// Turns a response with an undocumented or error status into [`Error::Status`], typed
    /// when `decode` reads the body (given the status), and marked retryable when the policy
    /// says so.
    pub async fn error_from<E>(
        &self,
        response: reqwest::Response,
        decode: fn(u16, &[u8]) -> Option<E>,
    ) -> Error<E> {
        let status = response.status();
        let headers = response.headers().clone();
        let retryable = self.retry.is_transient(status, &headers);
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => return Error::Transport(e),
        };
        let typed = if bytes.is_empty() {
            None
        } else {
            decode(status.as_u16(), &bytes)
        };
        let body = match typed {
            Some(typed) => ErrorBody::Typed(typed),
            None => ErrorBody::Raw(bytes.to_vec()),
        };
        Error::Status(Box::new(ErrorResponse {
            status,
            headers,
            body,
            retryable,
        }))
    }
}

/// Reads an error body as JSON of type `E`, whatever the status.
pub fn decode_json_error<E: serde::de::DeserializeOwned>(_status: u16, body: &[u8]) -> Option<E> {
    serde_json::from_slice(body).ok()
}

/// One page of a paged operation: its items and the token of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The token for the next page; `None` on the last page.
    pub continuation: Option<String>,
}

/// Follows continuation tokens from `first` (usually `None`): calls `fetch` for each page
/// until a page comes without a token, yielding the items one by one. An error ends the
/// stream after it is yielded.
pub fn paginate<'a, T, E, F, Fut>(
    first: Option<String>,
    fetch: F,
) -> impl Stream<Item = Result<T, Error<E>>> + Send + 'a
where
    T: Send + 'a,
    E: Send + 'a,
    F: FnMut(Option<String>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>, Error<E>>> + Send + 'a,
{
    futures::stream::try_unfold((fetch, Some(first)), next_page)
        .try_flatten()
        .boxed()
}

/// One step of [`paginate`]: fetches the page for `next` (if any) and the state after it.
async fn next_page<T, E, F, Fut>(
    (mut fetch, next): (F, Option<Option<String>>),
) -> Result<Option<(PageItems<T, E>, (F, Option<Option<String>>))>, Error<E>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error<E>>>,
{
    let Some(token) = next else {
        return Ok(None);
    };
    let page = fetch(token).await?;
    let next = page.continuation.filter(|c| !c.is_empty()).map(Some);
    let ok: fn(T) -> Result<T, Error<E>> = Ok;
    let items = futures::stream::iter(page.items.into_iter().map(ok));
    Ok(Some((items, (fetch, next))))
}

/// The items of one page, as a stream.
type PageItems<T, E> =
    futures::stream::Iter<std::iter::Map<std::vec::IntoIter<T>, fn(T) -> Result<T, Error<E>>>>;

/// Sets a request header, rejecting values that are not valid in a header.
pub fn set_header<E>(
    request: &mut reqwest::Request,
    name: &'static str,
    value: &str,
) -> Result<(), Error<E>> {
    let header = reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::InvalidInput(format!("`{name}` is not a valid header name")))?;
    let value = HeaderValue::from_str(value).map_err(|_| {
        Error::InvalidInput(format!(
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
    let bytes =
        serde_json::to_vec(body).map_err(|e| Error::InvalidInput(format!("request body: {e}")))?;
    set_bytes_body(request, content_type, bytes)
}

/// Serializes `body` (a flat object) as a form (`application/x-www-form-urlencoded`) body.
pub fn set_form_body<T: serde::Serialize + ?Sized, E>(
    request: &mut reqwest::Request,
    content_type: &'static str,
    body: &T,
) -> Result<(), Error<E>> {
    let text = serde_urlencoded::to_string(body)
        .map_err(|e| Error::InvalidInput(format!("form body: {e}")))?;
    set_bytes_body(request, content_type, text.into_bytes())
}

/// Sends `body` as `multipart/form-data`: one text part per property (arrays give one part
/// per item; nested objects are sent as JSON text). Such requests are not retried: their body
/// is a stream.
pub fn set_multipart_body<T: serde::Serialize + ?Sized, E>(
    http: &reqwest::Client,
    request: &mut reqwest::Request,
    body: &T,
) -> Result<(), Error<E>> {
    let value = serde_json::to_value(body)
        .map_err(|e| Error::InvalidInput(format!("multipart body: {e}")))?;
    let serde_json::Value::Object(fields) = value else {
        return Err(Error::InvalidInput(
            "a multipart body must be an object".to_owned(),
        ));
    };
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in &fields {
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::Array(items) => {
                for item in items {
                    form = form.text(name.clone(), text(item));
                }
            }
            other => form = form.text(name.clone(), text(other)),
        }
    }
    // reqwest builds multipart bodies through a request builder; borrow its body and header.
    let mut built = http
        .request(request.method().clone(), request.url().clone())
        .multipart(form)
        .build()
        .map_err(Error::Transport)?;
    if let Some(content_type) = built.headers().get(reqwest::header::CONTENT_TYPE).cloned() {
        request
            .headers_mut()
            .insert(reqwest::header::CONTENT_TYPE, content_type);
    }
    *request.body_mut() = built.body_mut().take();
    Ok(())
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

/// The methods of a generated client that are the same for every API: the retry policy, the
/// per-attempt timeout, the credential, the base URL and the HTTP client, all kept in its
/// `core` field (a [`ClientCore`]).
#[macro_export]
macro_rules! client_common {
    ($client:ident) => {
        impl $client {
            /// Sets the retry policy ([`RetryPolicy::none`](runtime::RetryPolicy::none) turns
            /// retries off).
            #[must_use]
            pub fn with_retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
                self.core.set_retry_policy(policy);
                self
            }

            /// The retry policy in use.
            pub fn retry_policy(&self) -> &$crate::RetryPolicy {
                self.core.retry_policy()
            }

            /// Sets how long one attempt may take, from sending to the end of the response
            /// (`None`: no limit; the default is 30 s).
            #[must_use]
            pub fn with_timeout(
                mut self,
                timeout: ::std::option::Option<::std::time::Duration>,
            ) -> Self {
                self.core.set_timeout(timeout);
                self
            }

            /// Sets the credential that supplies the `Authorization` header of every request.
            #[must_use]
            pub fn with_credential(
                mut self,
                credential: impl $crate::Credential + 'static,
            ) -> Self {
                self.core.set_credential(::std::sync::Arc::new(credential));
                self
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &$crate::Url {
                self.core.base_url()
            }

            /// The HTTP client requests go through.
            pub fn http_client(&self) -> &::reqwest::Client {
                self.core.http_client()
            }
        }
    };
}

/// Serde impls of a model struct, written by the generator for every struct without
/// `additionalProperties`: fields go out and come in under their wire names, in a JSON object
/// only (never a positional array, which `#[derive(Deserialize)]` would also accept), with
/// unknown keys ignored and a repeated key an error. Each field is `(name, "wire name", kind)`,
/// with one of these kinds:
/// - `req`: must be present; always sent.
/// - `opt`: an `Option`, `None` when absent or `null`; not sent when `None`.
/// - `nullable`: an `Option` that is always sent (`null` for `None`); `None` when absent.
/// - `default(f)`: takes `Type::f()` when absent; always sent.
///
/// (A macro rather than `#[derive]`: the expansion is smaller, which is most of what a
/// generated crate costs to compile.)
#[macro_export]
macro_rules! json_struct {
    ($name:ident, [$(($field:ident, $wire:literal, $kind:ident $(($default:ident))?)),* $(,)?]) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                let mut state = ::serde::Serializer::serialize_struct(
                    serializer,
                    ::std::stringify!($name),
                    <[&str]>::len(&[$($wire),*]),
                )?;
                $($crate::json_struct!(@ser $kind state $wire self.$field);)*
                ::serde::ser::SerializeStruct::end(state)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(::std::concat!("struct ", ::std::stringify!($name)))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<$name, A::Error> {
                        $(let mut $field = ::std::option::Option::None;)*
                        while let ::std::option::Option::Some(key) =
                            ::serde::de::MapAccess::next_key::<$crate::model::Key<'de>>(&mut map)?
                        {
                            match key.as_str() {
                                $($wire => $crate::model::take(&mut map, &mut $field, $wire)?,)*
                                _ => $crate::model::skip(&mut map)?,
                            }
                        }
                        ::std::result::Result::Ok($name {
                            $($field: $crate::json_struct!(
                                @finish $kind $(($default))? $name $field $wire
                            ),)*
                        })
                    }
                }
                ::serde::Deserializer::deserialize_struct(
                    deserializer,
                    ::std::stringify!($name),
                    &[$($wire),*],
                    Visitor,
                )
            }
        }
    };
    (@ser opt $state:ident $wire:literal $value:expr) => {
        $crate::model::serialize_opt(&mut $state, $wire, &$value)?
    };
    (@ser $kind:ident $state:ident $wire:literal $value:expr) => {
        ::serde::ser::SerializeStruct::serialize_field(&mut $state, $wire, &$value)?
    };
    (@finish req $name:ident $field:ident $wire:literal) => {
        $crate::model::required($field, $wire)?
    };
    (@finish default($default:ident) $name:ident $field:ident $wire:literal) => {
        $field.unwrap_or_else($name::$default)
    };
    (@finish $kind:ident $name:ident $field:ident $wire:literal) => {
        $field.flatten()
    };
}

/// What [`json_struct!`] expands to calls: the parts of a model's serde impls that do not
/// depend on the model, compiled once here rather than in every generated crate.
pub mod model {
    use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, Visitor};
    use serde::ser::SerializeStruct;
    use std::borrow::Cow;
    use std::fmt;

    /// A key of a JSON object, borrowed from the input when it can be.
    #[derive(Debug)]
    pub struct Key<'de>(Cow<'de, str>);

    impl Key<'_> {
        /// The key's text (empty for a key that is not text).
        pub fn as_str(&self) -> &str {
            &self.0
        }
    }

    impl<'de> Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_identifier(KeyVisitor)
        }
    }

    struct KeyVisitor;

    impl<'de> Visitor<'de> for KeyVisitor {
        type Value = Key<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("field identifier")
        }

        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Borrowed(v)))
        }

        fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(v.to_owned())))
        }

        fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(v)))
        }

        fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Key<'de>, E> {
            Ok(Key(String::from_utf8_lossy(v)))
        }

        fn visit_bytes<E>(self, v: &[u8]) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(String::from_utf8_lossy(v).into_owned())))
        }

        // Formats that name fields by index: no field matches, as with a key not listed.
        fn visit_u64<E>(self, _: u64) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Borrowed("")))
        }
    }

    /// Reads the value of field `wire` into `slot`; a second value for it is an error.
    pub fn take<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
        map: &mut A,
        slot: &mut Option<T>,
        wire: &'static str,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(A::Error::duplicate_field(wire));
        }
        *slot = Some(map.next_value()?);
        Ok(())
    }

    /// Reads and drops the value of a key the model does not list.
    pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
        map.next_value::<serde::de::IgnoredAny>().map(|_| ())
    }

    /// The value of a required field, or the error that it is missing.
    pub fn required<T, E: serde::de::Error>(slot: Option<T>, wire: &'static str) -> Result<T, E> {
        slot.ok_or_else(|| E::missing_field(wire))
    }

    /// Writes an optional field, or skips it when it is `None`.
    pub fn serialize_opt<S: SerializeStruct, T: serde::Serialize>(
        state: &mut S,
        wire: &'static str,
        value: &Option<T>,
    ) -> Result<(), S::Error> {
        match value {
            Some(_) => state.serialize_field(wire, value),
            None => state.skip_field(wire),
        }
    }
}

/// The impls of an open string enum: `as_str`, `Display`, `From<&str>`, `FromStr` and serde,
/// all through the wire values, with `$fallback` holding any value not listed. (Unused in
/// crates whose document has no string enum.)
#[macro_export]
macro_rules! open_enum {
    ($name:ident, $fallback:ident, { $($variant:ident => $wire:literal,)* }) => {
        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$fallback(value) => value.as_str(),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::$fallback(other.to_owned()),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value =
                    <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    };
}

/// The methods and trait impls of an open integer enum: `value`, `From<i64>`, `Display`,
/// `FromStr`, and serde as a JSON number. (Unused in crates whose document has no integer
/// enum.)
#[macro_export]
macro_rules! open_int_enum {
    ($name:ident, $fallback:ident, { $($variant:ident => $wire:literal,)* }) => {
        impl $name {
            /// The value as sent on the wire.
            pub fn value(&self) -> i64 {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$fallback(value) => *value,
                }
            }
        }

        impl ::std::convert::From<i64> for $name {
            fn from(value: i64) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::$fallback(other),
                }
            }
        }

        impl ::std::convert::From<$name> for i64 {
            fn from(value: $name) -> Self {
                value.value()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value(), f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                value.parse::<i64>().map(Self::from)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <i64 as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

/// Bytes that travel as base64 text (`format: byte`). Encodes with the standard alphabet and
/// padding; decodes the standard or URL-safe alphabet, with or without padding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Base64(pub Vec<u8>);

impl Base64 {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, owned.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
}

impl From<Vec<u8>> for Base64 {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Base64 {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl From<Base64> for Vec<u8> {
    fn from(value: Base64) -> Self {
        value.0
    }
}

impl AsRef<[u8]> for Base64 {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use base64::Engine as _;
        f.write_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl std::str::FromStr for Base64 {
    type Err = base64::DecodeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        use base64::Engine as _;
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        let padded = text.ends_with('=');
        let url_safe = text.contains(['-', '_']);
        let engine = match (url_safe, padded) {
            (false, true) => &STANDARD,
            (false, false) => &STANDARD_NO_PAD,
            (true, true) => &URL_SAFE,
            (true, false) => &URL_SAFE_NO_PAD,
        };
        engine.decode(text).map(Self)
    }
}

impl serde::Serialize for Base64 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Base64 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Serializes a member of a tagged union: the member's JSON with the discriminator property
/// set to `tag_value` (added when the member's schema does not carry it).
pub fn serialize_tagged<S: serde::Serializer, T: serde::Serialize>(
    serializer: S,
    tag: &str,
    tag_value: &str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    let mut json = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
    if let serde_json::Value::Object(map) = &mut json {
        map.entry(tag.to_owned())
            .or_insert_with(|| serde_json::Value::String(tag_value.to_owned()));
    }
    serde::Serialize::serialize(&json, serializer)
}

/// Appends a `deepObject` query parameter to `url`: `name[key]=value` for each property,
/// nested objects as `name[key][inner]=value`, arrays as `name[key][0]=value`; brackets are
/// left unencoded, as servers that read this style expect.
pub fn append_deep_object<T: serde::Serialize + ?Sized, E>(
    url: &mut Url,
    name: &'static str,
    value: &T,
) -> Result<(), Error<E>> {
    let wrapped = std::collections::BTreeMap::from([(name, value)]);
    let text = serde_qs::to_string(&wrapped)
        .map_err(|e| Error::InvalidInput(format!("parameter `{name}`: {e}")))?;
    if text.is_empty() {
        return Ok(());
    }
    let query = match url.query() {
        Some(existing) if !existing.is_empty() => format!("{existing}&{text}"),
        _ => text,
    };
    url.set_query(Some(&query));
    Ok(())
}

/// Drops the `?` that an empty query would leave at the end of `url`.
pub fn finish_query(url: &mut Url) {
    if url.query() == Some("") {
        url.set_query(None);
    }
}

/// Characters a cookie value may not carry as they are (RFC 6265 `cookie-octet` excludes
/// controls, space, `"`, `,`, `;` and `\`); `%` is encoded so values round-trip.
const COOKIE_VALUE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// One `name=value` cookie pair, the value percent-encoded so it cannot add cookies.
pub fn cookie_pair(name: &str, value: &str) -> String {
    format!(
        "{name}={}",
        percent_encoding::utf8_percent_encode(value, COOKIE_VALUE)
    )
}

/// The text of a parameter whose type has no plain-text form: a value that serializes to a
/// JSON string is sent as that string (an untagged union of scalars, any JSON holding a
/// string), other values as JSON text (numbers and booleans as themselves, objects and arrays
/// as JSON).
pub fn to_json_string<T: serde::Serialize + ?Sized, E>(
    name: &'static str,
    value: &T,
) -> Result<String, Error<E>> {
    let invalid = |e: serde_json::Error| Error::InvalidInput(format!("parameter `{name}`: {e}"));
    match serde_json::to_value(value).map_err(invalid)? {
        serde_json::Value::String(text) => Ok(text),
        other => serde_json::to_string(&other).map_err(invalid),
    }
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
    // The fast path is plain serde_json; only a failure is decoded again to find its path.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let (path, message) = failing_path(e);
        DecodeError {
            status,
            path,
            message,
            excerpt: excerpt(bytes),
        }
    })
}

/// Reads the whole body and decodes it as a form.
pub async fn form_body<T: serde::de::DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<T, Error<E>> {
    let status = response.status();
    let bytes = response.bytes().await.map_err(Error::Transport)?;
    serde_urlencoded::from_bytes(&bytes).map_err(|e| {
        Error::Decode(Box::new(DecodeError {
            status,
            path: ".".to_owned(),
            message: e.to_string(),
            excerpt: excerpt(&bytes),
        }))
    })
}

/// Reads the whole body as text (invalid UTF-8 is replaced).
pub async fn text_body<E>(response: reqwest::Response) -> Result<String, Error<E>> {
    response.text().await.map_err(Error::Transport)
}

/// The JSON path and message of a decoding failure. serde reports a missing field at the
/// object that lacks it; the path names the field itself.
pub fn failing_path(error: serde_path_to_error::Error<serde_json::Error>) -> (String, String) {
    let path = error.path().to_string();
    let message = error.into_inner().to_string();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field.to_owned());
    let path = match missing {
        Some(field) if path == "." => field,
        Some(field) => format!("{path}.{field}"),
        None => path,
    };
    (path, message)
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
