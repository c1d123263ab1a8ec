//! `cargo xtask`: this repository's own tasks. This file only parses arguments and dispatches;
//! each task has its module. What users of the generator run is the `openapi-rust-codegen`
//! command (`codegen/cli`), whose library these tasks share.

mod bench;
mod corpus;
mod downstream;
mod import;
mod minimal_versions;
mod regen;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Generation allocates and frees millions of small token and syntax-tree nodes; mimalloc
/// does that markedly faster than the system allocator (the library itself sets none).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// This repository's tasks (the generator itself is the `openapi-rust-codegen` command).
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Regenerate everything derived from spec/ (generated/, the whole-hub crate) and check
    /// the fixtures in tests/fixtures/ generate. Warnings the fixtures exist to provoke are
    /// counted, not printed.
    Regen {
        /// Write nothing; fail with a diff when anything derived from spec/ is stale.
        #[arg(long)]
        check: bool,
        /// Fail, writing nothing, when there is a warning nobody expected (or an expected one
        /// no longer occurs).
        #[arg(long)]
        deny_warnings: bool,
    },
    /// spec/upstream/ (Swagger 2.0) → convert → keep /jobs → apply
    /// spec/overlays/iothub-jobs.overlay.yaml → write spec/iothub-jobs.yaml.
    Import {
        /// Write nothing; fail with a diff when the output is stale.
        #[arg(long)]
        check: bool,
        /// Another upstream document.
        #[arg(long, value_name = "FILE")]
        upstream: Option<String>,
        /// Overlays instead of the Jobs overlay; repeat for several.
        #[arg(long, value_name = "FILE")]
        overlay: Vec<String>,
        /// Apply no overlay.
        #[arg(long, conflicts_with = "overlay")]
        no_overlay: bool,
        /// Keep the paths under these prefixes instead of /jobs.
        #[arg(long, value_name = "PREFIX,...", value_delimiter = ',')]
        paths: Vec<String>,
        /// Keep every path.
        #[arg(long, conflicts_with = "paths")]
        all_paths: bool,
        /// Keep the operations with this tag; repeat for several.
        #[arg(long, value_name = "TAG")]
        tag: Vec<String>,
        /// Write this file instead of spec/iothub-jobs.yaml.
        #[arg(long, value_name = "FILE")]
        out: Option<String>,
    },
    /// Generate (and `cargo check`) a crate from every document in DIR and print a table.
    Corpus {
        /// The folder of documents [default: ../shared/corpus/dev beside this repository].
        dir: Option<PathBuf>,
        /// One more document (for example GitHub's, from fetch-github.sh); repeatable.
        #[arg(long, value_name = "FILE")]
        github: Vec<PathBuf>,
        /// Generate only.
        #[arg(long)]
        no_check: bool,
        /// Generation alone (client and server, in memory, no cargo check) of every
        /// .json/.yaml document anywhere under DIR, each in a child process; reports refusals
        /// by cause, warnings and the slowest documents (target/corpus/tree-report.md).
        #[arg(long, conflicts_with = "github")]
        tree: bool,
        /// With --tree: kill a document's child after this many seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 120, requires = "tree")]
        timeout: u64,
        /// With --tree: list documents that take longer than this as slow.
        #[arg(long, value_name = "SECONDS", default_value_t = 60, requires = "tree")]
        slow: u64,
        /// With --tree: documents generated at once.
        #[arg(long, value_name = "N", default_value_t = 1, requires = "tree")]
        jobs: usize,
    },
    /// One document of `corpus --tree`, generated in this child process; prints its verdict.
    #[command(hide = true)]
    CorpusOne {
        /// The name the document is reported under.
        #[arg(long)]
        name: String,
        file: PathBuf,
    },
    /// The generator and its output tried from other people's projects: install the command,
    /// generate two crates against one runtime and build an application with both, resolve
    /// `generated/` beside pinned tokio and serde releases, and find no exact (`=`) version
    /// requirement (needs crates.io; CI runs it).
    Downstream,
    /// Resolve each group of crates users take together (the runtime and the Jobs crate; the
    /// generator, its command and build-script crate) with the lowest releases its
    /// requirements allow, and build and test it (needs crates.io; CI runs it).
    MinimalVersions {
        /// Only this group: `runtime` or `generator`.
        group: Option<String>,
    },
    /// This generator against progenitor: time, memory, output size, cargo check/build of the
    /// generated crates, and scaling on synthetic documents (arguments go to codegen-bench;
    /// `cargo xtask bench -- --help` lists them).
    Bench {
        /// Arguments for codegen-bench (--corpus DIR, --github FILE | --no-github, --quick,
        /// --compile none|jobs|all, ...).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::Regen {
            check,
            deny_warnings,
        } => {
            let mode = if check {
                regen::Mode::Check
            } else {
                regen::Mode::Write
            };
            regen::run(mode, deny_warnings)
        }
        Task::Import {
            check,
            upstream,
            overlay,
            no_overlay,
            paths,
            all_paths,
            tag,
            out,
        } => {
            let mut options = import::Options {
                check,
                tags: tag,
                ..import::Options::default()
            };
            if let Some(upstream) = upstream {
                options.upstream = upstream;
            }
            if no_overlay {
                options.overlays.clear();
            } else if !overlay.is_empty() {
                options.overlays = overlay;
            }
            if all_paths {
                options.paths.clear();
            } else if !paths.is_empty() {
                options.paths = paths;
            }
            if let Some(out) = out {
                options.out = out;
            }
            import::run(&regen::root(), &options)
        }
        Task::Corpus {
            dir,
            github,
            no_check,
            tree,
            timeout,
            slow,
            jobs,
        } => {
            let dir = dir.unwrap_or_else(|| regen::root().join("../shared/corpus/dev"));
            if tree {
                let limits = corpus::tree::Limits {
                    timeout: std::time::Duration::from_secs(timeout),
                    slow: std::time::Duration::from_secs(slow),
                    jobs,
                };
                return corpus::tree::run(&dir, limits);
            }
            corpus::run(&dir, &github, !no_check)
        }
        Task::CorpusOne { name, file } => corpus::tree::one(&name, &file),
        Task::Downstream => downstream::run(),
        Task::MinimalVersions { group } => minimal_versions::run(group.as_deref()),
        Task::Bench { args } => {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            bench::run(&args)
        }
    }
}
