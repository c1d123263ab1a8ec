//! The installed `openapi-rust-codegen` command, run as a user runs it: arguments, exit status,
//! what it prints and the files it leaves behind. No network, no sleeping; every test works in
//! a temporary folder of its own and removes it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The command's name, as `--version` and usage lines print it.
const BIN_NAME: &str = "openapi-rust-codegen";

/// The repository root (the command runs there when it reads the repository's documents).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What one run of the command did.
#[derive(Debug)]
struct Run {
    /// The exit status (`None` when killed by a signal).
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Panics, showing the output, unless the command exited with `code`.
    fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit status {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs the command with `args` in the folder `cwd`.
fn run_in(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_openapi-rust-codegen"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the command runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// A fresh temporary folder for one test, removed when dropped (also when the test fails).
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "openapi-rust-codegen-cli-test-{test}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch folder");
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to `name` in the folder and returns its path.
    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).expect("folder");
        }
        fs::write(&path, contents).expect("write");
        path
    }

    /// Runs the command in the folder.
    fn run(&self, args: &[&str]) -> Run {
        run_in(&self.0, args)
    }

    /// The names in the folder itself, sorted.
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.0)
            .expect("readable")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Every file under `dir` (path relative to it, with `/` → contents).
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

/// A file's text.
fn text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Three operations; three types: `Pet`, its inline `PetOwner` and the enum `Kind` (the
/// array of pets and the path parameter are no types of their own).
const PETS: &str = "\
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Pet'}
    post:
      operationId: createPet
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        '204': {description: done}
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        kind: {$ref: '#/components/schemas/Kind'}
        owner:
          type: object
          properties:
            name: {type: string}
    Kind:
      type: string
      enum: [cat, dog]
";

/// Two errors: `{id}` in the path template is declared nowhere, and a `$ref` points to
/// nothing.
const TWO_ERRORS: &str = "\
openapi: 3.0.3
info: {title: Bad, version: '1'}
paths:
  /a/{id}:
    get:
      operationId: getA
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Missing'}
";

/// One operation, one type, and one warning: a `pattern` that is no regular expression.
const ONE_WARNING: &str = "\
openapi: 3.0.3
info: {title: Warn, version: '1'}
paths:
  /a:
    get:
      operationId: getA
      responses:
        '204': {description: done}
components:
  schemas:
    Code:
      type: object
      properties:
        value: {type: string, pattern: '(['}
";

/// The summary `generate` prints on success, up to the time it took.
fn summary(name: &str, out: &str, operations: &str, types: &str, warnings: &str) -> String {
    format!("generated crate `{name}` in {out}: {operations}, {types}, {warnings} (")
}

/// Asserts that `stdout` is the one summary line (`expected`, a time, ` s)`).
fn assert_summary(stdout: &str, expected: &str) {
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with(expected) && stdout.ends_with(" s)\n"),
        "expected `{expected}… s)`, got {stdout}"
    );
}

/// Asserts that no manifest under `dir` pins an exact version (`"=1.2.3"`).
fn assert_no_exact_pins(dir: &Path) {
    for (path, contents) in tree(dir) {
        if path.ends_with("Cargo.toml") {
            let contents = String::from_utf8(contents).expect("UTF-8");
            assert!(
                !contents.contains("\"="),
                "{path} pins a version:\n{contents}"
            );
        }
    }
}

#[test]
fn version_and_help() {
    let dir = Scratch::new("help");
    // The package's version (0.1.0 today).
    let version = dir.run(&["--version"]).expect_code(0);
    assert_eq!(
        version.stdout,
        format!("{BIN_NAME} {}\n", env!("CARGO_PKG_VERSION"))
    );

    for args in [&["--help"][..], &["help"]] {
        let help = dir.run(args).expect_code(0);
        for subcommand in ["generate", "runtime", "import", "spec-diff"] {
            assert!(
                help.stdout.contains(subcommand),
                "{args:?}: {}",
                help.stdout
            );
        }
    }

    for (subcommand, options) in [
        (
            "generate",
            &[
                "--spec <FILE>",
                "--out <DIR>",
                "--name <CRATE>",
                "--runtime <SOURCE>",
                "--deny-warnings",
                "--force",
            ][..],
        ),
        ("runtime", &["--out <DIR>", "--force"]),
        (
            "import",
            &[
                "--spec <FILE>",
                "--overlay <FILE>",
                "--paths <PREFIX,...>",
                "--check",
            ],
        ),
        ("spec-diff", &["<OLD>", "<NEW>", "--fail-on-breaking"]),
    ] {
        for args in [[subcommand, "--help"], ["help", subcommand]] {
            let help = dir.run(&args).expect_code(0);
            assert!(
                help.stdout
                    .contains(&format!("Usage: {BIN_NAME} {subcommand} ")),
                "{args:?}: {}",
                help.stdout
            );
            for option in options {
                assert!(help.stdout.contains(option), "{args:?}: {}", help.stdout);
            }
        }
    }
    assert!(dir.entries().is_empty(), "help wrote {:?}", dir.entries());
}

