//! The HTTP core: [`ClientCore`], what every generated client holds (base URL, HTTP client,
//! credential, retry policy, timeout), which sends requests with retries and tracing and
//! checks response statuses; and [`client_common!`](crate::client_common), the client
//! methods that are the same for every API.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

use crate::response::json_body;
use crate::retry::retry_after;
use crate::{Credential, Error, ErrorBody, ErrorResponse, HeaderValue, RetryPolicy, Url};

/// The HTTP client used when the caller does not pass one: a 30 s connect timeout, and TLS
/// as the runtime's features choose (see [`tls`]).
pub fn default_http_client<E>() -> Result<reqwest::Client, Error<E>> {
    let builder = reqwest::Client::builder().connect_timeout(Duration::from_secs(30));
    tls(builder).build().map_err(Error::Transport)
}

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
        };
        let body: serde_json::Value = core
            .send_json(operation, request, &[200], crate::decode_json_error::<()>)
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
        };
        let error = core
            .send_empty(operation, request, &[200], crate::decode_json_error::<()>)
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
        };
        let response = core
            .execute::<()>(operation, request)
            .await
            .expect("a response");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
