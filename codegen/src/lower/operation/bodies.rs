//! Request and response bodies: the media type chosen, its encoding, and its type.

use crate::error::Location;
use crate::ir::{BodyEncoding, RequestBody, TypeRef};
use crate::lower::Lowering;
use crate::lower::schema::lower_inline;
use crate::pointer::join as pointer;
use indexmap::IndexMap;
use openapiv3::MediaType;

/// The request body, in the media type [`pick_content`] prefers.
pub(super) fn lower_body(
    cx: &mut Lowering<'_>,
    operation: &openapiv3::Operation,
    at: &str,
    type_hint: &str,
) -> Option<RequestBody> {
    let body = operation.request_body.as_ref()?;
    let body_at = format!("{at}/requestBody");
    let (body, placed) = cx.resolve_at(body, "requestBodies", |c| &c.request_bodies, &body_at)?;
    let (content_type, media) = pick_content(&body.content)?;
    let (ty, encoding) = body_type(
        cx,
        content_type,
        media,
        &format!("{}Body", placed.hint(type_hint)),
        placed.at(),
        true,
    );
    Some(RequestBody {
        content_type: content_type.to_owned(),
        encoding,
        ty,
        required: body.required,
        docs: body.description.clone(),
    })
}

/// The media type without parameters, lower-cased.
pub(super) fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

pub(super) fn is_json(content_type: &str) -> bool {
    let essence = essence(content_type);
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*"
}

/// How a body of this media type is encoded (`request`: multipart is only sent, never read).
pub(super) fn encoding_of(content_type: &str, request: bool) -> BodyEncoding {
    let essence = essence(content_type);
    if is_json(&essence) {
        BodyEncoding::Json
    } else if essence == "text/event-stream" && !request {
        BodyEncoding::EventStream { text: false }
    } else if essence == "application/x-www-form-urlencoded" {
        BodyEncoding::Form
    } else if essence == "multipart/form-data" && request {
        BodyEncoding::Multipart
    } else if essence.starts_with("text/") {
        BodyEncoding::Text
    } else {
        BodyEncoding::Bytes
    }
}

/// The media type to use when several are offered: JSON, then a form, then multipart, then
/// text, then the first one.
pub(super) fn pick_content(content: &IndexMap<String, MediaType>) -> Option<(&str, &MediaType)> {
    let rank = |ct: &str| match encoding_of(ct, true) {
        BodyEncoding::Json => 0,
        BodyEncoding::Form => 1,
        BodyEncoding::Multipart => 2,
        BodyEncoding::Text | BodyEncoding::EventStream { .. } => 3,
        BodyEncoding::Bytes => 4,
    };
    content
        .iter()
        .enumerate()
        .min_by_key(|(i, (ct, _))| (rank(ct), *i))
        .map(|(_, (ct, media))| (ct.as_str(), media))
}

pub(super) fn body_type(
    cx: &mut Lowering<'_>,
    content_type: &str,
    media: &MediaType,
    hint: &str,
    at: &str,
    request: bool,
) -> (TypeRef, BodyEncoding) {
    let media_at = pointer(&format!("{at}/content"), content_type);
    let encoding = encoding_of(content_type, request);
    match encoding {
        BodyEncoding::Bytes => {
            let essence = essence(content_type);
            let binary = essence == "application/octet-stream"
                || ["image/", "audio/", "video/", "font/"]
                    .iter()
                    .any(|p| essence.starts_with(p))
                || matches!(
                    essence.as_str(),
                    "application/pdf" | "application/zip" | "application/gzip"
                );
            if !binary {
                cx.warn(
                    Location::new(&media_at),
                    format!("media type `{content_type}` is sent and read as raw bytes"),
                );
            }
            (TypeRef::Bytes, encoding)
        }
        BodyEncoding::Text => (TypeRef::String, encoding),
        BodyEncoding::EventStream { .. } => {
            let ty = event_item(cx, media, &format!("{hint}Item"), &media_at);
            let text = ty == TypeRef::String;
            (ty, BodyEncoding::EventStream { text })
        }
        BodyEncoding::Json | BodyEncoding::Form | BodyEncoding::Multipart => {
            let ty = match &media.schema {
                Some(schema) => {
                    lower_inline(cx, schema.into(), hint, &format!("{media_at}/schema"))
                }
                None => TypeRef::Json,
            };
            (ty, encoding)
        }
    }
}

/// The item type of an event stream: the media type's `itemSchema` (proposed for OpenAPI 3.2,
/// read from the raw document, since `openapiv3` drops it), else its `schema`; a 3.2-style
/// event schema (an object whose `data` has a `contentSchema`) stands for that content
/// schema. A string, or no schema, is text.
fn event_item(cx: &mut Lowering<'_>, media: &MediaType, hint: &str, media_at: &str) -> TypeRef {
    let item_at = format!("{media_at}/itemSchema");
    let content_at = format!("{item_at}/properties/data/contentSchema");
    let raw = [content_at, item_at]
        .into_iter()
        .find_map(|at| crate::pointer::lookup(cx.raw, &at).map(|value| (at, value.clone())));
    if let Some((at, value)) = raw {
        match serde_json::from_value::<openapiv3::ReferenceOr<openapiv3::Schema>>(value) {
            Ok(schema) => return lower_inline(cx, (&schema).into(), hint, &at),
            Err(e) => cx.warn(
                Location::new(&at),
                format!("this `itemSchema` is not an OpenAPI 3.0 schema ({e}); `schema` is used"),
            ),
        }
    }
    match &media.schema {
        Some(schema) => lower_inline(cx, schema.into(), hint, &format!("{media_at}/schema")),
        None => TypeRef::String,
    }
}
