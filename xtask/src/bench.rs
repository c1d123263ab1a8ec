//! `cargo xtask bench [--corpus DIR] [--github FILE] [...]`: builds the benchmark
//! (`xtask/bench/`, package `codegen-bench`) in release mode and runs it. It compares this
//! generator with progenitor and measures its scaling; the tables go to `bench/results.md`,
//! the raw figures to `bench/results.json`, the plot to `bench/scaling.svg`. Opt-in: it takes
//! tens of minutes (`--quick` for a smoke run). `--baseline REV` adds the crates of this
//! generator as it was at a git revision, checked beside ours.

use anyhow::{Context, Result, bail};
use std::process::Command;

/// Builds `codegen-bench` with `--release` and runs it with `args`.
pub fn run(args: &[&str]) -> Result<()> {
    let root = super::regen::root();
    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["build", "--release", "--package", "codegen-bench"])
        .status()
        .context("building codegen-bench")?;
    if !status.success() {
        bail!("building codegen-bench failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let status = Command::new(target.join("release/codegen-bench"))
        .current_dir(&root)
        .arg("run")
        .args(args)
        .status()
        .context("running codegen-bench")?;
    if !status.success() {
        bail!("the benchmark failed");
    }
    Ok(())
}
