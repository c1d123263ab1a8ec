//! `codegen-bench run`: every measurement, then the report.

use crate::child::{Measured, alternate, measure};
use crate::compile::{self, Crate};
use crate::inputs::{self, Doc, Kind};
use crate::measure::{Runs, Work};
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One run, no warm-up: for recording how a generator fails, not for timing.
const ONCE: Runs = Runs {
    warmup: 0,
    min_runs: 1,
    max_runs: 1,
    budget: Duration::ZERO,
};

/// The repository root (this crate is `xtask/bench/`).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .unwrap_or(manifest)
        .to_path_buf()
}

/// Which generated crates to compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileSet {
    /// None.
    None,
    /// The Jobs crates only.
    Jobs,
    /// The Jobs crates and the corpus documents' crates.
    All,
}

/// The command line of `run`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The corpus folder.
    pub corpus: PathBuf,
    /// GitHub's document (`None`: skipped).
    pub github: Option<PathBuf>,
    /// Why GitHub's document is missing, when it is.
    pub github_note: Option<String>,
    /// Where the report goes (`bench/`).
    pub out: PathBuf,
    /// Scratch space (`target/bench/`).
    pub work: PathBuf,
    /// Fewer runs and sizes, for a smoke test.
    pub quick: bool,
    /// Which generated crates to compile.
    pub compile: CompileSet,
    /// Runs of `cargo check`/`cargo build` per crate.
    pub compile_runs: usize,
    /// Rounds of child processes per generator and document.
    pub rounds: usize,
    /// Sizes of the synthetic documents.
    pub sizes: Vec<usize>,
    /// How many corpus documents to pick.
    pub picks: usize,
    /// Also `cargo check` GitHub's crates, ours and openapi-generator's (minutes and GBs).
    pub compile_github: bool,
    /// Compile openapi-generator's crates too (skipped anyway when `java` is missing).
    pub openapi_generator: bool,
    /// Sizes of the synthetic documents whose crates get `cargo check`ed (none by default).
    pub check_sizes: Vec<usize>,
    /// A git revision of this generator whose crates are checked beside ours (`--baseline`).
    pub baseline: Option<String>,
}

const USAGE: &str = "usage: codegen-bench run [--corpus DIR] [--github FILE | --no-github] [--out DIR] \
[--quick] [--compile none|jobs|all] [--compile-github] [--no-openapi-generator] [--check-sizes 10,100,...] [--baseline REV] [--compile-runs N] [--rounds N] [--sizes 10,100,...] [--picks N]";

