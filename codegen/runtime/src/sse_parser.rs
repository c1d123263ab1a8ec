//! The event stream parser: bytes in, events out, as the WHATWG HTML standard interprets a
//! `text/event-stream` (section 9.2.6, "Interpreting an event stream"). Chunks may split a
//! stream anywhere: in a field name, in a value, between the CR and the LF of a line end, in
//! the middle of a UTF-8 character; lines are buffered as bytes and decoded when whole.

use std::time::Duration;

/// An event as the stream dispatched it, before its data is decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawEvent {
    /// The `event` field, when the event had one (the standard's default type is `message`).
    pub(crate) event: Option<String>,
    /// The last event id in effect when the event was dispatched (`None` when empty).
    pub(crate) id: Option<String>,
    /// The `retry` field of the event's own lines, when valid.
    pub(crate) retry: Option<Duration>,
    /// The `data` lines joined with `\n`.
    pub(crate) data: String,
}

/// What feeding the parser can fail with: an event (or a line) longer than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLong;

/// The parser's state between chunks.
#[derive(Debug)]
pub(crate) struct Parser {
    /// The bytes of the line being read (without its end).
    line: Vec<u8>,
    /// The previous byte was a CR: a LF right after it belongs to the same line end.
    after_cr: bool,
    /// No line has ended yet: the first one may start with a byte order mark.
    first_line: bool,
    /// The data buffer (each `data` line followed by `\n`).
    data: String,
    /// The event type buffer.
    event: String,
    /// The last event id buffer: it outlives the event that set it.
    last_id: String,
    /// The `retry` field of the event being read.
    retry: Option<Duration>,
    /// The reconnection time the stream last asked for.
    reconnection_time: Option<Duration>,
    /// The largest event (data and line buffered together), in bytes.
    limit: usize,
}

