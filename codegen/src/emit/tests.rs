//! IR in, tokens out: what emission writes for decisions lowering has made (feature gates,
//! success statuses, routes).

use crate::ir::{Api, Gates};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Lowers a small document (emission's tests start from the IR lowering makes).
fn lowered(yaml: &str) -> Result<Api, Box<dyn std::error::Error>> {
    Ok(crate::lower_only("test.yaml", yaml)?.0)
}

/// The formatted text of tokens.
fn text(tokens: proc_macro2::TokenStream) -> Result<String, Box<dyn std::error::Error>> {
    Ok(crate::format::format(tokens)?)
}

/// The formatted `models.rs` of `api`, with its items written as text (`json_struct!` calls)
/// in place, as the generator writes it.
fn models_text(api: &Api) -> Result<String, Box<dyn std::error::Error>> {
    let (tokens, items) = super::raw::with_raw_items(|| {
        super::models::models_rs(api, 0..super::models::item_count(api))
    });
    super::raw::fill_raw_items(&text(tokens)?, &items).ok_or_else(|| "a raw item was lost".into())
}

const PETS: &str = r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        "200":
          description: Ok
          headers: {x-next: {schema: {type: string}}}
          content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}}}
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: Ok, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
        "2XX": {description: Other}
  /files/{name}.json:
    get:
      operationId: getFile
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      responses:
        "204": {description: Done}
components:
  schemas:
    Pet:
      type: object
      properties:
        kind: {type: string, enum: [cat, dog]}
"##;

/// Gates as lowering would decide them for features per tag, written by hand here.
fn gated(mut api: Api) -> Api {
    let pets = vec!["tag-pets".to_owned()];
    api.gates = Gates {
        features: pets.clone(),
        operations: [("listPets".to_owned(), pets.clone())].into(),
        types: [
            ("Pet".to_owned(), pets.clone()),
            ("PetKind".to_owned(), pets.clone()),
            ("ListPetsResponse".to_owned(), pets),
        ]
        .into(),
    };
    api
}

#[test]
fn gates_are_written_on_every_item_after_its_other_attributes() -> TestResult {
    let api = gated(lowered(PETS)?);
    let cfg = "#[cfg(any(feature = \"tag-pets\"))]";
    let models = models_text(&api)?;
    let call = models
        .find(&format!("{cfg}\nsuper::runtime::json_struct!(\n"))
        .ok_or("no gated call")?;
    let declared = models
        .get(call..)
        .and_then(|call| call.find("pub struct Pet, ["));
    assert!(declared.is_some(), "{models}");
    for item in [
        "super::runtime::open_enum! {",
        "pub struct ListPetsResponse {",
    ] {
        assert!(
            models.contains(&format!("{cfg}\n{item}")),
            "{item}: {models}"
        );
    }
    assert!(
        models.contains("#[derive(Debug, Clone, PartialEq)]\n#[cfg(any(feature = \"tag-pets\"))]\npub struct ListPetsResponse"),
        "{models}"
    );
    let client = text(super::client::client_methods(&api, 0..api.operations.len()))?;
    assert!(
        client.contains(&format!("    {cfg}\n    pub fn list_pets<'a>(")),
        "{client}"
    );
    // Not gated: compiled always.
    assert!(
        !client.contains(&format!("{cfg}\n    pub fn get_pet<'a>(")),
        "{client}"
    );
    let requests = text(super::requests::requests_rs(&api, 0..api.operations.len()))?;
    for item in [
        "pub type ListPets<'a> = Builder<'a, __ListPets>;",
        "pub struct __ListPets",
        "impl<'a> Operation<'a> for ListPets<'a> {",
    ] {
        let gated = format!("{cfg}\n{item}");
        let gated_after_attrs = format!("{cfg}\n#[derive(Clone)]\n{item}");
        assert!(
            requests.contains(&gated) || requests.contains(&gated_after_attrs),
            "{item}: {requests}"
        );
    }
    let server = text(super::server::server_rs(&api))?;
    assert!(
        server.contains(&format!(
            "{cfg}\n    let router = router\n        .route(\"/pets\","
        )),
        "{server}"
    );
    assert!(
        server.contains(&format!("{cfg}\nasync fn handle_list_pets")),
        "{server}"
    );
    Ok(())
}

#[test]
fn nothing_is_gated_without_gates() -> TestResult {
    let api = lowered(PETS)?;
    let models = models_text(&api)?;
    let client = text(super::client::client_methods(&api, 0..api.operations.len()))?;
    let requests = text(super::requests::requests_rs(&api, 0..api.operations.len()))?;
    let server = text(super::server::server_rs(&api))?;
    for file in [models, client, requests, server] {
        assert!(!file.contains("#[cfg("), "{file}");
    }
    Ok(())
}

