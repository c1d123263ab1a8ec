// Hand-written test infrastructure (not generated): the emulator's device registry.
//! The device registry: the devices a job can target, loaded from JSON.
//!
//! ```json
//! {
//!   "devices": [
//!     {
//!       "deviceId": "thermostat-43-01",
//!       "status": "enabled",
//!       "connectionState": "Connected",
//!       "tags": {"building": "43", "floor": 1},
//!       "properties": {"desired": {"setpoint": 21}, "reported": {"firmware": "1.4.2"}},
//!       "methods": {
//!         "reboot": {"status": 200, "payload": {"rebooted": true}, "latencySeconds": 2},
//!         "*": {"status": 501, "payload": {"message": "not implemented"}}
//!       },
//!       "connectsAfterSeconds": 20
//!     }
//!   ]
//! }
//! ```
//!
//! Every field but `deviceId` is optional; `tests/emulator/README.md` describes each one. A
//! top-level `"_comment"` is allowed and ignored.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use iothub_jobs::models::{Twin, TwinConnectionState, TwinProperties, TwinStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The registry the demo binary starts with (`tests/emulator/demo-registry.json`).
pub const DEMO_REGISTRY_JSON: &str = include_str!("../demo-registry.json");

/// Why a registry could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The file could not be read.
    #[error("cannot read the registry file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The text is not JSON of the registry's shape.
    #[error("the registry is not valid: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON has the right shape but a value is not acceptable.
    #[error("the registry is not valid: {0}")]
    Invalid(String),
}

/// How a device is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ConnectionState {
    /// Connected: direct methods reach it at once.
    #[default]
    Connected,
    /// Disconnected: a direct method waits up to `connectTimeoutInSeconds` for it.
    Disconnected,
}

impl ConnectionState {
    /// The value as IoT Hub writes it in a twin.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "Connected",
            Self::Disconnected => "Disconnected",
        }
    }
}

/// Whether the device may connect at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceStatus {
    /// The device may connect.
    #[default]
    Enabled,
    /// The device cannot connect: direct methods always fail as if it were offline.
    Disabled,
}

impl DeviceStatus {
    /// The value as IoT Hub writes it in a twin.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::Disabled => "disabled",
        }
    }
}

/// The desired and reported properties of a device twin.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Properties {
    /// Desired properties (what the back end asks for; twin-update jobs patch these).
    #[serde(default)]
    pub desired: Map<String, Value>,
    /// Reported properties (what the device says).
    #[serde(default)]
    pub reported: Map<String, Value>,
}

/// How a device answers one direct method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MethodAnswer {
    /// The status the device returns (default 200). 200–299 count as success.
    #[serde(default = "default_status")]
    pub status: i32,
    /// The payload the device returns (default `null`).
    #[serde(default)]
    pub payload: Value,
    /// How long the device takes to answer, in seconds of emulator time (default 0). An
    /// answer slower than the call's `responseTimeoutInSeconds` is a timeout.
    #[serde(default)]
    pub latency_seconds: f64,
}

fn default_status() -> i32 {
    200
}

/// The answer of a device to a method it has no entry (and no `"*"` entry) for, as the
/// device SDKs give for a method with no handler.
pub fn not_implemented() -> MethodAnswer {
    MethodAnswer {
        status: 501,
        payload: serde_json::json!({"message": "method not implemented by the device"}),
        latency_seconds: 0.0,
    }
}

/// One device of the registry, as loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Device {
    /// The device id (1–128 characters: ASCII letters, digits and `-:.+%_#*?!(),=@;$'`).
    pub device_id: String,
    /// `enabled` (default) or `disabled`.
    #[serde(default)]
    pub status: DeviceStatus,
    /// `Connected` (default) or `Disconnected`.
    #[serde(default)]
    pub connection_state: ConnectionState,
    /// The twin's tags.
    #[serde(default)]
    pub tags: Map<String, Value>,
    /// The twin's desired and reported properties.
    #[serde(default)]
    pub properties: Properties,
    /// How the device answers each direct method, by method name; `"*"` answers any other
    /// method. A method with no entry answers 501.
    #[serde(default)]
    pub methods: BTreeMap<String, MethodAnswer>,
    /// For a disconnected device: it connects this many seconds after a direct-method job
    /// first tries to reach it (and stays connected). Absent: it never connects.
    #[serde(default)]
    pub connects_after_seconds: Option<f64>,
}

