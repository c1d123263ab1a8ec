//! Retries: [`RetryPolicy`] (which failures are worth another try, and when), exponential
//! back-off with jitter, and the `Retry-After` header.

use std::time::Duration;

use crate::{HeaderMap, StatusCode};

/// When and how often a failed call is tried again.
///
/// Defaults: 5 attempts in all, exponential back-off from 200 ms doubling up to 10 s with
/// jitter (each delay is drawn between half and all of the nominal one), at most 60 s in all
/// including the attempts themselves: no attempt starts after [`max_elapsed`](Self::max_elapsed),
/// no wait ends after it, and each attempt's timeout is cut to what is left of it, so the
/// whole call never takes longer. A delay the response asks for (`retry-after-ms`,
/// `x-ms-retry-after-ms`, then `Retry-After` in seconds or as an HTTP date; the first present
/// wins) replaces the computed one; when it would end after the budget, the call fails at once
/// with that response. Only operations that are safe to repeat are retried on an error status
/// or a timeout; a connection that could not be made is retried for every operation, since
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
    /// The budget of the whole call, from the start of the first attempt: no attempt starts
    /// and no wait ends after it, and an attempt still running when it runs out ends with a
    /// timeout. [`Duration::MAX`] for no overall bound (the per-attempt timeout still applies).
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
    /// A policy that never retries after a failure. The single attempt keeps the default
    /// time budget, and a 401 answered with a credential that can be renewed is still sent
    /// once more with a fresh value (see [`Credential::invalidate`](crate::Credential::invalidate)).
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

    /// Sets the time budget of the whole call (see [`max_elapsed`](Self::max_elapsed)).
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

/// The timeout of an attempt that starts `elapsed` after the first one: the per-attempt
/// timeout (`None`: none), cut to what is left of the call's `budget` (unless the budget is
/// [`Duration::MAX`], no budget).
pub(crate) fn attempt_timeout(
    per_attempt: Option<Duration>,
    budget: Duration,
    elapsed: Duration,
) -> Option<Duration> {
    if budget == Duration::MAX {
        return per_attempt;
    }
    let left = budget.saturating_sub(elapsed);
    Some(per_attempt.map_or(left, |timeout| timeout.min(left)))
}

/// `nominal` scaled by a factor between 0.5 and 1, from `unit` in `[0, 1)`.
fn jitter(nominal: Duration, unit: f64) -> Duration {
    nominal.mul_f64(0.5 + unit.clamp(0.0, 1.0) / 2.0)
}

/// The delay a response asks for before the next attempt, read from (the first present and
/// valid of) `retry-after-ms`, `x-ms-retry-after-ms` (milliseconds, as Azure services send
/// them) and `Retry-After` (delta-seconds or an HTTP date, RFC 9110 section 10.2.3).
///
/// The millisecond headers win when several are present: they are more precise, and Azure's
/// own SDKs read them in this order. A value that does not parse is skipped, so the next header
/// (or the computed back-off) applies.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    retry_after_at(headers, chrono::Utc::now())
}

/// The headers that carry a delay in milliseconds, in the order they are read.
const RETRY_AFTER_MS_HEADERS: [&str; 2] = ["retry-after-ms", "x-ms-retry-after-ms"];

/// [`retry_after`] for a response received at `now`; a date in the past is no delay.
fn retry_after_at(headers: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    for name in RETRY_AFTER_MS_HEADERS {
        if let Some(millis) = text(name).and_then(parse_digits) {
            return Some(Duration::from_millis(millis));
        }
    }
    let value = text(reqwest::header::RETRY_AFTER.as_str())?;
    if let Some(seconds) = parse_digits(value) {
        return Some(Duration::from_secs(seconds));
    }
    let date = parse_http_date(value, now)?;
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

/// A non-negative decimal number (`1*DIGIT`, no sign, no fraction); `None` for anything else
/// (a value too large for `u64` is the largest one).
fn parse_digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(u64::MAX))
}

