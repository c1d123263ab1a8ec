//! The runtime of the clients `openapi-rust-codegen` generates: the HTTP core, the error type,
//! retries, and the helpers that encode requests and decode responses. It is the same for every
//! API, so one copy serves every generated crate of an application: a [`Credential`] written
//! once works with all of their clients, and their errors are one [`Error`] type.
//!
//! Generated crates re-export it as `runtime` and reach every third-party crate through it
//! (`runtime::serde`, `runtime::chrono`, `runtime::reqwest`...), so they depend on this crate
//! alone and always agree with it on those crates' versions.
//!
//! # Cargo features
//!
//! The generator turns on what a document uses; nothing else is compiled.
//!
//! | feature | what it adds |
//! | --- | --- |
//! | `rustls` (default) | TLS through rustls, trusting the operating system's certificate store |
//! | `webpki-roots` | rustls trusting Mozilla's roots, compiled in, instead |
//! | `native-tls` | TLS through the platform's library (OpenSSL, Secure Transport, SChannel) |
//! | `form` | `application/x-www-form-urlencoded` bodies |
//! | `multipart` | `multipart/form-data` request bodies |
//! | `deep-object` | `deepObject` query parameters |
//! | `uuid` | `format: uuid` values (`runtime::uuid::Uuid`) |
//! | `server` | the `server` module: what generated axum routers call |
//! | `stream` | request bodies from a stream or a file (`Body::from_stream`, `Body::from_file`), server downloads from a file |
//!
//! # Modules by concern
//!
//! Errors (`error`), authentication (`credential`, `auth` for security schemes, `oauth2`), hooks (`hook`), the retry policy and back-off (`retry`),
//! the HTTP core (`client`), request encoding (`request`), response decoding (`response`),
//! paging (`paging`), server-sent events (`sse`, `sse_parser`; `sse_server` for the server
//! side), the model macros ([`model`]; `enums` for open enums) and the server side (`server`). Their
//! items are re-exported here, where generated code names them.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::todo,
        clippy::unimplemented,
        clippy::indexing_slicing
    )
)]

mod auth;
mod body;
mod byte_stream;
mod call;
#[cfg(feature = "stream")]
mod chunks;
mod client;
mod client_names;
mod credential;
mod enums;
mod error;
mod hook;
mod json_struct;
pub mod model;
mod oauth2;
mod paging;
mod request;
mod response;
mod retry;
/// The server side: decoding and validating requests, encoding responses.
#[cfg(feature = "server")]
pub mod server;
/// Authentication on the server side (re-exported by `server`).
#[cfg(feature = "server")]
mod server_auth;
#[cfg(feature = "server")]
mod server_body;
mod sse;
mod sse_parser;
#[cfg(feature = "server")]
mod sse_server;

/// What the unit tests of several modules share.
#[cfg(test)]
mod test_support {
    /// Runs `future` to completion on a fresh single-threaded runtime.
    pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(future)
    }
}

pub use auth::{Placement, Requirements, Scheme};
pub use body::{Body, set_body};
pub use byte_stream::{ByteStream, collect_boxed};
pub use bytes::Bytes;
pub use call::{
    BoxStream, BuiltRequest, CallFuture, CallOptions, Decode, OperationSpec, Prepare, Prepared,
    QueryPairs, poll_paged,
};
pub use client::{
    ClientCore, DEFAULT_TIMEOUT, OperationInfo, default_http_client, same_origin_redirects, tls,
};
/// The methods every generated client defines for itself (see [`client_common!`]); the
/// generator keeps operations from taking these names.
#[doc(hidden)]
pub use client_names::CLIENT_COMMON_METHODS;
pub use credential::{BoxFuture, Credential, InvalidHeaderValue, StaticCredential};
pub use error::{DecodeError, Error, ErrorBody, ErrorResponse, ResponseTooLarge};
pub use hook::{AttemptInfo, Hook, ResponseInfo};
pub use model::{Base64, serialize_tagged};
pub use oauth2::{ClientAuthentication, ClientCredentials, DEFAULT_REFRESH_SKEW};
pub use paging::{Page, paginate};
#[cfg(feature = "deep-object")]
pub use request::append_deep_object;
#[cfg(feature = "form")]
pub use request::set_form_body;
#[cfg(feature = "multipart")]
pub use request::set_multipart_body;
pub use request::{
    cookie_pair, finish_query, set_bytes_body, set_header, set_json_body, to_json_string,
};
#[cfg(feature = "form")]
pub use response::form_body;
pub use response::{
    DEFAULT_MAX_ERROR_BODY_BYTES, DEFAULT_MAX_RESPONSE_BYTES, Received, bytes_body, decode_json,
    decode_json_error, failing_path, header_value, json_body, text_body,
};
pub use retry::RetryPolicy;
pub use sse::{DataFormat, Event, EventData, EventStream, ReconnectPolicy};

