//! One cargo feature per tag: operations and the types only they use are compiled with their
//! tags' features; shared types with any of them; the manifest declares them all.

const DOC: &str = r##"
openapi: 3.0.3
info: {title: Tags, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        "200":
          description: Pets.
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
  /stores:
    get:
      operationId: listStores
      tags: [Store Front]
      responses:
        "200":
          description: Stores.
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Store"}}
  /health:
    get:
      operationId: health
      responses:
        "204": {description: Up.}
components:
  schemas:
    Pet:
      type: object
      properties:
        owner: {$ref: "#/components/schemas/Person"}
    Store:
      type: object
      properties:
        manager: {$ref: "#/components/schemas/Person"}
        kind: {type: string, enum: [big, small]}
    Person:
      type: object
      properties:
        name: {type: string}
    Unused:
      type: object
      properties:
        x: {type: string}
"##;

fn generate(features_per_tag: bool) -> codegen::Output {
    let mut input = codegen::Input::new("tags.yaml", DOC, "test");
    input.features_per_tag = features_per_tag;
    input.server = true;
    codegen::generate(&input).expect("generates")
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
        client.contains("#[cfg(any(feature = \"tag-pets\"))]\n    pub async fn list_pets"),
        "{client}"
    );
    assert!(
        client.contains("#[cfg(any(feature = \"untagged\"))]\n    pub async fn health"),
        "{client}"
    );
    let models = file(&output, "models.rs");
    assert!(
        models.contains("#[cfg(any(feature = \"tag-pets\"))]\npub struct Pet"),
        "{models}"
    );
    // Person is used by both tags; Unused by no operation.
    assert!(
        models.contains("#[cfg(any(feature = \"tag-pets\", feature = \"tag-store-front\"))]"),
        "{models}"
    );
    assert!(
        models.contains("#[cfg(any(feature = \"other-schemas\"))]\npub struct Unused"),
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
