//! Binary bodies of any size, through the client and the server generated from
//! `tests/fixtures/streaming.yaml`, over loopback HTTP: downloads as a stream of chunks (read
//! lazily on both sides), the body size limit on buffered reads only, typed errors, uploads
//! from a stream, a file or bytes (with `Content-Length` when known, chunked otherwise), and
//! streamed uploads sent once. The opt-in `a_1_gib_download_streams_in_flat_memory` measures
//! the process's peak memory across a 1 GiB download.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fixture_output::streaming::models::{GetReportResponse, Problem, Stored};
use fixture_output::streaming::runtime::{Body, ByteStream, Bytes, Error, ErrorBody, StatusCode};
use fixture_output::streaming::server::{Api, router};
use fixture_output::streaming::server_runtime::{Download, RequestContext, ServerError, Upload};
use fixture_output::streaming::{Client, RetryPolicy};
use futures::{StreamExt, TryStreamExt};

/// The size of the chunks the server's generated downloads yield.
const CHUNK: usize = 64 * 1024;

/// What the server saw of an upload.
#[derive(Debug, Clone)]
struct Received {
    name: String,
    content_length: Option<u64>,
    chunked: bool,
    body: Vec<u8>,
}

/// The service: downloads generated on the fly, uploads recorded.
#[derive(Default)]
struct Store {
    /// Chunks the download streams have produced so far.
    produced: Arc<AtomicUsize>,
    /// Uploads as received (the `busy` blob's included).
    uploads: Mutex<Vec<Received>>,
    /// `post_image` calls: whether each had a body, and its length.
    images: Mutex<Vec<Option<usize>>>,
}

/// Chunk `i` of a generated download: `CHUNK` bytes of `i % 251`.
fn chunk(i: usize) -> Bytes {
    Bytes::from(vec![(i % 251) as u8; CHUNK])
}

impl Store {
    /// `count` chunks made only when the client's reading polls the stream; the length is
    /// announced when `announce`.
    fn generated(&self, count: usize, announce: bool) -> Download {
        let produced = self.produced.clone();
        let chunks = futures::stream::iter(0..count).map(move |i| {
            produced.fetch_add(1, Ordering::SeqCst);
            Ok::<_, std::io::Error>(chunk(i))
        });
        Download::from_stream(chunks, announce.then_some((count * CHUNK) as u64))
    }
}

impl Api for Store {
    async fn get_blob(
        &self,
        _context: &RequestContext,
        name: String,
    ) -> Result<Download, ServerError<Problem>> {
        match name.as_str() {
            "missing" => Err(ServerError::new(
                StatusCode::NOT_FOUND,
                Problem::new("NotFound"),
            )),
            // 64 MiB, announced.
            "counted" => Ok(self.generated(1024, true)),
            // Five chunks, without a length: sent chunked.
            "chunked" => Ok(self.generated(5, false)),
            // 1 GiB, from one shared chunk (nothing is allocated per chunk).
            "gib" => {
                let one = Bytes::from(vec![7u8; CHUNK]);
                let count = (1usize << 30) / CHUNK;
                let chunks =
                    futures::stream::repeat_with(move || Ok::<_, std::io::Error>(one.clone()))
                        .take(count);
                Ok(Download::from_stream(chunks, Some(1 << 30)))
            }
            _ => Ok(Download::from(b"hello".to_vec())),
        }
    }

