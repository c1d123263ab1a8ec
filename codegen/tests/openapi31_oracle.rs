//! The OpenAPI 3.1 oracle: a 3.0 document, rewritten mechanically as the 3.1 document that
//! says the same thing, must generate byte for byte what the 3.0 document generates. The 3.1
//! reader (which converts 3.1 down to 3.0 before the rest of the pipeline) is then checked
//! against the 3.0 pipeline on every 3.0 fixture of `tests/fixtures/`, and, opt-in, on the
//! real-world documents of `../shared/corpus/dev` (`cargo test -p openapi-rust-codegen --test
//! openapi31_oracle -- --ignored`).
//!
//! The rewrite (see [`to_31`]) is what the OpenAPI 3.1 specification's upgrade notes list for
//! schemas: `openapi: 3.1.0`; `nullable: true` → `"null"` added to `type` (a list);
//! `example: v` → `examples: [v]`; boolean `exclusiveMinimum: true` with `minimum: m` →
//! `exclusiveMinimum: m` (the same for the maximum); and one more that is no keyword change:
//! a 3.0 Reference Object ignores the keywords beside `$ref`, a 3.1 schema does not, so they
//! are removed.
//!
//! Both documents are given to the generator as JSON text with the same `spec_path`, so the
//! rewrite is the only difference between them.

use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ has a parent")
        .to_path_buf()
}

/// The document's text as JSON, as the generator reads it (YAML merge keys applied).
fn read_value(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
    } else {
        let mut yaml: serde_yaml::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        yaml.apply_merge().expect("merge keys");
        serde_json::to_value(yaml).unwrap_or_else(|e| panic!("{path:?}: {e}"))
    }
}

/// Whether the oracle applies: an OpenAPI 3.0 document (not Swagger 2.0, not already 3.1).
fn is_openapi_30(document: &Value) -> bool {
    document
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.0"))
}

// ---------------------------------------------------------------------------------------------
// The rewrite
// ---------------------------------------------------------------------------------------------

/// `document` (OpenAPI 3.0) as OpenAPI 3.1.
fn to_31(document: &Value) -> Value {
    let mut document = document.clone();
    if let Some(object) = document.as_object_mut() {
        object.insert("openapi".to_owned(), json!("3.1.0"));
    }
    outside_schemas(&mut document, true);
    document
}

/// Walks the parts of the document that are not schemas, rewriting the schemas found: the
/// values of `schema` keys (parameters, headers, media types) and of `components/schemas`.
/// Examples (`example`, `examples`) and extensions (`x-…`) hold data, not schemas, and are left
/// as they are.
fn outside_schemas(value: &mut Value, root: bool) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                match key.as_str() {
                    "schema" => schema(child),
                    "components" if root => {
                        for (kind, items) in child.as_object_mut().into_iter().flatten() {
                            if kind == "schemas" {
                                for item in items.as_object_mut().into_iter().flatten() {
                                    schema(item.1);
                                }
                            } else {
                                outside_schemas(items, false);
                            }
                        }
                    }
                    "example" | "examples" => {}
                    key if key.starts_with("x-") => {}
                    _ => outside_schemas(child, false),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                outside_schemas(item, false);
            }
        }
        _ => {}
    }
}

