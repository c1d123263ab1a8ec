//! `generate`: a standalone crate from an OpenAPI 3.0 (or Swagger 2.0) document, written all at
//! once; and `runtime`: the runtime crate alone, for crates that refer to it by path.

use anyhow::{Context, Result, bail};
use codegen::manifest::{Manifest, RuntimeSource};
use std::fs;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The document.
    pub spec: PathBuf,
    /// The crate's package name.
    pub name: String,
    /// Also generate the server side (behind the crate's `server` feature).
    pub server: bool,
    /// One cargo feature per tag.
    pub features_per_tag: bool,
    /// Where the runtime comes from.
    pub runtime: RuntimeSource,
    /// An empty `[workspace]` table in the manifest.
    pub own_workspace: bool,
    /// The command named in every file's header.
    pub command: String,
    /// Method names hand-written code defines on the generated `Client`: operations are named
    /// around them (`codegen::Input::reserved_methods`).
    pub reserved_methods: Vec<String>,
}

impl Options {
    /// Options for the crate `name` from `spec`, runtime vendored, client only.
    pub fn new(spec: impl Into<PathBuf>, name: impl Into<String>) -> Self {
        Self {
            spec: spec.into(),
            name: name.into(),
            server: false,
            features_per_tag: false,
            runtime: RuntimeSource::Vendored,
            own_workspace: false,
            command: "openapi-rust-codegen generate".to_owned(),
            reserved_methods: Vec::new(),
        }
    }
}

/// A generated crate, in memory.
#[derive(Debug, Clone)]
pub struct Crate {
    /// Files as (path relative to the crate root, contents), in a fixed order.
    pub files: Vec<(String, String)>,
    /// The generator's warnings, each with its location.
    pub warnings: Vec<String>,
    /// How many operations the client has.
    pub operations: usize,
    /// How many types its models have.
    pub types: usize,
}

/// Generates the crate's files in memory. A document with errors gives an error listing all of
/// them, each with its location.
pub fn crate_files(options: &Options) -> Result<Crate> {
    let spec = &options.spec;
    let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let spec_name = spec.display().to_string();
    let mut input = codegen::Input::new(&spec_name, &text, &options.command);
    input.server = options.server;
    input.features_per_tag = options.features_per_tag;
    input.reserved_methods = options.reserved_methods.clone();
    let output = codegen::generate(&input).map_err(|errors| {
        anyhow::Error::new(DocumentError(errors.to_string()))
            .context("generation failed; nothing was written")
    })?;
    let description = format!(
        "Client for {} (generated)",
        if output.title.is_empty() {
            &options.name
        } else {
            &output.title
        }
    );
    let mut manifest = Manifest::new(
        &options.name,
        &description,
        &options.command,
        &spec_name,
        &options.runtime,
    );
    manifest.server = options.server;
    manifest.tag_features = &output.features;
    manifest.runtime_features = &output.runtime_features;
    manifest.own_workspace = options.own_workspace;
    let mut files = vec![(
        "Cargo.toml".to_owned(),
        codegen::manifest::cargo_toml(&manifest),
    )];
    files.extend(
        output
            .files
            .into_iter()
            .map(|f| (format!("src/{}", f.path), f.contents)),
    );
    if options.runtime == RuntimeSource::Vendored {
        files.extend(
            codegen::manifest::vendored_runtime(&options.command)
                .into_iter()
                .map(|f| (format!("runtime/{}", f.path), f.contents)),
        );
    }
    let warnings = output
        .warnings
        .iter()
        .map(|w| w.display_in(&spec_name))
        .collect();
    Ok(Crate {
        files,
        warnings,
        operations: output.operations,
        types: output.types,
    })
}

/// The files of the runtime crate on its own (paths relative to its folder), for crates
/// generated with `--runtime path=DIR`.
pub fn runtime_files(command: &str) -> Vec<(String, String)> {
    codegen::manifest::vendored_runtime(command)
        .into_iter()
        .map(|f| (f.path, f.contents))
        .collect()
}

/// A document has errors: one line each (`error: file#/pointer (context): message`). The
/// command line tool exits with status 1 for these, as for any failure but a usage error.
#[derive(Debug)]
pub struct DocumentError(pub String);

impl std::fmt::Display for DocumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DocumentError {}

/// The first line of the files this tool writes, which marks a folder as its output.
const GENERATED_MARK: &str = "# @generated by ";

/// Whether `out` may be replaced: it does not exist, is an empty folder, or is a previous
/// output of this generator (its `Cargo.toml` starts with the `@generated` header).
fn replaceable(out: &Path) -> Result<bool> {
    if !out.exists() {
        return Ok(true);
    }
    if !out.is_dir() {
        return Ok(false);
    }
    let mut entries = fs::read_dir(out).with_context(|| format!("reading {}", out.display()))?;
    if entries.next().is_none() {
        return Ok(true);
    }
    Ok(fs::read_to_string(out.join("Cargo.toml")).is_ok_and(|t| t.starts_with(GENERATED_MARK)))
}

