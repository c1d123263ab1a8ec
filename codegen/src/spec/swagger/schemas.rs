//! Schemas: `type: file`, `discriminator`, `x-nullable`, siblings of `$ref`, and Azure's
//! `x-ms-enum` (a named enum becomes a schema of its own).

use super::*;

impl Converter<'_> {
    pub(super) fn schema(&mut self, schema: &Value, at: &str) -> Value {
        self.schema_at(schema, at, true)
    }

    /// One schema; `hoist` is false for the top of a definition, which is named already.
    pub(super) fn schema_at(&mut self, schema: &Value, at: &str, hoist: bool) -> Value {
        let Some(source) = schema.as_object() else {
            return schema.clone();
        };
        if let Some(reference) = source.get("$ref") {
            let Some(reference) = reference.as_str() else {
                self.error(&pointer(at, "$ref"), "`$ref` must be a string");
                return json!({});
            };
            let reference = json!({ "$ref": rewrite_ref(reference) });
            return if source.get("x-nullable") == Some(&Value::Bool(true)) {
                json!({ "allOf": [reference], "nullable": true })
            } else {
                reference
            };
        }
        let file = source.get("type").and_then(Value::as_str) == Some("file");
        let mut out = Map::new();
        for (key, value) in source {
            let here = pointer(at, key);
            match key.as_str() {
                "type" if file => {
                    out.insert("type".to_owned(), json!("string"));
                    out.insert("format".to_owned(), json!("binary"));
                }
                "format" if file => {}
                "type" => match value {
                    Value::Array(types) => {
                        let non_null: Vec<&Value> = types
                            .iter()
                            .filter(|t| t.as_str() != Some("null"))
                            .collect();
                        if let [only] = non_null.as_slice() {
                            out.insert("type".to_owned(), (*only).clone());
                        } else {
                            self.warn(
                                &here,
                                "a list of types has no OpenAPI 3.0 form; any type is accepted",
                            );
                        }
                        if non_null.len() < types.len() {
                            out.insert("nullable".to_owned(), json!(true));
                        }
                    }
                    _ => {
                        out.insert(key.clone(), value.clone());
                    }
                },
                "x-nullable" => match value {
                    Value::Bool(true) => {
                        out.insert("nullable".to_owned(), json!(true));
                    }
                    Value::Bool(false) => {}
                    _ => self.warn(&here, "`x-nullable` must be a boolean; ignored"),
                },
                "properties" => {
                    let mut properties = Map::new();
                    for (name, property) in value.as_object().into_iter().flatten() {
                        properties
                            .insert(name.clone(), self.schema(property, &pointer(&here, name)));
                    }
                    out.insert(key.clone(), Value::Object(properties));
                }
                "additionalProperties" | "not" => {
                    let converted = match value {
                        Value::Bool(_) => value.clone(),
                        _ => self.schema(value, &here),
                    };
                    out.insert(key.clone(), converted);
                }
                "items" => {
                    let converted = match value {
                        Value::Array(items) => {
                            self.warn(
                                &here,
                                "tuple `items` (a list) has no OpenAPI 3.0 form; the first \
                                 item's schema is used for every item",
                            );
                            match items.first() {
                                Some(first) => self.schema(first, &pointer(&here, "0")),
                                None => json!({}),
                            }
                        }
                        _ => self.schema(value, &here),
                    };
                    out.insert(key.clone(), converted);
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let members: Vec<Value> = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .enumerate()
                        .map(|(i, m)| self.schema(m, &format!("{here}/{i}")))
                        .collect();
                    out.insert(key.clone(), Value::Array(members));
                }
                "discriminator" => match value {
                    Value::String(name) => {
                        out.insert(key.clone(), json!({ "propertyName": name }));
                    }
                    _ => {
                        out.insert(key.clone(), value.clone());
                    }
                },
                "collectionFormat" => self.warn(
                    &here,
                    "`collectionFormat` inside `items` has no OpenAPI 3.0 form; \
                     comma-separated is assumed",
                ),
                k if NOT_IN_OPENAPI_3.contains(&k) => self.warn(
                    &here,
                    format!("`{key}` is not an OpenAPI 3.0 schema keyword; dropped"),
                ),
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        if hoist {
            self.hoist_enum(out, at)
        } else {
            Value::Object(out)
        }
    }

    /// An enum with `x-ms-enum.name` becomes the named schema of that name; its use keeps
    /// what belongs to the use (description, default...) beside `allOf: [$ref]`.
    pub(super) fn hoist_enum(&mut self, schema: Map<String, Value>, at: &str) -> Value {
        let Some(name) = schema
            .get("x-ms-enum")
            .and_then(|e| e.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return Value::Object(schema);
        };
        if !schema.contains_key("enum") {
            return Value::Object(schema);
        }
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !valid {
            self.warn(
                &pointer(at, "x-ms-enum"),
                format!("`x-ms-enum.name` `{name}` is not a valid component name; kept inline"),
            );
            return Value::Object(schema);
        }
        let mut named = Map::new();
        let mut usage = Map::new();
        for (key, value) in schema {
            match key.as_str() {
                "description" | "default" | "readOnly" | "nullable" | "example" | "title" => {
                    usage.insert(key, value);
                }
                _ => {
                    named.insert(key, value);
                }
            }
        }
        let named = Value::Object(named);
        let defined = self
            .root
            .get("definitions")
            .and_then(|d| d.get(&name))
            .is_some();
        let same = self.hoisted.get(&name).map(|existing| *existing == named);
        if defined || same == Some(false) {
            self.warn(
                &pointer(at, "x-ms-enum"),
                format!(
                    "`x-ms-enum.name` `{name}` already names {}; this enum stays inline",
                    if defined {
                        "a definition"
                    } else {
                        "an enum with other values"
                    }
                ),
            );
            let mut inline = usage;
            if let Value::Object(named) = named {
                inline.extend(named);
            }
            return Value::Object(inline);
        }
        if same.is_none() {
            self.hoisted.insert(name.clone(), named);
        }
        let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
        if usage.is_empty() {
            return reference;
        }
        let mut out = Map::new();
        out.insert("allOf".to_owned(), json!([reference]));
        out.extend(usage);
        Value::Object(out)
    }
}
