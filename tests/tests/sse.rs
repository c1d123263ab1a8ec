//! Server-sent events through the client generated from `tests/fixtures/sse.yaml`, over real
//! HTTP on 127.0.0.1: typed events arrive as the server writes them (the test writes each
//! chunk only after the client has seen the previous event: a channel, never a sleep),
//! reconnection with `Last-Event-ID`, typed error statuses, and the generated server answering
//! the generated client.

mod support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use fixture_output::sse::models::{Notification, Problem, Prompt, Token, WatchTicksResponseItem};
use fixture_output::sse::runtime::{Event, EventData, ReconnectPolicy};
use fixture_output::sse::{Client, Error, ErrorBody};
use futures::StreamExt;
use tokio::sync::mpsc;

/// A chunk of a scripted body, or an error that breaks the connection.
type Chunk = Result<Bytes, std::io::Error>;

/// One connection the scripted server answers: a status and the chunks of its body, written
/// as the test sends them (the body ends when the sender is dropped).
struct Connection {
    status: StatusCode,
    chunks: mpsc::UnboundedReceiver<Chunk>,
}

/// A server answering each request with the next scripted [`Connection`], reporting every
/// request's headers on `seen`.
struct Script {
    connections: Mutex<VecDeque<Connection>>,
    seen: mpsc::UnboundedSender<(HeaderMap, Bytes)>,
}

async fn scripted(
    axum::extract::State(script): axum::extract::State<Arc<Script>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _ = script.seen.send((headers, body));
    let next = script.connections.lock().unwrap().pop_front();
    let Some(Connection { status, chunks }) = next else {
        return Response::builder()
            .status(StatusCode::NO_CONTENT)
            .body(Body::empty())
            .unwrap();
    };
    let content_type = if status.is_success() {
        "text/event-stream"
    } else {
        "application/json"
    };
    let body = futures::stream::unfold(chunks, |mut chunks| async move {
        let chunk = chunks.recv().await?;
        Some((chunk, chunks))
    });
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from_stream(body))
        .unwrap()
}

/// Starts a scripted server with one connection per status; returns the client, the senders
/// of each connection's chunks and the receiver of the requests' headers and bodies.
async fn start(
    statuses: &[StatusCode],
) -> (
    Client,
    Vec<mpsc::UnboundedSender<Chunk>>,
    mpsc::UnboundedReceiver<(HeaderMap, Bytes)>,
) {
    let (seen_tx, seen) = mpsc::unbounded_channel();
    let mut connections = VecDeque::new();
    let mut senders = Vec::new();
    for &status in statuses {
        let (tx, chunks) = mpsc::unbounded_channel();
        connections.push_back(Connection { status, chunks });
        senders.push(tx);
    }
    let script = Arc::new(Script {
        connections: Mutex::new(connections),
        seen: seen_tx,
    });
    let router = Router::new()
        .route("/completions", axum::routing::post(scripted))
        .route("/ticks", axum::routing::get(scripted))
        .route("/log", axum::routing::get(scripted))
        .with_state(script);
    let base = support::serve(router).await;
    (Client::new(&base).unwrap(), senders, seen)
}

fn send(tx: &mpsc::UnboundedSender<Chunk>, text: &str) {
    tx.send(Ok(Bytes::copy_from_slice(text.as_bytes())))
        .unwrap();
}

/// Breaks the connection: the body fails, so the response ends without its last chunk.
fn break_connection(tx: mpsc::UnboundedSender<Chunk>) {
    tx.send(Err(std::io::Error::other("broken"))).unwrap();
}

