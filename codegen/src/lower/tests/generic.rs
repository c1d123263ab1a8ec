//! Structs alike but for one type made once (`lower/generic.rs`): which types become aliases
//! of a generic struct, and what that struct is.

use super::{TestResult, lower};
use crate::ir::{Api, TypeKind, TypeRef};

/// Three list responses alike but for their items' type; two responses that differ in two
/// types at two places; two inline objects that each contain themselves; two all-optional
/// objects; two components alike but for one type.
const LISTS: &str = r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /widgets:
    get:
      operationId: widgetsList
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                required: [count, results]
                properties:
                  count: {type: integer}
                  next: {type: string, description: The next page.}
                  results: {type: array, items: {$ref: "#/components/schemas/Widget"}}
  /gadgets:
    get:
      operationId: gadgetsList
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                required: [count, results]
                properties:
                  count: {type: integer}
                  next: {type: string, description: The next page.}
                  results: {type: array, items: {$ref: "#/components/schemas/Gadget"}}
  /things:
    get:
      operationId: thingsList
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                required: [count, results]
                properties:
                  count: {type: integer}
                  next: {type: string, description: The next page.}
                  results: {type: array, items: {$ref: "#/components/schemas/Thing"}}
  /pair-a:
    get:
      operationId: pairA
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                required: [x, y]
                properties:
                  x: {$ref: "#/components/schemas/Widget"}
                  y: {$ref: "#/components/schemas/Gadget"}
  /pair-b:
    get:
      operationId: pairB
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                required: [x, y]
                properties:
                  x: {$ref: "#/components/schemas/Gadget"}
                  y: {$ref: "#/components/schemas/Widget"}
  /chain-a:
    get:
      operationId: chainA
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: integer}
                  next: {$ref: "#/paths/~1chain-a/get/responses/200/content/application~1json/schema"}
  /chain-b:
    get:
      operationId: chainB
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: integer}
                  next: {$ref: "#/paths/~1chain-b/get/responses/200/content/application~1json/schema"}
  /loose-a:
    get:
      operationId: looseA
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  item: {$ref: "#/components/schemas/Widget"}
  /loose-b:
    get:
      operationId: looseB
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  item: {$ref: "#/components/schemas/Gadget"}
components:
  schemas:
    Widget: {type: object, properties: {w: {type: string}}}
    Gadget: {type: object, properties: {g: {type: string}}}
    Thing: {type: object, properties: {t: {type: string}}}
    WidgetBox: {type: object, required: [item], properties: {item: {$ref: "#/components/schemas/Widget"}}}
    GadgetBox: {type: object, required: [item], properties: {item: {$ref: "#/components/schemas/Gadget"}}}
"##;

/// The generic struct and its type that the type `name` is an alias of, if it is one.
fn instance<'a>(api: &'a Api, name: &str) -> Result<Option<(&'a str, &'a TypeRef)>, String> {
    let def = api
        .type_named(name)
        .ok_or_else(|| format!("no type `{name}`"))?;
    Ok(match &def.kind {
        TypeKind::Alias(TypeRef::Generic(generic, arg)) => Some((generic.as_str(), arg.as_ref())),
        _ => None,
    })
}

#[test]
fn inline_structs_alike_but_for_one_type_become_aliases_of_one_generic_struct() -> TestResult {
    let (api, _) = lower(LISTS)?;
    for (member, item) in [
        ("WidgetsListResponse", "Widget"),
        ("GadgetsListResponse", "Gadget"),
        ("ThingsListResponse", "Thing"),
    ] {
        assert_eq!(
            instance(&api, member)?,
            Some(("ListResponse", &TypeRef::Named(item.to_owned()))),
            "{member}"
        );
    }
    // The generic struct: the members' fields, with the type parameter where they differ.
    let generic = api.type_named("ListResponse").ok_or("no `ListResponse`")?;
    let TypeKind::Struct(s) = &generic.kind else {
        return Err("`ListResponse` is not a struct".into());
    };
    assert_eq!(s.param(), Some("T"));
    let fields: Vec<(&str, &TypeRef, bool)> = s
        .fields
        .iter()
        .map(|f| (f.wire_name.as_str(), &f.ty, f.required))
        .collect();
    let param = TypeRef::Vec(Box::new(TypeRef::Param("T".to_owned())));
    assert_eq!(
        fields,
        [
            ("count", &TypeRef::I64, true),
            ("next", &TypeRef::String, false),
            ("results", &param, true),
        ]
    );
    let next = s.fields.get(1).ok_or("no `next`")?;
    assert_eq!(next.docs.as_deref(), Some("The next page."));
    assert!(
        generic
            .docs
            .as_deref()
            .is_some_and(|d| d.contains("3 inline schemas")),
        "{:?}",
        generic.docs
    );
    Ok(())
}

#[test]
fn structs_that_differ_otherwise_keep_their_definitions() -> TestResult {
    let (api, _) = lower(LISTS)?;
    // Two types at two places: no one parameter.
    assert_eq!(instance(&api, "PairAResponse")?, None);
    assert_eq!(instance(&api, "PairBResponse")?, None);
    // Each contains itself: `type ChainAResponse = G<ChainAResponse>` would be a cycle.
    assert_eq!(instance(&api, "ChainAResponse")?, None);
    assert_eq!(instance(&api, "ChainBResponse")?, None);
    // Every field optional: such a struct derives `Default`, which the generic one would not.
    assert_eq!(instance(&api, "LooseAResponse")?, None);
    // Components keep their own types.
    assert_eq!(instance(&api, "WidgetBox")?, None);
    assert_eq!(instance(&api, "GadgetBox")?, None);
    Ok(())
}