impl Options {
    /// Reads the command line.
    pub fn parse(args: &[&str]) -> Result<Self> {
        let root = root();
        let mut options = Options {
            corpus: root.join("../shared/corpus/dev"),
            github: None,
            github_note: None,
            out: root.join("bench"),
            work: root.join("target/bench"),
            quick: false,
            compile: CompileSet::All,
            compile_runs: 5,
            rounds: 3,
            sizes: vec![10, 100, 1000, 10000],
            picks: 5,
            compile_github: false,
            openapi_generator: true,
            check_sizes: Vec::new(),
            baseline: None,
        };
        let (mut github, mut no_github) = (None, false);
        let (mut compile_runs, mut rounds, mut sizes, mut compile) = (None, None, None, None);
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .copied()
                    .with_context(|| format!("{arg} needs a value\n{USAGE}"))
            };
            match *arg {
                "--corpus" => options.corpus = PathBuf::from(value()?),
                "--github" => github = Some(PathBuf::from(value()?)),
                "--no-github" => no_github = true,
                "--out" => options.out = PathBuf::from(value()?),
                "--quick" => options.quick = true,
                "--compile" => {
                    compile = Some(match value()? {
                        "none" => CompileSet::None,
                        "jobs" => CompileSet::Jobs,
                        "all" => CompileSet::All,
                        other => bail!("--compile takes none, jobs or all, not `{other}`"),
                    })
                }
                "--compile-github" => options.compile_github = true,
                "--no-openapi-generator" => options.openapi_generator = false,
                "--compile-runs" => compile_runs = Some(value()?.parse()?),
                "--rounds" => rounds = Some(value()?.parse()?),
                "--check-sizes" => {
                    options.check_sizes = value()?.split(',').map(str::parse).collect::<Result<
                        Vec<usize>,
                        _,
                    >>(
                    )?
                }
                "--sizes" => {
                    sizes = Some(
                        value()?
                            .split(',')
                            .map(str::parse)
                            .collect::<Result<Vec<usize>, _>>()?,
                    )
                }
                "--picks" => options.picks = value()?.parse()?,
                "--baseline" => options.baseline = Some(value()?.to_owned()),
                "--help" | "-h" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => bail!("unknown option `{other}`\n{USAGE}"),
            }
        }
        if options.quick {
            options.compile_runs = 1;
            options.rounds = 1;
            options.sizes = vec![10, 100, 1000];
            options.compile = CompileSet::Jobs;
        }
        options.compile = compile.unwrap_or(options.compile);
        options.compile_runs = compile_runs.unwrap_or(options.compile_runs);
        options.rounds = rounds.unwrap_or(options.rounds).max(1);
        options.sizes = sizes.unwrap_or(options.sizes);
        if !no_github {
            match github {
                Some(path) => options.github = Some(path),
                None => match default_github(&root) {
                    Ok(path) => options.github = Some(path),
                    Err(error) => options.github_note = Some(format!("skipped: {error:#}")),
                },
            }
        } else {
            options.github_note = Some("skipped (--no-github)".to_owned());
        }
        Ok(options)
    }

    fn runs(&self, large: bool) -> Runs {
        match (self.quick, large) {
            (true, _) => Runs {
                warmup: 1,
                min_runs: 1,
                max_runs: 3,
                budget: Duration::from_millis(500),
            },
            (false, false) => Runs {
                warmup: 1,
                min_runs: 5,
                max_runs: 20,
                budget: Duration::from_secs(2),
            },
            (false, true) => Runs {
                warmup: 1,
                min_runs: 3,
                max_runs: 5,
                budget: Duration::from_secs(10),
            },
        }
    }
}

