//! Checks no single lowering step can make: type aliases that only stand for each other, and
//! values the document holds that the generator ignores or degrades (regular expressions it
//! cannot read, unknown types, paths and responses it skips).

use super::Lowering;
use crate::error::Location;
use crate::ir::{TypeKind, TypeRef};
use crate::parse::walk::{self, Node};
use crate::pointer::join as pointer;
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
    // Keep only edges between aliases.
    let aliases: BTreeSet<&str> = edges.keys().copied().collect();
    for targets in edges.values_mut() {
        targets.retain(|t| aliases.contains(t));
    }
    let left = on_or_into_cycles(&edges);
    let messages: Vec<(Location, String)> = cycles(&edges, &left)
        .iter()
        .filter_map(|cycle| {
            let first = *cycle.first()?;
            let source = sources.get(first).copied().unwrap_or_default();
            let names: Vec<String> = cycle
                .iter()
                .map(|n| format!("`{}`", schema_name(sources.get(n).copied().unwrap_or(n))))
                .collect();
            Some((Location::new(source), cycle_message(&names)))
        })
        .collect();
    for (location, message) in messages {
        cx.error(location, message);
    }
}

/// The nodes of `edges` left once those that lead nowhere are peeled off, repeatedly: those on
/// a cycle or leading into one.
fn on_or_into_cycles<'a>(edges: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> BTreeSet<&'a str> {
    let mut reverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, targets) in edges {
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
    out_degree
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, _)| name)
        .collect()
}

/// One cycle through each group of `left` (see [`on_or_into_cycles`]), each reported once,
/// found by following edges from each node until a node repeats.
fn cycles<'a>(
    edges: &BTreeMap<&'a str, BTreeSet<&'a str>>,
    left: &BTreeSet<&'a str>,
) -> Vec<Vec<&'a str>> {
    let mut reported: BTreeSet<&str> = BTreeSet::new();
    let mut cycles: Vec<Vec<&str>> = Vec::new();
    for start in left {
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
    cycles
}

/// The error for a cycle of aliases, given the names of its schemas (quoted) in order.
fn cycle_message(names: &[String]) -> String {
    if names.len() == 1 {
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
    }
}

/// Every named type `ty` mentions, at any depth.
fn named<'t>(ty: &'t TypeRef, into: &mut BTreeSet<&'t str>) {
    match ty {
        TypeRef::Named(name) => {
            into.insert(name);
        }
        TypeRef::Vec(inner)
        | TypeRef::Map(inner)
        | TypeRef::Boxed(inner)
        | TypeRef::Nullable(inner) => named(inner, into),
        TypeRef::Tuple(items) => items.iter().for_each(|item| named(item, into)),
        _ => {}
    }
}

/// The schema name in a `#/components/schemas/Name` pointer, else the text itself.
fn schema_name(source: &str) -> String {
    crate::pointer::component_name(source, "schemas").unwrap_or_else(|| source.to_owned())
}

/// The OpenAPI 3.0 types.
const TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

/// Walks the whole document (used or not) for values the generator ignores or degrades.
pub(crate) fn document(cx: &mut Lowering<'_>) {
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
    // A `$ref` that is not a string never gets here: parsing reports it (`parse::shape`).
    for (at, message) in warnings {
        cx.warn(Location::new(at), message);
    }
}
