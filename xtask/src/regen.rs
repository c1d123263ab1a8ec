//! `cargo xtask regen [--check]`: one function both writes and verifies everything derived
//! from `spec/` and `tests/fixtures/`.
//!
//! Every output is produced in memory first; files are touched only when every input
//! generated without error, and only files whose contents changed are written.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Whether to write files or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write what changed, delete stale generated files.
    Write,
    /// Write nothing; fail when anything differs.
    Check,
}

/// The spec of the crate users depend on, and where its output goes.
const JOBS_SPEC: &str = "spec/iothub-jobs.yaml";
const JOBS_OUT: &str = "generated/src";
/// Hand-written modules of the Jobs crate (`generated/src/iothub/`), declared by its root.
const JOBS_HANDWRITTEN: &[&str] = &["iothub"];
/// Fixture documents, generated for their warnings (their output is snapshotted).
const FIXTURES: &str = "tests/fixtures";
const COMMAND: &str = "cargo xtask regen";

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Runs regen in `mode` from the workspace root; with `deny_warnings`, a warning is an error.
pub fn run(mode: Mode, deny_warnings: bool) -> Result<()> {
    let root = root();
    let started = std::time::Instant::now();
    // The spec-drift check: spec/iothub-jobs.yaml must be what `cargo xtask import` writes.
    crate::import::check_drift(&root, mode == Mode::Check)?;
    let (outputs, report) = regenerate(&root, mode, deny_warnings)?;
    match mode {
        Mode::Write => {
            println!(
                "regen: {} files checked, {} written, {} removed in {:.2?}",
                outputs.files.len(),
                report.written.len(),
                report.removed.len(),
                started.elapsed()
            );
            for path in report.written.iter().chain(&report.removed) {
                println!("  {path}");
            }
            Ok(())
        }
        Mode::Check if report.is_clean() => {
            println!(
                "regen --check: {} generated files are up to date",
                outputs.files.len()
            );
            Ok(())
        }
        Mode::Check => {
            eprint!("{}", report.diff);
            bail!(
                "generated files are out of date with spec/ ({} differ or are missing, {} left over); \
                 run `cargo xtask regen` and commit the result",
                report.written.len(),
                report.removed.len()
            )
        }
    }
}

/// Generates everything in memory, then writes (or compares) it. Nothing is written unless
/// every input generated (without warnings, with `deny_warnings`).
pub fn regenerate(root: &Path, mode: Mode, deny_warnings: bool) -> Result<(Outputs, Report)> {
    let outputs = expected_outputs(root, deny_warnings)?;
    let report = apply(root, &outputs, mode)?;
    Ok((outputs, report))
}

/// Everything regen produces: relative path → contents, and the directories it owns.
pub struct Outputs {
    pub files: BTreeMap<String, String>,
    /// Directories in which a `@generated` file not in `files` is stale.
    pub owned_dirs: Vec<String>,
}

/// The warnings the Jobs document gives, and why they are expected: IoT Hub's error body
/// has both `Message` and `message` (the service sends either envelope), so one of them is
/// `message2` in Rust.
const JOBS_EXPECTED_WARNINGS: &[&str] = &["#/components/schemas/IotHubError/properties/message"];

/// The methods the hand-written modules of the Jobs crate (`generated/src/iothub/`) define on
/// its `Client`, passed as `Input::reserved_methods`: an operation the document gains later
/// with one of these names is renamed, with a warning, instead of breaking the crate. A test
/// keeps the list equal to the methods of those modules' `impl Client` blocks.
pub const JOBS_RESERVED_METHODS: &[&str] = &[
    "from_connection_string",
    "from_connection_string_with_endpoint",
    "from_parsed",
    // entra.rs (feature `entra-id`)
    "from_token_credential",
    "from_token_credential_with_endpoint",
    "schedule_device_method",
    "create_scheduled_job_checked",
    "create_checked",
    "schedule_twin_update",
    "wait_for_job",
    "export_devices",
    "import_devices",
    "device_jobs",
];

/// The top-level key under which a fixture lists the JSON pointers of the warnings it exists
/// to provoke.
const EXPECTED_KEY: &str = "x-expected-warnings";

