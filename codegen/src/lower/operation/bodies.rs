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
        BodyEncoding::Text => 3,
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
