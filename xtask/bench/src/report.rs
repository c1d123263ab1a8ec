//! The report: markdown tables (printed and written to `bench/results.md`), the raw figures
//! (`bench/results.json`) and the scaling plot (`bench/scaling.svg`).

use crate::child::Measured;
use crate::inputs::Kind;
use crate::run::{DocResult, Results, root};
use crate::stats::{Summary, memory_cell, power_fit, ratio, seconds, time_cell};
use anyhow::Result;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// The GitHub target: generated in under this many seconds.
const GITHUB_SECONDS: f64 = 2.0;

fn kib(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", bytes / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KiB", bytes / 1024.0)
    }
}

fn lines(value: Option<f64>) -> String {
    value.map_or("–".to_owned(), |v| format!("{v:.0}"))
}

/// The cell of a generator that failed, or its time.
fn gen_cell(measured: Option<&Measured>) -> String {
    match measured {
        None => "not run".to_owned(),
        Some(m) => match &m.failure {
            Some(failure) => short(failure),
            None => time_cell(m.time()),
        },
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(90).collect();
    if text.chars().count() > 90 {
        s.push('…');
    }
    s.replace('|', "\\|")
}

pub fn ok_median(m: Option<&Measured>) -> Option<f64> {
    m.filter(|m| m.failure.is_none()).and_then(Measured::median)
}

fn ok_memory(m: Option<&Measured>) -> Option<f64> {
    m.filter(|m| m.failure.is_none())
        .and_then(|m| m.memory().map(|s| s.median))
}

/// Where the time of our generator goes on one document, as fractions of the whole.
struct Stages {
    parse: f64,
    lower: f64,
    emit_format: f64,
    whole: f64,
}

fn stages(result: &DocResult) -> Option<Stages> {
    let whole = result.ours.median()?;
    let parse = result.ours_parse.median()?;
    let lowered = result.ours_lower.median()?;
    Some(Stages {
        parse,
        lower: (lowered - parse).max(0.0),
        emit_format: (whole - lowered).max(0.0),
        whole,
    })
}

fn environment() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = std::process::Command::new("rustc")
        .arg("-V")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!(
        "{cpu}, {cores} cores; {rustc}; progenitor {}",
        progenitor_version()
    )
}

/// progenitor's version, from the workspace's `Cargo.lock`.
fn progenitor_version() -> String {
    fs::read_to_string(root().join("Cargo.lock"))
        .ok()
        .and_then(|lock| {
            let at = lock.find("name = \"progenitor-impl\"\nversion = \"")?;
            let rest = &lock[at + "name = \"progenitor-impl\"\nversion = \"".len()..];
            Some(rest[..rest.find('"')?].to_owned())
        })
        .unwrap_or_else(|| "?".to_owned())
}

/// The markdown report.
pub fn markdown(results: &Results) -> String {
    let mut md = String::new();
    header(&mut md, results);
    inputs_section(&mut md, results);
    generation_section(&mut md, results);
    memory_section(&mut md, results);
    code_section(&mut md, results);
    if !results.compile.is_empty() {
        compile_section(&mut md, results);
    }
    if !results.compile.is_empty() || results.peer_note.is_some() {
        crate::peer::section(&mut md, results);
        crate::baseline::section(&mut md, results);
    }
    crate::check_scaling::section(&mut md, results);
    stages_section(&mut md, results);
    if !results.sizes.is_empty() {
        scaling_section(&mut md, results);
    }
    targets_section(&mut md, results);
    md
}

/// The title and the paragraph on how everything was measured, with the machine it ran on.
fn header(md: &mut String, results: &Results) {
    let o = &results.options;
    let _ = writeln!(md, "# Benchmarks: this generator and progenitor\n");
    let _ = writeln!(
        md,
        "`cargo xtask bench` (release build). {}. Times are medians over {} process(es) per \
         generator and document, alternated, each with one untimed warm-up run and then \
         timed runs; spread is min–max over the timed runs; ratios are ours / progenitor \
         (of medians). Ours is timed from the document's \
         text to formatted files (`codegen::generate`); progenitor from `serde_json` into \
         `openapiv3::OpenAPI` through `Generator::generate_tokens`, `syn::parse2` and \
         `prettyplease::unparse` (the same prettyplease 0.2 as ours). Both run in the same \
         binary, with mimalloc as its allocator (as `cargo xtask` has); ours emits and formats \
         on as many threads as the machine runs at once, progenitor on one, so ours uses less \
         wall-clock than CPU time. Peak memory is the child process's `VmHWM`.\n",
        environment(),
        o.rounds
    );
}

