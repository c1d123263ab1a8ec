//! OpenAPI 3.1 → OpenAPI 3.0.3, on the document as plain JSON, before anything else reads it.
//!
//! The rest of the pipeline reads 3.0 through `openapiv3`, which has no 3.1 model; 3.1 differs
//! from 3.0 mostly in its schemas (JSON Schema 2020-12) and in a few document fields, and
//! nearly every 3.1 construct has a 3.0 form that gives the same Rust type. So a 3.1 document is
//! rewritten into that form here, the way Swagger 2.0 is (`spec::swagger`), and what has no 3.0
//! form is loosened with a warning that points into the 3.1 document. `schema.rs` converts
//! schemas; this file the document around them, and the index of `$defs`, `$id`, `$anchor` and
//! `$dynamicAnchor` that references are resolved against.

mod schema;

use crate::error::{Error, Errors, Location, Warning};
use crate::pointer::{self, join as ptr};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The dialect OpenAPI 3.1 schemas use when a document names none.
const BASE_DIALECT: &str = "https://spec.openapis.org/oas/3.1/dialect/base";

/// Whether `version` (the `openapi` field) is a 3.1 release.
pub(crate) fn is_31(version: &str) -> bool {
    version == "3.1" || version.starts_with("3.1.")
}

/// Where the component schemas that `$defs` entries become stand in the 3.1 document, so that
/// what later stages report at a pointer of the converted document is shown at the entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct Relocation(Vec<(String, String)>);

impl Relocation {
    /// `at` (a pointer of the converted document) in the 3.1 document, when it is in a
    /// hoisted `$defs` entry.
    fn pointer(&self, at: &str) -> Option<String> {
        self.0.iter().find_map(|(component, def)| {
            if at == component {
                Some(def.clone())
            } else {
                at.strip_prefix(component.as_str())
                    .filter(|rest| rest.starts_with('/'))
                    .map(|rest| format!("{def}{rest}"))
            }
        })
    }

    /// Moves `location` to the 3.1 document.
    pub(crate) fn location(&self, location: &mut Location) {
        if let Some(at) = self.pointer(&location.pointer) {
            location.pointer = at;
        }
    }

    /// Moves the error's location (if it has one) to the 3.1 document.
    pub(crate) fn error(&self, error: &mut Error) {
        if let Error::Invalid { location, .. } | Error::Semantic { location, .. } = error {
            self.location(location);
        }
    }
}

/// The document as OpenAPI 3.0.3, the warnings of what was loosened on the way, and where its
/// hoisted `$defs` entries came from; or every error found (an unknown `type`, an empty
/// `type` list...), each at its pointer.
pub(crate) fn downgrade(
    file: &str,
    root: &Value,
) -> Result<(Value, Vec<Warning>, Relocation), Errors> {
    let mut converter = Downgrade {
        file,
        index: Index::of(root),
        warnings: Vec::new(),
        errors: Vec::new(),
        hoisted: Vec::new(),
    };
    let out = converter.document(root);
    let relocation = Relocation(
        converter
            .index
            .defs
            .iter()
            .map(|(def, component)| (component.clone(), def.clone()))
            .collect(),
    );
    if converter.errors.is_empty() {
        Ok((out, converter.warnings, relocation))
    } else {
        Err(Errors(converter.errors))
    }
}

/// Where the schemas that references can name stand, in the 3.1 document.
#[derive(Debug, Default)]
struct Index {
    /// `$anchor` and `$dynamicAnchor` names → the pointer of their schema.
    anchors: BTreeMap<String, String>,
    /// `$dynamicAnchor` names alone (what a `$dynamicRef` can follow).
    dynamic: BTreeMap<String, String>,
    /// `$id` values → the pointer of their schema.
    ids: BTreeMap<String, String>,
    /// The pointer of every `$defs` entry → the component schema it becomes, longest first.
    defs: Vec<(String, String)>,
    /// Keywords beside a `$ref` that move into its `allOf/1` (see `schema::sibling_role`):
    /// their pointer → where they stand in the converted document, longest first.
    moved: Vec<(String, String)>,
}

