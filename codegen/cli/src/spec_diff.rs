//! `spec-diff OLD NEW`: the API changes between two documents (Swagger 2.0 or OpenAPI 3.0,
//! YAML or JSON) as markdown, breaking changes first, so a maintainer sees what a new
//! upstream version changes before importing and regenerating.

use anyhow::{Context, Result};
use codegen::spec::diff::Change;
use std::fs;
use std::path::Path;

/// The report for two documents given by path.
pub fn report(old: &Path, new: &Path) -> Result<(String, Vec<Change>)> {
    let read = |path: &Path| {
        fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    };
    let (old_name, new_name) = (old.display().to_string(), new.display().to_string());
    let changes = codegen::spec::diff::diff_texts(&old_name, &read(old)?, &new_name, &read(new)?)
        .map_err(|errors| {
        anyhow::Error::new(crate::generate::DocumentError(errors.to_string()))
            .context("cannot compare the documents")
    })?;
    Ok((markdown(&old_name, &new_name, &changes), changes))
}

/// The changes as markdown: a summary line, then the breaking changes, then the others.
pub fn markdown(old: &str, new: &str, changes: &[Change]) -> String {
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let mut out = format!("# API changes from `{old}` to `{new}`\n\n");
    if changes.is_empty() {
        out.push_str("No API changes.\n");
        return out;
    }
    out.push_str(&format!(
        "{} change{}, {breaking} breaking.\n",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" }
    ));
    for (title, wanted) in [("Breaking changes", true), ("Other changes", false)] {
        let section: Vec<&Change> = changes.iter().filter(|c| c.breaking == wanted).collect();
        if section.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {title}\n\n"));
        for change in section {
            out.push_str(&format!(
                "- **{}**: {} (`{}`)\n",
                change.place.replace('*', "\\*"),
                change.message,
                change.pointer
            ));
        }
    }
    out
}
