//! `requests.rs`: one request builder per operation, which the client's method returns: the
//! required arguments given to the method, setters for the optional parameters and the
//! per-call options, and `send` (what `.await` does, through `IntoFuture`). A paged
//! operation also gets a stream builder, which is the `Stream` of every item.

use super::client::{
    arg_type, body_field, body_statement, cookie_statements, decoder, header_statements,
    in_query_list, path_segments, query_binding, query_place, query_setter_statement,
    query_statements, runtime_send, send, trailing_slash, tri,
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
        quote!(self.#name = ::std::option::Option::Some(#value);)
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

/// What `send` takes out of the builder besides the client, options and body: the query
/// list, and the fields of parameters.
fn bindings(api: &Api, op: &Operation) -> Vec<TokenStream> {
    let fields = op
        .params
        .iter()
        .filter(|p| !in_query_list(api, op, p))
        .map(|p| {
            let name = ident(&p.rust_name);
            quote!(#name)
        });
    std::iter::once(query_binding(api, op))
        .chain(fields)
        .collect()
}

/// The request builder of one operation (and its stream builder, when paged).
fn builder(api: &Api, op: &Operation, models: &TokenStream) -> TokenStream {
    let name = ident(&op.builder);
    let method = &op.rust_name;
    let cfg = super::features::operation_cfg(api, op);
    let lifetime = quote!('a);
    let fields = op.params.iter().filter(|p| !in_query_list(api, op, p));
    let fields = fields.map(|p| {
        let field = ident(&p.rust_name);
        let ty = field_type(op, p, models);
        quote!(pub(super) #field: #ty,)
    });
    let body_decl = op.body.as_ref().map(|b| {
        let arg = body_field(b, models, &lifetime);
        quote!(pub(super) #arg)
    });
    let names = bindings(api, op);
    let body_name = op.body.as_ref().map(|_| quote!(body,));
    let owned_continuation = op
        .params
        .iter()
        .find(|p| p.required && is_continuation(op, p))
        .map(|p| {
            let name = ident(&p.rust_name);
            quote!(let #name = #name.as_str();)
        });
    let (listed, setters): (Vec<&Param>, Vec<&Param>) = op
        .params
        .iter()
        .filter(|p| !p.required)
        .partition(|p| in_setters_macro(api, op, p));
    let setters = setters.into_iter().map(|p| setter(api, op, p, models));
    let listed = query_setters(op, &listed, models);
    let error_ty = type_tokens(&op.error_type, models);
    let ok_ty = ok_type(op, models, &error_ty);
    let output = quote!(::std::result::Result<#ok_ty, runtime::Error<#error_ty>>);
    let call_future = quote!(runtime::CallFuture<'a, #ok_ty, #error_ty>);
    let (send, boxed) = send_method(
        api,
        op,
        models,
        (&output, &call_future),
        &owned_continuation,
        &names,
        &body_name,
    );
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
    let stream = stream_builder(op, models, &cfg, &error_ty);
    let streaming = streaming_method(api, op, models, &owned_continuation, &names, &body_name);
    // A paged operation's stream clones the page request for every page.
    let derive_clone = op.paging.is_some().then(|| quote!(#[derive(Clone)]));
    let not_boxed = (!boxed).then(|| quote!(, async));
    quote! {
        #docs
        #cfg
        #[must_use = "a request is sent when it is awaited"]
        #derive_clone
        pub struct #name<'a> {
            pub(super) __client: &'a super::client::Client,
            pub(super) __options: runtime::CallOptions,
            pub(super) __query: runtime::QueryPairs,
            #(#fields)*
            #body_decl
        }

        #cfg
        impl<'a> #name<'a> {
            #(#setters)*

            #listed

            runtime::call_options!(__options);

            #send

            #streaming
        }

        #cfg
        runtime::into_future!(#name, #ok_ty, #error_ty #not_boxed);

        #stream
    }
}

/// `send`: in the common case (one success status, a JSON body or none) the request is built
/// here and handed to one boxed runtime future, so that no future of this operation's own has
/// to be proven `Send` (what `.await` needs of a boxed future, and what costs users' compilers
/// most in a large API); otherwise an `async fn` that builds, sends and decodes. Also says
/// whether `send` returns the boxed future already.
fn send_method(
    api: &Api,
    op: &Operation,
    models: &TokenStream,
    (output, call_future): (&TokenStream, &TokenStream),
    owned_continuation: &Option<TokenStream>,
    names: &[TokenStream],
    body_name: &Option<TokenStream>,
) -> (TokenStream, bool) {
    let docs = quote! {
        /// Sends the request, retrying as the retry policy allows: what `.await` does.
    };
    let destructure = quote! {
        let Self { __client, __options, #(#names,)* #body_name } = self;
        #owned_continuation
    };
    let op_id = &op.operation_id;
    let idempotent = op.idempotent;
    if let Success::Single { body: Some(b), .. } = &op.success {
        if b.encoding == BodyEncoding::Bytes {
            // The request is built once, in `send_streaming`; `send` collects its stream.
            let send = quote! {
                #docs
                pub fn send(self) -> #call_future {
                    runtime::collect_boxed(self.send_streaming())
                }
            };
            return (send, true);
        }
    }
    let security = super::security::requirements(op);
    match runtime_send(api, op, models, "_boxed") {
        Some((call, statuses, decoder, more)) => {
            let build = build_statements(api, op);
            let send = quote! {
                #docs
                pub fn send(self) -> #call_future {
                    #destructure
                    #build
                    __client.core.#call(
                        runtime::OperationInfo { id: #op_id, idempotent: #idempotent, security: #security },
                        request,
                        __options,
                        #statuses,
                        #decoder,
                        #more
                    )
                }
            };
            (send, true)
        }
        None => {
            let request = request_statements(api, op, models);
            let send = quote! {
                #docs
                pub async fn send(self) -> #output {
                    #destructure
                    #request
                }
            };
            (send, false)
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
    owned_continuation: &Option<TokenStream>,
    names: &[TokenStream],
    body_name: &Option<TokenStream>,
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
            let Self { __client, __options, #(#names,)* #body_name } = self;
            #owned_continuation
            #build
            __client.core.send_streaming(
                runtime::OperationInfo { id: #op_id, idempotent: #idempotent, security: #security },
                request,
                __options,
                &[#(#statuses),*],
                #decoder,
            )
        }
    }
}

/// `let request = 'build: { … }`: the request built in order (path, query, headers and
/// cookies, body), or the first error (`runtime::tri!` breaks out of the block with it).
fn build_statements(api: &Api, op: &Operation) -> TokenStream {
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

/// The request built ([`build_statements`]), then sent and decoded by its status.
fn request_statements(api: &Api, op: &Operation, models: &TokenStream) -> TokenStream {
    let build = build_statements(api, op);
    let op_id = &op.operation_id;
    let idempotent = op.idempotent;
    let security = super::security::requirements(op);
    let send = send(api, op, models);
    quote! {
        #build
        let request = request?;
        let operation = runtime::OperationInfo { id: #op_id, idempotent: #idempotent, security: #security };
        #send
    }
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
                            page.#continuation = #token;
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
