//! The intermediate representation: plain data describing the crate to emit.
//!
//! Lowering (`lower`) builds it from an OpenAPI document; emission (`emit`) turns it into
//! tokens. It holds no `openapiv3` types and no tokens, so each side can change alone. Every
//! name is stored twice: the wire name the service uses and the Rust name the crate uses.
//! Collections are `Vec`s in document order, so output order never depends on hashing.

use std::collections::BTreeMap;

/// The whole API, ready for emission.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The first server URL with its variables replaced by their defaults, if any.
    pub default_server: Option<String>,
    /// Security schemes, for documentation of the credential hook.
    pub security: Vec<SecurityScheme>,
    /// Named types (component schemas, inline schemas that need a type, error enums), sorted
    /// by Rust name: [`Api::type_named`] relies on the order.
    pub types: Vec<TypeDef>,
    /// The success types of operations whose success is not a plain body
    /// ([`TypeKind::SuccessStruct`], [`TypeKind::SuccessEnum`]), in operation order; emitted
    /// after `types`.
    pub response_types: Vec<TypeDef>,
    /// Parameters shared by every operation with a default value, held by the client.
    pub client_params: Vec<ClientParam>,
    /// Operations in document order (paths, then methods in `get, put, post, delete, options,
    /// head, patch, trace` order).
    pub operations: Vec<Operation>,
    /// Which failures are worth another try (from the `x-retry` extension, or the defaults).
    pub retry: RetryDefaults,
    /// The request header that carries a fresh client request id per attempt (the
    /// `x-client-request-id` extension at the document's root, say `x-ms-client-request-id`).
    pub request_id_header: Option<String>,
    /// The named types that webhooks (requests the API sends to its users' servers) carry,
    /// sorted: the crate's users receive them, so they travel in the `de` direction
    /// ([`Directions`]).
    pub webhook_payloads: Vec<String>,
    /// Which cargo features compile which operations and types (features per tag); empty,
    /// everything always compiled, unless asked for.
    pub gates: Gates,
}

/// Cargo features per tag: which features compile each operation and each named type, so
/// users of a large API compile only the parts they use.
///
/// Every combination of features compiles, none included: what is compiled always (the crate
/// root, the client's constructors, the server's router) names only types compiled always.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gates {
    /// Every feature the crate declares, sorted; empty when features per tag are off.
    pub features: Vec<String>,
    /// operationId → the features that compile the operation (any one of them does).
    pub operations: BTreeMap<String, Vec<String>>,
    /// Rust type name → the features that compile the type (any one of them does). A type
    /// not listed is compiled always.
    pub types: BTreeMap<String, Vec<String>>,
}

impl Gates {
    /// Whether anything is gated.
    pub fn any(&self) -> bool {
        !self.features.is_empty()
    }

    /// The features that compile the operation `operation_id` (empty: always compiled).
    pub fn of_operation(&self, operation_id: &str) -> &[String] {
        self.operations.get(operation_id).map_or(&[], Vec::as_slice)
    }

    /// The features that compile the type `rust_name` (empty: always compiled).
    pub fn of_type(&self, rust_name: &str) -> &[String] {
        self.types.get(rust_name).map_or(&[], Vec::as_slice)
    }
}

impl Api {
    /// The error body type every operation shares, if they all share one (the crate root's
    /// `Error` and the client's constructors name it).
    pub fn common_error_type(&self) -> Option<&TypeRef> {
        let (first, rest) = self.operations.split_first()?;
        rest.iter()
            .all(|op| op.error_type == first.error_type)
            .then_some(&first.error_type)
    }

    /// The definition of the type named `name`: its own, or for a type made an alias because
    /// it is identical to another ([`TypeDef::identical`]), that type's.
    pub fn definition(&self, name: &str) -> Option<&TypeDef> {
        let def = self.type_named(name)?;
        match (&def.kind, def.identical) {
            (TypeKind::Alias(TypeRef::Named(target)), true) => self.type_named(target),
            _ => Some(def),
        }
    }

