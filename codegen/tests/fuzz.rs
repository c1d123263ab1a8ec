//! Fuzzing: valid documents (every fixture and the IoT Hub Jobs spec), mutated at random, must
//! never make the generator panic, and whatever it generates must parse as Rust.
//!
//! The default run is short, for CI. Run long with, for example:
//!
//! ```sh
//! FUZZ_CASES=200000 cargo test -p openapi-rust-codegen --release --test fuzz -- --nocapture
//! ```
//!
//! A failing document is written to `target/fuzz-failures/` (and proptest shrinks it first).
//! Each problem found this way has a regression test at the end of this file.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The documents mutations start from, as plain JSON.
fn corpus() -> &'static [(String, Value)] {
    static CORPUS: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures"))
            .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
        paths.sort();
        paths.push(root().join("spec/iothub-jobs.yaml"));
        paths
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("corpus document readable");
                let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("corpus is YAML");
                let json = serde_json::to_value(yaml).expect("corpus is JSON-compatible");
                (path.display().to_string(), json)
            })
            .collect()
    })
}

/// Strings that try to break out of wherever the generator puts them.
const HOSTILE: &[&str] = &[
    "*/",
    "/*",
    "\"#",
    "\"###",
    "`",
    "```rust\nfn main() {}\n```",
    "    indented",
    "<script>alert(1)</script>",
    "</div>",
    "[x](javascript:y)",
    "\u{7}\u{1b}[31m\r\n",
    "\u{202e}rtl",
    "a\u{200d}b",
    "👩‍💻",
    "",
    " ",
    "-",
    "1",
    "type",
    "self",
    "Self",
    "super",
    "r#type",
    "_",
    "__invalid_name",
    "Client",
    "Error",
    "{",
    "}",
    "{id}",
    "/{x}/{x}",
    "/a/{",
    "#",
    "#/",
    "#/components/schemas/",
    "#/components/schemas/Missing",
    "#/paths",
    "#/components/schemas/~1",
    "http://x y",
    "\\",
    "\0",
    "ü",
    "0",
    "-1",
    "99999999999999999999",
    "2XX",
    "default",
    "application/json",
    "application/octet-stream",
    "text/plain",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "string",
    "integer",
    "object",
    "array",
    "date-time",
    "int32",
    "(?=x)",
    "[",
];

/// Keys OpenAPI gives meaning to, to add where they may (or may not) belong.
const KEYS: &[&str] = &[
    "$ref",
    "type",
    "format",
    "properties",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "enum",
    "required",
    "additionalProperties",
    "discriminator",
    "propertyName",
    "mapping",
    "nullable",
    "readOnly",
    "deprecated",
    "pattern",
    "default",
    "description",
    "title",
    "parameters",
    "requestBody",
    "responses",
    "content",
    "schema",
    "headers",
    "in",
    "name",
    "operationId",
    "get",
    "put",
    "post",
    "delete",
    "paths",
    "components",
    "schemas",
    "servers",
    "url",
    "variables",
    "x-paging",
    "x-retry",
    "x-idempotent",
    "itemsFrom",
    "continuationRequestHeader",
    "continuationResponseHeader",
    "statuses",
    "200",
    "default",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Removes a key or an array element.
    Delete(usize),
    /// Copies a value under a new key of an object (or appends it to an array).
    Duplicate(usize, usize, String),
    /// Renames a key.
    Rename(usize, String),
    /// Swaps the values at two places.
    Swap(usize, usize),
    /// Replaces a value by one of another type.
    Replace(usize, Value),
    /// Wraps a value in layers of schema nesting.
    Nest(usize, u8),
    /// Replaces a value by a `$ref` to another place (or to a hostile pointer).
    Reference(usize, usize, Option<String>),
    /// Adds a key OpenAPI knows to an object.
    AddKey(usize, String, Value),
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(HOSTILE).prop_map(str::to_owned),
        2 => "\\PC{0,12}",
        1 => "[a-zA-Z_{}/ -]{0,10}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        2 => text(),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        3 => at.prop_map(Mutation::Delete),
        2 => (at, any::<usize>(), key()).prop_map(|(a, b, k)| Mutation::Duplicate(a, b, k)),
        2 => (at, key()).prop_map(|(a, k)| Mutation::Rename(a, k)),
        2 => (at, any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        3 => (at, value()).prop_map(|(a, v)| Mutation::Replace(a, v)),
        1 => (at, 1u8..80).prop_map(|(a, d)| Mutation::Nest(a, d)),
        2 => (at, any::<usize>(), proptest::option::weighted(0.3, text()))
            .prop_map(|(a, b, t)| Mutation::Reference(a, b, t)),
        3 => (at, key(), value()).prop_map(|(a, k, v)| Mutation::AddKey(a, k, v)),
    ]
}