/// An HTTP date in any of the three forms RFC 9110 (section 5.6.7) asks recipients to accept:
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and C's asctime form (`Sun Nov  6 08:49:37 1994`). The
/// day name is not checked against the date. Other RFC 2822 dates (a numeric zone instead of
/// `GMT`) are accepted too, as the client always did.
fn parse_http_date(
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{Datelike as _, NaiveDateTime, TimeZone as _, Utc};

    let utc = |naive: NaiveDateTime| Utc.from_utc_datetime(&naive);
    if let Some((_day_name, rest)) = text.split_once(", ") {
        // IMF-fixdate: `06 Nov 1994 08:49:37 GMT`.
        if let Ok(naive) = NaiveDateTime::parse_from_str(rest, "%d %b %Y %H:%M:%S GMT") {
            return Some(utc(naive));
        }
        // RFC 850: `06-Nov-94 08:49:37 GMT`, a two-digit year read as the most recent year
        // with those digits that is not more than 50 years in the future (RFC 9110).
        if let Some((date, time)) = rest.strip_suffix(" GMT").and_then(|r| r.split_once(' ')) {
            let mut parts = date.split('-');
            if let (Some(day), Some(month), Some(year), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            {
                if year.len() == 2 {
                    let two_digits: i32 = year.parse().ok()?;
                    let this_year = now.year();
                    let mut full = this_year - this_year.rem_euclid(100) + two_digits;
                    if full > this_year + 50 {
                        full -= 100;
                    }
                    let naive = NaiveDateTime::parse_from_str(
                        &format!("{day} {month} {full} {time}"),
                        "%d %b %Y %H:%M:%S",
                    )
                    .ok()?;
                    return Some(utc(naive));
                }
            }
        }
    } else if let Some((_day_name, rest)) = text.split_once(' ') {
        // asctime: `Nov  6 08:49:37 1994` (the day padded with a space).
        if let Ok(naive) = NaiveDateTime::parse_from_str(rest, "%b %e %H:%M:%S %Y") {
            return Some(utc(naive));
        }
    }
    chrono::DateTime::parse_from_rfc2822(text)
        .ok()
        .map(|date| date.with_timezone(&Utc))
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

    /// 2026-12-03T10:00:00Z, a Thursday: what the tests call now.
    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z")
            .expect("date")
            .with_timezone(&chrono::Utc)
    }

    /// `Retry-After: value`, read at [`now`].
    fn retry_after_value(value: &'static str) -> Option<Duration> {
        retry_after_at(&headers(&[("retry-after", value)]), now())
    }

    #[test]
    fn retry_after_reads_delta_seconds() {
        assert_eq!(retry_after_value("7"), Some(Duration::from_secs(7)));
        assert_eq!(retry_after_value("0"), Some(Duration::ZERO));
        assert_eq!(retry_after_value(" 0 "), Some(Duration::ZERO));
        assert_eq!(retry_after_value("007"), Some(Duration::from_secs(7)));
        // More digits than a u64 holds: the longest wait, not an error (nor an overflow).
        assert_eq!(
            retry_after_value("99999999999999999999999"),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn retry_after_reads_imf_fixdates() {
        assert_eq!(
            retry_after_value("Thu, 03 Dec 2026 10:00:30 GMT"),
            Some(Duration::from_secs(30))
        );
        // The day name is not checked against the date.
        assert_eq!(
            retry_after_value("Mon, 03 Dec 2026 10:01:00 GMT"),
            Some(Duration::from_secs(60))
        );
        // A date already past means no wait, not a negative one.
        assert_eq!(
            retry_after_value("Thu, 03 Dec 2026 09:59:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after_value("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        // Now exactly: no wait.
        assert_eq!(
            retry_after_value("Thu, 03 Dec 2026 10:00:00 GMT"),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_reads_obsolete_rfc_850_dates() {
        assert_eq!(
            retry_after_value("Thursday, 03-Dec-26 10:00:05 GMT"),
            Some(Duration::from_secs(5))
        );
        // 94 is 1994 (2094 would be more than 50 years ahead): past, no wait.
        assert_eq!(
            retry_after_value("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        // 76 is 2076, within 50 years: a future date.
        let far = retry_after_value("Thursday, 03-Dec-76 10:00:00 GMT").expect("a date");
        assert!(far > Duration::from_secs(49 * 365 * 86_400), "{far:?}");
        assert_eq!(
            retry_after_value("Thursday, 03-Dec-2026 10:00:05 GMT"),
            None
        );
    }

    #[test]
    fn retry_after_reads_asctime_dates() {
        // A one-digit day is padded with a space.
        assert_eq!(
            retry_after_value("Thu Dec  3 10:00:09 2026"),
            Some(Duration::from_secs(9))
        );
        assert_eq!(
            retry_after_value("Sat Dec 12 10:00:00 2026"),
            Some(Duration::from_secs(9 * 86_400))
        );
        assert_eq!(
            retry_after_value("Sun Nov  6 08:49:37 1994"),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_ignores_garbage() {
        for garbage in [
            "soon",
            "-5",
            "+5",
            "1.5",
            "5s",
            "",
            "Thu, 03 Dec 2026 25:00:00 GMT",
            "Thu, 32 Dec 2026 10:00:00 GMT",
            "Thu, 03 Foo 2026 10:00:00 GMT",
            "Thu Dec  3 10:00:09",
            "Thursday, 03-Dec-26 10:00:05",
        ] {
            assert_eq!(retry_after_value(garbage), None, "{garbage:?}");
        }
        assert_eq!(retry_after_at(&HeaderMap::new(), now()), None);
        // Not visible ASCII: not read at all.
        let mut map = HeaderMap::new();
        map.insert(
            "retry-after",
            HeaderValue::from_bytes(b"\xff5").expect("opaque bytes"),
        );
        assert_eq!(retry_after_at(&map, now()), None);
    }

    #[test]
    fn millisecond_headers_are_read_and_win_over_retry_after() {
        let at = |pairs: &[(&'static str, &'static str)]| retry_after_at(&headers(pairs), now());
        assert_eq!(
            at(&[("retry-after-ms", "1500")]),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            at(&[("x-ms-retry-after-ms", "250")]),
            Some(Duration::from_millis(250))
        );
        assert_eq!(at(&[("x-ms-retry-after-ms", "0")]), Some(Duration::ZERO));
        // The first present and valid of retry-after-ms, x-ms-retry-after-ms, Retry-After.
        assert_eq!(
            at(&[
                ("retry-after", "30"),
                ("x-ms-retry-after-ms", "250"),
                ("retry-after-ms", "100"),
            ]),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            at(&[("retry-after", "30"), ("x-ms-retry-after-ms", "250")]),
            Some(Duration::from_millis(250))
        );
        // A value that does not parse is skipped for the next header.
        assert_eq!(
            at(&[("retry-after-ms", "soon"), ("retry-after", "3")]),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            at(&[("retry-after-ms", "1.5"), ("x-ms-retry-after-ms", "-1")]),
            None
        );
    }

    #[test]
    fn attempts_are_cut_to_what_is_left_of_the_budget() {
        let secs = Duration::from_secs;
        let thirty = Some(secs(30));
        // Plenty left: the per-attempt timeout.
        assert_eq!(attempt_timeout(thirty, secs(60), secs(0)), thirty);
        assert_eq!(attempt_timeout(thirty, secs(60), secs(30)), thirty);
        // Less left than an attempt may take: what is left.
        assert_eq!(attempt_timeout(thirty, secs(60), secs(55)), Some(secs(5)));
        assert_eq!(
            attempt_timeout(thirty, secs(60), secs(61)),
            Some(Duration::ZERO)
        );
        // No per-attempt timeout: the budget still bounds the attempt.
        assert_eq!(attempt_timeout(None, secs(60), secs(20)), Some(secs(40)));
        // No budget: only the per-attempt timeout, if any.
        assert_eq!(attempt_timeout(thirty, Duration::MAX, secs(1000)), thirty);
        assert_eq!(attempt_timeout(None, Duration::MAX, secs(1000)), None);
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
