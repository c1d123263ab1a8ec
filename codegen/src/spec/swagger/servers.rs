//! `host`, `basePath`, `schemes` → `servers`, for the document and for operations with
//! schemes of their own (Azure's `x-ms-parameterized-host` is in `azure.rs`).

use super::*;

impl Converter<'_> {
    pub(super) fn servers(&mut self) -> Option<Vec<Value>> {
        let root = self.root;
        let base = match root.get("basePath") {
            Some(Value::String(base)) => base.trim_end_matches('/').to_owned(),
            Some(_) => {
                self.warn("#/basePath", "`basePath` must be a string; ignored");
                String::new()
            }
            None => String::new(),
        };
        let mut schemes = strings(root.get("schemes"));
        if schemes.is_empty() {
            schemes.push("https".to_owned());
        }
        if let Some(host) = root.get("x-ms-parameterized-host") {
            return Some(self.parameterized_host(host, &schemes, &base));
        }
        let host = match root.get("host") {
            Some(Value::String(host)) => host.trim_end_matches('/').to_owned(),
            Some(_) => {
                self.warn("#/host", "`host` must be a string; ignored");
                return None;
            }
            None if base.is_empty() => return None,
            None => return Some(vec![json!({ "url": base })]),
        };
        Some(
            schemes
                .iter()
                .map(|scheme| json!({ "url": format!("{scheme}://{host}{base}") }))
                .collect(),
        )
    }

    /// An operation's own `schemes`: servers with the document's host and base path.
    pub(super) fn operation_servers(&mut self, schemes: &Value) -> Option<Vec<Value>> {
        let schemes = strings(Some(schemes));
        let host = self.root.get("host").and_then(Value::as_str)?;
        let base = self
            .root
            .get("basePath")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_end_matches('/');
        let document = strings(self.root.get("schemes"));
        if schemes.is_empty() || schemes == document {
            return None;
        }
        Some(
            schemes
                .iter()
                .map(|scheme| json!({ "url": format!("{scheme}://{host}{base}") }))
                .collect(),
        )
    }
}
