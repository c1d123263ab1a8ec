//! OpenAPI 3.1 documents outside the fixtures: a document without `paths`, the spec tooling
//! (spec-diff, Overlays, the import pipeline) on 3.1 documents, and bad 3.1 documents, whose
//! every problem is reported with the file and a JSON pointer into the 3.1 document (in the
//! style of `errors.rs`).

use codegen::spec::diff::diff_texts;
use codegen::spec::import::{Input as ImportInput, Selection, import};
use codegen::{Errors, Input, Output};
use serde_json::{Value, json};

const HEAD: &str = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\n";

mod support;

use support::has;

fn generate(text: &str) -> Result<Output, Errors> {
    let mut input = Input::new("spec.yaml", text, "cargo xtask generate");
    input.server = true;
    codegen::generate(&input)
}

fn errors(text: &str) -> Vec<String> {
    support::errors_of(text, generate(text))
}

fn warnings(text: &str) -> Vec<String> {
    support::warnings_of(generate(text))
}

fn file<'a>(output: &'a Output, path: &str) -> &'a str {
    output
        .files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.contents.as_str())
        .unwrap_or_else(|| panic!("no {path}"))
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

/// OpenAPI 3.1 makes `paths` optional: a document of components alone generates its models
/// and a client without operations.
#[test]
fn a_document_without_paths_generates_its_models() {
    let text = format!(
        "{HEAD}components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {{type: string}}
        tag: {{type: [string, 'null']}}
"
    );
    let output = generate(&text).expect("generates");
    assert!(output.warnings.is_empty(), "{:#?}", output.warnings);
    let models = file(&output, "models.rs");
    assert!(models.contains("    pub struct Pet, ["), "{models}");
    assert!(models.contains(", tag, _, opt, String"), "{models}");
    let client = file(&output, "client.rs");
    assert!(!client.contains("-> requests::"), "{client}");
    // And a document of nothing but its info and webhooks: no warning, no operation, and the
    // payload a webhook carries is a received type (`Deserialize`; `Serialize` only with
    // `serde-all`).
    let text = format!(
        "{HEAD}webhooks:
  ping:
    post:
      requestBody: {{content: {{application/json: {{schema: {{$ref: '#/components/schemas/Ping'}}}}}}}}
      responses: {{'200': {{description: ok}}}}
components:
  schemas:
    Ping: {{type: object, properties: {{zen: {{type: string}}}}}}
"
    );
    let output = generate(&text).expect("generates");
    assert!(output.warnings.is_empty(), "{:#?}", output.warnings);
    let models = file(&output, "models.rs");
    assert!(
        models.contains("    pub struct Ping, de, #[cfg(feature = \"serde-all\")] ser, ["),
        "{models}"
    );
    let client = file(&output, "client.rs");
    assert!(!client.contains("-> requests::"), "{client}");
}

/// `jsonSchemaDialect` is accepted; a dialect other than the OpenAPI base dialect is a warning
/// at the field (the schemas are still read as the base dialect).
#[test]
fn a_json_schema_dialect_other_than_the_base_is_a_warning() {
    let base = format!(
        "{HEAD}jsonSchemaDialect: https://spec.openapis.org/oas/3.1/dialect/base\npaths: {{}}\n"
    );
    assert_eq!(warnings(&base), Vec::<String>::new());
    let other = format!(
        "{HEAD}jsonSchemaDialect: https://json-schema.org/draft/2020-12/schema\npaths: {{}}\n"
    );
    let w = warnings(&other);
    has(&w, &["spec.yaml#/jsonSchemaDialect", "2020-12"]);
    assert_eq!(w.len(), 1, "{w:#?}");
}

// ---------------------------------------------------------------------------------------------
// Spec tooling
// ---------------------------------------------------------------------------------------------

const PETS_OLD: &str = "openapi: 3.1.0
info: {title: Pets, version: '1', summary: Pets.}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        '200':
          description: The pet.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      required: [id]
      properties:
        id: {type: integer}
        tag: {type: [string, 'null']}
        kind: {const: cat}
";

