//! Connections (the legs of a contact) and their media info.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{wire_enum::wire_enum, Endpoint, Sensitive, Timestamp};

wire_enum! {
    /// Connection type.
    pub enum ConnectionType {
        /// The agent's own leg.
        Agent = "agent",
        /// An inbound customer leg.
        Inbound = "inbound",
        /// An outbound leg (outbound call, transfer or conference target).
        Outbound = "outbound",
        /// A supervisor monitoring the contact.
        Monitoring = "monitoring",
    }
}

wire_enum! {
    /// Connection state type.
    pub enum ConnectionStateType {
        /// Being set up.
        Init = "init",
        /// Ringing or dialling.
        Connecting = "connecting",
        /// Talking.
        Connected = "connected",
        /// On hold.
        Hold = "hold",
        /// Gone.
        Disconnected = "disconnected",
        /// Supervisor listening.
        SilentMonitor = "silent_monitor",
        /// Supervisor barged in.
        Barge = "barge",
    }
}

impl ConnectionStateType {
    /// Active states: `connecting`, `connected`, `hold`, `silent_monitor`, `barge`.
    ///
    /// ```
    /// # use connect_core::model::ConnectionStateType;
    /// assert!(ConnectionStateType::Hold.is_active());
    /// assert!(!ConnectionStateType::Disconnected.is_active());
    /// ```
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            Self::Connecting | Self::Connected | Self::Hold | Self::SilentMonitor | Self::Barge
        )
    }

    /// "Connected" states: `connected`, `silent_monitor`, `barge`.
    ///
    /// ```
    /// # use connect_core::model::ConnectionStateType;
    /// assert!(ConnectionStateType::Barge.is_connected());
    /// ```
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Connected | Self::SilentMonitor | Self::Barge)
    }
}

/// A connection's state and when it began.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionState {
    /// The state.
    #[serde(rename = "type")]
    pub kind: ConnectionStateType,
    /// When the connection entered it.
    pub timestamp: Timestamp,
}

wire_enum! {
    /// `softphoneMediaInfo.callType`.
    pub enum CallType {
        /// Audio and video.
        AudioVideo = "audio_video",
        /// Video only.
        VideoOnly = "video_only",
        /// Audio only.
        AudioOnly = "audio_only",
        /// No media.
        None = "none",
    }
}

/// Media info of a softphone leg. Tokens and the call configuration are [`Sensitive`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SoftphoneMediaInfo {
    /// Media kind of the call.
    #[serde(default)]
    pub call_type: Option<CallType>,
    /// Whether the softphone answers by itself.
    #[serde(default)]
    pub auto_accept: Option<bool>,
    /// Token of the media leg.
    #[serde(default)]
    pub media_leg_context_token: Option<Sensitive>,
    /// Token of the call.
    #[serde(default)]
    pub call_context_token: Option<Sensitive>,
    /// HTML-escaped JSON with the signaling endpoint and TURN servers; see [`CallConfig`].
    #[serde(default)]
    pub call_config_json: Option<Sensitive>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SoftphoneMediaInfo {
    /// Parses `callConfigJson` (unescaping `&quot;` and friends).
    ///
    /// ```
    /// use connect_core::model::{SoftphoneMediaInfo, Sensitive};
    ///
    /// let info: SoftphoneMediaInfo = serde_json::from_str(r#"{"callConfigJson":
    ///   "{&quot;signalingEndpoint&quot;:&quot;/LilyRTC&quot;,&quot;iceServers&quot;:[],&quot;useWebSocketProvider&quot;:true}"}"#).unwrap();
    /// let config = info.call_config().unwrap().unwrap();
    /// assert_eq!(config.signaling_endpoint.as_deref(), Some("/LilyRTC"));
    /// ```
    pub fn call_config(&self) -> Option<Result<CallConfig, serde_json::Error>> {
        let raw = self.call_config_json.as_ref()?.expose();
        Some(serde_json::from_str(&unescape_html(raw)))
    }
}

