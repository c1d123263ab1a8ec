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

mod azure;
mod components;
mod operations;
mod schemas;
mod servers;
#[cfg(test)]
mod tests;

use crate::error::{Error, Errors, Location, Warning};
use crate::pointer::join as pointer;
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
    let mut cx = Converter {
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

struct Converter<'a> {
    file: &'a str,
    root: &'a Map<String, Value>,
    errors: Vec<Error>,
    warnings: Vec<Warning>,
    consumes: Vec<String>,
    produces: Vec<String>,
    /// Named schemas made from enums with `x-ms-enum.name`, in the order first met.
    hoisted: Map<String, Value>,
}

impl Converter<'_> {
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
