//! Hand-written property tests of IoT Hub authentication: connection strings parse back to what they say
//! and never show their key, and SAS tokens have the shape the service checks.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use iothub_jobs::iothub::{ConnectionAuth, ConnectionString, ConnectionStringError, sign};
use iothub_jobs::runtime::HeaderValue;
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::sample::Index;
use sha2::Sha256;

/// A host name: one to four labels of `[a-z0-9-]`, none starting or ending with `-`.
fn host_name() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?", 1..5).prop_map(|l| l.join("."))
}

/// A shared access policy name.
fn policy() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.-]{1,40}"
}

/// A base64 key of 1 to 80 bytes: ends in `=`, `==` or neither, depending on its length.
fn key() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 1..=80).prop_map(|bytes| STANDARD.encode(bytes))
}

/// Up to two spaces.
fn pad() -> impl Strategy<Value = String> {
    " {0,2}"
}

/// The three parts of a key connection string, in a random order, each with random spaces
/// around it and around its `=`.
#[derive(Debug, Clone)]
struct Parts {
    host: String,
    policy: String,
    key: String,
    /// `(name, value)` in the order they are written.
    pairs: Vec<(&'static str, String)>,
    /// Four paddings for each pair (before the name, after it, after `=`, after the value),
    /// then one after the last `;`.
    pads: Vec<String>,
    trailing_semicolon: bool,
}

impl Parts {
    fn render(&self) -> String {
        render(&self.pairs, &self.pads, self.trailing_semicolon)
    }
}

fn render(pairs: &[(&str, String)], pads: &[String], trailing_semicolon: bool) -> String {
    let pad = |i: usize| pads[i % pads.len()].as_str();
    let mut text = pairs
        .iter()
        .enumerate()
        .map(|(i, (name, value))| {
            format!(
                "{}{name}{}={}{value}{}",
                pad(4 * i),
                pad(4 * i + 1),
                pad(4 * i + 2),
                pad(4 * i + 3)
            )
        })
        .collect::<Vec<_>>()
        .join(";");
    if trailing_semicolon {
        text.push(';');
        text.push_str(pad(4 * pairs.len()));
    }
    text
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        host_name(),
        policy(),
        key(),
        prop::collection::vec(pad(), 13..=20),
        any::<bool>(),
    )
        .prop_flat_map(|(host, policy, key, pads, trailing_semicolon)| {
            let pairs = vec![
                ("HostName", host.clone()),
                ("SharedAccessKeyName", policy.clone()),
                ("SharedAccessKey", key.clone()),
            ];
            Just(pairs).prop_shuffle().prop_map(move |pairs| Parts {
                host: host.clone(),
                policy: policy.clone(),
                key: key.clone(),
                pairs,
                pads: pads.clone(),
                trailing_semicolon,
            })
        })
}

/// Something connection-string-like: known names, separators and random text, so that
/// parsing goes past the first check.
fn fuzz() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("HostName".to_owned()),
            Just("SharedAccessKeyName".to_owned()),
            Just("SharedAccessKey".to_owned()),
            Just("SharedAccessSignature".to_owned()),
            Just("SharedAccessSignature sr=h&sig=s&se=1".to_owned()),
            Just("DeviceId".to_owned()),
            Just("=".to_owned()),
            Just(";".to_owned()),
            Just(" ".to_owned()),
            Just("my-hub.azure-devices.net".to_owned()),
            "[A-Za-z0-9+/]{0,12}={0,2}",
            ".{0,8}",
        ],
        0..16,
    )
    .prop_map(|fragments| fragments.concat())
}

/// A value that is recognisable when it leaks: random base64-like text, or random
/// characters other than `;`.
fn secret() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Za-z0-9+/]{16,44}={0,2}", "[^;]{16,40}"]
}

/// The fields of a token, in order, as sent.
fn fields(token: &str) -> Vec<(&str, &str)> {
    token
        .strip_prefix("SharedAccessSignature ")
        .expect("the token starts with `SharedAccessSignature `")
        .split('&')
        .map(|pair| pair.split_once('=').expect("every field has `=`"))
        .collect()
}

fn decode(value: &str) -> String {
    percent_decode_str(value)
        .decode_utf8()
        .expect("UTF-8")
        .into_owned()
}

