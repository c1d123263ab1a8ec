//! Operations compared: parameters (path parameters matched by position), request bodies,
//! responses and their headers.

use super::*;

impl Differ<'_> {
    pub(super) fn operations(&mut self) {
        let old_ops = operations(self.old);
        let new_ops = operations(self.new);
        let new_keys: BTreeSet<&(String, String)> = new_ops.iter().map(|(k, _)| k).collect();
        let old_index: BTreeMap<&(String, String), (&str, &Value, &Value)> =
            old_ops.iter().map(|(k, v)| (k, *v)).collect();
        for ((method, _), (path, _, operation)) in &old_ops {
            if !new_keys.contains(&(method.clone(), blank_parameters(path))) {
                let at = pointer(&pointer("#/paths", path), &method.to_lowercase());
                let place = operation_place(method, path, operation);
                self.push(
                    ChangeKind::OperationRemoved,
                    true,
                    &place,
                    &at,
                    "operation removed".to_owned(),
                );
            }
        }
        for (key, (path, item, operation)) in &new_ops {
            let (method, _) = key;
            let at = pointer(&pointer("#/paths", path), &method.to_lowercase());
            let place = operation_place(method, path, operation);
            match old_index.get(key) {
                None => self.push(
                    ChangeKind::OperationAdded,
                    false,
                    &place,
                    &at,
                    "operation added".to_owned(),
                ),
                Some(old) => {
                    let method = method.to_lowercase();
                    self.operation(&place, &at, &method, *old, (path, item, operation));
                }
            }
        }
    }

    pub(super) fn operation(
        &mut self,
        place: &str,
        at: &str,
        method: &str,
        old: (&str, &Value, &Value),
        new: (&str, &Value, &Value),
    ) {
        let (old_op, new_op) = (old.2, new.2);
        let old_id = old_op.get("operationId").and_then(Value::as_str);
        let new_id = new_op.get("operationId").and_then(Value::as_str);
        if old_id != new_id {
            self.push(
                ChangeKind::OperationIdChanged,
                true,
                place,
                &pointer(at, "operationId"),
                format!(
                    "operationId `{}` → `{}` (the generated method is renamed)",
                    old_id.unwrap_or("-"),
                    new_id.unwrap_or("-")
                ),
            );
        }
        self.parameters(place, method, old, new);
        self.request_body(place, at, old_op, new_op);
        self.responses(place, at, old_op, new_op);
    }

    /// Path-level and operation-level parameters, resolved, keyed by (in, name); path
    /// parameters are keyed by their place in the path (`#0`, `#1`...), so a renamed one is
    /// the same parameter.
    pub(super) fn effective_parameters<'v>(
        doc: &'v Value,
        method: &str,
        (path, item, operation): (&str, &'v Value, &'v Value),
    ) -> Vec<((String, String), &'v Value, String)> {
        let mut out: Vec<((String, String), &Value, String)> = Vec::new();
        let item_at = pointer("#/paths", path);
        let operation_at = pointer(&item_at, method);
        let lists = [(item, item_at), (operation, operation_at)];
        let all = lists.iter().flat_map(|(owner, at)| {
            owner
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, p)| (p, format!("{at}/parameters/{i}")))
        });
        for (parameter, at) in all {
            let parameter = resolve(doc, parameter);
            let location = parameter
                .get("in")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let name = parameter
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let key = match path_position(path, name) {
                Some(i) if location == "path" => (location.to_owned(), format!("#{i}")),
                _ => (location.to_owned(), name.to_owned()),
            };
            match out.iter_mut().find(|(k, _, _)| *k == key) {
                Some(entry) => {
                    entry.1 = parameter;
                    entry.2 = at;
                }
                None => out.push((key, parameter, at)),
            }
        }
        out
    }

    pub(super) fn parameters(
        &mut self,
        place: &str,
        method: &str,
        old: (&str, &Value, &Value),
        new: (&str, &Value, &Value),
    ) {
        let old = Self::effective_parameters(self.old, method, old);
        let new = Self::effective_parameters(self.new, method, new);
        let name_of = |p: &Value| {
            p.get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        for ((location, key), parameter, at) in &old {
            let name = name_of(parameter);
            if !new.iter().any(|(k, _, _)| k.0 == *location && k.1 == *key) {
                self.push(
                    ChangeKind::ParameterRemoved,
                    true,
                    place,
                    at,
                    format!("parameter `{name}` ({location}) removed"),
                );
            }
        }
        for ((location, key), parameter, at) in &new {
            let at = at.as_str();
            let name = name_of(parameter);
            let label = format!("parameter `{name}` ({location})");
            let Some((_, before, _)) = old.iter().find(|(k, _, _)| k.0 == *location && k.1 == *key)
            else {
                let required = is_required(parameter);
                self.push(
                    ChangeKind::ParameterAdded,
                    required,
                    place,
                    at,
                    format!(
                        "{label} added{}",
                        if required { ", required" } else { ", optional" }
                    ),
                );
                continue;
            };
            let old_name = name_of(before);
            if old_name != name {
                self.push(
                    ChangeKind::ParameterRenamed,
                    false,
                    place,
                    at,
                    format!("{location} parameter `{old_name}` renamed to `{name}`"),
                );
            }
            match (is_required(before), is_required(parameter)) {
                (false, true) => self.push(
                    ChangeKind::ParameterRequiredChanged,
                    true,
                    place,
                    at,
                    format!("{label} is now required"),
                ),
                (true, false) => self.push(
                    ChangeKind::ParameterRequiredChanged,
                    false,
                    place,
                    at,
                    format!("{label} is now optional"),
                ),
                _ => {}
            }
            let empty = Value::Object(Map::new());
            let old_schema = before.get("schema").unwrap_or(&empty);
            let new_schema = parameter.get("schema").unwrap_or(&empty);
            let (old_type, new_type) = (type_of(old_schema), type_of(new_schema));
            if old_type != new_type {
                self.push(
                    ChangeKind::ParameterRetyped,
                    true,
                    place,
                    at,
                    format!("{label}: type {old_type} → {new_type}"),
                );
            } else {
                self.schema(
                    &format!("{place} {label}"),
                    at,
                    old_schema,
                    new_schema,
                    Direction::REQUEST,
                    0,
                );
            }
        }
    }

    pub(super) fn request_body(&mut self, place: &str, at: &str, old_op: &Value, new_op: &Value) {
        let at = pointer(at, "requestBody");
        let old = old_op.get("requestBody").map(|b| resolve(self.old, b));
        let new = new_op.get("requestBody").map(|b| resolve(self.new, b));
        match (old, new) {
            (None, None) => {}
            (Some(_), None) => self.push(
                ChangeKind::RequestBodyRemoved,
                true,
                place,
                &at,
                "request body removed".to_owned(),
            ),
            (None, Some(body)) => {
                let required = is_required(body);
                self.push(
                    ChangeKind::RequestBodyAdded,
                    required,
                    place,
                    &at,
                    format!(
                        "request body added{}",
                        if required { ", required" } else { ", optional" }
                    ),
                );
            }
            (Some(old), Some(new)) => {
                match (is_required(old), is_required(new)) {
                    (false, true) => self.push(
                        ChangeKind::RequestBodyRequiredChanged,
                        true,
                        place,
                        &at,
                        "request body is now required".to_owned(),
                    ),
                    (true, false) => self.push(
                        ChangeKind::RequestBodyRequiredChanged,
                        false,
                        place,
                        &at,
                        "request body is now optional".to_owned(),
                    ),
                    _ => {}
                }
                self.content(
                    &format!("{place} request body"),
                    &pointer(&at, "content"),
                    (old, new),
                    Direction::REQUEST,
                );
            }
        }
    }

    /// Media types of a body, and the schema of each type both sides have.
    pub(super) fn content(
        &mut self,
        place: &str,
        at: &str,
        (old, new): (&Value, &Value),
        dir: Direction,
    ) {
        let empty = Map::new();
        let old = old
            .get("content")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new = new
            .get("content")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for media in old.keys() {
            if !new.contains_key(media) {
                self.push(
                    ChangeKind::MediaTypeRemoved,
                    true,
                    place,
                    at,
                    format!("media type `{media}` removed"),
                );
            }
        }
        for (media, entry) in new {
            let Some(before) = old.get(media) else {
                self.push(
                    ChangeKind::MediaTypeAdded,
                    false,
                    place,
                    at,
                    format!("media type `{media}` added"),
                );
                continue;
            };
            let empty = Value::Object(Map::new());
            let here = pointer(&pointer(at, media), "schema");
            self.schema(
                place,
                &here,
                before.get("schema").unwrap_or(&empty),
                entry.get("schema").unwrap_or(&empty),
                dir,
                0,
            );
        }
    }

    pub(super) fn responses(&mut self, place: &str, at: &str, old_op: &Value, new_op: &Value) {
        let empty = Map::new();
        let old = old_op
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new = new_op
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let at = pointer(at, "responses");
        for status in old.keys() {
            if !new.contains_key(status) {
                self.push(
                    ChangeKind::ResponseRemoved,
                    status.starts_with('2'),
                    place,
                    &pointer(&at, status),
                    format!("response `{status}` removed"),
                );
            }
        }
        for (status, response) in new {
            let here = pointer(&at, status);
            let Some(before) = old.get(status) else {
                self.push(
                    ChangeKind::ResponseAdded,
                    false,
                    place,
                    &here,
                    format!("response `{status}` added"),
                );
                continue;
            };
            let (before, response) = (resolve(self.old, before), resolve(self.new, response));
            let place = format!("{place} response `{status}`");
            self.headers(&place, &here, before, response);
            self.content(
                &place,
                &pointer(&here, "content"),
                (before, response),
                Direction::RESPONSE,
            );
        }
    }

    pub(super) fn headers(&mut self, place: &str, at: &str, old: &Value, new: &Value) {
        let empty = Map::new();
        let old = old
            .get("headers")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new = new
            .get("headers")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let at = pointer(at, "headers");
        for name in old.keys() {
            if !new.contains_key(name) {
                self.push(
                    ChangeKind::HeaderRemoved,
                    true,
                    place,
                    &at,
                    format!("header `{name}` removed"),
                );
            }
        }
        for name in new.keys() {
            if !old.contains_key(name) {
                self.push(
                    ChangeKind::HeaderAdded,
                    false,
                    place,
                    &at,
                    format!("header `{name}` added"),
                );
            }
        }
    }
}