/// Undoes the HTML escaping the CCP applies to `callConfigJson`.
fn unescape_html(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The parsed `callConfigJson`: where to signal and which TURN servers to use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallConfig {
    /// `wss://` URL or a relative path such as `/LilyRTC`.
    #[serde(default)]
    pub signaling_endpoint: Option<String>,
    /// TURN servers.
    #[serde(default)]
    pub ice_servers: Vec<IceServer>,
    /// Signal over the CCP WebSocket (`aws/softphone`) rather than directly.
    #[serde(default)]
    pub use_web_socket_provider: Option<bool>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One ICE (TURN) server with its time-limited credentials.
///
/// ```
/// use connect_core::model::IceServer;
/// let s: IceServer = serde_json::from_str(
///     r#"{"urls":["turn:127.0.0.1:3478?transport=udp"],"username":"1767266405:a1","credential":"c2lt"}"#).unwrap();
/// assert!(!format!("{s:?}").contains("c2lt"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IceServer {
    /// `turn:`/`turns:` URLs.
    #[serde(default)]
    pub urls: Vec<String>,
    /// TURN user name (`<expiry>:<id>` for time-limited credentials).
    #[serde(default)]
    pub username: Option<String>,
    /// TURN password.
    #[serde(default)]
    pub credential: Option<Sensitive>,
}

/// Media info of a chat leg.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMediaInfo {
    /// Whether the chat is accepted by itself.
    #[serde(default)]
    pub chat_auto_accept: Option<bool>,
    /// JSON string holding `ConnectionAuthenticationToken`.
    #[serde(default)]
    pub connection_data: Option<Sensitive>,
    /// The customer's display name.
    #[serde(default)]
    pub customer_name: Option<Sensitive>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Who monitors, and since when (`joinTimeStamp`, capital `S`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonitoringInfo {
    /// The monitoring agent.
    #[serde(default)]
    pub agent: Option<Value>,
    /// When monitoring began.
    #[serde(rename = "joinTimeStamp", default)]
    pub join_time_stamp: Option<Timestamp>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One leg of a contact.
///
/// ```
/// use connect_core::model::{Connection, ConnectionType};
/// let c: Connection = serde_json::from_str(r#"{"connectionId":"c1","type":"agent","initial":false,
///   "state":{"type":"connecting","timestamp":1646369082.782},"endpoint":null}"#).unwrap();
/// assert_eq!(c.kind, ConnectionType::Agent);
/// assert!(c.is_active());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Id of the leg.
    pub connection_id: String,
    /// Where the leg goes (`null` for chat customers).
    #[serde(default)]
    pub endpoint: Option<Endpoint>,
    /// The leg's state.
    pub state: ConnectionState,
    /// The leg's type.
    #[serde(rename = "type")]
    pub kind: ConnectionType,
    /// Whether this leg created the contact.
    #[serde(default)]
    pub initial: bool,
    /// Softphone media of the agent's voice leg.
    #[serde(default)]
    pub softphone_media_info: Option<SoftphoneMediaInfo>,
    /// Chat media of a chat leg.
    #[serde(default)]
    pub chat_media_info: Option<ChatMediaInfo>,
    /// Monitoring details.
    #[serde(default)]
    pub monitoring_info: Option<MonitoringInfo>,
    /// Whether the leg is muted.
    #[serde(default)]
    pub mute: Option<bool>,
    /// Whether a supervisor muted the leg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forced_mute: Option<bool>,
    /// Name of the quick connect that created the leg.
    #[serde(default)]
    pub quick_connect_name: Option<String>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Connection {
    /// A leg of `kind` in `state` since `at`, with every optional member absent.
    ///
    /// ```
    /// # use connect_core::model::*;
    /// let c = Connection::new("c1", ConnectionType::Inbound, ConnectionStateType::Connected, Timestamp::from_millis(0));
    /// assert!(c.is_connected());
    /// ```
    pub fn new(
        connection_id: impl Into<String>,
        kind: ConnectionType,
        state: ConnectionStateType,
        at: Timestamp,
    ) -> Self {
        Self {
            connection_id: connection_id.into(),
            endpoint: None,
            state: ConnectionState {
                kind: state,
                timestamp: at,
            },
            kind,
            initial: false,
            softphone_media_info: None,
            chat_media_info: None,
            monitoring_info: None,
            mute: Some(false),
            forced_mute: None,
            quick_connect_name: None,
            extra: Map::new(),
        }
    }

    /// Whether the leg is in an active state.
    pub fn is_active(&self) -> bool {
        self.state.kind.is_active()
    }

    /// Whether the leg is in a "connected" state.
    pub fn is_connected(&self) -> bool {
        self.state.kind.is_connected()
    }

    /// Upstream alias `address` (= `endpoint`).
    pub fn address(&self) -> Option<&Endpoint> {
        self.endpoint.as_ref()
    }
}