    async fn put_blob(
        &self,
        context: &RequestContext,
        name: String,
        body: Upload,
    ) -> Result<Stored, ServerError<Problem>> {
        let content_length = body.content_length();
        let chunked = context
            .headers
            .get("transfer-encoding")
            .is_some_and(|value| value == "chunked");
        let bytes = body
            .try_fold(Vec::new(), |mut all, chunk| async move {
                all.extend_from_slice(&chunk);
                Ok(all)
            })
            .await
            .map_err(|_| ServerError::new(StatusCode::BAD_REQUEST, Problem::new("Broken")))?;
        let size = bytes.len() as i64;
        self.uploads.lock().unwrap().push(Received {
            name: name.clone(),
            content_length,
            chunked,
            body: bytes,
        });
        if name == "unauthorized" {
            return Err(ServerError::new(
                StatusCode::UNAUTHORIZED,
                Problem::new("Unauthorized"),
            ));
        }
        if name == "busy" {
            return Err(ServerError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                Problem::new("Busy"),
            ));
        }
        Ok(Stored::new(name, size))
    }

    async fn get_report(
        &self,
        _context: &RequestContext,
        _id: String,
    ) -> Result<GetReportResponse, ServerError<Problem>> {
        Ok(GetReportResponse {
            body: b"%PDF-1.7".to_vec(),
            x_checksum: Some("abc".to_owned()),
        })
    }

    async fn post_image(
        &self,
        _context: &RequestContext,
        body: Option<Upload>,
    ) -> Result<(), ServerError<Problem>> {
        let length = match body {
            Some(upload) => Some(upload.to_bytes(1 << 20).await.map(|b| b.len()).unwrap_or(0)),
            None => None,
        };
        self.images.lock().unwrap().push(length);
        Ok(())
    }
}

/// The generated server on 127.0.0.1, and a client of it that does not wait between retries.
async fn start() -> (Arc<Store>, Client) {
    let store = Arc::new(Store::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(store.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::new(&base).unwrap().with_retry_policy(
        RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(2)),
    );
    (store, client)
}

/// A download arrives chunk by chunk, and the server's stream is polled only as the client
/// reads: after the first chunk of 1024, most are not made yet.
#[tokio::test]
async fn a_download_arrives_as_a_stream_of_chunks_made_as_they_are_read() {
    let (store, client) = start().await;
    let mut stream: ByteStream<Problem> =
        client.get_blob("counted").send_streaming().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.content_length(), Some(1024 * CHUNK as u64));
    assert_eq!(stream.content_type(), Some("application/octet-stream"));
    let first = stream.try_next().await.unwrap().unwrap();
    assert!(!first.is_empty() && first.iter().all(|b| *b == 0));
    let produced = store.produced.load(Ordering::SeqCst);
    assert!(
        produced < 512,
        "the server made {produced} chunks of 1024 ahead of the reader"
    );

    let mut total = first.len();
    while let Some(chunk) = stream.try_next().await.unwrap() {
        let i = total / CHUNK;
        assert!(chunk.iter().all(|b| *b == (i % 251) as u8) || total % CHUNK != 0);
        total += chunk.len();
    }
    assert_eq!(total, 1024 * CHUNK);
    assert_eq!(store.produced.load(Ordering::SeqCst), 1024);
}

/// The success body limit bounds what is read into memory (`send`, `collect`) and never a
/// stream.
#[tokio::test]
async fn collecting_respects_the_limit_while_streaming_ignores_it() {
    let (_store, client) = start().await;
    let client = client.with_max_response_bytes(5000);

    // 64 MiB announced: streamed whole, refused at once when collected.
    let stream = client.get_blob("counted").send_streaming().await.unwrap();
    let total = stream
        .try_fold(0usize, |n, chunk| async move { Ok(n + chunk.len()) })
        .await
        .unwrap();
    assert_eq!(total, 1024 * CHUNK);
    let stream = client.get_blob("counted").send_streaming().await.unwrap();
    let error = stream.collect().await.unwrap_err();
    let Error::ResponseTooLarge(too_large) = &error else {
        panic!("expected ResponseTooLarge, got {error}");
    };
    assert_eq!(too_large.limit, 5000);
    assert_eq!(too_large.content_length, Some(1024 * CHUNK as u64));
    assert!(matches!(
        client.get_blob("counted").await,
        Err(Error::ResponseTooLarge(_))
    ));

    // Chunked (no length): the limit is counted while reading.
    let stream = client.get_blob("chunked").send_streaming().await.unwrap();
    assert_eq!(stream.content_length(), None);
    assert_eq!(
        stream.headers().get("transfer-encoding").unwrap(),
        "chunked"
    );
    assert!(matches!(
        stream.collect().await,
        Err(Error::ResponseTooLarge(_))
    ));
    let stream = client.get_blob("chunked").send_streaming().await.unwrap();
    assert_eq!(
        stream.collect_within(5 * CHUNK).await.unwrap().len(),
        5 * CHUNK
    );
    let client = client.with_max_response_bytes(5 * CHUNK);
    let body = client.get_blob("chunked").await.unwrap();
    assert_eq!(body.len(), 5 * CHUNK);
    assert!(body[CHUNK..2 * CHUNK].iter().all(|b| *b == 1));
    assert_eq!(client.get_blob("small").await.unwrap(), b"hello");
}

