//! One measurement in a child process: read a document, run one generator (or one stage of
//! ours) on it several times, and print the times, the peak memory of the process and the
//! size of the output as one JSON line.
//!
//! Each measurement runs in a process of its own, so that its peak resident set (`VmHWM`)
//! is its own, and a generator that aborts (a stack overflow) takes down only that process.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a child process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// This generator, end to end: text → parse → lower → emit → format (`codegen::generate`).
    Ours,
    /// progenitor, end to end: `serde_json` → `openapiv3::OpenAPI` →
    /// `Generator::generate_tokens` → `syn::parse2` → `prettyplease::unparse`.
    Progenitor,
    /// Our parse stage alone (`codegen::parse::parse_converted`).
    OursParse,
    /// Our parse and lower stages (`codegen::lower_only`).
    OursLower,
    /// `serde_json::from_str` into `openapiv3::OpenAPI` alone: the least any generator that
    /// reads the document must do.
    SerdeParse,
}

impl Work {
    /// The name used on the command line and in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Work::Ours => "ours",
            Work::Progenitor => "progenitor",
            Work::OursParse => "ours-parse",
            Work::OursLower => "ours-lower",
            Work::SerdeParse => "serde-parse",
        }
    }

    fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            "ours" => Work::Ours,
            "progenitor" => Work::Progenitor,
            "ours-parse" => Work::OursParse,
            "ours-lower" => Work::OursLower,
            "serde-parse" => Work::SerdeParse,
            other => bail!("unknown work `{other}`"),
        })
    }
}

/// How many times to run: at least `min_runs`, then more until `budget` is spent or
/// `max_runs` is reached, after `warmup` untimed runs.
#[derive(Debug, Clone, Copy)]
pub struct Runs {
    /// Untimed runs first (the first is reported as the cold time).
    pub warmup: usize,
    /// At least this many timed runs.
    pub min_runs: usize,
    /// At most this many timed runs.
    pub max_runs: usize,
    /// Stop adding runs (beyond `min_runs`) once this much time has been spent.
    pub budget: Duration,
}

impl Runs {
    /// The arguments that pass these settings to a child.
    pub fn args(self) -> Vec<String> {
        vec![
            "--warmup".into(),
            self.warmup.to_string(),
            "--min-runs".into(),
            self.min_runs.to_string(),
            "--max-runs".into(),
            self.max_runs.to_string(),
            "--budget-ms".into(),
            self.budget.as_millis().to_string(),
        ]
    }
}

/// The size of what a generator wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputSize {
    /// Files.
    pub files: usize,
    /// Lines in every file.
    pub lines: usize,
    /// Bytes in every file.
    pub bytes: usize,
}

impl OutputSize {
    fn add(&mut self, contents: &str) {
        self.files += 1;
        self.lines += contents.lines().count();
        self.bytes += contents.len();
    }

    fn to_json(self) -> Value {
        json!({
            "files": self.files, "lines": self.lines, "bytes": self.bytes,
        })
    }
}

/// The panic message of the last panic, recorded by the hook [`quiet_panics`] installs.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Replaces the panic hook with one that records the message and its location instead of
/// printing them, so that a generator's panic becomes a row of the report.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_owned());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{}{at}", first_line(&message)));
        }
    }));
}

/// Why one run did not produce output.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The generator panicked (message and location).
    Panic(String),
    /// The generator returned an error.
    Error(String),
}

impl Failure {
    /// The failure as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Failure::Panic(m) => json!({"kind": "panic", "message": m}),
            Failure::Error(m) => json!({"kind": "error", "message": m}),
        }
    }
}

