//! Starting measurement children and collecting what they print.

use crate::measure::{Runs, Work};
use crate::stats::Summary;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one or more child processes measured for one kind of work on one document.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// Timed runs, wall-clock seconds, over every child.
    pub times: Vec<f64>,
    /// The same runs' CPU time (every thread of the child), in seconds.
    pub cpu: Vec<f64>,
    /// The first run of each child, in seconds.
    pub cold: Vec<f64>,
    /// The peak resident set (`VmHWM`) of each child, in KiB.
    pub peaks: Vec<f64>,
    /// The resident set of each child before the work, in KiB.
    pub starts: Vec<f64>,
    /// The size of the output, from the last child that produced one.
    pub output: Option<Value>,
    /// Why the work failed (`panics: …`, `error: …`, `crashed: …`, `timed out …`).
    pub failure: Option<String>,
}

impl Measured {
    /// The summary of the timed runs' CPU time (wall-clock time where there is none).
    pub fn time(&self) -> Option<Summary> {
        Summary::of(if self.cpu.is_empty() {
            &self.times
        } else {
            &self.cpu
        })
    }

    /// The summary of the timed runs' wall-clock time.
    pub fn wall(&self) -> Option<Summary> {
        Summary::of(&self.times)
    }

    /// The summary of the peak resident sets.
    pub fn memory(&self) -> Option<Summary> {
        Summary::of(&self.peaks)
    }

    /// The median CPU time.
    pub fn median(&self) -> Option<f64> {
        self.time().map(|s| s.median)
    }

    /// A figure of the output (`files`, `lines`, `bytes`).
    pub fn output_figure(&self, name: &str) -> Option<f64> {
        self.output.as_ref()?.get(name)?.as_f64()
    }

    fn merge(&mut self, other: Measured) {
        self.times.extend(other.times);
        self.cpu.extend(other.cpu);
        self.cold.extend(other.cold);
        self.peaks.extend(other.peaks);
        self.starts.extend(other.starts);
        if other.output.is_some() {
            self.output = other.output;
        }
        if self.failure.is_none() {
            self.failure = other.failure;
        }
    }

    /// The figures as JSON, with every sample.
    pub fn to_json(&self) -> Value {
        json!({
            "wall_s": self.wall().map(|s| s.to_json(&self.times)),
            "cpu_s": Summary::of(&self.cpu).map(|s| s.to_json(&self.cpu)),
            "cold_s": self.cold,
            "peak_rss_kib": self.memory().map(|s| s.to_json(&self.peaks)),
            "start_rss_kib": self.starts,
            "output": self.output,
            "failure": self.failure,
        })
    }
}

/// Runs `work` on `input` in a child process (this binary's `measure`), killed after
/// `timeout`.
pub fn measure(work: Work, input: &Path, runs: Runs, timeout: Duration) -> Measured {
    let mut failed = Measured::default();
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => {
            failed.failure = Some(format!("no executable: {error}"));
            return failed;
        }
    };
    let child = Command::new(exe)
        .args(["measure", "--work", work.name(), "--input"])
        .arg(input)
        .args(runs.args())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => {
            failed.failure = Some(format!("could not start: {error}"));
            return failed;
        }
    };
    // Drain both pipes on threads, and wait by polling, so that a generator that runs away
    // can be stopped.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break None,
        }
    };
    let (stdout, stderr) = (
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default(),
    );
    let Some(status) = status else {
        failed.failure = Some(format!("timed out after {} s", timeout.as_secs()));
        return failed;
    };
    let stdout = String::from_utf8_lossy(&stdout);
    let Some(report) = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
    else {
        let stderr = String::from_utf8_lossy(&stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        failed.failure = Some(format!(
            "crashed ({status}): {}",
            last.chars().take(200).collect::<String>()
        ));
        return failed;
    };
    let numbers = |key: &str| -> Vec<f64> {
        report[key]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    Measured {
        times: numbers("times_s"),
        cpu: numbers("cpu_times_s"),
        cold: report["cold_s"].as_f64().into_iter().collect(),
        peaks: report["peak_rss_kib"].as_f64().into_iter().collect(),
        starts: report["start_rss_kib"].as_f64().into_iter().collect(),
        output: report.get("output").filter(|o| !o.is_null()).cloned(),
        failure: report["failure"].as_object().map(|f| {
            let kind = f.get("kind").and_then(Value::as_str).unwrap_or("error");
            let message = f.get("message").and_then(Value::as_str).unwrap_or("");
            let kind = if kind == "panic" { "panics" } else { kind };
            format!("{kind}: {message}")
        }),
    }
}

/// Runs each of `works` on its input in `rounds` rounds of one child each, alternating the
/// order from round to round so that both share the machine's noise.
pub fn alternate(
    works: &[(Work, &Path)],
    runs: Runs,
    rounds: usize,
    timeout: Duration,
) -> Vec<Measured> {
    let mut results = vec![Measured::default(); works.len()];
    for round in 0..rounds {
        let order: Vec<usize> = if round % 2 == 0 {
            (0..works.len()).collect()
        } else {
            (0..works.len()).rev().collect()
        };
        for i in order {
            if results[i].failure.is_some() {
                continue;
            }
            let (work, input) = works[i];
            let measured = measure(work, input, runs, timeout);
            results[i].merge(measured);
        }
    }
    results
}
