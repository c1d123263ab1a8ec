//! Structs alike but for one type made once, generic over it: inline object schemas whose
//! Rust definitions would be the same (fields, their docs, kinds and wire names) except for
//! the type they name at the same places become aliases of one struct generic over that type:
//! `pub type DevicesListResponse = ListResponse<Device>;`.
//!
//! Large documents describe their list responses inline, once per list operation: netbox's has
//! 93 `{count, next, previous, results: [X]}` objects that differ only in `X`. Each copy is a
//! struct with its own serde impls, derives, constructor and setters, which the crate's users
//! compile; the generic struct is checked once. Every name keeps working: `Alias::new(…)`,
//! `Alias { … }`, patterns.
//!
//! Which types join: inline schemas only (component schemas keep their definitions, as in
//! the `identical` pass, which runs first), of two or more that differ in one type at one or
//! more places (the same type at each place in one struct), plain structs (no
//! `additionalProperties`, no defaults, not all-optional: those have impls the generic struct
//! would not write), in no cycle of types (`type A = G<A>` is not Rust). The generic struct is
//! named after the words all its members' names start and end with (`ListResponse`,
//! `SearchResponse`), or else after the first member (`…Of`); see `generic_name`.

use super::identical::{each_named, form, is_component};
use crate::ir::{Directions, TypeDef, TypeKind, TypeRef};
use crate::names::Scope;
use std::collections::BTreeMap;

/// Joins the structs of `types` (sorted by name, and sorted again after) that differ in one
/// type into aliases of a new generic struct each (see the module docs), naming those in
/// `names`.
pub(super) fn join_generic(types: &mut Vec<TypeDef>, names: &mut Scope) {
    // Each definition with the names it refers to cut out, and those names.
    let mut forms: Vec<Option<(String, Vec<String>)>> = types.iter().map(form).collect();
    // A member in a cycle could be its own argument: `type A = G<A>` is not Rust.
    let cyclic = in_cycles(types, &forms);
    // Template → (member, the names it refers to).
    let mut classes: BTreeMap<String, Vec<(usize, Vec<String>)>> = BTreeMap::new();
    for (i, (def, shape)) in types.iter().zip(&mut forms).enumerate() {
        if !joins(def) || cyclic.get(i).copied().unwrap_or(true) {
            continue;
        }
        if let Some((template, refs)) = shape.take() {
            classes.entry(template).or_default().push((i, refs));
        }
    }
    let param = param_name(names);
    let mut made = Vec::new();
    for members in classes.values().filter(|m| m.len() > 1) {
        let Some((varying, args)) = varying(members) else {
            continue;
        };
        let Some(first) = members.first().and_then(|(i, _)| types.get(*i)) else {
            continue;
        };
        let member_names: Vec<&str> = members
            .iter()
            .filter_map(|(i, _)| types.get(*i).map(|d| d.rust_name.as_str()))
            .collect();
        let name = names.claim(&generic_name(&member_names, &first.rust_name, names));
        let mut kind = first.kind.clone();
        if let TypeKind::Struct(s) = &mut kind {
            let mut at = 0;
            for field in &mut s.fields {
                parameterize(&mut field.ty, &mut at, &varying, &param);
            }
        }
        made.push(TypeDef {
            rust_name: name.clone(),
            source: String::new(),
            docs: Some(generic_docs(&member_names, &param)),
            deprecated: first.deprecated,
            kind,
            directions: Directions::BOTH,
            identical: false,
        });
        for ((i, _), arg) in members.iter().zip(args) {
            if let Some(def) = types.get_mut(*i) {
                def.kind = TypeKind::Alias(TypeRef::Generic(
                    name.clone(),
                    Box::new(TypeRef::Named(arg)),
                ));
            }
        }
    }
    types.extend(made);
    types.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
}

/// Whether a type may join a generic struct (see the module docs).
fn joins(def: &TypeDef) -> bool {
    match &def.kind {
        TypeKind::Struct(s) => {
            !is_component(def)
                && s.additional.is_none()
                && !s.derive_default
                && s.fields.iter().all(|f| f.default.is_none())
        }
        _ => false,
    }
}

/// The places (indexes among the names a definition refers to) where the members of a class
/// differ, and each member's type there; `None` unless they differ somewhere and every
/// member names one type at all those places.
fn varying(members: &[(usize, Vec<String>)]) -> Option<(Vec<usize>, Vec<String>)> {
    let (_, first) = members.first()?;
    let places: Vec<usize> = (0..first.len())
        .filter(|&p| members.iter().any(|(_, refs)| refs.get(p) != first.get(p)))
        .collect();
    let &place = places.first()?;
    let mut args = Vec::with_capacity(members.len());
    for (_, refs) in members {
        let arg = refs.get(place)?;
        if places.iter().any(|&p| refs.get(p) != Some(arg)) {
            return None;
        }
        args.push(arg.clone());
    }
    Some((places, args))
}

