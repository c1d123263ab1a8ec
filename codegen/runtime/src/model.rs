//! Models: what generated types expand to. The [`json_struct!`](crate::json_struct) macro (a
//! model's serde impls, compiled once here rather than derived in every generated crate; the
//! open enums' [`open_enum!`](crate::open_enum) and [`open_int_enum!`](crate::open_int_enum)
//! are in `enums.rs`), the helpers it calls, [`Base64`] and [`serialize_tagged`].
//!
//! The macros name serde through `$crate::serde`, so a generated crate needs no serde
//! dependency of its own for them. They depend on no name a document controls: everything
//! they use is named by its full path (`::std::result::Result::Ok`), and their own generic
//! parameters and helper types start with two underscores (`__D`, `__Visitor`), which no
//! generated type name does (the generator's `names` module keeps that invariant). Their
//! locals (`map`, `key`, `state`) are hygienic, so fields may have any name.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, Visitor};
use serde::ser::SerializeStruct;

/// The kinds of [`json_struct!`](crate::json_struct)'s fields: each a type (what the field
/// holds, for a value of the given type) and a function (what a setter stores, for a value).
#[allow(non_camel_case_types)]
pub mod kind {
    /// A required field holds its value.
    pub type req<T> = T;
    /// An optional field holds an `Option`.
    pub type opt<T> = Option<T>;
    /// A required field that may be `null` holds an `Option`.
    pub type nullable<T> = Option<T>;
    /// A field with a default holds its value.
    pub type default<T> = T;

    /// What a setter of an optional field stores: `Some(value)`.
    pub fn opt<T>(value: T) -> Option<T> {
        Some(value)
    }

    /// What a setter of a field with a default stores: the value.
    pub fn default<T>(value: T) -> T {
        value
    }
}

/// A key of a JSON object, borrowed from the input when it can be.
#[derive(Debug)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The key's text (empty for a key that is not text).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v)))
    }

    fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Key<'de>, E> {
        Ok(Key(String::from_utf8_lossy(v)))
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(String::from_utf8_lossy(v).into_owned())))
    }

    // Formats that name fields by index: no field matches, as with a key not listed.
    fn visit_u64<E>(self, _: u64) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed("")))
    }
}

/// Reads the next key of a model's JSON object: the position of the field it names in
/// `fields`, or `usize::MAX` for a key the model does not list; `None` at the end.
pub fn next_field<'de, A: MapAccess<'de>>(
    map: &mut A,
    fields: &[&str],
) -> Result<Option<usize>, A::Error> {
    Ok(map.next_key::<Key<'de>>()?.map(|key| {
        fields
            .iter()
            .position(|field| *field == key.as_str())
            .unwrap_or(usize::MAX)
    }))
}

/// Reads the value of field `fields[index]` into `slot`; a second value for it is an error.
pub fn take<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    fields: &'static [&'static str],
    index: usize,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(A::Error::duplicate_field(wire(fields, index)));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// The error for required field `fields[index]`, absent from the input.
pub fn missing<E: serde::de::Error>(fields: &'static [&'static str], index: usize) -> E {
    E::missing_field(wire(fields, index))
}

/// The wire name of field `index` (empty if there is none: `json_struct!` never asks).
fn wire(fields: &'static [&'static str], index: usize) -> &'static str {
    fields.get(index).copied().unwrap_or_default()
}

/// Reads and drops the value of a key the model does not list.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<serde::de::IgnoredAny>().map(|_| ())
}

/// Writes an optional field, or skips it when it is `None`.
pub fn serialize_opt<S: SerializeStruct, T: serde::Serialize>(
    state: &mut S,
    wire: &'static str,
    value: &Option<T>,
) -> Result<(), S::Error> {
    match value {
        Some(_) => state.serialize_field(wire, value),
        None => state.skip_field(wire),
    }
}

/// Writes a model's fields, keeping the first error: once a write fails the others are not
/// made, and [`end`](Self::end) returns the error. (What `json_struct!` writes through, so
/// that a model's `serialize` needs no `?` per field: one method per kind of field, each
/// given the field's position in the model's list of wire names.)
pub struct StructWriter<S: SerializeStruct> {
    state: Result<S, S::Error>,
    fields: &'static [&'static str],
}

