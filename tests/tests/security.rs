//! Authentication generated from `securitySchemes` (`tests/fixtures/security.yaml`), over real
//! HTTP on 127.0.0.1: each credential in its place, alternatives in order, `security: []`,
//! optional authentication, the `with_credential` fallback, the error before anything is
//! sent, secrets kept out of Debug and error text, and OAuth 2.0 client credentials against
//! a loopback token endpoint.

mod support;

use std::future::IntoFuture as _;
use std::time::Duration;

use fixture_output::security::Client;
use fixture_output::security::runtime::{
    ClientAuthentication, ClientCredentials, Error, StaticCredential,
};
use serde_json::json;
use support::{Mock, Reply};

fn done() -> Reply {
    Reply::text(204, "")
}

fn token(value: &str, expires_in: u64) -> Reply {
    Reply::json(
        200,
        &json!({"access_token": value, "token_type": "Bearer", "expires_in": expires_in}),
    )
}

async fn client(replies: usize) -> (Client, Mock) {
    let mock = Mock::start((0..replies).map(|_| done()).collect()).await;
    (Client::new(&mock.base).unwrap(), mock)
}

#[tokio::test]
async fn api_keys_go_in_their_header_query_parameter_and_cookie() {
    let (client, mock) = client(3).await;
    let client = client
        .with_api_key_header_auth("header-key")
        .unwrap()
        .with_api_key_query_auth("query key&")
        .unwrap()
        .with_api_key_cookie_auth("cookie-key")
        .unwrap();
    client.get_default().await.unwrap();
    client.get_query().await.unwrap();
    client.get_cookie().await.unwrap();
    let seen = mock.seen();
    assert_eq!(seen[0].header("x-api-key"), Some("header-key"));
    assert_eq!(seen[0].header("authorization"), None);
    assert!(seen[0].query.is_empty());
    assert_eq!(seen[1].query_values("api_key"), ["query key&"]);
    assert_eq!(seen[1].header("x-api-key"), None);
    assert_eq!(seen[2].header("cookie"), Some("session=cookie-key"));
    assert!(seen[2].query.is_empty());
}

#[tokio::test]
async fn alternatives_are_tried_in_order_and_and_requirements_send_every_scheme() {
    let (client, mock) = client(4).await;
    let client = client.with_bearer_auth("tok").unwrap();
    client.get_either().await.unwrap();
    let client = client.with_basic_auth("user", "pass").unwrap();
    client.get_either().await.unwrap();
    let client = client
        .with_api_key_header_auth("h")
        .unwrap()
        .with_api_key_query_auth("q")
        .unwrap();
    client.get_both().await.unwrap();
    client.digest_call().await.unwrap_err();
    let seen = mock.seen();
    assert_eq!(seen[0].header("authorization"), Some("Bearer tok"));
    // Basic is the first alternative: it wins once set.
    assert_eq!(seen[1].header("authorization"), Some("Basic dXNlcjpwYXNz"));
    assert_eq!(seen[2].header("x-api-key"), Some("h"));
    assert_eq!(seen[2].query_values("api_key"), ["q"]);
    assert_eq!(
        mock.count(),
        3,
        "digestCall had no credential: nothing sent"
    );
}

#[tokio::test]
async fn public_operations_send_nothing_and_optional_ones_send_what_is_set() {
    let (client, mock) = client(3).await;
    client.get_optional().await.unwrap();
    let client = client
        .with_api_key_header_auth("h")
        .unwrap()
        .with_api_key_query_auth("q")
        .unwrap()
        .with_bearer_auth("tok")
        .unwrap()
        .with_credential(StaticCredential::new("Bearer fallback").unwrap());
    client.get_public().await.unwrap();
    client.get_optional().await.unwrap();
    let seen = mock.seen();
    assert_eq!(seen[0].header("authorization"), None);
    assert_eq!(seen[1].header("authorization"), None);
    assert_eq!(seen[1].header("x-api-key"), None);
    assert!(seen[1].query.is_empty());
    assert_eq!(seen[2].header("authorization"), Some("Bearer tok"));
}

#[tokio::test]
async fn a_missing_credential_fails_before_anything_is_sent() {
    let (client, mock) = client(1).await;
    let error = client.get_default().await.unwrap_err();
    let Error::Credential(message) = &error else {
        panic!("expected a credential error, got {error:?}");
    };
    assert!(message.contains("`getDefault`"), "{message}");
    assert!(message.contains("`apiKeyHeader`"), "{message}");
    let error = client.get_either().await.unwrap_err();
    assert!(
        error.to_string().contains("`basicAuth`, or `bearerAuth`"),
        "{error}"
    );
    assert_eq!(mock.count(), 0, "the server saw no request");
}

