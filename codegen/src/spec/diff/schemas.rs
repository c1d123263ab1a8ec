//! Named schemas compared once, by name: types, properties, required-ness and enum values,
//! breaking by the direction each schema travels in.

use super::*;

impl Differ<'_> {
    pub(super) fn schemas(&mut self) {
        let empty = Map::new();
        let old = self
            .old
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new = self
            .new
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for name in old.keys() {
            if !new.contains_key(name) {
                self.push(
                    ChangeKind::SchemaRemoved,
                    true,
                    &format!("schema `{name}`"),
                    &pointer("#/components/schemas", name),
                    "schema removed".to_owned(),
                );
            }
        }
        for (name, schema) in new {
            let at = pointer("#/components/schemas", name);
            let Some(before) = old.get(name) else {
                self.push(
                    ChangeKind::SchemaAdded,
                    false,
                    &format!("schema `{name}`"),
                    &at,
                    "schema added".to_owned(),
                );
                continue;
            };
            let direction = self
                .old_usage
                .get(name)
                .copied()
                .unwrap_or_default()
                .or(self.new_usage.get(name).copied().unwrap_or_default());
            // A schema no operation uses is compared as if it were used both ways.
            let direction = if direction == Direction::default() {
                Direction::REQUEST.or(Direction::RESPONSE)
            } else {
                direction
            };
            let (old_type, new_type) = (type_of(before), type_of(schema));
            if old_type != new_type {
                self.push(
                    ChangeKind::TypeChanged,
                    true,
                    &format!("schema `{name}`"),
                    &at,
                    format!("type {old_type} → {new_type}"),
                );
            } else {
                self.schema(name, &at, before, schema, direction, 0);
            }
        }
    }

    /// Compares two schemas of the same type at `place` (`Name.property.inner`...). References
    /// are not followed: named schemas are compared on their own.
    pub(super) fn schema(
        &mut self,
        place: &str,
        at: &str,
        old: &Value,
        new: &Value,
        dir: Direction,
        depth: usize,
    ) {
        if depth > 32 || schema_ref(old).is_some() || schema_ref(new).is_some() {
            if type_of(old) != type_of(new) {
                self.push(
                    ChangeKind::TypeChanged,
                    true,
                    place,
                    at,
                    format!("type {} → {}", type_of(old), type_of(new)),
                );
            }
            return;
        }
        if let (Some(old_values), Some(new_values)) = (enum_values(old), enum_values(new)) {
            for value in &old_values {
                if !new_values.contains(value) {
                    self.push(
                        ChangeKind::EnumValueRemoved,
                        dir.request,
                        place,
                        &pointer(at, "enum"),
                        format!("enum value {value} removed"),
                    );
                }
            }
            for value in &new_values {
                if !old_values.contains(value) {
                    self.push(
                        ChangeKind::EnumValueAdded,
                        false,
                        place,
                        &pointer(at, "enum"),
                        format!("enum value {value} added"),
                    );
                }
            }
        }
        self.properties(place, at, old, new, dir, depth);
        for (key, suffix) in [("items", "[]"), ("additionalProperties", "{}")] {
            let (Some(before), Some(after)) = (old.get(key), new.get(key)) else {
                continue;
            };
            if !before.is_object() || !after.is_object() {
                continue;
            }
            let inner_place = format!("{place}{suffix}");
            let here = pointer(at, key);
            if type_of(before) != type_of(after) {
                self.push(
                    ChangeKind::TypeChanged,
                    true,
                    &inner_place,
                    &here,
                    format!("type {} → {}", type_of(before), type_of(after)),
                );
            } else {
                self.schema(&inner_place, &here, before, after, dir, depth + 1);
            }
        }
        for word in ["allOf", "oneOf", "anyOf"] {
            let (Some(before), Some(after)) = (
                old.get(word).and_then(Value::as_array),
                new.get(word).and_then(Value::as_array),
            ) else {
                continue;
            };
            for (i, (b, a)) in before.iter().zip(after).enumerate() {
                self.schema(
                    place,
                    &format!("{}/{i}", pointer(at, word)),
                    b,
                    a,
                    dir,
                    depth + 1,
                );
            }
        }
    }

    pub(super) fn properties(
        &mut self,
        place: &str,
        at: &str,
        old: &Value,
        new: &Value,
        dir: Direction,
        depth: usize,
    ) {
        let empty = Map::new();
        let old_props = old
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new_props = new
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let (old_required, new_required) = (required_list(old), required_list(new));
        let at = pointer(at, "properties");
        for name in old_props.keys() {
            if !new_props.contains_key(name) {
                self.push(
                    ChangeKind::PropertyRemoved,
                    true,
                    &format!("{place}.{name}"),
                    &pointer(&at, name),
                    "property removed".to_owned(),
                );
            }
        }
        for (name, property) in new_props {
            let here = pointer(&at, name);
            let inner_place = format!("{place}.{name}");
            let required = new_required.contains(name);
            let Some(before) = old_props.get(name) else {
                self.push(
                    ChangeKind::PropertyAdded,
                    required && dir.request,
                    &inner_place,
                    &here,
                    format!(
                        "property added ({}, {})",
                        type_of(property),
                        if required { "required" } else { "optional" }
                    ),
                );
                continue;
            };
            match (old_required.contains(name), required) {
                (false, true) => self.push(
                    ChangeKind::PropertyRequiredChanged,
                    dir.request,
                    &inner_place,
                    &here,
                    "now required".to_owned(),
                ),
                (true, false) => self.push(
                    ChangeKind::PropertyRequiredChanged,
                    dir.response,
                    &inner_place,
                    &here,
                    "now optional".to_owned(),
                ),
                _ => {}
            }
            let (old_type, new_type) = (type_of(before), type_of(property));
            if old_type != new_type {
                self.push(
                    ChangeKind::TypeChanged,
                    true,
                    &inner_place,
                    &here,
                    format!("type {old_type} → {new_type}"),
                );
            } else {
                self.schema(&inner_place, &here, before, property, dir, depth + 1);
            }
        }
    }
}
