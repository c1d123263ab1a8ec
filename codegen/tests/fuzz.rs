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
        any::<i64>().prop_map(|n| Value::from(n)),
        (-1000i64..1000).prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
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
            let Some(copy) = get(doc, &pick(&all, *a)).cloned() else { return };
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
            let Some(Step::Key(old)) = path.pop() else { return };
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
                if file.path.ends_with("runtime.rs") {
                    continue; // the same hand-written text every time; parsed once below
                }
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
    text.bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..Config::default()
    })]

    #[test]
    fn mutated_documents_never_panic_and_generate_rust(
        which in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..5),
        yaml in any::<bool>(),
    ) {
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
        if let Err(problem) = check(name, &text) {
            let kept = keep(&text);
            return Err(TestCaseError::fail(format!("{problem}; document kept in {kept}")));
        }
    }
}

/// Prints how much ran (visible with `--nocapture`), after the property test in this binary.
#[test]
fn zz_report() {
    // Tests run in parallel: wait until the fuzz test above is done counting.
    let mut last = u64::MAX;
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = RUNS.load(Ordering::Relaxed);
        if now == last {
            break;
        }
        last = now;
    }
    eprintln!(
        "fuzz: {} documents run, {} generated code, slowest {} ms",
        RUNS.load(Ordering::Relaxed),
        GENERATED.load(Ordering::Relaxed),
        SLOWEST_MS.load(Ordering::Relaxed)
    );
}

#[test]
fn the_runtimes_parse() {
    syn::parse_file(codegen::RUNTIME_RS).expect("runtime.rs parses");
    syn::parse_file(codegen::SERVER_RUNTIME_RS).expect("server_runtime.rs parses");
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

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut schema = String::from("{\"type\": \"string\"}");
        for i in 0..120 {
            schema = match i % 3 {
                0 => format!("{{\"type\": \"object\", \"properties\": {{\"p\": {schema}}}}}"),
                1 => format!("{{\"type\": \"array\", \"items\": {schema}}}"),
                _ => format!("{{\"allOf\": [{schema}]}}"),
            };
        }
        let text = doc(&format!("\"schemas\": {{\"Deep\": {schema}}}"), "");
        check("deep.json", &text).expect("no panic");
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
