// Hand-written: not generated; `cargo xtask regen` never touches this file.
//! Microsoft Entra ID authentication (feature `entra-id`): a [`Credential`] that sends
//! `Authorization: Bearer <token>` with access tokens for IoT Hub's scope
//! ([`IOT_HUB_SCOPE`]) from any azure_core [`TokenCredential`], as the C# SDK's
//! `JobClient.Create(hostName, TokenCredential)` does.
//!
//! The token source is usually one of `azure_identity`'s credentials, which the application
//! depends on itself (`DeveloperToolsCredential` on a developer's machine,
//! `ManagedIdentityCredential` in Azure, `ClientSecretCredential`...). The identity needs an
//! IoT Hub data-plane role on the hub (for jobs, for example "IoT Hub Data Contributor").
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use iothub_jobs::Client;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // In the application's Cargo.toml: iothub-jobs with `features = ["entra-id"]`, and
//! // azure_identity (the release that uses the same azure_core major version).
//! let credential = azure_identity::DeveloperToolsCredential::new(None)?;
//! let client = Client::from_token_credential("my-hub.azure-devices.net", credential)?;
//! let job = client.get_scheduled_job("nightly-reboot").await?;
//! println!("{:?}", job.status);
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::sas::{Clock, SystemClock};
use crate::runtime::{BoxFuture, Credential, HeaderValue};
use crate::{Client, Error};

pub use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};

/// The scope of IoT Hub's data plane, for which tokens are requested.
pub const IOT_HUB_SCOPE: &str = "https://iothubs.azure.net/.default";

/// How long before its expiry a cached token is replaced by a fresh one: 5 minutes, as
/// azure_core's own bearer-token policy does. A request never leaves with a token that expires
/// within this margin while a fresh one can be had.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A cached `Authorization` value and the expiry of its token (seconds since the Unix epoch).
struct Cached {
    value: HeaderValue,
    expires_on: i64,
}

/// A [`Credential`] that sends `Bearer <token>` with Microsoft Entra ID access tokens for
/// [`IOT_HUB_SCOPE`] from a [`TokenCredential`].
///
/// - The token is cached and used until less than the refresh margin
///   ([`DEFAULT_REFRESH_MARGIN`], see [`EntraCredential::with_refresh_margin`]) is left before
///   its expiry; then the next request fetches a fresh one. A token that arrives already
///   inside the margin is used for the request that fetched it, and the next request fetches
///   again.
/// - Concurrent requests that find no usable token share one fetch: the first fetches, the
///   others wait for it and use its token.
/// - When the service refuses a token (401), the client calls
///   [`Credential::invalidate`], which drops the cached token, and sends the request once
///   more with a token fetched afresh. (A token source with a cache of its own, as
///   azure_identity's credentials have, may hand back the same token; the second 401 is then
///   the call's error.)
/// - When the token source fails, the request fails with
///   [`Error::Credential`](crate::runtime::Error::Credential) and the source's own message;
///   nothing is sent.
/// - `Debug` never shows the token, and the `Authorization` value is marked sensitive.
///
/// Share one between clients with `Arc<EntraCredential>` (itself a [`Credential`]), so that
/// they share its token.
pub struct EntraCredential {
    source: Arc<dyn TokenCredential>,
    scope: String,
    margin: Duration,
    clock: Arc<dyn Clock>,
    cache: Mutex<Option<Cached>>,
    /// Held while a token is fetched, so that concurrent callers wait for that fetch instead
    /// of starting their own.
    fetching: tokio::sync::Mutex<()>,
}

impl fmt::Debug for EntraCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let expires_on = self.lock_cache().as_ref().map(|cached| cached.expires_on);
        f.debug_struct("EntraCredential")
            .field("scope", &self.scope)
            .field("refresh_margin", &self.margin)
            .field(
                "token",
                &if expires_on.is_some() {
                    "<redacted>"
                } else {
                    "<none>"
                },
            )
            .field("expires_on", &expires_on)
            .finish_non_exhaustive()
    }
}

impl EntraCredential {
    /// A credential that gets its tokens from `source`, for [`IOT_HUB_SCOPE`], refreshed
    /// [`DEFAULT_REFRESH_MARGIN`] before they expire.
    pub fn new(source: Arc<dyn TokenCredential>) -> Self {
        Self {
            source,
            scope: IOT_HUB_SCOPE.to_owned(),
            margin: DEFAULT_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
            cache: Mutex::new(None),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// Requests tokens for `scope` instead of [`IOT_HUB_SCOPE`] (for a sovereign cloud whose
    /// IoT Hub scope differs).
    #[must_use]
    pub fn with_scope(mut self, scope: &str) -> Self {
        self.scope = scope.to_owned();
        self
    }

    /// Replaces a cached token when less than `margin` is left before it expires.
    #[must_use]
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Reads the time from `clock` instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The scope tokens are requested for.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The `Authorization` value to send now: the cached one while its token has more than
    /// the refresh margin left, else one with a token fetched from the source.
    pub async fn current_token(&self) -> Result<HeaderValue, String> {
        if let Some(value) = self.fresh() {
            return Ok(value);
        }
        let _fetching = self.fetching.lock().await;
        // Another caller may have fetched while this one waited.
        if let Some(value) = self.fresh() {
            return Ok(value);
        }
        let token = self
            .source
            .get_token(&[self.scope.as_str()], None)
            .await
            .map_err(|error| describe(&self.scope, &error))?;
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.token.secret()))
            .map_err(|_| {
                format!(
                    "the Microsoft Entra ID token for {} has characters not allowed in an HTTP header",
                    self.scope
                )
            })?;
        value.set_sensitive(true);
        *self.lock_cache() = Some(Cached {
            value: value.clone(),
            expires_on: token.expires_on.unix_timestamp(),
        });
        Ok(value)
    }

