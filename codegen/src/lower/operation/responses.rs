//! Responses: the success shape (one type, one with headers, or one variant per status), the
//! success types as `TypeDef`s, and the error type.

use super::bodies::{body_type, pick_content};
use crate::error::Location;
use crate::ir::{
    BodyEncoding, ErrorStatus, ErrorVariant, Operation, ResponseBody, ResponseHeader, Success,
    SuccessEnumDef, SuccessStatus, SuccessStructDef, SuccessVariant, TypeDef, TypeKind, TypeRef,
};
use crate::lower::Lowering;
use crate::lower::schema::lower_inline;
use crate::names::{Scope, camel, snake};
use crate::pointer::join as pointer;
use openapiv3::{ParameterSchemaOrContent, ReferenceOr, StatusCode};

/// An error response as read: its statuses, its body type and its description.
pub(super) type ErrorRead = (ErrorStatus, Option<TypeRef>, String);

/// A success response as read, before the operation's responses are put together.
pub(super) struct SuccessRead {
    pub(super) status: SuccessStatus,
    pub(super) body: Option<ResponseBody>,
    pub(super) headers: Vec<ResponseHeader>,
    pub(super) docs: String,
}

/// Lowers an operation's responses: what a successful call returns, and the error body type.
pub(super) fn lower_responses(
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
    let mut success = success_shape(cx, success, type_hint, at, operation_id);
    streams_single_only(cx, &mut success, at, operation_id);
    (success, error_type)
}

/// An event stream is what a call returns only when it is the operation's one success
/// response without headers; with headers or beside other success responses it is read as
/// text, with a warning.
fn streams_single_only(cx: &mut Lowering<'_>, success: &mut Success, at: &str, operation_id: &str) {
    let bodies: Vec<&mut Option<ResponseBody>> = match success {
        Success::Single { .. } => return,
        Success::WithHeaders { body, .. } => vec![body],
        Success::Enum { variants, .. } => variants.iter_mut().map(|v| &mut v.body).collect(),
    };
    let mut degraded = false;
    for body in bodies.into_iter().flatten() {
        if matches!(body.encoding, BodyEncoding::EventStream { .. }) {
            *body = ResponseBody {
                ty: TypeRef::String,
                encoding: BodyEncoding::Text,
            };
            degraded = true;
        }
    }
    if degraded {
        cx.warn(
            Location::new(at).with_context(operation_id),
            "an event stream is read as a stream only when it is the one success response, \
             without headers; here it is read as text",
        );
    }
}

/// Reads one response (`code` is `None` for `default`): a success response (2xx or `2XX`),
/// an error response, or nothing when its `$ref` does not resolve.
pub(super) fn read_response(
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
        crate::lower::Placed::Component { name, .. } => format!("{}Response", camel(name)),
        crate::lower::Placed::Inline(_) => format!(
            "{type_hint}Response{}",
            if success_status.is_some() {
                String::new()
            } else {
                camel(&key)
            }
        ),
    };
    let streams = response
        .content
        .keys()
        .any(|ct| super::bodies::essence(ct) == "text/event-stream");
    let body = pick_content(&response.content).map(|(ct, media)| {
        if streams && super::bodies::is_json(ct) {
            cx.warn(
                Location::new(&response_at),
                format!(
                    "the response offers JSON (`{ct}`) and an event stream: the client reads \
                     JSON, the server writes JSON"
                ),
            );
        }
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
pub(super) fn response_headers(
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
pub(super) fn success_shape(
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
                directions: crate::ir::Directions::BOTH,
                identical: false,
            })
        })
        .collect()
}

/// The error body type of an operation: the documented type when every error response has
/// the same one, JSON when none has a body, otherwise an enum with a variant per status.
pub(super) fn error_type(
    cx: &mut Lowering<'_>,
    mut errors: Vec<ErrorRead>,
    type_hint: &str,
) -> TypeRef {
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
        directions: crate::ir::Directions::BOTH,
        identical: false,
    });
    TypeRef::Named(name)
}

/// The variant name of a success status (`Ok`, `NoContent`, `Status207`, `OtherSuccess`).
pub(super) fn reason(status: SuccessStatus) -> String {
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
