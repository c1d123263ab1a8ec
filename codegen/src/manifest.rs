//! The `Cargo.toml` of a standalone generated crate, and the runtime crate's files for a crate
//! that carries its own copy.
//!
//! A generated crate depends on one crate only, the runtime (`openapi-rust-runtime`), which
//! re-exports every third-party crate the generated code names. Where the runtime comes from
//! is the user's choice ([`RuntimeSource`]); its version requirement is always the runtime
//! release this generator was built with ([`crate::RUNTIME_VERSION`]), a semver requirement,
//! so cargo picks the newest compatible release and one runtime serves every generated crate
//! of an application.

use crate::File;

/// The package name of the runtime.
pub const RUNTIME_PACKAGE: &str = "openapi-rust-runtime";

/// The runtime crate's own manifest and sources, as this generator was built with them: what
/// a crate generated with [`RuntimeSource::Vendored`] carries in `runtime/`.
const RUNTIME_SOURCES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../runtime/Cargo.toml")),
    ("src/lib.rs", include_str!("../runtime/src/lib.rs")),
    ("src/client.rs", include_str!("../runtime/src/client.rs")),
    (
        "src/credential.rs",
        include_str!("../runtime/src/credential.rs"),
    ),
    ("src/error.rs", include_str!("../runtime/src/error.rs")),
    ("src/model.rs", include_str!("../runtime/src/model.rs")),
    ("src/paging.rs", include_str!("../runtime/src/paging.rs")),
    ("src/request.rs", include_str!("../runtime/src/request.rs")),
    (
        "src/response.rs",
        include_str!("../runtime/src/response.rs"),
    ),
    ("src/retry.rs", include_str!("../runtime/src/retry.rs")),
    ("src/server.rs", include_str!("../runtime/src/server.rs")),
];

/// Where a generated crate gets the runtime from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeSource {
    /// A copy in the crate's own `runtime/` folder: the crate builds offline and on its own
    /// (the default). Two such crates cannot be used together: cargo refuses two path
    /// packages of one name and version; use [`Path`](Self::Path) or [`Git`](Self::Git) for
    /// applications with several generated clients.
    Vendored,
    /// A runtime crate at this path, relative to the generated crate (or absolute), such as
    /// one written by `openapi-rust-codegen runtime` or this repository's `codegen/runtime`.
    Path(String),
    /// A git repository that holds the runtime crate, optionally at a revision.
    Git {
        /// The repository URL.
        url: String,
        /// A commit, tag or branch (cargo's `rev`).
        rev: Option<String>,
    },
}

impl RuntimeSource {
    /// Reads `vendored`, `path=DIR` or `git=URL[#REV]`.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text == "vendored" {
            return Ok(Self::Vendored);
        }
        if let Some(path) = text.strip_prefix("path=").filter(|p| !p.is_empty()) {
            return Ok(Self::Path(path.to_owned()));
        }
        if let Some(rest) = text.strip_prefix("git=").filter(|r| !r.is_empty()) {
            let (url, rev) = match rest.split_once('#') {
                Some((url, rev)) if !rev.is_empty() => (url, Some(rev.to_owned())),
                Some((url, _)) => (url, None),
                None => (rest, None),
            };
            if !url.is_empty() {
                return Ok(Self::Git {
                    url: url.to_owned(),
                    rev,
                });
            }
        }
        Err(format!(
            "`{text}` is not a runtime source: use `vendored`, `path=DIR` or `git=URL[#REV]`"
        ))
    }
}

/// What a generated crate's manifest says.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Manifest<'a> {
    /// The package name.
    pub name: &'a str,
    /// The package description.
    pub description: &'a str,
    /// The command named in the header line.
    pub command: &'a str,
    /// The document named in the header line.
    pub spec_path: &'a str,
    /// Whether the crate has the server side (a `server` feature).
    pub server: bool,
    /// The tag features ([`crate::Output::features`]).
    pub tag_features: &'a [String],
    /// The runtime features the document needs ([`crate::Output::runtime_features`]).
    pub runtime_features: &'a [String],
    /// Where the runtime comes from.
    pub runtime: &'a RuntimeSource,
    /// Whether the manifest holds an empty `[workspace]` table, so that the crate builds on
    /// its own even inside another workspace's folder. Off by default: a crate with that
    /// table cannot become a member of the workspace it lands in.
    pub own_workspace: bool,
}

impl<'a> Manifest<'a> {
    /// A manifest for the crate `name` with the runtime vendored, no server side and no tag
    /// features.
    pub fn new(
        name: &'a str,
        description: &'a str,
        command: &'a str,
        spec_path: &'a str,
        runtime: &'a RuntimeSource,
    ) -> Self {
        Self {
            name,
            description,
            command,
            spec_path,
            server: false,
            tag_features: &[],
            runtime_features: &[],
            runtime,
            own_workspace: false,
        }
    }
}

/// The runtime version as cargo reads it (`0.1.0`).
pub fn runtime_version() -> String {
    crate::RUNTIME_VERSION.map(|n| n.to_string()).join(".")
}