/// Runs progenitor the way its documentation's `build.rs` does.
pub fn progenitor(text: &str) -> Result<String, String> {
    let spec: openapiv3::OpenAPI =
        serde_json::from_str(text).map_err(|e| format!("serde_json: {e}"))?;
    let tokens = progenitor::Generator::default()
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("syn: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// Runs this generator the way `openapi-rust-codegen generate` does.
pub fn ours(path: &str, text: &str) -> Result<codegen::Output, String> {
    let input = codegen::Input::new(path, text, "openapi-rust-codegen generate");
    codegen::generate(&input).map_err(|e| first_line(&e.to_string()))
}

/// The first line of `text`, at most 300 characters.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut short: String = line.chars().take(300).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}

/// One run of `work`: the size of its output (for generators), or why it failed.
fn run_once(work: Work, path: &str, text: &str) -> Result<Option<OutputSize>, Failure> {
    let outcome = catch_unwind(AssertUnwindSafe(
        || -> Result<Option<OutputSize>, String> {
            match work {
                Work::Ours => {
                    let output = ours(path, text)?;
                    let mut size = OutputSize::default();
                    for file in &output.files {
                        size.add(&file.contents);
                    }
                    Ok(Some(size))
                }
                Work::Progenitor => {
                    let code = progenitor(text)?;
                    let mut size = OutputSize::default();
                    size.add(&code);
                    Ok(Some(size))
                }
                Work::OursParse => codegen::parse::parse_converted(path, text)
                    .map(|_| None)
                    .map_err(|e| first_line(&e.to_string())),
                Work::OursLower => codegen::lower_only(path, text)
                    .map(|_| None)
                    .map_err(|e| first_line(&e.to_string())),
                Work::SerdeParse => serde_json::from_str::<openapiv3::OpenAPI>(text)
                    .map(|_| None)
                    .map_err(|e| e.to_string()),
            }
        },
    ));
    match outcome {
        Ok(Ok(size)) => Ok(size),
        Ok(Err(message)) => Err(Failure::Error(message)),
        Err(_) => Err(Failure::Panic(
            LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut m| m.take())
                .unwrap_or_else(|| "(no message)".to_owned()),
        )),
    }
}

/// A value from `/proc/self/status` in KiB (`VmHWM`, `VmRSS`), 0 where there is none.
pub fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                let rest = line.strip_prefix(field)?.strip_prefix(':')?;
                rest.trim().trim_end_matches("kB").trim().parse().ok()
            })
        })
        .unwrap_or(0)
}

/// The CPU time of this process, in seconds (`CLOCK_PROCESS_CPUTIME_ID`): every thread,
/// user and system, with the time spent waiting for a CPU left out, so that what other
/// processes on the machine do counts less than in wall-clock time. The child runs nothing
/// but the measured work (ours runs its pipeline on a thread of its own, which is counted).
pub fn cpu_seconds() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// `codegen-bench measure --work WORK --input FILE [--warmup N --min-runs N --max-runs N
/// --budget-ms MS]`: prints one JSON object.
pub fn child(args: &[&str]) -> Result<()> {
    let (mut work, mut input) = (None, None);
    let mut runs = Runs {
        warmup: 1,
        min_runs: 3,
        max_runs: 20,
        budget: Duration::from_secs(3),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().copied().context("option needs a value");
        match *arg {
            "--work" => work = Some(Work::from_name(value()?)?),
            "--input" => input = Some(value()?.to_owned()),
            "--warmup" => runs.warmup = value()?.parse()?,
            "--min-runs" => runs.min_runs = value()?.parse()?,
            "--max-runs" => runs.max_runs = value()?.parse()?,
            "--budget-ms" => runs.budget = Duration::from_millis(value()?.parse()?),
            other => bail!("unknown measure option `{other}`"),
        }
    }
    let work = work.context("--work is required")?;
    let path = input.context("--input is required")?;
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    quiet_panics();
    let start_rss = status_kib("VmRSS");
    let mut cold = None;
    let mut times = Vec::new();
    let mut cpu_times = Vec::new();
    let mut size = None;
    let mut failure = None;
    let started = Instant::now();
    let total = runs.warmup + runs.max_runs;
    for i in 0..total {
        if i >= runs.warmup + runs.min_runs && started.elapsed() >= runs.budget {
            break;
        }
        let cpu = cpu_seconds();
        let t = Instant::now();
        let result = run_once(work, &path, &text);
        let elapsed = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu;
        match result {
            Ok(s) => size = s,
            Err(f) => {
                failure = Some(f);
                break;
            }
        }
        if i == 0 {
            cold = Some(elapsed);
        }
        if i >= runs.warmup {
            times.push(elapsed);
            cpu_times.push(cpu);
        }
    }
    let report = json!({
        "work": work.name(),
        "input": path,
        "cold_s": cold,
        "times_s": times,
        "cpu_times_s": cpu_times,
        "start_rss_kib": start_rss,
        "peak_rss_kib": status_kib("VmHWM"),
        "output": size.map(OutputSize::to_json),
        "failure": failure.as_ref().map(Failure::to_json),
    });
    println!("{report}");
    Ok(())
}
