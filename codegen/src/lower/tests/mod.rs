//! Lowering in, IR out: the decisions lowering makes so that emission does not have to.

mod event_streams;
mod generic;
mod identical;
mod naming;
mod security;

use crate::ir::{Api, Directions, Operation, Success, SuccessStatus};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Lowers a small document; its warnings too.
fn lower(yaml: &str) -> Result<(Api, Vec<crate::Warning>), Box<dyn std::error::Error>> {
    Ok(crate::lower_only("test.yaml", yaml)?)
}

/// The operation with this operationId.
fn operation<'a>(api: &'a Api, id: &str) -> Result<&'a Operation, String> {
    api.operations
        .iter()
        .find(|op| op.operation_id == id)
        .ok_or_else(|| format!("no operation `{id}`"))
}

/// One operation per success shape: exact codes, `2XX`, none documented, several that differ.
const RESPONSES: &str = r#"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /exact:
    get:
      operationId: exact
      responses:
        "200": {description: Ok, content: {application/json: {schema: {type: string}}}}
        "201": {description: Created, content: {application/json: {schema: {type: string}}}}
  /range:
    get:
      operationId: range
      responses:
        "2XX": {description: Any, content: {application/json: {schema: {type: string}}}}
  /mixed:
    get:
      operationId: mixed
      responses:
        "200": {description: Ok, content: {application/json: {schema: {type: string}}}}
        "2XX": {description: Any, content: {application/json: {schema: {type: string}}}}
  /none:
    get:
      operationId: none
      responses:
        "404": {description: Missing}
  /several:
    get:
      operationId: several
      responses:
        "2XX": {description: Other}
        "200": {description: Ok, content: {application/json: {schema: {type: string}}}}
        "204": {description: Empty}
        default: {description: Error}
"#;

#[test]
fn success_statuses_are_exact_codes_or_any_success() -> TestResult {
    let (api, _) = lower(RESPONSES)?;
    let statuses = |id: &str| -> Result<Vec<SuccessStatus>, String> {
        match &operation(&api, id)?.success {
            Success::Single { statuses, .. } | Success::WithHeaders { statuses, .. } => {
                Ok(statuses.clone())
            }
            Success::Enum { .. } => Err(format!("`{id}` has several success shapes")),
        }
    };
    use SuccessStatus::{AnySuccess, Exact};
    assert_eq!(statuses("exact")?, [Exact(200), Exact(201)]);
    assert_eq!(statuses("range")?, [AnySuccess]);
    // A `2XX` beside an exact code keeps every 2xx status a success.
    assert_eq!(statuses("mixed")?, [Exact(200), AnySuccess]);
    assert_eq!(SuccessStatus::exact_codes(&statuses("mixed")?), None);
    assert_eq!(statuses("none")?, [AnySuccess]);
    assert_eq!(SuccessStatus::to_send(&statuses("none")?, false), 204);
    assert_eq!(SuccessStatus::to_send(&statuses("exact")?, true), 200);
    Ok(())
}

#[test]
fn a_2xx_variant_comes_after_the_exact_codes() -> TestResult {
    let (api, _) = lower(RESPONSES)?;
    let Success::Enum { variants, .. } = &operation(&api, "several")?.success else {
        return Err("`several` is not an enum".into());
    };
    let shape: Vec<(&str, SuccessStatus)> = variants
        .iter()
        .map(|v| (v.rust_name.as_str(), v.status))
        .collect();
    assert_eq!(
        shape,
        [
            ("Ok", SuccessStatus::Exact(200)),
            ("NoContent", SuccessStatus::Exact(204)),
            ("OtherSuccess", SuccessStatus::AnySuccess),
        ]
    );
    Ok(())
}

#[test]
fn the_type_table_finds_types_by_name_while_they_are_made() {
    use crate::ir::{TypeDef, TypeKind, TypeRef};
    let def = |name: &str, ty: TypeRef| TypeDef {
        rust_name: name.to_owned(),
        source: String::new(),
        docs: None,
        deprecated: false,
        kind: TypeKind::Alias(ty),
        directions: crate::ir::Directions::BOTH,
        identical: false,
    };
    let mut table = crate::lower::types::TypeTable::default();
    table.push(def("Zeta", TypeRef::String));
    table.push(def("Alpha", TypeRef::Bool));
    assert_eq!(
        table.named("Alpha").map(|t| &t.kind),
        Some(&TypeKind::Alias(TypeRef::Bool))
    );
    if let Some(zeta) = table.named_mut("Zeta") {
        zeta.deprecated = true;
    }
    assert!(table.named("Zeta").is_some_and(|t| t.deprecated));
    assert!(table.named("Missing").is_none());
    let sorted: Vec<String> = table
        .into_sorted()
        .into_iter()
        .map(|t| t.rust_name)
        .collect();
    assert_eq!(sorted, ["Alpha", "Zeta"]);
}