/// An error status is the operation's typed error, streaming or not.
#[tokio::test]
async fn an_error_status_is_the_typed_error() {
    let (_store, client) = start().await;
    for error in [
        client
            .get_blob("missing")
            .send_streaming()
            .await
            .unwrap_err(),
        client.get_blob("missing").await.unwrap_err(),
    ] {
        assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
        let Some(ErrorBody::Typed(problem)) = error.response().map(|r| &r.body) else {
            panic!("expected a typed body: {error}");
        };
        assert_eq!(problem.code, "NotFound");
    }
}

/// The body as an `AsyncRead`.
#[tokio::test]
async fn a_download_reads_as_async_read() {
    let (_store, client) = start().await;
    let stream = client.get_blob("chunked").send_streaming().await.unwrap();
    let mut body = Vec::new();
    futures::io::AsyncReadExt::read_to_end(&mut stream.into_async_read(), &mut body)
        .await
        .unwrap();
    assert_eq!(body.len(), 5 * CHUNK);
}

/// A binary response with documented headers: the headers come with the stream (and typed,
/// with `send`).
#[tokio::test]
async fn a_binary_response_with_headers_streams_with_them() {
    let (_store, client) = start().await;
    let stream = client.get_report("r").send_streaming().await.unwrap();
    assert_eq!(stream.headers().get("x-checksum").unwrap(), "abc");
    assert_eq!(stream.collect().await.unwrap(), b"%PDF-1.7");
    let report = client.get_report("r").await.unwrap();
    assert_eq!(report.x_checksum.as_deref(), Some("abc"));
    assert_eq!(report.body, b"%PDF-1.7");
}

/// Uploads from a stream of known length (sent with `Content-Length`), of unknown length
/// (chunked), from a file (its size as `Content-Length`) and from bytes arrive intact.
#[tokio::test]
async fn uploads_from_a_stream_a_file_and_bytes_arrive_intact() {
    let (store, client) = start().await;
    let parts: Vec<Bytes> = (0..40)
        .map(|i| Bytes::from(vec![i as u8; 10_000]))
        .collect();
    let whole: Vec<u8> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    let chunks = || futures::stream::iter(parts.clone().into_iter().map(Ok::<_, std::io::Error>));

    let stored = client
        .put_blob("known", Body::from_stream(chunks(), Some(400_000)))
        .await
        .unwrap();
    assert_eq!((stored.name.as_str(), stored.size), ("known", 400_000));
    client
        .put_blob("unknown", Body::from_stream(chunks(), None))
        .await
        .unwrap();

    let path = std::env::temp_dir().join(format!("streaming-upload-{}.bin", std::process::id()));
    tokio::fs::write(&path, &whole).await.unwrap();
    let file = tokio::fs::File::open(&path).await.unwrap();
    let body = Body::from_file(file).await.unwrap();
    assert_eq!(body.content_length(), Some(400_000));
    client.put_blob("file", body).await.unwrap();
    tokio::fs::remove_file(&path).await.unwrap();

    // Bytes, as before: a `Vec<u8>` still works.
    client.put_blob("bytes", whole.clone()).await.unwrap();

    let uploads = store.uploads.lock().unwrap().clone();
    let by_name = |name: &str| uploads.iter().find(|u| u.name == name).unwrap().clone();
    for name in ["known", "unknown", "file", "bytes"] {
        assert_eq!(by_name(name).body, whole, "{name}");
    }
    for name in ["known", "file", "bytes"] {
        let upload = by_name(name);
        assert_eq!(upload.content_length, Some(400_000), "{name}");
        assert!(!upload.chunked, "{name}");
    }
    let unknown = by_name("unknown");
    assert_eq!(unknown.content_length, None);
    assert!(unknown.chunked);
}

