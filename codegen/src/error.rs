//! Errors and warnings, each saying what is wrong and where.

use std::fmt;

/// Where in the input document a problem sits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Location {
    /// JSON pointer into the document, e.g. `#/paths/~1jobs~1v2~1{id}/put/requestBody`.
    pub pointer: String,
    /// The operationId or schema name the pointer falls under, when there is one.
    pub context: Option<String>,
}

impl Location {
    /// A location at `pointer` with no named context.
    pub fn new(pointer: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            context: None,
        }
    }

    /// The same location, tagged with an operationId or schema name.
    #[must_use]
    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pointer)?;
        if let Some(context) = &self.context {
            write!(f, " ({context})")?;
        }
        Ok(())
    }
}

/// `file#/pointer (context)`, or `file (the document itself)` at the root.
fn place(file: &str, location: &Location) -> String {
    if location.pointer.is_empty() || location.pointer == "#" {
        format!("{file} (the document itself)")
    } else if location.pointer.starts_with('#') {
        format!("{file}{location}")
    } else {
        format!("{file}#{location}")
    }
}

/// One problem that stops generation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is neither valid YAML nor valid JSON.
    #[error("{file}: not a valid {format} document: {message}")]
    Syntax {
        /// The input file name, as given by the caller.
        file: String,
        /// `YAML` or `JSON`.
        format: &'static str,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The document is valid YAML/JSON but not an OpenAPI version this generator reads.
    #[error("{file}: {message}")]
    UnsupportedVersion {
        /// The input file name.
        file: String,
        /// What was found and what to do.
        message: String,
    },
    /// The document does not follow the OpenAPI 3.0 schema.
    #[error("{}: not valid OpenAPI 3.0: {message}", place(file, location))]
    Invalid {
        /// The input file name.
        file: String,
        /// Where the offending value is (`#` for the document itself).
        location: Location,
        /// The deserializer's message, and the fix when it is obvious.
        message: String,
    },
    /// A construct in the document that cannot be turned into code.
    #[error("{}: {message}", place(file, location))]
    Semantic {
        /// The input file name.
        file: String,
        /// Where the problem is.
        location: Location,
        /// What is wrong, and the fix when it is obvious.
        message: String,
    },
    /// A bug in the generator: emitted tokens that do not parse as Rust.
    #[error("internal error (please report): {0}")]
    Internal(String),
}

/// A construct that was generated in a degraded form (for example as `serde_json::Value`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// Where the construct is.
    pub location: Location,
    /// What was degraded, and to what.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{}: {}", self.location, self.message);
        write!(f, "warning: {}", printable(&text))
    }
}

impl Warning {
    /// The warning as printed for `file`: `warning: file#/pointer (context): message`.
    pub fn display_in(&self, file: &str) -> String {
        let text = format!("{}: {}", place(file, &self.location), self.message);
        format!("warning: {}", printable(&text))
    }
}

/// Text from outside (the document, a file name, a command line) made safe to show on one
/// line: on a terminal, in a `//` comment of generated code, a `#` comment of a manifest or a
/// YAML file, or a doc comment. Every character [`must_escape`] names (control characters,
/// line and paragraph separators, characters that reorder text) is shown as a `\u{..}`
/// escape, so nothing can end the line (or the comment), start an item or a table on the
/// next one, or make the line read differently from what it holds. Ordinary text, file names
/// included, is returned as it is.
///
/// This is the one escape every header line, comment and message of the generator goes
/// through; TOML strings escape the same characters in TOML's syntax
/// ([`crate::manifest::toml_string`]).
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if must_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `c` may not stand as itself in a line of text the generator writes or prints
/// (see [`printable`]): control characters (`\n`, `\r`, tab, NEL...: they end a line, or
/// are not allowed in a TOML comment or a YAML document), the Unicode line and paragraph
/// separators U+2028 and U+2029 (line breaks for YAML 1.1, JavaScript and many editors),
/// characters that reorder text ([`is_bidi_control`]), and the noncharacters U+FFFE and
/// U+FFFF (not allowed in a YAML document).
pub fn must_escape(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}')
}

/// Characters that change the direction of the text around them (what rustc's
/// `text_direction_codepoint_*` lints refuse), and the invisible marks among their kin.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}'
    )
}

/// Every error found in one run; generation reports them all together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Errors(pub Vec<Error>);

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {}", printable(&error.to_string()))?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

impl From<Error> for Errors {
    fn from(error: Error) -> Self {
        Self(vec![error])
    }
}
