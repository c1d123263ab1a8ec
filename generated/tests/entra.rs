//! Hand-written tests of Microsoft Entra ID authentication (feature `entra-id`): a client with
//! a fake token source against a small HTTP server on 127.0.0.1 that records the
//! `Authorization` header of each request and refuses the tokens a test names.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use iothub_jobs::iothub::azure_core::credentials::{AccessToken, TokenRequestOptions};
use iothub_jobs::iothub::azure_core::error::ErrorKind;
use iothub_jobs::iothub::azure_core::time::{Duration, OffsetDateTime};
use iothub_jobs::iothub::{EntraCredential, IOT_HUB_SCOPE, TokenCredential, azure_core};
use iothub_jobs::{Client, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A token source that counts its calls and gives `token-1`, `token-2`... expiring
/// `lifetime` after now, or fails while told to.
#[derive(Debug)]
struct FakeSource {
    calls: AtomicUsize,
    lifetime: Duration,
    failing: AtomicBool,
    scopes: Mutex<Vec<String>>,
}

impl FakeSource {
    fn new(lifetime: Duration) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            lifetime,
            failing: AtomicBool::new(false),
            scopes: Mutex::new(Vec::new()),
        })
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl TokenCredential for FakeSource {
    async fn get_token(
        &self,
        scopes: &[&str],
        _: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.scopes
            .lock()
            .unwrap()
            .extend(scopes.iter().map(|s| (*s).to_owned()));
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        // Let other requests run while this fetch is under way.
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
        if self.failing.load(Ordering::SeqCst) {
            return Err(azure_core::Error::with_error(
                ErrorKind::Credential,
                std::io::Error::other("the token endpoint answered 400 (AADSTS7000215)"),
                "ClientSecretCredential authentication failed",
            ));
        }
        Ok(AccessToken::new(
            format!("token-{n}"),
            OffsetDateTime::now_utc() + self.lifetime,
        ))
    }
}

/// What the server saw and what it refuses.
#[derive(Default)]
struct Seen {
    authorizations: Mutex<Vec<String>>,
    refused: Mutex<HashSet<String>>,
}

impl Seen {
    fn authorizations(&self) -> Vec<String> {
        self.authorizations.lock().unwrap().clone()
    }

    fn refuse(&self, value: &str) {
        self.refused.lock().unwrap().insert(value.to_owned());
    }
}

