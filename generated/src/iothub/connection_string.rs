// Hand-written: not generated; `cargo xtask regen` never touches this file.
//! IoT Hub connection strings: `HostName=…;SharedAccessKeyName=…;SharedAccessKey=…` or
//! `HostName=…;SharedAccessSignature=…`.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use zeroize::{Zeroize as _, Zeroizing};

/// A secret text (a key or a signature). `Debug` and `Display` never show it; its bytes are
/// overwritten with zeros when it is dropped, and it is not `Clone`, so that no copy outlives
/// it unnoticed.
#[derive(PartialEq, Eq)]
pub struct Secret(String);

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The types that hold a key or a signature are not `Clone` (a copy would outlive the
/// original's zeroing unnoticed):
///
/// ```compile_fail
/// fn clone<T: Clone>() {}
/// clone::<iothub_jobs::iothub::Secret>();
/// ```
///
/// ```compile_fail
/// fn clone<T: Clone>() {}
/// clone::<iothub_jobs::iothub::ConnectionString>();
/// ```
///
/// ```compile_fail
/// fn clone<T: Clone>() {}
/// clone::<iothub_jobs::iothub::ConnectionAuth>();
/// ```
///
/// ```compile_fail
/// fn clone<T: Clone>() {}
/// clone::<iothub_jobs::iothub::SasCredential>();
/// ```
///
/// ```compile_fail
/// fn clone<T: Clone>() {}
/// clone::<iothub_jobs::StaticCredential>();
/// ```
///
/// ```
/// // Shared instead, as a credential too.
/// fn credential<T: iothub_jobs::Credential>() {}
/// credential::<std::sync::Arc<iothub_jobs::iothub::SasCredential>>();
/// ```
#[allow(dead_code)]
const SECRETS_ARE_NOT_CLONE: () = ();

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How a connection string authenticates. Not `Clone`: it holds a [`Secret`].
#[derive(Debug, PartialEq, Eq)]
pub enum ConnectionAuth {
    /// A shared access policy and its key: the client signs its own tokens.
    SharedAccessKey {
        /// The policy name (`SharedAccessKeyName`), e.g. `iothubowner`.
        key_name: String,
        /// The base64 policy key (`SharedAccessKey`).
        key: Secret,
    },
    /// A ready-made token (`SharedAccessSignature`), sent as it is until it expires.
    SharedAccessSignature(Secret),
}

/// A parsed IoT Hub service connection string. `Debug` and `Display` hide the key, which is
/// zeroed when the value is dropped; not `Clone` (parse the text again, or share a reference).
#[derive(Debug, PartialEq, Eq)]
pub struct ConnectionString {
    host_name: String,
    auth: ConnectionAuth,
}

/// What is wrong with a connection string. Messages name the part, never its secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionStringError {
    /// A required part is absent.
    #[error("connection string: `{0}` is missing")]
    Missing(&'static str),
    /// A part appears twice.
    #[error("connection string: `{0}` appears more than once")]
    Duplicate(String),
    /// A part is present but its value is not usable.
    #[error("connection string: `{part}` {reason}")]
    Malformed {
        /// The part's name.
        part: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A part this client does not know (for example `DeviceId`: device connection strings
    /// cannot call the service API).
    #[error(
        "connection string: unknown part `{0}` (expected HostName, SharedAccessKeyName, SharedAccessKey or SharedAccessSignature)"
    )]
    Unknown(String),
}

/// How the name of a part this parser does not know is shown in an error: as it is when it
/// looks like a name (ASCII letters and spaces, at most 32, such as `DeviceId`), otherwise
/// only its length. A key pasted without its name splits at its first `=` (its padding) into
/// a "name" that is most of the key, so such text must not reach the message.
fn shown_name(name: &str) -> String {
    let looks_like_a_name = !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_alphabetic() || b == b' ');
    if looks_like_a_name {
        name.to_owned()
    } else {
        format!("<{} characters>", name.chars().count())
    }
}

const HOST_NAME: &str = "HostName";
const KEY_NAME: &str = "SharedAccessKeyName";
const KEY: &str = "SharedAccessKey";
const SIGNATURE: &str = "SharedAccessSignature";

