//! Swagger 2.0 → OpenAPI 3.0.3: one test per construct family, on
//! `tests/data/swagger/azure-style.yaml`, plus the whole IoT Hub document.

use codegen::spec::swagger::{Conversion, convert};
use serde_json::{Value, json};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

const FIXTURE: &str = "tests/data/swagger/azure-style.yaml";

fn fixture_text() -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FIXTURE))
        .expect("fixture")
}

fn yaml(text: &str) -> Value {
    let value: serde_yaml::Value = serde_yaml::from_str(text).expect("YAML");
    serde_json::to_value(value).expect("JSON")
}

fn converted() -> Conversion {
    convert(FIXTURE, &yaml(&fixture_text())).expect("converts")
}

fn at<'a>(doc: &'a Value, pointer: &str) -> &'a Value {
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("nothing at {pointer}"))
}

/// The parameter named `name` of the operation at `operation` (a pointer).
fn param<'a>(doc: &'a Value, operation: &str, name: &str) -> &'a Value {
    at(doc, &format!("{operation}/parameters"))
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no parameter {name} at {operation}"))
}

const LIST: &str = "/paths/~1widgets/get";

#[test]
fn host_base_path_and_schemes_become_servers() {
    let doc = converted().document;
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(
        doc["servers"],
        json!([{"url": "https://example.azure.net/api"}, {"url": "http://example.azure.net/api"}])
    );
    // An operation's own schemes: its own servers.
    assert_eq!(
        at(&doc, "/paths/~1widgets~1{name}/get/servers"),
        &json!([{"url": "https://example.azure.net/api"}])
    );
}

#[test]
fn parameterized_host_becomes_server_variables() {
    let doc = yaml(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\nparameters:\n  Endpoint:\n    name: endpoint\n    in: path\n    required: true\n    type: string\n    x-ms-parameter-location: client\n    description: The endpoint.\nx-ms-parameterized-host:\n  hostTemplate: '{endpoint}/text'\n  useSchemePrefix: false\n  parameters:\n    - $ref: '#/parameters/Endpoint'\npaths: {}\n",
    );
    let conversion = convert("host.yaml", &doc).expect("converts");
    assert_eq!(
        conversion.document["servers"],
        json!([{"url": "{endpoint}/text", "variables": {"endpoint": {"default": "", "description": "The endpoint."}}}])
    );
    assert_eq!(conversion.warnings.len(), 1, "{:?}", conversion.warnings);
    assert_eq!(
        conversion.warnings[0].location.pointer,
        "#/x-ms-parameterized-host/parameters/0"
    );
    assert!(conversion.warnings[0].message.contains("no default"));
}

#[test]
fn global_parameters_become_components_or_are_written_out() {
    let doc = converted().document;
    assert_eq!(
        at(&doc, "/components/parameters/ApiVersion"),
        &json!({"name": "api-version", "in": "query", "required": true, "schema": {"type": "string", "default": "2024-01-01"}})
    );
    assert_eq!(
        at(&doc, &format!("{LIST}/parameters/0")),
        &json!({"$ref": "#/components/parameters/ApiVersion"})
    );
    // Body and formData globals have no OpenAPI 3.0 component form: written where used.
    assert!(doc.pointer("/components/parameters/WidgetBody").is_none());
    assert!(doc.pointer("/components/parameters/Note").is_none());
    assert_eq!(
        at(
            &doc,
            "/paths/~1widgets~1{name}/put/requestBody/content/multipart~1form-data/schema/properties/note"
        ),
        &json!({"description": "A note.", "type": "string"})
    );
}

#[test]
fn body_parameter_becomes_request_body() {
    let doc = converted().document;
    let post = at(&doc, "/paths/~1widgets/post");
    assert_eq!(
        post["requestBody"],
        json!({
            "description": "The widget to store.",
            "required": true,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Widget"}}}
        })
    );
    // Only the api-version reference is left among the parameters.
    assert_eq!(post["parameters"].as_array().map(Vec::len), Some(1));
}

