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
/// Fixture documents, and the crate that compiles their output.
const FIXTURES: &str = "tests/fixtures";
const FIXTURE_OUT: &str = "tests/fixture-output/src";
const COMMAND: &str = "cargo xtask regen";

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Runs regen in `mode` from the workspace root.
pub fn run(mode: Mode) -> Result<()> {
    let root = root();
    let started = std::time::Instant::now();
    let outputs = expected_outputs(&root)?;
    let report = apply(&root, &outputs, mode)?;
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

/// Everything regen produces: relative path → contents, and the directories it owns.
pub struct Outputs {
    pub files: BTreeMap<String, String>,
    /// Directories in which a `@generated` file not in `files` is stale.
    pub owned_dirs: Vec<String>,
}

/// Generates every output in memory. Fails (touching nothing) when any input has errors.
pub fn expected_outputs(root: &Path) -> Result<Outputs> {
    let mut files = BTreeMap::new();
    let mut failures = Vec::new();
    let mut generate = |spec: &str,
                        out_dir: &str,
                        extra: &[&str],
                        files: &mut BTreeMap<String, String>|
     -> Result<()> {
        let text =
            fs::read_to_string(root.join(spec)).with_context(|| format!("reading {spec}"))?;
        let mut input = codegen::Input::new(spec, &text, COMMAND);
        input.extra_modules = extra.iter().map(|m| (*m).to_owned()).collect();
        input.server = true;
        match codegen::generate(&input) {
            Ok(output) => {
                for warning in &output.warnings {
                    eprintln!("{spec}: {warning}");
                }
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
    let mut modules = Vec::new();
    for path in &fixtures {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let module = codegen::names::snake(stem);
        let file_name = path
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let spec = format!("{FIXTURES}/{file_name}");
        let out_dir = format!("{FIXTURE_OUT}/{}", module.trim_start_matches("r#"));
        generate(&spec, &out_dir, &[], &mut files)?;
        // The fixture's crate root becomes the module's mod.rs.
        if let Some(lib) = files.remove(&format!("{out_dir}/lib.rs")) {
            files.insert(format!("{out_dir}/mod.rs"), lib);
        }
        owned_dirs.push(out_dir);
        modules.push((module, spec));
    }
    files.insert(format!("{FIXTURE_OUT}/lib.rs"), fixture_lib(&modules));
    owned_dirs.push(FIXTURE_OUT.to_owned());

    if !failures.is_empty() {
        bail!(
            "generation failed; nothing was written:\n{}",
            failures.join("\n")
        );
    }
    Ok(Outputs { files, owned_dirs })
}

fn fixture_lib(modules: &[(String, String)]) -> String {
    let mut text = format!(
        "// @generated by `{COMMAND}` from {FIXTURES}/; do not edit by hand.\n\
         //! The generator's output for every fixture document, compiled as one module each.\n"
    );
    for (module, spec) in modules {
        text.push_str(&format!(
            "// Generated from `{spec}`.\n#[rustfmt::skip]\npub mod {module};\n"
        ));
    }
    text
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

fn is_generated(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|text| text.starts_with("// @generated by"))
}

/// Writes (or compares) every output and finds stale generated files.
pub fn apply(root: &Path, outputs: &Outputs, mode: Mode) -> Result<Report> {
    let mut report = Report::default();
    for (path, contents) in &outputs.files {
        let full = root.join(path);
        let current = fs::read_to_string(&full).ok().map(|t| normalize(&t));
        if current.as_deref() == Some(contents.as_str()) {
            continue;
        }
        report.written.push(path.clone());
        match mode {
            Mode::Write => {
                if let Some(dir) = full.parent() {
                    fs::create_dir_all(dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                }
                fs::write(&full, contents).with_context(|| format!("writing {path}"))?;
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

    /// Plain `cargo test` fails when generated/ or the fixture output is stale.
    #[test]
    fn generated_files_are_up_to_date() {
        let root = root();
        let outputs = expected_outputs(&root).expect("every input generates");
        let report = apply(&root, &outputs, Mode::Check).expect("check runs");
        assert!(
            report.is_clean(),
            "generated files are stale; run `cargo xtask regen` and commit:\n{}",
            report.diff
        );
    }
}
