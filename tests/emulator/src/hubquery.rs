// Hand-written test infrastructure (not generated): the queries `POST /devices/query` answers.
//! The part of the IoT Hub query language the emulator answers on `POST /devices/query`:
//!
//! - `SELECT * FROM devices.jobs [WHERE devices.jobs.<field> = '<value>' [AND ...]]`, the
//!   device jobs (per-device results of scheduled jobs), filtered by equality on `jobId`,
//!   `deviceId`, `status` or `jobType` (with or without the `devices.jobs.` prefix);
//! - `SELECT * FROM devices [WHERE <condition>]`, the twins, with the conditions of a job's
//!   `queryCondition`.
//!
//! Keywords are case-insensitive. Anything else is 400 `ArgumentInvalid`, as an unsupported
//! query is on the hub.

use base64::Engine as _;

use crate::engine::{DeviceJobFilter, DeviceJobPosition};
use crate::errors::{HubError, echo};
use crate::query::Condition;

/// The `x-ms-item-type` of device job rows (C# `QueryResultType.DeviceJob`).
pub const DEVICE_JOB_ITEM_TYPE: &str = "deviceJob";
/// The `x-ms-item-type` of twin rows (C# `QueryResultType.Twin`).
pub const TWIN_ITEM_TYPE: &str = "twin";

/// The device job fields a filter may name.
const DEVICE_JOB_FIELDS: &[&str] = &["jobId", "deviceId", "status", "jobType"];

/// A query the emulator answers.
#[derive(Debug)]
pub(crate) enum HubQuery {
    /// `SELECT * FROM devices.jobs ...`.
    DeviceJobs(DeviceJobFilter),
    /// `SELECT * FROM devices [WHERE ...]`.
    Twins(Option<Box<Condition>>),
}

/// Strips the keyword `word` (ASCII case ignored) and the spaces after it from the start of
/// `text`, when `text` starts with it as a whole word.
fn keyword<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let head = text.get(..word.len())?;
    let rest = &text[word.len()..];
    let whole = rest.is_empty() || !rest.starts_with(|c: char| c.is_alphanumeric() || c == '.');
    (head.eq_ignore_ascii_case(word) && whole).then(|| rest.trim_start())
}

fn invalid(query: &str, what: &str) -> HubError {
    HubError::argument_invalid(format!(
        "query `{}`: {what}; the emulator answers SELECT * FROM devices.jobs [WHERE \
         devices.jobs.<jobId|deviceId|status|jobType> = '<value>' [AND ...]] and SELECT * FROM \
         devices [WHERE <condition>]",
        echo(query)
    ))
}

impl HubQuery {
    /// Parses a query, or says what the emulator does not answer.
    pub(crate) fn parse(query: &str) -> Result<Self, HubError> {
        let text = query.trim();
        let rest = keyword(text, "SELECT")
            .and_then(|r| r.strip_prefix('*'))
            .map(str::trim_start)
            .and_then(|r| keyword(r, "FROM"))
            .ok_or_else(|| invalid(query, "only SELECT * FROM ... is supported"))?;
        if let Some(rest) = keyword(rest, "devices.jobs") {
            let filter = match keyword(rest, "WHERE") {
                Some(condition) => device_job_filter(query, condition)?,
                None if rest.is_empty() => DeviceJobFilter::default(),
                None => return Err(invalid(query, "expected WHERE after FROM devices.jobs")),
            };
            return Ok(Self::DeviceJobs(filter));
        }
        if let Some(rest) = keyword(rest, "devices") {
            return match keyword(rest, "WHERE") {
                Some(condition) => Condition::parse(condition)
                    .map(|c| Self::Twins(Some(Box::new(c))))
                    .map_err(|e| invalid(query, &e.to_string())),
                None if rest.is_empty() => Ok(Self::Twins(None)),
                None => Err(invalid(query, "expected WHERE after FROM devices")),
            };
        }
        Err(invalid(
            query,
            "the collection is not devices or devices.jobs",
        ))
    }
}