#[test]
fn usage_errors_exit_2_and_write_nothing() {
    let dir = Scratch::new("usage");
    dir.write("pets.yaml", PETS);
    for (args, message) in [
        (&["frobnicate"][..], "unrecognized subcommand 'frobnicate'"),
        (&[][..], "Usage: openapi-rust-codegen <COMMAND>"),
        (
            &[
                "generate",
                "--spec",
                "pets.yaml",
                "--out",
                "client",
                "--bogus",
            ],
            "unexpected argument '--bogus'",
        ),
        (&["generate", "--out", "client"], "--spec <FILE>"),
        (&["generate", "--spec", "pets.yaml"], "--out <DIR>"),
        (
            &[
                "generate",
                "--spec",
                "pets.yaml",
                "--out",
                "client",
                "--runtime",
                "crates-io",
            ],
            "`crates-io` is not a runtime source",
        ),
        (
            &[
                "generate",
                "--spec",
                "pets.yaml",
                "--out",
                "client",
                "--runtime",
                "path=",
            ],
            "is not a runtime source",
        ),
        (
            &[
                "generate",
                "--spec",
                "pets.yaml",
                "--out",
                "client",
                "--name",
                "1abc",
            ],
            "invalid value '1abc' for '--name <CRATE>'",
        ),
        // Without --name, the folder's name is the crate's, and `1abc` is none.
        (
            &["generate", "--spec", "pets.yaml", "--out", "1abc"],
            "pass --name CRATE",
        ),
        (&["spec-diff", "pets.yaml"], "<NEW>"),
        (&["import", "--spec", "pets.yaml"], "--out <FILE>"),
        (&["runtime"], "--out <DIR>"),
    ] {
        let run = dir.run(args).expect_code(2);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: ") || args.is_empty(),
            "{args:?}: {}",
            run.stderr
        );
        // clap points to the help.
        assert!(run.stderr.contains("--help"), "{args:?}: {}", run.stderr);
    }
    assert_eq!(
        dir.entries(),
        ["pets.yaml"],
        "a usage error wrote something"
    );
}

#[test]
fn document_errors_exit_1_write_nothing_and_say_where() {
    let dir = Scratch::new("errors");
    dir.write("spec.yaml", TWO_ERRORS);
    let run = dir
        .run(&["generate", "--spec", "spec.yaml", "--out", "client"])
        .expect_code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    for error in [
        "error: spec.yaml#/paths/~1a~1{id}/get (getA): path template `/a/{id}` uses `{id}`",
        "error: spec.yaml#/paths/~1a~1{id}/get/responses/200/content/application~1json/schema (getA): `$ref: #/components/schemas/Missing` points to nothing",
        "nothing was written",
    ] {
        assert!(run.stderr.contains(error), "{error}\n{}", run.stderr);
    }
    assert_eq!(dir.entries(), ["spec.yaml"], "--out was created");

    // An earlier output stays as it was, byte for byte.
    dir.write("spec.yaml", PETS);
    dir.run(&["generate", "--spec", "spec.yaml", "--out", "client"])
        .expect_code(0);
    let before = tree(&dir.path().join("client"));
    dir.write("spec.yaml", TWO_ERRORS);
    let run = dir
        .run(&["generate", "--spec", "spec.yaml", "--out", "client"])
        .expect_code(1);
    assert_eq!(
        run.stderr.matches("error: spec.yaml#/").count(),
        2,
        "{}",
        run.stderr
    );
    assert_eq!(tree(&dir.path().join("client")), before);
    assert_eq!(dir.entries(), ["client", "spec.yaml"]);

    // A document that cannot be read fails the same way.
    let run = dir
        .run(&["generate", "--spec", "absent.yaml", "--out", "client"])
        .expect_code(1);
    assert!(run.stderr.contains("absent.yaml"), "{}", run.stderr);
    assert_eq!(tree(&dir.path().join("client")), before);
}

