//! The HTTP core: [`ClientCore`], what every generated client holds (base URL, HTTP client,
//! credential, retry policy, timeout), which sends requests with retries and tracing and
//! checks response statuses; and [`client_common!`](crate::client_common), the client
//! methods that are the same for every API.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

use crate::response::{
    BodyLimit, DEFAULT_MAX_ERROR_BODY_BYTES, DEFAULT_MAX_RESPONSE_BYTES, Limited, json_body,
    read_limited,
};
use crate::retry::{attempt_timeout, retry_after};
use crate::{
    CallOptions, Credential, Error, ErrorBody, ErrorResponse, HeaderValue, RetryPolicy, StatusCode,
    Url,
};

/// The HTTP client used when the caller does not pass one: a 30 s connect timeout, redirects
/// followed only within the origin ([`same_origin_redirects`]), and TLS as the runtime's
/// features choose (see [`tls`]).
pub fn default_http_client<E>() -> Result<reqwest::Client, Error<E>> {
    let builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(30))
        .redirect(same_origin_redirects());
    tls(builder).build().map_err(Error::Transport)
}

/// How many redirects [`same_origin_redirects`] follows in a row (reqwest's default too).
const MAX_REDIRECTS: usize = 10;

/// The redirect policy of [`default_http_client`]: a redirect is followed only when it stays
/// on the origin of the request (same scheme, host and port), at most 10 in a row; any other
/// redirect is not followed, and the caller gets the 3xx response (an
/// [`Error::Status`] with its `Location` header, for an operation that does not document it).
///
/// Why: a followed redirect sends the request again, with its `Authorization` header (reqwest
/// drops it when the host or port changes, and before 0.13.5 kept it across a change of
/// scheme on the same port, `https` to `http` included), the headers generated code set from
/// parameters (API keys among them) and, for 307 and 308, the body. An API that moves a
/// resource within itself keeps working; one that sends its clients to another origin (a
/// download host, a sign-in page) is better handled by the caller, who can see where and
/// decide. Pass your own client to `with_http_client` for another policy.
pub fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

/// Whether `url`'s host is a loopback address: `localhost`, 127.0.0.0/8 or `::1` (also as
/// `::ffff:127.x.y.z`).
pub(crate) fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") || host.eq_ignore_ascii_case("localhost.") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// Refuses to send a credential over cleartext `http://` to a host that is not a loopback
/// address.
fn refuse_cleartext<E>(url: &Url) -> Result<(), Error<E>> {
    if url.scheme() != "http" || is_loopback(url) {
        return Ok(());
    }
    Err(Error::InvalidInput(format!(
        "refusing to send the credential in cleartext to `http://{}`: use https://, or allow \
         it explicitly with `with_insecure_http(true)` (http:// is allowed without it only to \
         loopback addresses: localhost, 127.0.0.0/8, ::1)",
        url.host_str().unwrap_or_default()
    )))
}

/// Logs, in the span of the attempt that failed, that the call is tried again after `delay`.
fn log_retry(span: &tracing::Span, delay: Duration) {
    span.in_scope(|| {
        tracing::warn!(
            delay_ms = delay.as_millis() as u64,
            "transient failure; retrying"
        )
    });
}

/// How many attempts a call made, attached (in its extensions) to the response
/// [`ClientCore::execute`] returns, for [`ErrorResponse::attempts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Attempts(u32);

/// Whether the call's retry policy calls the status of the response
/// [`ClientCore::execute`] returns transient, for [`ErrorResponse::retryable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Transient(bool);

/// The client request id of the attempt whose response [`ClientCore::execute`] returns, for
/// [`ErrorResponse::client_request_id`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct RequestId(String);

/// The TLS set-up of [`default_http_client`], by the runtime's features:
/// - `rustls` (the default): rustls, trusting the operating system's certificate store
///   through the platform verifier, so a corporate TLS proxy whose root is installed there
///   works;
/// - `webpki-roots`: rustls trusting only Mozilla's roots, compiled in (for images without a
///   certificate store);
/// - `native-tls`: the platform's TLS library (OpenSSL, Secure Transport, SChannel) and its
///   trust store; it wins when several are on.
///
/// With none of them, only `http://` URLs work. A client built by the caller and passed to a
/// generated client's `with_http_client` keeps its own set-up.
pub fn tls(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    #[cfg(feature = "native-tls")]
    let builder = builder.tls_backend_native();
    #[cfg(all(feature = "webpki-roots", not(feature = "native-tls")))]
    let builder = builder.tls_certs_only(
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .filter_map(|der| reqwest::Certificate::from_der(der).ok()),
    );
    builder
}

/// What the runtime needs to know about the operation it sends.
#[derive(Debug, Clone, Copy)]
pub struct OperationInfo {
    /// The operationId, for tracing.
    pub id: &'static str,
    /// Whether sending the request twice has the same effect as once.
    pub idempotent: bool,
    /// The operation's security requirements (see [`Requirements`](crate::Requirements));
    /// `None` when the document declares none, and the client's `with_credential` applies.
    pub security: Option<crate::Requirements>,
}