/// Rewrites one schema and the schemas it holds (`properties/*`, `items`,
/// `additionalProperties`, `allOf`/`anyOf`/`oneOf` members, `not`). Keys keep their order.
fn schema(value: &mut Value) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    if object.get("$ref").is_some_and(Value::is_string) {
        // A 3.0 Reference Object: whatever stands beside `$ref` is ignored (the generator reads
        // the `$ref` alone). In 3.1 those keywords would count (`description` overriding the
        // target's, the rest merged), so the 3.1 document that means the same has none.
        object.retain(|key, _| key == "$ref");
        return;
    }
    let nullable = object.get("nullable") == Some(&Value::Bool(true));
    let minimum = object.get("minimum").cloned();
    let maximum = object.get("maximum").cloned();
    let exclusive_minimum = object.get("exclusiveMinimum") == Some(&Value::Bool(true));
    let exclusive_maximum = object.get("exclusiveMaximum") == Some(&Value::Bool(true));
    let mut rewritten = Map::new();
    for (key, child) in std::mem::take(object) {
        match key.as_str() {
            "nullable" => {}
            "type" if nullable => {
                let types = match child {
                    Value::Array(mut types) => {
                        types.push(json!("null"));
                        types
                    }
                    other => vec![other, json!("null")],
                };
                rewritten.insert(key, Value::Array(types));
            }
            "example" => {
                rewritten.insert("examples".to_owned(), json!([child]));
            }
            // A bound that is exclusive moves into the `exclusive…` keyword, as a number.
            "minimum" if exclusive_minimum => {}
            "maximum" if exclusive_maximum => {}
            "exclusiveMinimum" if child.is_boolean() => {
                if let (true, Some(minimum)) = (exclusive_minimum, &minimum) {
                    rewritten.insert(key, minimum.clone());
                }
            }
            "exclusiveMaximum" if child.is_boolean() => {
                if let (true, Some(maximum)) = (exclusive_maximum, &maximum) {
                    rewritten.insert(key, maximum.clone());
                }
            }
            _ => {
                rewritten.insert(key, child);
            }
        }
    }
    if nullable && !rewritten.contains_key("type") {
        // `nullable` without `type`: null and whatever the rest allows.
        rewritten.insert("type".to_owned(), json!(["null"]));
    }
    for (key, child) in rewritten.iter_mut() {
        match key.as_str() {
            "properties" => {
                for property in child.as_object_mut().into_iter().flatten() {
                    schema(property.1);
                }
            }
            "items" | "additionalProperties" | "not" => schema(child),
            "allOf" | "anyOf" | "oneOf" => {
                for member in child.as_array_mut().into_iter().flatten() {
                    schema(member);
                }
            }
            _ => {}
        }
    }
    *object = rewritten;
}

// ---------------------------------------------------------------------------------------------
// Comparing what both generate
// ---------------------------------------------------------------------------------------------

/// What generating `document` gave: every file (path, contents) and every warning's pointer,
/// or every error.
type Generated = Result<(Vec<(String, String)>, Vec<String>), Vec<String>>;

fn generate(spec_path: &str, document: &Value) -> Generated {
    let text = serde_json::to_string_pretty(document).expect("JSON");
    let mut input = codegen::Input::new(spec_path, &text, "openapi31_oracle");
    input.server = true;
    match codegen::generate(&input) {
        Ok(output) => Ok((
            output
                .files
                .into_iter()
                .map(|f| (f.path, f.contents))
                .collect(),
            output
                .warnings
                .into_iter()
                .map(|w| w.location.pointer)
                .collect(),
        )),
        Err(errors) => Err(errors.0.iter().map(ToString::to_string).collect()),
    }
}

/// The first line where `a` and `b` differ, with two lines before it, for a failure message.
fn first_difference(a: &str, b: &str) -> String {
    let (a_lines, b_lines): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let at = a_lines
        .iter()
        .zip(&b_lines)
        .position(|(x, y)| x != y)
        .unwrap_or(a_lines.len().min(b_lines.len()));
    let from = at.saturating_sub(2);
    let show = |lines: &[&str]| {
        lines
            .get(from..(at + 1).min(lines.len()))
            .unwrap_or_default()
            .join("\n")
    };
    format!(
        "line {}:\n--- from 3.0\n{}\n+++ from 3.1\n{}",
        at + 1,
        show(&a_lines),
        show(&b_lines)
    )
}

