// Hand-written: not generated; `cargo xtask regen` never touches this file.
//! Shared access signature (SAS) tokens, exactly as IoT Hub checks them, and a credential
//! that caches them and renews them before they expire.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;

use crate::runtime::{BoxFuture, Credential, HeaderValue};

/// What URL-encoding leaves alone: letters, digits and `-_.~` (as Python's `quote_plus` and
/// .NET's `WebUtility.UrlEncode` do for the characters that occur in host names and base64).
const URL_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn url_encode(text: &str) -> String {
    utf8_percent_encode(text, URL_ENCODE).to_string()
}

/// Signs a token for `resource` (the hub's host name) that expires at `expiry` (seconds
/// since the Unix epoch):
/// `SharedAccessSignature sr={url-encoded resource}&sig={url-encoded base64 HMAC-SHA256 of
/// "{url-encoded resource}\n{expiry}" keyed with the decoded key}&se={expiry}&skn={policy}`.
/// `skn` is left out when `policy` is `None`.
pub fn sign(resource: &str, key: &[u8], policy: Option<&str>, expiry: u64) -> String {
    let encoded_resource = url_encode(resource);
    let to_sign = format!("{encoded_resource}\n{expiry}");
    // HMAC takes keys of any length, so this cannot fail.
    let signature = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(to_sign.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    let mut token = format!(
        "SharedAccessSignature sr={encoded_resource}&sig={}&se={expiry}",
        url_encode(&signature)
    );
    if let Some(policy) = policy {
        token.push_str("&skn=");
        token.push_str(&url_encode(policy));
    }
    token
}

/// Where the credential reads the time: the system clock, or a clock a test controls.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// The key of a SAS credential could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the shared access key is not valid base64")]
pub struct InvalidKey;

/// A [`Credential`] that signs SAS tokens with a policy key, caches the current token and
/// signs a new one when less than a fifth of its lifetime is left. Safe to share between
/// tasks: one token is signed per renewal however many requests ask at once. `Debug` hides
/// the key and the token.
pub struct SasCredential {
    resource: String,
    policy: Option<String>,
    key: Vec<u8>,
    ttl: Duration,
    clock: Arc<dyn Clock>,
    cache: Mutex<Option<(HeaderValue, u64)>>,
}

impl fmt::Debug for SasCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SasCredential")
            .field("resource", &self.resource)
            .field("policy", &self.policy)
            .field("ttl", &self.ttl)
            .field("key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// The default token lifetime: one hour, as the official SDKs use.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

impl SasCredential {
    /// A credential for `resource` (the hub's host name) signing with the base64 `key` of
    /// `policy`; tokens live [`DEFAULT_TTL`].
    pub fn new(resource: &str, policy: Option<&str>, key_base64: &str) -> Result<Self, InvalidKey> {
        let key = base64::engine::general_purpose::STANDARD
            .decode(key_base64.trim())
            .map_err(|_| InvalidKey)?;
        Ok(Self {
            resource: resource.to_owned(),
            policy: policy.map(str::to_owned),
            key,
            ttl: DEFAULT_TTL,
            clock: Arc::new(SystemClock),
            cache: Mutex::new(None),
        })
    }

    /// Sets how long each token lives (at least one second).
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.max(Duration::from_secs(1));
        self
    }

    /// Reads the time from `clock` instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The `Authorization` value to send now: the cached token, or a new one when the cached
    /// one has less than a fifth of its lifetime left.
    pub fn current_token(&self) -> Result<HeaderValue, String> {
        let now = self.clock.now();
        let margin = (self.ttl.as_secs() / 5).max(1);
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((token, expiry)) = cache.as_ref() {
            if now.saturating_add(margin) < *expiry {
                return Ok(token.clone());
            }
        }
        let expiry = now.saturating_add(self.ttl.as_secs());
        let text = sign(&self.resource, &self.key, self.policy.as_deref(), expiry);
        let mut token = HeaderValue::from_str(&text)
            .map_err(|_| "the SAS token is not a valid header value".to_owned())?;
        token.set_sensitive(true);
        *cache = Some((token.clone(), expiry));
        Ok(token)
    }
}

impl Credential for SasCredential {
    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>> {
        let token = self.current_token();
        Box::pin(async move { token })
    }
}
