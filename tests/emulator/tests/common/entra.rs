// Hand-written test infrastructure (not generated): helpers shared by the emulator's tests.
//! A fake Microsoft Entra ID token source for the client's `entra-id` feature, and a client
//! that authenticates with it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use iothub_jobs::iothub::azure_core;
use iothub_jobs::iothub::azure_core::credentials::{AccessToken, TokenRequestOptions};
use iothub_jobs::iothub::azure_core::time::{Duration, OffsetDateTime};
use iothub_jobs::iothub::{IOT_HUB_SCOPE, TokenCredential};
use iothub_jobs::{Client, RetryPolicy};

/// A token source that always gives `token` (valid one hour) and counts its calls.
#[derive(Debug)]
pub struct FakeSource {
    pub token: &'static str,
    pub calls: AtomicUsize,
}

impl FakeSource {
    pub fn new(token: &'static str) -> Arc<Self> {
        Arc::new(Self {
            token,
            calls: AtomicUsize::new(0),
        })
    }
}

#[async_trait::async_trait]
impl TokenCredential for FakeSource {
    async fn get_token(
        &self,
        scopes: &[&str],
        _: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        assert_eq!(scopes, [IOT_HUB_SCOPE]);
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(AccessToken::new(
            self.token,
            OffsetDateTime::now_utc() + Duration::hours(1),
        ))
    }
}

pub fn client(endpoint: &str, source: &Arc<FakeSource>) -> Client {
    Client::from_token_credential_with_endpoint(endpoint, Arc::clone(source) as _)
        .unwrap()
        .with_retry_policy(RetryPolicy::none())
}
