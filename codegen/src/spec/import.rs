//! An upstream document → the document this repository generates from, reproducibly:
//! parse, convert (Swagger 2.0 → OpenAPI 3.0.3), select a subset of the paths, apply Overlay
//! documents, write YAML. `cargo xtask import` runs it and writes the result; `cargo xtask
//! regen --check` runs it in memory and compares.

use crate::error::{Error, Errors, Warning};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Which operations to keep. Empty lists keep everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Keep paths equal to one of these or under it (`/jobs` keeps `/jobs` and `/jobs/{id}`,
    /// not `/jobsx`).
    pub path_prefixes: Vec<String>,
    /// Keep only operations with one of these tags.
    pub tags: Vec<String>,
}

impl Selection {
    fn keeps_path(&self, path: &str) -> bool {
        self.path_prefixes.is_empty()
            || self.path_prefixes.iter().any(|prefix| {
                let prefix = prefix.trim_end_matches('/');
                path == prefix
                    || path
                        .strip_prefix(prefix)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    }

    fn keeps_operation(&self, operation: &Value) -> bool {
        self.tags.is_empty()
            || operation
                .get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .any(|tag| self.tags.iter().any(|t| t == tag))
    }

    fn is_everything(&self) -> bool {
        self.path_prefixes.is_empty() && self.tags.is_empty()
    }
}

/// What to import.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// The upstream document's name, for messages.
    pub upstream_path: &'a str,
    /// Its text: Swagger 2.0, OpenAPI 3.0 or OpenAPI 3.1, JSON or YAML.
    pub upstream_text: &'a str,
    /// The part of it to keep.
    pub selection: Selection,
    /// Overlay documents applied in order: (name, text).
    pub overlays: Vec<(&'a str, &'a str)>,
    /// Comment lines written at the top of the YAML (without `# `); what could end a line is
    /// escaped ([`crate::error::printable`]).
    pub header: Vec<String>,
}

/// An imported document.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The document.
    pub document: Value,
    /// The document as YAML, with the header comment.
    pub yaml: String,
    /// From the conversion (at pointers of the upstream document) and the overlays (actions
    /// that selected nothing).
    pub warnings: Vec<Warning>,
}

/// Runs the import. Fails when the upstream document or an overlay is invalid, or when the
/// result is not a valid OpenAPI 3.0 document.
pub fn import(input: &Input<'_>) -> Result<Imported, Errors> {
    let upstream = crate::parse::to_json(input.upstream_path, input.upstream_text)?;
    let mut warnings = Vec::new();
    let mut document = if crate::spec::swagger::is_swagger(&upstream) {
        let conversion = crate::spec::swagger::convert(input.upstream_path, &upstream)?;
        warnings.extend(conversion.warnings.into_iter().map(|mut w| {
            w.location.pointer = format!("{}{}", input.upstream_path, w.location.pointer);
            w
        }));
        conversion.document
    } else {
        upstream
    };
    if !input.selection.is_everything() {
        document = select(&document, &input.selection);
    }
    for (name, text) in &input.overlays {
        let overlay = crate::spec::overlay::parse(name, text)?;
        warnings.extend(crate::spec::overlay::apply(name, &overlay, &mut document)?);
    }
    normalize(&mut document);
    let mut yaml = String::new();
    // Each header line stays one comment line, whatever the file names and arguments in it.
    for line in &input.header {
        yaml.push_str(format!("# {}", crate::error::printable(line)).trim_end());
        yaml.push('\n');
    }
    yaml.push_str(&crate::spec::yaml::to_string(&document));
    // The result must read back as the same document, and as OpenAPI 3.0 (a 3.1 document
    // once converted: `parse_with_raw` returns the converted document, so the text is
    // compared as it is read, before any conversion).
    let output_name = "the imported document";
    crate::parse::parse_with_raw(output_name, &yaml)?;
    let reread = crate::parse::to_json(output_name, &yaml)?;
    if reread != document {
        return Err(Error::Internal(format!(
            "{output_name} does not read back as what was written"
        ))
        .into());
    }
    Ok(Imported {
        document,
        yaml,
        warnings,
    })
}

/// Puts the keys of the root, `components`, operations and responses in the order people
/// expect to read them (the order of the OpenAPI specification's tables); keys not listed keep
/// their order, after the listed ones or where the list says.
pub fn normalize(document: &mut Value) {
    const ROOT: &[&str] = &[
        "openapi",
        "info",
        "externalDocs",
        "servers",
        "security",
        "tags",
        "x-*",
        "paths",
        "components",
    ];
    const COMPONENTS: &[&str] = &[
        "securitySchemes",
        "parameters",
        "requestBodies",
        "responses",
        "headers",
        "schemas",
    ];
    const OPERATION: &[&str] = &[
        "tags",
        "summary",
        "operationId",
        "description",
        "externalDocs",
        "deprecated",
        "security",
        "servers",
        "x-*",
        "parameters",
        "requestBody",
        "responses",
        "callbacks",
    ];
    const RESPONSE: &[&str] = &["description", "headers", "content", "links"];
    let Some(root) = document.as_object_mut() else {
        return;
    };
    reorder(root, ROOT);
    if let Some(Value::Object(components)) = root.get_mut("components") {
        reorder(components, COMPONENTS);
    }
    for item in root
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
    {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let Some(operation) = operation.as_object_mut() else {
                continue;
            };
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            reorder(operation, OPERATION);
            for response in operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
                .into_iter()
                .flat_map(|responses| responses.values_mut())
                .filter_map(Value::as_object_mut)
            {
                reorder(response, RESPONSE);
            }
        }
    }
}

