//! Per-call options: what one request may change of its client's settings (timeout, retry
//! policy, extra headers, request id), and [`call_options!`](crate::call_options), the
//! setters every generated request builder has.

use std::fmt;
use std::time::Duration;

use futures::Stream;

use crate::{Error, RetryPolicy};

/// What one call changes of its client's settings. Every generated request builder has
/// setters for these (`.timeout(...)`, `.retry_policy(...)`, `.header(...)`,
/// `.client_request_id(...)`), and [`options`](Self) to set them all at once, for example
/// from a value shared by several calls.
///
/// Its `Debug` output shows header names, never their values (they may be secrets).
#[derive(Clone, Default)]
pub struct CallOptions {
    pub(crate) timeout: Option<Option<Duration>>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) headers: Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
    pub(crate) client_request_id: Option<String>,
    /// The first invalid header given, reported when the call is sent.
    pub(crate) invalid: Option<String>,
    /// The response is a stream: the timeout bounds the wait for its headers only.
    pub(crate) streaming: bool,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("client_request_id", &self.client_request_id)
            .finish_non_exhaustive()
    }
}

impl CallOptions {
    /// No changes: the call uses its client's settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long each attempt of this call may take (`None`: no limit of its own), instead of
    /// the client's timeout. The retry policy's time budget still bounds the call.
    #[must_use]
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy of this call, instead of the client's
    /// ([`RetryPolicy::none`] sends it once).
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Adds a header to every attempt of this call (after the generated ones, which it
    /// replaces when it has the same name). A name or value HTTP does not allow makes the
    /// call fail with [`Error::InvalidInput`] before anything is sent. The `Authorization`
    /// header is the credential's and cannot be set here.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let parsed = (
            reqwest::header::HeaderName::from_bytes(name.as_bytes()),
            reqwest::header::HeaderValue::from_str(value),
        );
        match parsed {
            (Ok(name), _) if name == reqwest::header::AUTHORIZATION => {
                self.invalid.get_or_insert_with(|| {
                    "the Authorization header comes from the client's credential; it cannot be \
                     set per call"
                        .to_owned()
                });
            }
            (Ok(name), Ok(mut value)) => {
                value.set_sensitive(true);
                self.headers.push((name, value));
            }
            (Err(_), _) => {
                self.invalid.get_or_insert_with(|| {
                    format!("`{}` is not a valid HTTP header name", name.escape_debug())
                });
            }
            (Ok(name), Err(_)) => {
                self.invalid.get_or_insert_with(|| {
                    format!("the value of header `{name}` has characters HTTP does not allow")
                });
            }
        }
        self
    }

    /// The client request id of this call, sent in every attempt (instead of a fresh one per
    /// attempt) in the header the API names for it, for example `x-ms-client-request-id`.
    /// Has no effect for an API that names none; use [`header`](Self::header) there.
    #[must_use]
    pub fn client_request_id(mut self, id: impl Into<String>) -> Self {
        self.client_request_id = Some(id.into());
        self
    }

    /// The timeout of each attempt, given the client's.
    pub(crate) fn attempt_timeout(&self, client: Option<Duration>) -> Option<Duration> {
        self.timeout.unwrap_or(client)
    }

    /// The error of an invalid header, if one was given.
    pub(crate) fn check<E>(&self) -> Result<(), Error<E>> {
        match &self.invalid {
            Some(message) => Err(Error::InvalidInput(message.clone())),
            None => Ok(()),
        }
    }
}

/// The query pairs of a generated request builder: its optional parameters' setters write
/// them here, `send` adds the required ones and writes them all into the URL, ordered by each
/// parameter's place in the operation (so the order on the wire is the document's, whatever
/// order the setters were called in).
///
/// Its `Debug` output shows parameter names, never their values.
#[derive(Clone, Default)]
pub struct QueryPairs {
    /// `(parameter's place, name, value)`, in the order they were added.
    pairs: Vec<(u16, &'static str, String)>,
}

impl fmt::Debug for QueryPairs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.pairs.iter().map(|(_, name, _)| name))
            .finish()
    }
}

impl QueryPairs {
    /// No pairs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the one pair of parameter `place` (its index in the operation), replacing what an
    /// earlier call set for it.
    pub fn set(&mut self, place: u16, name: &'static str, value: String) {
        self.clear(place);
        self.pairs.push((place, name, value));
    }

    /// Sets parameter `place` to a pair per item (`form` style, exploded), replacing what an
    /// earlier call set for it.
    pub fn set_each<T: fmt::Display>(&mut self, place: u16, name: &'static str, items: &[T]) {
        self.clear(place);
        for item in items {
            self.pairs.push((place, name, item.to_string()));
        }
    }