    /// The cached value, if its token has more than the margin left.
    fn fresh(&self) -> Option<HeaderValue> {
        let now = i64::try_from(self.clock.now()).unwrap_or(i64::MAX);
        let margin = i64::try_from(self.margin.as_secs()).unwrap_or(i64::MAX);
        let cache = self.lock_cache();
        let cached = cache.as_ref()?;
        (cached.expires_on.saturating_sub(now) > margin).then(|| cached.value.clone())
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The message of a failed fetch: what was asked for, and the source's error with its causes
/// (an error of the token source holds no token: it has none to give).
fn describe(scope: &str, error: &azure_core::Error) -> String {
    let mut message = format!("could not get a Microsoft Entra ID token for {scope}: {error}");
    let mut last = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(current) = cause {
        let text = current.to_string();
        // azure_core's errors show their cause's text as their own: say it once.
        if text != last {
            message.push_str(": ");
            message.push_str(&text);
        }
        last = text;
        cause = current.source();
    }
    message
}

impl Credential for EntraCredential {
    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>> {
        Box::pin(self.current_token())
    }

    /// Drops the cached token, so that the next request fetches a fresh one. Returns `true`:
    /// the source may give another token.
    fn invalidate(&self) -> bool {
        *self.lock_cache() = None;
        true
    }
}

impl Client {
    /// A client for the hub `host_name` (`my-hub.azure-devices.net`, or
    /// `https://my-hub.azure-devices.net`), sending requests to `https://{host_name}` with
    /// Microsoft Entra ID tokens from `credential` (see [`EntraCredential`]), as the C# SDK's
    /// `JobClient.Create(hostName, credential)`. Plain `http://` is refused: a bearer token
    /// would travel in clear text (see [`Client::from_token_credential_with_endpoint`] for a
    /// local emulator).
    pub fn from_token_credential(
        host_name: &str,
        credential: Arc<dyn TokenCredential>,
    ) -> Result<Self, Error> {
        let host_name = host_name.trim();
        if host_name
            .get(..7)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
        {
            return Err(Error::InvalidInput(format!(
                "`{}` is a plain-HTTP endpoint: give the hub's host name or an https:// URL \
                 (Client::from_token_credential_with_endpoint is for local emulators)",
                host_name.escape_debug()
            )));
        }
        let endpoint = if host_name.contains("://") {
            host_name.to_owned()
        } else {
            format!("https://{host_name}")
        };
        Self::from_token_credential_with_endpoint(&endpoint, credential)
    }

    /// Like [`Client::from_token_credential`], but sending requests to `endpoint` as it is
    /// (for example a local emulator at `http://127.0.0.1:8080`).
    pub fn from_token_credential_with_endpoint(
        endpoint: &str,
        credential: Arc<dyn TokenCredential>,
    ) -> Result<Self, Error> {
        Ok(Client::new(endpoint)?
            .with_scheme_credential("entraId", EntraCredential::new(credential)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_causes_are_said_once() {
        let inner = std::io::Error::other("the token endpoint refused the request");
        let error = azure_core::Error::new(azure_core::error::ErrorKind::Credential, inner);
        assert_eq!(
            describe(IOT_HUB_SCOPE, &error),
            "could not get a Microsoft Entra ID token for https://iothubs.azure.net/.default: \
             the token endpoint refused the request"
        );
        let error = azure_core::Error::with_error(
            azure_core::error::ErrorKind::Credential,
            std::io::Error::other("connection refused"),
            "ManagedIdentityCredential authentication failed",
        );
        assert_eq!(
            describe("s", &error),
            "could not get a Microsoft Entra ID token for s: \
             ManagedIdentityCredential authentication failed: connection refused"
        );
    }

    #[test]
    fn http_host_names_are_refused() {
        #[derive(Debug)]
        struct Never;
        #[async_trait::async_trait]
        impl TokenCredential for Never {
            async fn get_token(
                &self,
                _: &[&str],
                _: Option<TokenRequestOptions<'_>>,
            ) -> azure_core::Result<AccessToken> {
                Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    "never",
                ))
            }
        }
        let error = Client::from_token_credential("HTTP://hub.example", Arc::new(Never))
            .expect_err("refused");
        assert!(matches!(error, Error::InvalidInput(_)), "{error}");
        for (given, base) in [
            (
                "my-hub.azure-devices.net",
                "https://my-hub.azure-devices.net/",
            ),
            (
                " https://my-hub.azure-devices.net ",
                "https://my-hub.azure-devices.net/",
            ),
        ] {
            let client = Client::from_token_credential(given, Arc::new(Never)).expect("a client");
            assert_eq!(client.base_url().as_str(), base);
        }
        let client =
            Client::from_token_credential_with_endpoint("http://127.0.0.1:8080", Arc::new(Never))
                .expect("a client");
        assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8080/");
    }
}