impl Index {
    fn of(root: &Value) -> Self {
        let mut index = Self::default();
        let mut taken: BTreeSet<String> = root
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|schemas| schemas.keys().cloned().collect())
            .unwrap_or_default();
        let mut stack = vec![("#".to_owned(), root)];
        while let Some((at, value)) = stack.pop() {
            match value {
                Value::Object(map) => {
                    index.note(&at, map, &mut taken);
                    for (key, inner) in map.iter().rev() {
                        stack.push((ptr(&at, key), inner));
                    }
                }
                Value::Array(items) => {
                    for (i, inner) in items.iter().enumerate().rev() {
                        stack.push((format!("{at}/{i}"), inner));
                    }
                }
                _ => {}
            }
        }
        index
            .defs
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        index
    }

    /// Records what the object at `at` names or defines.
    fn note(&mut self, at: &str, map: &Map<String, Value>, taken: &mut BTreeSet<String>) {
        if map.get("$ref").is_some_and(Value::is_string) {
            for key in map.keys() {
                if schema::sibling_role(key) == schema::Sibling::Constraint {
                    let moved = ptr(&ptr(&ptr(at, "allOf"), "1"), key);
                    self.moved.push((ptr(at, key), moved));
                }
            }
        }
        if let Some(Value::String(anchor)) = map.get("$anchor") {
            self.anchors.insert(anchor.clone(), at.to_owned());
        }
        if let Some(Value::String(anchor)) = map.get("$dynamicAnchor") {
            self.anchors
                .entry(anchor.clone())
                .or_insert_with(|| at.to_owned());
            self.dynamic.insert(anchor.clone(), at.to_owned());
        }
        if let Some(Value::String(id)) = map.get("$id") {
            self.ids.insert(id.clone(), at.to_owned());
        }
        if let Some(Value::Object(defs)) = map.get("$defs") {
            let owner = if at == "#" {
                String::new()
            } else {
                pointer::last_token(at).into_owned()
            };
            for name in defs.keys() {
                let candidates = [name.clone(), format!("{owner}{name}")];
                let chosen = candidates
                    .iter()
                    .find(|c| !c.is_empty() && !taken.contains(c.as_str()))
                    .cloned()
                    .unwrap_or_else(|| {
                        (2..)
                            .map(|n| format!("{owner}{name}{n}"))
                            .find(|c| !taken.contains(c))
                            .unwrap_or_default()
                    });
                taken.insert(chosen.clone());
                let def_at = ptr(&ptr(at, "$defs"), name);
                self.defs
                    .push((def_at, ptr("#/components/schemas", &chosen)));
            }
        }
    }

    /// The pointer a 3.1 reference stands for in the converted document: anchors and `$id`s
    /// resolved, and a place inside a `$defs` entry moved to where the entry is hoisted.
    /// References it cannot resolve are returned as they are (lowering reports them).
    fn resolve(&self, reference: &str) -> String {
        let local = match reference.split_once('#') {
            Some(("", fragment)) if !fragment.is_empty() && !fragment.starts_with('/') => {
                match self.anchors.get(fragment) {
                    Some(at) => at.clone(),
                    None => return reference.to_owned(),
                }
            }
            Some(("", _)) => pointer::local(reference)
                .map_or_else(|_| reference.to_owned(), std::borrow::Cow::into_owned),
            Some((base, fragment)) => match self.ids.get(base) {
                Some(at) if fragment.is_empty() || fragment.starts_with('/') => {
                    format!("{at}{fragment}")
                }
                Some(_) => match self.anchors.get(fragment) {
                    Some(at) => at.clone(),
                    None => return reference.to_owned(),
                },
                None => return reference.to_owned(),
            },
            None => match self.ids.get(reference) {
                Some(at) => at.clone(),
                None => return reference.to_owned(),
            },
        };
        self.hoist(&self.unmove(&local))
    }

    /// `at` with the `$ref` sibling it is in (the innermost) replaced by where it moved.
    fn unmove(&self, at: &str) -> String {
        for (from, to) in &self.moved {
            if at == from {
                return to.clone();
            }
            if let Some(rest) = at
                .strip_prefix(from.as_str())
                .filter(|r| r.starts_with('/'))
            {
                return format!("{to}{rest}");
            }
        }
        at.to_owned()
    }

    /// `at` with the `$defs` entry it is in (the innermost) replaced by its component.
    fn hoist(&self, at: &str) -> String {
        for (def, component) in &self.defs {
            if at == def {
                return component.clone();
            }
            if let Some(rest) = at.strip_prefix(def.as_str()).filter(|r| r.starts_with('/')) {
                return format!("{component}{rest}");
            }
        }
        at.to_owned()
    }
}

