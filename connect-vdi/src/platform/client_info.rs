//! The endpoint's version block (`vdiClientConnected`, the engine's `connected`) and the
//! sanitised telemetry metadata built from it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::VdiPlatformKind;
use crate::protocol::{ConnectedParams, OsInfo};

/// One versioned component (`{type, version}` in the Citrix block).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentVersion {
    /// The vendor's component type number, when given.
    pub kind: Option<i64>,
    /// The version, opaque (never parsed; a trailing dot is fine).
    pub version: String,
}

/// Who is on the other end of the redirection, for events and the call report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VdiClientInfo {
    /// The platform.
    pub platform: VdiPlatformKind,
    /// The call report's `vdiClientVersion` (Citrix: the Workspace app `receiver` version).
    pub client_version: Option<String>,
    /// Every component version by key (`webrpc`, `receiver`, `engine`, `mediaStack`, …).
    pub components: BTreeMap<String, ComponentVersion>,
    /// The endpoint OS.
    pub os: Option<OsInfo>,
    /// The client kind (`Browser`, `Native`).
    pub client_platform: Option<String>,
    /// The redirection protocol version, for the engine.
    pub protocol: Option<u32>,
}

impl VdiClientInfo {
    /// What a platform without a version block reports.
    pub fn bare(platform: VdiPlatformKind) -> Self {
        Self {
            platform,
            client_version: None,
            components: BTreeMap::new(),
            os: None,
            client_platform: None,
            protocol: None,
        }
    }

    /// Reads a `vdiClientConnected` event (Citrix, Omnissa): the keys may sit under `version`
    /// or at the top level; trailing NULs are trimmed; unknown keys and odd values are skipped.
    ///
    /// ```
    /// use connect_vdi::platform::{VdiClientInfo, VdiPlatformKind};
    ///
    /// let event = serde_json::json!({"event": "vdiClientConnected", "version": {
    ///     "receiver": {"type": 2, "version": "24.11.0.51"},
    ///     "osinfo": {"family": "Windows", "version": "10.0.19045\u{0}"}}});
    /// let info = VdiClientInfo::from_vendor_event(VdiPlatformKind::Citrix, &event);
    /// assert_eq!(info.client_version.as_deref(), Some("24.11.0.51"));
    /// assert_eq!(info.os.unwrap().version, "10.0.19045");
    /// ```
    pub fn from_vendor_event(platform: VdiPlatformKind, event: &Value) -> Self {
        let block = event
            .get("version")
            .filter(|v| v.is_object())
            .unwrap_or(event);
        let mut info = Self::bare(platform);
        let Some(map) = block.as_object() else {
            return info;
        };
        for (key, value) in map {
            match key.as_str() {
                "osinfo" => {
                    let text = |name: &str| {
                        trim(value.get(name).and_then(Value::as_str).unwrap_or_default())
                    };
                    info.os = Some(OsInfo {
                        architecture: text("architecture"),
                        distro: text("distro"),
                        edition: text("edition"),
                        family: text("family"),
                        version: text("version"),
                    });
                }
                "clientPlatform" => info.client_platform = value.as_str().map(trim),
                _ => {
                    if let Some(version) = value.get("version").and_then(Value::as_str) {
                        let kind = value.get("type").and_then(Value::as_i64);
                        info.components.insert(
                            key.clone(),
                            ComponentVersion {
                                kind,
                                version: trim(version),
                            },
                        );
                    }
                }
            }
        }
        info.client_version = info.components.get("receiver").map(|c| c.version.clone());
        info
    }

    /// The engine's `connected` version block.
    pub fn from_engine(params: &ConnectedParams) -> Self {
        let mut info = Self::bare(VdiPlatformKind::Engine);
        let component = |version: &str| ComponentVersion {
            kind: None,
            version: trim(version),
        };
        info.components.insert(
            params.engine.name.clone(),
            component(&params.engine.version),
        );
        info.components.insert(
            params.media_stack.name.clone(),
            component(&params.media_stack.version),
        );
        info.client_version = Some(trim(&params.engine.version));
        info.os = Some(params.os.clone());
        info.client_platform = Some(params.client_platform.clone());
        info.protocol = Some(params.protocol);
        info
    }

    /// The call report's `vdiMetadata`: every value sanitised to `[A-Za-z0-9.-_() ]`, at most
    /// 256 characters.
    pub fn metadata(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (key, component) in &self.components {
            out.insert(sanitize(key), sanitize(&component.version));
        }
        if let Some(os) = &self.os {
            out.insert("osFamily".into(), sanitize(&os.family));
            out.insert("osVersion".into(), sanitize(&os.version));
        }
        if let Some(platform) = &self.client_platform {
            out.insert("clientPlatform".into(), sanitize(platform));
        }
        if let Some(protocol) = self.protocol {
            out.insert("protocol".into(), protocol.to_string());
        }
        out
    }
}

fn trim(text: &str) -> String {
    text.trim_end_matches('\0').to_owned()
}

/// Keeps `[A-Za-z0-9.-_() ]` and at most 256 characters (as upstream sanitises `getMetadata`).
///
/// ```
/// assert_eq!(connect_vdi::platform::sanitize("v1.2 (beta); rm -rf /"), "v1.2 (beta) rm -rf ");
/// ```
pub fn sanitize(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '(' | ')' | ' '))
        .take(256)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_placements_of_the_citrix_block_parse_alike() {
        let block = serde_json::json!({
            "type_script": {"type": 5, "version": "3.1.0.0"},
            "webrpc": {"type": 0, "version": "1.7.0.0"},
            "receiver": {"type": 2, "version": "24.11.0.51."},
            "vda": {"type": 3, "version": "0.0.0.0"},
            "osinfo": {"architecture": "x86_64", "distro": "Ubuntu", "edition": "\u{0}", "family": "Linux", "version": "22.04"},
            "clientPlatform": "Browser",
            "unknownKey": 17
        });
        let nested = serde_json::json!({"event": "vdiClientConnected", "version": block.clone()});
        let mut flat = block;
        flat["event"] = "vdiClientConnected".into();
        let a = VdiClientInfo::from_vendor_event(VdiPlatformKind::Citrix, &nested);
        let b = VdiClientInfo::from_vendor_event(VdiPlatformKind::Citrix, &flat);
        assert_eq!(a, b);
        assert_eq!(a.client_version.as_deref(), Some("24.11.0.51."));
        assert_eq!(a.components["webrpc"].kind, Some(0));
        assert_eq!(a.os.as_ref().map(|o| o.edition.as_str()), Some(""));
        assert_eq!(a.client_platform.as_deref(), Some("Browser"));
        assert_eq!(a.metadata()["receiver"], "24.11.0.51.");
        assert!(
            VdiClientInfo::from_vendor_event(VdiPlatformKind::Omnissa, &serde_json::json!(3))
                .components
                .is_empty()
        );
    }

    #[test]
    fn metadata_is_sanitised_and_bounded() {
        assert_eq!(sanitize(&"é".repeat(10)), "");
        assert_eq!(sanitize(&"a".repeat(300)).len(), 256);
        assert_eq!(sanitize("host=1;id<2>"), "host1id2");
    }
}