/// spec-diff reads two 3.1 documents and reports the changes of their types (`type` lists
/// with `null`, `const`) as it does for 3.0.
#[test]
fn spec_diff_compares_two_31_documents() {
    let new = PETS_OLD
        .replace(
            "tag: {type: [string, 'null']}",
            "tag: {type: [integer, 'null']}\n        name: {type: string, examples: [Tom]}",
        )
        .replace("kind: {const: cat}", "kind: {enum: [cat, dog]}")
        .replace(
            "components:",
            "  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: Every pet.
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
components:",
        );
    let changes = diff_texts("old.yaml", PETS_OLD, "new.yaml", &new).expect("both read");
    let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "GET /pets (listPets): operation added",
            "BREAKING Pet.tag: type string → integer",
            "Pet.name: property added (string, optional)",
            "Pet.kind: enum value \"dog\" added",
        ]
    );
    // A document compared with itself: no change, whatever 3.1 keywords it uses.
    let fixture = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/openapi31-refs.yaml"),
    )
    .expect("fixture");
    assert_eq!(
        diff_texts("a.yaml", &fixture, "b.yaml", &fixture).expect("reads"),
        []
    );
}

const OVERLAY: &str = "overlay: 1.0.0
info: {title: Corrections, version: '1'}
actions:
  - target: $.components.schemas.Pet.properties.tag
    description: The tag is never null.
    remove: true
  - target: $.components.schemas.Pet.properties
    update:
      tag: {type: string, examples: [indoor]}
      age: {type: [integer, 'null'], exclusiveMinimum: 0}
";

/// An Overlay applies to a 3.1 document as written (the overlay's targets and values are 3.1),
/// and the result generates.
#[test]
fn an_overlay_applies_to_a_31_document() {
    let overlay = codegen::spec::overlay::parse("o.yaml", OVERLAY).expect("overlay");
    let mut document: Value = serde_yaml::from_str(PETS_OLD).expect("YAML");
    let warnings =
        codegen::spec::overlay::apply("o.yaml", &overlay, &mut document).expect("applies");
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(
        document["components"]["schemas"]["Pet"]["properties"],
        json!({
            "id": {"type": "integer"},
            "kind": {"const": "cat"},
            "tag": {"type": "string", "examples": ["indoor"]},
            "age": {"type": ["integer", "null"], "exclusiveMinimum": 0}
        })
    );
    let text = serde_json::to_string(&document).expect("JSON");
    let output = generate(&text).expect("generates");
    let models = file(&output, "models.rs");
    assert!(models.contains(", age, _, opt, i64"), "{models}");
}

/// The import pipeline takes a 3.1 upstream: the selection keeps what the kept operations use
/// (through `components/pathItems`, `$defs` inside a component), the overlays apply, and the
/// written YAML is the 3.1 document, which generates.
#[test]
fn the_import_pipeline_accepts_a_31_upstream() {
    let upstream = "openapi: 3.1.0
info: {title: Pets, version: '1', license: {name: MIT, identifier: MIT}}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        '200':
          description: The pet.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
  /owners:
    get:
      operationId: listOwners
      responses:
        '200':
          description: Owners.
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Owner'}}
components:
  schemas:
    Pet:
      type: object
      required: [id]
      $defs:
        Kind: {type: string, enum: [cat, dog]}
      properties:
        id: {type: integer}
        tag: {type: [string, 'null']}
        kind: {$ref: '#/components/schemas/Pet/$defs/Kind'}
    Owner:
      type: object
      properties:
        name: {type: string}
";
    let imported = import(&ImportInput {
        upstream_path: "upstream.yaml",
        upstream_text: upstream,
        selection: Selection {
            path_prefixes: vec!["/pets".to_owned()],
            tags: Vec::new(),
        },
        overlays: vec![("o.yaml", OVERLAY)],
        header: vec!["imported".to_owned()],
    })
    .expect("imports");
    assert!(imported.warnings.is_empty(), "{:#?}", imported.warnings);
    assert!(
        imported
            .yaml
            .starts_with("# imported\nopenapi: \"3.1.0\"\n"),
        "{}",
        imported.yaml
    );
    let doc = &imported.document;
    assert_eq!(
        doc["paths"]
            .as_object()
            .map(|p| p.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["/pets/{id}".to_owned()])
    );
    // Owner is used by no kept operation; Pet keeps its own `$defs`.
    assert!(
        doc["components"]["schemas"].get("Owner").is_none(),
        "{doc:#}"
    );
    assert_eq!(
        doc["components"]["schemas"]["Pet"]["$defs"]["Kind"],
        json!({"type": "string", "enum": ["cat", "dog"]})
    );
    assert_eq!(
        doc["components"]["schemas"]["Pet"]["properties"]["age"],
        json!({"type": ["integer", "null"], "exclusiveMinimum": 0})
    );
    assert_eq!(doc["info"]["license"]["identifier"], "MIT");
    generate(&imported.yaml).expect("generates");
}

