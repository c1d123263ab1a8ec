//! `cargo xtask generate --spec FILE --out DIR --name CRATE`: a standalone crate from any
//! OpenAPI 3.0 document, through the same code path as `regen`.

use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};

/// What to generate.
pub struct Options {
    pub spec: PathBuf,
    pub out: PathBuf,
    pub name: String,
    pub server: bool,
    pub deny_warnings: bool,
}

/// Files as (path relative to the crate root, contents).
pub type Files = Vec<(String, String)>;

/// The files of a standalone crate and the generator's warnings.
pub fn crate_files(spec: &Path, name: &str, server: bool) -> Result<(Files, Vec<String>)> {
    let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let spec_name = spec.display().to_string();
    let command = "cargo xtask generate";
    let mut input = codegen::Input::new(&spec_name, &text, command);
    input.server = server;
    let output = codegen::generate(&input).map_err(|errors| anyhow::anyhow!("{errors}"))?;
    let title = codegen::lower_only(&spec_name, &text)
        .map(|(api, _)| api.title)
        .unwrap_or_default();
    let description = format!(
        "Client for {} (generated)",
        if title.is_empty() { name } else { &title }
    );
    let mut files = vec![(
        "Cargo.toml".to_owned(),
        codegen::manifest::cargo_toml(name, &description, command, &spec_name, server),
    )];
    files.extend(
        output
            .files
            .into_iter()
            .map(|f| (format!("src/{}", f.path), f.contents)),
    );
    let warnings = output.warnings.iter().map(ToString::to_string).collect();
    Ok((files, warnings))
}

/// Runs `generate`: builds the whole crate in a temporary directory beside `out`, then puts
/// it in place, so a failed run leaves `out` as it was.
pub fn run(options: &Options) -> Result<()> {
    if !codegen::manifest::valid_crate_name(&options.name) {
        bail!(
            "`{}` is not a valid crate name (letters, digits, `-` and `_`, starting with a letter)",
            options.name
        );
    }
    let (files, warnings) = crate_files(&options.spec, &options.name, options.server)?;
    for warning in &warnings {
        eprintln!("{}: {warning}", options.spec.display());
    }
    if options.deny_warnings && !warnings.is_empty() {
        bail!(
            "{} warnings and --deny-warnings; nothing was written",
            warnings.len()
        );
    }
    write_atomically(&options.out, &files)?;
    println!(
        "generated crate `{}` in {} ({} files, {} warnings)",
        options.name,
        options.out.display(),
        files.len(),
        warnings.len()
    );
    Ok(())
}

/// Writes `files` under `out` all at once: into a sibling temporary directory first, then
/// swapped in.
pub fn write_atomically(out: &Path, files: &[(String, String)]) -> Result<()> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let stem = out.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let staging = parent.join(format!(".{stem}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let result = (|| -> Result<()> {
        for (path, contents) in files {
            let full = staging.join(path);
            if let Some(dir) = full.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(&full, contents).with_context(|| format!("writing {}", full.display()))?;
        }
        Ok(())
    })();
    if let Err(error) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    let old = parent.join(format!(".{stem}.old-{}", std::process::id()));
    if out.exists() {
        fs::rename(out, &old).with_context(|| format!("moving the old {} aside", out.display()))?;
    }
    if let Err(error) = fs::rename(&staging, out) {
        if old.exists() {
            let _ = fs::rename(&old, out);
        }
        return Err(error).with_context(|| format!("putting {} in place", out.display()));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use codegen::manifest::{DEPENDENCIES, SERVER_DEPENDENCIES};

    /// Standalone crates pin the versions this workspace builds and tests with.
    #[test]
    fn pinned_versions_match_the_lockfile() {
        let lock = std::fs::read_to_string(super::super::regen::root().join("Cargo.lock"))
            .expect("Cargo.lock");
        for (name, version, _) in DEPENDENCIES.iter().chain(SERVER_DEPENDENCIES) {
            let entry = format!("name = \"{name}\"\nversion = \"{version}\"\n");
            assert!(
                lock.contains(&entry),
                "codegen/src/manifest.rs pins {name} {version}, Cargo.lock has another version"
            );
        }
    }
}