impl ConnectionString {
    /// Parses `text`: pairs split on `;` (an empty pair, such as a trailing `;`, is skipped),
    /// each split on its first `=` only, because base64 keys end in `=`.
    pub fn parse(text: &str) -> Result<Self, ConnectionStringError> {
        // Every value is zeroed when dropped, so that a key read before a later part turns out
        // to be wrong does not stay behind in freed memory.
        let mut host_name: Option<Zeroizing<String>> = None;
        let mut key_name: Option<Zeroizing<String>> = None;
        let mut key: Option<Zeroizing<String>> = None;
        let mut signature: Option<Zeroizing<String>> = None;
        for pair in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, value)) = pair.split_once('=') else {
                // A part without `=` is as likely a stray key as a misspelt name.
                return Err(ConnectionStringError::Malformed {
                    part: shown_name(pair),
                    reason: "has no `=`".to_owned(),
                });
            };
            let name = name.trim();
            let value = value.trim();
            let slot = match name {
                HOST_NAME => &mut host_name,
                KEY_NAME => &mut key_name,
                KEY => &mut key,
                SIGNATURE => &mut signature,
                other => return Err(ConnectionStringError::Unknown(shown_name(other))),
            };
            if slot.is_some() {
                return Err(ConnectionStringError::Duplicate(name.to_owned()));
            }
            if value.is_empty() {
                return Err(ConnectionStringError::Malformed {
                    part: name.to_owned(),
                    reason: "is empty".to_owned(),
                });
            }
            *slot = Some(Zeroizing::new(value.to_owned()));
        }

        let host_name = host_name
            .map(|mut h| std::mem::take(&mut *h))
            .ok_or(ConnectionStringError::Missing(HOST_NAME))?;
        let host_ok = host_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !host_name.starts_with(['.', '-']);
        if !host_ok {
            // The value is not shown: a connection string with a wrong separator
            // (`HostName=h.net,SharedAccessKey=…`) carries the key in it.
            return Err(ConnectionStringError::Malformed {
                part: HOST_NAME.to_owned(),
                reason: "is not a host name (letters, digits, `-` and `.`, not starting with `-` or `.`)".to_owned(),
            });
        }
        let auth = match (key_name, key, signature) {
            (Some(_), Some(_), Some(_)) | (None, Some(_), Some(_)) => {
                return Err(ConnectionStringError::Malformed {
                    part: SIGNATURE.to_owned(),
                    reason: "cannot be given together with SharedAccessKey".to_owned(),
                });
            }
            (Some(mut key_name), Some(mut key), None) => {
                // Decoded into a buffer zeroed when dropped too.
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(key.as_str())
                    .map(Zeroizing::new);
                if decoded.is_err() {
                    return Err(ConnectionStringError::Malformed {
                        part: KEY.to_owned(),
                        reason: "is not valid base64".to_owned(),
                    });
                }
                ConnectionAuth::SharedAccessKey {
                    key_name: std::mem::take(&mut *key_name),
                    key: Secret(std::mem::take(&mut *key)),
                }
            }
            (None, Some(_), None) => return Err(ConnectionStringError::Missing(KEY_NAME)),
            (_, None, Some(mut signature)) => {
                if !signature.starts_with("SharedAccessSignature ") {
                    return Err(ConnectionStringError::Malformed {
                        part: SIGNATURE.to_owned(),
                        reason: "does not start with `SharedAccessSignature `".to_owned(),
                    });
                }
                ConnectionAuth::SharedAccessSignature(Secret(std::mem::take(&mut *signature)))
            }
            (_, None, None) => return Err(ConnectionStringError::Missing(KEY)),
        };
        Ok(Self { host_name, auth })
    }

    /// The hub's host name, e.g. `my-hub.azure-devices.net`: the SAS token's resource and,
    /// unless overridden, the host requests go to.
    pub fn host_name(&self) -> &str {
        &self.host_name
    }

    /// The hub's name: the host name up to the first `.`.
    pub fn hub_name(&self) -> &str {
        self.host_name.split('.').next().unwrap_or(&self.host_name)
    }

    /// How the string authenticates.
    pub fn auth(&self) -> &ConnectionAuth {
        &self.auth
    }

    /// `https://{HostName}`.
    pub fn endpoint(&self) -> String {
        format!("https://{}", self.host_name)
    }
}