/// `## Inputs`: the corpus screening, the documents picked and the notes on them, GitHub's document.
fn inputs_section(md: &mut String, results: &Results) {
    let o = &results.options;
    let accepted = results
        .screened
        .iter()
        .filter(|s| s.progenitor.is_none())
        .count();
    let panics = results
        .screened
        .iter()
        .filter(|s| {
            s.progenitor
                .as_deref()
                .is_some_and(|f| f.starts_with("panics"))
        })
        .count();
    let crashed = results
        .screened
        .iter()
        .filter(|s| {
            s.progenitor
                .as_deref()
                .is_some_and(|f| f.starts_with("crashed") || f.starts_with("timed out"))
        })
        .count();
    let ours_ok = results.screened.iter().filter(|s| s.ours.is_none()).count();
    let _ = writeln!(md, "## Inputs\n");
    let _ = writeln!(
        md,
        "- Corpus `{}`: progenitor generated {accepted} of {} documents ({panics} panics, \
         {crashed} crashes or time-outs, the rest errors); ours generated {ours_ok}. Picked, \
         spread by size among those both accept: {}.",
        portable(&o.corpus.to_string_lossy()),
        results.screened.len(),
        results
            .docs
            .iter()
            .filter(|d| d.doc.kind == Kind::Corpus)
            .map(|d| format!("`{}`", d.doc.name))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for result in &results.docs {
        if let Some(note) = &result.doc.note {
            let _ = writeln!(md, "- `{}`: {note}.", result.doc.name);
        }
    }
    match (&o.github, &o.github_note) {
        (Some(path), _) => {
            let _ = writeln!(
                md,
                "- GitHub's REST API (`{}`, which `../shared/corpus/fetch-github.sh` fetches): \
                 ours alone; progenitor is run once to show how it fails.",
                portable(&path.to_string_lossy())
            );
        }
        (None, Some(note)) => {
            let _ = writeln!(md, "- GitHub's REST API: {note}.");
        }
        (None, None) => {}
    }
    md.push('\n');
}

/// `## Generation time`: CPU and wall-clock time of both generators per document.
fn generation_section(md: &mut String, results: &Results) {
    let _ = writeln!(md, "## Generation time\n");
    let _ = writeln!(
        md,
        "CPU time of the child process (all its threads; what other processes on the machine \
         do counts less than in wall-clock time), and wall-clock time.\n"
    );
    let _ = writeln!(
        md,
        "| document | size | schemas / operations | ours CPU | progenitor CPU | CPU ratio | ours wall | progenitor wall | wall ratio |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for r in &results.docs {
        let wall = |m: Option<&Measured>| match m {
            None => "not run".to_owned(),
            Some(m) if m.failure.is_some() => "–".to_owned(),
            Some(m) => time_cell(m.wall()),
        };
        let wall_median = |m: Option<&Measured>| {
            m.filter(|m| m.failure.is_none())
                .and_then(|m| m.wall().map(|s| s.median))
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} / {} | {} | {} | {} | {} | {} | {} |",
            r.doc.name,
            kib(r.doc.bytes as f64),
            r.doc.schemas,
            r.doc.operations,
            gen_cell(Some(&r.ours)),
            gen_cell(r.progenitor.as_ref()),
            ratio(ok_median(Some(&r.ours)), ok_median(r.progenitor.as_ref())),
            wall(Some(&r.ours)),
            wall(r.progenitor.as_ref()),
            ratio(
                wall_median(Some(&r.ours)),
                wall_median(r.progenitor.as_ref())
            ),
        );
    }
    md.push('\n');
}

/// `## Peak memory`: the peak resident set of both generators per document.
fn memory_section(md: &mut String, results: &Results) {
    let _ = writeln!(md, "## Peak memory\n");
    let _ = writeln!(
        md,
        "`VmHWM` of the child process (median over processes; it includes the document's text \
         and the binary: the process's resident set before generating is {}).\n",
        results
            .docs
            .first()
            .and_then(|d| Summary::of(&d.ours.starts))
            .map_or("–".to_owned(), |s| format!(
                "{:.1} MiB",
                s.median / 1024.0
            ))
    );
    let _ = writeln!(
        md,
        "| document | ours | progenitor | ratio |\n| --- | --- | --- | --- |"
    );
    for r in &results.docs {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            r.doc.name,
            if r.ours.failure.is_none() {
                memory_cell(r.ours.memory())
            } else {
                "–".to_owned()
            },
            r.progenitor
                .as_ref()
                .filter(|p| p.failure.is_none())
                .map_or("–".to_owned(), |p| memory_cell(p.memory())),
            ratio(ok_memory(Some(&r.ours)), ok_memory(r.progenitor.as_ref())),
        );
    }
    md.push('\n');
}

