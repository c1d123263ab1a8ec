//! Documents that bend the rules in ways whose meaning is plain: read as their authors meant,
//! with a warning that says what was assumed, instead of refused.
//!
//! - A number or boolean where OpenAPI wants text in an annotation (`info.version: 1.0`, a
//!   server variable's `default: 1` or `enum: [1, 2]`, a `title`, a `description`) becomes that
//!   text.
//! - A path key with a query string (`/search?q={q}`), invalid but common, is the path alone
//!   when every `{placeholder}` of the query string is a declared query parameter.
//!
//! - A callback written as a `$ref` (valid OpenAPI, which `openapiv3` cannot read in an
//!   operation) is the callback it names.
//!
//! All work on the document as plain JSON, before it is deserialized.

use crate::error::{Error, Location, Warning};
use crate::pointer::{self, join as ptr};
use serde_json::{Map, Value};

/// The keys whose values are annotation text: a scalar of another type there is its text.
const TEXT_KEYS: &[&str] = &[
    "version",
    "title",
    "description",
    "summary",
    "default",
    "termsOfService",
    "name",
    "url",
    "email",
    "pattern",
];

/// How many rounds of fixes [`scalars_as_text`] makes at most (each after a shape check).
pub(crate) const MAX_ROUNDS: usize = 8;

/// Turns the scalars that `errors` (shape errors of `root`) say should be strings into their
/// text, where they are annotations; the warnings, or `None` when none of the errors is such
/// a scalar (the errors then stand).
pub(crate) fn scalars_as_text(root: &mut Value, errors: &[Error]) -> Option<Vec<Warning>> {
    let mut warnings = Vec::new();
    for error in errors {
        let Error::Invalid {
            location, message, ..
        } = error
        else {
            continue;
        };
        if !is_scalar_for_text(message) {
            continue;
        }
        // Pointers the shape check built: escaped, never percent-encoded.
        let at = location.pointer.strip_prefix('#').unwrap_or_default();
        let Some(slot) = root.pointer_mut(at) else {
            continue;
        };
        match slot {
            // Reported at the object (a schema): its annotations that are not text.
            Value::Object(object) => {
                for (key, value) in object.iter_mut() {
                    if TEXT_KEYS.contains(&key.as_str()) {
                        warnings.extend(as_text(value, &ptr(&location.pointer, key)));
                    }
                }
            }
            value => warnings.extend(as_text(value, &location.pointer)),
        }
    }
    (!warnings.is_empty()).then_some(warnings)
}

/// `value` (at `at`) as text when it is a number or a boolean where an annotation belongs,
/// and the warning that says so.
fn as_text(value: &mut Value, at: &str) -> Option<Warning> {
    if !is_annotation(at) {
        return None;
    }
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    *value = Value::String(text.clone());
    Some(Warning {
        location: Location::new(at),
        message: format!("`{text}` is not text, which OpenAPI requires here; read as \"{text}\""),
    })
}

/// Whether a deserializer's message says a number or boolean stands where text belongs.
fn is_scalar_for_text(message: &str) -> bool {
    message.contains("expected a string")
        && [
            "invalid type: integer",
            "invalid type: floating point",
            "invalid type: boolean",
        ]
        .iter()
        .any(|start| message.contains(start))
}

/// Whether `at` is an annotation's value: under one of [`TEXT_KEYS`], or an item of a server
/// variable's `enum`.
fn is_annotation(at: &str) -> bool {
    let Some(tokens) = pointer::tokens(at) else {
        return false;
    };
    match tokens.as_slice() {
        [.., variables, _, key, _] if variables == "variables" && key == "enum" => true,
        [.., last] => TEXT_KEYS.contains(&last.as_str()),
        [] => false,
    }
}

/// Operations' callbacks written as a `$ref` (to `#/components/callbacks/...` or anywhere):
/// replaced by what they name, or dropped with a warning when that is not a callback (callbacks
/// are not generated, so nothing else depends on them).
pub(crate) fn referenced_callbacks(root: &mut Value) -> Vec<Warning> {
    // What each referenced callback stands for, read first: only those targets are copied.
    let mut found: Vec<(String, Option<Value>)> = Vec::new();
    for (path, item) in root
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let callbacks = operation.get("callbacks").and_then(Value::as_object);
            for (name, callback) in callbacks.into_iter().flatten() {
                let Some(reference) = callback.get("$ref").and_then(Value::as_str) else {
                    continue;
                };
                let target = pointer::lookup_ref(root, reference)
                    .filter(|t| t.is_object() && t.get("$ref").is_none())
                    .cloned();
                let at = ptr(&ptr(&ptr(&ptr("#/paths", path), method), "callbacks"), name);
                found.push((at, target));
            }
        }
    }
    let mut warnings = Vec::new();
    for (at, target) in found {
        let Some(slot) = root.pointer_mut(at.strip_prefix('#').unwrap_or_default()) else {
            continue;
        };
        match target {
            Some(target) => *slot = target,
            None => {
                let reference = slot.get("$ref").and_then(Value::as_str).unwrap_or_default();
                warnings.push(Warning {
                    location: Location::new(&at),
                    message: format!(
                        "`$ref: {reference}` does not name a callback; the callback is skipped \
                         (callbacks are not generated)"
                    ),
                });
                // An empty callback: nothing to generate, and nothing `openapiv3` refuses.
                *slot = Value::Object(Map::new());
            }
        }
    }
    warnings
}

