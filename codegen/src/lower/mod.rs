//! Stage 2: `openapiv3::OpenAPI` → [`ir::Api`](crate::ir::Api).
//!
//! Lowering resolves references, names every type and member, decides Rust types and checks
//! what it reads. It collects every error and warning instead of stopping at the first, and it
//! never builds tokens.

mod checks;
mod defaults;
mod directions;
mod features;
mod generic;
mod graph;
mod identical;
mod operation;
mod schema;
mod security;
#[cfg(test)]
mod tests;
mod types;
mod webhooks;

pub(crate) use schema::{MAX_TUPLE, TUPLE_EXTENSION};

use crate::error::{Error, Location, Warning};
use crate::ir::{Api, RetryDefaults, SecurityScheme};
use crate::names::{Holder, Scope};
use crate::parse::targets::{Referable, Target, Targets, is_elsewhere_for};
use crate::pointer::join as pointer;
use openapiv3::{OpenAPI, ReferenceOr};
use std::collections::BTreeMap;

/// Lowers a parsed document, with the schemas its `$ref`s outside `components.schemas` point
/// to ([`crate::parse::targets::resolve`]). On failure, returns every error found.
pub fn lower(
    file: &str,
    doc: &OpenAPI,
    raw: &serde_json::Value,
    targets: &Targets,
    reserved_methods: &[String],
) -> Result<(Api, Vec<Warning>), Vec<Error>> {
    let mut cx = Lowering::new(file, doc, raw, targets);
    cx.reserved_methods = reserved_methods.to_vec();
    cx.claim_component_names();
    cx.lower_components();
    let (client_params, mut operations) = operation::lower_operations(&mut cx);
    operation::route_operations(&mut cx, &mut operations);
    defaults::apply_defaults(&mut cx);
    let retry = retry_defaults(&mut cx, doc);
    let request_id_header = request_id_header(&mut cx, doc);
    let webhook_payloads = webhooks::payloads(&cx);
    schema::box_recursive_fields(cx.types.as_mut_slice());
    checks::alias_cycles(&mut cx);
    checks::document(&mut cx);
    let mut types = std::mem::take(&mut cx.types).into_sorted();
    identical::join_identical(&mut types);
    generic::join_generic(&mut types, &mut cx.type_names);
    let response_types = operation::response_types(&operations);
    if !cx.errors.is_empty() {
        return Err(cx.errors);
    }
    let api = Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        description: doc.info.description.clone(),
        default_server: default_server(doc),
        security: std::mem::take(&mut cx.schemes),
        types,
        response_types,
        client_params,
        operations,
        retry,
        request_id_header,
        webhook_payloads,
        gates: crate::ir::Gates::default(),
    };
    let mut warnings = cx.warnings;
    warnings.sort();
    warnings.dedup();
    Ok((api, warnings))
}

/// Sets which serde impls each type of a lowered API needs (see [`crate::ir::Directions`]).
pub fn directions(api: &mut Api) {
    directions::directions(api);
}

/// The cargo features per tag of a lowered API (see [`crate::ir::Gates`]).
pub fn gates(api: &Api) -> crate::ir::Gates {
    features::gates(api)
}

/// The state shared by the lowering passes.
pub(crate) struct Lowering<'a> {
    pub file: &'a str,
    pub doc: &'a OpenAPI,
    /// The document as plain JSON, for the whole-document checks and messages' contexts.
    pub raw: &'a serde_json::Value,
    /// The schemas `$ref`s outside `components.schemas` point to, resolved before lowering.
    pub targets: &'a Targets,
    /// Types lowered for references outside `components.schemas`, by reference.
    pub pointer_types: BTreeMap<String, crate::ir::TypeRef>,
    /// Such references being lowered now (a cycle through them falls back to JSON).
    pub pointer_stack: Vec<String>,
    /// The `$ref`s that `allOf` merges being lowered now copy from (see `schema::lower_shape`).
    pub merging: Vec<String>,
    pub errors: Vec<Error>,
    pub warnings: Vec<Warning>,
    /// Every type name handed out in the crate.
    pub type_names: Scope,
    /// Component schema name → Rust type name.
    pub schema_names: BTreeMap<String, String>,
    /// The types made so far, with an index by name.
    pub types: types::TypeTable,
    /// Named types lowered from inline schemas, by the schema's pointer: a schema reached
    /// twice (a shared response, an `allOf` part, a `$ref` into `paths`) is one type.
    pub inline_types: BTreeMap<String, crate::ir::TypeRef>,
    /// Method names hand-written extensions define on the client (`Input::reserved_methods`).
    pub reserved_methods: Vec<String>,
    /// Property defaults waiting for every type to be lowered (see `defaults::apply_defaults`).
    pub pending_defaults: Vec<defaults::PendingDefault>,
    /// The document's security schemes (see `security::schemes`), lowered before operations.
    pub schemes: Vec<SecurityScheme>,
}

