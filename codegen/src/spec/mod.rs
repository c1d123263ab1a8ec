//! The spec tooling: what reads, converts, edits, writes and compares documents, apart from
//! generating code from them.
//!
//! - [`swagger`]: Swagger 2.0 → OpenAPI 3.0.3 (also used by [`crate::parse`], so that every
//!   entry point reads Swagger 2.0);
//! - [`overlay`]: OpenAPI Overlay 1.0 documents and their application;
//! - [`import`]: the import pipeline (convert, select a subset, apply overlays, write YAML);
//! - [`yaml`]: a deterministic YAML writer for JSON values;
//! - [`diff`]: what changed between two versions of a document, and whether it breaks users.
//!
//! None of it is part of [`crate::generate`] beyond the Swagger conversion.

pub mod diff;
pub mod import;
pub mod overlay;
pub mod swagger;
pub mod yaml;
