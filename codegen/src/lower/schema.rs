//! Schemas → named types and type references.

use super::Lowering;
use super::defaults::PendingDefault;
use crate::error::Location;
use crate::ir::{
    AdditionalField, EnumDef, Field, IntEnumDef, IntVariant, StructDef, TypeDef, TypeKind, TypeRef,
    UnionDef, UnionVariant, Variant,
};
use crate::names::{Holder, Scope, camel, snake, unraw};
use crate::pointer::join as pointer;
use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat, NumberFormat, ObjectType, ReferenceOr, Schema,
    SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use std::collections::{BTreeMap, BTreeSet};

/// A schema position: a reference or an inline schema.
#[derive(Clone, Copy)]
pub(crate) enum SchemaAt<'s> {
    Ref(&'s str),
    Item(&'s Schema),
}

impl<'s> From<&'s ReferenceOr<Schema>> for SchemaAt<'s> {
    fn from(value: &'s ReferenceOr<Schema>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => SchemaAt::Ref(reference),
            ReferenceOr::Item(schema) => SchemaAt::Item(schema),
        }
    }
}

impl<'s> From<&'s ReferenceOr<Box<Schema>>> for SchemaAt<'s> {
    fn from(value: &'s ReferenceOr<Box<Schema>>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => SchemaAt::Ref(reference),
            ReferenceOr::Item(schema) => SchemaAt::Item(schema),
        }
    }
}

/// Lowers the component schema `rust_name` into a named type.
pub(crate) fn lower_named(
    cx: &mut Lowering<'_>,
    rust_name: &str,
    schema: &ReferenceOr<Schema>,
    at: &str,
) {
    let schema = match schema {
        ReferenceOr::Reference { reference } => {
            let target = lower_ref(cx, reference, at);
            cx.types.push(TypeDef {
                rust_name: rust_name.to_owned(),
                source: at.to_owned(),
                docs: None,
                deprecated: false,
                kind: TypeKind::Alias(target),
                directions: crate::ir::Directions::BOTH,
                identical: false,
            });
            return;
        }
        ReferenceOr::Item(schema) => schema,
    };
    if let Some(kind) = lower_shape(cx, rust_name, schema, at) {
        push_type(cx, rust_name, schema, at, kind);
    } else {
        let ty = lower_inline(cx, SchemaAt::Item(schema), rust_name, at);
        push_type(cx, rust_name, schema, at, TypeKind::Alias(ty));
    }
}

fn push_type(cx: &mut Lowering<'_>, rust_name: &str, schema: &Schema, at: &str, kind: TypeKind) {
    cx.types.push(TypeDef {
        rust_name: rust_name.to_owned(),
        source: at.to_owned(),
        docs: docs_of(schema),
        deprecated: schema.schema_data.deprecated,
        kind,
        directions: crate::ir::Directions::BOTH,
        identical: false,
    });
}

/// Title and description of a schema, joined.
pub(crate) fn docs_of(schema: &Schema) -> Option<String> {
    let data = &schema.schema_data;
    match (&data.title, &data.description) {
        (Some(t), Some(d)) => Some(format!("{t}\n\n{d}")),
        (Some(t), None) => Some(t.clone()),
        (None, Some(d)) => Some(d.clone()),
        (None, None) => None,
    }
}

/// Whether a schema carries nothing but annotations (`{description: ...}`), as the second
/// member of `allOf: [{$ref: X}, {description: ...}]` does.
fn is_annotation_only(schema: &ReferenceOr<Schema>) -> bool {
    matches!(schema, ReferenceOr::Item(s) if matches!(&s.schema_kind, SchemaKind::Any(any) if *any == AnySchema::default()))
}

/// The members of a composition that say something about the value.
fn meaningful(members: &[ReferenceOr<Schema>]) -> Vec<(usize, &ReferenceOr<Schema>)> {
    members
        .iter()
        .enumerate()
        .filter(|(_, m)| !is_annotation_only(m))
        .collect()
}

/// An object schema written without `type: object` (`{properties: ...}`).
fn object_of_any(any: &AnySchema) -> Option<ObjectType> {
    (!any.properties.is_empty() && any.typ.as_deref().is_none_or(|t| t == "object")).then(|| {
        ObjectType {
            properties: any.properties.clone(),
            required: any.required.clone(),
            additional_properties: any.additional_properties.clone(),
            min_properties: any.min_properties,
            max_properties: any.max_properties,
        }
    })
}

