//! The scaling plot: generation time against document size, log–log, as SVG.

use crate::child::Measured;
use crate::run::Results;
use anyhow::{Result, anyhow};
use plotters::prelude::*;
use std::path::Path;

/// (n, median, min, max) of the sizes where the generator succeeded.
fn series(
    results: &Results,
    pick: fn(&crate::run::SizeResult) -> &Measured,
) -> Vec<(f64, f64, f64, f64)> {
    results
        .sizes
        .iter()
        .filter_map(|s| {
            let m = pick(s);
            let t = m.time().filter(|_| m.failure.is_none())?;
            Some((s.n as f64, t.median, t.min, t.max))
        })
        .collect()
}

/// Draws `bench/scaling.svg`.
pub fn scaling(results: &Results, path: &Path) -> Result<()> {
    let ours = series(results, |s| &s.ours);
    let theirs = series(results, |s| &s.progenitor);
    let all: Vec<&(f64, f64, f64, f64)> = ours.iter().chain(&theirs).collect();
    if all.is_empty() {
        return Ok(());
    }
    let x_max = all.iter().map(|p| p.0).fold(1.0, f64::max) * 2.0;
    let x_min = all.iter().map(|p| p.0).fold(f64::MAX, f64::min) / 2.0;
    let y_max = all.iter().map(|p| p.3).fold(0.0, f64::max) * 2.0;
    let y_min = all.iter().map(|p| p.2).fold(f64::MAX, f64::min) / 2.0;
    let fits = crate::report::fits(results);

    let root = SVGBackend::new(path, (800, 520)).into_drawing_area();
    let error = |e: &dyn std::fmt::Display| anyhow!("drawing {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| error(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Generation time (CPU) against document size (log–log)",
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d((x_min..x_max).log_scale(), (y_min..y_max).log_scale())
        .map_err(|e| error(&e))?;
    chart
        .configure_mesh()
        .x_desc("n: component schemas and operations")
        .y_desc("CPU seconds (median; bars: min–max)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| {
            if *y >= 1.0 {
                format!("{y:.0} s")
            } else if *y >= 0.001 {
                format!("{:.0} ms", y * 1e3)
            } else {
                format!("{:.0} µs", y * 1e6)
            }
        })
        .draw()
        .map_err(|e| error(&e))?;
    let styles = [
        (
            &ours,
            BLUE,
            format!(
                "ours (b = {})",
                fits.ours_time.map_or("–".into(), |b| format!("{b:.2}"))
            ),
        ),
        (
            &theirs,
            RED,
            format!(
                "progenitor (b = {})",
                fits.progenitor_time
                    .map_or("–".into(), |b| format!("{b:.2}"))
            ),
        ),
    ];
    for (points, color, label) in styles {
        if points.is_empty() {
            continue;
        }
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.0, p.1)),
                color.stroke_width(2),
            ))
            .map_err(|e| error(&e))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(
                points
                    .iter()
                    .map(|p| Circle::new((p.0, p.1), 4, color.filled())),
            )
            .map_err(|e| error(&e))?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|p| PathElement::new(vec![(p.0, p.2), (p.0, p.3)], color.stroke_width(1))),
            )
            .map_err(|e| error(&e))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|e| error(&e))?;
    root.present().map_err(|e| error(&e))?;
    Ok(())
}
