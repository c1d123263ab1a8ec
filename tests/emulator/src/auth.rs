// Hand-written test infrastructure (not generated): SAS authentication of the emulator.
//! Shared access policies, their permissions, and the check of
//! `Authorization: SharedAccessSignature …` tokens, as an axum middleware around the generated
//! router (which also checks `Authorization: Bearer …`, see [`crate::bearer`]).
//!
//! A token passes when it has `sr`, `sig`, `se` and `skn`; `sr` is the hub's host name
//! (ignoring ASCII case); `skn` names a configured policy; `sig` is the base64 HMAC-SHA256 of
//! `{url-encoded sr}\n{se}` under that policy's key (checked with the MAC's own constant-time
//! comparison); `se` is later than the emulator clock's current second and at most
//! [`MAX_TOKEN_LIFETIME`] after it; and the policy has a permission the operation needs
//! ([`Access::of`]). Anything else is answered 401 `IotHubUnauthorizedAccess` (envelope A),
//! with the reason in the message.
//!
//! The fields are split at `&` and `=` and URL-decoded, `+` as a space except in `sig`, whose
//! base64 has `+` and never a space: a signature sent with a raw `+` passes.

use std::fmt;
use std::ops::BitOr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::Sha256;

use crate::Emulator;
use crate::bearer::{authorize_bearer, bearer_token, verify_bearer};
use crate::errors::{HubError, echo};

/// The name of the policy the emulator has unless told otherwise.
pub const DEMO_POLICY: &str = "iothubowner";

/// The key of [`DEMO_POLICY`] unless told otherwise: a fixed, public demo key (it protects
/// nothing but a loopback emulator). Base64 of `iothub-emulator-demo-key-0000001`.
pub const DEMO_KEY: &str = "aW90aHViLWVtdWxhdG9yLWRlbW8ta2V5LTAwMDAwMDE=";

/// The latest expiry the emulator accepts, counted from its clock's current second: 365
/// days. IoT Hub's SDKs sign service tokens for one hour (the C# service SDK's
/// connection-string tokens, Python's `sastoken.py` 3600 s, this repository's
/// `iothub_jobs::iothub::sas::DEFAULT_TTL`) and none of them caps what a caller asks for, so the
/// bound is the emulator's: long enough for any hand-made token, short of a token that never
/// expires (`se` near `u64::MAX`).
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// The longest policy name (`skn`) the emulator reads: the C# SDKs'
/// `SharedAccessSignatureConstants.MaxKeyNameLength`.
pub const MAX_POLICY_NAME_LENGTH: usize = 256;

/// What URL-encoding leaves alone when the signed text is built: letters, digits and
/// `-_.~`, as Python's `urllib.parse.quote_plus` and the generated client's `sign` do.
const URL_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The permissions of a shared access policy: IoT Hub's `RegistryRead`, `RegistryReadWrite`
/// (which includes `RegistryRead`), `ServiceConnect` and `DeviceConnect`, combined with `|`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Permissions(u8);

impl Permissions {
    /// No permission at all.
    pub const NONE: Self = Self(0);
    /// `RegistryRead`: read access to the identity registry.
    pub const REGISTRY_READ: Self = Self(1);
    /// `RegistryReadWrite`: read and write access to the identity registry (the portal's
    /// "Registry Write", which always comes with "Registry Read").
    pub const REGISTRY_READ_WRITE: Self = Self(1 | 2);
    /// `ServiceConnect`: the cloud service-facing endpoints.
    pub const SERVICE_CONNECT: Self = Self(4);
    /// `DeviceConnect`: the device-facing endpoints.
    pub const DEVICE_CONNECT: Self = Self(8);
    /// Every permission (`iothubowner`).
    pub const ALL: Self = Self(1 | 2 | 4 | 8);

    /// Whether every permission of `other` is in `self`.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The permissions IoT Hub gives the shared access policy of that name when it creates a
    /// hub (`iothubowner`, `service`, `device`, `registryRead`, `registryReadWrite`), or
    /// `None` for any other name.
    pub fn of_default_policy(name: &str) -> Option<Self> {
        Some(match name {
            "iothubowner" => Self::ALL,
            "service" => Self::SERVICE_CONNECT,
            "device" => Self::DEVICE_CONNECT,
            "registryRead" => Self::REGISTRY_READ,
            "registryReadWrite" => Self::REGISTRY_READ_WRITE,
            _ => return None,
        })
    }
}

