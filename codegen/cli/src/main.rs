//! `openapi-rust-codegen`: generate a typed async Rust client crate from an OpenAPI document,
//! import Swagger 2.0 documents with overlays, and compare two versions of an API.
//!
//! Exit status: 0 on success, 1 when a document has errors (or anything else fails: a file
//! that cannot be read or written, warnings with `--deny-warnings`, breaking changes with
//! `--fail-on-breaking`), 2 for a usage error.

use anyhow::{Result, bail};
use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand};
use codegen::manifest::RuntimeSource;
use codegen_cli::{generate, import, spec_diff};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Generation allocates and frees millions of small token and syntax-tree nodes; mimalloc
/// does that markedly faster than the system allocator (the library itself sets none).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Typed async Rust clients from OpenAPI 3.0 and Swagger 2.0 documents.
#[derive(Debug, Parser)]
#[command(name = "openapi-rust-codegen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a client crate generated from a document (OpenAPI 3.0, or Swagger 2.0 converted
    /// on the way).
    Generate(GenerateArgs),
    /// Write the runtime crate, for generated crates that refer to it with
    /// `--runtime path=DIR`.
    Runtime(RuntimeArgs),
    /// Convert a Swagger 2.0 document to OpenAPI 3.0.3 YAML, optionally keeping some paths or
    /// tags, and apply OpenAPI Overlay 1.0 documents.
    Import(ImportArgs),
    /// List the API changes between two documents as markdown, breaking ones first.
    SpecDiff(SpecDiffArgs),
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// The document (YAML or JSON).
    #[arg(long, value_name = "FILE")]
    spec: PathBuf,
    /// The folder to write the crate to. An existing folder is replaced only when it is empty
    /// or an earlier output of this tool (see --force).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The crate's package name [default: the name of the --out folder].
    #[arg(long, value_name = "CRATE", value_parser = crate_name)]
    name: Option<String>,
    /// Also generate the server side: an `Api` trait and an axum router, behind the crate's
    /// `server` feature.
    #[arg(long)]
    server: bool,
    /// Put every operation, and the types only it uses, behind a cargo feature per tag.
    #[arg(long)]
    features_per_tag: bool,
    /// A method name your own code defines on the generated `Client` (in an `impl Client`
    /// block of its own); an operation that would take it is renamed, with a warning.
    /// Repeatable.
    #[arg(long = "reserve-method", value_name = "NAME")]
    reserve_method: Vec<String>,
    /// Where the crate gets its runtime: `vendored` (a copy in the crate's runtime/ folder: it
    /// builds offline and on its own), `path=DIR` (a runtime crate shared by every client of
    /// an application, e.g. one written by `openapi-rust-codegen runtime`), or
    /// `git=URL[#REV]`.
    #[arg(long, value_name = "SOURCE", default_value = "vendored", value_parser = RuntimeSource::parse)]
    runtime: RuntimeSource,
    /// Write an empty `[workspace]` table, so that the crate builds on its own inside another
    /// workspace's folder (it then cannot be a member of that workspace).
    #[arg(long)]
    own_workspace: bool,
    /// Treat warnings as errors: write nothing when there is one.
    #[arg(long)]
    deny_warnings: bool,
    /// Replace --out even when it is not an earlier output of this tool.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
struct RuntimeArgs {
    /// The folder to write the runtime crate to.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace --out even when it is not an earlier output of this tool.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The document to import (Swagger 2.0 or OpenAPI 3.0, YAML or JSON).
    #[arg(long, value_name = "FILE")]
    spec: PathBuf,
    /// An OpenAPI Overlay 1.0 document to apply; repeat for several, applied in order.
    #[arg(long, value_name = "FILE")]
    overlay: Vec<PathBuf>,
    /// Keep only the paths under these prefixes, and the components they use.
    #[arg(long, value_name = "PREFIX,...", value_delimiter = ',')]
    paths: Vec<String>,
    /// Keep only the operations with this tag; repeat for several.
    #[arg(long, value_name = "TAG")]
    tag: Vec<String>,
    /// The OpenAPI 3.0.3 YAML file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Write nothing; fail with a diff when --out is not what the import produces.
    #[arg(long)]
    check: bool,
}

#[derive(Debug, Args)]
struct SpecDiffArgs {
    /// The earlier document.
    old: PathBuf,
    /// The later document.
    new: PathBuf,
    /// Exit with status 1 when a change is breaking.
    #[arg(long)]
    fail_on_breaking: bool,
}

