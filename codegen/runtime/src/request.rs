//! Request encoding: headers, bodies (JSON, form, multipart, bytes), query parameters
//! (`deepObject`, values with no plain-text form) and cookies.

use crate::{Error, HeaderValue, Url};

/// Sets a request header, rejecting values that are not valid in a header.
pub fn set_header<E>(
    request: &mut reqwest::Request,
    name: &'static str,
    value: &str,
) -> Result<(), Error<E>> {
    let header = reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::InvalidInput(format!("`{name}` is not a valid header name")))?;
    let value = HeaderValue::from_str(value).map_err(|_| {
        Error::InvalidInput(format!(
            "header `{name}`: the value contains characters not allowed in a header"
        ))
    })?;
    request.headers_mut().insert(header, value);
    Ok(())
}

/// Serializes `body` as the JSON request body.
pub fn set_json_body<T: serde::Serialize + ?Sized, E>(
    request: &mut reqwest::Request,
    content_type: &'static str,
    body: &T,
) -> Result<(), Error<E>> {
    let bytes =
        serde_json::to_vec(body).map_err(|e| Error::InvalidInput(format!("request body: {e}")))?;
    set_bytes_body(request, content_type, bytes)
}

/// Serializes `body` (a flat object) as a form (`application/x-www-form-urlencoded`) body.
#[cfg(feature = "form")]
pub fn set_form_body<T: serde::Serialize + ?Sized, E>(
    request: &mut reqwest::Request,
    content_type: &'static str,
    body: &T,
) -> Result<(), Error<E>> {
    let text = serde_urlencoded::to_string(body)
        .map_err(|e| Error::InvalidInput(format!("form body: {e}")))?;
    set_bytes_body(request, content_type, text.into_bytes())
}

/// Sends `body` as `multipart/form-data`: one text part per property (arrays give one part
/// per item; nested objects are sent as JSON text). Such requests are not retried: their body
/// is a stream.
#[cfg(feature = "multipart")]
pub fn set_multipart_body<T: serde::Serialize + ?Sized, E>(
    http: &reqwest::Client,
    request: &mut reqwest::Request,
    body: &T,
) -> Result<(), Error<E>> {
    let value = serde_json::to_value(body)
        .map_err(|e| Error::InvalidInput(format!("multipart body: {e}")))?;
    let serde_json::Value::Object(fields) = value else {
        return Err(Error::InvalidInput(
            "a multipart body must be an object".to_owned(),
        ));
    };
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in &fields {
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::Array(items) => {
                for item in items {
                    form = form.text(name.clone(), text(item));
                }
            }
            other => form = form.text(name.clone(), text(other)),
        }
    }
    // reqwest builds multipart bodies through a request builder; borrow its body and header.
    let mut built = http
        .request(request.method().clone(), request.url().clone())
        .multipart(form)
        .build()
        .map_err(Error::Transport)?;
    if let Some(content_type) = built.headers().get(reqwest::header::CONTENT_TYPE).cloned() {
        request
            .headers_mut()
            .insert(reqwest::header::CONTENT_TYPE, content_type);
    }
    *request.body_mut() = built.body_mut().take();
    Ok(())
}

/// Sets raw bytes as the request body.
pub fn set_bytes_body<E>(
    request: &mut reqwest::Request,
    content_type: &'static str,
    body: Vec<u8>,
) -> Result<(), Error<E>> {
    set_header(request, "content-type", content_type)?;
    *request.body_mut() = Some(body.into());
    Ok(())
}

/// Appends a `deepObject` query parameter to `url`: `name[key]=value` for each property,
/// nested objects as `name[key][inner]=value`, arrays as `name[key][0]=value`; brackets are
/// left unencoded, as servers that read this style expect.
#[cfg(feature = "deep-object")]
pub fn append_deep_object<T: serde::Serialize + ?Sized, E>(
    url: &mut Url,
    name: &'static str,
    value: &T,
) -> Result<(), Error<E>> {
    let invalid =
        |e: &dyn std::fmt::Display| Error::InvalidInput(format!("parameter `{name}`: {e}"));
    // An object without properties sends nothing (serde_qs would write `name=`).
    let json = serde_json::to_value(value).map_err(|e| invalid(&e))?;
    if matches!(&json, serde_json::Value::Object(map) if map.is_empty()) {
        return Ok(());
    }
    let wrapped = std::collections::BTreeMap::from([(name, json)]);
    let text = serde_qs::to_string(&wrapped).map_err(|e| invalid(&e))?;
    if text.is_empty() {
        return Ok(());
    }
    let query = match url.query() {
        Some(existing) if !existing.is_empty() => format!("{existing}&{text}"),
        _ => text,
    };
    url.set_query(Some(&query));
    Ok(())
}

/// Drops the `?` that an empty query would leave at the end of `url`.
pub fn finish_query(url: &mut Url) {
    if url.query() == Some("") {
        url.set_query(None);
    }
}

/// Characters a cookie value may not carry as they are (RFC 6265 `cookie-octet` excludes
/// controls, space, `"`, `,`, `;` and `\`); `%` is encoded so values round-trip.
const COOKIE_VALUE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// One `name=value` cookie pair, the value percent-encoded so it cannot add cookies.
pub fn cookie_pair(name: &str, value: &str) -> String {
    format!(
        "{name}={}",
        percent_encoding::utf8_percent_encode(value, COOKIE_VALUE)
    )
}