impl BitOr for Permissions {
    type Output = Self;

    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl fmt::Display for Permissions {
    /// The names as IoT Hub's documentation writes them, joined with `, ` (`none` when
    /// empty).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = Vec::new();
        if self.contains(Self::REGISTRY_READ_WRITE) {
            names.push("RegistryReadWrite");
        } else if self.contains(Self::REGISTRY_READ) {
            names.push("RegistryRead");
        }
        if self.contains(Self::SERVICE_CONNECT) {
            names.push("ServiceConnect");
        }
        if self.contains(Self::DEVICE_CONNECT) {
            names.push("DeviceConnect");
        }
        if names.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&names.join(", "))
        }
    }
}

impl fmt::Debug for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Permissions({self})")
    }
}

/// What an operation needs: any one of `any_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// The operation, as `METHOD /path/{template}`.
    pub operation: &'static str,
    /// The permission sets that each allow it.
    pub any_of: &'static [Permissions],
}

impl Access {
    const IMPORT_EXPORT_READ: &'static [Permissions] = &[Permissions::REGISTRY_READ];
    const IMPORT_EXPORT_WRITE: &'static [Permissions] = &[Permissions::REGISTRY_READ_WRITE];
    const SCHEDULED_READ: &'static [Permissions] =
        &[Permissions::SERVICE_CONNECT, Permissions::REGISTRY_READ];
    const SCHEDULED_WRITE: &'static [Permissions] = &[
        Permissions::SERVICE_CONNECT,
        Permissions::REGISTRY_READ_WRITE,
    ];

    /// What a request with `method` on `path` (as received) needs, or `None` for a path and
    /// method that no operation has (the router answers those).
    ///
    /// - Import/export jobs (`/jobs`, `/jobs/create`, `/jobs/{id}`): reading needs
    ///   `RegistryRead`; creating and cancelling need `RegistryReadWrite` (an import writes
    ///   the identity registry).
    /// - Scheduled jobs (`/jobs/v2/...`): `ServiceConnect` or `RegistryRead` to read;
    ///   `ServiceConnect` or `RegistryReadWrite` to create or cancel. Microsoft's documents
    ///   disagree on these (see the emulator's README), so each documented combination is
    ///   accepted.
    /// - The hub query (`POST /devices/query`): `ServiceConnect` ("run queries", in the SAS
    ///   article's list of what it grants) or `RegistryRead`.
    /// - `DeviceConnect` allows nothing here.
    pub fn of(method: &Method, path: &str) -> Option<Self> {
        let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
        let (operation, any_of) = match (method.as_str(), segments.as_slice()) {
            ("GET", ["jobs"]) => ("GET /jobs", Self::IMPORT_EXPORT_READ),
            ("POST", ["jobs", "create"]) => ("POST /jobs/create", Self::IMPORT_EXPORT_WRITE),
            ("GET", ["jobs", "v2", "query"]) => ("GET /jobs/v2/query", Self::SCHEDULED_READ),
            ("POST", ["devices", "query"]) => ("POST /devices/query", Self::SCHEDULED_READ),
            ("GET", ["jobs", _]) => ("GET /jobs/{id}", Self::IMPORT_EXPORT_READ),
            ("DELETE", ["jobs", _]) => ("DELETE /jobs/{id}", Self::IMPORT_EXPORT_WRITE),
            ("GET", ["jobs", "v2", _]) => ("GET /jobs/v2/{id}", Self::SCHEDULED_READ),
            ("PUT", ["jobs", "v2", _]) => ("PUT /jobs/v2/{id}", Self::SCHEDULED_WRITE),
            ("POST", ["jobs", "v2", _, "cancel"]) => {
                ("POST /jobs/v2/{id}/cancel", Self::SCHEDULED_WRITE)
            }
            _ => return None,
        };
        Some(Self { operation, any_of })
    }

    /// Whether `permissions` allow the operation.
    pub fn allows(&self, permissions: Permissions) -> bool {
        self.any_of
            .iter()
            .any(|needed| permissions.contains(*needed))
    }

    pub(crate) fn needed(&self) -> String {
        self.any_of
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// A shared access policy: a name, a key and permissions. `Debug` hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Policy {
    name: String,
    key_base64: String,
    key: Vec<u8>,
    permissions: Permissions,
}