/// The values of an enum written without `type` (`{enum: [a, b]}`): strings or integers,
/// when every listed value is one (`null`s aside).
enum AnyEnum {
    Strings(Vec<Option<String>>),
    Integers(Vec<Option<i64>>),
}

fn enum_of_any(any: &AnySchema) -> Option<AnyEnum> {
    if any.enumeration.is_empty() || !any.properties.is_empty() || any.items.is_some() {
        return None;
    }
    let values = || any.enumeration.iter().filter(|v| !v.is_null());
    match any.typ.as_deref() {
        None | Some("string") if values().all(serde_json::Value::is_string) => Some(
            AnyEnum::Strings(values().map(|v| v.as_str().map(str::to_owned)).collect()),
        ),
        None | Some("integer") if values().all(serde_json::Value::is_i64) => Some(
            AnyEnum::Integers(values().map(serde_json::Value::as_i64).collect()),
        ),
        _ => None,
    }
    .filter(|e| match e {
        AnyEnum::Strings(v) => !v.is_empty(),
        AnyEnum::Integers(v) => !v.is_empty(),
    })
}

/// Whether the schema gets a named type of its own.
fn needs_named_type(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_some),
        SchemaKind::Type(Type::Integer(i)) => i.enumeration.iter().any(Option::is_some),
        SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
        SchemaKind::Any(any) => object_of_any(any).is_some() || enum_of_any(any).is_some(),
        SchemaKind::AllOf { all_of } => meaningful(all_of).len() > 1,
        SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members } => {
            meaningful(members).len() > 1
        }
        _ => false,
    }
}

/// If the schema needs a type of its own (an object with properties, a string enum, an
/// `allOf` to merge, a `oneOf`/`anyOf`), returns its shape.
fn lower_shape(cx: &mut Lowering<'_>, name: &str, schema: &Schema, at: &str) -> Option<TypeKind> {
    if !needs_named_type(schema) {
        return None;
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            Some(TypeKind::Enum(lower_enum(cx, &s.enumeration, at)))
        }
        SchemaKind::Type(Type::Integer(i)) => Some(TypeKind::IntEnum(lower_int_enum(
            &i.enumeration,
            &schema.schema_data.extensions,
        ))),
        SchemaKind::Type(Type::Object(object)) => Some(TypeKind::Struct(lower_struct(
            cx,
            name,
            at,
            &[(object, at.to_owned())],
        ))),
        SchemaKind::Any(any) => match (object_of_any(any), enum_of_any(any)) {
            (Some(object), _) => Some(TypeKind::Struct(lower_struct(
                cx,
                name,
                at,
                &[(&object, at.to_owned())],
            ))),
            (None, Some(AnyEnum::Strings(values))) => {
                Some(TypeKind::Enum(lower_enum(cx, &values, at)))
            }
            (None, Some(AnyEnum::Integers(values))) => Some(TypeKind::IntEnum(lower_int_enum(
                &values,
                &schema.schema_data.extensions,
            ))),
            (None, None) => None,
        },
        SchemaKind::AllOf { all_of } => {
            // Merging a schema again inside a merge of itself (an inline `allOf` in one of its
            // own properties) would never end: each level copies the property that starts
            // the next one (found by fuzzing; it exhausted memory).
            let sources: Vec<String> = meaningful(all_of)
                .iter()
                .filter_map(|(_, m)| match m {
                    ReferenceOr::Reference { reference } => Some(reference.clone()),
                    ReferenceOr::Item(_) => None,
                })
                .collect();
            if let Some(again) = sources.iter().find(|s| cx.merging.contains(s)) {
                cx.warn(
                    Location::new(at),
                    format!(
                        "this `allOf` merges `{again}` inside a merge of that same schema, which \
                         never ends; generated as `serde_json::Value`"
                    ),
                );
                return Some(TypeKind::Alias(TypeRef::Json));
            }
            let outer = cx.merging.len();
            cx.merging.extend(sources);
            let mut parts = Vec::new();
            for (i, part) in meaningful(all_of) {
                collect_object_parts(cx, part, &format!("{at}/allOf/{i}"), &mut parts, 0);
            }
            let parts: Vec<(&ObjectType, String)> =
                parts.iter().map(|(o, at)| (o, at.clone())).collect();
            let merged = lower_struct(cx, name, at, &parts);
            cx.merging.truncate(outer);
            Some(TypeKind::Struct(merged))
        }
        SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members } => {
            let word = if matches!(schema.schema_kind, SchemaKind::OneOf { .. }) {
                "oneOf"
            } else {
                "anyOf"
            };
            Some(TypeKind::Union(lower_union(
                cx,
                name,
                members,
                schema.schema_data.discriminator.as_ref(),
                at,
                word,
            )))
        }
        _ => None,
    }
}

