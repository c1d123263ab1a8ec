fn show(name: &str, text: &str) {
    match codegen::generate(&codegen::Input::new("spec.yaml", text, "x")) {
        Ok(o) => println!("{name}: OK ({} warnings) {:?}", o.warnings.len(), o.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>()),
        Err(e) => println!("{name}:\n{e}\n"),
    }
}
const H: &str = "openapi: 3.0.3\ninfo: {title: t, version: v}\n";
#[test]
fn scratch() {
    show("dupkeys", &format!("{H}paths:\n  /a:\n    get:\n      responses: {{}}\n    get:\n      responses: {{}}\n"));
    show("dupkeys-top", "openapi: 3.0.3\nopenapi: 3.0.3\ninfo: {title: t, version: v}\npaths: {}\n");
    show("noinfo", "openapi: 3.0.3\npaths: {}\n");
    show("notitle", "openapi: 3.0.3\ninfo: {version: v}\npaths: {}\n");
    show("noresponses", &format!("{H}paths:\n  /a:\n    get:\n      operationId: x\n"));
    show("nodescr", &format!("{H}paths:\n  /a:\n    get:\n      operationId: x\n      responses:\n        '200': {{content: {{}}}}\n"));
    show("badtype", &format!("{H}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        x: {{type: strin}}\n"));
    show("badparam", &format!("{H}paths:\n  /a:\n    get:\n      parameters:\n        - {{name: q, in: qery, schema: {{type: string}}}}\n      responses: {{}}\n"));
    show("notyaml", "\u{0}\u{1}@@@ : : [");
    show("text", "hello world");
    show("cycle", &format!("{H}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n"));
    show("dangling", &format!("{H}paths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200': {{description: x, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Nope'}}}}}}}}\n"));
    show("json-dup", r#"{"openapi": "3.0.3", "info": {"title": "a", "title": "b", "version": "1"}, "paths": {}}"#);
}
#[test]
fn scratch2() {
    show("badprop", &format!("{H}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties: 5\n    B:\n      type: object\n      properties:\n        x: {{type: string, enum: 5}}\n        y: {{items: 7}}\n"));
    show("multi", &format!("{H}paths:\n  /a:\n    get:\n      operationId: getA\n      parameters:\n        - {{name: q, in: qery, schema: {{type: string}}}}\n        - {{name: r, in: query}}\n      responses:\n        '200': {{content: {{}}}}\n        'abc': {{description: x}}\n  /b:\n    post:\n      operationId: postB\n      requestBody: {{content: 5}}\n"));
    show("num", "openapi: 3.0\ninfo: {title: t, version: v}\npaths: {}\n");
    show("list", "- a\n- b\n");
    show("empty", "");
    show("ref-nonstring", &format!("{H}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: 5}}\n"));
}
#[test]
fn scratch3() {
    let e = serde_yaml::from_str::<serde_yaml::Value>("openapi: 3.0.3\nopenapi: 3.0.3\ninfo: {}\n").unwrap_err();
    println!("{:?} / {e}", e.location());
}
