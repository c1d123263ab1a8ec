//! Stage 1: text → `openapiv3::OpenAPI`, with the version checked first.

use crate::error::{Error, Errors, Location, pointer};

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

/// Parses `text` (YAML or JSON) into an OpenAPI 3.0 document; on failure, the first error.
pub fn parse(file: &str, text: &str) -> Result<openapiv3::OpenAPI, Error> {
    parse_with_raw(file, text)
        .map(|(doc, _)| doc)
        .map_err(|errors| {
            errors
                .0
                .into_iter()
                .next()
                .unwrap_or_else(|| internal(file))
        })
}

fn internal(file: &str) -> Error {
    Error::Internal(format!("{file}: parsing failed without an error"))
}

/// Parses `text` into an OpenAPI 3.0 document and also returns the document as plain JSON,
/// for references that point outside `components` (`#/paths/...`). A document that does not
/// follow the OpenAPI 3.0 schema gets every offending value reported, each with its pointer.
pub fn parse_with_raw(
    file: &str,
    text: &str,
) -> Result<(openapiv3::OpenAPI, serde_json::Value), Errors> {
    parse_converted(file, text).map(|(doc, raw, _)| (doc, raw))
}

/// [`parse_with_raw`], plus the warnings of converting a Swagger 2.0 document (none for
/// OpenAPI 3.0): Swagger 2.0 is converted to OpenAPI 3.0.3 by [`crate::swagger`] first.
pub fn parse_converted(
    file: &str,
    text: &str,
) -> Result<(openapiv3::OpenAPI, serde_json::Value, Vec<crate::Warning>), Errors> {
    let value = to_json(file, text)?;
    if !value.is_object() {
        return Err(Error::Invalid {
            file: file.to_owned(),
            location: Location::new("#"),
            message: format!(
                "the document is {}, not a mapping of OpenAPI fields",
                describe(&value)
            ),
        }
        .into());
    }
    let (value, warnings) = crate::swagger::upgrade(file, value)?;
    check_version(file, value.get("openapi"))?;
    // Each object on its own first: every error with its pointer, and never a slow failure
    // (see `shape`). The whole document is deserialized only when that finds nothing.
    let located = crate::shape::locate(file, &value);
    if !located.is_empty() {
        return Err(Errors(located));
    }
    // Without tracking the path first, and again with it to say where when that fails (see
    // `shape::try_as`).
    if let Ok(doc) = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&value) {
        return Ok((doc, value, warnings));
    }
    match serde_path_to_error::deserialize(&value) {
        Ok(doc) => Ok((doc, value, warnings)),
        Err(error) => {
            let at = crate::shape::path_segments(error.path())
                .iter()
                .fold("#".to_owned(), |at, s| pointer(&at, s));
            Err(Error::Invalid {
                file: file.to_owned(),
                location: Location::new(at),
                message: error.inner().to_string(),
            }
            .into())
        }
    }
}

fn describe(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "empty",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a single string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}

/// The text as plain JSON. Duplicate keys are errors in both syntaxes (a YAML or JSON parser
/// would otherwise keep one of the values silently).
pub(crate) fn to_json(file: &str, text: &str) -> Result<serde_json::Value, Error> {
    let text = text.trim_start_matches('\u{feff}');
    match detect(text) {
        Syntax::Json => serde_json::from_str::<strict::Json>(text)
            .map(|json| json.0)
            .map_err(|e| Error::Syntax {
                file: file.to_owned(),
                format: "JSON",
                message: e.to_string(),
            }),
        Syntax::Yaml => {
            let syntax = |message: String| Error::Syntax {
                file: file.to_owned(),
                format: "YAML",
                message,
            };
            let mut yaml: serde_yaml::Value =
                serde_yaml::from_str(text).map_err(|e| syntax(yaml_message(text, &e)))?;
            // `<<: *anchor` merge keys, which YAML 1.1 documents use to share fragments.
            yaml.apply_merge().map_err(|e| syntax(e.to_string()))?;
            serde_json::to_value(&yaml).map_err(|e| Error::Invalid {
                file: file.to_owned(),
                location: Location::new("#"),
                message: format!(
                    "the YAML has a value JSON cannot hold (keys must be strings or numbers): {e}"
                ),
            })
        }
    }
}

