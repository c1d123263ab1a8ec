//! Turns an OpenAPI 3.0 document into the source files of a typed async Rust client crate.
//!
//! The pipeline has four stages with plain data between them:
//!
//! 1. [`parse`]: text (YAML or JSON) → `openapiv3::OpenAPI`, version checked;
//! 2. `lower`: document → [`ir::Api`], names and types decided, references resolved, every
//!    problem collected with its JSON pointer;
//! 3. `emit`: [`ir::Api`] → token streams (emission never sees `openapiv3` types);
//! 4. `format`: tokens → text through prettyplease, with the `@generated` header.
//!
//! The library does no IO, does not panic on any input and is deterministic: the same input
//! gives byte-identical output. The caller (`cargo xtask`) reads and writes files.

// Nothing in the library may panic on a document: these are errors outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::todo,
        clippy::unimplemented,
        clippy::indexing_slicing
    )
)]

pub mod error;
pub mod ir;
pub mod manifest;
pub mod names;
pub mod parse;
pub mod pointer;
pub mod spec;

mod emit;
mod format;
mod lower;
#[cfg(test)]
mod test_support;

pub use error::{Error, Errors, Location, Warning};

/// The release of the runtime (`openapi-rust-runtime`) that generated code is written for, as
/// `[major, minor, patch]`. Generator and runtime are released in lockstep, so it is this
/// generator's own version; generated manifests require it as a semver requirement, and
/// generated code checks at compile time that the runtime it builds against serves it.
pub const RUNTIME_VERSION: [u64; 3] = [
    version_part(env!("CARGO_PKG_VERSION_MAJOR")),
    version_part(env!("CARGO_PKG_VERSION_MINOR")),
    version_part(env!("CARGO_PKG_VERSION_PATCH")),
];

/// A part of a version, as cargo gives it (digits only).
const fn version_part(text: &str) -> u64 {
    let mut rest = text.as_bytes();
    let mut value = 0u64;
    while let [digit, tail @ ..] = rest {
        if digit.is_ascii_digit() {
            value = value
                .saturating_mul(10)
                .saturating_add((*digit - b'0') as u64);
        }
        rest = tail;
    }
    value
}

/// What to generate from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Input<'a> {
    /// The document's file name as it should appear in messages and headers, e.g.
    /// `spec/iothub-jobs.yaml`. Any name is safe: what could end a header's line or comment
    /// is escaped ([`error::printable`]).
    pub spec_path: &'a str,
    /// The document's text.
    pub spec_text: &'a str,
    /// The command named in each file's header, e.g. `cargo xtask regen` (escaped likewise).
    pub command: &'a str,
    /// Hand-written modules of the crate that the generated crate root declares (`pub mod
    /// name;`), e.g. API-specific helpers that live beside the generated files.
    pub extra_modules: Vec<String>,
    /// Also emit the server side (`server.rs`, with the runtime crate's `server` module),
    /// compiled when the generated crate's `server` feature is on.
    pub server: bool,
    /// Gate operations and the types they use behind one cargo feature per tag
    /// (`tag-<name>`, `untagged`), so users compile only what they use.
    pub features_per_tag: bool,
    /// Whether the server side is compiled only with the generated crate's `server` feature
    /// (the default, for a crate of its own); off for a module of the user's crate, which has
    /// no such feature (a build script's output).
    pub gate_server: bool,
    /// Whether each model gets only the serde impls the client uses (`Serialize` for what it
    /// sends, `Deserialize` for what it receives), the other direction compiled with the
    /// generated crate's `serde-all` feature (the default, for a crate of its own, whose
    /// `server` feature turns `serde-all` on); off for a module of the user's crate, which has
    /// no such feature (a build script's output): every model then has both. An ungated server
    /// side ([`gate_server`](Self::gate_server) off) gets both as well.
    pub gate_serde: bool,
    /// The Rust name of the runtime crate the generated code re-exports as `runtime`:
    /// `openapi_rust_runtime` unless the dependency is renamed.
    pub runtime_crate: String,
    /// Method names that hand-written extensions of the generated crate define on its
    /// `Client` (an `impl Client` block in a module of [`extra_modules`](Self::extra_modules),
    /// such as `from_connection_string`). An operation whose method would take one is renamed
    /// (`wait_for_job2`) with a warning, as for the names the generated client defines for
    /// itself ([`names::reserved`]), instead of the crate failing to compile.
    pub reserved_methods: Vec<String>,
    /// A hand-written Markdown file that opens the crate root's documentation, as the path
    /// `include_str!` takes from the crate root's file (say `../README.md`): the generated
    /// text about the API follows it. `None` (the default): the generated text alone.
    pub crate_docs: Option<String>,
}

