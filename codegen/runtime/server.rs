//! The server side every generated crate carries behind its `server` feature: decoding and
//! validating requests, and encoding responses, for the router in the generated crate's
//! `server.rs`. It is the same for every API; the generated crate re-exports it as
//! `server_runtime`.

use std::fmt;
use std::str::FromStr;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;

/// What a handler knows about the request besides its typed inputs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequestContext {
    /// The operationId.
    pub operation_id: &'static str,
    /// The HTTP method.
    pub method: axum::http::Method,
    /// The request path, as received (still percent-encoded).
    pub path: String,
    /// The request headers (for authentication, tracing ids...).
    pub headers: HeaderMap,
}

/// Why a request was refused before reaching the implementation: which input, and what is
/// wrong with it. The implementation turns it into a response with
/// the generated `server::Api::reject` (by default: 400 with the message as text).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rejection {
    /// The input: `path parameter id`, `query parameter api-version`, `header x-ms-max-item-count`,
    /// `body`, `body at cloudToDeviceMethod.payload`...
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl Rejection {
    /// A required parameter that is absent.
    pub fn missing(name: &str) -> Self {
        Self::new(name, "is missing")
    }

    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An error answer from the implementation: a status, extra headers and the documented error
/// body.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServerError<E> {
    /// The status.
    pub status: StatusCode,
    /// Headers to add (for example `iothub-errorcode`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body, sent as JSON; `None` for an empty body.
    pub body: Option<E>,
}

impl<E> ServerError<E> {
    /// An error with `status` and `body`.
    pub fn new(status: StatusCode, body: E) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    /// Adds a header; a name or value that is not valid in HTTP is left out.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.push((name, value));
        }
        self
    }
}

/// Builds the context of a request.
pub fn context(
    operation_id: &'static str,
    method: axum::http::Method,
    uri: &axum::http::Uri,
    headers: HeaderMap,
) -> RequestContext {
    RequestContext {
        operation_id,
        method,
        path: uri.path().to_owned(),
        headers,
    }
}