    /// The type of [`Api::types`] named `name` (a binary search: `types` is sorted by name).
    pub fn type_named(&self, name: &str) -> Option<&TypeDef> {
        let at = self
            .types
            .binary_search_by(|t| t.rust_name.as_str().cmp(name))
            .ok()?;
        self.types.get(at)
    }
}

/// Which failures the generated client retries by default (`x-retry` at the document root).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RetryDefaults {
    /// Statuses worth another try; empty means the runtime's defaults.
    pub statuses: Vec<u16>,
    /// The response header carrying a textual error code.
    pub error_code_header: Option<String>,
    /// Error codes in that header worth another try.
    pub transient_error_codes: Vec<String>,
}

/// A security scheme of `components.securitySchemes`: how its credential goes on the wire,
/// and the client method that sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme {
    /// The scheme's key in `components.securitySchemes`.
    pub name: String,
    /// A one-line summary, e.g. "API key in header `Authorization`".
    pub summary: String,
    /// The scheme's description.
    pub description: Option<String>,
    /// What kind of credential it is and where it goes.
    pub kind: SchemeKind,
    /// The client method that sets its credential (`with_<scheme>_auth`).
    pub setter: String,
}

/// The kind of a security scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `apiKey`: the value in the header, query parameter or cookie `name`.
    ApiKey {
        /// Where the key goes.
        location: ApiKeyLocation,
        /// The header, query parameter or cookie name.
        name: String,
    },
    /// `http` `basic`: `Authorization: Basic base64(user:password)`.
    Basic,
    /// `http` `bearer`, `openIdConnect`, and `oauth2` without a client-credentials flow:
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// Another `http` scheme: `Authorization: <scheme> <value>`.
    HttpOther {
        /// The scheme as written (`digest`, `hoba`...).
        scheme: String,
    },
    /// `oauth2` with a `clientCredentials` flow: a token fetched from `token_url`.
    ClientCredentials {
        /// The flow's `tokenUrl`.
        token_url: String,
        /// The flow's scopes, in document order.
        scopes: Vec<String>,
    },
}

/// Where an `apiKey` scheme puts its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// An operation's security requirements: ordered alternatives, each a set of scheme names
/// (all of which apply); an empty alternative allows anonymous calls.
pub type Requirements = Vec<Vec<String>>;

/// A reference to a Rust type, as used by fields, parameters and bodies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// An RFC 3339 date-time.
    DateTime,
    /// A calendar date (`YYYY-MM-DD`).
    Date,
    /// Any JSON value.
    Json,
    /// A list.
    Vec(Box<TypeRef>),
    /// A map from string keys.
    Map(Box<TypeRef>),
    /// A generated type, by its Rust name.
    Named(String),
    /// A heap allocation, to break a cycle of by-value containment.
    Boxed(Box<TypeRef>),
    /// Raw bytes.
    Bytes,
    /// A UUID (`format: uuid`).
    Uuid,
    /// Bytes sent as base64 text (`format: byte`).
    Base64,
    /// A list item or map value that may be `null` (`Option`); fields and parameters carry
    /// their own optionality instead.
    Nullable(Box<TypeRef>),
    /// A JSON array of fixed length with a type per position (OpenAPI 3.1 `prefixItems`).
    Tuple(Vec<TypeRef>),
    /// A generated struct generic over one type, by its Rust name, with that type: the
    /// target of the aliases that lowering's `generic` pass makes.
    Generic(String, Box<TypeRef>),
    /// The type parameter of the generic struct whose field this is, by its name.
    Param(String),
}

/// A named type to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The Rust type name (unique in the crate).
    pub rust_name: String,
    /// The JSON pointer of the schema it comes from.
    pub source: String,
    /// Documentation from the schema's title and description.
    pub docs: Option<String>,
    /// Marked deprecated in the document.
    pub deprecated: bool,
    /// The shape.
    pub kind: TypeKind,
    /// Which serde impls the client needs (see [`Directions`]).
    pub directions: Directions,
    /// Made an alias ([`TypeKind::Alias`] of a [`TypeRef::Named`]) because its definition is
    /// the same as the target's: an inline schema repeated (lowering's `identical` pass).
    pub identical: bool,
}

