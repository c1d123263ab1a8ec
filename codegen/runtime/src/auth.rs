//! Security schemes: where each scheme's credential goes on the wire ([`Placement`]), the
//! requirements of operations ([`OperationInfo::security`](crate::OperationInfo::security)),
//! and how a client picks the credentials of one call.
//!
//! A generated client registers its document's schemes ([`Scheme`]) once; its
//! `with_<scheme>_auth` setters (and `with_scheme_credential`) give a scheme its
//! [`Credential`]. Per call, the first alternative of the operation's requirements whose
//! schemes all have credentials is applied. The credential of `with_credential` is the
//! fallback: it goes in `Authorization` when no alternative is met by scheme credentials
//! (and, for operations whose document declares no requirements, always, as before schemes
//! existed).

use std::sync::Arc;

use base64::Engine as _;

use crate::{Credential, HeaderValue, InvalidHeaderValue, StaticCredential};

/// An operation's security requirements: ordered alternatives, each the names of schemes that
/// must all apply. `&[]` (`security: []`) needs nothing; an empty alternative (`{}`) allows
/// anonymous calls.
pub type Requirements = &'static [&'static [&'static str]];

/// Where a scheme's credential value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Placement {
    /// The whole `Authorization` header (`http` and `oauth2` schemes): the credential's value
    /// is `<prefix> …` (`Basic …`, `Bearer …`); the server side reads what follows the prefix.
    Authorization(&'static str),
    /// The header of this name (an `apiKey` in a header).
    Header(&'static str),
    /// The query parameter of this name (an `apiKey` in the query).
    Query(&'static str),
    /// The cookie of this name, appended to the `Cookie` header (an `apiKey` in a cookie).
    Cookie(&'static str),
}

/// A security scheme of a document, as a generated client registers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    /// The scheme's key in `components.securitySchemes`.
    pub name: &'static str,
    /// Where its credential goes.
    pub placement: Placement,
}

/// The credentials of one call: each with where it goes.
pub(crate) type Selected = Vec<(Placement, Arc<dyn Credential>)>;

/// A client's schemes and their credentials.
#[derive(Clone, Default)]
pub(crate) struct SchemeCredentials {
    /// The document's schemes.
    pub(crate) schemes: &'static [Scheme],
    /// Credentials by scheme name, in the order they were set (a name set twice keeps the
    /// last).
    pub(crate) credentials: Vec<(String, Arc<dyn Credential>)>,
}

impl SchemeCredentials {
    /// Gives `scheme` its credential.
    pub(crate) fn set(&mut self, scheme: &str, credential: Arc<dyn Credential>) {
        self.credentials.retain(|(name, _)| name != scheme);
        self.credentials.push((scheme.to_owned(), credential));
    }

    /// The credential and placement of `scheme`, when it has both.
    fn get(&self, scheme: &str) -> Option<(Placement, Arc<dyn Credential>)> {
        let placement = self.schemes.iter().find(|s| s.name == scheme)?.placement;
        let (_, credential) = self.credentials.iter().find(|(name, _)| name == scheme)?;
        Some((placement, credential.clone()))
    }

    /// The credentials for an operation `id` with requirements `security` (`None`: the
    /// document says nothing), `fallback` being the client's `with_credential`:
    /// 1. the first alternative with a credential for each of its schemes;
    /// 2. else, when some alternative needs a credential, the fallback in `Authorization`;
    /// 3. else nothing, when the operation needs none (`security: []`) or allows anonymous
    ///    calls (`{}`);
    /// 4. else an error naming the alternatives that would do.
    pub(crate) fn select(
        &self,
        id: &str,
        security: Option<Requirements>,
        fallback: Option<&Arc<dyn Credential>>,
    ) -> Result<Selected, String> {
        let fallback = || {
            fallback
                .map(|c| vec![(Placement::Authorization(""), c.clone())])
                .unwrap_or_default()
        };
        let Some(alternatives) = security else {
            return Ok(fallback());
        };
        for alternative in alternatives.iter().filter(|a| !a.is_empty()) {
            let found: Option<Selected> = alternative.iter().map(|s| self.get(s)).collect();
            if let Some(found) = found {
                return Ok(found);
            }
        }
        let needs_one = alternatives.iter().any(|a| !a.is_empty());
        let fallback = fallback();
        if needs_one && !fallback.is_empty() {
            return Ok(fallback);
        }
        if alternatives.is_empty() || alternatives.iter().any(|a| a.is_empty()) {
            return Ok(Vec::new());
        }
        let would_do: Vec<String> = alternatives
            .iter()
            .map(|a| {
                a.iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            })
            .collect();
        Err(format!(
            "operation `{id}` needs a credential for {}; set it with the client's \
             `with_<scheme>_auth` method (or `with_credential`)",
            would_do.join(", or ")
        ))
    }
}

/// Puts each selected credential's value where its scheme says. Returns whether a value went
/// into the URL (whose text must then be kept out of errors).
pub(crate) async fn apply(
    request: &mut reqwest::Request,
    selected: &Selected,
) -> Result<bool, String> {
    let mut in_url = false;
    for (placement, credential) in selected {
        let mut value = credential.authorization().await?;
        value.set_sensitive(true);
        match *placement {
            Placement::Authorization(_) => {
                request
                    .headers_mut()
                    .insert(reqwest::header::AUTHORIZATION, value);
            }
            Placement::Header(name) => {
                let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| format!("`{name}` is not a valid header name"))?;
                request.headers_mut().insert(name, value);
            }
            Placement::Query(name) => {
                let text = value
                    .to_str()
                    .map_err(|_| format!("the value for query parameter `{name}` is not text"))?;
                request.url_mut().query_pairs_mut().append_pair(name, text);
                in_url = true;
            }
            Placement::Cookie(name) => {
                let text = value
                    .to_str()
                    .map_err(|_| format!("the value for cookie `{name}` is not text"))?;
                let headers = request.headers_mut();
                let cookie = match headers.get(reqwest::header::COOKIE) {
                    Some(existing) => format!(
                        "{}; {name}={text}",
                        String::from_utf8_lossy(existing.as_bytes())
                    ),
                    None => format!("{name}={text}"),
                };
                let mut cookie = HeaderValue::from_str(&cookie)
                    .map_err(|_| format!("the value for cookie `{name}` is not a header value"))?;
                cookie.set_sensitive(true);
                headers.insert(reqwest::header::COOKIE, cookie);
            }
        }
    }
    Ok(in_url)
}

impl StaticCredential {
    /// `Basic base64(user:password)`, for an `http` `basic` scheme.
    pub fn basic(user: &str, password: &str) -> Result<Self, InvalidHeaderValue> {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Self::new(&format!("Basic {encoded}"))
    }

    /// `Bearer <token>`, for an `http` `bearer`, `oauth2` or `openIdConnect` scheme.
    pub fn bearer(token: &str) -> Result<Self, InvalidHeaderValue> {
        Self::new(&format!("Bearer {token}"))
    }

    /// `<scheme> <value>`, for another `http` scheme.
    pub fn with_scheme(scheme: &str, value: &str) -> Result<Self, InvalidHeaderValue> {
        Self::new(&format!("{scheme} {value}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMES: &[Scheme] = &[
        Scheme {
            name: "key",
            placement: Placement::Header("x-api-key"),
        },
        Scheme {
            name: "query",
            placement: Placement::Query("api_key"),
        },
        Scheme {
            name: "basic",
            placement: Placement::Authorization("Basic"),
        },
    ];

    fn credential(value: &str) -> Arc<dyn Credential> {
        Arc::new(StaticCredential::new(value).expect("valid"))
    }

    fn names(selected: &Selected) -> Vec<Placement> {
        selected.iter().map(|(p, _)| *p).collect()
    }

    #[test]
    fn the_first_alternative_with_every_credential_is_chosen() {
        let mut set = SchemeCredentials {
            schemes: SCHEMES,
            ..Default::default()
        };
        set.set("query", credential("q"));
        let alternatives: Requirements = &[&["key", "query"], &["query"], &["basic"]];
        let chosen = set.select("op", Some(alternatives), None).expect("chosen");
        assert_eq!(names(&chosen), [Placement::Query("api_key")]);
        set.set("key", credential("k"));
        let chosen = set.select("op", Some(alternatives), None).expect("chosen");
        assert_eq!(
            names(&chosen),
            [Placement::Header("x-api-key"), Placement::Query("api_key")]
        );
    }

    #[test]
    fn without_a_match_the_fallback_then_anonymous_then_an_error() {
        let set = SchemeCredentials {
            schemes: SCHEMES,
            ..Default::default()
        };
        let fallback = credential("Bearer f");
        let needs: Requirements = &[&["key"], &["basic", "query"]];
        let chosen = set.select("op", Some(needs), Some(&fallback)).expect("ok");
        assert_eq!(names(&chosen), [Placement::Authorization("")]);
        let Err(error) = set.select("getThing", Some(needs), None) else {
            panic!("expected an error");
        };
        assert!(error.contains("`getThing`"), "{error}");
        assert!(error.contains("`key`, or `basic` and `query`"), "{error}");
        let optional: Requirements = &[&["key"], &[]];
        assert!(
            set.select("op", Some(optional), None)
                .expect("ok")
                .is_empty()
        );
        let none: Requirements = &[];
        assert!(
            set.select("op", Some(none), Some(&fallback))
                .expect("ok")
                .is_empty()
        );
        // A document without requirements: the fallback, as before schemes existed.
        let chosen = set.select("op", None, Some(&fallback)).expect("ok");
        assert_eq!(names(&chosen), [Placement::Authorization("")]);
        assert!(set.select("op", None, None).expect("ok").is_empty());
    }

    #[test]
    fn static_values_for_http_schemes() {
        let basic = StaticCredential::basic("user", "pass").expect("valid");
        let value = crate::test_support::block_on(basic.authorization()).expect("value");
        assert_eq!(value, "Basic dXNlcjpwYXNz");
        let bearer = StaticCredential::bearer("tok").expect("valid");
        let value = crate::test_support::block_on(bearer.authorization()).expect("value");
        assert_eq!(value, "Bearer tok");
        assert!(StaticCredential::bearer("a\nb").is_err());
    }
}
