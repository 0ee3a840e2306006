//! `createTransport` request types and responses.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{wire_enum::wire_enum, IceServer, Sensitive};

wire_enum! {
    /// `transportType` of `createTransport`.
    pub enum TransportType {
        /// The CCP WebSocket.
        WebSocket = "web_socket",
        /// Softphone TURN credentials.
        Softphone = "softphone",
        /// A chat participant token.
        ChatToken = "chat_token",
        /// A video meeting.
        WebRtc = "web_rtc",
        /// The Global Resiliency discovery URL.
        AgentDiscovery = "agent_discovery",
    }
}

/// `webSocketTransport`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebSocketTransport {
    /// `wss://` URL (a ticket inside: treated as sensitive).
    pub url: Sensitive,
    /// Lifetime of a socket before rotation.
    pub transport_life_time_in_seconds: i64,
    /// Opaque expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<String>,
}

/// `softphoneTransport`: TURN servers for the softphone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SoftphoneTransport {
    /// TURN servers with time-limited credentials.
    pub softphone_media_connections: Vec<IceServer>,
}

/// `chatTokenTransport`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatTokenTransport {
    /// The participant token.
    pub participant_token: Sensitive,
    /// Opaque expiry.
    pub expiry: String,
}

/// Chime-style media placement of a meeting.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaPlacement {
    /// Audio host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_host_url: Option<String>,
    /// Audio fallback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_fallback_url: Option<String>,
    /// Signaling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signaling_url: Option<String>,
    /// TURN control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_control_url: Option<String>,
    /// Event ingestion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_ingestion_url: Option<String>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A meeting as `createTransport web_rtc` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meeting {
    /// Meeting id.
    pub meeting_id: String,
    /// Media region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_region: Option<String>,
    /// Media URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_placement: Option<MediaPlacement>,
    /// Features (`audio.echoReduction`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_features: Option<Value>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A meeting attendee with its join token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    /// Attendee id.
    pub attendee_id: String,
    /// Join token.
    pub join_token: Sensitive,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `webRTCTransport`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebRtcTransport {
    /// The meeting.
    pub meeting: Meeting,
    /// The agent's attendee.
    pub attendee: Attendee,
}

/// `agentDiscoveryTransport`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentDiscoveryTransport {
    /// Presigned URL of the active-region document.
    pub presigned_url: Sensitive,
}

/// `CreateTransport` response: exactly one member is set, matching the requested type.
///
/// ```
/// use connect_core::model::CreateTransportResponse;
///
/// let json = r#"{"softphoneTransport":{"softphoneMediaConnections":[{"username":"1767266405:a1",
///   "credential":"pX3v9Qm1Tz0sWb7yKc2nLh8fRd4=","urls":["turn:127.0.0.1:3478?transport=udp"]}]}}"#;
/// let r: CreateTransportResponse = serde_json::from_str(json).unwrap();
/// let turn = &r.softphone_transport.as_ref().unwrap().softphone_media_connections[0];
/// assert_eq!(turn.urls.len(), 1);
/// assert!(!format!("{r:?}").contains("pX3v9"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTransportResponse {
    /// For `web_socket`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_socket_transport: Option<WebSocketTransport>,
    /// For `softphone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub softphone_transport: Option<SoftphoneTransport>,
    /// For `chat_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_token_transport: Option<ChatTokenTransport>,
    /// For `web_rtc`.
    #[serde(
        rename = "webRTCTransport",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub web_rtc_transport: Option<WebRtcTransport>,
    /// For `agent_discovery`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_discovery_transport: Option<AgentDiscoveryTransport>,
}
