//! Documentation text → `#[doc]` attributes that rustdoc shows literally.

use proc_macro2::TokenStream;
use quote::quote;

/// One `#[doc = " ..."]` attribute per line of `markdown`, which the generator wrote (text
/// from the document goes through [`sanitize`] first).
///
/// Inside [`with_placeholders`], one placeholder attribute stands for them all instead.
pub fn doc_attrs(markdown: &str) -> TokenStream {
    let markdown = markdown.trim_end();
    let placeholder = PLACEHOLDERS.with(|cell| {
        let mut docs = cell.borrow_mut();
        let docs = docs.as_mut()?;
        docs.push(markdown.to_owned());
        Some(format!("{PLACEHOLDER}{}", docs.len() - 1))
    });
    if let Some(placeholder) = placeholder {
        return quote!(#[doc = #placeholder]);
    }
    doc_attrs_inline(markdown)
}

/// [`doc_attrs`] without placeholders: for docs inside a macro call, which prettyplease
/// prints as tokens (`#[doc = " ..."]`) rather than as `///` lines.
pub fn doc_attrs_inline(markdown: &str) -> TokenStream {
    let markdown = markdown.trim_end();
    let attrs = markdown.split('\n').map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#attrs)*)
}

/// Starts a placeholder: `\u{1}` and the block's number. No doc line has it: [`sanitize`]
/// shows control characters as escapes, and the generator's own text has none.
const PLACEHOLDER: char = '\u{1}';

thread_local! {
    /// The doc blocks [`doc_attrs`] stood placeholders for, while [`with_placeholders`] runs.
    static PLACEHOLDERS: std::cell::RefCell<Option<Vec<String>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` (which emits tokens) with every doc block [`doc_attrs`] makes replaced by one
/// placeholder attribute, and returns the blocks; [`fill_placeholders`] puts them back into
/// the formatted text. Parsing and printing one short attribute instead of one per line of
/// text is most of the cost of documentation in formatting (about a third of GitHub's time).
pub fn with_placeholders<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    /// Ends collecting even if `f` unwinds.
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            PLACEHOLDERS.with(|cell| cell.borrow_mut().take());
        }
    }
    PLACEHOLDERS.with(|cell| *cell.borrow_mut() = Some(Vec::new()));
    let reset = Reset;
    let result = f();
    let docs = PLACEHOLDERS.with(|cell| cell.borrow_mut().take());
    drop(reset);
    (result, docs.unwrap_or_default())
}

/// Replaces each placeholder line of `text` (formatted code, where prettyplease printed the
/// attribute as `///\u{1}N` on a line of its own) with the lines of doc block `N`, as
/// prettyplease prints the attributes [`doc_attrs`] makes without placeholders: `///` and
/// the line (after a space when not empty), trailing spaces trimmed, at the placeholder's
/// indentation. `None` when a placeholder names no block.
pub fn fill_placeholders(text: &str, docs: &[String]) -> Option<String> {
    if docs.is_empty() {
        return Some(text.to_owned());
    }
    let marker = format!("///{PLACEHOLDER}");
    let mut out = String::with_capacity(text.len() + docs.iter().map(String::len).sum::<usize>());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        let Some(rest) = trimmed.strip_prefix(&marker) else {
            out.push_str(line);
            continue;
        };
        let indent = line.get(..line.len() - trimmed.len()).unwrap_or_default();
        let block = docs.get(rest.trim_end().parse::<usize>().ok()?)?;
        for doc in block.split('\n') {
            out.push_str(indent);
            out.push_str("///");
            if !doc.is_empty() {
                out.push(' ');
                out.push_str(doc.trim_end_matches(' '));
            }
            out.push('\n');
        }
    }
    Some(out)
}

/// Makes text from the document safe to show literally in rustdoc: control characters and
/// characters that reorder text shown as `\u{..}`, leading whitespace removed (so nothing
/// becomes a code block or doctest), code fences, unmatched backticks, brackets, angle
/// brackets, backslashes, pipes and entities escaped, bare URLs wrapped in `<...>`.
pub fn sanitize(text: &str) -> String {
    sanitize_lines(text).join("\n")
}

/// [`sanitize`], line by line.
pub fn sanitize_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(|line| {
            let clean = visible(&line.replace('\t', " "));
            escape_line(&calm_list_markers(clean.trim()))
        })
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    while lines.first().is_some_and(String::is_empty) {
        lines.remove(0);
    }
    // A list item's text ends at its line: a following line that is not an item starts a new
    // paragraph (instead of continuing the item lazily, which clippy refuses).
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        if out.last().is_some_and(|last| is_list_item(last))
            && !line.is_empty()
            && !is_list_item(&line)
        {
            out.push(String::new());
        }
        out.push(line);
    }
    out
}

