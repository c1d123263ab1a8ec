//! What the tests of problems in documents share: a run's messages as the user sees them.

use codegen::{Errors, Output};

/// The errors of a run that must fail (`text` is the document, for the failure message): one
/// `error: spec.yaml...` line each, as shown.
pub fn errors_of(text: &str, result: Result<Output, Errors>) -> Vec<String> {
    match result {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(errors) => {
            assert!(!errors.0.is_empty());
            // What the user sees: one `error:` line per error.
            let shown = errors.to_string();
            assert_eq!(shown.lines().count(), errors.0.len(), "{shown}");
            assert!(
                shown.lines().all(|l| l.starts_with("error: spec.yaml")),
                "{shown}"
            );
            errors.0.iter().map(ToString::to_string).collect()
        }
    }
}

/// The warnings of a run that must succeed, as shown for `spec.yaml`.
pub fn warnings_of(result: Result<Output, Errors>) -> Vec<String> {
    match result {
        Ok(output) => output
            .warnings
            .iter()
            .map(|w| w.display_in("spec.yaml"))
            .collect(),
        Err(errors) => panic!("expected success:\n{errors}"),
    }
}

/// Asserts that some message contains every one of `parts`.
pub fn has(messages: &[String], parts: &[&str]) {
    assert!(
        messages
            .iter()
            .any(|m| parts.iter().all(|part| m.contains(part))),
        "no message contains all of {parts:?}:\n{}",
        messages.join("\n")
    );
}
