//! `cargo xtask`: the project's tasks. This file only dispatches; each task has its module.

mod corpus;
mod generate;
mod regen;

use anyhow::{Context, Result, bail};
use std::path::PathBuf;

fn generate_options(args: &[&str]) -> Result<generate::Options> {
    let (mut spec, mut out, mut name) = (None, None, None);
    let (mut server, mut deny_warnings) = (false, false);
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
            other => bail!("unknown generate option `{other}`\n\n{USAGE}"),
        }
    }
    Ok(generate::Options {
        spec: spec.context("--spec FILE is required")?,
        out: out.context("--out DIR is required")?,
        name: name.context("--name CRATE is required")?,
        server,
        deny_warnings,
    })
}

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  regen            regenerate everything derived from spec/ (generated/, fixture output)
  regen --check    write nothing; fail with a diff when anything derived from spec/ is stale
  generate --spec FILE --out DIR --name CRATE [--server] [--deny-warnings]
                   write a standalone crate generated from any OpenAPI 3.0 document
  corpus [DIR] [--github FILE] [--no-check]
                   generate (and cargo check) a crate from every document in DIR
                   (default ../shared/corpus/dev) and print a table
";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["regen"] => regen::run(regen::Mode::Write),
        ["regen", "--check"] => regen::run(regen::Mode::Check),
        ["generate", rest @ ..] => generate::run(&generate_options(rest)?),
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
