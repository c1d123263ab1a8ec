//! `host`, `basePath`, `schemes` and Azure's `x-ms-parameterized-host` → `servers`, for the
//! document and for operations with schemes of their own.

use super::*;

impl Converter<'_> {
    pub(super) fn servers(&mut self) -> Option<Vec<Value>> {
        let root = self.root;
        let base = match root.get("basePath") {
            Some(Value::String(base)) => base.trim_end_matches('/').to_owned(),
            Some(_) => {
                self.warn("#/basePath", "`basePath` must be a string; ignored");
                String::new()
            }
            None => String::new(),
        };
        let mut schemes = strings(root.get("schemes"));
        if schemes.is_empty() {
            schemes.push("https".to_owned());
        }
        if let Some(host) = root.get("x-ms-parameterized-host") {
            return Some(self.parameterized_host(host, &schemes, &base));
        }
        let host = match root.get("host") {
            Some(Value::String(host)) => host.trim_end_matches('/').to_owned(),
            Some(_) => {
                self.warn("#/host", "`host` must be a string; ignored");
                return None;
            }
            None if base.is_empty() => return None,
            None => return Some(vec![json!({ "url": base })]),
        };
        Some(
            schemes
                .iter()
                .map(|scheme| json!({ "url": format!("{scheme}://{host}{base}") }))
                .collect(),
        )
    }

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

    /// An operation's own `schemes`: servers with the document's host and base path.
    pub(super) fn operation_servers(&mut self, schemes: &Value) -> Option<Vec<Value>> {
        let schemes = strings(Some(schemes));
        let host = self.root.get("host").and_then(Value::as_str)?;
        let base = self
            .root
            .get("basePath")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_end_matches('/');
        let document = strings(self.root.get("schemes"));
        if schemes.is_empty() || schemes == document {
            return None;
        }
        Some(
            schemes
                .iter()
                .map(|scheme| json!({ "url": format!("{scheme}://{host}{base}") }))
                .collect(),
        )
    }
}