impl FromStr for ConnectionString {
    type Err = ConnectionStringError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for ConnectionString {
    /// The connection string with its secret replaced by `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{HOST_NAME}={}", self.host_name)?;
        match &self.auth {
            ConnectionAuth::SharedAccessKey { key_name, .. } => {
                write!(f, ";{KEY_NAME}={key_name};{KEY}=<redacted>")
            }
            ConnectionAuth::SharedAccessSignature(_) => write!(f, ";{SIGNATURE}=<redacted>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_VALUE: &str = "c2VjcmV0LWtleS1mb3ItdGVzdHM9PQ==";

    #[test]
    fn parses_a_key_connection_string() {
        let text = format!(
            "HostName=my-hub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey={KEY_VALUE}"
        );
        let cs = ConnectionString::parse(&text).unwrap();
        assert_eq!(cs.host_name(), "my-hub.azure-devices.net");
        assert_eq!(cs.hub_name(), "my-hub");
        assert_eq!(cs.endpoint(), "https://my-hub.azure-devices.net");
        let ConnectionAuth::SharedAccessKey { key_name, key } = cs.auth() else {
            panic!("key auth expected");
        };
        assert_eq!(key_name, "iothubowner");
        assert_eq!(key.expose(), KEY_VALUE, "the key keeps its trailing `=`");
    }

    #[test]
    fn parses_a_signature_connection_string() {
        let cs = ConnectionString::parse(
            "HostName=h.azure-devices.net;SharedAccessSignature=SharedAccessSignature sr=h.azure-devices.net&sig=a%3D&se=1&skn=p;",
        )
        .unwrap();
        assert!(
            matches!(cs.auth(), ConnectionAuth::SharedAccessSignature(s) if s.expose().ends_with("skn=p"))
        );
    }

    #[test]
    fn errors_name_the_part() {
        let err = |text: &str| ConnectionString::parse(text).unwrap_err();
        assert_eq!(
            err("SharedAccessKeyName=a;SharedAccessKey=YQ=="),
            ConnectionStringError::Missing("HostName")
        );
        assert_eq!(
            err("HostName=h;SharedAccessKeyName=a"),
            ConnectionStringError::Missing("SharedAccessKey")
        );
        assert_eq!(
            err("HostName=h;SharedAccessKey=YQ=="),
            ConnectionStringError::Missing("SharedAccessKeyName")
        );
        assert_eq!(
            err("HostName=h;HostName=i;SharedAccessKeyName=a;SharedAccessKey=YQ=="),
            ConnectionStringError::Duplicate("HostName".to_owned())
        );
        assert_eq!(
            err("HostName=h;DeviceId=d;SharedAccessKey=YQ=="),
            ConnectionStringError::Unknown("DeviceId".to_owned())
        );
        assert!(
            matches!(err("HostName=h;SharedAccessKeyName=a;SharedAccessKey=not base64!"), ConnectionStringError::Malformed { part, .. } if part == "SharedAccessKey")
        );
        assert!(
            matches!(err("HostName=;SharedAccessKeyName=a;SharedAccessKey=YQ=="), ConnectionStringError::Malformed { part, .. } if part == "HostName")
        );
        assert!(
            matches!(err("HostName=h;garbage"), ConnectionStringError::Malformed { part, .. } if part == "garbage")
        );
    }

    #[test]
    fn secrets_never_show() {
        let text = format!("HostName=h.net;SharedAccessKeyName=owner;SharedAccessKey={KEY_VALUE}");
        let cs = ConnectionString::parse(&text).unwrap();
        for shown in [
            format!("{cs}"),
            format!("{cs:?}"),
            format!("{:?}", cs.auth()),
        ] {
            assert!(!shown.contains(KEY_VALUE), "{shown}");
            assert!(!shown.contains("c2VjcmV0"), "{shown}");
        }
        assert_eq!(
            cs.to_string(),
            "HostName=h.net;SharedAccessKeyName=owner;SharedAccessKey=<redacted>"
        );
        let bad =
            ConnectionString::parse("HostName=h;SharedAccessKeyName=a;SharedAccessKey=s3cr3t!!")
                .unwrap_err();
        assert!(!bad.to_string().contains("s3cr3t"), "{bad}");
    }

    #[test]
    fn misplaced_keys_never_show() {
        let err = |text: &str| ConnectionString::parse(text).unwrap_err();
        // A wrong separator leaves the key inside the HostName value.
        let bad = err(&format!(
            "HostName=h.net,SharedAccessKeyName=owner,SharedAccessKey={KEY_VALUE}"
        ));
        assert!(
            matches!(&bad, ConnectionStringError::Malformed { part, .. } if part == "HostName")
        );
        assert!(!bad.to_string().contains("c2VjcmV0"), "{bad}");
        // A key pasted without its name: the text before its padding is no part name.
        let bad = err(&format!(
            "HostName=h.net;SharedAccessKeyName=owner;{KEY_VALUE}"
        ));
        assert_eq!(
            bad,
            ConnectionStringError::Unknown("<30 characters>".to_owned())
        );
        // The same without padding.
        let bad = err(
            "HostName=h.net;SharedAccessKeyName=owner;AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIj",
        );
        assert!(!bad.to_string().contains("AAEC"), "{bad}");
        assert!(
            matches!(&bad, ConnectionStringError::Malformed { part, .. } if part == "<48 characters>")
        );
        // Names that look like names still show.
        assert_eq!(
            err("HostName=h;Device Id=d"),
            ConnectionStringError::Unknown("Device Id".to_owned())
        );
    }
}