/// `order` lists keys; `x-*` stands for every extension, in their own order. Keys not listed
/// go last, in their own order.
fn reorder(map: &mut Map<String, Value>, order: &[&str]) {
    let mut old = std::mem::take(map);
    for key in order {
        if *key == "x-*" {
            let extensions: Vec<String> = old
                .keys()
                .filter(|k| k.starts_with("x-") && !order.contains(&k.as_str()))
                .cloned()
                .collect();
            for k in extensions {
                if let Some(v) = old.shift_remove(&k) {
                    map.insert(k, v);
                }
            }
        } else if let Some(v) = old.shift_remove(*key) {
            map.insert((*key).to_owned(), v);
        }
    }
    map.extend(old);
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The operations `selection` keeps (path items left without operations are dropped), the
/// components they use (directly or through other components), the security schemes, and
/// the top-level tags they name. Everything else of the document is kept as it is.
pub fn select(document: &Value, selection: &Selection) -> Value {
    let Some(root) = document.as_object() else {
        return document.clone();
    };
    let mut out = Map::new();
    for (key, value) in root {
        match key.as_str() {
            "paths" => {
                out.insert(
                    key.clone(),
                    Value::Object(select_paths(document, value, selection)),
                );
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    // Components reachable from everything outside `components`.
    let mut outside = out.clone();
    outside.shift_remove("components");
    let mut used = BTreeSet::new();
    let mut queue = Vec::new();
    collect_refs(&Value::Object(outside), &mut queue);
    let components = root.get("components");
    while let Some((kind, name)) = queue.pop() {
        if used.insert((kind.clone(), name.clone())) {
            if let Some(target) = components
                .and_then(|c| c.get(&kind))
                .and_then(|k| k.get(&name))
            {
                collect_refs(target, &mut queue);
            }
        }
    }
    if let Some(Value::Object(components)) = components {
        let mut kept = Map::new();
        for (kind, entries) in components {
            let Some(entries) = entries.as_object() else {
                kept.insert(kind.clone(), entries.clone());
                continue;
            };
            if kind == "securitySchemes" || kind.starts_with("x-") {
                kept.insert(kind.clone(), Value::Object(entries.clone()));
                continue;
            }
            let entries: Map<String, Value> = entries
                .iter()
                .filter(|(name, _)| used.contains(&(kind.clone(), (*name).clone())))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !entries.is_empty() {
                kept.insert(kind.clone(), Value::Object(entries));
            }
        }
        out.insert("components".to_owned(), Value::Object(kept));
    }
    // Top-level tags that no kept operation names are dropped.
    if let Some(Value::Array(tags)) = out.get("tags") {
        let named: BTreeSet<String> = out
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|paths| paths.values())
            .filter_map(|item| path_item(document, item))
            .flat_map(|(item, _)| item.iter())
            .filter(|(k, _)| METHODS.contains(&k.as_str()))
            .filter_map(|(_, op)| op.get("tags").and_then(Value::as_array))
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect();
        let tags: Vec<Value> = tags
            .iter()
            .filter(|tag| {
                tag.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|name| named.contains(name))
            })
            .cloned()
            .collect();
        out.insert("tags".to_owned(), Value::Array(tags));
    }
    Value::Object(out)
}

/// The path items of `paths` that `selection` keeps, with the operations it keeps.
fn select_paths(document: &Value, paths: &Value, selection: &Selection) -> Map<String, Value> {
    let mut kept_paths = Map::new();
    for (path, item) in paths.as_object().into_iter().flatten() {
        if path.starts_with("x-") || !selection.keeps_path(path) {
            continue;
        }
        // A path item that refers to another (OpenAPI 3.1's `components/pathItems`)
        // is selected by that one's operations.
        let Some((item, reference)) = path_item(document, item) else {
            continue;
        };
        let kept: Map<String, Value> = item
            .iter()
            .filter(|(k, op)| !METHODS.contains(&k.as_str()) || selection.keeps_operation(op))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let methods =
            |map: &Map<String, Value>| map.keys().filter(|k| METHODS.contains(&k.as_str())).count();
        if methods(&kept) == 0 {
            continue;
        }
        match reference {
            // Every operation kept: the reference stays, and keeps its target.
            Some(reference) if methods(&kept) == methods(item) => {
                kept_paths.insert(path.clone(), reference.clone());
            }
            _ => {
                kept_paths.insert(path.clone(), Value::Object(kept));
            }
        }
    }
    kept_paths
}

/// A path item's fields, and the item itself when it is a reference to another path item
/// (whose fields are returned: `$ref` chains are followed, at most as many steps as there are
/// path items). `None` when it is not an object or refers to nothing.
fn path_item<'v>(
    document: &'v Value,
    item: &'v Value,
) -> Option<(&'v Map<String, Value>, Option<&'v Value>)> {
    let mut target = item;
    let limit = document
        .pointer("/components/pathItems")
        .and_then(Value::as_object)
        .map_or(0, Map::len);
    for _ in 0..=limit {
        match target.get("$ref").and_then(Value::as_str) {
            Some(reference) => target = crate::pointer::lookup_ref(document, reference)?,
            None => {
                let reference = (!std::ptr::eq(target, item)).then_some(item);
                return target.as_object().map(|fields| (fields, reference));
            }
        }
    }
    None
}

/// Every component that a local reference under `value` names or points into: `$ref`s and
/// the values of discriminator mappings.
fn collect_refs(value: &Value, into: &mut Vec<(String, String)>) {
    crate::pointer::walk_refs(value, "#", &mut |found| {
        if let Some(c) = crate::pointer::referenced_component(found.reference) {
            into.push((c.kind, c.name));
        }
    });
}
