//! `cargo check` and `cargo build` of the generated crates, ours and progenitor's, with
//! their dependencies built beforehand, so that only the generated crate itself is timed.

use crate::inputs::{Doc, slug};
use crate::measure;
use crate::stats::{Summary, memory_cell, ratio};
use anyhow::{Context, Result};
use codegen::manifest::RuntimeSource;
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Instant, SystemTime};

/// A generated crate on disk.
#[derive(Debug, Clone)]
pub struct Crate {
    /// Its directory.
    pub dir: PathBuf,
    /// Why it could not be built, if it could not.
    pub failure: Option<String>,
    /// Seconds of `cargo check` of the crate alone.
    pub check: Vec<f64>,
    /// Seconds of `cargo build` of the crate alone.
    pub build: Vec<f64>,
    /// Seconds of a `cargo check` with nothing to do (cargo's own overhead).
    pub noop: Option<f64>,
    /// Peak resident set of each timed `cargo check` (the largest of cargo and its children,
    /// rustc in practice), in KiB; empty where `/usr/bin/time` is missing.
    pub check_peak_kib: Vec<u64>,
    /// Lines of the crate's `src/**/*.rs`.
    pub lines: Option<u64>,
    /// Seconds the generator took to write the crate, where measured here (openapi-generator).
    pub generate_s: Option<f64>,
}

impl Crate {
    /// A crate in `dir`, not measured yet.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            failure: None,
            check: Vec::new(),
            build: Vec::new(),
            noop: None,
            check_peak_kib: Vec::new(),
            lines: None,
            generate_s: None,
        }
    }

    /// A crate that was not written, and why.
    pub fn failed(dir: PathBuf, why: &str) -> Self {
        let mut krate = Self::new(dir);
        krate.failure = Some(why.to_owned());
        krate
    }

    /// The `cargo check` cell of a report: the times, or why there are none.
    pub fn check_cell(&self) -> String {
        match &self.failure {
            Some(f) => f.chars().take(90).collect::<String>().replace('|', "\\|"),
            None => crate::stats::time_cell(Summary::of(&self.check)),
        }
    }

    /// The median `cargo check` time, when it checked.
    pub fn check_median(&self) -> Option<f64> {
        self.failure
            .is_none()
            .then(|| Summary::of(&self.check).map(|x| x.median))
            .flatten()
    }

    /// The peak resident sets of its checks, in KiB.
    pub fn check_peak(&self) -> Option<Summary> {
        let kib: Vec<f64> = self.check_peak_kib.iter().map(|&v| v as f64).collect();
        Summary::of(&kib)
    }

    /// Its lines, as a number for ratios.
    pub fn line_count(&self) -> Option<f64> {
        self.lines.map(|l| l as f64)
    }

    /// The nine cells of a report row that sets this crate beside `other`: lines, check time
    /// and check memory, each as this crate's, `other`'s and their ratio.
    pub fn beside(&self, other: &Crate) -> String {
        let lines = |c: &Crate| c.line_count().map_or("–".to_owned(), |v| format!("{v:.0}"));
        let peak = |c: &Crate| c.check_peak().map(|s| s.median);
        [
            lines(self),
            lines(other),
            ratio(self.line_count(), other.line_count()),
            self.check_cell(),
            other.check_cell(),
            ratio(self.check_median(), other.check_median()),
            memory_cell(self.check_peak()),
            memory_cell(other.check_peak()),
            ratio(peak(self), peak(other)),
        ]
        .join(" | ")
    }

    /// The figures as JSON.
    pub fn to_json(&self) -> Value {
        let summary = |s: &[f64]| Summary::of(s).map(|x| x.to_json(s));
        json!({
            "dir": self.dir, "failure": self.failure, "noop_check_s": self.noop,
            "check_s": summary(&self.check), "build_s": summary(&self.build),
            "check_peak_kib": self.check_peak_kib, "lines": self.lines,
            "generate_s": self.generate_s,
        })
    }
}