/// `## Generated code`: lines and bytes each generator wrote per document.
fn code_section(md: &mut String, results: &Results) {
    let _ = writeln!(md, "## Generated code\n");
    let _ = writeln!(
        md,
        "Ours writes `lib.rs`, `models.rs` and `client.rs`, and puts its runtime in the \
         `openapi-rust-runtime` dependency (retries, auth hook, paging, errors, the model macros; \
         the same for every API); progenitor writes one file and puts its runtime in the \
         `progenitor-client` dependency. Neither runtime is counted.\n"
    );
    let _ = writeln!(
        md,
        "| document | ours lines | progenitor lines | lines ratio | ours bytes | progenitor bytes | bytes ratio |\n| --- | --- | --- | --- | --- | --- | --- |"
    );
    for r in &results.docs {
        let ours = |k: &str| r.ours.output_figure(k);
        let theirs = |k: &str| r.progenitor.as_ref().and_then(|p| p.output_figure(k));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.doc.name,
            lines(ours("lines")),
            lines(theirs("lines")),
            ratio(ours("lines"), theirs("lines")),
            ours("bytes").map_or("–".to_owned(), kib),
            theirs("bytes").map_or("–".to_owned(), kib),
            ratio(ours("bytes"), theirs("bytes")),
        );
    }
    md.push('\n');
}

/// `## Compile time of the generated crate`: `cargo check` and `cargo build` of both crates.
fn compile_section(md: &mut String, results: &Results) {
    let _ = writeln!(md, "## Compile time of the generated crate\n");
    let _ = writeln!(
        md,
        "Each crate standalone (ours: written by the `openapi-rust-codegen` library, with \
         `openapi-rust-runtime` as a path dependency; progenitor's: the dependencies its README \
         prescribes, `progenitor-client` 0.15, `reqwest` 0.13 …), dependencies (our runtime \
         crate and `progenitor-client` included) built once beforehand, then `cargo check` and `cargo build` (dev \
         profile, `CARGO_INCREMENTAL=0`) with `src/lib.rs` touched before each, wall time \
         of the cargo command, crates alternated. A no-op `cargo check` (cargo's own \
         overhead) takes {}. Where our crates' check time goes: `bench/profile.md`.\n",
        results
            .compile
            .first()
            .and_then(|c| c.ours.noop)
            .map_or("–".to_owned(), seconds)
    );
    let _ = writeln!(
        md,
        "| document | ours check | progenitor check | check ratio | ours build | progenitor build | build ratio |\n| --- | --- | --- | --- | --- | --- | --- |"
    );
    for c in &results.compile {
        let cell = |k: &crate::compile::Crate, s: &[f64]| match &k.failure {
            Some(f) => short(f),
            None => time_cell(Summary::of(s)),
        };
        let median = |k: &crate::compile::Crate, s: &[f64]| {
            k.failure
                .is_none()
                .then(|| Summary::of(s).map(|x| x.median))
                .flatten()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            c.name,
            cell(&c.ours, &c.ours.check),
            cell(&c.progenitor, &c.progenitor.check),
            ratio(
                median(&c.ours, &c.ours.check),
                median(&c.progenitor, &c.progenitor.check)
            ),
            cell(&c.ours, &c.ours.build),
            cell(&c.progenitor, &c.progenitor.build),
            ratio(
                median(&c.ours, &c.ours.build),
                median(&c.progenitor, &c.progenitor.build)
            ),
        );
    }
    md.push('\n');
}

/// `## Where our time goes`: our stages per document, against a plain parse of the document.
fn stages_section(md: &mut String, results: &Results) {
    let _ = writeln!(md, "## Where our time goes\n");
    let _ = writeln!(
        md,
        "Stages of ours measured separately (`codegen::parse::parse_converted`, \
         `codegen::lower_only`, `codegen::generate`; lower = lower_only − parse, emit + format = \
         generate − lower_only), and the least any generator reading the document must do: \
         `serde_json::from_str` into `openapiv3::OpenAPI` (on progenitor's JSON copy).\n"
    );
    let _ = writeln!(
        md,
        "| document | serde_json → openapiv3 | our parse | our lower | our emit + format | ours in all | ours / plain parse |\n| --- | --- | --- | --- | --- | --- | --- |"
    );
    for r in &results.docs {
        let plain = ok_median(r.serde_parse.as_ref());
        match stages(r) {
            Some(s) => {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} ({:.0}%) | {} ({:.0}%) | {} ({:.0}%) | {} | {} |",
                    r.doc.name,
                    plain.map_or("–".to_owned(), seconds),
                    seconds(s.parse),
                    100.0 * s.parse / s.whole,
                    seconds(s.lower),
                    100.0 * s.lower / s.whole,
                    seconds(s.emit_format),
                    100.0 * s.emit_format / s.whole,
                    seconds(s.whole),
                    ratio(Some(s.whole), plain),
                );
            }
            None => {
                let _ = writeln!(md, "| {} | – | – | – | – | – | – |", r.doc.name);
            }
        }
    }
    md.push('\n');
}