impl<'a> Lowering<'a> {
    fn new(
        file: &'a str,
        doc: &'a OpenAPI,
        raw: &'a serde_json::Value,
        targets: &'a Targets,
    ) -> Self {
        Self {
            file,
            doc,
            raw,
            targets,
            pointer_types: BTreeMap::new(),
            pointer_stack: Vec::new(),
            merging: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            type_names: {
                let mut scope = Scope::default();
                scope.reserve(
                    crate::names::reserved::TYPE_NAMES.iter().copied(),
                    "a name the generated crate keeps for itself",
                );
                scope
            },
            schema_names: BTreeMap::new(),
            types: types::TypeTable::default(),
            reserved_methods: Vec::new(),
            pending_defaults: Vec::new(),
            schemes: Vec::new(),
            inline_types: BTreeMap::new(),
        }
    }

    pub fn error(&mut self, location: Location, message: impl Into<String>) {
        let location = self.with_context(location);
        self.errors.push(Error::Semantic {
            file: self.file.to_owned(),
            location,
            message: message.into(),
        });
    }

    pub fn warn(&mut self, location: Location, message: impl Into<String>) {
        let location = self.with_context(location);
        self.warnings.push(Warning {
            location,
            message: message.into(),
        });
    }

    /// The location, tagged with the operationId or schema name its pointer falls under.
    fn with_context(&self, mut location: Location) -> Location {
        if location.context.is_none() {
            location.context = crate::parse::walk::context(self.raw, &location.pointer);
        }
        location
    }

    fn claim_component_names(&mut self) {
        let Some(components) = &self.doc.components else {
            return;
        };
        for name in components.schemas.keys() {
            let wanted = crate::names::camel(name);
            let claim = self.type_names.claim_by(&wanted, name);
            let held = match &claim.displaced_by {
                Some(Holder::Claimed(other)) => Some(format!(
                    "schemas {other:?} and {name:?} both become `{wanted}` in Rust"
                )),
                Some(Holder::Reserved(why)) => Some(format!(
                    "schema {name:?} would be the type `{wanted}`, {why}"
                )),
                None => None,
            };
            if let Some(held) = held {
                self.warn(
                    Location::new(pointer("#/components/schemas", name)),
                    format!("{held}; {name:?} is named `{}` instead", claim.name),
                );
            }
            self.schema_names.insert(name.clone(), claim.name);
        }
    }

    fn lower_components(&mut self) {
        let Some(components) = &self.doc.components else {
            return;
        };
        for (name, schema) in &components.schemas {
            let Some(rust_name) = self.schema_names.get(name).cloned() else {
                continue;
            };
            let at = pointer("#/components/schemas", name);
            schema::lower_named(self, &rust_name, schema, &at);
        }
    }

    /// Follows a local `$ref` into `components.<kind>` (through chains of references),
    /// reporting dangling and remote references as errors.
    pub fn resolve<'d, T: Referable>(
        &mut self,
        item: &'d ReferenceOr<T>,
        kind: &str,
        map: ComponentMap<T>,
        at: &str,
    ) -> Option<&'d T>
    where
        'a: 'd,
    {
        self.resolve_at(item, kind, map, at).map(|(item, _)| item)
    }

    /// Like [`Lowering::resolve`], and also says where the item stands: `at` for an inline item, the
    /// component's pointer (`#/components/responses/Problem`) and name for a reference. What
    /// is lowered from a shared component is lowered at the component, so every use of it
    /// gets the same types.
    pub fn resolve_at<'d, T: Referable>(
        &mut self,
        item: &'d ReferenceOr<T>,
        kind: &str,
        map: ComponentMap<T>,
        at: &str,
    ) -> Option<(&'d T, Placed)>
    where
        'a: 'd,
    {
        let mut reference = match item {
            ReferenceOr::Item(item) => return Some((item, Placed::Inline(at.to_owned()))),
            ReferenceOr::Reference { reference } => reference.clone(),
        };
        for _ in 0..64 {
            // Anywhere else in the document: resolved before lowering.
            if is_elsewhere_for(kind, &reference) {
                let targets: &'a Targets = self.targets;
                match T::target(targets, &reference) {
                    Some(Ok(Target::Item(item))) => {
                        let place = crate::pointer::local(&reference)
                            .map_or_else(|_| reference.clone(), |p| p.into_owned());
                        return Some((item, Placed::Inline(place)));
                    }
                    Some(Ok(Target::Reference(next))) => {
                        reference = next.to_owned();
                        continue;
                    }
                    Some(Err(message)) => {
                        self.error(Location::new(at), message);
                        return None;
                    }
                    None => {}
                }
            }
            let name = self.component_name(&reference, kind, at)?;
            let doc: &'d OpenAPI = self.doc;
            match doc.components.as_ref().and_then(|c| map(c).get(&name)) {
                Some(ReferenceOr::Item(item)) => {
                    let at = pointer(&format!("#/components/{kind}"), &name);
                    return Some((item, Placed::Component { at, name }));
                }
                Some(ReferenceOr::Reference { reference: next }) => reference = next.clone(),
                None => {
                    self.error(
                        Location::new(at),
                        format!(
                            "`$ref: {reference}` points to nothing: there is no `{name}` in \
                             `components.{kind}`"
                        ),
                    );
                    return None;
                }
            }
        }
        self.error(
            Location::new(at),
            format!("the `$ref` chain through `{reference}` is a cycle"),
        );
        None
    }

    /// The name of the component of `kind` that `reference` names, or an error at `at`.
    fn component_name(&mut self, reference: &str, kind: &str, at: &str) -> Option<String> {
        let message = match crate::pointer::local(reference) {
            Ok(pointer) => match crate::pointer::component(&pointer) {
                Some(c) if c.kind == kind && !c.inner => return Some(c.name),
                Some(c) if c.kind == kind => format!(
                    "`$ref: {reference}` points inside the component `{}`; only a whole \
                     component (`#/components/{kind}/<name>`) can be referred to here",
                    c.name
                ),
                _ => format!("`$ref: {reference}` must point into `#/components/{kind}/`"),
            },
            Err(crate::pointer::RefError::Remote) => format!(
                "`$ref: {reference}` points outside this document; only local \
                 references (`#/components/...`) are supported: bundle the document first"
            ),
            Err(problem) => format!(
                "`$ref: {reference}` is not a reference into this document: {problem}; \
                 write `#/components/{kind}/<name>`"
            ),
        };
        self.error(Location::new(at), message);
        None
    }
}