/// The conversion's state.
struct Downgrade<'a> {
    file: &'a str,
    index: Index,
    warnings: Vec<Warning>,
    errors: Vec<Error>,
    /// `$defs` entries converted so far, with their component names (pointers).
    hoisted: Vec<(String, Value)>,
}

impl Downgrade<'_> {
    fn warn(&mut self, at: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            location: Location::new(at),
            message: message.into(),
        });
    }

    fn error(&mut self, at: &str, message: impl Into<String>) {
        // `Semantic`, not `Invalid`: `Invalid` says "not valid OpenAPI 3.0" itself.
        self.errors.push(Error::Semantic {
            file: self.file.to_owned(),
            location: Location::new(at),
            message: format!("not valid OpenAPI 3.1: {}", message.into()),
        });
    }

    /// The whole document.
    fn document(&mut self, root: &Value) -> Value {
        let Some(source) = root.as_object() else {
            return root.clone();
        };
        let path_items = source
            .get("components")
            .and_then(|c| c.get("pathItems"))
            .cloned()
            .unwrap_or(Value::Null);
        let mut out = Map::new();
        for (key, value) in source {
            let at = ptr("#", key);
            match key.as_str() {
                "openapi" => {
                    out.insert(key.clone(), json!("3.0.3"));
                }
                "info" => {
                    out.insert(key.clone(), info(value));
                }
                "jsonSchemaDialect" => {
                    if value.as_str() != Some(BASE_DIALECT) {
                        self.warn(
                            &at,
                            format!(
                                "schemas are read as the OpenAPI 3.1 base dialect \
                                 ({BASE_DIALECT}), not {value}"
                            ),
                        );
                    }
                }
                "webhooks" => {
                    // Requests the API sends, not operations a client calls: kept, as 3.0
                    // documents keep them, under an extension, for their payload types.
                    let webhooks = self.paths(value, &path_items, &at);
                    out.insert(super::WEBHOOKS_EXTENSION.to_owned(), webhooks);
                }
                "paths" => {
                    let paths = self.paths(value, &path_items, &at);
                    out.insert(key.clone(), paths);
                }
                "components" => {
                    let components = self.components(value, &at);
                    out.insert(key.clone(), components);
                }
                "$defs" => {
                    // Not an OpenAPI field, but `#/$defs/...` references work in JSON
                    // Schema: its entries are hoisted like any other `$defs`.
                    self.hoist_defs(value, &at);
                }
                _ => {
                    let converted = self.walk(value, &at);
                    out.insert(key.clone(), converted);
                }
            }
        }
        if !out.contains_key("paths") {
            out.insert("paths".to_owned(), json!({}));
        }
        self.add_hoisted(&mut out);
        Value::Object(out)
    }

    /// `paths`, with path items that refer to `components/pathItems` inlined.
    fn paths(&mut self, paths: &Value, path_items: &Value, at: &str) -> Value {
        let Some(paths) = paths.as_object() else {
            return paths.clone();
        };
        let mut out = Map::new();
        for (path, item) in paths {
            let item_at = ptr(at, path);
            let item = match item.get("$ref").and_then(Value::as_str) {
                Some(reference) => match reference
                    .strip_prefix("#/components/pathItems/")
                    .map(pointer::unescape)
                    .and_then(|name| path_items.get(name.as_ref()))
                {
                    Some(target) => target.clone(),
                    None => item.clone(),
                },
                None => item.clone(),
            };
            let converted = self.walk(&item, &item_at);
            out.insert(path.clone(), converted);
        }
        Value::Object(out)
    }

    /// `components`: schemas converted one by one, path items gone (inlined where used),
    /// 3.1-only security schemes dropped.
    fn components(&mut self, components: &Value, at: &str) -> Value {
        let Some(source) = components.as_object() else {
            return components.clone();
        };
        let mut out = Map::new();
        for (key, value) in source {
            let kind_at = ptr(at, key);
            match key.as_str() {
                "pathItems" => {}
                "schemas" => {
                    let mut schemas = Map::new();
                    for (name, schema) in value.as_object().into_iter().flatten() {
                        let converted = self.schema(schema, &ptr(&kind_at, name));
                        schemas.insert(name.clone(), converted);
                    }
                    out.insert(key.clone(), Value::Object(schemas));
                }
                "securitySchemes" => {
                    let mut schemes = Map::new();
                    for (name, scheme) in value.as_object().into_iter().flatten() {
                        if scheme.get("type").and_then(Value::as_str) == Some("mutualTLS") {
                            self.warn(
                                &ptr(&kind_at, name),
                                "mutual TLS has no OpenAPI 3.0 form; configure the client \
                                 certificate on the HTTP client instead",
                            );
                            continue;
                        }
                        schemes.insert(name.clone(), scheme.clone());
                    }
                    out.insert(key.clone(), Value::Object(schemes));
                }
                _ => {
                    let converted = self.walk(value, &kind_at);
                    out.insert(key.clone(), converted);
                }
            }
        }
        Value::Object(out)
    }

    /// Any part of the document that is not a schema: every value under a `schema` key is
    /// one; examples, defaults and extensions are kept as they are.
    fn walk(&mut self, value: &Value, at: &str) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, inner) in map {
                    let inner_at = ptr(at, key);
                    let converted = match key.as_str() {
                        "schema" => self.schema(inner, &inner_at),
                        "example" | "examples" | "default" | "value" => inner.clone(),
                        k if k.starts_with("x-") => inner.clone(),
                        _ => self.walk(inner, &inner_at),
                    };
                    out.insert(key.clone(), converted);
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.walk(item, &format!("{at}/{i}")))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Converts the entries of a `$defs` at `at` and keeps them for `components/schemas`.
    fn hoist_defs(&mut self, defs: &Value, at: &str) {
        for (name, schema) in defs.as_object().into_iter().flatten() {
            let def_at = ptr(at, name);
            let component = self.index.hoist(&def_at);
            let converted = self.schema(schema, &def_at);
            self.hoisted.push((component, converted));
        }
    }

    /// Adds the hoisted `$defs` entries to `components/schemas`.
    fn add_hoisted(&mut self, out: &mut Map<String, Value>) {
        if self.hoisted.is_empty() {
            return;
        }
        let components = out
            .entry("components")
            .or_insert_with(|| json!({}))
            .as_object_mut();
        let Some(components) = components else {
            return;
        };
        let schemas = components
            .entry("schemas")
            .or_insert_with(|| json!({}))
            .as_object_mut();
        let Some(schemas) = schemas else {
            return;
        };
        for (component, schema) in std::mem::take(&mut self.hoisted) {
            schemas.insert(pointer::last_token(&component).into_owned(), schema);
        }
    }
}

/// `info` without the 3.1 fields: `summary` becomes the description when there is none;
/// `license.identifier` (an SPDX expression) is dropped.
fn info(info: &Value) -> Value {
    let mut info = info.clone();
    if let Some(map) = info.as_object_mut() {
        if let Some(summary) = map.remove("summary") {
            map.entry("description").or_insert(summary);
        }
        if let Some(license) = map.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
        }
    }
    info
}

#[cfg(test)]
mod tests;
