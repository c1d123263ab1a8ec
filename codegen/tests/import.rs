//! The import pipeline: select a subset, apply the repository's overlay to the converted
//! upstream document, and what happens when upstream changes under the overlay.

use codegen::spec::import::{Input, Selection, import, select};
use serde_json::{Value, json};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

const UPSTREAM: &str = "spec/upstream/iothub-2021-04-12.json";
const OVERLAY: &str = "spec/overlays/iothub-jobs.overlay.yaml";

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).expect(path)
}

fn jobs() -> Selection {
    Selection {
        path_prefixes: vec!["/jobs".to_owned()],
        tags: Vec::new(),
    }
}

fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn converted_upstream() -> Value {
    let text = read(UPSTREAM);
    let swagger: Value = serde_json::from_str(&text).expect("JSON");
    codegen::spec::swagger::convert(UPSTREAM, &swagger)
        .expect("converts")
        .document
}

#[test]
fn selecting_by_path_prefix_keeps_what_the_paths_use() {
    let subset = select(&converted_upstream(), &jobs());
    assert_eq!(
        keys(&subset["paths"]),
        [
            "/jobs/create",
            "/jobs",
            "/jobs/{id}",
            "/jobs/v2/{id}",
            "/jobs/v2/{id}/cancel",
            "/jobs/v2/query"
        ]
    );
    // Upstream order; Twin's own references (DeviceCapabilities, X509Thumbprint) included.
    assert_eq!(
        keys(&subset["components"]["schemas"]),
        [
            "DeviceCapabilities",
            "X509Thumbprint",
            "Twin",
            "TwinProperties",
            "JobProperties",
            "ManagedIdentity",
            "JobRequest",
            "CloudToDeviceMethod",
            "JobResponse",
            "DeviceJobStatistics",
            "QueryResult"
        ]
    );
    assert_eq!(keys(&subset["components"]["parameters"]), ["api-version"]);
    // `/jobsx` is not under `/jobs`.
    let doc = json!({"paths": {"/jobsx": {"get": {}}, "/jobs": {"get": {}}}});
    assert_eq!(keys(&select(&doc, &jobs())["paths"]), ["/jobs"]);
}

#[test]
fn selecting_by_tag_keeps_tagged_operations_and_their_tags() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/swagger/azure-style.yaml"),
    )
    .expect("fixture");
    let (_, converted) = codegen::parse::parse_with_raw("azure-style.yaml", &text).expect("reads");
    let subset = select(
        &converted,
        &Selection {
            path_prefixes: Vec::new(),
            tags: vec!["Widgets".to_owned()],
        },
    );
    assert_eq!(keys(&subset["paths"]), ["/widgets"]);
    assert_eq!(keys(&subset["paths"]["/widgets"]), ["get", "post"]);
    assert_eq!(
        subset["tags"],
        json!([{"name": "Widgets", "description": "Widget operations."}])
    );
    // Gadget is kept through Widget's discriminator mapping; security schemes are all kept.
    assert_eq!(
        keys(&subset["components"]["schemas"]),
        ["Widget", "Gadget", "Owner", "WidgetList", "Error", "Color"]
    );
    assert_eq!(keys(&subset["components"]["responses"]), ["NotFound"]);
    assert_eq!(
        keys(&subset["components"]["securitySchemes"]),
        ["basic", "key", "aad", "app"]
    );
}

fn import_jobs(upstream: &str) -> codegen::spec::import::Imported {
    let overlay = read(OVERLAY);
    import(&Input {
        upstream_path: UPSTREAM,
        upstream_text: upstream,
        // The paths `cargo xtask import` keeps (xtask/src/import.rs `PATHS`).
        selection: Selection {
            path_prefixes: vec!["/jobs".to_owned(), "/devices/query".to_owned()],
            tags: Vec::new(),
        },
        overlays: vec![(OVERLAY, &overlay)],
        header: vec!["a header".to_owned()],
    })
    .expect("imports")
}

