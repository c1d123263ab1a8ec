//! What changed between two versions of an API document, for a maintainer deciding whether
//! to take a new upstream version: operations, parameters, request and response bodies,
//! schemas, properties and enum values added, removed or changed, each marked breaking or
//! not for clients generated from the old document.
//!
//! Both documents are read the way generation reads them (Swagger 2.0 is converted first), so
//! the two sides are compared as OpenAPI 3.0. Named schemas are compared once, by name; a
//! reference that points at another schema is a type change.
//!
//! Breaking means a client written against the old document may fail against the new one:
//! an operation, parameter, property, response header or success status removed; a type
//! changed; a request input newly required (a new required parameter, or an optional one or a
//! property of a request body made required); a response property made optional; an enum value
//! removed from something clients send. Additions are not breaking, enum values added
//! included: generated enums keep unknown values.

mod operations;
mod schemas;
#[cfg(test)]
mod tests;

use crate::error::Errors;
use crate::pointer::join as pointer;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One difference between the old and the new document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// Whether clients of the old document may break.
    pub breaking: bool,
    /// Where, for people: `GET /jobs/{id}`, `JobResponse.status`...
    pub place: String,
    /// Where, as a JSON pointer (into the new document, or the old one for removals).
    pub pointer: String,
    /// What changed, in a sentence.
    pub message: String,
}

/// The kinds of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum ChangeKind {
    OperationAdded,
    OperationRemoved,
    OperationIdChanged,
    ParameterAdded,
    ParameterRemoved,
    ParameterRenamed,
    ParameterRetyped,
    ParameterRequiredChanged,
    RequestBodyAdded,
    RequestBodyRemoved,
    RequestBodyRequiredChanged,
    MediaTypeAdded,
    MediaTypeRemoved,
    ResponseAdded,
    ResponseRemoved,
    HeaderAdded,
    HeaderRemoved,
    SchemaAdded,
    SchemaRemoved,
    PropertyAdded,
    PropertyRemoved,
    TypeChanged,
    PropertyRequiredChanged,
    EnumValueAdded,
    EnumValueRemoved,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.breaking { "BREAKING " } else { "" };
        write!(f, "{mark}{}: {}", self.place, self.message)
    }
}

/// Reads both documents (YAML or JSON; Swagger 2.0 or OpenAPI 3.0) and compares them.
pub fn diff_texts(
    old_name: &str,
    old_text: &str,
    new_name: &str,
    new_text: &str,
) -> Result<Vec<Change>, Errors> {
    let (_, old) = crate::parse::parse_with_raw(old_name, old_text)?;
    let (_, new) = crate::parse::parse_with_raw(new_name, new_text)?;
    Ok(diff(&old, &new))
}

/// Compares two OpenAPI 3.0 documents (as JSON).
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut cx = Differ {
        old,
        new,
        changes: Vec::new(),
        old_usage: usage(old),
        new_usage: usage(new),
    };
    cx.operations();
    cx.schemas();
    cx.changes
}

/// Whether a named schema is sent, received, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Direction {
    request: bool,
    response: bool,
}

impl Direction {
    const REQUEST: Self = Self {
        request: true,
        response: false,
    };
    const RESPONSE: Self = Self {
        request: false,
        response: true,
    };

    fn or(self, other: Self) -> Self {
        Self {
            request: self.request || other.request,
            response: self.response || other.response,
        }
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
    old_usage: BTreeMap<String, Direction>,
    new_usage: BTreeMap<String, Direction>,
}

/// An operation: (METHOD, path with parameter names blanked) → (path, item, operation).
type Operations<'a> = Vec<((String, String), (&'a str, &'a Value, &'a Value))>;

fn operations(doc: &Value) -> Operations<'_> {
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                out.push((
                    (method.to_uppercase(), blank_parameters(path)),
                    (path.as_str(), item, operation),
                ));
            }
        }
    }
    out
}

/// `/jobs/{id}` → `/jobs/{}`: a renamed path parameter is the same operation.
fn blank_parameters(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// Follows local references (at most 32) to the object they name.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let Some(target) = crate::pointer::lookup_ref(doc, reference) else {
            return value;
        };
        value = target;
    }
    value
}