/// The object schemas an `allOf` member contributes, following references and nested
/// `allOf`s; other members are ignored with a warning.
fn collect_object_parts(
    cx: &mut Lowering<'_>,
    part: &ReferenceOr<Schema>,
    at: &str,
    parts: &mut Vec<(ObjectType, String)>,
    depth: usize,
) {
    if depth > 16 {
        cx.warn(
            Location::new(at),
            "`allOf` nested too deeply; the rest is ignored",
        );
        return;
    }
    let Some(resolved) = cx.resolve(part, "schemas", |c| &c.schemas, at) else {
        return;
    };
    match &resolved.schema_kind {
        SchemaKind::Type(Type::Object(object)) => parts.push((object.clone(), at.to_owned())),
        SchemaKind::Any(any) if object_of_any(any).is_some() => {
            if let Some(object) = object_of_any(any) {
                parts.push((object, at.to_owned()));
            }
        }
        SchemaKind::AllOf { all_of } => {
            for (i, inner) in meaningful(all_of) {
                collect_object_parts(cx, inner, &format!("{at}/allOf/{i}"), parts, depth + 1);
            }
        }
        _ => cx.warn(
            Location::new(at),
            "an `allOf` member that is not an object schema is ignored in the merged struct",
        ),
    }
}

/// A name for a union variant from its type.
fn variant_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(name) | TypeRef::Generic(name, _) | TypeRef::Param(name) => name.clone(),
        TypeRef::String => "String".to_owned(),
        TypeRef::Bool => "Boolean".to_owned(),
        TypeRef::I32 | TypeRef::I64 => "Integer".to_owned(),
        TypeRef::F32 | TypeRef::F64 => "Number".to_owned(),
        TypeRef::DateTime => "DateTime".to_owned(),
        TypeRef::Date => "Date".to_owned(),
        TypeRef::Json => "Value".to_owned(),
        TypeRef::Vec(item) => format!("{}List", variant_name(item)),
        TypeRef::Map(_) => "Map".to_owned(),
        TypeRef::Tuple(_) => "Tuple".to_owned(),
        TypeRef::Boxed(inner) | TypeRef::Nullable(inner) => variant_name(inner),
        TypeRef::Bytes | TypeRef::Base64 => "Bytes".to_owned(),
        TypeRef::Uuid => "Uuid".to_owned(),
    }
}

fn lower_union(
    cx: &mut Lowering<'_>,
    name: &str,
    members: &[ReferenceOr<Schema>],
    discriminator: Option<&openapiv3::Discriminator>,
    at: &str,
    word: &str,
) -> UnionDef {
    let mut scope = Scope::default();
    let mut variants = Vec::new();
    let mut all_tagged = discriminator.is_some();
    for (i, member) in meaningful(members) {
        let member_at = format!("{at}/{word}/{i}");
        let ty = lower_inline(
            cx,
            member.into(),
            &format!("{name}Variant{}", i + 1),
            &member_at,
        );
        let tag_value = match (discriminator, member) {
            (Some(d), ReferenceOr::Reference { reference }) => {
                let schema_name = crate::pointer::last_token(reference).into_owned();
                let mapped = d.mapping.iter().find(|(_, target)| {
                    *target == reference
                        || **target == schema_name
                        || crate::pointer::last_token(target) == schema_name
                });
                Some(mapped.map_or(schema_name, |(value, _)| value.clone()))
            }
            _ => None,
        };
        all_tagged &= tag_value.is_some();
        variants.push(UnionVariant {
            rust_name: scope.claim(&camel(&variant_name(&ty))),
            ty,
            tag_value,
        });
    }
    let tag = if all_tagged {
        discriminator.map(|d| d.property_name.clone())
    } else {
        None
    };
    if discriminator.is_some() && tag.is_none() {
        cx.warn(
            Location::new(at),
            "a discriminator over inline schemas cannot be used; the union is decoded by trying each member",
        );
    }
    if tag.is_none() {
        for variant in &mut variants {
            variant.tag_value = None;
        }
    }
    let fallback = claim_fallback(&mut scope);
    UnionDef {
        variants,
        tag,
        fallback,
    }
}

