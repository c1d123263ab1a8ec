//! spec-diff on fixture pairs (`tests/data/diff/`): every kind of change, marked breaking or
//! not.

use codegen::spec::diff::{ChangeKind, diff_texts};
use std::path::PathBuf;

fn data(name: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .expect("fixture")
}

#[test]
fn every_kind_of_change_in_the_fixture_pair() {
    let changes = diff_texts(
        "old.yaml",
        &data("diff/jobs-old.yaml"),
        "new.yaml",
        &data("diff/jobs-new.yaml"),
    )
    .expect("both read");
    let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    let expected = [
        "BREAKING DELETE /jobs/{id} (Jobs_Cancel): operation removed",
        "BREAKING GET /jobs/{jobId} (Jobs_GetJob): operationId `Jobs_Get` → `Jobs_GetJob` (the generated method is renamed)",
        "BREAKING GET /jobs/{jobId} (Jobs_GetJob): parameter `expand` (query) removed",
        "GET /jobs/{jobId} (Jobs_GetJob): path parameter `id` renamed to `jobId`",
        "BREAKING GET /jobs/{jobId} (Jobs_GetJob): parameter `verbose` (query) is now required",
        "GET /jobs/{jobId} (Jobs_GetJob): parameter `page` (query) is now optional",
        "BREAKING GET /jobs/{jobId} (Jobs_GetJob): parameter `region` (query): type string → integer",
        "GET /jobs/{jobId} (Jobs_GetJob): parameter `filter` (query) added, optional",
        "BREAKING GET /jobs/{jobId} (Jobs_GetJob): parameter `tenant` (header) added, required",
        "BREAKING GET /jobs/{jobId} (Jobs_GetJob) response `200`: header `x-ms-request-id` removed",
        "GET /jobs/{jobId} (Jobs_GetJob): response `202` added",
        "PUT /jobs/{jobId} (Jobs_Create): path parameter `id` renamed to `jobId`",
        "BREAKING PUT /jobs/{jobId} (Jobs_Create): request body is now required",
        "GET /jobs/stats (Jobs_Stats): operation added",
        "BREAKING schema `Obsolete`: schema removed",
        // JobRequest is sent: a newly required property breaks callers.
        "BREAKING JobRequest.query: now required",
        "BREAKING JobRequest.timeout: type integer (int32) → integer (int64)",
        "BREAKING JobRequest.priority: property added (integer, required)",
        // Job is received: a property that may now be missing breaks readers.
        "BREAKING Job.legacy: property removed",
        "BREAKING Job.status: now optional",
        "Job.status: enum value \"failed\" added",
        "Job.progress: property added (integer, optional)",
        "BREAKING JobType: enum value \"reboot\" removed",
        "schema `Stats`: schema added",
    ];
    assert_eq!(lines, expected);
    let removed = changes
        .iter()
        .find(|c| c.kind == ChangeKind::ParameterRemoved)
        .expect("a removed parameter");
    // Removals point into the old document, the rest into the new one.
    assert_eq!(removed.pointer, "#/paths/~1jobs~1{id}/get/parameters/1");
    let retyped = changes
        .iter()
        .find(|c| c.kind == ChangeKind::ParameterRetyped)
        .expect("a retyped parameter");
    assert_eq!(retyped.pointer, "#/paths/~1jobs~1{jobId}/get/parameters/3");
}

#[test]
fn no_changes_between_a_document_and_itself() {
    for name in ["diff/jobs-old.yaml", "swagger/azure-style.yaml"] {
        let text = data(name);
        assert_eq!(diff_texts("a", &text, "b", &text).expect("reads"), []);
    }
}

#[test]
fn swagger_documents_are_compared_after_conversion() {
    let old = data("swagger/azure-style.yaml");
    let new = old
        .replace("enum: [red, green]", "enum: [red, green, blue]")
        .replace("      x-ms-long-running-operation: true\n", "")
        .replace(
            "        - name: names\n          in: query\n",
            "        - name: names\n          in: query\n          required: true\n",
        );
    let changes = diff_texts("old.yaml", &old, "new.yaml", &new).expect("reads");
    let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "BREAKING GET /widgets (Widgets_List): parameter `names` (query) is now required",
            // Both enums named Color change the same way, so they stay one schema.
            "Color: enum value \"blue\" added",
        ]
    );
}

#[test]
fn unreadable_documents_are_errors() {
    let e = diff_texts(
        "old.yaml",
        "openapi: [",
        "new.yaml",
        &data("diff/jobs-new.yaml"),
    )
    .expect_err("syntax");
    assert!(e.to_string().contains("old.yaml"), "{e}");
}

/// A `$ref` into a component schema (`#/components/schemas/A/properties/color`) uses that
/// schema: here only in responses, where a removed enum value breaks no client.
#[test]
fn references_into_a_schema_count_as_uses_of_it() {
    let old = "openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /paint:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/A/properties/color'}
components:
  schemas:
    A:
      type: object
      properties:
        color: {type: string, enum: [red, green]}
";
    let new = old.replace("enum: [red, green]", "enum: [red]");
    let changes = diff_texts("old.yaml", old, "new.yaml", &new).expect("reads");
    let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(lines, ["A.color: enum value \"green\" removed"]);
}