proptest! {
    /// (a) A valid connection string parses back to its host, policy and key, whatever the
    /// order of its parts and the spaces around them; its `Display` and `Debug` hide the key.
    #[test]
    fn valid_connection_strings_parse_back(parts in parts()) {
        let text = parts.render();
        let parsed = ConnectionString::parse(&text)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"));
        prop_assert_eq!(parsed.host_name(), parts.host.as_str());
        prop_assert_eq!(
            parsed.auth(),
            &ConnectionAuth::SharedAccessKey {
                key_name: parts.policy.clone(),
                key: iothub_jobs::iothub::Secret::new(parts.key.clone()),
            }
        );
        let ConnectionAuth::SharedAccessKey { key, .. } = parsed.auth() else {
            unreachable!()
        };
        prop_assert_eq!(key.expose(), parts.key.as_str());
        prop_assert_eq!(&text.parse::<ConnectionString>().unwrap(), &parsed);

        let shown = parsed.to_string();
        prop_assert_eq!(
            &shown,
            &format!(
                "HostName={};SharedAccessKeyName={};SharedAccessKey=<redacted>",
                parts.host, parts.policy
            )
        );
        let key_shown = shown.contains(&format!("={}", parts.key));
        prop_assert!(!key_shown, "{}", shown);
        let debug = format!("{parsed:?}");
        prop_assert!(!debug.contains(&parts.key), "{}", debug);
        // The redacted form is no usable connection string: `<redacted>` is not a key.
        let reparsed = ConnectionString::parse(&shown);
        let rejected_key = matches!(
            &reparsed,
            Err(ConnectionStringError::Malformed { part, .. }) if part == "SharedAccessKey"
        );
        prop_assert!(rejected_key, "{:?}", reparsed);
    }

    /// A signature connection string keeps the whole token, `=` signs included.
    #[test]
    fn signature_connection_strings_parse_back(
        host in host_name(),
        key in prop::collection::vec(any::<u8>(), 1..64),
        expiry in any::<u64>(),
        pads in prop::collection::vec(pad(), 9..12),
        trailing_semicolon in any::<bool>(),
        host_first in any::<bool>(),
    ) {
        let token = sign(&host, &key, None, expiry);
        let mut pairs = vec![("HostName", host.clone()), ("SharedAccessSignature", token.clone())];
        if !host_first {
            pairs.reverse();
        }
        let text = render(&pairs, &pads, trailing_semicolon);
        let parsed = ConnectionString::parse(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        prop_assert_eq!(parsed.host_name(), host.as_str());
        let ConnectionAuth::SharedAccessSignature(secret) = parsed.auth() else {
            panic!("signature auth expected");
        };
        prop_assert_eq!(secret.expose(), token.as_str());
        let shown = format!("{parsed} {parsed:?}");
        prop_assert!(!shown.contains("sig="), "{}", shown);
    }

    /// (b) Any part written twice is `Duplicate(part)`, wherever the copy is and whatever it
    /// says; without HostName (or the key, or its name) the part is `Missing`.
    #[test]
    fn duplicates_and_missing_parts(
        parts in parts(),
        which in any::<Index>(),
        at in any::<Index>(),
        other_value in prop_oneof![host_name(), policy(), key()],
        same_value in any::<bool>(),
    ) {
        let (name, value) = which.get(&parts.pairs).clone();
        let mut pairs = parts.pairs.clone();
        let copy = if same_value { value } else { other_value };
        pairs.insert(at.index(pairs.len() + 1), (name, copy));
        let text = render(&pairs, &parts.pads, parts.trailing_semicolon);
        prop_assert_eq!(
            ConnectionString::parse(&text),
            Err(ConnectionStringError::Duplicate(name.to_owned())),
            "{:?}", text
        );

        for (removed, missing) in [
            ("HostName", "HostName"),
            ("SharedAccessKey", "SharedAccessKey"),
            ("SharedAccessKeyName", "SharedAccessKeyName"),
        ] {
            let pairs: Vec<_> =
                parts.pairs.iter().filter(|(n, _)| *n != removed).cloned().collect();
            let text = render(&pairs, &parts.pads, parts.trailing_semicolon);
            prop_assert_eq!(
                ConnectionString::parse(&text),
                Err(ConnectionStringError::Missing(missing)),
                "{:?}", text
            );
        }
    }

    /// (c) Parsing never panics, on any text at all.
    #[test]
    fn parsing_any_text_never_panics(text in any::<String>()) {
        if let Err(e) = ConnectionString::parse(&text) {
            let _ = e.to_string();
        }
    }

    /// (c) Whatever surrounds a `SharedAccessKey` part, no error message, `Display` or
    /// `Debug` contains what follows its `=`.
    #[test]
    fn the_key_never_reaches_a_message(
        before in fuzz(),
        after in fuzz(),
        secret in secret(),
        name_pads in (pad(), pad()),
    ) {
        let part = format!("{}SharedAccessKey{}={secret}", name_pads.0, name_pads.1);
        let text = format!("{before};{part};{after}");
        let shown_value = secret.trim();
        // Only a value that appears nowhere else in the text, nor in the messages' own words,
        // can be told apart from them.
        prop_assume!(shown_value.chars().count() >= 12);
        prop_assume!(!before.contains(shown_value) && !after.contains(shown_value));
        let shown = match ConnectionString::parse(&text) {
            Ok(parsed) => format!("{parsed} {parsed:?} {:?}", parsed.auth()),
            Err(e) => format!("{e} {e:?}"),
        };
        prop_assert!(!shown.contains(shown_value), "{:?} shows {:?}: {}", text, shown_value, shown);
    }

    /// (c) The same for fuzz-only text: parsing never panics, and for every `SharedAccessKey`
    /// part long enough to recognise, what follows its `=` stays out of the message.
    #[test]
    fn fuzzed_text_never_panics_nor_leaks(text in fuzz()) {
        let shown = match ConnectionString::parse(&text) {
            Ok(parsed) => format!("{parsed} {parsed:?}"),
            Err(e) => format!("{e} {e:?}"),
        };
        let segments: Vec<&str> = text.split(';').collect();
        for (i, segment) in segments.iter().enumerate() {
            let Some((name, value)) = segment.split_once('=') else { continue };
            let value = value.trim();
            if name.trim() != "SharedAccessKey" || value.chars().count() < 12 {
                continue;
            }
            let elsewhere = segments
                .iter()
                .enumerate()
                .any(|(j, other)| j != i && other.contains(value));
            // Words of the messages themselves (such as `SharedAccessSignature`) are no leak.
            let in_wording = concat!(
                "connection string: unknown part `` (expected HostName, SharedAccessKeyName, ",
                "SharedAccessKey or SharedAccessSignature) appears more than once is missing ",
                "is empty has no `=` is not valid base64 cannot be given together with ",
                "SharedAccessKey does not start with `SharedAccessSignature ` is not a host name ",
                "(letters, digits, `-` and `.`, not starting with `-` or `.`) ",
                "Malformed Missing Unknown Duplicate part reason",
            );
            if !elsewhere && !in_wording.contains(value) {
                prop_assert!(!shown.contains(value), "{:?} shows {:?}: {}", text, value, shown);
            }
        }
    }

    /// (d) `sign` is deterministic and its token has `sr`, `sig`, `se` and (with a policy)
    /// `skn`, in that order; `se` is the expiry, `sr` and `skn` decode to the resource and
    /// policy, and `sig` decodes to the base64 HMAC-SHA256 of `"{sr}\n{se}"` (the text the
    /// service checks), 32 bytes.
    #[test]
    fn tokens_have_the_checked_shape(
        resource in prop_oneof![host_name(), any::<String>()],
        key in prop::collection::vec(any::<u8>(), 0..100),
        policy in prop::option::of(policy()),
        expiry in any::<u64>(),
    ) {
        let token = sign(&resource, &key, policy.as_deref(), expiry);
        prop_assert_eq!(&token, &sign(&resource, &key, policy.as_deref(), expiry));

        // One space only: the service splits the token on whitespace into exactly two parts.
        prop_assert_eq!(token.split_whitespace().count(), 2);
        prop_assert!(HeaderValue::from_str(&token).is_ok());
        let rest = token.strip_prefix("SharedAccessSignature ").unwrap();
        prop_assert!(
            rest.bytes().all(|b| b.is_ascii_alphanumeric() || b"%+-_.~&=".contains(&b)),
            "{}", token
        );

        let fields = fields(&token);
        let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
        if policy.is_some() {
            prop_assert_eq!(names, ["sr", "sig", "se", "skn"]);
        } else {
            prop_assert_eq!(names, ["sr", "sig", "se"]);
        }
        let (sr, sig, se) = (fields[0].1, fields[1].1, fields[2].1);
        prop_assert_eq!(se, expiry.to_string());
        prop_assert_eq!(decode(&sr.replace('+', " ")), resource.as_str());
        if let Some(policy) = &policy {
            prop_assert_eq!(decode(&fields[3].1.replace('+', " ")), policy.as_str());
        }

        let sig = decode(sig);
        let bytes = STANDARD.decode(&sig).expect("sig is base64");
        prop_assert_eq!(bytes.len(), 32);
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{sr}\n{se}").as_bytes());
        prop_assert_eq!(bytes, mac.finalize().into_bytes().to_vec());
    }
}
