//! Method names: operations, their `_page` companions and client settings, claimed in one
//! scope against the names the client keeps for itself.

use super::{Found, RawOperation};
use crate::error::Location;
use crate::ir::{ClientParam, ParamLocation, TypeRef};
use crate::lower::Lowering;
use crate::names::{Claim, Holder, Scope, camel, reserved, snake, unraw};
use std::collections::BTreeMap;

/// Query parameters that every operation takes, with the same name and a string default,
/// become client settings (for example `api-version`).
pub(super) fn lift_client_params(raw: &mut [RawOperation]) -> Vec<ClientParam> {
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
pub(super) fn method_scope(cx: &Lowering<'_>) -> Scope {
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
pub(super) struct MethodNames {
    /// The operation's method; for a paged operation, its stream method.
    pub(super) method: String,
    /// A paged operation's `_page` method, claimed whenever the operation has `x-paging`.
    pub(super) page: Option<String>,
}

/// Names methods from operationIds in snake_case. Azure-style ids (`Group_Operation`) lose the
/// group prefix when the rest is unique across the API (`Jobs_GetScheduledJob` →
/// `get_scheduled_job`). Every name, a paged operation's `_page` method too, is claimed in the
/// one scope of client methods, in document order; a rename is reported where it happens.
pub(super) fn method_names(
    cx: &mut Lowering<'_>,
    scope: &mut Scope,
    found: &[Found<'_>],
) -> Vec<MethodNames> {
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
pub(super) fn note_rename(
    cx: &mut Lowering<'_>,
    found: &Found<'_>,
    what: &str,
    wanted: &str,
    claim: &Claim,
) {
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
pub(super) fn name_client_settings(
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

/// Names the request builder types (in the `requests` module): each method's name in
/// `UpperCamelCase`, a paged operation's stream too, in one scope that also holds the type
/// names the module uses unqualified and those it defines for every API.
pub(super) fn name_builders(raw: &mut [RawOperation]) {
    let mut scope = Scope::with_reserved(reserved::TYPE_NAMES);
    scope.reserve(reserved::BUILDER_TYPE_NAMES.iter().copied(), "reserved");
    for op in raw.iter_mut() {
        op.op.builder = scope.claim(&camel(unraw(&op.op.rust_name)));
        if let Some(paging) = &mut op.op.paging {
            paging.stream_builder = scope.claim(&camel(unraw(&paging.stream_name)));
        }
    }
}
