//! `cargo xtask corpus DIR --tree`: generation alone (client and server, in memory, no file
//! written, no `cargo check`) over every document under DIR, at the scale of a public
//! directory of APIs. Each document is generated in a child process of this binary (`cargo
//! xtask corpus-one`), so that a hang is killed at the time limit and an abort (a stack
//! overflow, memory exhausted) is counted against its document instead of ending the run;
//! the child also catches panics. The report groups refusals by cause ([`cause`]), counts
//! warnings, and lists the slowest documents.

use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How the tree run is bounded and parallelised.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A child still running after this long is killed and its document counted as a timeout.
    pub timeout: Duration,
    /// Documents that take longer than this are listed as slow.
    pub slow: Duration,
    /// Children run at once.
    pub jobs: usize,
}

/// What became of one document.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Generated {
        warnings: usize,
        lines: usize,
    },
    Refused {
        errors: usize,
        cause: String,
        message: String,
    },
    Panic(String),
    /// The child ended without a verdict (an abort, a signal).
    Crashed(String),
    Timeout,
}

#[derive(Debug, Clone)]
struct Record {
    name: String,
    outcome: Outcome,
    /// Generation time as the child measured it (wall time for a timeout or a crash).
    seconds: f64,
    /// Normalised warning messages and how often each occurred.
    warning_causes: Vec<(usize, String)>,
}

/// Every `.json`/`.yaml`/`.yml` file under `dir`, sorted, as (relative name, path).
fn documents(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let entries =
            fs::read_dir(&folder).with_context(|| format!("listing {}", folder.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            ) {
                let name = path.strip_prefix(dir).unwrap_or(&path);
                let name = name.to_string_lossy().replace('\\', "/");
                found.push((name, path));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Runs every document under `dir` and writes `target/corpus/tree-report.md`. The report is
/// rewritten every 100 documents, so an interrupted run still leaves one.
pub fn run(dir: &Path, limits: Limits) -> Result<()> {
    let docs = documents(dir)?;
    let work = super::super::regen::root().join("target/corpus/tree");
    fs::create_dir_all(&work)?;
    let report_path = work.with_file_name("tree-report.md");
    let exe = std::env::current_exe().context("finding the xtask binary")?;
    let started = Instant::now();
    let mut records: Vec<Record> = Vec::new();
    let mut running: Vec<(usize, Child, Instant, PathBuf)> = Vec::new();
    let mut next = 0;
    while next < docs.len() || !running.is_empty() {
        while running.len() < limits.jobs.max(1) && next < docs.len() {
            let (name, path) = &docs[next];
            let out = work.join(format!("child-{next}.out"));
            let child = Command::new(&exe)
                .args(["corpus-one", "--name", name])
                .arg(path)
                .stdin(Stdio::null())
                .stdout(Stdio::from(fs::File::create(&out)?))
                .stderr(Stdio::null())
                .spawn()
                .context("starting a child")?;
            running.push((next, child, Instant::now(), out));
            next += 1;
        }
        std::thread::sleep(Duration::from_millis(10));
        let mut i = 0;
        while i < running.len() {
            let (index, child, began, out) = &mut running[i];
            let elapsed = began.elapsed();
            let status = child.try_wait()?;
            if status.is_none() && elapsed < limits.timeout {
                i += 1;
                continue;
            }
            if status.is_none() {
                child.kill().ok();
                child.wait()?;
            }
            let text = fs::read_to_string(&*out).unwrap_or_default();
            fs::remove_file(&*out).ok();
            let verdict = match status {
                None => Some(Outcome::Timeout),
                Some(status) if !status.success() => Some(Outcome::Crashed(status.to_string())),
                Some(_) => None,
            };
            let record = parse_child(&docs[*index].0, &text, elapsed.as_secs_f64(), verdict);
            eprintln!(
                "[{}/{}] {:.2} s {} {}",
                records.len() + 1,
                docs.len(),
                record.seconds,
                record.name,
                short_outcome(&record.outcome)
            );
            records.push(record);
            running.swap_remove(i);
            if records.len() % 100 == 0 {
                fs::write(
                    &report_path,
                    report(dir, &records, docs.len(), limits, started),
                )?;
            }
        }
    }
    records.sort_by(|a, b| a.name.cmp(&b.name));
    let text = report(dir, &records, docs.len(), limits, started);
    println!("{text}");
    fs::write(&report_path, &text)?;
    eprintln!("report written to {}", report_path.display());
    Ok(())
}

fn short_outcome(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Generated { warnings, .. } => format!("ok ({warnings} warnings)"),
        Outcome::Refused { errors, cause, .. } => format!("refused ({errors} errors): {cause}"),
        Outcome::Panic(message) => format!("PANIC: {message}"),
        Outcome::Crashed(status) => format!("CRASHED: {status}"),
        Outcome::Timeout => "TIMEOUT".to_owned(),
    }
}

/// Reads a child's lines (see [`one`]); `verdict` overrides them when the child was killed or
/// failed.
fn parse_child(name: &str, text: &str, wall: f64, verdict: Option<Outcome>) -> Record {
    let mut record = Record {
        name: name.to_owned(),
        outcome: Outcome::Crashed("no verdict".to_owned()),
        seconds: wall,
        warning_causes: Vec::new(),
    };
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let number = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<usize>().ok())
                .unwrap_or(0)
        };
        let field = |i: usize| fields.get(i).copied().unwrap_or("").to_owned();
        match fields[0] {
            "seconds" => {
                record.seconds = fields.get(1).and_then(|f| f.parse().ok()).unwrap_or(wall)
            }
            "ok" => {
                record.outcome = Outcome::Generated {
                    warnings: number(1),
                    lines: number(2),
                };
            }
            "refused" => {
                record.outcome = Outcome::Refused {
                    errors: number(1),
                    cause: field(2),
                    message: field(3),
                };
            }
            "panic" => record.outcome = Outcome::Panic(field(1)),
            "warning" => record.warning_causes.push((number(1), field(2))),
            _ => {}
        }
    }
    if let Some(verdict) = verdict {
        record.seconds = wall;
        record.outcome = verdict;
    }
    record
}

