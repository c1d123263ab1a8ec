//! Schemas: `type: file`, `discriminator`, siblings of `$ref`; Azure's `x-nullable` and
//! `x-ms-enum` through `azure.rs`.

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
            return azure::nullable_ref(source, json!({ "$ref": rewrite_ref(reference) }));
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
                    Value::Array(types) => self.type_list(types, &here, &mut out),
                    _ => {
                        out.insert(key.clone(), value.clone());
                    }
                },
                "x-nullable" => self.x_nullable(value, &here, &mut out),
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
                    let converted = self.items(value, &here);
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

    /// `type` as a list (`[string, "null"]`): one type and `nullable`, or any type.
    fn type_list(&mut self, types: &[Value], here: &str, out: &mut Map<String, Value>) {
        let non_null: Vec<&Value> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .collect();
        if let [only] = non_null.as_slice() {
            out.insert("type".to_owned(), (*only).clone());
        } else {
            self.warn(
                here,
                "a list of types has no OpenAPI 3.0 form; any type is accepted",
            );
        }
        if non_null.len() < types.len() {
            out.insert("nullable".to_owned(), json!(true));
        }
    }

    /// `items`, converted; a list of schemas (a tuple) becomes its first, with a warning.
    fn items(&mut self, value: &Value, here: &str) -> Value {
        match value {
            Value::Array(items) => {
                self.warn(
                    here,
                    "tuple `items` (a list) has no OpenAPI 3.0 form; the first \
                     item's schema is used for every item",
                );
                match items.first() {
                    Some(first) => self.schema(first, &pointer(here, "0")),
                    None => json!({}),
                }
            }
            _ => self.schema(value, here),
        }
    }
}
