//! Authentication on the server side: which security scheme (and value) a request carries,
//! per the operation's requirements. The server does not check secrets (the implementation
//! does); it finds the first alternative the request satisfies and tells the handler, and
//! answers 401 when an operation needs a credential the request does not carry.

use std::fmt;

use axum::http::{HeaderMap, header};
use axum::response::Response;

use crate::server::{Query, RequestContext};
use crate::{Placement, Requirements, Scheme};

/// The credential one scheme found in a request. Its `Debug` output does not show the value.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchemeValue {
    /// The scheme's key in `components.securitySchemes`.
    pub scheme: &'static str,
    /// The value: the API key; for an `Authorization` scheme, what follows its prefix
    /// (`Basic `, `Bearer `...), as sent.
    pub value: String,
}

impl fmt::Debug for SchemeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemeValue")
            .field("scheme", &self.scheme)
            .field("value", &"<redacted>")
            .finish()
    }
}

/// Which alternative of the operation's requirements a request satisfied: one value per
/// scheme of the alternative (none for an anonymous request where `{}` allows it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Authenticated {
    /// The schemes of the alternative, in order, with their values.
    pub schemes: Vec<SchemeValue>,
}

impl Authenticated {
    /// The value of `scheme`, when it authenticated the request.
    pub fn value(&self, scheme: &str) -> Option<&str> {
        self.schemes
            .iter()
            .find(|s| s.scheme == scheme)
            .map(|s| s.value.as_str())
    }
}

/// The value `placement` finds in a request.
fn find(placement: Placement, headers: &HeaderMap, query: &Query) -> Option<String> {
    let header_text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    match placement {
        Placement::Authorization(prefix) => {
            let text = header_text(header::AUTHORIZATION.as_str())?;
            let (given, rest) = text.split_once(' ')?;
            given
                .eq_ignore_ascii_case(prefix)
                .then(|| rest.trim_start().to_owned())
        }
        Placement::Header(name) => header_text(name),
        Placement::Query(name) => query.values(name).next().map(str::to_owned),
        Placement::Cookie(name) => crate::server::cookie_param::<String>(headers, name).ok()?,
    }
}

/// Finds the first alternative of `security` the request satisfies and records it in
/// `context` ([`RequestContext::authenticated`](crate::server::RequestContext::authenticated));
/// returns the 401 response to send instead of calling the handler when the operation needs a
/// credential and the request satisfies no alternative. Generated handlers
/// call it before reading their inputs.
pub fn authenticate(
    context: &mut RequestContext,
    query: &Query,
    schemes: &'static [Scheme],
    security: Requirements,
) -> Option<Response> {
    for alternative in security.iter() {
        let found: Option<Vec<SchemeValue>> = alternative
            .iter()
            .map(|name| {
                let scheme = schemes.iter().find(|s| s.name == *name)?;
                let value = find(scheme.placement, &context.headers, query)?;
                Some(SchemeValue {
                    scheme: scheme.name,
                    value,
                })
            })
            .collect();
        if let Some(schemes) = found {
            context.authenticated = Some(Authenticated { schemes });
            return None;
        }
    }
    if security.is_empty() {
        return None;
    }
    let mut response = crate::server::bytes_response(
        401,
        "text/plain; charset=utf-8",
        b"authentication required".to_vec(),
    );
    if let Some(prefix) = security
        .iter()
        .flat_map(|a| a.iter())
        .filter_map(|name| schemes.iter().find(|s| s.name == *name))
        .find_map(|s| match s.placement {
            Placement::Authorization(prefix) => Some(prefix),
            _ => None,
        })
    {
        if let Ok(value) = header::HeaderValue::from_str(prefix) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
    }
    Some(response)
}
