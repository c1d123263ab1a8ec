//! The documents the benchmark runs on: the Jobs spec (with progenitor's copy), documents
//! from the corpus, GitHub's REST API, and synthetic documents of a given size.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use std::fs;
use std::path::{Path, PathBuf};

/// Where a document comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `spec/iothub-jobs.yaml`.
    Jobs,
    /// One of the corpus documents.
    Corpus,
    /// GitHub's REST API.
    Github,
}

impl Kind {
    /// The name in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Jobs => "jobs",
            Kind::Corpus => "corpus",
            Kind::Github => "github",
        }
    }
}

/// One input document.
#[derive(Debug, Clone)]
pub struct Doc {
    /// A short name for tables and crate names.
    pub name: String,
    /// Where it comes from.
    pub kind: Kind,
    /// The document as given, for this generator.
    pub ours: PathBuf,
    /// The JSON copy progenitor reads (`None`: progenitor is not run on it).
    pub progenitor: Option<PathBuf>,
    /// What was changed in progenitor's copy, if anything.
    pub note: Option<String>,
    /// The document's size in bytes.
    pub bytes: u64,
    /// Component schemas.
    pub schemas: usize,
    /// Operations.
    pub operations: usize,
}

impl Doc {
    /// Describes the document at `path` (sizes and counts read from it).
    pub fn new(name: &str, kind: Kind, ours: &Path, progenitor: Option<PathBuf>) -> Result<Self> {
        let text =
            fs::read_to_string(ours).with_context(|| format!("reading {}", ours.display()))?;
        let (schemas, operations) = match codegen::parse::parse(&ours.display().to_string(), &text)
        {
            Ok(doc) => (
                doc.components.as_ref().map_or(0, |c| c.schemas.len()),
                doc.operations().count(),
            ),
            Err(_) => (0, 0),
        };
        Ok(Self {
            name: name.to_owned(),
            kind,
            ours: ours.to_path_buf(),
            progenitor,
            note: None,
            bytes: text.len() as u64,
            schemas,
            operations,
        })
    }
}

/// Writes progenitor's copy of the Jobs document, as JSON, with the two changes without which
/// progenitor panics (`assertion failed: response_types.len() <= 1`, in
/// `Generator::extract_responses`), and returns a note saying so. This generator reads the
/// document unchanged.
///
/// - The 204 response of `DELETE /jobs/{id}` is removed: progenitor does not take two success
///   responses with different bodies (200 with a job, 204 without).
/// - Each `default` response becomes `4XX` and `5XX` with the same error body: progenitor
///   counts `default` among the success responses too, so a 200 with a body and a `default`
///   with another body are again two success types. The ranges keep the typed error.
///
/// `remove_204` and `replace_defaults` choose the changes (both for the benchmark; one of
/// them to show that the other alone is not enough).
pub fn jobs_for_progenitor(
    spec: &Path,
    out: &Path,
    remove_204: bool,
    replace_defaults: bool,
) -> Result<String> {
    let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let mut value: Value = serde_yaml::from_str(&text).context("reading the Jobs YAML")?;
    let responses = value
        .pointer_mut("/paths/~1jobs~1{id}/delete/responses")
        .and_then(Value::as_object_mut)
        .context("the Jobs document has no DELETE /jobs/{id} responses")?;
    if remove_204 && responses.remove("204").is_none() {
        bail!("DELETE /jobs/{{id}} has no 204 response any more; revisit the bench");
    }
    let mut defaults = 0;
    let paths = value.get_mut("paths").and_then(Value::as_object_mut);
    if let Some(paths) = paths.filter(|_| replace_defaults) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut() {
                let Some(responses) = operation
                    .get_mut("responses")
                    .and_then(Value::as_object_mut)
                else {
                    continue;
                };
                if let Some(default) = responses.remove("default") {
                    responses.insert("4XX".to_owned(), default.clone());
                    responses.insert("5XX".to_owned(), default);
                    defaults += 1;
                }
            }
        }
    }
    // Properties whose names differ only in case become one Rust field twice in progenitor's
    // code, which then does not compile (E0124); the later one goes.
    let mut dropped = Vec::new();
    if let Some(schemas) = value
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut)
            else {
                continue;
            };
            let mut seen = std::collections::BTreeSet::new();
            let keys: Vec<String> = properties.keys().cloned().collect();
            for key in keys {
                let folded: String = key
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                if !seen.insert(folded) {
                    properties.shift_remove(&key);
                    dropped.push(format!("`{name}.{key}`"));
                }
            }
        }
    }
    fs::write(out, serde_json::to_string_pretty(&value)?)?;
    let dropped = if dropped.is_empty() {
        String::new()
    } else {
        format!(
            "; and the propert{} {} dropped, whose name differs from another's only in case \
             (progenitor makes both one field, and its crate does not compile: E0124)",
            if dropped.len() == 1 { "y" } else { "ies" },
            dropped.join(", ")
        )
    };
    Ok(format!(
        "both read JSON: ours the document as it is, converted from YAML (`iothub-jobs.json`), so \
         that both times start from the same format; progenitor a copy with the 204 response of \
         DELETE /jobs/{{id}} removed, and each of the {defaults} `default` (error) responses \
         replaced by `4XX` + `5XX` with the same body (progenitor takes one success type per \
         operation and counts `default` as a success response){dropped}"
    ))
}