/// The child's side (`cargo xtask corpus-one --name NAME FILE`): generates one document with
/// its server side, in memory, and prints tab-separated lines: `seconds S`, then `ok
/// WARNINGS LINES`, `refused ERRORS CAUSE MESSAGE` or `panic MESSAGE`, and `warning COUNT
/// CAUSE` for each cause of warning.
pub fn one(name: &str, file: &Path) -> Result<()> {
    let text = fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    // The payload is reported on stdout; the default hook's message would only be noise.
    std::panic::set_hook(Box::new(|_| {}));
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(|| {
        let mut input = codegen::Input::new(name, &text, "cargo xtask corpus --tree");
        input.server = true;
        codegen::generate(&input)
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut out = format!("seconds\t{seconds}\n");
    match outcome {
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            writeln!(out, "panic\t{}", one_line(&message))?;
        }
        Ok(Err(errors)) => {
            let first = errors.0.first();
            let (cause, message) = first.map_or_else(Default::default, |e| {
                (error_cause(e), one_line(&e.to_string()))
            });
            writeln!(out, "refused\t{}\t{cause}\t{message}", errors.0.len())?;
        }
        Ok(Ok(output)) => {
            let lines: usize = output
                .files
                .iter()
                .map(|f| f.contents.lines().count())
                .sum();
            writeln!(out, "ok\t{}\t{lines}", output.warnings.len())?;
            let mut causes: BTreeMap<String, usize> = BTreeMap::new();
            for warning in &output.warnings {
                *causes.entry(cause(&warning.message)).or_default() += 1;
            }
            for (cause, count) in causes {
                writeln!(out, "warning\t{count}\t{cause}")?;
            }
        }
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

/// The cause of an error: its kind and its normalised message.
fn error_cause(error: &codegen::Error) -> String {
    match error {
        codegen::Error::Syntax {
            format, message, ..
        } => format!("not valid {format}: {}", cause(message)),
        codegen::Error::UnsupportedVersion { message, .. } => {
            format!("unsupported version: {}", cause(message))
        }
        codegen::Error::Invalid { message, .. } => {
            format!("not valid OpenAPI 3.0: {}", cause(message))
        }
        codegen::Error::Semantic { message, .. } => cause(message),
        codegen::Error::Internal(message) => format!("internal error: {}", cause(message)),
    }
}

/// The text on one line, tabs and line breaks as spaces, and `|` escaped for a table.
fn one_line(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut short: String = text.trim().chars().take(300).collect();
    if text.trim().chars().count() > 300 {
        short.push('…');
    }
    short.replace('|', "\\|")
}

/// A message reduced to its class, so that messages about different places and names group
/// together: quoted text (`` `…` ``, `"…"`, `'…'`) becomes `…`, JSON pointers `#/…`, runs
/// of digits `N`; spaces are collapsed and the result is cut at 140 characters.
pub fn cause(message: &str) -> String {
    let chars: Vec<char> = message.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let after_word = i > 0 && chars[i - 1].is_alphanumeric();
        let quote = matches!(c, '`' | '"') || (c == '\'' && !after_word);
        if quote {
            if let Some(end) = chars[i + 1..].iter().position(|&d| d == c) {
                out.push(c);
                out.push('…');
                out.push(c);
                i += end + 2;
                continue;
            }
        }
        if c == '#' && chars.get(i + 1) == Some(&'/') {
            out.push_str("#/…");
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            continue;
        }
        if c.is_ascii_digit() {
            out.push('N');
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        }
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    let out = out.trim();
    let mut short: String = out.chars().take(140).collect();
    if out.chars().count() > 140 {
        short.push('…');
    }
    short.replace('|', "\\|")
}

/// The report: totals, refusals by cause, warnings, the slowest documents, and every panic,
/// crash and timeout.
fn report(
    dir: &Path,
    records: &[Record],
    total: usize,
    limits: Limits,
    started: Instant,
) -> String {
    let mut text = String::from("# Generation over a directory tree\n\n");
    let dir_name = dir
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let _ = writeln!(
        text,
        "`cargo xtask corpus {dir_name} --tree`: {} of {total} documents{}, {:.0} s of wall time \
         ({} at once; a child still running after {} s is killed; documents over {} s are slow).\n",
        records.len(),
        if records.len() < total {
            " (partial)"
        } else {
            ""
        },
        started.elapsed().as_secs_f64(),
        limits.jobs,
        limits.timeout.as_secs(),
        limits.slow.as_secs(),
    );
    text.push_str(&totals(records, limits));
    text.push_str(&refusals(records));
    text.push_str(&warnings(records));
    text.push_str(&slowest(records));
    text.push_str(&failures(records));
    text
}

fn totals(records: &[Record], limits: Limits) -> String {
    let count = |f: &dyn Fn(&Outcome) -> bool| records.iter().filter(|r| f(&r.outcome)).count();
    let generated = count(&|o| matches!(o, Outcome::Generated { .. }));
    let refused = count(&|o| matches!(o, Outcome::Refused { .. }));
    let panics = count(&|o| matches!(o, Outcome::Panic(_)));
    let crashed = count(&|o| matches!(o, Outcome::Crashed(_)));
    let timeouts = count(&|o| matches!(o, Outcome::Timeout));
    let slow = records
        .iter()
        .filter(|r| r.seconds > limits.slow.as_secs_f64())
        .count();
    let seconds: f64 = records.iter().map(|r| r.seconds).sum();
    let lines: usize = records
        .iter()
        .map(|r| match r.outcome {
            Outcome::Generated { lines, .. } => lines,
            _ => 0,
        })
        .sum();
    format!(
        "| documents | generated | refused | panics | crashed | timeouts | slow | generation s (sum) | lines generated |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n\
         | {} | {generated} | {refused} | {panics} | {crashed} | {timeouts} | {slow} | {seconds:.0} | {lines} |\n\n",
        records.len()
    )
}

fn refusals(records: &[Record]) -> String {
    let mut causes: BTreeMap<&str, (usize, &str, &str)> = BTreeMap::new();
    for record in records {
        if let Outcome::Refused { cause, message, .. } = &record.outcome {
            let entry = causes.entry(cause).or_insert((0, &record.name, message));
            entry.0 += 1;
        }
    }
    let mut rows: Vec<_> = causes.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let mut text = String::from(
        "## Refusals by cause (the first error of each document)\n\n| count | cause | example document | its first error |\n| --- | --- | --- | --- |\n",
    );
    for (cause, (count, example, message)) in rows {
        let _ = writeln!(text, "| {count} | {cause} | {example} | {message} |");
    }
    text.push('\n');
    text
}

fn warnings(records: &[Record]) -> String {
    let mut by_document: Vec<(usize, &str)> = records
        .iter()
        .filter_map(|r| match r.outcome {
            Outcome::Generated { warnings, .. } if warnings > 0 => Some((warnings, &*r.name)),
            _ => None,
        })
        .collect();
    let total: usize = by_document.iter().map(|(n, _)| n).sum();
    by_document.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut causes: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for record in records {
        for (count, cause) in &record.warning_causes {
            let entry = causes.entry(cause).or_default();
            entry.0 += count;
            entry.1 += 1;
        }
    }
    let mut causes: Vec<_> = causes.into_iter().collect();
    causes.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let mut text = format!(
        "## Warnings\n\n{total} warnings in {} generated documents.\n\n| warnings | document |\n| --- | --- |\n",
        by_document.len()
    );
    for (count, name) in by_document.iter().take(10) {
        let _ = writeln!(text, "| {count} | {name} |");
    }
    text.push_str("\n| warnings | documents | cause |\n| --- | --- | --- |\n");
    for (cause, (count, documents)) in causes.iter().take(20) {
        let _ = writeln!(text, "| {count} | {documents} | {cause} |");
    }
    text.push('\n');
    text
}

fn slowest(records: &[Record]) -> String {
    let mut by_time: Vec<&Record> = records.iter().collect();
    by_time.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    let mut text = String::from(
        "## The 10 slowest documents\n\n| seconds | document | outcome |\n| --- | --- | --- |\n",
    );
    for record in by_time.iter().take(10) {
        let _ = writeln!(
            text,
            "| {:.1} | {} | {} |",
            record.seconds,
            record.name,
            short_outcome(&record.outcome)
        );
    }
    text.push('\n');
    text
}

fn failures(records: &[Record]) -> String {
    let mut text = String::from("## Panics, crashes and timeouts\n\n");
    let mut any = false;
    for record in records {
        if !matches!(
            record.outcome,
            Outcome::Generated { .. } | Outcome::Refused { .. }
        ) {
            any = true;
            let _ = writeln!(
                text,
                "- {}: {}",
                record.name,
                short_outcome(&record.outcome)
            );
        }
    }
    if !any {
        text.push_str("None.\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_drop_places_names_and_values() {
        assert_eq!(
            cause("parameter `limit` at #/paths/~1pets/get/parameters/0 has no schema"),
            "parameter `…` at #/… has no schema"
        );
        assert_eq!(
            cause("invalid type: string \"abc\", expected u64 at line 12 column 345"),
            "invalid type: string \"…\", expected uN at line N column N"
        );
        assert_eq!(
            cause("the name 'Foo' and 'Bar' collide"),
            "the name '…' and '…' collide"
        );
    }

    #[test]
    fn causes_keep_apostrophes_and_unclosed_quotes() {
        assert_eq!(
            cause("the schema's `type` isn't known"),
            "the schema's `…` isn't known"
        );
        assert_eq!(cause("a lone \" quote"), "a lone \" quote");
        assert_eq!(cause("  many \n spaces\t"), "many spaces");
    }

    #[test]
    fn causes_group_messages_that_differ_only_in_places() {
        let a = cause("`x-foo` at #/components/schemas/A: a cycle of 3 allOf");
        let b = cause("`bar` at #/paths/~1b/post: a cycle of 12 allOf");
        assert_eq!(a, b);
    }

    #[test]
    fn causes_are_cut_and_table_safe() {
        let long = "word ".repeat(100);
        assert_eq!(cause(&long).chars().count(), 141);
        assert_eq!(cause("a | b"), "a \\| b");
    }

    #[test]
    fn documents_are_found_in_subfolders_and_named_by_their_relative_path() {
        let dir = std::env::temp_dir().join(format!("xtask-tree-{}", std::process::id()));
        fs::create_dir_all(dir.join("APIs/example.com/1.0")).unwrap();
        fs::write(dir.join("APIs/example.com/1.0/openapi.yaml"), "").unwrap();
        fs::write(dir.join("APIs/example.com/1.0/swagger.json"), "").unwrap();
        fs::write(dir.join("top.yml"), "").unwrap();
        fs::write(dir.join("notes.txt"), "").unwrap();
        let names: Vec<String> = documents(&dir)
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            names,
            [
                "APIs/example.com/1.0/openapi.yaml",
                "APIs/example.com/1.0/swagger.json",
                "top.yml"
            ]
        );
    }

    #[test]
    fn child_lines_become_a_record() {
        let record = parse_child(
            "api/x.json",
            "seconds\t1.5\nok\t3\t120\nwarning\t2\tdegraded `…`\nwarning\t1\tother\n",
            2.0,
            None,
        );
        assert_eq!(
            record.outcome,
            Outcome::Generated {
                warnings: 3,
                lines: 120
            }
        );
        assert!((record.seconds - 1.5).abs() < f64::EPSILON);
        assert_eq!(record.warning_causes.len(), 2);
        let killed = parse_child("api/y.json", "", 61.0, Some(Outcome::Timeout));
        assert_eq!(killed.outcome, Outcome::Timeout);
        let refused = parse_child("z", "seconds\t0.1\nrefused\t2\tcause\tmessage\n", 0.2, None);
        assert!(matches!(
            refused.outcome,
            Outcome::Refused { errors: 2, .. }
        ));
    }
}