/// Documentation `docs` (sanitized, maybe empty) followed by the generator's `note`: on the
/// same line when `docs` is one line of prose (after a full stop), else as a paragraph of its
/// own. A note on its line rather than in a paragraph saves two lines per item.
pub fn with_note(docs: &str, note: &str) -> String {
    if note.is_empty() {
        return docs.to_owned();
    }
    if docs.is_empty() {
        return note.to_owned();
    }
    let prose = !docs.contains('\n')
        && !is_list_item(docs)
        && docs.starts_with(|c: char| c.is_alphanumeric() || c == '`')
        && !docs.ends_with(':');
    if !prose {
        return format!("{docs}\n\n{note}");
    }
    let stop = if docs.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("{docs}{stop} {note}")
}

/// Whether the (sanitized) line starts a list item.
fn is_list_item(line: &str) -> bool {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let after = match line.as_bytes().get(digits) {
        Some(b'-' | b'*' | b'+') if digits == 0 => line.get(1..),
        Some(b'.' | b')') if (1..=9).contains(&digits) => line.get(digits + 1..),
        _ => None,
    };
    after.is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

/// Control characters and characters that reorder text (which rustc refuses in comments)
/// written as `\u{..}`, so they show instead of acting.
fn visible(text: &str) -> String {
    crate::error::printable(text)
}

/// After a list marker (`-`, `*`, `+`, `1.`, `1)`), one space: more would make the rest of the
/// line an indented code block inside the list item, which rustdoc runs as a doctest.
fn calm_list_markers(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let marker_len = match rest.as_bytes().get(digits) {
            Some(b'-' | b'*' | b'+') if digits == 0 => 1,
            Some(b'.' | b')') if (1..=9).contains(&digits) => digits + 1,
            _ => 0,
        };
        let (marker, after) = rest.split_at(marker_len.min(rest.len()));
        if marker_len == 0 || !after.starts_with(' ') {
            break;
        }
        out.push_str(marker);
        out.push(' ');
        rest = after.trim_start();
    }
    out.push_str(rest);
    out
}

/// A rustdoc link showing `text` as code and pointing to `path`, or the code alone when the
/// item's name `name` is a raw identifier (`r#match`), which intra-doc links cannot name.
pub fn item_link(text: &str, path: &str, name: &str) -> String {
    if name.starts_with("r#") {
        format!("`{text}`")
    } else {
        format!("[`{text}`]({path})")
    }
}