#[test]
fn a_valid_document_generates_a_crate_with_its_runtime() {
    let dir = Scratch::new("generate");
    dir.write("pets.yaml", PETS);
    let run = dir
        .run(&["generate", "--spec", "pets.yaml", "--out", "pet-client"])
        .expect_code(0);
    assert_summary(
        &run.stdout,
        &summary(
            "pet-client",
            "pet-client",
            "3 operations",
            "3 types",
            "0 warnings",
        ),
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let out = dir.path().join("pet-client");
    let files = tree(&out);
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "src/models.rs",
        "src/client.rs",
        "runtime/Cargo.toml",
        "runtime/src/lib.rs",
    ] {
        assert!(files.contains_key(file), "{file}: {:?}", files.keys());
    }
    // The package is named after the folder; the runtime is the vendored copy.
    let manifest = text(&out.join("Cargo.toml"));
    assert!(manifest.starts_with("# @generated by "), "{manifest}");
    assert!(manifest.contains("name = \"pet-client\""), "{manifest}");
    assert!(
        manifest.contains("openapi-rust-runtime = { version = \"0.1.0\", path = \"runtime\""),
        "{manifest}"
    );
    let runtime = text(&out.join("runtime/Cargo.toml"));
    assert!(
        runtime.contains("name = \"openapi-rust-runtime\""),
        "{runtime}"
    );
    let models = text(&out.join("src/models.rs"));
    for item in [
        "pub struct Pet, ",
        "pub struct PetOwner, ",
        "pub enum Kind ",
    ] {
        assert!(models.contains(item), "{item}\n{models}");
    }
    let client = text(&out.join("src/client.rs"));
    for method in ["fn list_pets<'a>(", "fn create_pet<'a>(", "fn get_pet<'a>("] {
        assert!(client.contains(method), "{method}\n{client}");
    }
    assert_no_exact_pins(&out);
    // Nothing but the crate was left beside it (no staging folders).
    assert_eq!(dir.entries(), ["pet-client", "pets.yaml"]);

    // --name names the package instead of the folder.
    dir.run(&[
        "generate",
        "--spec",
        "pets.yaml",
        "--out",
        "pet-client",
        "--name",
        "pets_api",
    ])
    .expect_code(0);
    let manifest = text(&out.join("Cargo.toml"));
    assert!(manifest.contains("name = \"pets_api\""), "{manifest}");
}

#[test]
fn the_runtime_can_come_from_a_path_or_git() {
    let dir = Scratch::new("sources");
    dir.write("pets.yaml", PETS);

    let run = dir
        .run(&[
            "generate",
            "--spec",
            "pets.yaml",
            "--out",
            "by-path",
            "--runtime",
            "path=../rt",
        ])
        .expect_code(0);
    assert_summary(
        &run.stdout,
        &summary(
            "by-path",
            "by-path",
            "3 operations",
            "3 types",
            "0 warnings",
        ),
    );
    let out = dir.path().join("by-path");
    assert!(!out.join("runtime").exists(), "{:?}", tree(&out).keys());
    let manifest = text(&out.join("Cargo.toml"));
    assert!(
        manifest.contains("openapi-rust-runtime = { version = \"0.1.0\", path = \"../rt\""),
        "{manifest}"
    );
    assert_no_exact_pins(&out);

    dir.run(&[
        "generate",
        "--spec",
        "pets.yaml",
        "--out",
        "by-git",
        "--runtime",
        "git=https://example.com/r.git#v1",
    ])
    .expect_code(0);
    let out = dir.path().join("by-git");
    assert!(!out.join("runtime").exists(), "{:?}", tree(&out).keys());
    let manifest = text(&out.join("Cargo.toml"));
    assert!(
        manifest.contains("git = \"https://example.com/r.git\", rev = \"v1\""),
        "{manifest}"
    );
    assert!(!manifest.contains("path = "), "{manifest}");
    assert_no_exact_pins(&out);
}

