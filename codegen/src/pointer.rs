//! JSON pointers (RFC 6901) and local references, in one place.
//!
//! Pointers are written the way messages and `$ref`s write them, as URI fragments: `#` for
//! the document itself, `#/paths/~1jobs/get` for a value in it. A token escapes `~` as `~0`
//! and `/` as `~1`. A `$ref` is local when it is such a fragment; [`local`] is where reading
//! one happens, so that percent-decoding (which URI fragments allow) can be added there once.
//!
//! [`walk_refs`] visits every reference in a JSON value: the `$ref`s and the values of
//! discriminator mappings, with where each stands.

use serde_json::Value;
use std::borrow::Cow;

/// The token escaped: `~` → `~0`, `/` → `~1`.
pub fn escape(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

/// The escaped token decoded: `~1` → `/`, `~0` → `~` (`~01` is `~1`). A `~` followed by
/// anything else is kept as it stands.
pub fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// The pointer `base` extended by one token (escaped): `join("#/paths", "/jobs")` is
/// `#/paths/~1jobs`.
pub fn join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

/// The pointer `base` extended by several tokens, in order.
pub fn join_all<S: AsRef<str>>(base: &str, tokens: &[S]) -> String {
    tokens
        .iter()
        .fold(base.to_owned(), |at, token| join(&at, token.as_ref()))
}

/// The tokens of a pointer (`#/a/b~1c` → `a`, `b/c`), decoded; none for `#`. `None` when the
/// text is not a pointer (it does not start with `#/`, or is `#` itself).
pub fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer == "#" {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix("#/")?;
    Some(rest.split('/').map(|t| unescape(t).into_owned()).collect())
}

/// The last token of a pointer or reference, decoded (`#/components/schemas/A~1B` → `A/B`);
/// the whole text when it has no `/`.
pub fn last_token(pointer: &str) -> Cow<'_, str> {
    unescape(pointer.rsplit('/').next().unwrap_or(pointer))
}

/// Why a `$ref` is not a local pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    /// It names another document (`other.yaml#/...`, `https://...`).
    Remote,
    /// A fragment that is not a JSON pointer (`#Pet`, a plain name).
    NotAPointer,
}

impl std::fmt::Display for RefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RefError::Remote => "it points outside this document",
            RefError::NotAPointer => "its fragment is not a JSON pointer (`#/...`)",
        })
    }
}

/// A `$ref` read as a pointer into this document (`#/components/schemas/A`, or `#` for the
/// document itself), or why it is not one. The fragment is a URI fragment (RFC 6901, section
/// 6): percent-encoded characters are decoded (`~1%7Bid%7D` is `~1{id}`), unless that would
/// not give UTF-8 text.
pub fn local(reference: &str) -> Result<Cow<'_, str>, RefError> {
    let Some(fragment) = reference.strip_prefix('#') else {
        return Err(RefError::Remote);
    };
    if !(fragment.is_empty() || fragment.starts_with('/')) {
        return Err(RefError::NotAPointer);
    }
    if !reference.contains('%') {
        return Ok(Cow::Borrowed(reference));
    }
    match percent_encoding::percent_decode_str(reference).decode_utf8() {
        Ok(decoded) => Ok(Cow::Owned(decoded.into_owned())),
        Err(_) => Ok(Cow::Borrowed(reference)),
    }
}

/// The value `pointer` (`#/...`) names in `root`, array items by index included.
pub fn lookup<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    root.pointer(pointer.strip_prefix('#')?)
}

/// The value a local `$ref` points to in `root`; `None` for a remote reference or nothing.
pub fn lookup_ref<'v>(root: &'v Value, reference: &str) -> Option<&'v Value> {
    lookup(root, &local(reference).ok()?)
}

/// What a `#/components/<kind>/<name>...` pointer names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// `schemas`, `parameters`, `responses`...
    pub kind: String,
    /// The component's name, decoded.
    pub name: String,
    /// Whether the pointer goes on into the component (`#/components/schemas/A/properties/b`).
    pub inner: bool,
}

/// The component a pointer names or points into, if it points into `components`.
pub fn component(pointer: &str) -> Option<Component> {
    let rest = pointer.strip_prefix("#/components/")?;
    let mut parts = rest.splitn(3, '/');
    let kind = unescape(parts.next()?).into_owned();
    let name = unescape(parts.next()?).into_owned();
    Some(Component {
        kind,
        name,
        inner: parts.next().is_some(),
    })
}

/// The name in a pointer to one component of `kind` itself (`#/components/schemas/A~1B` →
/// `A/B` for `schemas`); `None` for anything else, a pointer into a component included.
pub fn component_name(pointer: &str, kind: &str) -> Option<String> {
    component(pointer)
        .filter(|c| c.kind == kind && !c.inner)
        .map(|c| c.name)
}

/// The component a local `$ref` names or points into; `None` for any other reference.
pub fn referenced_component(reference: &str) -> Option<Component> {
    component(&local(reference).ok()?)
}