/// `<field> = '<value>' [AND <field> = '<value>' ...]` over device job fields.
fn device_job_filter(query: &str, mut text: &str) -> Result<DeviceJobFilter, HubError> {
    let mut filter = DeviceJobFilter::default();
    loop {
        let end = text
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(text.len());
        let name = text[..end]
            .strip_prefix("devices.jobs.")
            .unwrap_or(&text[..end]);
        if !DEVICE_JOB_FIELDS.contains(&name) {
            return Err(invalid(
                query,
                &format!("`{}` is not a device job field it filters on", echo(name)),
            ));
        }
        let rest = text[end..].trim_start();
        let rest = rest
            .strip_prefix('=')
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('\''))
            .ok_or_else(|| invalid(query, "expected = '<value>' after a field"))?;
        let (value, after) = quoted(rest).ok_or_else(|| invalid(query, "unterminated string"))?;
        filter.equals.push((name.to_owned(), value));
        let after = after.trim_start();
        if after.is_empty() {
            return Ok(filter);
        }
        text = keyword(after, "AND")
            .ok_or_else(|| invalid(query, "expected AND between conditions"))?;
    }
}

/// The string that `text` (after its opening quote) starts with, `''` meaning one quote,
/// and what follows its closing quote.
fn quoted(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\'' {
            value.push(c);
        } else if chars.peek().is_some_and(|(_, next)| *next == '\'') {
            chars.next();
            value.push('\'');
        } else {
            return Some((value, &text[i + 1..]));
        }
    }
    None
}

fn encode(text: String) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn decode(token: &str, prefix: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix(prefix)
        .map(str::to_owned)
}

/// The opaque continuation token after the device job at `position`.
pub(crate) fn device_job_token((seq, index): DeviceJobPosition) -> String {
    encode(format!("devicejobs-after:{seq}:{index}"))
}

/// The position a device job token marks.
pub(crate) fn parse_device_job_token(token: &str) -> Option<DeviceJobPosition> {
    let text = decode(token, "devicejobs-after:")?;
    let (seq, index) = text.split_once(':')?;
    Some((seq.parse().ok()?, index.parse().ok()?))
}

/// The opaque continuation token after the twin of `device_id`.
pub(crate) fn twin_token(device_id: &str) -> String {
    encode(format!("twins-after:{device_id}"))
}

/// The device id a twin token marks.
pub(crate) fn parse_twin_token(token: &str) -> Option<String> {
    decode(token, "twins-after:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(query: &str) -> Vec<(String, String)> {
        match HubQuery::parse(query).unwrap() {
            HubQuery::DeviceJobs(f) => f.equals,
            HubQuery::Twins(_) => panic!("{query} read as a twin query"),
        }
    }

    #[test]
    fn device_job_queries() {
        assert_eq!(filter("SELECT * FROM devices.jobs"), vec![]);
        assert_eq!(
            filter("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'job-1'"),
            vec![("jobId".to_owned(), "job-1".to_owned())]
        );
        assert_eq!(
            filter(
                "select * from devices.jobs where devices.jobs.jobId='j' and devices.jobs.status = 'failed'"
            ),
            vec![
                ("jobId".to_owned(), "j".to_owned()),
                ("status".to_owned(), "failed".to_owned())
            ]
        );
        assert_eq!(
            filter("SELECT * FROM devices.jobs WHERE deviceId = 'it''s'"),
            vec![("deviceId".to_owned(), "it's".to_owned())]
        );
    }

    #[test]
    fn twin_queries() {
        assert!(matches!(
            HubQuery::parse("SELECT * FROM devices").unwrap(),
            HubQuery::Twins(None)
        ));
        assert!(matches!(
            HubQuery::parse("SELECT * FROM devices WHERE tags.building = '43'").unwrap(),
            HubQuery::Twins(Some(_))
        ));
    }

    #[test]
    fn other_queries_are_refused() {
        for query in [
            "",
            "SELECT deviceId FROM devices",
            "SELECT * FROM devices.modules",
            "SELECT * FROM devices.jobs WHERE devices.jobs.createdTimeUtc > '2016-09-01'",
            "SELECT * FROM devices.jobs WHERE jobId = 'a' OR jobId = 'b'",
            "SELECT * FROM devices.jobs WHERE jobId = 'a",
            "SELECT * FROM devices WHERE (",
            "DELETE FROM devices",
        ] {
            let error = HubQuery::parse(query).unwrap_err();
            assert_eq!(error.status.as_u16(), 400, "{query}");
        }
    }

    #[test]
    fn tokens_round_trip() {
        assert_eq!(
            parse_device_job_token(&device_job_token((7, 3))),
            Some((7, 3))
        );
        assert_eq!(parse_twin_token(&twin_token("d-1")), Some("d-1".to_owned()));
        assert_eq!(parse_device_job_token(&twin_token("d-1")), None);
        assert_eq!(parse_device_job_token("not base64!"), None);
    }
}
