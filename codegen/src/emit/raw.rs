//! Items written as text rather than formatted by prettyplease: the `json_struct!` calls,
//! which prettyplease would print as a stream of tokens filling each line (docs as
//! `#[doc = "..."]`), and which read better with a field per line under its `///` docs.
//!
//! While [`with_raw_items`] runs, [`raw_item`] stands a one-line placeholder item
//! (`__raw_item_N!();`) for the text and keeps the text; [`fill_raw_items`] puts the texts
//! back into the formatted file in the placeholders' lines. Outside it, [`raw_item`] gives the
//! item's tokens, which mean the same.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::{format_ident, quote};

thread_local! {
    /// The texts [`raw_item`] stood placeholders for, while [`with_raw_items`] runs.
    static RAW_ITEMS: std::cell::RefCell<Option<Vec<String>>> =
        const { std::cell::RefCell::new(None) };
}

/// The start of a placeholder's name; no generated name starts with two underscores.
const PLACEHOLDER: &str = "__raw_item_";

/// An item: inside [`with_raw_items`] a placeholder for `text()` (lines ending in `\n`), else
/// `tokens()`.
pub fn raw_item(
    tokens: impl FnOnce() -> TokenStream,
    text: impl FnOnce() -> String,
) -> TokenStream {
    let index = RAW_ITEMS.with(|cell| {
        let mut items = cell.borrow_mut();
        let items = items.as_mut()?;
        items.push(text());
        Some(items.len() - 1)
    });
    match index {
        Some(index) => {
            let name = format_ident!("{PLACEHOLDER}{index}");
            quote!(#name!();)
        }
        None => tokens(),
    }
}

/// Runs `f` (which emits tokens) with every [`raw_item`] a placeholder, and returns the
/// items' texts for [`fill_raw_items`].
pub fn with_raw_items<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    /// Ends collecting even if `f` unwinds.
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            RAW_ITEMS.with(|cell| cell.borrow_mut().take());
        }
    }
    RAW_ITEMS.with(|cell| *cell.borrow_mut() = Some(Vec::new()));
    let reset = Reset;
    let result = f();
    let items = RAW_ITEMS.with(|cell| cell.borrow_mut().take());
    drop(reset);
    (result, items.unwrap_or_default())
}

/// Replaces each placeholder line of `text` (formatted code, where prettyplease printed the
/// placeholder `__raw_item_N!();` on a line of its own) with item `N`'s text, each line at the
/// placeholder's indentation. `None` when a placeholder names no item.
pub fn fill_raw_items(text: &str, items: &[String]) -> Option<String> {
    if items.is_empty() {
        return Some(text.to_owned());
    }
    let mut out = String::with_capacity(text.len() + items.iter().map(String::len).sum::<usize>());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        let Some(index) = trimmed
            .strip_prefix(PLACEHOLDER)
            .and_then(|rest| rest.trim_end().strip_suffix("!();"))
        else {
            out.push_str(line);
            continue;
        };
        let indent = line.get(..line.len() - trimmed.len()).unwrap_or_default();
        for item_line in items
            .get(index.parse::<usize>().ok()?)?
            .split_inclusive('\n')
        {
            if item_line != "\n" {
                out.push_str(indent);
            }
            out.push_str(item_line);
        }
    }
    Some(out)
}

/// Tokens as text on one line, spaced as Rust is written: `Vec<String>`,
/// `super::runtime::chrono::Utc`, `(0, id, "id", req, i64 => new)`,
/// `#[cfg(feature = "x")]`. Lexing the text gives the tokens back.
pub fn tokens_text(tokens: &TokenStream) -> String {
    let mut out = String::new();
    write_tokens(&mut out, tokens.clone());
    out
}

