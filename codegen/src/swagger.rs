//! Swagger 2.0 → OpenAPI 3.0.3, on plain JSON values (key order kept).
//!
//! [`convert`] takes a parsed Swagger 2.0 document and returns the OpenAPI 3.0.3 document that
//! says the same thing, plus a warning for each construct that has no OpenAPI 3.0 form. The
//! result then goes through the normal pipeline; `parse` calls it when a document declares
//! `swagger: "2.0"`, so every entry point reads Swagger 2.0 too.
//!
//! What maps to what:
//!
//! - `host`, `basePath`, `schemes` → `servers` (one per scheme); Azure's
//!   `x-ms-parameterized-host` → a server URL with variables.
//! - `definitions` → `components/schemas`; `parameters` (global) → `components/parameters`,
//!   except `body` and `formData` parameters, which are written out where they are used;
//!   `responses` → `components/responses`; `securityDefinitions` →
//!   `components/securitySchemes` (`basic` → `http`/`basic`, OAuth 2 flows renamed).
//!   References are rewritten to match.
//! - A `body` parameter → `requestBody`, one media type per `consumes` entry (the
//!   operation's, else the document's, else `application/json`); `formData` parameters → one
//!   `application/x-www-form-urlencoded` or `multipart/form-data` body (with `type: file` as
//!   binary strings); other parameters get their type keywords moved under `schema`, and
//!   `collectionFormat` becomes `style`/`explode`.
//! - Response `schema`, `examples` → `content` per `produces` entry; header types → `schema`.
//! - Schemas: `type: file` → binary string; `discriminator: name` → `{propertyName: name}`,
//!   with `x-ms-discriminator-value`s as its `mapping`; `x-nullable` → `nullable` (on a `$ref`,
//!   `allOf: [$ref]` + `nullable`); siblings of `$ref`, which both versions ignore, are dropped.
//! - Azure's `x-ms-enum`: kept; an enum with `x-ms-enum.name` becomes a named schema of that
//!   name (its uses `$ref` it), so the generated type has that name. `modelAsString` needs no
//!   mapping: every enum the generator emits is open. `x-ms-paths` entries join `paths`, their
//!   query string becoming required single-value query parameters. `x-ms-pageable`,
//!   `x-ms-long-running-operation` and every other extension are kept where they stand.

use crate::error::{Error, Errors, Location, Warning, pointer};
use serde_json::{Map, Value, json};

/// A converted document and what could not be said in OpenAPI 3.0.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// The OpenAPI 3.0.3 document.
    pub document: Value,
    /// Constructs dropped or approximated, at their pointer in the Swagger document.
    pub warnings: Vec<Warning>,
}

/// Whether the document declares a Swagger version (`swagger:` at the top).
pub fn is_swagger(document: &Value) -> bool {
    document.get("swagger").is_some()
}

/// Converts a Swagger 2.0 document (`file` names it in messages) to OpenAPI 3.0.3.
pub fn convert(file: &str, document: &Value) -> Result<Conversion, Errors> {
    let Some(root) = document.as_object() else {
        return Err(Error::Invalid {
            file: file.to_owned(),
            location: Location::new("#"),
            message: "the document is not a mapping".to_owned(),
        }
        .into());
    };
    match root.get("swagger") {
        Some(Value::String(v)) if v == "2.0" => {}
        Some(Value::Number(n)) if n.as_f64() == Some(2.0) => {}
        other => {
            let version = match other {
                Some(Value::String(v)) => v.clone(),
                Some(v) => v.to_string(),
                None => "(none)".to_owned(),
            };
            return Err(Error::UnsupportedVersion {
                file: file.to_owned(),
                message: format!(
                    "Swagger {version} is not supported; only Swagger 2.0 and OpenAPI 3.0.x are"
                ),
            }
            .into());
        }
    }
    let mut cx = Cx {
        file,
        root,
        errors: Vec::new(),
        warnings: Vec::new(),
        consumes: strings(root.get("consumes")),
        produces: strings(root.get("produces")),
        hoisted: Map::new(),
    };
    let document = cx.document();
    if cx.errors.is_empty() {
        cx.warnings.sort();
        cx.warnings.dedup();
        Ok(Conversion {
            document,
            warnings: cx.warnings,
        })
    } else {
        Err(Errors(cx.errors))
    }
}

/// The string items of a list (`consumes`, `produces`, `schemes`).
fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// Keywords of a non-body parameter (or header, or `items`) that describe its value.
const VALUE_KEYWORDS: [&str; 19] = [
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-ms-enum",
    "x-nullable",
    "example",
];

/// Schema keywords JSON Schema draft 4 has and OpenAPI 3.0 does not.
const NOT_IN_OPENAPI_3: [&str; 6] = [
    "$schema",
    "id",
    "definitions",
    "patternProperties",
    "dependencies",
    "additionalItems",
];