/// The key of a policy is not valid base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the key of policy `{0}` is not valid base64")]
pub struct InvalidPolicyKey(pub String);

impl Policy {
    /// A policy named `name` whose key is `key_base64` (as in a connection string). Its
    /// permissions are those IoT Hub gives the default policy of that name
    /// ([`Permissions::of_default_policy`]: `service` has only `ServiceConnect`, ...); any
    /// other name has every permission until [`Policy::with_permissions`] says otherwise.
    pub fn new(name: &str, key_base64: &str) -> Result<Self, InvalidPolicyKey> {
        let key = base64::engine::general_purpose::STANDARD
            .decode(key_base64.trim())
            .map_err(|_| InvalidPolicyKey(name.to_owned()))?;
        Ok(Self {
            name: name.to_owned(),
            key_base64: key_base64.trim().to_owned(),
            key,
            permissions: Permissions::of_default_policy(name).unwrap_or(Permissions::ALL),
        })
    }

    /// The same policy with `permissions` instead.
    #[must_use]
    pub fn with_permissions(mut self, permissions: Permissions) -> Self {
        self.permissions = permissions;
        self
    }

    /// The demo policy: [`DEMO_POLICY`] with [`DEMO_KEY`] (every permission).
    pub fn demo() -> Self {
        Self::new(DEMO_POLICY, DEMO_KEY).expect("the demo key is valid base64")
    }

    /// The five policies a new IoT hub has, with their permissions: `iothubowner`
    /// ([`Policy::demo`]), `service`, `device`, `registryRead` and `registryReadWrite`, each
    /// with a fixed, public demo key (base64 of `iothub-emulator-demo-key-{name}`).
    pub fn hub_defaults() -> Vec<Self> {
        let mut policies = vec![Self::demo()];
        for name in ["service", "device", "registryRead", "registryReadWrite"] {
            let key = base64::engine::general_purpose::STANDARD
                .encode(format!("iothub-emulator-demo-key-{name}"));
            policies.push(Self::new(name, &key).expect("base64 from the encoder"));
        }
        policies
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

    /// What tokens signed with this policy's key may do.
    pub fn permissions(&self) -> Permissions {
        self.permissions
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.name)
            .field("key", &"<redacted>")
            .field("permissions", &self.permissions)
            .finish()
    }
}

/// Why a request was not authorised. Values from the token are kept as [`echo`] shows them
/// (escaped and cut), so the messages are safe to log and to send back.
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
    /// `se` is further ahead than [`MAX_TOKEN_LIFETIME`].
    #[error(
        "the token expires at {expiry}, more than {max_seconds} s after now ({now}, seconds since the Unix epoch): the emulator accepts tokens that expire within 365 days"
    )]
    TooLongLived {
        /// The token's `se`.
        expiry: u64,
        /// The emulator clock, in seconds.
        now: i64,
        /// [`MAX_TOKEN_LIFETIME`] in seconds.
        max_seconds: u64,
    },
    /// A bearer token, and the emulator was configured with none.
    #[error(
        "the emulator accepts no bearer tokens: start it with --bearer-token (Config::with_bearer_token), or sign a SharedAccessSignature token"
    )]
    BearerNotAccepted,
    /// A bearer token that is not one of the configured ones (the token is not shown).
    #[error("the bearer token is not one this hub accepts")]
    UnknownBearer,
    /// A configured bearer token without any permission the operation accepts.
    #[error("the bearer token ({has}) may not call {operation}, which needs {needs}")]
    BearerPermissionMissing {
        /// The token's permissions.
        has: String,
        /// The operation.
        operation: &'static str,
        /// What would allow it.
        needs: String,
    },
    /// The policy lacks every permission the operation accepts.
    #[error("policy `{policy}` ({has}) may not call {operation}, which needs {needs}")]
    PermissionMissing {
        /// The policy name.
        policy: String,
        /// Its permissions.
        has: String,
        /// The operation.
        operation: &'static str,
        /// What would allow it.
        needs: String,
    },
}