/// Writes the Jobs document, unchanged, as JSON: progenitor is given JSON, so this generator
/// is timed on JSON too (reading YAML costs about a fifth of its time on this document).
pub fn jobs_as_json(spec: &Path, out: &Path) -> Result<()> {
    let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let value: Value = serde_yaml::from_str(&text).context("reading the Jobs YAML")?;
    fs::write(out, serde_json::to_string_pretty(&value)?)?;
    Ok(())
}

/// A synthetic OpenAPI 3.0 document with `n` component schemas and `n` operations.
///
/// Schema `Thing{i}` has required and optional properties of varied types (integers,
/// strings, a date-time, a number, an array, a map), an inline enum, a nested inline object,
/// and (for `i > 0`) a `$ref` to `Thing{i/2}`, so references form a tree, not a cycle.
/// Operation `i` reads (`GET /things{i}/{id}`, with a path and a query parameter) or creates
/// (`POST /things{i}`, with a JSON body) `Thing{i}`.
pub fn synthetic(n: usize) -> Value {
    let mut schemas = Map::new();
    let mut paths = Map::new();
    for i in 0..n {
        let mut properties = json!({
            "id": {"type": "integer", "format": "int64"},
            "name": {"type": "string", "description": format!("The name of thing {i}.")},
            "created": {"type": "string", "format": "date-time"},
            "score": {"type": "number", "format": "double"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "status": {"type": "string", "enum": ["active", "inactive", "pending"]},
            "location": {
                "type": "object",
                "properties": {
                    "lat": {"type": "number"},
                    "lon": {"type": "number"},
                    "label": {"type": "string"}
                }
            }
        });
        if i > 0 {
            properties["parent"] = json!({"$ref": format!("#/components/schemas/Thing{}", i / 2)});
        }
        schemas.insert(
            format!("Thing{i}"),
            json!({
                "type": "object",
                "description": format!("Thing number {i}."),
                "required": ["id", "name"],
                "properties": properties
            }),
        );
        let reference = json!({"$ref": format!("#/components/schemas/Thing{i}")});
        let body = json!({"application/json": {"schema": reference}});
        if i % 2 == 0 {
            paths.insert(
                format!("/things{i}/{{id}}"),
                json!({"get": {
                    "operationId": format!("getThing{i}"),
                    "parameters": [
                        {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                        {"name": "verbose", "in": "query", "schema": {"type": "boolean"}}
                    ],
                    "responses": {"200": {"description": "The thing.", "content": body}}
                }}),
            );
        } else {
            paths.insert(
                format!("/things{i}"),
                json!({"post": {
                    "operationId": format!("createThing{i}"),
                    "requestBody": {"required": true, "content": body},
                    "responses": {"201": {"description": "Created.", "content": body}}
                }}),
            );
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": format!("Synthetic API with {n} schemas"), "version": "1.0.0"},
        "servers": [{"url": "https://example.com/api"}],
        "paths": paths,
        "components": {"schemas": schemas}
    })
}

/// The `.json`/`.yaml` documents in `dir`, sorted by name.
pub fn documents_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut specs: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            )
        })
        .collect();
    specs.sort();
    Ok(specs)
}

/// `count` items spread evenly over `sorted` (smallest, largest and between).
pub fn spread<T: Clone>(sorted: &[T], count: usize) -> Vec<T> {
    if sorted.len() <= count {
        return sorted.to_vec();
    }
    if count == 1 {
        return vec![sorted[sorted.len() / 2].clone()];
    }
    (0..count)
        .map(|i| sorted[i * (sorted.len() - 1) / (count - 1)].clone())
        .collect()
}

/// A crate-name-safe slug of a document's name.
pub fn slug(name: &str) -> String {
    let mut slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while slug.contains("--") {
        slug = slug.replace("--", "-");
    }
    slug.trim_matches('-')
        .chars()
        .take(40)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_documents_have_n_schemas_and_operations() {
        let text = synthetic(10).to_string();
        let doc = codegen::parse::parse("synthetic.json", &text).expect("valid");
        assert_eq!(
            doc.components.as_ref().expect("components").schemas.len(),
            10
        );
        assert_eq!(doc.operations().count(), 10);
        codegen::generate(&codegen::Input::new("synthetic.json", &text, "test"))
            .expect("ours generates");
        crate::measure::progenitor(&text).expect("progenitor generates");
    }

    /// The JSON copy of the Jobs document is the same document: ours generates the same
    /// files from it as from the YAML.
    #[test]
    fn jobs_json_copy_generates_the_same_crate() {
        let spec = crate::run::root().join("spec/iothub-jobs.yaml");
        let out = std::env::temp_dir().join(format!("jobs-copy-{}.json", std::process::id()));
        jobs_as_json(&spec, &out).expect("converts");
        let generate = |path: &Path| {
            let text = fs::read_to_string(path).expect("reads");
            codegen::generate(&codegen::Input::new("spec", &text, "test")).expect("generates")
        };
        let (yaml, json) = (generate(&spec), generate(&out));
        fs::remove_file(&out).ok();
        assert_eq!(yaml.files, json.files);
    }

    #[test]
    fn spread_picks_both_ends() {
        assert_eq!(spread(&[1, 2, 3, 4, 5, 6, 7, 8, 9], 5), [1, 3, 5, 7, 9]);
        assert_eq!(spread(&[1, 2], 5), [1, 2]);
        assert_eq!(
            slug("vtex.local_Recurrence-(v1-"),
            "vtex-local-recurrence-v1"
        );
    }
}
