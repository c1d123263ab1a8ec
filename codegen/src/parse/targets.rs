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
use openapiv3::Schema;
use serde_json::Value;
use std::collections::BTreeMap;

/// The schemas that `$ref`s outside `components.schemas` point to, by reference as written.
#[derive(Debug, Default)]
pub(crate) struct Targets {
    schemas: BTreeMap<String, Result<Schema, String>>,
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

/// Whether a `$ref` where a schema belongs points into this document outside
/// `components.schemas` (anywhere but a component schema, the document itself and other
/// documents), so that its target is one of the [`Targets`].
pub(crate) fn is_elsewhere(reference: &str) -> bool {
    match pointer::local(reference) {
        Ok(local) => local != "#" && pointer::component(&local).is_none_or(|c| c.kind != "schemas"),
        Err(_) => false,
    }
}

/// Every schema a `$ref` outside `components.schemas` points to in `root` (the document as
/// plain JSON), deserialized, or why it cannot be.
pub(crate) fn resolve(root: &Value) -> Targets {
    let mut targets = Targets::default();
    let mut queue = Vec::new();
    collect(Node::Root, root, "#", &mut queue);
    // Last in, first out; each reference is resolved once, so this ends.
    while let Some(reference) = queue.pop() {
        if targets.schemas.contains_key(&reference) {
            continue;
        }
        let resolved = target(root, &reference);
        if let Ok((value, _)) = &resolved {
            collect(Node::Schema, value, &reference, &mut queue);
        }
        let resolved = resolved.map(|(_, schema)| schema);
        targets.schemas.insert(reference, resolved);
    }
    targets
}

/// The `$ref`s elsewhere where a schema belongs in `value` (an object of kind `node` at `at`).
fn collect(node: Node, value: &Value, at: &str, queue: &mut Vec<String>) {
    walk::references(node, value, at, &mut |stands_for, reference, _| {
        if stands_for == Node::Schema && is_elsewhere(reference) {
            queue.push(reference.to_owned());
        }
    });
}

/// The value `reference` points to, and the schema it is, or the message for the `$ref`.
fn target<'v>(root: &'v Value, reference: &str) -> Result<(&'v Value, Schema), String> {
    let Some(value) = pointer::lookup_ref(root, reference) else {
        return Err(format!(
            "`$ref: {reference}` points to nothing in this document"
        ));
    };
    // Object by object first, for the reason in this module's documentation.
    if let Some(problem) = crate::parse::shape::first_error(Node::Schema, value) {
        return Err(format!(
            "`$ref: {reference}` does not point to a schema: {problem}"
        ));
    }
    match <Schema as serde::Deserialize>::deserialize(value) {
        Ok(schema) => Ok((value, schema)),
        Err(e) => Err(format!(
            "`$ref: {reference}` does not point to a schema: {e}"
        )),
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
        assert!(!is_elsewhere("#/components/schemas/A/properties/b"));
        assert!(!is_elsewhere("#"));
        assert!(!is_elsewhere("#A"));
        assert!(!is_elsewhere("other.yaml#/x"));
    }
}