/// Splits the fields of a token (`sr=…&sig=…&se=…&skn=…`) and URL-decodes names and values
/// as forms are (`+` is a space, as `quote_plus` and `WebUtility.UrlEncode` write it), except
/// the value of `sig`, where `+` stays `+`: a base64 signature has no spaces, and a `+` sent
/// unencoded is one of its characters.
fn fields(text: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let decode = |part: &str, plus_is_space: bool| {
        let part = if plus_is_space {
            part.replace('+', " ")
        } else {
            part.to_owned()
        };
        percent_decode_str(&part).decode_utf8_lossy().into_owned()
    };
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(move |pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name, true);
            let value = decode(value, name != "sig");
            (name, value)
        })
}

/// Checks an `Authorization` header value against the hub `host_name`, its `policies` and the
/// time `now` (seconds since the Unix epoch); returns the policy that signed it.
pub fn verify<'p>(
    header: Option<&str>,
    host_name: &str,
    policies: &'p [Policy],
    now: i64,
) -> Result<&'p Policy, AuthFailure> {
    let header = header.ok_or(AuthFailure::Missing)?.trim();
    let rest = header
        .strip_prefix("SharedAccessSignature ")
        .ok_or_else(|| {
            AuthFailure::Malformed("it does not start with `SharedAccessSignature `".to_owned())
        })?;
    let (mut sr, mut sig, mut se, mut skn) = (None, None, None, None);
    for (name, value) in fields(rest.trim()) {
        let slot = match name.as_str() {
            "sr" => &mut sr,
            "sig" => &mut sig,
            "se" => &mut se,
            "skn" => &mut skn,
            _ => continue,
        };
        if slot.replace(value).is_some() {
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
    if skn.chars().count() > MAX_POLICY_NAME_LENGTH {
        return Err(AuthFailure::Malformed(format!(
            "`skn` is longer than {MAX_POLICY_NAME_LENGTH} characters"
        )));
    }

    if !sr.eq_ignore_ascii_case(host_name) {
        return Err(AuthFailure::WrongResource(echo(&sr)));
    }
    let policy = policies
        .iter()
        .find(|p| p.name == skn)
        .ok_or_else(|| AuthFailure::UnknownPolicy(echo(&skn)))?;
    if !signature_matches(&sr, expiry, &sig, policy) {
        return Err(AuthFailure::BadSignature(echo(&skn)));
    }
    if i128::from(expiry) <= i128::from(now) {
        return Err(AuthFailure::Expired { expiry, now });
    }
    let max_seconds = MAX_TOKEN_LIFETIME.as_secs();
    if i128::from(expiry) > i128::from(now) + i128::from(max_seconds) {
        return Err(AuthFailure::TooLongLived {
            expiry,
            now,
            max_seconds,
        });
    }
    Ok(policy)
}

/// Whether `sig` (base64) is the HMAC-SHA256 of `{url-encoded resource}\n{expiry}` under the
/// policy's key, compared by the MAC itself in constant time.
fn signature_matches(resource: &str, expiry: u64, sig: &str, policy: &Policy) -> bool {
    let Ok(claimed) = base64::engine::general_purpose::STANDARD.decode(sig) else {
        return false;
    };
    // HMAC takes keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&policy.key) else {
        return false;
    };
    let encoded = utf8_percent_encode(resource, URL_ENCODE)
        .to_string()
        .replace("%20", "+");
    mac.update(format!("{encoded}\n{expiry}").as_bytes());
    mac.verify_slice(&claimed).is_ok()
}

/// Checks that `policy` may call `method` on `path`.
pub fn authorize(policy: &Policy, method: &Method, path: &str) -> Result<(), AuthFailure> {
    match Access::of(method, path) {
        Some(access) if !access.allows(policy.permissions) => Err(AuthFailure::PermissionMissing {
            policy: echo(&policy.name),
            has: policy.permissions.to_string(),
            operation: access.operation,
            needs: access.needed(),
        }),
        _ => Ok(()),
    }
}

