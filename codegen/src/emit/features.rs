//! The `#[cfg]` attributes of cargo features per tag. Which features compile what is decided
//! by lowering ([`crate::ir::Gates`]); emission writes the attribute on every item it builds,
//! after the item's other attributes.

use crate::ir::{Api, Operation};
use proc_macro2::TokenStream;
use quote::quote;

/// `#[cfg(any(feature = …))]` for a set of features; nothing for an empty set (compiled
/// always).
pub fn cfg(features: &[String]) -> TokenStream {
    if features.is_empty() {
        return TokenStream::new();
    }
    quote!(#[cfg(any(#(feature = #features),*))])
}

/// The cfg attribute of an operation's items (client method, trait method, handler, route).
pub fn operation_cfg(api: &Api, op: &Operation) -> TokenStream {
    cfg(api.gates.of_operation(&op.operation_id))
}

/// The cfg attribute of a named type's items (the type, its impls and macro calls).
pub fn type_cfg(api: &Api, rust_name: &str) -> TokenStream {
    cfg(api.gates.of_type(rust_name))
}
