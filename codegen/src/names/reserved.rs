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
