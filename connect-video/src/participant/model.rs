//! The Connect Participant Service wire model (PascalCase JSON, §1), unknown fields kept.

use connect_core::log::parse_iso8601;
use connect_core::model::{Sensitive, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use connect_core::wire_enum;

wire_enum! {
    /// What `CreateParticipantConnection` should return.
    pub enum ConnectionType {
        /// The chat WebSocket URL.
        Websocket = "WEBSOCKET",
        /// The connection token.
        ConnectionCredentials = "CONNECTION_CREDENTIALS",
        /// Meeting join data for an added participant of a WebRTC contact.
        WebrtcConnection = "WEBRTC_CONNECTION",
    }
}

wire_enum! {
    /// `Item.Type`.
    pub enum ItemType {
        /// A message.
        Message = "MESSAGE",
        /// An event (typing, receipts, joins… by content type).
        Event = "EVENT",
        /// An attachment.
        Attachment = "ATTACHMENT",
        /// Connection acknowledgement.
        ConnectionAck = "CONNECTION_ACK",
        /// Typing.
        Typing = "TYPING",
        /// A participant joined.
        ParticipantJoined = "PARTICIPANT_JOINED",
        /// A participant left.
        ParticipantLeft = "PARTICIPANT_LEFT",
        /// The chat ended.
        ChatEnded = "CHAT_ENDED",
        /// A transfer succeeded.
        TransferSucceeded = "TRANSFER_SUCCEEDED",
        /// A transfer failed.
        TransferFailed = "TRANSFER_FAILED",
        /// A delivery receipt.
        MessageDelivered = "MESSAGE_DELIVERED",
        /// A read receipt.
        MessageRead = "MESSAGE_READ",
    }
}

wire_enum! {
    /// `Item.ParticipantRole`.
    pub enum ParticipantRole {
        /// The agent.
        Agent = "AGENT",
        /// The customer.
        Customer = "CUSTOMER",
        /// Connect itself.
        System = "SYSTEM",
        /// A bot.
        CustomBot = "CUSTOM_BOT",
        /// A supervisor.
        Supervisor = "SUPERVISOR",
    }
}

wire_enum! {
    /// `GetTranscript.ScanDirection`.
    pub enum ScanDirection {
        /// Towards newer items.
        Forward = "FORWARD",
        /// Towards older items.
        Backward = "BACKWARD",
    }
}

wire_enum! {
    /// `GetTranscript.SortOrder`.
    pub enum SortOrder {
        /// Oldest first.
        Ascending = "ASCENDING",
        /// Newest first.
        Descending = "DESCENDING",
    }
}

/// `CreateParticipantConnection` request.
///
/// ```
/// use connect_video::participant::{ConnectionType, CreateParticipantConnectionRequest};
///
/// let req = CreateParticipantConnectionRequest::chat();
/// assert_eq!(serde_json::to_string(&req).unwrap(), r#"{"Type":["WEBSOCKET","CONNECTION_CREDENTIALS"]}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateParticipantConnectionRequest {
    /// What to return.
    #[serde(rename = "Type")]
    pub connection_types: Vec<ConnectionType>,
    /// `true` for the agent's acknowledgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_participant: Option<bool>,
}

impl CreateParticipantConnectionRequest {
    /// `WEBSOCKET` and `CONNECTION_CREDENTIALS`, as chat clients ask.
    ///
    /// ```
    /// # use connect_video::participant::CreateParticipantConnectionRequest;
    /// assert_eq!(CreateParticipantConnectionRequest::chat().connection_types.len(), 2);
    /// ```
    pub fn chat() -> Self {
        Self {
            connection_types: vec![
                ConnectionType::Websocket,
                ConnectionType::ConnectionCredentials,
            ],
            connect_participant: None,
        }
    }

    /// The agent's acknowledgement: `CONNECTION_CREDENTIALS` with `ConnectParticipant: true`.
    ///
    /// ```
    /// # use connect_video::participant::CreateParticipantConnectionRequest;
    /// assert_eq!(CreateParticipantConnectionRequest::acknowledge().connect_participant, Some(true));
    /// ```
    pub fn acknowledge() -> Self {
        Self {
            connection_types: vec![ConnectionType::ConnectionCredentials],
            connect_participant: Some(true),
        }
    }
}

