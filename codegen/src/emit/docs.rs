//! Documentation text → `#[doc]` attributes that rustdoc shows literally.

use proc_macro2::TokenStream;
use quote::quote;

/// One `#[doc = " ..."]` attribute per line of `markdown`, which the generator wrote (text
/// from the document goes through [`sanitize`] first).
///
/// Inside [`with_placeholders`] that replaces every block, one placeholder attribute stands
/// for them all instead.
pub fn doc_attrs(markdown: &str) -> TokenStream {
    placeholder(markdown, false).unwrap_or_else(|| attrs(markdown))
}

/// The docs of an item a macro call declares: [`doc_attrs`] as the first tokens of a
/// brace-delimited call at the top level of a file, where prettyplease prints attributes as
/// tokens (`#[doc = " ..."]`) and they start the call's first line. Inside any
/// [`with_placeholders`] (which `generate` always runs) one placeholder stands for the block,
/// and [`fill_placeholders`] writes it as `///` lines. The placeholder is padded with spaces
/// to end near prettyplease's margin, so that the call's next token starts a line of its own,
/// which the placeholder's line leaves to it.
pub fn call_doc_attrs(markdown: &str) -> TokenStream {
    placeholder(markdown, true).unwrap_or_else(|| attrs(markdown))
}

/// Where a call's padded placeholder line ends: `    #[doc = "\u{1}N..."]` is this long.
/// prettyplease's margin is 89 columns: the attribute fits on its line (otherwise the
/// literal would go to the next line, which [`fill_placeholders`] refuses), and the token
/// after it (` pub`, ` #`) does not.
const CALL_PLACEHOLDER_LINE: usize = 87;

/// [`doc_attrs`] without a placeholder: for docs inside a call the generator writes as text
/// (`emit::raw`), which prints them as `///` lines itself.
pub fn doc_attrs_inline(markdown: &str) -> TokenStream {
    attrs(markdown)
}

/// [`doc_attrs`] without a placeholder.
fn attrs(markdown: &str) -> TokenStream {
    let attrs = markdown.trim_end().split('\n').map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#attrs)*)
}

/// A placeholder attribute for `markdown`, when blocks are being collected: every block, or
/// (`in_call`) only those of [`call_doc_attrs`].
fn placeholder(markdown: &str, in_call: bool) -> Option<TokenStream> {
    let placeholder = PLACEHOLDERS.with(|cell| {
        let mut collecting = cell.borrow_mut();
        let collecting = collecting.as_mut().filter(|c| in_call || c.every_block)?;
        collecting.blocks.push(markdown.trim_end().to_owned());
        let number = (collecting.blocks.len() - 1).to_string();
        // `    #[doc = "`, `\u{1}` printed as 6 characters, the number, `"]`.
        let width = if in_call {
            CALL_PLACEHOLDER_LINE.saturating_sub(21)
        } else {
            0
        };
        Some(format!("{PLACEHOLDER}{number:<width$}"))
    })?;
    Some(quote!(#[doc = #placeholder]))
}

/// Starts a placeholder: `\u{1}` and the block's number. No doc line has it: [`sanitize`]
/// shows control characters as escapes, and the generator's own text has none.
const PLACEHOLDER: char = '\u{1}';

/// A placeholder as prettyplease prints it among a macro call's tokens: the attribute, its
/// string literal escaping `\u{1}`. Only a placeholder's literal starts with that escape:
/// [`code`] and [`sanitize`] write a control character as `\\u{1}`, whose literal starts
/// `"\\u`.
const TOKEN_PLACEHOLDER: &str = "#[doc = \"\\u{1}";

/// The doc blocks being collected while [`with_placeholders`] runs.
struct Collecting {
    /// Whether [`doc_attrs`] stands a placeholder for its block too, or only
    /// [`call_doc_attrs`].
    every_block: bool,
    blocks: Vec<String>,
}

thread_local! {
    /// The doc blocks placeholders stand for, while [`with_placeholders`] runs.
    static PLACEHOLDERS: std::cell::RefCell<Option<Collecting>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` (which emits tokens) with the doc blocks of [`call_doc_attrs`], and with
/// `every_block` those of [`doc_attrs`] too, each replaced by one placeholder attribute, and
/// returns the blocks; [`fill_placeholders`] puts them back into the formatted text. Parsing
/// and printing one short attribute instead of one per line of text is most of the cost of
/// documentation in formatting (about a third of GitHub's time); in a macro call, it is what
/// makes the docs `///` lines.
pub fn with_placeholders<R>(every_block: bool, f: impl FnOnce() -> R) -> (R, Vec<String>) {
    /// Ends collecting even if `f` unwinds.
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            PLACEHOLDERS.with(|cell| cell.borrow_mut().take());
        }
    }
    PLACEHOLDERS.with(|cell| {
        *cell.borrow_mut() = Some(Collecting {
            every_block,
            blocks: Vec::new(),
        });
    });
    let reset = Reset;
    let result = f();
    let docs = PLACEHOLDERS.with(|cell| cell.borrow_mut().take());
    drop(reset);
    (result, docs.map(|c| c.blocks).unwrap_or_default())
}

/// Replaces each placeholder of `text` (formatted code) with the lines of its doc block, as
/// prettyplease prints the attributes [`doc_attrs`] makes without placeholders: `///` and
/// the line (after a space when not empty), trailing spaces trimmed, at the placeholder's
/// indentation. A placeholder is a line of its own where prettyplease printed it as an
/// item's attribute (`///\u{1}N`), or starts a line inside a macro call
/// (`#[doc = "\u{1}N"]`, see [`call_doc_attrs`]), where the rest of that line follows the
/// block on a line of its own. `None` when a placeholder names no block, or when one is left
/// in a macro call elsewhere than at the start of a line.
pub fn fill_placeholders(text: &str, docs: &[String]) -> Option<String> {
    if docs.is_empty() {
        return Some(text.to_owned());
    }
    let marker = format!("///{PLACEHOLDER}");
    let mut out = String::with_capacity(text.len() + docs.iter().map(String::len).sum::<usize>());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.get(..line.len() - trimmed.len()).unwrap_or_default();
        let (number, rest) = if let Some(rest) = trimmed.strip_prefix(&marker) {
            (rest.trim_end(), "")
        } else if let Some(rest) = trimmed.strip_prefix(TOKEN_PLACEHOLDER) {
            let (number, rest) = rest.split_once("\"]")?;
            (number.trim_end(), rest.trim())
        } else {
            out.push_str(line);
            continue;
        };
        let block = docs.get(number.parse::<usize>().ok()?)?;
        for doc in block.split('\n') {
            out.push_str(indent);
            out.push_str("///");
            if !doc.is_empty() {
                out.push(' ');
                out.push_str(doc.trim_end_matches(' '));
            }
            out.push('\n');
        }
        if !rest.is_empty() {
            out.push_str(indent);
            out.push_str(rest);
            out.push('\n');
        }
    }
    (!left_over(&out)).then_some(out)
}