/// An integer enum. Variant names come from `x-enum-varnames` (or `x-enumNames`) when it
/// names every value, and from the values otherwise (`Value1`, `ValueMinus1`).
fn lower_int_enum(
    values: &[Option<i64>],
    extensions: &indexmap::IndexMap<String, serde_json::Value>,
) -> IntEnumDef {
    let values: Vec<i64> = values.iter().flatten().copied().collect();
    let names: Option<Vec<&str>> = ["x-enum-varnames", "x-enumNames"]
        .iter()
        .filter_map(|key| extensions.get(*key)?.as_array())
        .map(|list| {
            list.iter()
                .map(serde_json::Value::as_str)
                .collect::<Option<Vec<_>>>()
        })
        .find_map(|names| names.filter(|n| n.len() == values.len()));
    let mut scope = Scope::default();
    let mut seen = BTreeSet::new();
    let mut variants = Vec::new();
    for (i, value) in values.iter().enumerate() {
        if !seen.insert(*value) {
            continue;
        }
        let name = match names.as_ref().and_then(|n| n.get(i)) {
            Some(name) if !camel(name).is_empty() => camel(name),
            _ if *value < 0 => format!("ValueMinus{}", value.unsigned_abs()),
            _ => format!("Value{value}"),
        };
        variants.push(IntVariant {
            value: *value,
            rust_name: scope.claim(&name),
        });
    }
    let fallback = claim_fallback(&mut scope);
    IntEnumDef { variants, fallback }
}

/// The variants of a string enum at `at`; two values that become one name are reported where
/// the second is renamed.
fn lower_enum(cx: &mut Lowering<'_>, values: &[Option<String>], at: &str) -> EnumDef {
    let mut scope = Scope::default();
    let mut seen = BTreeSet::new();
    let mut variants = Vec::new();
    for value in values.iter().flatten() {
        if !seen.insert(value.clone()) {
            continue;
        }
        // `-name` next to `name` (a descending sort key) is `MinusName`, not `Name2`.
        let plain = camel(value);
        let name = match value.chars().next() {
            Some('-') if scope.contains(&plain) => {
                format!("Minus{}", plain.trim_start_matches('_'))
            }
            Some('+') if scope.contains(&plain) => format!("Plus{}", plain.trim_start_matches('_')),
            _ => plain,
        };
        let claim = scope.claim_by(&name, value);
        if let Some(Holder::Claimed(other)) = &claim.displaced_by {
            cx.warn(
                Location::new(format!("{at}/enum")),
                format!(
                    "enum values {other:?} and {value:?} both become `{name}` in Rust; {value:?} \
                     is named `{}` instead",
                    claim.name
                ),
            );
        }
        variants.push(Variant {
            wire_name: value.clone(),
            rust_name: claim.name,
        });
    }
    let fallback = claim_fallback(&mut scope);
    EnumDef { variants, fallback }
}

/// The variant for values a union or enum does not list: `Other`, unless a listed member
/// already took it.
fn claim_fallback(scope: &mut Scope) -> String {
    let candidate = ["Other", "UnknownValue", "OtherValue"]
        .into_iter()
        .find(|name| !scope.contains(name))
        .unwrap_or("Other");
    scope.claim(candidate)
}

