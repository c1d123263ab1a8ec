// The names of the methods `client_common!` (in `client.rs`) defines on every generated
// client. The generator reads this file too (with `include!`), so that no operation of a
// document is given one of these names: keep it to items and outer comments only. A test of
// the generator checks that the list equals the `fn`s of the macro's body.

/// The methods `client_common!` defines on a generated `Client`, in
/// the order it defines them. The generator renames an operation whose method would have one
/// of these names.
pub const CLIENT_COMMON_METHODS: &[&str] = &[
    "with_retry_policy",
    "retry_policy",
    "with_timeout",
    "with_max_response_bytes",
    "with_max_error_body_bytes",
    "with_insecure_http",
    "with_scheme_credential",
    "with_credential",
    "with_application_id",
    "with_hook",
    "base_url",
    "http_client",
];
