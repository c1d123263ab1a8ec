// Hand-written: the crate root. `hub/` is written by `cargo xtask regen`.
//! The client (and server) generated from the complete IoT Hub service document,
//! `spec/upstream/iothub-2021-04-12.json` (Swagger 2.0, 42 operations), converted to OpenAPI 3.0
//! on the way. Building and linting this crate is the test that the whole document imports,
//! generates and compiles; nothing depends on it.

#[rustfmt::skip]
pub mod hub;
