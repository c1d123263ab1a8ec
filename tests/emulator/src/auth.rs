// Hand-written test infrastructure (not generated): SAS authentication of the emulator.
//! Shared access policies and the check of `Authorization: SharedAccessSignature …` tokens,
//! as an axum middleware around the generated router.
//!
//! A token passes when it has `sr`, `sig`, `se` and `skn`; `sr` (URL-decoded) is the hub's
//! host name (ignoring ASCII case); `skn` names a configured policy; `sig` is the signature
//! [`iothub_jobs::iothub::sign`] computes for `sr` and `se` with that policy's key; and `se`
//! is later than the emulator clock's current second. Anything else is answered 401
//! `IotHubUnauthorizedAccess` (envelope A), with the reason in the message.

use std::fmt;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;

use crate::Emulator;
use crate::errors::HubError;

/// The name of the policy the emulator has unless told otherwise.
pub const DEMO_POLICY: &str = "iothubowner";

/// The key of [`DEMO_POLICY`] unless told otherwise: a fixed, public demo key (it protects
/// nothing but a loopback emulator). Base64 of `iothub-emulator-demo-key-0000001`.
pub const DEMO_KEY: &str = "aW90aHViLWVtdWxhdG9yLWRlbW8ta2V5LTAwMDAwMDE=";

/// A shared access policy: a name and a key. `Debug` hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Policy {
    name: String,
    key_base64: String,
    key: Vec<u8>,
}

/// The key of a policy is not valid base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the key of policy `{0}` is not valid base64")]
pub struct InvalidPolicyKey(pub String);

impl Policy {
    /// A policy named `name` whose key is `key_base64` (as in a connection string).
    pub fn new(name: &str, key_base64: &str) -> Result<Self, InvalidPolicyKey> {
        let key = base64::engine::general_purpose::STANDARD
            .decode(key_base64.trim())
            .map_err(|_| InvalidPolicyKey(name.to_owned()))?;
        Ok(Self {
            name: name.to_owned(),
            key_base64: key_base64.trim().to_owned(),
            key,
        })
    }

    /// The demo policy: [`DEMO_POLICY`] with [`DEMO_KEY`].
    pub fn demo() -> Self {
        Self::new(DEMO_POLICY, DEMO_KEY).expect("the demo key is valid base64")
    }

    /// The policy name (`skn`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key as base64, as a connection string carries it.
    pub fn key_base64(&self) -> &str {
        &self.key_base64
    }

    /// The decoded key, as HMAC uses it.
    pub fn key(&self) -> &[u8] {
        &self.key
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.name)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Why a request was not authorised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthFailure {
    /// No `Authorization` header.
    #[error("the request has no Authorization header")]
    Missing,
    /// The header is not a SAS token with `sr`, `sig`, `se` and `skn`.
    #[error("the Authorization header is not a valid SharedAccessSignature token: {0}")]
    Malformed(String),
    /// `sr` names another resource than the hub.
    #[error("the token is for resource `{0}`, not this hub")]
    WrongResource(String),
    /// `skn` names no configured policy.
    #[error("the token names policy `{0}`, which this hub does not have")]
    UnknownPolicy(String),
    /// `sig` is not the signature of the token with the policy's key.
    #[error("the token's signature does not match the key of policy `{0}`")]
    BadSignature(String),
    /// `se` is not later than now.
    #[error("the token expired at {expiry} (now {now}, seconds since the Unix epoch)")]
    Expired {
        /// The token's `se`.
        expiry: u64,
        /// The emulator clock, in seconds.
        now: i64,
    },
}

/// Checks an `Authorization` header value against the hub `host_name`, its `policies` and the
/// time `now` (seconds since the Unix epoch).
pub fn verify(
    header: Option<&str>,
    host_name: &str,
    policies: &[Policy],
    now: i64,
) -> Result<(), AuthFailure> {
    let header = header.ok_or(AuthFailure::Missing)?.trim();
    let fields = header
        .strip_prefix("SharedAccessSignature ")
        .ok_or_else(|| {
            AuthFailure::Malformed("it does not start with `SharedAccessSignature `".to_owned())
        })?;
    let (mut sr, mut sig, mut se, mut skn) = (None, None, None, None);
    for (name, value) in form_urlencoded::parse(fields.trim().as_bytes()) {
        let slot = match name.as_ref() {
            "sr" => &mut sr,
            "sig" => &mut sig,
            "se" => &mut se,
            "skn" => &mut skn,
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(AuthFailure::Malformed(format!(
                "`{name}` appears more than once"
            )));
        }
    }
    let missing = |name: &str| AuthFailure::Malformed(format!("`{name}` is missing"));
    let sr = sr.ok_or_else(|| missing("sr"))?;
    let sig = sig.ok_or_else(|| missing("sig"))?;
    let se = se.ok_or_else(|| missing("se"))?;
    let skn = skn.ok_or_else(|| missing("skn"))?;
    let expiry: u64 = se
        .parse()
        .map_err(|_| AuthFailure::Malformed("`se` is not a number of seconds".to_owned()))?;

    if !sr.eq_ignore_ascii_case(host_name) {
        return Err(AuthFailure::WrongResource(sr));
    }
    let policy = policies
        .iter()
        .find(|p| p.name == skn)
        .ok_or_else(|| AuthFailure::UnknownPolicy(skn.clone()))?;
    let expected = expected_signature(&sr, policy, expiry);
    if !constant_time_eq(expected.as_bytes(), sig.as_bytes()) {
        return Err(AuthFailure::BadSignature(skn));
    }
    if i64::try_from(expiry).unwrap_or(i64::MAX) <= now {
        return Err(AuthFailure::Expired { expiry, now });
    }
    Ok(())
}

/// The decoded base64 signature [`iothub_jobs::iothub::sign`] gives for `resource` and
/// `expiry` with `policy`'s key.
fn expected_signature(resource: &str, policy: &Policy, expiry: u64) -> String {
    let token = iothub_jobs::iothub::sign(resource, &policy.key, Some(&policy.name), expiry);
    let fields = token
        .strip_prefix("SharedAccessSignature ")
        .unwrap_or_default();
    form_urlencoded::parse(fields.as_bytes())
        .find(|(name, _)| name == "sig")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The middleware: passes authorised requests on, answers the others 401.
pub(crate) async fn require_sas(
    State(emulator): State<Arc<Emulator>>,
    request: Request,
    next: Next,
) -> Response {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("<not visible ASCII>"));
    let now = emulator.now();
    match verify(
        header,
        emulator.host_name(),
        emulator.policies(),
        now.timestamp(),
    ) {
        Ok(()) => next.run(request).await,
        Err(failure) => {
            tracing::info!(
                method = %request.method(),
                path = %request.uri().path(),
                "401: {failure}"
            );
            HubError::unauthorized(&failure.to_string()).to_response(now)
        }
    }
}

#[cfg(test)]
mod tests {
    use iothub_jobs::iothub::sign;