/// The path `../shared/corpus/fetch-github.sh` prints (it fetches the document once).
fn default_github(root: &Path) -> Result<PathBuf> {
    let script = root.join("../shared/corpus/fetch-github.sh");
    if !script.exists() {
        bail!("{} not found", script.display());
    }
    let output = std::process::Command::new("bash")
        .arg(&script)
        .output()
        .context("running fetch-github.sh")?;
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if !output.status.success() || !path.is_file() {
        bail!(
            "fetch-github.sh failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(path)
}

/// How a corpus document fared in the screening run.
#[derive(Debug, Clone)]
pub struct Screened {
    /// The document.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Our failure, if any.
    pub ours: Option<String>,
    /// progenitor's failure, if any.
    pub progenitor: Option<String>,
}

/// One document's generation figures.
#[derive(Debug, Clone)]
pub struct DocResult {
    /// The document.
    pub doc: Doc,
    /// Ours, end to end.
    pub ours: Measured,
    /// progenitor, end to end (`None`: not run).
    pub progenitor: Option<Measured>,
    /// Our parse stage.
    pub ours_parse: Measured,
    /// Our parse and lower stages.
    pub ours_lower: Measured,
    /// `serde_json` → `openapiv3` alone, on progenitor's (JSON) copy or the document.
    pub serde_parse: Option<Measured>,
}

/// One size of the scaling run.
#[derive(Debug, Clone)]
pub struct SizeResult {
    /// Schemas (and operations).
    pub n: usize,
    /// The document's size in bytes.
    pub bytes: u64,
    /// Ours.
    pub ours: Measured,
    /// progenitor.
    pub progenitor: Measured,
}

/// The compile figures of one document.
#[derive(Debug, Clone)]
pub struct CompileResult {
    /// The document's name.
    pub name: String,
    /// Our crate.
    pub ours: Crate,
    /// progenitor's crate (failed, saying so, where progenitor did not generate).
    pub progenitor: Crate,
    /// openapi-generator's crate (`None`: not run).
    pub openapi_generator: Option<Crate>,
    /// The baseline generator's crate (`None`: no `--baseline`).
    pub baseline: Option<Crate>,
}

/// Everything measured.
#[derive(Debug, Clone)]
pub struct Results {
    /// The options of the run.
    pub options: Options,
    /// The corpus screening.
    pub screened: Vec<Screened>,
    /// Generation figures, per document (Jobs, corpus picks, GitHub).
    pub docs: Vec<DocResult>,
    /// The scaling run.
    pub sizes: Vec<SizeResult>,
    /// Compile figures.
    pub compile: Vec<CompileResult>,
    /// Why openapi-generator was not run, when it was not.
    pub peer_note: Option<String>,
    /// `cargo check` of the synthetic documents' crates.
    pub check_sizes: Vec<crate::check_scaling::CheckSize>,
    /// The generator whose crates were checked beside ours (`--baseline`).
    pub baseline: Option<crate::baseline::Baseline>,
}

const TIMEOUT: Duration = Duration::from_secs(900);

/// Runs every measurement and writes the report.
pub fn run(options: Options) -> Result<()> {
    let inputs_dir = options.work.join("inputs");
    fs::create_dir_all(&inputs_dir)?;
    fs::create_dir_all(&options.out)?;
    let root = root();

    let mut docs = vec![jobs_doc(&root, &inputs_dir)?];
    let (screened, picks) = corpus_docs(&options)?;
    docs.extend(picks);
    if let Some(github) = &options.github {
        docs.push(Doc::new("api.github.com", Kind::Github, github, None)?);
    }
    let results: Vec<DocResult> = docs
        .iter()
        .map(|doc| measure_generation(&options, doc))
        .collect();
    let sizes = measure_scaling(&options, &inputs_dir)?;
    let baseline = match &options.baseline {
        Some(rev) if options.compile != CompileSet::None || options.compile_github => {
            Some(crate::baseline::prepare(rev, &options.work)?)
        }
        _ => None,
    };
    let (compiled, peer_note) = measure_compile(&options, &results, baseline.as_ref())?;
    let check_sizes = crate::check_scaling::measure(&options)?;

    let results = Results {
        options,
        screened,
        docs: results,
        sizes,
        compile: compiled,
        peer_note,
        check_sizes,
        baseline,
    };
    crate::report::write(&results)
}

/// The Jobs spec (`spec/iothub-jobs.yaml`) as JSON, with progenitor's copy (without the 204 and
/// with the `default`s replaced); its note says how progenitor fares on the document as it is
/// and with one change only.
fn jobs_doc(root: &Path, inputs_dir: &Path) -> Result<Doc> {
    let jobs_spec = root.join("spec/iothub-jobs.yaml");
    let jobs_copy = inputs_dir.join("iothub-jobs.progenitor.json");
    let mut note = inputs::jobs_for_progenitor(&jobs_spec, &jobs_copy, true, true)?;
    // Why both changes: progenitor on the document as it is and with one change only.
    let once = ONCE;
    for (remove_204, replace_defaults, what) in [
        (false, false, "as it is"),
        (true, false, "with only the 204 removed"),
        (false, true, "with only the `default`s replaced"),
    ] {
        let variant = inputs_dir.join(format!(
            "iothub-jobs.variant-{remove_204}-{replace_defaults}.json"
        ));
        inputs::jobs_for_progenitor(&jobs_spec, &variant, remove_204, replace_defaults)?;
        let outcome = measure(Work::Progenitor, &variant, once, TIMEOUT);
        note.push_str(&format!(
            "; {what}, progenitor {}",
            outcome
                .failure
                .as_deref()
                .map_or("generates".to_owned(), |f| f
                    .split(" at /")
                    .next()
                    .unwrap_or(f)
                    .to_owned())
        ));
    }
    let jobs_json = inputs_dir.join("iothub-jobs.json");
    inputs::jobs_as_json(&jobs_spec, &jobs_json)?;
    let mut jobs = Doc::new("iothub-jobs", Kind::Jobs, &jobs_json, Some(jobs_copy))?;
    jobs.note = Some(note);
    Ok(jobs)
}

/// Screens the corpus and picks documents both generators accept, spread by size.
fn corpus_docs(options: &Options) -> Result<(Vec<Screened>, Vec<Doc>)> {
    eprintln!("screening {}", options.corpus.display());
    let screened = screen(&options.corpus)?;
    let mut accepted: Vec<&Screened> = screened
        .iter()
        .filter(|s| s.ours.is_none() && s.progenitor.is_none())
        .collect();
    accepted.sort_by_key(|s| s.bytes);
    let mut picks = Vec::new();
    for pick in inputs::spread(&accepted, options.picks) {
        let name = pick
            .path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("doc");
        picks.push(Doc::new(
            name,
            Kind::Corpus,
            &pick.path,
            Some(pick.path.clone()),
        )?);
    }
    Ok((screened, picks))
}

/// Times one document: ours and progenitor alternated (on GitHub's document, which progenitor
/// has no copy of, progenitor runs once to record how it fails), then our stages and the plain
/// parse.
fn measure_generation(options: &Options, doc: &Doc) -> DocResult {
    eprintln!("generating {}", doc.name);
    let large = doc.bytes > 2_000_000;
    let runs = options.runs(large);
    let (ours, progenitor) = match &doc.progenitor {
        Some(copy) => {
            let mut pair = alternate(
                &[(Work::Ours, &doc.ours), (Work::Progenitor, copy)],
                runs,
                options.rounds,
                TIMEOUT,
            );
            let progenitor = pair.pop();
            (pair.pop().unwrap_or_default(), progenitor)
        }
        None => {
            let ours = alternate(&[(Work::Ours, &doc.ours)], runs, options.rounds, TIMEOUT);
            // progenitor once, to record how it fails.
            let once = ONCE;
            let progenitor = if doc.kind == Kind::Github {
                Some(measure(Work::Progenitor, &doc.ours, once, TIMEOUT))
            } else {
                None
            };
            (ours.into_iter().next().unwrap_or_default(), progenitor)
        }
    };
    let stage_rounds = if doc.kind == Kind::Github {
        options.rounds
    } else {
        1
    };
    let json_copy = doc.progenitor.as_deref().unwrap_or(&doc.ours);
    let mut stages = alternate(
        &[
            (Work::OursParse, &doc.ours),
            (Work::OursLower, &doc.ours),
            (Work::SerdeParse, json_copy),
        ],
        runs,
        stage_rounds,
        TIMEOUT,
    );
    let serde_parse = stages.pop();
    let ours_lower = stages.pop().unwrap_or_default();
    let ours_parse = stages.pop().unwrap_or_default();
    DocResult {
        doc: doc.clone(),
        ours,
        progenitor,
        ours_parse,
        ours_lower,
        serde_parse,
    }
}

/// Writes the synthetic document of each size and times both generators on it.
fn measure_scaling(options: &Options, inputs_dir: &Path) -> Result<Vec<SizeResult>> {
    let mut sizes = Vec::new();
    for &n in &options.sizes {
        eprintln!("scaling: n = {n}");
        let path = inputs_dir.join(format!("synthetic-{n}.json"));
        let text = serde_json::to_string_pretty(&inputs::synthetic(n))?;
        fs::write(&path, &text)?;
        let large = n >= 10_000;
        let runs = options.runs(large);
        let rounds = if large { 1 } else { options.rounds };
        let mut pair = alternate(
            &[(Work::Ours, &path), (Work::Progenitor, &path)],
            runs,
            rounds,
            TIMEOUT,
        );
        let progenitor = pair.pop().unwrap_or_default();
        let ours = pair.pop().unwrap_or_default();
        sizes.push(SizeResult {
            n,
            bytes: text.len() as u64,
            ours,
            progenitor,
        });
    }
    Ok(sizes)
}

/// Writes and times `cargo check` and `cargo build` of the crates of each document the
/// options ask for: ours, progenitor's where it generated, openapi-generator's (GitHub's,
/// with `--compile-github`: `cargo check` only) and the baseline generator's. Returns why
/// openapi-generator was not run, when it was not.
fn measure_compile(
    options: &Options,
    results: &[DocResult],
    baseline: Option<&crate::baseline::Baseline>,
) -> Result<(Vec<CompileResult>, Option<String>)> {
    let mut compiled = Vec::new();
    let crates_dir = options.work.join("crates");
    let target_dir = options.work.join("target");
    let wanted = |kind: Kind| match (options.compile, kind) {
        (_, Kind::Github) => options.compile_github,
        (CompileSet::None, _) => false,
        (CompileSet::Jobs, kind) => kind == Kind::Jobs,
        (CompileSet::All, _) => true,
    };
    let mut peer_note = None;
    let mut cli = None;
    if !options.openapi_generator {
        peer_note = Some("openapi-generator: not run (`--no-openapi-generator`).".to_owned());
    } else if results.iter().any(|r| wanted(r.doc.kind)) {
        match crate::peer::install(&options.work) {
            Ok(path) => cli = Some(path),
            Err(error) => {
                eprintln!("{error:#}");
                peer_note = Some(format!("openapi-generator: not run ({error:#})."));
            }
        }
    }
    for result in results {
        if !wanted(result.doc.kind) || result.ours.failure.is_some() {
            continue;
        }
        eprintln!("compiling {}", result.doc.name);
        let mut ours = compile::write_ours(&result.doc, &crates_dir)?;
        let progenitor_generated = result
            .progenitor
            .as_ref()
            .is_some_and(|p| p.failure.is_none())
            && result.doc.progenitor.is_some();
        let mut progenitor = if progenitor_generated {
            compile::write_progenitor(&result.doc, &crates_dir)?
        } else {
            Crate::failed(
                crates_dir.clone(),
                "progenitor did not generate the document",
            )
        };
        // On Jobs, the copy with only the case-colliding property dropped (see `peer`).
        let input = match result.doc.kind {
            Kind::Jobs => options
                .work
                .join("inputs/iothub-jobs.variant-false-false.json"),
            _ => result.doc.ours.clone(),
        };
        let mut openapi_generator = cli
            .as_deref()
            .map(|cli| crate::peer::write(cli, &result.doc, &input, &crates_dir));
        let large = result.doc.kind == Kind::Github;
        let runs = match result.doc.kind {
            Kind::Jobs => options.compile_runs,
            Kind::Corpus => options.compile_runs.div_ceil(2).max(1),
            Kind::Github => 1,
        };
        let mut base = baseline.map(|b| crate::baseline::write(b, &result.doc, &crates_dir));
        let mut crates: Vec<&mut Crate> = vec![&mut ours, &mut progenitor];
        crates.extend(openapi_generator.as_mut());
        crates.extend(base.as_mut());
        compile::time_crates(&mut crates, &target_dir, runs, !large)?;
        compiled.push(CompileResult {
            name: result.doc.name.clone(),
            ours,
            progenitor,
            openapi_generator,
            baseline: base,
        });
    }
    Ok((compiled, peer_note))
}

/// Runs both generators once on every corpus document, each in its own process.
fn screen(dir: &Path) -> Result<Vec<Screened>> {
    let once = ONCE;
    let mut screened = Vec::new();
    for path in inputs::documents_in(dir)? {
        let bytes = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let progenitor = measure(Work::Progenitor, &path, once, Duration::from_secs(300));
        let ours = measure(Work::Ours, &path, once, Duration::from_secs(300));
        screened.push(Screened {
            path,
            bytes,
            ours: ours.failure,
            progenitor: progenitor.failure,
        });
    }
    Ok(screened)
}
