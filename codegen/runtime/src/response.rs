//! Response decoding: JSON (with the path of the failing field), form, text and byte bodies,
//! typed headers, and error bodies.

use std::fmt;

use crate::error::excerpt;
use crate::{DecodeError, Error, ResponseTooLarge, StatusCode};

/// The largest success body a client reads by default: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// The largest error body a client keeps by default: 1 MiB.
pub const DEFAULT_MAX_ERROR_BODY_BYTES: usize = 1024 * 1024;

/// The success body limit of a response, attached to it (in its extensions) by
/// [`ClientCore::execute`](crate::ClientCore::execute), so that the body readers of this
/// module, which generated code calls with the response alone, enforce the client's setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyLimit(pub(crate) usize);

/// The limit that applies to `response`'s success body: the client's, or the default for a
/// response that did not come through a [`ClientCore`](crate::ClientCore).
fn limit_of(response: &reqwest::Response) -> usize {
    response
        .extensions()
        .get::<BodyLimit>()
        .map_or(DEFAULT_MAX_RESPONSE_BYTES, |limit| limit.0)
}

/// A body read up to a limit.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Limited {
    /// The whole body, no longer than the limit.
    Whole(Vec<u8>),
    /// The body is longer than the limit: what was read before it was exceeded (nothing when
    /// `Content-Length` announced more), and the announced length.
    TooLarge {
        /// The bytes read, at most the limit.
        read: Vec<u8>,
        /// The body length the response announced.
        content_length: Option<u64>,
    },
}

/// Reads `response`'s body chunk by chunk, stopping as soon as it would exceed `limit` bytes;
/// a `Content-Length` above the limit stops it before anything is read. The response is
/// consumed: a body left unread past the limit closes its connection.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Limited, reqwest::Error> {
    let content_length = response.content_length();
    let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
    if content_length.is_some_and(|length| length > limit_u64) {
        return Ok(Limited::TooLarge {
            read: Vec::new(),
            content_length,
        });
    }
    // Reserve what the response announced (within the limit), but not more than 1 MiB up
    // front: a length is a promise, not bytes received.
    let announced = content_length.map_or(0, |length| usize::try_from(length).unwrap_or(limit));
    let mut body = Vec::with_capacity(announced.min(1024 * 1024));
    while let Some(chunk) = response.chunk().await? {
        let room = limit.saturating_sub(body.len());
        if chunk.len() > room {
            body.extend_from_slice(chunk.get(..room).unwrap_or_default());
            return Ok(Limited::TooLarge {
                read: body,
                content_length,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Limited::Whole(body))
}

/// Reads a success body within the response's limit ([`BodyLimit`]); over it, the error is
/// [`Error::ResponseTooLarge`].
pub(crate) async fn success_body<E>(response: reqwest::Response) -> Result<Vec<u8>, Error<E>> {
    let status = response.status();
    let limit = limit_of(&response);
    match read_limited(response, limit)
        .await
        .map_err(Error::Transport)?
    {
        Limited::Whole(body) => Ok(body),
        Limited::TooLarge { content_length, .. } => {
            Err(Error::ResponseTooLarge(Box::new(ResponseTooLarge::new(
                status,
                u64::try_from(limit).unwrap_or(u64::MAX),
                content_length,
            ))))
        }
    }
}

/// Reads an error body as JSON of type `E`, whatever the status.
pub fn decode_json_error<E: serde::de::DeserializeOwned>(_status: u16, body: &[u8]) -> Option<E> {
    serde_json::from_slice(body).ok()
}

/// Reads the whole body (within the client's limit: [`Error::ResponseTooLarge`] over it) and
/// decodes it as JSON.
pub async fn json_body<T: serde::de::DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<T, Error<E>> {
    let status = response.status();
    let bytes = success_body(response).await?;
    decode_json(status, &bytes).map_err(|e| Error::Decode(Box::new(e)))
}

/// Decodes `bytes` as JSON, reporting the path of the value that failed.
pub fn decode_json<T: serde::de::DeserializeOwned>(
    status: StatusCode,
    bytes: &[u8],
) -> Result<T, DecodeError> {
    // The fast path is plain serde_json; only a failure is decoded again to find its path.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let (path, message) = failing_path(e);
        DecodeError {
            status,
            path,
            message,
            excerpt: excerpt(bytes),
        }
    })
}

