//! Binary success bodies as a stream: [`ByteStream`], what the `send_streaming` method of a
//! generated request with a binary success body returns, and
//! [`ClientCore::send_streaming`], which makes it.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;

use crate::response::{BodyLimit, DEFAULT_MAX_RESPONSE_BYTES};
use crate::{
    BoxFuture, BoxStream, CallOptions, ClientCore, Error, HeaderMap, OperationInfo,
    ResponseTooLarge, StatusCode,
};

/// A binary success body as it arrives: a [`Stream`] of [`Bytes`] chunks, read from the
/// connection only as it is polled, so a body of any size is never held in memory. The
/// client's success body limit ([`ClientCore::set_max_response_bytes`]) does not apply to the
/// stream; it applies to [`collect`](Self::collect), which buffers.
///
/// The status was checked before: an error status is the call's typed error, as with `send`.
/// The attempt's timeout (the client's, or the call's `.timeout(...)`) still bounds the time
/// from sending the request to the end of the body; give long downloads a longer one (or
/// `None`).
///
/// A transport failure while reading ends the stream with [`Error::Transport`].
pub struct ByteStream<E> {
    status: StatusCode,
    headers: HeaderMap,
    content_length: Option<u64>,
    limit: usize,
    chunks: BoxStream<'static, Result<Bytes, reqwest::Error>>,
    error: PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for ByteStream<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("status", &self.status)
            .field("content_length", &self.content_length)
            .field("content_type", &self.content_type())
            .finish_non_exhaustive()
    }
}

impl<E> ByteStream<E> {
    /// The body of `response` (a success), chunk by chunk.
    pub fn new(mut response: reqwest::Response) -> Self {
        let limit = response
            .extensions()
            .get::<BodyLimit>()
            .map_or(DEFAULT_MAX_RESPONSE_BYTES, |limit| limit.0);
        let status = response.status();
        let content_length = response.content_length();
        let headers = std::mem::take(response.headers_mut());
        let chunks = futures::stream::try_unfold(response, |mut response| async move {
            Ok(response.chunk().await?.map(|chunk| (chunk, response)))
        });
        Self {
            status,
            headers,
            content_length,
            limit,
            chunks: Box::pin(chunks),
            error: PhantomData,
        }
    }

    /// The response's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response's headers (for a response with documented headers, read them here).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body's length from `Content-Length`, when the response gave one (a compressed or
    /// chunked response does not).
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The response's `Content-Type`, when present and text.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
    }

    /// Reads the rest of the body into memory, within the client's success body limit
    /// ([`Error::ResponseTooLarge`] over it; a `Content-Length` over it fails before reading).
    pub async fn collect(self) -> Result<Vec<u8>, Error<E>> {
        let limit = self.limit;
        self.collect_within(limit).await
    }

    /// [`collect`](Self::collect) with a limit of its own, in bytes.
    pub async fn collect_within(mut self, limit: usize) -> Result<Vec<u8>, Error<E>> {
        let too_large = |content_length| {
            Error::ResponseTooLarge(Box::new(ResponseTooLarge::new(
                self.status,
                u64::try_from(limit).unwrap_or(u64::MAX),
                content_length,
            )))
        };
        let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
        if self.content_length.is_some_and(|length| length > limit_u64) {
            return Err(too_large(self.content_length));
        }
        let announced = self
            .content_length
            .map_or(0, |length| usize::try_from(length).unwrap_or(limit));
        let mut body = Vec::with_capacity(announced.min(limit).min(1024 * 1024));
        while let Some(chunk) = futures::StreamExt::next(&mut self.chunks).await {
            let chunk = chunk.map_err(Error::Transport)?;
            if chunk.len() > limit.saturating_sub(body.len()) {
                return Err(too_large(self.content_length));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The body as a [`futures::io::AsyncRead`] (errors as [`std::io::Error`]), for
    /// `futures::io::copy` and the like (tokio users: `tokio_util::compat`).
    pub fn into_async_read(self) -> impl futures::io::AsyncRead + Send + Unpin + 'static {
        futures::TryStreamExt::into_async_read(futures::TryStreamExt::map_err(
            self.chunks,
            std::io::Error::other,
        ))
    }
}

impl<E> Stream for ByteStream<E> {
    type Item = Result<Bytes, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = Pin::into_inner(self);
        this.chunks
            .as_mut()
            .poll_next(cx)
            .map(|item| item.map(|chunk| chunk.map_err(Error::Transport)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

/// The body [`ClientCore::send_streaming`] returns, read into memory within the client's
/// limit ([`ByteStream::collect`]): what `send` of a request with one binary success response
/// returns, so that such an operation's request is built in one place.
pub fn collect_boxed<'a, E: Send + 'a>(
    stream: BoxFuture<'a, Result<ByteStream<E>, Error<E>>>,
) -> BoxFuture<'a, Result<Vec<u8>, Error<E>>> {
    Box::pin(async move { stream.await?.collect().await })
}

impl ClientCore {
    /// Sends the request ([`execute`](Self::execute), with its retries) and returns the body
    /// of a response whose status is one of `statuses` (any 2xx when empty) as a
    /// [`ByteStream`], unread; any other status is the error
    /// [`error_from`](Self::error_from) makes. A boxed future, for a request built beforehand
    /// (see [`send_json_boxed`](Self::send_json_boxed)).
    pub fn send_streaming<'a, E>(
        &'a self,
        operation: OperationInfo,
        request: Result<reqwest::Request, Error<E>>,
        options: CallOptions,
        statuses: &'static [u16],
        decode: fn(u16, &[u8]) -> Option<E>,
    ) -> BoxFuture<'a, Result<ByteStream<E>, Error<E>>>
    where
        E: Send + 'a,
    {
        Box::pin(async move {
            let response = self
                .send_expecting(operation, request?, &options, statuses, decode)
                .await?;
            Ok(ByteStream::new(response))
        })
    }
}