/// The struct `name` at `at`, from `parts` (one, or the objects an `allOf` merges); two
/// properties that become one field name are reported where the second is renamed.
fn lower_struct(
    cx: &mut Lowering<'_>,
    name: &str,
    at: &str,
    parts: &[(&ObjectType, String)],
) -> StructDef {
    let mut scope = Scope::default();
    let mut fields: Vec<Field> = Vec::new();
    let mut additional = None;
    // In an `allOf`, one part may list as required a property another part defines.
    let required_anywhere: BTreeSet<&String> =
        parts.iter().flat_map(|(o, _)| &o.required).collect();
    for (object, part_at) in parts {
        for (wire_name, property) in &object.properties {
            let prop_at = pointer(&format!("{part_at}/properties"), wire_name);
            let required = required_anywhere.contains(wire_name);
            let field = read_property(cx, name, &prop_at, wire_name, property, required);
            if let Some(existing) = fields.iter_mut().find(|f| &f.wire_name == wire_name) {
                // The same property from several `allOf` parts: fine when they agree.
                if existing.ty != field.ty {
                    cx.warn(
                        Location::new(&prop_at).with_context(name),
                        format!(
                            "property `{wire_name}` is defined again with another type; the last definition wins"
                        ),
                    );
                    existing.ty = field.ty;
                }
                existing.required |= field.required;
                existing.nullable |= field.nullable;
                existing.docs = existing.docs.take().or(field.docs);
                continue;
            }
            fields.push(field);
        }
        match &object.additional_properties {
            Some(AdditionalProperties::Schema(schema)) => {
                let hint = format!("{name}Value");
                let value = lower_inline(
                    cx,
                    schema.as_ref().into(),
                    &hint,
                    &format!("{part_at}/additionalProperties"),
                );
                additional = Some(value);
            }
            Some(AdditionalProperties::Any(true)) => additional = Some(TypeRef::Json),
            Some(AdditionalProperties::Any(false)) | None => {}
        }
    }
    name_fields(cx, at, &mut scope, &mut fields);
    let additional = additional.map(|value| AdditionalField {
        rust_name: scope.claim("additional_properties"),
        value,
    });
    let derive_default = fields
        .iter()
        .all(|f| f.is_optional() || f.default.is_some());
    StructDef {
        fields,
        additional,
        derive_default,
    }
}

/// A property of an object as a field (its Rust name still to be given): its type, lowered,
/// and what its schema, or the schema its `$ref` names, says. A `default` waits for every
/// type to be known (`apply_defaults`); a read-only property is never required.
fn read_property(
    cx: &mut Lowering<'_>,
    name: &str,
    prop_at: &str,
    wire_name: &str,
    property: &ReferenceOr<Box<Schema>>,
    required: bool,
) -> Field {
    let hint = format!("{name}{}", camel(wire_name));
    let ty = lower_inline(cx, property.into(), &hint, prop_at);
    let (docs, deprecated, nullable, read_only, default) = match property {
        ReferenceOr::Item(schema) => (
            docs_of(schema),
            schema.schema_data.deprecated,
            schema.schema_data.nullable,
            schema.schema_data.read_only,
            schema.schema_data.default.clone(),
        ),
        ReferenceOr::Reference { reference } => {
            let target = referenced(cx, reference).map(|t| &t.schema_data);
            let nullable = target.is_some_and(|target| target.nullable);
            let default = target.and_then(|target| target.default.clone());
            (None, false, nullable, false, default)
        }
    };
    if let Some(value) = default {
        cx.pending_defaults.push(PendingDefault {
            type_name: name.to_owned(),
            wire_name: wire_name.to_owned(),
            value,
            at: prop_at.to_owned(),
        });
    }
    Field {
        wire_name: wire_name.to_owned(),
        rust_name: String::new(),
        ty,
        required: required && !read_only,
        nullable,
        docs,
        deprecated,
        default: None,
    }
}

/// Gives each field its Rust name in the struct's `scope`, warning where two wire names meet.
fn name_fields(cx: &mut Lowering<'_>, at: &str, scope: &mut Scope, fields: &mut [Field]) {
    for field in fields.iter_mut() {
        let wanted = snake(&field.wire_name);
        let claim = scope.claim_by(&wanted, &field.wire_name);
        if let Some(Holder::Claimed(other)) = &claim.displaced_by {
            cx.warn(
                Location::new(pointer(&format!("{at}/properties"), &field.wire_name)),
                format!(
                    "properties {other:?} and {:?} both become `{}` in Rust; {:?} is named `{}` \
                     instead",
                    field.wire_name,
                    unraw(&wanted),
                    field.wire_name,
                    unraw(&claim.name)
                ),
            );
        }
        field.rust_name = claim.name;
    }
}

