//! Paths and operations: parameters (`body` and `formData` → `requestBody`, the others' type
//! keywords → `schema`, `collectionFormat` → `style`/`explode`), responses (`schema` →
//! `content` per `produces` entry). Azure's `x-ms-paths` is in `azure.rs`.

use super::*;

impl Converter<'_> {
    pub(super) fn path_item(&mut self, item: &Value, at: &str) -> Option<Value> {
        let Some(source) = item.as_object() else {
            self.error(at, "a path item must be a mapping");
            return None;
        };
        let mut shared = Vec::new();
        let mut inherited_body = None;
        let mut inherited_form = Vec::new();
        if let Some(parameters) = source.get("parameters") {
            for param in self.parameters(parameters, &pointer(at, "parameters")) {
                match param {
                    Param::Plain(value) => shared.push(value),
                    Param::Body(body) => inherited_body = Some(body),
                    Param::Form(field) => inherited_form.push(field),
                }
            }
        }
        let mut out = Map::new();
        for (key, value) in source {
            let here = pointer(at, key);
            match key.as_str() {
                "parameters" => {
                    if !shared.is_empty() {
                        out.insert(key.clone(), Value::Array(shared.clone()));
                    }
                }
                method if METHODS.contains(&method) => {
                    if let Some(operation) =
                        self.operation(value, &here, inherited_body.as_ref(), &inherited_form)
                    {
                        out.insert(key.clone(), operation);
                    }
                }
                "$ref" => {
                    self.warn(
                        &here,
                        "path item references are kept as they are; OpenAPI 3.0 reads them the \
                         same way only when the target is also OpenAPI 3.0",
                    );
                    out.insert(key.clone(), value.clone());
                }
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.warn(
                    &here,
                    format!("`{key}` is not a Swagger 2.0 path item field; dropped"),
                ),
            }
        }
        Some(Value::Object(out))
    }

    pub(super) fn parameters(&mut self, parameters: &Value, at: &str) -> Vec<Param> {
        let Some(list) = parameters.as_array() else {
            self.error(at, "`parameters` must be a list");
            return Vec::new();
        };
        list.iter()
            .enumerate()
            .filter_map(|(i, p)| self.parameter(p, &format!("{at}/{i}")))
            .collect()
    }

    pub(super) fn parameter(&mut self, parameter: &Value, at: &str) -> Option<Param> {
        if let Some(reference) = parameter.get("$ref").and_then(Value::as_str) {
            if !reference.starts_with("#/parameters/") {
                return Some(Param::Plain(json!({ "$ref": rewrite_ref(reference) })));
            }
            let Some(global) = self.global_parameter(reference) else {
                self.error(at, format!("`{reference}` names no global parameter"));
                return None;
            };
            return match global.get("in").and_then(Value::as_str) {
                _ if global.get("$ref").is_some() => {
                    self.error(
                        at,
                        format!("the global parameter `{reference}` is a reference"),
                    );
                    None
                }
                Some("body" | "formData") => self.parameter(&global, reference),
                _ => Some(Param::Plain(json!({ "$ref": rewrite_ref(reference) }))),
            };
        }
        let Some(source) = parameter.as_object() else {
            self.error(at, "a parameter must be a mapping");
            return None;
        };
        match source.get("in").and_then(Value::as_str) {
            Some("body") => {
                let schema = match source.get("schema") {
                    Some(schema) => self.schema(schema, &pointer(at, "schema")),
                    None => {
                        self.warn(at, "a body parameter without `schema`; any JSON value");
                        json!({})
                    }
                };
                let extensions = source
                    .iter()
                    .filter(|(key, _)| key.starts_with("x-"))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect();
                Some(Param::Body(Body {
                    description: source.get("description").cloned(),
                    required: source.get("required") == Some(&Value::Bool(true)),
                    schema,
                    extensions,
                }))
            }
            Some("formData") => self.form_field(source, at).map(Param::Form),
            Some("query" | "header" | "path") => {
                self.plain_parameter(parameter, at).map(Param::Plain)
            }
            other => {
                self.error(
                    &pointer(at, "in"),
                    format!(
                        "`in` must be query, header, path, formData or body, not {}",
                        other.unwrap_or("(none)")
                    ),
                );
                None
            }
        }
    }

    /// A query, header or path parameter (or a response header, without `name` and `in`):
    /// the value keywords move under `schema`, `collectionFormat` becomes `style`/`explode`.
    pub(super) fn plain_parameter(&mut self, parameter: &Value, at: &str) -> Option<Value> {
        let Some(source) = parameter.as_object() else {
            self.error(at, "a parameter must be a mapping");
            return None;
        };
        let location = source.get("in").and_then(Value::as_str).unwrap_or("header");
        let mut out = Map::new();
        let mut schema = Map::new();
        for (key, value) in source {
            let here = pointer(at, key);
            match key.as_str() {
                "name" | "in" | "description" | "required" | "allowEmptyValue" | "deprecated" => {
                    out.insert(key.clone(), value.clone());
                }
                k if VALUE_KEYWORDS.contains(&k) => {
                    // The schema takes the place of the first value keyword.
                    out.entry("schema").or_insert(Value::Null);
                    schema.insert(key.clone(), value.clone());
                }
                "collectionFormat" => {}
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                "schema" => self.warn(
                    &here,
                    "`schema` belongs to body parameters; dropped (use `type`)",
                ),
                _ => self.warn(&here, format!("`{key}` is not a parameter field; dropped")),
            }
        }
        if schema.get("type").and_then(Value::as_str) == Some("file") {
            self.warn(
                &pointer(at, "type"),
                "`type: file` is only for formData parameters; read as a binary string",
            );
        }
        let is_array = schema.get("type").and_then(Value::as_str) == Some("array");
        if is_array && !schema.contains_key("items") {
            self.warn(
                at,
                "an array parameter without `items`; its items are any JSON value",
            );
            schema.insert("items".to_owned(), json!({}));
        }
        let schema = self.schema(&Value::Object(schema), at);
        out.insert("schema".to_owned(), schema);
        if location == "path" && out.get("required") != Some(&Value::Bool(true)) {
            self.warn(
                at,
                "a path parameter must be required; marked `required: true`",
            );
            out.insert("required".to_owned(), json!(true));
        }
        if is_array {
            let format = source
                .get("collectionFormat")
                .and_then(Value::as_str)
                .unwrap_or("csv");
            let here = pointer(at, "collectionFormat");
            match (location, format) {
                ("query", "csv") => {
                    out.insert("style".to_owned(), json!("form"));
                    out.insert("explode".to_owned(), json!(false));
                }
                ("query", "multi") => {
                    out.insert("style".to_owned(), json!("form"));
                    out.insert("explode".to_owned(), json!(true));
                }
                ("query", "ssv") => {
                    out.insert("style".to_owned(), json!("spaceDelimited"));
                    out.insert("explode".to_owned(), json!(false));
                }
                ("query", "pipes") => {
                    out.insert("style".to_owned(), json!("pipeDelimited"));
                    out.insert("explode".to_owned(), json!(false));
                }
                // `simple` (comma-separated) is the default for paths and headers.
                ("path" | "header", "csv") => {}
                (_, "tsv") => {
                    self.warn(
                        &here,
                        "`collectionFormat: tsv` has no OpenAPI 3.0 form; sent comma-separated",
                    );
                    if location == "query" {
                        out.insert("style".to_owned(), json!("form"));
                        out.insert("explode".to_owned(), json!(false));
                    }
                }
                (_, other) => self.warn(
                    &here,
                    format!(
                        "`collectionFormat: {other}` has no OpenAPI 3.0 form for a {location} \
                         parameter; sent comma-separated"
                    ),
                ),
            }
        }
        Some(Value::Object(out))
    }

    pub(super) fn form_field(
        &mut self,
        source: &Map<String, Value>,
        at: &str,
    ) -> Option<FormField> {
        let Some(name) = source.get("name").and_then(Value::as_str) else {
            self.error(at, "a formData parameter needs a `name`");
            return None;
        };
        let file = source.get("type").and_then(Value::as_str) == Some("file");
        let mut schema = Map::new();
        if let Some(description) = source.get("description") {
            schema.insert("description".to_owned(), description.clone());
        }
        for (key, value) in source {
            if VALUE_KEYWORDS.contains(&key.as_str()) {
                schema.insert(key.clone(), value.clone());
            }
        }
        let is_array = schema.get("type").and_then(Value::as_str) == Some("array");
        if is_array && !schema.contains_key("items") {
            schema.insert("items".to_owned(), json!({}));
        }
        let encoding = if is_array {
            match source
                .get("collectionFormat")
                .and_then(Value::as_str)
                .unwrap_or("csv")
            {
                "multi" => None,
                "csv" => Some(("form", false)),
                "ssv" => Some(("spaceDelimited", false)),
                "pipes" => Some(("pipeDelimited", false)),
                other => {
                    self.warn(
                        &pointer(at, "collectionFormat"),
                        format!(
                            "`collectionFormat: {other}` has no OpenAPI 3.0 form; comma-separated"
                        ),
                    );
                    Some(("form", false))
                }
            }
        } else {
            None
        };
        Some(FormField {
            name: name.to_owned(),
            schema: self.schema(&Value::Object(schema), at),
            required: source.get("required") == Some(&Value::Bool(true)),
            file,
            encoding,
        })
    }

    pub(super) fn operation(
        &mut self,
        operation: &Value,
        at: &str,
        inherited_body: Option<&Body>,
        inherited_form: &[FormField],
    ) -> Option<Value> {
        let Some(source) = operation.as_object() else {
            self.error(at, "an operation must be a mapping");
            return None;
        };
        let consumes = match source.get("consumes") {
            Some(list) => strings(Some(list)),
            None => self.consumes.clone(),
        };
        let produces = match source.get("produces") {
            Some(list) => strings(Some(list)),
            None => self.produces.clone(),
        };
        let mut params = Vec::new();
        let mut body: Option<Body> = None;
        let mut form = Vec::new();
        if let Some(parameters) = source.get("parameters") {
            let parameters_at = pointer(at, "parameters");
            for param in self.parameters(parameters, &parameters_at) {
                match param {
                    Param::Plain(value) => params.push(value),
                    Param::Body(b) => {
                        if body.is_some() {
                            self.warn(
                                &parameters_at,
                                "more than one body parameter; the first is kept",
                            );
                        } else {
                            body = Some(b);
                        }
                    }
                    Param::Form(field) => form.push(field),
                }
            }
        }
        if body.is_none() && form.is_empty() {
            body = inherited_body.cloned();
            form = inherited_form.to_vec();
        }
        let mut request_body = self.request_body(body, form, &consumes, at);

        let mut out = Map::new();
        for (key, value) in source {
            let here = pointer(at, key);
            match key.as_str() {
                "parameters" => {
                    if !params.is_empty() {
                        out.insert(key.clone(), Value::Array(std::mem::take(&mut params)));
                    }
                    if let Some(body) = request_body.take() {
                        out.insert("requestBody".to_owned(), body);
                    }
                }
                "consumes" | "produces" => {}
                "responses" => {
                    let responses = self.responses(value, &produces, &here);
                    if let Some(body) = request_body.take() {
                        out.insert("requestBody".to_owned(), body);
                    }
                    out.insert(key.clone(), responses);
                }
                "schemes" => {
                    if let Some(servers) = self.operation_servers(value) {
                        out.insert("servers".to_owned(), Value::Array(servers));
                    }
                }
                "tags" | "summary" | "description" | "externalDocs" | "operationId"
                | "deprecated" | "security" => {
                    out.insert(key.clone(), value.clone());
                }
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.warn(
                    &here,
                    format!("`{key}` is not a Swagger 2.0 operation field; dropped"),
                ),
            }
        }
        if let Some(body) = request_body {
            out.insert("requestBody".to_owned(), body);
        }
        if !out.contains_key("responses") {
            self.error(at, "an operation needs `responses`");
        }
        Some(Value::Object(out))
    }

    pub(super) fn request_body(
        &mut self,
        body: Option<Body>,
        form: Vec<FormField>,
        consumes: &[String],
        at: &str,
    ) -> Option<Value> {
        if let Some(body) = body {
            if !form.is_empty() {
                self.warn(
                    &pointer(at, "parameters"),
                    "both a body and formData parameters; the formData parameters are dropped",
                );
            }
            let types: Vec<String> = if consumes.is_empty() {
                vec!["application/json".to_owned()]
            } else {
                consumes.to_vec()
            };
            let mut out = Map::new();
            if let Some(description) = body.description {
                out.insert("description".to_owned(), description);
            }
            if body.required {
                out.insert("required".to_owned(), json!(true));
            }
            let mut content = Map::new();
            for media in types {
                content.insert(media, json!({ "schema": body.schema.clone() }));
            }
            out.insert("content".to_owned(), Value::Object(content));
            out.extend(body.extensions);
            return Some(Value::Object(out));
        }
        if form.is_empty() {
            return None;
        }
        let mut types: Vec<String> = consumes
            .iter()
            .filter(|media| {
                media.starts_with("multipart/form-data")
                    || media.starts_with("application/x-www-form-urlencoded")
            })
            .cloned()
            .collect();
        if types.is_empty() {
            types.push(if form.iter().any(|field| field.file) {
                "multipart/form-data".to_owned()
            } else {
                "application/x-www-form-urlencoded".to_owned()
            });
        }
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        for field in &form {
            properties.insert(field.name.clone(), field.schema.clone());
            if field.required {
                required.push(json!(field.name));
            }
            if let Some((style, explode)) = field.encoding {
                encoding.insert(
                    field.name.clone(),
                    json!({ "style": style, "explode": explode }),
                );
            }
        }
        let mut schema = Map::new();
        schema.insert("type".to_owned(), json!("object"));
        schema.insert("properties".to_owned(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".to_owned(), Value::Array(required));
        }
        let mut content = Map::new();
        for media in types {
            let mut entry = Map::new();
            entry.insert("schema".to_owned(), Value::Object(schema.clone()));
            if !encoding.is_empty() && media.starts_with("application/x-www-form-urlencoded") {
                entry.insert("encoding".to_owned(), Value::Object(encoding.clone()));
            }
            content.insert(media, Value::Object(entry));
        }
        let mut out = Map::new();
        if form.iter().any(|field| field.required) {
            out.insert("required".to_owned(), json!(true));
        }
        out.insert("content".to_owned(), Value::Object(content));
        Some(Value::Object(out))
    }

    pub(super) fn responses(&mut self, responses: &Value, produces: &[String], at: &str) -> Value {
        let Some(source) = responses.as_object() else {
            self.error(at, "`responses` must be a mapping");
            return json!({});
        };
        let mut out = Map::new();
        for (status, response) in source {
            if status.starts_with("x-") {
                out.insert(status.clone(), response.clone());
            } else {
                let converted = self.response(response, produces, &pointer(at, status));
                out.insert(status.clone(), converted);
            }
        }
        Value::Object(out)
    }

    pub(super) fn response(&mut self, response: &Value, produces: &[String], at: &str) -> Value {
        if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
            return json!({ "$ref": rewrite_ref(reference) });
        }
        let Some(source) = response.as_object() else {
            self.error(at, "a response must be a mapping");
            return json!({ "description": "" });
        };
        let mut out = Map::new();
        if !source.contains_key("description") {
            self.warn(at, "a response without `description`; given an empty one");
            out.insert("description".to_owned(), json!(""));
        }
        let mut content: Option<Map<String, Value>> = None;
        for (key, value) in source {
            let here = pointer(at, key);
            match key.as_str() {
                "description" => {
                    out.insert(key.clone(), value.clone());
                }
                "headers" => {
                    let mut headers = Map::new();
                    for (name, header) in value.as_object().into_iter().flatten() {
                        if let Some(header) = self.plain_parameter(header, &pointer(&here, name)) {
                            headers.insert(name.clone(), header);
                        }
                    }
                    out.insert(key.clone(), Value::Object(headers));
                }
                "schema" => {
                    let file = value.get("type").and_then(Value::as_str) == Some("file");
                    let schema = self.schema(value, &here);
                    let types: Vec<String> = match (produces.is_empty(), file) {
                        (false, _) => produces.to_vec(),
                        (true, true) => vec!["application/octet-stream".to_owned()],
                        (true, false) => vec!["application/json".to_owned()],
                    };
                    let map = content.get_or_insert_with(Map::new);
                    for media in types {
                        let entry = map.entry(media).or_insert_with(|| json!({}));
                        if let Some(entry) = entry.as_object_mut() {
                            entry.insert("schema".to_owned(), schema.clone());
                        }
                    }
                    out.entry("content").or_insert(Value::Null);
                }
                "examples" => {
                    let map = content.get_or_insert_with(Map::new);
                    for (media, example) in value.as_object().into_iter().flatten() {
                        let entry = map.entry(media.clone()).or_insert_with(|| json!({}));
                        if let Some(entry) = entry.as_object_mut() {
                            entry.insert("example".to_owned(), example.clone());
                        }
                    }
                    out.entry("content").or_insert(Value::Null);
                }
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.warn(&here, format!("`{key}` is not a response field; dropped")),
            }
        }
        if let Some(content) = content {
            out.insert("content".to_owned(), Value::Object(content));
        }
        Value::Object(out)
    }
}