/// Replaces the named types of `ty` at `places` (counted from `at`, in the order that
/// [`form`] cuts them) by the type parameter.
fn parameterize(ty: &mut TypeRef, at: &mut usize, places: &[usize], param: &str) {
    each_named(ty, &mut |named| {
        if places.contains(at) {
            *named = TypeRef::Param(param.to_owned());
        }
        *at += 1;
    });
}

/// For each type (by position in `types`), whether it is in a cycle of types (reaches itself);
/// `forms` are the types' [`form`]s, in the same order.
fn in_cycles(types: &[TypeDef], forms: &[Option<(String, Vec<String>)>]) -> Vec<bool> {
    let edges: BTreeMap<String, Vec<String>> = types
        .iter()
        .zip(forms)
        .map(|(def, shape)| {
            let mut out = Vec::new();
            if let Some((_, refs)) = shape {
                out.clone_from(refs);
            } else if let TypeKind::Alias(ty) = &def.kind {
                super::features::named(ty, &mut out);
            }
            (def.rust_name.clone(), out)
        })
        .collect();
    let components = super::graph::components(&edges);
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for component in components.values() {
        *sizes.entry(*component).or_default() += 1;
    }
    types
        .iter()
        .map(|def| {
            let name = def.rust_name.as_str();
            let shared = components
                .get(name)
                .is_some_and(|c| sizes.get(c).copied().unwrap_or(0) > 1);
            shared
                || edges
                    .get(name)
                    .is_some_and(|out| out.iter().any(|t| t == name))
        })
        .collect()
}

/// The generic struct's name: the words every member's name starts with and those it ends
/// with (`SearchResponse` for `SearchCodeResponse` and `SearchLabelsResponse`), when they are
/// two words or more, not a member's whole name and not taken; else the first member's name
/// and `Of`.
fn generic_name(members: &[&str], first: &str, names: &Scope) -> String {
    let words: Vec<Vec<&str>> = members.iter().map(|m| camel_words(m)).collect();
    let shortest = words.iter().map(Vec::len).min().unwrap_or(0);
    let common = |at: &dyn Fn(&[&str], usize) -> Option<usize>| {
        let mut n = 0;
        while n < shortest {
            let first_word = words.first().and_then(|w| word_at(w, at(w, n)));
            if first_word.is_none() || words.iter().any(|w| word_at(w, at(w, n)) != first_word) {
                break;
            }
            n += 1;
        }
        n
    };
    let suffix = common(&|w, k| w.len().checked_sub(k + 1));
    let prefix = common(&|_, k| Some(k)).min(shortest.saturating_sub(suffix));
    let fallback = format!("{first}Of");
    let Some(some) = words.first() else {
        return fallback;
    };
    let name: String = some
        .iter()
        .take(prefix)
        .chain(some.iter().skip(some.len().saturating_sub(suffix)))
        .copied()
        .collect();
    if prefix + suffix < 2 || prefix + suffix >= shortest || names.contains(&name) {
        fallback
    } else {
        name
    }
}

/// The word at `i` of `words`.
fn word_at<'a>(words: &[&'a str], i: Option<usize>) -> Option<&'a str> {
    words.get(i?).copied()
}

/// A CamelCase name's words: `DevicesListResponse` → `Devices`, `List`, `Response` (a run of
/// digits stays with the word before it).
fn camel_words(name: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    for (i, c) in name.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            words.push(name.get(start..i).unwrap_or_default());
            start = i;
        }
    }
    words.push(name.get(start..).unwrap_or_default());
    words
}

/// A type parameter's name that no type of the crate has (`T`, else `T1`, `T2`…).
fn param_name(names: &Scope) -> String {
    let mut name = "T".to_owned();
    let mut n = 1usize;
    while names.contains(&name) {
        name = format!("T{n}");
        n += 1;
    }
    name
}

/// The generic struct's docs: what it is, and some of its aliases.
fn generic_docs(members: &[&str], param: &str) -> String {
    const SHOWN: usize = 3;
    let shown: Vec<String> = members
        .iter()
        .take(SHOWN)
        .map(|m| format!("`{m}`"))
        .collect();
    let more = members.len().saturating_sub(SHOWN);
    let list = match more {
        0 => shown.join(", "),
        _ => format!("{} and {more} more", shown.join(", ")),
    };
    format!(
        "The shape of {} inline schemas alike but for the type `{param}`, each an alias of this \
         struct with its own `{param}` ({list}).",
        members.len()
    )
}
