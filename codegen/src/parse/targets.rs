//! `$ref`s to schemas that stand outside `components.schemas` (`#/paths/~1pets/get/...`,
//! `#/x-shared/Pet`), resolved between parsing and lowering, so that lowering reads plain
//! `openapiv3` schemas and never deserializes JSON itself.
//!
//! Every `$ref` where a schema belongs is collected (through [`walk::references`], which knows
//! where OpenAPI puts schemas), and so are those in the schemas found, until none is left.
//! Each target is checked object by object first (see [`crate::parse::shape`]: deserializing
//! an invalid deep value in one go takes exponential time), then deserialized once. A target
//! that is missing or not a schema is kept as the message for the `$ref`: lowering reports it
//! at the `$ref` it lowers, and only if it lowers one.

use crate::parse::walk::{self, Node};
use crate::pointer;
use openapiv3::{Header, Parameter, ReferenceOr, RequestBody, Response, Schema};
use serde_json::Value;
use std::collections::BTreeMap;

/// What `$ref`s that stand for schemas, parameters, request bodies, responses or headers
/// point to when it is not a whole component of that kind, by reference as written.
#[derive(Debug, Default)]
pub(crate) struct Targets {
    schemas: BTreeMap<String, Result<Schema, String>>,
    parameters: BTreeMap<String, Result<ReferenceOr<Parameter>, String>>,
    request_bodies: BTreeMap<String, Result<ReferenceOr<RequestBody>, String>>,
    responses: BTreeMap<String, Result<ReferenceOr<Response>, String>>,
    headers: BTreeMap<String, Result<ReferenceOr<Header>, String>>,
}

impl Targets {
    /// The schema `reference` points to, or the message that says why it has none.
    pub fn schema(&self, reference: &str) -> Result<&Schema, String> {
        match self.schemas.get(reference) {
            Some(Ok(schema)) => Ok(schema),
            Some(Err(message)) => Err(message.clone()),
            None => Err(format!(
                "`$ref: {reference}` was not resolved before lowering (a bug in the generator)"
            )),
        }
    }
}

/// What a reference resolved before lowering stands for: the object, or another reference to
/// follow.
pub(crate) enum Target<'t, T> {
    Item(&'t T),
    Reference(&'t str),
}

/// The kinds of object a `$ref` elsewhere in the document can stand for.
pub(crate) trait Referable: Sized {
    /// What `reference` (as written) was resolved to; `None` when it was not collected.
    fn target<'t>(
        targets: &'t Targets,
        reference: &str,
    ) -> Option<Result<Target<'t, Self>, String>>;
}

fn either<T>(
    found: Option<&Result<ReferenceOr<T>, String>>,
) -> Option<Result<Target<'_, T>, String>> {
    found.map(|found| match found {
        Ok(ReferenceOr::Item(item)) => Ok(Target::Item(item)),
        Ok(ReferenceOr::Reference { reference }) => Ok(Target::Reference(reference)),
        Err(message) => Err(message.clone()),
    })
}

impl Referable for Schema {
    fn target<'t>(
        targets: &'t Targets,
        reference: &str,
    ) -> Option<Result<Target<'t, Self>, String>> {
        targets.schemas.get(reference).map(|found| match found {
            Ok(schema) => Ok(Target::Item(schema)),
            Err(message) => Err(message.clone()),
        })
    }
}

/// `Referable` for the kinds kept as `ReferenceOr`, each in its field of [`Targets`].
macro_rules! referable {
    ($($kind:ty => $field:ident),* $(,)?) => {$(
        impl Referable for $kind {
            fn target<'t>(
                targets: &'t Targets,
                reference: &str,
            ) -> Option<Result<Target<'t, Self>, String>> {
                either(targets.$field.get(reference))
            }
        }
    )*};
}

referable!(
    Parameter => parameters,
    RequestBody => request_bodies,
    Response => responses,
    Header => headers,
);

/// Whether a `$ref` where a schema belongs points into this document anywhere but at a whole
/// component schema (outside `components.schemas`, or inside one of its schemas: a property,
/// an item, a `definitions` entry...), so that its target is one of the [`Targets`]. The
/// document itself and other documents are not.
pub(crate) fn is_elsewhere(reference: &str) -> bool {
    is_elsewhere_for("schemas", reference)
}

/// Like [`is_elsewhere`], for a `$ref` that stands for an object of the component `kind`.
pub(crate) fn is_elsewhere_for(kind: &str, reference: &str) -> bool {
    match pointer::local(reference) {
        Ok(local) => {
            local != "#" && pointer::component(&local).is_none_or(|c| c.kind != kind || c.inner)
        }
        Err(_) => false,
    }
}

/// The component kind of the objects a `$ref` can stand for, for those resolved here.
fn kind_of(node: Node) -> Option<&'static str> {
    Some(match node {
        Node::Schema => "schemas",
        Node::Parameter => "parameters",
        Node::RequestBody => "requestBodies",
        Node::Response => "responses",
        Node::Header => "headers",
        _ => return None,
    })
}

/// Everything a `$ref` elsewhere points to in `root` (the document as plain JSON),
/// deserialized, or why it cannot be.
pub(crate) fn resolve(root: &Value) -> Targets {
    let mut targets = Targets::default();
    let mut queue = Vec::new();
    collect(Node::Root, root, "#", &mut queue);
    // Last in, first out; each reference is resolved once, so this ends.
    while let Some((node, reference)) = queue.pop() {
        let found = match node {
            Node::Schema => resolve_into(&mut targets.schemas, root, node, &reference),
            Node::Parameter => resolve_into(&mut targets.parameters, root, node, &reference),
            Node::RequestBody => resolve_into(&mut targets.request_bodies, root, node, &reference),
            Node::Response => resolve_into(&mut targets.responses, root, node, &reference),
            Node::Header => resolve_into(&mut targets.headers, root, node, &reference),
            _ => None,
        };
        if let Some(value) = found {
            collect(node, value, &reference, &mut queue);
        }
    }
    targets
}

