//! `cargo xtask downstream`: the generator and its output, tried from other people's
//! projects, as a new user would (CI runs it; it needs crates.io).
//!
//! 1. Installs the command with `cargo install --locked --path codegen/cli`.
//! 2. Writes the runtime crate with `openapi-rust-codegen runtime`, generates two crates from
//!    two different documents against it (`--runtime path=…`), and builds an application
//!    that uses both, one credential type for both clients, and its own reqwest 0.13 client:
//!    `cargo tree` must show one runtime package and one reqwest, and `cargo check` must pass.
//! 3. Resolves an application that depends on `generated/` (`iothub-jobs`, by path and by
//!    git) with `tokio = "=1.50.0"`, `serde = "=1.0.219"` and `reqwest = "0.13"`: the
//!    requirements the crates state must leave room for other patch releases, and reqwest
//!    must be one package.
//! 4. Generates a crate with `--features-per-tag --server` from a document with two tags,
//!    untagged operations and a shared error body (`codegen/tests/data/features/tags.yaml`),
//!    and checks it with no tag feature, with one tag, with one tag and `server`, and with
//!    `server` alone: every subset of the features must compile, without a warning in the
//!    generated code.
//! 5. Checks that no manifest in the repository, and none the command wrote, has an exact
//!    (`=`) version requirement.

use anyhow::{Context, Result, bail, ensure};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where everything goes (inside `target/`, kept between runs so that builds are reused).
const WORK: &str = "target/downstream";

/// Runs every check; fails at the first that does not hold.
pub fn run() -> Result<()> {
    let root = crate::regen::root();
    let work = root.join(WORK);
    fs::create_dir_all(&work)?;
    let binary = install(&root, &work)?;
    two_clients(&root, &work, &binary)?;
    pinned_versions(&root, &work)?;
    feature_subsets(&root, &work, &binary)?;
    let offenders = exact_requirements(&[root.clone(), work.join("clients")])?;
    ensure!(
        offenders.is_empty(),
        "exact (`=`) version requirements:\n{}",
        offenders.join("\n")
    );
    println!("downstream: every check passed");
    Ok(())
}

/// `cargo` with the environment of a user's shell: none of this workspace's build variables.
fn cargo(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(dir);
    for name in [
        "CARGO_TARGET_DIR",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_MANIFEST_DIR",
        "CARGO_PKG_NAME",
    ] {
        command.env_remove(name);
    }
    command
}

