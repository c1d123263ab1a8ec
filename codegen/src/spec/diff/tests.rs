use super::*;
use proptest::prelude::*;
use serde_json::json;

fn value() -> impl Strategy<Value = Value> {
    let words = prop::sample::select(vec![
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
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        words.clone().prop_map(|w| json!(w)),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((words.clone(), inner), 0..6).prop_map(|entries| {
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                )
            }),
        ]
    })
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