/// Where a resolved item stands in the document.
#[derive(Debug, Clone)]
pub(crate) enum Placed {
    /// Inline, at this pointer.
    Inline(String),
    /// A component: its pointer and its name.
    Component { at: String, name: String },
}

impl Placed {
    /// The item's pointer.
    pub fn at(&self) -> &str {
        match self {
            Placed::Inline(at) | Placed::Component { at, .. } => at,
        }
    }

    /// The hint for types named after the item: the component's name, or `inline`.
    pub fn hint(&self, inline: &str) -> String {
        match self {
            Placed::Inline(_) => inline.to_owned(),
            Placed::Component { name, .. } => crate::names::camel(name),
        }
    }
}

/// Picks one map out of `components`.
pub(crate) type ComponentMap<T> =
    fn(&openapiv3::Components) -> &indexmap::IndexMap<String, ReferenceOr<T>>;

/// Reads `x-retry` at the document root: `statuses` (integers), `errorCodeHeader` (a header
/// name) and `transientErrorCodes` (strings).
fn retry_defaults(cx: &mut Lowering<'_>, doc: &OpenAPI) -> RetryDefaults {
    let Some(extension) = doc.extensions.get("x-retry") else {
        return RetryDefaults::default();
    };
    let mut retry = RetryDefaults::default();
    let location = Location::new("#/x-retry");
    match extension.get("statuses") {
        Some(serde_json::Value::Array(values)) => {
            for value in values {
                match value
                    .as_u64()
                    .and_then(|v| u16::try_from(v).ok())
                    .filter(|v| (100..600).contains(v))
                {
                    Some(status) => retry.statuses.push(status),
                    None => cx.warn(
                        location.clone(),
                        format!("`statuses` entry {value} is not an HTTP status; ignored"),
                    ),
                }
            }
        }
        Some(_) => cx.warn(
            location.clone(),
            "`statuses` must be an array of HTTP statuses; ignored",
        ),
        None => {}
    }
    retry.error_code_header = extension
        .get("errorCodeHeader")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    if let Some(codes) = extension
        .get("transientErrorCodes")
        .and_then(|v| v.as_array())
    {
        retry.transient_error_codes = codes
            .iter()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
    }
    retry
}

/// The `x-client-request-id` extension: the header that carries a fresh client request id
/// per attempt.
fn request_id_header(cx: &mut Lowering<'_>, doc: &OpenAPI) -> Option<String> {
    let extension = doc.extensions.get("x-client-request-id")?;
    let name = extension.as_str().filter(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    });
    if name.is_none() {
        cx.warn(
            Location::new("#/x-client-request-id"),
            "`x-client-request-id` must be the name of a request header (say \
             `x-ms-client-request-id`); ignored",
        );
    }
    name.map(str::to_ascii_lowercase)
}

fn default_server(doc: &OpenAPI) -> Option<String> {
    let server = doc.servers.first()?;
    let mut url = server.url.clone();
    if let Some(variables) = &server.variables {
        for (name, variable) in variables {
            url = url.replace(&format!("{{{name}}}"), &variable.default);
        }
    }
    Some(url)
}