impl Device {
    /// How the device answers `method`.
    pub fn answer(&self, method: &str) -> MethodAnswer {
        self.methods
            .get(method)
            .or_else(|| self.methods.get("*"))
            .cloned()
            .unwrap_or_else(not_implemented)
    }
}

/// A device's twin as the emulator keeps it: the registry entry and the twin version.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceTwin {
    /// The device (tags and properties change as twin-update jobs patch them).
    pub device: Device,
    /// The twin version: 1 when loaded, plus one per update.
    pub version: i64,
}

impl DeviceTwin {
    /// The twin as JSON, the shape query conditions are evaluated against:
    /// `{"deviceId", "tags", "properties": {"desired", "reported"}, "status",
    /// "connectionState", "version"}`.
    pub fn to_json(&self) -> Value {
        let d = &self.device;
        serde_json::json!({
            "deviceId": d.device_id,
            "tags": d.tags,
            "properties": {"desired": d.properties.desired, "reported": d.properties.reported},
            "status": d.status.as_str(),
            "connectionState": d.connection_state.as_str(),
            "version": self.version,
        })
    }

    /// The twin as the generated model.
    pub fn to_model(&self) -> Twin {
        let d = &self.device;
        let map = |m: &Map<String, Value>| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<BTreeMap<_, _>>()
        };
        Twin {
            device_id: Some(d.device_id.clone()),
            tags: Some(map(&d.tags)),
            properties: Some(TwinProperties {
                desired: Some(map(&d.properties.desired)),
                reported: Some(map(&d.properties.reported)),
            }),
            // IoT Hub's twin etags look like `AAAAAAAAAAE=`: base64 of a big-endian counter.
            etag: Some(
                base64::engine::general_purpose::STANDARD.encode(self.version.to_be_bytes()),
            ),
            version: Some(self.version),
            status: Some(TwinStatus::from(d.status.as_str())),
            connection_state: Some(TwinConnectionState::from(d.connection_state.as_str())),
            ..Twin::default()
        }
    }
}

/// The devices of the emulated hub, by device id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Registry {
    devices: BTreeMap<String, Device>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    /// Free text for people reading the file; ignored.
    #[serde(rename = "_comment", default)]
    _comment: Option<Value>,
    devices: Vec<Device>,
}

impl Registry {
    /// An empty registry.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The demo registry (`tests/emulator/demo-registry.json`): six devices in buildings 43
    /// and 44, one of them offline, one slow and one whose `reboot` answers 500.
    pub fn demo() -> Self {
        Self::from_json(DEMO_REGISTRY_JSON).expect("the demo registry is valid")
    }

    /// Reads a registry file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, RegistryError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| RegistryError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// Parses a registry from its JSON text.
    pub fn from_json(text: &str) -> Result<Self, RegistryError> {
        let file: RegistryFile = serde_json::from_str(text)?;
        Self::from_devices(file.devices)
    }

    /// A registry of `devices`; fails on a duplicate or invalid device id or an invalid
    /// latency.
    pub fn from_devices(devices: impl IntoIterator<Item = Device>) -> Result<Self, RegistryError> {
        let mut map = BTreeMap::new();
        for device in devices {
            validate_device(&device)?;
            let id = device.device_id.clone();
            if map.insert(id.clone(), device).is_some() {
                return Err(RegistryError::Invalid(format!(
                    "device id `{id}` appears more than once"
                )));
            }
        }
        Ok(Self { devices: map })
    }

    /// The devices, by device id.
    pub fn devices(&self) -> impl Iterator<Item = &Device> {
        self.devices.values()
    }

