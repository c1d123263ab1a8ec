//! Paths and operations → client methods.

use super::Lowering;
use super::schema::{SchemaAt, lower_inline};
use crate::error::Location;
use crate::ir::{
    BodyEncoding, ClientParam, ErrorStatus, ErrorVariant, Method, Operation, Paging, Param,
    ParamLocation, RequestBody, ResponseBody, ResponseHeader, Segment, SegmentPart, Success,
    SuccessEnumDef, SuccessStatus, SuccessStructDef, SuccessVariant, TypeDef, TypeKind, TypeRef,
};
use crate::names::{Claim, Holder, Scope, camel, reserved, snake, unraw};
use crate::pointer::join as pointer;
use indexmap::IndexMap;
use openapiv3::{
    MediaType, Parameter, ParameterData, ParameterSchemaOrContent, PathItem, ReferenceOr,
    StatusCode,
};
use std::collections::BTreeMap;

/// A parameter as read, before client-level parameters are taken out.
struct RawParam {
    param: Param,
    default: Option<String>,
}

struct RawOperation {
    op: Operation,
    params: Vec<RawParam>,
}

/// Lowers every operation; returns the client-level parameters and the operations.
pub(crate) fn lower_operations(cx: &mut Lowering<'_>) -> (Vec<ClientParam>, Vec<Operation>) {
    let doc = cx.doc;
    // First every operation and its id, so that method names (and the type names derived
    // from them) are decided before anything is lowered.
    let mut found = Vec::new();
    for (path, item) in &doc.paths.paths {
        let path_at = pointer("#/paths", path);
        let ReferenceOr::Item(item) = item else {
            cx.warn(
                Location::new(&path_at),
                "a `$ref` path item is not supported; the path is skipped",
            );
            continue;
        };
        for (method, operation) in methods(item) {
            let at = pointer(&path_at, method_key(method));
            let operation_id = operation
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{}_{}", method_key(method), path.trim_matches('/')));
            found.push(Found {
                path,
                item,
                method,
                operation,
                at,
                operation_id,
            });
        }
    }
    let mut scope = method_scope(cx);
    let method_names = method_names(cx, &mut scope, &found);
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut raw = Vec::new();
    for (found, names) in found.into_iter().zip(method_names) {
        if let Some(first) = seen.insert(found.operation_id.clone(), found.at.clone()) {
            cx.error(
                Location::new(&found.at).with_context(&found.operation_id),
                format!(
                    "operationId `{}` is also used at {first}; operationIds must be unique",
                    found.operation_id
                ),
            );
            continue;
        }
        if let Some(op) = lower_operation(cx, &found, names) {
            raw.push(op);
        }
    }
    let mut client_params = lift_client_params(&mut raw);
    name_client_settings(cx, &mut scope, &mut client_params, &mut raw);
    (client_params, raw.into_iter().map(|r| r.op).collect())
}

fn methods(item: &PathItem) -> Vec<(Method, &openapiv3::Operation)> {
    [
        (Method::Get, &item.get),
        (Method::Put, &item.put),
        (Method::Post, &item.post),
        (Method::Delete, &item.delete),
        (Method::Options, &item.options),
        (Method::Head, &item.head),
        (Method::Patch, &item.patch),
        (Method::Trace, &item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
    .collect()
}

fn method_key(method: Method) -> &'static str {
    match method {
        Method::Get => "get",
        Method::Put => "put",
        Method::Post => "post",
        Method::Delete => "delete",
        Method::Options => "options",
        Method::Head => "head",
        Method::Patch => "patch",
        Method::Trace => "trace",
    }
}

/// An operation as found in `paths`, before lowering.
struct Found<'d> {
    path: &'d str,
    item: &'d PathItem,
    method: Method,
    operation: &'d openapiv3::Operation,
    at: String,
    operation_id: String,
}

