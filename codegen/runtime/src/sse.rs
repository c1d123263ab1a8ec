//! Server-sent events (`text/event-stream` responses) as typed streams: [`Event`],
//! [`EventData`], [`EventStream`] and its opt-in [`ReconnectPolicy`]; the parser is in
//! `sse_parser`, the server side in `sse_server`.
//!
//! An event's `data` is decoded as the operation's item type when it is JSON; data that is
//! not JSON at all (say OpenAI's closing `[DONE]`) comes as [`EventData::Text`], and JSON that
//! does not match the item type is an [`Error::Decode`] item naming the event and the field,
//! after which the stream goes on. The client's body size limit does not apply to the stream
//! (it may run for hours): it bounds each event instead.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;
use serde::de::DeserializeOwned;

use crate::sse_parser::{Parser, RawEvent};
use crate::{CallOptions, ClientCore, DecodeError, Error, OperationInfo, ResponseTooLarge};

/// One server-sent event: its type, id, requested reconnection time and data.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event<T> {
    /// The `event` field (the event type); `None` for the default type, `message`.
    pub event: Option<String>,
    /// The last event id the stream had set when this event arrived (ids carry over to the
    /// events after the one that set them, as in browsers).
    pub id: Option<String>,
    /// The `retry` field sent with this event: how long the server asks clients to wait
    /// before reconnecting.
    pub retry: Option<Duration>,
    /// The data.
    pub data: EventData<T>,
}

/// The data of an event.
#[derive(Debug, Clone, PartialEq)]
pub enum EventData<T> {
    /// The data decoded as the operation's item type (for a text stream, the text itself).
    Value(T),
    /// Data that is not JSON, as text (only in streams of JSON items).
    Text(String),
}

impl<T> Event<T> {
    /// An event with `value` as its data and no type, id or retry.
    pub fn new(value: T) -> Self {
        Self::with_data(EventData::Value(value))
    }

    /// An event whose data is `text`, sent as it is.
    pub fn text(text: impl Into<String>) -> Self {
        Self::with_data(EventData::Text(text.into()))
    }

    fn with_data(data: EventData<T>) -> Self {
        Self {
            event: None,
            id: None,
            retry: None,
            data,
        }
    }

    /// Sets the event type.
    #[must_use]
    pub fn event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(event.into());
        self
    }

    /// Sets the event id.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the reconnection time asked of clients.
    #[must_use]
    pub fn retry(mut self, retry: Duration) -> Self {
        self.retry = Some(retry);
        self
    }

    /// The event type: the `event` field, or `message` without one.
    pub fn event_type(&self) -> &str {
        self.event.as_deref().unwrap_or("message")
    }

    /// The decoded value, if the data was one.
    pub fn value(&self) -> Option<&T> {
        match &self.data {
            EventData::Value(value) => Some(value),
            EventData::Text(_) => None,
        }
    }

    /// The decoded value, if the data was one.
    pub fn into_value(self) -> Option<T> {
        match self.data {
            EventData::Value(value) => Some(value),
            EventData::Text(_) => None,
        }
    }
}

/// How the data of an operation's events is read: generated code says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// JSON decoded as the item type; data that is not JSON is [`EventData::Text`].
    Json,
    /// Text: the item type is read from the data as a string.
    Text,
}

/// When an [`EventStream`] reconnects after its connection ends: the request is sent again
/// with `Last-Event-ID` set to the last event id seen, after the reconnection time the server
/// asked for (its `retry` field) or else [`delay`](Self::delay).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReconnectPolicy {
    /// How many reconnections in a row may bring no event before the stream gives up.
    pub max_attempts: u32,
    /// The wait before reconnecting when the server asked for none.
    pub delay: Duration,
}

impl Default for ReconnectPolicy {
    /// Up to 5 reconnections in a row without an event, 3 s apart (browsers' usual wait).
    fn default() -> Self {
        Self {
            max_attempts: 5,
            delay: Duration::from_secs(3),
        }
    }
}

impl ReconnectPolicy {
    /// Sets how many reconnections in a row may bring no event.
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets the wait before reconnecting when the server asked for none.
    #[must_use]
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Decoder<E> = fn(u16, &[u8]) -> Option<E>;
type Step<T, E> = (Box<State<E>>, Option<Result<Event<T>, Error<E>>>);
type StepFuture<T, E> = Pin<Box<dyn std::future::Future<Output = Step<T, E>> + Send>>;

/// The events of a `text/event-stream` response, each as it arrives: a
/// `Stream<Item = Result<Event<T>, Error<E>>>` (iterate it with `futures::StreamExt::next`).
///
/// It ends when the server closes the connection (an event left unfinished then is dropped,
/// as the standard says), or after an error of the connection; with
/// [`reconnect`](Self::reconnect) it connects again instead. A data decoding error is an item
/// of its own, and the stream goes on. It owns what it needs (a clone of the client's core):
/// it can be moved to another task.
#[must_use = "streams do nothing unless polled"]
pub struct EventStream<T, E> {
    state: Option<Box<State<E>>>,
    step: Option<StepFuture<T, E>>,
    format: DataFormat,
}

impl<T, E> fmt::Debug for EventStream<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("format", &self.format)
            .field(
                "last_event_id",
                &self.state.as_ref().and_then(|s| s.parser.last_event_id()),
            )
            .finish_non_exhaustive()
    }
}