    /// How many devices there are.
    pub fn len(&self) -> usize {
        self.devices.len()
    }

    /// Whether there are no devices.
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }

    pub(crate) fn into_devices(self) -> BTreeMap<String, Device> {
        self.devices
    }
}

fn validate_device(device: &Device) -> Result<(), RegistryError> {
    let id = &device.device_id;
    let valid_id = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-:.+%_#*?!(),=@;$'".contains(c));
    if !valid_id {
        return Err(RegistryError::Invalid(format!(
            "device id `{}` is not valid: use 1 to 128 ASCII letters, digits and -:.+%_#*?!(),=@;$'",
            id.escape_debug()
        )));
    }
    let seconds_ok = |s: f64| s.is_finite() && (0.0..=1.0e9).contains(&s);
    for (name, answer) in &device.methods {
        if !seconds_ok(answer.latency_seconds) {
            return Err(RegistryError::Invalid(format!(
                "device `{id}`, method `{name}`: latencySeconds must be between 0 and 1e9"
            )));
        }
    }
    if let Some(after) = device.connects_after_seconds {
        if !seconds_ok(after) {
            return Err(RegistryError::Invalid(format!(
                "device `{id}`: connectsAfterSeconds must be between 0 and 1e9"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_registry_loads() {
        let registry = Registry::demo();
        assert_eq!(registry.len(), 6);
        let offline = registry
            .devices()
            .filter(|d| d.connection_state == ConnectionState::Disconnected)
            .count();
        assert_eq!(offline, 1);
    }

    #[test]
    fn defaults_and_answers() {
        let registry = Registry::from_json(
            r#"{"devices": [{"deviceId": "d1", "methods": {"reboot": {"payload": 1}, "*": {"status": 404}}}]}"#,
        )
        .unwrap();
        let d = registry.devices().next().unwrap();
        assert_eq!(d.status, DeviceStatus::Enabled);
        assert_eq!(d.connection_state, ConnectionState::Connected);
        assert_eq!(d.answer("reboot").status, 200);
        assert_eq!(d.answer("reboot").payload, serde_json::json!(1));
        assert_eq!(d.answer("other").status, 404);
        let bare = Device {
            methods: BTreeMap::new(),
            ..d.clone()
        };
        assert_eq!(bare.answer("reboot").status, 501);
    }

    #[test]
    fn invalid_registries_are_refused() {
        for (text, needle) in [
            (
                r#"{"devices": [{"deviceId": "a"}, {"deviceId": "a"}]}"#,
                "more than once",
            ),
            (r#"{"devices": [{"deviceId": ""}]}"#, "not valid"),
            (r#"{"devices": [{"deviceId": "a b"}]}"#, "not valid"),
            (
                r#"{"devices": [{"deviceId": "a", "colour": 1}]}"#,
                "unknown field",
            ),
            (
                r#"{"devices": [{"deviceId": "a", "methods": {"m": {"latencySeconds": -1}}}]}"#,
                "latencySeconds",
            ),
            (
                r#"{"devices": [{"deviceId": "a", "connectionState": "Sleeping"}]}"#,
                "unknown variant",
            ),
        ] {
            let error = Registry::from_json(text).unwrap_err().to_string();
            assert!(error.contains(needle), "{text}: {error}");
        }
    }

    #[test]
    fn twin_json_has_the_query_shape() {
        let registry = Registry::demo();
        let device = registry.devices().next().unwrap().clone();
        let twin = DeviceTwin { device, version: 1 };
        let json = twin.to_json();
        assert!(json["deviceId"].is_string());
        assert!(json["tags"].is_object());
        assert!(json["properties"]["desired"].is_object());
        assert!(json["properties"]["reported"].is_object());
        assert_eq!(json["status"], "enabled");
        let model = twin.to_model();
        assert_eq!(model.device_id.as_deref(), json["deviceId"].as_str());
        assert_eq!(model.etag.as_deref(), Some("AAAAAAAAAAE="));
    }
}
