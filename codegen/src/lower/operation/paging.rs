//! `x-paging`: where the items and the continuation tokens are.

use super::RawParam;
use crate::error::Location;
use crate::ir::{Paging, ParamLocation, Success, TypeRef};
use crate::lower::Lowering;

/// Reads `x-paging` (`itemsFrom: body`, `pageSizeHeader`, `continuationRequestHeader`,
/// `continuationResponseHeader`). The operation's method becomes `page_name` (`<name>_page`,
/// claimed with the other method names), and a stream method named `<name>` follows the tokens. Anything it cannot use is a warning and the
/// operation stays a plain method.
pub(super) fn lower_paging(
    cx: &mut Lowering<'_>,
    extension: &serde_json::Value,
    params: &mut [RawParam],
    success: &Success,
    (rust_name, page_name): (&mut String, String),
    at: &str,
    operation_id: &str,
) -> Option<Paging> {
    let location = Location::new(format!("{at}/x-paging")).with_context(operation_id);
    let text = |key: &str| extension.get(key).and_then(serde_json::Value::as_str);
    if text("itemsFrom").unwrap_or("body") != "body" {
        cx.warn(
            location,
            "`x-paging.itemsFrom` other than `body` is not supported; no stream method",
        );
        return None;
    }
    let (Some(request_header), Some(response_header)) = (
        text("continuationRequestHeader"),
        text("continuationResponseHeader"),
    ) else {
        cx.warn(
            location,
            "`x-paging` needs `continuationRequestHeader` and `continuationResponseHeader`; no stream method",
        );
        return None;
    };
    let Success::WithHeaders {
        body: Some(body),
        headers,
        ..
    } = success
    else {
        cx.warn(location, "a paged operation needs one success response with a body and headers; no stream method");
        return None;
    };
    let TypeRef::Vec(item) = &body.ty else {
        cx.warn(
            location,
            "with `itemsFrom: body` the success body must be an array; no stream method",
        );
        return None;
    };
    let Some(field) = headers
        .iter()
        .find(|h| h.wire_name.eq_ignore_ascii_case(response_header))
    else {
        cx.warn(
            location,
            format!(
                "the success response declares no header `{response_header}`; no stream method"
            ),
        );
        return None;
    };
    let is_header = |p: &RawParam, name: &str| {
        p.param.location == ParamLocation::Header && p.param.wire_name.eq_ignore_ascii_case(name)
    };
    if !params.iter().any(|p| is_header(p, request_header)) {
        cx.warn(
            location,
            format!(
                "the operation declares no header parameter `{request_header}`; no stream method"
            ),
        );
        return None;
    }
    // Friendlier names for the two paging parameters, when they are free.
    let mut rename = |wire: &str, wanted: &str| -> Option<String> {
        let taken = params.iter().any(|p| p.param.rust_name == wanted);
        let param = params.iter_mut().find(|p| is_header(p, wire))?;
        if !taken {
            param.param.rust_name = wanted.to_owned();
        }
        Some(param.param.rust_name.clone())
    };
    if let Some(size_header) = text("pageSizeHeader") {
        rename(size_header, "page_size");
    }
    let continuation_param = rename(request_header, "continuation")?;
    let stream_name = std::mem::replace(rust_name, page_name);
    Some(Paging {
        stream_name,
        stream_builder: String::new(),
        continuation_param,
        continuation_field: field.rust_name.clone(),
        item: item.as_ref().clone(),
    })
}
