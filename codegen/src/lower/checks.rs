//! Checks no single lowering step can make: type aliases that only stand for each other, and
//! values the document holds that the generator ignores or degrades (regular expressions it
//! cannot read, unknown types, paths and responses it skips).

use super::Lowering;
use crate::error::{Location, pointer};
use crate::ir::{TypeKind, TypeRef};
use crate::names;
use crate::parse::walk::{self, Node};
use std::collections::{BTreeMap, BTreeSet};

/// Reports cycles of type aliases (`A: {$ref: B}`, `B: {$ref: A}`, or `A: {items: {$ref: A}}`):
/// Rust type aliases cannot refer to themselves, and no struct breaks such a cycle. Cycles
/// through a struct, union or enum are fine (`box_recursive_fields` boxes them).
pub(crate) fn alias_cycles(cx: &mut Lowering<'_>) {
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut sources: BTreeMap<&str, &str> = BTreeMap::new();
    for def in &cx.types {
        if let TypeKind::Alias(ty) = &def.kind {
            let mut targets = BTreeSet::new();
            named(ty, &mut targets);
            edges.insert(&def.rust_name, targets);
            sources.insert(&def.rust_name, &def.source);
        }
    }
    // Keep only edges between aliases, then peel off aliases that lead nowhere: what is left
    // is on a cycle or leads into one.
    let aliases: BTreeSet<&str> = edges.keys().copied().collect();
    for targets in edges.values_mut() {
        targets.retain(|t| aliases.contains(t));
    }
    let mut reverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, targets) in &edges {
        for to in targets {
            reverse.entry(to).or_default().push(from);
        }
    }
    let mut out_degree: BTreeMap<&str, usize> =
        edges.iter().map(|(name, t)| (*name, t.len())).collect();
    let mut done: Vec<&str> = out_degree
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(name, _)| *name)
        .collect();
    while let Some(name) = done.pop() {
        for from in reverse.get(name).into_iter().flatten() {
            if let Some(n) = out_degree.get_mut(from) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    done.push(from);
                }
            }
        }
    }
    let left: BTreeSet<&str> = out_degree
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(name, _)| *name)
        .collect();
    let mut reported: BTreeSet<&str> = BTreeSet::new();
    let mut cycles: Vec<Vec<&str>> = Vec::new();
    for start in &left {
        let mut path: Vec<&str> = Vec::new();
        let mut current = *start;
        loop {
            if reported.contains(current) {
                break;
            }
            if let Some(i) = path.iter().position(|n| *n == current) {
                let cycle: Vec<&str> = path.get(i..).unwrap_or_default().to_vec();
                reported.extend(cycle.iter().copied());
                cycles.push(cycle);
                break;
            }
            path.push(current);
            let next = edges
                .get(current)
                .and_then(|targets| targets.iter().find(|t| left.contains(*t)));
            match next {
                Some(next) => current = next,
                None => break,
            }
        }
        reported.extend(path);
    }
    let messages: Vec<(Location, String)> = cycles
        .iter()
        .filter_map(|cycle| {
            let first = *cycle.first()?;
            let source = sources.get(first).copied().unwrap_or_default();
            let names: Vec<String> = cycle
                .iter()
                .map(|n| format!("`{}`", schema_name(sources.get(n).copied().unwrap_or(n))))
                .collect();
            let message = if names.len() == 1 {
                format!(
                    "schema {} is defined as itself (through `$ref`, `items`, \
                     `additionalProperties` or a one-member `allOf`/`oneOf`/`anyOf`), so no Rust \
                     type can represent it; give it a type of its own or remove the reference",
                    names.join("")
                )
            } else {
                format!(
                    "the schemas {} → {} form a `$ref` cycle in which each only stands for the \
                     next (through `$ref`, `items` or `additionalProperties`), so no Rust type can \
                     represent them; make one of them an object with properties, or remove the cycle",
                    names.join(" → "),
                    names.first().cloned().unwrap_or_default()
                )
            };
            Some((Location::new(source), message))
        })
        .collect();
    for (location, message) in messages {
        cx.error(location, message);
    }
}

