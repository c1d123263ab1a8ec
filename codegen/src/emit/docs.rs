//! Documentation text → `#[doc]` attributes that rustdoc shows literally.

use proc_macro2::TokenStream;
use quote::quote;

/// One `#[doc = " ..."]` attribute per line of `markdown`, which the generator wrote (text
/// from the document goes through [`sanitize`] first).
pub fn doc_attrs(markdown: &str) -> TokenStream {
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

/// Makes text from the document safe to show literally in rustdoc: control characters dropped,
/// leading whitespace removed (so nothing becomes a code block or doctest), code fences,
/// brackets, angle brackets, backslashes and pipes escaped, bare URLs wrapped in `<...>`.
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
            let clean: String = line
                .chars()
                .filter(|c| !c.is_control() || *c == '\t')
                .map(|c| if c == '\t' { ' ' } else { c })
                .collect();
            escape_line(clean.trim())
        })
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    while lines.first().is_some_and(String::is_empty) {
        lines.remove(0);
    }
    lines
}

fn escape_line(line: &str) -> String {
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
    if out.starts_with("```") || out.starts_with("~~~") {
        out.insert(0, '\\');
    }
    out
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
            vec!["indented code", "\\```rust", "x", "\\```"]
        );
        assert_eq!(
            sanitize_lines("a [link] <b> c\\d"),
            vec!["a \\[link\\] \\<b\\> c\\\\d"]
        );
        assert_eq!(sanitize_lines("x\u{7}y\r\n\n"), vec!["xy"]);
    }
}