/// Lowers one operation, named `names`: parameters, body, responses, then paging.
fn lower_operation(
    cx: &mut Lowering<'_>,
    found: &Found<'_>,
    names: MethodNames,
) -> Option<RawOperation> {
    let Found {
        path,
        method,
        operation,
        ref at,
        ref operation_id,
        ..
    } = *found;
    let at = at.as_str();
    let type_hint = camel(&names.method);
    let errors_before = cx.errors.len();
    let operation_id = operation_id.as_str();

    let declared = declared_params(cx, found);
    let mut params = lower_params(cx, &declared, &type_hint, at, operation_id);
    let segments = parse_template(cx, path, at, operation_id, &mut params);
    let body = lower_body(cx, operation, at, &type_hint);
    let (success, error_type) = lower_responses(cx, operation, &type_hint, at, operation_id);
    let idempotent = idempotent(cx, operation, method, at, operation_id);
    let mut rust_name = names.method;
    let paging = match operation.extensions.get("x-paging") {
        Some(extension) => {
            let page_name = names
                .page
                .unwrap_or_else(|| format!("{}_page", unraw(&rust_name)));
            lower_paging(
                cx,
                extension,
                &mut params,
                &success,
                (&mut rust_name, page_name),
                at,
                operation_id,
            )
        }
        None => None,
    };

    if cx.errors.len() > errors_before {
        return None;
    }
    Some(RawOperation {
        op: Operation {
            operation_id: operation_id.to_owned(),
            rust_name,
            method,
            path: path.to_owned(),
            segments,
            route: None,
            summary: operation.summary.clone(),
            description: operation.description.clone(),
            deprecated: operation.deprecated,
            params: Vec::new(),
            body,
            success,
            error_type,
            source: at.to_owned(),
            idempotent,
            paging,
            tags: operation.tags.clone(),
        },
        params,
    })
}

/// Path-level parameters, overridden by operation-level ones with the same name and place.
fn declared_params(cx: &mut Lowering<'_>, found: &Found<'_>) -> Vec<(Parameter, super::Placed)> {
    let at = found.at.as_str();
    let mut declared: Vec<(Parameter, super::Placed)> = Vec::new();
    let sources = found
        .item
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                p,
                format!(
                    "{}/parameters/{i}",
                    at.rsplit_once('/').map_or(at, |(p, _)| p)
                ),
            )
        })
        .chain(
            found
                .operation
                .parameters
                .iter()
                .enumerate()
                .map(|(i, p)| (p, format!("{at}/parameters/{i}"))),
        );
    for (param, param_at) in sources {
        let Some((param, placed)) =
            cx.resolve_at(param, "parameters", |c| &c.parameters, &param_at)
        else {
            continue;
        };
        let key = (param.parameter_data_ref().name.clone(), location_of(param));
        declared.retain(|(p, _)| (p.parameter_data_ref().name.clone(), location_of(p)) != key);
        declared.push((param.clone(), placed));
    }
    declared
}

/// The parameters, by location (path, query, header, cookie), named around the locals of the
/// generated method and handler ([`reserved::METHOD_LOCALS`]) and each other; two wire names
/// that become one Rust name are reported where the second is renamed.
fn lower_params(
    cx: &mut Lowering<'_>,
    declared: &[(Parameter, super::Placed)],
    type_hint: &str,
    at: &str,
    operation_id: &str,
) -> Vec<RawParam> {
    let mut names = Scope::with_reserved(reserved::METHOD_LOCALS);
    let mut params: Vec<RawParam> = Vec::new();
    for location in [
        ParamLocation::Path,
        ParamLocation::Query,
        ParamLocation::Header,
        ParamLocation::Cookie,
    ] {
        for (param, placed) in declared.iter().filter(|(p, _)| location_of(p) == location) {
            let data = param.parameter_data_ref();
            let hint = placed.hint(&format!("{type_hint}{}", camel(&data.name)));
            let (ty, default) = param_type(cx, data, &hint, placed.at());
            let required = data.required || location == ParamLocation::Path;
            let style = query_style(param);
            if style != crate::ir::QueryStyle::DeepObject && is_object(cx, &ty) {
                cx.warn(
                    Location::new(placed.at()).with_context(operation_id),
                    format!(
                        "parameter `{}` holds an object, which is sent as JSON text outside the query's `deepObject` style",
                        data.name
                    ),
                );
            }
            let wanted = snake(&data.name);
            let claim = names.claim_by(&wanted, &data.name);
            if let Some(Holder::Claimed(other)) = &claim.displaced_by {
                cx.warn(
                    Location::new(format!("{at}/parameters")),
                    format!(
                        "parameters {other:?} and {:?} both become `{}` in Rust; {:?} is named \
                         `{}` instead",
                        data.name,
                        unraw(&wanted),
                        data.name,
                        unraw(&claim.name)
                    ),
                );
            }
            params.push(RawParam {
                param: Param {
                    wire_name: data.name.clone(),
                    rust_name: claim.name,
                    location,
                    ty,
                    required,
                    style,
                    docs: data.description.clone(),
                },
                default,
            });
        }
    }
    params
}