/// Escapes text for a TOML basic string.
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| toml_string(i.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// The `Cargo.toml` of a generated crate: the runtime as its one dependency (with the
/// features the document needs), and features for TLS, the server side and tags.
pub fn cargo_toml(m: &Manifest<'_>) -> String {
    let mut text = format!(
        "# @generated by `{}` from {}; do not edit by hand.\n\
         [package]\n\
         name = {}\n\
         version = \"0.1.0\"\n\
         edition = \"2024\"\n\
         rust-version = \"1.85\"\n\
         description = {}\n\
         publish = false\n\n",
        m.command,
        m.spec_path,
        toml_string(m.name),
        toml_string(m.description),
    );
    if m.own_workspace {
        text.push_str("# A workspace of its own, so that it builds inside another one's folder.\n[workspace]\n\n");
    }
    let runtime = RUNTIME_PACKAGE;
    text.push_str("[features]\n");
    let mut default = vec!["rustls"];
    if !m.tag_features.is_empty() {
        default.push("all-tags");
    }
    text.push_str(&format!("default = {}\n", toml_list(&default)));
    text.push_str(&format!(
        "# TLS: rustls trusting the operating system's certificates (default), rustls trusting\n\
         # Mozilla's roots compiled in, or the platform's TLS library. With none, only http://.\n\
         rustls = [\"{runtime}/rustls\"]\n\
         webpki-roots = [\"{runtime}/webpki-roots\"]\n\
         native-tls = [\"{runtime}/native-tls\"]\n"
    ));
    if m.server {
        text.push_str(&format!(
            "# The server side (`server::Api` and `server::router`).\nserver = [\"{runtime}/server\"]\n"
        ));
    }
    if !m.tag_features.is_empty() {
        text.push_str(&format!(
            "# One feature per tag: turn off the defaults and pick the tags you call.\nall-tags = {}\n",
            toml_list(m.tag_features)
        ));
        for feature in m.tag_features {
            text.push_str(&format!("{} = []\n", toml_string(feature)));
        }
    }
    let source = match m.runtime {
        RuntimeSource::Vendored => "path = \"runtime\"".to_owned(),
        RuntimeSource::Path(path) => format!("path = {}", toml_string(path)),
        RuntimeSource::Git { url, rev } => match rev {
            Some(rev) => format!("git = {}, rev = {}", toml_string(url), toml_string(rev)),
            None => format!("git = {}", toml_string(url)),
        },
    };
    let where_from = match m.runtime {
        RuntimeSource::Vendored => "a copy in runtime/, so that this crate builds on its own",
        RuntimeSource::Path(_) | RuntimeSource::Git { .. } => {
            "shared with every other crate generated against it"
        }
    };
    text.push_str(&format!(
        "\n[dependencies]\n\
         # The runtime (HTTP core, errors, retries, and the crates generated code names):\n\
         # {where_from}.\n\
         {runtime} = {{ version = \"{}\", {source}, default-features = false, features = {} }}\n",
        runtime_version(),
        toml_list(m.runtime_features),
    ));
    text
}

/// The files of the runtime crate for a crate generated with [`RuntimeSource::Vendored`]
/// (paths relative to its `runtime/` folder): the runtime's own manifest and sources, each
/// under a header naming `command` and saying it is a copy.
pub fn vendored_runtime(command: &str) -> Vec<File> {
    RUNTIME_SOURCES
        .iter()
        .map(|(path, source)| {
            let comment = if path.ends_with(".toml") { "#" } else { "//" };
            File {
                path: (*path).to_owned(),
                contents: format!(
                    "{comment} @generated by `{command}`: a copy of {RUNTIME_PACKAGE} {}, the same for every generated crate; do not edit by hand.\n{source}",
                    runtime_version()
                ),
            }
        })
        .collect()
}

/// Whether `name` is a valid crate name (what `cargo new` accepts, roughly).
pub fn valid_crate_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_sources_parse() {
        assert_eq!(
            RuntimeSource::parse("vendored"),
            Ok(RuntimeSource::Vendored)
        );
        assert_eq!(
            RuntimeSource::parse("path=../rt"),
            Ok(RuntimeSource::Path("../rt".to_owned()))
        );
        assert_eq!(
            RuntimeSource::parse("git=https://example.com/r.git#v0.1.0"),
            Ok(RuntimeSource::Git {
                url: "https://example.com/r.git".to_owned(),
                rev: Some("v0.1.0".to_owned())
            })
        );
        assert_eq!(
            RuntimeSource::parse("git=ssh://git@example.com/r.git"),
            Ok(RuntimeSource::Git {
                url: "ssh://git@example.com/r.git".to_owned(),
                rev: None
            })
        );
        for bad in ["", "path=", "git=", "git=#rev", "crates-io", "Vendored"] {
            assert!(RuntimeSource::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_vendored_manifest_is_the_runtime_manifest() {
        let files = vendored_runtime("test");
        let manifest = files
            .iter()
            .find(|f| f.path == "Cargo.toml")
            .map(|f| &f.contents);
        let manifest = manifest.map(String::as_str).unwrap_or_default();
        assert!(manifest.starts_with("# @generated by `test`"), "{manifest}");
        assert!(
            manifest.contains("name = \"openapi-rust-runtime\""),
            "{manifest}"
        );
        assert!(
            manifest.contains(&format!("\nversion = \"{}\"\n", runtime_version())),
            "the runtime's version is the generator's: {manifest}"
        );
        assert!(
            manifest
                .lines()
                .filter(|l| !l.starts_with('#'))
                .all(|l| !l.contains("workspace")),
            "it stands alone: {manifest}"
        );
    }
}