/// Which directions of serde a named type travels in for the client: `ser` when something the
/// client sends (a request body, a parameter) reaches it, `de` when something it receives (a
/// success or error body, a response header, a webhook's payload) does. Error bodies count as
/// both (the runtime writes them out in its `Display`), and so does a type nothing reaches. Emission gives a
/// model the impls of its directions, and the others behind the crate's `serde-all` feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Directions {
    /// Needs `Serialize`.
    pub ser: bool,
    /// Needs `Deserialize`.
    pub de: bool,
}

/// The generated crate's feature that gives every model both serde directions (its `server`
/// feature turns it on).
pub const SERDE_ALL_FEATURE: &str = "serde-all";

impl Directions {
    /// Both directions: what every type has until lowering decides.
    pub const BOTH: Directions = Directions {
        ser: true,
        de: true,
    };
}

impl Default for Directions {
    fn default() -> Self {
        Self::BOTH
    }
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(StructDef),
    /// A string enum, open to values the document does not list.
    Enum(EnumDef),
    /// An integer enum, open to values the document does not list.
    IntEnum(IntEnumDef),
    /// Another name for a type (`pub type A = B;`).
    Alias(TypeRef),
    /// One of several shapes (`oneOf`/`anyOf`), with a fallback for anything else.
    Union(UnionDef),
    /// The error bodies of an operation whose error responses differ: a variant per status
    /// (or range, or `default`), decoded by the status of the response.
    ErrorEnum(Vec<ErrorVariant>),
    /// The success of an operation whose one success response declares headers
    /// ([`Success::WithHeaders`]): a struct with the body and the headers.
    SuccessStruct(SuccessStructDef),
    /// The success of an operation whose success responses differ ([`Success::Enum`]): a
    /// variant per status.
    SuccessEnum(SuccessEnumDef),
}

/// A success response with headers, as a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessStructDef {
    /// The operationId of the operation it belongs to.
    pub operation_id: String,
    /// The body, if the response has one (the field `body`).
    pub body: Option<ResponseBody>,
    /// The headers, a field each.
    pub headers: Vec<ResponseHeader>,
}

/// Success responses that differ, as an enum.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessEnumDef {
    /// The operationId of the operation it belongs to.
    pub operation_id: String,
    /// The variants.
    pub variants: Vec<SuccessVariant>,
}

/// One documented error response of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorVariant {
    /// The Rust variant name (`Status404`, `Status4xx`, `Default`).
    pub rust_name: String,
    /// Which statuses it covers.
    pub status: ErrorStatus,
    /// The body type.
    pub ty: TypeRef,
    /// The response description.
    pub docs: Option<String>,
}

/// The statuses an error response covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErrorStatus {
    /// One status code.
    Code(u16),
    /// `4XX`: every code from 400 to 499.
    Range(u16),
    /// `default`: every status not listed.
    Default,
}

/// A `oneOf`/`anyOf`: an enum with a variant per member.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionDef {
    /// The variants in document order.
    pub variants: Vec<UnionVariant>,
    /// The discriminator property, when the union is tagged (every variant then has a
    /// `tag_value`).
    pub tag: Option<String>,
    /// The Rust name of the variant that holds any other value as JSON.
    pub fallback: String,
}

/// One member of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// The Rust variant name.
    pub rust_name: String,
    /// The member's type.
    pub ty: TypeRef,
    /// The discriminator value that selects this member.
    pub tag_value: Option<String>,
}

/// An object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// Properties in document order.
    pub fields: Vec<Field>,
    /// `additionalProperties` as a map of the extra keys, flattened into the struct.
    pub additional: Option<AdditionalField>,
    /// Every field is optional, so the struct can derive `Default`.
    pub derive_default: bool,
}

impl StructDef {
    /// The type parameter of a struct generic over one type (some field mentions it).
    pub fn param(&self) -> Option<&str> {
        self.fields.iter().find_map(|f| f.ty.param())
    }
}