    /// Sets parameter `place` to one pair, its items joined by `separator` (`form`,
    /// `spaceDelimited`, `pipeDelimited`), replacing what an earlier call set for it.
    pub fn set_joined<T: fmt::Display>(
        &mut self,
        place: u16,
        name: &'static str,
        separator: char,
        items: &[T],
    ) {
        let mut joined = String::new();
        for item in items {
            if !joined.is_empty() {
                joined.push(separator);
            }
            joined.push_str(&item.to_string());
        }
        self.set(place, name, joined);
    }

    /// Adds a pair for parameter `place`, after those it has.
    pub fn push(&mut self, place: u16, name: &'static str, value: String) {
        self.pairs.push((place, name, value));
    }

    /// Appends the pairs to `url`'s query, ordered by parameter (a parameter's own pairs in
    /// the order they were added).
    pub fn write(mut self, url: &mut crate::Url) {
        if self.pairs.is_empty() {
            return;
        }
        self.pairs.sort_by_key(|(place, _, _)| *place);
        let mut query = url.query_pairs_mut();
        for (_, name, value) in &self.pairs {
            query.append_pair(name, value);
        }
    }

    fn clear(&mut self, place: u16) {
        self.pairs.retain(|(p, _, _)| *p != place);
    }
}

/// What a generated request builder's `send` returns: the boxed future of the call's result.
pub type CallFuture<'a, T, E> = crate::BoxFuture<'a, Result<T, Error<E>>>;

/// How a generated request builder makes its success value of a received response (see
/// [`ClientCore::send_decoded_boxed`](crate::ClientCore::send_decoded_boxed)).
pub type Decode<T, E> = fn(crate::Received) -> Result<T, Error<E>>;

/// A request as a generated request builder builds it, or why it could not be built.
pub type BuiltRequest<E> = Result<reqwest::Request, Error<E>>;

/// The constant parts of an operation whose request a generated builder prepares in one call
/// (see [`Prepare`]): what [`ClientCore::send_prepared`](crate::ClientCore::send_prepared)
/// needs besides the request. Generated code writes it as a `'static` literal.
#[doc(hidden)]
pub struct OperationSpec<E: 'static> {
    /// The operationId, for tracing (see [`OperationInfo`](crate::OperationInfo)).
    pub id: &'static str,
    /// Whether sending the request twice has the same effect as once.
    pub idempotent: bool,
    /// The operation's security requirements, `None` when the document declares none.
    pub security: Option<crate::Requirements>,
    /// The success statuses (any 2xx when empty).
    pub statuses: &'static [u16],
    /// Makes the typed error of an error response's status and body.
    pub decode: fn(u16, &[u8]) -> Option<E>,
    /// Whether the success body is JSON to decode; when not, it is not read, and the success
    /// value is unit (`()`).
    pub json: bool,
}

/// A request built for sending, with its operation's constant parts (see [`Prepare`]).
#[doc(hidden)]
pub struct Prepared<E: 'static> {
    /// The request, or why it could not be built (the call's error).
    pub request: BuiltRequest<E>,
    /// The operation's constant parts.
    pub spec: &'static OperationSpec<E>,
}

/// The parameters of an operation whose request is built in one call and whose success is
/// one JSON body or none: a generated crate implements it for such an operation's parameters,
/// and one generic `send` for all of them sends what [`prepare`](Self::prepare) returns, so
/// that each operation has only this small function for the user's compiler to check.
#[doc(hidden)]
pub trait Prepare {
    /// What a successful call gives.
    type Ok;
    /// The type of the operation's error bodies.
    type Err: 'static;

    /// The request of these parameters and the query pairs the setters wrote.
    fn prepare(self, core: &crate::ClientCore, query: QueryPairs) -> Prepared<Self::Err>;
}

/// A boxed stream, as generated paged requests hold.
pub type BoxStream<'a, T> = std::pin::Pin<Box<dyn Stream<Item = T> + Send + 'a>>;

/// Polls the stream of a paged request, starting it with `start` on the first poll.
pub fn poll_paged<'a, T, E>(
    stream: &mut Option<BoxStream<'a, Result<T, Error<E>>>>,
    start: impl FnOnce() -> BoxStream<'a, Result<T, Error<E>>>,
    cx: &mut std::task::Context<'_>,
) -> std::task::Poll<Option<Result<T, Error<E>>>> {
    stream.get_or_insert_with(start).as_mut().poll_next(cx)
}