/// `Websocket` of a `CreateParticipantConnection` response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebsocketInfo {
    /// The socket URL (it authenticates: sensitive).
    pub url: Sensitive,
    /// ISO-8601 time until which the URL may be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_expiry: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `ConnectionCredentials` of a `CreateParticipantConnection` response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionCredentials {
    /// The connection token (`X-Amz-Bearer` of every other call).
    pub connection_token: Sensitive,
    /// ISO-8601 expiry of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `CreateParticipantConnection` response.
///
/// ```
/// use connect_video::participant::CreateParticipantConnectionResponse;
///
/// let r: CreateParticipantConnectionResponse = serde_json::from_str(
///     r#"{"Websocket":{"Url":"wss://h/c","ConnectionExpiry":"2025-03-01T10:00:00.000Z"},
///        "ConnectionCredentials":{"ConnectionToken":"ct","Expiry":"2025-03-02T09:00:00.000Z"}}"#).unwrap();
/// assert_eq!(r.websocket.unwrap().url.expose(), "wss://h/c");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateParticipantConnectionResponse {
    /// The socket, when `WEBSOCKET` was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket: Option<WebsocketInfo>,
    /// The token, when `CONNECTION_CREDENTIALS` was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_credentials: Option<ConnectionCredentials>,
    /// Meeting join data, when `WEBRTC_CONNECTION` was asked for.
    #[serde(
        rename = "WebRTCConnection",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub web_rtc_connection: Option<Value>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `SendMessage` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageRequest {
    /// `text/plain`, `text/markdown`…
    pub content_type: String,
    /// The message.
    pub content: String,
    /// Idempotency key, reused on retries.
    pub client_token: String,
}

/// `SendMessage` response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageResponse {
    /// The message id.
    pub id: String,
    /// ISO-8601 time the service gave the message.
    pub absolute_time: String,
    /// Receipts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_metadata: Option<MessageMetadata>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `SendEvent` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendEventRequest {
    /// `application/vnd.amazonaws.connect.event.…`
    pub content_type: String,
    /// JSON content (receipts), absent for typing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Idempotency key, reused on retries.
    pub client_token: String,
}

/// `SendEvent` response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendEventResponse {
    /// The event id.
    pub id: String,
    /// ISO-8601 time of the event.
    pub absolute_time: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `DisconnectParticipant` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DisconnectParticipantRequest {
    /// Idempotency key.
    pub client_token: String,
}

/// `GetTranscript.StartPosition`: one of the three.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartPosition {
    /// Start at this item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Start at this ISO-8601 time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absolute_time: Option<String>,
    /// Start this many items from the most recent one (0 = the most recent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub most_recent: Option<u32>,
}

/// `GetTranscript` request.
///
/// ```
/// use connect_video::participant::GetTranscriptRequest;
///
/// let req = GetTranscriptRequest::latest(100);
/// assert_eq!(serde_json::to_string(&req).unwrap(),
///     r#"{"MaxResults":100,"ScanDirection":"BACKWARD","SortOrder":"ASCENDING","StartPosition":{"MostRecent":0}}"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTranscriptRequest {
    /// The contact (defaults to the participant's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Page size (service default 10, at most 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
    /// The page to fetch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Which way to scan from the start position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_direction: Option<ScanDirection>,
    /// How to sort a page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<SortOrder>,
    /// Where to start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_position: Option<StartPosition>,
}

impl GetTranscriptRequest {
    /// The newest `max_results` items, scanning backwards from the most recent one, each page
    /// sorted ascending.
    ///
    /// ```
    /// # use connect_video::participant::GetTranscriptRequest;
    /// assert_eq!(GetTranscriptRequest::latest(5).max_results, Some(5));
    /// ```
    pub fn latest(max_results: u32) -> Self {
        Self {
            max_results: Some(max_results),
            scan_direction: Some(ScanDirection::Backward),
            sort_order: Some(SortOrder::Ascending),
            start_position: Some(StartPosition {
                most_recent: Some(0),
                ..StartPosition::default()
            }),
            ..Self::default()
        }
    }
}

