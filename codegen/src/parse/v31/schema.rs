//! JSON Schema 2020-12 (OpenAPI 3.1's schemas) → the OpenAPI 3.0 schema object.
//!
//! Each keyword becomes its 3.0 form where one gives the same Rust type (`type` lists,
//! `const`, `examples`, numeric exclusive bounds, `$ref` with siblings, `$defs`, anchors,
//! `contentEncoding`); what only validates values is dropped; what would change the type and
//! has no 3.0 form is loosened with a warning.

use super::Downgrade;
use crate::pointer::join as ptr;
use serde_json::{Map, Value, json};

/// The type names JSON Schema knows.
const TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "array", "object", "null",
];

/// Keywords that only say something about the value a schema describes, and stay on the
/// outer schema when a `$ref` with siblings or a list of types is split.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "example",
    "externalDocs",
    "xml",
    "nullable",
    "discriminator",
];

/// Keywords that only validate, with no bearing on the Rust type; dropped.
const VALIDATION_ONLY: &[&str] = &[
    "$comment",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedItems",
];

/// The keywords of each type, which go with it when a list of types is split.
fn keyword_type(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "format" | "pattern" | "minLength" | "maxLength" => "string",
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => "number",
        "items" | "minItems" | "maxItems" | "uniqueItems" => "array",
        "properties" | "required" | "additionalProperties" | "minProperties" | "maxProperties" => {
            "object"
        }
        _ => return None,
    })
}

