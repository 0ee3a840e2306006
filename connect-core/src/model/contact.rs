//! Contacts: voice, queued callback, chat, task and email.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{wire_enum::wire_enum, Connection, ConnectionType, Endpoint, Queue, Timestamp};

wire_enum! {
    /// Contact channel type.
    pub enum ContactType {
        /// A phone call.
        Voice = "voice",
        /// A queued callback.
        QueueCallback = "queue_callback",
        /// A chat.
        Chat = "chat",
        /// A task.
        Task = "task",
        /// An e-mail.
        Email = "email",
    }
}

impl ContactType {
    /// Voice-like contacts: `voice` and `queue_callback`.
    ///
    /// ```
    /// # use connect_core::model::ContactType;
    /// assert!(ContactType::QueueCallback.is_voice_like());
    /// assert!(!ContactType::Chat.is_voice_like());
    /// ```
    pub fn is_voice_like(&self) -> bool {
        matches!(self, Self::Voice | Self::QueueCallback)
    }
}

wire_enum! {
    /// Contact state type.
    pub enum ContactStateType {
        /// Being created.
        Init = "init",
        /// A queued callback is offered.
        Incoming = "incoming",
        /// Pending.
        Pending = "pending",
        /// Ringing (voice, chat) or dialling.
        Connecting = "connecting",
        /// Live.
        Connected = "connected",
        /// Not answered in time.
        Missed = "missed",
        /// Failed.
        Error = "error",
        /// Finished; the agent is in after-contact work until it is cleared.
        Ended = "ended",
        /// Declined by the agent.
        Rejected = "rejected",
        /// A paused task.
        Paused = "paused",
    }
}

impl ContactStateType {
    /// `CONTACT_ACTIVE_STATES`: `paused`, `incoming`, `pending`, `connecting`, `connected`.
    ///
    /// ```
    /// # use connect_core::model::ContactStateType;
    /// assert!(ContactStateType::Paused.is_active());
    /// assert!(!ContactStateType::Ended.is_active());
    /// ```
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            Self::Paused | Self::Incoming | Self::Pending | Self::Connecting | Self::Connected
        )
    }
}

/// A contact's state and when it began.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactState {
    /// The state.
    #[serde(rename = "type")]
    pub kind: ContactStateType,
    /// When the contact entered it.
    pub timestamp: Timestamp,
}

wire_enum! {
    /// How the contact began.
    pub enum InitiationMethod {
        /// Inbound call or chat.
        Inbound = "inbound",
        /// Outbound call.
        Outbound = "outbound",
        /// Transfer.
        Transfer = "transfer",
        /// Queue transfer.
        QueueTransfer = "queue_transfer",
        /// Callback.
        Callback = "callback",
        /// Started by an API call.
        Api = "api",
        /// Disconnect flow.
        Disconnect = "disconnect",
        /// WebRTC API.
        WebrtcApi = "webrtc_api",
        /// Agent reply.
        AgentReply = "agent_reply",
        /// Outbound campaign preview.
        CampaignPreview = "campaign_preview",
        /// External outbound.
        ExternalOutbound = "external_outbound",
        /// Monitoring.
        Monitor = "monitor",
        /// Flow.
        Flow = "flow",
        /// Callback, customer first, queued.
        CallbackCustomerFirstQueued = "callback_customer_first_queued",
        /// Callback, customer first, dialled.
        CallbackCustomerFirstDialed = "callback_customer_first_dialed",
    }
}

/// A contact attribute: `{name, value}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    /// Attribute name.
    pub name: String,
    /// Attribute value.
    #[serde(default)]
    pub value: Option<String>,
}

/// A task reference (URL, attachment, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
    /// The referenced value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Reference type (`URL`, `ATTACHMENT`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// ARN of an attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Reason of the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
}

/// Contact features (attachments, markdown, conference, screen recording).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactFeatures {
    /// Chat attachments allowed.
    #[serde(default)]
    pub attachments_enabled: Option<bool>,
    /// Markdown in chat allowed.
    #[serde(default)]
    pub messaging_markdown_enabled: Option<bool>,
    /// Multi-party conference allowed.
    #[serde(default)]
    pub multi_party_conference_enabled: Option<bool>,
    /// Fields this SDK does not model (screen recording), kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Task channel context.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelContext {
    /// Scheduled time (epoch).
    #[serde(default)]
    pub scheduled_time: Option<i64>,
    /// Task template id.
    #[serde(default)]
    pub task_template_id: Option<String>,
    /// Task template version.
    #[serde(default)]
    pub task_template_version: Option<i64>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A contact in an agent snapshot.
