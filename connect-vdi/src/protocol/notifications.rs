//! The notifications of `connect-vdi/1` (engine → desktop).

use connect_softphone::media::IceCandidate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::frame::Frame;
use super::methods::DeviceList;
use super::types::{NameVersion, OsInfo};

/// `connected` params: the engine's version block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedParams {
    /// The engine.
    pub engine: NameVersion,
    /// The protocol version in use.
    pub protocol: u32,
    /// The media stack (e.g. webrtc-rs).
    pub media_stack: NameVersion,
    /// The endpoint's OS.
    pub os: OsInfo,
    /// What kind of client the endpoint is (`Native` for this engine).
    pub client_platform: String,
}

/// `disconnected` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisconnectedParams {
    /// `failure`, `endpointDisconnected` or `endpointUnsupported` (other values are kept).
    pub reason: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `iceStateChange` params: the current values of all three states.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IceStateParams {
    /// The peer connection.
    pub pc_id: String,
    /// W3C `RTCIceConnectionState` (`new`, `checking`, `connected`, …).
    pub ice: String,
    /// W3C `RTCPeerConnectionState`.
    pub connection: String,
    /// W3C `RTCIceGatheringState`.
    pub gathering: String,
}

/// `iceCandidate` params: a local candidate, or `candidate: null` when gathering completed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IceCandidateParams {
    /// The peer connection.
    pub pc_id: String,
    /// The `candidate:` attribute; `null` = gathering complete.
    pub candidate: Option<String>,
    /// Its m-section id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp_mid: Option<String>,
    /// Its m-section index.
    #[serde(
        rename = "sdpMLineIndex",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sdp_mline_index: Option<u16>,
    /// Its ICE generation's user name fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_fragment: Option<String>,
}

impl IceCandidateParams {
    /// The notification for one candidate (`None` = end of candidates).
    pub fn new(pc_id: &str, candidate: Option<&IceCandidate>) -> Self {
        Self {
            pc_id: pc_id.to_owned(),
            candidate: candidate.map(|c| c.candidate.clone()),
            sdp_mid: candidate.and_then(|c| c.sdp_mid.clone()),
            sdp_mline_index: candidate.and_then(|c| c.sdp_mline_index),
            username_fragment: candidate.and_then(|c| c.username_fragment.clone()),
        }
    }

    /// The candidate, or `None` at the end of gathering.
    pub fn to_candidate(&self) -> Option<IceCandidate> {
        Some(IceCandidate {
            candidate: self.candidate.clone()?,
            sdp_mid: self.sdp_mid.clone(),
            sdp_mline_index: self.sdp_mline_index,
            username_fragment: self.username_fragment.clone(),
        })
    }
}

/// `trackStarted` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackStartedParams {
    /// The peer connection.
    pub pc_id: String,
    /// The remote track's id.
    pub track_id: String,
    /// `audio`.
    pub kind: String,
    /// Milliseconds from peer-connection creation to the first remote RTP packet.
    pub first_packet_at: u64,
}

/// One engine notification, typed. Unknown names are kept as [`Notification::Unknown`] and
/// ignored, so additive changes need no version bump.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Notification {
    /// `connected`.
    Connected(ConnectedParams),
    /// `disconnected`.
    Disconnected(DisconnectedParams),
    /// `deviceChange`.
    DeviceChange(DeviceList),
    /// `iceStateChange`.
    IceStateChange(IceStateParams),
    /// `iceCandidate`.
    IceCandidate(IceCandidateParams),
    /// `trackStarted`.
    TrackStarted(TrackStartedParams),
    /// A notification this version does not know.
    Unknown(String),
}

/// Why a known notification could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad {method} notification: {detail}")]
pub struct NotificationError {
    /// The notification name.
    pub method: String,
    /// What was wrong.
    pub detail: String,
}

impl Notification {
    /// Types a notification.
    ///
    /// ```
    /// use connect_vdi::protocol::Notification;
    ///
    /// let n = Notification::parse("iceCandidate", serde_json::json!({"pcId": "pc1", "candidate": null})).unwrap();
    /// assert!(matches!(n, Notification::IceCandidate(ref c) if c.to_candidate().is_none()));
    /// assert!(matches!(Notification::parse("later", serde_json::json!({})), Ok(Notification::Unknown(_))));
    /// assert!(Notification::parse("disconnected", serde_json::json!({})).is_err());
    /// ```
    pub fn parse(method: &str, params: Value) -> Result<Self, NotificationError> {
        fn typed<T: serde::de::DeserializeOwned>(
            method: &str,
            params: Value,
        ) -> Result<T, NotificationError> {
            serde_json::from_value(params).map_err(|e| NotificationError {
                method: method.to_owned(),
                detail: e.to_string(),
            })
        }
        Ok(match method {
            "connected" => Self::Connected(typed(method, params)?),
            "disconnected" => Self::Disconnected(typed(method, params)?),
            "deviceChange" => Self::DeviceChange(typed(method, params)?),
            "iceStateChange" => Self::IceStateChange(typed(method, params)?),
            "iceCandidate" => Self::IceCandidate(typed(method, params)?),
            "trackStarted" => Self::TrackStarted(typed(method, params)?),
            other => Self::Unknown(other.to_owned()),
        })
    }

    /// The notification as a frame (`Unknown` has no params to send).
    pub fn to_frame(&self) -> Frame {
        let (method, params) = match self {
            Self::Connected(p) => ("connected", serde_json::to_value(p)),
            Self::Disconnected(p) => ("disconnected", serde_json::to_value(p)),
            Self::DeviceChange(p) => ("deviceChange", serde_json::to_value(p)),
            Self::IceStateChange(p) => ("iceStateChange", serde_json::to_value(p)),
            Self::IceCandidate(p) => ("iceCandidate", serde_json::to_value(p)),
            Self::TrackStarted(p) => ("trackStarted", serde_json::to_value(p)),
            Self::Unknown(name) => (name.as_str(), Ok(Value::Object(Default::default()))),
        };
        Frame::Notification {
            method: method.to_owned(),
            params: params.unwrap_or(Value::Null),
        }
    }
}
