//! The targets for the compile time of generated crates, row by row from the figures of one
//! run: GitHub's crate against openapi-generator's (time, peak memory, lines), netbox's
//! against the baseline generator's (`--baseline`), and generation never slower than
//! progenitor.

use crate::compile::Crate;
use crate::inputs::Kind;
use crate::run::Results;
use crate::stats::seconds;

/// One row: the target, the figure, whether it is met (`None`: not measured).
pub type Row = (String, String, Option<bool>);

/// GitHub's `cargo check` at most this share of openapi-generator's.
const GITHUB_CHECK: f64 = 0.5;
/// GitHub's `cargo check` peak memory at most this many bytes.
const GITHUB_PEAK_BYTES: f64 = 3e9;
/// netbox's `cargo check` at most this share of the baseline generator's.
const NETBOX_CHECK: f64 = 0.5;

/// The rows, after the run's other targets.
pub fn rows(results: &Results) -> Vec<Row> {
    let mut rows = Vec::new();
    let shared = crate::report::generation_ratios(results);
    let worst = shared.iter().filter_map(|(_, r)| *r).reduce(f64::max);
    rows.push((
        "generation never slower than progenitor's on a shared input".to_owned(),
        worst.map_or("–".to_owned(), |w| format!("worst {w:.2}×")),
        worst.map(|w| w <= 1.0 && shared.iter().all(|(_, r)| r.is_some())),
    ));
    let github = results.compile.iter().find(|c| {
        results
            .docs
            .iter()
            .any(|d| d.doc.name == c.name && d.doc.kind == Kind::Github)
    });
    let peer = github.and_then(|c| Some((&c.ours, c.openapi_generator.as_ref()?)));
    let check = peer.and_then(|(ours, og)| Some((ours.check_median()?, og.check_median()?)));
    rows.push((
        format!("GitHub `cargo check` ≤ {GITHUB_CHECK}× openapi-generator's"),
        check.map_or("–".to_owned(), |(a, b)| {
            format!("{} vs {} = {:.2}×", seconds(a), seconds(b), a / b)
        }),
        check.map(|(a, b)| a / b <= GITHUB_CHECK),
    ));
    let peak = github
        .and_then(|c| c.ours.check_peak())
        .map(|p| p.median * 1024.0);
    rows.push((
        "GitHub `cargo check` peak memory ≤ 3 GB".to_owned(),
        peak.map_or("–".to_owned(), |p| format!("{:.2} GB", p / 1e9)),
        peak.map(|p| p <= GITHUB_PEAK_BYTES),
    ));
    let lines = peer.and_then(|(ours, og)| Some((ours.line_count()?, og.line_count()?)));
    rows.push((
        "GitHub generated lines ≤ openapi-generator's".to_owned(),
        lines.map_or("–".to_owned(), |(a, b)| {
            format!("{a:.0} vs {b:.0} = {:.2}×", a / b)
        }),
        lines.map(|(a, b)| a <= b),
    ));
    let netbox = results
        .compile
        .iter()
        .find(|c| c.name.starts_with("netbox"));
    let base = netbox.and_then(|c| Some((&c.ours, c.baseline.as_ref()?)));
    let against = base
        .and_then(|(ours, b): (&Crate, &Crate)| Some((ours.check_median()?, b.check_median()?)));
    let rev = results.baseline.as_ref().map_or("–", |b| b.rev.as_str());
    rows.push((
        format!("netbox `cargo check` ≤ {NETBOX_CHECK}× the generator's at `{rev}`"),
        against.map_or("–".to_owned(), |(a, b)| {
            format!("{} vs {} = {:.2}×", seconds(a), seconds(b), a / b)
        }),
        against.map(|(a, b)| a / b <= NETBOX_CHECK),
    ));
    rows
}

#[cfg(test)]
mod tests {
    use super::rows;
    use crate::report::tests::{krate, results};
    use crate::run::CompileResult;

    #[test]
    fn each_target_is_read_from_the_crates_of_the_run() {
        let mut results = results();
        results.compile.push(CompileResult {
            name: "api.github.com".to_owned(),
            ours: krate(&[1.0, 1.2], &[], None),
            progenitor: krate(&[], &[], Some("progenitor did not generate the document")),
            openapi_generator: Some(krate(&[4.0, 4.4], &[], None)),
            baseline: None,
        });
        results.compile.push(CompileResult {
            name: "netbox.dev".to_owned(),
            ours: krate(&[1.6], &[], None),
            progenitor: krate(&[], &[], Some("does not compile")),
            openapi_generator: None,
            baseline: Some(krate(&[3.0], &[], None)),
        });
        let rows = rows(&results);
        let figures: Vec<(&str, Option<bool>)> =
            rows.iter().map(|(_, f, m)| (f.as_str(), *m)).collect();
        assert_eq!(
            figures,
            [
                ("worst 0.44×", Some(true)),
                ("1.10 s vs 4.20 s = 0.26×", Some(true)),
                ("0.31 GB", Some(true)),
                ("1000 vs 1000 = 1.00×", Some(true)),
                // 0.53× the baseline's: not met.
                ("1.60 s vs 3.00 s = 0.53×", Some(false)),
            ]
        );
    }
}
