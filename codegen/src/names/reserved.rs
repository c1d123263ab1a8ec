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
    "decode",
    "__client",
    "__options",
    "__query",
    "__params",
    "this",
    "cx",
];

/// The methods every request builder has besides its parameters' setters (the per-call
/// options of the runtime's `call_options!`, `send`, and the traits' methods), so that no
/// parameter's setter takes one of them.
pub const BUILDER_METHODS: &[&str] = &[
    "timeout",
    "retry_policy",
    "header",
    "client_request_id",
    "options",
    "send",
    "send_streaming",
    "into_future",
    "clone",
    "clone_from",
    "poll_next",
    "size_hint",
];

/// Names the `requests` module defines for every API besides the operations' builders: the
/// generic `Builder` each builder is an alias of, and the `Operation` trait that sends it.
pub const BUILDER_TYPE_NAMES: &[&str] = &["Builder", "Operation"];

/// Type names generated code uses unqualified, or that the generated crate root defines or
/// re-exports: `Client` (the client, re-exported at the root), `Error` (the root's error
/// alias), `Credential` (re-exported at the root), `Option` (serde's
/// `skip_serializing_if = "Option::is_none"`, resolved where the model stands, and the models'
/// constructors and setters), `Into`, `String` and `Box` (the models' constructors and setters:
/// `impl Into<String>`), and the prelude's `Result` and `Vec`, kept free so that models read
/// as Rust.
pub const TYPE_NAMES: &[&str] = &[
    "Client",
    "Error",
    "Result",
    "Option",
    "Vec",
    "String",
    "Box",
    "Into",
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
        for list in [
            METHOD_LOCALS,
            TYPE_NAMES,
            BUILDER_METHODS,
            BUILDER_TYPE_NAMES,
        ] {
            let unique: BTreeSet<&str> = list.iter().copied().collect();
            assert_eq!(list.len(), unique.len(), "{list:?}");
        }
    }

    /// Keywords and primitive types: what is not a variable where [`variables_used`] looks.
    const NOT_VARIABLES: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
        "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type",
        "unsafe", "use", "where", "while", "str", "bool", "u8", "u16", "u32", "u64", "usize", "i8",
        "i16", "i32", "i64", "isize", "f32", "f64", "char",
    ];

    /// The lower-case identifiers `tokens` use as variables: not paths (`a::`, `::a`), calls
    /// (`a(`, `a!`), fields or methods (`.a`), field names (`a: x`), lifetimes, attributes
    /// or keywords. Closure parameters (`|json|`) are left out, as are what `bound` already
    /// holds; the names closures bind are added to `bound`.
    fn variables_used(
        tokens: TokenStream,
        bound: &mut BTreeSet<String>,
        into: &mut BTreeSet<String>,
    ) {
        use proc_macro2::{Delimiter, Spacing};
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let punct = |i: usize, c: char| matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
        let mut skip_next_group = false;
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                TokenTree::Group(group) => {
                    if std::mem::take(&mut skip_next_group) {
                        continue;
                    }
                    variables_used(group.stream(), bound, into);
                }
                TokenTree::Punct(p) => {
                    // An attribute's contents are not code.
                    if p.as_char() == '#'
                        && matches!(trees.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
                    {
                        skip_next_group = true;
                    }
                }
                TokenTree::Ident(ident) => {
                    let name = ident.to_string();
                    let after_punct = |c: char| i > 0 && punct(i - 1, c);
                    // A type (`__ListPets`, a builder's parameters, too) is no variable.
                    if !name
                        .trim_start_matches('_')
                        .starts_with(|c: char| c.is_ascii_lowercase())
                        || name == "_"
                        || NOT_VARIABLES.contains(&name.as_str())
                        || after_punct('.')
                        || after_punct('\'')
                        || (after_punct(':') && i > 1 && punct(i - 2, ':'))
                        || matches!(trees.get(i.wrapping_sub(1)), Some(TokenTree::Ident(f)) if f == "fn")
                    {
                        continue;
                    }
                    let next_is_call = matches!(trees.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                    let next_colon =
                        matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                    let path = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint);
                    if next_is_call || punct(i + 1, '!') || punct(i + 1, '<') || next_colon || path
                    {
                        continue;
                    }
                    // `|name|`: a closure's parameter.
                    if after_punct('|') && punct(i + 1, '|') {
                        bound.insert(name);
                        continue;
                    }
                    if !bound.contains(&name) {
                        into.insert(name);
                    }
                }
                TokenTree::Literal(_) => {}
            }
        }
    }

    /// A document whose operation uses every kind of parameter, body and response, so
    /// that its method and handler bind every local they can.
    const LOCALS_SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things/{id}:
    parameters:
      - {name: api-version, in: query, schema: {type: string, default: "1"}}
    post:
      operationId: postThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}, explode: false}
        - {name: pipes, in: query, style: pipeDelimited, explode: false, schema: {type: array, items: {type: integer}}}
        - {name: filter, in: query, style: deepObject, schema: {type: object, properties: {a: {type: string}}}}
        - {name: x-trace, in: header, required: true, schema: {type: string}}
        - {name: session, in: cookie, schema: {type: string}}
        - {name: x-c, in: header, schema: {type: string}}
      x-paging: {itemsFrom: body, continuationRequestHeader: x-c, continuationResponseHeader: x-c}
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}
      responses:
        "200":
          description: ok
          headers: {x-c: {schema: {type: string}}, x-count: {schema: {type: integer}}}
          content: {application/json: {schema: {type: array, items: {type: string}}}}
        "404":
          description: missing
          content: {application/json: {schema: {type: object, properties: {m: {type: string}}}}}
    put:
      operationId: putThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      requestBody:
        content: {application/x-www-form-urlencoded: {schema: {type: object, properties: {a: {type: string}}}}}
      responses:
        "200": {description: ok, content: {text/plain: {schema: {type: string}}}}
        "201": {description: made, content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}}
        "204": {description: none}
    delete:
      operationId: deleteThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      requestBody:
        content: {multipart/form-data: {schema: {type: object, properties: {file: {type: string, format: binary}}}}}
      responses:
        "200": {description: ok, content: {application/octet-stream: {schema: {type: string, format: binary}}}}
