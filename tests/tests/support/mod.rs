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

/// What a [`RawServer`] does with one request.
#[derive(Debug, Clone)]
pub enum RawReply {
    /// Reads the request, then closes the connection without a word: the response is lost
    /// (the request may well have been carried out).
    Close,
    /// Writes these bytes (a whole HTTP/1.1 response, head and body, as they are), then closes
    /// the connection.
    Send(Vec<u8>),
    /// Writes these bytes (a response head, perhaps the start of a body), then neither writes
    /// nor closes: the rest never comes.
    SendThenHang(Vec<u8>),
}

impl RawReply {
    /// A complete response: `status` (e.g. `200 OK`), the `headers`, `Content-Length` and
    /// `Connection: close`, and `body`.
    pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Self {
        let mut head = format!("HTTP/1.1 {status}\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        ));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        Self::Send(bytes)
    }

    /// A JSON response (`Content-Type: application/json`).
    pub fn json(status: &str, headers: &[(&str, &str)], body: &Value) -> Self {
        let mut headers = headers.to_vec();
        headers.push(("content-type", "application/json"));
        Self::response(status, &headers, body.to_string().as_bytes())
    }

    /// A response whose body comes in `chunks` chunks of `chunk` bytes each (`x`), with
    /// chunked transfer encoding: no `Content-Length` says how long it is.
    pub fn chunked(status: &str, chunk: usize, chunks: usize) -> Self {
        let mut bytes =
            format!("HTTP/1.1 {status}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
                .into_bytes();
        let data = vec![b'x'; chunk];
        for _ in 0..chunks {
            bytes.extend_from_slice(format!("{chunk:x}\r\n").as_bytes());
            bytes.extend_from_slice(&data);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
        Self::Send(bytes)
    }
}

/// One request as a [`RawServer`] read it.
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// The request line and headers, as text (lossily decoded; not an HTTP head at all when
    /// the client spoke TLS).
    pub head: String,
    pub body: Vec<u8>,
}

impl RawRequest {
    /// The request line, e.g. `PUT /jobs/v2/job-1?api-version=2021-04-12 HTTP/1.1`.
    pub fn line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    /// A header's value (the name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// A TCP server on 127.0.0.1 that speaks HTTP/1.1 by hand, for what an HTTP framework will
/// not do: drop a connection without answering, announce a body and never send it. One
/// request per connection; each gets the next [`RawReply`] (a 599 once they run out).
pub struct RawServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The port, for URLs of another scheme on the same port.
    pub port: u16,
    requests: Arc<Mutex<Vec<RawRequest>>>,
    connections: Arc<std::sync::atomic::AtomicUsize>,
    replies: Arc<Mutex<VecDeque<RawReply>>>,
}

impl RawServer {
    pub async fn start(replies: Vec<RawReply>) -> Self {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let replies = Arc::new(Mutex::new(VecDeque::from(replies)));
        let (log, count) = (Arc::clone(&requests), Arc::clone(&connections));
        let queue = Arc::clone(&replies);
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let (log, replies) = (Arc::clone(&log), Arc::clone(&queue));
                tokio::spawn(async move {
                    let mut buffer = Vec::new();
                    let mut chunk = [0u8; 8192];
                    // The head, up to its blank line (or whatever came before the client
                    // stopped: a TLS client sends its hello and waits).
                    let head_end = loop {
                        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                            break Some(end + 4);
                        }
                        let read = tokio::time::timeout(
                            std::time::Duration::from_millis(500),
                            socket.read(&mut chunk),
                        )
                        .await;
                        match read {
                            Ok(Ok(n)) if n > 0 => buffer.extend_from_slice(&chunk[..n]),
                            _ => break None,
                        }
                    };
                    let Some(head_end) = head_end else {
                        log.lock().unwrap().push(RawRequest {
                            head: String::from_utf8_lossy(&buffer).into_owned(),
                            body: Vec::new(),
                        });
                        return;
                    };
                    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
                    let mut request = RawRequest {
                        head,
                        body: buffer[head_end..].to_vec(),
                    };
                    let length: usize = request
                        .header("content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    while request.body.len() < length {
                        match socket.read(&mut chunk).await {
                            Ok(n) if n > 0 => request.body.extend_from_slice(&chunk[..n]),
                            _ => break,
                        }
                    }
                    log.lock().unwrap().push(request);
                    let reply = replies.lock().unwrap().pop_front();
                    let reply = reply.unwrap_or_else(|| {
                        RawReply::response("599 No Reply Left", &[], b"no canned reply left")
                    });
                    match reply {
                        RawReply::Close => {}
                        RawReply::Send(bytes) => {
                            let _ = socket.write_all(&bytes).await;
                            let _ = socket.shutdown().await;
                        }
                        RawReply::SendThenHang(bytes) => {
                            let _ = socket.write_all(&bytes).await;
                            std::future::pending::<()>().await;
                        }
                    }
                });
            }
        });
        Self {
            base: format!("http://127.0.0.1:{port}"),
            port,
            requests,
            connections,
            replies,
        }
    }

    /// Adds a reply after those given to [`RawServer::start`] (one that names the server's
    /// own port, say).
    pub fn push(&self, reply: RawReply) {
        self.replies.lock().unwrap().push_back(reply);
    }

    /// Every request read so far.
    pub fn requests(&self) -> Vec<RawRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}
