//! `cargo xtask import`: the upstream document → `spec/iothub-jobs.yaml`, reproducibly.
//!
//! spec/upstream/iothub-2021-04-12.json (Swagger 2.0, kept byte for byte) is converted to
//! OpenAPI 3.0.3, the paths under `/jobs` are kept with what they use, the overlay
//! spec/overlays/iothub-jobs.overlay.yaml applies the corrections, and the result is written
//! as YAML. `cargo xtask regen --check` runs the same import in memory and fails when
//! `spec/iothub-jobs.yaml` differs from it (the spec-drift check).

use anyhow::{Result, bail};
use codegen_cli::import::Written;
use std::fs;
use std::path::{Path, PathBuf};

/// Microsoft's IoT Hub service document, as published (never edited).
pub const UPSTREAM: &str = "spec/upstream/iothub-2021-04-12.json";
/// The corrections.
pub const OVERLAY: &str = "spec/overlays/iothub-jobs.overlay.yaml";
/// The document the Jobs crate is generated from.
pub const OUTPUT: &str = "spec/iothub-jobs.yaml";
/// The Jobs subset, and the hub query that reads device jobs.
pub const PATHS: &[&str] = &["/jobs", "/devices/query"];
/// Where regen writes the client for the whole upstream document (a module of the
/// `iothub-full-generated` crate, whose `src/lib.rs` is hand-written).
pub const FULL_OUT: &str = "tests/iothub-full/src/hub";

/// What to import; the defaults are the Jobs import.
#[derive(Debug, Clone)]
pub struct Options {
    pub upstream: String,
    pub overlays: Vec<String>,
    pub paths: Vec<String>,
    pub tags: Vec<String>,
    pub out: String,
    pub check: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            upstream: UPSTREAM.to_owned(),
            overlays: vec![OVERLAY.to_owned()],
            paths: PATHS.iter().map(|p| (*p).to_owned()).collect(),
            tags: Vec::new(),
            out: OUTPUT.to_owned(),
            check: false,
        }
    }
}

/// The imported document's text, and the import's warnings, computed from files under `root`
/// by the same code as `openapi-rust-codegen import`.
pub fn imported(root: &Path, options: &Options) -> Result<(String, Vec<String>)> {
    let mut shared = codegen_cli::import::Options::new(&options.upstream);
    shared.overlays = options.overlays.iter().map(PathBuf::from).collect();
    shared.paths = options.paths.clone();
    shared.tags = options.tags.clone();
    shared.command = "cargo xtask import".to_owned();
    if options.out == OUTPUT {
        shared.notes = vec!["spec/README.md explains each correction.".to_owned()];
    }
    codegen_cli::import::imported(root, &shared)
}

/// The diff between the written document and what import produces now, if they differ.
pub fn drift(root: &Path, options: &Options) -> Result<Option<String>> {
    let (expected, _) = imported(root, options)?;
    let current = fs::read_to_string(root.join(&options.out))
        .unwrap_or_default()
        .replace("\r\n", "\n");
    Ok((current != expected)
        .then(|| codegen_cli::import::unified(&options.out, &current, &expected)))
}

/// Runs `cargo xtask import` (or `import --check`).
pub fn run(root: &Path, options: &Options) -> Result<()> {
    let (expected, warnings) = imported(root, options)?;
    for warning in &warnings {
        eprintln!("{warning}");
    }
    let written = codegen_cli::import::write(&root.join(&options.out), &expected, options.check)?;
    match written {
        Written::UpToDate => println!("import: {} is up to date", options.out),
        Written::Written => println!(
            "import: wrote {} ({} warnings){}",
            options.out,
            warnings.len(),
            if options.out == OUTPUT {
                "; run `cargo xtask regen` next"
            } else {
                ""
            }
        ),
    }
    Ok(())
}

/// The spec-drift check `cargo xtask regen` runs: in check mode a stale
/// `spec/iothub-jobs.yaml` fails with its diff; when writing, it is only reported (regen never
/// rewrites spec/).
pub fn check_drift(root: &Path, check: bool) -> Result<()> {
    if !root.join(UPSTREAM).exists() {
        // A scratch tree without the upstream document (regen's own tests).
        return Ok(());
    }
    let Some(diff) = drift(root, &Options::default())? else {
        return Ok(());
    };
    if check {
        eprint!("{diff}");
        bail!(
            "{OUTPUT} differs from what `cargo xtask import` produces from {UPSTREAM} and \
             {OVERLAY} (diff above); run `cargo xtask import` (and `cargo xtask regen`), or put \
             the change in the overlay"
        );
    }
    eprintln!(
        "note: {OUTPUT} differs from what `cargo xtask import` produces; generating from the \
         file as it is (run `cargo xtask import --check` for the diff)"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// The spec-drift check: spec/iothub-jobs.yaml is exactly what the import produces.
    #[test]
    fn spec_matches_import() {
        let root = crate::regen::root();
        let diff = drift(&root, &Options::default()).expect("import runs");
        assert!(
            diff.is_none(),
            "{OUTPUT} is stale; run `cargo xtask import`:\n{}",
            diff.unwrap_or_default()
        );
    }

    /// The import raises no warning: every overlay action still applies.
    #[test]
    fn import_has_no_warnings() {
        let (_, warnings) = imported(&crate::regen::root(), &Options::default()).expect("import");
        assert!(warnings.is_empty(), "{warnings:#?}");
    }

    /// The upstream document is the one spec/README.md names, byte for byte.
    #[test]
    fn upstream_is_unchanged() {
        let root = crate::regen::root();
        let bytes = fs::read(root.join(UPSTREAM)).expect("upstream");
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let readme = fs::read_to_string(root.join("spec/README.md")).expect("README");
        assert!(
            readme.contains(&format!("sha256: `{digest}`")),
            "{UPSTREAM} has sha256 {digest}, which spec/README.md does not name"
        );
    }

    /// A change to the spec shows as a readable diff.
    #[test]
    fn drift_is_reported_as_a_diff() {
        let root = crate::regen::root();
        let scratch = std::env::temp_dir().join(format!("xtask-import-{}", std::process::id()));
        for path in [UPSTREAM, OVERLAY, OUTPUT] {
            let to = scratch.join(path);
            fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
            fs::copy(root.join(path), &to).expect("copy");
        }
        let spec = scratch.join(OUTPUT);
        let text = fs::read_to_string(&spec).expect("spec");
        fs::write(
            &spec,
            text.replace("title: IoT Hub Jobs API", "title: Edited"),
        )
        .expect("edit");
        let diff = drift(&scratch, &Options::default())
            .expect("import runs")
            .expect("differs");
        assert!(diff.contains("-  title: Edited"), "{diff}");
        assert!(diff.contains("+  title: IoT Hub Jobs API"), "{diff}");
        let error = check_drift(&scratch, true).expect_err("fails in check mode");
        assert!(error.to_string().contains("cargo xtask import"), "{error}");
        check_drift(&scratch, false).expect("only a note when writing");
        let _ = fs::remove_dir_all(&scratch);
    }
}