#[test]
fn collection_formats_become_style_and_explode() {
    let conversion = converted();
    let doc = &conversion.document;
    let style = |name: &str| {
        let p = param(doc, LIST, name);
        (p.get("style").cloned(), p.get("explode").cloned())
    };
    assert_eq!(style("ids"), (Some(json!("form")), Some(json!(false))));
    assert_eq!(style("names"), (Some(json!("form")), Some(json!(true))));
    assert_eq!(
        style("spaced"),
        (Some(json!("spaceDelimited")), Some(json!(false)))
    );
    assert_eq!(
        style("piped"),
        (Some(json!("pipeDelimited")), Some(json!(false)))
    );
    assert_eq!(style("tabbed"), (Some(json!("form")), Some(json!(false))));
    // Headers are comma-separated by default (`simple`).
    assert_eq!(style("x-ms-tags"), (None, None));
    assert_eq!(
        param(doc, LIST, "ids")["schema"],
        json!({"type": "array", "items": {"type": "integer", "format": "int32"}})
    );
    let tsv = conversion
        .warnings
        .iter()
        .find(|w| w.message.contains("tsv"))
        .expect("a tsv warning");
    assert_eq!(
        tsv.location.pointer,
        "#/paths/~1widgets/get/parameters/5/collectionFormat"
    );
}

#[test]
fn form_data_becomes_form_bodies() {
    let doc = converted().document;
    let upload = at(&doc, "/paths/~1widgets~1{name}/put/requestBody");
    assert_eq!(upload["required"], true);
    let schema = &upload["content"]["multipart/form-data"]["schema"];
    assert_eq!(
        schema["properties"]["file"],
        json!({"type": "string", "format": "binary"})
    );
    assert_eq!(schema["required"], json!(["file"]));
    let rename = at(&doc, "/paths/~1widgets~1{name}/patch/requestBody/content");
    let form = &rename["application/x-www-form-urlencoded"];
    assert_eq!(form["schema"]["required"], json!(["newName"]));
    // `multi` is the form default; a comma-separated list needs an encoding.
    assert_eq!(
        form["encoding"],
        json!({"flags": {"style": "form", "explode": false}})
    );
    // The path-level path parameter stays at path level, converted.
    assert_eq!(
        at(&doc, "/paths/~1widgets~1{name}/parameters"),
        &json!([{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}])
    );
}

#[test]
fn responses_get_content_and_header_schemas() {
    let doc = converted().document;
    let ok = at(&doc, &format!("{LIST}/responses/200"));
    assert_eq!(
        ok["content"],
        json!({"application/json": {
            "schema": {"$ref": "#/components/schemas/WidgetList"},
            "example": {"value": []}
        }})
    );
    assert_eq!(
        ok["headers"]["x-ms-request-id"],
        json!({"schema": {"type": "string"}, "description": "The request id."})
    );
    assert_eq!(
        at(&doc, &format!("{LIST}/responses/404")),
        &json!({"$ref": "#/components/responses/NotFound"})
    );
    assert_eq!(
        at(
            &doc,
            "/components/responses/NotFound/content/application~1json/schema"
        ),
        &json!({"$ref": "#/components/schemas/Error"})
    );
    assert_eq!(
        at(
            &doc,
            "/paths/~1widgets~1{name}/get/responses/200/content/application~1octet-stream/schema"
        ),
        &json!({"type": "string", "format": "binary"})
    );
}

#[test]
fn security_definitions_become_security_schemes() {
    let doc = converted().document;
    let schemes = at(&doc, "/components/securitySchemes");
    assert_eq!(
        schemes["basic"],
        json!({"type": "http", "scheme": "basic", "description": "User name and password."})
    );
    assert_eq!(
        schemes["key"],
        json!({"type": "apiKey", "name": "Ocp-Apim-Subscription-Key", "in": "header"})
    );
    assert_eq!(
        schemes["aad"]["flows"]["authorizationCode"]["tokenUrl"],
        "https://login.example.com/token"
    );
    assert_eq!(
        schemes["app"]["flows"],
        json!({"clientCredentials": {"tokenUrl": "https://login.example.com/token", "scopes": {}}})
    );
    assert_eq!(doc["security"], json!([{"key": []}]));
}

