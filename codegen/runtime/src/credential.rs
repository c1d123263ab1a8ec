//! Authentication: the [`Credential`] hook that supplies each request's `Authorization`
//! header, and [`StaticCredential`], a fixed value. One credential type serves every client
//! generated against this runtime.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{Error, HeaderValue};

/// A boxed future, as returned by [`Credential::authorization`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Supplies the `Authorization` header value of each request (an API key, a SAS token, a
/// bearer token...). Called once per attempt, so implementations can cache and renew.
///
/// When the service answers 401 (Unauthorized), the client calls
/// [`invalidate`](Self::invalidate); if that says a fresh value may differ, the request is
/// sent once more with a fresh [`authorization`](Self::authorization) (whatever the
/// operation: a 401 means the service refused the request before processing it), and a second
/// 401 is the call's error.
pub trait Credential: Send + Sync {
    /// The value for the `Authorization` header, or a message saying why there is none.
    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>>;

    /// Forgets any cached value (the service refused it), so that the next
    /// [`authorization`](Self::authorization) makes or fetches a fresh one. Returns whether
    /// that fresh value may differ from the refused one, that is, whether sending the request
    /// again is worth it. The default does nothing and returns `false`: a credential without a
    /// cache (a fixed key) would only be refused again.
    fn invalidate(&self) -> bool {
        false
    }
}

/// A fixed `Authorization` value. Its `Debug` output never shows the value. It is not `Clone`,
/// so that the secret is not copied around: share one with `Arc<StaticCredential>` (also a
/// [`Credential`]).
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

/// One credential shared by several clients (of one API or of several generated APIs), so
/// that a token it caches is fetched once for all of them.
impl<C: Credential + ?Sized> Credential for Arc<C> {
    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>> {
        (**self).authorization()
    }

    fn invalidate(&self) -> bool {
        (**self).invalidate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::block_on;

    #[test]
    fn a_static_credential_sends_its_value_marked_sensitive() {
        let credential =
            StaticCredential::new("SharedAccessSignature sr=x&sig=secret").expect("valid");
        let value = block_on(credential.authorization()).expect("a value");
        assert_eq!(value, "SharedAccessSignature sr=x&sig=secret");
        assert!(value.is_sensitive());
    }

    #[test]
    fn a_static_credential_never_shows_its_value() {
        let credential = StaticCredential::new("Bearer secret-token").expect("valid");
        let debug = format!("{credential:?}");
        assert_eq!(debug, "StaticCredential(<redacted>)");
        assert!(!debug.contains("secret"));
    }

    #[test]
    fn values_that_cannot_be_headers_are_refused_without_showing_them() {
        let error = StaticCredential::new("Bearer secret\nInjected: yes").expect_err("refused");
        assert!(!error.to_string().contains("secret"));
        let error: Error = error.into();
        assert!(matches!(error, Error::InvalidInput(_)));
    }

    #[test]
    fn one_credential_can_be_shared() {
        /// Counts the values it gives.
        struct Counting(std::sync::atomic::AtomicUsize);
        impl Credential for Counting {
            fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>> {
                let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Box::pin(async move { Ok(HeaderValue::from(n)) })
            }
        }
        let shared = Arc::new(Counting(Default::default()));
        let (first, second) = (shared.clone(), shared.clone());
        assert_eq!(block_on(first.authorization()).expect("value"), "0");
        assert_eq!(block_on(second.authorization()).expect("value"), "1");
        let object: Arc<dyn Credential> = shared;
        assert_eq!(block_on(object.authorization()).expect("value"), "2");
        // Without an `invalidate` of its own, a credential has nothing to refresh.
        assert!(!object.invalidate());
    }

    #[test]
    fn invalidation_reaches_a_shared_credential() {
        /// Counts invalidations.
        struct Renewing(std::sync::atomic::AtomicUsize);
        impl Credential for Renewing {
            fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>> {
                let n = self.0.load(std::sync::atomic::Ordering::SeqCst);
                Box::pin(async move { Ok(HeaderValue::from(n)) })
            }
            fn invalidate(&self) -> bool {
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                true
            }
        }
        let shared: Arc<dyn Credential> = Arc::new(Renewing(Default::default()));
        assert_eq!(block_on(shared.authorization()).expect("value"), "0");
        assert!(shared.invalidate());
        assert_eq!(block_on(shared.authorization()).expect("value"), "1");
        let fixed = StaticCredential::new("Bearer t").expect("valid");
        assert!(!fixed.invalidate(), "a fixed value cannot be refreshed");
    }
}
