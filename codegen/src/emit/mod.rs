//! Stage 3: [`ir::Api`](crate::ir::Api) → token streams, one per file. Emission never sees
//! `openapiv3` types.

mod client;
mod constructors;
pub mod docs;
pub mod features;
mod models;
pub mod needs;
pub mod raw;
mod requests;
mod security;
mod server;
mod struct_call;
#[cfg(test)]
mod tests;

use crate::ir::{Api, Success, TypeRef};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::ops::Range;

/// A part of a generated file, emitted and formatted on its own (so parts can be formatted
/// in parallel); a file is its parts' formatted text, concatenated in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// `lib.rs`.
    Lib,
    /// Items of `models.rs` (see [`models::models_rs`]).
    Models(Range<usize>),
    /// `client.rs` without the operations' methods.
    Client,
    /// The methods of some operations, in an `impl Client` block whose body is spliced into
    /// the one of [`Part::Client`] (see [`client::client_methods`]).
    ClientMethods(Range<usize>),
    /// Request builders of some operations in `requests.rs` (see [`requests::requests_rs`]).
    Requests(Range<usize>),
    /// `server.rs`.
    Server,
}

/// Items of `models.rs`, and operations of `client.rs`, per part: small enough that parts
/// spread evenly over threads, large enough that each is worth a thread's while. The output
/// does not depend on it.
pub const ITEMS_PER_PART: usize = 64;

/// The generated modules of the crate (the runtime is copied separately), each as its parts.
pub fn plan(api: &Api, with_server: bool, items_per_part: usize) -> Vec<(&'static str, Vec<Part>)> {
    let chunks = |count: usize| {
        let size = items_per_part.max(1);
        (0..count.div_ceil(size)).map(move |i| i * size..(i * size).saturating_add(size).min(count))
    };
    let mut models: Vec<Part> = chunks(models::item_count(api)).map(Part::Models).collect();
    if models.is_empty() {
        models.push(Part::Models(0..0));
    }
    let mut client = vec![Part::Client];
    client.extend(chunks(api.operations.len()).map(Part::ClientMethods));
    let mut requests: Vec<Part> = chunks(api.operations.len()).map(Part::Requests).collect();
    if requests.is_empty() {
        requests.push(Part::Requests(0..0));
    }
    let mut files = vec![
        ("lib.rs", vec![Part::Lib]),
        ("models.rs", models),
        ("client.rs", client),
        ("requests.rs", requests),
    ];
    if with_server {
        files.push(("server.rs", vec![Part::Server]));
    }
    files
}

/// What every part of one generation needs.
pub struct Context<'a> {
    /// The lowered document.
    pub api: &'a Api,
    /// The document's name, for the crate's docs.
    pub spec_name: &'a str,
    /// Hand-written modules the crate root declares.
    pub extra_modules: &'a [String],
    /// A hand-written Markdown file that opens the crate's docs (see
    /// [`Input::crate_docs`](crate::Input::crate_docs)).
    pub crate_docs: Option<&'a str>,
    /// The Rust name of the runtime crate, re-exported as `runtime`.
    pub runtime_crate: &'a str,
    /// Whether the server side is generated.
    pub with_server: bool,
    /// Whether the server side is compiled only with the crate's `server` feature (a crate of
    /// its own) or always (a module of the user's crate, written by a build script).
    pub gate_server: bool,
    /// The runtime features the document needs (see [`needs::runtime_features`]).
    pub runtime_features: &'a [needs::RuntimeFeature],
}

/// The tokens of one part.
pub fn emit(cx: &Context<'_>, part: &Part) -> TokenStream {
    match part {
        Part::Lib => lib_rs(cx),
        Part::Models(items) => models::models_rs(cx.api, items.clone()),
        Part::Client => client::client_rs(cx.api),
        Part::ClientMethods(ops) => client::client_methods(cx.api, ops.clone()),
        Part::Requests(ops) => requests::requests_rs(cx.api, ops.clone()),
        Part::Server => server::server_rs(cx.api),
    }
}