/// A path item that `$ref`s `components/pathItems` is kept by a path selection, with the path
/// item it refers to.
#[test]
fn the_import_selection_keeps_referenced_path_items() {
    let upstream = "openapi: 3.1.0
info: {title: Pets, version: '1'}
paths:
  /pets:
    $ref: '#/components/pathItems/Pets'
  /owners:
    $ref: '#/components/pathItems/Owners'
components:
  pathItems:
    Pets:
      get:
        operationId: listPets
        responses: {'204': {description: ok}}
    Owners:
      get:
        operationId: listOwners
        responses: {'204': {description: ok}}
";
    let imported = import(&ImportInput {
        upstream_path: "upstream.yaml",
        upstream_text: upstream,
        selection: Selection {
            path_prefixes: vec!["/pets".to_owned()],
            tags: Vec::new(),
        },
        overlays: Vec::new(),
        header: Vec::new(),
    })
    .expect("imports");
    let doc = &imported.document;
    assert_eq!(
        doc["paths"],
        json!({"/pets": {"$ref": "#/components/pathItems/Pets"}})
    );
    assert_eq!(
        doc["components"]["pathItems"]
            .as_object()
            .map(|p| p.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["Pets".to_owned()])
    );
    let output = generate(&imported.yaml).expect("generates");
    assert!(file(&output, "client.rs").contains("pub fn list_pets<'a>("));

    // Selected by tag: a referenced path item whose operations are all kept stays a
    // reference; one that loses some is written in place with the rest. Top-level tags named
    // only in referenced path items are kept.
    let tagged = upstream
        .replace(
            "info: {title: Pets, version: '1'}",
            "info: {title: Pets, version: '1'}\ntags: [{name: a}, {name: b}]",
        )
        .replace(
            "      get:\n        operationId: listPets\n",
            "      get:\n        operationId: listPets\n        tags: [a]\n",
        )
        .replace(
            "    Owners:\n      get:\n        operationId: listOwners\n",
            "    Owners:
      post:
        operationId: addOwner
        tags: [b]
        responses: {'204': {description: ok}}
      get:
        operationId: listOwners
        tags: [a]
",
        );
    let imported = import(&ImportInput {
        upstream_path: "upstream.yaml",
        upstream_text: &tagged,
        selection: Selection {
            path_prefixes: Vec::new(),
            tags: vec!["a".to_owned()],
        },
        overlays: Vec::new(),
        header: Vec::new(),
    })
    .expect("imports");
    let doc = &imported.document;
    assert_eq!(
        doc["paths"]["/pets"],
        json!({"$ref": "#/components/pathItems/Pets"})
    );
    assert_eq!(
        doc["paths"]["/owners"],
        json!({"get": {"operationId": "listOwners", "tags": ["a"], "responses": {"204": {"description": "ok"}}}})
    );
    assert_eq!(doc["tags"], json!([{"name": "a"}]));
    assert_eq!(
        doc["components"]["pathItems"]
            .as_object()
            .map(|p| p.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["Pets".to_owned()])
    );
    let output = generate(&imported.yaml).expect("generates");
    let client = file(&output, "client.rs");
    assert!(client.contains("pub fn list_owners<'a>("), "{client}");
    assert!(!client.contains("pub fn add_owner<"), "{client}");
}

// ---------------------------------------------------------------------------------------------
// Bad documents
// ---------------------------------------------------------------------------------------------