/// One step from a value to a child.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every place in the document, parents before children.
fn places(value: &Value) -> Vec<Vec<Step>> {
    let mut out = vec![Vec::new()];
    let mut i = 0;
    while let Some(path) = out.get(i).cloned() {
        i += 1;
        match get(value, &path) {
            Some(Value::Object(map)) => {
                for key in map.keys() {
                    let mut p = path.clone();
                    p.push(Step::Key(key.clone()));
                    out.push(p);
                }
            }
            Some(Value::Array(items)) => {
                for index in 0..items.len() {
                    let mut p = path.clone();
                    p.push(Step::Index(index));
                    out.push(p);
                }
            }
            _ => {}
        }
    }
    out
}

fn get<'v>(value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Key(k) => v.get(k),
        Step::Index(i) => v.get(i),
    })
}

fn get_mut<'v>(value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Key(k) => v.get_mut(k),
        Step::Index(i) => v.get_mut(i),
    })
}

fn pointer_of(path: &[Step]) -> String {
    let mut out = String::from("#");
    for step in path {
        out.push('/');
        match step {
            Step::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

fn pick(places: &[Vec<Step>], n: usize) -> Vec<Step> {
    places
        .get(n % places.len().max(1))
        .cloned()
        .unwrap_or_default()
}

fn apply(doc: &mut Value, mutation: &Mutation) {
    let all = places(doc);
    match mutation {
        Mutation::Delete(a) => {
            let mut path = pick(&all, *a);
            let Some(last) = path.pop() else { return };
            match (get_mut(doc, &path), last) {
                (Some(Value::Object(map)), Step::Key(k)) => {
                    map.shift_remove(&k);
                }
                (Some(Value::Array(items)), Step::Index(i)) if i < items.len() => {
                    items.remove(i);
                }
                _ => {}
            }
        }
        Mutation::Duplicate(a, b, key) => {
            let Some(copy) = get(doc, &pick(&all, *a)).cloned() else {
                return;
            };
            match get_mut(doc, &pick(&all, *b)) {
                Some(Value::Object(map)) => {
                    map.insert(key.clone(), copy);
                }
                Some(Value::Array(items)) => items.push(copy),
                _ => {}
            }
        }
        Mutation::Rename(a, key) => {
            let mut path = pick(&all, *a);
            let Some(Step::Key(old)) = path.pop() else {
                return;
            };
            if let Some(Value::Object(map)) = get_mut(doc, &path) {
                // Keep the order: the renamed key stays where it was.
                let renamed: Map<String, Value> = std::mem::take(map)
                    .into_iter()
                    .map(|(k, v)| if k == old { (key.clone(), v) } else { (k, v) })
                    .collect();
                *map = renamed;
            }
        }
        Mutation::Swap(a, b) => {
            let (pa, pb) = (pick(&all, *a), pick(&all, *b));
            let prefix = |x: &[Step], y: &[Step]| {
                x.len() <= y.len() && pointer_of(y).starts_with(&pointer_of(x))
            };
            if prefix(&pa, &pb) || prefix(&pb, &pa) {
                return;
            }
            let (Some(va), Some(vb)) = (get(doc, &pa).cloned(), get(doc, &pb).cloned()) else {
                return;
            };
            if let Some(slot) = get_mut(doc, &pa) {
                *slot = vb;
            }
            if let Some(slot) = get_mut(doc, &pb) {
                *slot = va;
            }
        }
        Mutation::Replace(a, value) => {
            if let Some(slot) = get_mut(doc, &pick(&all, *a)) {
                *slot = value.clone();
            }
        }
        Mutation::Nest(a, depth) => {
            if let Some(slot) = get_mut(doc, &pick(&all, *a)) {
                let mut inner = slot.take();
                for level in 0..*depth {
                    inner = match level % 3 {
                        0 => serde_json::json!({"type": "object", "properties": {"p": inner}}),
                        1 => serde_json::json!({"type": "array", "items": inner}),
                        _ => serde_json::json!({"allOf": [inner]}),
                    };
                }
                *slot = inner;
            }
        }
        Mutation::Reference(a, b, text) => {
            let target = text.clone().unwrap_or_else(|| pointer_of(&pick(&all, *b)));
            if let Some(slot) = get_mut(doc, &pick(&all, *a)) {
                *slot = serde_json::json!({ "$ref": target });
            }
        }
        Mutation::AddKey(a, key, value) => {
            if let Some(Value::Object(map)) = get_mut(doc, &pick(&all, *a)) {
                map.insert(key.clone(), value.clone());
            }
        }
    }
}

static RUNS: AtomicU64 = AtomicU64::new(0);
static GENERATED: AtomicU64 = AtomicU64::new(0);
static SLOWEST_MS: AtomicU64 = AtomicU64::new(0);

/// Runs the generator on `text`: no panic, and every generated file parses.
fn check(name: &str, text: &str) -> Result<(), String> {
    RUNS.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let result = std::panic::catch_unwind(|| {
        let mut input = codegen::Input::new(name, text, "cargo xtask regen");
        input.server = true;
        codegen::generate(&input)
    });
    let elapsed = started.elapsed();
    SLOWEST_MS.fetch_max(elapsed.as_millis() as u64, Ordering::Relaxed);
    if elapsed > Duration::from_secs(30) {
        return Err(format!("generation took {elapsed:?}"));
    }
    match result {
        Err(_) => Err("the generator panicked".to_owned()),
        Ok(Err(errors)) => {
            // Errors must name a place: every line has a file name.
            let shown = errors.to_string();
            if shown.is_empty() || errors.0.is_empty() {
                return Err("an empty error list".to_owned());
            }
            Ok(())
        }
        Ok(Ok(output)) => {
            GENERATED.fetch_add(1, Ordering::Relaxed);
            for file in &output.files {
                if let Err(e) = syn::parse_file(&file.contents) {
                    return Err(format!("{} does not parse: {e}", file.path));
                }
            }
            Ok(())
        }
    }
}

/// Keeps a failing document for later.
fn keep(text: &str) -> String {
    let dir = root().join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let name = format!("case-{:016x}.json", fxhash(text));
    let path = dir.join(name);
    let _ = std::fs::write(&path, text);
    path.display().to_string()
}

fn fxhash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// How long to fuzz: `FUZZ_CASES` documents and/or `FUZZ_SECONDS` seconds (256 cases by
/// default, small enough for CI).
fn budget() -> (u64, Duration) {
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    match (var("FUZZ_CASES"), var("FUZZ_SECONDS")) {
        (None, None) => (256, Duration::MAX),
        (cases, seconds) => (
            cases.unwrap_or(u64::MAX),
            seconds.map_or(Duration::MAX, Duration::from_secs),
        ),
    }
}

#[test]
fn mutated_documents_never_panic_and_generate_rust() {
    let (cases, time) = budget();
    let batch = 256u32;
    let strategy = (
        any::<usize>(),
        proptest::collection::vec(mutation(), 1..5),
        any::<bool>(),
    );
    // The document being run, so that one that aborts the process (a stack overflow cannot
    // be caught) can be found afterwards.
    let current = root().join("target/fuzz-failures/current.txt");
    let _ = std::fs::create_dir_all(root().join("target/fuzz-failures"));
    let started = Instant::now();
    let mut done = 0u64;
    while done < cases && started.elapsed() < time {
        // A runner per batch: a runner counts its successes across runs, and each new one
        // starts from a fresh random seed.
        let mut runner = proptest::test_runner::TestRunner::new(Config {
            cases: batch,
            failure_persistence: None,
            max_shrink_iters: 2000,
            ..Config::default()
        });
        let result = runner.run(&strategy, |(which, mutations, yaml)| {
            let corpus = corpus();
            let (name, original) = &corpus[which % corpus.len()];
            let mut doc = original.clone();
            for m in &mutations {
                apply(&mut doc, m);
            }
            let text = if yaml {
                serde_yaml::to_string(&doc).unwrap_or_default()
            } else {
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            };
            if std::env::var_os("FUZZ_KEEP_CURRENT").is_some() {
                let _ = std::fs::write(&current, &text);
            }
            if let Err(problem) = check(name, &text) {
                let kept = keep(&text);
                return Err(TestCaseError::fail(format!(
                    "{problem}; document kept in {kept}"
                )));
            }
            Ok(())
        });
        if let Err(failure) = result {
            panic!("{failure}");
        }
        done += u64::from(batch);
        if time != Duration::MAX && done % (u64::from(batch) * 40) == 0 {
            eprintln!(
                "fuzz: {} documents in {:.0?}, {} generated code",
                RUNS.load(Ordering::Relaxed),
                started.elapsed(),
                GENERATED.load(Ordering::Relaxed)
            );
        }
    }
    eprintln!(
        "fuzz: {} documents in {:.1?} ({} generated code, all of which parsed; the rest were \
         reported errors); slowest {} ms",
        RUNS.load(Ordering::Relaxed),
        started.elapsed(),
        GENERATED.load(Ordering::Relaxed),
        SLOWEST_MS.load(Ordering::Relaxed)
    );
}

#[test]
fn the_unmutated_corpus_generates() {
    for (name, doc) in corpus() {
        let text = serde_json::to_string(doc).expect("serializes");
        check(name, &text).expect("generates");
        let mut input = codegen::Input::new(name, &text, "x");
        input.server = true;
        assert!(codegen::generate(&input).is_ok(), "{name}");
    }
}

/// Documents the fuzzer found problems with (each now an error, a warning or valid code).
mod regressions {
    use super::check;

    fn doc(components: &str, paths: &str) -> String {
        format!(
            "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"t\", \"version\": \"1\"}}, \
             \"paths\": {{{paths}}}, \"components\": {{{components}}}}}"
        )
    }

    /// Found by the fuzzer: a schema nested 80 levels deep overflowed a test thread's 2 MB
    /// stack in `openapiv3`'s deserializers (an abort, not a panic). The pipeline now runs on
    /// a large stack of its own; this document is close to the parsers' 128-level limit.
    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut schema = String::from("{\"type\": \"string\"}");
        for i in 0..70 {
            schema = match i % 3 {
                0 => format!("{{\"type\": \"object\", \"properties\": {{\"p\": {schema}}}}}"),
                1 => format!("{{\"type\": \"array\", \"items\": {schema}}}"),
                _ => format!("{{\"allOf\": [{schema}]}}"),
            };
        }
        let text = doc(&format!("\"schemas\": {{\"Deep\": {schema}}}"), "");
        check("deep.json", &text).expect("no panic");
        let output = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || codegen::generate(&codegen::Input::new("deep.json", &text, "x")).is_ok())
            .expect("thread")
            .join()
            .expect("no panic");
        assert!(
            output,
            "the deep document generates, even from a small stack"
        );
    }

    /// Found by the fuzzer: `openapiv3`'s untagged enums retry every level of a nested schema
    /// when a deep one is invalid, which took exponential time (a run never finished). Each
    /// object is now checked on its own before the whole document is deserialized.
    #[test]
    fn an_error_deep_in_nested_schemas_is_found_quickly() {
        let mut schema = String::from("{\"type\": \"string\", \"enum\": 5}");
        for i in 0..60 {
            schema = match i % 3 {
                0 => format!("{{\"type\": \"object\", \"properties\": {{\"p\": {schema}}}}}"),
                1 => format!("{{\"type\": \"object\", \"additionalProperties\": {schema}}}"),
                _ => format!("{{\"allOf\": [{schema}]}}"),
            };
        }
        let text = doc(&format!("\"schemas\": {{\"Deep\": {schema}}}"), "");
        let started = std::time::Instant::now();
        check("deep-error.json", &text).expect("no panic");
        assert!(
            started.elapsed().as_secs() < 5,
            "took {:?}",
            started.elapsed()
        );
        let errors = codegen::generate(&codegen::Input::new("deep-error.json", &text, "x"))
            .expect_err("invalid");
        assert!(
            errors.to_string().contains("/properties/p (Deep)"),
            "{errors}"
        );
    }

    /// Found by the fuzzer (the process grew to 24 GB and was killed): a property that is an
    /// inline `allOf` of the schema it belongs to. Lowering merged the schema's properties into
    /// a new type, whose copy of the property started the next merge, without end.
    #[test]
    fn an_allof_that_merges_its_own_schema_ends() {
        let text = doc(
            "\"schemas\": {\"Named\": {\"type\": \"object\", \"required\": [\"name\"], \
             \"properties\": {\"name\": {\"allOf\": [{\"$ref\": \"#/components/schemas/Named\"}, \
             {\"type\": \"object\", \"properties\": {\"legs\": {\"type\": \"integer\"}}}]}}}}",
            "",
        );
        check("self-merge.json", &text).expect("no panic");
        let output = codegen::generate(&codegen::Input::new("self-merge.json", &text, "x"))
            .expect("generates");
        assert!(
            output
                .warnings
                .iter()
                .any(|w| w.message.contains("never ends")),
            "{:?}",
            output.warnings
        );
    }

    /// Found by the fuzzer (a run stopped on one document for minutes): a `$ref` outside
    /// `components` to a deep value that is not a valid schema. Lowering deserialized the
    /// value as a schema in one go, which takes exponential time when it fails deep down.
    #[test]
    fn a_ref_to_a_deep_invalid_value_fails_quickly() {
        let mut deep = String::from("{\"type\": \"string\", \"enum\": 5}");
        for i in 0..50 {
            deep = match i % 2 {
                0 => format!("{{\"properties\": {{\"p\": {deep}}}}}"),
                _ => format!("{{\"allOf\": [{{\"items\": {deep}}}]}}"),
            };
        }
        let text = format!(
            "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"t\", \"version\": \"1\"}}, \
             \"paths\": {{}}, \"x-deep\": {deep}, \"components\": {{\"schemas\": {{\"A\": \
             {{\"type\": \"object\", \"properties\": {{\"a\": {{\"$ref\": \"#/x-deep\"}}}}}}}}}}}}"
        );
        let started = std::time::Instant::now();
        let errors = codegen::generate(&codegen::Input::new("deep-ref.json", &text, "x"))
            .expect_err("not a schema");
        assert!(
            started.elapsed().as_secs() < 5,
            "took {:?}",
            started.elapsed()
        );
        assert!(
            errors.to_string().contains("does not point to a schema"),
            "{errors}"
        );
    }

    #[test]
    fn long_chains_of_references_outside_components() {
        let mut items = Vec::new();
        for i in 0..2000 {
            items.push(format!("{{\"$ref\": \"#/x-chain/{}\"}}", i + 1));
        }
        items.push("{\"type\": \"string\"}".to_owned());
        let text = format!(
            "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"t\", \"version\": \"1\"}}, \
             \"paths\": {{}}, \"x-chain\": [{}], \"components\": {{\"schemas\": \
             {{\"A\": {{\"type\": \"object\", \"properties\": {{\"a\": {{\"$ref\": \"#/x-chain/0\"}}}}}}}}}}}}",
            items.join(",")
        );
        check("chain.json", &text).expect("no panic");
    }
}