fn lib_rs(cx: &Context<'_>) -> TokenStream {
    let (api, spec_name, extra_modules, with_server) =
        (cx.api, cx.spec_name, cx.extra_modules, cx.with_server);
    let runtime_crate = ident(cx.runtime_crate);
    let docs = crate_docs(api, spec_name, cx.crate_docs);
    let server_cfg = cx.gate_server.then(|| quote!(#[cfg(feature = "server")]));
    let server = with_server.then(|| {
        quote! {
            #server_cfg
            #[rustfmt::skip]
            pub mod server;
            #server_cfg
            pub use #runtime_crate::server as server_runtime;
            #server_cfg
            const _: () = ::std::assert!(
                runtime::features::SERVER,
                "the server side needs the `server` feature of `openapi-rust-runtime`"
            );
        }
    });
    // Checked at compile time, so that a runtime too old, or without a feature the document
    // needs, says so in one line (a build script's user chooses both).
    let [major, minor, patch] = crate::RUNTIME_VERSION.map(proc_macro2::Literal::u64_unsuffixed);
    let version_message = format!(
        "this code was generated for openapi-rust-runtime {}: depend on that release or a later one compatible with it",
        crate::RUNTIME_VERSION.map(|n| n.to_string()).join(".")
    );
    let feature_checks = cx.runtime_features.iter().map(|feature| {
        let constant = ident(feature.constant);
        let message = format!(
            "the document uses {}: turn on the `{}` feature of `openapi-rust-runtime`",
            feature.reason, feature.name
        );
        quote!(
            const _: () = ::std::assert!(runtime::features::#constant, #message);
        )
    });
    let extra = extra_modules.iter().map(|m| {
        let name = ident(m);
        quote!(pub mod #name;)
    });
    let (error, reexports) = error_and_reexports(api);
    quote! {
        #docs
        #![allow(clippy::too_many_arguments)]
        #![allow(clippy::large_enum_variant)]
        #![allow(clippy::type_complexity)]

        #[rustfmt::skip]
        pub mod client;
        #[rustfmt::skip]
        pub mod models;
        #[rustfmt::skip]
        pub mod requests;
        pub use #runtime_crate as runtime;
        pub use runtime::chrono;
        const _: () = ::std::assert!(runtime::features::serves(#major, #minor, #patch), #version_message);
        #(#feature_checks)*

        #server

        #(#extra)*

        pub use client::Client;
        #reexports
        #error
    }
}

/// The crate's inner docs: the API, its description, and what the modules hold.
fn crate_docs(api: &Api, spec_name: &str, hand_written: Option<&str>) -> TokenStream {
    let mut text = docs::sanitize(&format!("{} (API version {})", api.title, api.version));
    let opening = hand_written.map(|path| {
        text.insert_str(0, "# The generated API: ");
        quote!(#![doc = include_str!(#path)])
    });
    if let Some(description) = &api.description {
        text.push_str("\n\n");
        text.push_str(&docs::sanitize(description));
    }
    text.push_str(&format!(
        "\n\nGenerated from {spec_name}: [`Client`] has one method per operation, which \
         returns a request of [`requests`] (optional parameters and per-call options, sent by \
         `.await`), [`models`] holds the types of their bodies, and [`runtime`] the error type \
         and the credential hook.",
        spec_name = docs::code(spec_name)
    ));
    let docs = text.split('\n').map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#![doc = #line])
    });
    quote!(#opening #(#docs)*)
}

/// The crate root's `Error` (the runtime's, with the error body every operation shares) and
/// the runtime items it re-exports.
fn error_and_reexports(api: &Api) -> (TokenStream, TokenStream) {
    match api.common_error_type() {
        Some(ty) if *ty != TypeRef::Json => {
            let ty = type_tokens(ty, &quote!(models::));
            (
                quote! {
                    /// The error of every operation: [`runtime::Error`] with the document's error body.
                    pub type Error = runtime::Error<#ty>;
                },
                quote!(
                    pub use runtime::{
                        Credential, ErrorBody, ErrorResponse, RetryPolicy, StaticCredential,
                    };
                ),
            )
        }
        _ => (
            TokenStream::new(),
            quote!(
                pub use runtime::{
                    Credential, Error, ErrorBody, ErrorResponse, RetryPolicy, StaticCredential,
                };
            ),
        ),
    }
}

/// An identifier, raw when it needs to be; never panics (an invalid name, which naming never
/// produces, becomes `__invalid_name`).
pub fn ident(name: &str) -> Ident {
    let (raw, bare) = match name.strip_prefix("r#") {
        Some(bare) => (true, bare),
        None => (false, name),
    };
    let valid = bare.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && bare != "_"
        && !(raw && matches!(bare, "self" | "Self" | "super" | "crate" | "extern"));
    if !valid {
        Ident::new("__invalid_name", Span::call_site())
    } else if raw {
        Ident::new_raw(bare, Span::call_site())
    } else {
        Ident::new(bare, Span::call_site())
    }
}

/// How a module reaches the runtime, given how it names models: `models.rs` (no prefix)
/// reaches it as a sibling (`super::runtime`); the other modules import it (`runtime`).
/// Generated code names every third-party crate through it (`runtime::chrono`,
/// `runtime::serde_json`...), so a generated crate depends on the runtime alone.
fn runtime_path(models: &TokenStream) -> TokenStream {
    if models.is_empty() {
        quote!(super::runtime)
    } else {
        quote!(runtime)
    }
}

/// What a successful call returns, the client method's `Ok` and the server method's: the body
/// (or `()`), or the operation's response type in `models`.
pub fn success_type(success: &Success, models: &TokenStream) -> TokenStream {
    match success {
        Success::Single { body, .. } => body
            .as_ref()
            .map_or(quote!(()), |b| type_tokens(&b.ty, models)),
        Success::WithHeaders { rust_name, .. } | Success::Enum { rust_name, .. } => {
            let name = ident(rust_name);
            quote!(#models #name)
        }
    }
}

/// The item type of an operation that answers with an event stream, and whether its data is
/// text (see [`BodyEncoding::EventStream`](crate::ir::BodyEncoding::EventStream)).
pub fn event_stream(success: &Success) -> Option<(&TypeRef, bool)> {
    match success {
        Success::Single {
            body:
                Some(crate::ir::ResponseBody {
                    ty,
                    encoding: crate::ir::BodyEncoding::EventStream { text },
                }),
            ..
        } => Some((ty, *text)),
        _ => None,
    }
}

/// The runtime's `DataFormat` of an event stream whose data is text or JSON.
pub fn data_format(text: bool) -> TokenStream {
    if text {
        quote!(runtime::DataFormat::Text)
    } else {
        quote!(runtime::DataFormat::Json)
    }
}

/// The Rust type for `ty`; named types are prefixed with `models` (e.g. `models::`).
pub fn type_tokens(ty: &TypeRef, models: &TokenStream) -> TokenStream {
    match ty {
        TypeRef::String => quote!(::std::string::String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::DateTime => {
            let rt = runtime_path(models);
            quote!(#rt::chrono::DateTime<#rt::chrono::Utc>)
        }
        TypeRef::Date => {
            let rt = runtime_path(models);
            quote!(#rt::chrono::NaiveDate)
        }
        TypeRef::Json => {
            let rt = runtime_path(models);
            quote!(#rt::serde_json::Value)
        }
        TypeRef::Bytes => quote!(::std::vec::Vec<u8>),
        TypeRef::Uuid => {
            let rt = runtime_path(models);
            quote!(#rt::uuid::Uuid)
        }
        TypeRef::Base64 => {
            let rt = runtime_path(models);
            quote!(#rt::Base64)
        }
        TypeRef::Vec(item) => {
            let item = type_tokens(item, models);
            quote!(::std::vec::Vec<#item>)
        }
        TypeRef::Nullable(inner) => {
            let inner = type_tokens(inner, models);
            quote!(::std::option::Option<#inner>)
        }
        TypeRef::Tuple(items) => {
            let items = items.iter().map(|item| type_tokens(item, models));
            quote!((#(#items,)*))
        }
        TypeRef::Map(value) => {
            let value = type_tokens(value, models);
            quote!(::std::collections::BTreeMap<::std::string::String, #value>)
        }
        TypeRef::Named(name) => {
            let name = ident(name);
            quote!(#models #name)
        }
        TypeRef::Generic(name, arg) => {
            let name = ident(name);
            let arg = type_tokens(arg, models);
            quote!(#models #name<#arg>)
        }
        TypeRef::Param(name) => {
            let name = ident(name);
            quote!(#name)
        }
        TypeRef::Boxed(inner) => {
            let inner = type_tokens(inner, models);
            quote!(::std::boxed::Box<#inner>)
        }
    }
}
