//! Hooks: user code that runs around every attempt of every call of a client, such as adding a
//! header, recording metrics per response, or logging in development.

use std::time::Duration;

use crate::credential::BoxFuture;
use crate::{HeaderMap, StatusCode};

/// What a hook knows of the attempt about to be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttemptInfo {
    /// The operationId.
    pub operation: &'static str,
    /// The attempt's number, from 1 (retries and the single attempt after a 401 count).
    pub attempt: u32,
}

/// What a hook sees of a response: every response, success or not, of every attempt.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ResponseInfo<'a> {
    /// The operationId.
    pub operation: &'static str,
    /// The attempt's number, from 1.
    pub attempt: u32,
    /// The status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: &'a HeaderMap,
    /// From sending the request to the response's headers.
    pub elapsed: Duration,
}

/// User code that runs around every attempt of every call of a client
/// (`Client::with_hook`, in the order the hooks were added): [`before_attempt`] after the
/// credential has set `Authorization` (it may change the request; an error fails the call with
/// [`Error::Hook`](crate::Error::Hook), nothing sent), and [`after_response`] once the
/// response's headers arrived (before retries are decided; the body is not read yet). Both
/// default to doing nothing.
///
/// [`before_attempt`]: Self::before_attempt
/// [`after_response`]: Self::after_response
pub trait Hook: Send + Sync {
    /// Runs before the attempt is sent.
    fn before_attempt<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        attempt: AttemptInfo,
    ) -> BoxFuture<'a, Result<(), String>> {
        let _ = (request, attempt);
        Box::pin(async { Ok(()) })
    }

    /// Runs when the attempt's response arrived.
    fn after_response<'a>(&'a self, response: ResponseInfo<'a>) -> BoxFuture<'a, ()> {
        let _ = response;
        Box::pin(async {})
    }
}

impl<H: Hook + ?Sized> Hook for std::sync::Arc<H> {
    fn before_attempt<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        attempt: AttemptInfo,
    ) -> BoxFuture<'a, Result<(), String>> {
        (**self).before_attempt(request, attempt)
    }

    fn after_response<'a>(&'a self, response: ResponseInfo<'a>) -> BoxFuture<'a, ()> {
        (**self).after_response(response)
    }
}
