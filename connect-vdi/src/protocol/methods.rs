//! The requests of `connect-vdi/1` (desktop → engine), their params and their results.

use connect_core::model::Sensitive;
use connect_softphone::media::{IceCandidate, IceServer};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codes::{INVALID_PARAMS, METHOD_NOT_FOUND};
use super::frame::RpcError;
use super::types::{
    Capabilities, DeviceInfo, DeviceKind, NameVersion, SdpType, StatsReport, TrackInfo,
};

/// `hello` params: the desktop introduces itself and proves it holds the pairing token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelloParams {
    /// Protocol versions the desktop speaks.
    pub protocols: Vec<u32>,
    /// The pairing token; never logged.
    pub token: Sensitive,
    /// The desktop-side SDK.
    pub client: NameVersion,
    /// Which virtual desktop this is (for the engine's logs).
    #[serde(default)]
    pub desktop_id: String,
}

/// `hello` result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelloResult {
    /// The version chosen for this connection.
    pub protocol: u32,
    /// The engine.
    pub engine: NameVersion,
    /// What it can do.
    pub capabilities: Capabilities,
}

/// `getUserMedia` audio constraints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioConstraints {
    /// Capture from this device (the selected or default one when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// Echo cancellation wanted.
    #[serde(default = "yes")]
    pub echo_cancellation: bool,
    /// Noise suppression wanted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise_suppression: Option<bool>,
    /// Automatic gain control wanted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_gain_control: Option<bool>,
}

fn yes() -> bool {
    true
}

impl Default for AudioConstraints {
    fn default() -> Self {
        Self {
            device_id: None,
            echo_cancellation: true,
            noise_suppression: None,
            auto_gain_control: None,
        }
    }
}

/// `getUserMedia` params.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GetUserMediaParams {
    /// Audio constraints.
    pub audio: AudioConstraints,
    /// Video constraints; any value is refused with `-32021` (voice only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<Value>,
}

/// `getUserMedia` result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetUserMediaResult {
    /// The stream handle.
    pub stream_id: String,
    /// Its tracks (one audio track).
    pub tracks: Vec<TrackInfo>,
}

/// `enumerateDevices` result (also the `deviceChange` params).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceList {
    /// Every endpoint audio device.
    pub devices: Vec<DeviceInfo>,
}

/// `createPeerConnection` params.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePeerConnectionParams {
    /// TURN servers with their per-call credentials (never logged).
    pub ice_servers: Vec<IceServer>,
    /// `relay` or `all`.
    #[serde(default = "relay")]
    pub ice_transport_policy: String,
    /// `balanced` (what the softphone uses).
    #[serde(default = "balanced")]
    pub bundle_policy: String,
    /// `require`.
    #[serde(default = "require")]
    pub rtcp_mux_policy: String,
    /// Audio codecs to offer, in order (`opus`, `pcmu`); all of them when absent. Additive
    /// field of this SDK: the engine's offer must match the desktop's munging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codecs: Option<Vec<String>>,
    /// Opus DTX (`usedtx=1`). Additive field of this SDK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opus_dtx: Option<bool>,
}

fn relay() -> String {
    "relay".to_owned()
}
fn balanced() -> String {
    "balanced".to_owned()
}
fn require() -> String {
    "require".to_owned()
}

/// `createPeerConnection` result, and the params of requests about one peer connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PcRef {
    /// The peer connection handle.
    pub pc_id: String,
}

/// `addTrack` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddTrackParams {
    /// The peer connection.
    pub pc_id: String,
    /// The track to send.
    pub track_id: String,
    /// Its stream.
    pub stream_id: String,
}

/// `createOffer` params.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOfferParams {
    /// The peer connection.
    pub pc_id: String,
    /// An ICE-restart offer.
    #[serde(default)]
    pub ice_restart: bool,
    /// Fresh TURN servers for the restart. Additive field of this SDK (Connect issues new
    /// credentials for every restart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ice_servers: Option<Vec<IceServer>>,
}

