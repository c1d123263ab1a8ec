//! Generates the `petstore` module, client and server, from `petstore.yaml` into `OUT_DIR`.

fn main() {
    openapi_rust_codegen_build::Builder::new("petstore.yaml")
        .server(true)
        .deny_warnings(true)
        .generate();
}