#[test]
fn warnings_are_shown_and_denied_on_request() {
    let dir = Scratch::new("warnings");
    dir.write("spec.yaml", ONE_WARNING);
    let warning = "warning: spec.yaml#/components/schemas/Code/properties/value/pattern (Code): `pattern` \"([\" is not a valid regular expression";

    let run = dir
        .run(&[
            "generate",
            "--spec",
            "spec.yaml",
            "--out",
            "client",
            "--deny-warnings",
        ])
        .expect_code(1);
    assert!(run.stderr.contains(warning), "{}", run.stderr);
    assert!(run.stderr.contains("--deny-warnings"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(dir.entries(), ["spec.yaml"], "--deny-warnings wrote");

    let run = dir
        .run(&["generate", "--spec", "spec.yaml", "--out", "client"])
        .expect_code(0);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with(warning), "{}", run.stderr);
    assert_summary(
        &run.stdout,
        &summary("client", "client", "1 operation", "1 type", "1 warning"),
    );
    assert!(dir.path().join("client/src/models.rs").is_file());

    // With --deny-warnings, an earlier output stays as it was.
    let before = tree(&dir.path().join("client"));
    dir.run(&[
        "generate",
        "--spec",
        "spec.yaml",
        "--out",
        "client",
        "--deny-warnings",
        "--name",
        "other",
    ])
    .expect_code(1);
    assert_eq!(tree(&dir.path().join("client")), before);
}

/// `--reserve-method` (repeatable) keeps names the user's code defines on `Client` from
/// operations.
#[test]
fn reserved_methods_rename_operations() {
    let dir = Scratch::new("reserve-method");
    dir.write(
        "spec.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      \
         operationId: waitForJob\n      responses: {'204': {description: done}}\n  /b:\n    \
         get:\n      operationId: fromParts\n      responses: {'204': {description: done}}\n",
    );
    let run = dir
        .run(&[
            "generate",
            "--spec",
            "spec.yaml",
            "--out",
            "client",
            "--reserve-method",
            "wait_for_job",
            "--reserve-method",
            "from_parts",
        ])
        .expect_code(0);
    assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
    let client = text(&dir.path().join("client/src/client.rs"));
    assert!(client.contains("pub fn wait_for_job2<'a>("), "{client}");
    assert!(client.contains("pub fn from_parts2<'a>("), "{client}");
}

#[test]
fn a_users_folder_is_kept_unless_forced() {
    let dir = Scratch::new("force");
    dir.write("pets.yaml", PETS);
    dir.write("thesis/notes.md", "years of work");
    dir.write("thesis/chapters/one.txt", "chapter one");
    let before = tree(&dir.path().join("thesis"));

    let run = dir
        .run(&["generate", "--spec", "pets.yaml", "--out", "thesis"])
        .expect_code(1);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(tree(&dir.path().join("thesis")), before);
    // The runtime command refuses it the same way.
    let run = dir.run(&["runtime", "--out", "thesis"]).expect_code(1);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(tree(&dir.path().join("thesis")), before);
    // A plain file too.
    dir.write("file.txt", "keep me");
    dir.run(&[
        "generate",
        "--spec",
        "pets.yaml",
        "--out",
        "file.txt",
        "--name",
        "x",
    ])
    .expect_code(1);
    assert_eq!(text(&dir.path().join("file.txt")), "keep me");

    // --force replaces it whole.
    dir.run(&[
        "generate",
        "--spec",
        "pets.yaml",
        "--out",
        "thesis",
        "--force",
    ])
    .expect_code(0);
    let files = tree(&dir.path().join("thesis"));
    assert!(files.contains_key("src/client.rs"), "{:?}", files.keys());
    assert!(!files.contains_key("notes.md"), "{:?}", files.keys());

    // An earlier output is replaced without --force, files added by hand included.
    dir.write("thesis/src/by-hand.rs", "// mine");
    dir.run(&["generate", "--spec", "pets.yaml", "--out", "thesis"])
        .expect_code(0);
    assert_eq!(tree(&dir.path().join("thesis")), files);
    // So is an empty folder.
    fs::create_dir(dir.path().join("empty")).expect("mkdir");
    dir.run(&["generate", "--spec", "pets.yaml", "--out", "empty"])
        .expect_code(0);
    assert!(dir.path().join("empty/src/lib.rs").is_file());
    assert_eq!(dir.entries(), ["empty", "file.txt", "pets.yaml", "thesis"]);
}

#[test]
fn the_current_folder_can_be_the_output() {
    // `--out .` in an empty folder, then again once it holds the crate: the folder is
    // replaced, and nothing is left inside it or beside it.
    let dir = Scratch::new("dot");
    dir.write("pets.yaml", PETS);
    let out = dir.path().join("pets");
    fs::create_dir(&out).expect("mkdir");
    let args = [
        "generate",
        "--spec",
        "../pets.yaml",
        "--out",
        ".",
        "--name",
        "pets",
    ];
    let run = run_in(&out, &args).expect_code(0);
    assert_summary(
        &run.stdout,
        &summary("pets", ".", "3 operations", "3 types", "0 warnings"),
    );
    let before = tree(&out);
    assert!(before.contains_key("src/client.rs"), "{:?}", before.keys());
    fs::write(out.join("src/by-hand.rs"), "// mine").expect("write");
    run_in(&out, &args).expect_code(0);
    assert_eq!(tree(&out), before);
    assert_eq!(dir.entries(), ["pets", "pets.yaml"]);
}

#[test]
fn the_runtime_command_writes_the_runtime_crate() {
    let dir = Scratch::new("runtime");
    let run = dir.run(&["runtime", "--out", "rt"]).expect_code(0);
    assert!(run.stdout.contains("--runtime path=rt"), "{}", run.stdout);
    let out = dir.path().join("rt");
    let manifest = text(&out.join("Cargo.toml"));
    assert!(
        manifest.contains("name = \"openapi-rust-runtime\""),
        "{manifest}"
    );
    assert!(out.join("src/lib.rs").is_file());
    assert_no_exact_pins(&out);
    // It is the same runtime a vendored crate carries.
    dir.write("pets.yaml", PETS);
    dir.run(&["generate", "--spec", "pets.yaml", "--out", "client"])
        .expect_code(0);
    let vendored = tree(&dir.path().join("client/runtime"));
    assert_eq!(
        tree(&out).keys().collect::<Vec<_>>(),
        vendored.keys().collect::<Vec<_>>()
    );
    // Written again, it is replaced (it is this tool's output).
    dir.run(&["runtime", "--out", "rt"]).expect_code(0);
    assert_eq!(dir.entries(), ["client", "pets.yaml", "rt"]);
}

#[test]
fn spec_diff_reports_the_fixture_pair_as_markdown() {
    let root = root();
    let run = run_in(
        &root,
        &[
            "spec-diff",
            "codegen/tests/data/diff/jobs-old.yaml",
            "codegen/tests/data/diff/jobs-new.yaml",
        ],
    )
    .expect_code(0);
    let report = &run.stdout;
    assert!(
        report.starts_with(
            "# API changes from `codegen/tests/data/diff/jobs-old.yaml` to `codegen/tests/data/diff/jobs-new.yaml`\n"
        ),
        "{report}"
    );
    assert!(report.contains("## Breaking changes\n"), "{report}");
    assert!(report.contains("## Other changes\n"), "{report}");
    assert!(
        report.find("## Breaking changes") < report.find("## Other changes"),
        "{report}"
    );
    assert!(
        report.contains("- **DELETE /jobs/{id} (Jobs_Cancel)**: operation removed"),
        "{report}"
    );

    // --fail-on-breaking: status 1 with breaking changes (the report is still printed) …
    let run = run_in(
        &root,
        &[
            "spec-diff",
            "--fail-on-breaking",
            "codegen/tests/data/diff/jobs-old.yaml",
            "codegen/tests/data/diff/jobs-new.yaml",
        ],
    )
    .expect_code(1);
    assert_eq!(&run.stdout, report);
    assert!(run.stderr.contains("breaking"), "{}", run.stderr);
    // … 0 for a document against itself.
    let run = run_in(
        &root,
        &[
            "spec-diff",
            "--fail-on-breaking",
            "codegen/tests/data/diff/jobs-new.yaml",
            "codegen/tests/data/diff/jobs-new.yaml",
        ],
    )
    .expect_code(0);
    assert!(run.stdout.contains("No API changes."), "{}", run.stdout);

    // A document that cannot be read is a failure, not a usage error.
    let run = run_in(
        &root,
        &[
            "spec-diff",
            "absent.yaml",
            "codegen/tests/data/diff/jobs-new.yaml",
        ],
    )
    .expect_code(1);
    assert!(run.stderr.contains("absent.yaml"), "{}", run.stderr);
}

#[test]
fn spec_diff_of_the_upstream_document_against_the_imported_subset() {
    // The corrections, seen as API changes: the query answers an array, errors declared.
    let run = run_in(
        &root(),
        &[
            "spec-diff",
            "spec/upstream/iothub-2021-04-12.json",
            "spec/iothub-jobs.yaml",
        ],
    )
    .expect_code(0);
    let report = &run.stdout;
    assert!(report.contains("operation removed"), "{report}");
    assert!(
        report.contains("GET /jobs/v2/query (Jobs_QueryScheduledJobs) response `200`"),
        "{report}"
    );
    assert!(report.contains("schema `QueryResult`"), "{report}");
}

#[test]
fn import_writes_the_subset_and_check_compares_it() {
    let dir = Scratch::new("import");
    let out = dir.path().join("jobs.yaml");
    let out_arg = out.to_str().expect("a UTF-8 temporary folder");
    let args = [
        "import",
        "--spec",
        "spec/upstream/iothub-2021-04-12.json",
        "--overlay",
        "spec/overlays/iothub-jobs.overlay.yaml",
        "--paths",
        "/jobs,/devices/query",
        "--out",
        out_arg,
    ];
    let root = root();
    let run = run_in(&root, &args).expect_code(0);
    assert!(run.stdout.contains("wrote"), "{}", run.stdout);
    let written = text(&out);
    assert!(
        written.starts_with("# @generated by `openapi-rust-codegen import`"),
        "{written}"
    );
    assert!(
        written.contains(
            "# From: spec/upstream/iothub-2021-04-12.json (the paths under /jobs, /devices/query)"
        ),
        "{written}"
    );
    // Past its header, the document is the repository's imported one.
    let body = |yaml: &str| {
        yaml.lines()
            .skip_while(|l| l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        body(&written),
        body(&text(&root.join("spec/iothub-jobs.yaml")))
    );

    let check: Vec<&str> = args.iter().copied().chain(["--check"]).collect();
    let run = run_in(&root, &check).expect_code(0);
    assert!(run.stdout.contains("up to date"), "{}", run.stdout);

    let edited = written.replace("title: IoT Hub Jobs API", "title: Edited by hand");
    assert_ne!(edited, written);
    fs::write(&out, &edited).expect("write");
    let run = run_in(&root, &check).expect_code(1);
    assert!(
        run.stderr.contains("-  title: Edited by hand\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("+  title: IoT Hub Jobs API\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("differs"), "{}", run.stderr);
    assert_eq!(text(&out), edited, "--check wrote");

    // Without --check, the file is written again.
    run_in(&root, &args).expect_code(0);
    assert_eq!(text(&out), written);
    assert_eq!(dir.entries(), ["jobs.yaml"]);
}

/// Crate names that cargo refuses, or that would break the crate or the crates using it (Rust
/// keywords, also as the Rust name `-` becomes `_` in, the built-in crates, the runtime), are
/// usage errors that say why; nothing is written.
#[test]
fn crate_names_that_break_the_crate_are_usage_errors() {
    let dir = Scratch::new("crate-names");
    dir.write("pets.yaml", PETS);
    for (name, why) in [
        ("self", "`self` is a Rust keyword"),
        ("Self", "is a Rust keyword"),
        ("crate", "is a Rust keyword"),
        ("gen", "is a Rust keyword"),
        ("async", "is a Rust keyword"),
        ("std", "Rust's built-in `std` crate"),
        ("core", "Rust's built-in `core` crate"),
        ("alloc", "Rust's built-in `alloc` crate"),
        ("proc-macro", "(its Rust name, `proc_macro`)"),
        ("test", "cargo refuses it"),
        ("openapi-rust-runtime", "the runtime crate"),
        ("openapi_rust_runtime", "the runtime crate"),
    ] {
        let run = dir
            .run(&[
                "generate",
                "--spec",
                "pets.yaml",
                "--out",
                "client",
                "--name",
                name,
            ])
            .expect_code(2);
        assert!(
            run.stderr
                .contains(&format!("invalid value '{name}' for '--name <CRATE>'")),
            "{name}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(why), "{name}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
    }
    // A folder named so, without --name, is refused the same way.
    for (out, why) in [
        ("self", "is a Rust keyword"),
        ("std", "built-in `std` crate"),
    ] {
        let run = dir
            .run(&["generate", "--spec", "pets.yaml", "--out", out])
            .expect_code(2);
        assert!(
            run.stderr.contains("pass --name CRATE") && run.stderr.contains(why),
            "{out}: {}",
            run.stderr
        );
    }
    assert_eq!(
        dir.entries(),
        ["pets.yaml"],
        "a usage error wrote something"
    );
}

/// File names that try to end the header's line or comment, or to make it read otherwise,
/// as real files (Linux allows anything but `/` and NUL in a name).
#[cfg(target_os = "linux")]
const HOSTILE_FILES: &[&str] = &[
    "a\n}\ncompile_error!(\"injected\");\n//.yaml",
    "b\r\n[patch.crates-io]\nserde = { path = \"evil\" }\n#.yaml",
    "c\rcompile_error!(\"injected\");.yaml",
    "d */ compile_error!(\"injected\"); /*.yaml",
    "e\"quoted\\\"back\\slash.yaml",
    "f\u{2028}compile_error!(\"injected\");\u{2029}.yaml",
    "g\u{202e}lmay.yaml",
    "h\u{200f}\u{2066}mark\u{2069}.yaml",
];

/// Whether `text` holds a character that may stand in a generated file only as an escape
/// (control characters but the line breaks between lines, line separators, characters that
/// reorder text).
#[cfg(target_os = "linux")]
fn has_raw_unsafe(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(
                c,
                '\u{2028}'
                    | '\u{2029}'
                    | '\u{200e}'
                    | '\u{200f}'
                    | '\u{061c}'
                    | '\u{202a}'..='\u{202e}'
                    | '\u{2066}'..='\u{2069}'
            )
    })
}

/// Whether a parsed file invokes `compile_error!` anywhere at its top level.
#[cfg(target_os = "linux")]
fn invokes_compile_error(file: &syn::File) -> bool {
    file.items
        .iter()
        .any(|item| matches!(item, syn::Item::Macro(m) if m.mac.path.is_ident("compile_error")))
}

/// A real document whose file name holds a line break, a carriage return, `*/`, quotes,
/// backslashes, line separators or right-to-left marks: the crate is generated, every Rust
/// file parses with nothing injected and its header on one line, the manifest is TOML with
/// its three tables only; the import's YAML keeps its header lines comments.
#[cfg(target_os = "linux")]
#[test]
fn hostile_file_names_are_escaped_in_every_output() {
    let dir = Scratch::new("hostile-names");
    for (i, name) in HOSTILE_FILES.iter().enumerate() {
        dir.write(name, ONE_WARNING);
        let out = format!("client-{i}");
        let run = dir
            .run(&["generate", "--spec", name, "--out", &out, "--name", "demo"])
            .expect_code(0);
        // The warning names the document, escaped, on one line.
        assert_eq!(run.stderr.lines().count(), 1, "{name:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("warning: "),
            "{name:?}: {}",
            run.stderr
        );
        assert!(!has_raw_unsafe(&run.stderr), "{name:?}: {}", run.stderr);
        let files = tree(&dir.path().join(&out));
        assert!(files.contains_key("src/lib.rs"), "{:?}", files.keys());
        for (path, contents) in files {
            let contents = String::from_utf8(contents).expect("UTF-8");
            assert!(!has_raw_unsafe(&contents), "{name:?}: {path}:\n{contents}");
            let header = contents.lines().next().unwrap_or_default();
            assert!(
                header.ends_with("do not edit by hand.")
                    && (header.starts_with("// @generated by `")
                        || header.starts_with("# @generated by `")),
                "{name:?}: {path}: {header}"
            );
            if path.ends_with(".rs") {
                let file = syn::parse_file(&contents)
                    .unwrap_or_else(|e| panic!("{name:?}: {path} does not parse: {e}\n{contents}"));
                assert!(
                    !invokes_compile_error(&file),
                    "{name:?}: {path}:\n{contents}"
                );
            } else if path.ends_with("Cargo.toml") {
                let manifest: toml::Table = contents
                    .parse()
                    .unwrap_or_else(|e| panic!("{name:?}: {path} is not TOML: {e}\n{contents}"));
                let tables: Vec<&str> = manifest.keys().map(String::as_str).collect();
                let expected: &[&str] = if path == "Cargo.toml" {
                    &["dependencies", "features", "package"]
                } else {
                    &["dependencies", "dev-dependencies", "features", "package"]
                };
                assert!(
                    expected.iter().all(|t| tables.contains(t)) && !tables.contains(&"patch"),
                    "{name:?}: {path}: {tables:?}\n{contents}"
                );
                if path == "Cargo.toml" {
                    assert_eq!(tables, expected, "{name:?}:\n{contents}");
                }
            }
        }

        // The import writes the name into its YAML header's comments.
        let yaml = format!("imported-{i}.yaml");
        dir.run(&["import", "--spec", name, "--out", &yaml])
            .expect_code(0);
        let written = text(&dir.path().join(&yaml));
        let header: Vec<&str> = written.lines().take_while(|l| l.starts_with('#')).collect();
        assert_eq!(header.len(), 2, "{name:?}:\n{written}");
        assert!(header[1].starts_with("# From: "), "{name:?}: {}", header[1]);
        assert!(!has_raw_unsafe(&written), "{name:?}:\n{written}");
        assert!(
            written
                .lines()
                .nth(2)
                .is_some_and(|l| l.starts_with("openapi: ")),
            "{name:?}:\n{written}"
        );
    }
}

/// OpenAPI 3.1 documents through the command: `generate` prints the warnings the 3.1 reader
/// gives with their pointers into the 3.1 document, `spec-diff` compares two 3.1 documents,
/// and `openapi: 3.2.0` fails saying which versions are read.
#[test]
fn openapi_31_documents_through_the_command() {
    let dir = Scratch::new("openapi31");
    let fixture = text(&root().join("tests/fixtures/openapi31-refs.yaml"));
    dir.write("refs.yaml", &fixture);
    let run = dir
        .run(&["generate", "--spec", "refs.yaml", "--out", "client"])
        .expect_code(0);
    for warning in [
        "warning: refs.yaml#/components/schemas/Tree/properties/children/items/$dynamicRef: ",
        "warning: refs.yaml#/components/schemas/Legacy/$schema: ",
    ] {
        assert!(run.stderr.contains(warning), "{warning}\n{}", run.stderr);
    }
    assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
    let models = text(&dir.path().join("client/src/models.rs"));
    for item in [
        "pub struct Order, ",
        "pub enum Currency {",
        "pub struct Point, ",
    ] {
        assert!(models.contains(item), "{item}\n{models}");
    }

    let types = text(&root().join("tests/fixtures/openapi31-types.yaml"));
    dir.write("old.yaml", &types);
    let changed = types.replace(
        "note: {type: [string, \"null\"],",
        "note: {type: [integer, \"null\"],",
    );
    assert_ne!(changed, types, "the fixture edit applies");
    dir.write("new.yaml", &changed);
    let run = dir
        .run(&["spec-diff", "--fail-on-breaking", "old.yaml", "new.yaml"])
        .expect_code(1);
    assert!(
        run.stdout
            .contains("- **Reading.note**: type string → integer"),
        "{}",
        run.stdout
    );
    let run = dir
        .run(&["spec-diff", "--fail-on-breaking", "old.yaml", "old.yaml"])
        .expect_code(0);
    assert!(run.stdout.contains("No API changes."), "{}", run.stdout);

    dir.write(
        "v32.yaml",
        "openapi: 3.2.0\ninfo: {title: T, version: '1'}\npaths: {}\n",
    );
    let run = dir
        .run(&["generate", "--spec", "v32.yaml", "--out", "v32"])
        .expect_code(1);
    for part in ["v32.yaml", "3.2.0", "3.0.x", "3.1.x"] {
        assert!(run.stderr.contains(part), "{part}\n{}", run.stderr);
    }
    assert!(!dir.path().join("v32").exists());
}