impl TypeRef {
    /// The type parameter this type mentions, if any.
    pub fn param(&self) -> Option<&str> {
        match self {
            TypeRef::Param(name) => Some(name),
            TypeRef::Vec(inner)
            | TypeRef::Map(inner)
            | TypeRef::Boxed(inner)
            | TypeRef::Nullable(inner)
            | TypeRef::Generic(_, inner) => inner.param(),
            TypeRef::Tuple(items) => items.iter().find_map(TypeRef::param),
            _ => None,
        }
    }
}

/// The field holding `additionalProperties`.
#[derive(Debug, Clone, PartialEq)]
pub struct AdditionalField {
    /// Its Rust name.
    pub rust_name: String,
    /// The value type.
    pub value: TypeRef,
}

/// One property of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The JSON key.
    pub wire_name: String,
    /// The Rust field name (may be a raw identifier such as `r#type`).
    pub rust_name: String,
    /// The value type, without the `Option` that optional and nullable fields get.
    pub ty: TypeRef,
    /// Listed in `required`: always present.
    pub required: bool,
    /// `nullable: true`: `null` is a valid value.
    pub nullable: bool,
    /// Documentation.
    pub docs: Option<String>,
    /// Marked deprecated.
    pub deprecated: bool,
    /// The schema's `default`, when the field is optional and the value fits its type: the
    /// field is then not an `Option` and takes this value when the key is absent.
    pub default: Option<DefaultValue>,
}

impl Field {
    /// Whether the Rust field is an `Option`.
    pub fn is_optional(&self) -> bool {
        (!self.required || self.nullable) && self.default.is_none()
    }
}

/// A schema's `default` value, checked against the field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    /// A `bool`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    String(String),
    /// A known variant of a string enum, by its Rust name.
    Variant(String),
    /// A known variant of an integer enum, by its Rust name.
    IntVariant(String),
}

/// An integer enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntEnumDef {
    /// The known values in document order.
    pub variants: Vec<IntVariant>,
    /// The Rust name of the variant that holds any other value.
    pub fallback: String,
}

/// One known value of an integer enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntVariant {
    /// The value on the wire.
    pub value: i64,
    /// The Rust variant name.
    pub rust_name: String,
}

/// A string enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDef {
    /// The known values in document order.
    pub variants: Vec<Variant>,
    /// The Rust name of the variant that holds any other value.
    pub fallback: String,
}

/// One known enum value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The value on the wire.
    pub wire_name: String,
    /// The Rust variant name.
    pub rust_name: String,
}

/// A query parameter that every operation takes, with a default: it lives in the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientParam {
    /// The wire name, e.g. `api-version`.
    pub wire_name: String,
    /// The Rust name, e.g. `api_version`.
    pub rust_name: String,
    /// The default value sent unless the caller sets another.
    pub default: String,
    /// Documentation.
    pub docs: Option<String>,
}

/// HTTP methods OpenAPI 3.0 knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl Method {
    /// The method as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

/// One operation: a method of the client.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The operationId (or the name made from method and path when there is none).
    pub operation_id: String,
    /// The Rust method name.
    pub rust_name: String,
    /// The name of the request builder type the method returns (in the `requests` module).
    pub builder: String,
    /// The HTTP method.
    pub method: Method,
    /// The path template as written in the document, e.g. `/jobs/v2/{id}`.
    pub path: String,
    /// The path split into segments.
    pub segments: Vec<Segment>,
    /// The path as the generated server's router matches it (`/jobs/v2/{id}`, parameters by
    /// wire name); `None` when a segment mixes text and parameters, which the router cannot
    /// match: lowering has warned, and the server does not serve the operation.
    pub route: Option<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Marked deprecated.
    pub deprecated: bool,
    /// Parameters in signature order: path (template order), then query, header, cookie.
    pub params: Vec<Param>,
    /// The request body, when there is one.
    pub body: Option<RequestBody>,
    /// What a successful call returns.
    pub success: Success,
    /// The body type of error responses (`Json` when they differ or are not declared).
    pub error_type: TypeRef,
    /// The JSON pointer of the operation.
    pub source: String,
    /// The operation's tags, in document order.
    pub tags: Vec<String>,
    /// Sending the request twice has the same effect as once (GET, HEAD, OPTIONS, PUT, DELETE,
    /// TRACE, or `x-idempotent: true`), so the client may retry it.
    pub idempotent: bool,
    /// How to follow pages, when the operation declares `x-paging`.
    pub paging: Option<Paging>,
    /// The operation's security requirements (its own `security`, else the document's);
    /// `None` when neither says anything.
    pub security: Option<Requirements>,
}