impl<'a> Input<'a> {
    /// An input for `spec_text`, read from `spec_path`, generated by `command`.
    pub fn new(spec_path: &'a str, spec_text: &'a str, command: &'a str) -> Self {
        Self {
            spec_path,
            spec_text,
            command,
            extra_modules: Vec::new(),
            server: false,
            features_per_tag: false,
            gate_server: true,
            gate_serde: true,
            runtime_crate: "openapi_rust_runtime".to_owned(),
            reserved_methods: Vec::new(),
            crate_docs: None,
        }
    }
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// The path relative to the crate's `src/` directory, with `/` separators.
    pub path: String,
    /// The whole text.
    pub contents: String,
}

/// The result of a successful run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The source files of the API crate (paths relative to its `src/`), in a fixed order.
    pub files: Vec<File>,
    /// The runtime's cargo features the generated code needs (`form`, `multipart`,
    /// `deep-object`, `uuid`), sorted; the server side needs `server` besides.
    pub runtime_features: Vec<String>,
    /// The number of operations (client methods, not counting paging companions).
    pub operations: usize,
    /// The number of types in `models.rs`.
    pub types: usize,
    /// Constructs that were generated in a degraded form.
    pub warnings: Vec<Warning>,
    /// The cargo features the crate declares (one per tag) when `features_per_tag` is set.
    pub features: Vec<String>,
    /// The document's title (`info.title`), e.g. for the generated crate's description.
    pub title: String,
}

/// Runs the whole pipeline.
///
/// Runs on a large stack of its own (deeply nested documents recurse deeply).
pub fn generate(input: &Input<'_>) -> Result<Output, Errors> {
    on_large_stack(|| generate_here(input, SPEEDUPS))
}

/// The stack the pipeline runs on. Deserializing a schema nested 100 levels deep takes a few
/// megabytes of stack in a debug build (`openapiv3`'s deserializers use several frames per
/// level), more than a test thread's 2 MB; the parsers stop at 128 levels. Only what is used
/// is committed.
const STACK: usize = 256 << 20;

/// Runs `f` on a fresh [`STACK`]-byte stack on the calling thread (`stacker`, as rustc
/// does), so that no document can overflow the caller's stack (which aborts the process,
/// where a panic could be caught). A thread of its own did the same, but spawning it, and
/// setting up and tearing down its allocator state, took 40% of the time of a small document.
fn on_large_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::grow(STACK, f)
}

/// The speed-ups of emission and formatting: files cut into parts that threads emit and
/// format in parallel, and doc blocks formatted as short placeholders. Neither changes the
/// text: a test compares the output with both turned off.
#[derive(Debug, Clone, Copy)]
struct Speedups {
    /// See [`emit::ITEMS_PER_PART`].
    items_per_part: usize,
    /// Whether every doc block goes through formatting as a placeholder, not only those in
    /// macro calls (see [`emit::docs::with_placeholders`]).
    doc_placeholders: bool,
}

/// The speed-ups `generate` uses.
const SPEEDUPS: Speedups = Speedups {
    items_per_part: emit::ITEMS_PER_PART,
    doc_placeholders: true,
};

