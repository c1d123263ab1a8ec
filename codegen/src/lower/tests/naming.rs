//! Naming decisions, lowering in and names out: methods, their companions, client settings
//! and types against the names generated code keeps for itself.

use crate::error::Warning;
use crate::ir::Api;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Lowers `spec` with `reserved` methods.
fn lowered(
    spec: &str,
    reserved: &[&str],
) -> Result<(Api, Vec<Warning>), Box<dyn std::error::Error>> {
    let (doc, raw, _) = crate::parse::parse_converted("t.yaml", spec)?;
    let reserved: Vec<String> = reserved.iter().map(|m| (*m).to_owned()).collect();
    let targets = crate::parse::targets::resolve(&raw);
    crate::lower::lower("t.yaml", &doc, &raw, &targets, &reserved)
        .map_err(|errors| crate::Errors(errors).to_string().into())
}

/// Every method name of the client's operations: each method, and a paged operation's stream.
fn methods(api: &Api) -> Vec<String> {
    let mut names = Vec::new();
    for op in &api.operations {
        names.push(op.rust_name.clone());
        if let Some(paging) = &op.paging {
            names.push(paging.stream_name.clone());
        }
    }
    names
}

fn warned_at<'w>(warnings: &'w [Warning], pointer: &str) -> Vec<&'w str> {
    warnings
        .iter()
        .filter(|w| w.location.pointer == pointer)
        .map(|w| w.message.as_str())
        .collect()
}

const PAGED: &str = r#"
      x-paging: {itemsFrom: body, continuationRequestHeader: x-c, continuationResponseHeader: x-c}
      parameters: [{name: x-c, in: header, schema: {type: string}}]
      responses:
        "200":
          description: ok
          headers: {x-c: {schema: {type: string}}}
          content: {application/json: {schema: {type: array, items: {type: string}}}}"#;

const PLAIN: &str = r#"
      responses: {"204": {description: done}}"#;

fn document(operations: &[(&str, &str, &str)]) -> String {
    let mut spec = String::from("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n");
    for (path, id, body) in operations {
        spec.push_str(&format!(
            "  {path}:\n    get:\n      operationId: {id}{body}\n"
        ));
    }
    spec
}

#[test]
fn methods_the_client_defines_are_renamed_with_a_warning() -> TestResult {
    let spec = document(&[
        ("/a", "retryPolicy", PLAIN),
        ("/b", "withTimeout", PLAIN),
        ("/c", "defaultRetryPolicy", PLAIN),
        ("/d", "withMaxErrorBodyBytes", PLAIN),
        ("/e", "fmt", PLAIN),
        ("/f", "waitForJob", PLAIN),
    ]);
    let (api, warnings) = lowered(&spec, &["wait_for_job"])?;
    assert_eq!(
        methods(&api),
        [
            "retry_policy2",
            "with_timeout2",
            "default_retry_policy2",
            "with_max_error_body_bytes2",
            "fmt2",
            "wait_for_job2"
        ]
    );
    let at_f = warned_at(&warnings, "#/paths/~1f/get");
    assert_eq!(at_f.len(), 1, "{warnings:?}");
    assert!(
        at_f.iter()
            .all(|m| m.contains("`wait_for_job`") && m.contains("hand-written extension")),
        "{at_f:?}"
    );
    assert_eq!(warnings.len(), 6, "{warnings:?}");
    // Without the extension's list, `waitForJob` keeps its name.
    let (api, _) = lowered(&spec, &[])?;
    assert_eq!(
        methods(&api).last().map(String::as_str),
        Some("wait_for_job")
    );
    Ok(())
}

#[test]
fn page_methods_are_claimed_with_the_operations() -> TestResult {
    // The paged operation first: the plain one that wants its `_page` name is renamed.
    let (api, warnings) = lowered(
        &document(&[
            ("/jobs", "listJobs", PAGED),
            ("/jobs/page", "listJobsPage", PLAIN),
        ]),
        &[],
    )?;
    assert_eq!(
        methods(&api),
        ["list_jobs_page", "list_jobs", "list_jobs_page2"]
    );
    assert_eq!(warned_at(&warnings, "#/paths/~1jobs~1page/get").len(), 1);
    // The plain one first: the `_page` method is renamed.
    let (api, warnings) = lowered(
        &document(&[
            ("/jobs/page", "listJobsPage", PLAIN),
            ("/jobs", "listJobs", PAGED),
        ]),
        &[],
    )?;
    assert_eq!(
        methods(&api),
        ["list_jobs_page", "list_jobs_page2", "list_jobs"]
    );
    let at = warned_at(&warnings, "#/paths/~1jobs/get");
    assert!(
        at.len() == 1 && at.iter().all(|m| m.contains("`_page` method")),
        "{warnings:?}"
    );
    // A stream named like a client method is renamed too.
    let (api, _) = lowered(&document(&[("/x", "baseUrl", PAGED)]), &[])?;
    assert_eq!(methods(&api), ["base_url2_page", "base_url2"]);
    Ok(())
}

#[test]
fn client_settings_are_named_in_the_same_scope() -> TestResult {
    let setting = r#"
      parameters:
        - {name: timeout, in: query, schema: {type: string, default: "1"}}
        - {name: api-version, in: query, schema: {type: string, default: "1"}}
      responses: {"204": {description: done}}"#;
    let (api, warnings) = lowered(
        &document(&[("/a", "apiVersion", setting), ("/b", "list", setting)]),
        &[],
    )?;
    let settings: Vec<&str> = api
        .client_params
        .iter()
        .map(|p| p.rust_name.as_str())
        .collect();
    // `with_timeout` is the client's: the setting is `timeout2`; the operation `apiVersion`
    // gives way to the setting's getter.
    assert_eq!(settings, ["timeout2", "api_version"]);
    assert_eq!(methods(&api), ["api_version_operation", "list"]);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    Ok(())
}

#[test]
fn type_names_the_crate_keeps_are_renamed_with_a_warning() -> TestResult {
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    \
                Result: {type: object, properties: {a: {type: string}}}\n    \
                A: {type: object, properties: {a: {type: string}}}\n    \
                Visitor: {type: object, properties: {a: {type: string}}}\n";
    let (api, warnings) = lowered(spec, &[])?;
    let names: Vec<&str> = api.types.iter().map(|t| t.rust_name.as_str()).collect();
    assert_eq!(names, ["A", "Result2", "Visitor"]);
    assert_eq!(
        warned_at(&warnings, "#/components/schemas/Result").len(),
        1,
        "{warnings:?}"
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    Ok(())
}

#[test]
fn parameters_are_named_around_the_methods_locals() -> TestResult {
    let body = r#"
      parameters:
        - {name: body, in: query, schema: {type: string}}
        - {name: url, in: query, schema: {type: string}}
        - {name: fooBar, in: query, schema: {type: string}}
        - {name: foo-bar, in: query, schema: {type: string}}
      responses: {"204": {description: done}}"#;
    let (api, warnings) = lowered(&document(&[("/a", "a", body)]), &[])?;
    let params: Vec<&str> = api
        .operations
        .iter()
        .flat_map(|op| &op.params)
        .map(|p| p.rust_name.as_str())
        .collect();
    assert_eq!(params, ["body2", "url2", "foo_bar", "foo_bar2"]);
    // Only the collision between two parameters is reported.
    assert_eq!(
        warned_at(&warnings, "#/paths/~1a/get/parameters"),
        [
            r#"parameters "fooBar" and "foo-bar" both become `foo_bar` in Rust; "foo-bar" is named `foo_bar2` instead"#
        ]
    );
    Ok(())
}