#[test]
fn success_types_are_type_definitions_in_operation_order() -> TestResult {
    use crate::ir::TypeKind;
    let (api, _) = lower(
        r#"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /b:
    get:
      operationId: withHeaders
      responses:
        "200":
          description: Ok
          headers: {x-next: {schema: {type: string}}}
          content: {application/json: {schema: {type: string}}}
  /a:
    get:
      operationId: several
      responses:
        "200": {description: Ok, content: {application/json: {schema: {type: string}}}}
        "204": {description: Empty}
  /c:
    get:
      operationId: plain
      responses:
        "200": {description: Ok}
"#,
    )?;
    let shapes: Vec<(&str, &str)> = api
        .response_types
        .iter()
        .map(|t| {
            let kind = match &t.kind {
                TypeKind::SuccessStruct(s) => s.operation_id.as_str(),
                TypeKind::SuccessEnum(e) => e.operation_id.as_str(),
                _ => "not a success type",
            };
            (t.rust_name.as_str(), kind)
        })
        .collect();
    assert_eq!(
        shapes,
        [
            ("WithHeadersResponse", "withHeaders"),
            ("SeveralResponse", "several")
        ]
    );
    Ok(())
}

#[test]
fn an_operation_the_router_cannot_match_has_no_route_and_a_warning() -> TestResult {
    let (api, warnings) = lower(
        r#"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /files/{name}.{ext}:
    get:
      operationId: getFile
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
        - {name: ext, in: path, required: true, schema: {type: string}}
      responses:
        "204": {description: Done}
  /jobs/{job-id}:
    get:
      operationId: getJob
      parameters:
        - {name: job-id, in: path, required: true, schema: {type: string}}
      responses:
        "204": {description: Done}
  /:
    get:
      operationId: root
      responses:
        "204": {description: Done}
"#,
    )?;
    assert_eq!(operation(&api, "getFile")?.route, None);
    assert_eq!(
        operation(&api, "getJob")?.route.as_deref(),
        Some("/jobs/{job-id}")
    );
    assert_eq!(operation(&api, "root")?.route.as_deref(), Some("/"));
    let routing: Vec<String> = warnings
        .iter()
        .filter(|w| w.message.contains("router"))
        .map(|w| w.location.to_string())
        .collect();
    assert_eq!(
        routing,
        ["#/paths/~1files~1{name}.{ext}/get (getFile)".to_owned()]
    );
    Ok(())
}

#[test]
fn gates_follow_tags_through_the_types_operations_reach() -> TestResult {
    let (api, _) = lower(
        r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [Pets]
      responses:
        "200": {description: Ok, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
        default: {description: Error, content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}}
  /shops:
    get:
      operationId: listShops
      tags: [Store Front]
      responses:
        "200":
          description: Ok
          headers: {x-next: {schema: {type: string}}}
          content: {application/json: {schema: {$ref: "#/components/schemas/Owner"}}}
        default: {description: Error, content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}}
  /health:
    get:
      operationId: health
      responses:
        "204": {description: Up}
        default: {description: Error, content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}}
components:
  schemas:
    Pet: {type: object, properties: {owner: {$ref: "#/components/schemas/Owner"}}}
    Owner: {type: object, properties: {name: {type: string}}}
    Problem: {type: object, properties: {detail: {$ref: "#/components/schemas/Detail"}}}
    Detail: {type: object, properties: {text: {type: string}}}
    Unused: {type: object, properties: {note: {type: string}}}
"##,
    )?;
    let gates = crate::lower::gates(&api);
    assert_eq!(
        gates.features,
        ["other-schemas", "tag-pets", "tag-store-front", "untagged"]
    );
    assert_eq!(gates.of_operation("listPets"), ["tag-pets"]);
    assert_eq!(gates.of_operation("health"), ["untagged"]);
    assert_eq!(gates.of_type("Pet"), ["tag-pets"]);
    // Reached by both tags; the success struct only by its operation.
    assert_eq!(gates.of_type("Owner"), ["tag-pets", "tag-store-front"]);
    assert_eq!(gates.of_type("ListShopsResponse"), ["tag-store-front"]);
    assert_eq!(gates.of_type("Unused"), ["other-schemas"]);
    // The shared error type, and what it holds, are compiled always.
    assert!(gates.of_type("Problem").is_empty());
    assert!(gates.of_type("Detail").is_empty());
    Ok(())
}