/// What every generated client holds: the base URL, the HTTP client, the credential, the
/// retry policy, the per-attempt timeout and the body size limits.
#[derive(Clone)]
pub struct ClientCore {
    base_url: Url,
    http: reqwest::Client,
    credential: Option<Arc<dyn Credential>>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    max_response_bytes: usize,
    max_error_body_bytes: usize,
    allow_insecure_http: bool,
    product: String,
    application_id: Option<String>,
    user_agent: HeaderValue,
    request_id_header: Option<reqwest::header::HeaderName>,
    hooks: Vec<Arc<dyn crate::Hook>>,
    schemes: crate::auth::SchemeCredentials,
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
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_error_body_bytes", &self.max_error_body_bytes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("user_agent", &self.user_agent())
            .field("request_id_header", &self.request_id_header)
            .field("hooks", &self.hooks.len())
            .field(
                "scheme_credentials",
                &self
                    .schemes
                    .credentials
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// The `User-Agent` of a client that did not say which product it is.
const RUNTIME_PRODUCT: &str = concat!("openapi-rust-runtime/", env!("CARGO_PKG_VERSION"));

/// `text` with the characters a header value cannot hold (and spaces, unless `spaces`) as `-`.
fn clean_header_text(text: &str, spaces: bool) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_graphic() || (spaces && c == ' ') {
                c
            } else {
                '-'
            }
        })
        .collect()
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
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_error_body_bytes: DEFAULT_MAX_ERROR_BODY_BYTES,
            allow_insecure_http: false,
            product: RUNTIME_PRODUCT.to_owned(),
            application_id: None,
            user_agent: HeaderValue::from_static(concat!(
                "openapi-rust-runtime/",
                env!("CARGO_PKG_VERSION")
            )),
            request_id_header: None,
            hooks: Vec::new(),
            schemes: Default::default(),
        })
    }

    /// Adds a hook that runs around every attempt, after those added before it
    /// ([`Hook`](crate::Hook)).
    pub fn add_hook(&mut self, hook: Arc<dyn crate::Hook>) {
        self.hooks.push(hook);
    }

    /// Sets the product the `User-Agent` of every request names: the generated crate's name
    /// and version (`my-api-client/1.2.0`), after the application's id when one is set
    /// ([`set_application_id`](Self::set_application_id)). Characters a header cannot hold
    /// become `-`.
    pub fn set_product(&mut self, product: &str) {
        self.product = clean_header_text(product, true);
        self.update_user_agent();
    }

    /// [`set_product`](Self::set_product), for a core being built.
    #[must_use]
    pub fn with_product(mut self, product: &str) -> Self {
        self.set_product(product);
        self
    }

    /// [`set_request_id_header`](Self::set_request_id_header), for a core being built.
    #[must_use]
    pub fn with_request_id_header(mut self, name: &str) -> Self {
        self.set_request_id_header(name);
        self
    }

    /// Puts the application's id first in the `User-Agent` of every request (`my-app
    /// my-api-client/1.2.0`), as Azure SDKs do, so that the service's logs can tell your
    /// application's requests apart. Spaces and characters a header cannot hold become `-`.
    pub fn set_application_id(&mut self, id: &str) {
        self.application_id = Some(clean_header_text(id, false)).filter(|id| !id.is_empty());
        self.update_user_agent();
    }

    fn update_user_agent(&mut self) {
        let value = match &self.application_id {
            Some(id) => format!("{id} {}", self.product),
            None => self.product.clone(),
        };
        if let Ok(value) = HeaderValue::from_str(&value) {
            self.user_agent = value;
        }
    }

    /// The `User-Agent` of every request.
    pub fn user_agent(&self) -> &str {
        self.user_agent.to_str().unwrap_or_default()
    }

    /// Sends a client request id in header `name` (say `x-ms-client-request-id`) with every
    /// attempt: a fresh random (version 4) UUID per attempt, or the call's own id
    /// ([`CallOptions::client_request_id`]). The id is in the attempt's tracing span and in
    /// [`ErrorResponse::client_request_id`]. An invalid header name turns this off.
    pub fn set_request_id_header(&mut self, name: &str) {
        self.request_id_header = reqwest::header::HeaderName::from_bytes(name.as_bytes()).ok();
    }

    /// Sets the credential used for every request.
    pub fn set_credential(&mut self, credential: Arc<dyn Credential>) {
        self.credential = Some(credential);
    }

    /// Registers the document's security schemes: where the credential of each goes.
    pub fn set_security_schemes(&mut self, schemes: &'static [crate::Scheme]) {
        self.schemes.schemes = schemes;
    }

    /// [`set_security_schemes`](Self::set_security_schemes), for a core being built.
    #[must_use]
    pub fn with_security_schemes(mut self, schemes: &'static [crate::Scheme]) -> Self {
        self.set_security_schemes(schemes);
        self
    }

    /// Sets the credential of the security scheme `scheme` (its key in
    /// `components.securitySchemes`); its value goes where the scheme says (see
    /// [`Placement`](crate::Placement)). A name the document does not declare is never used.
    pub fn set_scheme_credential(&mut self, scheme: &str, credential: Arc<dyn Credential>) {
        if !self.schemes.schemes.iter().any(|s| s.name == scheme) {
            tracing::warn!(scheme, "a credential for a scheme the API does not declare");
        }
        self.schemes.set(scheme, credential);
    }

    /// Sets the retry policy.
    pub fn set_retry_policy(&mut self, retry: RetryPolicy) {
        self.retry = retry;
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Sets the time one attempt may take (`None`: no limit of its own; the retry policy's
    /// [`max_elapsed`](RetryPolicy::max_elapsed) budget still bounds the call).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// Sets the largest success body read, in bytes (default 64 MiB,
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::DEFAULT_MAX_RESPONSE_BYTES)); a larger one is
    /// [`Error::ResponseTooLarge`].
    ///
    /// The limit applies to bodies read into memory only (decoded bodies, `send()` of a
    /// binary body, [`ByteStream::collect`](crate::ByteStream::collect)), never to a body read
    /// as a stream ([`ByteStream`](crate::ByteStream), from `send_streaming`): a stream holds
    /// one chunk at a time, whatever the body's size.
    pub fn set_max_response_bytes(&mut self, limit: usize) {
        self.max_response_bytes = limit;
    }

    /// Sets the largest error body kept, in bytes (default 1 MiB,
    /// [`DEFAULT_MAX_ERROR_BODY_BYTES`](crate::DEFAULT_MAX_ERROR_BODY_BYTES)); a larger one is
    /// cut ([`ErrorResponse::body_truncated`]).
    pub fn set_max_error_body_bytes(&mut self, limit: usize) {
        self.max_error_body_bytes = limit;
    }

    /// Allows (or, the default, refuses) sending the credential over `http://` to a host that
    /// is not a loopback address, where anyone on the path can read and replay it.
    pub fn set_insecure_http(&mut self, allow: bool) {
        self.allow_insecure_http = allow;
    }

    /// The per-attempt timeout (`None`: none).
    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The success body limit.
    pub(crate) fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
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

    /// The request of an operation whose only parts are its path (`segments`, see
    /// [`url`](Self::url), then a `/` when the path template ends in one) and its query
    /// pairs: what a generated `send` builds in one call when the operation has no header,
    /// cookie or body parameter.
    #[doc(hidden)]
    pub fn request<E>(
        &self,
        method: reqwest::Method,
        segments: &[&str],
        trailing_slash: bool,
        query: crate::QueryPairs,
    ) -> crate::BuiltRequest<E> {
        let mut url = self.url(segments)?;
        if trailing_slash {
            if let Ok(mut path) = url.path_segments_mut() {
                path.push("");
            }
        }
        query.write(&mut url);
        crate::finish_query(&mut url);
        Ok(reqwest::Request::new(method, url))
    }

    /// [`request`](Self::request) with a required JSON body sent as `content_type`.
    #[doc(hidden)]
    pub fn json_request<E, T: serde::Serialize + ?Sized>(
        &self,
        method: reqwest::Method,
        segments: &[&str],
        trailing_slash: bool,
        query: crate::QueryPairs,
        content_type: &'static str,
        body: &T,
    ) -> crate::BuiltRequest<E> {
        let mut request = self.request(method, segments, trailing_slash, query)?;
        crate::set_json_body(&mut request, content_type, body)?;
        Ok(request)
    }

    /// Sends the request, retrying as the policy allows, and returns the last response
    /// (successful or not) or transport error. Each attempt gets a fresh `Authorization` value
    /// and runs in a `request` tracing span (operation, method, attempt, status, duration),
    /// with a timeout cut to what is left of the policy's time budget.
    ///
    /// A 401 is answered, once, by invalidating the credential and sending the request again
    /// with a fresh value, when the credential says a fresh one may differ
    /// ([`Credential::invalidate`]); this does not count against the policy's attempts. With a
    /// credential, a request to a cleartext `http://` URL whose host is not a loopback address
    /// is refused ([`Error::InvalidInput`], nothing sent) unless
    /// [`set_insecure_http`](Self::set_insecure_http) allowed it.
    pub async fn execute<E>(
        &self,
        operation: OperationInfo,
        mut request: reqwest::Request,
        options: &CallOptions,
    ) -> Result<reqwest::Response, Error<E>> {
        options.check()?;
        let selected = self
            .schemes
            .select(operation.id, operation.security, self.credential.as_ref())
            .map_err(Error::Credential)?;
        if !selected.is_empty() && !self.allow_insecure_http {
            refuse_cleartext(request.url())?;
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
        let headers = request.headers_mut();
        headers.insert(reqwest::header::USER_AGENT, self.user_agent.clone());
        for (name, value) in &options.headers {
            headers.insert(name.clone(), value.clone());
        }
        let retry = options.retry.as_ref().unwrap_or(&self.retry);
        let timeout = options.attempt_timeout(self.timeout);
        let budget = retry.max_elapsed;
        let started = std::time::Instant::now();
        // Attempts in all (for tracing and the error), and whether one of them was the
        // single attempt after a 401, which the policy's attempts do not count.
        let mut attempt = 1u32;
        let mut reauthorized = false;
        loop {
            // A stream's timeout bounds the wait for its headers (`sse::open`), not its body.
            *request.timeout_mut() = match options.streaming {
                false => attempt_timeout(timeout, budget, started.elapsed()),
                true => None,
            };
            let request_id = self.set_request_id(&mut request, options);
            // A body in memory can be cloned; a streamed one (`Body::from_stream`, a file,
            // multipart) cannot, and the request is then sent once: no retry, no second
            // attempt after a 401, never with an empty body.
            let retry_copy = request.try_clone();
            let span = tracing::debug_span!(
                "request",
                operation = %operation.id,
                method = %request.method(),
                attempt,
                client_request_id = request_id.as_deref(),
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let result = self
                .attempt(request, &selected, operation.id, attempt)
                .instrument(span.clone())
                .await;
            let elapsed = started.elapsed();
            let policy_attempt = attempt - u32::from(reauthorized);
            let finish = |result| self.finish(result, attempt, retry, request_id.clone());
            let delay = match &result {
                Ok(response) if response.status().is_success() => {
                    return finish(result);
                }
                Ok(response)
                    if response.status() == StatusCode::UNAUTHORIZED
                        && !reauthorized
                        && retry_copy.is_some()
                        && elapsed < budget
                        && selected
                            .iter()
                            .fold(false, |fresh, (_, c)| c.invalidate() | fresh) =>
                {
                    span.in_scope(|| {
                        tracing::debug!("401 with a credential that was renewed; trying once more")
                    });
                    reauthorized = true;
                    Duration::ZERO
                }
                Ok(response) => {
                    let transient = retry.is_transient(response.status(), response.headers());
                    if !(transient && operation.idempotent) {
                        return finish(result);
                    }
                    let delay = retry_after(response.headers())
                        .unwrap_or_else(|| retry.backoff(policy_attempt));
                    if policy_attempt >= retry.max_attempts
                        || elapsed.saturating_add(delay) >= budget
                    {
                        span.in_scope(|| tracing::debug!("retry budget spent; giving up"));
                        return finish(result);
                    }
                    log_retry(&span, delay);
                    delay
                }
                Err(Error::Transport(e))
                    if e.is_connect()
                        || (operation.idempotent && (e.is_timeout() || e.is_request())) =>
                {
                    let delay = retry.backoff(policy_attempt);
                    if policy_attempt >= retry.max_attempts
                        || elapsed.saturating_add(delay) >= budget
                    {
                        span.in_scope(|| tracing::debug!("retry budget spent; giving up"));
                        return result;
                    }
                    log_retry(&span, delay);
                    delay
                }
                Err(_) => return result,
            };
            let Some(next) = retry_copy else {
                return finish(result);
            };
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            request = next;
            attempt += 1;
        }
    }

    /// Puts this attempt's client request id in the request, when the API names a header for
    /// it: the call's own, or a fresh one.
    fn set_request_id(
        &self,
        request: &mut reqwest::Request,
        options: &CallOptions,
    ) -> Option<String> {
        let name = self.request_id_header.as_ref()?;
        let id = match &options.client_request_id {
            Some(id) => id.clone(),
            None => uuid::Uuid::new_v4().to_string(),
        };
        match HeaderValue::from_str(&id) {
            Ok(value) => {
                request.headers_mut().insert(name.clone(), value);
                Some(id)
            }
            Err(_) => None,
        }
    }

    /// Marks the response `execute` returns with the number of attempts, the success body
    /// limit, whether the call's retry policy calls its status transient, and the client
    /// request id, for [`error_from`](Self::error_from) and the body readers.
    fn finish<E>(
        &self,
        result: Result<reqwest::Response, Error<E>>,
        attempts: u32,
        retry: &RetryPolicy,
        request_id: Option<String>,
    ) -> Result<reqwest::Response, Error<E>> {
        result.map(|mut response| {
            let transient = retry.is_transient(response.status(), response.headers());
            let extensions = response.extensions_mut();
            extensions.insert(Attempts(attempts));
            extensions.insert(BodyLimit(self.max_response_bytes));
            extensions.insert(Transient(transient));
            if let Some(id) = request_id {
                extensions.insert(RequestId(id));
            }
            response
        })
    }

    /// One attempt: credentials, send, record the outcome on the current span. When a
    /// credential went into the URL (an API key in the query), a transport error loses the
    /// URL, so that its text cannot show the key.
    async fn attempt<E>(
        &self,
        mut request: reqwest::Request,
        selected: &crate::auth::Selected,
        operation: &'static str,
        attempt: u32,
    ) -> Result<reqwest::Response, Error<E>> {
        let in_url = crate::auth::apply(&mut request, selected)
            .await
            .map_err(Error::Credential)?;
        let info = crate::AttemptInfo { operation, attempt };
        for hook in &self.hooks {
            hook.before_attempt(&mut request, info)
                .await
                .map_err(Error::Hook)?;
        }
        let sent = std::time::Instant::now();
        let result = self
            .http
            .execute(request)
            .await
            .map_err(|e| if in_url { e.without_url() } else { e });
        let elapsed = sent.elapsed();
        let span = tracing::Span::current();
        span.record("duration_ms", elapsed.as_millis() as u64);
        match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                tracing::debug!("response");
                for hook in &self.hooks {
                    hook.after_response(crate::ResponseInfo {
                        operation,
                        attempt,
                        status: response.status(),
                        headers: response.headers(),
                        elapsed,
                    })
                    .await;
                }
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
        options: &CallOptions,
        statuses: &[u16],
        decode: fn(u16, &[u8]) -> Option<E>,
    ) -> Result<T, Error<E>> {
        let response = self
            .send_expecting(operation, request, options, statuses, decode)
            .await?;
        json_body(response).await
    }

    /// As [`send_json`](Self::send_json), for a response without a body: the body of a
    /// response with an expected status is not read.
    pub async fn send_empty<E>(
        &self,
        operation: OperationInfo,
        request: reqwest::Request,
        options: &CallOptions,
        statuses: &[u16],
        decode: fn(u16, &[u8]) -> Option<E>,
    ) -> Result<(), Error<E>> {
        self.send_expecting(operation, request, options, statuses, decode)
            .await
            .map(drop)
    }

    /// [`send_json`](Self::send_json) as a boxed future, for a request built beforehand
    /// (its error, if building failed, is the future's): generated request builders return
    /// it from `send`, so that only this one generic future, not one per operation, has to be
    /// proven `Send`.
    pub fn send_json_boxed<'a, T, E>(
        &'a self,
        operation: OperationInfo,
        request: Result<reqwest::Request, Error<E>>,
        options: CallOptions,
        statuses: &'static [u16],
        decode: fn(u16, &[u8]) -> Option<E>,
    ) -> crate::BoxFuture<'a, Result<T, Error<E>>>
    where
        T: serde::de::DeserializeOwned + Send + 'a,
        E: Send + 'a,
    {
        Box::pin(async move {
            self.send_json(operation, request?, &options, statuses, decode)
                .await
        })
    }

    /// Sends a request prepared by a generated builder (see [`Prepare`](crate::Prepare)), as
    /// a boxed future: [`send_json`](Self::send_json) when its operation's success body is
    /// JSON, else [`send_empty`](Self::send_empty), whose unit is the value. What the one
    /// generic `send` of such builders calls.
    #[doc(hidden)]
    pub fn send_prepared<'a, T, E>(
        &'a self,
        prepared: crate::Prepared<E>,
        options: CallOptions,
    ) -> crate::BoxFuture<'a, Result<T, Error<E>>>
    where
        T: serde::de::DeserializeOwned + Send + 'a,
        E: Send + 'a,
    {
        Box::pin(async move {
            let spec = prepared.spec;
            let operation = OperationInfo {
                id: spec.id,
                idempotent: spec.idempotent,
                security: spec.security,
            };
            let request = prepared.request?;
            if spec.json {
                return self
                    .send_json(operation, request, &options, spec.statuses, spec.decode)
                    .await;
            }
            self.send_empty(operation, request, &options, spec.statuses, spec.decode)
                .await?;
            T::deserialize(serde::de::value::UnitDeserializer::<serde::de::value::Error>::new())
                .map_err(|error| {
                    Error::InvalidInput(format!("{} has no success body: {error}", spec.id))
                })
        })
    }

    /// [`send_empty`](Self::send_empty) as a boxed future (see
    /// [`send_json_boxed`](Self::send_json_boxed)).
    pub fn send_empty_boxed<'a, E>(
        &'a self,
        operation: OperationInfo,
        request: Result<reqwest::Request, Error<E>>,
        options: CallOptions,
        statuses: &'static [u16],
        decode: fn(u16, &[u8]) -> Option<E>,
    ) -> crate::BoxFuture<'a, Result<(), Error<E>>>
    where
        E: Send + 'a,
    {
        Box::pin(async move {
            self.send_empty(operation, request?, &options, statuses, decode)
                .await
        })
    }

    /// Sends the request (built beforehand, as for [`send_json_boxed`](Self::send_json_boxed))
    /// and hands a response whose status is one of `statuses` (any 2xx when empty), read whole
    /// ([`Received`](crate::Received): its body only when `read_body`, within the client's
    /// limit), to `decode`, which makes the operation's success value of it (typed headers, a
    /// variant per status); any other status is an error ([`error_from`](Self::error_from)).
    /// Generated request builders return it from `send` when the operation's success has
    /// headers or several statuses, so that only this one generic future, not one per
    /// operation, has to be proven `Send`.
    #[allow(clippy::too_many_arguments)]
    pub fn send_decoded_boxed<'a, T, E>(
        &'a self,
        operation: OperationInfo,
        request: Result<reqwest::Request, Error<E>>,
        options: CallOptions,
        statuses: &'static [u16],
        decode_error: fn(u16, &[u8]) -> Option<E>,
        read_body: bool,
        decode: crate::Decode<T, E>,
    ) -> crate::BoxFuture<'a, Result<T, Error<E>>>
    where
        T: Send + 'a,
        E: Send + 'a,
    {
        Box::pin(async move {
            let response = self
                .send_expecting(operation, request?, &options, statuses, decode_error)
                .await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = if read_body {
                crate::response::success_body(response).await?
            } else {
                Vec::new()
            };
            decode(crate::Received {
                status,
                headers,
                body,
            })
        })
    }

    /// Sends the request and returns a response whose status is one of `statuses` (any 2xx
    /// when empty), or the error any other status makes.
    pub(crate) async fn send_expecting<E>(
        &self,
        operation: OperationInfo,
        request: reqwest::Request,
        options: &CallOptions,
        statuses: &[u16],
        decode: fn(u16, &[u8]) -> Option<E>,
    ) -> Result<reqwest::Response, Error<E>> {
        let response = self.execute(operation, request, options).await?;
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
    /// says so. The body is read up to the error body limit; a longer one is kept raw, cut
    /// ([`ErrorResponse::body_truncated`]).
    pub async fn error_from<E>(
        &self,
        response: reqwest::Response,
        decode: fn(u16, &[u8]) -> Option<E>,
    ) -> Error<E> {
        let status = response.status();
        let headers = response.headers().clone();
        let retryable = response
            .extensions()
            .get::<Transient>()
            .map_or_else(|| self.retry.is_transient(status, &headers), |t| t.0);
        let attempts = response
            .extensions()
            .get::<Attempts>()
            .map_or(1, |attempts| attempts.0);
        let client_request_id = response
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.clone());
        let (bytes, body_truncated) = match read_limited(response, self.max_error_body_bytes).await
        {
            Ok(Limited::Whole(bytes)) => (bytes, false),
            Ok(Limited::TooLarge { read, .. }) => (read, true),
            Err(e) => return Error::Transport(e),
        };
        let typed = if bytes.is_empty() || body_truncated {
            None
        } else {
            decode(status.as_u16(), &bytes)
        };
        let body = match typed {
            Some(typed) => ErrorBody::Typed(typed),
            None => ErrorBody::Raw(bytes),
        };
        Error::Status(Box::new(ErrorResponse {
            status,
            headers,
            body,
            retryable,
            attempts,
            body_truncated,
            client_request_id,
        }))
    }
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
            /// (`None`: no limit of its own; the default is 30 s). Each attempt is also cut to
            /// what is left of the retry policy's time budget
            /// ([`max_elapsed`](runtime::RetryPolicy::max_elapsed), 60 s by default).
            #[must_use]
            pub fn with_timeout(
                mut self,
                timeout: ::std::option::Option<::std::time::Duration>,
            ) -> Self {
                self.core.set_timeout(timeout);
                self
            }

            /// Sets the largest success response body the client reads, in bytes (default
            /// 64 MiB). A larger one fails with
            /// [`Error::ResponseTooLarge`](runtime::Error::ResponseTooLarge), as soon as its
            /// `Content-Length` says so or the bytes received pass the limit. It applies to
            /// bodies read into memory only, never to a binary body read as a stream
            /// ([`ByteStream`](runtime::ByteStream), from a request's `send_streaming`).
            #[must_use]
            pub fn with_max_response_bytes(mut self, limit: usize) -> Self {
                self.core.set_max_response_bytes(limit);
                self
            }

            /// Sets the largest error response body the client keeps, in bytes (default
            /// 1 MiB). A larger one is cut there and kept raw
            /// ([`ErrorResponse::body_truncated`](runtime::ErrorResponse::body_truncated)).
            #[must_use]
            pub fn with_max_error_body_bytes(mut self, limit: usize) -> Self {
                self.core.set_max_error_body_bytes(limit);
                self
            }

            /// Allows sending the credential over cleartext `http://` to a host that is not
            /// a loopback address. Without it (the default) such a call fails with
            /// [`Error::InvalidInput`](runtime::Error::InvalidInput) before anything is sent;
            /// `http://localhost`, `http://127.0.0.1` and `http://[::1]` (local emulators)
            /// are always allowed.
            #[must_use]
            pub fn with_insecure_http(mut self, allow: bool) -> Self {
                self.core.set_insecure_http(allow);
                self
            }

            /// Sets the credential of the security scheme `scheme` (its key in the
            /// document's `components.securitySchemes`), for values that change (a rotating
            /// key, [`ClientCredentials`]($crate::ClientCredentials) with another token URL):
            /// its value goes where the scheme says, whole (`Bearer …` for a bearer scheme).
            /// The `with_<scheme>_auth` methods set fixed values.
            #[must_use]
            pub fn with_scheme_credential(
                mut self,
                scheme: &str,
                credential: impl $crate::Credential + 'static,
            ) -> Self {
                self.core
                    .set_scheme_credential(scheme, ::std::sync::Arc::new(credential));
                self
            }

            /// Sets the credential that supplies the `Authorization` header of every request
            /// of a document without security requirements; with requirements, of every
            /// request whose operation needs a credential that no scheme credential
            /// (`with_<scheme>_auth`, `with_scheme_credential`) provides.
            #[must_use]
            pub fn with_credential(
                mut self,
                credential: impl $crate::Credential + 'static,
            ) -> Self {
                self.core.set_credential(::std::sync::Arc::new(credential));
                self
            }

            /// Puts `id`, your application's name, first in the `User-Agent` of every request
            /// (`my-app <crate>/<version>`), so that the service's logs and support can tell
            /// your application's requests apart.
            #[must_use]
            pub fn with_application_id(mut self, id: &str) -> Self {
                self.core.set_application_id(id);
                self
            }

            /// Adds a hook that runs around every attempt of every call: before it is sent
            /// (after the credential; it may change the request) and when its response
            /// arrives (status, headers, time). Hooks run in the order they were added; see
            /// [`Hook`](runtime::Hook).
            #[must_use]
            pub fn with_hook(mut self, hook: impl $crate::Hook + 'static) -> Self {
                self.core.add_hook(::std::sync::Arc::new(hook));
                self
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &$crate::Url {
                self.core.base_url()
            }

            /// The HTTP client requests go through.
            pub fn http_client(&self) -> &$crate::reqwest::Client {
                self.core.http_client()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{StaticCredential, StatusCode};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    fn core(base_url: &str) -> ClientCore {
        ClientCore::new::<()>(base_url, reqwest::Client::new(), RetryPolicy::default())
            .expect("a valid base URL")
    }

    #[test]
    fn base_urls_must_be_absolute_and_able_to_hold_a_path() {
        let error = ClientCore::new::<()>("not a url", reqwest::Client::new(), RetryPolicy::none())
            .expect_err("refused");
        assert!(
            error.to_string().contains("base URL `not a url`"),
            "{error}"
        );
        let error =
            ClientCore::new::<()>("mailto:a@b", reqwest::Client::new(), RetryPolicy::none())
                .expect_err("refused");
        assert!(error.to_string().contains("cannot have a path"), "{error}");
    }

    #[test]
    fn path_segments_are_encoded_one_by_one_under_the_base_path() {
        let core = core("https://hub.example.net/prefix/");
        let url = core.url::<()>(&["jobs", "v2", "a/b c?#"]).expect("url");
        assert_eq!(
            url.as_str(),
            "https://hub.example.net/prefix/jobs/v2/a%2Fb%20c%3F%23"
        );
        let url = core
            .url::<()>(&["%2e%2e"])
            .expect("encoded dots are a plain segment");
        assert_eq!(url.path(), "/prefix/%252e%252e");
    }

    #[test]
    fn segments_that_would_change_the_path_are_refused() {
        let core = core("https://hub.example.net");
        for bad in ["", ".", ".."] {
            let error = core.url::<()>(&["jobs", bad]).expect_err(bad);
            assert!(matches!(error, Error::InvalidInput(_)), "{bad}: {error}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_credential() {
        let mut core = core("https://hub.example.net");
        core.set_credential(Arc::new(
            StaticCredential::new("Bearer hunter2").expect("valid"),
        ));
        let debug = format!("{core:?}");
        assert!(debug.contains("<redacted>"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    /// A loopback server that answers each connection with the next of `responses` (raw
    /// HTTP/1.1, `Connection: close`) and reports every request's head.
    async fn serve(
        responses: Vec<&'static str>,
    ) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let (heads, received) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            for response in responses {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let mut buffer = vec![0u8; 8192];
                let mut read = 0;
                while !buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer[read..]).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => read += n,
                    }
                }
                let _ = heads.send(String::from_utf8_lossy(&buffer[..read]).into_owned());
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        (format!("http://{address}"), received)
    }

    const BUSY: &str =
        "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\nconnection: close\r\n\r\nbusy";
    const OK: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 7\r\nconnection: close\r\n\r\n{\"a\":1}";

    fn quick_retries() -> RetryPolicy {
        RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(2))
    }

    #[tokio::test]
    async fn idempotent_calls_are_retried_on_transient_statuses_with_a_fresh_credential() {
        let (base, mut heads) = serve(vec![BUSY, BUSY, OK]).await;
        let mut core =
            ClientCore::new::<()>(&base, reqwest::Client::new(), quick_retries()).expect("core");
        core.set_credential(Arc::new(StaticCredential::new("Bearer t").expect("valid")));
        let request = reqwest::Request::new(
            reqwest::Method::PUT,
            core.url::<()>(&["jobs", "1"]).expect("url"),
        );
        let operation = OperationInfo {
            id: "putJob",
            idempotent: true,
            security: None,
        };
        let body: serde_json::Value = core
            .send_json(
                operation,
                request,
                &CallOptions::default(),
                &[200],
                crate::decode_json_error::<()>,
            )
            .await
            .expect("the third attempt succeeds");
        assert_eq!(body, serde_json::json!({"a": 1}));
        for _ in 0..3 {
            let head = heads.recv().await.expect("a request").to_ascii_lowercase();
            assert!(head.starts_with("put /jobs/1 "), "{head}");
            assert!(head.contains("authorization: bearer t"), "{head}");
            // A PUT without a body still says how long it is.
            assert!(head.contains("content-length: 0"), "{head}");
        }
    }

    #[tokio::test]
    async fn other_calls_are_sent_once_and_the_error_keeps_the_response() {
        let (base, mut heads) = serve(vec![BUSY, OK]).await;
        let core =
            ClientCore::new::<()>(&base, reqwest::Client::new(), quick_retries()).expect("core");
        let request = reqwest::Request::new(
            reqwest::Method::POST,
            core.url::<()>(&["jobs"]).expect("url"),
        );
        let operation = OperationInfo {
            id: "createJob",
            idempotent: false,
            security: None,
        };
        let error = core
            .send_empty(
                operation,
                request,
                &CallOptions::default(),
                &[200],
                crate::decode_json_error::<()>,
            )
            .await
            .expect_err("503 is not a success");
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert!(error.is_retryable(), "the caller may try again later");
        match error.response().map(|r| &r.body) {
            Some(ErrorBody::Raw(raw)) => assert_eq!(raw, b"busy"),
            other => panic!("unexpected body {other:?}"),
        }
        heads.recv().await.expect("one request");
        assert!(heads.try_recv().is_err(), "a POST is not repeated");
    }

    const NO_CONTENT: &str = "HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n";

    #[tokio::test]
    async fn prepared_requests_are_sent_as_their_spec_says() {
        static JSON: crate::OperationSpec<()> = crate::OperationSpec {
            id: "getJob",
            idempotent: true,
            security: None,
            statuses: &[200],
            decode: crate::decode_json_error::<()>,
            json: true,
        };
        static EMPTY: crate::OperationSpec<()> = crate::OperationSpec {
            id: "deleteJob",
            json: false,
            statuses: &[204],
            ..JSON
        };
        let (base, mut heads) = serve(vec![OK, NO_CONTENT]).await;
        let core = core(&base);
        let mut query = crate::QueryPairs::new();
        query.set(0, "top", "2".to_owned());
        let request = core.request(reqwest::Method::GET, &["jobs", "a b"], false, query);
        let body: serde_json::Value = core
            .send_prepared(
                crate::Prepared {
                    request,
                    spec: &JSON,
                },
                CallOptions::default(),
            )
            .await
            .expect("decoded");
        assert_eq!(body, serde_json::json!({"a": 1}));
        let head = heads.recv().await.expect("a request");
        assert!(head.starts_with("GET /jobs/a%20b?top=2 "), "{head}");
        let request = core.request(
            reqwest::Method::DELETE,
            &["jobs", "1"],
            true,
            crate::QueryPairs::new(),
        );
        let prepared = crate::Prepared {
            request,
            spec: &EMPTY,
        };
        let () = core
            .send_prepared(prepared, CallOptions::default())
            .await
            .expect("204 is the success");
        let head = heads.recv().await.expect("a request");
        assert!(head.starts_with("DELETE /jobs/1/ "), "{head}");
        // A request that could not be built is the call's error; nothing is sent.
        let request = core.request(
            reqwest::Method::GET,
            &["jobs", ".."],
            false,
            Default::default(),
        );
        let error = core
            .send_prepared::<serde_json::Value, ()>(
                crate::Prepared {
                    request,
                    spec: &JSON,
                },
                CallOptions::default(),
            )
            .await
            .expect_err("refused");
        assert!(matches!(error, Error::InvalidInput(_)), "{error}");
        assert!(heads.try_recv().is_err(), "nothing more was sent");
    }

    #[tokio::test]
    async fn the_attempt_budget_ends_retries() {
        let (base, _heads) = serve(vec![BUSY, BUSY, BUSY]).await;
        let core = ClientCore::new::<()>(
            &base,
            reqwest::Client::new(),
            quick_retries().max_attempts(2),
        )
        .expect("core");
        let request = reqwest::Request::new(
            reqwest::Method::GET,
            core.url::<()>(&["jobs"]).expect("url"),
        );
        let operation = OperationInfo {
            id: "getJobs",
            idempotent: true,
            security: None,
        };
        let response = core
            .execute::<()>(operation, request, &CallOptions::default())
            .await
            .expect("a response");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn loopback_hosts_are_told_apart() {
        for loopback in [
            "http://localhost:8080/",
            "http://LOCALHOST/",
            "http://127.0.0.1/",
            "http://127.12.0.1:9/",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            let url = Url::parse(loopback).expect("url");
            assert!(is_loopback(&url), "{loopback}");
            assert!(refuse_cleartext::<()>(&url).is_ok(), "{loopback}");
        }
        for remote in [
            "http://my-hub.azure-devices.net/",
            "http://localhost.example.com/",
            "http://api.localhost/",
            "http://10.0.0.1/",
            "http://128.0.0.1/",
            "http://[::2]/",
            "http://0.0.0.0/",
        ] {
            let url = Url::parse(remote).expect("url");
            assert!(!is_loopback(&url), "{remote}");
            let error = refuse_cleartext::<()>(&url).expect_err(remote);
            assert!(matches!(error, Error::InvalidInput(_)), "{remote}");
            assert!(error.to_string().contains("with_insecure_http"), "{error}");
        }
        // https is never refused.
        let url = Url::parse("https://my-hub.azure-devices.net/").expect("url");
        assert!(refuse_cleartext::<()>(&url).is_ok());
    }

    /// A reqwest client that sends requests for `host` to `address` (a loopback listener),
    /// so that a test can name a remote host without ever leaving 127.0.0.1.
    fn resolving(host: &str, address: &str) -> reqwest::Client {
        let address: std::net::SocketAddr = address
            .trim_start_matches("http://")
            .parse()
            .expect("socket address");
        reqwest::Client::builder()
            .resolve(host, address)
            .no_proxy()
            .build()
            .expect("client")
    }

    #[tokio::test]
    async fn a_credential_is_not_sent_in_cleartext_to_a_remote_host_unless_allowed() {
        let (base, mut heads) = serve(vec![OK, OK]).await;
        let port = base.rsplit(':').next().expect("port");
        let remote = format!("http://hub.example:{port}");
        let mut core = ClientCore::new::<()>(
            &remote,
            resolving("hub.example", &base),
            RetryPolicy::none(),
        )
        .expect("core");
        let operation = OperationInfo {
            id: "getJob",
            idempotent: true,
            security: None,
        };
        let request = || {
            reqwest::Request::new(
                reqwest::Method::GET,
                Url::parse(&format!("{remote}/jobs")).expect("url"),
            )
        };
        // Without a credential there is nothing to protect: sent.
        let response = core
            .execute::<()>(operation, request(), &CallOptions::default())
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        let head = heads.recv().await.expect("a request").to_ascii_lowercase();
        assert!(head.contains("host: hub.example"), "{head}");
        // With one: refused before anything is sent.
        core.set_credential(Arc::new(StaticCredential::new("Bearer t").expect("valid")));
        let error = core
            .execute::<()>(operation, request(), &CallOptions::default())
            .await
            .expect_err("refused");
        assert!(matches!(error, Error::InvalidInput(_)), "{error}");
        assert!(heads.try_recv().is_err(), "nothing was sent");
        // Allowed explicitly: sent.
        core.set_insecure_http(true);
        let response = core
            .execute::<()>(operation, request(), &CallOptions::default())
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        let head = heads.recv().await.expect("a request").to_ascii_lowercase();
        assert!(head.contains("authorization: bearer t"), "{head}");
    }

    #[tokio::test]
    async fn redirects_are_followed_only_within_the_origin() {
        let (other, mut other_heads) = serve(vec![OK]).await;
        let away: &'static str = Box::leak(
            format!(
                "HTTP/1.1 307 Temporary Redirect\r\nlocation: {other}/elsewhere\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )
            .into_boxed_str(),
        );
        let (base, mut heads) = serve(vec![away]).await;
        let mut core = ClientCore::new::<()>(
            &base,
            default_http_client::<()>().expect("client"),
            RetryPolicy::none(),
        )
        .expect("core");
        core.set_credential(Arc::new(StaticCredential::new("Bearer t").expect("valid")));
        let operation = OperationInfo {
            id: "getJob",
            idempotent: true,
            security: None,
        };
        let request =
            reqwest::Request::new(reqwest::Method::GET, core.url::<()>(&["a"]).expect("url"));
        let response = core
            .execute::<()>(operation, request, &CallOptions::default())
            .await
            .expect("a response");
        assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
        heads.recv().await.expect("the first request");
        assert!(
            other_heads.try_recv().is_err(),
            "another origin got nothing"
        );

        // Within the origin: followed, with the credential.
        const HOME: &str = "HTTP/1.1 308 Permanent Redirect\r\nlocation: /moved\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
        let (base, mut heads) = serve(vec![HOME, OK]).await;
        let mut core = ClientCore::new::<()>(
            &base,
            default_http_client::<()>().expect("client"),
            RetryPolicy::none(),
        )
        .expect("core");
        core.set_credential(Arc::new(StaticCredential::new("Bearer t").expect("valid")));
        let request =
            reqwest::Request::new(reqwest::Method::GET, core.url::<()>(&["a"]).expect("url"));
        let response = core
            .execute::<()>(operation, request, &CallOptions::default())
            .await
            .expect("a response");
        assert_eq!(response.status(), StatusCode::OK);
        heads.recv().await.expect("the first request");
        let head = heads.recv().await.expect("the redirected request");
        let head = head.to_ascii_lowercase();
        assert!(head.starts_with("get /moved "), "{head}");
        assert!(head.contains("authorization: bearer t"), "{head}");
    }

    /// A credential that hands out `Bearer 0`, then `Bearer 1` after each invalidation.
    struct Renewing(std::sync::atomic::AtomicUsize);

    impl Credential for Renewing {
        fn authorization(&self) -> crate::BoxFuture<'_, Result<HeaderValue, String>> {
            let n = self.0.load(std::sync::atomic::Ordering::SeqCst);
            Box::pin(async move {
                HeaderValue::from_str(&format!("Bearer {n}")).map_err(|e| e.to_string())
            })
        }

        fn invalidate(&self) -> bool {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            true
        }
    }

    const UNAUTHORIZED: &str =
        "HTTP/1.1 401 Unauthorized\r\ncontent-length: 4\r\nconnection: close\r\n\r\nnope";

    #[tokio::test]
    async fn a_401_is_sent_once_more_with_a_fresh_credential_for_any_operation() {
        let (base, mut heads) = serve(vec![UNAUTHORIZED, OK]).await;
        let mut core = ClientCore::new::<()>(&base, reqwest::Client::new(), RetryPolicy::none())
            .expect("core");
        core.set_credential(Arc::new(Renewing(Default::default())));
        let request = reqwest::Request::new(
            reqwest::Method::POST,
            core.url::<()>(&["jobs"]).expect("url"),
        );
        let operation = OperationInfo {
            id: "createJob",
            idempotent: false,
            security: None,
        };
        let response = core
            .execute::<()>(operation, request, &CallOptions::default())
            .await
            .expect("a response");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.extensions().get::<Attempts>(), Some(&Attempts(2)));
        let first = heads.recv().await.expect("first").to_ascii_lowercase();
        let second = heads.recv().await.expect("second").to_ascii_lowercase();
        assert!(first.contains("authorization: bearer 0"), "{first}");
        assert!(second.contains("authorization: bearer 1"), "{second}");
    }

    #[tokio::test]
    async fn a_second_401_is_the_answer_and_a_fixed_credential_is_not_resent() {
        let (base, mut heads) = serve(vec![UNAUTHORIZED, UNAUTHORIZED, OK]).await;
        let mut core =
            ClientCore::new::<()>(&base, reqwest::Client::new(), quick_retries()).expect("core");
        core.set_credential(Arc::new(Renewing(Default::default())));
        let operation = OperationInfo {
            id: "getJob",
            idempotent: true,
            security: None,
        };
        let request =
            reqwest::Request::new(reqwest::Method::GET, core.url::<()>(&["a"]).expect("url"));
        let error = core
            .send_empty(
                operation,
                request,
                &CallOptions::default(),
                &[200],
                crate::decode_json_error::<()>,
            )
            .await
            .expect_err("401");
        assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(error.response().map(|r| r.attempts), Some(2));
        heads.recv().await.expect("first");
        heads.recv().await.expect("second");
        assert!(heads.try_recv().is_err(), "no third request");

        let (base, mut heads) = serve(vec![UNAUTHORIZED, OK]).await;
        let mut core =
            ClientCore::new::<()>(&base, reqwest::Client::new(), quick_retries()).expect("core");
        core.set_credential(Arc::new(StaticCredential::new("Bearer t").expect("valid")));
        let request =
            reqwest::Request::new(reqwest::Method::GET, core.url::<()>(&["a"]).expect("url"));
        let error = core
            .send_empty(
                operation,
                request,
                &CallOptions::default(),
                &[200],
                crate::decode_json_error::<()>,
            )
            .await
            .expect_err("401");
        assert_eq!(error.response().map(|r| r.attempts), Some(1));
        heads.recv().await.expect("first");
        assert!(heads.try_recv().is_err(), "a fixed value is not sent again");
    }

    #[tokio::test]
    async fn error_responses_count_the_attempts_and_cut_long_bodies() {
        let (base, _heads) = serve(vec![BUSY, BUSY]).await;
        let mut core = ClientCore::new::<()>(
            &base,
            reqwest::Client::new(),
            quick_retries().max_attempts(2),
        )
        .expect("core");
        core.set_max_error_body_bytes(3);
        let operation = OperationInfo {
            id: "getJob",
            idempotent: true,
            security: None,
        };
        let request =
            reqwest::Request::new(reqwest::Method::GET, core.url::<()>(&["a"]).expect("url"));
        let error = core
            .send_empty(
                operation,
                request,
                &CallOptions::default(),
                &[200],
                crate::decode_json_error::<()>,
            )
            .await
            .expect_err("503");
        let response = error.response().expect("a response");
        assert_eq!(response.attempts, 2);
        // `busy` is one byte too long: its content length says so, nothing is read.
        assert!(response.body_truncated);
        assert_eq!(response.body, ErrorBody::Raw(Vec::new()));
        assert!(
            error.to_string().contains("cut at the error body limit"),
            "{error}"
        );
    }

    /// A chunked response (no `Content-Length`) of `count` chunks of 1000 bytes each.
    fn chunked(status: &str, count: usize) -> &'static str {
        let mut text =
            format!("HTTP/1.1 {status}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n");
        for _ in 0..count {
            text.push_str("3e8\r\n");
            text.push_str(&"x".repeat(1000));
            text.push_str("\r\n");
        }
        text.push_str("0\r\n\r\n");
        Box::leak(text.into_boxed_str())
    }

    #[tokio::test]
    async fn bodies_are_read_up_to_the_limit_while_streaming() {
        let (base, _heads) = serve(vec![
            chunked("200 OK", 5),
            chunked("200 OK", 5),
            chunked("500 Internal Server Error", 5),
        ])
        .await;
        let mut core = ClientCore::new::<()>(&base, reqwest::Client::new(), RetryPolicy::none())
            .expect("core");
        let operation = OperationInfo {
            id: "getBlob",
            idempotent: true,
            security: None,
        };
        let get = || reqwest::Request::new(reqwest::Method::GET, Url::parse(&base).expect("url"));

        // Within the limit: read whole.
        core.set_max_response_bytes(5000);
        let response = core
            .execute::<()>(operation, get(), &CallOptions::default())
            .await
            .expect("sent");
        assert_eq!(response.content_length(), None, "chunked");
        let body = crate::bytes_body::<()>(response).await.expect("whole");
        assert_eq!(body.len(), 5000);

        // One byte less: stopped while streaming.
        core.set_max_response_bytes(4999);
        let response = core
            .execute::<()>(operation, get(), &CallOptions::default())
            .await
            .expect("sent");
        let error = crate::bytes_body::<()>(response)
            .await
            .expect_err("too large");
        let Error::ResponseTooLarge(too_large) = &error else {
            panic!("expected ResponseTooLarge, got {error:?}");
        };
        assert_eq!(too_large.limit, 4999);
        assert_eq!(too_large.content_length, None);
        assert_eq!(error.status(), Some(StatusCode::OK));
        assert!(!error.is_retryable());

        // An error body: cut at its limit, kept raw.
        core.set_max_error_body_bytes(2500);
        let response = core
            .execute::<()>(operation, get(), &CallOptions::default())
            .await
            .expect("sent");
        let error = core
            .error_from(response, crate::decode_json_error::<()>)
            .await;
        let response = error.response().expect("a response");
        assert!(response.body_truncated);
        assert_eq!(response.body, ErrorBody::Raw(vec![b'x'; 2500]));
    }
}