fn generate_here(input: &Input<'_>, speedups: Speedups) -> Result<Output, Errors> {
    let (doc, raw, mut warnings, relocation) =
        parse::parse_relocated(input.spec_path, input.spec_text)?;
    let targets = parse::targets::resolve(&raw);
    let (mut api, lowered) = lower::lower(
        input.spec_path,
        &doc,
        &raw,
        &targets,
        &input.reserved_methods,
    )
    .map_err(|errors| relocated(errors, &relocation))?;
    warnings.extend(relocated_warnings(lowered, &relocation));
    if input.features_per_tag {
        api.gates = lower::gates(&api);
    }
    if input.gate_serde && (input.gate_server || !input.server) {
        lower::directions(&mut api);
    }
    let header = format::header(input.command, input.spec_path);
    let runtime_features = emit::needs::runtime_features(&api);
    let cx = emit::Context {
        api: &api,
        spec_name: input.spec_path,
        extra_modules: &input.extra_modules,
        crate_docs: input.crate_docs.as_deref(),
        runtime_crate: &input.runtime_crate,
        with_server: input.server,
        gate_server: input.gate_server,
        runtime_features: &runtime_features,
    };
    let plan = emit::plan(&api, input.server, speedups.items_per_part);
    let files = emit_and_format(&cx, &header, &plan, speedups.doc_placeholders)?;
    Ok(Output {
        files,
        runtime_features: runtime_features.iter().map(|f| f.name.to_owned()).collect(),
        operations: api.operations.len(),
        types: api.types.len(),
        warnings,
        features: api.gates.features,
        title: api.title,
    })
}

/// Emits and formats every part of every file, in parallel (see [`parallel_map`]), then joins
/// each file's parts in order under the header. The text is the same whatever the number of
/// threads and however they interleave.
fn emit_and_format(
    cx: &emit::Context<'_>,
    header: &str,
    plan: &[(&'static str, Vec<emit::Part>)],
    doc_placeholders: bool,
) -> Result<Vec<File>, Errors> {
    let parts: Vec<&emit::Part> = plan.iter().flat_map(|(_, parts)| parts).collect();
    let lost = || Error::Internal("a part of the output was lost".to_owned());
    let mut texts = parallel_map(&parts, |part| {
        // Docs inside macro calls always go through placeholders (to be printed as `///`), and
        // so do items written as text (`emit::raw`).
        let ((tokens, docs), raw_items) = emit::raw::with_raw_items(|| {
            emit::docs::with_placeholders(doc_placeholders, || emit::emit(cx, part))
        });
        let text = format::format(tokens)?;
        let text = emit::docs::fill_placeholders(&text, &docs).ok_or_else(|| {
            Error::Internal("a doc placeholder was lost in formatting".to_owned())
        })?;
        emit::raw::fill_raw_items(&text, &raw_items)
            .ok_or_else(|| Error::Internal("a raw item was lost in formatting".to_owned()))
    })?
    .into_iter();
    let mut files = Vec::new();
    for (path, parts) in plan {
        let mut contents = header.to_owned();
        // `client.rs`'s methods go into the `impl` block that ends its first part.
        let mut close = "";
        for part in parts {
            let text = texts.next().ok_or_else(lost)??;
            if let emit::Part::ClientMethods(_) = part {
                if close.is_empty() {
                    let open = contents.strip_suffix("}\n").ok_or_else(lost)?.len();
                    contents.truncate(open);
                    close = "}\n";
                }
                contents.push_str(format::impl_body(&text)?);
            } else {
                contents.push_str(&text);
            }
        }
        contents.push_str(close);
        files.push(File {
            path: (*path).to_owned(),
            contents,
        });
    }
    Ok(files)
}

/// At most this many threads format at once.
const MAX_THREADS: usize = 16;

/// With fewer items than this, the calling thread does all the work: starting threads would
/// cost more than they save. A document with at most [`emit::ITEMS_PER_PART`] types and as
/// many operations gives five parts (`lib.rs`, one of models, the client, one of its methods,
/// one of request builders); on the Jobs document (23 types, 9 operations) a second thread
/// made generation take 5.9 ms of CPU and 57 MiB at peak, where the calling thread alone
/// takes 5.5 ms and 24 MiB.
const MIN_PARALLEL_ITEMS: usize = 6;

/// `f` applied to every item, in the items' order, computed on as many threads as the machine
/// runs at once (the calling thread among them), each taking the next item left. Threads get
/// the pipeline's [`STACK`]; where none can be spawned, the calling thread does everything. A
/// panic in `f` becomes [`Error::Internal`].
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Result<Vec<R>, Error> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let threads = if items.len() < MIN_PARALLEL_ITEMS {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(items.len())
            .min(MAX_THREADS)
    };
    let (done, panicked) = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|i| {
                std::thread::Builder::new()
                    .name(format!("codegen-{i}"))
                    .stack_size(STACK)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut panicked = false;
        let mut done = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
            Ok(done) => done,
            Err(_) => {
                panicked = true;
                Vec::new()
            }
        };
        for helper in helpers {
            match helper.join() {
                Ok(more) => done.extend(more),
                Err(_) => panicked = true,
            }
        }
        (done, panicked)
    });
    let mut slots: Vec<Option<R>> = items.iter().map(|_| None).collect();
    for (i, result) in done {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(result);
        }
    }
    let results: Option<Vec<R>> = slots.into_iter().collect();
    match results {
        Some(results) if !panicked => Ok(results),
        _ => Err(Error::Internal(
            "generating the output panicked (a bug; please report it with the document)".to_owned(),
        )),
    }
}

