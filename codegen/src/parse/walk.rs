//! A walk over the document as plain JSON that knows where OpenAPI 3.0 puts each kind of
//! object. Checks use it to visit every schema, operation, parameter... with its JSON pointer,
//! including parts that do not deserialize and parts that no operation uses.
//!
//! The same table tells which keys of an object hold other objects; [`strip`] replaces them by
//! placeholders, so that an object can be deserialized on its own and an error in it is found
//! at its own pointer instead of at the top of the document.

use crate::pointer::join as pointer;
use serde_json::{Map, Value};

/// The kinds of object the walk visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Node {
    Root,
    Info,
    Server,
    Tag,
    ExternalDocs,
    SecurityRequirement,
    Paths,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Responses,
    Response,
    Header,
    MediaType,
    Encoding,
    Schema,
    Example,
    Link,
    SecurityScheme,
    Components,
    Callback,
    /// An object with a `$ref`, where a reference may stand for the object.
    Reference,
}

/// How many objects a key holds.
#[derive(Clone, Copy)]
enum Many {
    One,
    List,
    Map,
}

/// A key of an object that holds other objects.
struct Child {
    key: &'static str,
    many: Many,
    node: Node,
    /// Whether a `$ref` may stand in place of the object.
    referable: bool,
}

/// A `Child` literal (a struct literal, so that the tables below are promoted to statics).
macro_rules! child {
    ($key:literal, $many:expr, $node:expr, $referable:literal) => {
        Child {
            key: $key,
            many: $many,
            node: $node,
            referable: $referable,
        }
    };
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn children(node: Node) -> &'static [Child] {
    use Many::{List, Map, One};
    use Node as N;
    match node {
        N::Root => &[
            child!("info", One, N::Info, false),
            child!("servers", List, N::Server, false),
            child!("paths", One, N::Paths, false),
            child!("components", One, N::Components, false),
            child!("security", List, N::SecurityRequirement, false),
            child!("tags", List, N::Tag, false),
            child!("externalDocs", One, N::ExternalDocs, false),
        ],
        N::PathItem => &[
            child!("get", One, N::Operation, false),
            child!("put", One, N::Operation, false),
            child!("post", One, N::Operation, false),
            child!("delete", One, N::Operation, false),
            child!("options", One, N::Operation, false),
            child!("head", One, N::Operation, false),
            child!("patch", One, N::Operation, false),
            child!("trace", One, N::Operation, false),
            child!("parameters", List, N::Parameter, true),
            child!("servers", List, N::Server, false),
        ],
        N::Operation => &[
            child!("parameters", List, N::Parameter, true),
            child!("requestBody", One, N::RequestBody, true),
            child!("responses", One, N::Responses, false),
            child!("callbacks", Map, N::Callback, false),
            child!("servers", List, N::Server, false),
            child!("security", List, N::SecurityRequirement, false),
            child!("externalDocs", One, N::ExternalDocs, false),
        ],
        N::Response => &[
            child!("headers", Map, N::Header, true),
            child!("content", Map, N::MediaType, false),
            child!("links", Map, N::Link, true),
        ],
        N::MediaType => &[
            child!("schema", One, N::Schema, true),
            child!("examples", Map, N::Example, true),
            child!("encoding", Map, N::Encoding, false),
        ],
        N::Encoding => &[child!("headers", Map, N::Header, true)],
        N::Parameter | N::Header => &[
            child!("schema", One, N::Schema, true),
            child!("content", Map, N::MediaType, false),
            child!("examples", Map, N::Example, true),
        ],
        N::RequestBody => &[child!("content", Map, N::MediaType, false)],
        N::Components => &[
            child!("schemas", Map, N::Schema, true),
            child!("responses", Map, N::Response, true),
            child!("parameters", Map, N::Parameter, true),
            child!("examples", Map, N::Example, true),
            child!("requestBodies", Map, N::RequestBody, true),
            child!("headers", Map, N::Header, true),
            child!("securitySchemes", Map, N::SecurityScheme, true),
            child!("links", Map, N::Link, true),
            child!("callbacks", Map, N::Callback, true),
        ],
        N::Schema => &[
            child!("properties", Map, N::Schema, true),
            child!("items", One, N::Schema, true),
            child!("additionalProperties", One, N::Schema, true),
            child!("allOf", List, N::Schema, true),
            child!("oneOf", List, N::Schema, true),
            child!("anyOf", List, N::Schema, true),
            child!("not", One, N::Schema, true),
        ],
        N::Info
        | N::Server
        | N::Tag
        | N::ExternalDocs
        | N::SecurityRequirement
        | N::Paths
        | N::Responses
        | N::Example
        | N::Link
        | N::SecurityScheme
        | N::Callback
        | N::Reference => &[],
    }
}

