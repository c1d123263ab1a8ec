//! Bad documents: every problem is reported, each with the file, a JSON pointer, the
//! operationId or schema name it falls under and, where it is obvious, the fix. Nothing panics.

use codegen::{Error, Errors, Input, Output};
use std::time::Instant;

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n";

mod support;

use support::has;

fn generate(text: &str) -> Result<Output, Errors> {
    codegen::generate(&Input::new("spec.yaml", text, "cargo xtask generate"))
}

fn errors(text: &str) -> Vec<String> {
    support::errors_of(text, generate(text))
}

fn warnings(text: &str) -> Vec<String> {
    support::warnings_of(generate(text))
}

#[test]
fn text_that_is_neither_yaml_nor_json() {
    let e = errors("openapi: 3.0.3\ninfo: [unclosed\n");
    has(&e, &["spec.yaml: not a valid YAML document", "line"]);
    let e = errors("{\"openapi\": \"3.0.3\", \"info\": }");
    has(&e, &["not a valid JSON document", "line 1 column"]);
    let e = errors("\u{0}\u{1}\u{2} binary");
    has(&e, &["not a valid YAML document"]);
    let e = errors("just some words");
    has(&e, &["spec.yaml (the document itself)", "a single string"]);
    let e = errors("");
    has(&e, &["spec.yaml (the document itself)", "empty"]);
    let e = errors("- a\n- b\n");
    has(&e, &["a list, not a mapping"]);
}

#[test]
fn duplicate_keys_name_the_key_and_line() {
    let nested = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses: {{'204': {{description: x}}}}\n    get:\n      responses: {{}}\n"
    );
    has(
        &errors(&nested),
        &[
            "paths./a: duplicate entry with key \"get\"",
            "`get` appears at lines 5, 7",
            "keep one",
        ],
    );
    let top = format!("{HEAD}openapi: 3.0.3\npaths: {{}}\n");
    has(
        &errors(&top),
        &[
            "duplicate entry with key \"openapi\"",
            "`openapi` appears at lines 1, 3",
        ],
    );
    let json = r#"{"openapi": "3.0.3",
  "info": {"title": "a", "title": "b", "version": "1"}, "paths": {}}"#;
    has(
        &errors(json),
        &[
            "not a valid JSON document",
            "duplicate key `title`",
            "line 2",
        ],
    );
}

#[test]
fn other_versions_say_what_to_do() {
    // OpenAPI 3.1 is converted (see `codegen/src/parse/v31`); later versions are refused.
    generate("openapi: 3.1.0\ninfo: {title: T, version: '1'}\n").expect("3.1 is read");
    let e = errors("openapi: 3.2.0\ninfo: {title: T, version: '1'}\npaths: {}\n");
    has(
        &e,
        &[
            "spec.yaml",
            "`openapi: \"3.2.0\"` is not a supported version",
            "3.0.x and 3.1.x",
        ],
    );
    // Swagger 2.0 is converted (see `codegen::spec::swagger`); other Swagger versions are refused.
    let e = errors("swagger: '1.2'\ninfo: {title: T, version: '1'}\npaths: {}\n");
    has(&e, &["spec.yaml", "Swagger 1.2 is not supported", "2.0"]);
    generate("swagger: '2.0'\ninfo: {title: T, version: '1'}\npaths: {}\n")
        .expect("Swagger 2.0 is converted");
    let e = errors("openapi: 3.0\ninfo: {title: T, version: '1'}\npaths: {}\n");
    has(&e, &["is a number", "openapi: 3.0.3"]);
    let e = errors("info: {title: T, version: '1'}\npaths: {}\n");
    has(&e, &["no `openapi` field"]);
}