#[test]
fn directions_follow_what_the_client_sends_and_receives() -> TestResult {
    let (mut api, _) = lower(
        r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /pets:
    post:
      operationId: addPet
      parameters:
        - {name: kind, in: query, schema: {$ref: "#/components/schemas/Kind"}}
      requestBody:
        content: {application/json: {schema: {$ref: "#/components/schemas/NewPet"}}}
      responses:
        "200": {description: Ok, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
        default: {description: Error, content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}}
components:
  schemas:
    Kind: {type: string, enum: [cat, dog]}
    NewPet: {type: object, properties: {tag: {$ref: "#/components/schemas/Tag"}, owner: {$ref: "#/components/schemas/Owner"}}}
    Pet:
      type: object
      properties:
        owner: {$ref: "#/components/schemas/Owner"}
        shape: {oneOf: [{$ref: "#/components/schemas/Circle"}, {type: string}]}
    Tag: {type: object, properties: {name: {type: string}}}
    Owner: {type: object, properties: {name: {type: string}}}
    Circle: {type: object, properties: {radius: {type: number}}}
    Problem: {type: object, properties: {detail: {$ref: "#/components/schemas/Detail"}}}
    Detail: {type: object, properties: {text: {type: string}}}
    Unused: {type: object, properties: {inner: {$ref: "#/components/schemas/Inner"}}}
    Inner: {type: object, properties: {note: {type: string}}}
"##,
    )?;
    // Until the pass runs, every type has both.
    assert!(api.types.iter().all(|t| t.directions == Directions::BOTH));
    crate::lower::directions(&mut api);
    let of = |name: &str| api.type_named(name).map(|t| t.directions);
    let ser = Directions {
        ser: true,
        de: false,
    };
    let de = Directions {
        ser: false,
        de: true,
    };
    // Sent: the body and what it holds, the parameter's enum.
    assert_eq!(of("NewPet"), Some(ser));
    assert_eq!(of("Tag"), Some(ser));
    assert_eq!(of("Kind"), Some(ser));
    // Received: the body, through fields and union members.
    assert_eq!(of("Pet"), Some(de));
    assert_eq!(of("PetShape"), Some(de));
    assert_eq!(of("Circle"), Some(de));
    // Sent and received.
    assert_eq!(of("Owner"), Some(Directions::BOTH));
    // Error bodies (written out by the runtime's `Display`) and what nothing uses: both.
    assert_eq!(of("Problem"), Some(Directions::BOTH));
    assert_eq!(of("Detail"), Some(Directions::BOTH));
    assert_eq!(of("Unused"), Some(Directions::BOTH));
    assert_eq!(of("Inner"), Some(Directions::BOTH));
    Ok(())
}

/// Webhook payloads (3.0's `x-webhooks`, 3.1's `webhooks`) are received: `de` only, with what
/// they hold, through a shared request body too; what nothing uses keeps both.
#[test]
fn webhook_payloads_are_received() -> TestResult {
    let components = r##"
components:
  requestBodies:
    Shared: {content: {application/json: {schema: {$ref: "#/components/schemas/Released"}}}}
  schemas:
    Pushed: {type: object, properties: {pusher: {$ref: "#/components/schemas/User"}}}
    Released: {type: object, properties: {tag: {type: string}}}
    User: {type: object, properties: {login: {type: string}}}
    Reply: {type: object, properties: {ok: {type: boolean}}}
    Unused: {type: object, properties: {note: {type: string}}}
"##;
    let webhooks = r##"
  push:
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Pushed"}}}}
      responses:
        "200": {description: Ok, content: {application/json: {schema: {$ref: "#/components/schemas/Reply"}}}}
  release: {post: {requestBody: {$ref: "#/components/requestBodies/Shared"}, responses: {"200": {description: Ok}}}}
"##;
    let de = Directions {
        ser: false,
        de: true,
    };
    for (version, key) in [("3.0.3", "x-webhooks"), ("3.1.0", "webhooks")] {
        let yaml = format!(
            "openapi: {version}\ninfo: {{title: T, version: \"1\"}}\npaths: {{}}\n{key}:{webhooks}{components}"
        );
        let (mut api, warnings) = lower(&yaml)?;
        assert!(warnings.is_empty(), "{warnings:?}");
        crate::lower::directions(&mut api);
        let of = |name: &str| api.type_named(name).map(|t| t.directions);
        assert_eq!(of("Pushed"), Some(de), "{version}");
        assert_eq!(of("User"), Some(de), "{version}");
        assert_eq!(of("Released"), Some(de), "{version}");
        // What the user's server answers, and what nothing uses: both.
        assert_eq!(of("Reply"), Some(Directions::BOTH), "{version}");
        assert_eq!(of("Unused"), Some(Directions::BOTH), "{version}");
    }
    Ok(())
}