/// Every named type `ty` mentions, at any depth.
fn named<'t>(ty: &'t TypeRef, into: &mut BTreeSet<&'t str>) {
    match ty {
        TypeRef::Named(name) => {
            into.insert(name);
        }
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => named(inner, into),
        _ => {}
    }
}

/// The schema name in a `#/components/schemas/Name` pointer, else the text itself.
fn schema_name(source: &str) -> String {
    match source.strip_prefix("#/components/schemas/") {
        Some(name) if !name.contains('/') => super::unescape_pointer(name),
        _ => source.to_owned(),
    }
}

/// The OpenAPI 3.0 types.
const TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

/// Walks the whole document (used or not) for values the generator ignores or degrades.
pub(crate) fn document(cx: &mut Lowering<'_>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    walk::walk(cx.raw, &mut |node, value, at| match node {
        Node::Schema => {
            if let Some(pattern) = value.get("pattern").and_then(|p| p.as_str()) {
                if let Err(error) = regex_syntax::Parser::new().parse(pattern) {
                    let reason = match &error {
                        regex_syntax::Error::Parse(e) => e.kind().to_string(),
                        regex_syntax::Error::Translate(e) => e.kind().to_string(),
                        other => other.to_string(),
                    };
                    warnings.push((
                        pointer(at, "pattern"),
                        format!(
                            "`pattern` {pattern:?} is not a valid regular expression ({reason}; \
                             look-around and backreferences are not supported either); the \
                             generated code does not check patterns, so only the document is \
                             wrong: fix or remove the pattern"
                        ),
                    ));
                }
            }
            if let Some(ty) = value.get("type").and_then(|t| t.as_str()) {
                if !TYPES.contains(&ty) {
                    warnings.push((
                        pointer(at, "type"),
                        format!(
                            "`type: {ty}` is not an OpenAPI 3.0 type (one of {}); the value is \
                             generated as `serde_json::Value`",
                            TYPES.join(", ")
                        ),
                    ));
                }
            }
        }
        Node::Reference => {
            if let Some(reference) = value.get("$ref").filter(|r| !r.is_string()) {
                errors.push((
                    pointer(at, "$ref"),
                    format!(
                        "`$ref: {reference}` must be a string such as `#/components/schemas/Name`"
                    ),
                ));
            }
        }
        Node::Paths => {
            for key in value.as_object().into_iter().flat_map(|o| o.keys()) {
                if !key.starts_with('/') && !key.starts_with("x-") {
                    warnings.push((
                        pointer(at, key),
                        format!("path `{key}` does not start with `/`; it is ignored"),
                    ));
                }
            }
        }
        Node::Responses => {
            for key in value.as_object().into_iter().flat_map(|o| o.keys()) {
                let status = serde_json::from_value::<openapiv3::StatusCode>(
                    serde_json::Value::String(key.clone()),
                );
                if key != "default" && !key.starts_with("x-") && status.is_err() {
                    warnings.push((
                        pointer(at, key),
                        format!(
                            "`{key}` is not a status code (`200`, `2XX` or `default`); the \
                             response is ignored"
                        ),
                    ));
                }
            }
        }
        _ => {}
    });
    for (at, message) in errors {
        cx.error(Location::new(at), message);
    }
    for (at, message) in warnings {
        cx.warn(Location::new(at), message);
    }
}