#[test]
fn missing_required_fields_are_all_reported_with_pointers() {
    let text = "openapi: 3.0.3
info: {title: T}
paths:
  /jobs/v2/{id}:
    put:
      operationId: putJob
      parameters:
        - {in: path, required: true, schema: {type: string}}
        - {name: q, in: qery, schema: {type: string}}
        - {name: r, in: query}
      responses:
        '200': {content: {}}
    get:
      operationId: getJob
components:
  schemas:
    Bad:
      type: object
      properties:
        x: {type: string, enum: 5}
";
    let e = errors(text);
    has(
        &e,
        &[
            "spec.yaml#/info:",
            "missing field `version`",
            "both `title` and `version`",
        ],
    );
    has(
        &e,
        &[
            "spec.yaml#/paths/~1jobs~1v2~1{id}/put/parameters/0 (putJob)",
            "missing field `name`",
        ],
    );
    has(
        &e,
        &[
            "#/paths/~1jobs~1v2~1{id}/put/parameters/1/in (putJob)",
            "unknown variant `qery`",
        ],
    );
    has(
        &e,
        &[
            "#/paths/~1jobs~1v2~1{id}/put/parameters/2 (putJob)",
            "needs a `schema`",
        ],
    );
    has(
        &e,
        &[
            "#/paths/~1jobs~1v2~1{id}/put/responses/200 (putJob)",
            "missing field `description`",
            "description: ''",
        ],
    );
    has(
        &e,
        &[
            "#/paths/~1jobs~1v2~1{id}/get (getJob)",
            "missing field `responses`",
            "responses: {",
        ],
    );
    has(
        &e,
        &[
            "#/components/schemas/Bad/properties/x (Bad)",
            "expected a sequence",
        ],
    );
    assert_eq!(e.len(), 7, "{e:#?}");

    has(
        &errors("openapi: 3.0.3\npaths: {}\n"),
        &[
            "(the document itself)",
            "missing field `info`",
            "add `info:",
        ],
    );
}

