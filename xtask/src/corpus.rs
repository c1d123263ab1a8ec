//! `cargo xtask corpus [DIR] [--github FILE]`: generate a crate from every document in a
//! folder, `cargo check` each, and print a table. Opt-in: it takes minutes.

pub mod tree;

use anyhow::{Context, Result};
use codegen::manifest::RuntimeSource;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

struct Row {
    name: String,
    generated: Result<usize, String>,
    compiles: Option<Result<(), String>>,
    /// Warnings rustc gave on the generated crate (`cargo check`).
    rustc_warnings: Option<usize>,
    seconds: f64,
    check_seconds: f64,
    lines: usize,
}

/// Runs the corpus over every `.json`/`.yaml` document in `dir` (and `extra` files).
pub fn run(dir: &Path, extra: &[PathBuf], check: bool) -> Result<()> {
    let mut specs: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            )
        })
        .collect();
    specs.sort();
    specs.extend(extra.iter().cloned());
    let work = super::regen::root().join("target/corpus");
    let runtime = super::regen::root().join("codegen/runtime");
    let target_dir = work.join("target");
    fs::create_dir_all(&work)?;
    let mut rows = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let stem = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
        let crate_name = format!(
            "corpus-{}",
            codegen::names::snake(stem)
                .trim_start_matches("r#")
                .replace('_', "-")
        )
        .chars()
        .take(60)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned();
        eprintln!("[{}/{}] {stem}", i + 1, specs.len());
        let started = Instant::now();
        let mut options = codegen_cli::generate::Options::new(spec, &crate_name);
        options.command = "cargo xtask corpus".to_owned();
        // One runtime for every crate, compiled once in the shared target folder.
        options.runtime = RuntimeSource::Path(runtime.display().to_string());
        // Under target/, inside this workspace's folder.
        options.own_workspace = true;
        let outcome = std::panic::catch_unwind(|| codegen_cli::generate::crate_files(&options));
        let seconds = started.elapsed().as_secs_f64();
        let mut row = Row {
            name: stem.to_owned(),
            generated: Err(String::new()),
            compiles: None,
            rustc_warnings: None,
            seconds,
            check_seconds: 0.0,
            lines: 0,
        };
        match outcome {
            Err(_) => row.generated = Err("PANIC".to_owned()),
            Ok(Err(error)) => row.generated = Err(first_line(&error.to_string())),
            Ok(Ok(generated)) => {
                let files = &generated.files;
                row.lines = files.iter().map(|(_, c)| c.lines().count()).sum();
                row.generated = Ok(generated.warnings.len());
                let out = work.join("crates").join(&crate_name);
                codegen_cli::generate::write_crate(&out, files, true)?;
                if check {
                    let started = Instant::now();
                    let result = Command::new(env!("CARGO"))
                        .args([
                            "check",
                            "--quiet",
                            "--message-format",
                            "short",
                            "--manifest-path",
                        ])
                        .arg(out.join("Cargo.toml"))
                        .env("CARGO_TARGET_DIR", &target_dir)
                        .output()
                        .context("running cargo check")?;
                    row.check_seconds = started.elapsed().as_secs_f64();
                    // `--message-format short`: `src/models.rs:1:2: warning: ...`.
                    row.rustc_warnings = Some(
                        String::from_utf8_lossy(&result.stderr)
                            .lines()
                            .filter(|l| l.contains(": warning: "))
                            .count(),
                    );
                    row.compiles = Some(if result.status.success() {
                        Ok(())
                    } else {
                        let stderr = String::from_utf8_lossy(&result.stderr);
                        let errors = stderr.lines().filter(|l| l.contains("error")).count();
                        Err(format!(
                            "{errors} error lines; first: {}",
                            first_line(stderr.lines().find(|l| l.contains("error")).unwrap_or(""))
                        ))
                    });
                }
            }
        }
        rows.push(row);
    }
    let report = table(&rows, check);
    println!("{report}");
    fs::write(work.join("report.md"), &report)?;
    eprintln!("report written to {}", work.join("report.md").display());
    Ok(())
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let mut short: String = line.chars().take(160).collect();
    if line.chars().count() > 160 {
        short.push('…');
    }
    short.replace('|', "\\|")
}

fn table(rows: &[Row], check: bool) -> String {
    let mut text = String::from(
        "| document | generated | compiles | warnings | rustc warnings | lines | generate s | check s |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for row in rows {
        let generated = match &row.generated {
            Ok(_) => "yes".to_owned(),
            Err(e) => format!("no: {e}"),
        };
        let compiles = match &row.compiles {
            None => "–".to_owned(),
            Some(Ok(())) => "yes".to_owned(),
            Some(Err(e)) => format!("no: {e}"),
        };
        let warnings = row
            .generated
            .as_ref()
            .map_or("–".to_owned(), ToString::to_string);
        let rustc_warnings = row.rustc_warnings.map_or("–".to_owned(), |n| n.to_string());
        text.push_str(&format!(
            "| {} | {generated} | {compiles} | {warnings} | {rustc_warnings} | {} | {:.2} | {:.1} |\n",
            row.name, row.lines, row.seconds, row.check_seconds
        ));
    }
    let generated = rows.iter().filter(|r| r.generated.is_ok()).count();
    let panics = rows
        .iter()
        .filter(|r| matches!(&r.generated, Err(e) if e == "PANIC"))
        .count();
    let compiled = rows
        .iter()
        .filter(|r| matches!(r.compiles, Some(Ok(()))))
        .count();
    let clean = rows.iter().filter(|r| r.rustc_warnings == Some(0)).count();
    text.push_str(&format!(
        "\n{} documents: {generated} generated, {} compiled{}, {panics} panics\n",
        rows.len(),
        if check {
            format!("{compiled} ({clean} without rustc warnings)")
        } else {
            "not checked".to_owned()
        },
        if check { "" } else { " (--no-check)" },
    ));
    text
}
