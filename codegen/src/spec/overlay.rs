//! OpenAPI Overlay documents (Overlay Specification 1.0): an ordered list of actions, each
//! selecting nodes of a document with an RFC 9535 JSONPath `target` (through the
//! `serde_json_path` crate) and either merging an `update` into them or removing them.
//!
//! Semantics, in the order the specification gives them:
//!
//! - Actions apply one after the other, each to the result of the previous one.
//! - `update` on an object: the update's members are merged in recursively: objects merge,
//!   anything else replaces the value (for `overlay: 1.1.x` documents, arrays are concatenated
//!   as 1.1 says). `null` members of an update are skipped: they only mirror the shape of the
//!   document. New members are appended, existing ones keep their place.
//! - `update` on an array: the value is appended (an array's items, for 1.1.x).
//! - `update` on a primitive: replaced (as 1.1 allows; 1.0 leaves it undefined).
//! - `remove: true`: every selected node is removed from the object or array holding it. A
//!   primitive member may be removed too (1.1 allows it; 1.0's text speaks of objects and
//!   arrays), which is how a keyword is dropped from a schema without moving the schema.
//! - A target that selects nothing changes nothing; it is reported as a warning, because for
//!   an overlay of corrections it usually means the document changed under it.

use crate::error::{Error, Errors, Location, Warning};
use serde_json::{Map, Value};
use serde_json_path::{JsonPath, PathElement};

/// A parsed Overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// The `overlay` version, e.g. `1.0.0`.
    pub version: String,
    /// `info.title`.
    pub title: String,
    /// The actions, in order.
    pub actions: Vec<Action>,
}

/// One action of an Overlay.
#[derive(Debug, Clone)]
pub struct Action {
    /// The JSONPath expression as written.
    pub target: String,
    /// The parsed expression.
    pub path: JsonPath,
    /// The action's `description`.
    pub description: Option<String>,
    /// What it does.
    pub change: Change,
}

/// What an action does to the nodes it selects.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Merge this value in (objects), append it (arrays), or replace (primitives).
    Update(Value),
    /// Remove the selected nodes.
    Remove,
}

impl Overlay {
    /// Whether arrays in updates are concatenated (Overlay 1.1) rather than replaced.
    fn concatenates(&self) -> bool {
        !self.version.starts_with("1.0")
    }
}

fn invalid(file: &str, at: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Semantic {
        file: file.to_owned(),
        location: Location::new(at),
        message: format!("not a valid Overlay document: {}", message.into()),
    }
}

/// Reads an Overlay document from its text (YAML or JSON).
pub fn parse(file: &str, text: &str) -> Result<Overlay, Errors> {
    let value = crate::parse::to_json(file, text)?;
    from_value(file, &value)
}

/// Reads an Overlay document already parsed as JSON. Every problem is reported, each at its
/// pointer.
pub fn from_value(file: &str, value: &Value) -> Result<Overlay, Errors> {
    let mut errors = Vec::new();
    let Some(root) = value.as_object() else {
        return Err(invalid(file, "#", "the document is not a mapping").into());
    };
    let version = match root.get("overlay").and_then(Value::as_str) {
        Some(v) if v.starts_with("1.0") || v.starts_with("1.1") => v.to_owned(),
        Some(v) => {
            errors.push(invalid(
                file,
                "#/overlay",
                format!("version `{v}` is not supported; 1.0.x and 1.1.x are"),
            ));
            String::new()
        }
        None => {
            errors.push(invalid(
                file,
                "#/overlay",
                "no `overlay` version string (e.g. `overlay: 1.0.0`)",
            ));
            String::new()
        }
    };
    let title = root
        .get("info")
        .and_then(|info| info.get("title"))
        .and_then(Value::as_str);
    let has_version = root
        .get("info")
        .and_then(|info| info.get("version"))
        .is_some_and(Value::is_string);
    if title.is_none() || !has_version {
        errors.push(invalid(
            file,
            "#/info",
            "`info` needs a `title` and a `version` string",
        ));
    }
    let mut actions = Vec::new();
    match root.get("actions").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => {
            for (i, action) in list.iter().enumerate() {
                match read_action(file, action, &format!("#/actions/{i}")) {
                    Ok(action) => actions.push(action),
                    Err(error) => errors.push(error),
                }
            }
        }
        _ => errors.push(invalid(
            file,
            "#/actions",
            "`actions` must be a list of at least one action",
        )),
    }
    if errors.is_empty() {
        Ok(Overlay {
            version,
            title: title.unwrap_or_default().to_owned(),
            actions,
        })
    } else {
        Err(Errors(errors))
    }
}

fn read_action(file: &str, action: &Value, at: &str) -> Result<Action, Error> {
    let Some(action) = action.as_object() else {
        return Err(invalid(file, at, "an action must be a mapping"));
    };
    let Some(target) = action.get("target").and_then(Value::as_str) else {
        return Err(invalid(
            file,
            at,
            "an action needs a `target` JSONPath string",
        ));
    };
    let path = JsonPath::parse(target).map_err(|e| {
        invalid(
            file,
            format!("{at}/target"),
            format!("`{target}` is not an RFC 9535 JSONPath expression: {e}"),
        )
    })?;
    let description = match action.get("description") {
        Some(Value::String(text)) => Some(text.clone()),
        None => None,
        Some(_) => return Err(invalid(file, at, "`description` must be a string")),
    };
    if action.contains_key("copy") {
        return Err(invalid(
            file,
            format!("{at}/copy"),
            "`copy` actions (Overlay 1.1) are not supported",
        ));
    }
    let change = match (action.get("remove"), action.get("update")) {
        (Some(Value::Bool(true)), _) => Change::Remove,
        (Some(Value::Bool(false)) | None, Some(update)) => Change::Update(update.clone()),
        (Some(Value::Bool(false)) | None, None) => {
            return Err(invalid(
                file,
                at,
                "an action needs `update` or `remove: true`",
            ));
        }
        (Some(_), _) => return Err(invalid(file, at, "`remove` must be a boolean")),
    };
    Ok(Action {
        target: target.to_owned(),
        path,
        description,
        change,
    })
}

