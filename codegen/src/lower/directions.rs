//! Which serde directions each named type needs ([`Directions`]), decided once the API is
//! lowered: `Serialize` for what the client sends, `Deserialize` for what it receives.

use super::features::{edges, named, reachable};
use crate::ir::{Api, Directions, Operation, Success};
use std::collections::BTreeSet;

/// The named types an operation sends (its parameters and request body), and those it
/// receives (its success bodies and headers, its paged items; the success types themselves).
pub(super) fn roots(op: &Operation) -> (Vec<String>, Vec<String>) {
    let mut sent = Vec::new();
    for p in &op.params {
        named(&p.ty, &mut sent);
    }
    if let Some(body) = &op.body {
        named(&body.ty, &mut sent);
    }
    let mut received = Vec::new();
    match &op.success {
        Success::Single { body, .. } => {
            body.iter().for_each(|b| named(&b.ty, &mut received));
        }
        Success::WithHeaders {
            rust_name,
            body,
            headers,
            ..
        } => {
            received.push(rust_name.clone());
            body.iter().for_each(|b| named(&b.ty, &mut received));
            headers.iter().for_each(|h| named(&h.ty, &mut received));
        }
        Success::Enum {
            rust_name,
            variants,
        } => {
            received.push(rust_name.clone());
            variants
                .iter()
                .filter_map(|v| v.body.as_ref())
                .for_each(|b| named(&b.ty, &mut received));
        }
    }
    if let Some(paging) = &op.paging {
        named(&paging.item, &mut received);
    }
    (sent, received)
}

/// Sets [`crate::ir::TypeDef::directions`] on every type of `api`: `ser` on what the
/// operations send reaches, `de` on what they and webhooks' payloads receive reach, both on what an error body
/// reaches (the runtime's `Display` of an error writes the body out) and on what nothing
/// reaches (a schema no operation uses may be used any way).
pub(crate) fn directions(api: &mut Api) {
    let edges = edges(api);
    let mut sent = Vec::new();
    // The API sends webhooks' payloads to its users, who receive them.
    let mut received = api.webhook_payloads.clone();
    for op in &api.operations {
        let (s, r) = roots(op);
        sent.extend(s);
        received.extend(r);
        // Error bodies: both ways.
        named(&op.error_type, &mut sent);
        named(&op.error_type, &mut received);
    }
    let sent = reachable(&edges, sent);
    let received = reachable(&edges, received);
    // A type nothing sends or receives, and everything inside it: both ways.
    let unused: Vec<String> = api
        .types
        .iter()
        .chain(&api.response_types)
        .map(|def| def.rust_name.clone())
        .filter(|name| !sent.contains(name) && !received.contains(name))
        .collect();
    let unused: BTreeSet<String> = reachable(&edges, unused);
    for def in api.types.iter_mut().chain(api.response_types.iter_mut()) {
        let name = &def.rust_name;
        def.directions = if unused.contains(name) {
            Directions::BOTH
        } else {
            Directions {
                ser: sent.contains(name),
                de: received.contains(name),
            }
        };
    }
}
