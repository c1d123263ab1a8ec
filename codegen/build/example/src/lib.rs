//! An example of generating an API's client (and server) in a build script with
//! `openapi-rust-codegen-build`, instead of committing a generated crate.
//!
//! The set-up has three parts:
//!
//! - `Cargo.toml` takes `openapi-rust-codegen-build` as a build-dependency, and the runtime of
//!   generated code, `openapi-rust-runtime`, as an ordinary dependency with the features the
//!   document needs (here only `server`, for the server side);
//! - `build.rs` generates the module `petstore` from `petstore.yaml` into `OUT_DIR`:
//!
//!   ```ignore
//!   fn main() {
//!       openapi_rust_codegen_build::Builder::new("petstore.yaml")
//!           .server(true)
//!           .deny_warnings(true)
//!           .generate();
//!   }
//!   ```
//!
//! - this file includes it, which declares `pub mod petstore`:
//!
//!   ```ignore
//!   include!(concat!(env!("OUT_DIR"), "/petstore.rs"));
//!   ```
//!
//! Cargo runs the build script again when `petstore.yaml` changes; a problem in the document
//! fails the build with its place in the document.

include!(concat!(env!("OUT_DIR"), "/petstore.rs"));

pub use petstore::{Client, models};
