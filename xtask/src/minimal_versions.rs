//! `cargo xtask minimal-versions`: every version requirement that users' builds see is the
//! lowest release the code works with.
//!
//! For each group of crates that users take together (the runtime with the Jobs crate; the
//! generator with its command and build-script crate), a copy of the workspace limited to that
//! group resolves its direct dependencies to the lowest releases their requirements allow,
//! every other dependency to its newest compatible release (cargo's
//! `-Z direct-minimal-versions`, through `RUSTC_BOOTSTRAP=1` on a stable toolchain), then
//! builds and tests the group with all features (but the Jobs crate's `entra-id`, see
//! [`without_entra_id`]). A requirement below what the code (or the
//! newest releases of its own dependencies) needs fails here. The other members (tests,
//! emulator, benchmarks, tools) are this repository's own and are not checked.

use anyhow::{Context, Result, bail};
use std::fs;
use std::path::Path;
use std::process::Command;

/// The groups, by name, with their members.
pub const GROUPS: &[(&str, &[&str])] = &[
    ("runtime", &["codegen/runtime", "generated"]),
    ("generator", &["codegen", "codegen/cli", "codegen/build"]),
];

/// Runs the check for every group (or the one named `only`).
pub fn run(only: Option<&str>) -> Result<()> {
    let root = crate::regen::root();
    let work = root.join("target/minimal-versions");
    let mut ran = 0;
    for (name, members) in GROUPS {
        if only.is_some_and(|o| o != *name) {
            continue;
        }
        check_group(&root, &work, name, members)?;
        ran += 1;
    }
    if ran == 0 {
        bail!("no group named {only:?}; the groups are runtime and generator");
    }
    println!("minimal-versions: every group builds and passes its tests");
    Ok(())
}

fn check_group(root: &Path, work: &Path, name: &str, members: &[&str]) -> Result<()> {
    let copy = work.join(name);
    let _ = fs::remove_dir_all(&copy);
    copy_sources(root, &copy)?;
    let manifest_path = copy.join("Cargo.toml");
    let manifest = fs::read_to_string(&manifest_path)?;
    let start = manifest
        .find("members = [")
        .context("no `members = [` in the workspace manifest")?;
    let end = start
        + manifest[start..]
            .find(']')
            .context("no end to the members list")?;
    let list: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    let manifest = format!(
        "{}members = [{}]{}",
        &manifest[..start],
        list.join(", "),
        &manifest[end + 1..]
    );
    fs::write(&manifest_path, manifest)?;
    let _ = fs::remove_file(copy.join("Cargo.lock"));
    if members.contains(&"generated") {
        without_entra_id(&copy)?;
    }
    let cargo = || {
        let mut command = Command::new(env!("CARGO"));
        command
            .current_dir(&copy)
            .env("CARGO_TARGET_DIR", work.join("target"))
            .env_remove("RUSTFLAGS");
        command
    };
    println!("minimal-versions [{name}]: resolving {members:?}");
    let status = cargo()
        .args(["update", "-Z", "direct-minimal-versions"])
        .env("RUSTC_BOOTSTRAP", "1")
        .status()
        .context("running cargo update")?;
    if !status.success() {
        bail!(
            "[{name}] the lowest releases the requirements allow do not resolve against the \
             newest releases of the other dependencies (see above): raise the requirement cargo \
             names"
        );
    }
    println!("minimal-versions [{name}]: testing with all features");
    let status = cargo()
        .args(["test", "--workspace", "--all-features", "--quiet"])
        .status()
        .context("running cargo test")?;
    if !status.success() {
        bail!("[{name}] fails with the lowest releases its requirements allow (see above)");
    }
    Ok(())
}

/// Takes the Jobs crate's `entra-id` feature out of the copy: azure_core (and the
/// azure_identity of its tests) require newer releases of crates the runtime also depends on
/// (tracing 0.1.44, tokio 1.49, serde_json 1.0.149) than the runtime needs, so the lowest
/// releases of the runtime's own requirements cannot resolve beside them. Users who turn the
/// feature on get azure_core's floors; the runtime's stay what the runtime needs.
fn without_entra_id(copy: &Path) -> Result<()> {
    let manifest_path = copy.join("generated/Cargo.toml");
    let manifest = fs::read_to_string(&manifest_path)?;
    let mut kept = Vec::new();
    let mut lines = manifest.lines().peekable();
    while let Some(line) = lines.next() {
        if line == "[[test]]" && lines.peek() == Some(&"name = \"entra\"") {
            while lines.peek().is_some_and(|l| !l.is_empty()) {
                lines.next();
            }
            continue;
        }
        let dropped = line.starts_with("entra-id = ")
            || line.starts_with("azure_core")
            || line.starts_with("azure_identity");
        if !dropped {
            kept.push(line);
        }
    }
    fs::write(&manifest_path, kept.join("\n") + "\n")?;
    let _ = fs::remove_file(copy.join("generated/tests/entra.rs"));
    Ok(())
}

/// Copies the files git tracks or would track (not `target/`) from `root` to `to`.
fn copy_sources(root: &Path, to: &Path) -> Result<()> {
    let output = Command::new("git")
        .current_dir(root)
        .args([
            "ls-files",
            "--cached",
            "--others",
            "--exclude-standard",
            "-z",
        ])
        .output()
        .context("running git ls-files")?;
    if !output.status.success() {
        bail!("git ls-files failed");
    }
    for path in output.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let relative = String::from_utf8_lossy(path).into_owned();
        let from = root.join(&relative);
        if !from.is_file() {
            continue;
        }
        let dest = to.join(&relative);
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::copy(&from, &dest).with_context(|| format!("copying {relative}"))?;
    }
    Ok(())
}