/// Writes our crate for `doc` under `root` as `openapi-rust-codegen generate` does, with the
/// runtime as a path dependency on this repository's `codegen/runtime` (prebuilt once, as
/// `progenitor-client` is for progenitor's crates).
pub fn write_ours(doc: &Doc, root: &Path) -> Result<Crate> {
    let name = format!("bench-ours-{}", slug(&doc.name));
    let dir = root.join(&name);
    let mut options = codegen_cli::generate::Options::new(&doc.ours, &name);
    options.command = "cargo xtask bench".to_owned();
    let runtime = crate::run::root().join("codegen/runtime");
    options.runtime = RuntimeSource::Path(runtime.display().to_string());
    // Under target/, inside this workspace's folder.
    options.own_workspace = true;
    let generated = codegen_cli::generate::crate_files(&options)?;
    // Written file by file, keeping the time stamps of unchanged files (and the crate's
    // Cargo.lock), so that a rerun does not rebuild for nothing.
    write_files(&dir, &generated.files)?;
    let mut krate = Crate::new(dir);
    krate.lines = Some(crate::peer::rust_lines(&krate.dir.join("src")));
    Ok(krate)
}

/// Writes progenitor's crate for `doc` under `root`: its output as `src/lib.rs` and the
/// dependencies its README prescribes for generated code (`progenitor-client`, `reqwest`
/// with `json`, `query` and `stream`, `serde`, `serde_json`, `futures`; `chrono`, `uuid`,
/// `regress`, `base64`, `rand` when the code uses them).
pub fn write_progenitor(doc: &Doc, root: &Path) -> Result<Crate> {
    let name = format!("bench-progenitor-{}", slug(&doc.name));
    let dir = root.join(&name);
    let input = doc.progenitor.as_ref().context("no input for progenitor")?;
    let code = measure::progenitor(&fs::read_to_string(input)?).map_err(|e| anyhow::anyhow!(e))?;
    let mut dependencies = vec![
        "futures = \"0.3\"",
        "progenitor-client = \"0.15.1\"",
        "reqwest = { version = \"0.13\", features = [\"json\", \"query\", \"stream\"] }",
        "serde = { version = \"1.0\", features = [\"derive\"] }",
        "serde_json = \"1.0\"",
    ];
    let optional = [
        (
            "chrono::",
            "chrono = { version = \"0.4\", features = [\"serde\"] }",
        ),
        (
            "uuid::",
            "uuid = { version = \"1.0.0\", features = [\"serde\", \"v4\"] }",
        ),
        ("regress::", "regress = \"0.12\""),
        ("base64::", "base64 = \"0.23\""),
        ("rand::", "rand = \"0.10\""),
    ];
    for (path, line) in optional {
        if code.contains(path) {
            dependencies.push(line);
        }
    }
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\n{}\n",
        dependencies.join("\n")
    );
    write_files(
        &dir,
        &[
            ("Cargo.toml".to_owned(), manifest),
            ("src/lib.rs".to_owned(), code),
        ],
    )?;
    Ok(Crate::new(dir))
}

fn write_files(dir: &Path, files: &[(String, String)]) -> Result<()> {
    // Files no longer written go; unchanged ones stay as they are.
    if let Ok(entries) = fs::read_dir(dir.join("src")) {
        for entry in entries.flatten() {
            let relative = format!("src/{}", entry.file_name().to_string_lossy());
            if !files.iter().any(|(path, _)| *path == relative) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    for (path, contents) in files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent)?;
        }
        // Unchanged files keep their time stamps, so a rerun does not rebuild for nothing.
        if fs::read_to_string(&full).ok().as_deref() != Some(contents) {
            fs::write(&full, contents).with_context(|| format!("writing {}", full.display()))?;
        }
    }
    Ok(())
}

/// `cargo SUBCOMMAND --quiet` on the crate or workspace at `krate`, into `target_dir`, with
/// `CARGO_INCREMENTAL=0` and none of the caller's rustflags.
pub(crate) fn cargo(subcommand: &str, krate: &Path, target_dir: &Path, offline: bool) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command
        .arg(subcommand)
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    if offline {
        command.arg("--offline");
    }
    command
}

