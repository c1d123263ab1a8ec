//! `--baseline REV`: this generator as it was at a git revision of this repository, beside
//! the current one. Its source is taken with `git archive` into `target/bench/baseline/`, its
//! CLI built there (with the revision's own `Cargo.lock`), and it generates every document
//! whose crates the run compiles, each crate depending on the revision's own runtime. Those
//! crates are checked in the same run as ours, alternated with them, so that what a change
//! did to the compile time of generated crates is one ratio measured side by side.

use crate::compile::Crate;
use crate::inputs::{Doc, slug};
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The generator at a revision, built.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The revision as given (`68d4d63`, `main~3`).
    pub rev: String,
    /// Its commit.
    pub commit: String,
    /// Its CLI binary.
    pub cli: PathBuf,
    /// Its runtime crate, which its crates depend on.
    pub runtime: PathBuf,
}

impl Baseline {
    /// A baseline at `abc1234`, for the report's tests.
    #[cfg(test)]
    pub fn example() -> Self {
        Self {
            rev: "abc1234".to_owned(),
            commit: "abc1234def".to_owned(),
            cli: PathBuf::from("cli"),
            runtime: PathBuf::from("runtime"),
        }
    }
}

/// Takes the source of `rev` into `work/baseline/COMMIT` (once) and builds its CLI.
pub fn prepare(rev: &str, work: &Path) -> Result<Baseline> {
    let root = crate::run::root();
    let output = Command::new("git")
        .current_dir(&root)
        .args(["rev-parse", "--verify", &format!("{rev}^{{commit}}")])
        .output()
        .context("running git rev-parse")?;
    if !output.status.success() {
        bail!("`{rev}` is not a revision of this repository");
    }
    let commit = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let base = work.join("baseline");
    let src = base.join(&commit);
    if !src.join("Cargo.toml").is_file() {
        fs::create_dir_all(&src)?;
        let archive = Command::new("git")
            .current_dir(&root)
            .args(["archive", "--format=tar", &commit])
            .output()
            .context("running git archive")?;
        if !archive.status.success() {
            bail!("git archive {commit} failed");
        }
        let mut tar = Command::new("tar")
            .arg("-x")
            .arg("-C")
            .arg(&src)
            .stdin(Stdio::piped())
            .spawn()
            .context("running tar")?;
        tar.stdin
            .take()
            .context("tar's input")?
            .write_all(&archive.stdout)?;
        if !tar.wait()?.success() {
            bail!("unpacking {commit} failed");
        }
    }
    eprintln!("building the generator at {rev} ({commit})");
    let target = base.join("target");
    let status = crate::compile::cargo("build", &src, &target, false)
        .args([
            "--release",
            "--locked",
            "--package",
            "openapi-rust-codegen-cli",
        ])
        .status()
        .context("building the generator at the baseline revision")?;
    if !status.success() {
        bail!("building the generator at {rev} failed");
    }
    Ok(Baseline {
        rev: rev.to_owned(),
        commit,
        cli: target.join("release/openapi-rust-codegen"),
        runtime: src.join("codegen/runtime"),
    })
}

/// Writes the baseline's crate for `doc` under `root` with its CLI (a failed crate, saying
/// why, when it cannot).
pub fn write(baseline: &Baseline, doc: &Doc, root: &Path) -> Crate {
    let dir = root.join(format!("bench-baseline-{}", slug(&doc.name)));
    let output = Command::new(&baseline.cli)
        .arg("generate")
        .arg("--spec")
        .arg(&doc.ours)
        .arg("--out")
        .arg(&dir)
        .arg("--runtime")
        .arg(format!("path={}", baseline.runtime.display()))
        .args(["--own-workspace", "--force"])
        .output();
    match output {
        Ok(out) if out.status.success() => {
            let mut krate = Crate::new(dir);
            krate.lines = Some(crate::peer::rust_lines(&krate.dir.join("src")));
            krate
        }
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let first = stderr.lines().next().unwrap_or("no message").to_owned();
            Crate::failed(dir, &format!("the baseline did not generate it: {first}"))
        }
        Err(error) => Crate::failed(dir, &format!("the baseline did not run: {error}")),
    }
}

/// `## Against this generator at REV`: lines, `cargo check` time and peak memory of each
/// compiled document's crate, ours and the baseline's, in the same run.
pub fn section(md: &mut String, results: &crate::run::Results) {
    let Some(baseline) = &results.baseline else {
        return;
    };
    let rows: Vec<_> = results
        .compile
        .iter()
        .filter_map(|c| Some((c, c.baseline.as_ref()?)))
        .collect();
    let _ = writeln!(md, "## Against this generator at `{}`\n", baseline.rev);
    let _ = writeln!(
        md,
        "The generator at commit `{}` (`--baseline {}`), built from its own source and lock \
         file, generated the same documents; its crates depend on its own runtime. Each is \
         checked as ours is, in the same run, crates alternated. Ratios are ours / the \
         baseline's.\n",
        baseline.commit, baseline.rev
    );
    let _ = writeln!(
        md,
        "| document | ours lines | baseline lines | lines ratio | ours check | baseline check | check ratio | ours check memory | baseline check memory | memory ratio |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for (c, base) in rows {
        let _ = writeln!(md, "| {} | {} |", c.name, c.ours.beside(base));
    }
    md.push('\n');
}
