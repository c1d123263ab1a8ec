//! The conversion, document in, document out.

use super::downgrade;
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The 3.0 form of `schema`, as the only component schema `S` of a 3.1 document, and the
/// warnings.
fn converted(schema: Value) -> Result<(Value, Vec<String>), Box<dyn std::error::Error>> {
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {"schemas": {"S": schema}},
    });
    let (out, warnings, _) = downgrade("t.json", &doc).map_err(|e| e.to_string())?;
    let schema = out
        .pointer("/components/schemas/S")
        .cloned()
        .ok_or("no S")?;
    Ok((schema, warnings.iter().map(|w| w.to_string()).collect()))
}

#[test]
fn type_lists_are_nullable_types_or_unions() -> TestResult {
    let (s, w) = converted(json!({"type": ["string", "null"], "maxLength": 3}))?;
    assert_eq!(
        s,
        json!({"type": "string", "maxLength": 3, "nullable": true})
    );
    assert!(w.is_empty(), "{w:?}");
    let (s, _) = converted(json!({"type": ["string", "integer"], "format": "uuid", "minimum": 1}))?;
    assert_eq!(
        s,
        json!({"oneOf": [{"type": "string", "format": "uuid"}, {"type": "integer", "minimum": 1}]})
    );
    let (s, _) = converted(json!({"type": "null"}))?;
    assert_eq!(s, json!({"nullable": true}));
    // A type listed twice is one type, not a union of two.
    let (s, _) = converted(json!({"type": ["string", "null", "string"]}))?;
    assert_eq!(s, json!({"type": "string", "nullable": true}));
    let (s, _) = converted(json!({"type": ["integer", "string", "integer"]}))?;
    assert_eq!(
        s,
        json!({"oneOf": [{"type": "integer"}, {"type": "string"}]})
    );
    Ok(())
}

#[test]
fn const_examples_and_exclusive_bounds() -> TestResult {
    let (s, _) = converted(json!({"const": "fixed", "examples": ["a", "b"]}))?;
    assert_eq!(s, json!({"enum": ["fixed"], "example": "a"}));
    let (s, _) = converted(json!({"type": "integer", "exclusiveMinimum": 0, "maximum": 9}))?;
    assert_eq!(
        s,
        json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 9})
    );
    Ok(())
}

#[test]
fn references_with_siblings() -> TestResult {
    let (s, _) = converted(json!({"$ref": "#/components/schemas/T", "description": "mine"}))?;
    assert_eq!(
        s,
        json!({"allOf": [{"$ref": "#/components/schemas/T"}], "description": "mine"})
    );
    let (s, _) = converted(json!({"$ref": "#/components/schemas/T", "maxLength": 80}))?;
    assert_eq!(s, json!({"$ref": "#/components/schemas/T"}));
    let (s, _) = converted(json!({"$ref": "#/components/schemas/T", "required": ["a"]}))?;
    assert_eq!(
        s,
        json!({"allOf": [{"$ref": "#/components/schemas/T"}, {"required": ["a"]}]})
    );
    let (s, _) =
        converted(json!({"oneOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]}))?;
    assert_eq!(
        s,
        json!({"oneOf": [{"$ref": "#/components/schemas/T"}], "nullable": true})
    );
    Ok(())
}

#[test]
fn defs_anchors_and_ids_become_component_references() -> TestResult {
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {"schemas": {
            "A": {
                "type": "object",
                "properties": {
                    "b": {"$ref": "#/components/schemas/A/$defs/B"},
                    "c": {"$ref": "#c-anchor"},
                    "d": {"$ref": "https://example.com/d"},
                },
                "$defs": {
                    "B": {"type": "string"},
                    "C": {"$anchor": "c-anchor", "type": "integer"},
                    "D": {"$id": "https://example.com/d", "type": "boolean"},
                },
            },
        }},
    });
    let (out, _, _) = downgrade("t.json", &doc).map_err(|e| e.to_string())?;
    let props = out
        .pointer("/components/schemas/A/properties")
        .ok_or("no properties")?;
    assert_eq!(props["b"], json!({"$ref": "#/components/schemas/B"}));
    assert_eq!(props["c"], json!({"$ref": "#/components/schemas/C"}));
    assert_eq!(props["d"], json!({"$ref": "#/components/schemas/D"}));
    assert_eq!(
        out.pointer("/components/schemas/C"),
        Some(&json!({"type": "integer"}))
    );
    assert!(out.pointer("/components/schemas/A/$defs").is_none());
    Ok(())
}

#[test]
fn structure_keywords_become_lists_and_maps_or_warnings() -> TestResult {
    let (s, w) = converted(
        json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "string"}]}),
    )?;
    assert_eq!(s, json!({"type": "array", "items": {"type": "string"}}));
    assert_eq!(w.len(), 1, "{w:?}");
    let (s, w) =
        converted(json!({"type": "object", "patternProperties": {"^x": {"type": "integer"}}}))?;
    assert_eq!(
        s,
        json!({"type": "object", "additionalProperties": {"type": "integer"}})
    );
    assert!(w.is_empty(), "{w:?}");
    let (_, w) =
        converted(json!({"type": "object", "if": {}, "then": {}, "dependentRequired": {}}))?;
    assert_eq!(w.len(), 3, "{w:?}");
    Ok(())
}

#[test]
fn binary_content() -> TestResult {
    let (s, _) = converted(json!({"type": "string", "contentEncoding": "base64"}))?;
    assert_eq!(s, json!({"type": "string", "format": "byte"}));
    let (s, _) = converted(json!({"type": "string", "contentMediaType": "image/png"}))?;
    assert_eq!(s, json!({"type": "string", "format": "binary"}));
    Ok(())
}

#[test]
fn bad_types_are_located_errors() {
    for (schema, expected) in [
        (json!({"type": []}), "`type: []` allows no value"),
        (json!({"type": "float"}), "is not a JSON Schema type"),
        (
            json!({"type": ["string", "date"]}),
            "lists `date`, which is not a JSON Schema type",
        ),
    ] {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "components": {"schemas": {"S": schema}},
        });
        let result = downgrade("t.json", &doc);
        assert!(result.is_err(), "{expected}: accepted");
        if let Err(errors) = result {
            let text = errors.to_string();
            assert!(text.contains("#/components/schemas/S/type"), "{text}");
            assert!(text.contains(expected), "{text}");
            // Said as a 3.1 problem, once.
            assert!(text.contains(": not valid OpenAPI 3.1: "), "{text}");
            assert!(!text.contains("3.0"), "{text}");
        }
    }
}

#[test]
fn document_fields() -> TestResult {
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1", "summary": "short", "license": {"name": "MIT", "identifier": "MIT"}},
        "jsonSchemaDialect": "https://example.com/dialect",
        "webhooks": {"ping": {}},
        "components": {"pathItems": {"P": {"get": {"responses": {"204": {"description": "ok"}}}}}},
    });
    let (out, warnings, _) = downgrade("t.json", &doc).map_err(|e| e.to_string())?;
    assert_eq!(out["openapi"], json!("3.0.3"));
    assert_eq!(out["paths"], json!({}));
    assert_eq!(out["info"]["description"], json!("short"));
    assert!(out["info"]["license"].get("identifier").is_none());
    assert!(out.get("webhooks").is_none());
    // Webhooks are kept under the 3.0 extension, for their payload types, without a warning.
    assert_eq!(out["x-webhooks"], json!({"ping": {}}));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    Ok(())
}
