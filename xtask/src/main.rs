//! `cargo xtask`: the project's tasks. This file only dispatches; each task has its module.

mod regen;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  regen            regenerate everything derived from spec/ (generated/, fixture output)
  regen --check    write nothing; fail with a diff when anything derived from spec/ is stale
";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["regen"] => regen::run(regen::Mode::Write),
        ["regen", "--check"] => regen::run(regen::Mode::Check),
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
