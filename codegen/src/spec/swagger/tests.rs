use super::*;
use proptest::prelude::*;

/// JSON values built from the words a Swagger document uses, nested a few levels.
fn value() -> impl Strategy<Value = Value> {
    let words = prop::sample::select(vec![
        "type",
        "in",
        "body",
        "formData",
        "query",
        "path",
        "header",
        "array",
        "file",
        "string",
        "items",
        "$ref",
        "#/parameters/p",
        "#/definitions/D",
        "schema",
        "name",
        "x-ms-enum",
        "enum",
        "collectionFormat",
        "tsv",
        "multi",
        "x-nullable",
        "allOf",
        "discriminator",
        "properties",
        "responses",
        "parameters",
        "get",
        "/a?b=c",
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
    /// Whatever the document holds, conversion answers (a document or errors) without
    /// panicking.
    #[test]
    fn never_panics(
        paths in value(),
        definitions in value(),
        parameters in value(),
        extra in value(),
    ) {
        let doc = json!({
            "swagger": "2.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a/{id}": {"get": paths.clone(), "parameters": parameters.clone()}, "/b": paths},
            "definitions": {"D": definitions},
            "parameters": {"p": parameters},
            "x-ms-paths": {"/a?x=1": extra.clone()},
            "x-ms-parameterized-host": extra,
        });
        let _ = convert("fuzz.json", &doc);
    }
}