#[test]
fn any_success_is_the_last_arm_and_the_2xx_range() -> TestResult {
    let api = lowered(PETS)?;
    let client = text(super::requests::requests_rs(&api, 0..api.operations.len()))?;
    let ok = client
        .find("200 => Ok(models::GetPetResponse::Ok(")
        .ok_or("no 200 arm")?;
    let other = client
        .find("200..=299 => Ok(models::GetPetResponse::OtherSuccess)")
        .ok_or("no 2xx arm")?;
    assert!(ok < other, "{client}");
    let models = models_text(&api)?;
    assert!(models.contains("/// Another 2xx status: Other"), "{models}");
    Ok(())
}

#[test]
fn an_operation_without_a_route_has_a_method_but_no_handler() -> TestResult {
    let api = lowered(PETS)?;
    let server = text(super::server::server_rs(&api))?;
    assert!(server.contains("fn get_file("), "{server}");
    assert!(server.contains("Not routed"), "{server}");
    assert!(!server.contains("handle_get_file"), "{server}");
    assert!(server.contains(".route(\"/pets/{id}\","), "{server}");
    Ok(())
}

const CONSTRUCTED: &str = r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    Call:
      type: object
      required: [name, count, next, label, maybe]
      properties:
        name: {type: string}
        count: {type: integer}
        next: {$ref: "#/components/schemas/Open"}
        label: {$ref: "#/components/schemas/Label"}
        maybe: {type: string, nullable: true}
        note: {type: string}
        with_note: {type: boolean}
        limit: {type: integer, default: 10}
        parent: {$ref: "#/components/schemas/Call"}
      additionalProperties: {type: string}
    Label: {type: string}
    Open:
      type: object
      properties:
        name: {type: string}
"##;

#[test]
fn structs_with_required_fields_get_a_constructor_and_setters() -> TestResult {
    let api = lowered(CONSTRUCTED)?;
    let models = models_text(&api)?;
    // One `impl` block: the default's function, the constructor, the setters.
    let at = models.find("impl Call {").ok_or("no impl Call")?;
    let block = models.get(at..).ok_or("no block")?;
    let block = block
        .get(..block.find("\n}\n").ok_or("unclosed")?)
        .ok_or("no end")?;
    for expected in [
        "fn default_limit() -> i64",
        "/// Makes a value from its required fields (by wire name): `name`, `count`, `next`, `label`, `maybe`. \
         Optional fields start unset (or at their default) and the `with_` methods set them; \
         additional properties start empty.",
        "pub fn new(\n        name: impl Into<String>,\n        \
         count: i64,\n        next: Open,\n        label: impl Into<Label>,\n        \
         maybe: Option<String>,\n    ) -> Self {",
        "name: name.into(),\n            count,\n            next,\n            label: label.into(),\n            maybe,\n",
        "note: Option::None,",
        "limit: Self::default_limit(),",
        "additional_properties: ::std::collections::BTreeMap::new(),",
        "/// Sets `note`.",
        "self.note = Option::Some(value.into());",
        // A field named like another's setter keeps its own setter.
        "pub fn with_with_note(mut self, value: bool) -> Self {",
        // A defaulted field is set as it is, not as an `Option`.
        "pub fn with_limit(mut self, value: i64) -> Self {\n        self.limit = value;",
        // A boxed field's setter takes the value and boxes it.
        "pub fn with_parent(mut self, value: Call) -> Self {\n        \
         self.parent = Option::Some(Box::new(value));",
    ] {
        assert!(block.contains(expected), "{expected}\n---\n{block}");
    }
    // Required and nullable fields have no setter: `new` takes them.
    for absent in [
        "fn with_name(",
        "fn with_count(",
        "fn with_maybe(",
        "fn with_additional",
    ] {
        assert!(!block.contains(absent), "{absent}\n---\n{block}");
    }
    // Without required fields: `Default`, no constructor, no setters.
    assert!(!models.contains("impl Open {"), "{models}");
    assert!(
        models.contains("#[derive(Default)]\n    pub struct Open, ["),
        "{models}"
    );
    Ok(())
}

/// Without `additionalProperties`, the `json_struct!` call carries the constructor's
/// parameters and each setter; the file writes neither out.
#[test]
fn json_structs_get_their_constructor_and_setters_from_the_macro() -> TestResult {
    let document = CONSTRUCTED.replace("      additionalProperties: {type: string}\n", "");
    let api = lowered(&document)?;
    let models = models_text(&api)?;
    for expected in [
        "(0, name, _, req, String => new into),",
        "(1, count, _, req, i64 => new),",
        "(2, next, _, req, Open => new),",
        // An alias of a string is taken by `Into` too.
        "(3, label, _, req, Label => new into),",
        "(4, maybe, _, nullable, String => new),",
        "(5, note, _, opt, String, with_note into)",
        // A field named like another's setter keeps its own setter.
        "(6, with_note, _, opt, bool, with_with_note)",
        "(7, limit, _, default(default_limit), i64, with_limit)",
        // A boxed field's setter takes the value unboxed.
        "(8, parent, _, opt, Box<Call>, with_parent box Call),",
        "], new);",
    ] {
        assert!(models.contains(expected), "{expected}\n---\n{models}");
    }
    for absent in ["fn new(", "fn with_"] {
        assert!(!models.contains(absent), "{absent}\n---\n{models}");
    }
    Ok(())
}

