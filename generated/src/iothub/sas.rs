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
use zeroize::Zeroizing;

use crate::runtime::{BoxFuture, Credential, HeaderValue};

/// What URL-encoding leaves alone: letters, digits and `-_.~`, as Python's
/// `urllib.parse.quote_plus` (which the official Python SDK's `sastoken.py` uses) does.
const URL_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `urllib.parse.quote_plus(text)`: UTF-8 percent-encoding with upper-case hex digits, and a
/// space becomes `+` (as .NET's `WebUtility.UrlEncode` also does). The signature covers the
/// encoded resource, so this must match the SDKs byte for byte.
fn url_encode(text: &str) -> String {
    // A `%` in `text` is itself encoded as `%25`, so every `%20` here stands for a space.
    utf8_percent_encode(text, URL_ENCODE)
        .to_string()
        .replace("%20", "+")
}

/// Signs a token for `resource` (the hub's host name) that expires at `expiry` (seconds
/// since the Unix epoch):
/// `SharedAccessSignature sr={url-encoded resource}&sig={url-encoded base64 HMAC-SHA256 of
/// "{url-encoded resource}\n{expiry}" keyed with the decoded key}&se={expiry}&skn={policy}`.
/// `skn` is left out when `policy` is `None` or empty (as the Python SDK does).
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
    if let Some(policy) = policy.filter(|p| !p.is_empty()) {
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
/// the key and the token; the key's bytes are overwritten with zeros when the credential is
/// dropped, and the type is not `Clone` (share it with `Arc<SasCredential>`, itself a
/// `Credential`). When the service refuses a token (401), the client calls
/// [`Credential::invalidate`], which drops the cached token, and sends the request once more
/// with a token signed afresh.
pub struct SasCredential {
    resource: String,
    policy: Option<String>,
    key: Zeroizing<Vec<u8>>,
    ttl: Duration,
    clock: Arc<dyn Clock>,
    cache: Mutex<Option<(HeaderValue, u64)>>,
    /// How many tokens have been signed, for the tests.
    #[cfg(test)]
    signed: std::sync::atomic::AtomicUsize,
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
        let key = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(key_base64.trim())
                .map_err(|_| InvalidKey)?,
        );
        Ok(Self {
            resource: resource.to_owned(),
            policy: policy.map(str::to_owned),
            key,
            ttl: DEFAULT_TTL,
            clock: Arc::new(SystemClock),
            cache: Mutex::new(None),
            #[cfg(test)]
            signed: std::sync::atomic::AtomicUsize::new(0),
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
    /// one has less than a fifth of its lifetime left. The token returned always has at least a
    /// fifth of its lifetime (and at least one second) left.
    pub fn current_token(&self) -> Result<HeaderValue, String> {
        let ttl = self.ttl.as_secs().max(1);
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Read the clock under the lock, so that a caller that waited for it does not judge
        // (or sign) with a time older than the one the token in the cache was signed at.
        let now = self.clock.now();
        if let Some((token, expiry)) = cache.as_ref() {
            // Still good while at least a fifth is left: `left >= ttl / 5`, in exact arithmetic.
            let left = expiry.saturating_sub(now);
            if left.saturating_mul(5) >= ttl {
                return Ok(token.clone());
            }
        }
        let expiry = now.saturating_add(ttl);
        let text = sign(
            &self.resource,
            &self.key[..],
            self.policy.as_deref(),
            expiry,
        );
        #[cfg(test)]
        self.signed
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
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

    /// Drops the cached token, so that the next request gets one signed now, with a full
    /// lifetime (the service may have refused the old one as expired: its clock runs ahead of
    /// this machine's, or this machine slept). Returns `false` when the dropped token is the
    /// one signing now would give again (it was signed this very second): a new attempt would
    /// be refused the same way.
    fn invalidate(&self) -> bool {
        let ttl = self.ttl.as_secs().max(1);
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = self.clock.now();
        match cache.take() {
            Some((_, expiry)) => expiry != now.saturating_add(ttl),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicU64, Ordering};

    use percent_encoding::percent_decode_str;

    use super::*;

    /// A clock the test sets by hand.
    #[derive(Debug, Default)]
    struct TestClock(AtomicU64);

    impl TestClock {
        fn at(now: u64) -> Arc<Self> {
            Arc::new(Self(AtomicU64::new(now)))
        }

        fn set(&self, now: u64) {
            self.0.store(now, Ordering::SeqCst);
        }
    }

    impl Clock for TestClock {
        fn now(&self) -> u64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    fn decode_key(key: &str) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(key)
            .unwrap()
    }

    /// The token's fields in order, values as they appear in the token.
    fn fields(token: &str) -> Vec<(&str, &str)> {
        token
            .strip_prefix("SharedAccessSignature ")
            .expect("token prefix")
            .split('&')
            .map(|pair| pair.split_once('=').expect("field has `=`"))
            .collect()
    }

    fn field<'a>(token: &'a str, name: &str) -> &'a str {
        fields(token)
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no `{name}` in {token}"))
    }

    /// The expiry (`se`) of a token.
    fn expiry_of(token: &str) -> u64 {
        field(token, "se").parse().unwrap()
    }

    /// The credential's token now, as text (`HeaderValue`s marked sensitive do not show in
    /// assertion messages).
    fn current(credential: &SasCredential) -> String {
        let token = credential.current_token().unwrap();
        assert!(token.is_sensitive());
        token.to_str().unwrap().to_owned()
    }

    /// Tokens computed independently with Python 3.11 (stdlib only), exactly as
    /// `azure-iot-hub-python`'s `src/azure/iot/hub/sastoken.py` builds them:
    ///
    /// ```python
    /// import base64, hashlib, hmac, urllib.parse
    /// def sas(resource, key_b64, policy, expiry):
    ///     sr = urllib.parse.quote_plus(resource)
    ///     digest = hmac.new(base64.b64decode(key_b64), f"{sr}\n{expiry}".encode("utf-8"),
    ///                       hashlib.sha256).digest()
    ///     sig = base64.b64encode(digest).decode()
    ///     token = f"SharedAccessSignature sr={sr}&sig={urllib.parse.quote_plus(sig)}&se={expiry}"
    ///     return token + (f"&skn={policy}" if policy else ""), sig
    /// cases = [
    ///     ("my-hub.azure-devices.net/devices/dev 1",
    ///      base64.b64encode(bytes(range(32))).decode(), "iothubowner", 1700000000),
    ///     ("myhub.azure-devices.net", "c2VjcmV0LWtleS1mb3ItdGVzdHM9PQ==", None, 1456973447),
    ///     ("myhub.azure-devices.net",
    ///      base64.b64encode(bytes(range(100))).decode(), "registryRead", 4102444800),
    ///     ("my-hub.azure-devices.net/devices/d\u00e9v~1!*()'@%+/x",
    ///      base64.b64encode(b"\xff" * 64).decode(), "service", 1),
    /// ]
    /// for c in cases: print(c, *sas(*c))
    /// ```
    ///
    /// One deliberate difference: `sastoken.py` encodes the signature with `quote` (which
    /// leaves `/` alone) where this crate, like the C# SDK's `WebUtility.UrlEncode`, also
    /// encodes `/` as `%2F`. The service URL-decodes `sig` before comparing, so both are
    /// accepted; the snippet above uses `quote_plus` for `sig` and the test checks that the
    /// decoded `sig` is the SDK's base64 signature. The resource is what the HMAC covers,
    /// and there the encodings must (and do) agree byte for byte.
    #[test]
    fn matches_tokens_computed_by_python() {
        struct Case {
            resource: &'static str,
            key: String,
            policy: Option<&'static str>,
            expiry: u64,
            token: &'static str,
            base64_sig: &'static str,
        }
        let std = base64::engine::general_purpose::STANDARD;
        let cases = [
            // A resource that needs encoding: `/` and a space (`quote_plus` gives `+`).
            Case {
                resource: "my-hub.azure-devices.net/devices/dev 1",
                key: std.encode((0..32).collect::<Vec<u8>>()),
                policy: Some("iothubowner"),
                expiry: 1_700_000_000,
                token: "SharedAccessSignature sr=my-hub.azure-devices.net%2Fdevices%2Fdev+1&sig=sRDs8cVxiW81DKniYYQ1klUOm%2FrAtqFXk5inZCThWBY%3D&se=1700000000&skn=iothubowner",
                base64_sig: "sRDs8cVxiW81DKniYYQ1klUOm/rAtqFXk5inZCThWBY=",
            },
            // No policy: no `skn`.
            Case {
                resource: "myhub.azure-devices.net",
                key: "c2VjcmV0LWtleS1mb3ItdGVzdHM9PQ==".to_owned(),
                policy: None,
                expiry: 1_456_973_447,
                token: "SharedAccessSignature sr=myhub.azure-devices.net&sig=gXl2RK4%2FQPO6nm67esThZqq1vrxU5Hjzw%2FdKal8voqk%3D&se=1456973447",
                base64_sig: "gXl2RK4/QPO6nm67esThZqq1vrxU5Hjzw/dKal8voqk=",
            },
            // A 100-byte key: longer than SHA-256's 64-byte block, so HMAC hashes it first.
            Case {
                resource: "myhub.azure-devices.net",
                key: std.encode((0..100).collect::<Vec<u8>>()),
                policy: Some("registryRead"),
                expiry: 4_102_444_800,
                token: "SharedAccessSignature sr=myhub.azure-devices.net&sig=j1AzNFL9O6ners1996EmeKdy554dx9Okx%2BSakpI63hs%3D&se=4102444800&skn=registryRead",
                base64_sig: "j1AzNFL9O6ners1996EmeKdy554dx9Okx+SakpI63hs=",
            },
            // A 64-byte key (exactly one block) and every character class `quote_plus`
            // treats specially: non-ASCII, `~` (kept), `!*()'@%+/` (encoded).
            Case {
                resource: "my-hub.azure-devices.net/devices/d\u{e9}v~1!*()'@%+/x",
                key: std.encode([0xff_u8; 64]),
                policy: Some("service"),
                expiry: 1,
                token: "SharedAccessSignature sr=my-hub.azure-devices.net%2Fdevices%2Fd%C3%A9v~1%21%2A%28%29%27%40%25%2B%2Fx&sig=Qrb6SSGhPRZ9kU8%2Fk6sdFQvDCezwkfNFWg%2B5qf1mXgo%3D&se=1&skn=service",
                base64_sig: "Qrb6SSGhPRZ9kU8/k6sdFQvDCezwkfNFWg+5qf1mXgo=",
            },
        ];
        for case in &cases {
            let token = sign(
                case.resource,
                &decode_key(&case.key),
                case.policy,
                case.expiry,
            );
            assert_eq!(token, case.token, "{}", case.resource);
            let sig = percent_decode_str(field(&token, "sig"))
                .decode_utf8()
                .unwrap();
            assert_eq!(sig, case.base64_sig);
        }
    }

    #[test]
    fn url_encoding_is_quote_plus() {
        // Python: urllib.parse.quote_plus(s) for each s.
        for (text, python) in [
            ("dev 1", "dev+1"),
            (" ", "+"),
            ("%20", "%2520"),
            (
                "a b+c%20d/\u{e9}~!*'()&=;",
                "a+b%2Bc%2520d%2F%C3%A9~%21%2A%27%28%29%26%3D%3B",
            ),
            ("Az09-_.~", "Az09-_.~"),
        ] {
            assert_eq!(url_encode(text), python, "{text:?}");
        }
    }

    /// The example from `authenticate-authorize-sas.md` ("SAS token structure"), whose key is
    /// not published: the same fields in the same order, and a 32-byte signature.
    #[test]
    fn has_the_documented_shape() {
        let documented = "SharedAccessSignature sr=myhub.azure-devices.net&sig=JdyscqTpXdEJs49elIUCcohw2DlFDR3zfH5KqGJo4r4%3D&se=1456973447&skn=registryRead";
        let ours = sign(
            "myhub.azure-devices.net",
            &decode_key("c2VjcmV0LWtleS1mb3ItdGVzdHM9PQ=="),
            Some("registryRead"),
            1_456_973_447,
        );
        let names = |token| {
            fields(token)
                .into_iter()
                .map(|(n, _)| n)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(documented), ["sr", "sig", "se", "skn"]);
        assert_eq!(names(&ours), names(documented));
        for name in ["sr", "se", "skn"] {
            assert_eq!(field(&ours, name), field(documented, name), "{name}");
        }
        for token in [documented, ours.as_str()] {
            let sig = percent_decode_str(field(token, "sig"))
                .decode_utf8()
                .unwrap();
            assert_eq!(decode_key(&sig).len(), 32, "{token}");
        }
    }

    #[test]
    fn an_empty_policy_is_left_out() {
        let key = decode_key("YQ==");
        assert_eq!(sign("h", &key, Some(""), 5), sign("h", &key, None, 5));
        assert!(!sign("h", &key, Some(""), 5).contains("skn"));
    }

    #[test]
    fn an_invalid_key_is_rejected() {
        assert_eq!(
            SasCredential::new("h", Some("p"), "not base64!").unwrap_err(),
            InvalidKey
        );
        assert!(SasCredential::new("h", Some("p"), " YQ== ").is_ok());
    }

    const KEY: &str = "c2VjcmV0LWtleS1mb3ItdGVzdHM9PQ==";
    const START: u64 = 1_700_000_000;

    fn credential_at(clock: &Arc<TestClock>) -> SasCredential {
        SasCredential::new("my-hub.azure-devices.net", Some("iothubowner"), KEY)
            .unwrap()
            .with_clock(clock.clone())
    }

    #[test]
    fn renews_when_less_than_a_fifth_is_left() {
        let clock = TestClock::at(START);
        let credential = credential_at(&clock);
        let first = current(&credential);
        assert_eq!(expiry_of(&first), START + 3600);
        assert_eq!(
            first,
            sign(
                "my-hub.azure-devices.net",
                &decode_key(KEY),
                Some("iothubowner"),
                START + 3600
            )
        );
        // Up to exactly a fifth (720 s) left: the same token.
        for elapsed in [0, 1, 1800, 2879, 2880] {
            clock.set(START + elapsed);
            assert_eq!(current(&credential), first, "{elapsed}");
        }
        assert_eq!(credential.signed.load(Ordering::SeqCst), 1);
        // 719 s left: a new token, living a full TTL from now.
        clock.set(START + 2881);
        let second = current(&credential);
        assert_ne!(second, first);
        assert_eq!(expiry_of(&second), START + 2881 + 3600);
        clock.set(START + 2881 + 2880);
        assert_eq!(current(&credential), second);
        assert_eq!(credential.signed.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn invalidation_drops_the_cached_token() {
        let clock = TestClock::at(START);
        let credential = credential_at(&clock);
        let first = current(&credential);
        // Signed this very second: signing again gives the same token, not worth a retry.
        assert!(!credential.invalidate());
        assert_eq!(current(&credential), first);
        assert_eq!(credential.signed.load(Ordering::SeqCst), 2);
        // Later, while the cached token still has most of its life: a new one, from now.
        clock.set(START + 50);
        assert_eq!(current(&credential), first, "still cached");
        assert!(credential.invalidate());
        let second = current(&credential);
        assert_eq!(expiry_of(&second), START + 50 + 3600);
        assert_ne!(second, first);
        // Signed this second again: dropped, but not worth a retry; then nothing is cached
        // (another task invalidated it), and a fresh token may differ from the refused one.
        assert!(!credential.invalidate());
        assert!(credential.invalidate());
    }

    #[test]
    fn with_ttl_is_respected() {
        let clock = TestClock::at(START);
        let credential = credential_at(&clock).with_ttl(Duration::from_secs(100));
        let first = current(&credential);
        assert_eq!(expiry_of(&first), START + 100);
        clock.set(START + 80);
        assert_eq!(current(&credential), first);
        clock.set(START + 81);
        assert_eq!(expiry_of(&current(&credential)), START + 181);

        // A fifth of 7 s is 1.4 s: 2 s left keeps the token, 1 s left renews it.
        let clock = TestClock::at(START);
        let credential = credential_at(&clock).with_ttl(Duration::from_secs(7));
        let first = current(&credential);
        clock.set(START + 5);
        assert_eq!(current(&credential), first);
        clock.set(START + 6);
        assert_eq!(expiry_of(&current(&credential)), START + 13);

        // Less than a second is raised to one second; the token is reused within its second.
        let clock = TestClock::at(START);
        let credential = credential_at(&clock).with_ttl(Duration::ZERO);
        let first = current(&credential);
        assert_eq!(expiry_of(&first), START + 1);
        assert_eq!(current(&credential), first);
        assert_eq!(credential.signed.load(Ordering::SeqCst), 1);
        clock.set(START + 1);
        assert_eq!(expiry_of(&current(&credential)), START + 2);
    }

    #[test]
    fn never_returns_a_token_with_less_than_a_fifth_left() {
        for ttl in [1, 2, 3, 5, 7, 60, 101, 3600] {
            let clock = TestClock::at(START);
            let credential = credential_at(&clock).with_ttl(Duration::from_secs(ttl));
            let mut renewals = 0;
            let mut last = None;
            for now in (START..START + 3 * ttl).step_by(usize::try_from(ttl / 50 + 1).unwrap()) {
                clock.set(now);
                let token = current(&credential);
                let left = expiry_of(&token) - now;
                assert!(left * 5 >= ttl && left <= ttl, "ttl {ttl}, {left} s left");
                if last.as_ref() != Some(&token) {
                    renewals += 1;
                }
                last = Some(token);
            }
            // Renewed every 4/5 of the TTL (rounded to whole seconds), never more often.
            assert!(renewals <= 3 * 5 / 4 + 2, "ttl {ttl}: {renewals} renewals");
            assert_eq!(credential.signed.load(Ordering::SeqCst), renewals);
        }
    }

    #[test]
    fn debug_hides_the_key_and_the_token() {
        let clock = TestClock::at(START);
        let credential = credential_at(&clock);
        let token = current(&credential);
        let token = token.as_str();
        let shown = format!("{credential:?} {credential:#?}");
        assert!(shown.contains("my-hub.azure-devices.net"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
        for secret in [
            KEY,
            "c2VjcmV0",
            token,
            field(token, "sig"),
            "secret-key-for-tests",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(!shown.contains("SharedAccessSignature"), "{shown}");
        let key_bytes = format!("{:?}", decode_key(KEY));
        assert!(
            !shown.contains(&key_bytes[1..key_bytes.len() - 1]),
            "{shown}"
        );
    }

    async fn ask_concurrently(credential: &Arc<SasCredential>, tasks: usize) -> HashSet<String> {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let credential = Arc::clone(credential);
                tokio::spawn(async move {
                    let token = credential.authorization().await.unwrap();
                    token.to_str().unwrap().to_owned()
                })
            })
            .collect();
        let mut tokens = HashSet::new();
        for handle in handles {
            tokens.insert(handle.await.unwrap());
        }
        tokens
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 8)]
    async fn concurrent_callers_share_one_token_per_renewal() {
        let clock = TestClock::at(START);
        let credential = Arc::new(credential_at(&clock));

        let tokens = ask_concurrently(&credential, 1000).await;
        assert_eq!(tokens.len(), 1, "{tokens:?}");
        assert_eq!(credential.signed.load(Ordering::SeqCst), 1);
        let first = tokens.into_iter().next().unwrap();
        assert_eq!(field(&first, "se"), (START + 3600).to_string());

        // Past the renewal point: again one token, signed once, with the new expiry.
        clock.set(START + 2881);
        let tokens = ask_concurrently(&credential, 1000).await;
        assert_eq!(tokens.len(), 1, "{tokens:?}");
        assert_eq!(credential.signed.load(Ordering::SeqCst), 2);
        let second = tokens.into_iter().next().unwrap();
        assert_ne!(second, first);
        assert_eq!(field(&second, "se"), (START + 2881 + 3600).to_string());
    }

    /// While the clock moves, no caller ever gets a token with less than a fifth of its
    /// lifetime left relative to the time it asked at, and every token is signed only once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 8)]
    async fn concurrent_callers_never_get_an_old_token_while_the_clock_moves() {
        let ttl = 10;
        let clock = TestClock::at(START);
        let credential = Arc::new(credential_at(&clock).with_ttl(Duration::from_secs(ttl)));
        let handles: Vec<_> = (0..1000)
            .map(|i| {
                let credential = Arc::clone(&credential);
                let clock = Arc::clone(&clock);
                tokio::spawn(async move {
                    if i % 10 == 0 {
                        clock.0.fetch_add(1, Ordering::SeqCst);
                    }
                    let asked_at = clock.now();
                    let token = credential.authorization().await.unwrap();
                    (asked_at, token.to_str().unwrap().to_owned())
                })
            })
            .collect();
        let mut tokens = HashSet::new();
        for handle in handles {
            let (asked_at, token) = handle.await.unwrap();
            let expiry: u64 = field(&token, "se").parse().unwrap();
            assert!(
                expiry >= asked_at + ttl / 5,
                "asked at {asked_at}, got {token}"
            );
            tokens.insert(token);
        }
        assert_eq!(credential.signed.load(Ordering::SeqCst), tokens.len());
    }
}