/// The per-call setters of a generated request builder, whose [`CallOptions`] are at
/// `self.$($field).+`: `timeout`, `retry_policy`, `header`, `client_request_id` and
/// `options`.
#[macro_export]
macro_rules! call_options {
    ($($field:ident).+) => {
        /// How long each attempt of this call may take, instead of the client's timeout
        /// (see [`CallOptions::timeout`]($crate::CallOptions::timeout)).
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$($field).+ = ::std::mem::take(&mut self.$($field).+).timeout(::std::option::Option::Some(timeout));
            self
        }

        /// The retry policy of this call, instead of the client's
        /// ([`RetryPolicy::none`]($crate::RetryPolicy::none) sends it once).
        pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
            self.$($field).+ = ::std::mem::take(&mut self.$($field).+).retry_policy(policy);
            self
        }

        /// Adds a header to every attempt of this call
        /// (see [`CallOptions::header`]($crate::CallOptions::header)).
        pub fn header(mut self, name: &str, value: &str) -> Self {
            self.$($field).+ = ::std::mem::take(&mut self.$($field).+).header(name, value);
            self
        }

        /// The client request id of this call
        /// (see [`CallOptions::client_request_id`]($crate::CallOptions::client_request_id)).
        pub fn client_request_id(
            mut self,
            id: impl ::std::convert::Into<::std::string::String>,
        ) -> Self {
            self.$($field).+ = ::std::mem::take(&mut self.$($field).+).client_request_id(id);
            self
        }

        /// Replaces this call's options with `options` (a [`CallOptions`]($crate::CallOptions)
        /// shared by several calls, say).
        pub fn options(mut self, options: $crate::CallOptions) -> Self {
            self.$($field).+ = options;
            self
        }
    };
}

/// The setters of a generated request builder's optional query parameters that write their
/// pairs into the builder's [`QueryPairs`] (at `self.__query`), one entry each: the setter's
/// name, then the parameter's place in the operation, its name on the wire and how its value
/// is written: nothing (any `impl Into<String>`), `T` (a `T` written with `Display`), `date` (a
/// `DateTime<Utc>` in RFC 3339), `joined ',' T` (a `Vec<T>` as one pair, its items joined),
/// `each T` (a `Vec<T>` as a pair per item). `$method` names the client's method, which the
/// setters' docs link to (it describes the parameters); a string, because `stringify!` in
/// every setter's docs made `cargo check` of netbox's crate (6,479 setters) about 5% slower.
/// For example `query_setters!("list_jobs"; top(0, "top", i32), filter(1, "$filter"))`.
#[macro_export]
macro_rules! query_setters {
    ($method:literal; $($name:ident $args:tt),* $(,)?) => {
        $($crate::query_setter!($method $name $args);)*
    };
}

/// One setter of [`query_setters!`].
#[doc(hidden)]
#[macro_export]
macro_rules! query_setter {
    ($method:literal $name:ident ($place:literal, $wire:literal)) => {
        #[doc = ::std::concat!(
                            "Sets the query parameter `", $wire, "` (see [`Client::", $method,
                            "`](super::client::Client::", $method, "))."
                        )]
        pub fn $name(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
            self.__query.set($place, $wire, value.into());
            self
        }
    };
    ($method:literal $name:ident ($place:literal, $wire:literal, date)) => {
        #[doc = ::std::concat!(
                            "Sets the query parameter `", $wire, "` (see [`Client::", $method,
                            "`](super::client::Client::", $method, "))."
                        )]
        pub fn $name(mut self, value: $crate::chrono::DateTime<$crate::chrono::Utc>) -> Self {
            let value = value.to_rfc3339_opts($crate::chrono::SecondsFormat::AutoSi, true);
            self.__query.set($place, $wire, value);
            self
        }
    };
    ($method:literal $name:ident ($place:literal, $wire:literal, joined $separator:literal $item:ty)) => {
        #[doc = ::std::concat!(
                            "Sets the query parameter `", $wire, "` (see [`Client::", $method,
                            "`](super::client::Client::", $method, "))."
                        )]
        pub fn $name(mut self, value: ::std::vec::Vec<$item>) -> Self {
            self.__query.set_joined($place, $wire, $separator, &value);
            self
        }
    };
    ($method:literal $name:ident ($place:literal, $wire:literal, each $item:ty)) => {
        #[doc = ::std::concat!(
                            "Sets the query parameter `", $wire, "` (see [`Client::", $method,
                            "`](super::client::Client::", $method, "))."
                        )]
        pub fn $name(mut self, value: ::std::vec::Vec<$item>) -> Self {
            self.__query.set_each($place, $wire, &value);
            self
        }
    };
    ($method:literal $name:ident ($place:literal, $wire:literal, $ty:ty)) => {
        #[doc = ::std::concat!(
                            "Sets the query parameter `", $wire, "` (see [`Client::", $method,
                            "`](super::client::Client::", $method, "))."
                        )]
        pub fn $name(mut self, value: $ty) -> Self {
            self.__query
                .set($place, $wire, ::std::string::ToString::to_string(&value));
            self
        }
    };
}