#[test]
fn x_ms_enum_names_the_enum_once() {
    let conversion = converted();
    let doc = &conversion.document;
    assert_eq!(
        at(doc, "/components/schemas/Color"),
        &json!({"type": "string", "enum": ["red", "green"], "x-ms-enum": {"name": "Color", "modelAsString": true}})
    );
    // The parameter and the property share it; the property keeps its description.
    assert_eq!(
        param(doc, LIST, "color")["schema"],
        json!({"$ref": "#/components/schemas/Color"})
    );
    assert_eq!(
        at(doc, "/components/schemas/Widget/properties/color"),
        &json!({"allOf": [{"$ref": "#/components/schemas/Color"}], "description": "The widget's color."})
    );
    // Another enum under the same name stays inline, with a warning at its place.
    assert_eq!(
        at(doc, "/components/schemas/Widget/properties/shade/enum"),
        &json!(["light", "dark"])
    );
    assert!(conversion.warnings.iter().any(|w| {
        w.location.pointer == "#/definitions/Widget/properties/shade/x-ms-enum"
            && w.message.contains("stays inline")
    }));
}

#[test]
fn x_nullable_discriminators_and_ref_siblings() {
    let doc = converted().document;
    let widget = at(&doc, "/components/schemas/Widget");
    assert_eq!(
        widget["properties"]["size"],
        json!({"type": "integer", "nullable": true})
    );
    assert_eq!(
        widget["properties"]["owner"],
        json!({"allOf": [{"$ref": "#/components/schemas/Owner"}], "nullable": true})
    );
    assert_eq!(
        widget["properties"]["parent"],
        json!({"$ref": "#/components/schemas/Owner"})
    );
    assert_eq!(
        widget["discriminator"],
        json!({"propertyName": "kind", "mapping": {"gadget-v1": "#/components/schemas/Gadget"}})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Gadget/allOf/0"),
        &json!({"$ref": "#/components/schemas/Widget"})
    );
}

#[test]
fn x_ms_paths_join_paths() {
    let conversion = converted();
    let doc = &conversion.document;
    let archive = at(doc, "/paths/~1widgets~1{name}/post");
    assert_eq!(archive["operationId"], "Widgets_Archive");
    assert_eq!(
        archive["parameters"][0],
        json!({"name": "action", "in": "query", "required": true, "schema": {"type": "string", "enum": ["archive"]}})
    );
    // GET /widgets?action=list cannot be told apart from GET /widgets.
    assert_eq!(at(doc, &format!("{LIST}/operationId")), "Widgets_List");
    assert!(doc.get("x-ms-paths").is_none());
    assert!(conversion.warnings.iter().any(|w| {
        w.location.pointer == "#/x-ms-paths/~1widgets?action=list/get"
            && w.message.contains("left out")
    }));
}

#[test]
fn azure_extensions_are_kept() {
    let doc = converted().document;
    assert_eq!(
        at(&doc, &format!("{LIST}/x-ms-pageable")),
        &json!({"nextLinkName": "nextLink", "itemName": "value"})
    );
    assert_eq!(
        at(&doc, "/paths/~1widgets/post/x-ms-long-running-operation"),
        &json!(true)
    );
    assert_eq!(
        doc["x-ms-code-generation-settings"],
        json!({"name": "WidgetClient"})
    );
    // Key order is the document's.
    let keys: Vec<&String> = doc.as_object().expect("map").keys().collect();
    assert_eq!(
        keys,
        [
            "openapi",
            "info",
            "servers",
            "security",
            "tags",
            "x-ms-code-generation-settings",
            "paths",
            "components"
        ]
    );
}

