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
    pub features_per_tag: bool,
}

/// Files as (path relative to the crate root, contents).
pub type Files = Vec<(String, String)>;

/// The files of a standalone crate and the generator's warnings.
pub fn crate_files(spec: &Path, name: &str, server: bool) -> Result<(Files, Vec<String>)> {
    crate_files_with(spec, name, server, false)
}

/// [`crate_files`], optionally with one cargo feature per tag.
pub fn crate_files_with(
    spec: &Path,
    name: &str,
    server: bool,
    features_per_tag: bool,
) -> Result<(Files, Vec<String>)> {
    let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let spec_name = spec.display().to_string();
    let command = "cargo xtask generate";
    let mut input = codegen::Input::new(&spec_name, &text, command);
    input.server = server;
    input.features_per_tag = features_per_tag;
    input.runtime_crate = codegen::manifest::runtime_crate(name);
    let output = codegen::generate(&input)
        .map_err(|errors| anyhow::anyhow!("generation failed; nothing was written:\n{errors}"))?;
    let title = &output.title;
    let description = format!(
        "Client for {} (generated)",
        if title.is_empty() { name } else { title }
    );
    let mut files = vec![(
        "Cargo.toml".to_owned(),
        codegen::manifest::cargo_toml(
            name,
            &description,
            command,
            &spec_name,
            server,
            &output.features,
        ),
    )];
    files.extend(
        output
            .files
            .into_iter()
            .map(|f| (format!("src/{}", f.path), f.contents)),
    );
    // The runtime crate, beside `src/`.
    files.push((
        "runtime/Cargo.toml".to_owned(),
        codegen::manifest::runtime_cargo_toml(name, command, &spec_name),
    ));
    files.extend(
        output
            .runtime_files
            .into_iter()
            .map(|f| (format!("runtime/src/{}", f.path), f.contents)),
    );
    let warnings = output
        .warnings
        .iter()
        .map(|w| w.display_in(&spec_name))
        .collect();
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
    let (files, warnings) = crate_files_with(
        &options.spec,
        &options.name,
        options.server,
        options.features_per_tag,
    )?;
    for warning in &warnings {
        eprintln!("{warning}");
    }
    if options.deny_warnings && !warnings.is_empty() {
        bail!(
            "{} warnings and --deny-warnings (see above); nothing was written",
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
pub(crate) mod tests {
    use super::*;
    use codegen::manifest::{DEPENDENCIES, RUNTIME_DEPENDENCIES, SERVER_DEPENDENCIES};
    use std::collections::BTreeMap;

    /// A fresh directory under `target/` for one test.
    pub(crate) fn scratch(name: &str) -> PathBuf {
        let dir = super::super::regen::root()
            .join("target/xtask-tests")
            .join(format!("{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch directory");
        dir
    }

    /// Every file under `dir` (relative path → contents).
    pub(crate) fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(next) = stack.pop() {
            for entry in fs::read_dir(&next).expect("readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let relative = path.strip_prefix(dir).expect("inside").to_string_lossy();
                    files.insert(relative.replace('\\', "/"), fs::read(&path).expect("file"));
                }
            }
        }
        files
    }

    const VALID: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '204': {description: done}\n";

    #[test]
    fn write_atomically_replaces_the_whole_directory() {
        let dir = scratch("atomic-replace");
        let out = dir.join("out");
        fs::create_dir_all(out.join("src")).expect("mkdir");
        fs::write(out.join("src/old.rs"), "old").expect("write");
        fs::write(out.join("Cargo.toml"), "old").expect("write");
        let files = vec![
            ("Cargo.toml".to_owned(), "new".to_owned()),
            ("src/lib.rs".to_owned(), "lib".to_owned()),
        ];
        write_atomically(&out, &files).expect("written");
        let written = tree(&out);
        assert_eq!(
            written.keys().collect::<Vec<_>>(),
            ["Cargo.toml", "src/lib.rs"]
        );
        assert_eq!(written["Cargo.toml"], b"new");
        // No staging or old directories are left beside it.
        let siblings: Vec<_> = fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("e").file_name())
            .collect();
        assert_eq!(siblings, ["out"]);
    }

    #[test]
    fn a_failed_generation_leaves_out_as_it_was() {
        let dir = scratch("atomic-failure");
        let out = dir.join("out");
        let spec = dir.join("spec.yaml");
        fs::write(&spec, VALID).expect("write");
        let options = |spec: &Path, deny_warnings| Options {
            spec: spec.to_path_buf(),
            out: out.clone(),
            name: "demo-client".to_owned(),
            server: false,
            deny_warnings,
            features_per_tag: false,
        };
        run(&options(&spec, false)).expect("a valid document generates");
        fs::write(out.join("src/hand.rs"), "kept").expect("write");
        let before = tree(&out);
        assert!(before.contains_key("src/client.rs"), "{:?}", before.keys());
        // The runtime travels with the crate, as a crate of its own that the API crate
        // depends on by path and re-exports.
        for file in [
            "runtime/Cargo.toml",
            "runtime/src/lib.rs",
            "runtime/src/server.rs",
        ] {
            assert!(before.contains_key(file), "{file}: {:?}", before.keys());
        }
        let manifest = String::from_utf8_lossy(&before["Cargo.toml"]).into_owned();
        assert!(
            manifest.contains("demo-client-runtime = { path = \"runtime\""),
            "{manifest}"
        );
        let runtime_manifest = String::from_utf8_lossy(&before["runtime/Cargo.toml"]).into_owned();
        assert!(
            runtime_manifest.contains("name = \"demo-client-runtime\""),
            "{runtime_manifest}"
        );
        let lib = String::from_utf8_lossy(&before["src/lib.rs"]).into_owned();
        assert!(
            lib.contains("pub use demo_client_runtime as runtime;"),
            "{lib}"
        );

        // Broken documents: a syntax error, a shape error, a dangling reference.
        for broken in [
            "openapi: 3.0.3\ninfo: {title: [\n",
            "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get: {}\n",
            "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n",
        ] {
            fs::write(&spec, broken).expect("write");
            let error = run(&options(&spec, false)).expect_err("broken document");
            assert!(
                error.to_string().contains("nothing was written"),
                "{error:#}"
            );
            assert_eq!(tree(&out), before, "{broken}");
        }

        // A warning with --deny-warnings fails the same way; without it, the crate is replaced.
        let warned = VALID.replace(
            "paths:",
            "components:\n  schemas:\n    P: {type: string, pattern: '(['}\npaths:",
        );
        fs::write(&spec, &warned).expect("write");
        let error = run(&options(&spec, true)).expect_err("denied warning");
        assert!(error.to_string().contains("--deny-warnings"), "{error:#}");
        assert_eq!(tree(&out), before);
        run(&options(&spec, false)).expect("warnings alone do not fail");
        assert!(!tree(&out).contains_key("src/hand.rs"));
        let _ = fs::remove_dir_all(&dir);
    }

    /// Standalone crates pin the versions this workspace builds and tests with.
    #[test]
    fn pinned_versions_match_the_lockfile() {
        let lock = std::fs::read_to_string(super::super::regen::root().join("Cargo.lock"))
            .expect("Cargo.lock");
        for (name, version, _) in DEPENDENCIES
            .iter()
            .chain(RUNTIME_DEPENDENCIES)
            .chain(SERVER_DEPENDENCIES)
        {
            let entry = format!("name = \"{name}\"\nversion = \"{version}\"\n");
            assert!(
                lock.contains(&entry),
                "codegen/src/manifest.rs pins {name} {version}, Cargo.lock has another version"
            );
        }
    }
}