/// Where the stream is, between polls.
struct State<E> {
    core: ClientCore,
    operation: OperationInfo,
    /// A copy of the request, for reconnecting (`None`: its body cannot be cloned).
    request: Option<reqwest::Request>,
    options: CallOptions,
    statuses: &'static [u16],
    decode: Decoder<E>,
    response: Option<reqwest::Response>,
    status: reqwest::StatusCode,
    parser: Parser,
    ready: VecDeque<RawEvent>,
    reconnect: Option<ReconnectPolicy>,
    /// Reconnections in a row that brought no event yet.
    reconnects: u32,
    /// Events dispatched so far (numbered from 1 in decoding errors).
    count: u64,
}

impl<T, E> EventStream<T, E>
where
    T: DeserializeOwned + Send + 'static,
    E: Send + 'static,
{
    /// Connects again when the connection ends or fails (not after an error status), as
    /// `policy` says: the request is sent again with `Last-Event-ID`. Only a request without a
    /// body or with a body of bytes can be sent again; for others this does nothing.
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        if let Some(state) = &mut self.state {
            state.reconnect = Some(policy);
        }
        self
    }

    /// The last event id the server set, `None` before one (or while the stream is being
    /// polled).
    pub fn last_event_id(&self) -> Option<&str> {
        self.state.as_ref()?.parser.last_event_id()
    }

    /// The decoded values alone: events whose data is not a value (text in a stream of JSON
    /// items, such as a closing `[DONE]`) are skipped; errors are kept.
    pub fn values(self) -> impl Stream<Item = Result<T, Error<E>>> + Send + 'static {
        futures::StreamExt::filter_map(self, |item| {
            std::future::ready(match item {
                Ok(event) => event.into_value().map(Ok),
                Err(error) => Some(Err(error)),
            })
        })
    }
}

impl<T, E> Stream for EventStream<T, E>
where
    T: DeserializeOwned + Send + 'static,
    E: Send + 'static,
{
    type Item = Result<Event<T>, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = Pin::into_inner(self);
        if this.step.is_none() {
            let Some(state) = this.state.take() else {
                return Poll::Ready(None);
            };
            this.step = Some(Box::pin(next_event::<T, E>(state, this.format)));
        }
        let Some(step) = &mut this.step else {
            return Poll::Ready(None);
        };
        match step.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready((state, item)) => {
                this.step = None;
                if item.is_some() {
                    this.state = Some(state);
                }
                Poll::Ready(item)
            }
        }
    }
}

/// The next item of the stream, and the state after it (`None`: the stream has ended).
async fn next_event<T: DeserializeOwned, E>(
    mut state: Box<State<E>>,
    format: DataFormat,
) -> Step<T, E> {
    loop {
        if let Some(raw) = state.ready.pop_front() {
            state.count += 1;
            state.reconnects = 0;
            let item = decode_event(raw, format, state.status, state.count);
            return (state, Some(item));
        }
        let chunk = match &mut state.response {
            Some(response) => response.chunk().await,
            None => Ok(None),
        };
        let error = match chunk {
            Ok(Some(bytes)) => {
                let mut out = Vec::new();
                let fed = state.parser.feed(&bytes, &mut out);
                state.ready.extend(out);
                match fed {
                    Ok(()) => continue,
                    Err(_) => {
                        let limit =
                            u64::try_from(state.core.max_response_bytes()).unwrap_or(u64::MAX);
                        let error = ResponseTooLarge::new(state.status, limit, None);
                        state.response = None;
                        state.reconnect = None;
                        state.ready.clear();
                        return (state, Some(Err(Error::ResponseTooLarge(Box::new(error)))));
                    }
                }
            }
            Ok(None) => None,
            Err(error) => Some(error),
        };
        state.response = None;
        match reconnect(&mut state).await {
            Reconnected::Yes => continue,
            Reconnected::Failed(error) => {
                state.reconnect = None;
                return (state, Some(Err(error)));
            }
            Reconnected::No => {
                let item = error.map(|e| Err(Error::Transport(e)));
                // After a transport error the stream ends on the next poll.
                state.reconnect = None;
                state.request = None;
                return (state, item);
            }
        }
    }
}

/// What came of trying to reconnect.
enum Reconnected<E> {
    /// A new connection is open.
    Yes,
    /// No reconnecting: not asked for, the request cannot be sent again, attempts spent, or
    /// the server answered 204 (which tells clients to stop).
    No,
    /// The new request failed (an error status, or no response).
    Failed(Error<E>),
}