impl<S: SerializeStruct> StructWriter<S> {
    /// Starts from what `serialize_struct` returned, for a model with these wire names.
    pub fn new(state: Result<S, S::Error>, fields: &'static [&'static str]) -> Self {
        Self { state, fields }
    }

    /// Writes a field that is always sent.
    pub fn field<T: serde::Serialize + ?Sized>(&mut self, index: usize, value: &T) {
        if let Ok(state) = &mut self.state {
            if let Err(error) = state.serialize_field(wire(self.fields, index), value) {
                self.state = Err(error);
            }
        }
    }

    /// Writes a required field.
    pub fn req<T: serde::Serialize + ?Sized>(&mut self, index: usize, value: &T) {
        self.field(index, value);
    }

    /// Writes a required nullable field (`null` for `None`).
    pub fn nullable<T: serde::Serialize + ?Sized>(&mut self, index: usize, value: &T) {
        self.field(index, value);
    }

    /// Writes a field with a default.
    pub fn default<T: serde::Serialize + ?Sized>(&mut self, index: usize, value: &T) {
        self.field(index, value);
    }

    /// Writes an optional field, or skips it when it is `None`.
    pub fn opt<T: serde::Serialize>(&mut self, index: usize, value: &Option<T>) {
        if let Ok(state) = &mut self.state {
            if let Err(error) = serialize_opt(state, wire(self.fields, index), value) {
                self.state = Err(error);
            }
        }
    }

    /// Ends the struct: its output, or the first error.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.state.and_then(SerializeStruct::end)
    }
}

/// Bytes that travel as base64 text (`format: byte`). Encodes with the standard alphabet and
/// padding; decodes the standard or URL-safe alphabet, with or without padding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Base64(pub Vec<u8>);

impl Base64 {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, owned.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
}

impl From<Vec<u8>> for Base64 {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Base64 {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl From<Base64> for Vec<u8> {
    fn from(value: Base64) -> Self {
        value.0
    }
}

impl AsRef<[u8]> for Base64 {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use base64::Engine as _;
        f.write_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl std::str::FromStr for Base64 {
    type Err = base64::DecodeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        use base64::Engine as _;
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        let padded = text.ends_with('=');
        let url_safe = text.contains(['-', '_']);
        let engine = match (url_safe, padded) {
            (false, true) => &STANDARD,
            (false, false) => &STANDARD_NO_PAD,
            (true, true) => &URL_SAFE,
            (true, false) => &URL_SAFE_NO_PAD,
        };
        engine.decode(text).map(Self)
    }
}

impl serde::Serialize for Base64 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Base64 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Serializes a member of a tagged union: the member's JSON with the discriminator property
/// set to `tag_value` (added when the member's schema does not carry it).
pub fn serialize_tagged<S: serde::Serializer, T: serde::Serialize>(
    serializer: S,
    tag: &str,
    tag_value: &str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    let mut json = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
    if let serde_json::Value::Object(map) = &mut json {
        map.entry(tag.to_owned())
            .or_insert_with(|| serde_json::Value::String(tag_value.to_owned()));
    }
    serde::Serialize::serialize(&json, serializer)
}

/// Whether a type has `Deserialize`, for the tests of the model macros' serde directions.
#[cfg(test)]
pub(crate) mod probe {
    /// Whether `T` has `Deserialize` (autoref specialization: the inherent-like method of the
    /// first trait wins when its bound holds): `(&Probe::<T>(PhantomData)).has_de()`.
    pub(crate) struct Probe<T>(pub(crate) std::marker::PhantomData<T>);
    pub(crate) trait HasDe {
        fn has_de(&self) -> bool {
            true
        }
    }
    impl<T: serde::de::DeserializeOwned> HasDe for Probe<T> {}
    pub(crate) trait NoDe {
        fn has_de(&self) -> bool {
            false
        }
    }
    impl<T> NoDe for &Probe<T> {}
}

#[cfg(test)]
mod tests {
    use super::probe::{HasDe, NoDe, Probe};
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Job {
        id: String,
        note: Option<String>,
        end: Option<i64>,
        size: i32,
    }

