//! The one authority for the names generated code defines or uses for itself, which names
//! taken from a document must not take.
//!
//! - Methods of the generated `Client`: what the runtime's `client_common!` macro defines
//!   ([`CLIENT_COMMON_METHODS`], read from the runtime's own source, `client_names.rs`), what
//!   the emitter's `impl Client` defines ([`CLIENT_OWN_METHODS`]), and the methods of the
//!   traits it derives ([`CLIENT_TRAIT_METHODS`]). Lowering claims these first in the scope of
//!   method names, then each operation's method and its companions (a paged operation's
//!   `_page` method), then the client settings' accessors; hand-written extensions add theirs
//!   through [`Input::reserved_methods`](crate::Input::reserved_methods).
//! - Locals of generated methods and handlers ([`METHOD_LOCALS`]): parameters are named so
//!   that they never shadow them.
//! - Type names ([`TYPE_NAMES`]) that generated modules or crate roots use unqualified.
//!
//! The runtime's macros and the emitter never depend on a name a document controls: their
//! generic parameters and helper items start with two underscores (`__D`, `__Visitor`), which
//! no generated type name does (see [`camel`](super::camel)), and they name everything else by
//! its full path (`::std::result::Result::Ok`).

mod runtime {
    include!("../../runtime/src/client_names.rs");
}

pub use runtime::CLIENT_COMMON_METHODS;

/// The associated functions the emitter's `impl Client` block defines for every API
/// (`emit/client.rs`, `client_rs`).
pub const CLIENT_OWN_METHODS: &[&str] = &["new", "with_http_client", "default_retry_policy"];

/// Methods of the traits the generated `Client` implements (`Clone`, `Debug`), which an
/// inherent method of the same name would hide from method-call syntax.
pub const CLIENT_TRAIT_METHODS: &[&str] = &["clone", "fmt"];

/// Every method name the generated client defines for itself, whatever the document.
pub fn client_methods() -> impl Iterator<Item = &'static str> {
    CLIENT_COMMON_METHODS
        .iter()
        .chain(CLIENT_OWN_METHODS)
        .chain(CLIENT_TRAIT_METHODS)
        .copied()
}

/// The names the generated client methods (`emit/client.rs`) and server handlers
/// (`emit/server.rs`) bind for themselves, besides the operation's parameters; parameters
/// are named around them (`body` → `body2`). Tests of both emitters check that every local
/// they bind is listed here or is a parameter.
pub const METHOD_LOCALS: &[&str] = &[
    "self",
    "body",
    "url",
    "query",
    "request",
    "response",
    "operation",
    "cookies",
    "value",
    "item",
    "continuation",
    "page",
    "api",
    "method",
    "uri",
    "headers",
    "path",
    "inputs",
    "context",
    "rejection",
    "error",
    "joined",
];

/// Type names generated code uses unqualified, or that the generated crate root defines or
/// re-exports: `Client` (the client, re-exported at the root), `Error` (the root's error
/// alias), `Credential` (re-exported at the root), `Option` (serde's
/// `skip_serializing_if = "Option::is_none"`, resolved where the model stands), and the
/// prelude's `Result`, `Vec`, `String` and `Box`, kept free so that models read as Rust.
pub const TYPE_NAMES: &[&str] = &[
    "Client",
    "Error",
    "Result",
    "Option",
    "Vec",
    "String",
    "Box",
    "Credential",
];

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::{TokenStream, TokenTree};
    use std::collections::BTreeSet;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// The name after every `fn` in `tokens`, at any depth, in order.
    fn fn_names(tokens: TokenStream, into: &mut Vec<String>) {
        let mut after_fn = false;
        for tree in tokens {
            match tree {
                TokenTree::Group(group) => {
                    fn_names(group.stream(), into);
                    after_fn = false;
                }
                TokenTree::Ident(ident) => {
                    if after_fn {
                        into.push(ident.to_string());
                    }
                    after_fn = ident == "fn";
                }
                TokenTree::Punct(_) | TokenTree::Literal(_) => after_fn = false,
            }
        }
    }

    /// The runtime's list is the body of its `client_common!` macro, name for name.
    #[test]
    fn client_common_methods_are_the_macros_fns() -> TestResult {
        let source = include_str!("../../runtime/src/client.rs");
        let file = syn::parse_file(source)?;
        let mac = file
            .items
            .iter()
            .find_map(|item| match item {
                syn::Item::Macro(m) if m.ident.as_ref().is_some_and(|i| i == "client_common") => {
                    Some(m)
                }
                _ => None,
            })
            .ok_or("no `client_common!` in the runtime's client.rs")?;
        let mut names = Vec::new();
        fn_names(mac.mac.tokens.clone(), &mut names);
        assert_eq!(names, CLIENT_COMMON_METHODS);
        Ok(())
    }

    /// The methods of every `impl Client` block in `source`.
    fn client_methods_in(source: &str) -> Result<BTreeSet<String>, syn::Error> {
        let file = syn::parse_file(source)?;
        let mut names = BTreeSet::new();
        for item in &file.items {
            let syn::Item::Impl(block) = item else {
                continue;
            };
            let syn::Type::Path(ty) = &*block.self_ty else {
                continue;
            };
            if ty.path.is_ident("Client") {
                for inner in &block.items {
                    if let syn::ImplItem::Fn(f) = inner {
                        names.insert(f.sig.ident.to_string());
                    }
                }
            }
        }
        Ok(names)
    }

    /// What the emitter's `impl Client` defines for a document without operations or client
    /// settings is [`CLIENT_OWN_METHODS`], so a method added there cannot go unreserved.
    #[test]
    fn the_emitters_own_methods_are_listed() -> TestResult {
        let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
        let output = crate::generate(&crate::Input::new("t.yaml", spec, "test"))?;
        let client = output
            .files
            .iter()
            .find(|f| f.path == "client.rs")
            .ok_or("no client.rs")?;
        let own: BTreeSet<String> = CLIENT_OWN_METHODS.iter().map(|m| (*m).to_owned()).collect();
        assert_eq!(client_methods_in(&client.contents)?, own);
        Ok(())
    }

    #[test]
    fn the_lists_hold_each_name_once() {
        let all: Vec<&str> = client_methods().collect();
        let unique: BTreeSet<&str> = all.iter().copied().collect();
        assert_eq!(all.len(), unique.len(), "{all:?}");
        for list in [METHOD_LOCALS, TYPE_NAMES] {
            let unique: BTreeSet<&str> = list.iter().copied().collect();
            assert_eq!(list.len(), unique.len(), "{list:?}");
        }
    }
}