#[test]
fn response_structs_and_gated_structs() -> TestResult {
    // A success struct with headers is a response: no constructor.
    let api = gated(lowered(PETS)?);
    let models = models_text(&api)?;
    assert!(!models.contains("fn new("), "{models}");
    // A gated struct's constructor is gated with it.
    let mut api = lowered(CONSTRUCTED)?;
    let gate = vec!["tag-calls".to_owned()];
    api.gates = Gates {
        features: gate.clone(),
        operations: Default::default(),
        types: [("Call".to_owned(), gate)].into(),
    };
    let models = models_text(&api)?;
    assert!(
        models.contains("#[cfg(any(feature = \"tag-calls\"))]\nimpl Call {"),
        "{models}"
    );
    Ok(())
}

const BINARY: &str = r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /blobs/{id}:
    get:
      operationId: getBlob
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: Ok, content: {application/octet-stream: {schema: {type: string, format: binary}}}}
    put:
      operationId: putBlob
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content: {image/png: {schema: {type: string, format: binary}}}
      responses:
        "200": {description: Ok, content: {application/octet-stream: {schema: {type: string, format: binary}}}}
        "204": {description: None}
"##;

#[test]
fn binary_bodies_stream_where_one_success_response_is_binary() -> TestResult {
    let api = lowered(BINARY)?;
    let requests = text(super::requests::requests_rs(&api, 0..api.operations.len()))?;
    // One binary success: `send_streaming`, and `send` collects it.
    assert_eq!(
        requests.matches("pub fn send_streaming(").count(),
        1,
        "{requests}"
    );
    assert!(
        requests.contains("runtime::collect_boxed(self.send_streaming())"),
        "{requests}"
    );
    // A binary request body is a `runtime::Body`, taken as `impl Into` by the method.
    assert!(
        requests.contains("pub(super) body: runtime::Body,"),
        "{requests}"
    );
    let client = text(super::client::client_rs(&api))?;
    let methods = text(super::client::client_methods(&api, 0..api.operations.len()))?;
    assert!(
        methods.contains("body: impl ::std::convert::Into<runtime::Body>,"),
        "{client}{methods}"
    );
    let server = text(super::server::server_rs(&api))?;
    assert!(server.contains("server_runtime::Download"), "{server}");
    assert!(server.contains("body: server_runtime::Upload"), "{server}");
    let needs = super::needs::runtime_features(&api);
    assert_eq!(needs, vec![super::needs::STREAM]);
    Ok(())
}

const PREPARED: &str = r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "200": {description: Ok, content: {application/json: {schema: {type: object, properties: {name: {type: string}}}}}}
    delete:
      operationId: deletePet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "204": {description: Done}
  /traced:
    get:
      operationId: traced
      parameters:
        - {name: x-trace, in: header, schema: {type: string}}
      responses:
        "204": {description: Done}
"##;

#[test]
fn operations_built_in_one_call_are_prepared_and_sent_by_one_generic_send() -> TestResult {
    let api = lowered(PREPARED)?;
    let requests = text(super::requests::requests_rs(&api, 0..api.operations.len()))?;
    // One `send` for every prepared operation, written once.
    assert_eq!(
        requests
            .matches("impl<'a, P: runtime::Prepare> Operation<'a> for Builder<'a, P>")
            .count(),
        1,
        "{requests}"
    );
    for (params, json) in [("__GetPet", true), ("__DeletePet", false)] {
        let start = requests
            .find(&format!("impl runtime::Prepare for {params} {{"))
            .ok_or(format!("{params} is not prepared: {requests}"))?;
        let prepare = requests.get(start..).unwrap_or_default();
        let prepare = prepare
            .get(..prepare.find("\n}\n").unwrap_or(0))
            .unwrap_or_default();
        assert!(prepare.contains("__core\n"), "{prepare}");
        assert!(prepare.contains(&format!("json: {json},")), "{prepare}");
    }
    // A header parameter is a statement of its own: that operation keeps its `send`.
    assert!(
        requests.contains("impl<'a> Operation<'a> for Traced<'a> {"),
        "{requests}"
    );
    assert!(!requests.contains("for __Traced"), "{requests}");
    // Without prepared operations, no blanket impl.
    let mut only_traced = api.clone();
    only_traced
        .operations
        .retain(|op| op.operation_id == "traced");
    let requests = text(super::requests::requests_rs(
        &only_traced,
        0..only_traced.operations.len(),
    ))?;
    assert!(!requests.contains("runtime::Prepare"), "{requests}");
    Ok(())
}
