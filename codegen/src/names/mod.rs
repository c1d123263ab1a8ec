//! Turning wire names into valid, unique Rust identifiers.
//!
//! heck does the case conversion; this module then fixes what heck leaves invalid: keywords,
//! leading digits, empty names and characters that cannot appear in identifiers.
//! [`reserved`] is the one list of the names generated code keeps for itself.
//!
//! Invariant: [`camel`] never yields two underscores in a row (it keeps no underscore of the
//! input, and adds at most one in front of a digit and one after a keyword), and every
//! generated type name starts with a [`camel`] name, so no generated type name starts with
//! `__`. The runtime's macros and the emitter name their own generic parameters and helper
//! types that way (`__D`, `__Visitor`), so a schema can be called anything.

pub mod reserved;

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeMap;

/// Rust keywords that become raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static",
    "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual",
    "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "extern", "_"];

/// Whether `name` is a Rust keyword, strict or reserved, in any edition (2015 to 2024), or
/// `_`: what cannot name a crate or a module as it is.
pub fn is_keyword(name: &str) -> bool {
    RAW_KEYWORDS.contains(&name) || NON_RAW_KEYWORDS.contains(&name)
}

/// Replaces characters that cannot appear in an identifier by word breaks, so heck can case them.
fn words(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Keeps only characters valid in a Rust identifier (ASCII, to stay readable and portable).
fn ascii_ident(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

fn fix_start(mut ident: String, fallback: &str) -> String {
    if ident.is_empty() || ident.chars().all(|c| c == '_') {
        return fallback.to_owned();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, '_');
    }
    ident
}

/// A `snake_case` identifier for a field, parameter, method or module.
pub fn snake(name: &str) -> String {
    let ident = fix_start(ascii_ident(&words(name).to_snake_case()), "value");
    if NON_RAW_KEYWORDS.contains(&ident.as_str()) {
        format!("{ident}_")
    } else if RAW_KEYWORDS.contains(&ident.as_str()) {
        format!("r#{ident}")
    } else {
        ident
    }
}

/// An `UpperCamelCase` identifier for a type or variant.
pub fn camel(name: &str) -> String {
    // Dropping non-ASCII letters can leave a lower-case letter first (`ünï` → `n`).
    let mut ident = ascii_ident(&words(name).to_upper_camel_case());
    if let Some(first) = ident.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let ident = fix_start(ident, "Value");
    if NON_RAW_KEYWORDS.contains(&ident.as_str()) {
        format!("{ident}_")
    } else {
        ident
    }
}

/// Whether a reader can tell wire name `wire` from field name `field`: they are the same, or
/// `wire` is plain `lowerCamelCase` (ASCII letters and digits) whose `snake_case` is `field`.
/// A keyword (`r#type`), a renamed field (`message2`) or a wire name with other characters
/// (`@id`, `Name`) does not tell.
pub fn wire_is_evident(wire: &str, field: &str) -> bool {
    wire == field
        || (wire.starts_with(|c: char| c.is_ascii_lowercase())
            && wire.chars().all(|c| c.is_ascii_alphanumeric())
            && wire.to_snake_case() == field)
}

/// The identifier without a raw prefix: what serde sees as the field's name.
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// What holds a name in a [`Scope`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// Reserved before anything was claimed, for the reason given (for example "a method
    /// every generated client defines").
    Reserved(String),
    /// Claimed by this (a wire name, an operationId...).
    Claimed(String),
}

/// The outcome of [`Scope::claim_by`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The name handed out.
    pub name: String,
    /// When the candidate was taken: what held it (the name handed out is then another).
    pub displaced_by: Option<Holder>,
}

/// Hands out names that are unique within one scope (a crate's types, a struct's fields...).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeMap<String, Holder>,
}