/// The name of the component of `kind` a local `$ref` names (the whole component, not a part).
pub fn referenced_name(reference: &str, kind: &str) -> Option<String> {
    referenced_component(reference)
        .filter(|c| c.kind == kind && !c.inner)
        .map(|c| c.name)
}

/// The name in a pointer `#/<section>/<name>` (`#/definitions/Pet` → `Pet`, decoded).
pub fn name_under(pointer: &str, section: &str) -> Option<String> {
    let rest = pointer.strip_prefix("#/")?.strip_prefix(section)?;
    let name = rest.strip_prefix('/')?;
    (!name.contains('/')).then(|| unescape(name).into_owned())
}

/// A reference [`walk_refs`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'v> {
    /// The reference as written.
    pub reference: &'v str,
    /// Where it stands: the object with the `$ref`, or the mapping entry.
    pub at: String,
    /// Whether it is a value of a discriminator's `mapping` rather than a `$ref`.
    pub mapping: bool,
}

/// One step from a value to one it holds.
#[derive(Clone, Copy)]
enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

/// Visits every reference in `value` (which stands at `at`), in document order, parents
/// before children: each `$ref` whose value is a string, and each string value of a
/// `discriminator.mapping`. Without recursion, so any depth is fine.
pub fn walk_refs(value: &Value, at: &str, visit: &mut dyn FnMut(Found<'_>)) {
    let pointer_of = |path: &[Step<'_>]| {
        path.iter().fold(at.to_owned(), |at, step| match step {
            Step::Key(key) => join(&at, key),
            Step::Index(i) => format!("{at}/{i}"),
        })
    };
    let mut path: Vec<Step<'_>> = Vec::new();
    // The values still to visit, each with its depth and the step that reaches it.
    let mut stack: Vec<(usize, Option<Step<'_>>, &Value)> = vec![(0, None, value)];
    while let Some((depth, step, value)) = stack.pop() {
        path.truncate(depth.saturating_sub(1));
        path.extend(step);
        match value {
            Value::Object(map) => {
                let mapping = map
                    .get("discriminator")
                    .and_then(|d| d.get("mapping"))
                    .and_then(Value::as_object);
                for (key, target) in mapping.into_iter().flatten() {
                    if let Some(reference) = target.as_str() {
                        let at = join_all(&pointer_of(&path), &["discriminator", "mapping", key]);
                        visit(Found {
                            reference,
                            at,
                            mapping: true,
                        });
                    }
                }
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    visit(Found {
                        reference,
                        at: pointer_of(&path),
                        mapping: false,
                    });
                }
                for (key, inner) in map.iter().rev().filter(|(_, v)| is_container(v)) {
                    stack.push((depth + 1, Some(Step::Key(key)), inner));
                }
            }
            Value::Array(items) => {
                for (i, inner) in items
                    .iter()
                    .enumerate()
                    .rev()
                    .filter(|(_, v)| is_container(v))
                {
                    stack.push((depth + 1, Some(Step::Index(i)), inner));
                }
            }
            _ => {}
        }
    }
}

fn is_container(value: &Value) -> bool {
    value.is_object() || value.is_array()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_round_trip_through_escaping() -> Result<(), String> {
        for token in [
            "plain", "a/b", "a~b", "~1", "~0", "/~", "~/", "", "~01", "x~",
        ] {
            let pointer = join("#/components/schemas", token);
            let back = last_token(&pointer);
            if back != token {
                return Err(format!("{token:?} → {pointer:?} → {back:?}"));
            }
        }
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(unescape("~01"), "~1");
        assert_eq!(unescape("~10"), "/0");
        assert_eq!(unescape("~2 and ~"), "~2 and ~");
        Ok(())
    }

    #[test]
    fn pointers_are_built_and_split_token_by_token() -> Result<(), String> {
        let at = join_all("#", &["paths", "/jobs/{id}", "get", ""]);
        assert_eq!(at, "#/paths/~1jobs~1{id}/get/");
        let tokens = tokens(&at).ok_or("a pointer")?;
        assert_eq!(tokens, ["paths", "/jobs/{id}", "get", ""]);
        assert_eq!(super::tokens("#"), Some(Vec::new()));
        assert_eq!(super::tokens("#paths"), None);
        assert_eq!(super::tokens("/paths"), None);
        Ok(())
    }

    #[test]
    fn local_references_and_why_others_are_not() {
        assert_eq!(
            local("#/components/schemas/A").as_deref(),
            Ok("#/components/schemas/A")
        );
        assert_eq!(local("#").as_deref(), Ok("#"));
        assert_eq!(
            local("other.yaml#/components/schemas/A"),
            Err(RefError::Remote)
        );
        assert_eq!(local("https://example.com/a.json"), Err(RefError::Remote));
        assert_eq!(local("Pet.yaml"), Err(RefError::Remote));
        assert_eq!(local("#Pet"), Err(RefError::NotAPointer));
        // Percent-encoded, as a URI fragment may be; a `%` that decodes to no text stays.
        assert_eq!(
            local("#/paths/~1a~1%7Bid%7D/get").as_deref(),
            Ok("#/paths/~1a~1{id}/get")
        );
        assert_eq!(local("#/x/%FF").as_deref(), Ok("#/x/%FF"));
    }

    #[test]
    fn components_named_and_pointed_into() {
        let a = component("#/components/schemas/A~1B~0C");
        assert_eq!(
            a,
            Some(Component {
                kind: "schemas".to_owned(),
                name: "A/B~C".to_owned(),
                inner: false,
            })
        );
        let inner = component("#/components/responses/R/content/application~1json");
        assert_eq!(
            inner.map(|c| (c.name, c.inner)),
            Some(("R".to_owned(), true))
        );
        assert_eq!(component("#/components/schemas"), None);
        assert_eq!(component("#/paths/~1a"), None);
        assert_eq!(
            component_name("#/components/schemas/A~1B", "schemas"),
            Some("A/B".to_owned())
        );
        assert_eq!(
            component_name("#/components/schemas/A/properties/b", "schemas"),
            None
        );
        assert_eq!(component_name("#/components/parameters/A", "schemas"), None);
        assert_eq!(
            component_name("#/components/schemas/", "schemas"),
            Some(String::new())
        );
        assert_eq!(
            name_under("#/definitions/a~1b", "definitions"),
            Some("a/b".to_owned())
        );
        assert_eq!(name_under("#/definitions/a/b", "definitions"), None);
        assert_eq!(
            referenced_name("#/components/schemas/A~1B", "schemas"),
            Some("A/B".to_owned())
        );
        assert_eq!(
            referenced_name("x.yaml#/components/schemas/A", "schemas"),
            None
        );
        let inner = referenced_component("#/components/schemas/A/properties/b");
        assert_eq!(
            inner.map(|c| (c.name, c.inner)),
            Some(("A".to_owned(), true))
        );
        assert_eq!(referenced_component("#/paths/~1a"), None);
        assert_eq!(name_under("#/definitionsX/a", "definitions"), None);
    }

    #[test]
    fn lookup_reads_objects_and_arrays() {
        let doc = json!({"a/b": {"~": [10, {"": 20}]}});
        assert_eq!(lookup(&doc, "#/a~1b/~0/0"), Some(&json!(10)));
        assert_eq!(lookup(&doc, "#/a~1b/~0/1/"), Some(&json!(20)));
        assert_eq!(lookup(&doc, "#"), Some(&doc));
        assert_eq!(lookup(&doc, "#/a~1b/~0/2"), None);
        assert_eq!(lookup(&doc, "#/a~1b/~0/01"), None);
        assert_eq!(lookup(&doc, "/a~1b"), None);
        assert_eq!(lookup_ref(&doc, "#/a~1b/~0/0"), Some(&json!(10)));
        assert_eq!(lookup_ref(&doc, "other.json#/a~1b"), None);
    }

    #[test]
    fn every_reference_is_found_in_document_order_with_its_place() {
        let doc = json!({
            "paths": {"/a": {"get": {"parameters": [
                {"$ref": "#/components/parameters/P"},
                {"schema": {"$ref": "other.yaml#/X"}},
            ]}}},
            "components": {"schemas": {
                "U": {"discriminator": {"propertyName": "k", "mapping": {"x/y": "#/components/schemas/V"}},
                      "oneOf": [{"$ref": "#/components/schemas/V"}]},
                "$ref": {"type": "object"},
                "W": {"$ref": 5, "example": {"$ref": "#/in/an/example"}},
            }},
        });
        let mut found = Vec::new();
        walk_refs(&doc, "#", &mut |f| {
            found.push((f.reference.to_owned(), f.at, f.mapping));
        });
        let expected = [
            (
                "#/components/parameters/P",
                "#/paths/~1a/get/parameters/0",
                false,
            ),
            (
                "other.yaml#/X",
                "#/paths/~1a/get/parameters/1/schema",
                false,
            ),
            (
                "#/components/schemas/V",
                "#/components/schemas/U/discriminator/mapping/x~1y",
                true,
            ),
            (
                "#/components/schemas/V",
                "#/components/schemas/U/oneOf/0",
                false,
            ),
            ("#/in/an/example", "#/components/schemas/W/example", false),
        ];
        let expected: Vec<(String, String, bool)> = expected
            .iter()
            .map(|(r, at, m)| ((*r).to_owned(), (*at).to_owned(), *m))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn deep_values_are_walked_without_recursion() {
        let mut value = json!({"$ref": "#/bottom"});
        for _ in 0..10_000 {
            // Not `json!`, which serializes what it is given (recursively).
            let mut object = serde_json::Map::new();
            object.insert("items".to_owned(), Value::Array(vec![value]));
            value = Value::Object(object);
        }
        let mut found = Vec::new();
        walk_refs(&value, "#", &mut |f| found.push(f.at.len()));
        assert_eq!(found.len(), 1);
        assert_eq!(found, [10_000 * "/items/0".len() + 1]);
        // Dropping a value this deep recurses (serde_json's `Drop`): take it apart first.
        let mut stack = vec![value];
        while let Some(mut v) = stack.pop() {
            if let Some(items) = v.get_mut("items").and_then(Value::as_array_mut) {
                stack.append(items);
            }
        }
    }
}