#[test]
fn the_overlay_applies_every_correction_without_a_warning() {
    let imported = import_jobs(&read(UPSTREAM));
    assert!(imported.warnings.is_empty(), "{:#?}", imported.warnings);
    let doc = &imported.document;
    assert!(
        imported
            .yaml
            .starts_with("# a header\nopenapi: \"3.0.3\"\n")
    );
    // Correction 1: a bare array, paged through headers.
    let query = &doc["paths"]["/jobs/v2/query"]["get"];
    assert_eq!(
        query["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"type": "array", "items": {"$ref": "#/components/schemas/JobResponse"}})
    );
    assert_eq!(query["x-paging"]["pageSizeHeader"], "x-ms-max-item-count");
    assert!(doc["components"]["schemas"].get("QueryResult").is_none());
    // Correction 2: any JSON.
    assert_eq!(
        doc["components"]["schemas"]["Twin"]["properties"]["tags"]["additionalProperties"],
        json!({})
    );
    assert_eq!(
        doc["components"]["schemas"]["CloudToDeviceMethod"]["properties"]["payload"],
        json!({"description": "The JSON-formatted direct method payload, up to 128kb in size."})
    );
    // Correction 3 and 4 on every operation.
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            assert_eq!(
                operation["responses"]["default"],
                json!({"$ref": "#/components/responses/IotHubError"}),
                "{method} {path}"
            );
            let tag = if path == "/devices/query" {
                "Query"
            } else {
                "Jobs"
            };
            assert_eq!(operation["tags"], json!([tag]), "{method} {path}");
        }
    }
    assert_eq!(doc["security"], json!([{"sasToken": []}, {"entraId": []}]));
    assert_eq!(
        doc["components"]["securitySchemes"]["entraId"]["scheme"],
        json!("bearer")
    );
    // Hoisted enums, in place: field order unchanged.
    let properties = &doc["components"]["schemas"]["JobProperties"]["properties"];
    assert_eq!(
        properties["type"],
        json!({"$ref": "#/components/schemas/JobType"})
    );
    assert_eq!(
        properties["status"],
        json!({"$ref": "#/components/schemas/JobStatus"})
    );
    assert_eq!(
        keys(properties)[..5],
        ["jobId", "startTimeUtc", "endTimeUtc", "type", "status"]
    );
    // The result generates.
    codegen::generate(&codegen::Input::new(
        "imported.yaml",
        &imported.yaml,
        "test",
    ))
    .expect("generates");
}

#[test]
fn an_upstream_change_under_the_overlay_shows() {
    // A new job status in one place only: that property keeps its inline enum, the others
    // still refer to JobStatus, so the imported document changes and the drift check sees it.
    let upstream = read(UPSTREAM).replacen(
        "\"scheduled\",\n            \"queued\"\n",
        "\"scheduled\",\n            \"queued\",\n            \"paused\"\n",
        1,
    );
    assert_ne!(upstream, read(UPSTREAM), "the fixture edit applies");
    let imported = import_jobs(&upstream);
    let schemas = &imported.document["components"]["schemas"];
    let statuses: Vec<&Value> = ["JobResponse", "JobProperties"]
        .iter()
        .map(|name| &schemas[*name]["properties"]["status"])
        .collect();
    assert!(
        statuses.iter().any(|s| s.get("enum").is_some_and(|e| e
            .as_array()
            .is_some_and(|values| values.contains(&json!("paused"))))),
        "{statuses:#?}"
    );
    assert!(
        statuses
            .iter()
            .any(|s| *s == &json!({"$ref": "#/components/schemas/JobStatus"}))
    );

    // A correction whose target is gone is a warning naming the action.
    let upstream = read(UPSTREAM).replace(
        "\"payload\": {\n          \"description\": \"The JSON-formatted",
        "\"methodPayload\": {\n          \"description\": \"The JSON-formatted",
    );
    assert_ne!(upstream, read(UPSTREAM), "the fixture edit applies");
    let imported = import_jobs(&upstream);
    let warning = imported
        .warnings
        .iter()
        .find(|w| w.message.contains("selects nothing"))
        .expect("a warning");
    assert!(
        warning
            .message
            .contains("CloudToDeviceMethod.properties.payload.type"),
        "{warning}"
    );
    assert!(warning.message.contains("Correction 2"), "{warning}");
    assert_eq!(
        warning.location.pointer,
        "spec/overlays/iothub-jobs.overlay.yaml#/actions/19"
    );
}

#[test]
fn the_imported_yaml_is_deterministic() {
    let a = import_jobs(&read(UPSTREAM)).yaml;
    let b = import_jobs(&read(UPSTREAM)).yaml;
    assert_eq!(a, b);
}
