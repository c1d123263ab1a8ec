//! `models.rs`: one type per schema, plus the multi-part success types of operations.

use super::docs::{call_doc_attrs, code, doc_attrs, sanitize, with_note};
use super::struct_call::{StructHead, json_struct_call};
use super::{ident, type_tokens};
use crate::ir::{
    Api, DefaultValue, Directions, EnumDef, ErrorStatus, ErrorVariant, Field, IntEnumDef,
    StructDef, SuccessEnumDef, SuccessStatus, SuccessStructDef, TypeDef, TypeKind, TypeRef,
    UnionDef,
};
use crate::names::unraw;
use proc_macro2::TokenStream;
use quote::quote;

/// How many items `models.rs` has: one per type, then one per operation's success type.
pub fn item_count(api: &Api) -> usize {
    api.types.len() + api.response_types.len()
}

/// Items `items` of `models.rs` (see [`item_count`]); the part that starts at 0 carries the
/// file's inner doc comment. The parts of `0..item_count(api)`, formatted and concatenated in
/// order, are the file.
pub fn models_rs(api: &Api, items: std::ops::Range<usize>) -> TokenStream {
    let doc = (items.start == 0).then(|| {
        quote! {
            //! The types of request and response bodies, one per schema of the document.
            // Deprecated schemas are still used by the code around them; users see the warning.
            // A field's docs are its description, and its wire name where its name does not
            // tell it: a field without either has none.
            #![allow(deprecated, missing_docs)]
        }
    });
    let types = api
        .types
        .iter()
        .chain(&api.response_types)
        .enumerate()
        .filter(|(i, _)| items.contains(i))
        .map(|(_, t)| type_def(api, t, &super::features::type_cfg(api, &t.rust_name)));
    quote! {
        #doc
        #(#types)*
    }
}

