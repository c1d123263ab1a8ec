//! Identical types made once (`lower/identical.rs`): which types become aliases, of what.

use super::{TestResult, lower};
use crate::ir::{Api, TypeKind, TypeRef};

/// Inline copies of one object (with an enum inside, itself repeated), a component one of
/// them equals, copies that differ only in a field's docs or in an enum value, and two
/// components alike.
const REPEATED: &str = r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  owner:
                    type: object
                    properties:
                      login: {type: string, description: The login.}
                      kind: {type: string, enum: [user, bot]}
                  license: {$ref: "#/components/schemas/License"}
  /b:
    get:
      operationId: getB
      responses:
        "200":
          description: Ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  owner:
                    type: object
                    properties:
                      login: {type: string, description: The login.}
                      kind: {type: string, enum: [user, bot]}
                  license:
                    type: object
                    properties:
                      key: {type: string}
                  other:
                    type: object
                    properties:
                      login: {type: string, description: Another description.}
                      kind: {type: string, enum: [user, bot, team]}
components:
  schemas:
    License:
      type: object
      properties:
        key: {type: string}
    LicenseCopy:
      type: object
      properties:
        key: {type: string}
"##;

/// The alias target of the type `name`, when it was made an alias for being identical.
fn joined<'a>(api: &'a Api, name: &str) -> Result<Option<&'a str>, String> {
    let def = api
        .type_named(name)
        .ok_or_else(|| format!("no type `{name}`"))?;
    Ok(match (&def.kind, def.identical) {
        (TypeKind::Alias(TypeRef::Named(target)), true) => Some(target.as_str()),
        _ => None,
    })
}

#[test]
fn identical_inline_types_become_aliases_of_one() -> TestResult {
    let (api, _) = lower(REPEATED)?;
    // The enum first, then the objects that hold it: the shortest name is kept.
    assert_eq!(joined(&api, "GetAResponseOwnerKind")?, None);
    assert_eq!(
        joined(&api, "GetBResponseOwnerKind")?,
        Some("GetAResponseOwnerKind")
    );
    assert_eq!(joined(&api, "GetAResponseOwner")?, None);
    assert_eq!(
        joined(&api, "GetBResponseOwner")?,
        Some("GetAResponseOwner")
    );
    // An inline object identical to components joins one of them (the shortest name).
    assert_eq!(joined(&api, "GetBResponseLicense")?, Some("License"));
    // Components keep their own types, even when alike.
    assert_eq!(joined(&api, "License")?, None);
    assert_eq!(joined(&api, "LicenseCopy")?, None);
    // Another field description, or another enum value, is another type.
    assert_eq!(joined(&api, "GetBResponseOther")?, None);
    assert_eq!(joined(&api, "GetBResponseOtherKind")?, None);
    // The two responses differ (`other`), so they stay apart.
    assert_eq!(joined(&api, "GetBResponse")?, None);
    Ok(())
}

#[test]
fn emission_sees_through_the_aliases() -> TestResult {
    let (api, _) = lower(REPEATED)?;
    let def = api
        .definition("GetBResponseOwnerKind")
        .ok_or("no definition")?;
    assert_eq!(def.rust_name, "GetAResponseOwnerKind");
    assert!(matches!(def.kind, TypeKind::Enum(_)));
    // A type of its own is its own definition.
    let own = api.definition("License").ok_or("no definition")?;
    assert_eq!(own.rust_name, "License");
    Ok(())
}
