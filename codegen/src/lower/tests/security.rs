//! Security schemes and requirements: kinds, setter names, resolution and clashes.

use super::{TestResult, lower, operation};
use crate::ir::{ApiKeyLocation, SchemeKind};

const DOC: &str = r#"
openapi: 3.0.3
info: {title: T, version: "1"}
security:
  - key: []
paths:
  /a:
    get: {operationId: inherits, responses: {"204": {description: Done}}}
    put:
      operationId: overrides
      security: [{basicAuth: [], key: []}, {}]
      responses: {"204": {description: Done}}
    post:
      operationId: none
      security: []
      responses: {"204": {description: Done}}
    delete:
      operationId: undeclared
      security: [{missing: []}]
      responses: {"204": {description: Done}}
  /with_key_auth:
    get: {operationId: withKeyAuth, responses: {"204": {description: Done}}}
components:
  securitySchemes:
    key: {type: apiKey, in: query, name: k}
    basicAuth: {type: http, scheme: Basic}
    cc:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://t.example/token
          scopes: {b: B, a: A}
    oidc: {type: openIdConnect, openIdConnectUrl: https://t.example/.well-known}
"#;

#[test]
fn schemes_get_kinds_and_setters() -> TestResult {
    let (api, _) = lower(DOC)?;
    let kinds: Vec<(&str, &SchemeKind, &str)> = api
        .security
        .iter()
        .map(|s| (s.name.as_str(), &s.kind, s.setter.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "key",
                &SchemeKind::ApiKey {
                    location: ApiKeyLocation::Query,
                    name: "k".to_owned()
                },
                "with_key_auth"
            ),
            ("basicAuth", &SchemeKind::Basic, "with_basic_auth"),
            (
                "cc",
                &SchemeKind::ClientCredentials {
                    token_url: "https://t.example/token".to_owned(),
                    scopes: vec!["b".to_owned(), "a".to_owned()]
                },
                "with_cc_auth"
            ),
            ("oidc", &SchemeKind::Bearer, "with_oidc_auth"),
        ]
    );
    // The operation named like a setter gives way: setters are named first.
    assert_eq!(operation(&api, "withKeyAuth")?.rust_name, "with_key_auth2");
    Ok(())
}

#[test]
fn requirements_resolve_per_operation() -> TestResult {
    let (api, warnings) = lower(DOC)?;
    let security = |id| operation(&api, id).map(|op| op.security.clone());
    let strings = |alternatives: &[&[&str]]| {
        Some(
            alternatives
                .iter()
                .map(|a| a.iter().map(|s| (*s).to_owned()).collect())
                .collect::<Vec<Vec<String>>>(),
        )
    };
    assert_eq!(security("inherits")?, strings(&[&["key"]]));
    assert_eq!(
        security("overrides")?,
        strings(&[&["basicAuth", "key"], &[]])
    );
    assert_eq!(security("none")?, strings(&[]));
    assert_eq!(security("undeclared")?, strings(&[]));
    assert!(
        warnings
            .iter()
            .any(|w| w.message.contains("`missing`") && w.location.pointer.ends_with("/security/0")),
        "{warnings:?}"
    );
    let (api, _) = lower(&DOC.replace("security:\n  - key: []\n", ""))?;
    assert_eq!(operation(&api, "inherits")?.security, None);
    Ok(())
}

#[test]
fn requirements_survive_swagger_and_openapi_31() -> TestResult {
    let swagger = r#"
swagger: "2.0"
info: {title: T, version: "1"}
host: api.example.com
securityDefinitions:
  key: {type: apiKey, in: header, name: X-Key}
  basic: {type: basic}
  cc:
    type: oauth2
    flow: application
    tokenUrl: https://t.example/token
    scopes: {read: Read}
security: [{key: []}]
paths:
  /a:
    get: {operationId: inherits, responses: {"204": {description: Done}}}
    put:
      operationId: own
      security: [{basic: []}, {cc: [read]}]
      responses: {"204": {description: Done}}
"#;
    let (api, _) = lower(swagger)?;
    let names = |id| -> Result<Option<Vec<Vec<String>>>, String> {
        Ok(operation(&api, id)?.security.clone())
    };
    assert_eq!(names("inherits")?, Some(vec![vec!["key".to_owned()]]));
    assert_eq!(
        names("own")?,
        Some(vec![vec!["basic".to_owned()], vec!["cc".to_owned()]])
    );
    assert!(matches!(
        api.security
            .iter()
            .find(|s| s.name == "cc")
            .map(|s| &s.kind),
        Some(SchemeKind::ClientCredentials { .. })
    ));
    let v31 = DOC.replace("openapi: 3.0.3", "openapi: 3.1.0");
    let (api, _) = lower(&v31)?;
    assert_eq!(
        operation(&api, "overrides")?.security,
        Some(vec![vec!["basicAuth".to_owned(), "key".to_owned()], vec![]])
    );
    Ok(())
}
