//! Generates one module per fixture document in `tests/fixtures/` into `OUT_DIR`, as
//! `tests/tests/snapshots.rs` renders it (client and server, the server behind this crate's
//! `server` feature, the same header line), so that the text compiled here is the text the
//! insta snapshots hold: the snapshots are the one committed copy of each fixture's output.

use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// The command named in each file's header; `tests/tests/snapshots.rs` uses the same one.
const COMMAND: &str = "tests/fixture-output/build.rs";

fn main() -> Result<(), Box<dyn Error>> {
    let fixtures = Path::new("../fixtures");
    println!("cargo:rerun-if-changed=../fixtures");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let mut paths: Vec<PathBuf> = fs::read_dir(fixtures)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    paths.sort();
    let mut root = String::new();
    for path in &paths {
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("a fixture's name is not UTF-8")?;
        let stem = file_name.trim_end_matches(".yaml");
        let module = codegen::names::snake(stem);
        let module = module.trim_start_matches("r#");
        let relative = format!("tests/fixtures/{file_name}");
        let text = fs::read_to_string(path)?;
        let mut input = codegen::Input::new(&relative, &text, COMMAND);
        input.server = true;
        let output = codegen::generate(&input).map_err(|e| format!("{relative}: {e}"))?;
        let dir = out.join(module);
        fs::create_dir_all(&dir)?;
        for file in &output.files {
            // The fixture's crate root becomes the module's mod.rs.
            let name = if file.path == "lib.rs" {
                "mod.rs"
            } else {
                &file.path
            };
            write_if_changed(&dir.join(name), &file.contents)?;
        }
        let mod_rs = dir.join("mod.rs");
        let mod_rs = mod_rs.to_str().ok_or("OUT_DIR is not UTF-8")?;
        writeln!(
            root,
            "// Generated from `{relative}`.\n#[path = {mod_rs:?}]\n#[rustfmt::skip]\npub mod {module};"
        )?;
    }
    write_if_changed(&out.join("fixtures.rs"), &root)?;
    Ok(())
}

/// Writes `text` unless the file already holds it, so that nothing is recompiled for nothing.
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    fs::write(path, text)
}