/// Warnings, sorted into those the inputs expect and those nobody expected.
#[derive(Debug, Default)]
pub struct Warnings {
    /// How many warnings came from a place their document lists as expected.
    pub expected: usize,
    /// Every other warning, and every expected place that gave none, as printed.
    pub unexpected: Vec<String>,
}

impl Warnings {
    /// Sorts the warnings of `spec` against `expected` (JSON pointers).
    fn add(&mut self, spec: &str, warnings: &[codegen::Warning], expected: &[String]) {
        let mut seen = vec![false; expected.len()];
        for warning in warnings {
            match expected.iter().position(|p| *p == warning.location.pointer) {
                Some(i) => {
                    self.expected += 1;
                    if let Some(seen) = seen.get_mut(i) {
                        *seen = true;
                    }
                }
                None => self.unexpected.push(warning.display_in(spec)),
            }
        }
        for (pointer, seen) in expected.iter().zip(seen) {
            if !seen {
                self.unexpected.push(format!(
                    "warning: {spec}: `{EXPECTED_KEY}` lists `{pointer}`, but no warning comes from there any more; remove it, or restore what provoked it"
                ));
            }
        }
    }
}

/// The pointers a fixture lists under [`EXPECTED_KEY`] (none when it lists none or does not
/// parse: generation then reports the problem).
fn expected_warnings(spec: &str, text: &str) -> Vec<String> {
    let Ok(doc) = codegen::parse::parse(spec, text) else {
        return Vec::new();
    };
    doc.extensions
        .get(EXPECTED_KEY)
        .and_then(|list| list.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Generates every output in memory. Fails (touching nothing) when any input has errors, or
/// unexpected warnings when `deny_warnings` is set. Warnings the inputs expect (the Jobs
/// document's, and those a fixture lists under `x-expected-warnings`) are counted; the others
/// are printed with their locations.
pub fn expected_outputs(root: &Path, deny_warnings: bool) -> Result<Outputs> {
    let (outputs, warnings) = outputs_and_warnings(root)?;
    for warning in &warnings.unexpected {
        eprintln!("{warning}");
    }
    if warnings.expected > 0 {
        eprintln!(
            "regen: {} expected warnings (from the places the fixtures and the Jobs document \
             exist to provoke them; `{EXPECTED_KEY}`)",
            warnings.expected
        );
    }
    if deny_warnings && !warnings.unexpected.is_empty() {
        bail!(
            "{} unexpected warnings and --deny-warnings (see above); nothing was written",
            warnings.unexpected.len()
        );
    }
    Ok(outputs)
}

/// Generates every output in memory, and sorts the warnings. Fails when any input has errors.
pub fn outputs_and_warnings(root: &Path) -> Result<(Outputs, Warnings)> {
    let mut files = BTreeMap::new();
    let mut failures = Vec::new();
    let mut warnings = Warnings::default();
    let mut generate = |spec: &str,
                        out_dir: &str,
                        extra: &[&str],
                        files: &mut BTreeMap<String, String>|
     -> Result<()> {
        let text =
            fs::read_to_string(root.join(spec)).with_context(|| format!("reading {spec}"))?;
        let mut input = codegen::Input::new(spec, &text, COMMAND);
        input.extra_modules = extra.iter().map(|m| (*m).to_owned()).collect();
        if spec == JOBS_SPEC {
            input.crate_docs = Some("../README.md".to_owned());
            input.reserved_methods = JOBS_RESERVED_METHODS
                .iter()
                .map(|m| (*m).to_owned())
                .collect();
        }
        input.server = true;
        match codegen::generate(&input) {
            Ok(output) => {
                let expected = if spec == JOBS_SPEC {
                    JOBS_EXPECTED_WARNINGS
                        .iter()
                        .map(|p| (*p).to_owned())
                        .collect()
                } else {
                    expected_warnings(spec, &text)
                };
                warnings.add(spec, &output.warnings, &expected);
                for file in output.files {
                    files.insert(format!("{out_dir}/{}", file.path), file.contents);
                }
            }
            Err(errors) => failures.push(errors.to_string()),
        }
        Ok(())
    };
    generate(JOBS_SPEC, JOBS_OUT, JOBS_HANDWRITTEN, &mut files)?;
    let mut owned_dirs = vec![JOBS_OUT.to_owned()];
    // The whole upstream IoT Hub document (Swagger 2.0, converted), compiled as one module of
    // the `iothub-full-generated` crate (its generated root becomes the module's mod.rs).
    if root.join(crate::import::UPSTREAM).exists() {
        let out = crate::import::FULL_OUT;
        generate(crate::import::UPSTREAM, out, &[], &mut files)?;
        if let Some(lib) = files.remove(&format!("{out}/lib.rs")) {
            files.insert(format!("{out}/mod.rs"), lib);
        }
        owned_dirs.push(out.to_owned());
    }

    let mut fixtures: Vec<PathBuf> = fs::read_dir(root.join(FIXTURES))
        .with_context(|| format!("listing {FIXTURES}"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    fixtures.sort();
    // Fixtures are generated for their warnings only: their output is committed once, as
    // the insta snapshots in tests/tests/snapshots/, and `tests/fixture-output` generates and
    // compiles it in its build script.
    for path in &fixtures {
        let file_name = path
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let spec = format!("{FIXTURES}/{file_name}");
        generate(&spec, "", &[], &mut BTreeMap::new())?;
    }

    if !failures.is_empty() {
        bail!(
            "generation failed; nothing was written:\n{}",
            failures.join("\n")
        );
    }
    Ok((Outputs { files, owned_dirs }, warnings))
}

/// What `apply` changed (or, in check mode, would change).
#[derive(Default)]
pub struct Report {
    pub written: Vec<String>,
    pub removed: Vec<String>,
    pub diff: String,
}

impl Report {
    fn is_clean(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }
}

fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// A temporary name beside `path` (same directory, so renaming it into place is atomic).
fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.regen-{}", std::process::id()))
}

fn is_generated(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|text| text.starts_with("// @generated by"))
}

/// Writes (or compares) every output and finds stale generated files.
///
/// Writing is in two steps: every changed file is first written beside its destination under
/// a temporary name, then each is renamed into place, so no file is ever half-written and a
/// failure while staging (a full disk) leaves every destination as it was.
pub fn apply(root: &Path, outputs: &Outputs, mode: Mode) -> Result<Report> {
    let mut report = Report::default();
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (path, contents) in &outputs.files {
        let full = root.join(path);
        let current = fs::read_to_string(&full).ok().map(|t| normalize(&t));
        if current.as_deref() == Some(contents.as_str()) {
            continue;
        }
        report.written.push(path.clone());
        match mode {
            Mode::Write => {
                let temp = temp_beside(&full);
                let written = full
                    .parent()
                    .map_or(Ok(()), fs::create_dir_all)
                    .and_then(|()| fs::write(&temp, contents));
                if let Err(error) = written {
                    let _ = fs::remove_file(&temp);
                    for (temp, _) in &staged {
                        let _ = fs::remove_file(temp);
                    }
                    return Err(error)
                        .with_context(|| format!("writing {path}; nothing was replaced"));
                }
                staged.push((temp, full));
            }
            Mode::Check => {
                let old = current.unwrap_or_default();
                let diff = similar::TextDiff::from_lines(&old, contents);
                report.diff.push_str(
                    &diff
                        .unified_diff()
                        .context_radius(3)
                        .header(&format!("a/{path}"), &format!("b/{path}"))
                        .to_string(),
                );
            }
        }
    }
    for (temp, full) in &staged {
        fs::rename(temp, full).with_context(|| format!("replacing {}", full.display()))?;
    }
    for dir in &outputs.owned_dirs {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut stale: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && is_generated(p))
            .collect();
        stale.sort();
        for path in stale {
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let relative = relative.to_string_lossy().replace('\\', "/");
            if outputs.files.contains_key(&relative) {
                continue;
            }
            report.removed.push(relative.clone());
            match mode {
                Mode::Write => {
                    fs::remove_file(&path).with_context(|| format!("removing {relative}"))?
                }
                Mode::Check => report
                    .diff
                    .push_str(&format!("left over (no longer generated): {relative}\n")),
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The methods of every `impl Client` block (inherent or of a trait) in `source`.
    fn client_methods(source: &str, into: &mut std::collections::BTreeSet<String>) {
        let file = syn::parse_file(source).expect("a hand-written module parses");
        let mut items: Vec<&syn::Item> = file.items.iter().collect();
        while let Some(item) = items.pop() {
            match item {
                syn::Item::Impl(block) => {
                    let syn::Type::Path(ty) = &*block.self_ty else {
                        continue;
                    };
                    if ty.path.segments.last().is_none_or(|s| s.ident != "Client") {
                        continue;
                    }
                    for inner in &block.items {
                        if let syn::ImplItem::Fn(f) = inner {
                            into.insert(f.sig.ident.to_string());
                        }
                    }
                }
                syn::Item::Mod(module) => {
                    if let Some((_, inner)) = &module.content {
                        items.extend(inner);
                    }
                }
                _ => {}
            }
        }
    }

    /// The reserved list regen passes for the Jobs crate is exactly what its hand-written
    /// modules define on `Client`, so neither a new helper nor a removed one goes unnoticed.
    #[test]
    fn jobs_reserved_methods_are_those_of_the_hand_written_modules() {
        let dir = root().join("generated/src/iothub");
        let mut found = std::collections::BTreeSet::new();
        let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
            .expect("generated/src/iothub")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        paths.sort();
        assert!(paths.len() >= 2, "{paths:?}");
        for path in &paths {
            client_methods(&fs::read_to_string(path).expect("readable"), &mut found);
        }
        let listed: std::collections::BTreeSet<String> = JOBS_RESERVED_METHODS
            .iter()
            .map(|m| (*m).to_owned())
            .collect();
        assert_eq!(
            found, listed,
            "JOBS_RESERVED_METHODS must list the methods generated/src/iothub/ defines on Client"
        );
    }

    /// A fresh folder under `target/` for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir = root()
            .join("target/xtask-tests")
            .join(format!("{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch directory");
        dir
    }

    /// Every file under `dir` (relative path → contents).
    fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(next) = stack.pop() {
            for entry in fs::read_dir(&next).expect("readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let relative = path.strip_prefix(dir).expect("inside").to_string_lossy();
                    files.insert(relative.replace('\\', "/"), fs::read(&path).expect("file"));
                }
            }
        }
        files
    }

    const VALID: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '204': {description: done}\n";

    /// A workspace-like tree: the Jobs spec, one fixture, and outputs written before.
    fn workspace(name: &str, jobs_spec: &str) -> PathBuf {
        let root = scratch(name);
        for (path, text) in [
            (JOBS_SPEC, jobs_spec),
            ("tests/fixtures/one.yaml", VALID),
            ("generated/src/lib.rs", "// @generated by an older run\n"),
            ("generated/src/stale.rs", "// @generated by an older run\n"),
            ("generated/src/iothub/mod.rs", "// Hand-written\n"),
        ] {
            let full = root.join(path);
            fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            fs::write(full, text).expect("write");
        }
        root
    }

    #[test]
    fn nothing_is_written_when_any_input_fails() {
        for (name, spec) in [
            ("regen-syntax", "openapi: 3.0.3\ninfo: [\n"),
            (
                "regen-shape",
                "openapi: 3.0.3\ninfo: {title: T}\npaths: {}\n",
            ),
            (
                "regen-semantic",
                "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses: {'204': {description: x}}\n",
            ),
        ] {
            let root = workspace(name, spec);
            let before = tree(&root);
            for mode in [Mode::Write, Mode::Check] {
                let error = regenerate(&root, mode, false).err().expect("fails");
                assert!(
                    error.to_string().contains("nothing was written"),
                    "{error:#}"
                );
                assert_eq!(tree(&root), before, "{name}");
            }
            let _ = fs::remove_dir_all(&root);
        }
    }

    #[test]
    fn deny_warnings_writes_nothing_and_plain_regen_writes_everything() {
        let warned = VALID.replace(
            "paths:",
            "components:\n  schemas:\n    P: {type: string, pattern: '(['}\npaths:",
        );
        let root = workspace("regen-warnings", &warned);
        let before = tree(&root);
        let error = regenerate(&root, Mode::Write, true).err().expect("denied");
        assert!(error.to_string().contains("--deny-warnings"), "{error:#}");
        assert_eq!(tree(&root), before);

        let (_, report) = regenerate(&root, Mode::Write, false).expect("writes");
        assert!(
            report
                .written
                .contains(&"generated/src/client.rs".to_owned())
        );
        assert_eq!(report.removed, ["generated/src/stale.rs"]);
        let after = tree(&root);
        assert!(
            after.contains_key("generated/src/iothub/mod.rs"),
            "hand-written files stay"
        );
        assert!(!after.contains_key("generated/src/stale.rs"));
        assert!(
            after.keys().all(|k| !k.starts_with("tests/fixture-output")),
            "fixtures are checked, not written"
        );
        assert!(
            after.keys().all(|k| !k.contains(".regen-")),
            "no temporary file is left: {:?}",
            after.keys()
        );
        // A second run finds everything up to date.
        let (_, report) = regenerate(&root, Mode::Check, false).expect("clean");
        assert!(report.is_clean(), "{}", report.diff);
        let _ = fs::remove_dir_all(&root);
    }

    /// `cargo xtask regen` on this repository prints no warning: every warning comes from a
    /// place its document expects one, and every expected place still gives one.
    #[test]
    fn the_repository_has_no_unexpected_warnings() {
        let (_, warnings) = outputs_and_warnings(&root()).expect("every input generates");
        assert!(
            warnings.unexpected.is_empty(),
            "{}",
            warnings.unexpected.join("\n")
        );
        assert!(warnings.expected >= 20, "{}", warnings.expected);
    }

    #[test]
    fn fixtures_list_the_warnings_they_provoke() {
        let listed = VALID.replace(
            "paths:",
            "x-expected-warnings: ['#/components/schemas/P/pattern', '#/components/schemas/Gone']\ncomponents:\n  schemas:\n    P: {type: string, pattern: '(['}\n    Q: {type: string, pattern: '(['}\npaths:",
        );
        let output = codegen::generate(&codegen::Input::new("one.yaml", &listed, "test"))
            .expect("generates");
        assert_eq!(output.warnings.len(), 2, "{:?}", output.warnings);
        let mut warnings = Warnings::default();
        warnings.add(
            "one.yaml",
            &output.warnings,
            &expected_warnings("one.yaml", &listed),
        );
        assert_eq!(warnings.expected, 1);
        // Q's warning was not expected, and Gone gave none.
        assert_eq!(warnings.unexpected.len(), 2, "{:?}", warnings.unexpected);
        assert!(
            warnings.unexpected[0].contains("#/components/schemas/Q/pattern"),
            "{:?}",
            warnings.unexpected
        );
        assert!(
            warnings.unexpected[1].contains("lists `#/components/schemas/Gone`"),
            "{:?}",
            warnings.unexpected
        );
    }

    /// Tidy: every file regen writes says `@generated` in its first line, and every other
    /// file of the Jobs crate says in its first line that it is hand-written, so hand-written
    /// code never hides among generated files.
    #[test]
    fn every_file_of_the_jobs_crate_says_who_wrote_it() {
        let root = root();
        let (outputs, _) = outputs_and_warnings(&root).expect("every input generates");
        for (path, text) in &outputs.files {
            let first = text.lines().next().unwrap_or_default();
            assert!(
                first.starts_with("// @generated by `cargo xtask regen`"),
                "{path} is written by regen but its first line is {first:?}"
            );
        }
        let crate_dir = root.join("generated");
        let mut checked = 0;
        for (relative, bytes) in tree(&crate_dir) {
            if relative.starts_with("target/") {
                continue;
            }
            let path = format!("generated/{relative}");
            let text = String::from_utf8_lossy(&bytes);
            let first = text.lines().next().unwrap_or_default();
            if outputs.files.contains_key(&path) {
                continue;
            }
            assert!(
                !first.contains("@generated"),
                "{path} says @generated, but regen does not write it"
            );
            assert!(
                first.contains("Hand-written"),
                "{path} is not written by regen, so its first line must say `Hand-written`: {first:?}"
            );
            checked += 1;
        }
        assert!(checked >= 8, "only {checked} hand-written files found");
    }

    /// Plain `cargo test` fails when generated/ is stale.
    #[test]
    fn generated_files_are_up_to_date() {
        let root = root();
        let outputs = expected_outputs(&root, false).expect("every input generates");
        let report = apply(&root, &outputs, Mode::Check).expect("check runs");
        assert!(
            report.is_clean(),
            "generated files are stale; run `cargo xtask regen` and commit:\n{}",
            report.diff
        );
    }
}