/// Serves `GET /jobs/v2/{id}` on 127.0.0.1, one request per connection: 401
/// `IotHubUnauthorizedAccess` for a refused `Authorization` value, else a completed job.
async fn serve() -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Seen::default());
    let state = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let state = Arc::clone(&state);
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0_u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request).into_owned();
                let authorization = text
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("authorization")
                            .then(|| value.trim().to_owned())
                    })
                    .unwrap_or_default();
                state
                    .authorizations
                    .lock()
                    .unwrap()
                    .push(authorization.clone());
                let refused = state.refused.lock().unwrap().contains(&authorization);
                let (status, extra, body) = if refused {
                    (
                        "401 Unauthorized",
                        "iothub-errorcode: IotHubUnauthorizedAccess\r\n",
                        r#"{"Message":"ErrorCode:IotHubUnauthorizedAccess;Unauthorized","ExceptionMessage":"Tracking ID:0-G:0-TimeStamp:01/01/2026 00:00:00"}"#,
                    )
                } else {
                    ("200 OK", "", r#"{"jobId":"job-1","status":"completed"}"#)
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (endpoint, seen)
}

fn client(endpoint: &str, source: &Arc<FakeSource>) -> Client {
    Client::from_token_credential_with_endpoint(endpoint, Arc::clone(source) as _).unwrap()
}

#[tokio::test]
async fn a_token_is_fetched_once_and_sent_as_a_bearer_token() {
    let (endpoint, seen) = serve().await;
    let source = FakeSource::new(Duration::hours(1));
    let client = client(&endpoint, &source);
    for _ in 0..2 {
        let job = client.get_scheduled_job("job-1").await.unwrap();
        assert_eq!(job.job_id.as_deref(), Some("job-1"));
    }
    assert_eq!(
        source.calls(),
        1,
        "the second request uses the cached token"
    );
    assert_eq!(seen.authorizations(), ["Bearer token-1", "Bearer token-1"]);
    assert_eq!(*source.scopes.lock().unwrap(), [IOT_HUB_SCOPE]);
    assert_eq!(IOT_HUB_SCOPE, "https://iothubs.azure.net/.default");
}

#[tokio::test]
async fn concurrent_requests_share_one_fetch() {
    let (endpoint, seen) = serve().await;
    let source = FakeSource::new(Duration::hours(1));
    let client = client(&endpoint, &source);
    let calls = (0..8).map(|_| client.get_scheduled_job("job-1").send());
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(source.calls(), 1);
    assert_eq!(seen.authorizations(), vec!["Bearer token-1"; 8]);
}

#[tokio::test]
async fn a_token_close_to_its_expiry_is_replaced_before_the_next_request() {
    let (endpoint, seen) = serve().await;
    // 60 s left: inside the 5-minute margin, so no request reuses it.
    let source = FakeSource::new(Duration::seconds(60));
    let client = client(&endpoint, &source);
    client.get_scheduled_job("job-1").await.unwrap();
    client.get_scheduled_job("job-1").await.unwrap();
    assert_eq!(source.calls(), 2);
    assert_eq!(seen.authorizations(), ["Bearer token-1", "Bearer token-2"]);

    // With a margin of 30 s, the same tokens are good for a while.
    let (endpoint, seen) = serve().await;
    let source = FakeSource::new(Duration::seconds(60));
    let credential = EntraCredential::new(Arc::clone(&source) as _)
        .with_refresh_margin(std::time::Duration::from_secs(30));
    let client = Client::new(&endpoint).unwrap().with_credential(credential);
    client.get_scheduled_job("job-1").await.unwrap();
    client.get_scheduled_job("job-1").await.unwrap();
    assert_eq!(source.calls(), 1);
    assert_eq!(seen.authorizations(), ["Bearer token-1", "Bearer token-1"]);
}

#[tokio::test]
async fn a_refused_token_is_dropped_and_the_request_sent_again_with_a_new_one() {
    let (endpoint, seen) = serve().await;
    let source = FakeSource::new(Duration::hours(1));
    let client = client(&endpoint, &source);
    client.get_scheduled_job("job-1").await.unwrap();
    // The hub stops accepting the first token (revoked, or the role assignment changed).
    seen.refuse("Bearer token-1");
    let job = client.get_scheduled_job("job-1").await.unwrap();
    assert_eq!(job.job_id.as_deref(), Some("job-1"));
    assert_eq!(source.calls(), 2);
    assert_eq!(
        seen.authorizations(),
        ["Bearer token-1", "Bearer token-1", "Bearer token-2"]
    );
    // The new token is cached in turn.
    client.get_scheduled_job("job-1").await.unwrap();
    assert_eq!(source.calls(), 2);

    // Refused again after a fresh token: the 401 is the call's error, after two attempts.
    seen.refuse("Bearer token-2");
    seen.refuse("Bearer token-3");
    let error = client.get_scheduled_job("job-1").await.unwrap_err();
    let response = error.response().expect("the service's answer");
    assert_eq!(response.status.as_u16(), 401);
    assert_eq!(source.calls(), 3);
}

#[tokio::test]
async fn a_failing_token_source_fails_the_call_with_its_message_and_sends_nothing() {
    let (endpoint, seen) = serve().await;
    let source = FakeSource::new(Duration::hours(1));
    source.failing.store(true, Ordering::SeqCst);
    let client = client(&endpoint, &source);
    let error = client.get_scheduled_job("job-1").await.unwrap_err();
    let Error::Credential(message) = &error else {
        panic!("expected a credential error, got {error:?}");
    };
    assert_eq!(
        message,
        "could not get a Microsoft Entra ID token for https://iothubs.azure.net/.default: \
         ClientSecretCredential authentication failed: \
         the token endpoint answered 400 (AADSTS7000215)"
    );
    assert!(error.to_string().contains("AADSTS7000215"), "{error}");
    assert!(seen.authorizations().is_empty(), "nothing was sent");

    // Once the source recovers, the next call gets a token.
    source.failing.store(false, Ordering::SeqCst);
    client.get_scheduled_job("job-1").await.unwrap();
    assert_eq!(seen.authorizations(), ["Bearer token-2"]);
}

#[tokio::test]
async fn debug_output_never_shows_the_token() {
    let (endpoint, _seen) = serve().await;
    let source = FakeSource::new(Duration::hours(1));
    let credential = Arc::new(EntraCredential::new(Arc::clone(&source) as _));
    assert!(format!("{credential:?}").contains("token: \"<none>\""));
    let client = Client::new(&endpoint)
        .unwrap()
        .with_credential(Arc::clone(&credential));
    client.get_scheduled_job("job-1").await.unwrap();
    let value = credential.current_token().await.unwrap();
    assert!(value.is_sensitive());
    assert_eq!(value, "Bearer token-1");
    for debug in [format!("{credential:?}"), format!("{client:?}")] {
        assert!(!debug.contains("token-1"), "{debug}");
    }
    let debug = format!("{credential:?}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert!(debug.contains(IOT_HUB_SCOPE), "{debug}");
}