/// Runs `command`, failing with its output when it fails; returns its stdout.
fn run_command(command: &mut Command, what: &str) -> Result<String> {
    println!("downstream: {what}");
    let output = command
        .output()
        .with_context(|| format!("running {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Installs the command as the README says, into `work/install` (its build reuses this
/// workspace's release artifacts).
fn install(root: &Path, work: &Path) -> Result<PathBuf> {
    let prefix = work.join("install");
    run_command(
        cargo(root)
            .args(["install", "--locked", "--path", "codegen/cli", "--root"])
            .arg(&prefix)
            .env("CARGO_TARGET_DIR", root.join("target")),
        "cargo install --locked --path codegen/cli",
    )?;
    let binary = prefix.join("bin").join(format!(
        "openapi-rust-codegen{}",
        std::env::consts::EXE_SUFFIX
    ));
    let version = run_command(
        Command::new(&binary).arg("--version"),
        "openapi-rust-codegen --version",
    )?;
    ensure!(
        version.trim() == format!("openapi-rust-codegen {}", env!("CARGO_PKG_VERSION")),
        "unexpected version line `{}`",
        version.trim()
    );
    Ok(binary)
}

/// Writes `text` to `path` if it differs (so that builds are not redone for nothing).
fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    if fs::read_to_string(path).ok().as_deref() != Some(text) {
        fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The application that uses two generated crates.
const APP_MANIFEST: &str = r#"[package]
name = "two-clients"
version = "0.1.0"
edition = "2024"
publish = false

# An application of its own (this folder is inside the generator's repository).
[workspace]

[dependencies]
jobs = { path = "../clients/jobs" }
shop = { path = "../clients/shop" }
openapi-rust-runtime = { path = "../clients/openapi-rust-runtime", version = "0.1" }
reqwest = { version = "0.13", default-features = false }
"#;

const APP_MAIN: &str = r#"//! Two generated clients, one credential type, the application's own reqwest client.

use openapi_rust_runtime::{BoxFuture, Credential, HeaderValue};
use std::sync::Arc;

/// A token the application fetches once and shares between both APIs.
struct Token(&'static str);

impl Credential for Token {
    fn authorization(&self) -> BoxFuture<'_, Result<HeaderValue, String>> {
        let value = HeaderValue::from_static(self.0);
        Box::pin(async move { Ok(value) })
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One credential instance, one retry policy value and one reqwest client for both.
    let token = Arc::new(Token("Bearer shared"));
    let policy = openapi_rust_runtime::RetryPolicy::default().max_attempts(3);
    let http = reqwest::Client::new();
    let jobs = jobs::Client::with_http_client("http://127.0.0.1:1", http.clone())?
        .with_credential(token.clone())
        .with_retry_policy(policy.clone());
    let shop = shop::Client::with_http_client("http://127.0.0.1:1", http)?
        .with_credential(token)
        .with_retry_policy(policy);
    println!("{} {}", jobs.base_url(), shop.base_url());
    Ok(())
}
"#;

/// Two crates generated with the installed command from two documents, against one runtime
/// written by the command, used by one application.
fn two_clients(root: &Path, work: &Path, binary: &Path) -> Result<()> {
    let clients = work.join("clients");
    let runtime = clients.join("openapi-rust-runtime");
    run_command(
        Command::new(binary)
            .arg("runtime")
            .arg("--out")
            .arg(&runtime),
        "openapi-rust-codegen runtime",
    )?;
    for (name, spec) in [
        ("jobs", "spec/iothub-jobs.yaml"),
        ("shop", "tests/fixtures/bodies.yaml"),
    ] {
        run_command(
            Command::new(binary)
                .current_dir(root)
                .args(["generate", "--spec", spec, "--runtime"])
                .arg("path=../openapi-rust-runtime")
                .arg("--out")
                .arg(clients.join(name)),
            &format!("openapi-rust-codegen generate --spec {spec}"),
        )?;
    }
    let app = work.join("two-clients");
    write(&app.join("Cargo.toml"), APP_MANIFEST)?;
    write(&app.join("src/main.rs"), APP_MAIN)?;
    let _ = fs::remove_file(app.join("Cargo.lock"));
    let tree = run_command(
        cargo(&app).args(["tree", "--prefix", "none", "--edges", "normal"]),
        "cargo tree (two clients)",
    )?;
    let packages = |name: &str| {
        let mut found: Vec<&str> = tree
            .lines()
            .filter(|l| l.starts_with(&format!("{name} v")))
            .map(|l| l.trim_end_matches(" (*)"))
            .collect();
        found.sort();
        found.dedup();
        found
    };
    let runtimes = packages("openapi-rust-runtime");
    ensure!(
        runtimes.len() == 1,
        "one runtime package expected: {runtimes:?}"
    );
    let reqwests = packages("reqwest");
    ensure!(
        reqwests.len() == 1 && reqwests.iter().all(|r| r.starts_with("reqwest v0.13.")),
        "one reqwest 0.13 expected: {reqwests:?}"
    );
    run_command(
        cargo(&app)
            .args(["check", "--quiet"])
            .env("CARGO_TARGET_DIR", work.join("target")),
        "cargo check (two clients)",
    )?;
    println!(
        "downstream: one runtime ({}), one reqwest ({})",
        runtimes[0], reqwests[0]
    );
    Ok(())
}

/// An application that pins tokio and serde to other patch releases than this workspace's,
/// and has reqwest 0.13 of its own: it resolves, with one reqwest. Once with `generated/` by
/// path, once by git (this repository's last commit, as a user's git dependency sees it: the
/// runtime comes along by its path inside the repository).
fn pinned_versions(root: &Path, work: &Path) -> Result<()> {
    let git = format!("file://{}", root.display());
    for (name, source) in [
        (
            "pinned-path",
            format!("path = {:?}", root.join("generated").display().to_string()),
        ),
        ("pinned-git", format!("git = {git:?}")),
    ] {
        let app = work.join(name);
        write(
            &app.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [workspace]\n\n[dependencies]\niothub-jobs = {{ {source} }}\n\
                 tokio = \"=1.50.0\"\nserde = \"=1.0.219\"\nreqwest = \"0.13\"\n"
            ),
        )?;
        write(&app.join("src/main.rs"), "fn main() {}\n")?;
        let _ = fs::remove_file(app.join("Cargo.lock"));
        run_command(
            cargo(&app).arg("generate-lockfile"),
            &format!(
                "cargo generate-lockfile (iothub-jobs by {}, tokio =1.50.0, serde =1.0.219, reqwest 0.13)",
                &name[7..]
            ),
        )?;
        let lock = fs::read_to_string(app.join("Cargo.lock"))?;
        let reqwests = lock.matches("name = \"reqwest\"\n").count();
        ensure!(
            reqwests == 1,
            "{name}: {reqwests} reqwest packages in the lockfile"
        );
        ensure!(
            lock.contains("name = \"openapi-rust-runtime\""),
            "{name}: the runtime is not in the lockfile"
        );
        for (package, version) in [("tokio", "1.50.0"), ("serde", "1.0.219")] {
            ensure!(
                lock.contains(&format!("name = \"{package}\"\nversion = \"{version}\"")),
                "{name}: {package} {version} is not in the lockfile"
            );
        }
    }
    Ok(())
}

/// The document with tags whose crate is checked with subsets of its features.
const TAGS_SPEC: &str = "codegen/tests/data/features/tags.yaml";

/// The feature sets the crate generated from [`TAGS_SPEC`] is checked with (besides its
/// defaults, every tag): none, one tag, one tag and the server side, the server side alone.
const FEATURE_SUBSETS: &[(&str, &[&str])] = &[
    ("no tag", &["--no-default-features"]),
    (
        "one tag",
        &["--no-default-features", "--features", "tag-pets"],
    ),
    (
        "one tag and server",
        &["--no-default-features", "--features", "tag-pets,server"],
    ),
    (
        "no tag and server",
        &["--no-default-features", "--features", "server"],
    ),
];

/// A crate generated with the installed command, `--features-per-tag --server`, against this
/// repository's runtime (by path, so that it is the runtime being changed), in a workspace of
/// its own under `target/`; `cargo check`ed with each of [`FEATURE_SUBSETS`]. A subset that
/// does not compile, or gives a warning in the generated code, is a generator bug (what is
/// gated: `codegen/src/emit/features.rs`).
fn feature_subsets(root: &Path, work: &Path, binary: &Path) -> Result<()> {
    let out = work.join("clients").join("tags");
    let runtime = root.join("codegen").join("runtime");
    run_command(
        Command::new(binary)
            .current_dir(root)
            .args([
                "generate",
                "--spec",
                TAGS_SPEC,
                "--features-per-tag",
                "--server",
                "--own-workspace",
                "--deny-warnings",
                "--runtime",
            ])
            .arg(format!("path={}", runtime.display()))
            .arg("--out")
            .arg(&out),
        &format!("openapi-rust-codegen generate --spec {TAGS_SPEC} --features-per-tag --server"),
    )?;
    let _ = fs::remove_file(out.join("Cargo.lock"));
    for (what, features) in FEATURE_SUBSETS {
        let title = format!(
            "cargo check (features per tag, {what}: {})",
            features.join(" ")
        );
        println!("downstream: {title}");
        // `--message-format short`: `src/models.rs:1:2: warning: ...` for the crate's own files.
        let output = cargo(&out)
            .args(["check", "--message-format", "short"])
            .args(*features)
            .env("CARGO_TARGET_DIR", work.join("target"))
            .output()
            .with_context(|| format!("running {title}"))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let warnings: Vec<&str> = stderr
            .lines()
            .filter(|line| line.starts_with("src/") && line.contains(": warning: "))
            .collect();
        ensure!(
            output.status.success() && warnings.is_empty(),
            "{title} failed or warned:\n{stderr}"
        );
    }
    Ok(())
}

/// Every `Cargo.toml` under `dirs` (but `target/`, `.git` and hidden folders) with a line
/// holding an exact requirement (`"=1.2.3"`), as `path:line: text`.
pub fn exact_requirements(dirs: &[PathBuf]) -> Result<Vec<String>> {
    let mut offenders = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    stack.push(path);
                }
            } else if name == "Cargo.toml" {
                let text = fs::read_to_string(&path)?;
                for (i, line) in text.lines().enumerate() {
                    let code = line.split('#').next().unwrap_or("");
                    if code.contains("\"=") || code.contains("\"= ") {
                        offenders.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                    }
                }
            }
        }
    }
    offenders.sort();
    Ok(offenders)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No manifest in this repository states an exact version requirement.
    #[test]
    fn no_manifest_pins_an_exact_version() {
        let offenders = exact_requirements(&[crate::regen::root()]).expect("readable");
        assert!(offenders.is_empty(), "{}", offenders.join("\n"));
    }

    /// The versions this workspace builds and tests with (`Cargo.lock`) are within the
    /// requirements users' builds see: the workspace's, the runtime's own manifest (which the
    /// generator vendors), and the manifest the generator writes (the runtime release).
    #[test]
    fn the_lockfile_is_within_the_stated_requirements() {
        let root = crate::regen::root();
        let read = |path: &str| -> toml::Table {
            fs::read_to_string(root.join(path))
                .expect("readable")
                .parse()
                .expect("TOML")
        };
        let lock = read("Cargo.lock");
        let mut locked: std::collections::BTreeMap<String, Vec<semver::Version>> =
            std::collections::BTreeMap::new();
        for package in lock["package"].as_array().expect("packages") {
            let name = package["name"].as_str().expect("name").to_owned();
            let version = package["version"].as_str().expect("version");
            locked
                .entry(name)
                .or_default()
                .push(semver::Version::parse(version).expect("a version"));
        }
        let runtime = codegen::manifest::RuntimeSource::Vendored;
        let mut manifest = codegen::manifest::Manifest::new("x", "x", "test", "x.yaml", &runtime);
        manifest.server = true;
        let generated: toml::Table = codegen::manifest::cargo_toml(&manifest)
            .parse()
            .expect("a generated manifest is TOML");
        let workspace = read("Cargo.toml");
        let tables = [
            (
                "Cargo.toml [workspace.dependencies]",
                workspace["workspace"]["dependencies"].clone(),
            ),
            (
                "codegen/runtime/Cargo.toml",
                read("codegen/runtime/Cargo.toml")["dependencies"].clone(),
            ),
            (
                "codegen/runtime/Cargo.toml [dev-dependencies]",
                read("codegen/runtime/Cargo.toml")["dev-dependencies"].clone(),
            ),
            ("a generated Cargo.toml", generated["dependencies"].clone()),
        ];
        let mut checked = 0;
        for (place, table) in tables {
            for (name, spec) in table.as_table().expect("a dependency table") {
                let requirement = match spec {
                    toml::Value::String(text) => text.as_str(),
                    toml::Value::Table(spec) => spec["version"].as_str().expect("a version"),
                    other => panic!("{place}: {name} = {other}"),
                };
                let requirement = semver::VersionReq::parse(requirement).expect("a requirement");
                let versions = locked.get(name).map(Vec::as_slice).unwrap_or_default();
                assert!(
                    versions.iter().any(|v| requirement.matches(v)),
                    "{place}: {name} {requirement} admits none of the locked {versions:?}"
                );
                checked += 1;
            }
        }
        assert!(checked > 40, "{checked}");
    }

    #[test]
    fn exact_requirements_are_found() {
        let dir = std::env::temp_dir().join(format!("xtask-exact-{}", std::process::id()));
        fs::create_dir_all(dir.join("inner")).expect("mkdir");
        fs::write(
            dir.join("Cargo.toml"),
            "[dependencies]\nserde = \"1.0\" # not \"=1\"\n",
        )
        .expect("write");
        fs::write(
            dir.join("inner/Cargo.toml"),
            "[dependencies]\ntokio = { version = \"=1.54.1\" }\n",
        )
        .expect("write");
        let offenders = exact_requirements(std::slice::from_ref(&dir)).expect("readable");
        assert_eq!(offenders.len(), 1, "{offenders:?}");
        assert!(
            offenders[0].ends_with(":2: tokio = { version = \"=1.54.1\" }"),
            "{offenders:?}"
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
