//! Medians, spreads, ratios and the least-squares fit of the scaling exponent.

use serde_json::{Value, json};

/// A summary of samples: median, quartiles and extremes.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// How many samples.
    pub n: usize,
    /// The median.
    pub median: f64,
    /// The lowest sample.
    pub min: f64,
    /// The highest sample.
    pub max: f64,
    /// The first quartile.
    pub q1: f64,
    /// The third quartile.
    pub q3: f64,
}

impl Summary {
    /// Summarizes `samples`; `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Self {
            n: sorted.len(),
            median: quantile(&sorted, 0.5),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            q1: quantile(&sorted, 0.25),
            q3: quantile(&sorted, 0.75),
        })
    }

    /// The summary as JSON, with the raw samples.
    pub fn to_json(self, samples: &[f64]) -> Value {
        json!({
            "n": self.n, "median": self.median, "min": self.min, "max": self.max,
            "q1": self.q1, "q3": self.q3, "samples": samples,
        })
    }
}

/// Linear interpolation between the closest ranks of sorted samples.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    let weight = position - low as f64;
    sorted[low] * (1.0 - weight) + sorted[high] * weight
}

/// The slope `b` and intercept `a` of `ln y = a + b ln x`, by least squares.
pub fn power_fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| *x > 0.0 && *y > 0.0)
        .map(|(x, y)| (x.ln(), y.ln()))
        .collect();
    if logs.len() < 2 {
        return None;
    }
    let n = logs.len() as f64;
    let mean_x = logs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = logs.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = logs.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    if sxx == 0.0 {
        return None;
    }
    let b = sxy / sxx;
    Some((b, mean_y - b * mean_x))
}

/// Seconds for a table: milliseconds below one second.
pub fn seconds(value: f64) -> String {
    if value < 0.001 {
        format!("{:.0} µs", value * 1e6)
    } else if value < 1.0 {
        format!("{:.1} ms", value * 1e3)
    } else {
        format!("{value:.2} s")
    }
}

/// Median and spread of times, `12.3 ms (11.9–13.0)`.
pub fn time_cell(summary: Option<Summary>) -> String {
    match summary {
        None => "–".to_owned(),
        Some(s) if s.n == 1 => seconds(s.median),
        Some(s) => format!(
            "{} ({}–{})",
            seconds(s.median),
            seconds(s.min).trim_end_matches(|c: char| c.is_alphabetic() || c == ' '),
            seconds(s.max)
        ),
    }
}

/// Kibibytes as mebibytes, with the spread when there is one.
pub fn memory_cell(summary: Option<Summary>) -> String {
    match summary {
        None => "–".to_owned(),
        Some(s) if s.n == 1 || s.min == s.max => format!("{:.1} MiB", s.median / 1024.0),
        Some(s) => format!(
            "{:.1} MiB ({:.1}–{:.1})",
            s.median / 1024.0,
            s.min / 1024.0,
            s.max / 1024.0
        ),
    }
}

/// `ours / theirs` with two decimals, `–` when either is missing.
pub fn ratio(ours: Option<f64>, theirs: Option<f64>) -> String {
    match (ours, theirs) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_quartiles() {
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0, 5.0]).expect("samples");
        assert_eq!(
            (s.median, s.min, s.max, s.q1, s.q3),
            (3.0, 1.0, 5.0, 2.0, 4.0)
        );
        let even = Summary::of(&[1.0, 2.0, 3.0, 4.0]).expect("samples");
        assert_eq!(even.median, 2.5);
    }

    #[test]
    fn fits_a_power_law() {
        let points: Vec<(f64, f64)> = [10.0, 100.0, 1000.0]
            .iter()
            .map(|&x: &f64| (x, 3.0 * x.powf(1.5)))
            .collect();
        let (b, a) = power_fit(&points).expect("fit");
        assert!((b - 1.5).abs() < 1e-9 && (a - 3f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn cells() {
        assert_eq!(seconds(0.0123), "12.3 ms");
        assert_eq!(seconds(2.5), "2.50 s");
        let s = Summary::of(&[0.010, 0.012, 0.011]);
        assert_eq!(time_cell(s), "11.0 ms (10.0–12.0 ms)");
        assert_eq!(ratio(Some(1.0), Some(4.0)), "0.25×");
    }
}