/// How a paged operation hands out the next page (`x-paging` on the operation).
#[derive(Debug, Clone, PartialEq)]
pub struct Paging {
    /// The Rust name of the stream method (the page method keeps the operation's name plus
    /// `_page`).
    pub stream_name: String,
    /// The name of the stream's request builder type (in the `requests` module).
    pub stream_builder: String,
    /// The Rust name of the parameter carrying the continuation token in a request.
    pub continuation_param: String,
    /// The Rust name of the response-header field carrying the next token.
    pub continuation_field: String,
    /// The type of one item.
    pub item: TypeRef,
}

/// One path segment: literal text and parameters, percent-encoded as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The parts in order.
    pub parts: Vec<SegmentPart>,
}

/// Literal text or a path parameter within a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentPart {
    /// Literal text.
    Literal(String),
    /// The path parameter with this Rust name.
    Param(String),
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

/// A method parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The wire name.
    pub wire_name: String,
    /// The Rust argument name.
    pub rust_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// The value type.
    pub ty: TypeRef,
    /// Required (path parameters always are).
    pub required: bool,
    /// How a query parameter's value is written (`style` and `explode`).
    pub style: QueryStyle,
    /// Documentation.
    pub docs: Option<String>,
}

/// How a query parameter is serialized (OpenAPI `style` and `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryStyle {
    /// `form`, exploded (the default): `id=1&id=2`; object properties as their own pairs.
    #[default]
    FormExploded,
    /// `form` with `explode: false`: `id=1,2`; objects as `key,value,key,value`.
    Form,
    /// `spaceDelimited`: `id=1%202`.
    SpaceDelimited,
    /// `pipeDelimited`: `id=1|2`.
    PipeDelimited,
    /// `deepObject`: `filter[name]=a&filter[size]=2`.
    DeepObject,
}

impl QueryStyle {
    /// The character that joins the items of a list into one value (`,` for `form`, a space
    /// for `spaceDelimited`, `|` for `pipeDelimited`); `None` when each item is a pair of its
    /// own (`form` exploded) or the value is an object (`deepObject`).
    pub fn separator(self) -> Option<char> {
        match self {
            QueryStyle::Form => Some(','),
            QueryStyle::SpaceDelimited => Some(' '),
            QueryStyle::PipeDelimited => Some('|'),
            QueryStyle::FormExploded | QueryStyle::DeepObject => None,
        }
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// The media type sent in `Content-Type`.
    pub content_type: String,
    /// How the value is encoded.
    pub encoding: BodyEncoding,
    /// The body type.
    pub ty: TypeRef,
    /// Whether the body must be sent.
    pub required: bool,
    /// Documentation.
    pub docs: Option<String>,
}

/// How a request or response body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// JSON through serde.
    Json,
    /// `application/x-www-form-urlencoded` through serde (flat objects).
    Form,
    /// `multipart/form-data`: one text part per property (requests only).
    Multipart,
    /// Text (`text/*`), as a `String`.
    Text,
    /// Sent and received as raw bytes.
    Bytes,
    /// A `text/event-stream` success response, read as a stream of events whose data are
    /// the body's type (the media type's `itemSchema`, else its `schema`): decoded from JSON,
    /// or taken as text when `text` (the item type is a string). Responses only.
    EventStream {
        /// The data of each event is text, not JSON.
        text: bool,
    },
}

