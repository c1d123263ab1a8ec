//! insta snapshots of the complete generated output: the IoT Hub Jobs spec and every fixture
//! in `tests/fixtures/`. The same output is compiled by the `fixture-output` crate and
//! `generated/`, so a snapshot that changes is also a crate that still has to build.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Generates from `relative` (a path from the workspace root) and joins the files into one
/// text, each under a `==== path ====` line.
fn render(relative: &str) -> String {
    let text = std::fs::read_to_string(root().join(relative)).expect("spec readable");
    let mut input = codegen::Input::new(relative, &text, "cargo xtask regen");
    input.server = true;
    let output = codegen::generate(&input).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let mut all = String::new();
    for warning in &output.warnings {
        all.push_str(&format!("{warning}\n"));
    }
    for file in &output.files {
        // The runtimes are the same hand-written files for every document; their snapshot is
        // taken once, with the Jobs spec.
        let runtime = file.path == "runtime.rs" || file.path == "server_runtime.rs";
        if runtime && !relative.starts_with("spec/") {
            continue;
        }
        all.push_str(&format!("==== {} ====\n{}", file.path, file.contents));
    }
    all
}

#[test]
fn iothub_jobs_spec() {
    insta::assert_snapshot!("iothub-jobs", render("spec/iothub-jobs.yaml"));
}

#[test]
fn fixtures() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures"))
        .expect("tests/fixtures exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 8,
        "expected the fixture documents, found {paths:?}"
    );
    for path in paths {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_owned();
        let relative = format!("tests/fixtures/{name}.yaml");
        insta::assert_snapshot!(format!("fixture-{name}"), render(&relative));
    }
}

/// The same document gives byte-identical output, run after run.
#[test]
fn output_is_deterministic() {
    let first = render("spec/iothub-jobs.yaml");
    for _ in 0..3 {
        assert_eq!(render("spec/iothub-jobs.yaml"), first);
    }
}
