//! Overlay documents: parsing, and `update`/`remove` actions applied to a document.

use codegen::spec::overlay::{Change, Overlay, apply, from_value, parse};
use serde_json::Value;
use serde_json::json;

fn overlay(actions: Value) -> Overlay {
    from_value(
        "o.yaml",
        &json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions}),
    )
    .unwrap()
}

#[test]
fn update_merges_objects_recursively_and_keeps_order() {
    let mut doc = json!({"info": {"title": "a", "version": "1", "x": {"k": 1, "l": [1]}}});
    let o = overlay(json!([
        {"target": "$.info", "update": {"title": "b", "x": {"l": [2], "m": 3}, "y": true}}
    ]));
    let warnings = apply("o.yaml", &o, &mut doc).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(
        serde_json::to_string(&doc).unwrap(),
        r#"{"info":{"title":"b","version":"1","x":{"k":1,"l":[2],"m":3},"y":true}}"#
    );
}

#[test]
fn update_appends_to_arrays() {
    let mut doc = json!({"p": [{"name": "a"}]});
    let o = overlay(json!([{"target": "$.p", "update": {"name": "b"}}]));
    apply("o.yaml", &o, &mut doc).unwrap();
    assert_eq!(doc, json!({"p": [{"name": "a"}, {"name": "b"}]}));
}

#[test]
fn overlay_1_1_concatenates_arrays() {
    let mut doc = json!({"p": [1], "o": {"l": [1]}});
    let mut o = overlay(json!([
        {"target": "$.p", "update": [2, 3]},
        {"target": "$.o", "update": {"l": [2]}}
    ]));
    o.version = "1.1.0".to_owned();
    apply("o.yaml", &o, &mut doc).unwrap();
    assert_eq!(doc, json!({"p": [1, 2, 3], "o": {"l": [1, 2]}}));
}

#[test]
fn remove_takes_out_every_selected_node_in_place() {
    let mut doc = json!({
        "params": [{"name": "a"}, {"name": "b"}, {"name": "a"}, {"name": "c"}],
        "schema": {"description": "d", "type": "object", "enum": [1], "z": 1}
    });
    let o = overlay(json!([
        {"target": "$.params[?@.name == 'a']", "remove": true},
        {"target": "$.schema['type','enum']", "remove": true}
    ]));
    apply("o.yaml", &o, &mut doc).unwrap();
    assert_eq!(
        serde_json::to_string(&doc).unwrap(),
        r#"{"params":[{"name":"b"},{"name":"c"}],"schema":{"description":"d","z":1}}"#
    );
}

#[test]
fn filters_compare_with_other_nodes() {
    let mut doc = json!({
        "T": {"enum": ["a", "b"]},
        "S": {"properties": {"x": {"enum": ["a", "b"]}, "y": {"enum": ["a"]}}}
    });
    let o = overlay(json!([
        {"target": "$.S.properties[?@.enum == $.T.enum]", "update": {"$ref": "#/T"}},
        {"target": "$.S.properties[?@['$ref'] == '#/T'].enum", "remove": true}
    ]));
    apply("o.yaml", &o, &mut doc).unwrap();
    assert_eq!(
        doc,
        json!({"T": {"enum": ["a", "b"]}, "S": {"properties": {"x": {"$ref": "#/T"}, "y": {"enum": ["a"]}}}})
    );
}

#[test]
fn a_target_that_selects_nothing_is_a_warning() {
    let mut doc = json!({"a": {}});
    let o = overlay(json!([{"target": "$.b", "description": "Fix b.", "update": {"c": 1}}]));
    let warnings = apply("o.yaml", &o, &mut doc).unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].message.contains("selects nothing"),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].message.contains("Fix b."), "{}", warnings[0]);
    assert_eq!(doc, json!({"a": {}}));
}

#[test]
fn incompatible_updates_and_bad_documents_are_errors() {
    let mut doc = json!({"a": {}});
    let o = overlay(json!([{"target": "$.a", "update": [1]}]));
    let e = apply("o.yaml", &o, &mut doc).unwrap_err();
    assert!(e.to_string().contains("must be an object"), "{e}");
    let e = from_value(
        "o.yaml",
        &json!({"overlay": "2.0.0", "info": {}, "actions": [{"target": "$[", "update": {}}, {"target": "$"}]}),
    )
    .unwrap_err();
    assert_eq!(e.0.len(), 4, "{e}");
    let text = e.to_string();
    assert!(text.contains("o.yaml#/overlay"), "{text}");
    assert!(text.contains("o.yaml#/actions/0/target"), "{text}");
    assert!(text.contains("o.yaml#/actions/1"), "{text}");
    let e = overlay_root_remove();
    assert!(e.contains("cannot be removed"), "{e}");
}

fn overlay_root_remove() -> String {
    let mut doc = json!({});
    let o = overlay(json!([{"target": "$", "remove": true}]));
    apply("o.yaml", &o, &mut doc).unwrap_err().to_string()
}

#[test]
fn parses_yaml() {
    let o = parse(
        "o.yaml",
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: \"$.paths['/a/{id}'].get\"\n    description: d\n    remove: true\n",
    )
    .unwrap();
    assert_eq!(o.actions.len(), 1);
    assert_eq!(o.actions[0].change, Change::Remove);
    assert_eq!(o.actions[0].description.as_deref(), Some("d"));
}
