//! One cargo feature per tag: operations and the types only they use are compiled with their
//! tags' features; shared types with any of them; the manifest declares them all.

/// Two tags and untagged operations, types used by one tag, by both and by none, and an error
/// body every operation shares (the document `cargo xtask downstream` compiles with subsets
/// of the features).
const DOC: &str = include_str!("data/features/tags.yaml");

fn generate(features_per_tag: bool) -> codegen::Output {
    let mut input = codegen::Input::new("tags.yaml", DOC, "test");
    input.features_per_tag = features_per_tag;
    input.server = true;
    codegen::generate(&input).expect("generates")
}

/// The line before the `json_struct!` call that declares struct `name` (its gate, if any).
fn line_before_struct<'a>(models: &'a str, name: &str) -> Option<&'a str> {
    let lines: Vec<&str> = models.lines().collect();
    let declared = format!("    pub struct {name}, ");
    let at = lines.iter().position(|l| l.starts_with(&declared))?;
    let call = lines[..at]
        .iter()
        .rposition(|l| *l == "super::runtime::json_struct!(")?;
    Some(if call == 0 { "" } else { lines[call - 1] })
}

fn file<'a>(output: &'a codegen::Output, path: &str) -> &'a str {
    &output
        .files
        .iter()
        .find(|f| f.path == path)
        .expect("file")
        .contents
}

#[test]
fn operations_and_types_are_gated_by_their_tags() {
    let output = generate(true);
    assert_eq!(
        output.features,
        ["other-schemas", "tag-pets", "tag-store-front", "untagged"]
    );
    let client = file(&output, "client.rs");
    assert!(
        client.contains("#[cfg(any(feature = \"tag-pets\"))]\n    pub fn list_pets<'a>("),
        "{client}"
    );
    assert!(
        client.contains("#[cfg(any(feature = \"untagged\"))]\n    pub fn health<'a>("),
        "{client}"
    );
    let models = file(&output, "models.rs");
    assert!(
        line_before_struct(models, "Pet") == Some("#[cfg(any(feature = \"tag-pets\"))]"),
        "{models}"
    );
    // Person is used by both tags; Unused by no operation.
    assert!(
        models.contains("#[cfg(any(feature = \"tag-pets\", feature = \"tag-store-front\"))]"),
        "{models}"
    );
    assert!(
        line_before_struct(models, "Unused") == Some("#[cfg(any(feature = \"other-schemas\"))]"),
        "{models}"
    );
    // The enum's macro-generated impls are gated too.
    assert!(
        models.contains("#[cfg(any(feature = \"tag-store-front\"))]\nsuper::runtime::open_enum!"),
        "{models}"
    );
    let server = file(&output, "server.rs");
    assert!(
        server.contains(
            "#[cfg(any(feature = \"tag-pets\"))]\n    let router = router\n        .route(\"/pets\""
        ),
        "{server}"
    );
    for f in &output.files {
        syn::parse_file(&f.contents).unwrap_or_else(|e| panic!("{}: {e}", f.path));
    }
    let runtime = codegen::manifest::RuntimeSource::Vendored;
    let mut manifest = codegen::manifest::Manifest::new("tags", "d", "test", "tags.yaml", &runtime);
    manifest.server = true;
    manifest.tag_features = &output.features;
    let manifest = codegen::manifest::cargo_toml(&manifest);
    assert!(
        manifest.contains("default = [\"rustls\", \"all-tags\"]\n"),
        "{manifest}"
    );
    assert!(
        manifest.contains(
            "all-tags = [\"other-schemas\", \"tag-pets\", \"tag-store-front\", \"untagged\"]\n"
        ),
        "{manifest}"
    );
    assert!(manifest.contains("\"tag-store-front\" = []"), "{manifest}");
}

#[test]
fn without_the_option_nothing_is_gated() {
    let output = generate(false);
    assert!(output.features.is_empty());
    for f in &output.files {
        assert!(!f.contents.contains("feature = \"tag-"), "{}", f.path);
    }
}

/// A crate generated with its own copy of the runtime gets every source file of the runtime
/// crate and its manifest, under the generator's header; nothing else.
#[test]
fn the_vendored_runtime_is_the_whole_runtime_crate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime");
    let mut expected = vec!["Cargo.toml".to_owned()];
    for entry in std::fs::read_dir(root.join("src")).expect("runtime sources") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        expected.push(format!("src/{name}"));
    }
    expected.sort();
    let files = codegen::manifest::vendored_runtime("test");
    let mut paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    paths.sort();
    assert_eq!(
        paths, expected,
        "list the runtime's files in manifest::RUNTIME_SOURCES"
    );
    for file in &files {
        let original = std::fs::read_to_string(root.join(&file.path)).expect("original");
        let (header, rest) = file.contents.split_once('\n').expect("a header line");
        assert!(header.contains("@generated by `test`"), "{header}");
        assert_eq!(rest, original, "{} is copied as it is", file.path);
    }
}

/// The error body every operation shares is named by what every set of features compiles
/// (the crate root's `Error`, the client's constructors): it, and what it contains, are never
/// gated, or the crate would not compile without a tag feature. And the server's imports do
/// not warn when no operation is compiled.
#[test]
fn the_shared_error_type_is_compiled_with_any_features() {
    let output = generate(true);
    let lib = file(&output, "lib.rs");
    assert!(
        lib.contains("\npub type Error = runtime::Error<models::Problem>;\n"),
        "{lib}"
    );
    let client = file(&output, "client.rs");
    assert!(
        client.contains("runtime::Error<models::Problem>"),
        "{client}"
    );
    let models = file(&output, "models.rs");
    // The struct and its impls are one call.
    for name in ["Problem", "ProblemDetail"] {
        let before = line_before_struct(models, name)
            .unwrap_or_else(|| panic!("no struct {name}:\n{models}"));
        assert!(!before.starts_with("#[cfg"), "{name} is gated:\n{models}");
    }
    // Types only some operations use stay gated.
    assert!(
        line_before_struct(models, "Pet") == Some("#[cfg(any(feature = \"tag-pets\"))]"),
        "{models}"
    );
    let server = file(&output, "server.rs");
    assert!(
        server.contains(
            "#[allow(unused_imports)]\nuse server_runtime::{Rejection, RequestContext, ServerError};"
        ),
        "{server}"
    );
    // Without features per tag, the server's imports are as they always were.
    let plain = generate(false);
    let server = file(&plain, "server.rs");
    assert!(
        server.contains(
            "use super::server_runtime;\nuse server_runtime::{Rejection, RequestContext, ServerError};"
        ),
        "{server}"
    );
}