#[tokio::test]
async fn typed_events_arrive_one_by_one_as_the_server_writes_them() {
    let (client, senders, mut seen) = start(&[StatusCode::OK]).await;
    let server = &senders[0];
    // The first event, cut in the middle of a field name and of a value.
    send(server, "retry: 10000\nev");
    send(server, "ent: token\nid: 1\ndata: {\"text\":\"Hel");
    send(server, "lo\",\"index\":0}\n\n");
    let mut events = client.stream_completion(&Prompt::new("hi")).await.unwrap();

    let (headers, body) = seen.recv().await.unwrap();
    assert_eq!(headers["accept"], "text/event-stream");
    assert_eq!(&body[..], br#"{"text":"hi"}"#);

    let first = events.next().await.unwrap().unwrap();
    assert_eq!(first.event.as_deref(), Some("token"));
    assert_eq!(first.id.as_deref(), Some("1"));
    assert_eq!(first.retry, Some(Duration::from_secs(10)));
    assert_eq!(
        first.data,
        EventData::Value(Token::new("Hello").with_index(0))
    );

    // The server writes the second event only now that the client has the first.
    send(server, "data: {\"text\":\" world\"}\r\n\r\n");
    let second = events.next().await.unwrap().unwrap();
    assert_eq!(second.event_type(), "message");
    assert_eq!(second.id.as_deref(), Some("1"), "ids carry over");
    assert_eq!(second.into_value(), Some(Token::new(" world")));

    // Data that is not JSON comes as text; JSON of the wrong shape is an error item that says
    // which event and which field, and the stream goes on.
    send(server, "data: [DONE]\n\n");
    assert_eq!(
        events.next().await.unwrap().unwrap().data,
        EventData::Text("[DONE]".into())
    );
    send(server, "id: 5\ndata: {\"text\": 7}\n\n");
    let error = events.next().await.unwrap().unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(decode.path, "text");
    assert!(
        decode.message.starts_with("event 4 (id `5`)"),
        "{}",
        decode.message
    );
    send(server, "data: {\"text\":\"!\"}\n\n");
    assert_eq!(
        events.next().await.unwrap().unwrap().into_value(),
        Some(Token::new("!"))
    );

    // The server closes in the middle of an event: it is dropped, and the stream ends.
    send(server, "data: {\"text\":\"lost\"}\n");
    drop(senders);
    assert!(events.next().await.is_none());
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn values_skips_text_events() {
    let (client, senders, _seen) = start(&[StatusCode::OK]).await;
    send(&senders[0], "data: {\"text\":\"a\"}\n\ndata: [DONE]\n\n");
    drop(senders);
    let events = client.stream_completion(&Prompt::new("x")).await.unwrap();
    let values: Vec<Token> = events
        .values()
        .map(Result::unwrap)
        .collect::<Vec<_>>()
        .await;
    assert_eq!(values, [Token::new("a")]);
}

#[tokio::test]
async fn an_error_status_gives_the_typed_error() {
    let (client, senders, _seen) = start(&[StatusCode::BAD_REQUEST]).await;
    send(
        &senders[0],
        r#"{"code":"TooLong","message":"shorter, please"}"#,
    );
    drop(senders);
    let error = client
        .stream_completion(&Prompt::new("x"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    let Some(ErrorBody::Typed(problem)) = error.response().map(|r| &r.body) else {
        panic!("expected a typed error body, got {error:?}");
    };
    assert_eq!(
        problem,
        &Problem::new("TooLong").with_message("shorter, please")
    );
}

#[tokio::test]
async fn reconnects_with_the_last_event_id_and_stops_on_204() {
    let (client, senders, mut seen) = start(&[StatusCode::OK, StatusCode::OK]).await;
    let mut senders = senders.into_iter();
    let (first, second) = (senders.next().unwrap(), senders.next().unwrap());
    // `retry: 0`: reconnect at once (the test never waits on a clock).
    send(
        &first,
        "retry: 0\nid: 7\ndata: {\"seq\":1}\n\ndata: {\"seq\":",
    );
    drop(first);
    send(&second, "id: 8\ndata: {\"seq\":2,\"note\":\"again\"}\n\n");
    drop(second);
    let events = client
        .watch_ticks()
        .from(1)
        .await
        .unwrap()
        .reconnect(ReconnectPolicy::default().max_attempts(3));
    let events: Vec<Event<WatchTicksResponseItem>> =
        events.map(Result::unwrap).collect::<Vec<_>>().await;
    let values: Vec<_> = events.iter().filter_map(Event::value).cloned().collect();
    assert_eq!(
        values,
        [
            WatchTicksResponseItem::new(1),
            WatchTicksResponseItem::new(2).with_note("again")
        ]
    );
    let last_ids: Vec<Option<String>> = std::iter::from_fn(|| seen.try_recv().ok())
        .map(|(headers, _)| {
            headers
                .get("last-event-id")
                .map(|v| v.to_str().unwrap().to_owned())
        })
        .collect();
    // The third request was answered 204: no more reconnecting.
    assert_eq!(last_ids, [None, Some("7".into()), Some("8".into())]);
}

#[tokio::test]
async fn a_broken_connection_is_an_error_item_or_a_reconnection() {
    let (client, senders, _seen) = start(&[StatusCode::OK]).await;
    let mut senders = senders.into_iter();
    let first = senders.next().unwrap();
    send(&first, "data: {\"seq\":1}\n\n");
    let mut events = client.watch_ticks().await.unwrap();
    assert!(events.next().await.unwrap().is_ok());
    break_connection(first);
    let error = events.next().await.unwrap().unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(events.next().await.is_none());

    let (client, senders, mut seen) = start(&[StatusCode::OK, StatusCode::OK]).await;
    let mut senders = senders.into_iter();
    let (first, second) = (senders.next().unwrap(), senders.next().unwrap());
    send(&first, "retry: 0\nid: a\ndata: {\"seq\":1}\n\n");
    send(&second, "data: {\"seq\":2}\n\n");
    drop(second);
    let mut ticks = client
        .watch_ticks()
        .await
        .unwrap()
        .reconnect(ReconnectPolicy::default())
        .values();
    assert_eq!(ticks.next().await.unwrap().unwrap().seq, 1);
    // Broken only once the client has the first event (the server may drop what it has not
    // flushed when its body fails).
    break_connection(first);
    assert_eq!(ticks.next().await.unwrap().unwrap().seq, 2);
    assert!(ticks.next().await.is_none());
    let (_, _) = seen.recv().await.unwrap();
    let (headers, _) = seen.recv().await.unwrap();
    assert_eq!(headers["last-event-id"], "a");
}

#[tokio::test]
async fn the_body_limit_bounds_each_event_not_the_stream() {
    let (client, senders, _seen) = start(&[StatusCode::OK]).await;
    let client = client.with_max_response_bytes(64);
    // 100 bytes in all, but each event is small.
    for seq in 0..5 {
        send(&senders[0], &format!("data: {{\"seq\":{seq}}}\n\n"));
    }
    send(
        &senders[0],
        &format!("data: {{\"seq\":9,\"note\":\"{}\"}}\n\n", "x".repeat(80)),
    );
    drop(senders);
    let items: Vec<_> = client.watch_ticks().await.unwrap().collect().await;
    assert_eq!(items.len(), 6);
    assert!(items[..5].iter().all(Result::is_ok));
    let Err(Error::ResponseTooLarge(error)) = &items[5] else {
        panic!(
            "expected the last event to be too large, got {:?}",
            items[5]
        );
    };
    assert_eq!(error.limit, 64);
}

/// The client's timeout bounds the wait for the response's headers, not the stream: with
/// tokio's clock paused, an hour passes between two events of a client whose timeout is a
/// second.
#[tokio::test(start_paused = true)]
async fn the_timeout_does_not_cut_a_stream() {
    let (client, senders, _seen) = start(&[StatusCode::OK]).await;
    let client = client
        .with_timeout(Some(Duration::from_secs(1)))
        .with_retry_policy(fixture_output::sse::RetryPolicy::none());
    send(&senders[0], "data: {\"seq\":1}\n\n");
    let mut events = client.watch_ticks().await.unwrap();
    assert!(events.next().await.unwrap().is_ok());
    tokio::time::advance(Duration::from_secs(3600)).await;
    send(&senders[0], "data: {\"seq\":2}\n\n");
    let second = events.next().await.unwrap().unwrap();
    assert_eq!(second.into_value(), Some(WatchTicksResponseItem::new(2)));
}

#[tokio::test]
async fn without_reconnect_the_stream_ends_with_its_connection() {
    let (client, senders, mut seen) = start(&[StatusCode::OK, StatusCode::OK]).await;
    send(&senders[0], "retry: 0\ndata: {\"seq\":1}\n\n");
    drop(senders);
    let events: Vec<_> = client.watch_ticks().await.unwrap().collect().await;
    assert_eq!(events.len(), 1);
    assert!(seen.try_recv().is_ok());
    assert!(seen.try_recv().is_err(), "one request only");
}

#[tokio::test]
async fn text_events_are_their_data() {
    let (client, senders, _seen) = start(&[StatusCode::OK]).await;
    send(
        &senders[0],
        "data: line one\ndata:  two\n\ndata: {\"not\":\"json\"}\n\n",
    );
    drop(senders);
    let lines: Vec<String> = client
        .tail_log()
        .await
        .unwrap()
        .values()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(lines, ["line one\n two", "{\"not\":\"json\"}"]);
}

mod server {
    use super::*;
    use fixture_output::sse::server::{Api, router};
    use fixture_output::sse::server_runtime::{Events, RequestContext, ServerError};
    use serde_json::Value;

    /// An LLM-style service: the prompt's words as tokens, one event each.
    struct Service;

    impl Api for Service {
        async fn stream_completion(
            &self,
            _: &RequestContext,
            body: Prompt,
        ) -> Result<Events<Token>, ServerError<Problem>> {
            if body.text.is_empty() {
                return Err(ServerError::new(
                    StatusCode::BAD_REQUEST,
                    Problem::new("Empty"),
                ));
            }
            let words: Vec<Event<Token>> = body
                .text
                .split(' ')
                .enumerate()
                .map(|(i, w)| Event::new(Token::new(w).with_index(i as i64)).id(i.to_string()))
                .chain([Event::text("[DONE]").event("done")])
                .collect();
            Ok(Events::new(futures::stream::iter(words)))
        }

        async fn watch_ticks(
            &self,
            _: &RequestContext,
            from: Option<i64>,
        ) -> Result<Events<WatchTicksResponseItem>, ServerError<Value>> {
            let from = from.unwrap_or(0);
            Ok(Events::values(futures::stream::iter(
                (from..from + 3).map(WatchTicksResponseItem::new),
            )))
        }

        async fn tail_log(&self, _: &RequestContext) -> Result<Events<String>, ServerError<Value>> {
            Ok(Events::values(futures::stream::iter([
                "first\nsecond".to_owned(),
                "third".to_owned(),
            ])))
        }

        async fn watch_notifications(
            &self,
            _: &RequestContext,
        ) -> Result<Events<Notification>, ServerError<Value>> {
            Ok(Events::values(futures::stream::iter([Notification::new(
                "hi",
            )])))
        }

        async fn get_status(&self, _: &RequestContext) -> Result<Notification, ServerError<Value>> {
            Ok(Notification::new("ok"))
        }
    }

    #[tokio::test]
    async fn the_generated_server_streams_to_the_generated_client() {
        let base = support::serve(router(Arc::new(Service))).await;
        let client = Client::new(&base).unwrap();

        let events: Vec<_> = client
            .stream_completion(&Prompt::new("to be"))
            .await
            .unwrap()
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(events.len(), 3);
        assert_eq!(events[1].id.as_deref(), Some("1"));
        assert_eq!(events[1].value(), Some(&Token::new("be").with_index(1)));
        assert_eq!(events[2].event_type(), "done");
        assert_eq!(events[2].data, EventData::Text("[DONE]".into()));

        let ticks: Vec<i64> = client
            .watch_ticks()
            .from(5)
            .await
            .unwrap()
            .values()
            .map(|t| t.unwrap().seq)
            .collect()
            .await;
        assert_eq!(ticks, [5, 6, 7]);

        let lines: Vec<String> = client
            .tail_log()
            .await
            .unwrap()
            .values()
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(lines, ["first\nsecond", "third"]);

        let error = client
            .stream_completion(&Prompt::new(""))
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    }
}