/// Writes `files` under `out` all at once: into a sibling temporary folder first, then swapped
/// in, so a failure leaves `out` as it was. An existing `out` is replaced only when it is
/// empty or a previous output of this generator, or when `force` is set; anything else is
/// refused, so a mistyped `--out` cannot delete a user's folder.
pub fn write_crate(out: &Path, files: &[(String, String)], force: bool) -> Result<()> {
    // `.` or `..` (or `a/..`) names the folder only through its parent's entry: resolve it,
    // or the staging folder would be made inside `out`, and renaming `.` fails.
    let resolved;
    let out = if out.file_name().is_none() {
        resolved = fs::canonicalize(out).with_context(|| format!("resolving {}", out.display()))?;
        resolved.as_path()
    } else {
        out
    };
    if !force && !replaceable(out)? {
        bail!(
            "{} exists and is not a crate this tool generated (its Cargo.toml does not start \
             with `{GENERATED_MARK}`); nothing was written. Choose another --out, or pass \
             --force to replace it",
            out.display()
        );
    }
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
        if let Err(error) = fs::rename(out, &old) {
            let _ = fs::remove_dir_all(&staging);
            return Err(error).with_context(|| format!("moving the old {} aside", out.display()));
        }
    }
    if let Err(error) = fs::rename(&staging, out) {
        let _ = fs::remove_dir_all(&staging);
        if old.exists() {
            let _ = fs::rename(&old, out);
        }
        return Err(error).with_context(|| format!("putting {} in place", out.display()));
    }
    if old.is_dir() {
        let _ = fs::remove_dir_all(&old);
    } else {
        let _ = fs::remove_file(&old);
    }
    Ok(())
}

/// A crate name from a folder name: what `cargo new DIR` would call it.
pub fn name_from_dir(out: &Path) -> Option<String> {
    let name = out.file_name()?.to_str()?.to_owned();
    codegen::manifest::valid_crate_name(&name).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A fresh folder for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("codegen-cli-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch folder");
        dir
    }

    /// Every file under `dir` (relative path → contents).
    fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
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
    fn a_previous_output_is_replaced_whole() {
        let dir = scratch("replace");
        let out = dir.join("out");
        fs::create_dir_all(out.join("src")).expect("mkdir");
        fs::write(out.join("src/old.rs"), "old").expect("write");
        fs::write(
            out.join("Cargo.toml"),
            "# @generated by `x` from y; do not edit by hand.\n",
        )
        .expect("write");
        let files = vec![
            ("Cargo.toml".to_owned(), "# @generated by new\n".to_owned()),
            ("src/lib.rs".to_owned(), "lib".to_owned()),
        ];
        write_crate(&out, &files, false).expect("written");
        let written = tree(&out);
        assert_eq!(
            written.keys().collect::<Vec<_>>(),
            ["Cargo.toml", "src/lib.rs"]
        );
        // No staging or old folders are left beside it.
        let siblings: Vec<_> = fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("e").file_name())
            .collect();
        assert_eq!(siblings, ["out"]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_folder_that_is_not_an_output_is_refused_unless_forced() {
        let dir = scratch("refuse");
        let out = dir.join("thesis");
        fs::create_dir_all(out.join("important")).expect("mkdir");
        fs::write(out.join("important/thesis.txt"), "years of work").expect("write");
        fs::write(out.join("notes.md"), "notes").expect("write");
        let before = tree(&out);
        let files = vec![("Cargo.toml".to_owned(), "# @generated by x\n".to_owned())];
        let error = write_crate(&out, &files, false).expect_err("refused");
        assert!(error.to_string().contains("--force"), "{error}");
        assert_eq!(tree(&out), before, "nothing was touched");
        // A plain file is refused too.
        let file = dir.join("file.txt");
        fs::write(&file, "x").expect("write");
        assert!(write_crate(&file, &files, false).is_err());
        assert_eq!(fs::read(&file).expect("kept"), b"x");
        // An empty folder is fine; --force replaces anything.
        let empty = dir.join("empty");
        fs::create_dir_all(&empty).expect("mkdir");
        write_crate(&empty, &files, false).expect("an empty folder is replaced");
        write_crate(&out, &files, true).expect("forced");
        assert_eq!(tree(&out).keys().collect::<Vec<_>>(), ["Cargo.toml"]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_crate_has_its_manifest_sources_and_a_vendored_runtime() {
        let dir = scratch("files");
        let spec = dir.join("spec.yaml");
        fs::write(&spec, VALID).expect("write");
        let generated = crate_files(&Options::new(&spec, "demo-client")).expect("generates");
        let paths: Vec<&str> = generated.files.iter().map(|(p, _)| p.as_str()).collect();
        for expected in [
            "Cargo.toml",
            "src/lib.rs",
            "src/client.rs",
            "runtime/Cargo.toml",
            "runtime/src/lib.rs",
        ] {
            assert!(paths.contains(&expected), "{expected}: {paths:?}");
        }
        assert_eq!((generated.operations, generated.warnings.len()), (1, 0));
        let mut shared = Options::new(&spec, "demo-client");
        shared.runtime = RuntimeSource::Path("../runtime".to_owned());
        let generated = crate_files(&shared).expect("generates");
        assert!(
            generated
                .files
                .iter()
                .all(|(p, _)| !p.starts_with("runtime/"))
        );
        let manifest = &generated.files[0].1;
        assert!(manifest.contains("path = \"../runtime\""), "{manifest}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn document_errors_write_nothing_and_say_where() {
        let dir = scratch("errors");
        let spec = dir.join("spec.yaml");
        fs::write(&spec, "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses: {'204': {description: x}}\n").expect("write");
        let error = crate_files(&Options::new(&spec, "demo")).expect_err("fails");
        let document = error
            .downcast_ref::<DocumentError>()
            .expect("a document error");
        assert!(document.0.contains("#/paths/~1a~1{id}/get"), "{document}");
        assert!(error.to_string().contains("nothing was written"), "{error}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn crate_names_come_from_the_folder() {
        assert_eq!(
            name_from_dir(Path::new("../clients/pet-store")),
            Some("pet-store".to_owned())
        );
        assert_eq!(name_from_dir(Path::new("/tmp/1abc")), None);
        assert_eq!(name_from_dir(Path::new("..")), None);
    }
}