/// The text of a parameter whose type has no plain-text form: a value that serializes to a
/// JSON string is sent as that string (an untagged union of scalars, any JSON holding a
/// string), other values as JSON text (numbers and booleans as themselves, objects and arrays
/// as JSON).
pub fn to_json_string<T: serde::Serialize + ?Sized, E>(
    name: &'static str,
    value: &T,
) -> Result<String, Error<E>> {
    let invalid = |e: serde_json::Error| Error::InvalidInput(format!("parameter `{name}`: {e}"));
    match serde_json::to_value(value).map_err(invalid)? {
        serde_json::Value::String(text) => Ok(text),
        other => serde_json::to_string(&other).map_err(invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> reqwest::Request {
        let url = Url::parse("http://127.0.0.1/jobs?api-version=1").expect("url");
        reqwest::Request::new(reqwest::Method::PUT, url)
    }

    fn body(request: &reqwest::Request) -> &[u8] {
        request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .expect("a byte body")
    }

    #[test]
    fn headers_with_line_breaks_are_refused() {
        let mut request = request();
        set_header::<()>(&mut request, "x-ms-client-request-id", "abc").expect("valid");
        assert_eq!(request.headers()["x-ms-client-request-id"], "abc");
        let error =
            set_header::<()>(&mut request, "x-note", "a\r\nInjected: 1").expect_err("refused");
        assert!(error.to_string().contains("header `x-note`"), "{error}");
        assert!(request.headers().get("injected").is_none());
        assert!(set_header::<()>(&mut request, "bad name", "x").is_err());
    }

    #[test]
    fn json_bodies_carry_their_content_type() {
        let mut request = request();
        set_json_body::<_, ()>(
            &mut request,
            "application/json",
            &serde_json::json!({"jobId": "j1"}),
        )
        .expect("encoded");
        assert_eq!(request.headers()["content-type"], "application/json");
        assert_eq!(body(&request), br#"{"jobId":"j1"}"#);
    }

    #[cfg(feature = "form")]
    #[test]
    fn form_bodies_are_url_encoded() {
        let mut request = request();
        let fields = [("name", "a b&c"), ("n", "1")];
        set_form_body::<_, ()>(&mut request, "application/x-www-form-urlencoded", &fields)
            .expect("encoded");
        assert_eq!(body(&request), b"name=a+b%26c&n=1");
        let nested = serde_json::json!({"a": {"b": 1}});
        assert!(
            set_form_body::<_, ()>(&mut request, "application/x-www-form-urlencoded", &nested)
                .is_err()
        );
    }

    #[cfg(feature = "multipart")]
    #[test]
    fn multipart_bodies_get_a_boundary_and_one_part_per_item() {
        let mut request = request();
        let value =
            serde_json::json!({"name": "x", "tags": ["a", "b"], "skip": null, "meta": {"k": 1}});
        set_multipart_body::<_, ()>(&reqwest::Client::new(), &mut request, &value)
            .expect("encoded");
        let content_type = request.headers()["content-type"]
            .to_str()
            .expect("text")
            .to_owned();
        assert!(
            content_type.starts_with("multipart/form-data; boundary="),
            "{content_type}"
        );
        assert!(
            set_multipart_body::<_, ()>(&reqwest::Client::new(), &mut request, &[1, 2]).is_err()
        );
    }

    #[cfg(feature = "deep-object")]
    #[test]
    fn deep_objects_nest_in_brackets_after_the_existing_query() {
        let mut url = Url::parse("http://127.0.0.1/items?page=2").expect("url");
        let filter = serde_json::json!({"name": "a b", "range": {"from": 1}, "tags": ["x", "y"]});
        append_deep_object::<_, ()>(&mut url, "filter", &filter).expect("encoded");
        assert_eq!(
            url.query(),
            Some(
                "page=2&filter[name]=a+b&filter[range][from]=1&filter[tags][0]=x&filter[tags][1]=y"
            )
        );
        let mut empty = Url::parse("http://127.0.0.1/items").expect("url");
        append_deep_object::<_, ()>(&mut empty, "filter", &serde_json::json!({}))
            .expect("nothing to add");
        assert_eq!(empty.query(), None);
    }

    #[test]
    fn an_empty_query_leaves_no_question_mark() {
        let mut url = Url::parse("http://127.0.0.1/items?").expect("url");
        finish_query(&mut url);
        assert_eq!(url.as_str(), "http://127.0.0.1/items");
    }

    #[test]
    fn cookie_values_cannot_add_cookies() {
        assert_eq!(
            cookie_pair("session", "a b;c=d,\"%"),
            "session=a%20b%3Bc=d%2C%22%25"
        );
        assert_eq!(cookie_pair("plain", "abc-123"), "plain=abc-123");
    }

    #[test]
    fn values_without_a_plain_form_are_sent_as_json_text_unless_they_are_strings() {
        assert_eq!(
            to_json_string::<_, ()>("p", &serde_json::json!("text")).expect("ok"),
            "text"
        );
        assert_eq!(
            to_json_string::<_, ()>("p", &serde_json::json!(12)).expect("ok"),
            "12"
        );
        assert_eq!(
            to_json_string::<_, ()>("p", &serde_json::json!({"a": [1]})).expect("ok"),
            r#"{"a":[1]}"#
        );
    }
}