/// The query string, decoded into pairs.
#[derive(Debug, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Decodes `raw` (`a=1&b=x+y`).
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            raw.map(|raw| {
                form_urlencoded::parse(raw.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        )
    }

    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A parameter that may appear once; `None` when absent.
    pub fn optional<T: FromText>(&self, name: &str) -> Result<Option<T>, Rejection> {
        let mut values = self.values(name);
        let Some(first) = values.next() else {
            return Ok(None);
        };
        if values.next().is_some() {
            return Err(Rejection::new(
                format!("query parameter {name}"),
                "appears more than once",
            ));
        }
        T::from_text(first)
            .map(Some)
            .map_err(|e| Rejection::new(format!("query parameter {name}"), e))
    }

    /// A parameter that must appear once.
    pub fn required<T: FromText>(&self, name: &str) -> Result<T, Rejection> {
        self.optional(name)?
            .ok_or_else(|| Rejection::new(format!("query parameter {name}"), "is missing"))
    }

    /// A list in one value, split at `separator` (`name=a,b` for `form` without explode,
    /// `spaceDelimited`, `pipeDelimited`); `None` when absent.
    pub fn delimited<T: FromText>(
        &self,
        name: &str,
        separator: char,
    ) -> Result<Option<Vec<T>>, Rejection> {
        let values: Vec<&str> = self.values(name).collect();
        if values.is_empty() {
            return Ok(None);
        }
        values
            .into_iter()
            .filter(|v| !v.is_empty())
            .flat_map(|v| v.split(separator))
            .map(|v| {
                T::from_text(v).map_err(|e| Rejection::new(format!("query parameter {name}"), e))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A `deepObject` parameter (`name[key]=value`, nested brackets for nested objects,
    /// `name[key][0]` or `name[key][]` for arrays); `None` when no key of it appears.
    pub fn deep_object<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, Rejection> {
        let prefix = format!("{name}[");
        let mut text = form_urlencoded::Serializer::new(String::new());
        let mut any = false;
        for (k, v) in self.0.iter().filter(|(k, _)| k.starts_with(&prefix)) {
            text.append_pair(k, v);
            any = true;
        }
        if !any {
            return Ok(None);
        }
        let mut map: std::collections::BTreeMap<String, T> = serde_qs::Config::new()
            .use_form_encoding(true)
            .deserialize_str(&text.finish())
            .map_err(|e| Rejection::new(format!("query parameter {name}"), e.to_string()))?;
        Ok(map.remove(name))
    }

    /// A list parameter (`name=a&name=b`); `None` when absent.
    pub fn list<T: FromText>(&self, name: &str) -> Result<Option<Vec<T>>, Rejection> {
        let values: Vec<&str> = self.values(name).collect();
        if values.is_empty() {
            return Ok(None);
        }
        values
            .into_iter()
            .map(|v| {
                T::from_text(v).map_err(|e| Rejection::new(format!("query parameter {name}"), e))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

/// Parses a parameter's text. Plain values (strings, numbers, booleans, enums, dates) use
/// their `FromStr`; other types are read as JSON.
pub trait FromText: Sized {
    /// Parses `text`, or says what is wrong.
    fn from_text(text: &str) -> Result<Self, String>;
}

/// Every type with a `FromStr` (text, numbers, `bool`, dates, UUIDs, base64, open enums).
impl<T: FromStr> FromText for T
where
    T::Err: fmt::Display,
{
    fn from_text(text: &str) -> Result<Self, String> {
        T::from_str(text).map_err(|e| format!("`{text}` is not valid: {e}"))
    }
}

/// A parameter read as JSON text, for types with no plain form.
#[derive(Debug, Clone, PartialEq)]
pub struct Json<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromText for Json<T> {
    /// JSON text, or else the text as a JSON string (what the client sends for values that
    /// serialize to a string).
    fn from_text(text: &str) -> Result<Self, String> {
        serde_json::from_str(text)
            .or_else(|e| {
                serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| e)
            })
            .map(Json)
            .map_err(|e| format!("`{text}` is not valid JSON for this parameter: {e}"))
    }
}

/// A path parameter, percent-decoded by the router.
pub fn path_param<T: FromText>(
    params: &Result<axum::extract::RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    name: &str,
) -> Result<T, Rejection> {
    let field = || format!("path parameter {name}");
    let params = params
        .as_ref()
        .map_err(|e| Rejection::new(field(), e.body_text()))?;
    let value = params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .ok_or_else(|| Rejection::new(field(), "is missing"))?;
    T::from_text(value).map_err(|e| Rejection::new(field(), e))
}

/// A request header; `None` when absent.
pub fn header_param<T: FromText>(headers: &HeaderMap, name: &str) -> Result<Option<T>, Rejection> {
    let field = || format!("header {name}");
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| Rejection::new(field(), "is not visible ASCII"))?;
    T::from_text(text)
        .map(Some)
        .map_err(|e| Rejection::new(field(), e))
}

/// A required request header.
pub fn required_header<T: FromText>(headers: &HeaderMap, name: &str) -> Result<T, Rejection> {
    header_param(headers, name)?
        .ok_or_else(|| Rejection::new(format!("header {name}"), "is missing"))
}

/// A cookie; `None` when absent.
pub fn cookie_param<T: FromText>(headers: &HeaderMap, name: &str) -> Result<Option<T>, Rejection> {
    for value in headers.get_all(header::COOKIE) {
        let Ok(text) = value.to_str() else { continue };
        for pair in text.split(';') {
            if let Some((key, value)) = pair.trim().split_once('=') {
                if key == name {
                    let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
                    return T::from_text(&decoded)
                        .map(Some)
                        .map_err(|e| Rejection::new(format!("cookie {name}"), e));
                }
            }
        }
    }
    Ok(None)
}

/// A JSON request body; `None` when the body is empty. A value that does not match the
/// schema is refused with the JSON path of the offending field.
pub fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<Option<T>, Rejection> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer)
        .map(Some)
        .map_err(|e| {
            let (path, message) = crate::failing_path(e);
            let field = if path == "." {
                "body".to_owned()
            } else {
                format!("body at {path}")
            };
            Rejection::new(field, message)
        })
}

/// A form (`application/x-www-form-urlencoded`) request body; `None` when empty.
pub fn form_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<Option<T>, Rejection> {
    if bytes.is_empty() {
        return Ok(None);
    }
    serde_urlencoded::from_bytes(bytes)
        .map(Some)
        .map_err(|e| Rejection::new("body", e.to_string()))
}

/// A text request body; `None` when empty.
pub fn text_body(bytes: &[u8]) -> Result<Option<String>, Rejection> {
    if bytes.is_empty() {
        return Ok(None);
    }
    String::from_utf8(bytes.to_vec())
        .map(Some)
        .map_err(|_| Rejection::new("body", "is not UTF-8 text"))
}

/// Multipart request bodies are sent by generated clients but not read by generated servers.
pub fn multipart_body<T>(_bytes: &[u8]) -> Result<Option<T>, Rejection> {
    Err(Rejection::new(
        "body",
        "multipart/form-data bodies are not supported by the generated server",
    ))
}

/// A response with `status` and `value` form-encoded.
pub fn form_response<T: serde::Serialize>(status: u16, value: &T) -> Response {
    match serde_urlencoded::to_string(value) {
        Ok(text) => bytes_response(
            status,
            "application/x-www-form-urlencoded",
            text.into_bytes(),
        ),
        Err(e) => {
            let mut response =
                Response::new(Body::from(format!("cannot encode the response: {e}")));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        }
    }
}

/// A required JSON request body.
pub fn required_json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Rejection> {
    json_body(bytes)?.ok_or_else(|| Rejection::new("body", "is missing"))
}

/// The default answer to a [`Rejection`]: 400 with the message as text.
pub fn bad_request(rejection: &Rejection) -> Response {
    let mut response = Response::new(Body::from(rejection.to_string()));
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// A response with `status` and `value` as its JSON body.
pub fn json_response<T: serde::Serialize>(status: u16, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            response
        }
        Err(e) => {
            let mut response =
                Response::new(Body::from(format!("cannot encode the response: {e}")));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        }
    }
}

/// A response with `status`, raw `bytes` and `content_type`.
pub fn bytes_response(status: u16, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// An empty response with `status`.
pub fn empty_response(status: u16) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT);
    response
}

/// Adds a response header from a value's text; values that are not valid in HTTP are left out.
pub fn with_header<T: fmt::Display>(
    mut response: Response,
    name: &'static str,
    value: Option<&T>,
) -> Response {
    if let Some(value) = value {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value.to_string()),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// The response for an error the implementation returned.
pub fn error_response<E: serde::Serialize>(error: ServerError<E>) -> Response {
    let mut response = match &error.body {
        Some(body) => json_response(error.status.as_u16(), body),
        None => empty_response(error.status.as_u16()),
    };
    *response.status_mut() = error.status;
    for (name, value) in error.headers {
        response.headers_mut().insert(name, value);
    }
    response
}
