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
    let models = text(super::models::models_rs(
        &api,
        0..super::models::item_count(&api),
    ))?;
    for item in [
        "pub struct Pet {",
        "super::runtime::json_struct!(Pet,",
        "pub enum PetKind {",
        "super::runtime::open_enum!(",
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
        "#[must_use = \"a request is sent when it is awaited\"]\n#[derive(Clone)]\npub struct ListPets<'a> {",
        "impl<'a> ListPets<'a> {",
        "impl<'a> ::std::future::IntoFuture for ListPets<'a> {",
    ] {
        let gated = format!("{cfg}\n{item}");
        let gated_after_docs = item.replacen("#[must_use", &format!("{cfg}\n#[must_use"), 1);
        assert!(
            requests.contains(&gated) || requests.contains(&gated_after_docs),
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
    let models = text(super::models::models_rs(
        &api,
        0..super::models::item_count(&api),
    ))?;
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
    let models = text(super::models::models_rs(
        &api,
        0..super::models::item_count(&api),
    ))?;
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
