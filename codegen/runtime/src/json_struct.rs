//! The [`json_struct!`](crate::json_struct) macro: a model struct with its serde impls,
//! constructor and setters.

/// A model struct, written by the generator for every struct without
/// `additionalProperties`: the `struct` itself, its serde impls, its constructor and its
/// `with_` setters, from one list of fields. Fields go out and come in under their wire names,
/// in a JSON object only (never a positional array, which `#[derive(Deserialize)]` would also
/// accept), with unknown keys ignored and a repeated key an error.
///
/// ```ignore
/// json_struct!(
///     /// A job.
///     pub struct Job, [
///         /// The job's identifier.
///         (0, id, "jobId", req, String => new into),
///         (1, note, _, opt, String, with_note into),
///         (2, end, "endTime", nullable, i64 => new),
///         #[deprecated]
///         (3, size, _, default(default_size), i32, #[deprecated] with_size),
///     ],
///     new
/// );
/// ```
///
/// The struct's attributes (docs, `#[deprecated]`, `#[derive(Default)]`; `Debug`, `Clone`
/// and `PartialEq` are always derived) come first, then its visibility, `struct` and its
/// name. Each field is its attributes (docs, `#[deprecated]`) and
/// `(index, name, wire, kind, Type ...)`: its position in the list (0, 1, …), its name, its
/// wire name (a string literal, or `_` when it is the name), one of the kinds below, and the
/// type of its value. Every field is `pub`; its type in the struct is `Type`, in an `Option`
/// for the `opt` and `nullable` kinds. The kinds:
/// - `req`: must be present; always sent.
/// - `opt`: an `Option`, `None` when absent or `null`; not sent when `None`.
/// - `nullable`: an `Option` that is always sent (`null` for `None`); `None` when absent.
/// - `default(f)`: takes `Type::f()` when absent; always sent.
///
/// After the fields, `new` (or another name) asks for a constructor; the fields marked
/// `=> new` are its parameters, in order, each converted to the field's type with `Into`:
/// `=> new` takes the field's type (for `nullable`, its `Option`), `=> new into` an
/// `impl Into<Type>`, `=> new box Inner` an `Inner` (the field's `Type` is then
/// `Box<Inner>`). The other fields start `None` or at their default.
///
/// A setter (for `opt` and `default` fields), after a comma, is its attributes
/// (`#[deprecated]`), its name and how it takes the value: `with_x` takes a `Type`,
/// `with_x into` an `impl Into<Type>`, `with_x box Inner` an `Inner` that it boxes. Each is
/// `pub fn with_x(mut self, value: …) -> Self`, documented with the field's wire name.
///
/// Both serde impls are written unless the name is followed by a direction: `ser` writes only
/// `Serialize` (`de`: only `Deserialize`), and `ser, #[cfg(...)] de,` the other one too,
/// under the attribute: the generator gives a model the direction the client uses and the
/// other behind the generated crate's `serde-all` feature.
///
/// `pub struct Name<T>` declares a struct generic over one type `T`, which the fields' types
/// may name: `Serialize` needs `T: Serialize`, `Deserialize` `T: Deserialize`, and `Debug`,
/// `Clone` and `PartialEq` (written out, not derived) need `T` to have them. No field of a
/// generic struct has a default.
///
/// For a struct declared elsewhere, `json_struct!(Name, [dir,] [fields][, new(params)])`
/// (no attributes, no `struct`) writes the rest: its fields are the tuples without `=> new`,
/// and `new(params)` lists the constructor's parameters with their types.
///
/// (A macro rather than `#[derive]`: the expansion is smaller, which is most of what a
/// generated crate costs to compile. To keep it small the work that does not depend on the
/// struct is in this crate's helpers ([`next_field`](crate::model::next_field),
/// [`take`](crate::model::take), [`StructWriter`](crate::model::StructWriter)), each
/// field's slot is declared with its type, and the body has few `?`. The struct, its setters
/// and its constructor come from here so that the generated file lists each field once.)
#[macro_export]
macro_rules! json_struct {
    // The arms called once per field come first, the entry arms last: every call tries the
    // arms in order, and the per-field calls are most of them (netbox's crate: 0.8% fewer
    // instructions for rustc to check it than with the entry arms first).
    (@wire $field:ident _) => {
        ::std::stringify!($field)
    };
    (@wire $field:ident $wire:literal) => {
        $wire
    };
    (@check req $field:ident $name:ident $index:literal) => {
        let ::std::option::Option::Some($field) = $field else {
            return ::std::result::Result::Err($crate::model::missing(__FIELDS, $index));
        };
    };
    (@check $kind:ident $field:ident $name:ident $index:literal) => {};
    (@finish req $name:ident $field:ident) => {
        $field
    };
    (@finish default($default:ident) $name:ident $field:ident) => {
        ::std::option::Option::unwrap_or_else($field, $name::$default)
    };
    (@finish $kind:ident $name:ident $field:ident) => {
        ::std::option::Option::flatten($field)
    };
    (@ty opt $ty:ty) => { ::std::option::Option<$ty> };
    (@ty nullable $ty:ty) => { ::std::option::Option<$ty> };
    (@ty $kind:ident $ty:ty) => { $ty };
    (@init req $name:ident $field:ident) => {
        ::std::convert::Into::into($field)
    };
    (@init nullable $name:ident $field:ident) => {
        $field
    };
    (@init opt $name:ident $field:ident) => {
        ::std::option::Option::None
    };
    (@init default($default:ident) $name:ident $field:ident) => {
        $name::$default()
    };
    (@set $kind:ident $field:ident $wire:tt $ty:ty, $(#[$attr:meta])* $setter:ident) => {
        #[doc = ::std::concat!("Sets `", $crate::json_struct!(@wire $field $wire), "`.")]
        $(#[$attr])*
        pub fn $setter(mut self, value: $ty) -> Self {
            self.$field = $crate::model::kind::$kind(value);
            self
        }
    };
    (@set $kind:ident $field:ident $wire:tt $ty:ty, $(#[$attr:meta])* $setter:ident into) => {
        #[doc = ::std::concat!("Sets `", $crate::json_struct!(@wire $field $wire), "`.")]
        $(#[$attr])*
        pub fn $setter(mut self, value: impl ::std::convert::Into<$ty>) -> Self {
            self.$field = $crate::model::kind::$kind(::std::convert::Into::into(value));
            self
        }
    };
    (@set $kind:ident $field:ident $wire:tt $ty:ty, $(#[$attr:meta])* $setter:ident box $inner:ty) => {
        #[doc = ::std::concat!("Sets `", $crate::json_struct!(@wire $field $wire), "`.")]
        $(#[$attr])*
        pub fn $setter(mut self, value: $inner) -> Self {
            self.$field = $crate::model::kind::$kind(::std::boxed::Box::new(value));
            self
        }
    };
    (@param req $param:ident; $ty:ty) => { $ty };
    (@param req $param:ident into; $ty:ty) => { impl ::std::convert::Into<$ty> };
    (@param req $param:ident box $inner:ty; $ty:ty) => { $inner };
    (@param nullable $param:ident; $ty:ty) => { ::std::option::Option<$ty> };
    (@ctor $name:ident [] $fields:tt) => {};
    (@ctor $name:ident [$new:ident] [$(($field:ident, $kind:ident $(($default:ident))?, $ty:ty $(=> $param:ident $($how:ident $($inner:ty)?)?)?))*]) => {
        /// Makes a value from its required fields; the others start unset (or at their
        /// default).
        #[allow(clippy::too_many_arguments)]
        pub fn $new($($($field: $crate::json_struct!(@param $kind $param $($how $($inner)?)?; $ty),)?)*) -> Self {
            $name { $($field: $crate::json_struct!(@init $kind $(($default))? $name $field),)* }
        }
    };
    (@dirs $name:ident $(<$param:ident>)? [] $fields:tt) => {
        $crate::json_struct!(@impl ser $name $(<$param>)? $fields);
        $crate::json_struct!(@impl de $name $(<$param>)? $fields);
    };
    (@dirs $name:ident $(<$param:ident>)? [$dir:ident] $fields:tt) => {
        $crate::json_struct!(@impl $dir $name $(<$param>)? $fields);
    };
    (@dirs $name:ident $(<$param:ident>)? [$dir:ident #[$meta:meta] $other:ident] $fields:tt) => {
        $crate::json_struct!(@impl $dir $name $(<$param>)? $fields);
        #[$meta]
        $crate::json_struct!(@impl $other $name $(<$param>)? $fields);
    };
    // A type in place of a type parameter, where the parameter is not in scope.
    (@unit $param:ident) => { () };
    (@impl ser $name:ident $(<$param:ident>)? [$(($index:literal, $field:ident, $wire:tt, $kind:ident $(($default:ident))?, $ty:ty $(, $($setter:tt)+)?)),* $(,)?]) => {
        impl$(<$param: $crate::serde::Serialize>)? $crate::serde::Serialize for $name$(<$param>)? {
            fn serialize<__S: $crate::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::std::result::Result<__S::Ok, __S::Error> {
                let mut state = $crate::model::StructWriter::new(
                    $crate::serde::Serializer::serialize_struct(
                        serializer,
                        ::std::stringify!($name),
                        Self::__FIELDS.len(),
                    ),
                    Self::__FIELDS,
                );
                $($crate::model::StructWriter::$kind(&mut state, $index, &self.$field);)*
                state.end()
            }
        }
    };
    (@impl de $name:ident $(<$param:ident>)? [$(($index:literal, $field:ident, $wire:tt, $kind:ident $(($default:ident))?, $ty:ty $(, $($setter:tt)+)?)),* $(,)?]) => {
        impl<'de $(, $param: $crate::serde::Deserialize<'de>)?> $crate::serde::Deserialize<'de> for $name$(<$param>)? {
            fn deserialize<__D: $crate::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::std::result::Result<Self, __D::Error> {
                const __FIELDS: &[&str] = $name$(::<$crate::json_struct!(@unit $param)>)?::__FIELDS;
                struct __Visitor$(<$param>)?($(::std::marker::PhantomData<$param>)?);
                impl<'de $(, $param: $crate::serde::Deserialize<'de>)?> $crate::serde::de::Visitor<'de> for __Visitor$(<$param>)? {
                    type Value = $name$(<$param>)?;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(::std::concat!("struct ", ::std::stringify!($name)))
                    }
                    fn visit_map<__A: $crate::serde::de::MapAccess<'de>>(
                        self,
                        mut map: __A,
                    ) -> ::std::result::Result<$name$(<$param>)?, __A::Error> {
                        $(let mut $field: ::std::option::Option<$crate::model::kind::$kind<$ty>> =
                            ::std::option::Option::None;)*
                        while let ::std::option::Option::Some(index) =
                            $crate::model::next_field(&mut map, __FIELDS)?
                        {
                            match index {
                                $($index => $crate::model::take(&mut map, &mut $field, __FIELDS, $index),)*
                                _ => $crate::model::skip(&mut map),
                            }?;
                        }
                        $($crate::json_struct! { @check $kind $field $name $index })*
                        ::std::result::Result::Ok($name {
                            $($field: $crate::json_struct!(@finish $kind $(($default))? $name $field),)*
                        })
                    }
                }
                $crate::serde::Deserializer::deserialize_struct(
                    deserializer,
                    ::std::stringify!($name),
                    __FIELDS,
                    __Visitor($(::std::marker::PhantomData::<$param>)?),
                )
            }
        }
    };
    (@derives $name:ident<$generic:ident> [$($field:ident)*]) => {
        impl<$generic: ::std::fmt::Debug> ::std::fmt::Debug for $name<$generic> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(::std::stringify!($name))
                    $(.field(::std::stringify!($field).trim_start_matches("r#"), &self.$field))*
                    .finish()
            }
        }
        impl<$generic: ::std::clone::Clone> ::std::clone::Clone for $name<$generic> {
            fn clone(&self) -> Self {
                $name { $($field: ::std::clone::Clone::clone(&self.$field),)* }
            }
        }
        impl<$generic: ::std::cmp::PartialEq> ::std::cmp::PartialEq for $name<$generic> {
            fn eq(&self, other: &Self) -> bool {
                true $(&& self.$field == other.$field)*
            }
        }
    };
    (@common $name:ident [$(($index:literal, $field:ident, $wire:tt, $kind:ident $(($default:ident))?, $ty:ty $(, $($setter:tt)+)?)),* $(,)?] $(, $new:ident $params:tt)?) => {
        impl $name {
            const __FIELDS: &'static [&'static str] = &[$($crate::json_struct!(@wire $field $wire)),*];
            $crate::json_struct!(@new $name [$($new $params)?] $($field $kind $(($default))?,)*);
            $($($crate::json_struct!(@set $kind $field $wire $ty, $($setter)+);)?)*
        }
    };
    (@new $name:ident []  $($rest:tt)*) => {};
    (@new $name:ident [$new:ident ($($param:tt)*)] $($field:ident $kind:ident $(($default:ident))?,)*) => {
        /// Makes a value from its required fields; the others start unset (or at their
        /// default).
        #[allow(clippy::too_many_arguments)]
        pub fn $new($($param)*) -> Self {
            $name { $($field: $crate::json_struct!(@init $kind $(($default))? $name $field),)* }
        }
    };
    ($name:ident, [$($fields:tt)*] $(, $new:ident $params:tt)?) => {
        $crate::json_struct!(@common $name [$($fields)*] $(, $new $params)?);
        $crate::json_struct!(@impl ser $name [$($fields)*]);
        $crate::json_struct!(@impl de $name [$($fields)*]);
    };
    ($name:ident, $dir:ident, [$($fields:tt)*] $(, $new:ident $params:tt)?) => {
        $crate::json_struct!(@common $name [$($fields)*] $(, $new $params)?);
        $crate::json_struct!(@impl $dir $name [$($fields)*]);
    };
    ($name:ident, $dir:ident, #[$meta:meta] $other:ident, [$($fields:tt)*] $(, $new:ident $params:tt)?) => {
        $crate::json_struct!(@common $name [$($fields)*] $(, $new $params)?);
        $crate::json_struct!(@impl $dir $name [$($fields)*]);
        #[$meta]
        $crate::json_struct!(@impl $other $name [$($fields)*]);
    };
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident,
        $($dir:ident, $(#[$meta:meta] $other:ident,)?)?
        [$(
            $(#[$field_attr:meta])*
            ($index:literal, $field:ident, $wire:tt, $kind:ident $(($default:ident))?, $ty:ty
                $(=> $param:ident $($how:ident $($inner:ty)?)?)? $(, $($setter:tt)+)?)
        ),* $(,)?]
        $(, $new:ident)?
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq)]
        $vis struct $name {
            $($(#[$field_attr])* pub $field: $crate::json_struct!(@ty $kind $ty),)*
        }
        impl $name {
            const __FIELDS: &'static [&'static str] = &[$($crate::json_struct!(@wire $field $wire)),*];
            $crate::json_struct!(@ctor $name [$($new)?] [$(($field, $kind $(($default))?, $ty $(=> $param $($how $($inner)?)?)?))*]);
            $($($crate::json_struct!(@set $kind $field $wire $ty, $($setter)+);)?)*
        }
        $crate::json_struct!(@dirs $name [$($dir $(#[$meta] $other)?)?] [$(($index, $field, $wire, $kind $(($default))?, $ty)),*]);
    };
    // A struct generic over one type: `Debug`, `Clone` and `PartialEq` written out, as `derive`
    // refuses a generic struct whose field types are macro calls (`@ty`).
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident <$generic:ident>,
        $($dir:ident, $(#[$meta:meta] $other:ident,)?)?
        [$(
            $(#[$field_attr:meta])*
            ($index:literal, $field:ident, $wire:tt, $kind:ident $(($default:ident))?, $ty:ty
                $(=> $param:ident $($how:ident $($inner:ty)?)?)? $(, $($setter:tt)+)?)
        ),* $(,)?]
        $(, $new:ident)?
    ) => {
        $(#[$attr])*
        $vis struct $name<$generic> {
            $($(#[$field_attr])* pub $field: $crate::json_struct!(@ty $kind $ty),)*
        }
        $crate::json_struct!(@derives $name<$generic> [$($field)*]);
        impl<$generic> $name<$generic> {
            const __FIELDS: &'static [&'static str] = &[$($crate::json_struct!(@wire $field $wire)),*];
            $crate::json_struct!(@ctor $name [$($new)?] [$(($field, $kind $(($default))?, $ty $(=> $param $($how $($inner)?)?)?))*]);
            $($($crate::json_struct!(@set $kind $field $wire $ty, $($setter)+);)?)*
        }
        $crate::json_struct!(@dirs $name<$generic> [$($dir $(#[$meta] $other)?)?] [$(($index, $field, $wire, $kind $(($default))?, $ty)),*]);
    };
}

#[cfg(test)]
// The impls read and write the deprecated field, as those of any deprecated field do.
#[allow(deprecated)]
mod tests {
    crate::json_struct!(
        /// A job.
        pub struct Job,
        [
            /// Its identifier.
            (0, id, "jobId", req, String => new into),
            (1, note, _, opt, String, with_note into),
            (2, end, "endTime", nullable, i64 => new),
            #[deprecated]
            (3, size, _, default(default_size), i32, #[deprecated] with_size),
            (4, owner, _, req, Box<Owner> => new box Owner),
            (5, count, _, req, i64 => new)
        ],
        new
    );

    impl Job {
        fn default_size() -> i32 {
            10
        }
    }

    crate::json_struct!(
        #[derive(Default)]
        pub(crate) struct Owner,
        ser,
        #[cfg(all())]
        de,
        [(0, name, _, opt, String)]
    );

    crate::json_struct!(
        /// A page of anything.
        pub struct Page<T>,
        de,
        #[cfg(all())]
        ser,
        [
            (0, count, _, req, i64 => new),
            (1, next, _, opt, String, with_next into),
            (2, items, "results", req, Vec<T> => new)
        ],
        new
    );

    /// What the generator writes for each schema of that shape.
    type OwnerPage = Page<Owner>;

    #[test]
    fn a_generic_struct_is_one_definition_for_every_type_it_holds() {
        let owner = Owner {
            name: Some("o".to_owned()),
        };
        let page = OwnerPage::new(1, vec![owner.clone()]).with_next("/p2");
        let json = serde_json::to_string(&page).expect("encoded");
        assert_eq!(json, r#"{"count":1,"next":"/p2","results":[{"name":"o"}]}"#);
        let back: OwnerPage = serde_json::from_str(&json).expect("decoded");
        let OwnerPage { count, items, .. } = back.clone();
        assert_eq!((count, items), (1, vec![owner]));
        assert_eq!(back, page);
        // Another type in the same shape, checked by the same impls.
        let numbers: Page<i64> =
            serde_json::from_str(r#"{"count":2,"results":[4,5],"extra":true}"#).expect("decoded");
        assert_eq!((numbers.items, numbers.next), (vec![4, 5], None));
        let missing = serde_json::from_str::<Page<i64>>(r#"{"count":2}"#).expect_err("missing");
        assert!(
            missing.to_string().contains("missing field `results`"),
            "{missing}"
        );
        let wrong = serde_json::from_str::<Page<i64>>(r#"{"count":2,"results":["x"]}"#);
        assert!(wrong.is_err());
    }

    #[test]
    #[allow(deprecated)]
    fn the_struct_is_declared_with_its_constructor_and_setters() {
        let owner = Owner {
            name: Some("o".to_owned()),
        };
        let job = Job::new("j", Some(5), owner.clone(), 7)
            .with_note("n")
            .with_size(4);
        assert_eq!(
            job,
            Job {
                id: "j".to_owned(),
                note: Some("n".to_owned()),
                end: Some(5),
                size: 4,
                owner: Box::new(owner),
                count: 7,
            }
        );
        let json = serde_json::to_string(&job).expect("encoded");
        assert_eq!(
            json,
            r#"{"jobId":"j","note":"n","endTime":5,"size":4,"owner":{"name":"o"},"count":7}"#
        );
        let back: Job = serde_json::from_str(&json).expect("decoded");
        assert_eq!(back, job);
        assert_eq!(Owner::default().name, None);
    }
}
