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
use crate::error::printable;

/// The package name of the runtime.
pub const RUNTIME_PACKAGE: &str = "openapi-rust-runtime";

/// The runtime crate's own manifest and sources, as this generator was built with them: what
/// a crate generated with [`RuntimeSource::Vendored`] carries in `runtime/`.
const RUNTIME_SOURCES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../runtime/Cargo.toml")),
    ("src/lib.rs", include_str!("../runtime/src/lib.rs")),
    ("src/auth.rs", include_str!("../runtime/src/auth.rs")),
    ("src/body.rs", include_str!("../runtime/src/body.rs")),
    (
        "src/byte_stream.rs",
        include_str!("../runtime/src/byte_stream.rs"),
    ),
    ("src/call.rs", include_str!("../runtime/src/call.rs")),
    ("src/chunks.rs", include_str!("../runtime/src/chunks.rs")),
    ("src/client.rs", include_str!("../runtime/src/client.rs")),
    (
        "src/client_names.rs",
        include_str!("../runtime/src/client_names.rs"),
    ),
    (
        "src/credential.rs",
        include_str!("../runtime/src/credential.rs"),
    ),
    ("src/enums.rs", include_str!("../runtime/src/enums.rs")),
    ("src/error.rs", include_str!("../runtime/src/error.rs")),
    ("src/hook.rs", include_str!("../runtime/src/hook.rs")),
    (
        "src/json_struct.rs",
        include_str!("../runtime/src/json_struct.rs"),
    ),
    ("src/model.rs", include_str!("../runtime/src/model.rs")),
    ("src/oauth2.rs", include_str!("../runtime/src/oauth2.rs")),
    ("src/paging.rs", include_str!("../runtime/src/paging.rs")),
    ("src/request.rs", include_str!("../runtime/src/request.rs")),
    (
        "src/response.rs",
        include_str!("../runtime/src/response.rs"),
    ),
    ("src/retry.rs", include_str!("../runtime/src/retry.rs")),
    ("src/server.rs", include_str!("../runtime/src/server.rs")),
    (
        "src/server_auth.rs",
        include_str!("../runtime/src/server_auth.rs"),
    ),
    (
        "src/server_body.rs",
        include_str!("../runtime/src/server_body.rs"),
    ),
    ("src/sse.rs", include_str!("../runtime/src/sse.rs")),
    (
        "src/sse_parser.rs",
        include_str!("../runtime/src/sse_parser.rs"),
    ),
    (
        "src/sse_server.rs",
        include_str!("../runtime/src/sse_server.rs"),
    ),
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

