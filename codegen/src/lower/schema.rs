//! Schemas → named types and type references.

use super::{Cx, unescape_pointer};
use crate::error::{Location, pointer};
use crate::ir::{AdditionalField, EnumDef, Field, StructDef, TypeDef, TypeKind, TypeRef, Variant};
use crate::names::{Scope, camel, snake};
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ObjectType, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
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
    cx: &mut Cx<'_>,
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

fn push_type(cx: &mut Cx<'_>, rust_name: &str, schema: &Schema, at: &str, kind: TypeKind) {
    cx.types.push(TypeDef {
        rust_name: rust_name.to_owned(),
        source: at.to_owned(),
        docs: docs_of(schema),
        deprecated: schema.schema_data.deprecated,
        kind,
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

/// If the schema needs a type of its own (an object with properties, a string enum, an
/// `allOf`), returns its shape.
fn lower_shape(cx: &mut Cx<'_>, name: &str, schema: &Schema, at: &str) -> Option<TypeKind> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if s.enumeration.iter().any(Option::is_some) => {
            Some(TypeKind::Enum(lower_enum(&s.enumeration)))
        }
        SchemaKind::Type(Type::Object(object)) if !object.properties.is_empty() => Some(
            TypeKind::Struct(lower_struct(cx, name, &[(object, at.to_owned())])),
        ),
        SchemaKind::AllOf { all_of } if all_of.len() > 1 => {
            let mut parts = Vec::new();
            for (i, part) in all_of.iter().enumerate() {
                let part_at = format!("{at}/allOf/{i}");
                let Some(resolved) = cx.resolve(part, "schemas", |c| &c.schemas, &part_at) else {
                    continue;
                };
                match &resolved.schema_kind {
                    SchemaKind::Type(Type::Object(object)) => parts.push((object, part_at)),
                    _ => {
                        cx.warn(
                            Location::new(&part_at),
                            "an `allOf` member that is not an object schema is ignored",
                        );
                    }
                }
            }
            Some(TypeKind::Struct(lower_struct(cx, name, &parts)))
        }
        _ => None,
    }
}

fn lower_enum(values: &[Option<String>]) -> EnumDef {
    let mut scope = Scope::default();
    let mut seen = BTreeSet::new();
    let mut variants = Vec::new();
    for value in values.iter().flatten() {
        if !seen.insert(value.clone()) {
            continue;
        }
        variants.push(Variant {
            wire_name: value.clone(),
            rust_name: scope.claim(&camel(value)),
        });
    }
    // The variant for unlisted values: `Other` unless a listed value already took it.
    let candidate = ["Other", "UnknownValue", "OtherValue"]
        .into_iter()
        .find(|name| !scope.contains(name))
        .unwrap_or("Other");
    let fallback = scope.claim(candidate);
    EnumDef { variants, fallback }
}

fn lower_struct(cx: &mut Cx<'_>, name: &str, parts: &[(&ObjectType, String)]) -> StructDef {
    let mut scope = Scope::default();
    let mut fields: Vec<Field> = Vec::new();
    let mut additional = None;
    for (object, part_at) in parts {
        for (wire_name, property) in &object.properties {
            let prop_at = pointer(&format!("{part_at}/properties"), wire_name);
            if let Some(existing) = fields.iter().position(|f| &f.wire_name == wire_name) {
                cx.warn(
                    Location::new(&prop_at).with_context(name),
                    format!(
                        "property `{wire_name}` is defined more than once; the last definition wins"
                    ),
                );
                fields.remove(existing);
            }
            let hint = format!("{name}{}", camel(wire_name));
            let ty = lower_inline(cx, property.into(), &hint, &prop_at);
            let (docs, deprecated, nullable, read_only) = match property {
                ReferenceOr::Item(schema) => (
                    docs_of(schema),
                    schema.schema_data.deprecated,
                    schema.schema_data.nullable,
                    schema.schema_data.read_only,
                ),
                ReferenceOr::Reference { reference } => {
                    let nullable = cx
                        .resolve(
                            &ReferenceOr::<Schema>::Reference {
                                reference: reference.clone(),
                            },
                            "schemas",
                            |c| &c.schemas,
                            &prop_at,
                        )
                        .is_some_and(|s| s.schema_data.nullable);
                    (None, false, nullable, false)
                }
            };
            let required = object.required.contains(wire_name) && !read_only;
            fields.push(Field {
                wire_name: wire_name.clone(),
                rust_name: String::new(),
                ty,
                required,
                nullable,
                docs,
                deprecated,
            });
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
    for field in &mut fields {
        field.rust_name = scope.claim(&snake(&field.wire_name));
    }
    let additional = additional.map(|value| AdditionalField {
        rust_name: scope.claim("additional_properties"),
        value,
    });
    let derive_default = fields.iter().all(Field::is_optional);
    StructDef {
        fields,
        additional,
        derive_default,
    }
}

/// The Rust type for a schema in some position. Inline objects and enums become named types
/// called `hint`.
pub(crate) fn lower_inline(cx: &mut Cx<'_>, schema: SchemaAt<'_>, hint: &str, at: &str) -> TypeRef {
    let schema = match schema {
        SchemaAt::Ref(reference) => return lower_ref(cx, reference, at),
        SchemaAt::Item(schema) => schema,
    };
    if matches!(
        &schema.schema_kind,
        SchemaKind::Type(Type::String(_))
            | SchemaKind::Type(Type::Object(_))
            | SchemaKind::AllOf { .. }
    ) {
        // Only claim a name when the schema really needs a type of its own.
        let needs_type = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_some),
            SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
            SchemaKind::AllOf { all_of } => all_of.len() > 1,
            _ => false,
        };
        if needs_type {
            let name = cx.type_names.claim(&camel(hint));
            if let Some(kind) = lower_shape(cx, &name, schema, at) {
                push_type(cx, &name, schema, at, kind);
                return TypeRef::Named(name);
            }
        }
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => match &s.format {
            VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
            VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
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
            let item = match &array.items {
                Some(items) => lower_inline(
                    cx,
                    items.into(),
                    &format!("{hint}Item"),
                    &format!("{at}/items"),
                ),
                None => TypeRef::Json,
            };
            TypeRef::Vec(Box::new(item))
        }
        SchemaKind::Type(Type::Object(object)) => match &object.additional_properties {
            Some(AdditionalProperties::Schema(value)) => {
                let value = lower_inline(
                    cx,
                    value.as_ref().into(),
                    &format!("{hint}Value"),
                    &format!("{at}/additionalProperties"),
                );
                TypeRef::Map(Box::new(value))
            }
            _ => TypeRef::Map(Box::new(TypeRef::Json)),
        },
        SchemaKind::AllOf { all_of } if all_of.len() == 1 => match all_of.first() {
            Some(only) => lower_inline(cx, only.into(), hint, &format!("{at}/allOf/0")),
            None => TypeRef::Json,
        },
        SchemaKind::Any(_) => TypeRef::Json,
        SchemaKind::OneOf { .. }
        | SchemaKind::AnyOf { .. }
        | SchemaKind::Not { .. }
        | SchemaKind::AllOf { .. } => {
            cx.warn(
                Location::new(at),
                "`oneOf`/`anyOf`/`not` are not supported yet; generated as `serde_json::Value`",
            );
            TypeRef::Json
        }
    }
}

/// The type a `$ref` to a schema stands for.
fn lower_ref(cx: &mut Cx<'_>, reference: &str, at: &str) -> TypeRef {
    if let Some(name) = reference.strip_prefix("#/components/schemas/") {
        if let Some(rust) = cx.schema_names.get(&unescape_pointer(name)) {
            return TypeRef::Named(rust.clone());
        }
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

/// Puts fields whose type contains the struct itself by value (directly or through other
/// structs) in a `Box`, so recursive schemas compile.
pub(crate) fn box_recursive_fields(types: &mut [TypeDef]) {
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for def in types.iter() {
        let targets = match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().filter_map(|f| by_value(&f.ty)).collect(),
            TypeKind::Alias(ty) => by_value(ty).into_iter().collect(),
            TypeKind::Enum(_) => Vec::new(),
        };
        edges.insert(def.rust_name.clone(), targets);
    }
    for def in types.iter_mut() {
        let owner = def.rust_name.clone();
        if let TypeKind::Struct(s) = &mut def.kind {
            for field in &mut s.fields {
                if let Some(target) = by_value(&field.ty) {
                    if reaches(&edges, &target, &owner) {
                        field.ty = TypeRef::Boxed(Box::new(field.ty.clone()));
                    }
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

fn reaches(edges: &BTreeMap<String, Vec<String>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(node) = stack.pop() {
        if node == to {
            return true;
        }
        if seen.insert(node.clone()) {
            if let Some(next) = edges.get(&node) {
                stack.extend(next.iter().cloned());
            }
        }
    }
    false
}