/// The `IntoFuture` impl of a generated request builder `$builder<'a>`: `.await` sends it
/// with `send`, whose output is `Result<$ok, Error<$err>>`; with `async` when `send` is an
/// `async fn` (its future is boxed here), else `send` returns the boxed future itself.
#[macro_export]
macro_rules! into_future {
    ($builder:ident, $ok:ty, $err:ty) => {
        impl<'a> ::std::future::IntoFuture for $builder<'a> {
            type Output = ::std::result::Result<$ok, $crate::Error<$err>>;
            type IntoFuture = $crate::BoxFuture<'a, Self::Output>;

            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    };
    ($builder:ident, $ok:ty, $err:ty, async) => {
        impl<'a> ::std::future::IntoFuture for $builder<'a> {
            type Output = ::std::result::Result<$ok, $crate::Error<$err>>;
            type IntoFuture = $crate::BoxFuture<'a, Self::Output>;

            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    };
}

/// The end of a generated request builder's `send`, written as the call it makes without its
/// `OperationInfo`: `send!(client.call(request, options, id, idempotent, security, statuses,
/// decode_error, more…))` sends the built request (or why it could not be built) with
/// `client.core.call` (`send_json_boxed`, `send_empty_boxed`, `send_decoded_boxed`,
/// `send_streaming`…) as the operation `id` (idempotent or not, with its security
/// requirements), with the call's options, the expected statuses, the error decoder and what
/// else `call` takes. One short call per operation instead of the call written out (about
/// ten lines once formatted); it expands to that call.
#[doc(hidden)]
#[macro_export]
macro_rules! send {
    ($client:ident . $call:ident (
        $request:ident, $options:ident, $id:literal, $idempotent:literal, $security:expr,
        $statuses:expr, $decode:expr $(, $more:expr)* $(,)?
    )) => {
        $client.core.$call(
            $crate::OperationInfo { id: $id, idempotent: $idempotent, security: $security },
            $request,
            $options,
            $statuses,
            $decode,
            $($more,)*
        )
    };
}

/// `?` for the request-building block of generated code: the value of an `Ok`, or an `Err`
/// as the value of the block labelled `$label` (a block, unlike a closure, is no body of its
/// own for the compiler to check).
#[doc(hidden)]
#[macro_export]
macro_rules! tri {
    ($label:lifetime, $result:expr) => {
        match $result {
            ::std::result::Result::Ok(value) => value,
            ::std::result::Result::Err(error) => break $label::std::result::Result::Err(error),
        }
    };
}

#[cfg(test)]
mod tests {
    use super::QueryPairs;

    /// A request builder with the setters `query_setters!` writes, and `IntoFuture`.
    struct Builder<'a> {
        __query: QueryPairs,
        _client: std::marker::PhantomData<&'a ()>,
    }

    #[derive(Debug, Clone, Copy)]
    enum Kind {
        Big,
    }

    impl std::fmt::Display for Kind {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("big")
        }
    }

    impl<'a> Builder<'a> {
        crate::query_setters!(
            "list"; name(0, "name"), top(1, "$top", i32), kind(2, "kind", Kind),
            since(3, "since", date), ids(4, "ids", joined ',' i64), tags(5, "tag", each String)
        );

        fn send(self) -> crate::BoxFuture<'a, Result<String, crate::Error<()>>> {
            let mut url = crate::Url::parse("http://h/").expect("a URL");
            self.__query.write(&mut url);
            Box::pin(async move { Ok(url.query().unwrap_or_default().to_owned()) })
        }
    }

    crate::into_future!(Builder, String, ());

    /// Every kind of setter writes its pairs in the parameters' order, and `.await` sends.
    #[test]
    fn query_setters_write_pairs_in_order() {
        let since = chrono::DateTime::from_timestamp(0, 0).expect("a date");
        let builder = Builder {
            __query: QueryPairs::new(),
            _client: std::marker::PhantomData,
        }
        .tags(vec!["a".to_owned(), "b".to_owned()])
        .ids(vec![1, 2])
        .since(since)
        .kind(Kind::Big)
        .top(3)
        .name("x")
        .name("y");
        let query = futures::executor::block_on(std::future::IntoFuture::into_future(builder))
            .expect("sent");
        assert_eq!(
            query,
            "name=y&%24top=3&kind=big&since=1970-01-01T00%3A00%3A00Z&ids=1%2C2&tag=a&tag=b"
        );
    }
}
