//! Security schemes in the client: the `SECURITY_SCHEMES` table the constructors register,
//! one `with_<scheme>_auth` setter per scheme, each operation's requirements as static data
//! (`OperationInfo::security`), and the docs saying which schemes an operation accepts.

use super::docs::{code, doc_attrs, sanitize};
use super::ident;
use crate::ir::{Api, ApiKeyLocation, Operation, SchemeKind, SecurityScheme};
use proc_macro2::TokenStream;
use quote::quote;

/// `.with_security_schemes(Self::SECURITY_SCHEMES)` for the constructors, when the document
/// declares schemes.
pub fn register(api: &Api) -> Option<TokenStream> {
    (!api.security.is_empty()).then(|| quote!(.with_security_schemes(Self::SECURITY_SCHEMES)))
}

/// The `SECURITY_SCHEMES` table and the setters, for `Client`'s `impl` block.
pub fn client_items(api: &Api) -> TokenStream {
    if api.security.is_empty() {
        return TokenStream::new();
    }
    let entries = api.security.iter().map(|s| {
        let name = &s.name;
        let placement = match &s.kind {
            SchemeKind::ApiKey { location, name } => match location {
                ApiKeyLocation::Header => quote!(Header(#name)),
                ApiKeyLocation::Query => quote!(Query(#name)),
                ApiKeyLocation::Cookie => quote!(Cookie(#name)),
            },
            SchemeKind::Basic => quote!(Authorization("Basic")),
            SchemeKind::Bearer | SchemeKind::ClientCredentials { .. } => {
                quote!(Authorization("Bearer"))
            }
            SchemeKind::HttpOther { scheme } => quote!(Authorization(#scheme)),
        };
        quote!(runtime::Scheme { name: #name, placement: runtime::Placement::#placement })
    });
    let setters = api.security.iter().map(setter);
    quote! {
        /// The document's security schemes and where each one's credential goes.
        pub const SECURITY_SCHEMES: &'static [runtime::Scheme] = &[#(#entries),*];

        #(#setters)*
    }
}

/// The `with_<scheme>_auth` setter of `scheme`.
fn setter(scheme: &SecurityScheme) -> TokenStream {
    let method = ident(&scheme.setter);
    let name = &scheme.name;
    let mut text = format!(
        "Authenticates with the scheme {}: {}.",
        code(name),
        sanitize(&scheme.summary)
    );
    if let Some(description) = &scheme.description {
        text.push_str("\n\n");
        text.push_str(&sanitize(description));
    }
    let fixed = "\n\nFor a value that changes, pass a [`Credential`](runtime::Credential) to \
                 [`with_scheme_credential`](Self::with_scheme_credential) with this scheme's name.";
    let invalid = "Fails when the value cannot be sent in a header (the error does not show it).";
    let (args, value) = match &scheme.kind {
        SchemeKind::ApiKey { .. } => {
            text.push_str(&format!("\n\nSends `key` as it is. {invalid}{fixed}"));
            (
                quote!(key: &str),
                quote!(runtime::StaticCredential::new(key)),
            )
        }
        SchemeKind::Basic => {
            text.push_str(&format!(
                "\n\nSends `Authorization: Basic base64(user:password)`. {invalid}{fixed}"
            ));
            (
                quote!(user: &str, password: &str),
                quote!(runtime::StaticCredential::basic(user, password)),
            )
        }
        SchemeKind::Bearer => {
            text.push_str(&format!(
                "\n\nSends `Authorization: Bearer <token>`. {invalid}{fixed}"
            ));
            (
                quote!(token: &str),
                quote!(runtime::StaticCredential::bearer(token)),
            )
        }
        SchemeKind::HttpOther { scheme } => {
            text.push_str(&format!(
                "\n\nSends `Authorization: {} <value>`. {invalid}{fixed}",
                sanitize(scheme)
            ));
            (
                quote!(value: &str),
                quote!(runtime::StaticCredential::with_scheme(#scheme, value)),
            )
        }
        SchemeKind::ClientCredentials { token_url, scopes } => {
            text.push_str(&format!(
                "\n\nFetches tokens from {} with the client id and secret (HTTP Basic), \
                 asking for the document's scopes ({}), and caches each until shortly before \
                 it expires. For another token URL, scopes or client authentication, pass a \
                 [`ClientCredentials`](runtime::ClientCredentials) to \
                 [`with_scheme_credential`](Self::with_scheme_credential).",
                code(token_url),
                if scopes.is_empty() {
                    "none".to_owned()
                } else {
                    scopes
                        .iter()
                        .map(|s| code(s))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ));
            let docs = doc_attrs(&text);
            return quote! {
                #docs
                #[must_use]
                pub fn #method(self, client_id: &str, client_secret: &str) -> Self {
                    let credentials = runtime::ClientCredentials::new(
                        self.core.http_client().clone(), #token_url, client_id, client_secret,
                    )
                    .scopes(&[#(#scopes),*]);
                    self.with_scheme_credential(#name, credentials)
                }
            };
        }
    };
    let docs = doc_attrs(&text);
    quote! {
        #docs
        pub fn #method(self, #args) -> ::std::result::Result<Self, runtime::InvalidHeaderValue> {
            Ok(self.with_scheme_credential(#name, #value?))
        }
    }
}

/// `OperationInfo::security` of `op`: `None`, or a static slice of alternatives (`Some` and
/// `None` unqualified: `requests.rs` defines only builders, braced structs, which never take
/// a name of the value namespace).
pub fn requirements(op: &Operation) -> TokenStream {
    match &op.security {
        None => quote!(None),
        Some(alternatives) => {
            let alternatives = alternatives.iter().map(|a| quote!(&[#(#a),*]));
            quote!(Some(&[#(#alternatives),*]))
        }
    }
}

/// The requirements a generated server checks for `op` (a static slice), when it has some
/// and the document declares schemes.
pub fn server_requirements(api: &Api, op: &Operation) -> Option<TokenStream> {
    let alternatives = op.security.as_ref()?;
    if api.security.is_empty() {
        return None;
    }
    let alternatives = alternatives.iter().map(|a| quote!(&[#(#a),*]));
    Some(quote!(&[#(#alternatives),*]))
}

/// A paragraph of `op`'s docs saying which schemes it accepts, when it has requirements.
pub fn operation_doc(api: &Api, op: &Operation) -> Option<String> {
    let alternatives = op.security.as_ref()?;
    if alternatives.is_empty() {
        return Some("Authentication: none (no credential is sent).".to_owned());
    }
    let setter = |name: &String| {
        api.security.iter().find(|s| &s.name == name).map_or_else(
            || code(name),
            |s| format!("{} ([`{}`](Self::{}))", code(name), s.setter, s.setter),
        )
    };
    let parts: Vec<String> = alternatives
        .iter()
        .map(|a| {
            if a.is_empty() {
                "none (anonymous)".to_owned()
            } else {
                a.iter().map(setter).collect::<Vec<_>>().join(" and ")
            }
        })
        .collect();
    Some(format!(
        "Authentication, the first that is set: {}.",
        parts.join("; or ")
    ))
}