    use super::*;

    const HOST: &str = "emulator.azure-devices.net";
    const NOW: i64 = 1_900_000_000;

    fn policies() -> Vec<Policy> {
        vec![
            Policy::demo(),
            Policy::new("service", "c2VydmljZS1rZXk=").unwrap(),
        ]
    }

    fn token(resource: &str, policy: &Policy, expiry: u64) -> String {
        sign(resource, policy.key(), Some(policy.name()), expiry)
    }

    fn check(header: &str) -> Result<(), AuthFailure> {
        verify(Some(header), HOST, &policies(), NOW)
    }

    #[test]
    fn accepts_tokens_of_every_policy() {
        let expiry = u64::try_from(NOW).unwrap() + 60;
        for policy in policies() {
            assert_eq!(check(&token(HOST, &policy, expiry)), Ok(()));
        }
        // `sr` is compared without regard to ASCII case; the order of the fields is free.
        let upper = token(&HOST.to_uppercase(), &Policy::demo(), expiry);
        assert_eq!(check(&upper), Ok(()));
        let fields = upper.strip_prefix("SharedAccessSignature ").unwrap();
        let mut parts: Vec<&str> = fields.split('&').collect();
        parts.reverse();
        assert_eq!(
            check(&format!("SharedAccessSignature {}", parts.join("&"))),
            Ok(())
        );
    }

    #[test]
    fn refuses_bad_tokens_with_the_reason() {
        let expiry = u64::try_from(NOW).unwrap() + 60;
        let demo = Policy::demo();
        let wrong_key = Policy::new(DEMO_POLICY, "b3RoZXIta2V5").unwrap();
        let unknown = Policy::new("nobody", DEMO_KEY).unwrap();
        assert_eq!(
            verify(None, HOST, &policies(), NOW),
            Err(AuthFailure::Missing)
        );
        assert!(matches!(
            check("Bearer abc"),
            Err(AuthFailure::Malformed(_))
        ));
        assert!(matches!(
            check("SharedAccessSignature sr=a&sig=b"),
            Err(AuthFailure::Malformed(m)) if m.contains("`se`")
        ));
        assert!(matches!(
            check(&token("other.azure-devices.net", &demo, expiry)),
            Err(AuthFailure::WrongResource(r)) if r == "other.azure-devices.net"
        ));
        assert_eq!(
            check(&token(HOST, &unknown, expiry)),
            Err(AuthFailure::UnknownPolicy("nobody".to_owned()))
        );
        assert_eq!(
            check(&token(HOST, &wrong_key, expiry)),
            Err(AuthFailure::BadSignature(DEMO_POLICY.to_owned()))
        );
        // A signature for another expiry does not pass with a changed `se`.
        let good = token(HOST, &demo, expiry);
        let tampered = good.replace(&format!("se={expiry}"), &format!("se={}", expiry + 1000));
        assert!(matches!(
            check(&tampered),
            Err(AuthFailure::BadSignature(_))
        ));
        // Expiry: valid up to the second before `se`.
        let at_now = token(HOST, &demo, u64::try_from(NOW).unwrap());
        assert!(matches!(check(&at_now), Err(AuthFailure::Expired { .. })));
        let next_second = token(HOST, &demo, u64::try_from(NOW).unwrap() + 1);
        assert_eq!(check(&next_second), Ok(()));
    }

    #[test]
    fn debug_hides_the_key() {
        let shown = format!("{:?}", Policy::demo());
        assert!(!shown.contains(DEMO_KEY), "{shown}");
        assert!(shown.contains("iothubowner"), "{shown}");
    }
}