impl Downgrade<'_> {
    /// One schema (and every schema it holds).
    pub(super) fn schema(&mut self, schema: &Value, at: &str) -> Value {
        match schema {
            Value::Bool(true) => json!({}),
            Value::Bool(false) => {
                self.warn(
                    at,
                    "the schema `false` (no value is valid) has no OpenAPI 3.0 form; any value \
                     is accepted",
                );
                json!({})
            }
            Value::Object(source) => self.object(source, at),
            other => other.clone(),
        }
    }

    fn object(&mut self, source: &Map<String, Value>, at: &str) -> Value {
        if let Some(Value::String(reference)) = source.get("$ref") {
            let reference = self.index.resolve(reference);
            return self.reference(source, reference, at);
        }
        if let Some(Value::String(reference)) = source.get("$dynamicRef") {
            return self.dynamic_reference(source, reference, at);
        }
        let mut out = Map::new();
        for (key, value) in source {
            self.keyword(key, value, source, at, &mut out);
        }
        self.nullable_members(&mut out);
        match out.remove("type") {
            Some(Value::Array(types)) => self.type_list(&types, &mut out, at),
            Some(Value::String(t)) if t == "null" => {
                out.insert("nullable".to_owned(), json!(true));
                Value::Object(out)
            }
            Some(other) => {
                out.insert("type".to_owned(), other);
                Value::Object(out)
            }
            None => Value::Object(out),
        }
    }

    /// One keyword of a schema without `$ref`, into `out`.
    fn keyword(
        &mut self,
        key: &str,
        value: &Value,
        source: &Map<String, Value>,
        at: &str,
        out: &mut Map<String, Value>,
    ) {
        let here = ptr(at, key);
        match key {
            "type" => {
                if let Some(checked) = self.check_type(value, &here) {
                    out.insert(key.to_owned(), checked);
                }
            }
            "const" => {
                if !source.contains_key("enum") {
                    out.insert("enum".to_owned(), json!([value]));
                }
            }
            "examples" => {
                if let (Some(first), false) = (
                    value.as_array().and_then(|v| v.first()),
                    source.contains_key("example"),
                ) {
                    out.insert("example".to_owned(), first.clone());
                }
            }
            "exclusiveMinimum" | "exclusiveMaximum" => exclusive_bound(key, value, source, out),
            "minimum" | "maximum" => {
                let exclusive = if key == "minimum" {
                    "exclusiveMinimum"
                } else {
                    "exclusiveMaximum"
                };
                if !source.get(exclusive).is_some_and(Value::is_number) {
                    out.insert(key.to_owned(), value.clone());
                }
            }
            "$defs" => self.hoist_defs(value, &here),
            "$id" | "$anchor" | "$dynamicAnchor" => {}
            "$schema" => self.warn(
                &here,
                format!("schemas are read as the OpenAPI 3.1 base dialect, not {value}"),
            ),
            k if VALIDATION_ONLY.contains(&k) => {}
            "properties"
            | "items"
            | "prefixItems"
            | "additionalProperties"
            | "patternProperties"
            | "unevaluatedProperties"
            | "allOf"
            | "anyOf"
            | "oneOf"
            | "not" => self.subschemas(key, value, source, &here, out),
            "if" | "then" | "else" => self.warn(
                &here,
                format!(
                    "`{key}` (a conditional schema) has no OpenAPI 3.0 form; its constraints \
                     are not part of the Rust type"
                ),
            ),
            "propertyNames" | "dependentRequired" | "dependentSchemas" => self.warn(
                &here,
                format!(
                    "`{key}` has no OpenAPI 3.0 form; what it requires of an object is not \
                     checked (its keys and values keep the types the rest of the schema gives)"
                ),
            ),
            "contentEncoding" => {
                if matches!(value.as_str(), Some("base64" | "base64url"))
                    && !source.contains_key("format")
                {
                    out.insert("format".to_owned(), json!("byte"));
                }
            }
            "contentMediaType" => {
                if !source.contains_key("contentEncoding") && !source.contains_key("format") {
                    out.insert("format".to_owned(), json!("binary"));
                }
            }
            _ => {
                out.insert(key.to_owned(), value.clone());
            }
        }
    }

    /// A keyword that holds schemas, into `out`, its schemas converted.
    fn subschemas(
        &mut self,
        key: &str,
        value: &Value,
        source: &Map<String, Value>,
        here: &str,
        out: &mut Map<String, Value>,
    ) {
        match key {
            "properties" => {
                let mut properties = Map::new();
                for (name, property) in value.as_object().into_iter().flatten() {
                    let converted = self.schema(property, &ptr(here, name));
                    properties.insert(name.clone(), converted);
                }
                out.insert(key.to_owned(), Value::Object(properties));
            }
            "items" => match value {
                Value::Bool(_) => {}
                _ => {
                    let converted = self.schema(value, here);
                    out.insert(key.to_owned(), converted);
                }
            },
            "prefixItems" => self.prefix_items(value, source, here, out),
            "additionalProperties" => {
                let converted = match value {
                    Value::Bool(_) => value.clone(),
                    _ => self.schema(value, here),
                };
                out.insert(key.to_owned(), converted);
            }
            "patternProperties" => self.pattern_properties(value, source, here, out),
            "unevaluatedProperties"
                if !source.contains_key("additionalProperties")
                    && !source.contains_key("patternProperties")
                    && !value.is_boolean() =>
            {
                let converted = self.schema(value, here);
                out.insert("additionalProperties".to_owned(), converted);
            }
            "allOf" | "anyOf" | "oneOf" => {
                let members: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, m)| self.schema(m, &format!("{here}/{i}")))
                    .collect();
                out.insert(key.to_owned(), Value::Array(members));
            }
            "not" => {
                if source
                    .keys()
                    .any(|k| !ANNOTATIONS.contains(&k.as_str()) && k != "not")
                {
                    self.warn(
                        here,
                        "`not` beside other keywords has no effect on the Rust type; ignored",
                    );
                } else {
                    let converted = self.schema(value, here);
                    out.insert(key.to_owned(), converted);
                }
            }
            _ => {}
        }
    }

    /// A `$ref`: alone, or with siblings. `description` and `summary` describe the value
    /// (the referenced schema's own docs give way); other siblings constrain it as an `allOf`
    /// member would.
    fn reference(&mut self, source: &Map<String, Value>, reference: String, at: &str) -> Value {
        let mut annotations = Map::new();
        let mut constraints = Map::new();
        for (key, value) in source {
            match sibling_role(key) {
                Sibling::Dropped => {}
                Sibling::Annotation if key == "summary" => {
                    if !source.contains_key("description") {
                        annotations.insert("description".to_owned(), value.clone());
                    }
                }
                Sibling::Annotation => {
                    annotations.insert(key.clone(), value.clone());
                }
                Sibling::Constraint => {
                    constraints.insert(key.clone(), value.clone());
                }
            }
        }
        let target = json!({ "$ref": reference });
        if annotations.is_empty() && constraints.is_empty() {
            return target;
        }
        let mut members = vec![target];
        if !constraints.is_empty() {
            members.push(self.object(&constraints, at));
        }
        let mut wrapper = Map::new();
        wrapper.insert("allOf".to_owned(), Value::Array(members));
        for (key, value) in annotations {
            self.keyword(&key, &value, source, at, &mut wrapper);
        }
        Value::Object(wrapper)
    }

    /// A `$dynamicRef`: followed like a `$ref` to the `$dynamicAnchor` of the same name, if
    /// the document has one (no dynamic scope is tracked); any value otherwise.
    fn dynamic_reference(
        &mut self,
        source: &Map<String, Value>,
        reference: &str,
        at: &str,
    ) -> Value {
        let name = reference
            .rsplit_once('#')
            .map_or(reference, |(_, name)| name);
        let here = ptr(at, "$dynamicRef");
        match self.index.dynamic.get(name).cloned() {
            Some(target) => {
                self.warn(
                    &here,
                    format!(
                        "`$dynamicRef` is followed like a `$ref` to the `$dynamicAnchor` \
                         `{name}` ({target}); a dynamic scope that would pick another schema \
                         is not tracked"
                    ),
                );
                let mut rest = source.clone();
                rest.remove("$dynamicRef");
                let target = self.index.hoist(&target);
                self.reference(&rest, target, at)
            }
            None => {
                self.warn(
                    &here,
                    format!(
                        "`$dynamicRef: {reference}` names no `$dynamicAnchor` in this document; \
                         any value is accepted"
                    ),
                );
                json!({})
            }
        }
    }

    /// `type`, checked: a known name, or a non-empty list of them.
    fn check_type(&mut self, value: &Value, at: &str) -> Option<Value> {
        let known = |t: &Value| t.as_str().is_some_and(|t| TYPES.contains(&t));
        match value {
            Value::String(_) if known(value) => Some(value.clone()),
            Value::Array(types) if types.is_empty() => {
                self.error(
                    at,
                    "`type: []` allows no value at all; list at least one type",
                );
                None
            }
            Value::Array(types) if types.iter().all(known) => Some(value.clone()),
            _ => {
                // In a list, the member that is not a type is the one to name.
                let what = match value {
                    Value::Array(types) => match types.iter().find(|t| !known(t)) {
                        Some(Value::String(name)) => {
                            format!("`type: {value}` lists `{name}`, which")
                        }
                        Some(other) => format!("`type: {value}` lists `{other}`, which"),
                        None => format!("`type: {value}`"),
                    },
                    _ => format!("`type: {value}`"),
                };
                self.error(
                    at,
                    format!(
                        "{what} is not a JSON Schema type; the types are {}",
                        TYPES.join(", ")
                    ),
                );
                None
            }
        }
    }

    /// A list of types: `null` makes the value nullable; one other type is that type; several
    /// become a `oneOf` with one member per type (an untagged union), each member taking the
    /// keywords of its type.
    fn type_list(&mut self, types: &[Value], out: &mut Map<String, Value>, at: &str) -> Value {
        let named: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
        if named.contains(&"null") {
            out.insert("nullable".to_owned(), json!(true));
        }
        // Each type once (`[string, string]` is `string`, not a union of two strings).
        let mut others: Vec<&str> = Vec::new();
        for t in named {
            if t != "null" && !others.contains(&t) {
                others.push(t);
            }
        }
        match others.as_slice() {
            [] => {}
            [only] => {
                out.insert("type".to_owned(), json!(only));
            }
            several => {
                if out.contains_key("oneOf") || out.contains_key("anyOf") {
                    self.warn(
                        &ptr(at, "type"),
                        "a list of types beside `oneOf`/`anyOf` has no OpenAPI 3.0 form; the \
                         list is ignored",
                    );
                    return Value::Object(std::mem::take(out));
                }
                let members = several.iter().map(|t| type_member(t, out)).collect();
                out.retain(|k, _| keyword_type(k).is_none() && k != "enum");
                out.insert("oneOf".to_owned(), Value::Array(members));
            }
        }
        Value::Object(std::mem::take(out))
    }

    /// `oneOf`/`anyOf` members that only allow `null` make the schema nullable instead.
    fn nullable_members(&mut self, out: &mut Map<String, Value>) {
        for key in ["oneOf", "anyOf"] {
            let Some(Value::Array(members)) = out.get_mut(key) else {
                continue;
            };
            let before = members.len();
            members.retain(|m| !is_null_only(m));
            if members.len() < before {
                out.insert("nullable".to_owned(), json!(true));
            }
        }
    }

    /// `prefixItems`: a tuple when the array has exactly those items (`items: false` or
    /// `maxItems` equal to their count, and `minItems` no less), of at most 12 (what Rust's
    /// traits cover); otherwise a list of the best type (`items` when given, the one type every
    /// prefix item has, or any JSON value), with a warning. A tuple reaches lowering as an
    /// array whose `items` is a `oneOf` of the positions, marked with
    /// [`TUPLE_EXTENSION`](crate::lower::TUPLE_EXTENSION).
    fn prefix_items(
        &mut self,
        value: &Value,
        source: &Map<String, Value>,
        at: &str,
        out: &mut Map<String, Value>,
    ) {
        let prefix: Vec<Value> = value
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, item)| self.schema(item, &format!("{at}/{i}")))
            .collect();
        let count = prefix.len() as u64;
        let closed = source.get("items") == Some(&Value::Bool(false))
            || source.get("maxItems").and_then(Value::as_u64) == Some(count);
        let all_present = source
            .get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|min| min >= count);
        if closed && all_present && (1..=crate::lower::MAX_TUPLE as u64).contains(&count) {
            out.insert("items".to_owned(), json!({ "oneOf": prefix }));
            out.insert(crate::lower::TUPLE_EXTENSION.to_owned(), json!(true));
            return;
        }
        let rest = source.get("items").filter(|items| !items.is_boolean());
        let common = match (rest, prefix.first()) {
            (Some(_), _) => None,
            (None, Some(first)) if prefix.iter().all(|p| p == first) => Some(first.clone()),
            (None, _) => Some(json!({})),
        };
        self.warn(
            at,
            "`prefixItems` without a fixed length (`items: false` or `maxItems`, and a \
             `minItems` that requires every position) is generated as a list: the type of \
             each position is not part of the Rust type",
        );
        if let Some(common) = common {
            out.insert("items".to_owned(), common);
        }
    }

    /// `patternProperties`: a map of the patterns' schema (keys are not checked against the
    /// patterns); of any JSON value, with a warning, when the patterns disagree or
    /// `additionalProperties` allows other values.
    fn pattern_properties(
        &mut self,
        value: &Value,
        source: &Map<String, Value>,
        at: &str,
        out: &mut Map<String, Value>,
    ) {
        let schemas: Vec<Value> = value
            .as_object()
            .into_iter()
            .flatten()
            .map(|(pattern, schema)| self.schema(schema, &ptr(at, pattern)))
            .collect();
        let additional = source
            .get("additionalProperties")
            .filter(|a| **a != Value::Bool(false));
        let map_of = match (schemas.first(), additional) {
            (Some(first), None) if schemas.iter().all(|s| s == first) => first.clone(),
            (None, _) => return,
            _ => {
                self.warn(
                    at,
                    "properties matched by several patterns (or by patterns and \
                     `additionalProperties`) with different schemas are generated as a map of \
                     any JSON value",
                );
                json!({})
            }
        };
        out.insert("additionalProperties".to_owned(), map_of);
    }
}

