//! Turning wire names into valid, unique Rust identifiers.
//!
//! heck does the case conversion; this module then fixes what heck leaves invalid: keywords,
//! leading digits, empty names and characters that cannot appear in identifiers.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

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

/// The identifier without a raw prefix: what serde sees as the field's name.
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// Hands out names that are unique within one scope (a crate's types, a struct's fields...).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope in which `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Takes `candidate`, or `candidate2`, `candidate3`... when it is taken.
    pub fn claim(&mut self, candidate: &str) -> String {
        let key = unraw(candidate).to_owned();
        if self.taken.insert(key.clone()) {
            return candidate.to_owned();
        }
        // `self_` (a keyword made safe) continues as `self2`, `Self_` as `Self2`.
        let base = match key.strip_suffix('_') {
            Some(base) if !base.is_empty() && !base.ends_with('_') => base,
            _ => key.as_str(),
        };
        let separator = if base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        let mut n = 2usize;
        loop {
            let next = format!("{base}{separator}{n}");
            if self.taken.insert(next.clone()) {
                return next;
            }
            n += 1;
        }
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(unraw(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
