//! A loopback HTTP test server shared by the client tests: [`Mock`] serves canned [`Reply`]s
//! on 127.0.0.1 (port 0) and records every request as a [`Seen`]. It knows nothing about any
//! particular API: tests build their generated client from [`Mock::base`].

// Each test file that declares `mod support;` compiles its own copy of this module and uses
// only some of the helpers (the iothub-jobs tests never send raw bytes, the fixture tests never
// check for an absent body), so the rest would be dead code in that test crate.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde_json::Value;

/// Serves `router` on 127.0.0.1 with a port the OS picks; returns `http://127.0.0.1:PORT`.
/// The listener is bound before this returns, so the client can connect right away.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local addr").port();
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("server runs");
    });
    format!("http://127.0.0.1:{port}")
}

/// One request as it arrived at the server.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    /// The path exactly as sent, still percent-encoded.
    pub path: String,
    /// The query string exactly as sent (without the `?`), still encoded.
    pub raw_query: Option<String>,
    /// The query pairs, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// When the server received the request (its head and body).
    pub at: Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header"))
    }

    pub fn query_values(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    /// A JSON body with `Content-Type: application/json`, equal to `expected`.
    pub fn assert_json_body(&self, expected: &Value) {
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert_eq!(&self.json(), expected);
    }

    /// No body and no `Content-Type`.
    pub fn assert_no_body(&self) {
        assert!(
            self.body.is_empty(),
            "unexpected body {:?}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("content-type"), None);
    }
}

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Never answer: the handler records the request, then awaits `std::future::pending()`
    /// (until the client gives up and drops the connection).
    pub hang: bool,
}

impl Reply {
    /// `status` with a JSON body and `Content-Type: application/json; charset=utf-8`.
    pub fn json(status: u16, body: &Value) -> Self {
        Self::text(status, &body.to_string())
            .header("content-type", "application/json; charset=utf-8")
    }

    /// `status` with `body` as is and no `Content-Type`.
    pub fn text(status: u16, body: &str) -> Self {
        Self::bytes(status, body.as_bytes())
    }

    /// `status` with raw bytes as the body and no `Content-Type`.
    pub fn bytes(status: u16, body: &[u8]) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_vec(),
            hang: false,
        }
    }

    /// No answer at all: the server reads the request and then waits forever, as a stuck
    /// service does; the client's timeout is the only way out.
    pub fn hang() -> Self {
        Self {
            hang: true,
            ..Self::bytes(200, b"")
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn into_response(self) -> Response {
        let mut builder = Response::builder().status(self.status);
        for (name, value) in self.headers {
            builder = builder.header(name, value);
        }
        builder
            .body(Body::from(self.body))
            .expect("valid canned response")
    }
}

/// A server that records every request and answers with `replies`, in order (a 599 with a
/// message once they run out).
pub struct Mock {
    /// `http://127.0.0.1:PORT`, the base URL to build a client for.
    pub base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Mock {
    pub async fn start(replies: Vec<Reply>) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let replies = Arc::new(Mutex::new(VecDeque::from(replies)));
        let log = Arc::clone(&seen);
        let router = Router::new().fallback(move |request: Request| {
            let log = Arc::clone(&log);
            let replies = Arc::clone(&replies);
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, usize::MAX)
                    .await
                    .expect("request body");
                let url = reqwest::Url::parse(&format!("http://server{}", parts.uri))
                    .expect("request target parses");
                log.lock().unwrap().push(Seen {
                    method: parts.method,
                    path: parts.uri.path().to_owned(),
                    raw_query: parts.uri.query().map(str::to_owned),
                    query: url
                        .query_pairs()
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect(),
                    headers: parts.headers,
                    body: body.to_vec(),
                    at: Instant::now(),
                });
                let reply = replies.lock().unwrap().pop_front();
                let reply = reply.unwrap_or_else(|| Reply::text(599, "no canned reply left"));
                if reply.hang {
                    std::future::pending::<()>().await;
                }
                reply.into_response()
            }
        });
        Self {
            base: serve(router).await,
            seen,
        }
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests were received so far.
    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// The only request received so far.
    pub fn single(&self) -> Seen {
        let seen = self.seen();
        assert_eq!(seen.len(), 1, "expected exactly one request, got {seen:?}");
        seen.into_iter().next().unwrap()
    }
}
