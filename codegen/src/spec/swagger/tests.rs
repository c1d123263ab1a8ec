use super::*;
use proptest::prelude::*;

/// JSON values built from the words a Swagger document uses, nested a few levels.
fn value() -> impl Strategy<Value = Value> {
    crate::test_support::json_from_words(vec![
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
    ])
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
