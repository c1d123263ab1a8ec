//! Retries: [`RetryPolicy`] (which failures are worth another try, and when), exponential
//! back-off with jitter, and the `Retry-After` header.

use std::time::Duration;

use crate::{HeaderMap, StatusCode};

/// When and how often a failed call is tried again.
///
/// Defaults: 5 attempts in all, exponential back-off from 200 ms doubling up to 10 s with
/// jitter (each delay is drawn between half and all of the nominal one), at most 60 s in all
/// including the attempts themselves. A `Retry-After` header on the response replaces the
/// computed delay. Only operations that are safe to repeat are retried on an error status or
/// a timeout; a connection that could not be made is retried for every operation, since
/// nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (1 turns retries off).
    pub max_attempts: u32,
    /// The nominal delay before the second attempt.
    pub initial_delay: Duration,
    /// The largest nominal delay.
    pub max_delay: Duration,
    /// No attempt starts after this much time since the first one.
    pub max_elapsed: Duration,
    /// Statuses worth another try.
    pub statuses: Vec<u16>,
    /// The response header carrying a textual error code (IoT Hub: `iothub-errorcode`).
    pub error_code_header: Option<String>,
    /// Error codes in that header worth another try, whatever the status.
    pub transient_error_codes: Vec<String>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(60),
            statuses: vec![429, 500, 502, 503, 504],
            error_code_header: None,
            transient_error_codes: Vec::new(),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts in all (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first delay and the largest one.
    #[must_use]
    pub fn delays(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_delay = initial;
        self.max_delay = max.max(initial);
        self
    }

    /// Sets the total time budget.
    #[must_use]
    pub fn max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    /// Sets the statuses worth another try.
    #[must_use]
    pub fn statuses(mut self, statuses: &[u16]) -> Self {
        self.statuses = statuses.to_vec();
        self
    }

    /// Sets the header with textual error codes and the codes worth another try.
    #[must_use]
    pub fn transient_error_codes(mut self, header: &str, codes: &[&str]) -> Self {
        self.error_code_header = Some(header.to_ascii_lowercase());
        self.transient_error_codes = codes.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    /// Whether a response with this status and headers is worth another try.
    pub fn is_transient(&self, status: StatusCode, headers: &HeaderMap) -> bool {
        if self.statuses.contains(&status.as_u16()) {
            return true;
        }
        let code = self
            .error_code_header
            .as_deref()
            .and_then(|name| headers.get(name))
            .and_then(|v| v.to_str().ok());
        code.is_some_and(|code| self.transient_error_codes.iter().any(|c| c == code))
    }

    /// The delay before attempt `attempt + 1` (`attempt` counts from 1): the nominal delay
    /// with jitter.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        jitter(self.nominal_delay(attempt), fastrand::f64())
    }

    /// The nominal delay before attempt `attempt + 1`: the initial delay, doubled for each
    /// attempt after the first, at most [`max_delay`](Self::max_delay).
    fn nominal_delay(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        self.initial_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay)
    }
}

/// `nominal` scaled by a factor between 0.5 and 1, from `unit` in `[0, 1)`.
fn jitter(nominal: Duration, unit: f64) -> Duration {
    nominal.mul_f64(0.5 + unit.clamp(0.0, 1.0) / 2.0)
}

/// The `Retry-After` delay of a response: seconds, or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    retry_after_at(headers, chrono::Utc::now())
}

/// The `Retry-After` delay of a response received at `now`; a date in the past is no delay.
fn retry_after_at(headers: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn delays_double_from_the_initial_one_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let delays: Vec<u64> = (1..=9)
            .map(|attempt| policy.nominal_delay(attempt).as_millis() as u64)
            .collect();
        assert_eq!(
            delays,
            [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]
        );
        // Far attempts neither overflow nor exceed the cap.
        assert_eq!(policy.nominal_delay(u32::MAX), Duration::from_secs(10));
        let custom =
            RetryPolicy::default().delays(Duration::from_millis(50), Duration::from_millis(120));
        assert_eq!(custom.nominal_delay(1), Duration::from_millis(50));
        assert_eq!(custom.nominal_delay(2), Duration::from_millis(100));
        assert_eq!(custom.nominal_delay(3), Duration::from_millis(120));
    }

    #[test]
    fn a_cap_below_the_initial_delay_is_raised_to_it() {
        let policy = RetryPolicy::default().delays(Duration::from_secs(2), Duration::from_secs(1));
        assert_eq!(policy.max_delay, Duration::from_secs(2));
        assert_eq!(policy.nominal_delay(5), Duration::from_secs(2));
    }

    #[test]
    fn jitter_keeps_delays_between_half_and_all_of_the_nominal_one() {
        let nominal = Duration::from_millis(800);
        assert_eq!(jitter(nominal, 0.0), Duration::from_millis(400));
        assert_eq!(jitter(nominal, 0.5), Duration::from_millis(600));
        assert_eq!(jitter(nominal, 1.0), nominal);
        // Out-of-range draws are clamped rather than trusted.
        assert_eq!(jitter(nominal, -3.0), Duration::from_millis(400));
        assert_eq!(jitter(nominal, f64::NAN.max(2.0)), nominal);
        let policy = RetryPolicy::default();
        for attempt in 1..50 {
            let delay = policy.backoff(attempt);
            let nominal = policy.nominal_delay(attempt);
            assert!(
                delay >= nominal / 2 && delay <= nominal,
                "{attempt}: {delay:?}"
            );
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z")
            .expect("date")
            .with_timezone(&chrono::Utc);
        let at = |value: &'static str| retry_after_at(&headers(&[("retry-after", value)]), now);
        assert_eq!(at("7"), Some(Duration::from_secs(7)));
        assert_eq!(at(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            at("Thu, 03 Dec 2026 10:00:30 GMT"),
            Some(Duration::from_secs(30))
        );
        // A date already past means no wait, not a negative one.
        assert_eq!(at("Thu, 03 Dec 2026 09:59:00 GMT"), Some(Duration::ZERO));
        assert_eq!(at("soon"), None);
        assert_eq!(at("-5"), None);
        assert_eq!(retry_after_at(&HeaderMap::new(), now), None);
    }

    #[test]
    fn transient_statuses_and_error_codes() {
        let policy = RetryPolicy::default()
            .statuses(&[429, 503])
            .transient_error_codes("IoTHub-ErrorCode", &["ThrottlingException"]);
        let none = HeaderMap::new();
        assert!(policy.is_transient(StatusCode::TOO_MANY_REQUESTS, &none));
        assert!(!policy.is_transient(StatusCode::INTERNAL_SERVER_ERROR, &none));
        // The header name is matched case-insensitively; the code exactly.
        let throttled = headers(&[("iothub-errorcode", "ThrottlingException")]);
        assert!(policy.is_transient(StatusCode::BAD_REQUEST, &throttled));
        let other = headers(&[("iothub-errorcode", "DeviceNotFound")]);
        assert!(!policy.is_transient(StatusCode::BAD_REQUEST, &other));
    }

    #[test]
    fn builders_keep_at_least_one_attempt() {
        assert_eq!(RetryPolicy::default().max_attempts(0).max_attempts, 1);
        assert_eq!(RetryPolicy::none().max_attempts, 1);
        let budget = RetryPolicy::default().max_elapsed(Duration::from_secs(5));
        assert_eq!(budget.max_elapsed, Duration::from_secs(5));
    }
}
