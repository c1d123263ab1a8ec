//! `codegen-bench`: this generator side by side with progenitor, and its scaling.
//!
//! `cargo xtask bench` builds this binary in release mode and runs `codegen-bench run`, which
//! starts the binary again (`codegen-bench measure …`) for every measurement, so that each
//! measurement has a process, and a peak resident set, of its own. See `run` for what is
//! measured and `report` for what is written (`bench/results.md`, `bench/results.json`,
//! `bench/scaling.svg`).

mod baseline;
mod check_scaling;
mod child;
mod compile;
mod compile_targets;
mod inputs;
mod measure;
mod peer;
mod plot;
mod report;
mod run;
mod stats;

use anyhow::Result;

/// The allocator of every measurement child, so both generators run with it (as `cargo xtask
/// generate` does; the library sets none).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["measure", rest @ ..] => measure::child(rest),
        ["run", rest @ ..] => run::run(run::Options::parse(rest)?),
        rest => run::run(run::Options::parse(rest)?),
    }
}
