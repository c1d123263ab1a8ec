//! Binary bodies on the server side: [`Upload`], a binary request body as a stream, and
//! [`Download`], a binary response body from bytes, a stream or a file (feature `server`).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, BodyDataStream, HttpBody as _};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use futures::Stream;

/// A binary request body (`application/octet-stream`, `image/*`, ...) as it arrives: a
/// [`Stream`] of [`Bytes`] chunks read from the connection only as it is polled, so an upload
/// of any size is never held in memory unless the implementation collects it
/// ([`to_bytes`](Self::to_bytes), with a limit of its own).
pub struct Upload {
    content_length: Option<u64>,
    chunks: BodyDataStream,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

impl Upload {
    /// The request body `body`, whose request had `headers`.
    pub fn new(body: Body, headers: &HeaderMap) -> Self {
        let content_length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.parse().ok());
        Self {
            content_length,
            chunks: body.into_data_stream(),
        }
    }

    /// The body, or `None` when the request has none (an optional body left out).
    pub fn optional(body: Body, headers: &HeaderMap) -> Option<Self> {
        let empty = body.size_hint().exact() == Some(0);
        (!empty).then(|| Self::new(body, headers))
    }

    /// The body's length from the request's `Content-Length`; `None` for a chunked upload.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// Reads the rest of the body into memory; an error (which the implementation may answer
    /// with 413) when it is longer than `limit` bytes or the connection fails.
    pub async fn to_bytes(self, limit: usize) -> Result<Bytes, axum::Error> {
        if self
            .content_length
            .is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX))
        {
            return Err(axum::Error::new("the body is longer than the limit"));
        }
        let mut body = Vec::new();
        let mut chunks = self.chunks;
        while let Some(chunk) = futures::StreamExt::next(&mut chunks).await {
            let chunk = chunk?;
            if chunk.len() > limit.saturating_sub(body.len()) {
                return Err(axum::Error::new("the body is longer than the limit"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(body))
    }
}

impl Stream for Upload {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut Pin::into_inner(self).chunks).poll_next(cx)
    }
}

/// A binary response body (`application/octet-stream`, `image/*`, ...): bytes in memory
/// (`Vec<u8>`, [`Bytes`], `&'static [u8]`, `String`), or a stream ([`from_stream`]) or a
/// file (`from_file`, feature `stream`) read only as the client reads the response, sent
/// with `Content-Length` when the length is known and chunked otherwise.
///
/// [`from_stream`]: Self::from_stream
pub struct Download {
    body: Body,
    content_length: Option<u64>,
    content_type: Option<HeaderValue>,
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("content_length", &self.content_length)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

impl Download {
    /// A body read from `stream` as the client reads the response: with `length`, sent with
    /// that `Content-Length` (the stream must yield exactly that many bytes); without, chunked.
    pub fn from_stream<S, B, X>(stream: S, length: Option<u64>) -> Self
    where
        S: futures::Stream<Item = Result<B, X>> + Send + 'static,
        B: Into<Bytes> + 'static,
        X: Into<axum::BoxError> + 'static,
    {
        Self {
            body: Body::from_stream(stream),
            content_length: length,
            content_type: None,
        }
    }

    /// `file` from its current position, read as the client reads the response, with its
    /// size (less that position) as `Content-Length`.
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

    /// Sends `content_type` as the `Content-Type` (instead of the document's media type);
    /// an invalid value is left out.
    #[must_use]
    pub fn with_content_type(mut self, content_type: &str) -> Self {
        self.content_type = HeaderValue::from_str(content_type).ok();
        self
    }

    /// The length sent as `Content-Length`, when known.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }
}

impl From<Bytes> for Download {
    fn from(bytes: Bytes) -> Self {
        let content_length = u64::try_from(bytes.len()).ok();
        Self {
            body: Body::from(bytes),
            content_length,
            content_type: None,
        }
    }
}

impl From<Vec<u8>> for Download {
    fn from(bytes: Vec<u8>) -> Self {
        Self::from(Bytes::from(bytes))
    }
}

impl From<&'static [u8]> for Download {
    fn from(bytes: &'static [u8]) -> Self {
        Self::from(Bytes::from_static(bytes))
    }
}

impl From<String> for Download {
    fn from(text: String) -> Self {
        Self::from(Bytes::from(text))
    }
}

/// A response with `status` and `download` as its body, its `Content-Type` (the download's
/// own, else `content_type`) and its `Content-Length` when known.
pub fn download_response(status: u16, content_type: &'static str, download: Download) -> Response {
    let Download {
        body,
        content_length,
        content_type: own_type,
    } = download;
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        own_type.unwrap_or_else(|| HeaderValue::from_static(content_type)),
    );
    if let Some(length) = content_length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    response
}
