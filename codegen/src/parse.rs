//! Stage 1: text → `openapiv3::OpenAPI`, with the version checked first.

use crate::error::Error;

/// The syntax of the input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// JSON (the text starts with `{`).
    Json,
    /// YAML (anything else).
    Yaml,
}

/// Guesses the syntax from the text itself: JSON documents start with `{`.
pub fn detect(text: &str) -> Syntax {
    if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
    {
        Syntax::Json
    } else {
        Syntax::Yaml
    }
}

/// Parses `text` (YAML or JSON) into an OpenAPI 3.0 document.
pub fn parse(file: &str, text: &str) -> Result<openapiv3::OpenAPI, Error> {
    parse_with_raw(file, text).map(|(doc, _)| doc)
}

/// Parses `text` into an OpenAPI 3.0 document and also returns the document as plain JSON,
/// for references that point outside `components` (`#/paths/...`).
pub fn parse_with_raw(
    file: &str,
    text: &str,
) -> Result<(openapiv3::OpenAPI, serde_json::Value), Error> {
    let text = text.trim_start_matches('\u{feff}');
    let value: serde_json::Value = match detect(text) {
        Syntax::Json => serde_json::from_str(text).map_err(|e| Error::Syntax {
            file: file.to_owned(),
            format: "JSON",
            message: e.to_string(),
        })?,
        Syntax::Yaml => {
            let mut yaml: serde_yaml::Value =
                serde_yaml::from_str(text).map_err(|e| Error::Syntax {
                    file: file.to_owned(),
                    format: "YAML",
                    message: e.to_string(),
                })?;
            // `<<: *anchor` merge keys, which YAML 1.1 documents use to share fragments.
            yaml.apply_merge().map_err(|e| Error::Syntax {
                file: file.to_owned(),
                format: "YAML",
                message: e.to_string(),
            })?;
            serde_json::to_value(&yaml).map_err(|e| Error::Invalid {
                file: file.to_owned(),
                message: format!("the YAML has a value JSON cannot hold: {e}"),
            })?
        }
    };
    check_version(file, value.get("openapi"), value.get("swagger"))?;
    let doc = serde_path_to_error::deserialize(&value).map_err(|e| invalid(file, &e))?;
    Ok((doc, value))
}

fn invalid<E: std::fmt::Display>(file: &str, error: &serde_path_to_error::Error<E>) -> Error {
    let path = error.path().to_string();
    let at = if path == "." {
        String::from("the document root")
    } else {
        path
    };
    Error::Invalid {
        file: file.to_owned(),
        message: format!("at {at}: {}", error.inner()),
    }
}

fn check_version(
    file: &str,
    openapi: Option<&serde_json::Value>,
    swagger: Option<&serde_json::Value>,
) -> Result<(), Error> {
    let unsupported = |message: String| Error::UnsupportedVersion {
        file: file.to_owned(),
        message,
    };
    if let Some(swagger) = swagger {
        return Err(unsupported(format!(
            "this is a Swagger {} document; only OpenAPI 3.0 is read. Convert it first \
             (for example with swagger2openapi) and generate from the result",
            swagger.as_str().unwrap_or("2.0")
        )));
    }
    match openapi {
        None => Err(unsupported(
            "no `openapi` field at the top level: not an OpenAPI document".to_owned(),
        )),
        Some(serde_json::Value::String(v)) if v.starts_with("3.0") => Ok(()),
        Some(serde_json::Value::String(v)) if v.starts_with("3.1") => Err(unsupported(format!(
            "OpenAPI {v} is not supported yet; only 3.0.x is. Most 3.1 documents read as 3.0 \
             after changing `openapi` to 3.0.3 and `type: [T, 'null']` to `type: T, nullable: true`"
        ))),
        Some(other) => Err(unsupported(format!(
            "`openapi: {other}` is not a supported version; only 3.0.x is"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_swagger_and_31() {
        let e = parse("a.json", r#"{"swagger":"2.0","info":{}}"#).unwrap_err();
        assert!(e.to_string().contains("Swagger 2.0"), "{e}");
        let e = parse(
            "a.yaml",
            "openapi: 3.1.0\ninfo: {title: t, version: v}\npaths: {}\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("3.1.0 is not supported"), "{e}");
    }

    #[test]
    fn reports_syntax_errors() {
        let e = parse("a.yaml", "openapi: [").unwrap_err();
        assert!(matches!(e, Error::Syntax { format: "YAML", .. }), "{e}");
        let e = parse("a.json", "{\"openapi\": ").unwrap_err();
        assert!(matches!(e, Error::Syntax { format: "JSON", .. }), "{e}");
    }

    #[test]
    fn reports_invalid_with_path() {
        let e = parse(
            "a.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: v}\npaths: {/a: {get: {responses: 5}}}\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("paths"), "{e}");
    }
}