/// A `$ref` to nothing, to a component, into root `$defs` or into a component's `$defs`, is
/// reported where it stands in the 3.1 document.
#[test]
fn broken_references_are_located_in_the_31_document() {
    let text = format!(
        "{HEAD}paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Pet'}}
$defs:
  Kind: {{type: string}}
components:
  schemas:
    Pet:
      type: object
      $defs:
        Color: {{type: string}}
      properties:
        owner: {{$ref: '#/components/schemas/Owner'}}
        kind: {{$ref: '#/$defs/Knd'}}
        color: {{$ref: '#/components/schemas/Pet/$defs/Colour'}}
        size: {{$ref: '#size'}}
"
    );
    let e = errors(&text);
    has(
        &e,
        &[
            "spec.yaml#/components/schemas/Pet/properties/owner",
            "`Owner`",
        ],
    );
    has(
        &e,
        &["spec.yaml#/components/schemas/Pet/properties/kind", "Knd"],
    );
    has(
        &e,
        &[
            "spec.yaml#/components/schemas/Pet/properties/color",
            "Colour",
        ],
    );
    has(
        &e,
        &["spec.yaml#/components/schemas/Pet/properties/size", "#size"],
    );
    assert_eq!(e.len(), 4, "{e:#?}");
}

/// A cycle of `$ref`s through `$defs` (no type can stand for it) is reported, located.
#[test]
fn a_ref_cycle_through_defs_is_reported() {
    let text = format!(
        "{HEAD}paths: {{}}
$defs:
  A: {{$ref: '#/components/schemas/B'}}
components:
  schemas:
    B:
      $ref: '#/components/schemas/C/$defs/D'
    C:
      type: object
      $defs:
        D: {{$ref: '#/$defs/A'}}
"
    );
    let e = errors(&text);
    // Lowering meets the cycle at the component schema the root `$defs` entry `A` becomes, and
    // reports it at the entry, with the names the entries are generated under (`A`, `D`).
    has(
        &e,
        &["spec.yaml#/$defs/A (A)", "`A` → `B` → `D` → `A`", "cycle"],
    );
    assert_eq!(e.len(), 1, "{e:#?}");
}

/// What lowering reports inside a `$defs` entry (here a `pattern` it cannot read, a warning,
/// and a dangling `$ref`, an error) points into the entry, wherever the `$defs` stands, not
/// into the component schema it becomes.
#[test]
fn problems_inside_defs_are_located_at_the_entry() {
    let text = format!(
        "{HEAD}paths: {{}}
$defs:
  Code: {{type: string, pattern: '[unclosed'}}
components:
  schemas:
    Order:
      type: object
      $defs:
        Line:
          type: object
          properties:
            sku: {{type: string, pattern: '(open'}}
      properties:
        code: {{$ref: '#/$defs/Code'}}
        lines: {{type: array, items: {{$ref: '#/components/schemas/Order/$defs/Line'}}}}
"
    );
    let w = warnings(&text);
    has(&w, &["spec.yaml#/$defs/Code/pattern (Code)", "[unclosed"]);
    has(
        &w,
        &[
            "spec.yaml#/components/schemas/Order/$defs/Line/properties/sku/pattern (Line)",
            "(open",
        ],
    );
    assert_eq!(w.len(), 2, "{w:#?}");
    let broken = text.replace(
        "sku: {type: string, pattern: '(open'}",
        "sku: {$ref: '#/components/schemas/Sku'}",
    );
    assert_ne!(broken, text);
    has(
        &errors(&broken),
        &[
            "spec.yaml#/components/schemas/Order/$defs/Line/properties/sku (Line)",
            "`Sku`",
        ],
    );
    // A value of the wrong shape in an entry too (found before lowering).
    let shape = text.replace("pattern: '[unclosed'", "maxLength: long");
    assert_ne!(shape, text);
    has(
        &errors(&shape),
        &["spec.yaml#/$defs/Code (Code)", "\"long\""],
    );
}

