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

use crate::error::{Errors, pointer};
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
    let mut cx = Cx {
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

struct Cx<'a> {
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
        let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
        else {
            return value;
        };
        value = target;
    }
    value
}

/// The schema name a `#/components/schemas/X` reference names.
fn schema_ref(schema: &Value) -> Option<String> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(|name| name.replace("~1", "/").replace("~0", "~"))
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

fn collect_schema_refs(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = schema_ref(value) {
                into.push(name);
            }
            for inner in map.values() {
                collect_schema_refs(inner, into);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_schema_refs(item, into)),
        _ => {}
    }
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

impl Cx<'_> {
    fn push(&mut self, kind: ChangeKind, breaking: bool, place: &str, at: &str, message: String) {
        self.changes.push(Change {
            kind,
            breaking,
            place: place.to_owned(),
            pointer: at.to_owned(),
            message,
        });
    }

    fn operations(&mut self) {
        let old_ops = operations(self.old);
        let new_ops = operations(self.new);
        let new_keys: BTreeSet<&(String, String)> = new_ops.iter().map(|(k, _)| k).collect();
        let old_index: BTreeMap<&(String, String), (&str, &Value, &Value)> =
            old_ops.iter().map(|(k, v)| (k, *v)).collect();
        for ((method, _), (path, _, operation)) in &old_ops {
            if !new_keys.contains(&(method.clone(), blank_parameters(path))) {
                let at = pointer(&pointer("#/paths", path), &method.to_lowercase());
                let place = operation_place(method, path, operation);
                self.push(
                    ChangeKind::OperationRemoved,
                    true,
                    &place,
                    &at,
                    "operation removed".to_owned(),
                );
            }
        }
        for (key, (path, item, operation)) in &new_ops {
            let (method, _) = key;
            let at = pointer(&pointer("#/paths", path), &method.to_lowercase());
            let place = operation_place(method, path, operation);
            match old_index.get(key) {
                None => self.push(
                    ChangeKind::OperationAdded,
                    false,
                    &place,
                    &at,
                    "operation added".to_owned(),
                ),
                Some(old) => {
                    let method = method.to_lowercase();
                    self.operation(&place, &at, &method, *old, (path, item, operation));
                }
            }
        }
    }

    fn operation(
        &mut self,
        place: &str,
        at: &str,
        method: &str,
        old: (&str, &Value, &Value),
        new: (&str, &Value, &Value),
    ) {
        let (old_op, new_op) = (old.2, new.2);
        let old_id = old_op.get("operationId").and_then(Value::as_str);
        let new_id = new_op.get("operationId").and_then(Value::as_str);
        if old_id != new_id {
            self.push(
                ChangeKind::OperationIdChanged,
                true,
                place,
                &pointer(at, "operationId"),
                format!(
                    "operationId `{}` → `{}` (the generated method is renamed)",
                    old_id.unwrap_or("-"),
                    new_id.unwrap_or("-")
                ),
            );
        }
        self.parameters(place, method, old, new);
        self.request_body(place, at, old_op, new_op);
        self.responses(place, at, old_op, new_op);
    }

    /// Path-level and operation-level parameters, resolved, keyed by (in, name); path
    /// parameters are keyed by their place in the path (`#0`, `#1`...), so a renamed one is
    /// the same parameter.
    fn effective_parameters<'v>(
        doc: &'v Value,
        method: &str,
        (path, item, operation): (&str, &'v Value, &'v Value),
    ) -> Vec<((String, String), &'v Value, String)> {
        let mut out: Vec<((String, String), &Value, String)> = Vec::new();
        let item_at = pointer("#/paths", path);
        let operation_at = pointer(&item_at, method);
        let lists = [(item, item_at), (operation, operation_at)];
        let all = lists.iter().flat_map(|(owner, at)| {
            owner
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, p)| (p, format!("{at}/parameters/{i}")))
        });
        for (parameter, at) in all {
            let parameter = resolve(doc, parameter);
            let location = parameter
                .get("in")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let name = parameter
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let key = match path_position(path, name) {
                Some(i) if location == "path" => (location.to_owned(), format!("#{i}")),
                _ => (location.to_owned(), name.to_owned()),
            };
            match out.iter_mut().find(|(k, _, _)| *k == key) {
                Some(entry) => {
                    entry.1 = parameter;
                    entry.2 = at;
                }
                None => out.push((key, parameter, at)),
            }
        }
        out
    }

    fn parameters(
        &mut self,
        place: &str,
        method: &str,
        old: (&str, &Value, &Value),
        new: (&str, &Value, &Value),
    ) {
        let old = Self::effective_parameters(self.old, method, old);
        let new = Self::effective_parameters(self.new, method, new);
        let name_of = |p: &Value| {
            p.get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        for ((location, key), parameter, at) in &old {
            let name = name_of(parameter);
            if !new.iter().any(|(k, _, _)| k.0 == *location && k.1 == *key) {
                self.push(
                    ChangeKind::ParameterRemoved,
                    true,
                    place,
                    at,
                    format!("parameter `{name}` ({location}) removed"),
                );
            }
        }
        for ((location, key), parameter, at) in &new {
            let at = at.as_str();
            let name = name_of(parameter);
            let label = format!("parameter `{name}` ({location})");
            let Some((_, before, _)) = old.iter().find(|(k, _, _)| k.0 == *location && k.1 == *key)
            else {
                let required = is_required(parameter);
                self.push(
                    ChangeKind::ParameterAdded,
                    required,
                    place,
                    at,
                    format!(
                        "{label} added{}",
                        if required { ", required" } else { ", optional" }
                    ),
                );
                continue;
            };
            let old_name = name_of(before);
            if old_name != name {
                self.push(
                    ChangeKind::ParameterRenamed,
                    false,
                    place,
                    at,
                    format!("{location} parameter `{old_name}` renamed to `{name}`"),
                );
            }
            match (is_required(before), is_required(parameter)) {
                (false, true) => self.push(
                    ChangeKind::ParameterRequiredChanged,
                    true,
                    place,
                    at,
                    format!("{label} is now required"),
                ),
                (true, false) => self.push(
                    ChangeKind::ParameterRequiredChanged,
                    false,
                    place,
                    at,
                    format!("{label} is now optional"),
                ),
                _ => {}
            }
            let empty = Value::Object(Map::new());
            let old_schema = before.get("schema").unwrap_or(&empty);
            let new_schema = parameter.get("schema").unwrap_or(&empty);
            let (old_type, new_type) = (type_of(old_schema), type_of(new_schema));
            if old_type != new_type {
                self.push(
                    ChangeKind::ParameterRetyped,
                    true,
                    place,
                    at,
                    format!("{label}: type {old_type} → {new_type}"),
                );
            } else {
                self.schema(
                    &format!("{place} {label}"),
                    at,
                    old_schema,
                    new_schema,
                    Direction::REQUEST,
                    0,
                );
            }
        }
    }

    fn request_body(&mut self, place: &str, at: &str, old_op: &Value, new_op: &Value) {
        let at = pointer(at, "requestBody");
        let old = old_op.get("requestBody").map(|b| resolve(self.old, b));
        let new = new_op.get("requestBody").map(|b| resolve(self.new, b));
        match (old, new) {
            (None, None) => {}
            (Some(_), None) => self.push(
                ChangeKind::RequestBodyRemoved,
                true,
                place,
                &at,
                "request body removed".to_owned(),
            ),
            (None, Some(body)) => {
                let required = is_required(body);
                self.push(
                    ChangeKind::RequestBodyAdded,
                    required,
                    place,
                    &at,
                    format!(
                        "request body added{}",
                        if required { ", required" } else { ", optional" }
                    ),
                );
            }
            (Some(old), Some(new)) => {
                match (is_required(old), is_required(new)) {
                    (false, true) => self.push(
                        ChangeKind::RequestBodyRequiredChanged,
                        true,
                        place,
                        &at,
                        "request body is now required".to_owned(),
                    ),
                    (true, false) => self.push(
                        ChangeKind::RequestBodyRequiredChanged,
                        false,
                        place,
                        &at,
                        "request body is now optional".to_owned(),
                    ),
                    _ => {}
                }
                self.content(
                    &format!("{place} request body"),
                    &pointer(&at, "content"),
                    (old, new),
                    Direction::REQUEST,
                );
            }
        }
    }

    /// Media types of a body, and the schema of each type both sides have.
    fn content(&mut self, place: &str, at: &str, (old, new): (&Value, &Value), dir: Direction) {
        let empty = Map::new();
        let old = old
            .get("content")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new = new
            .get("content")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for media in old.keys() {
            if !new.contains_key(media) {
                self.push(
                    ChangeKind::MediaTypeRemoved,
                    true,
                    place,
                    at,
                    format!("media type `{media}` removed"),
                );
            }
        }
        for (media, entry) in new {
            let Some(before) = old.get(media) else {
                self.push(
                    ChangeKind::MediaTypeAdded,
                    false,
                    place,
                    at,
                    format!("media type `{media}` added"),
                );
                continue;
            };
            let empty = Value::Object(Map::new());
            let here = pointer(&pointer(at, media), "schema");
            self.schema(
                place,
                &here,
                before.get("schema").unwrap_or(&empty),
                entry.get("schema").unwrap_or(&empty),
                dir,
                0,
            );
        }
    }

    fn responses(&mut self, place: &str, at: &str, old_op: &Value, new_op: &Value) {
        let empty = Map::new();
        let old = old_op
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new = new_op
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let at = pointer(at, "responses");
        for status in old.keys() {
            if !new.contains_key(status) {
                self.push(
                    ChangeKind::ResponseRemoved,
                    status.starts_with('2'),
                    place,
                    &pointer(&at, status),
                    format!("response `{status}` removed"),
                );
            }
        }
        for (status, response) in new {
            let here = pointer(&at, status);
            let Some(before) = old.get(status) else {
                self.push(
                    ChangeKind::ResponseAdded,
                    false,
                    place,
                    &here,
                    format!("response `{status}` added"),
                );
                continue;
            };
            let (before, response) = (resolve(self.old, before), resolve(self.new, response));
            let place = format!("{place} response `{status}`");
            self.headers(&place, &here, before, response);
            self.content(
                &place,
                &pointer(&here, "content"),
                (before, response),
                Direction::RESPONSE,
            );
        }
    }

    fn headers(&mut self, place: &str, at: &str, old: &Value, new: &Value) {
        let empty = Map::new();
        let old = old
            .get("headers")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new = new
            .get("headers")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let at = pointer(at, "headers");
        for name in old.keys() {
            if !new.contains_key(name) {
                self.push(
                    ChangeKind::HeaderRemoved,
                    true,
                    place,
                    &at,
                    format!("header `{name}` removed"),
                );
            }
        }
        for name in new.keys() {
            if !old.contains_key(name) {
                self.push(
                    ChangeKind::HeaderAdded,
                    false,
                    place,
                    &at,
                    format!("header `{name}` added"),
                );
            }
        }
    }

    fn schemas(&mut self) {
        let empty = Map::new();
        let old = self
            .old
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new = self
            .new
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for name in old.keys() {
            if !new.contains_key(name) {
                self.push(
                    ChangeKind::SchemaRemoved,
                    true,
                    &format!("schema `{name}`"),
                    &pointer("#/components/schemas", name),
                    "schema removed".to_owned(),
                );
            }
        }
        for (name, schema) in new {
            let at = pointer("#/components/schemas", name);
            let Some(before) = old.get(name) else {
                self.push(
                    ChangeKind::SchemaAdded,
                    false,
                    &format!("schema `{name}`"),
                    &at,
                    "schema added".to_owned(),
                );
                continue;
            };
            let direction = self
                .old_usage
                .get(name)
                .copied()
                .unwrap_or_default()
                .or(self.new_usage.get(name).copied().unwrap_or_default());
            // A schema no operation uses is compared as if it were used both ways.
            let direction = if direction == Direction::default() {
                Direction::REQUEST.or(Direction::RESPONSE)
            } else {
                direction
            };
            let (old_type, new_type) = (type_of(before), type_of(schema));
            if old_type != new_type {
                self.push(
                    ChangeKind::TypeChanged,
                    true,
                    &format!("schema `{name}`"),
                    &at,
                    format!("type {old_type} → {new_type}"),
                );
            } else {
                self.schema(name, &at, before, schema, direction, 0);
            }
        }
    }

    /// Compares two schemas of the same type at `place` (`Name.property.inner`...). References
    /// are not followed: named schemas are compared on their own.
    fn schema(
        &mut self,
        place: &str,
        at: &str,
        old: &Value,
        new: &Value,
        dir: Direction,
        depth: usize,
    ) {
        if depth > 32 || schema_ref(old).is_some() || schema_ref(new).is_some() {
            if type_of(old) != type_of(new) {
                self.push(
                    ChangeKind::TypeChanged,
                    true,
                    place,
                    at,
                    format!("type {} → {}", type_of(old), type_of(new)),
                );
            }
            return;
        }
        if let (Some(old_values), Some(new_values)) = (enum_values(old), enum_values(new)) {
            for value in &old_values {
                if !new_values.contains(value) {
                    self.push(
                        ChangeKind::EnumValueRemoved,
                        dir.request,
                        place,
                        &pointer(at, "enum"),
                        format!("enum value {value} removed"),
                    );
                }
            }
            for value in &new_values {
                if !old_values.contains(value) {
                    self.push(
                        ChangeKind::EnumValueAdded,
                        false,
                        place,
                        &pointer(at, "enum"),
                        format!("enum value {value} added"),
                    );
                }
            }
        }
        self.properties(place, at, old, new, dir, depth);
        for (key, suffix) in [("items", "[]"), ("additionalProperties", "{}")] {
            let (Some(before), Some(after)) = (old.get(key), new.get(key)) else {
                continue;
            };
            if !before.is_object() || !after.is_object() {
                continue;
            }
            let inner_place = format!("{place}{suffix}");
            let here = pointer(at, key);
            if type_of(before) != type_of(after) {
                self.push(
                    ChangeKind::TypeChanged,
                    true,
                    &inner_place,
                    &here,
                    format!("type {} → {}", type_of(before), type_of(after)),
                );
            } else {
                self.schema(&inner_place, &here, before, after, dir, depth + 1);
            }
        }
        for word in ["allOf", "oneOf", "anyOf"] {
            let (Some(before), Some(after)) = (
                old.get(word).and_then(Value::as_array),
                new.get(word).and_then(Value::as_array),
            ) else {
                continue;
            };
            for (i, (b, a)) in before.iter().zip(after).enumerate() {
                self.schema(
                    place,
                    &format!("{}/{i}", pointer(at, word)),
                    b,
                    a,
                    dir,
                    depth + 1,
                );
            }
        }
    }

    fn properties(
        &mut self,
        place: &str,
        at: &str,
        old: &Value,
        new: &Value,
        dir: Direction,
        depth: usize,
    ) {
        let empty = Map::new();
        let old_props = old
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new_props = new
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let (old_required, new_required) = (required_list(old), required_list(new));
        let at = pointer(at, "properties");
        for name in old_props.keys() {
            if !new_props.contains_key(name) {
                self.push(
                    ChangeKind::PropertyRemoved,
                    true,
                    &format!("{place}.{name}"),
                    &pointer(&at, name),
                    "property removed".to_owned(),
                );
            }
        }
        for (name, property) in new_props {
            let here = pointer(&at, name);
            let inner_place = format!("{place}.{name}");
            let required = new_required.contains(name);
            let Some(before) = old_props.get(name) else {
                self.push(
                    ChangeKind::PropertyAdded,
                    required && dir.request,
                    &inner_place,
                    &here,
                    format!(
                        "property added ({}, {})",
                        type_of(property),
                        if required { "required" } else { "optional" }
                    ),
                );
                continue;
            };
            match (old_required.contains(name), required) {
                (false, true) => self.push(
                    ChangeKind::PropertyRequiredChanged,
                    dir.request,
                    &inner_place,
                    &here,
                    "now required".to_owned(),
                ),
                (true, false) => self.push(
                    ChangeKind::PropertyRequiredChanged,
                    dir.response,
                    &inner_place,
                    &here,
                    "now optional".to_owned(),
                ),
                _ => {}
            }
            let (old_type, new_type) = (type_of(before), type_of(property));
            if old_type != new_type {
                self.push(
                    ChangeKind::TypeChanged,
                    true,
                    &inner_place,
                    &here,
                    format!("type {old_type} → {new_type}"),
                );
            } else {
                self.schema(&inner_place, &here, before, property, dir, depth + 1);
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn value() -> impl Strategy<Value = Value> {
        let words = prop::sample::select(vec![
            "type",
            "in",
            "query",
            "path",
            "name",
            "required",
            "schema",
            "$ref",
            "enum",
            "#/components/schemas/A",
            "#/components/parameters/p",
            "properties",
            "items",
            "allOf",
            "content",
            "application/json",
            "responses",
            "200",
            "get",
            "parameters",
            "requestBody",
            "headers",
            "additionalProperties",
            "/a/{x}",
        ]);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            words.clone().prop_map(|w| json!(w)),
        ];
        leaf.prop_recursive(5, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((words.clone(), inner), 0..6).prop_map(|entries| {
                    Value::Object(
                        entries
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v))
                            .collect(),
                    )
                }),
            ]
        })
    }

    proptest! {
        /// Any two documents compare without panicking, and a document equals itself.
        #[test]
        fn never_panics(a in value(), b in value(), c in value(), d in value()) {
            let old = json!({"paths": {"/a/{x}": a}, "components": {"schemas": {"A": b}}});
            let new = json!({"paths": {"/a/{y}": c}, "components": {"schemas": {"A": d}}});
            let _ = diff(&old, &new);
            prop_assert!(diff(&old, &old).is_empty());
        }
    }
}