/// The kind of the objects a map object holds, whether a `$ref` may stand for one, and which
/// of its keys hold one.
type Entries = (Node, bool, fn(&str) -> bool);

/// Objects that are maps of other objects themselves (`paths`, `responses`, a callback).
fn entries(node: Node) -> Option<Entries> {
    match node {
        Node::Paths => Some((Node::PathItem, true, |key| key.starts_with('/'))),
        Node::Responses => Some((Node::Response, true, |key| !key.starts_with("x-"))),
        Node::Callback => Some((Node::PathItem, false, |key| !key.starts_with("x-"))),
        _ => None,
    }
}

/// Whether the value has the shape a key of `many` objects needs (anything for one).
fn fits(many: Many, value: &Value) -> bool {
    match many {
        Many::One => true,
        Many::List => value.is_array(),
        Many::Map => value.is_object(),
    }
}

/// A valid stand-in for an object of `node` (or a reference, where one may stand).
fn placeholder(node: Node, referable: bool) -> Value {
    let mut object = Map::new();
    if referable {
        object.insert("$ref".to_owned(), Value::String("#".to_owned()));
        return Value::Object(object);
    }
    let fields: &[(&str, Value)] = match node {
        Node::Info => &[
            ("title", Value::String(String::new())),
            ("version", Value::String(String::new())),
        ],
        Node::Server | Node::ExternalDocs => &[("url", Value::String(String::new()))],
        Node::Tag => &[("name", Value::String(String::new()))],
        Node::Operation => &[("responses", Value::Object(Map::new()))],
        _ => &[],
    };
    for (key, value) in fields {
        object.insert((*key).to_owned(), value.clone());
    }
    Value::Object(object)
}

/// The object with every object it holds replaced by a placeholder. Values of the wrong JSON
/// type (an array where a map belongs) are kept, so deserializing the result reports them.
pub(crate) fn strip(node: Node, value: &Value) -> Value {
    let Some(object) = value.as_object() else {
        return value.clone();
    };
    let mut out = Map::new();
    let entry_rule = entries(node);
    for (key, inner) in object {
        let kept = if let Some((entry_node, referable, _)) = entry_rule.filter(|e| (e.2)(key)) {
            placeholder(entry_node, referable)
        } else if let Some(c) = children(node)
            .iter()
            .find(|c| c.key == key && fits(c.many, inner))
        {
            if node == Node::Schema && c.key == "additionalProperties" && inner.is_boolean() {
                inner.clone()
            } else {
                match (c.many, inner) {
                    (Many::One, _) => placeholder(c.node, c.referable),
                    (Many::List, Value::Array(items)) => Value::Array(
                        items
                            .iter()
                            .map(|_| placeholder(c.node, c.referable))
                            .collect(),
                    ),
                    (Many::Map, Value::Object(items)) => Value::Object(
                        items
                            .keys()
                            .map(|k| (k.clone(), placeholder(c.node, c.referable)))
                            .collect(),
                    ),
                    _ => inner.clone(),
                }
            }
        } else {
            inner.clone()
        };
        out.insert(key.clone(), kept);
    }
    Value::Object(out)
}

/// Deeper than this, the walk stops (parsers already limit nesting; this is a second guard).
const MAX_DEPTH: usize = 256;