/// The Rust type for a schema in some position. Inline objects and enums become named types
/// called `hint`.
pub(crate) fn lower_inline(
    cx: &mut Lowering<'_>,
    schema: SchemaAt<'_>,
    hint: &str,
    at: &str,
) -> TypeRef {
    let schema = match schema {
        SchemaAt::Ref(reference) => return lower_ref(cx, reference, at),
        SchemaAt::Item(schema) => schema,
    };
    if needs_named_type(schema) {
        if let Some(ty) = cx.inline_types.get(at) {
            return ty.clone();
        }
        let name = cx.type_names.claim(&camel(hint));
        // Known before its shape is lowered, so that a reference back to it from inside finds it.
        cx.inline_types
            .insert(at.to_owned(), TypeRef::Named(name.clone()));
        if let Some(kind) = lower_shape(cx, &name, schema, at) {
            push_type(cx, &name, schema, at, kind);
            return TypeRef::Named(name);
        }
        cx.inline_types.remove(at);
    }
    // Compositions with a single meaningful member stand for that member.
    let single = match &schema.schema_kind {
        SchemaKind::AllOf { all_of: members } => Some(("allOf", meaningful(members))),
        SchemaKind::OneOf { one_of: members } => Some(("oneOf", meaningful(members))),
        SchemaKind::AnyOf { any_of: members } => Some(("anyOf", meaningful(members))),
        _ => None,
    };
    if let Some((word, members)) = single {
        return match members.first() {
            Some((i, only)) => lower_inline(cx, (*only).into(), hint, &format!("{at}/{word}/{i}")),
            None => TypeRef::Json,
        };
    }
    plain_type(cx, schema, hint, at)
}

/// The type of a schema that needs no named type of its own: a scalar, a list or a map of
/// other types, or JSON.
fn plain_type(cx: &mut Lowering<'_>, schema: &Schema, hint: &str, at: &str) -> TypeRef {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => match &s.format {
            VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
            VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
            VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => TypeRef::Base64,
            VariantOrUnknownOrEmpty::Unknown(format) if format == "uuid" => TypeRef::Uuid,
            _ => TypeRef::String,
        },
        SchemaKind::Type(Type::Integer(i)) => match &i.format {
            VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
            _ => TypeRef::I64,
        },
        SchemaKind::Type(Type::Number(n)) => match &n.format {
            VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
            _ => TypeRef::F64,
        },
        SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
        SchemaKind::Type(Type::Array(array)) => {
            if let Some(tuple) = tuple(cx, schema, array, hint, at) {
                return tuple;
            }
            let item = match &array.items {
                Some(items) => {
                    let item = lower_inline(
                        cx,
                        items.into(),
                        &format!("{hint}Item"),
                        &format!("{at}/items"),
                    );
                    nullable_if(cx, items.into(), item)
                }
                None => TypeRef::Json,
            };
            TypeRef::Vec(Box::new(item))
        }
        SchemaKind::Type(Type::Object(object)) => match &object.additional_properties {
            Some(AdditionalProperties::Schema(schema)) => {
                let value = lower_inline(
                    cx,
                    schema.as_ref().into(),
                    &format!("{hint}Value"),
                    &format!("{at}/additionalProperties"),
                );
                TypeRef::Map(Box::new(nullable_if(cx, schema.as_ref().into(), value)))
            }
            _ => TypeRef::Map(Box::new(TypeRef::Json)),
        },
        // An array written without `type: array`.
        SchemaKind::Any(any) if any.typ.as_deref().is_none_or(|t| t == "array") => {
            match &any.items {
                Some(items) => {
                    let item = lower_inline(
                        cx,
                        items.into(),
                        &format!("{hint}Item"),
                        &format!("{at}/items"),
                    );
                    TypeRef::Vec(Box::new(nullable_if(cx, items.into(), item)))
                }
                None => TypeRef::Json,
            }
        }
        SchemaKind::Any(_) => TypeRef::Json,
        SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::AllOf { .. } => {
            TypeRef::Json
        }
        SchemaKind::Not { .. } => {
            cx.warn(
                Location::new(at),
                "`not` is not supported; generated as `serde_json::Value`",
            );
            TypeRef::Json
        }
    }
}

/// `ty`, the type of a list item or map value `schema`, as `Option` when the schema (or the
/// one its `$ref` names) allows `null`; any JSON value holds `null` already.
fn nullable_if(cx: &Lowering<'_>, schema: SchemaAt<'_>, ty: TypeRef) -> TypeRef {
    let nullable = match schema {
        SchemaAt::Item(schema) => schema.schema_data.nullable,
        SchemaAt::Ref(reference) => {
            referenced(cx, reference).is_some_and(|target| target.schema_data.nullable)
        }
    };
    if nullable && ty != TypeRef::Json {
        TypeRef::Nullable(Box::new(ty))
    } else {
        ty
    }
}

/// The extension the OpenAPI 3.1 conversion (`parse::v31`) marks a fixed `prefixItems` with:
/// the array's `items` is then a `oneOf` of the positions' schemas, in order.
pub(crate) const TUPLE_EXTENSION: &str = "x-openapi-rust-tuple";

