//! `requests.rs`: one request builder per operation, which the client's method returns: the
//! required arguments given to the method, setters for the optional parameters and the
//! per-call options, and `send` (what `.await` does, through `IntoFuture`). A paged
//! operation also gets a stream builder, which is the `Stream` of every item.

use super::client::{
    arg_borrows, arg_type, body_borrows, body_field, body_statement, cookie_statements, decoded,
    decoder, has_trailing_slash, header_statements, in_query_list, path_segments, query_binding,
    query_place, query_setter_statement, query_statements, runtime_send, trailing_slash, tri,
};
use super::docs::{code, doc_attrs, item_link};
use super::{ident, type_tokens};
use crate::ir::{
    Api, BodyEncoding, Operation, Param, ParamLocation, Success, SuccessStatus, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

/// The builders of operations `ops`; the module's docs and imports with the first part.
pub fn requests_rs(api: &Api, ops: std::ops::Range<usize>) -> TokenStream {
    let models = quote!(models::);
    let generic = generic_builder(api);
    let head = (ops.start == 0).then(|| {
        quote! {
            //! The request builders the client's methods return: set optional parameters and
            //! per-call options (`timeout`, `retry_policy`, `header`, `client_request_id`), then
            //! `.await` the request (or, for a paged operation's stream, iterate it).
            // Deprecated operations and schemas are still used here; users see the warning.
            #![allow(deprecated)]

            // Unused when every operation is behind a tag feature that is off.
            #[allow(unused_imports)]
            use super::models;
            #[allow(unused_imports)]
            use super::runtime;

            #generic
        }
    });
    let builders = api
        .operations
        .iter()
        .enumerate()
        .filter(|(i, _)| ops.contains(i))
        .map(|(_, op)| builder(api, op, &models));
    quote! {
        #head
        #(#builders)*
    }
}

/// Whether `p` is the parameter a paged operation's stream sets to each page's token.
fn is_continuation(op: &Operation, p: &Param) -> bool {
    op.paging
        .as_ref()
        .is_some_and(|paging| paging.continuation_param == p.rust_name)
}

/// The type of a parameter's field: what the method takes for a required one (a required
/// continuation token is owned, so that the stream can set it), an owned `Option` for an
/// optional one.
fn field_type(op: &Operation, p: &Param, models: &TokenStream) -> TokenStream {
    let lifetime = quote!('a);
    match (p.required, is_continuation(op, p)) {
        (true, true) => quote!(::std::string::String),
        (true, false) => arg_type(&p.ty, models, &lifetime),
        (false, _) => {
            let ty = type_tokens(&p.ty, models);
            quote!(::std::option::Option<#ty>)
        }
    }
}

/// The argument type of an optional parameter's setter: strings by `impl Into<String>`, the
/// rest as they are stored.
fn setter_arg(ty: &TypeRef, models: &TokenStream) -> TokenStream {
    match ty {
        TypeRef::String => quote!(impl ::std::convert::Into<::std::string::String>),
        ty => type_tokens(ty, models),
    }
}

/// The setter of an optional parameter: an optional query parameter with a plain-text form
/// writes its pairs into the builder's query list, others set their field. Its docs link to
/// the method's, which describe the parameter.
fn setter(api: &Api, op: &Operation, p: &Param, models: &TokenStream) -> TokenStream {
    let name = ident(&p.rust_name);
    let place = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    };
    let method = &op.rust_name;
    let docs = doc_attrs(&format!(
        "Sets the {place} parameter {} (see {}).",
        code(&p.wire_name),
        item_link(
            &format!("Client::{method}"),
            &format!("super::client::Client::{method}"),
            method
        ),
    ));
    let arg = setter_arg(&p.ty, models);
    let set = if in_query_list(api, op, p) {
        query_setter_statement(op, p)
    } else {
        let value = match &p.ty {
            TypeRef::String => quote!(value.into()),
            _ => quote!(value),
        };
        quote!(self.__params.#name = ::std::option::Option::Some(#value);)
    };
    quote! {
        #docs
        pub fn #name(mut self, value: #arg) -> Self {
            #set
            self
        }
    }
}

/// Whether the setter of `p` is an entry of the runtime's `query_setters!` (which writes the
/// same setter as [`setter`], its docs included, from one line): an optional query parameter
/// with a plain-text form whose wire name shows as itself in a code span, of an operation whose
/// method is no raw identifier (whose docs would not link to it).
fn in_setters_macro(api: &Api, op: &Operation, p: &Param) -> bool {
    in_query_list(api, op, p)
        && !op.rust_name.starts_with("r#")
        && code(&p.wire_name)
            .strip_prefix('`')
            .and_then(|c| c.strip_suffix('`'))
            == Some(p.wire_name.as_str())
}

/// The runtime's `query_setters!` call of the setters of `params` (see [`in_setters_macro`]):
/// for each, its name, then its place, wire name and the form of its value (none for a string).
fn query_setters(op: &Operation, params: &[&Param], models: &TokenStream) -> TokenStream {
    if params.is_empty() {
        return TokenStream::new();
    }
    let method = &op.rust_name;
    let entries = params.iter().map(|p| {
        let name = ident(&p.rust_name);
        let place = query_place(op, p);
        let wire = &p.wire_name;
        // `String` unqualified (`TYPE_NAMES` keeps it free): `::std::string::String` would be
        // printed glued to the word before it (`each::std::string::String`).
        let item = |item: &TypeRef| match item {
            TypeRef::String => quote!(String),
            item => type_tokens(item, models),
        };
        let kind = match (&p.ty, p.style.separator()) {
            (TypeRef::String, _) => return quote!(#name(#place, #wire)),
            (TypeRef::DateTime, _) => quote!(date),
            (TypeRef::Vec(ty), Some(separator)) => {
                let item = item(ty);
                quote!(joined #separator #item)
            }
            (TypeRef::Vec(ty), None) => {
                let item = item(ty);
                quote!(each #item)
            }
            (ty, _) => type_tokens(ty, models),
        };
        quote!(#name(#place, #wire, #kind))
    });
    quote!(runtime::query_setters!(#method; #(#entries),*);)
}

/// What a successful `send` gives: a stream of events, or the success type.
fn ok_type(op: &Operation, models: &TokenStream, error_ty: &TokenStream) -> TokenStream {
    match super::event_stream(&op.success) {
        Some((item, _)) => {
            let item = type_tokens(item, models);
            quote!(runtime::EventStream<#item, #error_ty>)
        }
        None => super::success_type(&op.success, models),
    }
}

/// The statement that takes a builder `receiver` apart: the client, the options, the query
/// list (unused when the operation has no query pairs) and the fields of the parameters
/// struct `params` (a required continuation token borrowed again as `&str`).
fn destructure(
    api: &Api,
    op: &Operation,
    params: &proc_macro2::Ident,
    receiver: &TokenStream,
) -> TokenStream {
    let query = query_binding(api, op);
    let fields = own_fields(api, op);
    let owned_continuation = owned_continuation(op);
    if fields.is_empty() {
        return quote! {
            let Builder { __client, __options, #query, __params: _ } = #receiver;
        };
    }
    quote! {
        let Builder { __client, __options, #query, __params } = #receiver;
        let #params { #(#fields)* } = __params;
        #owned_continuation
    }
}

/// The fields of an operation's parameters struct, each followed by a comma: its parameters
/// that the query list does not hold, then its body.
fn own_fields(api: &Api, op: &Operation) -> Vec<TokenStream> {
    op.params
        .iter()
        .filter(|p| !in_query_list(api, op, p))
        .map(|p| {
            let name = ident(&p.rust_name);
            quote!(#name,)
        })
        .chain(op.body.as_ref().map(|_| quote!(body,)))
        .collect()
}

/// A required continuation token (owned, see [`field_type`]) borrowed again as `&str`, as
/// the request's statements take it.
fn owned_continuation(op: &Operation) -> Option<TokenStream> {
    op.params
        .iter()
        .find(|p| p.required && is_continuation(op, p))
        .map(|p| {
            let name = ident(&p.rust_name);
            quote!(let #name = #name.as_str();)
        })
}

/// The request builder of one operation (and its stream builder, when paged): an alias of the
/// module's generic `Builder` ([`generic_builder`]) over a struct of the operation's parameters
/// (named after the builder with two underscores, which no generated name starts with), whose
/// `Operation` impl is `send`, with the setters in an `impl` block of that `Builder`.
fn builder(api: &Api, op: &Operation, models: &TokenStream) -> TokenStream {
    let name = ident(&op.builder);
    let params = ident(&format!("__{}", op.builder));
    let method = &op.rust_name;
    let cfg = super::features::operation_cfg(api, op);
    let lifetime = quote!('a);
    let fields: Vec<TokenStream> = op
        .params
        .iter()
        .filter(|p| !in_query_list(api, op, p))
        .map(|p| {
            let field = ident(&p.rust_name);
            let ty = field_type(op, p, models);
            quote!(pub(super) #field: #ty,)
        })
        .chain(op.body.as_ref().map(|b| {
            let arg = body_field(b, models, &lifetime);
            quote!(pub(super) #arg)
        }))
        .collect();
    // The parameters' struct has the lifetime only when a field borrows.
    let generics = params_borrow(api, op).then(|| quote!(<'a>));
    let params_ty = quote!(#params #generics);
    // A unit struct when the operation has no parameters of its own.
    let params_fields = if fields.is_empty() {
        quote!(;)
    } else {
        quote!({ #(#fields)* })
    };
    let (listed, setters): (Vec<&Param>, Vec<&Param>) = op
        .params
        .iter()
        .filter(|p| !p.required)
        .partition(|p| in_setters_macro(api, op, p));
    let setters: Vec<TokenStream> = setters
        .into_iter()
        .map(|p| setter(api, op, p, models))
        .collect();
    let listed = query_setters(op, &listed, models);
    let error_ty = type_tokens(&op.error_type, models);
    let ok_ty = ok_type(op, models, &error_ty);
    let operation_impl = operation_impl(api, op, models, &cfg, [&ok_ty, &error_ty]);
    let docs = doc_attrs(&format!(
        "The request of {} (operationId {}): set its optional parameters and per-call \
         options, then `.await` it.",
        item_link(
            &format!("Client::{method}"),
            &format!("super::client::Client::{method}"),
            method
        ),
        code(&op.operation_id)
    ));
    let params_docs = doc_attrs(&format!("The parameters of [`{}`].", op.builder));
    let stream = stream_builder(op, models, &cfg, &error_ty);
    let streaming = streaming_method(api, op, models, &params);
    let methods = (!setters.is_empty() || !listed.is_empty() || !streaming.is_empty()).then(|| {
        quote! {
            #cfg
            impl<'a> Builder<'a, #params_ty> {
                #(#setters)*

                #listed

                #streaming
            }
        }
    });
    // A paged operation's stream clones the page request for every page.
    let derive_clone = op.paging.is_some().then(|| quote!(#[derive(Clone)]));
    quote! {
        #docs
        #cfg
        pub type #name<'a> = Builder<'a, #params_ty>;

        #params_docs
        #[doc(hidden)]
        #cfg
        #derive_clone
        pub struct #params_ty #params_fields

        #methods

        #operation_impl

        #stream
    }
}

/// How the builder of `op` (under `cfg`, with the success and error types `types`) is sent:
/// its parameters' `runtime::Prepare` impl when it has one ([`prepare_method`]), else its
/// `Operation` impl ([`send_method`]).
fn operation_impl(
    api: &Api,
    op: &Operation,
    models: &TokenStream,
    cfg: &TokenStream,
    [ok_ty, error_ty]: [&TokenStream; 2],
) -> TokenStream {
    let name = ident(&op.builder);
    let params = ident(&format!("__{}", op.builder));
    if let Some(prepare) = prepare_method(api, op, models, &params) {
        let generics = params_borrow(api, op).then(|| quote!(<'a>));
        return quote! {
            #cfg
            impl #generics runtime::Prepare for #params #generics {
                type Ok = #ok_ty;
                type Err = #error_ty;

                #prepare
            }
        };
    }
    let send = send_method(api, op, models, &params);
    quote! {
        #cfg
        impl<'a> Operation<'a> for #name<'a> {
            type Ok = #ok_ty;
            type Err = #error_ty;

            #send
        }
    }
}

/// Whether the parameters struct of `op` has the lifetime `'a`: whether one of its fields
/// borrows.
fn params_borrow(api: &Api, op: &Operation) -> bool {
    op.params
        .iter()
        .filter(|p| !in_query_list(api, op, p))
        .any(|p| p.required && !is_continuation(op, p) && arg_borrows(&p.ty))
        || op.body.as_ref().is_some_and(body_borrows)
}

/// The generic request builder every operation's builder is an alias of (written once, in the
/// module's first part): the client, the per-call options and their setters (one copy for
/// every operation), the query pairs, and the parameters `P`, whose `Operation` impl sends the
/// request; `send` and `IntoFuture` are written once, for every `P`.
fn generic_builder(api: &Api) -> TokenStream {
    let prepared = api
        .operations
        .iter()
        .any(|op| prepared_json(api, op).is_some())
        .then(|| {
            quote! {
                /// `send` of every operation whose request is built in one call and whose
                /// success is one JSON body or none: its parameters prepare the request
                /// (`runtime::Prepare`), which the runtime sends.
                impl<'a, P: runtime::Prepare> Operation<'a> for Builder<'a, P>
                where
                    P::Ok: runtime::serde::de::DeserializeOwned + Send + 'a,
                    P::Err: Send + 'a,
                {
                    type Ok = P::Ok;
                    type Err = P::Err;

                    fn send(self) -> runtime::CallFuture<'a, Self::Ok, Self::Err> {
                        let Builder { __client, __options, __query, __params } = self;
                        __client.core.send_prepared(__params.prepare(&__client.core, __query), __options)
                    }
                }
            }
        });
    quote! {
        /// A request builder: the client, the per-call options, the query pairs the setters
        /// wrote and the other parameters of the operation (`P`). Each operation's builder is
        /// an alias of it (`requests::ListPets`, say), with the operation's setters; `.await` it
        /// (or call `send`) to send the request.
        #[must_use = "a request is sent when it is awaited"]
        #[derive(Clone)]
        pub struct Builder<'a, P> {
            pub(super) __client: &'a super::client::Client,
            pub(super) __options: runtime::CallOptions,
            pub(super) __query: runtime::QueryPairs,
            pub(super) __params: P,
        }

        impl<'a, P> Builder<'a, P> {
            /// A request of `params`, with no per-call options and no query pairs yet.
            #[allow(dead_code)]
            pub(super) fn __new(client: &'a super::client::Client, params: P) -> Self {
                Self {
                    __client: client,
                    __options: runtime::CallOptions::new(),
                    __query: runtime::QueryPairs::new(),
                    __params: params,
                }
            }

            runtime::call_options!(__options);
        }

        /// What sends a request: implemented by each operation's builder.
        pub trait Operation<'a> {
            /// What a successful call gives.
            type Ok;
            /// The type of the operation's error bodies.
            type Err;

            /// Sends the request (see [`Builder::send`]).
            fn send(self) -> runtime::CallFuture<'a, Self::Ok, Self::Err>;
        }

        impl<'a, P> Builder<'a, P>
        where
            Self: Operation<'a>,
        {
            /// Sends the request, retrying as the retry policy allows: what `.await` does.
            pub fn send(self) -> runtime::CallFuture<'a, <Self as Operation<'a>>::Ok, <Self as Operation<'a>>::Err> {
                Operation::send(self)
            }
        }

        impl<'a, P> ::std::future::IntoFuture for Builder<'a, P>
        where
            Self: Operation<'a>,
        {
            type Output = ::std::result::Result<<Self as Operation<'a>>::Ok, runtime::Error<<Self as Operation<'a>>::Err>>;
            type IntoFuture = runtime::CallFuture<'a, <Self as Operation<'a>>::Ok, <Self as Operation<'a>>::Err>;

            fn into_future(self) -> Self::IntoFuture {
                Operation::send(self)
            }
        }

        #prepared
    }
}

/// Whether the operation's parameters implement `runtime::Prepare` (its request is built in
/// one call, see [`builds_in_one_call`], and its success is one status set with a JSON body or
/// none): `Some(true)` for a JSON body, `Some(false)` for none; `None` for other operations.
fn prepared_json(api: &Api, op: &Operation) -> Option<bool> {
    let Success::Single { body, .. } = &op.success else {
        return None;
    };
    let json = match body.as_ref().map(|b| b.encoding) {
        None => false,
        Some(BodyEncoding::Json) => true,
        Some(_) => return None,
    };
    builds_in_one_call(api, op).then_some(json)
}

/// `prepare` of an operation whose parameters implement `runtime::Prepare` (see
/// [`prepared_json`]): the request built in one runtime call, with the operation's constant
/// parts as a `'static` literal; `None` for other operations, which have a `send` of their own
/// ([`send_method`]). Less for the user's compiler to check than a `send` per operation.
fn prepare_method(
    api: &Api,
    op: &Operation,
    models: &TokenStream,
    params: &proc_macro2::Ident,
) -> Option<TokenStream> {
    let json = prepared_json(api, op)?;
    let call = one_call_request(api, op, &quote!(__core))?;
    let (_, statuses, decoder, _) = runtime_send(api, op, models, "")?;
    let fields = own_fields(api, op);
    let destructure = (!fields.is_empty()).then(|| quote!(let #params { #(#fields)* } = self;));
    let owned_continuation = owned_continuation(op);
    let op_id = &op.operation_id;
    let idempotent = op.idempotent;
    let security = super::security::requirements(op);
    Some(quote! {
        fn prepare(self, __core: &runtime::ClientCore, __query: runtime::QueryPairs) -> runtime::Prepared<Self::Err> {
            #destructure
            #owned_continuation
            runtime::Prepared {
                request: #call,
                spec: &runtime::OperationSpec {
                    id: #op_id,
                    idempotent: #idempotent,
                    security: #security,
                    statuses: #statuses,
                    decode: #decoder,
                    json: #json,
                },
            }
        }
    })
}

/// `send` of the operation's `Operation` impl: in the common case (one success status, a JSON
/// body or none) the request is built here and handed to one boxed runtime future, so that no
/// future of this operation's own has to be proven `Send` (what `.await` needs of a boxed
/// future, and what costs users' compilers most in a large API); other operations (success
/// headers, several statuses, a body that is not JSON) likewise, with the runtime's
/// `send_decoded_boxed` and a closure that makes the success value of the received response.
fn send_method(
    api: &Api,
    op: &Operation,
    models: &TokenStream,
    params: &proc_macro2::Ident,
) -> TokenStream {
    let signature = quote!(fn send(self) -> runtime::CallFuture<'a, Self::Ok, Self::Err>);
    if let Success::Single { body: Some(b), .. } = &op.success {
        if b.encoding == BodyEncoding::Bytes {
            // The request is built once, in `send_streaming`; `send` collects its stream.
            return quote! {
                #signature {
                    runtime::collect_boxed(self.send_streaming())
                }
            };
        }
    }
    let destructure = destructure(api, op, params, &quote!(self));
    let op_id = &op.operation_id;
    let idempotent = op.idempotent;
    let security = super::security::requirements(op);
    match runtime_send(api, op, models, "_boxed") {
        Some((call, statuses, decoder, more)) => {
            let build = build_statements(api, op);
            quote! {
                #signature {
                    #destructure
                    #build
                    runtime::send!(__client.#call(request, __options, #op_id, #idempotent, #security, #statuses, #decoder #more))
                }
            }
        }
        None => {
            let build = build_statements(api, op);
            let (statuses, read_body, decode) = decoded(op, models);
            let decoder = decoder(api, op, models);
            quote! {
                #signature {
                    #destructure
                    #build
                    let decode: runtime::Decode<Self::Ok, Self::Err> = #decode;
                    runtime::send!(__client.send_decoded_boxed(request, __options, #op_id, #idempotent, #security, #statuses, #decoder, #read_body, decode))
                }
            }
        }
    }
}

/// `send_streaming`, for an operation with one binary success response (with or without
/// documented headers): the request built as `send` builds it and handed to the runtime's
/// boxed `send_streaming`, which checks the status (an error status is the typed error) and
/// returns the body unread, as a `runtime::ByteStream`. Multi-status operations have none
/// (their bodies are read whole, by `send`).
fn streaming_method(
    api: &Api,
    op: &Operation,
    models: &TokenStream,
    params: &proc_macro2::Ident,
) -> TokenStream {
    let (Success::Single { statuses, body } | Success::WithHeaders { statuses, body, .. }) =
        &op.success
    else {
        return TokenStream::new();
    };
    if !body
        .as_ref()
        .is_some_and(|b| b.encoding == BodyEncoding::Bytes)
    {
        return TokenStream::new();
    }
    let error_ty = type_tokens(&op.error_type, models);
    let statuses = SuccessStatus::exact_codes(statuses)
        .unwrap_or_default()
        .into_iter()
        .map(proc_macro2::Literal::u16_unsuffixed);
    let decoder = decoder(api, op, models);
    let destructure = destructure(api, op, params, &quote!(self));
    let build = build_statements(api, op);
    let op_id = &op.operation_id;
    let idempotent = op.idempotent;
    let security = super::security::requirements(op);
    quote! {
        /// Sends the request like `send`, and returns the binary body unread, as a stream of
        /// chunks (`runtime::ByteStream`: also its length, type and headers), which the
        /// client's response size limit does not bound. An error status is the call's
        /// error, as with `send`.
        pub fn send_streaming(self) -> runtime::BoxFuture<'a, ::std::result::Result<runtime::ByteStream<#error_ty>, runtime::Error<#error_ty>>> {
            #destructure
            #build
            runtime::send!(__client.send_streaming(request, __options, #op_id, #idempotent, #security, &[#(#statuses),*], #decoder))
        }
    }
}

/// `let request = 'build: { … }`: the request built in order (path, query, headers and
/// cookies, body), or the first error (`runtime::tri!` breaks out of the block with it).
fn build_statements(api: &Api, op: &Operation) -> TokenStream {
    if let Some(call) = one_call_request(api, op, &quote!(__client.core)) {
        let error_ty = type_tokens(&op.error_type, &quote!(models::));
        return quote!(let request: runtime::BuiltRequest<#error_ty> = #call;);
    }
    let segments = path_segments(api, op);
    let trailing_slash = trailing_slash(op);
    let query = query_statements(api, op);
    let headers = header_statements(api, op);
    let cookies = cookie_statements(api, op);
    let body = op.body.as_ref().map(body_statement);
    let method = ident(op.method.as_str());
    let url = tri(
        quote!(__client.core.url(&[#(#segments),*])),
        &TokenStream::new(),
    );
    let error_ty = type_tokens(&op.error_type, &quote!(models::));
    // `mut` only where a statement changes the value, and no `request` variable where none
    // changes it: fewer lines, and no `#[allow(unused_mut)]`.
    let url_mut = (!trailing_slash.is_empty() || !query.is_empty()).then(|| quote!(mut));
    let new_request =
        quote!(runtime::reqwest::Request::new(runtime::reqwest::Method::#method, url));
    let request = if headers.is_empty() && cookies.is_empty() && body.is_none() {
        quote!(Ok(#new_request))
    } else {
        quote! {
            let mut request = #new_request;
            #headers
            #cookies
            #body
            Ok(request)
        }
    };
    quote! {
        let request: runtime::BuiltRequest<#error_ty> = 'build: {
            let #url_mut url = #url;
            #trailing_slash
            #query
            #request
        };
    }
}

/// Whether `op` is the common case of [`build_statements`] that [`one_call_request`] writes
/// as one runtime call: an operation whose query, if any, is the pairs its setters wrote (no
/// client-wide query parameter, no `deepObject`, no required query parameter), with no header
/// or cookie parameter, no path parameter written as JSON text, and a required JSON body or
/// none.
fn builds_in_one_call(api: &Api, op: &Operation) -> bool {
    api.client_params.is_empty()
        && op
            .body
            .as_ref()
            .is_none_or(|b| b.required && b.encoding == BodyEncoding::Json)
        && op.params.iter().all(|p| match p.location {
            ParamLocation::Query => in_query_list(api, op, p),
            // A path parameter written as JSON text may fail, which only the block can
            // carry.
            ParamLocation::Path => {
                matches!(p.ty, TypeRef::String | TypeRef::DateTime)
                    || super::models::is_plain(&p.ty, api)
            }
            ParamLocation::Header | ParamLocation::Cookie => false,
        })
}

/// The request of an operation that [`builds_in_one_call`], as one runtime call on `core`
/// (`core.request`, or `core.json_request` with its body); `None` for other operations. (One
/// call has less for the user's compiler to check than the statements.)
fn one_call_request(api: &Api, op: &Operation, core: &TokenStream) -> Option<TokenStream> {
    if !builds_in_one_call(api, op) {
        return None;
    }
    let segments = path_segments(api, op);
    let slash = has_trailing_slash(op);
    let method = ident(op.method.as_str());
    let method = quote!(runtime::reqwest::Method::#method);
    let query = if op.params.iter().any(|p| p.location == ParamLocation::Query) {
        quote!(__query)
    } else {
        quote!(runtime::QueryPairs::new())
    };
    Some(match &op.body {
        Some(b) => {
            let content_type = &b.content_type;
            quote!(#core.json_request(#method, &[#(#segments),*], #slash, #query, #content_type, body))
        }
        None => quote!(#core.request(#method, &[#(#segments),*], #slash, #query)),
    })
}

/// The stream builder of a paged operation: the first page's request, whose setters it
/// repeats (but the continuation token's), and, once polled, the stream of every item.
fn stream_builder(
    op: &Operation,
    models: &TokenStream,
    cfg: &TokenStream,
    error_ty: &TokenStream,
) -> TokenStream {
    let Some(paging) = &op.paging else {
        return TokenStream::new();
    };
    let name = ident(&paging.stream_builder);
    let page_builder = ident(&op.builder);
    let method = &paging.stream_name;
    let item = type_tokens(&paging.item, models);
    let item_result = quote!(::std::result::Result<#item, runtime::Error<#error_ty>>);
    let setters = stream_setters(op, &paging.continuation_param, models);
    let continuation = ident(&paging.continuation_param);
    let token = if op
        .params
        .iter()
        .any(|p| p.required && p.rust_name == paging.continuation_param)
    {
        quote!(continuation.unwrap_or_default())
    } else {
        quote!(continuation)
    };
    let field = ident(&paging.continuation_field);
    let docs = doc_attrs(&format!(
        "Every item of {}, page after page (operationId {}): set its optional parameters and \
         per-call options, then iterate it (it is a `Stream`). Setters called after the first \
         poll change nothing.",
        item_link(
            &format!("Client::{method}"),
            &format!("super::client::Client::{method}"),
            method
        ),
        code(&op.operation_id)
    ));
    quote! {
        #docs
        #cfg
        #[must_use = "streams do nothing unless polled"]
        pub struct #name<'a> {
            pub(super) request: #page_builder<'a>,
            pub(super) stream: ::std::option::Option<runtime::BoxStream<'a, #item_result>>,
        }

        #cfg
        impl<'a> #name<'a> {
            #(#setters)*

            runtime::call_options!(request.__options);
        }

        #cfg
        impl<'a> runtime::futures::Stream for #name<'a> {
            type Item = #item_result;

            fn poll_next(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::option::Option<Self::Item>> {
                let this = ::std::pin::Pin::into_inner(self);
                let request = &this.request;
                runtime::poll_paged(&mut this.stream, || {
                    let request = request.clone();
                    ::std::boxed::Box::pin(runtime::paginate(
                        ::std::option::Option::None,
                        move |continuation: ::std::option::Option<::std::string::String>| {
                            let mut page = request.clone();
                            page.__params.#continuation = #token;
                            async move {
                                let page = page.send().await?;
                                Ok(runtime::Page { items: page.body, continuation: page.#field })
                            }
                        },
                    ))
                }, cx)
            }
        }
    }
}

/// The setters of a paged operation's stream builder: the page request's, but the
/// continuation token's, each passing its value on.
fn stream_setters<'o>(
    op: &'o Operation,
    continuation: &'o str,
    models: &'o TokenStream,
) -> impl Iterator<Item = TokenStream> + 'o {
    op.params
        .iter()
        .filter(move |p| !p.required && p.rust_name != continuation)
        .map(move |p| {
            let setter = ident(&p.rust_name);
            let arg = setter_arg(&p.ty, models);
            let bare = p.rust_name.trim_start_matches("r#");
            let docs = doc_attrs(&format!(
                "Sets the parameter {} of every page's request (see {}).",
                code(&p.wire_name),
                item_link(
                    &format!("{}::{bare}", op.builder),
                    &format!("{}::{bare}", op.builder),
                    &p.rust_name
                ),
            ));
            quote! {
                #docs
                pub fn #setter(mut self, value: #arg) -> Self {
                    self.request = self.request.#setter(value);
                    self
                }
            }
        })
}
