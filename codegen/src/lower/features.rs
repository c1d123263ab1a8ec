//! Cargo features per tag ([`Gates`]), decided once the API is lowered: an operation is
//! compiled with its tags' features, a type with the features of every operation that reaches
//! it, and emission writes them as `#[cfg]` attributes where it builds the items.

use crate::ir::{Api, Gates, TypeKind, TypeRef};
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

/// The named types a type reference mentions.
pub(super) fn named(ty: &TypeRef, out: &mut Vec<String>) {
    match ty {
        TypeRef::Named(name) => out.push(name.clone()),
        TypeRef::Generic(name, arg) => {
            out.push(name.clone());
            named(arg, out);
        }
        TypeRef::Vec(inner)
        | TypeRef::Map(inner)
        | TypeRef::Boxed(inner)
        | TypeRef::Nullable(inner) => named(inner, out),
        TypeRef::Tuple(items) => items.iter().for_each(|item| named(item, out)),
        _ => {}
    }
}

/// Type name → the named types its definition mentions.
pub(super) fn edges(api: &Api) -> BTreeMap<&str, Vec<String>> {
    let mut edges = BTreeMap::new();
    for def in api.types.iter().chain(&api.response_types) {
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
                r.body.iter().for_each(|b| named(&b.ty, &mut targets));
                r.headers.iter().for_each(|h| named(&h.ty, &mut targets));
            }
            TypeKind::SuccessEnum(r) => r
                .variants
                .iter()
                .filter_map(|v| v.body.as_ref())
                .for_each(|b| named(&b.ty, &mut targets)),
            TypeKind::Enum(_) | TypeKind::IntEnum(_) => {}
        }
        edges.insert(def.rust_name.as_str(), targets);
    }
    edges
}

/// The named types an operation mentions directly: what it sends, what it receives and its
/// error type.
fn roots(op: &crate::ir::Operation) -> Vec<String> {
    let (mut roots, received) = super::directions::roots(op);
    roots.extend(received);
    named(&op.error_type, &mut roots);
    roots
}

/// Every type reachable from `roots` through `edges`, `roots` included.
pub(super) fn reachable(
    edges: &BTreeMap<&str, Vec<String>>,
    mut roots: Vec<String>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    while let Some(name) = roots.pop() {
        if seen.contains(&name) {
            continue;
        }
        if let Some(next) = edges.get(name.as_str()) {
            roots.extend(next.iter().cloned());
        }
        seen.insert(name);
    }
    seen
}

/// The gates of `api` with a feature per tag.
pub(crate) fn gates(api: &Api) -> Gates {
    let edges = edges(api);
    let mut operations = BTreeMap::new();
    let mut types: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut all = BTreeSet::new();
    for op in &api.operations {
        let features: BTreeSet<String> = if op.tags.is_empty() {
            [UNTAGGED.to_owned()].into()
        } else {
            op.tags.iter().map(|t| feature_name(t)).collect()
        };
        all.extend(features.iter().cloned());
        // Every type reachable from the operation is compiled with its features.
        for name in reachable(&edges, roots(op)) {
            types
                .entry(name)
                .or_default()
                .extend(features.iter().cloned());
        }
        operations.insert(op.operation_id.clone(), features.into_iter().collect());
    }
    // Schemas no operation uses (webhook payloads, for instance) get a feature of their own,
    // passed on to what they contain, so that every gated type's fields exist.
    let unused: Vec<String> = api
        .types
        .iter()
        .filter(|t| !types.contains_key(&t.rust_name))
        .map(|t| t.rust_name.clone())
        .collect();
    if !unused.is_empty() && !api.operations.is_empty() {
        all.insert(OTHER_SCHEMAS.to_owned());
        for name in reachable(&edges, unused) {
            types
                .entry(name)
                .or_default()
                .insert(OTHER_SCHEMAS.to_owned());
        }
    }
    // The error type every operation shares is named by the crate root (`Error`) and the
    // client's constructors, which are compiled with any set of features (none, too): so are
    // it and every type it contains.
    if let Some(error) = api.common_error_type() {
        let mut roots = Vec::new();
        named(error, &mut roots);
        for name in reachable(&edges, roots) {
            types.remove(&name);
        }
    }
    Gates {
        features: all.into_iter().collect(),
        operations,
        types: types
            .into_iter()
            .map(|(name, features)| (name, features.into_iter().collect()))
            .collect(),
    }
}
