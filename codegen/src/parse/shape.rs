//! Where a document does not follow OpenAPI 3.0: every offending value with its JSON pointer,
//! found by deserializing each object of the document on its own (with the objects it holds
//! replaced by placeholders, see [`walk::strip`]).
//!
//! This runs before the whole document is deserialized, and that only when it finds nothing:
//! besides locating errors, it keeps invalid documents away from `openapiv3`'s deserializers,
//! whose untagged enums retry each nested level on failure, which takes exponential time in
//! the nesting depth (a schema 40 levels deep with an error at the bottom never finishes).

use crate::error::{Error, Location};
use crate::parse::walk::{self, Node};
use crate::pointer::join_all;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Every shape error of the document, each at its own pointer. Empty when each object
/// deserializes on its own (the caller then reports the whole-document error).
pub(crate) fn locate(file: &str, root: &Value) -> Vec<Error> {
    let mut errors = Vec::new();
    walk::walk(root, &mut |node, value, at| {
        if let Some((inner, message)) = check(node, value) {
            let at = join_all(at, &inner);
            let mut location = Location::new(at.clone());
            location.context = walk::context(root, &at);
            errors.push(Error::Invalid {
                file: file.to_owned(),
                location,
                message: explain(node, &message),
            });
        }
    });
    errors
}

/// The first shape error in `value` read as an object of kind `node` (`at <pointer inside
/// it>: <message>`), found in linear time; `None` when it deserializes as one. Any part of the
/// document deserialized on its own (the target of a `$ref` outside `components`, see
/// [`crate::parse::targets`]) is checked with this first, for the reason in this module's
/// documentation.
pub(crate) fn first_error(node: Node, value: &Value) -> Option<String> {
    let mut first = None;
    walk::walk_from(node, value, "#", &mut |node, value, at| {
        if first.is_none() {
            if let Some((inner, message)) = check(node, value) {
                let at = join_all(at, &inner);
                first = Some(format!("at {at}: {message}"));
            }
        }
    });
    first
}

/// The object's own error: the path inside it and the deserializer's message.
fn check(node: Node, value: &Value) -> Option<(Vec<String>, String)> {
    if node == Node::Reference {
        return match value.get("$ref") {
            Some(Value::String(_)) | None => None,
            Some(_) => Some((
                vec!["$ref".to_owned()],
                "`$ref` must be a string such as `#/components/schemas/Name`".to_owned(),
            )),
        };
    }
    let stripped = walk::strip(node, value);
    let value = &stripped;
    match node {
        Node::Root => try_as::<openapiv3::OpenAPI>(value),
        Node::Info => try_as::<openapiv3::Info>(value),
        Node::Server => try_as::<openapiv3::Server>(value),
        Node::Tag => try_as::<openapiv3::Tag>(value),
        Node::ExternalDocs => try_as::<openapiv3::ExternalDocumentation>(value),
        Node::SecurityRequirement => try_as::<openapiv3::SecurityRequirement>(value),
        Node::Paths => try_as::<openapiv3::Paths>(value),
        Node::PathItem => try_as::<openapiv3::PathItem>(value),
        Node::Operation => try_as::<openapiv3::Operation>(value),
        Node::Parameter => parameter(value),
        Node::RequestBody => try_as::<openapiv3::RequestBody>(value),
        Node::Responses => try_as::<openapiv3::Responses>(value),
        Node::Response => try_as::<openapiv3::Response>(value),
        Node::Header => parameter(value).and_then(|_| try_as::<openapiv3::Header>(value)),
        Node::MediaType => try_as::<openapiv3::MediaType>(value),
        Node::Encoding => try_as::<openapiv3::Encoding>(value),
        Node::Schema => try_as::<openapiv3::Schema>(value),
        Node::Example => try_as::<openapiv3::Example>(value),
        Node::Link => try_as::<openapiv3::Link>(value),
        Node::SecurityScheme => try_as::<openapiv3::SecurityScheme>(value),
        Node::Components => try_as::<openapiv3::Components>(value),
        Node::Callback => try_as::<openapiv3::Callback>(value),
        Node::Reference => None,
    }
}

/// A parameter (or header) needs `schema` or `content`; serde's message for that is opaque.
fn parameter(value: &Value) -> Option<(Vec<String>, String)> {
    if value.is_object() && value.get("schema").is_none() && value.get("content").is_none() {
        return Some((
            Vec::new(),
            "a parameter needs a `schema` (or a `content` map); add for example \
             `schema: {type: string}`"
                .to_owned(),
        ));
    }
    try_as::<openapiv3::Parameter>(value)
}

fn try_as<T: DeserializeOwned>(value: &Value) -> Option<(Vec<String>, String)> {
    // Without tracking the path first (nearly every object is valid), and again with it to
    // say where when that fails: deserializing is deterministic, so the error is the same.
    if T::deserialize(value).is_ok() {
        return None;
    }
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => None,
        Err(error) => Some((path_segments(error.path()), error.inner().to_string())),
    }
}

/// The segments of a serde path, as JSON pointer segments (unescaped).
pub(crate) fn path_segments(path: &serde_path_to_error::Path) -> Vec<String> {
    path.iter()
        .filter_map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {
                None
            }
        })
        .collect()
}

/// The deserializer's message, with the fix when it is obvious.
fn explain(node: Node, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'));
    let fix = match (node, missing) {
        (Node::Root, Some("info")) => "add `info: {title: My API, version: '1.0'}`",
        (Node::Root, Some("paths")) => "add `paths: {}` if the API has no operations yet",
        (Node::Info, Some(_)) => "`info` needs both `title` and `version`",
        (Node::Operation, Some("responses")) => {
            "every operation needs `responses`, for example `responses: {'200': {description: OK}}`"
        }
        (Node::Response, Some("description")) => {
            "every response needs a `description` (it may be empty: `description: ''`)"
        }
        (Node::Parameter, Some("name" | "in")) => {
            "a parameter needs `name` and `in` (`path`, `query`, `header` or `cookie`)"
        }
        (Node::Server, Some("url")) => "a server needs a `url`",
        _ if message.contains("did not match any variant of untagged enum ReferenceOr") => {
            "expected an object or a `$ref`"
        }
        _ => "",
    };
    if fix.is_empty() {
        message.to_owned()
    } else {
        format!("{message}; {fix}")
    }
}