#[test]
fn converted_documents_generate_with_the_conversion_warnings() {
    let text = fixture_text();
    let output =
        codegen::generate(&codegen::Input::new(FIXTURE, &text, "test")).expect("generates");
    let pointers: Vec<&str> = output
        .warnings
        .iter()
        .map(|w| w.location.pointer.as_str())
        .collect();
    assert!(
        pointers.contains(&"#/paths/~1widgets/get/parameters/5/collectionFormat"),
        "{pointers:?}"
    );
    let client = output
        .files
        .iter()
        .find(|f| f.path == "client.rs")
        .expect("client.rs");
    for method in [
        "fn list",
        "fn create",
        "fn upload",
        "fn rename",
        "fn download",
        "fn archive",
    ] {
        assert!(client.contents.contains(method), "{method}");
    }
}

#[test]
fn what_cannot_be_converted_is_an_error_with_its_place() {
    let e = convert("a.json", &json!({"swagger": "1.2"})).expect_err("1.2");
    assert!(
        e.to_string().contains("Swagger 1.2 is not supported"),
        "{e}"
    );
    let e = convert(
        "a.json",
        &json!({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {
            "parameters": [{"name": "q", "in": "cookie", "type": "string"}, {"$ref": "#/parameters/Nope"}],
            "responses": {"200": {"description": "ok"}}
        }}}}),
    )
    .expect_err("invalid");
    let text = e.to_string();
    assert!(
        text.contains("a.json#/paths/~1a/get/parameters/0/in"),
        "{text}"
    );
    assert!(
        text.contains("a.json#/paths/~1a/get/parameters/1"),
        "{text}"
    );
    assert!(text.contains("#/parameters/Nope"), "{text}");
    // Through the normal entry point too.
    let e = codegen::parse::parse("a.json", r#"{"swagger":"3.0"}"#).expect_err("3.0");
    assert!(
        e.to_string().contains("Swagger 3.0 is not supported"),
        "{e}"
    );
}

/// The whole IoT Hub service document: 42 operations, converted without a warning.
#[test]
fn the_whole_iothub_document_converts_and_generates() {
    let path = "spec/upstream/iothub-2021-04-12.json";
    let text = std::fs::read_to_string(root().join(path)).expect("upstream");
    let (api, warnings) = codegen::lower_only(path, &text).expect("lowers");
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(api.operations.len(), 42);
    for id in [
        "Configuration_Get",
        "Statistics_GetServiceStatistics",
        "Devices_GetTwin",
        "Modules_InvokeMethod",
        "DigitalTwin_InvokeComponentCommand",
        "Jobs_QueryScheduledJobs",
        "CloudToDeviceMessages_PurgeCloudToDeviceMessageQueue",
    ] {
        assert!(
            api.operations.iter().any(|op| op.operation_id == id),
            "{id}"
        );
    }
    assert_eq!(
        api.default_server.as_deref(),
        Some("https://fully-qualified-iothubname.azure-devices.net")
    );
    let output = codegen::generate(&codegen::Input::new(path, &text, "test")).expect("generates");
    assert!(output.warnings.is_empty());
}

/// Definition names that need escaping in a pointer (`/`, `~`): a subtype's
/// `x-ms-discriminator-value` finds its base through an escaped `$ref`, and the mapping
/// points at the subtype with the name escaped.
#[test]
fn discriminator_mappings_with_names_that_need_escaping() {
    let doc = yaml(
        "swagger: '2.0'
info: {title: T, version: '1'}
paths: {}
definitions:
  Base/Pet:
    type: object
    discriminator: kind
    properties: {kind: {type: string}}
  Cat~1:
    x-ms-discriminator-value: cat
    allOf: [{$ref: '#/definitions/Base~1Pet'}]
",
    );
    let converted = convert("odd.yaml", &doc).expect("converts").document;
    assert_eq!(
        at(&converted, "/components/schemas/Base~1Pet/discriminator"),
        &json!({"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat~01"}})
    );
}