/// What the walk calls for each object: its kind (`Node::Reference` for a `$ref`), the kind of
/// object a reference stands for (for other objects, their own kind), the object and its
/// pointer.
type Visit<'f> = dyn FnMut(Node, Node, &Value, &str) + 'f;

/// Visits the document's objects, parents before children, with their JSON pointers.
pub(crate) fn walk(root: &Value, visit: &mut dyn FnMut(Node, &Value, &str)) {
    visit_node(
        Node::Root,
        root,
        "#",
        &mut |node, _, value, at| visit(node, value, at),
        0,
    );
}

/// Visits `value`, read as an object of kind `node` at `at`, and the objects it holds.
pub(crate) fn walk_from(
    node: Node,
    value: &Value,
    at: &str,
    visit: &mut dyn FnMut(Node, &Value, &str),
) {
    visit_node(
        node,
        value,
        at,
        &mut |node, _, value, at| visit(node, value, at),
        0,
    );
}

/// Visits every `$ref` that stands for an object in `value` (read as an object of kind
/// `node` at `at`): the kind of object it stands for, the reference and its pointer.
pub(crate) fn references(
    node: Node,
    value: &Value,
    at: &str,
    visit: &mut dyn FnMut(Node, &str, &str),
) {
    let mut each = |node: Node, stands_for: Node, value: &Value, at: &str| {
        let reference = value.get("$ref").and_then(Value::as_str);
        if let (Node::Reference, Some(reference)) = (node, reference) {
            visit(stands_for, reference, at);
        }
    };
    visit_node(node, value, at, &mut each, 0);
}

fn visit_node(node: Node, value: &Value, at: &str, visit: &mut Visit<'_>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    visit(node, node, value, at);
    let Some(object) = value.as_object() else {
        return;
    };
    if let Some((entry_node, referable, holds)) = entries(node) {
        for (key, inner) in object.iter().filter(|(k, _)| holds(k)) {
            visit_child(
                entry_node,
                referable,
                inner,
                &pointer(at, key),
                visit,
                depth,
            );
        }
    }
    for c in children(node) {
        let Some(inner) = object.get(c.key).filter(|v| fits(c.many, v)) else {
            continue;
        };
        let child_at = pointer(at, c.key);
        match (c.many, inner) {
            (Many::One, inner) => {
                if node == Node::Schema && c.key == "additionalProperties" && inner.is_boolean() {
                    continue;
                }
                visit_child(c.node, c.referable, inner, &child_at, visit, depth);
            }
            (Many::List, Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let item_at = format!("{child_at}/{i}");
                    visit_child(c.node, c.referable, item, &item_at, visit, depth);
                }
            }
            (Many::Map, Value::Object(items)) => {
                for (key, item) in items {
                    let item_at = pointer(&child_at, key);
                    visit_child(c.node, c.referable, item, &item_at, visit, depth);
                }
            }
            _ => {}
        }
    }
}

fn visit_child(
    node: Node,
    referable: bool,
    value: &Value,
    at: &str,
    visit: &mut Visit<'_>,
    depth: usize,
) {
    if referable && value.as_object().is_some_and(|o| o.contains_key("$ref")) {
        visit(Node::Reference, node, value, at);
        return;
    }
    visit_node(node, value, at, visit, depth + 1);
}

/// Whether `key` names an HTTP method of a path item.
pub(crate) fn is_method(key: &str) -> bool {
    METHODS.contains(&key)
}

/// The operationId or schema name that the object at `at` belongs to, for messages.
pub(crate) fn context(root: &Value, at: &str) -> Option<String> {
    let mut tokens = crate::pointer::tokens(at)?.into_iter();
    match (tokens.next()?.as_str(), tokens.next()?, tokens.next()?) {
        ("paths", path, method) if is_method(&method) => root
            .get("paths")?
            .get(&path)?
            .get(&method)?
            .get("operationId")?
            .as_str()
            .map(str::to_owned),
        ("components", kind, name) if kind == "schemas" => Some(name),
        _ => None,
    }
}
