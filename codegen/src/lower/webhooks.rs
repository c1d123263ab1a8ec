//! Webhooks: the requests an API sends to its users' servers (OpenAPI 3.1's `webhooks`, which
//! parsing keeps as the `x-webhooks` extension that 3.0 documents such as GitHub's use). The
//! client calls none of them, but its users receive their payloads, so the component schemas
//! those requests carry are types the crate's users deserialize.

use super::Lowering;
use crate::parse::WEBHOOKS_EXTENSION;
use crate::pointer::unescape;
use serde_json::Value;
use std::collections::BTreeSet;

/// References followed through `components` before giving up (a cycle of `$ref`s between
/// request bodies or parameters ends here).
const MAX_FOLLOWED: usize = 10_000;

/// The Rust names of the component schemas the webhooks' requests (their parameters and
/// bodies, not their responses) refer to, sorted; empty when the document has no webhooks.
pub(super) fn payloads(cx: &Lowering<'_>) -> Vec<String> {
    let Some(webhooks) = cx.raw.get(WEBHOOKS_EXTENSION) else {
        return Vec::new();
    };
    let mut refs = Vec::new();
    collect_refs(webhooks, &mut refs);
    let mut seen = BTreeSet::new();
    let mut names = BTreeSet::new();
    while let Some(reference) = refs.pop() {
        if seen.len() >= MAX_FOLLOWED || !seen.insert(reference.clone()) {
            continue;
        }
        if let Some(name) = reference.strip_prefix("#/components/schemas/") {
            if let Some(rust_name) = cx.schema_names.get(unescape(name).as_ref()) {
                names.insert(rust_name.clone());
            }
        } else if let Some(target) = reference
            .strip_prefix('#')
            .filter(|path| path.starts_with("/components/"))
            .and_then(|path| cx.raw.pointer(path))
        {
            // A shared request body or parameter: what it refers to.
            collect_refs(target, &mut refs);
        }
    }
    names.into_iter().collect()
}

/// Every `$ref` under `value`, leaving out responses (what the user's server answers).
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(reference)) => out.push(reference.clone()),
                    ("responses", _) => {}
                    _ => collect_refs(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}