/// Whether a call's placeholder is left in `text`: its attribute elsewhere than at the start
/// of a line, or its padded literal apart from the attribute. (A wire value holding a
/// control character, digits and ten spaces would be taken for one: generation then fails
/// rather than writing a placeholder.)
fn left_over(text: &str) -> bool {
    text.contains(TOKEN_PLACEHOLDER)
        || text.match_indices("\"\\u{1}").any(|(i, start)| {
            let after = text.get(i + start.len()..).unwrap_or_default();
            after
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .starts_with("          ")
        })
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
        let (tokens, docs) = with_placeholders(true, || doc_attrs("First line.  \n\nSecond."));
        assert_eq!(tokens.to_string(), "# [doc = \"\\u{1}0\"]");
        assert_eq!(docs, ["First line.  \n\nSecond."]);
        let text = "struct A {\n    ///\u{1}0\n    pub x: u8,\n}\n";
        assert_eq!(
            fill_placeholders(text, &docs).as_deref(),
            Some("struct A {\n    /// First line.\n    ///\n    /// Second.\n    pub x: u8,\n}\n")
        );
        assert_eq!(fill_placeholders("///\u{1}1\n", &docs), None);
        // Only the docs of macro calls, when not every block is collected.
        let (_, docs) = with_placeholders(false, || doc_attrs("Not collected."));
        assert!(docs.is_empty());
        // Outside `with_placeholders`, one attribute per line, as before.
        assert_eq!(
            doc_attrs("a\nb").to_string(),
            "# [doc = \" a\"] # [doc = \" b\"]"
        );
    }

    /// The docs that open a macro call's body become `///` lines, and the call's next token
    /// starts the line after them, as wide as prettyplease makes it.
    #[test]
    fn call_placeholders_are_filled_above_the_rest_of_their_line() -> Result<(), crate::Error> {
        let variants = (0..12).map(|i| {
            let variant = proc_macro2::Ident::new(&format!("V{i}"), proc_macro2::Span::call_site());
            let wire = format!("v{i}");
            quote!(#variant(#wire),)
        });
        let (tokens, docs) = with_placeholders(false, || {
            let docs = call_doc_attrs("First line.\n\nSecond.");
            quote! {
                m! { #docs #[deprecated] pub enum E { #(#variants)* ..Other(String) } }
                m! { #docs pub enum F { A("a"), ..Other(String) } }
            }
        });
        let text = crate::format::format(tokens)?;
        assert_eq!(
            fill_placeholders(&text, &docs).as_deref(),
            Some(concat!(
                "m! {\n",
                "    /// First line.\n",
                "    ///\n",
                "    /// Second.\n",
                "    #[deprecated] pub enum E { V0(\"v0\"), V1(\"v1\"), V2(\"v2\"), V3(\"v3\"), V4(\"v4\"),\n",
                "    V5(\"v5\"), V6(\"v6\"), V7(\"v7\"), V8(\"v8\"), V9(\"v9\"), V10(\"v10\"), V11(\"v11\"),\n",
                "    ..Other(String) }\n",
                "}\n",
                "m! {\n",
                "    /// First line.\n",
                "    ///\n",
                "    /// Second.\n",
                "    pub enum F { A(\"a\"), ..Other(String) }\n",
                "}\n",
            ))
        );
        // A placeholder anywhere else is refused.
        let moved = text.replacen("    #[doc", "    x #[doc", 1);
        assert_eq!(fill_placeholders(&moved, &docs), None);
        Ok(())
    }
}