#[test]
fn dangling_references_name_the_place_and_the_operation() {
    let text = format!(
        "{HEAD}paths:
  /jobs/v2/{{id}}:
    put:
      operationId: Jobs_CreateImportExportJob
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
        - $ref: '#/components/parameters/Nope'
      requestBody: {{$ref: '#/components/requestBodies/Missing'}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Gone'}}
components:
  schemas:
    Job:
      type: object
      properties:
        parent: {{$ref: '#/components/schemas/Absent'}}
        remote: {{$ref: 'other.yaml#/components/schemas/X'}}
"
    );
    let e = errors(&text);
    has(
        &e,
        &[
            "spec.yaml#/paths/~1jobs~1v2~1{id}/put/requestBody (Jobs_CreateImportExportJob)",
            "points to nothing",
            "`Missing`",
        ],
    );
    has(
        &e,
        &[
            "#/paths/~1jobs~1v2~1{id}/put/parameters/1 (Jobs_CreateImportExportJob)",
            "`Nope`",
        ],
    );
    has(
        &e,
        &[
            "#/paths/~1jobs~1v2~1{id}/put/responses/200/content/application~1json/schema (Jobs_CreateImportExportJob)",
            "`Gone`",
        ],
    );
    has(
        &e,
        &[
            "#/components/schemas/Job/properties/parent (Job)",
            "`Absent`",
        ],
    );
    has(
        &e,
        &[
            "#/components/schemas/Job/properties/remote (Job)",
            "bundle the document first",
        ],
    );
    assert_eq!(e.len(), 5, "{e:#?}");
}

#[test]
fn references_into_a_component_or_that_are_not_pointers_say_so() {
    let text = format!(
        "{HEAD}paths:
  /jobs:
    get:
      operationId: List
      parameters:
        - $ref: '#/components/parameters/Id/schema'
        - $ref: '#Id'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Job/properties/id'}}
components:
  parameters:
    Id: {{name: id, in: query, schema: {{type: string}}}}
  schemas:
    Job:
      type: object
      properties:
        id: {{type: string}}
"
    );
    let e = errors(&text);
    has(
        &e,
        &[
            "#/paths/~1jobs/get/parameters/0 (List)",
            "`$ref: #/components/parameters/Id/schema` does not point to a parameter",
        ],
    );
    has(
        &e,
        &[
            "#/paths/~1jobs/get/parameters/1 (List)",
            "`$ref: #Id` is not a reference into this document",
            "not a JSON pointer",
        ],
    );
    // A schema `$ref` into a component schema is resolved like one outside `components`.
    assert_eq!(e.len(), 2, "{e:#?}");
}

/// A `$ref` outside `components` to a value that is not a schema is reported at every `$ref`
/// lowering reaches, and one to a schema there is one type, however often it is used.
#[test]
fn references_outside_components_are_resolved_before_lowering() {
    let text = format!(
        "{HEAD}paths: {{}}
x-shared:
  defs:
    Tag: {{type: object, properties: {{name: {{type: string}}}}}}
    Bad: {{type: object, properties: {{p: {{type: 5}}}}}}
components:
  schemas:
    A:
      type: object
      properties:
        tag: {{$ref: '#/x-shared/defs/Tag'}}
        bad: {{$ref: '#/x-shared/defs/Bad'}}
    B:
      type: object
      properties:
        tag: {{$ref: '#/x-shared/defs/Tag'}}
        bad: {{$ref: '#/x-shared/defs/Bad'}}
        nothing: {{$ref: '#/x-shared/defs/Nothing'}}
"
    );
    let e = errors(&text);
    for owner in ["A", "B"] {
        has(
            &e,
            &[
                &format!("#/components/schemas/{owner}/properties/bad ({owner})"),
                "`$ref: #/x-shared/defs/Bad` does not point to a schema: at #/properties/p",
            ],
        );
    }
    has(
        &e,
        &[
            "#/components/schemas/B/properties/nothing (B)",
            "`$ref: #/x-shared/defs/Nothing` points to nothing in this document",
        ],
    );
    assert_eq!(e.len(), 3, "{e:#?}");
    let fixed = text
        .replace("{type: 5}", "{type: string}")
        .replace("        nothing: {$ref: '#/x-shared/defs/Nothing'}\n", "");
    let output = generate(&fixed).unwrap_or_else(|e| panic!("{e}"));
    let models = output
        .files
        .iter()
        .filter(|file| file.path.ends_with("models.rs"))
        .map(|file| file.contents.as_str())
        .collect::<String>();
    assert_eq!(models.matches("pub struct Tag, ").count(), 1, "{models}");
    assert_eq!(models.matches(", tag, _, opt, Tag").count(), 2, "{models}");
}

#[test]
fn ref_cycles_that_no_type_can_represent() {
    let text = format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    A: {{$ref: '#/components/schemas/B'}}
    B: {{$ref: '#/components/schemas/A'}}
    Self: {{$ref: '#/components/schemas/Self'}}
    List: {{type: array, items: {{$ref: '#/components/schemas/List'}}}}
    Map: {{type: object, additionalProperties: {{$ref: '#/components/schemas/Map'}}}}
    One: {{oneOf: [{{$ref: '#/components/schemas/One'}}]}}
    Leads: {{$ref: '#/components/schemas/A'}}
"
    );
    let e = errors(&text);
    has(
        &e,
        &[
            "spec.yaml#/components/schemas/A (A)",
            "`A` → `B` → `A`",
            "cycle",
        ],
    );
    has(
        &e,
        &["#/components/schemas/Self (Self)", "defined as itself"],
    );
    has(
        &e,
        &["#/components/schemas/List (List)", "defined as itself"],
    );
    has(&e, &["#/components/schemas/Map (Map)", "defined as itself"]);
    has(&e, &["#/components/schemas/One (One)", "defined as itself"]);
    // `Leads` only leads into the cycle: fixing the cycle fixes it, so it is not reported.
    assert_eq!(e.len(), 5, "{e:#?}");
}

#[test]
fn ref_cycles_through_objects_are_fine() {
    let text = format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    Node:
      type: object
      properties:
        next: {{$ref: '#/components/schemas/Alias'}}
        children: {{type: array, items: {{$ref: '#/components/schemas/Node'}}}}
    Alias: {{$ref: '#/components/schemas/Node'}}
    Tree: {{type: array, items: {{$ref: '#/components/schemas/Node'}}}}
"
    );
    let output = generate(&text).expect("generates");
    let models = output
        .files
        .iter()
        .find(|f| f.path == "models.rs")
        .expect("models.rs");
    assert!(
        models.contents.contains("Box<Alias>"),
        "{}",
        models.contents
    );
}

