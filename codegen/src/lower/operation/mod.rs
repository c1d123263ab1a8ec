//! Paths and operations → client methods: each operation found, named (`naming`), its
//! parameters (`params`), body (`bodies`), responses (`responses`) and paging (`paging`)
//! lowered, and every operation given its router path (`routes`).

mod bodies;
mod naming;
mod paging;
mod params;
mod responses;
mod routes;

use super::Lowering;
use crate::error::Location;
use crate::ir::{ClientParam, Method, Operation, Param};
use crate::names::{camel, unraw};
use crate::pointer::join as pointer;
use bodies::lower_body;
use naming::{MethodNames, lift_client_params, method_names, method_scope, name_client_settings};
use openapiv3::{PathItem, ReferenceOr};
use paging::lower_paging;
use params::{declared_params, lower_params, parse_template};
use responses::lower_responses;
use std::collections::BTreeMap;

pub(crate) use responses::response_types;
pub(crate) use routes::route_operations;

/// A parameter as read, before client-level parameters are taken out.
pub(super) struct RawParam {
    pub(super) param: Param,
    pub(super) default: Option<String>,
}

pub(super) struct RawOperation {
    pub(super) op: Operation,
    pub(super) params: Vec<RawParam>,
}

/// Lowers every operation; returns the client-level parameters and the operations.
pub(crate) fn lower_operations(cx: &mut Lowering<'_>) -> (Vec<ClientParam>, Vec<Operation>) {
    let doc = cx.doc;
    // First every operation and its id, so that method names (and the type names derived
    // from them) are decided before anything is lowered.
    let mut found = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
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
            let written = operation
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{}_{}", method_key(method), path.trim_matches('/')));
            let operation_id = unique_id(cx, &mut seen, written, &at);
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
    cx.schemes = super::security::schemes(cx, &mut scope);
    let method_names = method_names(cx, &mut scope, &found);
    let mut raw = Vec::new();
    for (found, names) in found.into_iter().zip(method_names) {
        if let Some(op) = lower_operation(cx, &found, names) {
            raw.push(op);
        }
    }
    let mut client_params = lift_client_params(&mut raw);
    name_client_settings(cx, &mut scope, &mut client_params, &mut raw);
    naming::name_builders(&mut raw);
    (client_params, raw.into_iter().map(|r| r.op).collect())
}

/// `id`, or, when an operation before it (at `seen[id]`) has it already, the first of `id2`,
/// `id3`... that none has, with a warning naming both places: operationIds must be unique,
/// and documents that repeat one (`/jobs` and `/jobs/`) still mean two operations.
fn unique_id(
    cx: &mut Lowering<'_>,
    seen: &mut BTreeMap<String, String>,
    id: String,
    at: &str,
) -> String {
    let Some(first) = seen.get(&id).cloned() else {
        seen.insert(id.clone(), at.to_owned());
        return id;
    };
    let renamed = (2..)
        .map(|n| format!("{id}{n}"))
        .find(|candidate| !seen.contains_key(candidate))
        .unwrap_or_default();
    cx.warn(
        Location::new(at).with_context(&id),
        format!(
            "operationId `{id}` is also used at {first}; operationIds must be unique, so this \
             operation is read as `{renamed}`"
        ),
    );
    seen.insert(renamed.clone(), at.to_owned());
    renamed
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
pub(super) struct Found<'d> {
    pub(super) path: &'d str,
    pub(super) item: &'d PathItem,
    pub(super) method: Method,
    pub(super) operation: &'d openapiv3::Operation,
    pub(super) at: String,
    pub(super) operation_id: String,
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
    let schemes = std::mem::take(&mut cx.schemes);
    let security = super::security::requirements(cx, &schemes, operation.security.as_ref(), at);
    cx.schemes = schemes;
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
            builder: String::new(),
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
            security,
        },
        params,
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