async fn reconnect<E>(state: &mut State<E>) -> Reconnected<E> {
    let Some(policy) = state.reconnect.clone() else {
        return Reconnected::No;
    };
    let Some(request) = state.request.as_ref().and_then(reqwest::Request::try_clone) else {
        return Reconnected::No;
    };
    if state.reconnects >= policy.max_attempts {
        return Reconnected::No;
    }
    state.reconnects += 1;
    state.parser.restart();
    let delay = state.parser.reconnection_time().unwrap_or(policy.delay);
    tracing::debug!(
        operation = state.operation.id,
        ?delay,
        "event stream ended; reconnecting"
    );
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut request = request;
    let last_id = state.parser.last_event_id();
    if let Some(value) = last_id.and_then(|id| reqwest::header::HeaderValue::from_str(id).ok()) {
        request.headers_mut().insert("last-event-id", value);
    }
    match open(
        &state.core,
        state.operation,
        request,
        &state.options,
        state.statuses,
        state.decode,
    )
    .await
    {
        Ok(response) if response.status() == reqwest::StatusCode::NO_CONTENT => Reconnected::No,
        Err(Error::Status(response)) if response.status == reqwest::StatusCode::NO_CONTENT => {
            Reconnected::No
        }
        Ok(response) => {
            state.status = response.status();
            state.response = Some(response);
            Reconnected::Yes
        }
        Err(error) => Reconnected::Failed(error),
    }
}

/// Sends the request (with retries) and checks its status; the client's timeout bounds the
/// wait for the response's headers, not the stream.
async fn open<E>(
    core: &ClientCore,
    operation: OperationInfo,
    request: reqwest::Request,
    options: &CallOptions,
    statuses: &'static [u16],
    decode: Decoder<E>,
) -> Result<reqwest::Response, Error<E>> {
    let mut options = options.clone();
    options.streaming = true;
    let send = core.send_expecting(operation, request, &options, statuses, decode);
    match options.attempt_timeout(core.timeout()) {
        Some(limit) => match tokio::time::timeout(limit, send).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout(format!(
                "no response headers within {limit:?} for operation {}",
                operation.id
            ))),
        },
        None => send.await,
    }
}

/// An event with its data decoded (see the module's docs).
fn decode_event<T: DeserializeOwned, E>(
    raw: RawEvent,
    format: DataFormat,
    status: reqwest::StatusCode,
    number: u64,
) -> Result<Event<T>, Error<E>> {
    let RawEvent {
        event,
        id,
        retry,
        data,
    } = raw;
    let data = match format {
        DataFormat::Text => {
            let deserializer =
                serde::de::value::StringDeserializer::<serde::de::value::Error>::new(data.clone());
            match T::deserialize(deserializer) {
                Ok(value) => EventData::Value(value),
                Err(_) => EventData::Text(data),
            }
        }
        DataFormat::Json => match serde_json::from_str::<T>(&data) {
            Ok(value) => EventData::Value(value),
            // Not JSON at all (checked apart: a type error can come before a syntax error).
            Err(_) if serde_json::from_str::<serde::de::IgnoredAny>(&data).is_err() => {
                EventData::Text(data)
            }
            Err(_) => {
                let mut error = match crate::decode_json::<T>(status, data.as_bytes()) {
                    Err(error) => error,
                    Ok(_) => DecodeError::new(status, ".", "the data did not decode", ""),
                };
                let mut place = format!("event {number}");
                if let Some(event) = &event {
                    place.push_str(&format!(" (type `{event}`)"));
                }
                if let Some(id) = &id {
                    place.push_str(&format!(" (id `{id}`)"));
                }
                error.message = format!("{place}: {}", error.message);
                return Err(Error::Decode(Box::new(error)));
            }
        },
    };
    Ok(Event {
        event,
        id,
        retry,
        data,
    })
}

impl ClientCore {
    /// Sends a request whose success response is an event stream (with `Accept:
    /// text/event-stream`), checks its status as [`send_json`](Self::send_json) does, and
    /// returns the stream of its events, read as `format` says. A boxed future, for
    /// generated request builders (see [`send_json_boxed`](Self::send_json_boxed)).
    pub fn send_event_stream_boxed<'a, T, E>(
        &'a self,
        operation: OperationInfo,
        request: Result<reqwest::Request, Error<E>>,
        options: CallOptions,
        statuses: &'static [u16],
        decode: Decoder<E>,
        format: DataFormat,
    ) -> crate::BoxFuture<'a, Result<EventStream<T, E>, Error<E>>>
    where
        T: DeserializeOwned + Send + 'static,
        E: Send + 'a,
    {
        Box::pin(async move {
            let mut request = request?;
            request.headers_mut().insert(
                reqwest::header::ACCEPT,
                reqwest::header::HeaderValue::from_static("text/event-stream"),
            );
            let copy = request.try_clone();
            let response = open(self, operation, request, &options, statuses, decode).await?;
            let state = State {
                core: self.clone(),
                operation,
                request: copy,
                options,
                statuses,
                decode,
                status: response.status(),
                response: Some(response),
                parser: Parser::new(self.max_response_bytes()),
                ready: VecDeque::new(),
                reconnect: None,
                reconnects: 0,
                count: 0,
            };
            Ok(EventStream {
                state: Some(Box::new(state)),
                step: None,
                format,
            })
        })
    }
}
