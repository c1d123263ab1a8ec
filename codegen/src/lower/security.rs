//! Security: the schemes of `components.securitySchemes` (with their client setters) and each
//! operation's requirements (its own `security`, else the document's).

use super::Lowering;
use crate::error::Location;
use crate::ir::{ApiKeyLocation, Requirements, SchemeKind, SecurityScheme};
use crate::names::{Scope, snake};
use crate::pointer::join as pointer;
use openapiv3::ReferenceOr;

/// Lowers the document's security schemes, claiming each one's setter (`with_<name>_auth`) in
/// the client's method scope before any operation is named, so that a setter's name never
/// depends on the operations.
pub(super) fn schemes(cx: &mut Lowering<'_>, scope: &mut Scope) -> Vec<SecurityScheme> {
    let Some(components) = &cx.doc.components else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, scheme) in &components.security_schemes {
        let at = pointer("#/components/securitySchemes", name);
        let ReferenceOr::Item(scheme) = scheme else {
            cx.warn(
                Location::new(&at),
                "a `$ref` security scheme is not supported; the scheme is ignored",
            );
            continue;
        };
        let (kind, summary, description) = kind(scheme);
        // `basicAuth` → `with_basic_auth`, not `with_basic_auth_auth`.
        let snake_name = snake(name);
        let base = crate::names::unraw(&snake_name);
        let base = match base.strip_suffix("_auth") {
            Some(stem) if !stem.is_empty() => stem,
            _ if base.is_empty() => "scheme",
            _ => base,
        };
        let setter = scope.claim_by(&format!("with_{base}_auth"), name).name;
        out.push(SecurityScheme {
            name: name.clone(),
            summary,
            description,
            kind,
            setter,
        });
    }
    out
}

/// A scheme's kind, one-line summary and description.
fn kind(scheme: &openapiv3::SecurityScheme) -> (SchemeKind, String, Option<String>) {
    match scheme {
        openapiv3::SecurityScheme::APIKey {
            location,
            name,
            description,
            ..
        } => {
            let (location, place) = match location {
                openapiv3::APIKeyLocation::Header => (ApiKeyLocation::Header, "header"),
                openapiv3::APIKeyLocation::Query => (ApiKeyLocation::Query, "query parameter"),
                openapiv3::APIKeyLocation::Cookie => (ApiKeyLocation::Cookie, "cookie"),
            };
            let kind = SchemeKind::ApiKey {
                location,
                name: name.clone(),
            };
            (
                kind,
                format!("API key in {place} `{name}`"),
                description.clone(),
            )
        }
        openapiv3::SecurityScheme::HTTP {
            scheme,
            description,
            ..
        } => {
            let kind = match scheme.to_ascii_lowercase().as_str() {
                "basic" => SchemeKind::Basic,
                "bearer" => SchemeKind::Bearer,
                _ => SchemeKind::HttpOther {
                    scheme: scheme.clone(),
                },
            };
            let summary = format!("HTTP `{scheme}` authentication");
            (kind, summary, description.clone())
        }
        openapiv3::SecurityScheme::OAuth2 {
            flows, description, ..
        } => match &flows.client_credentials {
            Some(flow) => (
                SchemeKind::ClientCredentials {
                    token_url: flow.token_url.clone(),
                    scopes: flow.scopes.keys().cloned().collect(),
                },
                "OAuth 2.0 (client credentials)".to_owned(),
                description.clone(),
            ),
            None => (
                SchemeKind::Bearer,
                "OAuth 2.0 (a bearer token)".to_owned(),
                description.clone(),
            ),
        },
        openapiv3::SecurityScheme::OpenIDConnect { description, .. } => (
            SchemeKind::Bearer,
            "OpenID Connect (a bearer token)".to_owned(),
            description.clone(),
        ),
    }
}

/// An operation's requirements: its own `security` when it has one, else the document's;
/// `None` when neither has one. Requirements naming an undeclared scheme are dropped with a
/// warning (an alternative that names one can never be met); when every alternative is
/// dropped so, the operation needs no credential.
pub(super) fn requirements(
    cx: &mut Lowering<'_>,
    schemes: &[SecurityScheme],
    own: Option<&Vec<openapiv3::SecurityRequirement>>,
    at: &str,
) -> Option<Requirements> {
    let (written, at) = match own {
        Some(own) => (own, pointer(at, "security")),
        None => (cx.doc.security.as_ref()?, "#/security".to_owned()),
    };
    let mut out: Requirements = Vec::new();
    for (i, requirement) in written.iter().enumerate() {
        let unknown: Vec<&String> = requirement
            .keys()
            .filter(|name| !schemes.iter().any(|s| &s.name == *name))
            .collect();
        if let Some(first) = unknown.first() {
            cx.warn(
                Location::new(pointer(&at, &i.to_string())),
                format!(
                    "the security requirement names `{first}`, which \
                     `components.securitySchemes` does not declare; the alternative is ignored"
                ),
            );
            continue;
        }
        let names: Vec<String> = requirement.keys().cloned().collect();
        if !out.contains(&names) {
            out.push(names);
        }
    }
    Some(out)
}
