//! Schema `default`s: read while lowering, applied once every type is known, to the
//! optional fields whose type they fit.

use super::Lowering;
use crate::error::Location;
use crate::ir::{DefaultValue, TypeKind, TypeRef};

/// A property's `default`, read while lowering and applied once every type is known.
pub(crate) struct PendingDefault {
    pub type_name: String,
    pub wire_name: String,
    pub value: serde_json::Value,
    pub at: String,
}

/// Gives optional, non-nullable fields their schema's `default` when it fits the field's type
/// (following aliases): such a field is no longer an `Option`. A default that does not fit is
/// reported and left out; defaults of other types (objects, arrays, dates) are left out quietly.
pub(crate) fn apply_defaults(cx: &mut Lowering<'_>) {
    let pending = std::mem::take(&mut cx.pending_defaults);
    let mut resolved = Vec::new();
    for p in pending {
        let Some(field) = cx.types.named(&p.type_name).and_then(|t| match &t.kind {
            TypeKind::Struct(s) => s.fields.iter().find(|f| f.wire_name == p.wire_name),
            _ => None,
        }) else {
            continue;
        };
        if field.required || field.nullable || field.default.is_some() {
            continue;
        }
        match default_for(&cx.types, &field.ty, &p.value) {
            Ok(Some(value)) => resolved.push((p.type_name, p.wire_name, value)),
            Ok(None) => {}
            Err(problem) => cx.warn(
                Location::new(&p.at).with_context(&p.type_name),
                format!("`default: {}` {problem}; left out", p.value),
            ),
        }
    }
    for (type_name, wire_name, value) in resolved {
        if let Some(def) = cx.types.named_mut(&type_name) {
            if let TypeKind::Struct(s) = &mut def.kind {
                if let Some(field) = s.fields.iter_mut().find(|f| f.wire_name == wire_name) {
                    if field.default.is_none() {
                        field.default = Some(value.clone());
                    }
                }
                s.derive_default = s
                    .fields
                    .iter()
                    .all(|f| f.is_optional() || f.default.is_some());
            }
        }
    }
}

/// The default for a field of type `ty`: `Ok(None)` when the type takes no literal default.
fn default_for(
    types: &super::types::TypeTable,
    ty: &TypeRef,
    value: &serde_json::Value,
) -> Result<Option<DefaultValue>, &'static str> {
    use serde_json::Value;
    let mut ty = ty;
    // Follow aliases (a bounded number of steps: alias cycles are reported elsewhere).
    for _ in 0..32 {
        let TypeRef::Named(name) = ty else { break };
        match types.named(name).map(|t| &t.kind) {
            Some(TypeKind::Alias(target)) => ty = target,
            _ => break,
        }
    }
    let mismatch = "does not fit the property's type";
    Ok(Some(match (ty, value) {
        (TypeRef::String, Value::String(s)) => DefaultValue::String(s.clone()),
        (TypeRef::Bool, Value::Bool(b)) => DefaultValue::Bool(*b),
        (TypeRef::I64, Value::Number(n)) => DefaultValue::Int(n.as_i64().ok_or(mismatch)?),
        (TypeRef::I32, Value::Number(n)) => {
            let n = n
                .as_i64()
                .filter(|n| i32::try_from(*n).is_ok())
                .ok_or(mismatch)?;
            DefaultValue::Int(n)
        }
        (TypeRef::F64, Value::Number(n)) => DefaultValue::Float(n.as_f64().ok_or(mismatch)?),
        (TypeRef::F32, Value::Number(n)) => {
            let n = n
                .as_f64()
                .filter(|n| n.abs() <= f64::from(f32::MAX))
                .ok_or(mismatch)?;
            DefaultValue::Float(n)
        }
        (TypeRef::Named(name), _) => match types.named(name).map(|t| &t.kind) {
            Some(TypeKind::Enum(e)) => {
                let wire = value.as_str().ok_or(mismatch)?;
                let variant = e
                    .variants
                    .iter()
                    .find(|v| v.wire_name == wire)
                    .ok_or("is not one of the enum's values")?;
                DefaultValue::Variant(variant.rust_name.clone())
            }
            Some(TypeKind::IntEnum(e)) => {
                let wire = value.as_i64().ok_or(mismatch)?;
                let variant = e
                    .variants
                    .iter()
                    .find(|v| v.value == wire)
                    .ok_or("is not one of the enum's values")?;
                DefaultValue::IntVariant(variant.rust_name.clone())
            }
            _ => return Ok(None),
        },
        (
            TypeRef::String
            | TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::F32
            | TypeRef::F64,
            _,
        ) => {
            return Err(mismatch);
        }
        _ => return Ok(None),
    }))
}
