//! Stage 1: text → `openapiv3::OpenAPI`, with the version checked first.

mod lenient;
pub(crate) mod shape;
pub(crate) mod targets;
mod v31;
pub(crate) mod walk;

use crate::error::{Error, Errors, Location};

/// The syntax of the input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// JSON (the text starts with `{`).
    Json,
    /// YAML (anything else).
    Yaml,
}

/// Guesses the syntax from the text itself: JSON documents start with `{`.
pub fn detect(text: &str) -> Syntax {
    if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
    {
        Syntax::Json
    } else {
        Syntax::Yaml
    }
}

/// Parses `text` (YAML or JSON; OpenAPI 3.0, or 3.1 or Swagger 2.0 converted to 3.0.3) into an
/// OpenAPI 3.0 document; on failure, the first error.
pub fn parse(file: &str, text: &str) -> Result<openapiv3::OpenAPI, Error> {
    parse_with_raw(file, text)
        .map(|(doc, _)| doc)
        .map_err(|errors| {
            errors
                .0
                .into_iter()
                .next()
                .unwrap_or_else(|| internal(file))
        })
}

fn internal(file: &str) -> Error {
    Error::Internal(format!("{file}: parsing failed without an error"))
}

/// Parses `text` into an OpenAPI 3.0 document and also returns the document as plain JSON,
/// for what reads every part of it (checks, references that point outside `components`,
/// resolved by `targets`; spec tooling). A document that does not
/// follow the OpenAPI 3.0 schema gets every offending value reported, each with its pointer.
pub fn parse_with_raw(
    file: &str,
    text: &str,
) -> Result<(openapiv3::OpenAPI, serde_json::Value), Errors> {
    parse_converted(file, text).map(|(doc, raw, _)| (doc, raw))
}

/// [`parse_with_raw`], plus the warnings of converting a Swagger 2.0 document (none for
/// OpenAPI 3.0): Swagger 2.0 is converted to OpenAPI 3.0.3 by [`crate::spec::swagger`] first.
pub fn parse_converted(
    file: &str,
    text: &str,
) -> Result<(openapiv3::OpenAPI, serde_json::Value, Vec<crate::Warning>), Errors> {
    parse_relocated(file, text).map(|(doc, raw, warnings, _)| (doc, raw, warnings))
}

/// What a 3.1 document's conversion moved (its `$defs` entries), to show what later stages
/// report at the converted document's pointers where it stands in the 3.1 document.
pub(crate) use v31::Relocation;

/// The extension that holds webhooks (requests the API sends to its users' servers) in a
/// 3.0 document, as GitHub's has them; 3.1's `webhooks` are kept under it when converted.
pub(crate) const WEBHOOKS_EXTENSION: &str = "x-webhooks";

/// [`parse_converted`], plus the [`Relocation`] of a 3.1 document (empty for others); the
/// errors it returns are already relocated.
pub(crate) fn parse_relocated(
    file: &str,
    text: &str,
) -> Result<
    (
        openapiv3::OpenAPI,
        serde_json::Value,
        Vec<crate::Warning>,
        Relocation,
    ),
    Errors,
> {
    let mut relocation = Relocation::default();
    parse_to_30(file, text, &mut relocation)
        .map(|(doc, raw, warnings)| (doc, raw, warnings, relocation.clone()))
        .map_err(|mut errors| {
            errors.0.iter_mut().for_each(|e| relocation.error(e));
            errors
        })
}