/// The most positions a tuple has (the standard library implements its traits up to 12).
pub(crate) const MAX_TUPLE: usize = 12;

/// The tuple a schema marked with [`TUPLE_EXTENSION`] stands for: one type per position.
fn tuple(
    cx: &mut Lowering<'_>,
    schema: &Schema,
    array: &openapiv3::ArrayType,
    hint: &str,
    at: &str,
) -> Option<TypeRef> {
    schema.schema_data.extensions.get(TUPLE_EXTENSION)?;
    let Some(ReferenceOr::Item(items)) = &array.items else {
        return None;
    };
    let SchemaKind::OneOf { one_of } = &items.schema_kind else {
        return None;
    };
    // The conversion marks 1 to 12 positions; the extension in a document as written could
    // mark any number, and Rust's traits (`Debug`, `PartialEq`, `Default`...) stop at 12,
    // while `()` is `null` in JSON, not `[]`. Others stay lists.
    if !(1..=MAX_TUPLE).contains(&one_of.len()) {
        return None;
    }
    let types = one_of
        .iter()
        .enumerate()
        .map(|(i, member)| {
            let hint = format!("{hint}{}", i + 1);
            lower_inline(cx, member.into(), &hint, &format!("{at}/items/oneOf/{i}"))
        })
        .collect();
    Some(TypeRef::Tuple(types))
}

/// The type a `$ref` to a schema stands for.
fn lower_ref(cx: &mut Lowering<'_>, reference: &str, at: &str) -> TypeRef {
    if crate::parse::targets::is_elsewhere(reference) {
        return lower_pointer_ref(cx, reference, at);
    }
    let name = crate::pointer::referenced_name(reference, "schemas");
    if let Some(rust) = name.and_then(|name| cx.schema_names.get(&name)) {
        return TypeRef::Named(rust.clone());
    }
    // Report the problem the same way other references do.
    let _ = cx.resolve(
        &ReferenceOr::<Schema>::Reference {
            reference: reference.to_owned(),
        },
        "schemas",
        |c| &c.schemas,
        at,
    );
    TypeRef::Json
}

/// A reference to a schema somewhere else in the document (`#/paths/.../schema/properties/x`),
/// resolved before lowering (`Lowering::targets`): lowered once, named after its last segment,
/// and reused by every reference to it.
fn lower_pointer_ref(cx: &mut Lowering<'_>, reference: &str, at: &str) -> TypeRef {
    if let Some(ty) = cx.pointer_types.get(reference) {
        return ty.clone();
    }
    // The target was lowered where it stands already.
    if let Some(ty) = cx.inline_types.get(reference) {
        return ty.clone();
    }
    if cx.pointer_stack.iter().any(|r| r == reference) {
        cx.warn(
            Location::new(at),
            format!("`$ref: {reference}` refers to itself through schemas outside `components`; generated as `serde_json::Value`"),
        );
        return TypeRef::Json;
    }
    // Each reference lowers its target, which may hold another: bound the depth of the chain.
    if cx.pointer_stack.len() >= 32 {
        cx.warn(
            Location::new(at),
            format!("`$ref: {reference}` is the end of a chain of more than 32 references outside `components`; generated as `serde_json::Value`"),
        );
        return TypeRef::Json;
    }
    let targets = cx.targets;
    let schema = match targets.schema(reference) {
        Ok(schema) => schema,
        Err(message) => {
            cx.error(Location::new(at), message);
            return TypeRef::Json;
        }
    };
    let hint = pointer_hint(cx.raw, reference);
    cx.pointer_stack.push(reference.to_owned());
    let ty = lower_inline(cx, SchemaAt::Item(schema), &hint, reference);
    cx.pointer_stack.pop();
    cx.pointer_types.insert(reference.to_owned(), ty.clone());
    ty
}

/// The schema a `$ref` names, for what a property that refers to it takes from it (whether
/// it is nullable, its default): a component schema, or one elsewhere. Problems with the
/// reference are reported where its type is lowered.
fn referenced<'a>(cx: &Lowering<'a>, reference: &str) -> Option<&'a Schema> {
    if crate::parse::targets::is_elsewhere(reference) {
        let targets = cx.targets;
        return targets.schema(reference).ok();
    }
    let name = crate::pointer::referenced_name(reference, "schemas")?;
    let doc = cx.doc;
    match doc.components.as_ref()?.schemas.get(&name)? {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { .. } => None,
    }
}

