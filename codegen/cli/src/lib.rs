//! The tasks of the `openapi-rust-codegen` command, as a library: they read documents and
//! write files (the `codegen` library does no IO) and are shared with the repository's
//! `cargo xtask`, so both run the same code.
//!
//! - [`generate`]: a standalone crate from a document, written all at once, or the runtime
//!   crate alone;
//! - [`import`]: Swagger 2.0 → OpenAPI 3.0.3 YAML, a subset of paths or tags, overlays;
//! - [`spec_diff`]: the API changes between two documents, as markdown.

pub mod generate;
pub mod import;
pub mod spec_diff;