/// `GetTranscript` response.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTranscriptResponse {
    /// The first contact of the chat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_contact_id: Option<String>,
    /// The items of this page.
    #[serde(default)]
    pub transcript: Vec<Item>,
    /// The next page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A read or delivery receipt.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Receipt {
    /// When it was delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_timestamp: Option<String>,
    /// When it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_timestamp: Option<String>,
    /// By whom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_participant_id: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `MessageMetadata`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageMetadata {
    /// The message the receipts are about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Receipts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipts: Option<Vec<Receipt>>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One transcript item: a message or an event, as GetTranscript returns it and as `aws/chat`
/// frames carry it.
///
/// ```
/// use connect_video::participant::{Item, ItemType, ParticipantRole};
///
/// let item: Item = serde_json::from_str(r#"{"Id":"m-17","Type":"MESSAGE","ContentType":"text/plain",
///     "Content":"Hi","ParticipantRole":"AGENT","AbsoluteTime":"2025-03-01T09:00:00.000Z","New":1}"#).unwrap();
/// assert_eq!(item.kind, Some(ItemType::Message));
/// assert_eq!(item.participant_role, Some(ParticipantRole::Agent));
/// assert_eq!(item.time().unwrap().as_millis(), 1_740_819_600_000);
/// assert!(serde_json::to_string(&item).unwrap().contains(r#""New":1"#));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Item {
    /// Unique id (the de-duplication key).
    pub id: String,
    /// ISO-8601 time (the ordering key).
    pub absolute_time: String,
    /// Message or event kind.
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ItemType>,
    /// Content type (`text/plain`, `application/vnd.amazonaws.connect.event.typing`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Who sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<String>,
    /// The sender's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The sender's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_role: Option<ParticipantRole>,
    /// Attachments (not modelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Value>>,
    /// Receipts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_metadata: Option<MessageMetadata>,
    /// The contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// The related contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_contact_id: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Item {
    /// `AbsoluteTime` parsed, when it is valid ISO-8601.
    ///
    /// ```
    /// # use connect_video::participant::Item;
    /// let mut item = Item::new("i", "2025-03-01T09:00:00.250Z");
    /// assert_eq!(item.time().unwrap().as_millis() % 1000, 250);
    /// item.absolute_time = "soon".into();
    /// assert!(item.time().is_none());
    /// ```
    pub fn time(&self) -> Option<Timestamp> {
        parse_iso8601(&self.absolute_time)
    }

    /// The ordering key: time (unparsable times first), then id.
    ///
    /// ```
    /// # use connect_video::participant::Item;
    /// let a = Item::new("b", "2025-03-01T09:00:00.000Z");
    /// let b = Item::new("a", "2025-03-01T09:00:01.000Z");
    /// assert!(a.order_key() < b.order_key());
    /// ```
    pub fn order_key(&self) -> (i64, &str) {
        (
            self.time().map_or(i64::MIN, Timestamp::as_millis),
            self.id.as_str(),
        )
    }

    /// An item with only its id and time (tests and simulators fill in the rest).
    ///
    /// ```
    /// # use connect_video::participant::Item;
    /// assert_eq!(Item::new("x", "t").id, "x");
    /// ```
    pub fn new(id: impl Into<String>, absolute_time: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            absolute_time: absolute_time.into(),
            kind: None,
            content_type: None,
            content: None,
            participant_id: None,
            display_name: None,
            participant_role: None,
            attachments: None,
            message_metadata: None,
            contact_id: None,
            related_contact_id: None,
            extra: Map::new(),
        }
    }
}

/// Parses an optional ISO-8601 expiry.
pub(crate) fn parse_expiry(text: Option<&str>) -> Option<Timestamp> {
    text.and_then(parse_iso8601)
}