#[tokio::test]
async fn with_credential_is_the_fallback_in_authorization() {
    let (client, mock) = client(2).await;
    let client = client.with_credential(StaticCredential::new("Bearer fallback").unwrap());
    client.get_default().await.unwrap();
    let client = client.with_api_key_header_auth("own").unwrap();
    client.get_default().await.unwrap();
    let seen = mock.seen();
    assert_eq!(seen[0].header("authorization"), Some("Bearer fallback"));
    assert_eq!(seen[0].header("x-api-key"), None);
    assert_eq!(seen[1].header("x-api-key"), Some("own"));
    assert_eq!(seen[1].header("authorization"), None);
}

#[tokio::test]
async fn secrets_never_show_in_debug_or_errors() {
    // A port nothing listens on: the connection is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::new(&format!("http://127.0.0.1:{port}"))
        .unwrap()
        .with_api_key_query_auth("query-secret")
        .unwrap()
        .with_basic_auth("user", "basic-secret")
        .unwrap()
        .with_client_credentials_auth("id", "client-secret");
    let debug = format!("{client:?}");
    for secret in ["query-secret", "basic-secret", "client-secret"] {
        assert!(!debug.contains(secret), "{debug}");
    }
    let error = client.get_query().await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains("query-secret"), "{text}");
    }
    assert!(StaticCredential::new("bad\nsecret").is_err());
    let error = Client::new("http://127.0.0.1:1")
        .unwrap()
        .with_api_key_header_auth("bad\nsecret")
        .unwrap_err();
    assert!(!error.to_string().contains("secret"), "{error}");
}

/// Client credentials for `token_endpoint`, with the fixture's scopes.
fn client_credentials(token_endpoint: &Mock) -> ClientCredentials {
    ClientCredentials::new(
        reqwest::Client::new(),
        &format!("{}/oauth2/token", token_endpoint.base),
        "my client",
        "s3cret:x",
    )
    .scopes(&["jobs.read", "jobs.write"])
}

#[tokio::test]
async fn client_credentials_fetch_one_token_for_many_calls() {
    let tokens = Mock::start(vec![token("tok-1", 3600)]).await;
    let (client, mock) = client(5).await;
    let client = client.with_scheme_credential("clientCredentials", client_credentials(&tokens));
    client.machine_call().await.unwrap();
    let calls = (0..4).map(|_| client.machine_call().into_future());
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(tokens.count(), 1, "one fetch for every call");
    let fetch = tokens.single();
    assert_eq!(fetch.method, "POST");
    assert_eq!(fetch.path, "/oauth2/token");
    assert_eq!(
        fetch.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        String::from_utf8_lossy(&fetch.body),
        "grant_type=client_credentials&scope=jobs.read+jobs.write"
    );
    // RFC 6749 §2.3.1: id and secret form-encoded, then Basic.
    assert_eq!(
        fetch.header("authorization"),
        Some("Basic bXkrY2xpZW50OnMzY3JldCUzQXg=")
    );
    for seen in mock.seen() {
        assert_eq!(seen.header("authorization"), Some("Bearer tok-1"));
    }
}

#[tokio::test]
async fn client_credentials_refresh_after_expiry_and_after_a_401() {
    // Tokens valid for 30 s, renewed 60 s before expiry: every call needs a fresh one.
    let tokens = Mock::start(vec![token("tok-1", 30), token("tok-2", 30)]).await;
    let (client, mock) = client(2).await;
    let client = client.with_scheme_credential("clientCredentials", client_credentials(&tokens));
    client.machine_call().await.unwrap();
    client.machine_call().await.unwrap();
    assert_eq!(tokens.count(), 2);
    let seen = mock.seen();
    assert_eq!(seen[0].header("authorization"), Some("Bearer tok-1"));
    assert_eq!(seen[1].header("authorization"), Some("Bearer tok-2"));

    // A long-lived token the service refuses: forgotten, fetched again, the call resent.
    let tokens = Mock::start(vec![token("old", 3600), token("new", 3600)]).await;
    let mock = Mock::start(vec![Reply::text(401, "expired"), done(), done()]).await;
    let client = Client::new(&mock.base).unwrap().with_scheme_credential(
        "clientCredentials",
        client_credentials(&tokens).refresh_skew(Duration::from_secs(1)),
    );
    client.machine_call().await.unwrap();
    client.machine_call().await.unwrap();
    assert_eq!(tokens.count(), 2);
    let seen = mock.seen();
    assert_eq!(seen[0].header("authorization"), Some("Bearer old"));
    assert_eq!(seen[1].header("authorization"), Some("Bearer new"));
    assert_eq!(seen[2].header("authorization"), Some("Bearer new"));
}