/// The byte order mark, which one stream may start with.
const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Parser {
    /// A parser refusing events (and lines) of more than `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            line: Vec::new(),
            after_cr: false,
            first_line: true,
            data: String::new(),
            event: String::new(),
            last_id: String::new(),
            retry: None,
            reconnection_time: None,
            limit,
        }
    }

    /// The last event id the stream set (`None` when empty): what `Last-Event-ID` carries when
    /// the stream reconnects.
    pub(crate) fn last_event_id(&self) -> Option<&str> {
        Some(self.last_id.as_str()).filter(|id| !id.is_empty())
    }

    /// The reconnection time the stream last asked for with a `retry` field.
    pub(crate) fn reconnection_time(&self) -> Option<Duration> {
        self.reconnection_time
    }

    /// Starts a new connection: what the previous one left unfinished is discarded (the
    /// standard drops an incomplete event at the end of a stream); the last event id and the
    /// reconnection time stay.
    pub(crate) fn restart(&mut self) {
        self.line.clear();
        self.after_cr = false;
        self.first_line = true;
        self.data.clear();
        self.event.clear();
        self.retry = None;
    }

    /// Reads `chunk`, pushing every event it completes onto `out`.
    pub(crate) fn feed(
        &mut self,
        mut chunk: &[u8],
        out: &mut Vec<RawEvent>,
    ) -> Result<(), TooLong> {
        if self.after_cr && !chunk.is_empty() {
            self.after_cr = false;
            if let [b'\n', rest @ ..] = chunk {
                chunk = rest;
            }
        }
        while let Some(end) = chunk.iter().position(|b| *b == b'\r' || *b == b'\n') {
            let (line, rest) = chunk.split_at(end);
            self.extend_line(line)?;
            let cr = rest.first() == Some(&b'\r');
            chunk = rest.get(1..).unwrap_or_default();
            if cr {
                match chunk.first() {
                    Some(b'\n') => chunk = chunk.get(1..).unwrap_or_default(),
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            self.end_line(out);
        }
        self.extend_line(chunk)
    }

    fn extend_line(&mut self, bytes: &[u8]) -> Result<(), TooLong> {
        if self.line.len() + bytes.len() + self.data.len() > self.limit {
            return Err(TooLong);
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    /// A whole line: decoded (invalid UTF-8 as U+FFFD), then interpreted.
    fn end_line(&mut self, out: &mut Vec<RawEvent>) {
        let mut line = std::mem::take(&mut self.line);
        if std::mem::take(&mut self.first_line) && line.starts_with(BOM) {
            line.drain(..BOM.len());
        }
        let text = String::from_utf8_lossy(&line);
        self.interpret(&text, out);
        // The buffer's capacity is kept for the next line.
        line.clear();
        self.line = line;
    }

    fn interpret(&mut self, line: &str, out: &mut Vec<RawEvent>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => value.clone_into(&mut self.event),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => value.clone_into(&mut self.last_id),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(ms) = value.parse::<u64>() {
                    let time = Duration::from_millis(ms);
                    self.retry = Some(time);
                    self.reconnection_time = Some(time);
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<RawEvent>) {
        let retry = self.retry.take();
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop();
        out.push(RawEvent {
            event: Some(event).filter(|e| !e.is_empty()),
            id: self.last_event_id().map(str::to_owned),
            retry,
            data,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(data: &str) -> RawEvent {
        RawEvent {
            event: None,
            id: None,
            retry: None,
            data: data.to_owned(),
        }
    }

    /// The events of `stream` fed in the chunks `splits` cut it into.
    fn parse_split(stream: &[u8], splits: &[usize]) -> Vec<RawEvent> {
        let mut parser = Parser::new(1 << 20);
        let mut out = Vec::new();
        let mut start = 0;
        for &at in splits.iter().chain([&stream.len()]) {
            parser
                .feed(&stream[start..at], &mut out)
                .expect("within limit");
            start = at;
        }
        out
    }

    fn parse(stream: &[u8]) -> Vec<RawEvent> {
        parse_split(stream, &[])
    }

    /// Every way of cutting `stream` in two, and byte by byte, gives the events whole gives.
    fn assert_split_invariant(stream: &[u8]) -> Vec<RawEvent> {
        let whole = parse(stream);
        for at in 0..=stream.len() {
            assert_eq!(parse_split(stream, &[at]), whole, "split at {at}");
        }
        for (a, b) in (0..stream.len()).flat_map(|a| (a..=stream.len()).map(move |b| (a, b))) {
            assert_eq!(parse_split(stream, &[a, b]), whole, "split at {a} and {b}");
        }
        let bytes: Vec<usize> = (1..stream.len()).collect();
        assert_eq!(parse_split(stream, &bytes), whole, "byte by byte");
        whole
    }

    #[test]
    fn fields_are_read_and_an_event_is_dispatched_on_a_blank_line() {
        let events = parse(b"event: token\nid: 7\nretry: 1500\ndata: hello\n\n");
        assert_eq!(
            events,
            vec![RawEvent {
                event: Some("token".into()),
                id: Some("7".into()),
                retry: Some(Duration::from_millis(1500)),
                data: "hello".into(),
            }]
        );
    }

    #[test]
    fn data_lines_are_joined_with_newlines_and_comments_are_ignored() {
        let events = parse(b": keep-alive\ndata: a\n:another comment\ndata:b\ndata\n\n");
        assert_eq!(events, vec![event("a\nb\n")]);
    }

    #[test]
    fn only_one_space_after_the_colon_is_removed() {
        assert_eq!(parse(b"data:  two spaces\n\n"), vec![event(" two spaces")]);
        assert_eq!(parse(b"data:no space\n\n"), vec![event("no space")]);
        assert_eq!(parse(b"data: a: b\n\n"), vec![event("a: b")]);
    }

    #[test]
    fn cr_lf_and_crlf_all_end_lines() {
        let expected = vec![event("a\nb"), event("c")];
        assert_eq!(parse(b"data: a\ndata: b\n\ndata: c\n\n"), expected);
        assert_eq!(parse(b"data: a\rdata: b\r\rdata: c\r\r"), expected);
        assert_eq!(
            parse(b"data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"),
            expected
        );
        assert_eq!(parse(b"data: a\r\ndata: b\n\rdata: c\r\n\n"), expected);
    }

    #[test]
    fn a_leading_byte_order_mark_is_dropped_once() {
        assert_eq!(parse(b"\xEF\xBB\xBFdata: x\n\n"), vec![event("x")]);
        // A second one is part of the field name: an unknown field.
        assert_eq!(parse(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\n"), vec![]);
    }

    #[test]
    fn an_id_with_nul_is_ignored_and_ids_outlive_their_event() {
        let events = parse(b"id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\nid\ndata: c\n\n");
        let ids: Vec<_> = events.iter().map(|e| e.id.clone()).collect();
        assert_eq!(ids, [Some("1".into()), Some("1".into()), None]);
    }

    #[test]
    fn an_event_without_data_is_not_dispatched_but_its_fields_count() {
        let mut parser = Parser::new(1024);
        let mut out = Vec::new();
        parser
            .feed(b"event: ping\nid: 9\nretry: 10\n\ndata: x\n\n", &mut out)
            .expect("within limit");
        assert_eq!(
            out,
            vec![RawEvent {
                event: None,
                id: Some("9".into()),
                retry: None,
                data: "x".into()
            }]
        );
        assert_eq!(parser.reconnection_time(), Some(Duration::from_millis(10)));
        assert_eq!(parser.last_event_id(), Some("9"));
    }

    #[test]
    fn invalid_retry_values_and_unknown_fields_are_ignored() {
        let mut parser = Parser::new(1024);
        let mut out = Vec::new();
        parser
            .feed(
                b"retry: 1s\nretry: -5\nretry:\nfoo: bar\ndata: x\n\n",
                &mut out,
            )
            .expect("within limit");
        assert_eq!(out, vec![event("x")]);
        assert_eq!(parser.reconnection_time(), None);
    }

    #[test]
    fn a_field_without_a_colon_has_an_empty_value() {
        assert_eq!(parse(b"data\ndata\n\n"), vec![event("\n")]);
        assert_eq!(parse(b"event\ndata: x\n\n"), vec![event("x")]);
    }

    #[test]
    fn an_incomplete_event_at_the_end_is_discarded() {
        assert_eq!(parse(b"data: a\n\ndata: b\n"), vec![event("a")]);
        assert_eq!(parse(b"data: a\n\ndata: b"), vec![event("a")]);
        // A lone CR ends the blank line: that event is complete.
        assert_eq!(parse(b"data: a\n\r"), vec![event("a")]);
    }

    #[test]
    fn restart_drops_the_partial_event_and_keeps_the_last_id() {
        let mut parser = Parser::new(1024);
        let mut out = Vec::new();
        parser
            .feed(b"id: 3\ndata: a\n\ndata: part", &mut out)
            .expect("within limit");
        parser.restart();
        parser
            .feed(b"ial\n\ndata: b\n\n", &mut out)
            .expect("within limit");
        let data: Vec<_> = out.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(data, ["a", "b"]);
        assert_eq!(out[1].id.as_deref(), Some("3"));
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        assert_eq!(parse(b"data: a\xFFb\n\n"), vec![event("a\u{FFFD}b")]);
    }

    #[test]
    fn events_longer_than_the_limit_are_refused() {
        let mut parser = Parser::new(16);
        let mut out = Vec::new();
        assert_eq!(
            parser.feed(b"data: 0123456789abcdef", &mut out),
            Err(TooLong)
        );
        let mut parser = Parser::new(16);
        parser
            .feed(b"data: 01234567\n", &mut out)
            .expect("within limit");
        assert_eq!(parser.feed(b"data: 01234567\n", &mut out), Err(TooLong));
    }

    #[test]
    fn every_split_point_gives_the_same_events() {
        // Fields, values, CRLF and CR line ends, a BOM, a four-byte and a two-byte UTF-8
        // character, comments, ids, and an unfinished event at the end.
        let stream = "\u{FEFF}event: t\r\nid: 1\r\ndata: h\u{E9}llo \u{1F600}\r\n\r\n: c\rdata: {\"a\":1}\r\rdata: x\ndata: y\n\ndata: cut";
        let events = assert_split_invariant(stream.as_bytes());
        assert_eq!(
            events,
            vec![
                RawEvent {
                    event: Some("t".into()),
                    id: Some("1".into()),
                    retry: None,
                    data: "h\u{E9}llo \u{1F600}".into(),
                },
                RawEvent {
                    event: None,
                    id: Some("1".into()),
                    retry: None,
                    data: "{\"a\":1}".into(),
                },
                RawEvent {
                    event: None,
                    id: Some("1".into()),
                    retry: None,
                    data: "x\ny".into(),
                },
            ]
        );
    }

    #[test]
    fn a_cr_at_a_chunk_end_and_its_lf_in_the_next_are_one_line_end() {
        let events = parse_split(b"data: A\r\ndata: B\r\ndata: C\r\n\r\n", &[17]);
        assert_eq!(events, vec![event("A\nB\nC")]);
        let events = parse_split(b"data: A\r\ndata: B\r\ndata: C\r\n\r\n", &[8, 17, 26]);
        assert_eq!(events, vec![event("A\nB\nC")]);
    }
}