/// The request body, in the media type [`pick_content`] prefers.
fn lower_body(
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

/// Whether the operation may be retried: `x-idempotent`, else what HTTP says of its method.
fn idempotent(
    cx: &mut Lowering<'_>,
    operation: &openapiv3::Operation,
    method: Method,
    at: &str,
    operation_id: &str,
) -> bool {
    match operation.extensions.get("x-idempotent") {
        Some(serde_json::Value::Bool(flag)) => *flag,
        Some(_) => {
            cx.warn(
                Location::new(at).with_context(operation_id),
                "`x-idempotent` must be a boolean; ignored",
            );
            default_idempotent(method)
        }
        None => default_idempotent(method),
    }
}

/// Methods that HTTP defines as idempotent.
fn default_idempotent(method: Method) -> bool {
    matches!(
        method,
        Method::Get | Method::Head | Method::Options | Method::Put | Method::Delete | Method::Trace
    )
}

/// Reads `x-paging` (`itemsFrom: body`, `pageSizeHeader`, `continuationRequestHeader`,
/// `continuationResponseHeader`). The operation's method becomes `page_name` (`<name>_page`,
/// claimed with the other method names), and a stream method named `<name>` follows the tokens. Anything it cannot use is a warning and the
/// operation stays a plain method.
fn lower_paging(
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
        continuation_param,
        continuation_field: field.rust_name.clone(),
        item: item.as_ref().clone(),
    })
}

fn location_of(param: &Parameter) -> ParamLocation {
    match param {
        Parameter::Query { .. } => ParamLocation::Query,
        Parameter::Header { .. } => ParamLocation::Header,
        Parameter::Path { .. } => ParamLocation::Path,
        Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

/// The parameter's type and its default value as text (for client-level parameters).
/// Whether a parameter's type is an object (written as JSON text in a parameter). Unions and
/// any-JSON values may hold scalars, which are sent as plain text, so they are not reported.
fn is_object(cx: &Lowering<'_>, ty: &TypeRef) -> bool {
    let mut ty = ty;
    for _ in 0..32 {
        match ty {
            TypeRef::Map(_) => return true,
            TypeRef::Vec(item) | TypeRef::Boxed(item) => ty = item,
            TypeRef::Named(name) => match cx.types.named(name) {
                Some(def) => match &def.kind {
                    crate::ir::TypeKind::Alias(target) => ty = target,
                    crate::ir::TypeKind::Struct(_) => return true,
                    _ => return false,
                },
                None => return false,
            },
            _ => return false,
        }
    }
    false
}

/// The serialization of a query parameter (`style`, `explode`); form, exploded, for others.
fn query_style(param: &Parameter) -> crate::ir::QueryStyle {
    use crate::ir::QueryStyle as S;
    match param {
        Parameter::Query {
            style,
            parameter_data,
            ..
        } => match style {
            openapiv3::QueryStyle::Form if parameter_data.explode == Some(false) => S::Form,
            openapiv3::QueryStyle::Form => S::FormExploded,
            openapiv3::QueryStyle::SpaceDelimited => S::SpaceDelimited,
            openapiv3::QueryStyle::PipeDelimited => S::PipeDelimited,
            openapiv3::QueryStyle::DeepObject => S::DeepObject,
        },
        _ => S::FormExploded,
    }
}

fn param_type(
    cx: &mut Lowering<'_>,
    data: &ParameterData,
    hint: &str,
    at: &str,
) -> (TypeRef, Option<String>) {
    match &data.format {
        ParameterSchemaOrContent::Schema(schema) => {
            let default = match schema {
                ReferenceOr::Item(s) => s
                    .schema_data
                    .default
                    .as_ref()
                    .and_then(|d| d.as_str().map(str::to_owned)),
                ReferenceOr::Reference { .. } => None,
            };
            (
                lower_inline(cx, SchemaAt::from(schema), hint, &format!("{at}/schema")),
                default,
            )
        }
        ParameterSchemaOrContent::Content(_) => {
            cx.warn(
                Location::new(at),
                "a parameter with `content` is sent as a plain string",
            );
            (TypeRef::String, None)
        }
    }
}

/// Splits the path template into segments and checks that template and parameters agree.
fn parse_template(
    cx: &mut Lowering<'_>,
    path: &str,
    at: &str,
    operation_id: &str,
    params: &mut [RawParam],
) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut used = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        if matches!(raw, "." | "..") {
            // The runtime refuses to send such a segment (URL normalization would remove it,
            // and the request would reach another resource), so the method always fails.
            cx.warn(
                Location::new(at).with_context(operation_id),
                format!(
                    "path template `{path}` has a `{raw}` segment, which URL normalization would \
                     remove (reaching another resource): the client refuses to send it, so this \
                     operation's method always fails with `Error::InvalidInput`"
                ),
            );
        }
        let mut parts = Vec::new();
        let mut rest = raw;
        while let Some(open) = rest.find('{') {
            let (before, after) = rest.split_at(open);
            if !before.is_empty() {
                parts.push(SegmentPart::Literal(before.to_owned()));
            }
            let Some(close) = after.find('}') else {
                cx.error(
                    Location::new(at).with_context(operation_id),
                    format!("path template `{path}` has an unclosed `{{`"),
                );
                return segments;
            };
            let name = after.get(1..close).unwrap_or_default();
            match params.iter().find(|p| p.param.location == ParamLocation::Path && p.param.wire_name == name) {
                Some(p) => {
                    parts.push(SegmentPart::Param(p.param.rust_name.clone()));
                    used.push(name.to_owned());
                }
                None => cx.error(
                    Location::new(at).with_context(operation_id),
                    format!(
                        "path template `{path}` uses `{{{name}}}` but the operation declares no \
                         path parameter `{name}`; add `- {{name: {name}, in: path, required: true, schema: {{type: string}}}}`"
                    ),
                ),
            }
            rest = after.get(close + 1..).unwrap_or_default();
        }
        if !rest.is_empty() {
            parts.push(SegmentPart::Literal(rest.to_owned()));
        }
        segments.push(Segment { parts });
    }
    for p in params
        .iter()
        .filter(|p| p.param.location == ParamLocation::Path)
    {
        if !used.contains(&p.param.wire_name) {
            cx.error(
                Location::new(at).with_context(operation_id),
                format!(
                    "path parameter `{}` does not appear in the path template `{path}`",
                    p.param.wire_name
                ),
            );
        }
    }
    segments
}