/// What one Swagger parameter becomes.
enum Param {
    /// A parameter object (or a reference to one).
    Plain(Value),
    /// The request body.
    Body(Body),
    /// A field of a form body.
    Form(FormField),
}

#[derive(Clone)]
struct Body {
    description: Option<Value>,
    required: bool,
    schema: Value,
    extensions: Map<String, Value>,
}

#[derive(Clone)]
struct FormField {
    name: String,
    schema: Value,
    required: bool,
    file: bool,
    /// `(style, explode)` when the field is a list not sent the default way.
    encoding: Option<(&'static str, bool)>,
}

struct Cx<'a> {
    file: &'a str,
    root: &'a Map<String, Value>,
    errors: Vec<Error>,
    warnings: Vec<Warning>,
    consumes: Vec<String>,
    produces: Vec<String>,
    /// Named schemas made from enums with `x-ms-enum.name`, in the order first met.
    hoisted: Map<String, Value>,
}

impl Cx<'_> {
    fn warn(&mut self, at: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            location: Location::new(at),
            message: message.into(),
        });
    }

    fn error(&mut self, at: &str, message: impl Into<String>) {
        self.errors.push(Error::Semantic {
            file: self.file.to_owned(),
            location: Location::new(at),
            message: format!("not valid Swagger 2.0: {}", message.into()),
        });
    }

    fn document(&mut self) -> Value {
        let root = self.root;
        let mut out = Map::new();
        out.insert("openapi".to_owned(), json!("3.0.3"));
        for key in ["info", "externalDocs"] {
            if let Some(value) = root.get(key) {
                out.insert(key.to_owned(), value.clone());
            }
        }
        if let Some(servers) = self.servers() {
            out.insert("servers".to_owned(), Value::Array(servers));
        }
        for key in ["security", "tags"] {
            if let Some(value) = root.get(key) {
                out.insert(key.to_owned(), value.clone());
            }
        }
        for (key, value) in root {
            match key.as_str() {
                "x-ms-paths" | "x-ms-parameterized-host" => {}
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                "swagger"
                | "info"
                | "externalDocs"
                | "host"
                | "basePath"
                | "schemes"
                | "consumes"
                | "produces"
                | "security"
                | "tags"
                | "paths"
                | "definitions"
                | "parameters"
                | "responses"
                | "securityDefinitions" => {}
                _ => self.warn(
                    &pointer("#", key),
                    format!("`{key}` is not a Swagger 2.0 field; dropped"),
                ),
            }
        }

        let mut paths = Map::new();
        match root.get("paths") {
            Some(Value::Object(source)) => {
                for (path, item) in source {
                    let at = pointer("#/paths", path);
                    if path.starts_with("x-") {
                        paths.insert(path.clone(), item.clone());
                    } else if let Some(item) = self.path_item(item, &at) {
                        paths.insert(path.clone(), item);
                    }
                }
            }
            Some(_) => self.error("#/paths", "`paths` must be a mapping"),
            None => self.error("#", "no `paths`"),
        }
        if let Some(extra) = root.get("x-ms-paths") {
            self.merge_ms_paths(extra, &mut paths);
        }
        out.insert("paths".to_owned(), Value::Object(paths));

        let components = self.components();
        if !components.is_empty() {
            out.insert("components".to_owned(), Value::Object(components));
        }
        Value::Object(out)
    }

    // ----- servers ---------------------------------------------------------------------

    fn servers(&mut self) -> Option<Vec<Value>> {
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
    fn parameterized_host(&mut self, host: &Value, schemes: &[String], base: &str) -> Vec<Value> {
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

    // ----- components ------------------------------------------------------------------

    fn components(&mut self) -> Map<String, Value> {
        let root = self.root;
        let mut components = Map::new();
        let mut schemas = Map::new();
        if let Some(definitions) = root.get("definitions").and_then(Value::as_object) {
            for (name, schema) in definitions {
                let at = pointer("#/definitions", name);
                schemas.insert(name.clone(), self.schema_at(schema, &at, false));
            }
            discriminator_mappings(definitions, &mut schemas);
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

    fn security_scheme(&mut self, definition: &Value, at: &str) -> Option<Value> {
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
    fn global_parameter(&self, reference: &str) -> Option<Value> {
        let name = reference.strip_prefix("#/parameters/")?;
        let name = name.replace("~1", "/").replace("~0", "~");
        self.root
            .get("parameters")
            .and_then(|p| p.get(&name))
            .cloned()
    }

    // ----- paths -----------------------------------------------------------------------

    fn path_item(&mut self, item: &Value, at: &str) -> Option<Value> {
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

    fn parameters(&mut self, parameters: &Value, at: &str) -> Vec<Param> {
        let Some(list) = parameters.as_array() else {
            self.error(at, "`parameters` must be a list");
            return Vec::new();
        };
        list.iter()
            .enumerate()
            .filter_map(|(i, p)| self.parameter(p, &format!("{at}/{i}")))
            .collect()
    }

    fn parameter(&mut self, parameter: &Value, at: &str) -> Option<Param> {
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
                Some("body" | "formData") => {
                    let name = reference.trim_start_matches("#/parameters/");
                    let global_at = format!("#/parameters/{name}");
                    self.parameter(&global, &global_at)
                }
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
    fn plain_parameter(&mut self, parameter: &Value, at: &str) -> Option<Value> {
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

    fn form_field(&mut self, source: &Map<String, Value>, at: &str) -> Option<FormField> {
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

    fn operation(
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

    /// An operation's own `schemes`: servers with the document's host and base path.
    fn operation_servers(&mut self, schemes: &Value) -> Option<Vec<Value>> {
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

    fn request_body(
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

    fn responses(&mut self, responses: &Value, produces: &[String], at: &str) -> Value {
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

    fn response(&mut self, response: &Value, produces: &[String], at: &str) -> Value {
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

    /// `x-ms-paths`: paths that differ from others only by their query string. The query
    /// string becomes required single-value query parameters; an operation whose path and
    /// method are already taken cannot be told apart in OpenAPI 3.0 and is left out.
    fn merge_ms_paths(&mut self, extra: &Value, paths: &mut Map<String, Value>) {
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

    // ----- schemas ---------------------------------------------------------------------

    fn schema(&mut self, schema: &Value, at: &str) -> Value {
        self.schema_at(schema, at, true)
    }

    /// One schema; `hoist` is false for the top of a definition, which is named already.
    fn schema_at(&mut self, schema: &Value, at: &str, hoist: bool) -> Value {
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
    fn hoist_enum(&mut self, schema: Map<String, Value>, at: &str) -> Value {
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

/// `#/definitions/X` → `#/components/schemas/X`, and the same for parameters and responses;
/// the file part of a remote reference is kept.
pub fn rewrite_ref(reference: &str) -> String {
    let (file, fragment) = match reference.split_once('#') {
        Some((file, fragment)) => (file, fragment),
        None => return reference.to_owned(),
    };
    for (from, to) in [
        ("/definitions/", "/components/schemas/"),
        ("/parameters/", "/components/parameters/"),
        ("/responses/", "/components/responses/"),
    ] {
        if let Some(rest) = fragment.strip_prefix(from) {
            return format!("{file}#{to}{rest}");
        }
    }
    reference.to_owned()
}

fn same_parameter(a: &Value, b: &Value) -> bool {
    a.get("name").is_some() && a.get("name") == b.get("name") && a.get("in") == b.get("in")
}

/// Subtypes name their discriminator value with `x-ms-discriminator-value` (default: the
/// definition's name, which OpenAPI 3.0 also assumes); other values go in the base's
/// `discriminator.mapping`.
fn discriminator_mappings(definitions: &Map<String, Value>, schemas: &mut Map<String, Value>) {
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
            .filter_map(|r| r.strip_prefix("#/definitions/"))
            .map(str::to_owned)
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
                    json!(format!("#/components/schemas/{name}")),
                );
            }
        }
    }
}

/// The hook `parse` calls: a Swagger document converted (with its warnings), anything else
/// returned as it is.
pub(crate) fn upgrade(file: &str, document: Value) -> Result<(Value, Vec<Warning>), Errors> {
    if is_swagger(&document) {
        let conversion = convert(file, &document)?;
        Ok((conversion.document, conversion.warnings))
    } else {
        Ok((document, Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// JSON values built from the words a Swagger document uses, nested a few levels.
    fn value() -> impl Strategy<Value = Value> {
        let words = prop::sample::select(vec![
            "type",
            "in",
            "body",
            "formData",
            "query",
            "path",
            "header",
            "array",
            "file",
            "string",
            "items",
            "$ref",
            "#/parameters/p",
            "#/definitions/D",
            "schema",
            "name",
            "x-ms-enum",
            "enum",
            "collectionFormat",
            "tsv",
            "multi",
            "x-nullable",
            "allOf",
            "discriminator",
            "properties",
            "responses",
            "parameters",
            "get",
            "/a?b=c",
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
        /// Whatever the document holds, conversion answers (a document or errors) without
        /// panicking.
        #[test]
        fn never_panics(
            paths in value(),
            definitions in value(),
            parameters in value(),
            extra in value(),
        ) {
            let doc = json!({
                "swagger": "2.0",
                "info": {"title": "t", "version": "1"},
                "paths": {"/a/{id}": {"get": paths.clone(), "parameters": parameters.clone()}, "/b": paths},
                "definitions": {"D": definitions},
                "parameters": {"p": parameters},
                "x-ms-paths": {"/a?x=1": extra.clone()},
                "x-ms-parameterized-host": extra,
            });
            let _ = convert("fuzz.json", &doc);
        }
    }
}
