//! Cargo features per tag: which operations and types each feature compiles, so users of a
//! large API compile only the parts they use.

use crate::ir::{Api, Success, TypeKind, TypeRef};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use std::collections::{BTreeMap, BTreeSet};

/// The feature that compiles operations without a tag.
pub const UNTAGGED: &str = "untagged";

/// The feature that compiles the schemas no operation uses.
pub const OTHER_SCHEMAS: &str = "other-schemas";

/// The cargo feature for a tag: `tag-` and the tag in kebab case.
pub fn feature_name(tag: &str) -> String {
    let snake = crate::names::snake(tag);
    format!(
        "tag-{}",
        snake
            .trim_start_matches("r#")
            .trim_matches('_')
            .replace('_', "-")
    )
}

/// Which features compile each operation and each named type. Empty when features per tag
/// are off: everything is always compiled.
///
/// Every combination of features compiles, none included: what is compiled always (the crate
/// root, the client's constructors, the server's router) names only types compiled always.
#[derive(Debug, Default)]
pub struct Gates {
    ops: Vec<BTreeSet<String>>,
    types: BTreeMap<String, BTreeSet<String>>,
    /// Types compiled whatever the features: the shared error type and what it contains.
    always: BTreeSet<String>,
    /// Every feature, sorted.
    pub features: Vec<String>,
}

impl Gates {
    /// Whether anything is gated (features per tag are on, and there are operations).
    pub fn any(&self) -> bool {
        !self.features.is_empty()
    }
}

fn named(ty: &TypeRef, out: &mut Vec<String>) {
    match ty {
        TypeRef::Named(name) => out.push(name.clone()),
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => named(inner, out),
        _ => {}
    }
}

impl Gates {
    /// The gates of `api`.
    pub fn compute(api: &Api) -> Self {
        let mut edges: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for def in &api.types {
            let mut targets = Vec::new();
            match &def.kind {
                TypeKind::Struct(s) => {
                    for field in &s.fields {
                        named(&field.ty, &mut targets);
                    }
                    if let Some(additional) = &s.additional {
                        named(&additional.value, &mut targets);
                    }
                }
                TypeKind::Alias(ty) => named(ty, &mut targets),
                TypeKind::Union(u) => u.variants.iter().for_each(|v| named(&v.ty, &mut targets)),
                TypeKind::ErrorEnum(variants) => {
                    variants.iter().for_each(|v| named(&v.ty, &mut targets))
                }
                TypeKind::SuccessStruct(r) => {
                    r.body.iter().for_each(|b| named(&b.ty, &mut targets))
                }
                TypeKind::SuccessEnum(r) => r
                    .variants
                    .iter()
                    .filter_map(|v| v.body.as_ref())
                    .for_each(|b| named(&b.ty, &mut targets)),
                TypeKind::Enum(_) | TypeKind::IntEnum(_) => {}
            }
            edges.insert(&def.rust_name, targets);
        }
        let mut gates = Self::default();
        let mut all = BTreeSet::new();
        for op in &api.operations {
            let features: BTreeSet<String> = if op.tags.is_empty() {
                [UNTAGGED.to_owned()].into()
            } else {
                op.tags.iter().map(|t| feature_name(t)).collect()
            };
            all.extend(features.iter().cloned());
            let mut roots = Vec::new();
            for p in &op.params {
                named(&p.ty, &mut roots);
            }
            if let Some(body) = &op.body {
                named(&body.ty, &mut roots);
            }
            named(&op.error_type, &mut roots);
            match &op.success {
                Success::Single { body, .. } => {
                    if let Some(b) = body {
                        named(&b.ty, &mut roots);
                    }
                }
                Success::WithHeaders {
                    rust_name, body, ..
                } => {
                    roots.push(rust_name.clone());
                    if let Some(b) = body {
                        named(&b.ty, &mut roots);
                    }
                }
                Success::Enum {
                    rust_name,
                    variants,
                } => {
                    roots.push(rust_name.clone());
                    for v in variants {
                        if let Some(b) = &v.body {
                            named(&b.ty, &mut roots);
                        }
                    }
                }
            }
            if let Some(paging) = &op.paging {
                named(&paging.item, &mut roots);
            }
            // Every type reachable from the operation is compiled with its features.
            let mut seen = BTreeSet::new();
            while let Some(name) = roots.pop() {
                if !seen.insert(name.clone()) {
                    continue;
                }
                gates
                    .types
                    .entry(name.clone())
                    .or_default()
                    .extend(features.iter().cloned());
                if let Some(next) = edges.get(name.as_str()) {
                    roots.extend(next.iter().cloned());
                }
            }
            gates.ops.push(features);
        }
        // The error type every operation shares is named by the crate root (`Error`) and the
        // client's constructors, which are compiled with any set of features (none, too): so
        // are it and every type it contains.
        if let Some(error) = super::client::common_error_type(api) {
            let mut roots = Vec::new();
            named(error, &mut roots);
            let mut seen = BTreeSet::new();
            while let Some(name) = roots.pop() {
                if !seen.insert(name.clone()) {
                    continue;
                }
                gates.always.insert(name.clone());
                if let Some(next) = edges.get(name.as_str()) {
                    roots.extend(next.iter().cloned());
                }
            }
        }
        // Schemas no operation uses (webhook payloads, for instance) get a feature of their
        // own, passed on to what they contain, so that every gated type's fields exist.
        let mut roots: Vec<String> = api
            .types
            .iter()
            .filter(|t| !gates.types.contains_key(&t.rust_name))
            .map(|t| t.rust_name.clone())
            .collect();
        if !roots.is_empty() && !api.operations.is_empty() {
            all.insert(OTHER_SCHEMAS.to_owned());
            let mut seen = BTreeSet::new();
            while let Some(name) = roots.pop() {
                if !seen.insert(name.clone()) {
                    continue;
                }
                gates
                    .types
                    .entry(name.clone())
                    .or_default()
                    .insert(OTHER_SCHEMAS.to_owned());
                if let Some(next) = edges.get(name.as_str()) {
                    roots.extend(next.iter().cloned());
                }
            }
        }
        gates.features = all.into_iter().collect();
        gates
    }