/// A type name JSON Schema does not have, and an empty `type` list, are errors at the `type`.
#[test]
fn unknown_and_empty_types_are_located_errors() {
    let text = format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {{type: text}}
        tag: {{type: [string, 'null', date]}}
        nothing: {{type: []}}
"
    );
    let e = errors(&text);
    has(
        &e,
        &[
            "spec.yaml#/components/schemas/Pet/properties/name/type: not valid OpenAPI 3.1: ",
            "`type: \"text\"` is not a JSON Schema type",
            "string, number, integer, boolean, array, object, null",
        ],
    );
    has(
        &e,
        &[
            "spec.yaml#/components/schemas/Pet/properties/tag/type: not valid OpenAPI 3.1: ",
            "lists `date`, which is not a JSON Schema type",
        ],
    );
    has(
        &e,
        &[
            "spec.yaml#/components/schemas/Pet/properties/nothing/type: not valid OpenAPI 3.1: ",
            "`type: []` allows no value",
        ],
    );
    // Said once, as 3.1 (not as "not valid OpenAPI 3.0" as well).
    assert!(e.iter().all(|m| !m.contains("3.0")), "{e:#?}");
    assert_eq!(e.len(), 3, "{e:#?}");
}

/// OpenAPI 3.2 and other unknown 3.x versions are refused, saying which are supported.
#[test]
fn openapi_32_says_which_versions_are_supported() {
    for version in ["3.2.0", "3.3.1", "3.10.0", "3.1"] {
        let text = format!("openapi: {version:?}\ninfo: {{title: T, version: '1'}}\npaths: {{}}\n");
        if version == "3.1" {
            // `3.1` without a patch number is a 3.1 version like any other.
            generate(&text).expect("3.1 is read");
            continue;
        }
        let e = errors(&text);
        has(&e, &["spec.yaml", version, "3.0.x", "3.1.x"]);
    }
}

/// The extension the 3.1 conversion marks tuples with makes a Rust tuple only of 1 to 12
/// positions, also when a document carries it itself: longer tuples have no `Debug` or
/// `PartialEq`, and `()` is `null` in JSON, not `[]`. Others stay lists.
#[test]
fn only_tuples_rust_has_are_generated() {
    let positions = |n: usize| vec!["{type: integer}"; n].join(", ");
    let text = format!(
        "openapi: 3.0.3
info: {{title: T, version: '1'}}
paths: {{}}
components:
  schemas:
    S:
      type: object
      properties:
        twelve: {{type: array, x-openapi-rust-tuple: true, items: {{oneOf: [{}]}}}}
        thirteen: {{type: array, x-openapi-rust-tuple: true, items: {{oneOf: [{}]}}}}
        none: {{type: array, x-openapi-rust-tuple: true, items: {{oneOf: []}}}}
",
        positions(12),
        positions(13)
    );
    let output = generate(&text).expect("generates");
    let models = file(&output, "models.rs");
    // In `json_struct!`'s field list, with a tuple type's trailing comma.
    let twelve = format!("({},)", ["i64"; 12].join(", "));
    assert!(models.contains(&twelve), "{models}");
    assert!(
        !models.contains(&format!("({}", ["i64"; 13].join(", "))),
        "{models}"
    );
    assert!(!models.contains("Option<()>"), "{models}");
    // 3.1 `prefixItems` of 13 positions are a list, with a warning.
    let text = format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    S:
      type: object
      properties:
        thirteen: {{type: array, prefixItems: [{}], items: false, minItems: 13}}
",
        positions(13)
    );
    let w = warnings(&text);
    has(
        &w,
        &["#/components/schemas/S/properties/thirteen/prefixItems"],
    );
}

/// A tuple in a parameter is sent as JSON text, which OpenAPI's parameter styles do not say:
/// a warning names the parameter.
#[test]
fn a_tuple_parameter_is_a_warning() {
    let text = format!(
        "{HEAD}paths:
  /a/{{p}}:
    get:
      operationId: getA
      parameters:
        - {{name: p, in: path, required: true, schema: {{type: string}}}}
        - name: range
          in: query
          schema: {{type: array, prefixItems: [{{type: integer}}, {{type: string}}], items: false, minItems: 2}}
      responses: {{'204': {{description: ok}}}}
"
    );
    let w = warnings(&text);
    has(
        &w,
        &[
            "spec.yaml#/paths/~1a~1{p}/get/parameters/1 (getA)",
            "parameter `range` holds a tuple",
        ],
    );
    assert_eq!(w.len(), 1, "{w:#?}");
}