/// Reads the whole body (within the client's limit) and decodes it as a form.
#[cfg(feature = "form")]
pub async fn form_body<T: serde::de::DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<T, Error<E>> {
    let status = response.status();
    let bytes = success_body(response).await?;
    serde_urlencoded::from_bytes(&bytes).map_err(|e| {
        Error::Decode(Box::new(DecodeError {
            status,
            path: ".".to_owned(),
            message: e.to_string(),
            excerpt: excerpt(&bytes),
        }))
    })
}

/// Reads the whole body (within the client's limit) as text (invalid UTF-8 is replaced).
pub async fn text_body<E>(response: reqwest::Response) -> Result<String, Error<E>> {
    let bytes = success_body(response).await?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    })
}

/// The JSON path and message of a decoding failure. serde reports a missing field at the
/// object that lacks it; the path names the field itself.
pub fn failing_path(error: serde_path_to_error::Error<serde_json::Error>) -> (String, String) {
    let path = error.path().to_string();
    let message = error.into_inner().to_string();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field.to_owned());
    let path = match missing {
        Some(field) if path == "." => field,
        Some(field) => format!("{path}.{field}"),
        None => path,
    };
    (path, message)
}

/// Reads the whole body (within the client's limit) as bytes.
pub async fn bytes_body<E>(response: reqwest::Response) -> Result<Vec<u8>, Error<E>> {
    success_body(response).await
}

/// Reads and parses a response header; `None` when it is absent.
pub fn header_value<T: std::str::FromStr, E>(
    response: &reqwest::Response,
    name: &'static str,
) -> Result<Option<T>, Error<E>>
where
    T::Err: fmt::Display,
{
    parse_header(response.status(), response.headers(), name)
}

/// A success response read whole (its body only when the operation documents one), which the
/// decoder a generated request builder hands to
/// [`ClientCore::send_decoded_boxed`](crate::ClientCore::send_decoded_boxed) turns into the
/// operation's success type: typed headers, a body in the operation's encoding, a variant
/// per status.
#[derive(Debug)]
pub struct Received {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Received {
    /// The status code.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// Reads and parses a header; `None` when it is absent.
    pub fn header<T: std::str::FromStr, E>(&self, name: &'static str) -> Result<Option<T>, Error<E>>
    where
        T::Err: fmt::Display,
    {
        parse_header(self.status, &self.headers, name)
    }

    /// Decodes the body as JSON (see [`decode_json`]).
    pub fn json<T: serde::de::DeserializeOwned, E>(&self) -> Result<T, Error<E>> {
        decode_json(self.status, &self.body).map_err(|e| Error::Decode(Box::new(e)))
    }

    /// Decodes the body as a form.
    #[cfg(feature = "form")]
    pub fn form<T: serde::de::DeserializeOwned, E>(&self) -> Result<T, Error<E>> {
        serde_urlencoded::from_bytes(&self.body).map_err(|e| {
            Error::Decode(Box::new(DecodeError {
                status: self.status,
                path: ".".to_owned(),
                message: e.to_string(),
                excerpt: excerpt(&self.body),
            }))
        })
    }

    /// The body as text (invalid UTF-8 is replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body's bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.body
    }