/// Resolves `reference` into `map` unless it is there already; the value found, when it is
/// new and an object of kind `node`.
fn resolve_into<'v, T: serde::de::DeserializeOwned>(
    map: &mut BTreeMap<String, Result<T, String>>,
    root: &'v Value,
    node: Node,
    reference: &str,
) -> Option<&'v Value> {
    if map.contains_key(reference) {
        return None;
    }
    let resolved = target(root, node, reference);
    let value = resolved.as_ref().ok().map(|(value, _)| *value);
    map.insert(reference.to_owned(), resolved.map(|(_, item)| item));
    value
}

/// The `$ref`s elsewhere in `value` (an object of kind `node` at `at`).
fn collect(node: Node, value: &Value, at: &str, queue: &mut Vec<(Node, String)>) {
    walk::references(node, value, at, &mut |stands_for, reference, _| {
        if let Some(kind) = kind_of(stands_for) {
            if is_elsewhere_for(kind, reference) {
                queue.push((stands_for, reference.to_owned()));
            }
        }
    });
}

/// The value `reference` points to, and the object of kind `node` it is, or the message for
/// the `$ref`.
fn target<'v, T: serde::de::DeserializeOwned>(
    root: &'v Value,
    node: Node,
    reference: &str,
) -> Result<(&'v Value, T), String> {
    let what = kind_of(node).map_or("an object", |kind| match kind {
        "schemas" => "a schema",
        "parameters" => "a parameter",
        "requestBodies" => "a request body",
        "responses" => "a response",
        _ => "a header",
    });
    let Some(value) = pointer::lookup_ref(root, reference) else {
        return Err(format!(
            "`$ref: {reference}` points to nothing in this document"
        ));
    };
    // Object by object first, for the reason in this module's documentation.
    let check = if node == Node::Schema || value.get("$ref").is_none() {
        node
    } else {
        Node::Reference
    };
    if let Some(problem) = crate::parse::shape::first_error(check, value) {
        return Err(format!(
            "`$ref: {reference}` does not point to {what}: {problem}"
        ));
    }
    match T::deserialize(value) {
        Ok(item) => Ok((value, item)),
        Err(e) => Err(format!("`$ref: {reference}` does not point to {what}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_elsewhere_are_resolved_once_with_those_they_hold() -> Result<(), String> {
        let doc = json!({
            "paths": {"/a": {"get": {
                // Not a schema: lowering refuses it (parameters point into their own map).
                "parameters": [{"$ref": "#/x-shared/Param"}],
                "responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/x-shared/Pet"}}}}}}}},
            "x-shared": {
                "Pet": {"type": "object", "properties": {
                    "tag": {"$ref": "#/x-shared/Tag"},
                    "owner": {"$ref": "#/components/schemas/Owner"},
                }},
                "Tag": {"type": "string"},
                "Bad": {"type": "object", "properties": {"p": {"type": 5}}},
            },
            "components": {"schemas": {
                "Owner": {"type": "object"},
                "UsesBad": {"$ref": "#/x-shared/Bad"},
                "Missing": {"items": {"$ref": "#/x-shared/Nope"}},
                "Remote": {"$ref": "other.yaml#/x-shared/Pet"},
                "Root": {"$ref": "#"},
            }},
        });
        let targets = resolve(&doc);
        let keys: Vec<&str> = targets.schemas.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "#/x-shared/Bad",
                "#/x-shared/Nope",
                "#/x-shared/Pet",
                "#/x-shared/Tag"
            ]
        );
        let pet = targets.schema("#/x-shared/Pet")?;
        assert!(matches!(
            pet.schema_kind,
            openapiv3::SchemaKind::Type(openapiv3::Type::Object(_))
        ));
        targets.schema("#/x-shared/Tag")?;
        let bad = targets.schema("#/x-shared/Bad").err().unwrap_or_default();
        assert!(
            bad.contains("does not point to a schema: at #/properties/p"),
            "{bad}"
        );
        let nope = targets.schema("#/x-shared/Nope").err().unwrap_or_default();
        assert!(
            nope.ends_with("points to nothing in this document"),
            "{nope}"
        );
        let unknown = targets.schema("#/x-shared/Other").err().unwrap_or_default();
        assert!(
            unknown.contains("not resolved before lowering"),
            "{unknown}"
        );
        Ok(())
    }

    #[test]
    fn which_references_are_elsewhere() {
        assert!(is_elsewhere("#/paths/~1a/get/responses/200"));
        assert!(is_elsewhere(
            "#/components/responses/R/content/application~1json/schema"
        ));
        assert!(is_elsewhere("#/components/schemas"));
        assert!(is_elsewhere("#/"));
        assert!(!is_elsewhere("#/components/schemas/A"));
        // Inside a component schema: resolved here too.
        assert!(is_elsewhere("#/components/schemas/A/properties/b"));
        assert!(is_elsewhere_for(
            "parameters",
            "#/paths/~1a/get/parameters/0"
        ));
        assert!(!is_elsewhere_for("parameters", "#/components/parameters/P"));
        assert!(!is_elsewhere("#"));
        assert!(!is_elsewhere("#A"));
        assert!(!is_elsewhere("other.yaml#/x"));
    }
}
