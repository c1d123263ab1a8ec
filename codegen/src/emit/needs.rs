//! Which optional parts of the runtime a document's crate uses: the runtime's cargo features
//! the generator turns on (and that the generated crate root checks at compile time), so that
//! a client compiles only what its API needs.

use crate::ir::{Api, BodyEncoding, QueryStyle, Success, TypeKind, TypeRef};

/// A cargo feature of the runtime, with the name of the constant in the runtime's `features`
/// module that says whether a build has it, and what in a document needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuntimeFeature {
    /// The cargo feature, e.g. `deep-object`.
    pub name: &'static str,
    /// The constant in `runtime::features`, e.g. `DEEP_OBJECT`.
    pub constant: &'static str,
    /// What needs it, for the compile error when it is off.
    pub reason: &'static str,
}

/// `multipart/form-data` request bodies.
pub const MULTIPART: RuntimeFeature = RuntimeFeature {
    name: "multipart",
    constant: "MULTIPART",
    reason: "`multipart/form-data` request bodies",
};
/// Form bodies.
pub const FORM: RuntimeFeature = RuntimeFeature {
    name: "form",
    constant: "FORM",
    reason: "`application/x-www-form-urlencoded` bodies",
};
/// `deepObject` query parameters.
pub const DEEP_OBJECT: RuntimeFeature = RuntimeFeature {
    name: "deep-object",
    constant: "DEEP_OBJECT",
    reason: "`deepObject` query parameters",
};
/// UUID values.
pub const UUID: RuntimeFeature = RuntimeFeature {
    name: "uuid",
    constant: "UUID",
    reason: "`format: uuid` values",
};

/// Binary bodies: request bodies from a stream or a file, server downloads from a file.
pub const STREAM: RuntimeFeature = RuntimeFeature {
    name: "stream",
    constant: "STREAM",
    reason: "binary bodies (`runtime::Body::from_stream`, `from_file`)",
};

/// The runtime features `api` uses, sorted by name (the server side, behind its own feature,
/// is not among them).
pub fn runtime_features(api: &Api) -> Vec<RuntimeFeature> {
    let mut needs = Vec::new();
    let mut uses_uuid = false;
    let mut visit = |ty: &TypeRef| uses_uuid |= contains_uuid(ty);
    for def in &api.types {
        match &def.kind {
            TypeKind::Struct(s) => {
                s.fields.iter().for_each(|f| visit(&f.ty));
                if let Some(additional) = &s.additional {
                    visit(&additional.value);
                }
            }
            TypeKind::Alias(ty) => visit(ty),
            TypeKind::Union(u) => u.variants.iter().for_each(|v| visit(&v.ty)),
            TypeKind::ErrorEnum(variants) => variants.iter().for_each(|v| visit(&v.ty)),
            // Operations' success types: their parts are visited with the operations.
            TypeKind::Enum(_)
            | TypeKind::IntEnum(_)
            | TypeKind::SuccessStruct(_)
            | TypeKind::SuccessEnum(_) => {}
        }
    }
    let mut encodings = Vec::new();
    for op in &api.operations {
        op.params.iter().for_each(|p| visit(&p.ty));
        if op.params.iter().any(|p| p.style == QueryStyle::DeepObject) {
            needs.push(DEEP_OBJECT);
        }
        if let Some(body) = &op.body {
            visit(&body.ty);
            encodings.push(body.encoding);
        }
        visit(&op.error_type);
        match &op.success {
            Success::Single { body, .. } => encodings.extend(body.iter().map(|b| b.encoding)),
            Success::WithHeaders { body, headers, .. } => {
                encodings.extend(body.iter().map(|b| b.encoding));
                headers.iter().for_each(|h| visit(&h.ty));
            }
            Success::Enum { variants, .. } => encodings.extend(
                variants
                    .iter()
                    .filter_map(|v| v.body.as_ref())
                    .map(|b| b.encoding),
            ),
        }
        if let Some(paging) = &op.paging {
            visit(&paging.item);
        }
    }
    if uses_uuid {
        needs.push(UUID);
    }
    if encodings.contains(&BodyEncoding::Form) {
        needs.push(FORM);
    }
    if encodings.contains(&BodyEncoding::Multipart) {
        needs.push(MULTIPART);
    }
    if encodings.contains(&BodyEncoding::Bytes) {
        needs.push(STREAM);
    }
    needs.sort();
    needs.dedup();
    needs
}

fn contains_uuid(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Uuid => true,
        TypeRef::Vec(inner)
        | TypeRef::Map(inner)
        | TypeRef::Boxed(inner)
        | TypeRef::Nullable(inner) => contains_uuid(inner),
        TypeRef::Tuple(items) => items.iter().any(contains_uuid),
        _ => false,
    }
}