/// Compares what the 3.0 document and its 3.1 rewrite generate; `None` when they agree.
fn compare(spec_path: &str, document: &Value) -> Option<String> {
    let from_30 = generate(spec_path, document);
    let from_31 = generate(spec_path, &to_31(document));
    match (from_30, from_31) {
        (Ok((files_30, warnings_30)), Ok((files_31, warnings_31))) => {
            let paths = |files: &[(String, String)]| -> Vec<String> {
                files.iter().map(|f| f.0.clone()).collect()
            };
            if paths(&files_30) != paths(&files_31) {
                return Some(format!(
                    "{spec_path}: other files: {:?} from 3.0, {:?} from 3.1",
                    paths(&files_30),
                    paths(&files_31)
                ));
            }
            for ((path, a), (_, b)) in files_30.iter().zip(&files_31) {
                if a != b {
                    return Some(format!(
                        "{spec_path}: {path} differs at {}",
                        first_difference(a, b)
                    ));
                }
            }
            // The 3.1 reader locates its warnings in the 3.1 document, whose schemas stand
            // where the 3.0 document's stand.
            (warnings_30 != warnings_31).then(|| {
                format!(
                    "{spec_path}: other warnings:\nfrom 3.0: {warnings_30:#?}\nfrom 3.1: {warnings_31:#?}"
                )
            })
        }
        // A document the 3.0 pipeline refuses is refused in 3.1 too (the messages may name
        // 3.1 keywords).
        (Err(_), Err(_)) => None,
        (Ok(_), Err(errors)) => Some(format!(
            "{spec_path}: the 3.0 document generates, its 3.1 rewrite does not:\n{}",
            errors.join("\n")
        )),
        (Err(errors), Ok(_)) => Some(format!(
            "{spec_path}: the 3.1 rewrite generates, the 3.0 document does not:\n{}",
            errors.join("\n")
        )),
    }
}

/// The documents of `dir` with one of `extensions`, sorted.
fn documents(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
        })
        .collect();
    paths.sort();
    paths
}

/// Runs the oracle on every 3.0 document of `paths` (named `prefix/<file name>`), and fails
/// with every difference found; returns how many documents it compared.
fn check_all(prefix: &str, paths: &[PathBuf]) -> usize {
    let mut compared = 0;
    let mut failures = Vec::new();
    for path in paths {
        let document = read_value(path);
        if !is_openapi_30(&document) {
            continue;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 name");
        let spec_path = format!("{prefix}/{name}");
        compared += 1;
        failures.extend(compare(&spec_path, &document));
    }
    assert!(
        failures.is_empty(),
        "{} of {compared} documents generate differently from their 3.1 rewrite:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    compared
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

/// Every 3.0 fixture of `tests/fixtures/` (the 3.1 ones are skipped) generates the same files
/// and warnings as its 3.1 rewrite.
#[test]
fn every_30_fixture_generates_the_same_as_its_31_rewrite() {
    let paths = documents(
        &workspace().join("tests/fixtures"),
        &["yaml", "yml", "json"],
    );
    let compared = check_all("tests/fixtures", &paths);
    assert!(compared >= 18, "only {compared} fixtures compared");
}

/// The rewrite itself, on one schema with every keyword it changes (and a property named
/// `$ref`, which is no reference).
#[test]
fn the_rewrite_changes_exactly_the_30_keywords() {
    let document = json!({
        "openapi": "3.0.3",
        "paths": {"/a": {"get": {"parameters": [
            {"name": "n", "in": "query", "schema": {"type": "integer", "nullable": true, "example": 3}}
        ], "responses": {"200": {"description": "d", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/S"},
            "example": {"nullable": true}
        }}}}}}},
        "components": {"schemas": {"S": {
            "type": "object",
            "properties": {
                "$ref": {"type": "string", "nullable": true},
                "r": {"$ref": "#/components/schemas/S", "description": "ignored in 3.0"},
                "n": {"type": "number", "minimum": 0, "exclusiveMinimum": true,
                      "maximum": 1, "exclusiveMaximum": false},
                "u": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/S"}]},
                "l": {"type": "array", "items": {"type": "string", "nullable": true}},
                "m": {"additionalProperties": {"oneOf": [{"type": "string", "nullable": true}]}}
            }
        }}}
    });
    let expected = json!({
        "openapi": "3.1.0",
        "paths": {"/a": {"get": {"parameters": [
            {"name": "n", "in": "query", "schema": {"type": ["integer", "null"], "examples": [3]}}
        ], "responses": {"200": {"description": "d", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/S"},
            "example": {"nullable": true}
        }}}}}}},
        "components": {"schemas": {"S": {
            "type": "object",
            "properties": {
                "$ref": {"type": ["string", "null"]},
                "r": {"$ref": "#/components/schemas/S"},
                "n": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "u": {"allOf": [{"$ref": "#/components/schemas/S"}], "type": ["null"]},
                "l": {"type": "array", "items": {"type": ["string", "null"]}},
                "m": {"additionalProperties": {"oneOf": [{"type": ["string", "null"]}]}}
            }
        }}}
    });
    assert_eq!(to_31(&document), expected);
}