impl Scope {
    /// A scope in which `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        let mut scope = Self::default();
        scope.reserve(reserved.iter().copied(), "reserved");
        scope
    }

    /// Takes `names` (unless already taken), for the reason `why`.
    pub fn reserve<'n>(&mut self, names: impl IntoIterator<Item = &'n str>, why: &str) {
        for name in names {
            self.taken
                .entry(unraw(name).to_owned())
                .or_insert_with(|| Holder::Reserved(why.to_owned()));
        }
    }

    /// Takes `candidate`, or `candidate2`, `candidate3`... when it is taken.
    pub fn claim(&mut self, candidate: &str) -> String {
        self.claim_by(candidate, candidate).name
    }

    /// Takes `candidate` for `by` (what is named, as the warnings should call it), or
    /// `candidate2`, `candidate3`... when it is taken, saying what held it: the point where a
    /// rename happens, and so where it is reported.
    pub fn claim_by(&mut self, candidate: &str, by: &str) -> Claim {
        let key = unraw(candidate).to_owned();
        if let Some(holder) = self.taken.get(&key) {
            let displaced_by = Some(holder.clone());
            return Claim {
                name: self.next_free(&key, by),
                displaced_by,
            };
        }
        self.taken.insert(key, Holder::Claimed(by.to_owned()));
        Claim {
            name: candidate.to_owned(),
            displaced_by: None,
        }
    }

    fn next_free(&mut self, key: &str, by: &str) -> String {
        // `self_` (a keyword made safe) continues as `self2`, `Self_` as `Self2`.
        let base = match key.strip_suffix('_') {
            Some(base) if !base.is_empty() && !base.ends_with('_') => base,
            _ => key,
        };
        let separator = if base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        let mut n = 2usize;
        loop {
            let next = format!("{base}{separator}{n}");
            if !self.taken.contains_key(&next) {
                self.taken
                    .insert(next.clone(), Holder::Claimed(by.to_owned()));
                return next;
            }
            n += 1;
        }
    }

    /// What holds `name`, if anything.
    pub fn holder(&self, name: &str) -> Option<&Holder> {
        self.taken.get(unraw(name))
    }

    /// Gives `name` to `by`, whatever held it (whose holder was renamed).
    pub fn take_over(&mut self, name: &str, by: &str) {
        self.taken
            .insert(unraw(name).to_owned(), Holder::Claimed(by.to_owned()));
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains_key(unraw(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evident_wire_names() {
        for (wire, field) in [
            ("id", "id"),
            ("html_url", "html_url"),
            ("methodName", "method_name"),
        ] {
            assert!(wire_is_evident(wire, field), "{wire}");
        }
        for (wire, field) in [
            ("type", "r#type"),
            ("self", "self_"),
            ("MethodName", "method_name"),
            ("@id", "id"),
            ("_links", "links"),
            ("message", "message2"),
            ("x-rate", "x_rate"),
        ] {
            assert!(!wire_is_evident(wire, field), "{wire}");
        }
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("ref"), "r#ref");
        assert_eq!(snake("gen"), "r#gen");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("Self"), "self_");
        assert_eq!(snake("crate"), "crate_");
        assert_eq!(camel("self"), "Self_");
    }

    #[test]
    fn odd_characters_and_digits() {
        assert_eq!(snake("api-version"), "api_version");
        assert_eq!(snake("x-ms-continuation"), "x_ms_continuation");
        assert_eq!(snake("1st"), "_1st");
        assert_eq!(snake("$top"), "top");
        assert_eq!(snake("@odata.type"), "odata_type");
        assert_eq!(snake("---"), "value");
        assert_eq!(camel("123"), "_123");
        assert_eq!(camel("job status"), "JobStatus");
        assert_eq!(
            snake("Jobs_CreateScheduledJob"),
            "jobs_create_scheduled_job"
        );
        assert_eq!(snake("été"), "t");
    }

    #[test]
    fn scope_makes_unique() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim("message"), "message");
        assert_eq!(scope.claim("message"), "message2");
        assert_eq!(scope.claim("r#type"), "r#type");
        assert_eq!(scope.claim("type"), "type2");
        assert_eq!(scope.claim("v1"), "v1");
        assert_eq!(scope.claim("v1"), "v1_2");
        assert_eq!(scope.claim("Self_"), "Self_");
        assert_eq!(scope.claim("Self_"), "Self2");
        assert_eq!(camel("ünï"), "N");
    }

    #[test]
    fn claims_say_what_held_the_name() {
        let mut scope = Scope::with_reserved(&["new"]);
        scope.reserve(["base_url"], "a client method");
        let reserved = scope.claim_by("new", "op new");
        assert_eq!(reserved.name, "new2");
        assert_eq!(
            reserved.displaced_by,
            Some(Holder::Reserved("reserved".to_owned()))
        );
        let free = scope.claim_by("list", "listA");
        assert_eq!((free.name.as_str(), free.displaced_by), ("list", None));
        let second = scope.claim_by("list", "listB");
        assert_eq!(second.name, "list2");
        assert_eq!(
            second.displaced_by,
            Some(Holder::Claimed("listA".to_owned()))
        );
        assert_eq!(scope.claim_by("base_url", "x").name, "base_url2");
    }

    proptest::proptest! {
        // The invariant the runtime's macros rely on: no generated type name starts with
        // `__` (their generic parameters and helper types do).
        #[test]
        fn camel_names_never_hold_two_underscores(name in "\\PC{0,24}") {
            let ident = camel(&name);
            proptest::prop_assert!(!ident.contains("__"), "{name:?} → {ident:?}");
            let mut scope = Scope::default();
            for _ in 0..3 {
                let claimed = scope.claim(&ident);
                proptest::prop_assert!(!claimed.contains("__"), "{name:?} → {claimed:?}");
            }
        }
    }

    #[test]
    fn underscores_in_camel_names() {
        for name in ["__", "_a_b_", "a__b", "Self", "self", "1", "__1", "a_1"] {
            assert!(!camel(name).contains("__"), "{name}");
        }
        assert_eq!(camel("__a"), "A");
        assert_eq!(camel("self"), "Self_");
    }
}
