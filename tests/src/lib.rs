//! Cross-crate tests live in `tests/tests/`. This library only carries the README, so that
//! `cargo test` compiles its Rust examples as doctests.
#![doc = ""]
#![doc = include_str!("../../README.md")]