    /// The error of a status the decoder has no arm for (which the statuses it is called with
    /// rule out).
    pub fn unexpected<T, E>(&self) -> Result<T, Error<E>> {
        Err(Error::Decode(Box::new(DecodeError {
            status: self.status,
            path: ".".to_owned(),
            message: "a success status the operation does not document".to_owned(),
            excerpt: excerpt(&self.body),
        })))
    }
}

/// Parses header `name` of a response with `status`; `None` when it is absent.
fn parse_header<T: std::str::FromStr, E>(
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    name: &'static str,
) -> Result<Option<T>, Error<E>>
where
    T::Err: fmt::Display,
{
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    let decode_error = |message: String| {
        Error::Decode(Box::new(DecodeError {
            status,
            path: format!("header {name}"),
            message,
            excerpt: String::from_utf8_lossy(value.as_bytes()).into_owned(),
        }))
    };
    let text = value.to_str().map_err(|e| decode_error(e.to_string()))?;
    text.parse()
        .map(Some)
        .map_err(|e: T::Err| decode_error(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::block_on;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Job {
        job_id: String,
        items: Vec<Item>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Item {
        n: u8,
    }

    fn response(status: u16, headers: &[(&str, &str)], body: &'static str) -> reqwest::Response {
        let mut builder = http::Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        reqwest::Response::from(builder.body(body).expect("response"))
    }

    #[test]
    fn decode_errors_name_the_failing_field() {
        let bad = br#"{"jobId": "j", "items": [{"n": 1}, {"n": 300}]}"#;
        let error = decode_json::<Job>(StatusCode::OK, bad).expect_err("300 is not a u8");
        assert_eq!(error.path, "items[1].n");
        assert!(error.excerpt.starts_with("{\"jobId\""), "{}", error.excerpt);
        let missing = decode_json::<Job>(StatusCode::OK, br#"{"items": []}"#).expect_err("no id");
        assert_eq!(missing.path, "jobId");
        let nested = decode_json::<Job>(StatusCode::OK, br#"{"jobId": "j", "items": [{}]}"#)
            .expect_err("no n");
        assert_eq!(nested.path, "items[0].n");
        let good = decode_json::<Job>(StatusCode::OK, br#"{"jobId": "j", "items": [{"n": 2}]}"#);
        assert_eq!(
            good,
            Ok(Job {
                job_id: "j".to_owned(),
                items: vec![Item { n: 2 }]
            })
        );
    }

    #[test]
    fn json_bodies_are_read_whole() {
        let ok = response(200, &[], r#"{"jobId": "j", "items": []}"#);
        let job: Job = block_on(json_body::<Job, ()>(ok)).expect("decoded");
        assert_eq!(job.job_id, "j");
        let bad = response(200, &[], "<html>");
        let error = block_on(json_body::<Job, ()>(bad)).expect_err("not JSON");
        assert!(
            matches!(error, Error::Decode(ref d) if d.excerpt == "<html>"),
            "{error}"
        );
    }

    #[test]
    fn typed_headers_are_parsed_and_absent_ones_are_none() {
        let r = response(
            200,
            &[
                ("x-ms-continuation", "abc"),
                ("x-count", "12"),
                ("x-bad", "many"),
            ],
            "",
        );
        assert_eq!(
            header_value::<String, ()>(&r, "x-ms-continuation").expect("ok"),
            Some("abc".to_owned())
        );
        assert_eq!(
            header_value::<u32, ()>(&r, "x-count").expect("ok"),
            Some(12)
        );
        assert_eq!(header_value::<u32, ()>(&r, "x-absent").expect("ok"), None);
        let error = header_value::<u32, ()>(&r, "x-bad").expect_err("not a number");
        match error {
            Error::Decode(decode) => {
                assert_eq!(decode.path, "header x-bad");
                assert_eq!(decode.excerpt, "many");
            }
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn error_bodies_are_typed_when_they_parse() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Envelope {
            code: String,
        }
        assert_eq!(
            decode_json_error::<Envelope>(404, br#"{"code": "NotFound"}"#),
            Some(Envelope {
                code: "NotFound".to_owned()
            })
        );
        assert_eq!(decode_json_error::<Envelope>(500, b"oops"), None);
    }

    #[test]
    fn text_and_byte_bodies() {
        assert_eq!(
            block_on(text_body::<()>(response(200, &[], "hello"))).expect("text"),
            "hello"
        );
        assert_eq!(
            block_on(bytes_body::<()>(response(200, &[], "raw"))).expect("bytes"),
            b"raw"
        );
    }

    #[cfg(feature = "form")]
    #[test]
    fn form_bodies_decode_and_report_what_is_wrong() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Token {
            access_token: String,
            expires_in: u32,
        }
        let ok = response(200, &[], "access_token=a%20b&expires_in=60");
        let token: Token = block_on(form_body::<Token, ()>(ok)).expect("decoded");
        assert_eq!(
            token,
            Token {
                access_token: "a b".to_owned(),
                expires_in: 60
            }
        );
        let bad = response(200, &[], "access_token=x&expires_in=soon");
        assert!(matches!(
            block_on(form_body::<Token, ()>(bad)),
            Err(Error::Decode(_))
        ));
    }

    #[test]
    fn a_content_length_over_the_limit_stops_before_reading() {
        let limited = block_on(read_limited(response(200, &[], "0123456789"), 9)).expect("read");
        assert_eq!(
            limited,
            Limited::TooLarge {
                read: Vec::new(),
                content_length: Some(10)
            }
        );
        let limited = block_on(read_limited(response(200, &[], "0123456789"), 10)).expect("read");
        assert_eq!(limited, Limited::Whole(b"0123456789".to_vec()));
        let limited = block_on(read_limited(response(200, &[], ""), 0)).expect("read");
        assert_eq!(limited, Limited::Whole(Vec::new()));
    }

    #[test]
    fn success_bodies_use_the_limit_their_response_carries() {
        // No limit attached: the default (64 MiB) lets a small body through.
        assert_eq!(
            block_on(bytes_body::<()>(response(200, &[], "raw"))).expect("bytes"),
            b"raw"
        );
        let limited = |body: &'static str, limit: usize| {
            let mut r = response(200, &[], body);
            r.extensions_mut().insert(BodyLimit(limit));
            r
        };
        for error in [
            block_on(bytes_body::<()>(limited("12345", 4))).expect_err("bytes"),
            block_on(text_body::<()>(limited("12345", 4))).expect_err("text"),
            block_on(json_body::<Item, ()>(limited(r#"{"n":1}"#, 4))).expect_err("json"),
        ] {
            let Error::ResponseTooLarge(too_large) = &error else {
                panic!("expected ResponseTooLarge, got {error:?}");
            };
            assert_eq!(too_large.limit, 4);
            assert!(too_large.content_length.is_some());
        }
        let item: Item = block_on(json_body::<Item, ()>(limited(r#"{"n":1}"#, 7))).expect("fits");
        assert_eq!(item, Item { n: 1 });
        assert_eq!(
            block_on(text_body::<()>(limited("h\u{e9}", 3))).expect("text"),
            "h\u{e9}"
        );
    }

    /// A received response gives its status, typed headers and body in each encoding, and
    /// an error for a status its decoder has no arm for.
    #[test]
    fn received_reads_headers_and_body() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-count", reqwest::header::HeaderValue::from_static("3"));
        let received = Received {
            status: StatusCode::CREATED,
            headers,
            body: br#"{"n":1}"#.to_vec(),
        };
        assert_eq!(received.status(), 201);
        assert_eq!(received.header::<u8, ()>("x-count").expect("a u8"), Some(3));
        assert_eq!(received.header::<u8, ()>("x-none").expect("absent"), None);
        assert!(received.header::<bool, ()>("x-count").is_err());
        assert_eq!(received.json::<Item, ()>().expect("json"), Item { n: 1 });
        assert_eq!(received.text(), r#"{"n":1}"#);
        assert!(matches!(
            received.unexpected::<(), ()>(),
            Err(Error::Decode(_))
        ));
        assert_eq!(received.into_bytes(), br#"{"n":1}"#);
    }
}
