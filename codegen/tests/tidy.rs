//! Tidy checks of the library's own sources (`codegen/src`): the rules reviewers would
//! otherwise check by hand.
//!
//! - No file is longer than [`MAX_FILE_LINES`] lines.
//! - No function is longer than [`MAX_FN_LINES`] lines unless a comment starting with
//!   `// Long:` just above it (among its doc comments and attributes) says why.
//! - No `.unwrap()`, `.expect(` or `panic!` (nor `unreachable!`, `todo!`, `unimplemented!`), in
//!   tests either: the library must not panic, and its tests
//!   return errors instead, so that a search for panics finds none.

use std::path::{Path, PathBuf};
use syn::visit::Visit;

const MAX_FILE_LINES: usize = 1_000;
const MAX_FN_LINES: usize = 100;

fn sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("codegen/src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 20, "found only {files:?}");
    files
}

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn no_file_is_too_long() {
    let long: Vec<String> = sources()
        .iter()
        .filter_map(|path| {
            let lines = std::fs::read_to_string(path)
                .expect("readable")
                .lines()
                .count();
            (lines > MAX_FILE_LINES).then(|| format!("{}: {lines} lines", relative(path)))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// Every function with a body, as (name, first line, last line).
struct Functions(Vec<(String, usize, usize)>);

impl Functions {
    fn add(&mut self, name: &syn::Ident, fn_token: &syn::token::Fn, block: &syn::Block) {
        let start = fn_token.span.start().line;
        let end = block.brace_token.span.close().end().line;
        self.0.push((name.to_string(), start, end));
    }
}

impl<'ast> Visit<'ast> for Functions {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.add(&item.sig.ident, &item.sig.fn_token, &item.block);
        syn::visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.add(&item.sig.ident, &item.sig.fn_token, &item.block);
        syn::visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(block) = &item.default {
            self.add(&item.sig.ident, &item.sig.fn_token, block);
        }
        syn::visit::visit_trait_item_fn(self, item);
    }
}

/// Whether a `// Long:` comment stands among the comments and attributes just above `line`
/// (1-based).
fn has_reason(lines: &[&str], line: usize) -> bool {
    lines
        .iter()
        .take(line.saturating_sub(1))
        .rev()
        .map(|l| l.trim())
        .take_while(|l| l.starts_with("//") || l.starts_with("#[") || l.starts_with("pub"))
        .any(|l| l.starts_with("// Long:"))
}

#[test]
fn no_function_is_too_long_without_a_reason() {
    let mut long = Vec::new();
    for path in sources() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let file = syn::parse_file(&text).expect("the library's sources parse");
        let mut functions = Functions(Vec::new());
        functions.visit_file(&file);
        let lines: Vec<&str> = text.lines().collect();
        for (name, start, end) in functions.0 {
            let length = end + 1 - start;
            if length > MAX_FN_LINES && !has_reason(&lines, start) {
                long.push(format!(
                    "{}:{start}: `{name}`, {length} lines",
                    relative(&path)
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines with no `// Long:` reason above them:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_library_never_unwraps() {
    let mut found = Vec::new();
    for path in sources() {
        let text = std::fs::read_to_string(&path).expect("readable");
        for (i, line) in text.lines().enumerate() {
            let panics = [
                ".unwrap()",
                ".expect(",
                "panic!(",
                "unreachable!(",
                "todo!(",
                "unimplemented!(",
            ];
            if panics.iter().any(|call| line.contains(call)) {
                found.push(format!("{}:{}: {}", relative(&path), i + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "panicking calls:\n{}", found.join("\n"));
}