/// The media type without parameters, lower-cased.
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn is_json(content_type: &str) -> bool {
    let essence = essence(content_type);
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*"
}

/// How a body of this media type is encoded (`request`: multipart is only sent, never read).
fn encoding_of(content_type: &str, request: bool) -> BodyEncoding {
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
fn pick_content(content: &IndexMap<String, MediaType>) -> Option<(&str, &MediaType)> {
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

fn body_type(
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

/// A success response as read, before the operation's responses are put together.
struct SuccessRead {
    status: SuccessStatus,
    body: Option<ResponseBody>,
    headers: Vec<ResponseHeader>,
    docs: String,
}

/// An error response as read: its statuses, its body type and its description.
type ErrorRead = (ErrorStatus, Option<TypeRef>, String);

/// Lowers an operation's responses: what a successful call returns, and the error body type.
fn lower_responses(
    cx: &mut Lowering<'_>,
    operation: &openapiv3::Operation,
    type_hint: &str,
    at: &str,
    operation_id: &str,
) -> (Success, TypeRef) {
    let mut success: Vec<SuccessRead> = Vec::new();
    let mut errors: Vec<ErrorRead> = Vec::new();
    let responses = operation
        .responses
        .responses
        .iter()
        .map(|(code, r)| (Some(code.clone()), r))
        .chain(operation.responses.default.iter().map(|r| (None, r)));
    for (code, response) in responses {
        match read_response(cx, code.as_ref(), response, type_hint, at) {
            Some(Ok(read)) => success.push(read),
            Some(Err(read)) => errors.push(read),
            None => {}
        }
    }
    let error_type = error_type(cx, errors, type_hint);
    let success = success_shape(cx, success, type_hint, at, operation_id);
    (success, error_type)
}

/// Reads one response (`code` is `None` for `default`): a success response (2xx or `2XX`),
/// an error response, or nothing when its `$ref` does not resolve.
fn read_response(
    cx: &mut Lowering<'_>,
    code: Option<&StatusCode>,
    response: &ReferenceOr<openapiv3::Response>,
    type_hint: &str,
    at: &str,
) -> Option<Result<SuccessRead, ErrorRead>> {
    let key = match code {
        Some(StatusCode::Code(c)) => c.to_string(),
        Some(StatusCode::Range(r)) => format!("{r}XX"),
        None => "default".to_owned(),
    };
    let use_at = pointer(&format!("{at}/responses"), &key);
    let (response, placed) = cx.resolve_at(response, "responses", |c| &c.responses, &use_at)?;
    let response_at = placed.at().to_owned();
    let success_status = match code {
        Some(StatusCode::Code(c)) if (200..300).contains(c) => Some(SuccessStatus::Exact(*c)),
        Some(StatusCode::Range(2)) => Some(SuccessStatus::AnySuccess),
        _ => None,
    };
    let hint = match &placed {
        super::Placed::Component { name, .. } => format!("{}Response", camel(name)),
        super::Placed::Inline(_) => format!(
            "{type_hint}Response{}",
            if success_status.is_some() {
                String::new()
            } else {
                camel(&key)
            }
        ),
    };
    let body = pick_content(&response.content).map(|(ct, media)| {
        let (ty, encoding) = body_type(cx, ct, media, &hint, &response_at, false);
        ResponseBody { ty, encoding }
    });
    let Some(status) = success_status else {
        let status = match code {
            Some(StatusCode::Code(c)) => ErrorStatus::Code(*c),
            Some(StatusCode::Range(r)) => ErrorStatus::Range(*r),
            None => ErrorStatus::Default,
        };
        return Some(Err((
            status,
            body.map(|b| b.ty),
            response.description.clone(),
        )));
    };
    let headers = response_headers(cx, response, &response_at, type_hint);
    Some(Ok(SuccessRead {
        status,
        body,
        headers,
        docs: response.description.clone(),
    }))
}

/// The declared headers of a success response; a header that is not a string, a number or a
/// boolean is read as a string.
fn response_headers(
    cx: &mut Lowering<'_>,
    response: &openapiv3::Response,
    response_at: &str,
    type_hint: &str,
) -> Vec<ResponseHeader> {
    let mut header_names = Scope::with_reserved(&["body"]);
    let mut headers = Vec::new();
    for (name, header) in &response.headers {
        let header_at = pointer(&format!("{response_at}/headers"), name);
        let Some((header, placed)) = cx.resolve_at(header, "headers", |c| &c.headers, &header_at)
        else {
            continue;
        };
        let ty = match &header.format {
            ParameterSchemaOrContent::Schema(schema) => lower_inline(
                cx,
                schema.into(),
                &placed.hint(&format!("{type_hint}{}", camel(name))),
                placed.at(),
            ),
            ParameterSchemaOrContent::Content(_) => TypeRef::String,
        };
        let ty = match ty {
            TypeRef::I32
            | TypeRef::I64
            | TypeRef::F32
            | TypeRef::F64
            | TypeRef::Bool
            | TypeRef::String => ty,
            _ => TypeRef::String,
        };
        headers.push(ResponseHeader {
            wire_name: name.to_ascii_lowercase(),
            rust_name: header_names.claim(&snake(name)),
            ty,
            docs: header.description.clone(),
        });
    }
    headers
}

/// What a successful call returns, from its success responses: one response (or several with
/// the same body and no headers) is returned as its body, one with headers as a struct, and
/// several that differ as an enum with a variant per status (exact codes first, then `2XX`,
/// the order the client tries them in). Without a success response, any 2xx status is
/// success with no body.
fn success_shape(
    cx: &mut Lowering<'_>,
    mut reads: Vec<SuccessRead>,
    type_hint: &str,
    at: &str,
    operation_id: &str,
) -> Success {
    let statuses = |reads: &[SuccessRead]| reads.iter().map(|r| r.status).collect::<Vec<_>>();
    match reads.as_slice() {
        [] => Success::Single {
            statuses: vec![SuccessStatus::AnySuccess],
            body: None,
        },
        [only] if only.headers.is_empty() => Success::Single {
            statuses: statuses(&reads),
            body: only.body.clone(),
        },
        [only] => Success::WithHeaders {
            rust_name: cx.type_names.claim(&format!("{type_hint}Response")),
            statuses: statuses(&reads),
            body: only.body.clone(),
            headers: only.headers.clone(),
        },
        [first, rest @ ..]
            if rest
                .iter()
                .all(|r| r.body == first.body && r.headers.is_empty())
                && first.headers.is_empty() =>
        {
            Success::Single {
                statuses: statuses(&reads),
                body: first.body.clone(),
            }
        }
        many => {
            if many.iter().any(|r| !r.headers.is_empty()) {
                cx.warn(
                    Location::new(at).with_context(operation_id),
                    "response headers of an operation with several success responses are not decoded",
                );
            }
            // Stable: exact codes keep the document's order.
            reads.sort_by_key(|r| matches!(r.status, SuccessStatus::AnySuccess));
            let mut variant_names = Scope::default();
            let variants = reads
                .into_iter()
                .map(|r| SuccessVariant {
                    rust_name: variant_names.claim(&reason(r.status)),
                    status: r.status,
                    body: r.body,
                    docs: Some(r.docs).filter(|d| !d.is_empty()),
                })
                .collect();
            Success::Enum {
                rust_name: cx.type_names.claim(&format!("{type_hint}Response")),
                variants,
            }
        }
    }
}

/// Gives every operation its route (see [`Operation::route`]), and warns about each one the
/// server cannot serve.
pub(crate) fn route_operations(cx: &mut Lowering<'_>, operations: &mut [Operation]) {
    for op in operations {
        op.route = route(op);
        if op.route.is_none() {
            cx.warn(
                Location::new(&op.source).with_context(&op.operation_id),
                format!(
                    "a segment of the path `{}` mixes text and parameters, which the generated \
                     server's router cannot match: the server does not serve this operation",
                    op.path
                ),
            );
        }
    }
}

/// The router's path of an operation: its segments with parameters as `{wire_name}`; `None`
/// when a segment mixes text and parameters.
fn route(op: &Operation) -> Option<String> {
    let mut path = String::new();
    for segment in &op.segments {
        path.push('/');
        match segment.parts.as_slice() {
            [SegmentPart::Literal(text)] => path.push_str(text),
            [SegmentPart::Param(rust)] => {
                let param = op.params.iter().find(|p| &p.rust_name == rust)?;
                path.push('{');
                path.push_str(&param.wire_name);
                path.push('}');
            }
            _ => return None,
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    Some(path)
}

/// The types of the operations' success shapes that are not a plain body (a struct with
/// headers, an enum of statuses), in operation order.
pub(crate) fn response_types(operations: &[Operation]) -> Vec<TypeDef> {
    operations
        .iter()
        .filter_map(|op| {
            let (rust_name, kind) = match &op.success {
                Success::Single { .. } => return None,
                Success::WithHeaders {
                    rust_name,
                    body,
                    headers,
                    ..
                } => (
                    rust_name,
                    TypeKind::SuccessStruct(SuccessStructDef {
                        operation_id: op.operation_id.clone(),
                        body: body.clone(),
                        headers: headers.clone(),
                    }),
                ),
                Success::Enum {
                    rust_name,
                    variants,
                } => (
                    rust_name,
                    TypeKind::SuccessEnum(SuccessEnumDef {
                        operation_id: op.operation_id.clone(),
                        variants: variants.clone(),
                    }),
                ),
            };
            Some(TypeDef {
                rust_name: rust_name.clone(),
                source: String::new(),
                docs: None,
                deprecated: false,
                kind,
            })
        })
        .collect()
}

/// The error body type of an operation: the documented type when every error response has
/// the same one, JSON when none has a body, otherwise an enum with a variant per status.
fn error_type(cx: &mut Lowering<'_>, mut errors: Vec<ErrorRead>, type_hint: &str) -> TypeRef {
    let typed: Vec<&TypeRef> = errors.iter().filter_map(|(_, ty, _)| ty.as_ref()).collect();
    match typed.split_first() {
        None => return TypeRef::Json,
        Some((first, rest)) if rest.iter().all(|t| t == first) && typed.len() == errors.len() => {
            return (*first).clone();
        }
        _ => {}
    }
    // Exact codes first, then ranges, then `default`: the order the decoder tries them in.
    errors.sort_by_key(|(status, _, _)| *status);
    let mut names = Scope::default();
    let variants = errors
        .into_iter()
        .filter_map(|(status, ty, docs)| {
            let ty = ty?;
            let name = match status {
                ErrorStatus::Code(code) => format!("Status{code}"),
                ErrorStatus::Range(range) => format!("Status{range}xx"),
                ErrorStatus::Default => "Default".to_owned(),
            };
            Some(ErrorVariant {
                rust_name: names.claim(&name),
                status,
                ty,
                docs: Some(docs).filter(|d| !d.is_empty()),
            })
        })
        .collect();
    let name = cx.type_names.claim(&format!("{type_hint}Error"));
    cx.types.push(TypeDef {
        rust_name: name.clone(),
        source: String::new(),
        docs: Some(format!("The error bodies of `{type_hint}`, by status.")),
        deprecated: false,
        kind: TypeKind::ErrorEnum(variants),
    });
    TypeRef::Named(name)
}

/// The variant name of a success status (`Ok`, `NoContent`, `Status207`, `OtherSuccess`).
fn reason(status: SuccessStatus) -> String {
    match status {
        SuccessStatus::Exact(200) => "Ok".to_owned(),
        SuccessStatus::Exact(201) => "Created".to_owned(),
        SuccessStatus::Exact(202) => "Accepted".to_owned(),
        SuccessStatus::Exact(203) => "NonAuthoritativeInformation".to_owned(),
        SuccessStatus::Exact(204) => "NoContent".to_owned(),
        SuccessStatus::Exact(205) => "ResetContent".to_owned(),
        SuccessStatus::Exact(206) => "PartialContent".to_owned(),
        SuccessStatus::Exact(code) => format!("Status{code}"),
        SuccessStatus::AnySuccess => "OtherSuccess".to_owned(),
    }
}

/// Query parameters that every operation takes, with the same name and a string default,
/// become client settings (for example `api-version`).
fn lift_client_params(raw: &mut [RawOperation]) -> Vec<ClientParam> {
    let Some((first, rest)) = raw.split_first() else {
        return Vec::new();
    };
    let mut lifted = Vec::new();
    for candidate in &first.params {
        let (ParamLocation::Query, Some(default)) = (candidate.param.location, &candidate.default)
        else {
            continue;
        };
        if candidate.param.ty != TypeRef::String {
            continue;
        }
        let everywhere = rest.iter().all(|op| {
            op.params.iter().any(|p| {
                p.param.location == ParamLocation::Query
                    && p.param.wire_name == candidate.param.wire_name
                    && p.default.as_ref() == Some(default)
            })
        });
        if everywhere {
            lifted.push(ClientParam {
                wire_name: candidate.param.wire_name.clone(),
                rust_name: snake(&candidate.param.wire_name),
                default: default.clone(),
                docs: candidate.param.docs.clone(),
            });
        }
    }
    for op in raw.iter_mut() {
        let params = std::mem::take(&mut op.params);
        op.op.params = params
            .into_iter()
            .filter(|p| {
                !(p.param.location == ParamLocation::Query
                    && lifted.iter().any(|l| l.wire_name == p.param.wire_name))
            })
            .map(|p| p.param)
            .collect();
    }
    lifted
}

/// The scope of the client's method names, holding every name the generated client defines
/// for itself (see [`reserved`]) and those hand-written extensions reserve.
fn method_scope(cx: &Lowering<'_>) -> Scope {
    let mut scope = Scope::default();
    scope.reserve(
        reserved::CLIENT_COMMON_METHODS.iter().copied(),
        "a method every generated client has (the runtime's `client_common!`)",
    );
    scope.reserve(
        reserved::CLIENT_OWN_METHODS.iter().copied(),
        "a method every generated client has",
    );
    scope.reserve(
        reserved::CLIENT_TRAIT_METHODS.iter().copied(),
        "a method of a trait every generated client implements",
    );
    scope.reserve(
        cx.reserved_methods.iter().map(String::as_str),
        "a method a hand-written extension of the crate defines",
    );
    scope
}

/// The method names of one operation, decided before it is lowered.
struct MethodNames {
    /// The operation's method; for a paged operation, its stream method.
    method: String,
    /// A paged operation's `_page` method, claimed whenever the operation has `x-paging`.
    page: Option<String>,
}

/// Names methods from operationIds in snake_case. Azure-style ids (`Group_Operation`) lose the
/// group prefix when the rest is unique across the API (`Jobs_GetScheduledJob` →
/// `get_scheduled_job`). Every name, a paged operation's `_page` method too, is claimed in the
/// one scope of client methods, in document order; a rename is reported where it happens.
fn method_names(cx: &mut Lowering<'_>, scope: &mut Scope, found: &[Found<'_>]) -> Vec<MethodNames> {
    let short = |id: &str| -> Option<String> {
        let (prefix, rest) = id.split_once('_')?;
        let valid = !prefix.is_empty()
            && prefix.chars().all(|c| c.is_ascii_alphanumeric())
            && rest.starts_with(|c: char| c.is_ascii_alphabetic());
        valid.then(|| snake(rest))
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for f in found {
        let name = short(&f.operation_id).unwrap_or_else(|| snake(&f.operation_id));
        *counts.entry(name).or_default() += 1;
    }
    // The operation each plain method name was claimed by.
    let mut claimed_by: BTreeMap<String, &str> = BTreeMap::new();
    found
        .iter()
        .map(|f| {
            let id = f.operation_id.as_str();
            let candidate = match short(id) {
                Some(name) if counts.get(&name) == Some(&1) => name,
                _ => snake(id),
            };
            let what = format!("the method of operationId `{id}`");
            let claim = scope.claim_by(&candidate, &format!("operationId `{id}`"));
            match claimed_by.get(unraw(&candidate)) {
                Some(first) if claim.displaced_by.is_some() => cx.warn(
                    Location::new(&f.at).with_context(id),
                    format!(
                        "operationIds {first:?} and {id:?} both become `{}` in Rust; {id:?} is \
                         named `{}` instead",
                        unraw(&candidate),
                        unraw(&claim.name)
                    ),
                ),
                _ => note_rename(cx, f, &what, &candidate, &claim),
            }
            claimed_by.insert(unraw(&claim.name).to_owned(), id);
            let page = f.operation.extensions.contains_key("x-paging").then(|| {
                let wanted = format!("{}_page", unraw(&claim.name));
                let what = format!("the `_page` method of paged operationId `{id}`");
                let page = scope.claim_by(&wanted, &what);
                note_rename(cx, f, &what, &wanted, &page);
                page.name
            });
            MethodNames {
                method: claim.name,
                page,
            }
        })
        .collect()
}

/// Warns that `what` (a method of operation `found`) is not named `wanted`, when `claim` says
/// it was taken.
fn note_rename(cx: &mut Lowering<'_>, found: &Found<'_>, what: &str, wanted: &str, claim: &Claim) {
    let Some(holder) = &claim.displaced_by else {
        return;
    };
    let held = match holder {
        Holder::Reserved(why) => format!("which is {why}"),
        Holder::Claimed(by) => format!("which {by} already takes"),
    };
    cx.warn(
        Location::new(&found.at).with_context(&found.operation_id),
        format!(
            "{what} would be `{}`, {held}; it is named `{}` instead",
            unraw(wanted),
            unraw(&claim.name)
        ),
    );
}

/// Names the client settings' accessors (`api_version`, `with_api_version`) in the scope of
/// methods. A setting whose accessor would be a reserved name gets a number; an operation
/// whose method one of them takes is renamed `<method>_operation`, with a warning.
fn name_client_settings(
    cx: &mut Lowering<'_>,
    scope: &mut Scope,
    settings: &mut [ClientParam],
    raw: &mut [RawOperation],
) {
    // Why `name` cannot be an accessor: reserved, or (for a renamed setting) taken at all.
    let unusable = |scope: &Scope, name: &str, renamed: bool| match scope.holder(name) {
        Some(Holder::Reserved(why)) => Some(format!("`{name}` is {why}")),
        Some(Holder::Claimed(by)) if renamed => Some(format!("`{name}` is taken by {by}")),
        _ => None,
    };
    for setting in settings.iter_mut() {
        let wanted = setting.rust_name.clone();
        let base = unraw(&wanted).to_owned();
        let mut n = 1usize;
        let mut name = base.clone();
        let mut why = None;
        while let Some(reason) = unusable(scope, &name, n > 1)
            .or_else(|| unusable(scope, &format!("with_{name}"), n > 1))
        {
            why.get_or_insert(reason);
            n += 1;
            name = format!("{base}{n}");
        }
        if let (Some(why), Some(first)) = (why, raw.first()) {
            cx.warn(
                Location::new(format!("{}/parameters", first.op.source)),
                format!(
                    "the client setting `{}` would have the accessors `{base}` and `with_{base}`, \
                     but {why}; they are `{name}` and `with_{name}` instead",
                    setting.wire_name
                ),
            );
            setting.rust_name = name;
        }
        let by = format!("client setting `{}`", setting.wire_name);
        let accessors = [
            unraw(&setting.rust_name).to_owned(),
            format!("with_{}", unraw(&setting.rust_name)),
        ];
        for accessor in &accessors {
            for op in raw.iter_mut() {
                let id = op.op.operation_id.clone();
                let source = op.op.source.clone();
                let stream = op.op.paging.as_mut().map(|p| &mut p.stream_name);
                for method in std::iter::once(&mut op.op.rust_name).chain(stream) {
                    if unraw(method) != accessor {
                        continue;
                    }
                    let wanted = format!("{method}_operation");
                    let claim = scope.claim_by(&wanted, &format!("operationId `{id}`"));
                    cx.warn(
                        Location::new(&source).with_context(&id),
                        format!(
                            "the method of operationId `{id}` would be `{accessor}`, which the \
                             {by} takes; it is named `{}` instead",
                            unraw(&claim.name)
                        ),
                    );
                    *method = claim.name;
                }
            }
            scope.take_over(accessor, &by);
        }
    }
}