/// The middleware: passes authorised requests on, answers the others 401. A `Bearer` token
/// is checked against the configured bearer tokens ([`crate::bearer`]), anything else as a
/// SAS token.
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
    let (method, path) = (request.method(), request.uri().path());
    let checked = match header.and_then(bearer_token) {
        Some(token) => verify_bearer(token, emulator.bearer_tokens())
            .and_then(|token| authorize_bearer(token, method, path)),
        None => verify(
            header,
            emulator.host_name(),
            emulator.policies(),
            now.timestamp(),
        )
        .and_then(|policy| authorize(policy, method, path)),
    };
    match checked {
        Ok(()) => next.run(request).await,
        Err(failure) => {
            tracing::info!(
                method = %request.method(),
                path = %echo(request.uri().path()),
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

    /// The name of the policy that signed `header`, or why it was refused.
    fn check(header: &str) -> Result<String, AuthFailure> {
        verify(Some(header), HOST, &policies(), NOW).map(|p| p.name().to_owned())
    }

    fn soon() -> u64 {
        u64::try_from(NOW).unwrap() + 60
    }

    #[test]
    fn accepts_tokens_of_every_policy() {
        for policy in policies() {
            assert_eq!(
                check(&token(HOST, &policy, soon())).as_deref(),
                Ok(policy.name())
            );
        }
        // `sr` is compared without regard to ASCII case; the order of the fields is free.
        let upper = token(&HOST.to_uppercase(), &Policy::demo(), soon());
        assert!(check(&upper).is_ok());
        let fields = upper.strip_prefix("SharedAccessSignature ").unwrap();
        let mut parts: Vec<&str> = fields.split('&').collect();
        parts.reverse();
        assert!(check(&format!("SharedAccessSignature {}", parts.join("&"))).is_ok());
    }

    #[test]
    fn signatures_cover_the_encoded_resource_as_the_client_signs_it() {
        // Host names with characters that URL-encoding changes (a space becomes `+`).
        for host in [
            "hub.example.net",
            "my hub~_-.example",
            "hüb/ä?x=1&y",
            "100%.net",
        ] {
            let policy = Policy::demo();
            let header = sign(host, policy.key(), Some(policy.name()), soon());
            let policies = [policy];
            assert!(
                verify(Some(&header), host, &policies, NOW).is_ok(),
                "{host}: {header}"
            );
        }
    }

    #[test]
    fn a_raw_plus_in_the_signature_is_a_plus() {
        // Find an expiry whose signature has a `+` (about two in three do), then send it
        // unencoded as some hand-made tokens do.
        let demo = Policy::demo();
        let (expiry, good) = (soon()..soon() + 100)
            .map(|e| (e, token(HOST, &demo, e)))
            .find(|(_, t)| t.contains("%2B"))
            .expect("a signature with a `+`");
        let raw = good.replace("%2B", "+");
        assert_ne!(raw, good);
        assert_eq!(check(&raw).as_deref(), Ok(DEMO_POLICY), "{raw}");
        // Everything else percent-encoded may be sent raw too.
        let all_raw = good
            .replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "=");
        assert_eq!(check(&all_raw).as_deref(), Ok(DEMO_POLICY), "{all_raw}");
        // A `+` standing for a space does not pass: base64 has no spaces.
        let spaced = good.replace("%2B", " ");
        assert!(
            matches!(check(&spaced), Err(AuthFailure::BadSignature(_))),
            "{expiry}"
        );
    }

    #[test]
    fn refuses_bad_tokens_with_the_reason() {
        let expiry = soon();
        let demo = Policy::demo();
        let wrong_key = Policy::new(DEMO_POLICY, "b3RoZXIta2V5").unwrap();
        let unknown = Policy::new("nobody", DEMO_KEY).unwrap();
        assert_eq!(
            verify(None, HOST, &policies(), NOW).map(|_| ()),
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
        // Not base64, or a truncated MAC.
        let sig = good
            .split("sig=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        for bad in ["%%%", "AAAA", &sig[..sig.len() - 8]] {
            let header = good.replace(sig, bad);
            assert!(
                matches!(check(&header), Err(AuthFailure::BadSignature(_))),
                "{bad}"
            );
        }
        // Expiry: valid up to the second before `se`.
        let at_now = token(HOST, &demo, u64::try_from(NOW).unwrap());
        assert!(matches!(check(&at_now), Err(AuthFailure::Expired { .. })));
        let next_second = token(HOST, &demo, u64::try_from(NOW).unwrap() + 1);
        assert!(check(&next_second).is_ok());
    }

    #[test]
    fn refuses_tokens_that_live_too_long() {
        let demo = Policy::demo();
        let now = u64::try_from(NOW).unwrap();
        let max = MAX_TOKEN_LIFETIME.as_secs();
        assert!(check(&token(HOST, &demo, now + max)).is_ok());
        for expiry in [now + max + 1, u64::MAX, u64::try_from(i64::MAX).unwrap()] {
            let result = check(&token(HOST, &demo, expiry));
            assert!(
                matches!(result, Err(AuthFailure::TooLongLived { .. })),
                "{expiry}: {result:?}"
            );
        }
    }

    #[test]
    fn echoed_token_values_are_escaped_and_short() {
        let demo = Policy::demo();
        let good = token(HOST, &demo, soon());
        let forged = good.replace("skn=iothubowner", "skn=x%0AINFO%20forged%20line");
        let failure = check(&forged).unwrap_err();
        let text = failure.to_string();
        assert!(!text.contains('\n'), "{text}");
        assert!(text.contains("x\\nINFO forged line"), "{text}");
        let long = good.replace(
            &format!("sr={HOST}"),
            &format!("sr={}", "a".repeat(100_000)),
        );
        let text = check(&long).unwrap_err().to_string();
        assert!(text.len() < 300, "{}", text.len());
        let too_long_name = good.replace("skn=iothubowner", &format!("skn={}", "n".repeat(257)));
        assert!(matches!(
            check(&too_long_name),
            Err(AuthFailure::Malformed(_))
        ));
    }

    #[test]
    fn default_policies_have_the_hubs_permissions() {
        let names: Vec<(String, String)> = Policy::hub_defaults()
            .iter()
            .map(|p| (p.name().to_owned(), p.permissions().to_string()))
            .collect();
        let expected = [
            (
                "iothubowner",
                "RegistryReadWrite, ServiceConnect, DeviceConnect",
            ),
            ("service", "ServiceConnect"),
            ("device", "DeviceConnect"),
            ("registryRead", "RegistryRead"),
            ("registryReadWrite", "RegistryReadWrite"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, p)| ((*n).to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(names, expected);
        let custom = Policy::new("ops", DEMO_KEY).unwrap();
        assert_eq!(custom.permissions(), Permissions::ALL);
        let limited =
            custom.with_permissions(Permissions::SERVICE_CONNECT | Permissions::REGISTRY_READ);
        assert_eq!(
            limited.permissions().to_string(),
            "RegistryRead, ServiceConnect"
        );
        assert_eq!(Permissions::NONE.to_string(), "none");
    }

    #[test]
    fn operations_need_their_permissions() {
        let (get, put, post, delete) = (Method::GET, Method::PUT, Method::POST, Method::DELETE);
        let may = |policy: &str, method: &Method, path: &str| {
            let policy = Policy::hub_defaults()
                .into_iter()
                .find(|p| p.name() == policy)
                .unwrap();
            authorize(&policy, method, path).is_ok()
        };
        // (method, path, [iothubowner, service, device, registryRead, registryReadWrite])
        let table: [(&Method, &str, [bool; 5]); 9] = [
            (&get, "/jobs", [true, false, false, true, true]),
            (&post, "/jobs/create", [true, false, false, false, true]),
            (&get, "/jobs/abc", [true, false, false, true, true]),
            (&delete, "/jobs/abc", [true, false, false, false, true]),
            (&get, "/jobs/v2/query", [true, true, false, true, true]),
            (&get, "/jobs/v2/job-1", [true, true, false, true, true]),
            (&put, "/jobs/v2/job-1", [true, true, false, false, true]),
            (
                &post,
                "/jobs/v2/job-1/cancel",
                [true, true, false, false, true],
            ),
            // No such operation: the router answers it.
            (&get, "/no/such/route", [true, true, true, true, true]),
        ];
        let names = [
            "iothubowner",
            "service",
            "device",
            "registryRead",
            "registryReadWrite",
        ];
        for (method, path, allowed) in table {
            for (name, expected) in names.iter().zip(allowed) {
                assert_eq!(may(name, method, path), expected, "{name} {method} {path}");
            }
        }
        let policy = Policy::hub_defaults().remove(3);
        let failure = authorize(&policy, &put, "/jobs/v2/job-1").unwrap_err();
        assert_eq!(
            failure.to_string(),
            "policy `registryRead` (RegistryRead) may not call PUT /jobs/v2/{id}, which needs ServiceConnect or RegistryReadWrite"
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let shown = format!("{:?}", Policy::demo());
        assert!(!shown.contains(DEMO_KEY), "{shown}");
        assert!(shown.contains("iothubowner"), "{shown}");
    }
}