/// serde_yaml's message, with the line added when it names a duplicate key without one (it
/// does not locate duplicates at the top level of the document).
fn yaml_message(text: &str, error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    let Some(key) = message
        .split_once("duplicate entry with key \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(key, _)| key)
    else {
        return message;
    };
    // serde_yaml names the line of the mapping's first entry (or none at the top level); find
    // the key at the same indentation below it, before the mapping ends.
    let lines: Vec<&str> = text.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let is_key = |line: &str| {
        let line = line.trim_start().trim_start_matches(['\'', '"']);
        line.strip_prefix(key)
            .map(|rest| rest.trim_start_matches(['\'', '"']))
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    };
    let from = error
        .location()
        .map_or(0, |l| l.line().saturating_sub(1))
        .min(lines.len());
    let level = lines.get(from).map_or(0, |l| indent(l));
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(from) {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if i > from && indent(line) < level {
            break;
        }
        if indent(line) == level && is_key(line) {
            found.push(i + 1);
        }
    }
    let found: Vec<String> = found.iter().map(ToString::to_string).collect();
    if found.len() >= 2 {
        let base = message.split(" at line ").next().unwrap_or(&message);
        format!(
            "{base}: `{key}` appears at lines {}; keep one of them",
            found.join(", ")
        )
    } else {
        format!("{message}; keep one of them")
    }
}

/// JSON read with duplicate keys refused.
mod strict {
    use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Number, Value};
    use std::fmt;

    pub(super) struct Json(pub Value);

    impl<'de> Deserialize<'de> for Json {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(JsonVisitor).map(Json)
        }
    }

    struct JsonVisitor;

    impl<'de> Visitor<'de> for JsonVisitor {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON value")
        }

        fn visit_bool<E: Error>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }

        fn visit_i64<E: Error>(self, v: i64) -> Result<Value, E> {
            Ok(Value::Number(v.into()))
        }

        fn visit_u64<E: Error>(self, v: u64) -> Result<Value, E> {
            Ok(Value::Number(v.into()))
        }

        fn visit_f64<E: Error>(self, v: f64) -> Result<Value, E> {
            Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
        }

        fn visit_str<E: Error>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }

        fn visit_string<E: Error>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }

        fn visit_unit<E: Error>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }

        fn visit_none<E: Error>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            Json::deserialize(d).map(|json| json.0)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(Json(item)) = seq.next_element()? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut object = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if object.contains_key(&key) {
                    return Err(A::Error::custom(format_args!(
                        "duplicate key `{key}`; keep one of them"
                    )));
                }
                let Json(value) = map.next_value()?;
                object.insert(key, value);
            }
            Ok(Value::Object(object))
        }
    }
}

fn check_version(file: &str, openapi: Option<&serde_json::Value>) -> Result<(), Error> {
    let unsupported = |message: String| Error::UnsupportedVersion {
        file: file.to_owned(),
        message,
    };
    match openapi {
        None => Err(unsupported(
            "no `openapi` field at the top level: not an OpenAPI document".to_owned(),
        )),
        Some(serde_json::Value::String(v)) if v.starts_with("3.0") => Ok(()),
        Some(serde_json::Value::String(v)) if v.starts_with("3.1") => Err(unsupported(format!(
            "OpenAPI {v} is not supported yet; only 3.0.x is. Most 3.1 documents read as 3.0 \
             after changing `openapi` to 3.0.3 and `type: [T, 'null']` to `type: T, nullable: true`"
        ))),
        Some(serde_json::Value::Number(n)) if n.to_string().starts_with('3') => {
            Err(unsupported(format!(
                "`openapi: {n}` is a number; write the version as a string, for example \
                 `openapi: 3.0.3` (with three parts) or `openapi: '3.0'`"
            )))
        }
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
