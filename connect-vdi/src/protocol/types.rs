//! Plain wire types shared by several methods and notifications.

use serde::{Deserialize, Serialize};

/// A name and a version (`client`, `engine`, `mediaStack`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameVersion {
    /// Product name.
    pub name: String,
    /// Version, kept as an opaque string.
    pub version: String,
}

impl NameVersion {
    /// A name and a version.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
        }
    }
}

/// The endpoint's operating system (the Citrix `osinfo` block).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OsInfo {
    /// CPU architecture (`x86_64`, `aarch64`).
    pub architecture: String,
    /// Distribution (`Ubuntu`), empty when not applicable.
    pub distro: String,
    /// Edition, empty when unknown.
    pub edition: String,
    /// Family (`Linux`, `Windows`, `macOS`).
    pub family: String,
    /// OS version, opaque.
    pub version: String,
}

impl OsInfo {
    /// What this process runs on (architecture and family; distro and version stay empty
    /// unless the OS reports them in `/etc/os-release`).
    pub fn current() -> Self {
        let mut info = Self {
            architecture: std::env::consts::ARCH.to_owned(),
            family: match std::env::consts::OS {
                "linux" => "Linux",
                "windows" => "Windows",
                "macos" => "macOS",
                other => other,
            }
            .to_owned(),
            ..Self::default()
        };
        if let Ok(release) = std::fs::read_to_string("/etc/os-release") {
            for line in release.lines() {
                let unquote = |v: &str| v.trim_matches('"').to_owned();
                if let Some(v) = line.strip_prefix("NAME=") {
                    info.distro = unquote(v);
                } else if let Some(v) = line.strip_prefix("VERSION_ID=") {
                    info.version = unquote(v);
                }
            }
        }
        info
    }
}

/// Input or output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    /// A microphone.
    #[serde(rename = "audioinput")]
    AudioInput,
    /// A speaker or headset.
    #[serde(rename = "audiooutput")]
    AudioOutput,
}

/// One endpoint audio device (`enumerateDevices`, `deviceChange`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    /// Opaque id issued by the engine.
    pub device_id: String,
    /// Input or output.
    pub kind: DeviceKind,
    /// Display name.
    pub label: String,
    /// Devices of one physical unit share a group id.
    #[serde(default)]
    pub group_id: String,
    /// The system default of its kind.
    #[serde(default)]
    pub is_default: bool,
}

/// A media track of a `getUserMedia` stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackInfo {
    /// Opaque id issued by the engine.
    pub track_id: String,
    /// Always `audio` in v1.
    pub kind: String,
    /// The capture device's label.
    pub label: String,
    /// The capture device.
    pub device_id: String,
}

/// What the engine can do (`hello` result).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// A standby (pre-warmed) peer connection is possible.
    pub early_media: bool,
    /// `createOffer{iceRestart:true}` works.
    pub ice_restart: bool,
    /// Audio codecs, `opus` first.
    pub codecs: Vec<String>,
    /// Always false in v1 (voice only).
    pub video: bool,
    /// `insertDtmf` works (RFC 4733 digits). Additive: absent from older engines (false).
    #[serde(default)]
    pub dtmf: bool,
    /// `replaceTrack` works. Additive: absent from older engines (false).
    #[serde(default)]
    pub replace_track: bool,
    /// The engine answers offers (`setRemoteDescription{type:"offer"}`, `createAnswer`).
    /// Additive: absent from older engines (false).
    #[serde(default)]
    pub answer: bool,
}

/// An offer or an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SdpType {
    /// An offer.
    Offer,
    /// An answer.
    Answer,
}

/// One W3C stats object (`getStats`), with the subset of fields v1 carries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsReport {
    /// Report id.
    pub id: String,
    /// `inbound-rtp`, `outbound-rtp`, `remote-inbound-rtp` or `media-source`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Milliseconds since the Unix epoch.
    pub timestamp: f64,
    /// W3C `kind`: `audio`.
    #[serde(rename = "kind", default, skip_serializing_if = "Option::is_none")]
    pub kind_of_media: Option<String>,
    /// Codec MIME type, e.g. `audio/opus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Packets sent (`outbound-rtp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets_sent: Option<u64>,
    /// Payload bytes sent (`outbound-rtp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_sent: Option<u64>,
    /// Packets received (`inbound-rtp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets_received: Option<u64>,
    /// Payload bytes received (`inbound-rtp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_received: Option<u64>,
    /// Packets lost (`inbound-rtp`: ours; `remote-inbound-rtp`: the far end's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets_lost: Option<i64>,
    /// Fraction lost the far end reports (`remote-inbound-rtp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction_lost: Option<f64>,
    /// Interarrival jitter, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<f64>,
    /// Σ seconds of jitter-buffer delay over emitted samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter_buffer_delay: Option<f64>,
    /// Samples emitted by the jitter buffer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter_buffer_emitted_count: Option<u64>,
    /// Audio level, 0.0–1.0 (`media-source`: sent; `inbound-rtp`: played).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_level: Option<f64>,
    /// Round-trip time, seconds (`remote-inbound-rtp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_trip_time: Option<f64>,
    /// Concealment events (`inbound-rtp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concealment_events: Option<u64>,
}