pub(super) fn deprecated(flag: bool) -> TokenStream {
    if flag {
        quote!(#[deprecated])
    } else {
        TokenStream::new()
    }
}

/// The items of a named type; `cfg` (its feature gate, or nothing) goes on every one, after
/// its other attributes.
fn type_def(api: &Api, def: &TypeDef, cfg: &TokenStream) -> TokenStream {
    let description = def.docs.as_deref().map(sanitize).unwrap_or_default();
    // The schema a type comes from, unless its name says it and other docs document it.
    let named_after = def.source == format!("#/components/schemas/{}", def.rust_name);
    let kind_note = kind_note(&def.kind);
    let mut notes = Vec::new();
    if !def.source.is_empty() && (!named_after || description.is_empty() && kind_note.is_none()) {
        notes.push(format!("Schema {}.", code(&def.source)));
    }
    notes.extend(kind_note);
    notes.extend(alias_note(def));
    let text = with_note(&description, &notes.join(" "));
    let docs = match &def.kind {
        // A struct makes its own (inside `json_struct!`'s call, not as attributes).
        TypeKind::Struct(_) => TokenStream::new(),
        // Declared by the macro call, whose first tokens the docs are.
        TypeKind::Enum(_) | TypeKind::IntEnum(_) => call_doc_attrs(&text),
        _ => doc_attrs(&text),
    };
    let deprecated = deprecated(def.deprecated);
    let name = ident(&def.rust_name);
    match &def.kind {
        TypeKind::Alias(ty) => {
            let ty = type_tokens(ty, &TokenStream::new());
            quote! { #docs #deprecated #cfg pub type #name = #ty; }
        }
        TypeKind::Struct(s) => struct_def(api, def, &name, &text, &deprecated, cfg, s),
        TypeKind::Enum(e) => enum_def(&name, &docs, &deprecated, cfg, def.directions, e),
        TypeKind::IntEnum(e) => int_enum_def(&name, &docs, &deprecated, cfg, def.directions, e),
        TypeKind::Union(u) => union_def(&name, &docs, &deprecated, cfg, def.directions, u),
        TypeKind::ErrorEnum(variants) => error_enum_def(&name, &docs, cfg, variants),
        // Named after their operation; the IR gives them no docs or source of their own.
        TypeKind::SuccessStruct(s) => success_struct_def(&name, cfg, s),
        TypeKind::SuccessEnum(e) => success_enum_def(&name, cfg, e),
    }
}

/// What an alias made by lowering stands for: a type identical to it, or a generic struct.
fn alias_note(def: &TypeDef) -> Option<String> {
    match (&def.kind, def.identical) {
        (TypeKind::Alias(TypeRef::Named(target)), true) => Some(format!(
            "The same type as [`{target}`]: their definitions are identical."
        )),
        (TypeKind::Alias(TypeRef::Generic(generic, arg)), _) => match arg.as_ref() {
            TypeRef::Named(arg) => Some(format!(
                "[`{generic}`] of [`{arg}`]: other schemas have its shape with another type."
            )),
            _ => None,
        },
        _ => None,
    }
}

/// The attribute of a serde impl in a direction the client does not use: compiled only with
/// the crate's `serde-all` feature.
fn unless_needed(needed: bool) -> TokenStream {
    if needed {
        TokenStream::new()
    } else {
        let feature = crate::ir::SERDE_ALL_FEATURE;
        quote!(#[cfg(feature = #feature)])
    }
}

/// The directions argument of `json_struct!`: nothing for
/// both, else the one the client uses and the other behind `serde-all`
/// (`ser, #[cfg(feature = "serde-all")] de,`).
pub(super) fn macro_directions(d: Directions) -> TokenStream {
    match (d.ser, d.de) {
        (true, false) => {
            let other = unless_needed(false);
            quote!(ser, #other de,)
        }
        (false, true) => {
            let other = unless_needed(false);
            quote!(de, #other ser,)
        }
        _ => TokenStream::new(),
    }
}

/// The serde derives of a type that keeps serde's: those the client uses in the `derive`
/// list (each with its leading comma), the other in a `cfg_attr` on `serde-all`.
fn serde_derives(d: Directions) -> (TokenStream, TokenStream) {
    let ser = quote!(super::runtime::serde::Serialize);
    let de = quote!(super::runtime::serde::Deserialize);
    let feature = crate::ir::SERDE_ALL_FEATURE;
    match (d.ser, d.de) {
        (true, false) => (
            quote!(, #ser),
            quote!(#[cfg_attr(feature = #feature, derive(#de))]),
        ),
        (false, true) => (
            quote!(, #de),
            quote!(#[cfg_attr(feature = #feature, derive(#ser))]),
        ),
        _ => (quote!(, #ser, #de), TokenStream::new()),
    }
}

/// What the docs of an enum or a union add to the description: how unknown values are kept.
fn kind_note(kind: &TypeKind) -> Option<String> {
    match kind {
        TypeKind::Enum(_) | TypeKind::IntEnum(_) => Some(
            "Open: a value the document does not list is kept in the fallback variant and sent \
             back unchanged."
                .to_owned(),
        ),
        TypeKind::Union(u) => Some(match &u.tag {
            Some(tag) => format!(
                "Tagged by the {} property; a value with another tag is kept as JSON.",
                code(tag)
            ),
            None => {
                "Decoded by trying each member in order; a value no member accepts is kept as JSON."
                    .to_owned()
            }
        }),
        _ => None,
    }
}

fn struct_def(
    api: &Api,
    def: &TypeDef,
    name: &proc_macro2::Ident,
    doc_text: &str,
    deprecated: &TokenStream,
    cfg: &TokenStream,
    s: &StructDef,
) -> TokenStream {
    let with_defaults: Vec<&Field> = s.fields.iter().filter(|f| f.default.is_some()).collect();
    let default = if s.derive_default && with_defaults.is_empty() {
        quote!(, Default)
    } else {
        TokenStream::new()
    };
    // Structs with `additionalProperties` keep serde's derive (for `flatten`); the others get
    // their impls from `json_struct!`, whose expansion is smaller to compile.
    let derive_serde = s.additional.is_some();
    // The derive reaches serde through the runtime, like everything else generated.
    let serde_crate = derive_serde.then(|| quote!(#[serde(crate = "super::runtime::serde")]));
    let additional = s.additional.as_ref().map(|a| {
        let field_name = ident(&a.rust_name);
        let value = type_tokens(&a.value, &TokenStream::new());
        quote! {
            /// Properties not named in the schema (`additionalProperties`).
            #[serde(flatten)]
            pub #field_name: ::std::collections::BTreeMap<::std::string::String, #value>,
        }
    });
    // Defaults: a function per field for serde, and `Default` written out when every field
    // has a value to start from.
    let default_fns = with_defaults.iter().filter_map(|f| {
        let value = default_expr(&f.ty, f.default.as_ref()?);
        let function = ident(&default_fn_name(f));
        let ty = type_tokens(&f.ty, &TokenStream::new());
        Some(quote!(fn #function() -> #ty { #value }))
    });
    let default_impl = default_impl(name, cfg, s, !with_defaults.is_empty());
    // The defaults' functions and, for a struct with required fields, its constructor and
    // setters: one `impl` block.
    let constructors = if derive_serde {
        super::constructors::constructors(api, s)
    } else {
        TokenStream::new()
    };
    let default_fns = (!with_defaults.is_empty() || !constructors.is_empty()).then(|| {
        quote! {
            #cfg
            impl #name {
                #(#default_fns)*
                #constructors
            }
        }
    });
    if !derive_serde {
        let head = StructHead {
            docs: doc_text,
            deprecated: def.deprecated,
            derive_default: !default.is_empty(),
        };
        let call = json_struct_call(api, name, &head, cfg, def.directions, s);
        return quote! {
            #call
            #default_fns
            #default_impl
        };
    }
    let (derives, other_derive) = serde_derives(def.directions);
    let fields = s.fields.iter().map(|f| field(name, f));
    let docs = doc_attrs(doc_text);
    quote! {
        #docs
        #deprecated
        #[derive(Debug, Clone, PartialEq #default #derives)]
        #other_derive
        #serde_crate
        #cfg
        pub struct #name {
            #(#fields)*
            #additional
        }
        #default_fns
        #default_impl
    }
}

/// `Default` written out, for a struct whose every field has a value to start from and some
/// field a default of its own.
fn default_impl(
    name: &proc_macro2::Ident,
    cfg: &TokenStream,
    s: &StructDef,
    has_defaults: bool,
) -> Option<TokenStream> {
    (s.derive_default && has_defaults).then(|| {
        let values = s.fields.iter().map(|f| {
            let field_name = ident(&f.rust_name);
            if f.default.is_some() {
                let function = ident(&default_fn_name(f));
                quote!(#field_name: Self::#function(),)
            } else {
                quote!(#field_name: ::std::default::Default::default(),)
            }
        });
        let additional = s.additional.as_ref().map(|a| {
            let field_name = ident(&a.rust_name);
            quote!(#field_name: ::std::default::Default::default(),)
        });
        quote! {
            #[allow(deprecated)]
            #cfg
            impl ::std::default::Default for #name {
                fn default() -> Self {
                    Self { #(#values)* #additional }
                }
            }
        }
    })
}

/// The Rust type for `ty` in `models.rs`, with `String`, `Vec`, `Option` and `Box`
/// unqualified ([`TYPE_NAMES`](crate::names::reserved::TYPE_NAMES) keeps them free).
pub(super) fn short_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Bytes => quote!(Vec<u8>),
        TypeRef::Vec(item) => {
            let item = short_type(item);
            quote!(Vec<#item>)
        }
        TypeRef::Nullable(inner) => {
            let inner = short_type(inner);
            quote!(Option<#inner>)
        }
        TypeRef::Boxed(inner) => {
            let inner = short_type(inner);
            quote!(Box<#inner>)
        }
        TypeRef::Map(value) => {
            let value = short_type(value);
            quote!(::std::collections::BTreeMap<String, #value>)
        }
        TypeRef::Tuple(items) => {
            let items = items.iter().map(short_type);
            quote!((#(#items,)*))
        }
        _ => type_tokens(ty, &TokenStream::new()),
    }
}

/// The private function that gives a field its default (`default_limit`).
pub(super) fn default_fn_name(f: &Field) -> String {
    format!("default_{}", unraw(&f.rust_name))
}

/// A field's docs (markdown; empty for none).
pub(super) fn field_doc_text(f: &Field) -> String {
    let description = f.docs.as_deref().map(sanitize).unwrap_or_default();
    // The wire name where the field's name does not tell it; whether `None` is sent, which
    // the type does not tell; the default. (A field with none of these has no docs.)
    let mut notes = Vec::new();
    if !crate::names::wire_is_evident(&f.wire_name, &f.rust_name) {
        notes.push(format!("Wire name {}.", code(&f.wire_name)));
    }
    if presence(f) == Presence::Nullable {
        notes.push("Required: `None` is sent as `null`.".to_owned());
    }
    if let Some(value) = &f.default {
        let text = match value {
            DefaultValue::Bool(b) => b.to_string(),
            DefaultValue::Int(n) => n.to_string(),
            DefaultValue::Float(x) => x.to_string(),
            DefaultValue::String(s) => format!("{s:?}"),
            DefaultValue::Variant(v) | DefaultValue::IntVariant(v) => v.clone(),
        };
        notes.push(format!("Takes {} when absent.", code(&text)));
    }
    with_note(&description, &notes.join(" "))
}

/// A field of a struct that keeps serde's derive.
fn field(type_name: &proc_macro2::Ident, f: &Field) -> TokenStream {
    let docs = field_doc_text(f);
    let docs = (!docs.is_empty()).then(|| doc_attrs(&docs));
    let deprecated = deprecated(f.deprecated);
    let name = ident(&f.rust_name);
    let ty = field_type(f);
    let serde = serde_attr(type_name, f, presence(f));
    quote! {
        #docs
        #deprecated
        #serde
        pub #name: #ty,
    }
}

/// A field's type: the schema's type, in an `Option` unless the field is required or has a
/// default.
fn field_type(f: &Field) -> TokenStream {
    let ty = type_tokens(&f.ty, &TokenStream::new());
    match presence(f) {
        Presence::Optional | Presence::Nullable => quote!(::std::option::Option<#ty>),
        Presence::Required | Presence::Defaulted => ty,
    }
}

/// How a field travels: what `json_struct!` calls its kind, and what the derive's attributes
/// say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Presence {
    /// Must be present; a plain type.
    Required,
    /// An `Option`, left out when `None`.
    Optional,
    /// An `Option` that is required: always sent, `null` for `None`.
    Nullable,
    /// A plain type that takes its default when absent.
    Defaulted,
}

pub(super) fn presence(f: &Field) -> Presence {
    if f.default.is_some() {
        Presence::Defaulted
    } else if !f.is_optional() {
        Presence::Required
    } else if f.required {
        Presence::Nullable
    } else {
        Presence::Optional
    }
}

/// The `#[serde(...)]` attribute of a field of a struct that keeps serde's derive.
fn serde_attr(type_name: &proc_macro2::Ident, f: &Field, presence: Presence) -> TokenStream {
    let mut serde_args = Vec::new();
    if unraw(&f.rust_name) != f.wire_name {
        let wire = &f.wire_name;
        serde_args.push(quote!(rename = #wire));
    }
    match presence {
        Presence::Defaulted => {
            let path = format!("{type_name}::{}", default_fn_name(f));
            serde_args.push(quote!(default = #path));
        }
        Presence::Optional => {
            serde_args.push(quote!(default, skip_serializing_if = "Option::is_none"));
        }
        Presence::Required | Presence::Nullable => {}
    }
    if serde_args.is_empty() {
        TokenStream::new()
    } else {
        quote!(#[serde(#(#serde_args),*)])
    }
}

/// The directions argument that ends an `open_enum!` or `open_int_enum!` call: nothing for
/// both, else the one the client uses and the other behind `serde-all`
/// (`ser, #[cfg(feature = "serde-all")] de`).
fn enum_directions(d: Directions) -> TokenStream {
    let other = unless_needed(false);
    match (d.ser, d.de) {
        (true, false) => quote!(ser, #other de),
        (false, true) => quote!(de, #other ser),
        _ => TokenStream::new(),
    }
}

/// An open string enum: one `open_enum!` call, which declares it (each variant documented
/// with its wire value as code) and writes its impls. A variant whose value the macro's
/// code span would not show as it is (`code` fences or escapes it) carries its docs in the
/// call.
fn enum_def(
    name: &proc_macro2::Ident,
    docs: &TokenStream,
    deprecated: &TokenStream,
    cfg: &TokenStream,
    directions: Directions,
    e: &EnumDef,
) -> TokenStream {
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire_name;
        let code = code(wire);
        if code == format!("`{wire}`") {
            quote!(#variant(#wire))
        } else {
            let doc = format!(" {code}");
            quote!(#variant(#wire, #doc))
        }
    });
    let fallback = ident(&e.fallback);
    let directions = enum_directions(directions);
    quote! {
        #cfg
        super::runtime::open_enum! {
            #docs
            #deprecated
            pub enum #name { #( #variants, )* ..#fallback(String) }
            #directions
        }
    }
}

/// An open integer enum: one `open_int_enum!` call, as [`enum_def`] (an integer's code span
/// is always its digits).
fn int_enum_def(
    name: &proc_macro2::Ident,
    docs: &TokenStream,
    deprecated: &TokenStream,
    cfg: &TokenStream,
    directions: Directions,
    e: &IntEnumDef,
) -> TokenStream {
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let magnitude = proc_macro2::Literal::u64_unsuffixed(v.value.unsigned_abs());
        if v.value < 0 {
            // Joint, so that prettyplease prints `-1` rather than `- 1`.
            let minus = proc_macro2::Punct::new('-', proc_macro2::Spacing::Joint);
            quote!(#variant(#minus #magnitude))
        } else {
            quote!(#variant(#magnitude))
        }
    });
    let fallback = ident(&e.fallback);
    let directions = enum_directions(directions);
    quote! {
        #cfg
        super::runtime::open_int_enum! {
            #docs
            #deprecated
            pub enum #name { #( #variants, )* ..#fallback(i64) }
            #directions
        }
    }
}

/// An integer literal without a suffix; negative values as `-` and the magnitude.
fn int_literal(value: i64) -> TokenStream {
    let magnitude = proc_macro2::Literal::u64_unsuffixed(value.unsigned_abs());
    if value < 0 {
        quote!(-#magnitude)
    } else {
        quote!(#magnitude)
    }
}

/// The expression of a field's default value.
fn default_expr(field_ty: &TypeRef, value: &DefaultValue) -> TokenStream {
    match value {
        DefaultValue::Bool(b) => quote!(#b),
        DefaultValue::Int(n) => int_literal(*n),
        DefaultValue::Float(x) => {
            let magnitude = proc_macro2::Literal::f64_unsuffixed(x.abs());
            if x.is_sign_negative() {
                quote!(-#magnitude)
            } else {
                quote!(#magnitude)
            }
        }
        DefaultValue::String(s) => quote!(::std::string::String::from(#s)),
        DefaultValue::Variant(variant) | DefaultValue::IntVariant(variant) => {
            let variant = ident(variant);
            match field_ty {
                TypeRef::Named(name) => {
                    let name = ident(name);
                    quote!(#name::#variant)
                }
                other => {
                    let ty = type_tokens(other, &TokenStream::new());
                    quote!(<#ty>::#variant)
                }
            }
        }
    }
}

fn body_type(body: Option<&crate::ir::ResponseBody>) -> Option<TokenStream> {
    body.map(|b| type_tokens(&b.ty, &TokenStream::new()))
}

/// The struct of a success response with headers: its body and headers.
fn success_struct_def(
    name: &proc_macro2::Ident,
    cfg: &TokenStream,
    s: &SuccessStructDef,
) -> TokenStream {
    let docs = doc_attrs(&format!(
        "A successful response of {}: its body and headers.",
        code(&s.operation_id)
    ));
    let body = body_type(s.body.as_ref()).map(|ty| {
        quote!(/// The response body.
        pub body: #ty,)
    });
    let headers = s.headers.iter().map(|h| {
        let name = ident(&h.rust_name);
        let ty = type_tokens(&h.ty, &TokenStream::new());
        let mut text = h.docs.as_deref().map(sanitize).unwrap_or_default();
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&format!(
            "Response header {}; `None` when absent.",
            code(&h.wire_name)
        ));
        let docs = doc_attrs(&text);
        quote!(#docs pub #name: ::std::option::Option<#ty>,)
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        #cfg
        pub struct #name {
            #body
            #(#headers)*
        }
    }
}

/// The enum of success responses that differ: a variant per status.
fn success_enum_def(
    name: &proc_macro2::Ident,
    cfg: &TokenStream,
    e: &SuccessEnumDef,
) -> TokenStream {
    let docs = doc_attrs(&format!(
        "The successful responses of {}, one variant per status.",
        code(&e.operation_id)
    ));
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let status = match v.status {
            SuccessStatus::Exact(code) => format!("Status {code}"),
            SuccessStatus::AnySuccess => "Another 2xx status".to_owned(),
        };
        let docs = doc_attrs(&match &v.docs {
            Some(d) => format!("{status}: {}", sanitize(d)),
            None => format!("{status}."),
        });
        match body_type(v.body.as_ref()) {
            Some(ty) => quote!(#docs #variant(#ty),),
            None => quote!(#docs #variant,),
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        #cfg
        pub enum #name {
            #(#variants)*
        }
    }
}

/// Whether values of `ty` have a `Display` that is their wire text.
pub fn is_plain(ty: &TypeRef, api: &Api) -> bool {
    match ty {
        TypeRef::String
        | TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F32
        | TypeRef::F64
        | TypeRef::Date
        | TypeRef::Uuid
        | TypeRef::Base64 => true,
        TypeRef::Named(name) => api.definition(name).is_some_and(|t| match &t.kind {
            TypeKind::Enum(_) | TypeKind::IntEnum(_) => true,
            TypeKind::Union(_)
            | TypeKind::ErrorEnum(_)
            | TypeKind::SuccessStruct(_)
            | TypeKind::SuccessEnum(_) => false,
            TypeKind::Alias(inner) => !matches!(inner, TypeRef::Named(_)) && is_plain(inner, api),
            TypeKind::Struct(_) => false,
        }),
        _ => false,
    }
}

fn union_def(
    name: &proc_macro2::Ident,
    docs: &TokenStream,
    deprecated: &TokenStream,
    cfg: &TokenStream,
    directions: Directions,
    u: &UnionDef,
) -> TokenStream {
    let fallback = ident(&u.fallback);
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let ty = type_tokens(&v.ty, &TokenStream::new());
        let text = match &v.tag_value {
            Some(tag) => format!(
                "The member selected by the discriminator value {}.",
                code(tag)
            ),
            None => "A member of the union.".to_owned(),
        };
        let docs = doc_attrs(&text);
        quote!(#docs #variant(#ty),)
    });
    let Some(tag) = &u.tag else {
        let (derives, other_derive) = serde_derives(directions);
        return quote! {
            #docs
            #deprecated
            #[derive(Debug, Clone, PartialEq #derives)]
            #other_derive
            #[serde(crate = "super::runtime::serde", untagged)]
            #cfg
            pub enum #name {
                #(#variants)*
                /// A value no member accepts, as received.
                #fallback(super::runtime::serde_json::Value),
            }
        };
    };
    let names: Vec<_> = u.variants.iter().map(|v| ident(&v.rust_name)).collect();
    let tags: Vec<_> = u
        .variants
        .iter()
        .filter_map(|v| v.tag_value.clone())
        .collect();
    // Decoding: the first member with a tag value takes it (a repeated value would be an
    // unreachable arm).
    let mut seen = std::collections::BTreeSet::new();
    let (decode_tags, decode_names): (Vec<_>, Vec<_>) = u
        .variants
        .iter()
        .filter_map(|v| Some((v.tag_value.clone()?, ident(&v.rust_name))))
        .filter(|(tag, _)| seen.insert(tag.clone()))
        .unzip();
    let ser_cfg = unless_needed(directions.ser);
    let de_cfg = unless_needed(directions.de);
    quote! {
        #docs
        #deprecated
        #[derive(Debug, Clone, PartialEq)]
        #cfg
        pub enum #name {
            #(#variants)*
            /// A value with a tag the document does not list, as received.
            #fallback(super::runtime::serde_json::Value),
        }

        #cfg
        #ser_cfg
        impl super::runtime::serde::Serialize for #name {
            fn serialize<S: super::runtime::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #( Self::#names(value) => super::runtime::serialize_tagged(serializer, #tag, #tags, value), )*
                    Self::#fallback(value) => super::runtime::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        #cfg
        #de_cfg
        impl<'de> super::runtime::serde::Deserialize<'de> for #name {
            fn deserialize<D: super::runtime::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <super::runtime::serde_json::Value as super::runtime::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#tag).and_then(super::runtime::serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #( Some(#decode_tags) => super::runtime::serde_json::from_value(value).map(Self::#decode_names).map_err(<D::Error as super::runtime::serde::de::Error>::custom), )*
                    _ => Ok(Self::#fallback(value)),
                }
            }
        }
    }
}

fn error_enum_def(
    name: &proc_macro2::Ident,
    docs: &TokenStream,
    cfg: &TokenStream,
    variants: &[ErrorVariant],
) -> TokenStream {
    let defs = variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let ty = type_tokens(&v.ty, &TokenStream::new());
        let covers = match v.status {
            ErrorStatus::Code(code) => format!("Status {code}"),
            ErrorStatus::Range(range) => format!("Statuses {range}00–{range}99"),
            ErrorStatus::Default => "Any other status".to_owned(),
        };
        let text = match &v.docs {
            Some(d) => format!("{covers}: {}", sanitize(d)),
            None => format!("{covers}."),
        };
        let docs = doc_attrs(&text);
        quote!(#docs #variant(#ty),)
    });
    let arms = variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let pattern = match v.status {
            ErrorStatus::Code(code) => {
                let code = proc_macro2::Literal::u16_unsuffixed(code);
                quote!(#code)
            }
            ErrorStatus::Range(range) => {
                let low = proc_macro2::Literal::u16_unsuffixed(range.saturating_mul(100));
                let high = proc_macro2::Literal::u16_unsuffixed(
                    range.saturating_mul(100).saturating_add(99),
                );
                quote!(#low..=#high)
            }
            ErrorStatus::Default => quote!(_),
        };
        quote!(#pattern => super::runtime::serde_json::from_slice(body).ok().map(Self::#variant),)
    });
    let has_default = variants.iter().any(|v| v.status == ErrorStatus::Default);
    let fallback = (!has_default).then(|| quote!(_ => None,));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, super::runtime::serde::Serialize)]
        #[serde(crate = "super::runtime::serde", untagged)]
        #cfg
        pub enum #name {
            #(#defs)*
        }

        #cfg
        impl #name {
            /// Decodes an error body by the status it came with; `None` when the body does not
            /// match the documented type.
            pub fn decode(status: u16, body: &[u8]) -> ::std::option::Option<Self> {
                #[allow(unreachable_patterns)]
                match status {
                    #(#arms)*
                    #fallback
                }
            }
        }
    }
}