/// Text as a TOML basic string: `"` and `\` escaped, and every character
/// [`crate::error::must_escape`] names (control characters, which TOML does not allow raw in a
/// string, line separators, characters that reorder text) written as a `\uXXXX` escape, so
/// the string reads back as `text` and nothing in it ends the string or the line.
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if crate::error::must_escape(c) => match u32::from(c) {
                code @ 0..=0xFFFF => out.push_str(&format!("\\u{code:04X}")),
                code => out.push_str(&format!("\\U{code:08X}")),
            },
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
        printable(m.command),
        printable(m.spec_path),
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
    let serde_all = crate::ir::SERDE_ALL_FEATURE;
    text.push_str(&format!(
        "# Both serde impls on every model: by default a model has `Serialize` only if the\n\
         # client sends it and `Deserialize` only if the client receives it.\n\
         {serde_all} = []\n"
    ));
    if m.server {
        text.push_str(&format!(
            "# The server side (`server::Api` and `server::router`).\nserver = [\"{runtime}/server\", \"{serde_all}\"]\n"
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
    let command = printable(command);
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

/// Whether `name` can name a generated crate (see [`crate_name_problem`]).
pub fn valid_crate_name(name: &str) -> bool {
    crate_name_problem(name).is_none()
}

/// The crates every Rust program can name without depending on them: a dependency of the same
/// name would shadow them in the crates that use it (`test` cargo refuses outright).
const BUILT_IN_CRATES: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

/// Why `name` cannot name a generated crate, or `None` when it can. A crate name has ASCII
/// letters, digits, `-` and `_`, starts with a letter and has at most 64 characters (what
/// `cargo new` accepts, a little stricter); its Rust name (cargo turns `-` into `_`) is no
/// keyword of any edition, not one of the built-in crates (`std`, `core`, `alloc`,
/// `proc_macro`, `test`), and not the runtime the generated code depends on.
pub fn crate_name_problem(name: &str) -> Option<String> {
    let shown = printable(name);
    if name.is_empty() {
        return Some("a crate name cannot be empty".to_owned());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Some(format!(
            "`{shown}` is not a crate name: a crate name has ASCII letters, digits, `-` and `_`"
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some(format!(
            "`{shown}` is not a crate name: a crate name starts with a letter"
        ));
    }
    if name.len() > 64 {
        return Some(format!(
            "`{shown}` is not a crate name: a crate name has at most 64 characters"
        ));
    }
    let rust = name.replace('-', "_");
    let as_rust = if rust == name {
        String::new()
    } else {
        format!(" (its Rust name, `{rust}`)")
    };
    if crate::names::is_keyword(&rust) {
        return Some(format!(
            "`{name}`{as_rust} is a Rust keyword: cargo refuses it as a crate name, and code \
             could not name the crate"
        ));
    }
    if rust == "test" {
        return Some(format!(
            "`{name}`{as_rust} is Rust's built-in `test` crate: cargo refuses it as a crate name"
        ));
    }
    if BUILT_IN_CRATES.contains(&rust.as_str()) {
        return Some(format!(
            "`{name}`{as_rust} is the name of Rust's built-in `{rust}` crate: a crate of that \
             name would shadow it in every crate that depends on it, and break their code"
        ));
    }
    if rust == RUNTIME_PACKAGE.replace('-', "_") {
        return Some(format!(
            "`{name}`{as_rust} is the name of the runtime crate the generated code depends on \
             (`{RUNTIME_PACKAGE}`): a crate cannot depend on a crate of its own name"
        ));
    }
    None
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

    /// Names cargo refuses, or that would break the crate or its users, are refused: Rust
    /// keywords of every edition (also as the Rust name, with `-` as `_`), the built-in crates
    /// and the runtime the generated code depends on.
    #[test]
    fn crate_names_that_break_the_crate_are_refused() {
        for good in [
            "pets",
            "pet-store",
            "pet_store",
            "iothub-jobs",
            "std-client",
            "my-test",
            "selfie",
            "r2",
            "Types",
            "openapi-rust-runtime-client",
        ] {
            assert!(valid_crate_name(good), "{good}");
        }
        for bad in [
            "",
            "1abc",
            "_x",
            "-x",
            "a b",
            "a.b",
            "ünï",
            "self",
            "Self",
            "super",
            "crate",
            "std",
            "core",
            "alloc",
            "proc_macro",
            "proc-macro",
            "test",
            "type",
            "fn",
            "async",
            "await",
            "dyn",
            "try",
            "gen",
            "abstract",
            "become",
            "box",
            "do",
            "final",
            "macro",
            "override",
            "priv",
            "typeof",
            "unsized",
            "virtual",
            "yield",
            "true",
            "false",
            "openapi-rust-runtime",
            "openapi_rust_runtime",
            "openapi-rust_runtime",
        ] {
            assert!(!valid_crate_name(bad), "{bad}");
        }
        assert!(!valid_crate_name(&"a".repeat(65)));
        assert!(valid_crate_name(&"a".repeat(64)));
    }

    /// Each refusal says why.
    #[test]
    fn crate_name_problems_say_why() {
        let problem = |name: &str| crate_name_problem(name).unwrap_or_default();
        assert!(problem("self").contains("`self` is a Rust keyword"));
        assert!(problem("gen").contains("Rust keyword"));
        assert!(problem("std").contains("Rust's built-in `std` crate"));
        assert!(problem("std").contains("shadow"));
        assert!(problem("proc-macro").contains("`proc-macro` (its Rust name, `proc_macro`)"));
        assert!(problem("test").contains("cargo refuses"));
        assert!(problem("openapi-rust-runtime").contains("runtime crate"));
        assert!(problem("1abc").contains("starts with a letter"));
        assert!(
            problem("a\nb").contains("`a\\u{a}b`"),
            "{}",
            problem("a\nb")
        );
        assert_eq!(crate_name_problem("pets"), None);
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