/// `## Scaling`: both generators on the synthetic documents, and the fitted exponents.
fn scaling_section(md: &mut String, results: &Results) {
    let _ = writeln!(md, "## Scaling\n");
    let _ = writeln!(
        md,
        "Synthetic documents with n component schemas (eight properties: integer, string, \
         date-time, number, array, map, inline enum, nested inline object; and a `$ref` to \
         another schema) and n operations (GET with a path and a query parameter, or POST \
         with a JSON body). Plot: `bench/scaling.svg`.\n"
    );
    let _ = writeln!(
        md,
        "| n | document | ours | ours memory | progenitor | progenitor memory | time ratio |\n| --- | --- | --- | --- | --- | --- | --- |"
    );
    for s in &results.sizes {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            s.n,
            kib(s.bytes as f64),
            gen_cell(Some(&s.ours)),
            memory_cell(s.ours.memory()),
            gen_cell(Some(&s.progenitor)),
            if s.progenitor.failure.is_none() {
                memory_cell(s.progenitor.memory())
            } else {
                "–".to_owned()
            },
            ratio(ok_median(Some(&s.ours)), ok_median(Some(&s.progenitor))),
        );
    }
    let fits = fits(results);
    let _ = writeln!(
        md,
        "\nFitted exponent b of time ∝ nᵇ (least squares on log time against log n, all \
         sizes): ours {}, progenitor {}. Between the two largest sizes alone: ours {}, \
         progenitor {}. Memory: ours {}, progenitor {}.\n",
        fmt_b(fits.ours_time),
        fmt_b(fits.progenitor_time),
        fmt_b(fits.ours_last),
        fmt_b(fits.progenitor_last),
        fmt_b(fits.ours_memory),
        fmt_b(fits.progenitor_memory),
    );
}

/// `## Targets`: each target, its figure and whether it is met.
fn targets_section(md: &mut String, results: &Results) {
    let _ = writeln!(md, "## Targets\n");
    let _ = writeln!(md, "| target | figure | met |\n| --- | --- | --- |");
    for (target, figure, met) in targets(results) {
        let _ = writeln!(
            md,
            "| {target} | {figure} | {} |",
            match met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "not measured",
            }
        );
    }
}

fn fmt_b(b: Option<f64>) -> String {
    b.map_or("–".to_owned(), |b| format!("{b:.2}"))
}

/// The fitted scaling exponents.
pub struct Fits {
    /// Ours, time, over every size.
    pub ours_time: Option<f64>,
    /// progenitor, time, over every size.
    pub progenitor_time: Option<f64>,
    /// Ours, time, between the two largest sizes.
    pub ours_last: Option<f64>,
    /// progenitor, time, between the two largest sizes it generated.
    pub progenitor_last: Option<f64>,
    /// Ours, peak memory.
    pub ours_memory: Option<f64>,
    /// progenitor, peak memory.
    pub progenitor_memory: Option<f64>,
}

/// Fits the exponents of the scaling run.
pub fn fits(results: &Results) -> Fits {
    let points = |pick: &dyn Fn(&crate::run::SizeResult) -> Option<f64>| -> Vec<(f64, f64)> {
        results
            .sizes
            .iter()
            .filter_map(|s| pick(s).map(|y| (s.n as f64, y)))
            .collect()
    };
    let ours = points(&|s| ok_median(Some(&s.ours)));
    let theirs = points(&|s| ok_median(Some(&s.progenitor)));
    let last = |p: &[(f64, f64)]| power_fit(&p[p.len().saturating_sub(2)..]).map(|f| f.0);
    Fits {
        ours_time: power_fit(&ours).map(|f| f.0),
        progenitor_time: power_fit(&theirs).map(|f| f.0),
        ours_last: last(&ours),
        progenitor_last: last(&theirs),
        ours_memory: power_fit(&points(&|s| ok_memory(Some(&s.ours)))).map(|f| f.0),
        progenitor_memory: power_fit(&points(&|s| ok_memory(Some(&s.progenitor)))).map(|f| f.0),
    }
}

/// Our generation CPU time over progenitor's for each document both read (`None`: one failed).
pub(crate) fn generation_ratios(results: &Results) -> Vec<(String, Option<f64>)> {
    results
        .docs
        .iter()
        .filter(|d| d.doc.progenitor.is_some())
        .map(|d| {
            let both = ok_median(Some(&d.ours)).zip(ok_median(d.progenitor.as_ref()));
            (d.doc.name.clone(), both.map(|(a, b)| a / b))
        })
        .collect()
}