/// Runs `cargo SUBCOMMAND` on the crate; its wall time and peak resident set in KiB (under
/// `/usr/bin/time`, when there is one: the largest of cargo and the children it waited for),
/// or the first error lines.
fn timed(
    subcommand: &str,
    krate: &Path,
    target_dir: &Path,
    offline: bool,
) -> Result<(f64, Option<u64>), String> {
    let time = Path::new("/usr/bin/time");
    let peak_file = target_dir.join(format!("peak-{}.txt", std::process::id()));
    let mut command = cargo(subcommand, krate, target_dir, offline);
    if time.is_file() {
        let _ = fs::create_dir_all(target_dir);
        let inner = command;
        command = Command::new(time);
        command
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&peak_file)
            .arg(inner.get_program())
            .args(inner.get_args());
        for (key, value) in inner.get_envs() {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
    }
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("running cargo: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = fs::read_to_string(&peak_file)
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse().ok());
    let _ = fs::remove_file(&peak_file);
    if output.status.success() {
        Ok((seconds, peak))
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).collect();
        Err(format!(
            "cargo {subcommand} failed ({} error lines; first: {})",
            errors.len(),
            errors
                .first()
                .copied()
                .unwrap_or("")
                .chars()
                .take(200)
                .collect::<String>()
        ))
    }
}

/// Marks the crate's `src/lib.rs` as changed, so that cargo rebuilds the crate (and only it).
fn touch(krate: &Path) -> Result<()> {
    fs::File::options()
        .write(true)
        .open(krate.join("src/lib.rs"))?
        .set_modified(SystemTime::now())?;
    Ok(())
}

/// Builds the dependencies of each crate once (`cargo build` and `cargo check`; `cargo check`
/// alone when `build` is false), then times `cargo check` (and `cargo build`, when `build`) of
/// each crate alone `runs` times, alternating the crates, with `src/lib.rs` touched before
/// each command. Crates that already failed are left out.
pub fn time_crates(
    crates: &mut [&mut Crate],
    target_dir: &Path,
    runs: usize,
    build: bool,
) -> Result<()> {
    let subcommands: &[&str] = if build {
        &["check", "build"]
    } else {
        &["check"]
    };
    for krate in crates.iter_mut().filter(|k| k.failure.is_none()) {
        eprintln!("  prebuilding {}", krate.dir.display());
        let prebuild: &[&str] = if build {
            &["build", "check"]
        } else {
            &["check"]
        };
        for subcommand in prebuild {
            if let Err(error) = timed(subcommand, &krate.dir, target_dir, false) {
                krate.failure = Some(error);
                break;
            }
        }
        if krate.failure.is_none() {
            krate.noop = timed("check", &krate.dir, target_dir, true)
                .ok()
                .map(|(s, _)| s);
        }
    }
    for run in 0..runs {
        let order: Vec<usize> = if run % 2 == 0 {
            (0..crates.len()).collect()
        } else {
            (0..crates.len()).rev().collect()
        };
        for i in order {
            let krate = &mut *crates[i];
            if krate.failure.is_some() {
                continue;
            }
            for &subcommand in subcommands {
                touch(&krate.dir)?;
                match timed(subcommand, &krate.dir, target_dir, true) {
                    Ok((seconds, peak)) if subcommand == "check" => {
                        krate.check.push(seconds);
                        krate.check_peak_kib.extend(peak);
                    }
                    Ok((seconds, _)) => krate.build.push(seconds),
                    Err(error) => {
                        krate.failure = Some(error);
                        break;
                    }
                }
            }
            eprintln!(
                "  run {}/{runs} {}: check {:?} build {:?}",
                run + 1,
                krate.dir.file_name().and_then(|n| n.to_str()).unwrap_or(""),
                krate.check.last(),
                krate.build.last()
            );
        }
    }
    Ok(())
}
