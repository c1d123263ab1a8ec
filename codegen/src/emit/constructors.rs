//! The constructor and setters of a struct with required fields: `new` takes the required
//! fields in declaration order, and a `with_<field>` setter per optional field, so that users
//! who cannot write `..Default::default()` (such a struct has no `Default`) see what the
//! service needs. Structs without required fields keep `Default` and get neither, which
//! keeps the generated code small.
//!
//! A struct whose serde impls come from the runtime's `json_struct!` gets both from there:
//! the call names the constructor ([`new_name`]), marks its parameters ([`param_spec`]) and
//! names each field's setter ([`setter_spec`]), so that the file does not spell out their bodies (about a quarter of a
//! `models.rs` otherwise). A struct that keeps serde's derive (`additionalProperties`) gets
//! them written out ([`constructors`]).
//!
//! They name `Option`, `Box`, `Into` and `String` unqualified, to stay short (a setter's
//! signature on one line): no generated type takes these names
//! ([`TYPE_NAMES`](crate::names::reserved::TYPE_NAMES)).

use super::docs::{code, doc_attrs};
use super::ident;
use super::models::{Presence, default_fn_name, presence, short_type};
use crate::ir::{Api, Field, StructDef, TypeKind, TypeRef};
use crate::names::{Scope, unraw};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The methods `new` and `with_...` of a struct without `Default`, written out (for its
/// `impl` block); nothing for the others.
pub(super) fn constructors(api: &Api, s: &StructDef) -> TokenStream {
    if s.derive_default {
        return TokenStream::new();
    }
    let (new, setters) = names(s);
    let new = ident(&new);
    let constructor = constructor(api, &new, s);
    let setters = s
        .fields
        .iter()
        .zip(setters)
        .filter_map(|(f, setter)| Some(setter_fn(api, &ident(&setter?), f)));
    quote! {
        #constructor
        #(#setters)*
    }
}

/// The name of the constructor `json_struct!` writes, for a struct without `Default`.
pub(super) fn new_name(s: &StructDef) -> Option<Ident> {
    (!s.derive_default).then(|| ident(&names(s).0))
}

/// How the constructor `json_struct!` writes takes a field, after its type: `=> new` for a
/// required or nullable field (the field's type; `Option` for a nullable one), with `into`
/// for `impl Into<T>` (strings) or `box Inner` for a boxed field, which it takes unboxed;
/// nothing for the other fields, which are not parameters.
pub(super) fn param_spec(api: &Api, f: &Field) -> Option<TokenStream> {
    match presence(f) {
        Presence::Required => Some(match &f.ty {
            TypeRef::Boxed(inner) => {
                let inner = short_type(inner);
                quote!(=> new box #inner)
            }
            ty if is_string(api, ty) => quote!(=> new into),
            _ => quote!(=> new),
        }),
        Presence::Nullable => Some(quote!(=> new)),
        Presence::Optional | Presence::Defaulted => None,
    }
}

/// The names of each field's setter, in field order (`None` for a field without one, and for
/// every field of a struct with `Default`, which has no setters).
pub(super) fn setter_names(s: &StructDef) -> Vec<Option<String>> {
    if s.derive_default {
        return Vec::new();
    }
    names(s).1
}

/// The name of the constructor and of each field's setter: the struct's associated functions
/// are its defaults' functions, then `new`, then a setter per optional field, named around
/// what came first.
fn names(s: &StructDef) -> (String, Vec<Option<String>>) {
    let default_fns: Vec<String> = s
        .fields
        .iter()
        .filter(|f| f.default.is_some())
        .map(default_fn_name)
        .collect();
    let mut scope = Scope::default();
    scope.reserve(
        default_fns.iter().map(String::as_str),
        "a field's default function",
    );
    let new = scope.claim_by("new", "the constructor").name;
    let setters = s
        .fields
        .iter()
        .map(|f| {
            matches!(presence(f), Presence::Optional | Presence::Defaulted).then(|| {
                scope
                    .claim_by(&setter_name(&f.rust_name), &f.wire_name)
                    .name
            })
        })
        .collect();
    (new, setters)
}

/// A field's setter as `json_struct!` takes it: `#[deprecated]` for a deprecated field, the
/// name, then `into` for a value taken as `impl Into<T>` (strings) or `box Inner` for a boxed
/// field, which takes the value unboxed.
pub(super) fn setter_spec(api: &Api, f: &Field, name: &str) -> TokenStream {
    let deprecated = f.deprecated.then(|| quote!(#[deprecated]));
    let name = ident(name);
    let how = match &f.ty {
        TypeRef::Boxed(inner) => {
            let inner = super::models::short_type(inner);
            quote!(box #inner)
        }
        ty if is_string(api, ty) => quote!(into),
        _ => TokenStream::new(),
    };
    quote!(#deprecated #name #how)
}

/// `pub fn new(required...) -> Self`: the required fields (nullable ones as their `Option`)
/// from its parameters, named as the fields (it binds no local of its own), the others
/// unset, at their default, or empty.
fn constructor(api: &Api, new: &Ident, s: &StructDef) -> TokenStream {
    let mut params = Vec::new();
    let mut wire_names = Vec::new();
    let mut values = Vec::new();
    for f in &s.fields {
        let field = ident(&f.rust_name);
        values.push(match presence(f) {
            Presence::Required => {
                wire_names.push(code(&f.wire_name));
                let (ty, value) = argument(api, &f.ty, &field);
                params.push(quote!(#field: #ty));
                match value {
                    Some(value) => quote!(#field: #value,),
                    None => quote!(#field,),
                }
            }
            Presence::Nullable => {
                wire_names.push(code(&f.wire_name));
                let ty = short_type(&f.ty);
                params.push(quote!(#field: Option<#ty>));
                quote!(#field,)
            }
            Presence::Optional => quote!(#field: Option::None,),
            Presence::Defaulted => {
                let function = ident(&default_fn_name(f));
                quote!(#field: Self::#function(),)
            }
        });
    }
    let additional = s.additional.as_ref().map(|a| {
        let field = ident(&a.rust_name);
        quote!(#field: ::std::collections::BTreeMap::new(),)
    });
    let mut text = format!(
        "Makes a value from its required fields (by wire name): {}.",
        wire_names.join(", ")
    );
    let optional = s.fields.len() > wire_names.len();
    if optional || additional.is_some() {
        text.push_str(
            " Optional fields start unset (or at their default) and the `with_` methods set \
             them",
        );
        if additional.is_some() {
            text.push_str("; additional properties start empty");
        }
        text.push('.');
    }
    let docs = doc_attrs(&text);
    // As at the crate root, so that the models need nothing around them.
    let allow = (params.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #docs
        #allow
        pub fn #new(#(#params),*) -> Self {
            Self { #(#values)* #additional }
        }
    }
}

/// `with_` and the field's name, without the underscore that made a keyword a name
/// (`self_` → `with_self`).
fn setter_name(field: &str) -> String {
    let field = unraw(field);
    let field = match field.strip_suffix('_') {
        Some(keyword) if crate::names::is_keyword(keyword) => keyword,
        _ => field,
    };
    format!("with_{field}")
}

/// `pub fn with_field(mut self, value: T) -> Self`.
fn setter_fn(api: &Api, setter: &Ident, f: &Field) -> TokenStream {
    let field = ident(&f.rust_name);
    let value = ident("value");
    let (ty, converted) = argument(api, &f.ty, &value);
    let converted = converted.unwrap_or_else(|| quote!(#value));
    let assigned = match presence(f) {
        Presence::Defaulted => converted,
        _ => quote!(Option::Some(#converted)),
    };
    let docs = if unraw(&f.rust_name) == f.wire_name {
        format!("Sets {}.", code(&f.wire_name))
    } else {
        format!(
            "Sets {} (the field {}).",
            code(&f.wire_name),
            code(unraw(&f.rust_name))
        )
    };
    let docs = doc_attrs(&docs);
    let deprecated = f.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #docs
        #deprecated
        pub fn #setter(mut self, #value: #ty) -> Self {
            self.#field = #assigned;
            self
        }
    }
}

/// The type a constructor or setter takes for a value of `ty`, and how the field's value is
/// made of it (`None`: as it is): strings by `impl Into`, boxed values unboxed (boxed here).
fn argument(api: &Api, ty: &TypeRef, binding: &Ident) -> (TokenStream, Option<TokenStream>) {
    match ty {
        TypeRef::Boxed(inner) => {
            let inner_ty = short_type(inner);
            (inner_ty, Some(quote!(Box::new(#binding))))
        }
        _ if is_string(api, ty) => {
            let ty = short_type(ty);
            (quote!(impl Into<#ty>), Some(quote!(#binding.into())))
        }
        _ => (short_type(ty), None),
    }
}

/// Whether `ty` is `String`, or an alias of it (followed a bounded number of steps).
fn is_string(api: &Api, ty: &TypeRef) -> bool {
    let mut ty = ty;
    for _ in 0..32 {
        match ty {
            TypeRef::String => return true,
            TypeRef::Named(name) => match api.type_named(name).map(|t| &t.kind) {
                Some(TypeKind::Alias(target)) => ty = target,
                _ => return false,
            },
            _ => return false,
        }
    }
    false
}