/// The targets: (target, figure, met).
fn targets(results: &Results) -> Vec<crate::compile_targets::Row> {
    let mut rows = Vec::new();
    let ratios = generation_ratios(results);
    let worst = ratios
        .iter()
        .filter_map(|(n, r)| r.map(|r| (n, r)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    rows.push((
        "generation time ≤ 0.5× progenitor's on every shared input".to_owned(),
        match worst {
            Some((name, r)) => format!(
                "worst {r:.2}× (`{name}`); all: {}",
                ratios
                    .iter()
                    .map(|(_, r)| r.map_or("–".to_owned(), |r| format!("{r:.2}")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "–".to_owned(),
        },
        worst.map(|(_, r)| r <= 0.5 && ratios.iter().all(|(_, r)| r.is_some())),
    ));
    let jobs = results.compile.iter().find(|c| c.name == "iothub-jobs");
    let check = jobs.and_then(|c| {
        let ours = Summary::of(&c.ours.check)?.median;
        let theirs = Summary::of(&c.progenitor.check)?.median;
        (c.ours.failure.is_none() && c.progenitor.failure.is_none()).then_some((ours, theirs))
    });
    rows.push((
        "`cargo check` of the generated Jobs crate ≤ 0.8× progenitor's".to_owned(),
        check.map_or("–".to_owned(), |(a, b)| {
            format!("{} vs {} = {:.2}×", seconds(a), seconds(b), a / b)
        }),
        check.map(|(a, b)| a / b <= 0.8),
    ));
    let github = results.docs.iter().find(|d| d.doc.kind == Kind::Github);
    let gen_time = github.and_then(|g| ok_median(Some(&g.ours)));
    rows.push((
        format!("GitHub crate generated in under {GITHUB_SECONDS} s"),
        gen_time.map_or("–".to_owned(), seconds),
        gen_time.map(|t| t < GITHUB_SECONDS),
    ));
    let parse = github.and_then(|g| ok_median(g.serde_parse.as_ref()));
    let within = gen_time.zip(parse);
    rows.push((
        "GitHub: within 3× of just parsing the document (`serde_json` → `openapiv3`)".to_owned(),
        within.map_or("–".to_owned(), |(g, p)| {
            format!("{} / {} = {:.2}×", seconds(g), seconds(p), g / p)
        }),
        within.map(|(g, p)| g / p <= 3.0),
    ));
    let fits = fits(results);
    rows.push((
        "scaling exponent ≤ 1.1".to_owned(),
        match (fits.ours_time, fits.ours_last) {
            (Some(b), Some(last)) => {
                format!("{b:.2} over all sizes ({last:.2} between the two largest)")
            }
            _ => "–".to_owned(),
        },
        fits.ours_time.map(|b| b <= 1.1),
    ));
    rows.extend(crate::compile_targets::rows(results));
    rows
}

/// `path` as the report shows it, without this machine's folders: relative to the repository
/// (`spec/…`, `../shared/corpus/dev`) when it is inside it or beside it, else its file name.
fn portable(path: &str) -> String {
    let root = root();
    let path = Path::new(path);
    if let Ok(rest) = path.strip_prefix(&root) {
        return rest.display().to_string();
    }
    if let Some(rest) = root
        .parent()
        .and_then(|parent| path.strip_prefix(parent).ok())
    {
        return Path::new("..").join(rest).display().to_string();
    }
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// `value` with every string that is an absolute path made [`portable`].
fn portable_paths(value: Value) -> Value {
    match value {
        Value::String(s) if s.starts_with('/') => Value::String(portable(&s)),
        Value::String(s) => Value::String(without_registry_paths(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(portable_paths).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (key, portable_paths(value)))
                .collect(),
        ),
        other => other,
    }
}

/// `text` with each cargo registry source path (in a panic's location, say) cut to the path
/// inside the package: `at /HOME/.cargo/registry/src/INDEX/pkg-1.0/src/x.rs` → `at pkg-1.0/src/x.rs`.
fn without_registry_paths(text: &str) -> String {
    const MARK: &str = "/registry/src/";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let start = rest[..at].rfind(' ').map_or(0, |i| i + 1);
        let after = &rest[at + MARK.len()..];
        let Some(slash) = after.find('/') else { break };
        out.push_str(&rest[..start]);
        rest = &after[slash + 1..];
    }
    out.push_str(rest);
    out
}

/// The raw figures, with paths made [`portable`].
pub fn json(results: &Results) -> Value {
    portable_paths(raw_json(results))
}

fn raw_json(results: &Results) -> Value {
    let o = &results.options;
    let fits = fits(results);
    json!({
        "environment": environment(),
        "options": {
            "corpus": o.corpus, "github": o.github, "rounds": o.rounds, "quick": o.quick,
            "compile_runs": o.compile_runs, "sizes": o.sizes,
        },
        "screening": results.screened.iter().map(|s| json!({
            "document": s.path, "bytes": s.bytes, "ours": s.ours.as_deref().unwrap_or("ok"),
            "progenitor": s.progenitor.as_deref().unwrap_or("ok"),
        })).collect::<Vec<_>>(),
        "documents": results.docs.iter().map(|d| json!({
            "name": d.doc.name, "kind": d.doc.kind.name(), "path": d.doc.ours,
            "progenitor_input": d.doc.progenitor, "note": d.doc.note, "bytes": d.doc.bytes,
            "schemas": d.doc.schemas, "operations": d.doc.operations,
            "ours": d.ours.to_json(),
            "progenitor": d.progenitor.as_ref().map(Measured::to_json),
            "stages": {
                "ours_parse": d.ours_parse.to_json(), "ours_parse_lower": d.ours_lower.to_json(),
                "serde_json_to_openapiv3": d.serde_parse.as_ref().map(Measured::to_json),
            },
        })).collect::<Vec<_>>(),
        "compile": results.compile.iter().map(|c| json!({
            "document": c.name, "ours": c.ours.to_json(), "progenitor": c.progenitor.to_json(),
            "openapi_generator": c.openapi_generator.as_ref().map(crate::compile::Crate::to_json),
            "baseline": c.baseline.as_ref().map(crate::compile::Crate::to_json),
        })).collect::<Vec<_>>(),
        "baseline": results.baseline.as_ref().map(|b| json!({"rev": b.rev, "commit": b.commit})),
        "openapi_generator": {"package": crate::peer::PACKAGE, "note": results.peer_note},
        "check_scaling": results.check_sizes.iter().map(|s| json!({"n": s.n, "ours": s.ours.to_json(),
            "openapi_generator": s.openapi_generator.as_ref().map(crate::compile::Crate::to_json)})).collect::<Vec<_>>(),
        "scaling": {
            "sizes": results.sizes.iter().map(|s| json!({
                "n": s.n, "bytes": s.bytes, "ours": s.ours.to_json(),
                "progenitor": s.progenitor.to_json(),
            })).collect::<Vec<_>>(),
            "exponent": {
                "ours_time": fits.ours_time, "progenitor_time": fits.progenitor_time,
                "ours_time_two_largest": fits.ours_last,
                "progenitor_time_two_largest": fits.progenitor_last,
                "ours_memory": fits.ours_memory, "progenitor_memory": fits.progenitor_memory,
            },
        },
        "targets": targets(results).into_iter().map(|(t, f, m)| json!({
            "target": t, "figure": f, "met": m,
        })).collect::<Vec<_>>(),
    })
}

/// Prints the tables and writes `results.md`, `results.json` and `scaling.svg` to the
/// output folder.
pub fn write(results: &Results) -> Result<()> {
    let out = &results.options.out;
    let md = markdown(results);
    println!("{md}");
    fs::write(out.join("results.md"), &md)?;
    fs::write(
        out.join("results.json"),
        serde_json::to_string_pretty(&json(results))? + "\n",
    )?;
    if !results.sizes.is_empty() {
        crate::plot::scaling(results, &out.join("scaling.svg"))?;
    }
    if !results.check_sizes.is_empty() {
        crate::check_scaling::plot(results, &out.join("check-scaling.svg"))?;
    }
    eprintln!(
        "written: {}, {}, {}",
        out.join("results.md").display(),
        out.join("results.json").display(),
        out.join("scaling.svg").display()
    );
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::compile::Crate;
    use crate::inputs::Doc;
    use crate::run::{CompileResult, CompileSet, Options, Screened, SizeResult};
    use std::path::PathBuf;

    /// Figures of a generator that ran: CPU and wall times, peaks and output size.
    fn measured(seconds: &[f64], peak_kib: f64, lines: u64) -> Measured {
        Measured {
            times: seconds.iter().map(|s| s * 0.5).collect(),
            cpu: seconds.to_vec(),
            cold: Vec::new(),
            peaks: vec![peak_kib; seconds.len()],
            starts: vec![4096.0; seconds.len()],
            output: Some(json!({ "files": 3, "lines": lines, "bytes": lines * 40 })),
            failure: None,
        }
    }

    fn failed(why: &str) -> Measured {
        Measured {
            failure: Some(why.to_owned()),
            ..Measured::default()
        }
    }

    fn doc(name: &str, kind: Kind, progenitor: bool, note: Option<&str>) -> Doc {
        Doc {
            name: name.to_owned(),
            kind,
            ours: PathBuf::from(format!("{name}.json")),
            progenitor: progenitor.then(|| PathBuf::from(format!("{name}.progenitor.json"))),
            note: note.map(str::to_owned),
            bytes: 150_000,
            schemas: 12,
            operations: 7,
        }
    }

    pub(crate) fn krate(check: &[f64], build: &[f64], failure: Option<&str>) -> Crate {
        let mut krate = Crate::new(PathBuf::from("crate"));
        krate.failure = failure.map(str::to_owned);
        krate.check = check.to_vec();
        krate.build = build.to_vec();
        krate.noop = Some(0.05);
        krate.check_peak_kib = vec![300_000; check.len()];
        krate.lines = Some(1000);
        krate
    }

    /// A small run touching every section of the report, built without measuring anything.
    pub(crate) fn results() -> Results {
        let root = root();
        let doc_result = |doc: Doc, ours: Measured, progenitor: Option<Measured>| DocResult {
            doc,
            ours,
            progenitor,
            ours_parse: measured(&[0.002], 1.0, 0),
            ours_lower: measured(&[0.005], 1.0, 0),
            serde_parse: Some(measured(&[0.003], 1.0, 0)),
        };
        let size = |n: usize, ours: f64, theirs: f64| SizeResult {
            n,
            bytes: n as u64 * 2000,
            ours: measured(&[ours, ours * 1.1], 20_000.0 + n as f64, 100),
            progenitor: measured(&[theirs], 30_000.0 + n as f64, 200),
        };
        Results {
            options: Options {
                corpus: root.join("../shared/corpus/dev"),
                github: Some(root.join("spec/github.json")),
                github_note: None,
                out: root.join("bench"),
                work: root.join("target/bench"),
                quick: false,
                compile: CompileSet::All,
                compile_runs: 5,
                rounds: 3,
                sizes: vec![10, 100, 1000],
                picks: 5,
                compile_github: false,
                openapi_generator: true,
                check_sizes: vec![],
                baseline: Some("abc1234".to_owned()),
            },
            screened: vec![
                Screened {
                    path: PathBuf::from("a.json"),
                    bytes: 10,
                    ours: None,
                    progenitor: None,
                },
                Screened {
                    path: PathBuf::from("b.json"),
                    bytes: 20,
                    ours: None,
                    progenitor: Some("panics: boom".to_owned()),
                },
                Screened {
                    path: PathBuf::from("c.json"),
                    bytes: 30,
                    ours: Some("error: bad".to_owned()),
                    progenitor: Some("timed out after 300 s".to_owned()),
                },
            ],
            docs: vec![
                doc_result(
                    doc("iothub-jobs", Kind::Jobs, true, Some("the 204 removed")),
                    measured(&[0.010, 0.012, 0.011], 30_000.0, 1200),
                    Some(measured(&[0.040, 0.044, 0.042], 60_000.0, 3000)),
                ),
                doc_result(
                    doc("petstore", Kind::Corpus, true, None),
                    measured(&[0.004], 25_000.0, 500),
                    Some(measured(&[0.009], 50_000.0, 900)),
                ),
                doc_result(
                    doc("api.github.com", Kind::Github, false, None),
                    measured(&[1.5, 1.6, 1.4], 900_000.0, 400_000),
                    Some(failed("panics: not | supported")),
                ),
            ],
            sizes: vec![
                size(10, 0.001, 0.004),
                size(100, 0.01, 0.05),
                size(1000, 0.1, 0.9),
            ],
            compile: vec![
                CompileResult {
                    name: "iothub-jobs".to_owned(),
                    ours: krate(&[1.0, 1.2], &[2.0, 2.4], None),
                    progenitor: krate(&[2.0, 2.2], &[4.0], None),
                    openapi_generator: Some(krate(&[4.0, 4.4], &[], None)),
                    baseline: Some(krate(&[2.0, 2.4], &[], None)),
                },
                CompileResult {
                    name: "petstore".to_owned(),
                    ours: krate(&[0.5], &[0.9], None),
                    progenitor: krate(&[], &[], Some("error: does not compile")),
                    openapi_generator: None,
                    baseline: None,
                },
            ],
            peer_note: None,
            check_sizes: vec![],
            baseline: Some(crate::baseline::Baseline::example()),
        }
    }

    /// Lines of every section of the markdown report, so that a change to its text shows.
    #[test]
    fn markdown_report_lines() {
        let md = markdown(&results());
        let expected = [
            "# Benchmarks: this generator and progenitor",
            "- Corpus `../shared/corpus/dev`: progenitor generated 1 of 3 documents (1 panics, \
             1 crashes or time-outs, the rest errors); ours generated 2. Picked, spread by size \
             among those both accept: `petstore`.",
            "- `iothub-jobs`: the 204 removed.",
            "- GitHub's REST API (`spec/github.json`, which `../shared/corpus/fetch-github.sh` \
             fetches): ours alone; progenitor is run once to show how it fails.",
            "| iothub-jobs | 146 KiB | 12 / 7 | 11.0 ms (10.0–12.0 ms) | 42.0 ms (40.0–44.0 ms) \
             | 0.26× | 5.5 ms (5.0–6.0 ms) | 21.0 ms (20.0–22.0 ms) | 0.26× |",
            "| api.github.com | 146 KiB | 12 / 7 | 1.50 s (1.40–1.60 s) | panics: not \\| supported \
             | – | 750.0 ms (700.0–800.0 ms) | – | – |",
            "| iothub-jobs | 29.3 MiB | 58.6 MiB | 0.50× |",
            "| api.github.com | 878.9 MiB | – | – |",
            "| iothub-jobs | 1200 | 3000 | 0.40× | 47 KiB | 117 KiB | 0.40× |",
            "| api.github.com | 400000 | – | – | 15.3 MiB | – | – |",
            "| iothub-jobs | 1.10 s (1.00–1.20 s) | 2.10 s (2.00–2.20 s) | 0.52× | 2.20 s (2.00–2.40 s) \
             | 4.00 s | 0.55× |",
            "| petstore | 500.0 ms | error: does not compile | – | 900.0 ms | error: does not compile | – |",
            "| iothub-jobs | 1000 | 1000 | 1.00× | 1.10 s (1.00–1.20 s) | 4.20 s (4.00–4.40 s) | 0.26× \
             | 293.0 MiB | 293.0 MiB | 1.00× | – |",
            "| iothub-jobs | 3.0 ms | 2.0 ms (18%) | 3.0 ms (27%) | 6.0 ms (55%) | 11.0 ms | 3.67× |",
            "| iothub-jobs | 1000 | 1000 | 1.00× | 1.10 s (1.00–1.20 s) | 2.20 s (2.00–2.40 s) | 0.50× \
             | 293.0 MiB | 293.0 MiB | 1.00× |",
            "| 1000 | 1.9 MiB | 105.0 ms (100.0–110.0 ms) | 20.5 MiB | 900.0 ms | 30.3 MiB | 0.12× |",
            "| generation time ≤ 0.5× progenitor's on every shared input | worst 0.44× (`petstore`); \
             all: 0.26, 0.44 | yes |",
            "| `cargo check` of the generated Jobs crate ≤ 0.8× progenitor's | 1.10 s vs 2.10 s = \
             0.52× | yes |",
            "| GitHub crate generated in under 2 s | 1.50 s | yes |",
        ];
        for line in expected {
            assert!(
                md.lines().any(|l| l == line),
                "missing line:\n{line}\nin:\n{md}"
            );
        }
        assert!(md.contains("the process's resident set before generating is 4.0 MiB).\n"));
        assert!(md.contains("no-op `cargo check` (cargo's own overhead) takes 50.0 ms. Where"));
        assert!(md.contains("Where our crates' check time goes: `bench/profile.md`.\n"));
        assert!(md.contains(
            "\nFitted exponent b of time ∝ nᵇ (least squares on log time against log n, all \
             sizes): ours 1.00, progenitor "
        ));
        assert!(md.contains("| scaling exponent ≤ 1.1 | 1.00 over all sizes (1.00 between the two largest) | yes |\n"));
        assert!(md.contains(
            "| generation never slower than progenitor's on a shared input | worst 0.44× | yes |\n"
        ));
        assert!(md.ends_with(
            "| netbox `cargo check` ≤ 0.5× the generator's at `abc1234` | – | not measured |\n"
        ));
        let sections: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(
            sections,
            [
                "## Inputs",
                "## Generation time",
                "## Peak memory",
                "## Generated code",
                "## Compile time of the generated crate",
                "## Against openapi-generator",
                "## Against this generator at `abc1234`",
                "## Where our time goes",
                "## Scaling",
                "## Targets",
            ]
        );
    }

    #[test]
    fn registry_paths_are_cut() {
        let text = "panics: boom at /h/.cargo/registry/src/index-1/pkg-0.1/src/a.rs:7";
        assert_eq!(
            without_registry_paths(text),
            "panics: boom at pkg-0.1/src/a.rs:7"
        );
    }

    /// Without GitHub's document, the note says why.
    #[test]
    fn markdown_report_github_note() {
        let mut results = results();
        results.options.github = None;
        results.options.github_note = Some("skipped (--no-github)".to_owned());
        results.compile.clear();
        results.sizes.clear();
        let md = markdown(&results);
        assert!(
            md.lines()
                .any(|l| l == "- GitHub's REST API: skipped (--no-github).")
        );
        assert!(!md.contains("## Compile time"));
        assert!(!md.contains("## Scaling"));
    }
}