/// The schema name a `#/components/schemas/X` reference names.
fn schema_ref(schema: &Value) -> Option<String> {
    let reference = schema.get("$ref").and_then(Value::as_str)?;
    crate::pointer::referenced_name(reference, "schemas")
}

/// Named schemas each direction uses, transitively.
fn usage(doc: &Value) -> BTreeMap<String, Direction> {
    let mut seeds: Vec<(String, Direction)> = Vec::new();
    for (_, (_, item, operation)) in operations(doc) {
        let parameters = item
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .chain(operation.get("parameters").and_then(Value::as_array))
            .flatten();
        let mut request = Vec::new();
        for parameter in parameters {
            collect_schema_refs(resolve(doc, parameter), &mut request);
        }
        if let Some(body) = operation.get("requestBody") {
            collect_schema_refs(resolve(doc, body), &mut request);
        }
        let mut response = Vec::new();
        if let Some(responses) = operation.get("responses").and_then(Value::as_object) {
            for r in responses.values() {
                collect_schema_refs(resolve(doc, r), &mut response);
            }
        }
        seeds.extend(request.into_iter().map(|n| (n, Direction::REQUEST)));
        seeds.extend(response.into_iter().map(|n| (n, Direction::RESPONSE)));
    }
    let schemas = doc.pointer("/components/schemas");
    let mut out: BTreeMap<String, Direction> = BTreeMap::new();
    while let Some((name, direction)) = seeds.pop() {
        let known = out.get(&name).copied().unwrap_or_default();
        let merged = known.or(direction);
        if merged == known && out.contains_key(&name) {
            continue;
        }
        out.insert(name.clone(), merged);
        if let Some(schema) = schemas.and_then(|s| s.get(&name)) {
            let mut inner = Vec::new();
            collect_schema_refs(schema, &mut inner);
            seeds.extend(inner.into_iter().map(|n| (n, merged)));
        }
    }
    out
}

/// The component schemas `$ref`s under `value` name or point into.
fn collect_schema_refs(value: &Value, into: &mut Vec<String>) {
    crate::pointer::walk_refs(value, "#", &mut |found| {
        let component = crate::pointer::referenced_component(found.reference);
        if let (false, Some(c)) = (found.mapping, component) {
            if c.kind == "schemas" {
                into.push(c.name);
            }
        }
    });
}

/// A short description of a schema's type, for messages and comparison: `string`,
/// `string (date-time)`, `array`, `object`, `JobType` (a reference), `any`.
fn type_of(schema: &Value) -> String {
    if let Some(name) = schema_ref(schema) {
        return name;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.to_owned();
    }
    for word in ["allOf", "oneOf", "anyOf"] {
        if let Some(members) = schema.get(word).and_then(Value::as_array) {
            let parts: Vec<String> = members.iter().map(type_of).collect();
            if word == "allOf" && parts.len() == 1 {
                return parts.concat();
            }
            return format!("{word}({})", parts.join(", "));
        }
    }
    let base = match schema.get("type").and_then(Value::as_str) {
        Some(t) => t.to_owned(),
        None if schema.get("properties").is_some() => "object".to_owned(),
        None => "any".to_owned(),
    };
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{base} ({format})"),
        None => base,
    }
}

fn is_required(value: &Value) -> bool {
    value.get("required") == Some(&Value::Bool(true))
}

fn required_list(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The enum values of a schema, each as its JSON text.
fn enum_values(schema: &Value) -> Option<Vec<String>> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| values.iter().map(|v| v.to_string()).collect())
}

impl Differ<'_> {
    fn push(&mut self, kind: ChangeKind, breaking: bool, place: &str, at: &str, message: String) {
        self.changes.push(Change {
            kind,
            breaking,
            place: place.to_owned(),
            pointer: at.to_owned(),
            message,
        });
    }
}

/// Which `{…}` of the path template names `name`, counting from 0.
fn path_position(path: &str, name: &str) -> Option<usize> {
    path.split('{')
        .skip(1)
        .position(|part| part.split('}').next() == Some(name))
}

fn operation_place(method: &str, path: &str, operation: &Value) -> String {
    match operation.get("operationId").and_then(Value::as_str) {
        Some(id) => format!("{method} {path} ({id})"),
        None => format!("{method} {path}"),
    }
}
