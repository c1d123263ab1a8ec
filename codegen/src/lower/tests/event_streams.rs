//! `text/event-stream` responses: the item type and where it comes from, and where an event
//! stream is not a stream.

use super::{TestResult, lower, operation};
use crate::ir::{BodyEncoding, ResponseBody, Success, TypeRef};

const STREAMS: &str = r#"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /item:
    get:
      operationId: item
      responses:
        "200":
          description: Ok
          content:
            text/event-stream:
              schema: {type: string}
              itemSchema: {$ref: '#/components/schemas/Tick'}
  /schema:
    get:
      operationId: schema
      responses:
        "200": {description: Ok, content: {text/event-stream: {schema: {$ref: '#/components/schemas/Tick'}}}}
  /content:
    get:
      operationId: content
      responses:
        "200":
          description: Ok
          content:
            text/event-stream:
              itemSchema:
                type: object
                properties:
                  data: {type: string, contentSchema: {$ref: '#/components/schemas/Tick'}}
  /text:
    get:
      operationId: text
      responses:
        "200": {description: Ok, content: {"text/event-stream; charset=utf-8": {}}}
  /bad:
    get:
      operationId: bad
      responses:
        "200":
          description: Ok
          content:
            text/event-stream:
              schema: {type: string}
              itemSchema: {type: 5}
  /both:
    get:
      operationId: both
      responses:
        "200":
          description: Ok
          content:
            text/event-stream: {schema: {$ref: '#/components/schemas/Tick'}}
            application/json: {schema: {$ref: '#/components/schemas/Tick'}}
  /headers:
    get:
      operationId: headers
      responses:
        "200":
          description: Ok
          headers: {x-a: {schema: {type: string}}}
          content: {text/event-stream: {schema: {$ref: '#/components/schemas/Tick'}}}
components:
  schemas:
    Tick: {type: object, properties: {seq: {type: integer}}}
"#;

fn body(api: &crate::ir::Api, id: &str) -> Result<Option<ResponseBody>, String> {
    Ok(match &operation(api, id)?.success {
        Success::Single { body, .. } | Success::WithHeaders { body, .. } => body.clone(),
        Success::Enum { .. } => None,
    })
}

fn stream(ty: TypeRef, text: bool) -> Option<ResponseBody> {
    Some(ResponseBody {
        ty,
        encoding: BodyEncoding::EventStream { text },
    })
}

#[test]
fn the_item_type_comes_from_item_schema_then_schema_and_strings_are_text() -> TestResult {
    let (api, warnings) = lower(STREAMS)?;
    let tick = TypeRef::Named("Tick".into());
    assert_eq!(body(&api, "item")?, stream(tick.clone(), false));
    assert_eq!(body(&api, "schema")?, stream(tick.clone(), false));
    assert_eq!(body(&api, "content")?, stream(tick.clone(), false));
    assert_eq!(body(&api, "text")?, stream(TypeRef::String, true));
    assert_eq!(body(&api, "bad")?, stream(TypeRef::String, true));
    let messages: Vec<_> = warnings
        .iter()
        .map(|w| format!("{}: {}", w.location.pointer, w.message))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("~1bad") && m.contains("`itemSchema` is not")),
        "{messages:#?}"
    );
    Ok(())
}

#[test]
fn json_wins_over_an_event_stream_and_headers_make_it_text() -> TestResult {
    let (api, warnings) = lower(STREAMS)?;
    let json = body(&api, "both")?.map(|b| b.encoding);
    assert_eq!(json, Some(BodyEncoding::Json));
    let text = body(&api, "headers")?.map(|b| b.encoding);
    assert_eq!(text, Some(BodyEncoding::Text));
    let messages: Vec<_> = warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("the client reads JSON")));
    assert!(
        messages
            .iter()
            .any(|m| m.contains("here it is read as text"))
    );
    Ok(())
}