/// A result carrying an SDP (`createOffer`, `createAnswer`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdpResult {
    /// The SDP text.
    pub sdp: String,
}

/// `setLocalDescription` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetLocalDescriptionParams {
    /// The peer connection.
    pub pc_id: String,
    /// `offer` (after `createOffer`) or `answer` (after `createAnswer`).
    #[serde(rename = "type")]
    pub kind: SdpType,
    /// The offer after the desktop's munging, or the answer as `createAnswer` returned it.
    pub sdp: String,
}

/// `setRemoteDescription` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetRemoteDescriptionParams {
    /// The peer connection.
    pub pc_id: String,
    /// `answer` (to the engine's offer) or `offer` (the engine answers it with
    /// `createAnswer`).
    #[serde(rename = "type")]
    pub kind: SdpType,
    /// The answer or the offer.
    pub sdp: String,
    /// Its candidates (Connect sends them beside the SDP).
    #[serde(default)]
    pub candidates: Vec<IceCandidate>,
}

/// `addIceCandidate` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddIceCandidateParams {
    /// The peer connection.
    pub pc_id: String,
    /// The candidate.
    #[serde(flatten)]
    pub candidate: IceCandidate,
}

/// `getStats` result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatsResult {
    /// W3C stats objects.
    pub reports: Vec<StatsReport>,
}

/// `setDevice` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetDeviceParams {
    /// Input or output.
    pub kind: DeviceKind,
    /// The device to use.
    pub device_id: String,
}

/// `setDevice` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetDeviceResult {
    /// The device now in use.
    pub device_id: String,
    /// Its label.
    pub label: String,
}

/// `insertDtmf` params: RFC 4733 `telephone-event` digits on a peer connection's sender.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InsertDtmfParams {
    /// The peer connection.
    pub pc_id: String,
    /// `0-9 * # A-D`; `,` is a 500 ms pause.
    pub tones: String,
}

/// `replaceTrack` params: what a peer connection's sender sends, without renegotiation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplaceTrackParams {
    /// The peer connection.
    pub pc_id: String,
    /// A track from `getUserMedia`, or `null` to send silence (an idle persistent peer
    /// connection between calls).
    pub track_id: Option<String>,
}

/// `mute` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MuteParams {
    /// The track.
    pub track_id: String,
    /// Muted (sends silence) or not.
    pub muted: bool,
}

/// `close` params: exactly one of the three.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseParams {
    /// Close this peer connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pc_id: Option<String>,
    /// Stop this stream's capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_id: Option<String>,
    /// Close everything and end the desktop connection.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
}

/// An empty result (`{}`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

/// One request of the catalogue, typed.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Request {
    /// `hello`.
    Hello(HelloParams),
    /// `getUserMedia`.
    GetUserMedia(GetUserMediaParams),
    /// `enumerateDevices`.
    EnumerateDevices,
    /// `createPeerConnection`.
    CreatePeerConnection(CreatePeerConnectionParams),
    /// `addTrack`.
    AddTrack(AddTrackParams),
    /// `createOffer`.
    CreateOffer(CreateOfferParams),
    /// `createAnswer` (after `setRemoteDescription{type:"offer"}`).
    CreateAnswer(PcRef),
    /// `setLocalDescription`.
    SetLocalDescription(SetLocalDescriptionParams),
    /// `setRemoteDescription`.
    SetRemoteDescription(SetRemoteDescriptionParams),
    /// `addIceCandidate`.
    AddIceCandidate(AddIceCandidateParams),
    /// `getStats`.
    GetStats(PcRef),
    /// `setDevice`.
    SetDevice(SetDeviceParams),
    /// `mute`.
    Mute(MuteParams),
    /// `insertDtmf`.
    InsertDtmf(InsertDtmfParams),
    /// `replaceTrack`.
    ReplaceTrack(ReplaceTrackParams),
    /// `close`.
    Close(CloseParams),
}