    /// `#[cfg(any(feature = …))]` for a set of features; nothing when gating is off or the
    /// set is empty.
    fn cfg(features: Option<&BTreeSet<String>>) -> TokenStream {
        match features {
            Some(set) if !set.is_empty() => {
                let names = set.iter();
                quote!(#[cfg(any(#(feature = #names),*))])
            }
            _ => TokenStream::new(),
        }
    }

    /// The cfg attribute of the `index`th operation.
    pub fn op(&self, index: usize) -> TokenStream {
        Self::cfg(self.ops.get(index))
    }

    /// The cfg attribute of a named type.
    pub fn ty(&self, name: &str) -> TokenStream {
        if self.always.contains(name) {
            return TokenStream::new();
        }
        Self::cfg(self.types.get(name))
    }
}

fn attribute(cfg: &TokenStream) -> Option<syn::Attribute> {
    syn::parse::Parser::parse2(syn::Attribute::parse_outer, cfg.clone())
        .ok()
        .and_then(|mut attrs| attrs.pop())
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    Some(match item {
        syn::Item::Struct(i) => &mut i.attrs,
        syn::Item::Enum(i) => &mut i.attrs,
        syn::Item::Impl(i) => &mut i.attrs,
        syn::Item::Type(i) => &mut i.attrs,
        syn::Item::Macro(i) => &mut i.attrs,
        syn::Item::Fn(i) => &mut i.attrs,
        syn::Item::Const(i) => &mut i.attrs,
        syn::Item::Trait(i) => &mut i.attrs,
        _ => return None,
    })
}

/// Puts `cfg` after the other attributes (the docs) of every item of `items` (a sequence of
/// items such as a struct and its impls).
pub fn gate_items(items: TokenStream, cfg: &TokenStream) -> TokenStream {
    let Some(attr) = attribute(cfg) else {
        return items;
    };
    match syn::parse2::<syn::File>(items.clone()) {
        Ok(file) => {
            let gated = file.items.into_iter().map(|mut item| {
                match item_attrs(&mut item) {
                    Some(attrs) => attrs.push(attr.clone()),
                    None => return quote!(#attr #item),
                }
                item.into_token_stream()
            });
            quote!(#(#gated)*)
        }
        // Emission only produces items; if that ever fails, compile them ungated.
        Err(_) => items,
    }
}

/// Puts `cfg` on every associated item of `items` (methods of an impl or trait).
pub fn gate_assoc_items(items: TokenStream, cfg: &TokenStream) -> TokenStream {
    let Some(attr) = attribute(cfg) else {
        return items;
    };
    if let Ok(block) = syn::parse2::<syn::ItemImpl>(quote!(impl X { #items })) {
        let gated = block.items.into_iter().map(|mut item| {
            if let syn::ImplItem::Fn(f) = &mut item {
                f.attrs.push(attr.clone());
                return f.into_token_stream();
            }
            quote!(#attr #item)
        });
        return quote!(#(#gated)*);
    }
    if let Ok(block) = syn::parse2::<syn::ItemTrait>(quote!(trait X { #items })) {
        let gated = block.items.into_iter().map(|mut item| {
            if let syn::TraitItem::Fn(f) = &mut item {
                f.attrs.push(attr.clone());
                return f.into_token_stream();
            }
            quote!(#attr #item)
        });
        return quote!(#(#gated)*);
    }
    items
}
