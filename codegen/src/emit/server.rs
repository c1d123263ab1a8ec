//! `server.rs` (behind the crate's `server` feature): a trait with one async method per
//! operation and an axum router that decodes and validates requests, calls the trait and
//! encodes its answers. Client and server share the models, so neither can drift from the
//! document.

use super::docs::{code, doc_attrs, sanitize};
use super::models::is_plain;
use super::{ident, type_tokens};
use crate::ir::{
    Api, BodyEncoding, Method, Operation, Param, ParamLocation, QueryStyle, RequestBody,
    ResponseBody, Success, SuccessStatus, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

/// One input of a server method.
struct Input {
    name: proc_macro2::Ident,
    ty: TokenStream,
    read: TokenStream,
}

pub fn server_rs(api: &Api) -> TokenStream {
    let models = quote!(models::);
    let methods = api
        .operations
        .iter()
        .map(|op| trait_method(api, op, &models));
    let handlers = api
        .operations
        .iter()
        .filter(|op| op.route.is_some())
        .map(|op| handler(api, op, &models));
    let routes = routes(api);
    // With features per tag, a set of features may compile no operation that returns a
    // `ServerError`.
    let allow_unused = api.gates.any().then(|| quote!(#[allow(unused_imports)]));
    let trait_docs = doc_attrs(&format!(
        "The {} as a service: implement one method per operation and serve [`router`].\n\n\
         Inputs arrive decoded and checked against the document; a request that does not \
         match is answered by [`Api::reject`] without calling the operation.",
        sanitize(&api.title)
    ));
    quote! {
        //! The server side: the [`Api`] trait and the axum [`router`] that serves it.
        #![allow(deprecated)]

        // Each handler reads its inputs in one closure so that `?` can stop at the first
        // rejection.
        #![allow(clippy::redundant_closure_call)]

        #[allow(unused_imports)]
        use super::models;
        #[allow(unused_imports)]
        use super::runtime;
        use super::server_runtime;
        #allow_unused
        use server_runtime::{Rejection, RequestContext, ServerError};

        #trait_docs
        pub trait Api: Send + Sync + 'static {
            #(#methods)*

            /// Answers a request whose inputs do not match the document (by default: 400 with
            /// the message as text).
            fn reject(&self, context: &RequestContext, rejection: Rejection) -> runtime::axum::response::Response {
                let _ = context;
                server_runtime::bad_request(&rejection)
            }
        }

        /// The router: every operation of the document at its path and method, served by `api`.
        pub fn router<A: Api>(api: ::std::sync::Arc<A>) -> runtime::axum::Router {
            let router = runtime::axum::Router::new();
            #routes
            router.with_state(api)
        }


        #(#handlers)*
    }
}

/// One `route` statement per operation (axum merges the methods of one path).
fn routes(api: &Api) -> TokenStream {
    let routes = api.operations.iter().filter_map(|op| {
        let path = op.route.as_deref()?;
        let handler = handler_name(op);
        let method = match op.method {
            Method::Get => quote!(get),
            Method::Put => quote!(put),
            Method::Post => quote!(post),
            Method::Delete => quote!(delete),
            Method::Options => quote!(options),
            Method::Head => quote!(head),
            Method::Patch => quote!(patch),
            Method::Trace => quote!(trace),
        };
        let cfg = super::features::operation_cfg(api, op);
        Some(
            quote!(#cfg let router = router.route(#path, runtime::axum::routing::#method(#handler::<A>));),
        )
    });
    quote!(#(#routes)*)
}

fn handler_name(op: &Operation) -> proc_macro2::Ident {
    ident(&format!("handle_{}", op.rust_name.trim_start_matches("r#")))
}

/// An expression reading a parameter of type `ty` from `source` (`FromText` for plain types,
/// JSON text otherwise); `?`-propagates a `Rejection`.
fn read_param(
    api: &Api,
    ty: &TypeRef,
    required: bool,
    read: impl Fn(&TokenStream) -> TokenStream,
    models: &TokenStream,
) -> TokenStream {
    let (reader_ty, unwrap) = if is_plain(ty, api) || matches!(ty, TypeRef::DateTime) {
        (type_tokens(ty, models), TokenStream::new())
    } else {
        let inner = type_tokens(ty, models);
        (
            quote!(server_runtime::Json<#inner>),
            if required {
                quote!(.0)
            } else {
                quote!(.map(|json| json.0))
            },
        )
    };
    let call = read(&reader_ty);
    quote!(#call? #unwrap)
}

/// The inputs of an operation's server method, each with the expression that reads it: path
/// parameters, the client's parameters, query, header and cookie parameters, then the body.
fn inputs(api: &Api, op: &Operation, models: &TokenStream) -> Vec<Input> {
    let mut inputs: Vec<Input> = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .map(|p| path_input(api, p, models))
        .collect();
    inputs.extend(api.client_params.iter().map(|p| {
        let wire = &p.wire_name;
        Input {
            name: ident(&p.rust_name),
            ty: quote!(::std::string::String),
            read: quote!(query.required::<::std::string::String>(#wire)?),
        }
    }));
    for p in &op.params {
        let read = match p.location {
            ParamLocation::Path => continue,
            ParamLocation::Query => query_read(api, p, models),
            ParamLocation::Header => header_read(api, p, models),
            ParamLocation::Cookie => cookie_read(api, p, models),
        };
        let ty = type_tokens(&p.ty, models);
        let ty = if p.required {
            ty
        } else {
            quote!(::std::option::Option<#ty>)
        };
        inputs.push(Input {
            name: ident(&p.rust_name),
            ty,
            read,
        });
    }
    inputs.extend(op.body.as_ref().map(|body| body_input(body, models)));
    inputs
}

/// `read` (an `Option`) with a missing value rejected when the input is required.
fn reject_missing(read: TokenStream, required: bool, wire: &str) -> TokenStream {
    if required {
        quote!(#read.ok_or_else(|| server_runtime::Rejection::missing(#wire))?)
    } else {
        read
    }
}

/// A path parameter (always required).
fn path_input(api: &Api, p: &Param, models: &TokenStream) -> Input {
    let wire = &p.wire_name;
    Input {
        name: ident(&p.rust_name),
        ty: type_tokens(&p.ty, models),
        read: read_param(
            api,
            &p.ty,
            true,
            |t| quote!(server_runtime::path_param::<#t>(&path, #wire)),
            models,
        ),
    }
}

/// A query parameter: a `deepObject`, a list in one value (its style's separator) or in
/// repeated pairs, or one value.
fn query_read(api: &Api, p: &Param, models: &TokenStream) -> TokenStream {
    let wire = &p.wire_name;
    if p.style == QueryStyle::DeepObject {
        let inner = type_tokens(&p.ty, models);
        return reject_missing(
            quote!(query.deep_object::<#inner>(#wire)?),
            p.required,
            wire,
        );
    }
    if let TypeRef::Vec(item) = &p.ty {
        if is_plain(item, api) {
            let item_ty = type_tokens(item, models);
            let read = match p.style.separator() {
                Some(separator) => quote!(query.delimited::<#item_ty>(#wire, #separator)?),
                None => quote!(query.list::<#item_ty>(#wire)?),
            };
            return reject_missing(read, p.required, wire);
        }
    }
    read_param(
        api,
        &p.ty,
        p.required,
        |t| {
            if p.required {
                quote!(query.required::<#t>(#wire))
            } else {
                quote!(query.optional::<#t>(#wire))
            }
        },
        models,
    )
}

/// A header parameter.
fn header_read(api: &Api, p: &Param, models: &TokenStream) -> TokenStream {
    let wire = &p.wire_name;
    read_param(
        api,
        &p.ty,
        p.required,
        |t| {
            if p.required {
                quote!(server_runtime::required_header::<#t>(&headers, #wire))
            } else {
                quote!(server_runtime::header_param::<#t>(&headers, #wire))
            }
        },
        models,
    )
}

/// A cookie parameter.
fn cookie_read(api: &Api, p: &Param, models: &TokenStream) -> TokenStream {
    let wire = &p.wire_name;
    let read = read_param(
        api,
        &p.ty,
        false,
        |t| quote!(server_runtime::cookie_param::<#t>(&headers, #wire)),
        models,
    );
    reject_missing(read, p.required, wire)
}

/// The request body, decoded in its encoding.
fn body_input(body: &RequestBody, models: &TokenStream) -> Input {
    let (ty, read) = match body.encoding {
        BodyEncoding::Json
        | BodyEncoding::Form
        | BodyEncoding::Multipart
        | BodyEncoding::Text
        | BodyEncoding::EventStream { .. } => {
            let ty = type_tokens(&body.ty, models);
            let read = match body.encoding {
                BodyEncoding::Form => quote!(server_runtime::form_body::<#ty>(&body)?),
                BodyEncoding::Multipart => {
                    quote!(server_runtime::multipart_body::<#ty>(&body)?)
                }
                // Event streams are responses only.
                BodyEncoding::Text | BodyEncoding::EventStream { .. } => {
                    quote!(server_runtime::text_body(&body)?)
                }
                _ => quote!(server_runtime::json_body::<#ty>(&body)?),
            };
            if body.required {
                (ty, reject_missing(read, true, "body"))
            } else {
                (quote!(::std::option::Option<#ty>), read)
            }
        }
        // A binary body arrives as a stream, read as the implementation polls it.
        BodyEncoding::Bytes => {
            if body.required {
                (
                    quote!(server_runtime::Upload),
                    quote!(server_runtime::Upload::new(body, &headers)),
                )
            } else {
                (
                    quote!(::std::option::Option<server_runtime::Upload>),
                    quote!(server_runtime::Upload::optional(body, &headers)),
                )
            }
        }
    };
    Input {
        name: ident("body"),
        ty,
        read,
    }
}

fn trait_method(api: &Api, op: &Operation, models: &TokenStream) -> TokenStream {
    let name = ident(&op.rust_name);
    let inputs = inputs(api, op, models);
    let args = inputs.iter().map(|i| {
        let (name, ty) = (&i.name, &i.ty);
        quote!(#name: #ty)
    });
    let ok = match super::event_stream(&op.success) {
        Some((item, _)) => {
            let item = type_tokens(item, models);
            quote!(server_runtime::Events<#item>)
        }
        None if streams_download(op) => quote!(server_runtime::Download),
        None => super::success_type(&op.success, models),
    };
    let error = type_tokens(&op.error_type, models);
    let mut text = format!(
        "{} (operationId {}).",
        code(&format!("{} {}", op.method.as_str(), op.path)),
        code(&op.operation_id)
    );
    if let Some(summary) = op.summary.as_ref().or(op.description.as_ref()) {
        text = format!("{}\n\n{text}", sanitize(summary));
    }
    if super::security::server_requirements(api, op).is_some() {
        text.push_str(
            "\n\nThe router answers 401 to a request that satisfies none of the operation's \
             security requirements; `context.authenticated` says which scheme (and value) \
             the request carried. Checking the value is up to the implementation.",
        );
    }
    if op.route.is_none() {
        text.push_str(
            "\n\nNot routed: a path segment mixes text and parameters, which axum cannot match.",
        );
    }
    let docs = doc_attrs(&text);
    let cfg = super::features::operation_cfg(api, op);
    // Before the docs, where the output has always had it.
    quote! {
        #cfg
        #docs
        fn #name(&self, context: &RequestContext, #(#args),*)
            -> impl ::std::future::Future<Output = ::std::result::Result<#ok, ServerError<#error>>> + Send;
    }
}

fn encode_body(status: u16, body: Option<&ResponseBody>, value: &TokenStream) -> TokenStream {
    let status = proc_macro2::Literal::u16_unsuffixed(status);
    match body {
        Some(ResponseBody {
            encoding: BodyEncoding::Json,
            ..
        }) => quote!(server_runtime::json_response(#status, &#value)),
        Some(ResponseBody {
            encoding: BodyEncoding::Form,
            ..
        }) => quote!(server_runtime::form_response(#status, &#value)),
        Some(ResponseBody {
            encoding: BodyEncoding::Text,
            ..
        }) => {
            quote!(server_runtime::bytes_response(#status, "text/plain; charset=utf-8", #value.into_bytes()))
        }
        Some(ResponseBody {
            encoding: BodyEncoding::EventStream { text },
            ..
        }) => {
            let format = super::data_format(*text);
            quote!(server_runtime::event_stream_response(#status, #value, #format))
        }
        Some(ResponseBody {
            encoding: BodyEncoding::Bytes | BodyEncoding::Multipart,
            ..
        }) => {
            quote!(server_runtime::bytes_response(#status, "application/octet-stream", #value))
        }
        None => quote!(server_runtime::empty_response(#status)),
    }
}

/// Whether the operation's one success response is binary: its server method returns a
/// `server_runtime::Download` (bytes, a stream or a file) instead of the client's `Vec<u8>`.
fn streams_download(op: &Operation) -> bool {
    matches!(
        &op.success,
        Success::Single { body: Some(b), .. } if b.encoding == BodyEncoding::Bytes
    )
}

fn encode_success(op: &Operation, models: &TokenStream) -> TokenStream {
    if let Success::Single { statuses, .. } = &op.success {
        if streams_download(op) {
            let status =
                proc_macro2::Literal::u16_unsuffixed(SuccessStatus::to_send(statuses, true));
            return quote!(server_runtime::download_response(#status, "application/octet-stream", value));
        }
    }
    match &op.success {
        Success::Single { statuses, body } => encode_body(
            SuccessStatus::to_send(statuses, body.is_some()),
            body.as_ref(),
            &quote!(value),
        ),
        Success::WithHeaders {
            statuses,
            body,
            headers,
            ..
        } => {
            let base = encode_body(
                SuccessStatus::to_send(statuses, body.is_some()),
                body.as_ref(),
                &quote!(value.body),
            );
            let headers = headers.iter().map(|h| {
                let field = ident(&h.rust_name);
                let wire = &h.wire_name;
                quote!(response = server_runtime::with_header(response, #wire, value.#field.as_ref());)
            });
            quote! {{
                let mut response = #base;
                #(#headers)*
                response
            }}
        }
        Success::Enum {
            rust_name,
            variants,
        } => {
            let name = ident(rust_name);
            let arms = variants.iter().map(|v| {
                let variant = ident(&v.rust_name);
                let status = SuccessStatus::to_send(&[v.status], true);
                match &v.body {
                    Some(b) => {
                        let encode = encode_body(status, Some(b), &quote!(body));
                        quote!(#models #name::#variant(body) => #encode,)
                    }
                    None => {
                        let encode = encode_body(status, None, &TokenStream::new());
                        quote!(#models #name::#variant => #encode,)
                    }
                }
            });
            quote!(match value { #(#arms)* })
        }
    }
}

fn handler(api: &Api, op: &Operation, models: &TokenStream) -> TokenStream {
    let name = handler_name(op);
    let method = ident(&op.rust_name);
    let op_id = &op.operation_id;
    let inputs = inputs(api, op, models);
    let names: Vec<_> = inputs.iter().map(|i| i.name.clone()).collect();
    let reads = inputs.iter().map(|i| &i.read);
    let body_arg = op.body.as_ref().map(|b| {
        if b.encoding == BodyEncoding::Bytes {
            quote!(body: runtime::axum::body::Body,)
        } else {
            quote!(body: runtime::axum::body::Bytes,)
        }
    });
    let encode = encode_success(op, models);
    let docs = doc_attrs(&format!(
        "Serves {} ({}).",
        code(&op.operation_id),
        code(&format!("{} {}", op.method.as_str(), op.path))
    ));
    let cfg = super::features::operation_cfg(api, op);
    let authenticate = match super::security::server_requirements(api, op) {
        Some(security) => quote! {
            let mut context = server_runtime::context(#op_id, method, &uri, headers.clone());
            if let ::std::option::Option::Some(response) = server_runtime::authenticate(
                &mut context, &query, super::client::Client::SECURITY_SCHEMES, #security,
            ) {
                return response;
            }
        },
        None => quote! {
            let context = server_runtime::context(#op_id, method, &uri, headers.clone());
        },
    };
    quote! {
        #docs
        #[allow(unused_variables)]
        #cfg
        async fn #name<A: Api>(
            runtime::axum::extract::State(api): runtime::axum::extract::State<::std::sync::Arc<A>>,
            method: runtime::axum::http::Method,
            uri: runtime::axum::http::Uri,
            headers: runtime::axum::http::HeaderMap,
            path: ::std::result::Result<runtime::axum::extract::RawPathParams, runtime::axum::extract::rejection::RawPathParamsRejection>,
            #body_arg
        ) -> runtime::axum::response::Response {
            let query = server_runtime::Query::parse(uri.query());
            #authenticate
            let inputs = (|| -> ::std::result::Result<_, Rejection> {
                Ok((#(#reads,)*))
            })();
            let (#(#names,)*) = match inputs {
                Ok(inputs) => inputs,
                Err(rejection) => return api.reject(&context, rejection),
            };
            match api.#method(&context, #(#names),*).await {
                Ok(value) => #encode,
                Err(error) => server_runtime::error_response(error),
            }
        }
    }
}