/// Path keys with a query string of `name={placeholder}` pairs become the path alone; the
/// warnings. Placeholders declared as query parameters are sent as such, those declared
/// `in: path` become query parameters, and those no operation declares are not sent (the
/// warning says so). Keys left as they are (a literal value in the query string, or a path
/// already there) are reported by lowering.
pub(crate) fn query_strings_in_paths(root: &mut Value) -> Vec<Warning> {
    let parameters = root
        .pointer("/components/parameters")
        .cloned()
        .unwrap_or(Value::Null);
    let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    let keys: Vec<String> = paths.keys().filter(|k| k.contains('?')).cloned().collect();
    for key in keys {
        let Some((path, query)) = key.split_once('?') else {
            continue;
        };
        let Some(names) = placeholders(query) else {
            continue;
        };
        let declared = |place: &str| {
            paths
                .get(&key)
                .map(|item| declared_parameters(item, &parameters, place))
                .unwrap_or_default()
        };
        let (query_params, path_params) = (declared("query"), declared("path"));
        if paths.contains_key(path) {
            continue;
        }
        let undeclared: Vec<&String> = names
            .iter()
            .filter(|n| !query_params.contains(n) && !path_params.contains(n))
            .collect();
        let at = ptr("#/paths", &key);
        if let Some(mut item) = paths.shift_remove(&key) {
            // Placeholders of the query string declared `in: path` are query parameters.
            let moved: Vec<&String> = names.iter().filter(|n| path_params.contains(n)).collect();
            for name in &moved {
                to_query(&mut item, name);
            }
            paths.insert(path.to_owned(), item);
            let list = |names: &mut dyn Iterator<Item = &String>| {
                names
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let declared_as_path = if moved.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} declared `in: path`, read as `in: query`)",
                    list(&mut moved.iter().copied())
                )
            };
            let not_sent = if undeclared.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} no operation declares, so none sends it (declare it to send it)",
                    list(&mut undeclared.iter().copied())
                )
            };
            warnings.push(Warning {
                location: Location::new(at),
                message: format!(
                    "a path key cannot hold a query string; read as the path `{path}`, whose \
                     operations send {} as query parameters{declared_as_path}{not_sent}",
                    list(&mut names.iter().filter(|n| !undeclared.contains(n)))
                ),
            });
        }
    }
    warnings
}

/// The names of a query string's `name={placeholder}` pairs, when every pair is one (a
/// literal value cannot be sent by a parameter, so such a key is left alone).
fn placeholders(query: &str) -> Option<Vec<String>> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (_, value) = pair.split_once('=')?;
            let name = value.strip_prefix('{')?.strip_suffix('}')?;
            (!name.is_empty()).then(|| name.to_owned())
        })
        .collect()
}

/// Declares the inline parameter `name` of a path item (at its level and in its operations)
/// `in: query` instead of `in: path`.
fn to_query(item: &mut Value, name: &str) {
    let mut lists: Vec<&mut Value> = Vec::new();
    if let Some(object) = item.as_object_mut() {
        for (key, value) in object.iter_mut() {
            if key == "parameters" {
                lists.push(value);
            } else if let Some(params) = value.get_mut("parameters") {
                lists.push(params);
            }
        }
    }
    for list in lists {
        for param in list.as_array_mut().into_iter().flatten() {
            let matches = param.get("name").and_then(Value::as_str) == Some(name)
                && param.get("in").and_then(Value::as_str) == Some("path");
            if let (true, Some(param)) = (matches, param.as_object_mut()) {
                param.insert("in".to_owned(), Value::String("query".to_owned()));
            }
        }
    }
}

/// The names of the parameters `in: place` declared at a path item's level or by any of its
/// operations (references into `components/parameters` followed once).
fn declared_parameters(item: &Value, components: &Value, place: &str) -> Vec<String> {
    let names = |list: Option<&Value>| -> Vec<String> {
        list.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| match p.get("$ref").and_then(Value::as_str) {
                Some(reference) => pointer::referenced_name(reference, "parameters")
                    .and_then(|name| components.get(name)),
                None => Some(p),
            })
            .filter(|p| p.get("in").and_then(Value::as_str) == Some(place))
            .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect()
    };
    let shared = names(item.get("parameters"));
    let operations: Vec<&Map<String, Value>> = item
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, _)| {
            matches!(
                key.as_str(),
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
            )
        })
        .filter_map(|(_, op)| op.as_object())
        .collect();
    let mut declared = shared;
    for operation in operations {
        for name in names(operation.get("parameters")) {
            if !declared.contains(&name) {
                declared.push(name);
            }
        }
    }
    declared
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_annotations_become_text() {
        assert!(is_annotation("#/info/version"));
        assert!(is_annotation("#/servers/0/variables/v/enum/1"));
        assert!(is_annotation("#/servers/0/variables/v/default"));
        assert!(!is_annotation("#/components/schemas/A/type"));
        assert!(!is_annotation("#/components/schemas/A/enum/0"));
        assert!(is_scalar_for_text(
            "invalid type: integer `0`, expected a string"
        ));
        assert!(!is_scalar_for_text("invalid type: map, expected a string"));
    }

    #[test]
    fn query_strings_of_declared_parameters_leave_the_path_key() {
        let mut doc = json!({
            "paths": {
                "/search?q={q}&page={page}": {
                    "parameters": [{"$ref": "#/components/parameters/Page"}],
                    "get": {"parameters": [{"name": "q", "in": "path"}]},
                },
                "/fixed?action=list": {"get": {}},
                "/other?x={x}": {"get": {}},
            },
            "components": {"parameters": {"Page": {"name": "page", "in": "query"}}},
        });
        let warnings = query_strings_in_paths(&mut doc);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[1].message.contains("`x` no operation declares"),
            "{warnings:?}"
        );
        let keys: Vec<&String> = doc["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["/fixed?action=list", "/search", "/other"]);
        // `q`, declared `in: path`, is a query parameter now.
        assert_eq!(
            doc["paths"]["/search"]["get"]["parameters"][0]["in"],
            json!("query")
        );
    }
}