#[tokio::test]
async fn client_credentials_in_the_form_and_token_endpoint_errors() {
    let tokens = Mock::start(vec![
        token("tok", 3600),
        Reply::json(
            400,
            &json!({"error": "invalid_client", "error_description": "no"}),
        ),
    ])
    .await;
    let (client, mock) = client(1).await;
    let credentials = || {
        client_credentials(&tokens)
            .scopes::<&str>(&[])
            .authentication(ClientAuthentication::Form)
    };
    let with_form = client
        .clone()
        .with_scheme_credential("clientCredentials", credentials());
    with_form.machine_call().await.unwrap();
    let fetch = tokens.single();
    assert_eq!(fetch.header("authorization"), None);
    assert_eq!(
        String::from_utf8_lossy(&fetch.body),
        "grant_type=client_credentials&client_id=my+client&client_secret=s3cret%3Ax"
    );
    assert_eq!(mock.count(), 1);
    let failing = client.with_scheme_credential("clientCredentials", credentials());
    let error = failing.machine_call().await.unwrap_err();
    let Error::Credential(message) = &error else {
        panic!("expected a credential error, got {error:?}");
    };
    assert!(message.contains("invalid_client"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
    assert_eq!(mock.count(), 1, "nothing sent without a token");
}

/// The generated server: 401 before the handler without a credential, and the scheme (and
/// value) that authenticated the request in `context.authenticated`.
mod server {
    use std::future::Future;
    use std::sync::{Arc, Mutex};

    use fixture_output::security::server::{Api, router};
    use fixture_output::security::server_runtime::{Authenticated, RequestContext, ServerError};
    use fixture_output::security::{Client, StaticCredential};

    type Seen = Vec<(&'static str, Option<Authenticated>)>;

    /// Records each call's operation and authentication.
    #[derive(Default)]
    struct Recorder(Mutex<Seen>);

    macro_rules! recording {
        ($($name:ident),*) => {$(
            fn $name(
                &self,
                context: &RequestContext,
            ) -> impl Future<Output = Result<(), ServerError<serde_json::Value>>> + Send {
                self.0
                    .lock()
                    .unwrap()
                    .push((context.operation_id, context.authenticated.clone()));
                async { Ok(()) }
            }
        )*};
    }

    impl Api for Recorder {
        recording!(
            get_default,
            get_query,
            get_cookie,
            get_either,
            get_both,
            get_public,
            get_optional,
            machine_call,
            user_call,
            digest_call,
            get_legacy
        );
    }

    fn schemes(auth: &Option<Authenticated>) -> Vec<(&'static str, String)> {
        auth.iter()
            .flat_map(|a| a.schemes.iter())
            .map(|s| (s.scheme, s.value.clone()))
            .collect()
    }

    #[tokio::test]
    async fn requests_without_a_credential_get_401_before_the_handler() {
        let recorder = Arc::new(Recorder::default());
        let base = super::support::serve(router(recorder.clone())).await;
        let http = reqwest::Client::new();
        let response = http.get(format!("{base}/default")).send().await.unwrap();
        assert_eq!(response.status(), 401);
        let response = http
            .get(format!("{base}/either"))
            .header("authorization", "Digest x")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers().get("www-authenticate").unwrap(), "Basic");
        assert!(recorder.0.lock().unwrap().is_empty(), "no handler ran");
        // Public and optional operations run without one.
        let response = http.get(format!("{base}/public")).send().await.unwrap();
        assert_eq!(response.status(), 204);
        let response = http.get(format!("{base}/optional")).send().await.unwrap();
        assert_eq!(response.status(), 204);
        let seen = recorder.0.lock().unwrap().clone();
        assert_eq!(seen[0], ("getPublic", None));
        assert_eq!(seen[1].0, "getOptional");
        assert_eq!(seen[1].1.as_ref().map(|a| a.schemes.len()), Some(0));
    }

    #[tokio::test]
    async fn the_handler_is_told_which_scheme_authenticated() {
        let recorder = Arc::new(Recorder::default());
        let base = super::support::serve(router(recorder.clone())).await;
        let client = Client::new(&base)
            .unwrap()
            .with_api_key_header_auth("hk")
            .unwrap()
            .with_api_key_query_auth("qk")
            .unwrap()
            .with_api_key_cookie_auth("ck")
            .unwrap()
            .with_bearer_auth("tok")
            .unwrap();
        client.get_default().await.unwrap();
        client.get_query().await.unwrap();
        client.get_cookie().await.unwrap();
        client.get_either().await.unwrap();
        client.get_both().await.unwrap();
        client.get_optional().await.unwrap();
        let client = client.with_credential(StaticCredential::new("Bearer fallback").unwrap());
        client.user_call().await.unwrap();
        let seen = recorder.0.lock().unwrap().clone();
        let got: Vec<_> = seen.iter().map(|(id, auth)| (*id, schemes(auth))).collect();
        let s = |v: &str| v.to_owned();
        assert_eq!(
            got,
            [
                ("getDefault", vec![("apiKeyHeader", s("hk"))]),
                ("getQuery", vec![("apiKeyQuery", s("qk"))]),
                ("getCookie", vec![("apiKeyCookie", s("ck"))]),
                ("getEither", vec![("bearerAuth", s("tok"))]),
                (
                    "getBoth",
                    vec![("apiKeyHeader", s("hk")), ("apiKeyQuery", s("qk"))]
                ),
                ("getOptional", vec![("bearerAuth", s("tok"))]),
                ("userCall", vec![("authorizationCode", s("fallback"))]),
            ]
        );
        let debug = format!("{:?}", seen[0].1);
        assert!(!debug.contains("hk"), "{debug}");
    }
}
