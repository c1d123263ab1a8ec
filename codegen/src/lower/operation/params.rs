//! Parameters: merged from path and operation level, named, typed, and checked against the
//! path template.

use super::{Found, RawParam};
use crate::error::Location;
use crate::ir::{Param, ParamLocation, Segment, SegmentPart, TypeRef};
use crate::lower::Lowering;
use crate::lower::schema::{SchemaAt, lower_inline};
use crate::names::{Holder, Scope, camel, reserved, snake, unraw};
use openapiv3::{Parameter, ParameterData, ParameterSchemaOrContent, ReferenceOr};

/// Path-level parameters, overridden by operation-level ones with the same name and place.
pub(super) fn declared_params(
    cx: &mut Lowering<'_>,
    found: &Found<'_>,
) -> Vec<(Parameter, crate::lower::Placed)> {
    let at = found.at.as_str();
    let mut declared: Vec<(Parameter, crate::lower::Placed)> = Vec::new();
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
pub(super) fn lower_params(
    cx: &mut Lowering<'_>,
    declared: &[(Parameter, crate::lower::Placed)],
    type_hint: &str,
    at: &str,
    operation_id: &str,
) -> Vec<RawParam> {
    let mut names = Scope::with_reserved(reserved::METHOD_LOCALS);
    names.reserve(
        reserved::BUILDER_METHODS.iter().copied(),
        "a method of every request builder",
    );
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
            if is_tuple(cx, &ty) {
                cx.warn(
                    Location::new(placed.at()).with_context(operation_id),
                    format!(
                        "parameter `{}` holds a tuple (`prefixItems`), which is sent as JSON text (`[1,\"a\"]`), not as a delimited list",
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

pub(super) fn location_of(param: &Parameter) -> ParamLocation {
    match param {
        Parameter::Query { .. } => ParamLocation::Query,
        Parameter::Header { .. } => ParamLocation::Header,
        Parameter::Path { .. } => ParamLocation::Path,
        Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

/// Whether a parameter's type is an object (written as JSON text in a parameter). Unions and
/// any-JSON values may hold scalars, which are sent as plain text, so they are not reported.
pub(super) fn is_object(cx: &Lowering<'_>, ty: &TypeRef) -> bool {
    let mut ty = ty;
    for _ in 0..32 {
        match ty {
            TypeRef::Map(_) => return true,
            TypeRef::Vec(item) | TypeRef::Boxed(item) | TypeRef::Nullable(item) => ty = item,
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

/// Whether a parameter's type is a tuple, or a list of them (written as JSON text).
fn is_tuple(cx: &Lowering<'_>, ty: &TypeRef) -> bool {
    let mut ty = ty;
    for _ in 0..32 {
        match ty {
            TypeRef::Tuple(_) => return true,
            TypeRef::Vec(item) | TypeRef::Boxed(item) | TypeRef::Nullable(item) => ty = item,
            TypeRef::Named(name) => match cx.types.named(name).map(|def| &def.kind) {
                Some(crate::ir::TypeKind::Alias(target)) => ty = target,
                _ => return false,
            },
            _ => return false,
        }
    }
    false
}

/// The serialization of a query parameter (`style`, `explode`); form, exploded, for others.
pub(super) fn query_style(param: &Parameter) -> crate::ir::QueryStyle {
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

/// The parameter's type and its default value as text (for client-level parameters).
pub(super) fn param_type(
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
pub(super) fn parse_template(
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