/// Warns where two wire names became the same Rust name and one of them was renamed
/// (`foo_bar`, `foo_bar2`): component schemas, struct fields, enum variants, parameters and
/// operation methods. Naming is decided elsewhere; this only finds what it renamed.
pub(crate) fn collisions(cx: &mut Lowering<'_>, operations: &[crate::ir::Operation]) {
    let mut found: Vec<(Location, String)> = Vec::new();
    let mut note = |at: String, what: &str, first: &str, second: &str, a: &str, b: &str| {
        found.push((
            Location::new(at),
            format!(
                "{what} {first:?} and {second:?} both become `{a}` in Rust; {second:?} is named \
                 `{b}` instead"
            ),
        ));
    };
    // Component schemas.
    let schema_types: BTreeMap<&str, &str> = cx
        .schema_names
        .iter()
        .map(|(wire, rust)| (rust.as_str(), wire.as_str()))
        .collect();
    for (wire, rust) in &cx.schema_names {
        let wanted = names::camel(wire);
        if names::unraw(rust) != names::unraw(&wanted) {
            if let Some(other) = schema_types.get(wanted.as_str()) {
                note(
                    pointer("#/components/schemas", wire),
                    "schemas",
                    other,
                    wire,
                    &wanted,
                    rust,
                );
            }
        }
    }
    for def in &cx.types {
        match &def.kind {
            TypeKind::Struct(s) => {
                for field in &s.fields {
                    let wanted = names::snake(&field.wire_name);
                    if names::unraw(&field.rust_name) == names::unraw(&wanted) {
                        continue;
                    }
                    if let Some(other) = s
                        .fields
                        .iter()
                        .find(|f| names::unraw(&f.rust_name) == names::unraw(&wanted))
                    {
                        note(
                            pointer(&format!("{}/properties", def.source), &field.wire_name),
                            "properties",
                            &other.wire_name,
                            &field.wire_name,
                            names::unraw(&wanted),
                            names::unraw(&field.rust_name),
                        );
                    }
                }
            }
            TypeKind::Enum(e) => {
                for variant in &e.variants {
                    let wanted = names::camel(&variant.wire_name);
                    let bare = wanted.trim_start_matches('_');
                    if variant.rust_name == wanted
                        || variant.rust_name == format!("Minus{bare}")
                        || variant.rust_name == format!("Plus{bare}")
                    {
                        continue;
                    }
                    if let Some(other) = e.variants.iter().find(|v| v.rust_name == wanted) {
                        note(
                            format!("{}/enum", def.source),
                            "enum values",
                            &other.wire_name,
                            &variant.wire_name,
                            &wanted,
                            &variant.rust_name,
                        );
                    }
                }
            }
            TypeKind::Alias(_)
            | TypeKind::Union(_)
            | TypeKind::ErrorEnum(_)
            | TypeKind::SuccessStruct(_)
            | TypeKind::SuccessEnum(_)
            | TypeKind::IntEnum(_) => {}
        }
    }
    for op in operations {
        for param in &op.params {
            let wanted = names::snake(&param.wire_name);
            if names::unraw(&param.rust_name) == names::unraw(&wanted) {
                continue;
            }
            if let Some(other) = op
                .params
                .iter()
                .find(|p| names::unraw(&p.rust_name) == names::unraw(&wanted))
            {
                note(
                    format!("{}/parameters", op.source),
                    "parameters",
                    &other.wire_name,
                    &param.wire_name,
                    names::unraw(&wanted),
                    names::unraw(&param.rust_name),
                );
            }
        }
    }
    let mut by_method: BTreeMap<String, Vec<&crate::ir::Operation>> = BTreeMap::new();
    for op in operations {
        by_method
            .entry(names::snake(&op.operation_id))
            .or_default()
            .push(op);
    }
    for (method, ops) in &by_method {
        if let [first, rest @ ..] = ops.as_slice() {
            for op in rest {
                // Renamed with a number (`list_things2`), not shortened (`Group_Op` → `op`).
                let numbered = names::unraw(&op.rust_name)
                    .strip_prefix(names::unraw(method))
                    .is_some_and(|n| {
                        n.trim_start_matches('_')
                            .starts_with(|c: char| c.is_ascii_digit())
                    });
                if op.operation_id != first.operation_id && numbered {
                    note(
                        op.source.clone(),
                        "operationIds",
                        &first.operation_id,
                        &op.operation_id,
                        names::unraw(method),
                        names::unraw(&op.rust_name),
                    );
                }
            }
        }
    }
    for (location, message) in found {
        cx.warn(location, message);
    }
}