/// A streamed upload cannot be replayed: a transient status ends the call after one attempt,
/// while bytes are sent again.
#[tokio::test]
async fn a_streamed_upload_is_not_retried_on_a_transient_status() {
    let (store, client) = start().await;
    let client = client.with_retry_policy(
        RetryPolicy::default()
            .delays(Duration::from_millis(1), Duration::from_millis(2))
            .max_attempts(3),
    );
    let error = client
        .put_blob("busy", b"again".to_vec())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(error.response().map(|r| r.attempts), Some(3));
    assert_eq!(store.uploads.lock().unwrap().len(), 3);

    let chunks = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"once"))]);
    let error = client
        .put_blob("busy", Body::from_stream(chunks, Some(4)))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(error.response().map(|r| r.attempts), Some(1));
    let uploads = store.uploads.lock().unwrap().clone();
    assert_eq!(uploads.len(), 4);
    assert_eq!(uploads[3].body, b"once", "sent whole, once, never empty");
}

/// A credential that can always be renewed, so that a 401 asks for one more attempt.
struct Renewable;

impl fixture_output::streaming::Credential for Renewable {
    fn authorization(
        &self,
    ) -> fixture_output::streaming::runtime::BoxFuture<
        '_,
        Result<fixture_output::streaming::runtime::HeaderValue, String>,
    > {
        Box::pin(async { Ok("Bearer t".parse().unwrap()) })
    }

    fn invalidate(&self) -> bool {
        true
    }
}

/// After a 401, bytes are sent once more with a renewed credential; a streamed body is not
/// (it could only be sent empty), and the 401 is the answer.
#[tokio::test]
async fn a_streamed_upload_is_not_sent_again_after_a_401() {
    let (store, client) = start().await;
    let client = client.with_credential(Renewable);
    let error = client
        .put_blob("unauthorized", b"bytes".to_vec())
        .await
        .unwrap_err();
    assert_eq!(error.response().map(|r| r.attempts), Some(2));
    let chunks = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"once"))]);
    let error = client
        .put_blob("unauthorized", Body::from_stream(chunks, None))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(error.response().map(|r| r.attempts), Some(1));
    let bodies: Vec<Vec<u8>> = store
        .uploads
        .lock()
        .unwrap()
        .iter()
        .map(|u| u.body.clone())
        .collect();
    assert_eq!(
        bodies,
        vec![b"bytes".to_vec(), b"bytes".to_vec(), b"once".to_vec()]
    );
}

/// An optional binary body: absent, or an `Upload`.
#[tokio::test]
async fn an_optional_upload_is_absent_or_a_stream() {
    let (store, client) = start().await;
    client.post_image(None).await.unwrap();
    client.post_image(Some(b"png".into())).await.unwrap();
    assert_eq!(*store.images.lock().unwrap(), vec![None, Some(3)]);
}

/// The peak resident memory of this process (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// 1 GiB generated on the fly by the server and streamed through the generated client: the
/// process's peak memory grows by a few MiB, not by the body. Opt-in (Linux):
/// `cargo test --release -p workspace-tests --test streaming -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "moves 1 GiB over loopback; run it on purpose"]
async fn a_1_gib_download_streams_in_flat_memory() {
    let (_store, client) = start().await;
    let before = peak_rss_kib();
    let started = std::time::Instant::now();
    let stream = client
        .get_blob("gib")
        .timeout(Duration::from_secs(300))
        .send_streaming()
        .await
        .unwrap();
    assert_eq!(stream.content_length(), Some(1 << 30));
    let total = stream
        .try_fold(0u64, |n, chunk| async move { Ok(n + chunk.len() as u64) })
        .await
        .unwrap();
    let after = peak_rss_kib();
    assert_eq!(total, 1 << 30);
    let growth_mib = after.saturating_sub(before) as f64 / 1024.0;
    println!(
        "1 GiB streamed in {:.2} s: peak RSS {:.1} MiB before, {:.1} MiB after (+{growth_mib:.1} MiB)",
        started.elapsed().as_secs_f64(),
        before as f64 / 1024.0,
        after as f64 / 1024.0,
    );
    assert!(growth_mib < 64.0, "peak RSS grew by {growth_mib:.1} MiB");
}