///
/// ```
/// use connect_core::model::{AgentSnapshot, ContactType};
///
/// let fixture = include_str!("../../../../shared/fixtures/streams-sample-snapshots.json");
/// let all: serde_json::Map<String, serde_json::Value> = serde_json::from_str(fixture).unwrap();
/// let snap: AgentSnapshot = serde_json::from_value(all["inboundVoiceContactSoftphone"].clone()).unwrap();
/// let contact = &snap.contacts[0];
/// assert_eq!(contact.kind, ContactType::Voice);
/// assert!(contact.is_inbound());
/// assert!(contact.agent_connection().is_some());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// Contact id.
    pub contact_id: String,
    /// Id of the first contact in a transfer chain.
    #[serde(default)]
    pub initial_contact_id: Option<String>,
    /// Related contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_contact_id: Option<String>,
    /// Association id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_association_id: Option<String>,
    /// Channel.
    #[serde(rename = "type")]
    pub kind: ContactType,
    /// State.
    pub state: ContactState,
    /// Queue the contact came through (absent for monitoring contacts).
    #[serde(default)]
    pub queue: Option<Queue>,
    /// When the contact was enqueued.
    #[serde(default)]
    pub queue_timestamp: Option<Timestamp>,
    /// The contact's legs.
    #[serde(default)]
    pub connections: Vec<Connection>,
    /// Contact attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, Attribute>,
    /// Duration as a string (e.g. `"0"`).
    #[serde(default)]
    pub contact_duration: Option<String>,
    /// Task name.
    #[serde(default)]
    pub name: Option<String>,
    /// Task description.
    #[serde(default)]
    pub description: Option<String>,
    /// How the contact began (often `null` for voice).
    #[serde(default)]
    pub initiation_method: Option<InitiationMethod>,
    /// Task references.
    #[serde(default)]
    pub references: Option<BTreeMap<String, Reference>>,
    /// Features.
    #[serde(default)]
    pub contact_features: Option<ContactFeatures>,
    /// Task channel context.
    #[serde(default)]
    pub channel_context: Option<ChannelContext>,
    /// Segment attributes (`connect:Subtype`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_attributes: Option<Map<String, Value>>,
    /// The customer's endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_endpoint: Option<Endpoint>,
    /// The Connect system endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_system_endpoint: Option<Endpoint>,
    /// Language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    /// Hosted-only per-contact handling (`{autoAccept}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_contact_handling_config: Option<Map<String, Value>>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Contact {
    /// A contact with no connections and every optional member absent.
    ///
    /// ```
    /// # use connect_core::model::*;
    /// let c = Contact::new("c1", ContactType::Task, ContactStateType::Connected, Timestamp::from_millis(0));
    /// assert!(c.is_active());
    /// ```
    pub fn new(
        contact_id: impl Into<String>,
        kind: ContactType,
        state: ContactStateType,
        at: Timestamp,
    ) -> Self {
        let contact_id = contact_id.into();
        Self {
            initial_contact_id: Some(contact_id.clone()),
            contact_id,
            related_contact_id: None,
            contact_association_id: None,
            kind,
            state: ContactState {
                kind: state,
                timestamp: at,
            },
            queue: None,
            queue_timestamp: None,
            connections: Vec::new(),
            attributes: BTreeMap::new(),
            contact_duration: Some("0".to_owned()),
            name: None,
            description: None,
            initiation_method: None,
            references: None,
            contact_features: None,
            channel_context: None,
            segment_attributes: None,
            customer_endpoint: None,
            connect_system_endpoint: None,
            language_code: None,
            agent_contact_handling_config: None,
            extra: Map::new(),
        }
    }

    /// Whether the contact is in an active state.
    pub fn is_active(&self) -> bool {
        self.state.kind.is_active()
    }

    /// Upstream alias `status` (= `state`).
    pub fn status(&self) -> &ContactState {
        &self.state
    }

    /// The first connection of type `agent` or `monitoring`.
    pub fn agent_connection(&self) -> Option<&Connection> {
        self.connections
            .iter()
            .find(|c| matches!(c.kind, ConnectionType::Agent | ConnectionType::Monitoring))
    }

    /// The connection with `initial: true`, if any.
    pub fn initial_connection(&self) -> Option<&Connection> {
        self.connections.iter().find(|c| c.initial)
    }

    /// Connections that are neither initial nor of type `agent`.
    pub fn third_party_connections(&self) -> Vec<&Connection> {
        self.connections
            .iter()
            .filter(|c| !c.initial && c.kind != ConnectionType::Agent)
            .collect()
    }

    /// The inbound test: for voice/callback the initial connection is `inbound`; for task,
    /// email and campaign previews `initiationMethod != outbound`; other channels are inbound.
    pub fn is_inbound(&self) -> bool {
        let campaign = matches!(
            self.initiation_method,
            Some(InitiationMethod::CampaignPreview)
        );
        if self.kind.is_voice_like() && !campaign {
            return self
                .initial_connection()
                .is_some_and(|c| c.kind == ConnectionType::Inbound);
        }
        !matches!(self.initiation_method, Some(InitiationMethod::Outbound))
    }

    /// Auto-accept: `agentContactHandlingConfig.autoAccept` when present, else for voice the
    /// agent connection's `softphoneMediaInfo.autoAccept`, else false.
    pub fn is_auto_accept(&self) -> bool {
        if let Some(flag) = self
            .agent_contact_handling_config
            .as_ref()
            .and_then(|c| c.get("autoAccept"))
            .and_then(Value::as_bool)
        {
            return flag;
        }
        self.kind == ContactType::Voice
            && self
                .agent_connection()
                .and_then(|c| c.softphone_media_info.as_ref())
                .and_then(|m| m.auto_accept)
                .unwrap_or(false)
    }

    /// How long the contact has been in its state: `now_local − state.timestamp + skew`.
    ///
    /// ```
    /// # use connect_core::model::*;
    /// let c = Contact::new("c1", ContactType::Chat, ContactStateType::Connected, Timestamp::from_millis(1_000));
    /// assert_eq!(c.state_duration_millis(Timestamp::from_millis(1_500), -100), 400);
    /// ```
    pub fn state_duration_millis(&self, now_local: Timestamp, skew_millis: i64) -> i64 {
        now_local.millis_since(self.state.timestamp) + skew_millis
    }

    /// The connection with this id.
    pub fn connection(&self, connection_id: &str) -> Option<&Connection> {
        self.connections
            .iter()
            .find(|c| c.connection_id == connection_id)
    }
}