/// An inline code span that shows `text` literally, whatever it holds: fenced with more
/// backticks than any run inside it, control characters written as `\u{..}`.
pub fn code(text: &str) -> String {
    let text = visible(text);
    if text.is_empty() {
        return "`\"\"` (empty)".to_owned();
    }
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    if longest == 0 && !text.starts_with(' ') && !text.ends_with(' ') {
        return format!("`{text}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

/// Escapes one line: prose gets its markup characters escaped and its URLs wrapped; code spans
/// (a run of backticks up to the next run of the same length) stay as they are, since rustdoc
/// shows their text literally (an escape inside one would show as a backslash).
fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    for (is_code, segment) in code_spans(line) {
        if is_code {
            out.push_str(segment);
        } else {
            out.push_str(&escape_runs(&escape_prose(segment)));
        }
    }
    out
}

/// Splits `line` into prose and code spans, in order (`true` for a code span). A run of
/// backticks opens a span when a later run of the same length closes it; otherwise it is
/// prose.
fn code_spans(line: &str) -> Vec<(bool, &str)> {
    let bytes = line.as_bytes();
    let run_at = |i: usize| bytes.iter().skip(i).take_while(|b| **b == b'`').count();
    let mut segments = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'`') {
            i += 1;
            continue;
        }
        let run = run_at(i);
        let mut j = i + run;
        let mut close = None;
        while j < bytes.len() {
            if bytes.get(j) == Some(&b'`') {
                let other = run_at(j);
                if other == run {
                    close = Some(j);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                if start < i {
                    segments.push((false, line.get(start..i).unwrap_or_default()));
                }
                segments.push((true, line.get(i..j + run).unwrap_or_default()));
                start = j + run;
                i = start;
            }
            None => i += run,
        }
    }
    if start < line.len() {
        segments.push((false, line.get(start..).unwrap_or_default()));
    }
    segments
}

/// Prose: URLs wrapped in `<...>`, markup characters escaped.
fn escape_prose(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while !rest.is_empty() {
        let next_url = ["https://", "http://"]
            .iter()
            .filter_map(|p| rest.find(p))
            .min();
        match next_url {
            Some(start) => {
                let (before, from) = rest.split_at(start);
                escape_text(before, &mut out);
                let end = from
                    .find(|c: char| {
                        c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`' | ')' | ']')
                    })
                    .unwrap_or(from.len());
                let candidate = from.get(..end).unwrap_or(from);
                let kept = candidate
                    .trim_end_matches(['.', ',', ';', ':', '!', '?'])
                    .len();
                let (url, after) = from.split_at(kept);
                out.push('<');
                out.push_str(url);
                out.push('>');
                rest = after;
            }
            None => {
                escape_text(rest, &mut out);
                rest = "";
            }
        }
    }
    out
}

/// Escapes, in prose (code spans are split off before), what could start markup on a later
/// line or a fenced block: backticks (any left in prose have no closing run on the line), runs
/// of three or more `~`, and character references (`&lt;`), which would show as the character
/// they name.
fn escape_runs(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let tildes = if c == '~' {
            chars.iter().skip(i).take_while(|x| **x == '~').count()
        } else {
            0
        };
        if c == '`' {
            out.push_str("\\`");
            i += 1;
        } else if tildes >= 3 {
            (0..tildes).for_each(|_| out.push_str("\\~"));
            i += tildes;
        } else if c == '&' && is_reference(chars.get(i + 1..).unwrap_or_default()) {
            out.push_str("\\&");
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Whether the text after a `&` makes it a character reference (`amp;`, `#38;`, `#x26;`).
fn is_reference(after: &[char]) -> bool {
    let name = after
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    name > 0 && after.get(name) == Some(&';')
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(c, '[' | ']' | '<' | '>' | '\\' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_wrapped_and_trailing_punctuation_kept_out() {
        assert_eq!(
            sanitize_lines("See https://example.com/a#b for more."),
            vec!["See <https://example.com/a#b> for more."]
        );
        assert_eq!(
            sanitize_lines("(https://x.y/z)."),
            vec!["(<https://x.y/z>)."]
        );
    }

    #[test]
    fn markdown_is_neutralised() {
        assert_eq!(
            sanitize_lines("    indented code\n```rust\nx\n```"),
            vec!["indented code", "\\`\\`\\`rust", "x", "\\`\\`\\`"]
        );
        assert_eq!(
            sanitize_lines("a [link] <b> c\\d"),
            vec!["a \\[link\\] \\<b\\> c\\\\d"]
        );
        assert_eq!(sanitize_lines("x\u{7}y\r\n\n"), vec!["x\\\\u{7}y"]);
    }

    #[test]
    fn hostile_text_shows_literally() {
        assert_eq!(sanitize("a `b` c ` d"), "a `b` c \\` d");
        // Code spans show their text literally, so nothing inside them is escaped.
        assert_eq!(sanitize("`<b>` <b>"), "`<b>` \\<b\\>");
        assert_eq!(
            sanitize("`[a]|\\x` and ``a ` <b>`` [c]"),
            "`[a]|\\x` and ``a ` <b>`` \\[c\\]"
        );
        assert_eq!(
            sanitize("see `http://a.example` or http://b.example."),
            "see `http://a.example` or <http://b.example>."
        );
        assert_eq!(sanitize("- ~~~\n-     code"), "- \\~\\~\\~\n- code");
        assert_eq!(sanitize("&lt;x&gt; & y"), "\\&lt;x\\&gt; & y");
        assert_eq!(sanitize("rtl \u{202e}x"), "rtl \\\\u{202e}x");
        assert_eq!(sanitize("*/ /* \"# \"###"), "*/ /* \"# \"###");
    }

    #[test]
    fn notes_join_one_line_of_prose() {
        assert_eq!(with_note("", "N."), "N.");
        assert_eq!(with_note("D.", ""), "D.");
        assert_eq!(with_note("The id", "N."), "The id. N.");
        assert_eq!(with_note("The id?", "N."), "The id? N.");
        for docs in ["A\nB", "- item", "# Heading", "Options:", "1. one"] {
            assert_eq!(with_note(docs, "N."), format!("{docs}\n\nN."));
        }
    }

    #[test]
    fn code_spans_hold_anything() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("``"), "``` `` ```");
        assert_eq!(code(""), "`\"\"` (empty)");
        assert_eq!(code("a\nb"), "`a\\u{a}b`");
    }

    /// A placeholder line becomes its block's lines at its indentation, empty lines as a bare
    /// `///` and trailing spaces trimmed; other lines stay; an unknown number is `None`.
    #[test]
    fn placeholders_are_filled_at_their_indentation() {
        let (tokens, docs) = with_placeholders(|| doc_attrs("First line.  \n\nSecond."));
        assert_eq!(tokens.to_string(), "# [doc = \"\\u{1}0\"]");
        assert_eq!(docs, ["First line.  \n\nSecond."]);
        let text = "struct A {\n    ///\u{1}0\n    pub x: u8,\n}\n";
        assert_eq!(
            fill_placeholders(text, &docs).as_deref(),
            Some("struct A {\n    /// First line.\n    ///\n    /// Second.\n    pub x: u8,\n}\n")
        );
        assert_eq!(fill_placeholders("///\u{1}1\n", &docs), None);
        // Outside `with_placeholders`, one attribute per line, as before.
        assert_eq!(
            doc_attrs("a\nb").to_string(),
            "# [doc = \" a\"] # [doc = \" b\"]"
        );
    }
}
