//! insta snapshots of the complete generated output of every fixture in `tests/fixtures/`,
//! warnings first. They are the one committed copy of that output: the `fixture-output` crate
//! generates the same text (same options, same header) in its build script and compiles it, so
//! a snapshot that changes is also a crate that still has to build. The Jobs document's output
//! is committed once, as `generated/`, which `cargo xtask regen --check` keeps up to date.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The command `tests/fixture-output/build.rs` names in each header.
const FIXTURE_COMMAND: &str = "tests/fixture-output/build.rs";

/// Generates from `relative` (a path from the workspace root) as `command` would, and joins
/// the warnings and files into one text, each file under a `==== path ====` line.
fn render(relative: &str, command: &str) -> String {
    let text = std::fs::read_to_string(root().join(relative)).expect("spec readable");
    let mut input = codegen::Input::new(relative, &text, command);
    input.server = true;
    let output = codegen::generate(&input).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let mut all = String::new();
    for warning in &output.warnings {
        all.push_str(&format!("{warning}\n"));
    }
    for file in &output.files {
        all.push_str(&format!("==== {} ====\n{}", file.path, file.contents));
    }
    all
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
        insta::assert_snapshot!(
            format!("fixture-{name}"),
            render(&relative, FIXTURE_COMMAND)
        );
    }
}

/// The same document gives byte-identical output, run after run.
#[test]
fn output_is_deterministic() {
    let render = || render("spec/iothub-jobs.yaml", "cargo xtask regen");
    let first = render();
    for _ in 0..3 {
        assert_eq!(render(), first);
    }
}
