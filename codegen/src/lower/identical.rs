//! Identical types made once: a type lowered from an inline schema whose Rust definition would
//! be the same as another type's (fields, variants, their docs and attributes, with the types
//! they name themselves taken as identical where they are) becomes an alias of that type.
//!
//! Large documents repeat inline schemas: GitHub's spells out the same `user`, `license` or
//! `permissions` object in hundreds of webhook payloads, and the same `"read", "write"` enum
//! in hundreds of places. Each copy is a struct or an enum with its own serde impls, derives,
//! constructor and setters, which the crate's users compile. An alias has no body, and every
//! name keeps working: `Alias::new(…)`, `Alias { … }`, `Alias::Variant`, patterns.
//!
//! Component schemas keep their definitions: their names are the document's, and two of them
//! alike may well mean different things. An inline type joins a component it is identical to,
//! or else the identical inline type with the shortest name (then the first by name), so the
//! choice depends only on the document. Identity is found bottom-up, one level per round:
//! first types whose definitions are equal as written, then those that become equal once the
//! types they name are replaced by the ones they join. Types that contain themselves never
//! join another (their definitions differ in the name of the cycle), which also means joining
//! makes no new cycle.

use crate::ir::{TypeDef, TypeKind, TypeRef};
use std::collections::BTreeMap;

/// The most rounds of joining (each round joins types one level further from the leaves; no
/// real document nests inline schemas this deep).
const MAX_ROUNDS: usize = 256;

/// Makes every type of `types` (sorted by name) that is identical to another an alias of it
/// (see the module docs), marking it [`TypeDef::identical`].
pub(super) fn join_identical(types: &mut [TypeDef]) {
    let index: BTreeMap<&str, usize> = types
        .iter()
        .enumerate()
        .map(|(i, def)| (def.rust_name.as_str(), i))
        .collect();
    // Each type's definition as text with the names it refers to cut out (a template, kept
    // once), those names as positions in `types` (`None` for a name that is not a type), and
    // its rank as a target: components first, then the shortest name, then the first by name.
    let mut templates: BTreeMap<String, usize> = BTreeMap::new();
    let shapes: Vec<Shape> = types
        .iter()
        .map(|def| {
            let rank = (
                !is_component(def),
                def.rust_name.len(),
                def.rust_name.clone(),
            );
            let form = form(def).map(|(text, names)| {
                let next = templates.len();
                let template = *templates.entry(text).or_insert(next);
                let refs = names
                    .iter()
                    .map(|n| index.get(n.as_str()).copied())
                    .collect();
                (template, refs)
            });
            Shape { rank, form }
        })
        .collect();
    // `joined[i]`: the type `i` is an alias of (itself while it keeps its definition).
    let mut joined: Vec<usize> = (0..types.len()).collect();
    for _ in 0..MAX_ROUNDS {
        if !join_round(&shapes, &mut joined) {
            break;
        }
    }
    let targets: Vec<Option<String>> = (0..types.len())
        .map(|i| {
            let target = root(&joined, i);
            (target != i).then(|| types.get(target).map(|t| t.rust_name.clone()))?
        })
        .collect();
    for (def, target) in types.iter_mut().zip(targets) {
        if let Some(name) = target {
            def.kind = TypeKind::Alias(TypeRef::Named(name));
            def.identical = true;
        }
    }
}

/// What joining knows of a type.
struct Shape {
    /// Lower is a better target: (not a component, name length, name).
    rank: (bool, usize, String),
    /// The template of its definition and the types it names; `None` when it never joins.
    form: Option<(usize, Vec<Option<usize>>)>,
}

impl Shape {
    fn is_component(&self) -> bool {
        !self.rank.0
    }
}