fn write_tokens(out: &mut String, tokens: TokenStream) {
    // Whether the last token was a word (an identifier, literal or group), and whether the
    // next one is spaced from it (after `,`, `;`, `=`, `=>`).
    let mut after_word = false;
    let mut spaced = false;
    // Inside a `=` joint to the next punctuation (`=>`).
    let mut in_operator = false;
    for token in tokens {
        match token {
            TokenTree::Ident(_) | TokenTree::Literal(_) => {
                if after_word || spaced {
                    out.push(' ');
                }
                out.push_str(&token.to_string());
                (after_word, spaced) = (true, false);
            }
            TokenTree::Group(group) => {
                if spaced {
                    out.push(' ');
                }
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{ ", " }"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                write_tokens(out, group.stream());
                out.push_str(close);
                (after_word, spaced) = (true, false);
            }
            TokenTree::Punct(punct) => {
                let ch = punct.as_char();
                let joint = punct.spacing() == Spacing::Joint;
                match ch {
                    ',' | ';' => {
                        out.push(ch);
                        spaced = true;
                    }
                    '=' if !in_operator => {
                        if !out.is_empty() {
                            out.push(' ');
                        }
                        out.push(ch);
                        spaced = !joint;
                        in_operator = joint;
                    }
                    _ if in_operator => {
                        out.push(ch);
                        spaced = !joint;
                        in_operator = joint;
                    }
                    _ => {
                        if spaced {
                            out.push(' ');
                        }
                        out.push(ch);
                        spaced = false;
                    }
                }
                after_word = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_print_as_written_and_lex_back() -> Result<(), Box<dyn std::error::Error>> {
        let cases = [
            quote!(Vec<::std::collections::BTreeMap<String, super::runtime::chrono::Utc>>),
            quote!((0, r#type, "type", default(default_type), (i64, String,) => new box X)),
            quote!(#[cfg(any(feature = "a", feature = "b"))]),
            quote!(
                ser,
                #[cfg(feature = "serde-all")]
                de,
            ),
            quote!(#[deprecated] with_x into),
            quote!(impl Into<String>),
        ];
        let texts: Vec<String> = cases.iter().map(tokens_text).collect();
        assert_eq!(
            texts,
            [
                "Vec<::std::collections::BTreeMap<String, super::runtime::chrono::Utc>>",
                "(0, r#type, \"type\", default(default_type), (i64, String,) => new box X)",
                "#[cfg(any(feature = \"a\", feature = \"b\"))]",
                "ser, #[cfg(feature = \"serde-all\")] de,",
                "#[deprecated] with_x into",
                "impl Into<String>",
            ]
        );
        for (case, text) in cases.iter().zip(&texts) {
            let lexed: TokenStream = text.parse()?;
            assert_eq!(shape(&lexed), shape(case), "{text}");
        }
        Ok(())
    }

    /// The tokens without their spacing (`<` before `::` lexes as joint to it: the same
    /// tokens to a parser).
    fn shape(tokens: &TokenStream) -> Vec<String> {
        tokens
            .clone()
            .into_iter()
            .flat_map(|token| match token {
                TokenTree::Group(group) => {
                    let mut out = vec![format!("{:?}", group.delimiter())];
                    out.extend(shape(&group.stream()));
                    out.push("end".to_owned());
                    out
                }
                TokenTree::Punct(punct) => vec![punct.as_char().to_string()],
                other => vec![other.to_string()],
            })
            .collect()
    }

    #[test]
    fn placeholders_are_filled_at_their_indentation() {
        let (tokens, items) = with_raw_items(|| {
            let a = raw_item(TokenStream::new, || "a!(\n    x\n);\n".to_owned());
            let b = raw_item(TokenStream::new, || "b!();\n".to_owned());
            quote!(#a #b)
        });
        assert_eq!(
            tokens.to_string(),
            "__raw_item_0 ! () ; __raw_item_1 ! () ;"
        );
        let text = "mod m {\n    __raw_item_0!();\n}\n__raw_item_1!();\n";
        assert_eq!(
            fill_raw_items(text, &items).as_deref(),
            Some("mod m {\n    a!(\n        x\n    );\n}\nb!();\n")
        );
        assert_eq!(fill_raw_items("__raw_item_2!();\n", &items), None);
        let outside = raw_item(|| quote!(c!();), String::new);
        assert_eq!(outside.to_string(), "c ! () ;");
    }
}
