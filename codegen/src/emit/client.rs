//! `client.rs`: the `Client` struct and one async method per operation.

use super::docs::{code, doc_attrs, item_link, sanitize};
use super::models::is_plain;
use super::{ident, type_tokens};
use crate::ir::{
    Api, BodyEncoding, ClientParam, Operation, Param, ParamLocation, QueryStyle, RequestBody,
    ResponseBody, SegmentPart, Success, SuccessStatus, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

/// `client.rs` without the operations' methods, which [`client_methods`] emits: `Client`'s
/// `impl` block is the file's last item, and the formatter splices their bodies into it.
pub fn client_rs(api: &Api) -> TokenStream {
    let models = quote!(models::);
    let common_error = type_tokens(api.common_error_type().unwrap_or(&TypeRef::Json), &models);
    let retry_statuses = (!api.retry.statuses.is_empty()).then(|| {
        let statuses = api
            .retry
            .statuses
            .iter()
            .map(|s| proc_macro2::Literal::u16_unsuffixed(*s));
        quote!(.statuses(&[#(#statuses),*]))
    });
    let retry_codes = api.retry.error_code_header.as_ref().map(|header| {
        let codes = &api.retry.transient_error_codes;
        quote!(.transient_error_codes(#header, &[#(#codes),*]))
    });
    let fields = api.client_params.iter().map(|p| {
        let name = ident(&p.rust_name);
        quote!(pub(super) #name: ::std::string::String,)
    });
    let inits = api.client_params.iter().map(|p| {
        let name = ident(&p.rust_name);
        let default = &p.default;
        quote!(#name: #default.to_owned(),)
    });
    let accessors = api.client_params.iter().map(accessors);
    let default_server = api.default_server.as_deref().map(default_server);
    let client_doc = client_docs(api);
    let request_id = api
        .request_id_header
        .as_ref()
        .map(|header| quote!(.with_request_id_header(#header)));
    let register_schemes = super::security::register(api);
    let security_items = super::security::client_items(api);
    quote! {
        //! The client: one async method per operation of the document.
        // Deprecated operations and schemas are still used here; users see the warning.
        #![allow(deprecated)]

        // Unused when every operation is behind a tag feature that is off.
        #[allow(unused_imports)]
        use super::models;
        // Unused when the document has no operation (webhooks only, say).
        #[allow(unused_imports)]
        use super::requests;
        use super::runtime;

        #client_doc
        #[derive(Debug, Clone)]
        pub struct Client {
            pub(super) core: runtime::ClientCore,
            #(#fields)*
        }

        // `with_retry_policy`, `retry_policy`, `with_timeout`, `with_credential`, `base_url`
        // and `http_client`: the same for every API. (The operations' methods go into the
        // `impl` block below, which ends this part.)
        runtime::client_common!(Client);

        impl Client {
            #default_server

            /// A client for `base_url` (for example `https://host` or `http://127.0.0.1:8080/prefix`),
            /// with a default HTTP client (rustls, 30 s connect timeout), the
            /// [default retry policy](Self::default_retry_policy) and a 30 s timeout per attempt.
            pub fn new(base_url: &str) -> ::std::result::Result<Self, runtime::Error<#common_error>> {
                Self::with_http_client(base_url, runtime::default_http_client()?)
            }

            /// A client for `base_url` that sends requests through `http`, with the
            /// `User-Agent` `<crate>/<version>` (this crate's; see `with_application_id`).
            pub fn with_http_client(base_url: &str, http: runtime::reqwest::Client) -> ::std::result::Result<Self, runtime::Error<#common_error>> {
                Ok(Self {
                    core: runtime::ClientCore::new(base_url, http, Self::default_retry_policy())?
                        .with_product(::std::concat!(::std::env!("CARGO_PKG_NAME"), "/", ::std::env!("CARGO_PKG_VERSION")))
                        #request_id
                        #register_schemes,
                    #(#inits)*
                })
            }

            /// The retry policy new clients start with: the runtime's defaults (see
            /// [`RetryPolicy`](runtime::RetryPolicy)) and the transient statuses and error codes
            /// the document names.
            pub fn default_retry_policy() -> runtime::RetryPolicy {
                runtime::RetryPolicy::default() #retry_statuses #retry_codes
            }

            #(#accessors)*

            #security_items
        }
    }
}

/// The setter and getter of a client-level parameter.
fn accessors(p: &ClientParam) -> TokenStream {
    let name = ident(&p.rust_name);
    let setter = ident(&format!("with_{}", p.rust_name.trim_start_matches("r#")));
    let wire = &p.wire_name;
    let default = &p.default;
    let mut text = p.docs.as_deref().map(sanitize).unwrap_or_default();
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    let setter_docs = doc_attrs(&format!(
        "{text}Sets the {} query parameter sent with every request (default {}).",
        code(wire),
        code(default)
    ));
    let getter_docs = doc_attrs(&format!(
        "The {} query parameter sent with every request.",
        code(wire)
    ));
    quote! {
        #setter_docs
        #[must_use]
        pub fn #setter(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
            self.#name = value.into();
            self
        }

        #getter_docs
        pub fn #name(&self) -> &str {
            &self.#name
        }
    }
}

/// `DEFAULT_BASE_URL`, the first server's URL.
fn default_server(url: &str) -> TokenStream {
    // An autolink when the URL can be one, else a code span.
    let shown = if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`' | '\\'))
        || !url.contains("://")
    {
        code(url)
    } else {
        format!("<{url}>")
    };
    let docs = doc_attrs(&format!(
        "The first server of the document, with its variables at their defaults: {shown}."
    ));
    quote!(#docs pub const DEFAULT_BASE_URL: &'static str = #url;)
}

/// The docs of `Client`: the API, and how to authenticate.
fn client_docs(api: &Api) -> TokenStream {
    let mut client_doc = format!(
        "A client for the {} (version {}).\n\nCheap to clone: clones share the connection pool.\n\n\
         Each operation's method returns its request builder (in [`requests`]), which takes \
         the optional parameters and per-call options: `.await` it (or call its `send`) to \
         send the request.",
        sanitize(&api.title),
        sanitize(&api.version)
    );
    for scheme in &api.security {
        client_doc.push_str(&format!(
            "\n\nAuthentication {}: {}. Set it with [`Client::{}`].",
            code(&scheme.name),
            sanitize(&scheme.summary),
            scheme.setter
        ));
        if let Some(description) = &scheme.description {
            client_doc.push_str("\n\n");
            client_doc.push_str(&sanitize(description));
        }
    }
    doc_attrs(&client_doc)
}

/// The methods of operations `ops`, in an `impl Client` block of their own.
pub fn client_methods(api: &Api, ops: std::ops::Range<usize>) -> TokenStream {
    let models = quote!(models::);
    let methods = api
        .operations
        .iter()
        .enumerate()
        .filter(|(i, _)| ops.contains(i))
        .map(|(_, op)| operation(api, op, &models));
    quote! {
        impl Client {
            #(#methods)*
        }
    }
}

/// Whether [`arg_type`] of `ty` is a reference (numbers and booleans are taken by value).
pub(super) fn arg_borrows(ty: &TypeRef) -> bool {
    !matches!(
        ty,
        TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64
    )
}

/// The argument type of a parameter; references get `lifetime` (empty for none).
pub(super) fn arg_type(ty: &TypeRef, models: &TokenStream, lifetime: &TokenStream) -> TokenStream {
    if !arg_borrows(ty) {
        return type_tokens(ty, models);
    }
    match ty {
        TypeRef::String => quote!(&#lifetime str),
        TypeRef::Vec(item) => {
            let item = type_tokens(item, models);
            quote!(&#lifetime [#item])
        }
        _ => {
            let ty = type_tokens(ty, models);
            quote!(&#lifetime #ty)
        }
    }
}

/// A required parameter of a method signature (`name: Type,`; optional ones are setters of the
/// request builder); references get `lifetime`.
fn param_arg(p: &Param, models: &TokenStream, lifetime: &TokenStream) -> TokenStream {
    let name = ident(&p.rust_name);
    let ty = arg_type(&p.ty, models, lifetime);
    quote!(#name: #ty,)
}

/// An expression of type `&str` or `String` with the text of a parameter value `value`.
fn text_of(api: &Api, value: &TokenStream, ty: &TypeRef, wire: &str) -> TokenStream {
    match ty {
        TypeRef::String => quote!(#value),
        TypeRef::DateTime => {
            quote!(&#value.to_rfc3339_opts(runtime::chrono::SecondsFormat::AutoSi, true))
        }
        _ if is_plain(ty, api) => quote!(&#value.to_string()),
        _ => tri(quote!(runtime::to_json_string(#wire, &#value)), &quote!(&)),
    }
}

/// [`text_of`] inside a closure that returns a `Result`, where `?` (not a `break` out of the
/// request's `'build` block) propagates an error.
fn text_in_closure(api: &Api, value: &TokenStream, ty: &TypeRef, wire: &str) -> TokenStream {
    match ty {
        TypeRef::String | TypeRef::DateTime => text_of(api, value, ty, wire),
        _ if is_plain(ty, api) => text_of(api, value, ty, wire),
        _ => quote!(&runtime::to_json_string(#wire, &#value)?),
    }
}

/// The value of `result`, `prefix`ed (say `&`), or its error as the value of the request's
/// `'build` block: what `?` would do in a function, without one (see `runtime::tri!`).
pub(super) fn tri(result: TokenStream, prefix: &TokenStream) -> TokenStream {
    quote!(#prefix runtime::tri!('build, #result))
}

/// The statement `result?;` of the request's `'build` block ([`tri`]).
fn stmt(result: TokenStream) -> TokenStream {
    let value = tri(result, &TokenStream::new());
    quote!(#value;)
}

/// A path template that ends in `/` (`/jobs/`, not `/`) keeps it: servers may tell `/jobs`
/// and `/jobs/` apart. (Segments are never empty, so the slash is added on its own.)
pub(super) fn trailing_slash(op: &Operation) -> TokenStream {
    if has_trailing_slash(op) {
        quote! {
            if let Ok(mut path) = url.path_segments_mut() {
                path.push("");
            }
        }
    } else {
        TokenStream::new()
    }
}

/// Whether the path template ends in `/` (and is not just `/`): see [`trailing_slash`].
pub(super) fn has_trailing_slash(op: &Operation) -> bool {
    op.path.len() > 1 && op.path.ends_with('/')
}

/// The method of an operation (and its stream method, when paged): documentation, and the
/// request builder ([`super::requests`]) made of its required arguments.
fn operation(api: &Api, op: &Operation, models: &TokenStream) -> TokenStream {
    let name = ident(&op.rust_name);
    let builder = ident(&op.builder);
    let params = ident(&format!("__{}", op.builder));
    let docs = method_docs(api, op);
    let deprecated = if op.deprecated {
        quote!(#[deprecated])
    } else {
        TokenStream::new()
    };
    let lifetime = quote!('a);
    let args = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| param_arg(p, models, &lifetime));
    let body_arg = op.body.as_ref().map(|b| body_arg(b, models, &lifetime));
    let continuation = op.paging.as_ref().map(|p| p.continuation_param.as_str());
    let inits = op
        .params
        .iter()
        .filter(|p| !in_query_list(api, op, p))
        .map(|p| {
            let name = ident(&p.rust_name);
            match (p.required, Some(p.rust_name.as_str()) == continuation) {
                (false, _) => quote!(#name: ::std::option::Option::None),
                (true, true) => quote!(#name: #name.to_owned()),
                (true, false) => quote!(#name),
            }
        });
    let body_init = op.body.as_ref().map(|b| {
        if b.required && b.encoding == BodyEncoding::Bytes {
            quote!(body: body.into(),)
        } else {
            quote!(body,)
        }
    });
    let fields: Vec<TokenStream> = inits.map(|init| quote!(#init,)).chain(body_init).collect();
    // The parameters' struct is a unit struct when the operation has none of its own.
    let fields = (!fields.is_empty()).then(|| quote!({ #(#fields)* }));
    let cfg = super::features::operation_cfg(api, op);
    let stream = stream_method(op, models, &cfg);
    quote! {
        #docs
        #deprecated
        #cfg
        pub fn #name<'a>(&'a self, #(#args)* #body_arg) -> requests::#builder<'a> {
            requests::Builder::__new(self, requests::#params #fields)
        }

        #stream
    }
}

/// Documentation: summary, description, then the request line and parameters.
fn method_docs(api: &Api, op: &Operation) -> TokenStream {
    let mut text = String::new();
    // A blank summary or description (netbox's) would only write empty doc lines.
    let parts = [&op.summary, &op.description].into_iter().flatten();
    for part in parts.filter(|part| !part.trim().is_empty()) {
        text.push_str(&sanitize(part));
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "{} (operationId {}).",
        code(&format!("{} {}", op.method.as_str(), op.path)),
        code(&op.operation_id)
    ));
    let mut arg_lines = Vec::new();
    for p in &op.params {
        let place = match p.location {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        };
        let setter = p.rust_name.trim_start_matches("r#");
        let mut line = if p.required {
            format!("- `{setter}`: {place} parameter {}", code(&p.wire_name))
        } else {
            format!(
                "- {}, optional: {place} parameter {}",
                item_link(
                    &format!(".{setter}(...)"),
                    &format!("requests::{}::{setter}", op.builder),
                    &p.rust_name
                ),
                code(&p.wire_name)
            )
        };
        if let Some(d) = &p.docs {
            line.push_str(": ");
            line.push_str(&sanitize(&d.replace('\n', " ")));
        }
        arg_lines.push(line);
    }
    if let Some(body) = &op.body {
        let mut line = format!("- `body`: the {} request body", code(&body.content_type));
        if let Some(d) = &body.docs {
            line.push_str(": ");
            line.push_str(&sanitize(&d.replace('\n', " ")));
        }
        arg_lines.push(line);
    }
    if !arg_lines.is_empty() {
        text.push_str("\n\nArguments:\n");
        text.push_str(&arg_lines.join("\n"));
    }
    if let Some(auth) = super::security::operation_doc(api, op) {
        text.push_str("\n\n");
        text.push_str(&auth);
    }
    doc_attrs(&text)
}

/// The `body` argument of a method: a required binary body is anything that converts into a
/// `runtime::Body` (bytes, a stream, a file).
pub(super) fn body_arg(
    b: &RequestBody,
    models: &TokenStream,
    lifetime: &TokenStream,
) -> TokenStream {
    if b.required && b.encoding == BodyEncoding::Bytes {
        return quote!(body: impl ::std::convert::Into<runtime::Body>,);
    }
    body_field(b, models, lifetime)
}

/// Whether [`body_field`] of `b` is a reference (bytes are a `runtime::Body`, owned).
pub(super) fn body_borrows(b: &RequestBody) -> bool {
    !matches!(b.encoding, BodyEncoding::Bytes)
}

/// The `body` field of a request builder (and the argument of a method, but for a required
/// binary body: [`body_arg`]).
pub(super) fn body_field(
    b: &RequestBody,
    models: &TokenStream,
    lifetime: &TokenStream,
) -> TokenStream {
    let ty = match b.encoding {
        BodyEncoding::Json | BodyEncoding::Form | BodyEncoding::Multipart => {
            let ty = type_tokens(&b.ty, models);
            quote!(&#lifetime #ty)
        }
        // Event streams are responses only.
        BodyEncoding::Text | BodyEncoding::EventStream { .. } => quote!(&#lifetime str),
        BodyEncoding::Bytes => quote!(runtime::Body),
    };
    if b.required {
        quote!(body: #ty,)
    } else {
        quote!(body: ::std::option::Option<#ty>,)
    }
}

/// Path: the text of each segment (the runtime percent-encodes them).
pub(super) fn path_segments(api: &Api, op: &Operation) -> Vec<TokenStream> {
    op.segments
        .iter()
        .map(|segment| match segment.parts.as_slice() {
            [SegmentPart::Literal(text)] => quote!(#text),
            [SegmentPart::Param(p)] => param_text(api, op, p),
            parts => {
                let pieces = parts.iter().map(|part| match part {
                    SegmentPart::Literal(text) => quote!(#text),
                    SegmentPart::Param(p) => param_text(api, op, p),
                });
                let format = "{}".repeat(parts.len());
                quote!(&::std::format!(#format, #(#pieces),*))
            }
        })
        .collect()
}

/// Whether `p` is an optional query parameter whose setter writes its pairs into the
/// builder's `runtime::QueryPairs` (no field of its own): not a `deepObject`, not a paged
/// operation's continuation token, a value (or list of values) with a plain-text form.
pub(super) fn in_query_list(api: &Api, op: &Operation, p: &Param) -> bool {
    let displayed = |ty: &TypeRef| is_plain(ty, api);
    !p.required
        && p.location == ParamLocation::Query
        && p.style != QueryStyle::DeepObject
        && op
            .paging
            .as_ref()
            .is_none_or(|paging| paging.continuation_param != p.rust_name)
        && match &p.ty {
            TypeRef::DateTime => true,
            TypeRef::Vec(item) => displayed(item),
            ty => displayed(ty),
        }
}

/// The place of `p` among the operation's parameters: the order of its query pairs.
pub(super) fn query_place(op: &Operation, p: &Param) -> proc_macro2::Literal {
    let place = op
        .params
        .iter()
        .position(|q| std::ptr::eq(q, p))
        .unwrap_or_default();
    proc_macro2::Literal::u16_unsuffixed(u16::try_from(place).unwrap_or(u16::MAX))
}

/// How `send` binds the builder's `__query`: unused when the operation has no query pairs,
/// mutable when `send` adds some.
pub(super) fn query_binding(api: &Api, op: &Operation) -> TokenStream {
    let pairs =
        |p: &&Param| p.location == ParamLocation::Query && p.style != QueryStyle::DeepObject;
    if !op.params.iter().any(|p| pairs(&p)) {
        quote!(__query: _)
    } else if op
        .params
        .iter()
        .filter(pairs)
        .any(|p| !in_query_list(api, op, p))
    {
        quote!(mut __query)
    } else {
        quote!(__query)
    }
}

/// Query: the client's parameters, then the operation's pairs (those its setters wrote and
/// the others, in the operation's order), then `deepObject`s.
pub(super) fn query_statements(api: &Api, op: &Operation) -> TokenStream {
    let client_query: Vec<_> = api
        .client_params
        .iter()
        .map(|p| {
            let name = ident(&p.rust_name);
            let wire = &p.wire_name;
            quote!(query.append_pair(#wire, &__client.#name);)
        })
        .collect();
    let pairs: Vec<_> = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query && p.style != QueryStyle::DeepObject)
        .collect();
    let query = pairs
        .iter()
        .filter(|p| !in_query_list(api, op, p))
        .map(|p| query_pairs(api, op, p));
    let deep_objects: Vec<_> = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query && p.style == QueryStyle::DeepObject)
        .map(|p| {
            let wire = &p.wire_name;
            with_value(p, |value| {
                stmt(quote!(runtime::append_deep_object(&mut url, #wire, &#value)))
            })
        })
        .collect();
    if client_query.is_empty() && pairs.is_empty() && deep_objects.is_empty() {
        return TokenStream::new();
    }
    let client_query = (!client_query.is_empty()).then(|| {
        quote! {
            {
                let mut query = url.query_pairs_mut();
                #(#client_query)*
            }
        }
    });
    let write = (!pairs.is_empty()).then(|| quote!(__query.write(&mut url);));
    quote! {
        #client_query
        #(#query)*
        #write
        #(#deep_objects)*
        runtime::finish_query(&mut url);
    }
}

/// The query pairs `send` adds for one parameter: a list joined by its style's separator, or
/// a pair per item (`form` exploded), or one pair.
fn query_pairs(api: &Api, op: &Operation, p: &Param) -> TokenStream {
    let wire = &p.wire_name;
    let place = query_place(op, p);
    let push = |value: TokenStream, ty: &TypeRef| {
        let text = text_of(api, &value, ty, wire);
        quote!(__query.push(#place, #wire, ::std::string::String::from(#text));)
    };
    with_value(p, |value| match (&p.ty, p.style.separator()) {
        (TypeRef::Vec(item), Some(separator)) => {
            let text = text_of(api, &quote!(item), item, wire);
            quote! {
                let mut joined = ::std::string::String::new();
                for item in #value.iter() {
                    if !joined.is_empty() {
                        joined.push(#separator);
                    }
                    joined.push_str(#text);
                }
                __query.push(#place, #wire, joined);
            }
        }
        (TypeRef::Vec(item), None) => {
            let each = push(quote!(item), item);
            quote!(for item in #value.iter() { #each })
        }
        (ty, _) => push(value, ty),
    })
}

/// The statement of an optional query parameter's setter ([`in_query_list`]): its pairs
/// written into the builder's `__query`.
pub(super) fn query_setter_statement(op: &Operation, p: &Param) -> TokenStream {
    let wire = &p.wire_name;
    let place = query_place(op, p);
    match (&p.ty, p.style.separator()) {
        (TypeRef::Vec(_), Some(separator)) => {
            quote!(self.__query.set_joined(#place, #wire, #separator, &value);)
        }
        (TypeRef::Vec(_), None) => quote!(self.__query.set_each(#place, #wire, &value);),
        (TypeRef::String, _) => quote!(self.__query.set(#place, #wire, value.into());),
        (TypeRef::DateTime, _) => quote! {
            self.__query.set(#place, #wire, value.to_rfc3339_opts(runtime::chrono::SecondsFormat::AutoSi, true));
        },
        _ => quote!(self.__query.set(#place, #wire, value.to_string());),
    }
}

/// Headers: one each, a list joined by commas.
pub(super) fn header_statements(api: &Api, op: &Operation) -> TokenStream {
    let headers = op.params.iter().filter(|p| p.location == ParamLocation::Header).map(|p| {
        with_value(p, |value| {
            let wire = p.wire_name.to_ascii_lowercase();
            let text = match &p.ty {
                TypeRef::Vec(item) => {
                    let each = text_in_closure(api, &quote!(item), item, &wire);
                    let items = tri(quote!(#value.iter().map(|item| -> ::std::result::Result<::std::string::String, runtime::Error<_>> { Ok(::std::string::ToString::to_string(#each)) }).collect::<::std::result::Result<::std::vec::Vec<_>, _>>()), &TokenStream::new());
                    quote!(&#items.join(","))
                }
                ty => text_of(api, &value, ty, &wire),
            };
            stmt(quote!(runtime::set_header(&mut request, #wire, #text)))
        })
    });
    quote!(#(#headers)*)
}

/// Cookies: every cookie parameter that has a value, in one `Cookie` header.
pub(super) fn cookie_statements(api: &Api, op: &Operation) -> TokenStream {
    let cookies: Vec<_> = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Cookie)
        .map(|p| {
            with_value(p, |value| {
                let wire = &p.wire_name;
                let text = text_of(api, &value, &p.ty, wire);
                quote!(cookies.push(runtime::cookie_pair(#wire, #text));)
            })
        })
        .collect();
    if cookies.is_empty() {
        return TokenStream::new();
    }
    let set_cookie = stmt(quote!(runtime::set_header(
        &mut request,
        "cookie",
        &cookies.join("; ")
    )));
    quote! {
        let mut cookies: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();
        #(#cookies)*
        if !cookies.is_empty() {
            #set_cookie
        }
    }
}

/// Body: set in its encoding, when there is one.
pub(super) fn body_statement(b: &RequestBody) -> TokenStream {
    let content_type = &b.content_type;
    let set = match b.encoding {
        BodyEncoding::Json => {
            stmt(quote!(runtime::set_json_body(&mut request, #content_type, body)))
        }
        BodyEncoding::Form => {
            stmt(quote!(runtime::set_form_body(&mut request, #content_type, body)))
        }
        BodyEncoding::Multipart => stmt(quote!(runtime::set_multipart_body(
            __client.core.http_client(),
            &mut request,
            body
        ))),
        BodyEncoding::Text | BodyEncoding::EventStream { .. } => stmt(
            quote!(runtime::set_bytes_body(&mut request, #content_type, body.as_bytes().to_vec())),
        ),
        BodyEncoding::Bytes => stmt(quote!(runtime::set_body(&mut request, #content_type, body))),
    };
    if b.required {
        set
    } else {
        quote!(if let Some(body) = body { #set })
    }
}

/// The function that reads an error body of `op` (given the status).
pub(super) fn decoder(api: &Api, op: &Operation, models: &TokenStream) -> TokenStream {
    match &op.error_type {
        TypeRef::Named(name)
            if api
                .definition(name)
                .is_some_and(|t| matches!(t.kind, crate::ir::TypeKind::ErrorEnum(_))) =>
        {
            let name = ident(name);
            quote!(#models #name::decode)
        }
        _ => quote!(runtime::decode_json_error),
    }
}

/// The common case, one success status with a JSON body, an event stream or none, is one
/// call into the runtime (less for the user's compiler to check than a `match`): `send_json`,
/// `send_event_stream` or `send_empty` (with `suffix`, say `_boxed`), the statuses (any 2xx
/// when empty), the error decoder and the arguments after it (`, ` and an event stream's data
/// format); `None` for other operations.
pub(super) fn runtime_send(
    api: &Api,
    op: &Operation,
    models: &TokenStream,
    suffix: &str,
) -> Option<(proc_macro2::Ident, TokenStream, TokenStream, TokenStream)> {
    let Success::Single { statuses, body } = &op.success else {
        return None;
    };
    if body.as_ref().is_some_and(|b| {
        !matches!(
            b.encoding,
            BodyEncoding::Json | BodyEncoding::EventStream { .. }
        )
    }) {
        return None;
    }
    let more = match super::event_stream(&op.success) {
        Some((_, text)) => {
            let format = super::data_format(text);
            quote!(, #format)
        }
        None => TokenStream::new(),
    };
    let statuses = SuccessStatus::exact_codes(statuses)
        .unwrap_or_default()
        .into_iter()
        .map(proc_macro2::Literal::u16_unsuffixed);
    let call = match body.as_ref().map(|b| b.encoding) {
        Some(BodyEncoding::EventStream { .. }) => "send_event_stream",
        Some(_) => "send_json",
        None => "send_empty",
    };
    Some((
        ident(&format!("{call}{suffix}")),
        quote!(&[#(#statuses),*]),
        decoder(api, op, models),
        more,
    ))
}

/// The stream method of a paged operation: every item, page after page.
fn stream_method(op: &Operation, models: &TokenStream, cfg: &TokenStream) -> TokenStream {
    let Some(paging) = &op.paging else {
        return TokenStream::new();
    };
    let name = ident(&paging.stream_name);
    let builder = ident(&paging.stream_builder);
    let page = ident(&op.rust_name);
    let lifetime = quote!('a);
    let args = op
        .params
        .iter()
        .filter(|p| p.required && p.rust_name != paging.continuation_param)
        .map(|p| param_arg(p, models, &lifetime));
    let body_arg = op.body.as_ref().map(|b| body_arg(b, models, &lifetime));
    let pass = op.params.iter().filter(|p| p.required).map(|p| {
        if p.rust_name == paging.continuation_param {
            quote!("")
        } else {
            let name = ident(&p.rust_name);
            quote!(#name)
        }
    });
    let body_pass = op.body.as_ref().map(|_| quote!(body));
    let page_link = item_link(
        &op.rust_name,
        &format!("Self::{}", op.rust_name),
        &op.rust_name,
    );
    let docs = doc_attrs(&format!(
        "Every item of {page_link}, page after page: the stream follows the continuation token \
         of each page until a page comes without one. Set optional parameters and per-call \
         options on the returned [`requests::{builder}`], then iterate it (it is a `Stream`) \
         with `futures::StreamExt::next` or `futures::TryStreamExt::try_next`; an error ends \
         the stream.\n\nTo resume later from a token, call {page_link} with it.",
        builder = paging.stream_builder,
    ));
    quote! {
        #docs
        #cfg
        pub fn #name<'a>(&'a self, #(#args)* #body_arg) -> requests::#builder<'a> {
            requests::#builder {
                request: self.#page(#(#pass,)* #body_pass),
                stream: ::std::option::Option::None,
            }
        }
    }
}

/// The text of the path parameter with Rust name `rust_name`.
fn param_text(api: &Api, op: &Operation, rust_name: &str) -> TokenStream {
    let Some(p) = op.params.iter().find(|p| p.rust_name == rust_name) else {
        return quote!("");
    };
    let name = ident(&p.rust_name);
    text_of(api, &quote!(#name), &p.ty, &p.wire_name)
}

/// Wraps the statements `f` makes for a parameter's value in `if let Some` when optional.
fn with_value(p: &Param, f: impl FnOnce(TokenStream) -> TokenStream) -> TokenStream {
    let name = ident(&p.rust_name);
    if p.required {
        f(quote!(#name))
    } else {
        let inner = f(quote!(value));
        quote!(if let Some(value) = &#name { #inner })
    }
}

/// The value of a received body (`response`, a `runtime::Received`) in its encoding.
fn decode(body: Option<&ResponseBody>) -> TokenStream {
    match body.map(|b| b.encoding) {
        Some(BodyEncoding::Json) => quote!(response.json()?),
        Some(BodyEncoding::Form) => quote!(response.form()?),
        // Lowering keeps event streams to operations `runtime_send` sends; elsewhere they
        // are read as text.
        Some(BodyEncoding::Text | BodyEncoding::EventStream { .. }) => quote!(response.text()),
        Some(BodyEncoding::Bytes | BodyEncoding::Multipart) => quote!(response.into_bytes()),
        None => quote!(()),
    }
}

/// The pattern matching `statuses` in a `match` on the status code.
fn status_pattern(statuses: &[SuccessStatus]) -> TokenStream {
    match SuccessStatus::exact_codes(statuses) {
        Some(codes) if !codes.is_empty() => {
            let codes = codes.into_iter().map(proc_macro2::Literal::u16_unsuffixed);
            quote!(#(#codes)|*)
        }
        _ => quote!(200..=299),
    }
}

/// What `send` hands the runtime's `send_decoded_boxed` for an operation that
/// [`runtime_send`] does not send (success headers, several statuses, a body that is not
/// JSON): the expected statuses (any 2xx when empty), whether the body is read (when a
/// success documents one), and the closure that makes the success value (its type is
/// [`super::success_type`]) of the `runtime::Received` response.
pub(super) fn decoded(op: &Operation, models: &TokenStream) -> (TokenStream, bool, TokenStream) {
    let all: Vec<SuccessStatus> = match &op.success {
        Success::Single { statuses, .. } | Success::WithHeaders { statuses, .. } => {
            statuses.clone()
        }
        Success::Enum { variants, .. } => variants.iter().map(|v| v.status).collect(),
    };
    let statuses = SuccessStatus::exact_codes(&all)
        .unwrap_or_default()
        .into_iter()
        .map(proc_macro2::Literal::u16_unsuffixed);
    let (read_body, decode) = match &op.success {
        Success::Single { body, .. } => {
            let value = decode(body.as_ref());
            (body.is_some(), quote!(|response| Ok(#value)))
        }
        Success::WithHeaders {
            rust_name,
            body,
            headers,
            ..
        } => {
            let name = ident(rust_name);
            // Headers first: the body may take the response.
            let fields = headers.iter().map(|h| {
                let field = ident(&h.rust_name);
                let wire = &h.wire_name;
                quote!(#field: response.header(#wire)?)
            });
            let body_field = body.as_ref().map(|b| {
                let value = decode(Some(b));
                quote!(body: #value,)
            });
            let value = quote!(#models #name { #(#fields,)* #body_field });
            (body.is_some(), quote!(|response| Ok(#value)))
        }
        Success::Enum {
            rust_name,
            variants,
        } => {
            let name = ident(rust_name);
            let arms = variants.iter().map(|v| {
                let variant = ident(&v.rust_name);
                let pattern = status_pattern(&[v.status]);
                match &v.body {
                    Some(b) => {
                        let value = decode(Some(b));
                        quote!(#pattern => Ok(#models #name::#variant(#value)),)
                    }
                    None => quote!(#pattern => Ok(#models #name::#variant),),
                }
            });
            let read_body = variants.iter().any(|v| v.body.is_some());
            let decode = quote! {
                |response| match response.status() {
                    #(#arms)*
                    _ => response.unexpected(),
                }
            };
            (read_body, decode)
        }
    };
    (quote!(&[#(#statuses),*]), read_body, decode)
}
