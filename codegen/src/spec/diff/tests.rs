use super::*;
use proptest::prelude::*;
use serde_json::json;

fn value() -> impl Strategy<Value = Value> {
    crate::test_support::json_from_words(vec![
        "type",
        "in",
        "query",
        "path",
        "name",
        "required",
        "schema",
        "$ref",
        "enum",
        "#/components/schemas/A",
        "#/components/parameters/p",
        "properties",
        "items",
        "allOf",
        "content",
        "application/json",
        "responses",
        "200",
        "get",
        "parameters",
        "requestBody",
        "headers",
        "additionalProperties",
        "/a/{x}",
    ])
}

proptest! {
    /// Any two documents compare without panicking, and a document equals itself.
    #[test]
    fn never_panics(a in value(), b in value(), c in value(), d in value()) {
        let old = json!({"paths": {"/a/{x}": a}, "components": {"schemas": {"A": b}}});
        let new = json!({"paths": {"/a/{y}": c}, "components": {"schemas": {"A": d}}});
        let _ = diff(&old, &new);
        prop_assert!(diff(&old, &old).is_empty());
    }
}
