//! The `json_struct!` call of a struct, as tokens or as text.

use super::docs::doc_attrs_inline;
use super::ident;
use super::models::{
    Presence, default_fn_name, deprecated, field_doc_text, macro_directions, presence, short_type,
};
use crate::ir::{Api, Directions, StructDef};
use proc_macro2::TokenStream;
use quote::quote;

/// What `json_struct!`'s call says of a struct before its fields: its docs (sanitized
/// markdown), whether it is deprecated and whether it derives `Default`.
pub(super) struct StructHead<'a> {
    pub(super) docs: &'a str,
    pub(super) deprecated: bool,
    pub(super) derive_default: bool,
}

/// The `json_struct!` call that declares a struct and gives it its serde impls, constructor
/// and setters: the struct's docs and attributes, then each field with its docs and
/// attributes, position, wire name (`_` when it is the field's name), how it travels, the
/// type of its value, and how the constructor takes it or its setter, if any. Types name
/// `String`, `Vec`, `Option` and `Box` unqualified, to keep the call short (no generated type
/// takes these names). Written as text (see [`raw`](super::raw)): a field per line, docs as
/// `///` lines.
pub(super) fn json_struct_call(
    api: &Api,
    name: &proc_macro2::Ident,
    head: &StructHead<'_>,
    cfg: &TokenStream,
    directions: Directions,
    s: &StructDef,
) -> TokenStream {
    let setters = super::constructors::setter_names(s);
    let new = super::constructors::new_name(s);
    let has_new = new.is_some();
    let fields: Vec<(String, bool, TokenStream)> = s
        .fields
        .iter()
        .enumerate()
        .map(|(index, f)| {
            let setter = setters
                .get(index)
                .and_then(Option::as_deref)
                .map(|setter| super::constructors::setter_spec(api, f, setter));
            let index = proc_macro2::Literal::usize_unsuffixed(index);
            let field_name = ident(&f.rust_name);
            let wire = if f.rust_name == f.wire_name {
                quote!(_)
            } else {
                let wire = &f.wire_name;
                quote!(#wire)
            };
            let kind = match presence(f) {
                Presence::Defaulted => {
                    let function = ident(&default_fn_name(f));
                    quote!(default(#function))
                }
                Presence::Required => quote!(req),
                Presence::Nullable => quote!(nullable),
                Presence::Optional => quote!(opt),
            };
            let ty = short_type(&f.ty);
            let param = has_new
                .then(|| super::constructors::param_spec(api, f))
                .flatten();
            let tuple = match setter {
                Some(setter) => quote!((#index, #field_name, #wire, #kind, #ty, #setter)),
                None => quote!((#index, #field_name, #wire, #kind, #ty #param)),
            };
            (field_doc_text(f), f.deprecated, tuple)
        })
        .collect();
    let call = JsonStructCall {
        head,
        name,
        param: s.param().map(ident),
        directions: macro_directions(directions),
        fields,
        new,
    };
    super::raw::raw_item(|| call.tokens(cfg), || call.text(cfg))
}

/// A `json_struct!` call, to write as tokens or as text.
struct JsonStructCall<'a> {
    head: &'a StructHead<'a>,
    name: &'a proc_macro2::Ident,
    /// The type parameter of a generic struct.
    param: Option<proc_macro2::Ident>,
    directions: TokenStream,
    /// Each field: its docs (markdown), whether it is deprecated, and its tuple.
    fields: Vec<(String, bool, TokenStream)>,
    new: Option<proc_macro2::Ident>,
}

impl JsonStructCall<'_> {
    /// The call, after `cfg`, as tokens.
    fn tokens(&self, cfg: &TokenStream) -> TokenStream {
        let head = self.head;
        let docs = (!head.docs.is_empty()).then(|| doc_attrs_inline(head.docs));
        let struct_deprecated = deprecated(head.deprecated);
        let derive_default = head.derive_default.then(|| quote!(#[derive(Default)]));
        let specs = self.fields.iter().map(|(docs, field_deprecated, tuple)| {
            let docs = (!docs.is_empty()).then(|| doc_attrs_inline(docs));
            let field_deprecated = deprecated(*field_deprecated);
            quote!(#docs #field_deprecated #tuple)
        });
        let (name, directions) = (self.name, &self.directions);
        let generics = self.param.as_ref().map(|param| quote!(<#param>));
        let new = self.new.as_ref().map(|new| quote!(, #new));
        quote! {
            #cfg
            super::runtime::json_struct!(
                #docs #struct_deprecated #derive_default pub struct #name #generics, #directions [#(#specs),*] #new
            );
        }
    }

    /// The call, after `cfg`, as text: docs as `///` lines, a documented field on a line of its
    /// own, the list closed with the call (`], new);`).
    fn text(&self, cfg: &TokenStream) -> String {
        use super::raw::tokens_text;
        let head = self.head;
        let mut out = String::new();
        if !cfg.is_empty() {
            out.push_str(&tokens_text(cfg));
            out.push('\n');
        }
        out.push_str("super::runtime::json_struct!(\n");
        push_doc_lines(&mut out, "    ", head.docs);
        if head.deprecated {
            out.push_str("    #[deprecated]\n");
        }
        if head.derive_default {
            out.push_str("    #[derive(Default)]\n");
        }
        match &self.param {
            Some(param) => out.push_str(&format!("    pub struct {}<{param}>, ", self.name)),
            None => out.push_str(&format!("    pub struct {}, ", self.name)),
        }
        if !self.directions.is_empty() {
            out.push_str(&tokens_text(&self.directions));
            out.push(' ');
        }
        out.push('[');
        if !self.fields.is_empty() {
            out.push('\n');
            // A documented (or deprecated) field on a line of its own under its docs; runs of
            // the others share lines up to the width.
            let mut line = String::new();
            for (docs, field_deprecated, tuple) in &self.fields {
                let tuple = tokens_text(tuple);
                let alone = !docs.is_empty() || *field_deprecated;
                let width = line.chars().count() + 1 + tuple.chars().count() + 1;
                if !line.is_empty() && (alone || width > CALL_WIDTH) {
                    out.push_str(&line);
                    out.push('\n');
                    line.clear();
                }
                push_doc_lines(&mut out, "        ", docs);
                if *field_deprecated {
                    out.push_str("        #[deprecated]\n");
                }
                line.push_str(if line.is_empty() { "        " } else { " " });
                line.push_str(&tuple);
                line.push(',');
                if alone {
                    out.push_str(&line);
                    out.push('\n');
                    line.clear();
                }
            }
            if !line.is_empty() {
                out.push_str(&line);
                out.push('\n');
            }
            out.push_str("    ");
        }
        out.push(']');
        if let Some(new) = &self.new {
            out.push_str(&format!(", {new}"));
        }
        out.push_str(");\n");
        out
    }
}

/// The width up to which fields without docs share a line in a `json_struct!` call.
const CALL_WIDTH: usize = 100;

/// Docs as `///` lines at `indent`, as prettyplease prints them (`///` and the line after a
/// space when not empty, trailing spaces trimmed); nothing for empty docs.
fn push_doc_lines(out: &mut String, indent: &str, markdown: &str) {
    let markdown = markdown.trim_end();
    if markdown.is_empty() {
        return;
    }
    for line in markdown.split('\n') {
        out.push_str(indent);
        out.push_str("///");
        let line = line.trim_end_matches(' ');
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
        out.push('\n');
    }
}