fn parse_to_30(
    file: &str,
    text: &str,
    relocation: &mut Relocation,
) -> Result<(openapiv3::OpenAPI, serde_json::Value, Vec<crate::Warning>), Errors> {
    let value = to_json(file, text)?;
    if !value.is_object() {
        return Err(Error::Invalid {
            file: file.to_owned(),
            location: Location::new("#"),
            message: format!(
                "the document is {}, not a mapping of OpenAPI fields",
                describe(&value)
            ),
        }
        .into());
    }
    let (value, mut warnings) = crate::spec::swagger::upgrade(file, value)?;
    let value = match value.get("openapi").and_then(serde_json::Value::as_str) {
        Some(version) if v31::is_31(version) => {
            let (value, converted, moved) = v31::downgrade(file, &value)?;
            warnings.extend(converted);
            *relocation = moved;
            value
        }
        _ => value,
    };
    check_version(file, value.get("openapi"))?;
    let mut value = value;
    warnings.extend(lenient::query_strings_in_paths(&mut value));
    warnings.extend(lenient::referenced_callbacks(&mut value));
    // Each object on its own first: every error with its pointer, and never a slow failure
    // (see `shape`). The whole document is deserialized only when that finds nothing, or
    // nothing but scalars where annotations want text (read as text, with a warning).
    let mut located = crate::parse::shape::locate(file, &value);
    for _ in 0..lenient::MAX_ROUNDS {
        if located.is_empty() {
            break;
        }
        match lenient::scalars_as_text(&mut value, &located) {
            Some(fixed) => {
                warnings.extend(fixed);
                located = crate::parse::shape::locate(file, &value);
            }
            None => break,
        }
    }
    if !located.is_empty() {
        return Err(Errors(located));
    }
    // Without tracking the path first, and again with it to say where when that fails (see
    // `shape::try_as`).
    if let Ok(doc) = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&value) {
        return Ok((doc, value, warnings));
    }
    match serde_path_to_error::deserialize(&value) {
        Ok(doc) => Ok((doc, value, warnings)),
        Err(error) => {
            let at =
                crate::pointer::join_all("#", &crate::parse::shape::path_segments(error.path()));
            Err(Error::Invalid {
                file: file.to_owned(),
                location: Location::new(at),
                message: error.inner().to_string(),
            }
            .into())
        }
    }
}

fn describe(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "empty",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a single string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}

/// The text as plain JSON. Duplicate keys are errors in both syntaxes (a YAML or JSON parser
/// would otherwise keep one of the values silently).
pub(crate) fn to_json(file: &str, text: &str) -> Result<serde_json::Value, Error> {
    let text = text.trim_start_matches('\u{feff}');
    match detect(text) {
        Syntax::Json => serde_json::from_str::<strict::Json>(text)
            .map(|json| json.0)
            .map_err(|e| Error::Syntax {
                file: file.to_owned(),
                format: "JSON",
                message: e.to_string(),
            }),
        Syntax::Yaml => {
            let syntax = |message: String| Error::Syntax {
                file: file.to_owned(),
                format: "YAML",
                message,
            };
            // The YAML parser takes time quadratic in the nesting of flow collections before
            // its depth limit applies (seconds for `[` nested 20,000 deep, minutes for
            // 200,000): the limit is applied first, in linear time.
            if let Some((line, column)) = flow_too_deep(text, MAX_DEPTH) {
                return Err(syntax(format!(
                    "flow collections (`[...]`, `{{...}}`) nested more than {MAX_DEPTH} levels \
                     deep at line {line} column {column}; the parsers read at most \
                     {MAX_DEPTH} levels of nesting"
                )));
            }
            let mut yaml: serde_yaml::Value =
                serde_yaml::from_str(text).map_err(|e| syntax(yaml_message(text, &e)))?;
            // `<<: *anchor` merge keys, which YAML 1.1 documents use to share fragments.
            yaml.apply_merge().map_err(|e| syntax(e.to_string()))?;
            serde_json::to_value(&yaml).map_err(|e| Error::Invalid {
                file: file.to_owned(),
                location: Location::new("#"),
                message: format!(
                    "the YAML has a value JSON cannot hold (keys must be strings or numbers): {e}"
                ),
            })
        }
    }
}

/// How deep collections may nest: the limit of both parsers (serde_json's and serde_yaml's
/// recursion limit).
pub const MAX_DEPTH: usize = 128;