/// Runs parse and lower only: the IR, for tests and tools.
pub fn lower_only(spec_path: &str, spec_text: &str) -> Result<(ir::Api, Vec<Warning>), Errors> {
    on_large_stack(|| lower_here(spec_path, spec_text))
}

fn lower_here(spec_path: &str, spec_text: &str) -> Result<(ir::Api, Vec<Warning>), Errors> {
    let (doc, raw, mut warnings, relocation) = parse::parse_relocated(spec_path, spec_text)?;
    let targets = parse::targets::resolve(&raw);
    let (api, lowered) = lower::lower(spec_path, &doc, &raw, &targets, &[])
        .map_err(|errors| relocated(errors, &relocation))?;
    warnings.extend(relocated_warnings(lowered, &relocation));
    Ok((api, warnings))
}

/// Lowering's errors, located in the document as written (an OpenAPI 3.1 document's `$defs`
/// entries are lowered as the component schemas they become).
fn relocated(mut errors: Vec<Error>, relocation: &parse::Relocation) -> Errors {
    errors.iter_mut().for_each(|e| relocation.error(e));
    Errors(errors)
}

/// Lowering's warnings, located likewise.
fn relocated_warnings(mut warnings: Vec<Warning>, relocation: &parse::Relocation) -> Vec<Warning> {
    warnings
        .iter_mut()
        .for_each(|w| relocation.location(&mut w.location));
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files formatted in parts, concatenated, are the files formatted whole: every item and
    /// every method a part of its own gives the same text as one part per file. And doc
    /// placeholders filled in after formatting give the text prettyplease prints for the
    /// doc attributes themselves.
    #[test]
    fn parts_and_placeholders_give_the_plain_text() -> Result<(), Box<dyn std::error::Error>> {
        let plain = Speedups {
            items_per_part: usize::MAX,
            doc_placeholders: false,
        };
        let fast = Speedups {
            items_per_part: 1,
            doc_placeholders: true,
        };
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut specs = vec![root.join("spec/iothub-jobs.yaml")];
        let mut fixtures = Vec::new();
        for entry in std::fs::read_dir(root.join("tests/fixtures"))? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "yaml") {
                fixtures.push(path);
            }
        }
        fixtures.sort();
        specs.extend(fixtures);
        let mut compared = 0;
        for spec in specs {
            let text = std::fs::read_to_string(&spec)?;
            let mut input = Input::new("spec.yaml", &text, "test");
            input.server = true;
            let (Ok(whole), Ok(parts)) = (
                on_large_stack(|| generate_here(&input, plain)),
                on_large_stack(|| generate_here(&input, fast)),
            ) else {
                continue;
            };
            assert_eq!(whole, parts, "{}", spec.display());
            compared += 1;
        }
        assert!(compared > 10, "only {compared} documents generated");
        Ok(())
    }
}
