//! Open enums: the [`open_enum!`](crate::open_enum) and [`open_int_enum!`](crate::open_int_enum)
//! macros, which declare a generated enum and write its impls (compiled once here rather than
//! derived in every generated crate, and listing each value once in the generated file).
//!
//! Like [`json_struct!`](crate::json_struct), they name serde through `$crate::serde` and
//! everything else by its full path, and their own generic parameters start with two
//! underscores, so they depend on no name a document controls.

/// Declares an open string enum and writes its impls: `as_str`, `Display`, `From<&str>`,
/// `FromStr` and serde, all through the wire values, with the fallback variant holding any
/// value not listed, as received. (Unused in crates whose document has no string enum.)
///
/// ```
/// openapi_rust_runtime::open_enum! {
///     /// The state of a job.
///     pub enum JobState { Running("running"), Done("done"), ..Other(String) }
/// }
/// assert_eq!(JobState::from("done"), JobState::Done);
/// assert_eq!(JobState::from("paused"), JobState::Other("paused".to_owned()));
/// ```
///
/// The enum gets its attributes (docs, `#[deprecated]`) and derives `Debug, Clone, PartialEq,
/// Eq, Hash`. Each known value is a unit variant, written `Variant("wire")`, documented with
/// its wire value as code; the fallback, written `..Other(String)`, is `Other(String)`,
/// documented as the value the document does not list. A variant may have other docs,
/// `Variant("wire", " docs")` (for a value a code span cannot show as it is: empty, with
/// backticks, with spaces at its ends), and attributes, `#[deprecated] Variant("wire")`.
///
/// After the enum, serde's directions as in [`json_struct!`](crate::json_struct): nothing
/// writes both impls, `ser` only `Serialize` (`de`: only `Deserialize`), and
/// `ser, #[cfg(...)] de` the other one too, under the attribute.
#[macro_export]
macro_rules! open_enum {
    (@impls $name:ident) => {
        $crate::open_enum!(@impl ser $name);
        $crate::open_enum!(@impl de $name);
    };
    (@impls $name:ident $dir:ident) => {
        $crate::open_enum!(@impl $dir $name);
    };
    (@impls $name:ident $dir:ident, #[$meta:meta] $other:ident) => {
        $crate::open_enum!(@impl $dir $name);
        #[$meta]
        $crate::open_enum!(@impl $other $name);
    };
    (@doc $wire:literal) => {
        concat!(" `", $wire, "`")
    };
    (@doc $wire:literal, $doc:literal) => {
        $doc
    };
    (@common $name:ident, $fallback:ident, { $($variant:ident => $wire:literal,)* }) => {
        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$fallback(value) => value.as_str(),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::$fallback(other.to_owned()),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, <Self as ::std::str::FromStr>::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }
    };
    (@impl ser $name:ident) => {
        impl $crate::serde::Serialize for $name {
            fn serialize<__S: $crate::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::std::result::Result<__S::Ok, __S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
    (@impl de $name:ident) => {
        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<__D: $crate::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::std::result::Result<Self, __D::Error> {
                let value =
                    <::std::borrow::Cow<'de, str> as $crate::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value.as_ref()))
            }
        }
    };
    (
        $(#[$attr:meta])*
        pub enum $name:ident { $($variant:ident($wire:literal),)* ..$fallback:ident(String) }
        $($dirs:tt)*
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = concat!(" `", $wire, "`")] $variant,)*
            /// A value the document does not list, as received.
            $fallback(::std::string::String),
        }
        $crate::open_enum!(@common $name, $fallback, { $($variant => $wire,)* });
        $crate::open_enum!(@impls $name $($dirs)*);
    };
    (
        $(#[$attr:meta])*
        pub enum $name:ident {
            $($(#[$variant_attr:meta])* $variant:ident($wire:literal $(, $doc:literal)?),)*
            ..$fallback:ident(String)
        }
        $($dirs:tt)*
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                #[doc = $crate::open_enum!(@doc $wire $(, $doc)?)]
                $(#[$variant_attr])*
                $variant,
            )*
            /// A value the document does not list, as received.
            $fallback(::std::string::String),
        }
        $crate::open_enum!(@common $name, $fallback, { $($variant => $wire,)* });
        $crate::open_enum!(@impls $name $($dirs)*);
    };
}

/// Declares an open integer enum and writes its impls: `value`, `From<i64>` (both ways),
/// `Display`, `FromStr`, and serde as a JSON number. (Unused in crates whose document has no
/// integer enum.)
///
/// ```
/// openapi_rust_runtime::open_int_enum! {
///     /// A priority.
///     pub enum Priority { Low(1), High(9), Lowest(-1), ..Other(i64) }
/// }
/// assert_eq!(Priority::from(-1), Priority::Lowest);
/// assert_eq!(i64::from(Priority::Other(4)), 4);
/// ```
///
/// As [`open_enum!`](crate::open_enum), with integer literals for wire values and
/// `..Other(i64)` for the fallback; the enum also derives `Copy`.
#[macro_export]
macro_rules! open_int_enum {
    (@impls $name:ident) => {
        $crate::open_int_enum!(@impl ser $name);
        $crate::open_int_enum!(@impl de $name);
    };
    (@impls $name:ident $dir:ident) => {
        $crate::open_int_enum!(@impl $dir $name);
    };
    (@impls $name:ident $dir:ident, #[$meta:meta] $other:ident) => {
        $crate::open_int_enum!(@impl $dir $name);
        #[$meta]
        $crate::open_int_enum!(@impl $other $name);
    };
    (@doc $wire:literal) => {
        concat!(" `", $wire, "`")
    };
    (@doc $wire:literal, $doc:literal) => {
        $doc
    };
    (@common $name:ident, $fallback:ident, { $($variant:ident => $wire:literal,)* }) => {
        impl $name {
            /// The value as sent on the wire.
            pub fn value(&self) -> i64 {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$fallback(value) => *value,
                }
            }
        }

        impl ::std::convert::From<i64> for $name {
            fn from(value: i64) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::$fallback(other),
                }
            }
        }

        impl ::std::convert::From<$name> for i64 {
            fn from(value: $name) -> Self {
                value.value()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value(), f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;
            fn from_str(value: &str) -> ::std::result::Result<Self, <Self as ::std::str::FromStr>::Err> {
                value.parse::<i64>().map(Self::from)
            }
        }
    };
    (@impl ser $name:ident) => {
        impl $crate::serde::Serialize for $name {
            fn serialize<__S: $crate::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::std::result::Result<__S::Ok, __S::Error> {
                serializer.serialize_i64(self.value())
            }
        }
    };
    (@impl de $name:ident) => {
        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<__D: $crate::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::std::result::Result<Self, __D::Error> {
                <i64 as $crate::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    };
    (
        $(#[$attr:meta])*
        pub enum $name:ident { $($variant:ident($wire:literal),)* ..$fallback:ident(i64) }
        $($dirs:tt)*
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = concat!(" `", $wire, "`")] $variant,)*
            /// A value the document does not list, as received.
            $fallback(i64),
        }
        $crate::open_int_enum!(@common $name, $fallback, { $($variant => $wire,)* });
        $crate::open_int_enum!(@impls $name $($dirs)*);
    };
    (
        $(#[$attr:meta])*
        pub enum $name:ident {
            $($(#[$variant_attr:meta])* $variant:ident($wire:literal $(, $doc:literal)?),)*
            ..$fallback:ident(i64)
        }
        $($dirs:tt)*
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                #[doc = $crate::open_int_enum!(@doc $wire $(, $doc)?)]
                $(#[$variant_attr])*
                $variant,
            )*
            /// A value the document does not list, as received.
            $fallback(i64),
        }
        $crate::open_int_enum!(@common $name, $fallback, { $($variant => $wire,)* });
        $crate::open_int_enum!(@impls $name $($dirs)*);
    };
}

#[cfg(test)]
mod tests {
    use crate::model::probe::{HasDe, NoDe, Probe};

    crate::open_enum! {
        /// A status.
        pub enum Status { Running("running"), ..Other(String) }
    }

    crate::open_int_enum! {
        /// A level.
        pub enum Level { Low(1), Minus(-1), ..Other(i64) }
    }

    crate::open_enum! {
        /// Only sent.
        pub enum Mode { Fast("fast"), ..Other(String) } ser, #[cfg(any())] de
    }

    crate::open_int_enum! {
        /// Only received.
        pub enum Rank { First(1), Second(2, " Second."), ..Other(i64) } de
    }

    /// Deprecated items are allowed as in a generated `models.rs`.
    #[allow(deprecated)]
    mod odd {
        crate::open_enum! {
            /// Variants with docs of their own.
            #[deprecated]
            pub enum Odd {
                Empty("", " `\"\"` (empty)"),
                #[deprecated]
                Tick("a`b", " `` a`b ``"),
                Plain("plain"),
                ..Other(String)
            }
        }

        crate::open_int_enum! {
            /// Integer variants with attributes.
            pub enum OddLevel { #[deprecated] Old(1), New(2), ..Other(i64) }
        }
    }

    /// Types named like what the macros use themselves.
    mod names_the_macros_use {
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
    fn open_enums_keep_unknown_values() {
        assert_eq!(Status::from("running"), Status::Running);
        let other: Status = serde_json::from_str(r#""paused""#).expect("any string");
        assert_eq!(other, Status::Other("paused".to_owned()));
        assert_eq!(
            serde_json::to_string(&other).expect("encoded"),
            r#""paused""#
        );
        assert_eq!(Status::Running.to_string(), "running");
        assert_eq!("running".parse::<Status>(), Ok(Status::Running));
        assert!(serde_json::from_str::<Status>("3").is_err());

        assert_eq!(Level::from(1), Level::Low);
        assert_eq!(Level::from(-1), Level::Minus);
        let level: Level = serde_json::from_str("7").expect("any integer");
        assert_eq!(level, Level::Other(7));
        assert_eq!(i64::from(level), 7);
        assert_eq!(serde_json::to_string(&Level::Low).expect("encoded"), "1");
        assert!("x".parse::<Level>().is_err());
    }

    #[test]
    #[allow(deprecated)]
    fn variants_may_carry_their_own_attributes() {
        use odd::Odd;
        assert_eq!(Odd::from(""), Odd::Empty);
        assert_eq!(Odd::Tick.as_str(), "a`b");
        assert_eq!(Odd::from("x"), Odd::Other("x".to_owned()));
        assert_eq!(odd::OddLevel::from(1), odd::OddLevel::Old);
    }

    #[test]
    #[allow(clippy::needless_borrow)] // the borrow picks `HasDe` when its bound holds
    fn one_direction_forms_have_only_their_impls_and_the_other_under_the_attribute() {
        assert_eq!(
            serde_json::to_string(&Mode::Fast).expect("writes"),
            r#""fast""#
        );
        assert!(!(&Probe::<Mode>(std::marker::PhantomData)).has_de());
        let rank: Rank = serde_json::from_str("1").expect("reads");
        assert_eq!(rank, Rank::First);
        assert!((&Probe::<Rank>(std::marker::PhantomData)).has_de());
        assert!((&Probe::<Status>(std::marker::PhantomData)).has_de());
    }

    #[test]
    fn types_may_have_the_names_the_macros_use() {
        use names_the_macros_use::{D, S};
        assert_eq!("err".parse::<D>(), Ok(D::Err));
        assert_eq!("2".parse::<S>(), Ok(S::Err));
        assert_eq!(serde_json::from_str::<D>(r#""ok""#).expect("reads"), D::Ok);
        assert_eq!(serde_json::to_string(&S::One).expect("writes"), "1");
    }
}