    impl Job {
        fn default_size() -> i32 {
            10
        }
    }

    crate::json_struct!(
        Job,
        [
            (0, id, "jobId", req, String),
            (1, note, _, opt, String, with_note into),
            (2, end, "endTime", nullable, i64),
            (3, size, _, default(default_size), i32, #[deprecated] with_size)
        ],
        new(id: impl Into<String>, end: Option<i64>)
    );

    fn job(json: &str) -> Result<Job, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[derive(Debug, Clone, PartialEq)]
    struct Sent {
        id: String,
    }
    crate::json_struct!(Sent, ser, [(0, id, "id", req, String)]);

    #[derive(Debug, Clone, PartialEq)]
    struct Gated {
        id: String,
    }
    crate::json_struct!(
        Gated,
        ser,
        #[cfg(all())]
        de,
        [(0, id, "id", req, String)]
    );

    #[derive(Debug, Clone, PartialEq)]
    struct Received {
        id: String,
    }
    crate::json_struct!(
        Received,
        de,
        #[cfg(any())]
        ser,
        [(0, id, "id", req, String)]
    );

    #[test]
    #[allow(clippy::needless_borrow)] // the borrow picks `HasDe` when its bound holds
    fn one_direction_forms_have_only_their_impls_and_the_other_under_the_attribute() {
        let sent = Sent { id: "a".into() };
        assert_eq!(
            serde_json::to_string(&sent).expect("writes"),
            r#"{"id":"a"}"#
        );
        assert!(!(&Probe::<Sent>(std::marker::PhantomData)).has_de());
        // Gated: the attribute holds, so both.
        assert!((&Probe::<Gated>(std::marker::PhantomData)).has_de());
        let gated: Gated = serde_json::from_str(r#"{"id":"b"}"#).expect("reads");
        assert_eq!(
            serde_json::to_string(&gated).expect("writes"),
            r#"{"id":"b"}"#
        );
        let received: Received = serde_json::from_str(r#"{"id":"c"}"#).expect("reads");
        assert_eq!(received.id, "c");
    }

    #[test]
    fn struct_fields_travel_under_their_wire_names_by_kind() {
        let parsed =
            job(r#"{"jobId": "j1", "note": null, "unknown": [1, {"x": 2}]}"#).expect("valid");
        assert_eq!(
            parsed,
            Job {
                id: "j1".to_owned(),
                note: None,
                end: None,
                size: 10
            }
        );
        // `opt` is left out when `None`; `nullable` is sent as null; defaults are always sent.
        assert_eq!(
            serde_json::to_string(&parsed).expect("encoded"),
            r#"{"jobId":"j1","endTime":null,"size":10}"#
        );
        let full = job(r#"{"jobId": "j2", "note": "n", "endTime": 5, "size": 3}"#).expect("valid");
        assert_eq!(
            serde_json::to_string(&full).expect("encoded"),
            r#"{"jobId":"j2","note":"n","endTime":5,"size":3}"#
        );
    }

    #[test]
    #[allow(deprecated)]
    fn struct_setters_set_their_field() {
        let start = Job::new("j", None);
        assert_eq!(
            start,
            Job {
                id: "j".to_owned(),
                note: None,
                end: None,
                size: 10
            }
        );
        let set = start.with_note("n").with_size(4);
        assert_eq!(set.note.as_deref(), Some("n"));
        assert_eq!(set.size, 4);
        let a = names_the_macros_use::A {
            map: None,
            key: None,
            state: 0,
        }
        .with_key(names_the_macros_use::Visitor { value: None })
        .with_state(2);
        assert_eq!(a.key.map(|key| key.value), Some(None));
        assert_eq!(a.state, 2);
    }

    #[test]
    fn struct_input_errors_name_the_field() {
        let missing = job(r#"{"note": "n"}"#).expect_err("no id");
        assert!(
            missing.to_string().contains("missing field `jobId`"),
            "{missing}"
        );
        let repeated = job(r#"{"jobId": "a", "jobId": "b"}"#).expect_err("repeated");
        assert!(
            repeated.to_string().contains("duplicate field `jobId`"),
            "{repeated}"
        );
        let array = job(r#"["a", null, null, 1]"#).expect_err("an array is not an object");
        assert!(array.to_string().contains("struct Job"), "{array}");
    }

    #[test]
    fn struct_keys_are_read_when_escaped_and_from_readers() {
        let escaped = job(r#"{"job\u0049d": "j"}"#).expect("escaped key");
        assert_eq!(escaped.id, "j");
        let from_reader: Job = serde_json::from_reader(&br#"{"jobId": "r"}"#[..]).expect("reader");
        assert_eq!(from_reader.id, "r");
    }

    /// Types (and fields) named like what the macros use themselves.
    mod names_the_macros_use {
        #[derive(Debug, Clone, PartialEq)]
        pub struct A {
            pub map: Option<D>,
            pub key: Option<Box<Visitor>>,
            pub state: i64,
        }
        impl A {
            fn default_state() -> i64 {
                3
            }
        }
        crate::json_struct!(
            A,
            [
                (0, map, _, opt, D),
                (1, key, "key", opt, Box<Visitor>, with_key box Visitor),
                (2, state, _, default(default_state), i64, with_state)
            ]
        );

        #[derive(Debug, Clone, PartialEq)]
        pub struct Visitor {
            pub value: Option<S>,
        }
        crate::json_struct!(Visitor, [(0, value, _, opt, S)]);

        crate::open_enum! {
            /// D.
            pub enum D { Ok("ok"), Err("err"), ..Other(String) }
        }

        crate::open_int_enum! {
            /// S.
            pub enum S { One(1), Err(2), ..Other(i64) }
        }
    }

    #[test]
    fn types_may_have_the_names_the_macros_use() {
        use names_the_macros_use::{A, D, S, Visitor};
        let a: A = serde_json::from_str(r#"{"map": "ok", "key": {"value": 1}}"#).expect("valid");
        assert_eq!(
            a,
            A {
                map: Some(D::Ok),
                key: Some(Box::new(Visitor {
                    value: Some(S::One)
                })),
                state: 3
            }
        );
        assert_eq!(
            serde_json::to_string(&a).expect("encoded"),
            r#"{"map":"ok","key":{"value":1},"state":3}"#
        );
        assert_eq!("err".parse::<D>(), Ok(D::Err));
        assert_eq!("2".parse::<S>(), Ok(S::Err));
    }

    #[test]
    fn base64_writes_standard_and_reads_every_alphabet() {
        let bytes = Base64(vec![0xfb, 0xff, 0x01]);
        assert_eq!(bytes.to_string(), "+/8B");
        for text in ["+/8B", "-_8B"] {
            assert_eq!(text.parse::<Base64>().expect(text), bytes);
        }
        assert_eq!(
            "YQ==".parse::<Base64>().expect("padded"),
            Base64(b"a".to_vec())
        );
        assert_eq!(
            "YQ".parse::<Base64>().expect("unpadded"),
            Base64(b"a".to_vec())
        );
        assert!("!!".parse::<Base64>().is_err());
        let json = serde_json::to_string(&bytes).expect("encoded");
        assert_eq!(json, r#""+/8B""#);
        assert_eq!(
            serde_json::from_str::<Base64>(&json).expect("decoded"),
            bytes
        );
    }

    #[test]
    fn tagged_members_carry_their_tag() {
        #[derive(serde::Serialize)]
        struct Dog {
            name: &'static str,
        }
        let mut out = Vec::new();
        serialize_tagged(
            &mut serde_json::Serializer::new(&mut out),
            "kind",
            "dog",
            &Dog { name: "rex" },
        )
        .expect("encoded");
        let written: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
        assert_eq!(written, serde_json::json!({"name": "rex", "kind": "dog"}));
        let mut kept = Vec::new();
        let tagged = serde_json::json!({"kind": "wolf"});
        serialize_tagged(
            &mut serde_json::Serializer::new(&mut kept),
            "kind",
            "dog",
            &tagged,
        )
        .expect("encoded");
        assert_eq!(String::from_utf8(kept).expect("utf8"), r#"{"kind":"wolf"}"#);
    }
}