/// Where (line and column, from 1) YAML text opens a flow collection (`[` or `{`) nested more
/// than `limit` flow collections deep, if it does; in one pass, linear in the text's length.
///
/// It reads as much of YAML's syntax as decides what a `[` or `{` is: in a flow collection,
/// any one outside a quoted scalar or a comment opens another; in block context, only one
/// where a node starts (after indentation, `- `, `? `, `: `, an anchor or a tag). Skipped as
/// text: quoted scalars (`"..."` with `\` escapes, `'...'` with `''`), comments (` #` to the
/// end of the line), block scalars (`|`, `>`: the lines indented more than their owner, the
/// last `-`, `?`, key or lone `:`) and the continuation lines of plain scalars (likewise).
/// Where it could misread a document the parser accepts, it counts fewer levels, not more;
/// and a document it flags nests deeper than the parsers' own limit, which would refuse it
/// anyway, only after a pass that takes time quadratic in the depth.
// Long: one state machine over the bytes, whose state is the half-dozen locals declared at
// its top; each arm of the `match` is one token kind, and split into functions they would
// pass all of that state around.
pub fn flow_too_deep(text: &str, limit: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    let blank = |b: Option<u8>| matches!(b, None | Some(b' ' | b'\t' | b'\n' | b'\r'));
    let flow_indicator = |b: Option<u8>| matches!(b, Some(b',' | b'[' | b']' | b'{' | b'}'));
    // The index of the last byte of the line `i` is on (the one before its `\n`), or `i` when
    // the line ends there.
    let line_end = |mut i: usize| {
        while !matches!(at(i + 1), None | Some(b'\n')) {
            i += 1;
        }
        i
    };
    let mut depth = 0usize;
    let (mut line, mut line_start) = (1usize, 0usize);
    // At the start of a line in block context (its indentation not read yet).
    let mut fresh = true;
    // Whether the next character starts a node (where `[`, `{`, quotes and `|` are
    // indicators, not text of a plain scalar).
    let mut node_start = true;
    // Whether the last token was a plain scalar (whose next lines may continue it).
    let mut in_plain = false;
    // The column where the last scalar that started a node began (a key, once `: ` follows).
    let mut scalar_column = 0usize;
    // The column of what owns the lines below: the last `-`, `?`, key or lone `:` in block
    // context. A block scalar, or a plain scalar's continuation, is the lines indented more.
    let mut owner = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        if fresh {
            fresh = false;
            let indent = bytes
                .get(i..)
                .map_or(0, |rest| rest.iter().take_while(|b| **b == b' ').count());
            let rest = bytes.get(i + indent..).unwrap_or_default();
            let empty = matches!(rest.first(), None | Some(b'\n' | b'\r'));
            if in_plain && indent > owner && !empty {
                // A plain scalar's continuation: text.
                i = line_end(i) + 1;
                continue;
            }
            i += indent;
            if empty {
                continue;
            }
            node_start = true;
            in_plain = false;
            if indent == 0
                && (rest.starts_with(b"---") || rest.starts_with(b"..."))
                && blank(at(i + 3))
            {
                i += 3;
            } else if indent == 0 && rest.starts_with(b"%") {
                // A directive.
                i = line_end(i) + 1;
            }
            continue;
        }
        let b = at(i).unwrap_or_default();
        match b {
            b'\n' => {
                line += 1;
                line_start = i + 1;
                fresh = depth == 0;
            }
            b' ' | b'\t' | b'\r' => {}
            b'#' if i == line_start || blank(i.checked_sub(1).and_then(at)) => {
                i = line_end(i);
                in_plain = false;
            }
            b'"' | b'\'' if node_start => {
                // A quoted scalar, to its closing quote (over lines too).
                if depth == 0 {
                    scalar_column = i - line_start;
                }
                i += 1;
                while let Some(c) = at(i) {
                    let escape = (c == b'\\' && b == b'"')
                        || (c == b'\'' && b == b'\'' && at(i + 1) == Some(b'\''));
                    if escape {
                        i += 1;
                    } else if c == b {
                        break;
                    }
                    if at(i) == Some(b'\n') {
                        line += 1;
                        line_start = i + 1;
                    }
                    i += 1;
                }
                node_start = false;
                in_plain = false;
            }
            b'[' | b'{' if node_start || depth > 0 => {
                depth += 1;
                if depth > limit {
                    let column = text.get(line_start..i).map_or(0, |s| s.chars().count()) + 1;
                    return Some((line, column));
                }
                node_start = true;
                in_plain = false;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                node_start = false;
                in_plain = false;
            }
            b',' if depth > 0 => {
                node_start = true;
                in_plain = false;
            }
            b'|' | b'>' if node_start && depth == 0 => {
                // A block scalar: its header line, then every line that is empty or indented
                // more than its owner.
                let mut newline = line_end(i) + 1;
                while let Some(rest) = bytes.get(newline + 1..).filter(|rest| !rest.is_empty()) {
                    let indent = rest.iter().take_while(|b| **b == b' ').count();
                    let empty = matches!(rest.get(indent), None | Some(b'\n' | b'\r'));
                    if !empty && indent <= owner {
                        break;
                    }
                    line += 1;
                    line_start = newline + 1;
                    newline = line_start + rest.iter().take_while(|b| **b != b'\n').count();
                }
                // On to the `\n` that ends the block scalar's last line.
                i = newline - 1;
                node_start = false;
                in_plain = false;
            }
            b'-' | b'?' if node_start && depth == 0 && blank(at(i + 1)) => {
                owner = i - line_start;
            }
            b':' if blank(at(i + 1))
                || (depth > 0
                    && (flow_indicator(at(i + 1))
                        || matches!(i.checked_sub(1).and_then(at), Some(b'"' | b'\'')))) =>
            {
                if depth == 0 {
                    // After a key, the key owns what follows; alone (the value of a `? `
                    // key), the `:` does.
                    owner = if node_start {
                        i - line_start
                    } else {
                        scalar_column
                    };
                }
                node_start = true;
                in_plain = false;
            }
            b'&' | b'!' | b'*' if node_start => {
                // An anchor, a tag or an alias: to the next blank (or flow indicator).
                let ends = |next| blank(next) || (depth > 0 && flow_indicator(next));
                while !ends(at(i + 1)) {
                    i += 1;
                }
                node_start = b != b'*';
                in_plain = false;
            }
            _ => {
                if node_start && depth == 0 {
                    scalar_column = i - line_start;
                }
                node_start = false;
                in_plain = true;
            }
        }
        i += 1;
    }
    None
}