fn params<T: DeserializeOwned>(method: &str, value: Value) -> Result<T, RpcError> {
    serde_json::from_value(value)
        .map_err(|e| RpcError::new(INVALID_PARAMS, format!("{method}: {e}")))
}

fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl Request {
    /// Types a request's params; unknown methods get `-32601`, bad params `-32602`.
    ///
    /// ```
    /// use connect_vdi::protocol::Request;
    ///
    /// let request = Request::parse("mute", serde_json::json!({"trackId": "t1", "muted": true})).unwrap();
    /// assert_eq!(request.method(), "mute");
    /// assert_eq!(Request::parse("mute", serde_json::json!({})).unwrap_err().code, -32602);
    /// assert_eq!(Request::parse("reboot", serde_json::json!({})).unwrap_err().code, -32601);
    /// ```
    pub fn parse(method: &str, value: Value) -> Result<Self, RpcError> {
        Ok(match method {
            "hello" => Self::Hello(params(method, value)?),
            "getUserMedia" => Self::GetUserMedia(params(method, value)?),
            "enumerateDevices" => Self::EnumerateDevices,
            "createPeerConnection" => Self::CreatePeerConnection(params(method, value)?),
            "addTrack" => Self::AddTrack(params(method, value)?),
            "createOffer" => Self::CreateOffer(params(method, value)?),
            "createAnswer" => Self::CreateAnswer(params(method, value)?),
            "setLocalDescription" => Self::SetLocalDescription(params(method, value)?),
            "setRemoteDescription" => Self::SetRemoteDescription(params(method, value)?),
            "addIceCandidate" => Self::AddIceCandidate(params(method, value)?),
            "getStats" => Self::GetStats(params(method, value)?),
            "setDevice" => Self::SetDevice(params(method, value)?),
            "mute" => Self::Mute(params(method, value)?),
            "insertDtmf" => Self::InsertDtmf(params(method, value)?),
            "replaceTrack" => Self::ReplaceTrack(params(method, value)?),
            "close" => Self::Close(params(method, value)?),
            other => {
                return Err(RpcError::new(
                    METHOD_NOT_FOUND,
                    format!("unknown method {other:?}"),
                ))
            }
        })
    }

    /// The method name on the wire.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Hello(_) => "hello",
            Self::GetUserMedia(_) => "getUserMedia",
            Self::EnumerateDevices => "enumerateDevices",
            Self::CreatePeerConnection(_) => "createPeerConnection",
            Self::AddTrack(_) => "addTrack",
            Self::CreateOffer(_) => "createOffer",
            Self::CreateAnswer(_) => "createAnswer",
            Self::SetLocalDescription(_) => "setLocalDescription",
            Self::SetRemoteDescription(_) => "setRemoteDescription",
            Self::AddIceCandidate(_) => "addIceCandidate",
            Self::GetStats(_) => "getStats",
            Self::SetDevice(_) => "setDevice",
            Self::Mute(_) => "mute",
            Self::InsertDtmf(_) => "insertDtmf",
            Self::ReplaceTrack(_) => "replaceTrack",
            Self::Close(_) => "close",
        }
    }

    /// The params as JSON.
    pub fn params(&self) -> Value {
        match self {
            Self::Hello(p) => to_value(p),
            Self::GetUserMedia(p) => to_value(p),
            Self::EnumerateDevices => to_value(&Empty {}),
            Self::CreatePeerConnection(p) => to_value(p),
            Self::AddTrack(p) => to_value(p),
            Self::CreateOffer(p) => to_value(p),
            Self::CreateAnswer(p) => to_value(p),
            Self::SetLocalDescription(p) => to_value(p),
            Self::SetRemoteDescription(p) => to_value(p),
            Self::AddIceCandidate(p) => to_value(p),
            Self::GetStats(p) => to_value(p),
            Self::SetDevice(p) => to_value(p),
            Self::Mute(p) => to_value(p),
            Self::InsertDtmf(p) => to_value(p),
            Self::ReplaceTrack(p) => to_value(p),
            Self::Close(p) => to_value(p),
        }
    }
}
