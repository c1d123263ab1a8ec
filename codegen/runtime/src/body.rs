//! Binary request bodies: [`Body`], bytes in memory (sent again on a retry) or, with the
//! `stream` feature, a stream of chunks or a file (sent once).

use std::fmt;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use crate::Error;

/// The body of a binary request (`application/octet-stream`, `image/*`, ...).
///
/// Built from bytes in memory (`Vec<u8>`, [`Bytes`], `&'static [u8]`, `String`,
/// `&'static str`), it is sent again when the call is retried. With the runtime's `stream`
/// feature (which generated crates with binary bodies turn on) it can also be a stream of
/// chunks (`Body::from_stream`) or a file (`Body::from_file`): such a body is read while it
/// is sent and cannot be replayed, so the call makes one attempt only (no retry, no second
/// attempt after a 401); the error of that attempt is the call's.
///
/// A clone of a streamed body shares its one stream: whichever request is built first takes
/// it, and building another from a clone fails with [`Error::InvalidInput`] rather than
/// sending an empty body.
#[derive(Clone)]
pub struct Body {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    /// Bytes in memory.
    Buffered(Bytes),
    /// A body read while sent, with its length when known, taken by the first request.
    #[cfg_attr(not(feature = "stream"), allow(dead_code))]
    Streamed {
        body: Arc<Mutex<Option<reqwest::Body>>>,
        length: Option<u64>,
    },
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Buffered(bytes) => f.debug_struct("Body").field("len", &bytes.len()).finish(),
            Inner::Streamed { length, .. } => f
                .debug_struct("Body")
                .field("streamed", &true)
                .field("length", length)
                .finish(),
        }
    }
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Self::from(Bytes::new())
    }

    /// The body's length in bytes, when known: always for bytes in memory, for a stream when
    /// it was given, for a file its size when it was opened.
    pub fn content_length(&self) -> Option<u64> {
        match &self.inner {
            Inner::Buffered(bytes) => u64::try_from(bytes.len()).ok(),
            Inner::Streamed { length, .. } => *length,
        }
    }

    /// Whether the body can be sent more than once (bytes in memory can; a stream cannot).
    pub fn is_replayable(&self) -> bool {
        matches!(self.inner, Inner::Buffered(_))
    }

    /// A body read from `stream` while it is sent: with `length`, sent with that
    /// `Content-Length` (the stream must yield exactly that many bytes, or the request fails);
    /// without, sent chunked. Sent once: a call with a streamed body is never retried.
    #[cfg(feature = "stream")]
    pub fn from_stream<S, B, X>(stream: S, length: Option<u64>) -> Self
    where
        S: futures::Stream<Item = Result<B, X>> + Send + 'static,
        B: Into<Bytes> + 'static,
        X: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        use futures::TryStreamExt as _;
        let stream = stream.map_ok(Into::into);
        Self {
            inner: Inner::Streamed {
                body: Arc::new(Mutex::new(Some(reqwest::Body::wrap_stream(stream)))),
                length,
            },
        }
    }

    /// A body read from `file` while it is sent, from its current position, with the file's
    /// size (less that position) as `Content-Length`. Sent once, like
    /// [`from_stream`](Self::from_stream).
    #[cfg(feature = "stream")]
    pub async fn from_file(mut file: tokio::fs::File) -> std::io::Result<Self> {
        use tokio::io::AsyncSeekExt as _;
        let size = file.metadata().await?.len();
        let position = file.stream_position().await?;
        Ok(Self::from_stream(
            crate::chunks::file_chunks(file),
            Some(size.saturating_sub(position)),
        ))
    }

    /// The reqwest body, and its length when it must be sent as `Content-Length`; an error
    /// when a clone of this streamed body was sent already.
    fn take<E>(self) -> Result<(reqwest::Body, Option<u64>), Error<E>> {
        match self.inner {
            Inner::Buffered(bytes) => Ok((reqwest::Body::from(bytes), None)),
            Inner::Streamed { body, length } => {
                let taken = match body.lock() {
                    Ok(mut slot) => slot.take(),
                    Err(poisoned) => poisoned.into_inner().take(),
                };
                let body = taken.ok_or_else(|| {
                    Error::InvalidInput(
                        "a streamed request body can be sent once, and it was sent already"
                            .to_owned(),
                    )
                })?;
                Ok((body, length))
            }
        }
    }
}

impl Default for Body {
    fn default() -> Self {
        Self::empty()
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Self {
            inner: Inner::Buffered(bytes),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Self::from(Bytes::from(bytes))
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Self::from(Bytes::from_static(bytes))
    }
}

impl<const N: usize> From<&'static [u8; N]> for Body {
    fn from(bytes: &'static [u8; N]) -> Self {
        Self::from(Bytes::from_static(bytes))
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Self::from(Bytes::from(text))
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Self::from(Bytes::from_static(text.as_bytes()))
    }
}

/// Sets `body` as the request's body with `content_type`; a streamed body of known length
/// also sets `Content-Length` (without it, the body is sent chunked).
pub fn set_body<E>(
    request: &mut reqwest::Request,
    content_type: &'static str,
    body: Body,
) -> Result<(), Error<E>> {
    crate::set_header(request, "content-type", content_type)?;
    let (body, length) = body.take()?;
    if let Some(length) = length {
        request.headers_mut().insert(
            reqwest::header::CONTENT_LENGTH,
            reqwest::header::HeaderValue::from(length),
        );
    }
    *request.body_mut() = Some(body);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffered_bodies_know_their_length_and_replay() {
        for body in [
            Body::from(vec![1u8, 2, 3]),
            Body::from(&b"abc"[..]),
            Body::from(b"abc"),
            Body::from("abc"),
            Body::from("abc".to_owned()),
        ] {
            assert_eq!(body.content_length(), Some(3));
            assert!(body.is_replayable());
        }
        assert_eq!(Body::default().content_length(), Some(0));
        let mut request = reqwest::Request::new(
            reqwest::Method::PUT,
            reqwest::Url::parse("http://127.0.0.1/").expect("url"),
        );
        set_body::<()>(&mut request, "application/octet-stream", Body::from("abc")).expect("set");
        assert!(request.try_clone().is_some(), "bytes can be sent again");
    }

    #[cfg(feature = "stream")]
    #[test]
    fn a_streamed_body_is_taken_once_and_never_cloned_into_a_request() {
        let chunks = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"ab"))]);
        let body = Body::from_stream(chunks, Some(2));
        assert!(!body.is_replayable());
        assert!(format!("{body:?}").contains("streamed"));
        let copy = body.clone();
        let url = reqwest::Url::parse("http://127.0.0.1/").expect("url");
        let mut request = reqwest::Request::new(reqwest::Method::PUT, url.clone());
        set_body::<()>(&mut request, "application/octet-stream", body).expect("set");
        assert_eq!(
            request
                .headers()
                .get("content-length")
                .map(|v| v.as_bytes()),
            Some(&b"2"[..])
        );
        assert!(request.try_clone().is_none(), "a stream cannot be replayed");
        let mut again = reqwest::Request::new(reqwest::Method::PUT, url);
        let error = set_body::<()>(&mut again, "application/octet-stream", copy)
            .expect_err("taken already");
        assert!(matches!(error, Error::InvalidInput(_)), "{error}");
    }
}