#[test]
fn names_that_collide_after_sanitizing_are_renamed_with_a_warning() {
    let text = format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: listThings
      parameters:
        - {{name: page-size, in: query, schema: {{type: integer}}}}
        - {{name: page_size, in: query, schema: {{type: integer}}}}
      responses: {{'204': {{description: x}}}}
  /b:
    get:
      operationId: list-things
      responses: {{'204': {{description: x}}}}
components:
  schemas:
    my-thing: {{type: object, properties: {{a: {{type: string}}}}}}
    My_Thing:
      type: object
      properties:
        foo-bar: {{type: string}}
        foo_bar: {{type: string}}
    Color: {{type: string, enum: [light-blue, light_blue, LightBlue]}}
"
    );
    let w = warnings(&text);
    has(
        &w,
        &[
            "warning: spec.yaml#/components/schemas/My_Thing (My_Thing)",
            "schemas \"my-thing\" and \"My_Thing\" both become `MyThing`",
            "`MyThing2`",
        ],
    );
    has(
        &w,
        &[
            "#/components/schemas/My_Thing/properties/foo_bar (My_Thing)",
            "\"foo-bar\" and \"foo_bar\" both become `foo_bar`",
            "`foo_bar2`",
        ],
    );
    has(
        &w,
        &[
            "#/components/schemas/Color/enum (Color)",
            "\"light-blue\" and \"light_blue\"",
            "`LightBlue2`",
        ],
    );
    has(&w, &["\"light-blue\" and \"LightBlue\"", "`LightBlue3`"]);
    has(
        &w,
        &[
            "/get/parameters (listThings)",
            "\"page-size\" and \"page_size\"",
            "`page_size2`",
        ],
    );
    has(
        &w,
        &[
            "#/paths/~1b/get (list-things)",
            "operationIds \"listThings\" and \"list-things\"",
            "`list_things2`",
        ],
    );
    let output = generate(&text).expect("generates");
    let models = &output
        .files
        .iter()
        .find(|f| f.path == "models.rs")
        .expect("models")
        .contents;
    assert!(models.contains("foo_bar2, \"foo_bar\", opt,"), "{models}");
}

/// A repeated operationId is renamed (`getThing2`, `getThing3`), with a warning naming both
/// places, and every operation is generated.
#[test]
fn duplicate_operation_ids_are_renamed() {
    let text = format!(
        "{HEAD}paths:
  /a:
    get: {{operationId: getThing, responses: {{'204': {{description: x}}}}}}
  /b:
    get: {{operationId: getThing, responses: {{'204': {{description: x}}}}}}
    post: {{operationId: getThing, responses: {{'204': {{description: x}}}}}}
"
    );
    let w = warnings(&text);
    has(
        &w,
        &[
            "spec.yaml#/paths/~1b/get (getThing)",
            "also used at #/paths/~1a/get",
            "read as `getThing2`",
        ],
    );
    has(
        &w,
        &[
            "spec.yaml#/paths/~1b/post (getThing)",
            "also used at #/paths/~1a/get",
            "read as `getThing3`",
        ],
    );
    let output = generate(&text).expect("generates");
    let client = &output
        .files
        .iter()
        .find(|f| f.path == "client.rs")
        .expect("client")
        .contents;
    for method in ["get_thing<'a>(", "get_thing2<'a>(", "get_thing3<'a>("] {
        assert!(client.contains(&format!("pub fn {method}")), "{method}");
    }
}

