// Hand-written test infrastructure (not generated): bearer-token authentication of the emulator.
//! `Authorization: Bearer …`, in place of a Microsoft Entra ID access token.
//!
//! IoT Hub accepts Entra ID tokens for the scope `https://iothubs.azure.net/.default` and
//! checks the caller's role assignments. The emulator issues no tokens and validates no JWT:
//! it accepts the bearer tokens it was configured with ([`crate::Config::with_bearer_token`],
//! `--bearer-token`), compared whole, each with permissions of its own (by default every
//! permission, as the `iothubowner` policy has). Any other bearer token, or any bearer token
//! when none is configured, is answered 401 `IotHubUnauthorizedAccess`, as a wrong SAS token
//! is; a token without the permission the operation needs is too.

use std::fmt;

use axum::http::Method;

use crate::auth::{Access, AuthFailure, Permissions};

/// A bearer token the emulator accepts, with what it may do. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken {
    token: String,
    permissions: Permissions,
}

impl BearerToken {
    /// The token `token` (as sent after `Bearer `), with every permission (those of the
    /// `iothubowner` policy).
    pub fn new(token: &str) -> Self {
        Self {
            token: token.trim().to_owned(),
            permissions: Permissions::ALL,
        }
    }

    /// The same token with `permissions` instead (as a narrower role assignment would give).
    #[must_use]
    pub fn with_permissions(mut self, permissions: Permissions) -> Self {
        self.permissions = permissions;
        self
    }

    /// The token, as sent after `Bearer `.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// What requests with this token may do.
    pub fn permissions(&self) -> Permissions {
        self.permissions
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("token", &"<redacted>")
            .field("permissions", &self.permissions)
            .finish()
    }
}

/// The token of an `Authorization` value whose scheme is `Bearer` (any ASCII case), or `None`
/// for another scheme.
pub fn bearer_token(header: &str) -> Option<&str> {
    let header = header.trim();
    let scheme = header.get(..7)?;
    scheme
        .eq_ignore_ascii_case("bearer ")
        .then(|| header[7..].trim())
}

/// Checks a bearer `token` against the configured `tokens`; returns the one it is.
pub fn verify_bearer<'t>(
    token: &str,
    tokens: &'t [BearerToken],
) -> Result<&'t BearerToken, AuthFailure> {
    if tokens.is_empty() {
        return Err(AuthFailure::BearerNotAccepted);
    }
    tokens
        .iter()
        .find(|configured| same(configured.token.as_bytes(), token.as_bytes()))
        .ok_or(AuthFailure::UnknownBearer)
}

/// Checks that requests with `token` may call `method` on `path`.
pub fn authorize_bearer(
    token: &BearerToken,
    method: &Method,
    path: &str,
) -> Result<(), AuthFailure> {
    match Access::of(method, path) {
        Some(access) if !access.allows(token.permissions) => {
            Err(AuthFailure::BearerPermissionMissing {
                has: token.permissions.to_string(),
                operation: access.operation,
                needs: access.needed(),
            })
        }
        _ => Ok(()),
    }
}

/// Whether `a` and `b` are equal, in time that depends on their lengths only.
fn same(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_bearer_scheme_in_any_case() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("  bearer   abc "), Some("abc"));
        assert_eq!(bearer_token("bEARER abc "), Some("abc"));
        assert_eq!(bearer_token("SharedAccessSignature sr=x"), None);
        assert_eq!(bearer_token("Bear"), None);
    }

    #[test]
    fn accepts_configured_tokens_only() {
        let tokens = [
            BearerToken::new("token-a"),
            BearerToken::new("token-b").with_permissions(Permissions::REGISTRY_READ),
        ];
        assert_eq!(verify_bearer("token-a", &tokens), Ok(&tokens[0]));
        assert_eq!(verify_bearer("token-b", &tokens), Ok(&tokens[1]));
        for wrong in ["token-c", "token-", "token-aa", ""] {
            assert_eq!(
                verify_bearer(wrong, &tokens),
                Err(AuthFailure::UnknownBearer),
                "{wrong}"
            );
        }
        assert_eq!(
            verify_bearer("token-a", &[]),
            Err(AuthFailure::BearerNotAccepted)
        );
    }

    #[test]
    fn tokens_have_permissions() {
        let owner = BearerToken::new("t");
        assert_eq!(owner.permissions(), Permissions::ALL);
        assert!(authorize_bearer(&owner, &Method::PUT, "/jobs/v2/j").is_ok());
        let reader = owner.with_permissions(Permissions::REGISTRY_READ);
        assert!(authorize_bearer(&reader, &Method::GET, "/jobs/v2/j").is_ok());
        let failure = authorize_bearer(&reader, &Method::PUT, "/jobs/v2/j").unwrap_err();
        assert_eq!(
            failure.to_string(),
            "the bearer token (RegistryRead) may not call PUT /jobs/v2/{id}, which needs ServiceConnect or RegistryReadWrite"
        );
    }

    #[test]
    fn debug_hides_the_token() {
        let shown = format!("{:?}", BearerToken::new("secret-token"));
        assert!(!shown.contains("secret-token"), "{shown}");
    }
}
