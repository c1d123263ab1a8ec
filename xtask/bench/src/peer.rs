//! openapi-generator (the `rust` generator: a reqwest client library, its default) as a
//! second peer for the compile-time comparison: installed from PyPI into a venv under
//! `target/bench/`, pinned; skipped with a message when `java` is missing.

use crate::compile::Crate;
use crate::inputs::{Doc, slug};
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The PyPI package and the version the benchmark pins.
pub const PACKAGE: &str = "openapi-generator-cli==7.26.0";

/// The generator's options, as the report states them: the `rust` generator with its
/// defaults (library `reqwest`, async, models and APIs with their docs), only the package
/// name set.
pub const OPTIONS: &str = "`generate -g rust` with its defaults (`library=reqwest`, \
     `supportAsync=true`, `useSingleRequestParameter=false`, `avoidBoxedModels=false`; \
     the crate's default feature `native-tls`), \
     `--additional-properties=packageName=NAME,packageVersion=0.1.0` (the document's version \
     is not always semver, and cargo refuses it), \
     `--skip-validate-spec` (GitHub's document does not pass its validator), and the \
     generated docs, tests and README left out of the line count (only `src/**/*.rs`). On the \
     Jobs document it reads a copy without the property `IotHubError.message`, whose name \
     differs from `Message` only in case: it makes both one field, and its crate does not \
     compile (E0124), as progenitor's does not";

/// The `openapi-generator-cli` command, installed on first use; `Err` says why the peer is
/// skipped.
pub fn install(work: &Path) -> Result<PathBuf> {
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|o| o.status.success()) {
        bail!("`java` is missing, so openapi-generator is skipped");
    }
    let venv = work.join("openapi-generator");
    let cli = venv.join("bin/openapi-generator-cli");
    let stamp = venv.join("installed.txt");
    if cli.is_file() && fs::read_to_string(&stamp).ok().as_deref() == Some(PACKAGE) {
        return Ok(cli);
    }
    eprintln!("installing {PACKAGE} into {}", venv.display());
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .context("running python3 -m venv")?;
    if !status.success() {
        bail!("python3 -m venv failed");
    }
    let status = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", PACKAGE])
        .status()
        .context("running pip")?;
    if !status.success() {
        bail!("pip install {PACKAGE} failed");
    }
    fs::write(&stamp, PACKAGE)?;
    Ok(cli)
}

/// Generates openapi-generator's crate for `doc` (read from `input`) under `root` (a fresh
/// folder each time), with an empty `[workspace]` table so that it builds on its own; the
/// crate records the generation's wall time (JVM start included) and its lines of Rust.
pub fn write(cli: &Path, doc: &Doc, input: &Path, root: &Path) -> Crate {
    let name = format!("bench-openapi-generator-{}", slug(&doc.name));
    let dir = root.join(&name);
    let mut krate = Crate::new(dir.clone());
    let _ = fs::remove_dir_all(&dir);
    let started = Instant::now();
    let output = Command::new(cli)
        .args(["generate", "-g", "rust", "--skip-validate-spec", "-i"])
        .arg(input)
        .arg("-o")
        .arg(&dir)
        // The crate's version is the document's by default, which is not always semver
        // (the Jobs document's is `2021-04-12`), and cargo refuses such a manifest.
        .arg(format!(
            "--additional-properties=packageName={name},packageVersion=0.1.0"
        ))
        .output();
    let seconds = started.elapsed().as_secs_f64();
    match output {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            let text = String::from_utf8_lossy(&o.stdout).to_string()
                + &String::from_utf8_lossy(&o.stderr);
            let first = text
                .lines()
                .find(|l| l.contains("Exception") || l.contains("ERROR"))
                .unwrap_or("failed");
            krate.failure = Some(format!("openapi-generator: {}", first.trim()));
            return krate;
        }
        Err(e) => {
            krate.failure = Some(format!("running openapi-generator: {e}"));
            return krate;
        }
    }
    krate.generate_s = Some(seconds);
    // Standalone: an empty workspace table, as ours and progenitor's crates have.
    let manifest = dir.join("Cargo.toml");
    if let Ok(text) = fs::read_to_string(&manifest)
        && !text.contains("[workspace]")
    {
        let _ = fs::write(&manifest, format!("{text}\n[workspace]\n"));
    }
    krate.lines = Some(rust_lines(&dir.join("src")));
    krate
}

/// Lines of the `.rs` files under `dir`, recursively.
pub fn rust_lines(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                rust_lines(&path)
            } else if path.extension().is_some_and(|e| e == "rs") {
                fs::read_to_string(&path).map_or(0, |t| t.lines().count() as u64)
            } else {
                0
            }
        })
        .sum()
}

/// `## Against openapi-generator`: lines, `cargo check` time and peak memory, ours and
/// openapi-generator's, in the same run.
pub fn section(md: &mut String, results: &crate::run::Results) {
    let rows: Vec<_> = results
        .compile
        .iter()
        .filter_map(|c| Some((c, c.openapi_generator.as_ref()?)))
        .collect();
    let _ = writeln!(md, "## Against openapi-generator\n");
    if let Some(note) = &results.peer_note {
        let _ = writeln!(md, "{note}\n");
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "`{PACKAGE}` from PyPI (a venv under `target/bench/`), run as {OPTIONS}. Each crate is \
         checked as ours is, in the same run, crates alternated: dependencies built \
         beforehand, `CARGO_INCREMENTAL=0`, `src/lib.rs` touched, wall time of `cargo check`; \
         peak memory is the largest resident set of the cargo command and its children \
         (`/usr/bin/time`'s `%M`: in practice rustc's). Lines are those of `src/**/*.rs` \
         of each crate. Ratios are ours / openapi-generator.\n"
    );
    let _ = writeln!(
        md,
        "| document | ours lines | openapi-generator lines | lines ratio | ours check | openapi-generator check | check ratio | ours check memory | openapi-generator check memory | memory ratio | openapi-generator generation |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for (c, og) in rows {
        let generation = og
            .generate_s
            .map_or("–".to_owned(), |s| format!("{s:.1} s"));
        let _ = writeln!(md, "| {} | {} | {generation} |", c.name, c.ours.beside(og));
    }
    md.push('\n');
}
