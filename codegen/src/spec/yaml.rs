//! A deterministic YAML writer for JSON values, for documents people read and diff
//! (`spec/iothub-jobs.yaml` is written by `cargo xtask import` through it).
//!
//! Keys keep their order (serde_json's `preserve_order`). A string is written plain only when
//! every YAML 1.1 and 1.2 reader takes it back as the same string; anything that could be read
//! as a number, a boolean, null, a date or YAML syntax is double-quoted with escapes, so the
//! text reads back as exactly the value that was written.

use serde_json::{Map, Value};

/// The value as a YAML document (block style, two-space indentation, a final newline).
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, width: usize) {
    out.extend(std::iter::repeat_n(' ', width));
}

/// A scalar, or an empty collection, on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => scalar(text),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

/// The entries of `map`, each key at column `at`.
fn write_map(out: &mut String, map: &Map<String, Value>, at: usize) {
    let mut first = true;
    for (key, value) in map {
        if !first {
            indent(out, at);
        }
        first = false;
        write_entry(out, key, value, at);
    }
}

/// `key: value`, the key already indented; a nested mapping goes two columns right, a nested
/// sequence two columns right as well (`- ` items under their key).
fn write_entry(out: &mut String, key: &str, value: &Value, at: usize) {
    out.push_str(&scalar(key));
    out.push(':');
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            indent(out, at + 2);
            write_map(out, map, at + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, at + 2);
        }
        scalar => {
            out.push(' ');
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
}

/// The items of a sequence, each `- ` at column `at` (written from the start of the line).
fn write_seq(out: &mut String, items: &[Value], at: usize) {
    for item in items {
        indent(out, at);
        out.push('-');
        match item {
            Value::Object(map) if is_block(item) => {
                out.push(' ');
                write_map(out, map, at + 2);
            }
            Value::Array(inner) if is_block(item) => {
                out.push('\n');
                write_seq(out, inner, at + 2);
            }
            scalar => {
                out.push(' ');
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
    }
}

/// A string as a YAML scalar: plain when that is unambiguous, double-quoted otherwise.
pub fn scalar(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_owned()
    } else {
        quoted(text)
    }
}

/// Words that some YAML reader takes for something other than a string.
fn is_reserved_word(text: &str) -> bool {
    matches!(
        text.to_ascii_lowercase().as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "="
    )
}

fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if is_reserved_word(text) || text.ends_with(' ') || text.ends_with(':') {
        return false;
    }
    // Numbers, dates, times, `.inf`, `.nan` and every indicator start differently from words.
    if !(first.is_ascii_alphabetic() || matches!(first, '/' | '$' | '_' | '(')) {
        return false;
    }
    if text.contains(": ") || text.contains(" #") || text.contains("  ") {
        return false;
    }
    text.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                ' ' | '-'
                    | '_'
                    | '.'
                    | '/'
                    | '$'
                    | '('
                    | ')'
                    | '{'
                    | '}'
                    | ','
                    | ';'
                    | '+'
                    | '='
                    | '@'
                    | '\''
                    | ':'
                    | '?'
                    | '!'
                    | '*'
                    | '&'
                    | '%'
                    | '<'
                    | '>'
                    | '^'
                    | '~'
            )
    })
}

/// A double-quoted scalar; `"`, `\`, control characters and the characters YAML does not allow
/// unescaped are escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control()
                || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
                || crate::error::is_bidi_control(c) =>
            {
                let code = u32::from(c);
                if code <= 0xffff {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// The YAML text read back as JSON; a failure is an object naming it, which equals no
    /// value the tests write.
    fn read_back(text: &str) -> Value {
        serde_yaml::from_str::<serde_yaml::Value>(text)
            .map_err(|e| e.to_string())
            .and_then(|yaml| serde_json::to_value(yaml).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| json!({ "does not read back": e }))
    }

    #[test]
    fn writes_block_style() {
        let value = json!({
            "openapi": "3.0.3",
            "info": {"title": "T: t", "version": "2021-04-12"},
            "servers": [{"url": "https://{hub}.example.net", "variables": {"hub": {"default": "x"}}}],
            "paths": {"/a/{id}": {"get": {"responses": {"200": {"description": "OK."}}}}},
            "list": [[1, 2], [], {}, null, true, 1.5],
            "empty": {},
        });
        let text = to_string(&value);
        assert_eq!(
            text,
            "openapi: \"3.0.3\"\ninfo:\n  title: \"T: t\"\n  version: \"2021-04-12\"\nservers:\n  \
             - url: https://{hub}.example.net\n    variables:\n      hub:\n        default: x\n\
             paths:\n  /a/{id}:\n    get:\n      responses:\n        \"200\":\n          \
             description: OK.\nlist:\n  -\n    - 1\n    - 2\n  - []\n  - {}\n  - null\n  - true\n  \
             - 1.5\nempty: {}\n"
        );
        assert_eq!(read_back(&text), value);
    }

    #[test]
    fn quotes_what_readers_would_take_for_something_else() {
        for text in [
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "null",
            "~",
            "true",
            "1",
            "1.0",
            "0x1f",
            "2021-04-12",
            ".inf",
            "-a",
            "- a",
            "#a",
            "a #b",
            "a: b",
            "a:",
            "",
            " a",
            "a ",
            "{a}",
            "[a]",
            "*a",
            "&a",
            "!a",
            "|",
            ">",
            "'a'",
            "\"a\"",
            "@a",
            "%a",
            "`a`",
            "a\nb",
            "é",
            "=",
            "<<",
        ] {
            assert!(scalar(text).starts_with('"'), "{text:?} → {}", scalar(text));
            assert_eq!(
                read_back(&format!("k: {}\n", scalar(text))),
                json!({"k": text})
            );
        }
        for text in [
            "jobId",
            "/jobs/{id}",
            "$ref",
            "x-ms-enum",
            "The job type.",
            "It's ok",
        ] {
            assert_eq!(scalar(text), text);
        }
    }

    proptest! {
        #[test]
        fn strings_read_back_unchanged(text in any::<String>()) {
            let value = json!({ text.clone(): [text.clone(), {"k": text.clone()}] });
            prop_assert_eq!(read_back(&to_string(&value)), value);
        }

        #[test]
        fn printable_strings_read_back_unchanged(text in "[ -~]{0,12}") {
            let value = json!({ text.clone(): text.clone() });
            prop_assert_eq!(read_back(&to_string(&value)), value);
        }
    }
}
