//! OAuth 2.0 client credentials (RFC 6749 §4.4): [`ClientCredentials`], a [`Credential`] that
//! fetches a bearer token from the token endpoint and caches it until shortly before it
//! expires.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::credential::BoxFuture;
use crate::{Credential, HeaderValue, Url};

/// How the client authenticates itself to the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientAuthentication {
    /// HTTP Basic with the form-encoded client id and secret (what servers must support).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Form,
}

/// How long before its expiry a token is renewed, by default.
pub const DEFAULT_REFRESH_SKEW: Duration = Duration::from_secs(60);

/// A cached token.
struct Token {
    value: HeaderValue,
    /// When it is to be renewed (its expiry less the skew); `None`: when refused.
    renew_at: Option<Instant>,
}

/// OAuth 2.0 client credentials: POSTs `grant_type=client_credentials` (with the scopes,
/// space-separated) to the token endpoint, and sends `Bearer <access_token>` until shortly
/// before `expires_in` runs out ([`refresh_skew`](Self::refresh_skew), 60 s by default) or the
/// service refuses the token (a 401: [`Credential::invalidate`] forgets it). Concurrent calls
/// share one fetch. A cleartext `http://` token URL is refused unless its host is a loopback
/// address (or [`allow_insecure_http`](Self::allow_insecure_http)). Its `Debug` output shows
/// neither the secret nor the token.
pub struct ClientCredentials {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
    authentication: ClientAuthentication,
    skew: Duration,
    allow_insecure_http: bool,
    cache: tokio::sync::Mutex<Option<Token>>,
    refused: AtomicBool,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .field("authentication", &self.authentication)
            .field("refresh_skew", &self.skew)
            .finish_non_exhaustive()
    }
}

/// What `application/x-www-form-urlencoded` leaves alone (RFC 6749 Appendix B).
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

/// `text` form-encoded (spaces as `+`).
fn form(text: &str) -> String {
    utf8_percent_encode(text, FORM)
        .to_string()
        .replace("%20", "+")
}

impl ClientCredentials {
    /// Client credentials for the token endpoint `token_url`, sent through `http`, with no
    /// scopes.
    pub fn new(
        http: reqwest::Client,
        token_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Self {
        Self {
            http,
            token_url: token_url.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            scopes: Vec::new(),
            authentication: ClientAuthentication::default(),
            skew: DEFAULT_REFRESH_SKEW,
            allow_insecure_http: false,
            cache: tokio::sync::Mutex::new(None),
            refused: AtomicBool::new(false),
        }
    }

    /// The scopes to ask for (sent space-separated in `scope`; none: no `scope`).
    #[must_use]
    pub fn scopes<S: AsRef<str>>(mut self, scopes: &[S]) -> Self {
        self.scopes = scopes.iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }

    /// Another token endpoint than the document's.
    #[must_use]
    pub fn token_url(mut self, token_url: &str) -> Self {
        self.token_url = token_url.to_owned();
        self
    }

    /// How the client id and secret reach the token endpoint (HTTP Basic by default).
    #[must_use]
    pub fn authentication(mut self, authentication: ClientAuthentication) -> Self {
        self.authentication = authentication;
        self
    }

    /// How long before its expiry a token is renewed (60 s by default). A token whose
    /// `expires_in` is shorter than this is fetched afresh for every request.
    #[must_use]
    pub fn refresh_skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// Allows a cleartext `http://` token URL whose host is not a loopback address.
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Fetches a token from the endpoint.
    async fn fetch(&self) -> Result<Token, String> {
        let url = Url::parse(&self.token_url)
            .map_err(|e| format!("token URL `{}`: {e}", self.token_url))?;
        if url.scheme() == "http" && !self.allow_insecure_http && !crate::client::is_loopback(&url)
        {
            return Err(format!(
                "refusing to send client credentials in cleartext to `http://{}`: use \
                 https:// (http:// is allowed only to loopback addresses)",
                url.host_str().unwrap_or_default()
            ));
        }
        let mut body = "grant_type=client_credentials".to_owned();
        if !self.scopes.is_empty() {
            body.push_str("&scope=");
            body.push_str(&form(&self.scopes.join(" ")));
        }
        let mut request = self
            .http
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            );
        match self.authentication {
            ClientAuthentication::Basic => {
                let pair = format!("{}:{}", form(&self.client_id), form(&self.client_secret));
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
                    .map_err(|_| "the client credentials are not a header value".to_owned())?;
                value.set_sensitive(true);
                request = request.header(reqwest::header::AUTHORIZATION, value);
            }
            ClientAuthentication::Form => {
                body.push_str("&client_id=");
                body.push_str(&form(&self.client_id));
                body.push_str("&client_secret=");
                body.push_str(&form(&self.client_secret));
            }
        }
        let requested = Instant::now();
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| format!("token endpoint: {}", e.without_url()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("token endpoint: {}", e.without_url()))?;
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if !status.is_success() {
            // RFC 6749 §5.2: `error` is a code, not a secret.
            let code = json.get("error").and_then(|e| e.as_str()).unwrap_or("");
            return Err(format!("the token endpoint answered {status} {code}")
                .trim_end()
                .to_owned());
        }
        let token = json
            .get("access_token")
            .and_then(|t| t.as_str())
            .ok_or("the token endpoint's answer has no `access_token`")?;
        let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| "the access token is not a header value".to_owned())?;
        value.set_sensitive(true);
        let expires_in = match json.get("expires_in") {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        let renew_at = expires_in.map(|seconds| {
            let lifetime = Duration::from_secs(seconds).saturating_sub(self.skew);
            requested + lifetime
        });
        Ok(Token { value, renew_at })
    }
}

impl Credential for ClientCredentials {
    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>> {
        Box::pin(async move {
            let mut cache = self.cache.lock().await;
            if self.refused.swap(false, Ordering::SeqCst) {
                *cache = None;
            }
            if let Some(token) = &*cache {
                if token.renew_at.is_none_or(|at| Instant::now() < at) {
                    return Ok(token.value.clone());
                }
            }
            let token = self.fetch().await?;
            let value = token.value.clone();
            *cache = Some(token);
            Ok(value)
        })
    }

    fn invalidate(&self) -> bool {
        self.refused.store(true, Ordering::SeqCst);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_and_debug() {
        assert_eq!(form("a b:c/d"), "a+b%3Ac%2Fd");
        let credentials = ClientCredentials::new(
            reqwest::Client::new(),
            "https://login.example/token",
            "id",
            "very-secret",
        );
        let debug = format!("{credentials:?}");
        assert!(!debug.contains("very-secret"), "{debug}");
        assert!(debug.contains("login.example"), "{debug}");
    }

    #[test]
    fn cleartext_remote_token_urls_are_refused() {
        let credentials = ClientCredentials::new(
            reqwest::Client::new(),
            "http://login.example/token",
            "id",
            "very-secret",
        );
        let error =
            crate::test_support::block_on(credentials.authorization()).expect_err("refused");
        assert!(error.contains("cleartext"), "{error}");
        assert!(!error.contains("very-secret"), "{error}");
    }
}
