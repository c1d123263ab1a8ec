//! `definitions`, global `parameters` and `responses`, `securityDefinitions` →
//! `components`.

use super::*;

impl Converter<'_> {
    pub(super) fn components(&mut self) -> Map<String, Value> {
        let root = self.root;
        let mut components = Map::new();
        let mut schemas = Map::new();
        if let Some(definitions) = root.get("definitions").and_then(Value::as_object) {
            for (name, schema) in definitions {
                let at = pointer("#/definitions", name);
                schemas.insert(name.clone(), self.schema_at(schema, &at, false));
            }
            azure::discriminator_mappings(definitions, &mut schemas);
        }
        for (name, schema) in std::mem::take(&mut self.hoisted) {
            schemas.entry(name).or_insert(schema);
        }
        if !schemas.is_empty() {
            components.insert("schemas".to_owned(), Value::Object(schemas));
        }

        let produces = self.produces.clone();
        if let Some(responses) = root.get("responses").and_then(Value::as_object) {
            let mut out = Map::new();
            for (name, response) in responses {
                let at = pointer("#/responses", name);
                out.insert(name.clone(), self.response(response, &produces, &at));
            }
            if !out.is_empty() {
                components.insert("responses".to_owned(), Value::Object(out));
            }
        }

        if let Some(parameters) = root.get("parameters").and_then(Value::as_object) {
            let mut out = Map::new();
            for (name, parameter) in parameters {
                let at = pointer("#/parameters", name);
                match parameter.get("in").and_then(Value::as_str) {
                    // Written out where they are used: OpenAPI 3.0 has no body parameters.
                    Some("body" | "formData") => {}
                    _ => {
                        if let Some(parameter) = self.plain_parameter(parameter, &at) {
                            out.insert(name.clone(), parameter);
                        }
                    }
                }
            }
            if !out.is_empty() {
                components.insert("parameters".to_owned(), Value::Object(out));
            }
        }

        if let Some(definitions) = root.get("securityDefinitions").and_then(Value::as_object) {
            let mut out = Map::new();
            for (name, definition) in definitions {
                let at = pointer("#/securityDefinitions", name);
                if let Some(scheme) = self.security_scheme(definition, &at) {
                    out.insert(name.clone(), scheme);
                }
            }
            if !out.is_empty() {
                components.insert("securitySchemes".to_owned(), Value::Object(out));
            }
        }
        components
    }

    pub(super) fn security_scheme(&mut self, definition: &Value, at: &str) -> Option<Value> {
        let Some(source) = definition.as_object() else {
            self.error(at, "a security definition must be a mapping");
            return None;
        };
        let mut out = Map::new();
        match source.get("type").and_then(Value::as_str) {
            Some("basic") => {
                out.insert("type".to_owned(), json!("http"));
                out.insert("scheme".to_owned(), json!("basic"));
            }
            Some("apiKey") => {
                out.insert("type".to_owned(), json!("apiKey"));
                for key in ["name", "in"] {
                    if let Some(value) = source.get(key) {
                        out.insert(key.to_owned(), value.clone());
                    }
                }
            }
            Some("oauth2") => {
                out.insert("type".to_owned(), json!("oauth2"));
                let flow = match source.get("flow").and_then(Value::as_str) {
                    Some("implicit") => "implicit",
                    Some("password") => "password",
                    Some("application") => "clientCredentials",
                    Some("accessCode") => "authorizationCode",
                    other => {
                        self.error(
                            &pointer(at, "flow"),
                            format!(
                                "OAuth 2 `flow` must be implicit, password, application or \
                                 accessCode, not {}",
                                other.unwrap_or("(none)")
                            ),
                        );
                        return None;
                    }
                };
                let mut details = Map::new();
                for key in ["authorizationUrl", "tokenUrl"] {
                    if let Some(value) = source.get(key) {
                        details.insert(key.to_owned(), value.clone());
                    }
                }
                details.insert(
                    "scopes".to_owned(),
                    source.get("scopes").cloned().unwrap_or_else(|| json!({})),
                );
                out.insert("flows".to_owned(), json!({ flow: details }));
            }
            other => {
                self.error(
                    &pointer(at, "type"),
                    format!(
                        "a security definition's `type` must be basic, apiKey or oauth2, not {}",
                        other.unwrap_or("(none)")
                    ),
                );
                return None;
            }
        }
        for (key, value) in source {
            if key == "description" || key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Some(Value::Object(out))
    }

    /// The global parameter a `#/parameters/...` reference names.
    pub(super) fn global_parameter(&self, reference: &str) -> Option<Value> {
        let name = crate::pointer::name_under(reference, "parameters")?;
        self.root
            .get("parameters")
            .and_then(|p| p.get(&name))
            .cloned()
    }
}