/// What a successful call returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Success {
    /// One success response whose body (if any) is returned as is.
    Single {
        /// The statuses that count as this response (never empty).
        statuses: Vec<SuccessStatus>,
        /// The body, if the response has one.
        body: Option<ResponseBody>,
    },
    /// One success response with declared headers: a struct with the body and the headers.
    WithHeaders {
        /// The Rust name of the generated struct.
        rust_name: String,
        /// The statuses that count as this response (never empty).
        statuses: Vec<SuccessStatus>,
        /// The body, if the response has one.
        body: Option<ResponseBody>,
        /// The headers.
        headers: Vec<ResponseHeader>,
    },
    /// Several success responses that differ: an enum with a variant per status.
    Enum {
        /// The Rust name of the generated enum.
        rust_name: String,
        /// The variants.
        variants: Vec<SuccessVariant>,
    },
}

/// The statuses a success response covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SuccessStatus {
    /// One 2xx status code, e.g. `200` or `204`.
    Exact(u16),
    /// Any 2xx status: a `2XX` response, or an operation that documents no success response.
    AnySuccess,
}

impl SuccessStatus {
    /// The codes `statuses` accept, or `None` when they accept any 2xx status.
    pub fn exact_codes(statuses: &[SuccessStatus]) -> Option<Vec<u16>> {
        statuses
            .iter()
            .map(|status| match status {
                SuccessStatus::Exact(code) => Some(*code),
                SuccessStatus::AnySuccess => None,
            })
            .collect()
    }

    /// The status a server answers with for a response covering `statuses`: the first exact
    /// code, else 200 for a response with a body and 204 for one without.
    pub fn to_send(statuses: &[SuccessStatus], has_body: bool) -> u16 {
        statuses
            .iter()
            .find_map(|status| match status {
                SuccessStatus::Exact(code) => Some(*code),
                SuccessStatus::AnySuccess => None,
            })
            .unwrap_or(if has_body { 200 } else { 204 })
    }
}

/// A response body.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseBody {
    /// The type.
    pub ty: TypeRef,
    /// How it is decoded.
    pub encoding: BodyEncoding,
}

/// A declared response header.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseHeader {
    /// The header name on the wire.
    pub wire_name: String,
    /// The Rust field name.
    pub rust_name: String,
    /// The value type (a string or a number).
    pub ty: TypeRef,
    /// Documentation.
    pub docs: Option<String>,
}

/// One variant of a multi-status success enum.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessVariant {
    /// The statuses it covers: exact codes come before `AnySuccess`, which decodes every
    /// other 2xx status.
    pub status: SuccessStatus,
    /// The Rust variant name, e.g. `Ok` or `NoContent`.
    pub rust_name: String,
    /// The body, if any.
    pub body: Option<ResponseBody>,
    /// The response description.
    pub docs: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alias(name: &str) -> TypeDef {
        TypeDef {
            rust_name: name.to_owned(),
            source: String::new(),
            docs: None,
            deprecated: false,
            kind: TypeKind::Alias(TypeRef::String),
            directions: Directions::BOTH,
            identical: false,
        }
    }

    #[test]
    fn types_are_found_by_name() {
        let api = Api {
            types: vec![alias("Alpha"), alias("Beta"), alias("Gamma")],
            ..Api::default()
        };
        for name in ["Alpha", "Beta", "Gamma"] {
            assert_eq!(
                api.type_named(name).map(|t| t.rust_name.as_str()),
                Some(name)
            );
        }
        assert!(api.type_named("Delta").is_none());
        assert!(Api::default().type_named("Alpha").is_none());
    }

    #[test]
    fn query_styles_join_lists_with_their_separator() {
        assert_eq!(QueryStyle::Form.separator(), Some(','));
        assert_eq!(QueryStyle::SpaceDelimited.separator(), Some(' '));
        assert_eq!(QueryStyle::PipeDelimited.separator(), Some('|'));
        assert_eq!(QueryStyle::FormExploded.separator(), None);
        assert_eq!(QueryStyle::DeepObject.separator(), None);
    }
}
