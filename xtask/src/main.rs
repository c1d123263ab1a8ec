//! `cargo xtask`: the project's tasks. This file only dispatches; each task has its module.

mod bench;
mod corpus;
mod generate;
mod import;
mod regen;
mod spec_diff;

use anyhow::{Context, Result, bail};
use std::path::PathBuf;

/// Generation allocates and frees millions of small token and syntax-tree nodes; mimalloc
/// does that markedly faster than the system allocator (the library itself sets none).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn generate_options(args: &[&str]) -> Result<generate::Options> {
    let (mut spec, mut out, mut name) = (None, None, None);
    let (mut server, mut deny_warnings, mut features_per_tag) = (false, false, false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--spec" => spec = Some(PathBuf::from(args.next().context("--spec needs a file")?)),
            "--out" => {
                out = Some(PathBuf::from(
                    args.next().context("--out needs a directory")?,
                ))
            }
            "--name" => {
                name = Some((*args.next().context("--name needs a crate name")?).to_owned())
            }
            "--server" => server = true,
            "--deny-warnings" => deny_warnings = true,
            "--features-per-tag" => features_per_tag = true,
            other => bail!("unknown generate option `{other}`\n\n{USAGE}"),
        }
    }
    Ok(generate::Options {
        spec: spec.context("--spec FILE is required")?,
        out: out.context("--out DIR is required")?,
        name: name.context("--name CRATE is required")?,
        server,
        deny_warnings,
        features_per_tag,
    })
}

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  regen [--deny-warnings]
                   regenerate everything derived from spec/ (generated/, fixture output);
                   with --deny-warnings, any warning fails the run and nothing is written
  regen --check [--deny-warnings]
                   write nothing; fail with a diff when anything derived from spec/ is stale
  generate --spec FILE --out DIR --name CRATE [--server] [--deny-warnings] [--features-per-tag]
                   write a standalone crate generated from any OpenAPI 3.0 (or Swagger 2.0) document
  import [--check] [--upstream FILE] [--overlay FILE]... [--no-overlay]
         [--paths PREFIX,...] [--all-paths] [--tag TAG] [--out FILE]
                   spec/upstream/ (Swagger 2.0) → convert → keep /jobs → apply
                   spec/overlays/iothub-jobs.overlay.yaml → write spec/iothub-jobs.yaml
  spec-diff OLD NEW [--fail-on-breaking]
                   the API changes between two documents, as markdown, breaking ones marked
  corpus [DIR] [--github FILE] [--no-check]
                   generate (and cargo check) a crate from every document in DIR
                   (default ../shared/corpus/dev) and print a table
  bench [--corpus DIR] [--github FILE | --no-github] [--quick] [--compile none|jobs|all]
        [--compile-runs N] [--rounds N] [--sizes 10,100,...] [--picks N] [--out DIR]
                   this generator against progenitor (time, memory, output size, cargo
                   check/build of the generated crates) and scaling on synthetic documents;
                   writes bench/results.md, results.json and scaling.svg
";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["regen", rest @ ..] => {
            let (mut mode, mut deny_warnings) = (regen::Mode::Write, false);
            for arg in rest {
                match *arg {
                    "--check" => mode = regen::Mode::Check,
                    "--deny-warnings" => deny_warnings = true,
                    other => bail!("unknown regen option `{other}`\n\n{USAGE}"),
                }
            }
            regen::run(mode, deny_warnings)
        }
        ["generate", rest @ ..] => generate::run(&generate_options(rest)?),
        ["import", rest @ ..] => import::run(&regen::root(), &import::options(rest)?),
        ["spec-diff", old, new] => spec_diff::run(old.as_ref(), new.as_ref(), false),
        ["spec-diff", old, new, "--fail-on-breaking"] => {
            spec_diff::run(old.as_ref(), new.as_ref(), true)
        }
        ["bench", rest @ ..] => bench::run(rest),
        ["corpus", rest @ ..] => {
            let mut dir = regen::root().join("../shared/corpus/dev");
            let mut extra = Vec::new();
            let mut check = true;
            let mut rest = rest.iter();
            while let Some(arg) = rest.next() {
                match *arg {
                    "--github" => {
                        extra.push(PathBuf::from(rest.next().context("--github needs a file")?))
                    }
                    "--no-check" => check = false,
                    path if !path.starts_with("--") => dir = PathBuf::from(path),
                    other => bail!("unknown corpus option `{other}`"),
                }
            }
            corpus::run(&dir, &extra, check)
        }
        ["help" | "--help" | "-h"] | [] => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            bail!("unknown arguments: {}", args.join(" "))
        }
    }
}