/// Puts fields whose type contains the struct itself by value (directly or through other
/// structs) in a `Box`, so recursive schemas compile.
pub(crate) fn box_recursive_fields(types: &mut [TypeDef]) {
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for def in types.iter() {
        let targets = match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().filter_map(|f| by_value(&f.ty)).collect(),
            TypeKind::Alias(ty) => by_value(ty).into_iter().collect(),
            TypeKind::Union(u) => u.variants.iter().filter_map(|v| by_value(&v.ty)).collect(),
            TypeKind::Enum(_)
            | TypeKind::IntEnum(_)
            | TypeKind::ErrorEnum(_)
            | TypeKind::SuccessStruct(_)
            | TypeKind::SuccessEnum(_) => Vec::new(),
        };
        edges.insert(def.rust_name.clone(), targets);
    }
    // A field's type reaches its owner exactly when both are in one strongly connected
    // component (linear time; following every field's type instead is quadratic).
    let component = super::graph::components(&edges);
    let cyclic = |target: &str, owner: &str| {
        target == owner
            || component
                .get(target)
                .is_some_and(|c| component.get(owner) == Some(c))
    };
    for def in types.iter_mut() {
        let owner = def.rust_name.clone();
        let slots: Vec<&mut TypeRef> = match &mut def.kind {
            TypeKind::Struct(s) => s.fields.iter_mut().map(|f| &mut f.ty).collect(),
            TypeKind::Union(u) => u.variants.iter_mut().map(|v| &mut v.ty).collect(),
            TypeKind::Alias(_)
            | TypeKind::Enum(_)
            | TypeKind::IntEnum(_)
            | TypeKind::ErrorEnum(_)
            | TypeKind::SuccessStruct(_)
            | TypeKind::SuccessEnum(_) => Vec::new(),
        };
        for ty in slots {
            if let Some(target) = by_value(ty) {
                if cyclic(&target, &owner) {
                    *ty = TypeRef::Boxed(Box::new(ty.clone()));
                }
            }
        }
    }
}

fn by_value(ty: &TypeRef) -> Option<String> {
    match ty {
        TypeRef::Named(name) => Some(name.clone()),
        _ => None,
    }
}

/// A type name for the schema `reference` points to (outside `components.schemas`): its last segment
/// that names something (a property, a component), or the operation it belongs to with `Body`,
/// `Response` or `Parameter` (`#/paths/~1pets/post/requestBody/...` → `PostPetsBody`).
fn pointer_hint(raw: &serde_json::Value, reference: &str) -> String {
    const STRUCTURAL: &[&str] = &[
        "schema",
        "items",
        "properties",
        "content",
        "additionalProperties",
        "allOf",
        "oneOf",
        "anyOf",
        "not",
        "requestBody",
        "responses",
        "parameters",
        "headers",
        "default",
    ];
    const METHODS: &[&str] = &[
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let segments = crate::pointer::tokens(reference).unwrap_or_default();
    let named = segments.iter().enumerate().rev().find(|(i, s)| {
        let after_properties = *i > 0 && segments.get(i - 1).is_some_and(|p| p == "properties");
        after_properties
            || !(STRUCTURAL.contains(&s.as_str())
                || METHODS.contains(&s.as_str())
                || s.contains('/')
                || s.chars()
                    .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x')
                || *i <= 1)
    });
    if let Some((_, segment)) = named {
        let hint = camel(segment);
        if !hint.is_empty() {
            return hint;
        }
    }
    // In an operation: name it after the operation.
    if let (Some("paths"), Some(path), Some(method)) = (
        segments.first().map(String::as_str),
        segments.get(1),
        segments.get(2),
    ) {
        let operation = raw
            .get("paths")
            .and_then(|p| p.get(path))
            .and_then(|p| p.get(method))
            .and_then(|o| o.get("operationId"))
            .and_then(serde_json::Value::as_str)
            .map(camel)
            .unwrap_or_else(|| camel(&format!("{method} {path}")));
        let part = segments.iter().skip(3).find_map(|s| match s.as_str() {
            "requestBody" => Some("Body"),
            "responses" => Some("Response"),
            "parameters" => Some("Parameter"),
            _ => None,
        });
        return format!("{operation}{}", part.unwrap_or_default());
    }
    "Shared".to_owned()
}