/// serde_yaml's message, with the line added when it names a duplicate key without one (it
/// does not locate duplicates at the top level of the document).
fn yaml_message(text: &str, error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    let Some(key) = message
        .split_once("duplicate entry with key \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(key, _)| key)
    else {
        return message;
    };
    // serde_yaml names the line of the mapping's first entry (or none at the top level); find
    // the key at the same indentation below it, before the mapping ends.
    let lines: Vec<&str> = text.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let is_key = |line: &str| {
        let line = line.trim_start().trim_start_matches(['\'', '"']);
        line.strip_prefix(key)
            .map(|rest| rest.trim_start_matches(['\'', '"']))
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    };
    let from = error
        .location()
        .map_or(0, |l| l.line().saturating_sub(1))
        .min(lines.len());
    let level = lines.get(from).map_or(0, |l| indent(l));
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(from) {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if i > from && indent(line) < level {
            break;
        }
        if indent(line) == level && is_key(line) {
            found.push(i + 1);
        }
    }
    let found: Vec<String> = found.iter().map(ToString::to_string).collect();
    if found.len() >= 2 {
        let base = message.split(" at line ").next().unwrap_or(&message);
        format!(
            "{base}: `{key}` appears at lines {}; keep one of them",
            found.join(", ")
        )
    } else {
        format!("{message}; keep one of them")
    }
}

/// JSON read with duplicate keys refused.
mod strict {
    use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Number, Value};
    use std::fmt;

    pub(super) struct Json(pub Value);

    impl<'de> Deserialize<'de> for Json {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(JsonVisitor).map(Json)
        }
    }

    struct JsonVisitor;

    impl<'de> Visitor<'de> for JsonVisitor {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON value")
        }

        fn visit_bool<E: Error>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }

        fn visit_i64<E: Error>(self, v: i64) -> Result<Value, E> {
            Ok(Value::Number(v.into()))
        }

        fn visit_u64<E: Error>(self, v: u64) -> Result<Value, E> {
            Ok(Value::Number(v.into()))
        }

        fn visit_f64<E: Error>(self, v: f64) -> Result<Value, E> {
            Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
        }

        fn visit_str<E: Error>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }

        fn visit_string<E: Error>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }

        fn visit_unit<E: Error>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }

        fn visit_none<E: Error>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            Json::deserialize(d).map(|json| json.0)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(Json(item)) = seq.next_element()? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut object = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if object.contains_key(&key) {
                    return Err(A::Error::custom(format_args!(
                        "duplicate key `{key}`; keep one of them"
                    )));
                }
                let Json(value) = map.next_value()?;
                object.insert(key, value);
            }
            Ok(Value::Object(object))
        }
    }
}