/// The other way round: each 3.1 fixture of `tests/fixtures/` generates the same files as the
/// 3.0 document that says the same thing, translated by hand (`tests/data/openapi31/`): the
/// converted type lists, `const`s, `$ref` siblings, hoisted `$defs`, tuples, pattern maps,
/// binary keywords and shared path items are exactly the 3.0 constructs a person would write.
/// (The warnings differ: the 3.1 fixtures provoke some on purpose, the 3.0 documents none.)
#[test]
fn every_31_fixture_generates_the_same_as_its_30_translation() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/openapi31");
    let translations = documents(&data, &["yaml"]);
    assert_eq!(translations.len(), 5, "{translations:?}");
    for translation in translations {
        let name = translation
            .file_stem()
            .and_then(|n| n.to_str())
            .expect("UTF-8 name");
        let spec_path = format!("tests/fixtures/openapi31-{name}.yaml");
        let fixture = read_value(&workspace().join(&spec_path));
        assert_eq!(fixture["openapi"], "3.1.0", "{spec_path}");
        let from_31 = generate(&spec_path, &fixture).unwrap_or_else(|e| panic!("{e:#?}"));
        let from_30 =
            generate(&spec_path, &read_value(&translation)).unwrap_or_else(|e| panic!("{e:#?}"));
        assert!(from_30.1.is_empty(), "{spec_path}: {:#?}", from_30.1);
        for ((path, a), (path_31, b)) in from_30.0.iter().zip(&from_31.0) {
            assert_eq!(path, path_31);
            assert!(
                a == b,
                "{spec_path}: {path} differs at {}",
                first_difference(a, b)
            );
        }
        assert_eq!(from_30.0.len(), from_31.0.len());
    }
}

/// Opt-in: the same over the real-world documents of `../shared/corpus/dev` (beside this
/// repository; or the folder in `OPENAPI31_ORACLE_CORPUS`). Skipped, with a message, when the
/// folder is absent (a fresh clone has none). Run with `cargo test -p openapi-rust-codegen
/// --release --test openapi31_oracle -- --ignored`.
#[test]
#[ignore = "reads the corpus beside the repository; slow in debug builds"]
fn corpus_documents_generate_the_same_as_their_31_rewrite() {
    let dir = std::env::var_os("OPENAPI31_ORACLE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/corpus/dev"));
    if !dir.is_dir() {
        eprintln!(
            "skipped: no corpus folder at {} (set OPENAPI31_ORACLE_CORPUS to another)",
            dir.display()
        );
        return;
    }
    let paths = documents(&dir, &["json", "yaml", "yml"]);
    let compared = check_all("corpus", &paths);
    eprintln!("{compared} corpus documents generate the same from 3.0 and 3.1");
}