/// One round: the types that keep their definitions, grouped by definition (with the types
/// they name replaced by what those joined), each group joined to its best-ranked member.
/// Whether any type joined.
fn join_round(shapes: &[Shape], joined: &mut [usize]) -> bool {
    let mut classes: BTreeMap<(usize, Vec<Option<usize>>), Vec<usize>> = BTreeMap::new();
    for (i, shape) in shapes.iter().enumerate() {
        let Some((template, refs)) = &shape.form else {
            continue;
        };
        if joined.get(i) != Some(&i) {
            continue;
        }
        let refs = refs.iter().map(|r| r.map(|r| root(joined, r))).collect();
        classes.entry((*template, refs)).or_default().push(i);
    }
    let mut changed = false;
    for members in classes.values().filter(|m| m.len() > 1) {
        let ranked: Vec<(&Shape, usize)> = members
            .iter()
            .filter_map(|&i| shapes.get(i).map(|s| (s, i)))
            .collect();
        let Some(&(_, best)) = ranked.iter().min_by(|a, b| a.0.rank.cmp(&b.0.rank)) else {
            continue;
        };
        for &(shape, member) in &ranked {
            if member != best && !shape.is_component() {
                if let Some(slot) = joined.get_mut(member) {
                    *slot = best;
                    changed = true;
                }
            }
        }
    }
    changed
}

/// The type `i` ends up as: `joined` followed until a type that is its own.
fn root(joined: &[usize], mut i: usize) -> usize {
    // Every step goes to a type of a better rank, so the walk ends; the bound is for safety.
    for _ in 0..joined.len() {
        match joined.get(i) {
            Some(&next) if next != i => i = next,
            _ => break,
        }
    }
    i
}

/// Whether a type is a component schema's (`#/components/schemas/{name}`).
pub(super) fn is_component(def: &TypeDef) -> bool {
    def.source
        .strip_prefix("#/components/schemas/")
        .is_some_and(|name| !name.contains('/'))
}

/// A type's definition as text with every type name it refers to replaced by a mark, and those
/// names in order; `None` for the kinds that never join (aliases already, and the success
/// types named after their operation).
pub(super) fn form(def: &TypeDef) -> Option<(String, Vec<String>)> {
    let mut kind = def.kind.clone();
    let mut names = Vec::new();
    let mut cut = |ty: &mut TypeRef| cut_names(ty, &mut names);
    match &mut kind {
        TypeKind::Struct(s) => {
            s.fields.iter_mut().for_each(|f| cut(&mut f.ty));
            if let Some(extra) = &mut s.additional {
                cut(&mut extra.value);
            }
        }
        TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| cut(&mut v.ty)),
        TypeKind::ErrorEnum(variants) => variants.iter_mut().for_each(|v| cut(&mut v.ty)),
        TypeKind::Enum(_) | TypeKind::IntEnum(_) => {}
        TypeKind::Alias(_) | TypeKind::SuccessStruct(_) | TypeKind::SuccessEnum(_) => {
            return None;
        }
    }
    Some((format!("{} {kind:?}", def.deprecated), names))
}

/// Replaces every type name in `ty` by an empty one, pushing the names in order.
fn cut_names(ty: &mut TypeRef, names: &mut Vec<String>) {
    each_named(ty, &mut |named| {
        if let TypeRef::Named(name) = named {
            names.push(std::mem::take(name));
        }
    });
}

/// Calls `f` on every `TypeRef::Named` in `ty`, in order: the order in which [`form`] cuts
/// the names out.
pub(super) fn each_named(ty: &mut TypeRef, f: &mut dyn FnMut(&mut TypeRef)) {
    match ty {
        TypeRef::Named(_) => f(ty),
        // Made after joining; kept as written.
        TypeRef::Generic(..) | TypeRef::Param(_) => {}
        TypeRef::Vec(inner)
        | TypeRef::Map(inner)
        | TypeRef::Boxed(inner)
        | TypeRef::Nullable(inner) => each_named(inner, f),
        TypeRef::Tuple(items) => items.iter_mut().for_each(|t| each_named(t, f)),
        TypeRef::String
        | TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F32
        | TypeRef::F64
        | TypeRef::DateTime
        | TypeRef::Date
        | TypeRef::Json
        | TypeRef::Bytes
        | TypeRef::Uuid
        | TypeRef::Base64 => {}
    }
}