/// One step of a location: a member name or an array index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Index(usize),
    Name(String),
}

fn pointer_of(steps: &[Step]) -> String {
    steps.iter().fold("#".to_owned(), |at, step| match step {
        Step::Name(name) => crate::pointer::join(&at, name),
        Step::Index(i) => format!("{at}/{i}"),
    })
}

fn node_mut<'v>(root: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    steps
        .iter()
        .try_fold(root, |node, step| match (node, step) {
            (Value::Object(map), Step::Name(name)) => map.get_mut(name),
            (Value::Array(items), Step::Index(i)) => items.get_mut(*i),
            _ => None,
        })
}

/// Applies `overlay` (read from `file`) to `document`. Returns a warning for each action that
/// selected nothing; fails with every action that could not be applied.
pub fn apply(file: &str, overlay: &Overlay, document: &mut Value) -> Result<Vec<Warning>, Errors> {
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for (i, action) in overlay.actions.iter().enumerate() {
        let at = format!("#/actions/{i}");
        let mut targets: Vec<Vec<Step>> = action
            .path
            .query_located(document)
            .locations()
            .map(|location| {
                location
                    .iter()
                    .map(|element| match element {
                        PathElement::Name(name) => Step::Name((*name).to_owned()),
                        PathElement::Index(i) => Step::Index(*i),
                    })
                    .collect()
            })
            .collect();
        if targets.is_empty() {
            warnings.push(Warning {
                location: Location::new(format!("{file}{at}")),
                message: format!(
                    "overlay action `{}` selects nothing; it changed nothing{}",
                    action.target,
                    action
                        .description
                        .as_deref()
                        .and_then(|d| d.lines().next())
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                ),
            });
            continue;
        }
        let result = match &action.change {
            Change::Remove => {
                // Deepest and last first, so that earlier indices stay valid.
                targets.sort();
                targets.dedup();
                targets
                    .iter()
                    .rev()
                    .try_for_each(|steps| remove(document, steps))
            }
            Change::Update(update) => targets
                .iter()
                .try_for_each(|steps| update_at(document, steps, update, overlay.concatenates())),
        };
        if let Err(message) = result {
            errors.push(Error::Semantic {
                file: file.to_owned(),
                location: Location::new(at),
                message: format!("overlay action `{}`: {message}", action.target),
            });
        }
    }
    if errors.is_empty() {
        Ok(warnings)
    } else {
        Err(Errors(errors))
    }
}

fn remove(document: &mut Value, steps: &[Step]) -> Result<(), String> {
    let Some((last, parent)) = steps.split_last() else {
        return Err("the document itself (`$`) cannot be removed".to_owned());
    };
    match (node_mut(document, parent), last) {
        (Some(Value::Object(map)), Step::Name(name)) => {
            map.shift_remove(name);
        }
        (Some(Value::Array(items)), Step::Index(i)) if *i < items.len() => {
            items.remove(*i);
        }
        // Already gone with an enclosing node removed before it.
        _ => {}
    }
    Ok(())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn update_at(
    document: &mut Value,
    steps: &[Step],
    update: &Value,
    concatenate: bool,
) -> Result<(), String> {
    let Some(node) = node_mut(document, steps) else {
        return Ok(());
    };
    match (node, update) {
        (Value::Object(target), Value::Object(update)) => {
            merge(target, update, &pointer_of(steps), concatenate)
        }
        (Value::Object(_), other) => Err(format!(
            "{} selects an object; its update must be an object, not {}",
            pointer_of(steps),
            kind(other)
        )),
        (Value::Array(items), Value::Array(more)) if concatenate => {
            items.extend(more.iter().cloned());
            Ok(())
        }
        (Value::Array(items), value) => {
            items.push(value.clone());
            Ok(())
        }
        (node, value) if !value.is_object() && !value.is_array() => {
            *node = value.clone();
            Ok(())
        }
        (node, value) => Err(format!(
            "{} is {}; it cannot be updated with {}",
            pointer_of(steps),
            kind(node),
            kind(value)
        )),
    }
}

/// Merges `update` into `target` recursively.
fn merge(
    target: &mut Map<String, Value>,
    update: &Map<String, Value>,
    at: &str,
    concatenate: bool,
) -> Result<(), String> {
    for (key, value) in update {
        if value.is_null() {
            continue;
        }
        match (target.get_mut(key), value) {
            (None, value) => {
                target.insert(key.clone(), value.clone());
            }
            (Some(Value::Object(inner)), Value::Object(update)) => {
                merge(inner, update, &crate::pointer::join(at, key), concatenate)?;
            }
            (Some(Value::Array(items)), Value::Array(more)) if concatenate => {
                items.extend(more.iter().cloned());
            }
            (Some(existing), value) => *existing = value.clone(),
        }
    }
    Ok(())
}