pub use reqwest::header::{HeaderMap, HeaderValue};
pub use reqwest::{StatusCode, Url};

// The crates generated code names, re-exported so that a generated crate needs no dependency
// on them of its own (and cannot pick other versions of them than the runtime's).
#[cfg(feature = "server")]
pub use axum;
pub use bytes;
pub use chrono;
pub use futures;
pub use reqwest;
pub use serde;
pub use serde_json;
#[cfg(feature = "uuid")]
pub use uuid;

/// What this build of the runtime can do, for the checks generated code makes at compile
/// time: a crate generated for a document that needs a feature says so in a compile error
/// when the feature is off (rather than with an unresolved name), and so does code generated
/// for a later runtime.
#[doc(hidden)]
pub mod features {
    /// `multipart/form-data` request bodies.
    pub const MULTIPART: bool = cfg!(feature = "multipart");
    /// Form bodies.
    pub const FORM: bool = cfg!(feature = "form");
    /// `deepObject` query parameters.
    pub const DEEP_OBJECT: bool = cfg!(feature = "deep-object");
    /// UUID values.
    pub const UUID: bool = cfg!(feature = "uuid");
    /// The server side.
    pub const SERVER: bool = cfg!(feature = "server");
    /// Request bodies from a stream or a file.
    pub const STREAM: bool = cfg!(feature = "stream");

    /// Whether this runtime serves code generated for runtime `major.minor.patch`: the same
    /// release line (same major, and same minor while the major is 0) and no older.
    pub const fn serves(major: u64, minor: u64, patch: u64) -> bool {
        let (own_major, own_minor, own_patch) = (
            number(env!("CARGO_PKG_VERSION_MAJOR")),
            number(env!("CARGO_PKG_VERSION_MINOR")),
            number(env!("CARGO_PKG_VERSION_PATCH")),
        );
        if own_major != major || (major == 0 && own_minor != minor) {
            return false;
        }
        own_minor > minor || (own_minor == minor && own_patch >= patch)
    }

    /// A decimal number (the parts of cargo's version variables are digits only).
    const fn number(text: &str) -> u64 {
        let mut rest = text.as_bytes();
        let mut value = 0u64;
        while let [digit, tail @ ..] = rest {
            if digit.is_ascii_digit() {
                value = value
                    .saturating_mul(10)
                    .saturating_add((*digit - b'0') as u64);
            }
            rest = tail;
        }
        value
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn versions_are_served_within_their_release_line_and_never_older() {
            let own = (
                number(env!("CARGO_PKG_VERSION_MAJOR")),
                number(env!("CARGO_PKG_VERSION_MINOR")),
                number(env!("CARGO_PKG_VERSION_PATCH")),
            );
            assert!(serves(own.0, own.1, own.2));
            assert!(!serves(own.0, own.1, own.2 + 1), "code for a later runtime");
            assert!(!serves(own.0 + 1, 0, 0), "another major");
            if own.0 == 0 {
                assert!(!serves(0, own.1 + 1, 0), "another 0.x line");
                assert!(own.1 == 0 || !serves(0, own.1 - 1, 0), "an older 0.x line");
            }
            if own.2 > 0 {
                assert!(serves(own.0, own.1, own.2 - 1), "code for an earlier patch");
            }
            assert_eq!(number("12"), 12);
        }
    }
}