fn check_version(file: &str, openapi: Option<&serde_json::Value>) -> Result<(), Error> {
    let unsupported = |message: String| Error::UnsupportedVersion {
        file: file.to_owned(),
        message,
    };
    match openapi {
        None => Err(unsupported(
            "no `openapi` field at the top level: not an OpenAPI document".to_owned(),
        )),
        Some(serde_json::Value::String(v)) if v == "3.0" || v.starts_with("3.0.") => Ok(()),
        Some(serde_json::Value::Number(n)) if n.to_string().starts_with('3') => {
            Err(unsupported(format!(
                "`openapi: {n}` is a number; write the version as a string, for example \
                 `openapi: 3.0.3` (with three parts) or `openapi: '3.0'`"
            )))
        }
        Some(other) => Err(unsupported(format!(
            "`openapi: {other}` is not a supported version; OpenAPI 3.0.x and 3.1.x are (and \
             Swagger 2.0)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_31_and_refuses_other_versions() {
        let e = parse("a.json", r#"{"swagger":"2.0","info":{}}"#).err();
        assert!(e.is_some_and(|e| e.to_string().contains("Swagger 2.0")));
        let doc = parse("a.yaml", "openapi: 3.1.0\ninfo: {title: t, version: v}\n");
        assert!(doc.is_ok_and(|doc| doc.openapi == "3.0.3"));
        for version in ["3.2.0", "3.10.0", "4.0.0"] {
            let text = format!("openapi: {version}\ninfo: {{title: t, version: v}}\npaths: {{}}\n");
            let e = parse("a.yaml", &text).err().map(|e| e.to_string());
            assert!(
                e.as_ref()
                    .is_some_and(|e| e.contains("OpenAPI 3.0.x and 3.1.x are")),
                "{version}: {e:?}"
            );
        }
    }

    #[test]
    fn reports_syntax_errors() {
        let e = parse("a.yaml", "openapi: [").unwrap_err();
        assert!(matches!(e, Error::Syntax { format: "YAML", .. }), "{e}");
        let e = parse("a.json", "{\"openapi\": ").unwrap_err();
        assert!(matches!(e, Error::Syntax { format: "JSON", .. }), "{e}");
    }

    /// The pre-scan finds deep flow collections wherever a node starts, and reads quoted,
    /// plain and block scalars and comments as text.
    #[test]
    fn flow_depth_is_found_where_collections_start() {
        let deep = "[".repeat(5);
        let scan = |text: &str| flow_too_deep(text, 4);
        assert_eq!(scan(&format!("a: {deep}")), Some((1, 8)));
        assert_eq!(scan(&format!("a:\n  - {deep}")), Some((2, 9)));
        assert_eq!(scan(&format!("- ? {deep}")), Some((1, 9)));
        assert_eq!(scan(&format!("a: &x !!seq {deep}")), Some((1, 17)));
        assert_eq!(scan("a: [[{b: [[\n  x]]}]]"), Some((1, 11)));
        assert_eq!(scan("a: [\"]\", [{\"b\":[[[]]]}]]"), Some((1, 17)));
        assert_eq!(scan("é: {é: [[[["), Some((1, 11)));
        // Text.
        for text in [
            format!("a: \"{deep}\""),
            format!("a: \"\\\"{deep}\""),
            format!("a: '{deep}''{deep}'"),
            format!("a: b {deep}"),
            format!("a: b#{deep}"),
            format!("# {deep}"),
            format!("a: x # {deep}"),
            format!("a: |\n  {deep}\n\n  {deep}\nb: 1"),
            format!("- key: >-\n    {deep}\n  other: 1"),
            format!("a: b\n  {deep}"),
            format!("a: [\"{deep}\", '{deep}', x # {deep}\n ]"),
            "a: [it's, [b]]\nc: don't [".to_owned(),
            // Found by `block_yaml_scans_shallow`: a block scalar as the value of a `? ` key.
            format!("k:\n  '': 0\n  ? |2+\n\n  : |\n    {deep}\n"),
        ] {
            assert_eq!(scan(&text), None, "{text}");
        }
        // What follows text is read again.
        assert_eq!(scan(&format!("a: |\n  x\nb: {deep}")), Some((3, 8)));
        assert_eq!(scan(&format!("- k: |\n    x\n  j: {deep}")), Some((3, 10)));
        assert_eq!(scan(&format!("a: \"x\n y\"\nb: {deep}")), Some((3, 8)));
        // A quote in a plain scalar's next line is text, not the start of a quoted scalar.
        assert_eq!(scan(&format!("a: b\n  \"\nc: {deep}\nd: \"")), Some((3, 8)));
        assert_eq!(scan(&format!("--- {deep}")), Some((1, 9)));
    }

    /// Every document of the repository scans as no deeper than it is: the scan's depth never
    /// exceeds the real one (YAML flow collections in the fixtures nest at most a few levels).
    #[test]
    fn the_repository_documents_scan_shallow() -> Result<(), Box<dyn std::error::Error>> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut paths = vec![
            root.join("spec/iothub-jobs.yaml"),
            root.join("spec/upstream/iothub-2021-04-12.json"),
        ];
        for dir in [
            "tests/fixtures",
            "spec/overlays",
            "codegen/tests/data/swagger",
        ] {
            for entry in std::fs::read_dir(root.join(dir))? {
                paths.push(entry?.path());
            }
        }
        for path in paths {
            let text = std::fs::read_to_string(&path)?;
            assert_eq!(flow_too_deep(&text, 8), None, "{}", path.display());
        }
        Ok(())
    }

    /// JSON values with strings full of YAML's indicators, written as JSON (flow style
    /// throughout) and as YAML (block style, quoted and block scalars): the scan finds exactly
    /// the nesting of the JSON text, and none beyond the empty collections in the YAML.
    mod scan_properties {
        use super::super::flow_too_deep;
        use proptest::prelude::*;
        use serde_json::Value;

        fn value() -> impl Strategy<Value = Value> {
            let text = "[a-c \\[\\]{}\"'#\\\\:,|>&*!?\n-]{0,8}";
            let leaf = prop_oneof![
                text.prop_map(Value::String),
                any::<i32>().prop_map(Value::from),
                Just(Value::Null),
            ];
            leaf.prop_recursive(6, 48, 4, move |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::vec((text, inner), 0..4)
                        .prop_map(|entries| Value::Object(entries.into_iter().collect())),
                ]
            })
        }

        fn depth(value: &Value) -> usize {
            match value {
                Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
                Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
                _ => 0,
            }
        }

        proptest! {
            #[test]
            fn json_text_scans_to_its_depth(value in value()) {
                let deepest = depth(&value);
                let failed = |e: serde_json::Error| TestCaseError::fail(e.to_string());
                for text in [
                    serde_json::to_string(&value).map_err(failed)?,
                    serde_json::to_string_pretty(&value).map_err(failed)?,
                ] {
                    prop_assert_eq!(flow_too_deep(&text, deepest), None, "{}", text);
                    if deepest > 0 {
                        prop_assert!(flow_too_deep(&text, deepest - 1).is_some(), "{}", text);
                    }
                }
            }

            #[test]
            fn block_yaml_scans_shallow(value in value()) {
                let wrapped = serde_json::json!({ "k": value });
                for text in [
                    serde_yaml::to_string(&wrapped)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?,
                    crate::spec::yaml::to_string(&wrapped),
                ] {
                    prop_assert_eq!(flow_too_deep(&text, 1), None, "{}", text);
                }
            }
        }
    }

    #[test]
    fn reports_invalid_with_path() {
        let e = parse(
            "a.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: v}\npaths: {/a: {get: {responses: 5}}}\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("paths"), "{e}");
    }
}