"#;

    /// Every variable a generated method or handler uses is one of its parameters, `self`
    /// or one of [`METHOD_LOCALS`]: so a parameter never shadows a local the code relies on.
    #[test]
    fn the_emitters_locals_are_listed() -> TestResult {
        let spec = LOCALS_SPEC;
        let mut input = crate::Input::new("t.yaml", spec, "test");
        input.server = true;
        let output = crate::generate(&input)?;
        let (api, _) = crate::lower_only("t.yaml", spec)?;
        let mut allowed: BTreeSet<String> = METHOD_LOCALS.iter().map(|l| (*l).to_owned()).collect();
        // The client settings are the operations' parameters too (the server reads them).
        allowed.extend(
            api.client_params
                .iter()
                .map(|p| crate::names::unraw(&p.rust_name).to_owned()),
        );
        for op in &api.operations {
            allowed.extend(
                op.params
                    .iter()
                    .map(|p| crate::names::unraw(&p.rust_name).to_owned()),
            );
        }
        let mut checked = 0;
        for path in ["client.rs", "requests.rs", "server.rs"] {
            let file = output.files.iter().find(|f| f.path == path).ok_or(path)?;
            let parsed = syn::parse_file(&file.contents)?;
            // Each function's signature and body.
            let mut fns: Vec<(syn::Signature, syn::Block)> = Vec::new();
            for item in &parsed.items {
                match item {
                    syn::Item::Fn(f) => fns.push((f.sig.clone(), (*f.block).clone())),
                    syn::Item::Impl(block) => {
                        fns.extend(block.items.iter().filter_map(|i| match i {
                            syn::ImplItem::Fn(f) => Some((f.sig.clone(), f.block.clone())),
                            _ => None,
                        }))
                    }
                    _ => {}
                }
            }
            // `router` binds locals of its own, but no operation's parameters.
            for (sig, block) in fns.into_iter().filter(|(sig, _)| sig.ident != "router") {
                // What the signature binds (the client's own `new(base_url)`, a handler's
                // extractors) is in scope.
                let mut bound: BTreeSet<String> = sig
                    .inputs
                    .iter()
                    .filter_map(|arg| match arg {
                        syn::FnArg::Typed(typed) => match &*typed.pat {
                            syn::Pat::Ident(p) => Some(p.ident.to_string()),
                            _ => None,
                        },
                        syn::FnArg::Receiver(_) => None,
                    })
                    .collect();
                let mut used = BTreeSet::new();
                variables_used(
                    quote::ToTokens::to_token_stream(&block),
                    &mut bound,
                    &mut used,
                );
                let strays: Vec<&String> = used.difference(&allowed).collect();
                assert!(
                    strays.is_empty(),
                    "{path}: {strays:?} are neither parameters nor in METHOD_LOCALS"
                );
                checked += 1;
            }
        }
        assert!(checked > 10, "{checked}");
        Ok(())
    }
}