/// A crate name, as cargo accepts it and as works for a generated crate (no keyword, no
/// built-in crate, not the runtime); otherwise why not.
fn crate_name(text: &str) -> Result<String, String> {
    match codegen::manifest::crate_name_problem(text) {
        None => Ok(text.to_owned()),
        Some(problem) => Err(problem),
    }
}

fn main() -> ExitCode {
    // clap exits with status 2 on a usage error, 0 for --help and --version.
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(args) => run_generate(args),
        Command::Runtime(args) => run_runtime(&args),
        Command::Import(args) => run_import(args),
        Command::SpecDiff(args) => run_spec_diff(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let Some(document) = error.downcast_ref::<generate::DocumentError>() {
                eprintln!("{document}");
                eprintln!("error: {error}");
            } else {
                eprintln!("error: {error:#}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Exits like clap on a usage error (status 2, the subcommand's usage line), for arguments
/// that clap accepts one by one but that do not work together.
fn usage_error(subcommand: &str, message: String) -> ! {
    let mut cli = Cli::command();
    cli.build();
    let mut command = cli.find_subcommand(subcommand).cloned().unwrap_or(cli);
    command.error(ErrorKind::ValueValidation, message).exit()
}

fn run_generate(args: GenerateArgs) -> Result<()> {
    let started = Instant::now();
    let name = match args.name {
        Some(name) => name,
        None => match generate::name_from_dir(&args.out) {
            Some(name) => name,
            None => usage_error(
                "generate",
                format!(
                    "--out `{}`: the folder's name is not a crate name{}; pass --name CRATE",
                    codegen::error::printable(&args.out.display().to_string()),
                    args.out
                        .file_name()
                        .and_then(|name| name.to_str())
                        .and_then(codegen::manifest::crate_name_problem)
                        .map(|problem| format!(" ({problem})"))
                        .unwrap_or_default()
                ),
            ),
        },
    };
    let mut options = generate::Options::new(&args.spec, &name);
    options.server = args.server;
    options.features_per_tag = args.features_per_tag;
    options.reserved_methods = args.reserve_method;
    options.runtime = args.runtime;
    options.own_workspace = args.own_workspace;
    let generated = generate::crate_files(&options)?;
    for warning in &generated.warnings {
        eprintln!("{warning}");
    }
    let warnings = generated.warnings.len();
    if args.deny_warnings && warnings > 0 {
        bail!(
            "{} and --deny-warnings (see above); nothing was written",
            plural(warnings, "warning")
        );
    }
    generate::write_crate(&args.out, &generated.files, args.force)?;
    println!(
        "generated crate `{name}` in {}: {}, {}, {} ({:.2} s)",
        args.out.display(),
        plural(generated.operations, "operation"),
        plural(generated.types, "type"),
        plural(warnings, "warning"),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `1 warning`, `2 warnings`.
fn plural(count: usize, noun: &str) -> String {
    format!("{count} {noun}{}", if count == 1 { "" } else { "s" })
}

fn run_runtime(args: &RuntimeArgs) -> Result<()> {
    let files = generate::runtime_files("openapi-rust-codegen runtime");
    generate::write_crate(&args.out, &files, args.force)?;
    println!(
        "wrote the runtime crate `{}` {} in {}; refer to it with `--runtime path={}`",
        codegen::manifest::RUNTIME_PACKAGE,
        codegen::manifest::runtime_version(),
        args.out.display(),
        args.out.display()
    );
    Ok(())
}

fn run_import(args: ImportArgs) -> Result<()> {
    let mut options = import::Options::new(&args.spec);
    options.overlays = args.overlay;
    options.paths = args.paths;
    options.tags = args.tag;
    let (text, warnings) = import::imported(std::path::Path::new(""), &options)?;
    for warning in &warnings {
        eprintln!("{warning}");
    }
    match import::write(&args.out, &text, args.check)? {
        import::Written::UpToDate => println!("import: {} is up to date", args.out.display()),
        import::Written::Written => println!(
            "import: wrote {} ({} warning{})",
            args.out.display(),
            warnings.len(),
            if warnings.len() == 1 { "" } else { "s" }
        ),
    }
    Ok(())
}

fn run_spec_diff(args: &SpecDiffArgs) -> Result<()> {
    let (text, changes) = spec_diff::report(&args.old, &args.new)?;
    print!("{text}");
    let breaking = changes.iter().filter(|c| c.breaking).count();
    if args.fail_on_breaking && breaking > 0 {
        bail!("{}", plural(breaking, "breaking change"));
    }
    Ok(())
}
