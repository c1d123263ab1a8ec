//! Documents that bend the rules in ways whose meaning is plain: read as their authors meant,
//! with a warning that says what was assumed, instead of refused.
//!
//! - A number or boolean where OpenAPI wants text in an annotation (`info.version: 1.0`, a
//!   server variable's `default: 1` or `enum: [1, 2]`, a `title`, a `description`) becomes that
//!   text.
//! - A path key with a query string (`/search?q={q}`), invalid but common, is the path alone
//!   when every `{placeholder}` of the query string is a declared query parameter.
//!
//! Both work on the document as plain JSON, before it is deserialized.

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
        if !is_scalar_for_text(message) || !is_annotation(&location.pointer) {
            continue;
        }
        let Some(slot) = pointer::local(&location.pointer)
            .ok()
            .and_then(|p| root.pointer_mut(p.strip_prefix('#').unwrap_or_default()))
        else {
            continue;
        };
        let text = match slot {
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        warnings.push(Warning {
            location: location.clone(),
            message: format!(
                "`{text}` is not text, which OpenAPI requires here; read as \"{text}\""
            ),
        });
        *slot = Value::String(text);
    }
    (!warnings.is_empty()).then_some(warnings)
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

/// Path keys with a query string whose placeholders are all declared query parameters become
/// the path alone; the warnings. Keys left as they are (a literal value in the query string, a
/// placeholder no query parameter declares, or a path already there) are reported by lowering.
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
        let declared = paths
            .get(&key)
            .map(|item| query_parameters(item, &parameters))
            .unwrap_or_default();
        if paths.contains_key(path) || !names.iter().all(|n| declared.contains(n)) {
            continue;
        }
        let at = ptr("#/paths", &key);
        if let Some(item) = paths.shift_remove(&key) {
            paths.insert(path.to_owned(), item);
            warnings.push(Warning {
                location: Location::new(at),
                message: format!(
                    "a path key cannot hold a query string; read as the path `{path}`, whose \
                     operations send {} as the query parameters they declare",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
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

/// The names of the query parameters declared at a path item's level or by every operation
/// of it (references into `components/parameters` followed once).
fn query_parameters(item: &Value, components: &Value) -> Vec<String> {
    let names = |list: Option<&Value>| -> Vec<String> {
        list.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| match p.get("$ref").and_then(Value::as_str) {
                Some(reference) => pointer::referenced_name(reference, "parameters")
                    .and_then(|name| components.get(name)),
                None => Some(p),
            })
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
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
    let mut declared = shared.clone();
    if let Some((first, rest)) = operations.split_first() {
        for name in names(first.get("parameters")) {
            let everywhere = rest
                .iter()
                .all(|op| names(op.get("parameters")).contains(&name));
            if everywhere && !declared.contains(&name) {
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
                    "get": {"parameters": [{"name": "q", "in": "query"}]},
                },
                "/fixed?action=list": {"get": {}},
                "/other?x={x}": {"get": {}},
            },
            "components": {"parameters": {"Page": {"name": "page", "in": "query"}}},
        });
        let warnings = query_strings_in_paths(&mut doc);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let keys: Vec<&String> = doc["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["/fixed?action=list", "/other?x={x}", "/search"]);
    }
}
