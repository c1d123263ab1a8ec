//! The server side every generated crate carries behind its `server` feature: decoding and
//! validating requests, and encoding responses, for the router in the generated crate's
//! `server.rs`. It is the same for every API; the generated crate re-exports it as
//! `server_runtime`. Behind the `server` feature.

use std::fmt;
use std::str::FromStr;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;

pub use crate::server_auth::{Authenticated, SchemeValue, authenticate};
pub use crate::server_body::{Download, Upload, download_response};
pub use crate::sse_server::{Events, event_stream_response};

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
    /// Which security scheme (and value) authenticated the request, per the operation's
    /// requirements (see [`authenticate`]); `None` when the operation has none.
    pub authenticated: Option<Authenticated>,
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
        authenticated: None,
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

    pub(crate) fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
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
    #[cfg(feature = "deep-object")]
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
#[cfg(feature = "form")]
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
#[cfg(feature = "form")]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn query_parameters_are_decoded_and_checked() {
        let query = Query::parse(Some("n=5&name=a+b%26c&twice=1&twice=2&bad=x"));
        assert_eq!(query.required::<u32>("n"), Ok(5));
        assert_eq!(
            query.optional::<String>("name"),
            Ok(Some("a b&c".to_owned()))
        );
        assert_eq!(query.optional::<u32>("absent"), Ok(None));
        let missing = query.required::<u32>("absent").expect_err("missing");
        assert_eq!(missing.to_string(), "query parameter absent: is missing");
        let twice = query.optional::<u32>("twice").expect_err("twice");
        assert_eq!(twice.message, "appears more than once");
        let bad = query.required::<u32>("bad").expect_err("not a number");
        assert_eq!(bad.field, "query parameter bad");
        assert!(
            bad.message.starts_with("`x` is not valid"),
            "{}",
            bad.message
        );
        assert_eq!(Query::parse(None).optional::<u32>("n"), Ok(None));
    }

    #[test]
    fn lists_in_every_style() {
        let query = Query::parse(Some("ids=1&ids=2&csv=a,b&pipes=x|y&empty="));
        assert_eq!(query.list::<u8>("ids"), Ok(Some(vec![1, 2])));
        assert_eq!(
            query.delimited::<String>("csv", ','),
            Ok(Some(vec!["a".to_owned(), "b".to_owned()]))
        );
        assert_eq!(
            query.delimited::<String>("pipes", '|'),
            Ok(Some(vec!["x".to_owned(), "y".to_owned()]))
        );
        assert_eq!(
            query.delimited::<String>("empty", ','),
            Ok(Some(Vec::new()))
        );
        assert_eq!(query.list::<u8>("none"), Ok(None));
        assert!(query.list::<u8>("csv").is_err());
    }

    #[cfg(feature = "deep-object")]
    #[test]
    fn deep_objects_are_read_from_bracketed_keys() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Filter {
            name: String,
            range: Range,
        }
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Range {
            from: u32,
        }
        let query = Query::parse(Some("filter%5Bname%5D=a+b&filter[range][from]=3&other=1"));
        let filter: Option<Filter> = query.deep_object("filter").expect("valid");
        assert_eq!(
            filter,
            Some(Filter {
                name: "a b".to_owned(),
                range: Range { from: 3 }
            })
        );
        assert_eq!(query.deep_object::<Filter>("absent"), Ok(None));
        let bad = Query::parse(Some("filter[name]=a&filter[range][from]=x"));
        assert_eq!(
            bad.deep_object::<Filter>("filter").expect_err("bad").field,
            "query parameter filter"
        );
    }

    #[test]
    fn json_text_parameters_fall_back_to_a_string() {
        assert_eq!(
            Json::<serde_json::Value>::from_text("[1,2]"),
            Ok(Json(serde_json::json!([1, 2])))
        );
        assert_eq!(
            Json::<serde_json::Value>::from_text("plain"),
            Ok(Json(serde_json::json!("plain")))
        );
        assert!(Json::<u8>::from_text("plain").is_err());
    }

    #[test]
    fn headers_and_cookies() {
        let map = headers(&[
            ("x-count", "3"),
            ("cookie", "a=1; session=x%20y"),
            ("cookie", "b=2"),
        ]);
        assert_eq!(header_param::<u8>(&map, "x-count"), Ok(Some(3)));
        assert_eq!(header_param::<u8>(&map, "x-absent"), Ok(None));
        assert_eq!(
            required_header::<u8>(&map, "x-absent")
                .expect_err("missing")
                .field,
            "header x-absent"
        );
        assert_eq!(
            cookie_param::<String>(&map, "session"),
            Ok(Some("x y".to_owned()))
        );
        assert_eq!(cookie_param::<u8>(&map, "b"), Ok(Some(2)));
        assert_eq!(cookie_param::<u8>(&map, "c"), Ok(None));
    }

    #[test]
    fn json_bodies_report_the_failing_path() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Body {
            n: u8,
        }
        assert_eq!(json_body::<Body>(b"  \n"), Ok(None));
        assert_eq!(json_body::<Body>(br#"{"n": 1}"#), Ok(Some(Body { n: 1 })));
        let bad = json_body::<Body>(br#"{"n": 900}"#).expect_err("too large");
        assert_eq!(bad.field, "body at n");
        let missing = required_json_body::<Body>(b"").expect_err("missing");
        assert_eq!(missing.to_string(), "body: is missing");
        assert_eq!(text_body(b"hi"), Ok(Some("hi".to_owned())));
        assert!(text_body(&[0xff]).is_err());
    }

    #[test]
    fn responses_carry_status_type_and_headers() {
        let response = json_response(201, &serde_json::json!({"a": 1}));
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/json; charset=utf-8"
        );
        let response = with_header(empty_response(204), "x-ms-continuation", Some(&"tok"));
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(response.headers()["x-ms-continuation"], "tok");
        // A value that cannot be a header is left out rather than sent broken.
        let response = with_header(empty_response(204), "x-bad", Some(&"a\nb"));
        assert!(response.headers().get("x-bad").is_none());
        let rejected = bad_request(&Rejection::missing("path parameter id"));
        assert_eq!(rejected.status(), StatusCode::BAD_REQUEST);
        let error = ServerError::new(
            StatusCode::NOT_FOUND,
            serde_json::json!({"code": "NotFound"}),
        )
        .with_header("iothub-errorcode", "DeviceNotFound")
        .with_header("bad header", "x");
        let response = error_response(error);
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(response.headers()["iothub-errorcode"], "DeviceNotFound");
        assert_eq!(
            response.headers().len(),
            2,
            "content type and the one valid header"
        );
    }
}
