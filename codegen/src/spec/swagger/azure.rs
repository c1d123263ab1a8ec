//! Azure's extensions (AutoRest's `x-ms-*`), each where the conversion meets it:
//! `x-ms-parameterized-host` → servers with variables, `x-ms-paths` → more `paths`,
//! `x-ms-enum.name` → a named schema, `x-ms-discriminator-value` → `discriminator.mapping`,
//! `x-nullable` → `nullable`. Other `x-ms-*` extensions are kept where they stand.

use super::*;

impl Converter<'_> {
    /// `x-ms-parameterized-host`: `hostTemplate` with `{name}` parts filled from parameters.
    pub(super) fn parameterized_host(
        &mut self,
        host: &Value,
        schemes: &[String],
        base: &str,
    ) -> Vec<Value> {
        let at = "#/x-ms-parameterized-host";
        let Some(template) = host.get("hostTemplate").and_then(Value::as_str) else {
            self.warn(
                at,
                "`x-ms-parameterized-host` has no `hostTemplate`; no servers",
            );
            return Vec::new();
        };
        let mut variables = Map::new();
        let parameters = host
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, parameter) in parameters.iter().enumerate() {
            let here = format!("{at}/parameters/{i}");
            let parameter = match parameter.get("$ref").and_then(Value::as_str) {
                Some(reference) => match self.global_parameter(reference) {
                    Some(global) => global,
                    None => {
                        self.warn(&here, format!("`{reference}` is not a global parameter"));
                        continue;
                    }
                },
                None => parameter.clone(),
            };
            let Some(name) = parameter.get("name").and_then(Value::as_str) else {
                continue;
            };
            if !template.contains(&format!("{{{name}}}")) {
                continue;
            }
            let mut variable = Map::new();
            let default = match parameter.get("default") {
                Some(Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
                None => {
                    self.warn(
                        &here,
                        format!(
                            "host parameter `{name}` has no default; the server variable gets an \
                             empty one, so clients must be given the base URL"
                        ),
                    );
                    String::new()
                }
            };
            variable.insert("default".to_owned(), json!(default));
            if let Some(values) = parameter.get("enum") {
                variable.insert("enum".to_owned(), values.clone());
            }
            if let Some(description) = parameter.get("description") {
                variable.insert("description".to_owned(), description.clone());
            }
            variables.insert(name.to_owned(), Value::Object(variable));
        }
        let with_scheme = host
            .get("useSchemePrefix")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let urls: Vec<String> = if with_scheme {
            schemes
                .iter()
                .map(|scheme| format!("{scheme}://{template}{base}"))
                .collect()
        } else {
            vec![format!("{template}{base}")]
        };
        urls.into_iter()
            .map(|url| {
                let mut server = Map::new();
                server.insert("url".to_owned(), json!(url));
                if !variables.is_empty() {
                    server.insert("variables".to_owned(), Value::Object(variables.clone()));
                }
                Value::Object(server)
            })
            .collect()
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

    /// `x-ms-paths`: paths that differ from others only by their query string. The query
    /// string becomes required single-value query parameters; an operation whose path and
    /// method are already taken cannot be told apart in OpenAPI 3.0 and is left out.
    pub(super) fn merge_ms_paths(&mut self, extra: &Value, paths: &mut Map<String, Value>) {
        let Some(source) = extra.as_object() else {
            self.warn("#/x-ms-paths", "`x-ms-paths` must be a mapping; ignored");
            return;
        };
        for (key, item) in source {
            let at = pointer("#/x-ms-paths", key);
            let Some(Value::Object(mut item)) = self.path_item(item, &at) else {
                continue;
            };
            let (path, query) = match key.split_once('?') {
                Some((path, query)) => (path.to_owned(), query),
                None => (key.clone(), ""),
            };
            let constants: Vec<Value> = query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    json!({
                        "name": name,
                        "in": "query",
                        "required": true,
                        "schema": { "type": "string", "enum": [value] },
                    })
                })
                .collect();
            let shared = match item.shift_remove("parameters") {
                Some(Value::Array(shared)) => shared,
                _ => Vec::new(),
            };
            let target = paths
                .entry(path.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let Some(target) = target.as_object_mut() else {
                continue;
            };
            for (method, operation) in item {
                let Value::Object(mut operation) = operation else {
                    continue;
                };
                if !METHODS.contains(&method.as_str()) {
                    target.entry(method).or_insert(Value::Object(operation));
                    continue;
                }
                if target.contains_key(&method) {
                    self.warnings.push(Warning {
                        location: Location::new(pointer(&at, &method)),
                        message: format!(
                            "`{method} {path}` is already defined; OpenAPI 3.0 cannot tell \
                             operations apart by query string, so this one is left out"
                        ),
                    });
                    continue;
                }
                let mut list = constants.clone();
                list.extend(shared.iter().cloned());
                if let Some(Value::Array(own)) = operation.shift_remove("parameters") {
                    list.retain(|p| !own.iter().any(|o| same_parameter(o, p)));
                    list.extend(own);
                }
                if !list.is_empty() {
                    let mut reordered = Map::new();
                    for (k, v) in std::mem::take(&mut operation) {
                        if k == "responses" || k == "requestBody" {
                            reordered
                                .entry("parameters")
                                .or_insert(Value::Array(list.clone()));
                        }
                        reordered.insert(k, v);
                    }
                    reordered
                        .entry("parameters")
                        .or_insert(Value::Array(list.clone()));
                    operation = reordered;
                }
                target.insert(method, Value::Object(operation));
            }
        }
    }

    /// `x-nullable` on a schema: `true` → `nullable: true` in `out`, `false` → nothing.
    pub(super) fn x_nullable(&mut self, value: &Value, here: &str, out: &mut Map<String, Value>) {
        match value {
            Value::Bool(true) => {
                out.insert("nullable".to_owned(), json!(true));
            }
            Value::Bool(false) => {}
            _ => self.warn(here, "`x-nullable` must be a boolean; ignored"),
        }
    }
}

/// A `$ref` (already rewritten) from a schema `source`: with `x-nullable: true` beside it, which
/// OpenAPI 3.0 would ignore, `allOf: [$ref]` + `nullable`.
pub(super) fn nullable_ref(source: &Map<String, Value>, reference: Value) -> Value {
    if source.get("x-nullable") == Some(&Value::Bool(true)) {
        json!({ "allOf": [reference], "nullable": true })
    } else {
        reference
    }
}

/// Subtypes name their discriminator value with `x-ms-discriminator-value` (default: the
/// definition's name, which OpenAPI 3.0 also assumes); other values go in the base's
/// `discriminator.mapping`.
pub(super) fn discriminator_mappings(
    definitions: &Map<String, Value>,
    schemas: &mut Map<String, Value>,
) {
    for (name, definition) in definitions {
        let Some(value) = definition
            .get("x-ms-discriminator-value")
            .and_then(Value::as_str)
        else {
            continue;
        };
        if value == name {
            continue;
        }
        let bases: Vec<String> = definition
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|member| member.get("$ref").and_then(Value::as_str))
            .filter_map(|r| crate::pointer::name_under(r, "definitions"))
            .collect();
        for base in bases {
            let Some(discriminator) = schemas
                .get_mut(&base)
                .and_then(|b| b.get_mut("discriminator"))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let mapping = discriminator.entry("mapping").or_insert_with(|| json!({}));
            if let Some(mapping) = mapping.as_object_mut() {
                mapping.insert(
                    value.to_owned(),
                    json!(pointer("#/components/schemas", name)),
                );
            }
        }
    }
}