#[test]
fn path_parameters_and_templates_must_agree() {
    let text = format!(
        "{HEAD}paths:
  /jobs/v2/{{id}}:
    put:
      operationId: putJob
      responses: {{'204': {{description: x}}}}
  /devices/{{deviceId}}:
    get:
      operationId: getDevice
      parameters:
        - {{name: deviceId, in: path, required: true, schema: {{type: string}}}}
        - {{name: moduleId, in: path, required: true, schema: {{type: string}}}}
      responses: {{'204': {{description: x}}}}
  /broken/{{x:
    get:
      operationId: broken
      responses: {{'204': {{description: x}}}}
"
    );
    let e = errors(&text);
    has(
        &e,
        &[
            "spec.yaml#/paths/~1jobs~1v2~1{id}/put (putJob)",
            "uses `{id}` but the operation declares no path parameter `id`",
            "add `- {name: id, in: path, required: true, schema: {type: string}}`",
        ],
    );
    has(
        &e,
        &[
            "#/paths/~1devices~1{deviceId}/get (getDevice)",
            "path parameter `moduleId` does not appear in the path template",
        ],
    );
    has(&e, &["(broken)", "unclosed `{`"]);
    assert_eq!(e.len(), 3, "{e:#?}");
}

#[test]
fn invalid_patterns_are_warnings_that_name_the_place() {
    let text = format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: getA
      parameters:
        - {{name: q, in: query, schema: {{type: string, pattern: '^(unclosed'}}}}
      responses: {{'204': {{description: x}}}}
components:
  schemas:
    Good: {{type: string, pattern: '^[a-z]{{3,}}\\d+$'}}
    Lookahead: {{type: string, pattern: '^(?=a)'}}
    Holder:
      type: object
      properties:
        code: {{type: string, pattern: '[z-a]'}}
"
    );
    let w = warnings(&text);
    has(
        &w,
        &[
            "warning: spec.yaml#/paths/~1a/get/parameters/0/schema/pattern (getA)",
            "not a valid regular expression",
            "does not check patterns",
        ],
    );
    has(
        &w,
        &[
            "#/components/schemas/Lookahead/pattern (Lookahead)",
            "look-around",
        ],
    );
    has(
        &w,
        &[
            "#/components/schemas/Holder/properties/code/pattern (Holder)",
            "range",
        ],
    );
    assert!(!w.iter().any(|w| w.contains("/Good/")), "{w:#?}");
    assert_eq!(w.len(), 3, "{w:#?}");
}

#[test]
fn degraded_constructs_are_warnings() {
    let text = format!(
        "{HEAD}paths:
  jobs:
    get: {{responses: {{'204': {{description: x}}}}}}
  /a:
    get:
      operationId: getA
      parameters:
        - {{name: filter, in: query, schema: {{$ref: '#/components/schemas/Filter'}}}}
        - {{name: deep, in: query, style: deepObject, schema: {{$ref: '#/components/schemas/Filter'}}}}
      responses:
        '204': {{description: x}}
        'twohundred': {{description: x}}
components:
  schemas:
    Odd: {{type: strng}}
    Not: {{not: {{type: string}}}}
    Filter: {{type: object, properties: {{a: {{type: string}}}}}}
"
    );
    let w = warnings(&text);
    has(
        &w,
        &[
            "#/paths/~1a/get/parameters/0 (getA)",
            "parameter `filter` holds an object, which is sent as JSON text",
        ],
    );
    assert!(!w.iter().any(|m| m.contains("`deep`")), "{w:#?}");
    has(
        &w,
        &["#/paths/jobs", "does not start with `/`; it is ignored"],
    );
    has(
        &w,
        &[
            "#/paths/~1a/get/responses/twohundred (getA)",
            "not a status code",
        ],
    );
    has(
        &w,
        &[
            "#/components/schemas/Odd/type (Odd)",
            "`type: strng` is not an OpenAPI 3.0 type",
        ],
    );
    has(
        &w,
        &["#/components/schemas/Not (Not)", "`not` is not supported"],
    );
}

#[test]
fn errors_of_every_stage_in_one_document_are_reported_together() {
    let text = format!(
        "{HEAD}paths:
  /a/{{id}}:
    get:
      operationId: getA
      responses: {{'204': {{description: x}}}}
  /b:
    get: {{operationId: getA, responses: {{'204': {{description: x}}}}}}
  /c:
    get:
      operationId: getC
      responses:
        '200':
          description: x
          content: {{application/json: {{schema: {{$ref: '#/components/schemas/Nope'}}}}}}
components:
  schemas:
    A: {{$ref: '#/components/schemas/A'}}
"
    );
    let e = errors(&text);
    has(&e, &["(getA)", "`{id}`"]);
    has(
        &e,
        &[
            "#/paths/~1c/get/responses/200/content/application~1json/schema (getC)",
            "`Nope`",
        ],
    );
    has(&e, &["#/components/schemas/A (A)", "defined as itself"]);
    // The repeated operationId of `/b` is a warning now (see `duplicate_operation_ids_are_renamed`).
    assert_eq!(e.len(), 3, "{e:#?}");
    // Shape errors come before lowering (which needs a document it can read); they too are
    // all reported together.
    let shapes = format!(
        "{HEAD}paths:\n  /a:\n    get: {{}}\ncomponents:\n  schemas:\n    B: {{$ref: 7}}\n    C: {{type: object, required: yes}}\n"
    );
    let e = errors(&shapes);
    has(&e, &["#/paths/~1a/get", "missing field `responses`"]);
    has(&e, &["#/components/schemas/B/$ref (B)", "must be a string"]);
    has(&e, &["#/components/schemas/C (C)", "expected a sequence"]);
    assert_eq!(e.len(), 3, "{e:#?}");
}

#[test]
fn messages_never_print_control_characters() {
    let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  \"/a\\e[31m\\u202e\":\n    get: {}\n";
    let shown = generate(text).expect_err("invalid").to_string();
    assert!(shown.contains("\\u{1b}[31m\\u{202e}"), "{shown}");
    assert!(
        !shown.chars().any(|c| c.is_control() && c != '\n'),
        "{shown:?}"
    );
}

#[test]
fn errors_are_data_too() {
    let e = generate(&format!(
        "{HEAD}paths:\n  /a/{{id}}:\n    get: {{operationId: x, responses: {{}}}}\n"
    ))
    .expect_err("fails");
    let Some(Error::Semantic { file, location, .. }) = e.0.first() else {
        panic!("{e:?}");
    };
    assert_eq!(file, "spec.yaml");
    assert_eq!(location.pointer, "#/paths/~1a~1{id}/get");
    assert_eq!(location.context.as_deref(), Some("x"));
}

/// A document with `schemas` object schemas and `operations` operations, `schemas` kB each.
fn big_document(schemas: usize, operations: usize) -> String {
    let mut text = String::from(
        "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"Big\", \"version\": \"1\"}, \"paths\": {",
    );
    for i in 0..operations {
        if i > 0 {
            text.push(',');
        }
        let schema = i % schemas.max(1);
        text.push_str(&format!(
            "\"/things{i}/{{id}}\": {{\"get\": {{\"operationId\": \"getThing{i}\", \
             \"description\": \"Gets thing {i}. {pad}\", \
             \"parameters\": [{{\"name\": \"id\", \"in\": \"path\", \"required\": true, \"schema\": {{\"type\": \"string\"}}}}, \
             {{\"name\": \"filter\", \"in\": \"query\", \"schema\": {{\"type\": \"string\", \"pattern\": \"^[a-z]+$\"}}}}], \
             \"responses\": {{\"200\": {{\"description\": \"ok\", \"content\": {{\"application/json\": \
             {{\"schema\": {{\"$ref\": \"#/components/schemas/Thing{schema}\"}}}}}}}}}}}}}}",
            pad = "x".repeat(200)
        ));
    }
    text.push_str("}, \"components\": {\"schemas\": {");
    for i in 0..schemas {
        if i > 0 {
            text.push(',');
        }
        let next = (i + 1) % schemas.max(1);
        text.push_str(&format!(
            "\"Thing{i}\": {{\"type\": \"object\", \"description\": \"Thing number {i}. {pad}\", \
             \"required\": [\"id\"], \"properties\": {{\
             \"id\": {{\"type\": \"string\"}}, \"count\": {{\"type\": \"integer\", \"format\": \"int32\"}}, \
             \"when\": {{\"type\": \"string\", \"format\": \"date-time\"}}, \
             \"tags\": {{\"type\": \"array\", \"items\": {{\"type\": \"string\"}}}}, \
             \"state\": {{\"type\": \"string\", \"enum\": [\"on\", \"off\", \"unknown\"]}}, \
             \"next\": {{\"$ref\": \"#/components/schemas/Thing{next}\"}}, \
             \"extra\": {{\"type\": \"object\", \"additionalProperties\": {{\"type\": \"string\"}}}}}}}}",
            pad = "y".repeat(400)
        ));
    }
    text.push_str("}}}");
    text
}

fn generate_big(megabytes: usize) {
    // About 1 kB per schema and 0.6 kB per operation.
    let schemas = megabytes * 680;
    let operations = megabytes * 680;
    let text = big_document(schemas, operations);
    let size = text.len() as f64 / 1e6;
    let started = Instant::now();
    let output = generate(&text).expect("the big document generates");
    let elapsed = started.elapsed();
    let out: usize = output.files.iter().map(|f| f.contents.len()).sum();
    eprintln!(
        "{size:.1} MB document ({schemas} schemas, {operations} operations) → {:.1} MB of code in {elapsed:.2?}",
        out as f64 / 1e6
    );
    assert!(size >= megabytes as f64 * 0.95, "document is {size:.1} MB");
}

/// A 5 MB document, in the default run.
#[test]
fn a_5_mb_document_generates() {
    generate_big(5);
}

/// A 50 MB document. Ignored by default (over a minute in a debug build, about 20 s and
/// 5 GB of memory in a release build); run with
/// `cargo test -p openapi-rust-codegen --release --test errors -- --ignored --nocapture`.
#[test]
#[ignore = "over a minute in debug builds and 5 GB of memory; run with --ignored"]
fn a_50_mb_document_generates() {
    generate_big(50);
}

/// Runs `generate` on `text` and returns its one error, failing unless it comes well within
/// two seconds (a generous bound for a debug build on a slow machine).
fn quick_error(what: &str, text: &str) -> String {
    let started = Instant::now();
    let result = generate(text);
    let took = started.elapsed();
    assert!(
        took.as_secs_f64() < 2.0,
        "{what}: took {took:?} ({} bytes)",
        text.len()
    );
    match result {
        Ok(_) => panic!("{what}: expected an error"),
        Err(errors) => {
            assert_eq!(errors.0.len(), 1, "{what}: {errors}");
            errors.to_string()
        }
    }
}

/// YAML flow collections nested 20,000 and 200,000 deep: the YAML parser takes time quadratic
/// in their depth before its depth limit applies (25 s for 20,000 levels), so the limit is
/// applied before it runs; the error says where.
#[test]
fn deeply_nested_flow_collections_are_refused_quickly_with_their_line() {
    for depth in [200_000, 20_000] {
        for (open, close) in [("[", "]"), ("{a: ", "}"), ("[{a: ", "}]")] {
            let text = format!(
                "{HEAD}paths: {{}}\nx-deep: {}{}\n",
                open.repeat(depth),
                close.repeat(depth)
            );
            let error = quick_error(&format!("{open} x {depth}"), &text);
            assert!(
                error.starts_with("error: spec.yaml: not a valid YAML document: ")
                    && error.contains("nested more than 128 levels deep at line 4 column "),
                "{error}"
            );
        }
        // A document that is one flow collection, and one inside a block sequence.
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let error = quick_error("a bare list", &text);
        assert!(error.contains("at line 1 column 129;"), "{error}");
        let text = format!(
            "{HEAD}x:\n  - - {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let error = quick_error("in a block sequence", &text);
        assert!(error.contains("at line 4 column 135;"), "{error}");
    }
}

/// JSON is read by serde_json, which stops at its depth limit without a quadratic pass; and
/// block collections (indentation, `- - -`) cost the YAML parser linear time: both are
/// refused quickly, with the place.
#[test]
fn deep_json_and_deep_block_yaml_are_refused_quickly() {
    for depth in [20_000, 200_000] {
        let text = format!(
            "{{\"openapi\": \"3.0.3\", \"x\": {}{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let error = quick_error("JSON", &text);
        assert!(
            error.contains("not a valid JSON document: recursion limit exceeded at line 1 column"),
            "{error}"
        );
        let text = format!("{HEAD}x:\n{}1\n", "- ".repeat(depth));
        let error = quick_error("- - -", &text);
        assert!(
            error.contains("not a valid YAML document: recursion limit exceeded at line 4 column"),
            "{error}"
        );
    }
    // Mappings indented one more space a level: the text grows with the square of the depth.
    let mut text = format!("{HEAD}x:\n");
    for level in 1..=3_000 {
        text.push_str(&" ".repeat(level));
        text.push_str("a:\n");
    }
    let error = quick_error("indented mappings", &text);
    assert!(
        error.contains("not a valid YAML document: recursion limit exceeded at line"),
        "{error}"
    );
}

/// Flow collections up to the limit, and brackets that are text (quoted, in comments, in
/// plain and block scalars), are read as before.
#[test]
fn brackets_that_are_text_or_within_the_limit_are_read_as_before() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let text = format!("{HEAD}paths: {{}}\nx-ok: {}\n", deep(120));
    assert!(generate(&text).is_ok(), "120 levels are within the limit");
    let many = "[".repeat(300);
    let text = format!(
        "{HEAD}paths: {{}}\n\
         x-double: \"{many}\"\n\
         x-single: '{many} it''s'\n\
         x-plain: a {many} b\n\
         x-block: |\n  {many}\n\n  {many}\n\
         x-folded: >-\n    {many}\n\
         x-continued: a\n  {many}\n\
         # {many}\n\
         x-flow: [\"{many}\", '{many}', a b, {{b: \"{many}\"}}] # {many}\n"
    );
    let output = generate(&text);
    assert!(output.is_ok(), "{:?}", output.err().map(|e| e.to_string()));
}

/// A `.` or `..` segment in a path template makes a method that always fails (the runtime
/// refuses such segments: URL normalization would change the path): a warning at the
/// operation, with its operationId. The method is still generated, as before; a `.` inside a
/// segment, or a parameter, is no such segment.
#[test]
fn dot_segments_in_path_templates_are_warnings() {
    let text = format!(
        "{HEAD}paths:
  /a/{{id}}/..:
    get:
      operationId: getParent
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
      responses: {{'204': {{description: x}}}}
  /a/./b:
    delete:
      operationId: deleteB
      responses: {{'204': {{description: x}}}}
  /files/{{name}}.json/.well-known/v1.0/...:
    get:
      operationId: getFile
      parameters:
        - {{name: name, in: path, required: true, schema: {{type: string}}}}
      responses: {{'204': {{description: x}}}}
"
    );
    let w = warnings(&text);
    has(
        &w,
        &[
            "spec.yaml#/paths/~1a~1{id}~1../get (getParent): ",
            "path template `/a/{id}/..` has a `..` segment",
            "always fails",
        ],
    );
    has(
        &w,
        &[
            "spec.yaml#/paths/~1a~1.~1b/delete (deleteB): ",
            "path template `/a/./b` has a `.` segment",
        ],
    );
    // `{name}.json` is not a dot segment, but a segment the server's router cannot match.
    has(
        &w,
        &[
            "(getFile): ",
            "mixes text and parameters",
            "the server does not serve this operation",
        ],
    );
    assert_eq!(w.len(), 3, "{w:#?}");
    let output = generate(&text).expect("generates");
    let client = &output
        .files
        .iter()
        .find(|f| f.path == "client.rs")
        .expect("client")
        .contents;
    for method in ["fn get_parent<'a>(", "fn delete_b<'a>(", "fn get_file<'a>("] {
        assert!(client.contains(method), "{method}\n{client}");
    }
}