/// What becomes of a keyword beside a `$ref`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sibling {
    /// Nothing: the `$ref` itself, comments, and bounds on the value (which do not change its
    /// type: the referenced schema's stands).
    Dropped,
    /// It describes the value: kept on the outer schema.
    Annotation,
    /// It constrains the value as an `allOf` member would: moved into `allOf/1`.
    Constraint,
}

/// The role of `key` beside a `$ref` (see [`Sibling`]).
pub(super) fn sibling_role(key: &str) -> Sibling {
    match key {
        "$ref" | "$comment" | "minLength" | "maxLength" | "pattern" | "minimum" | "maximum"
        | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" | "minItems" | "maxItems"
        | "uniqueItems" | "minProperties" | "maxProperties" => Sibling::Dropped,
        "summary" | "examples" => Sibling::Annotation,
        k if ANNOTATIONS.contains(&k) || k.starts_with("x-") => Sibling::Annotation,
        _ => Sibling::Constraint,
    }
}

/// A numeric `exclusiveMinimum`/`exclusiveMaximum` as 3.0 writes it: the bound, and the flag.
fn exclusive_bound(
    key: &str,
    value: &Value,
    source: &Map<String, Value>,
    out: &mut Map<String, Value>,
) {
    let inclusive = if key == "exclusiveMinimum" {
        "minimum"
    } else {
        "maximum"
    };
    match value {
        Value::Number(_) => {
            out.insert(inclusive.to_owned(), value.clone());
            out.insert(key.to_owned(), json!(true));
        }
        // A 3.0-style flag in a 3.1 document: kept, with its bound.
        Value::Bool(_) => {
            out.insert(key.to_owned(), value.clone());
            if let Some(bound) = source.get(inclusive) {
                out.insert(inclusive.to_owned(), bound.clone());
            }
        }
        _ => {}
    }
}

/// One member of a split list of types: the type and the keywords of that type.
fn type_member(type_name: &str, out: &Map<String, Value>) -> Value {
    let mut member = Map::new();
    member.insert("type".to_owned(), json!(type_name));
    for (key, value) in out {
        let belongs = match keyword_type(key) {
            Some("number") => matches!(type_name, "number" | "integer"),
            Some(t) => t == type_name,
            None => false,
        };
        if belongs {
            member.insert(key.clone(), value.clone());
        }
    }
    if let Some(Value::Array(values)) = out.get("enum") {
        let fits: Vec<Value> = values
            .iter()
            .filter(|v| fits_type(v, type_name))
            .cloned()
            .collect();
        if !fits.is_empty() {
            member.insert("enum".to_owned(), Value::Array(fits));
        }
    }
    Value::Object(member)
}

fn fits_type(value: &Value, type_name: &str) -> bool {
    match type_name {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

/// Whether a converted schema allows only `null` (`{type: 'null'}`, now `{nullable: true}`).
fn is_null_only(schema: &Value) -> bool {
    schema.as_object().is_some_and(|m| {
        m.get("nullable") == Some(&Value::Bool(true))
            && m.keys()
                .all(|k| k == "nullable" || k == "description" || k == "title")
    })
}
