//! Agent configuration, routing profile and channel concurrency.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{wire_enum::wire_enum, AgentState, Queue};

wire_enum! {
    /// A channel of the routing profile's concurrency map.
    pub enum Channel {
        /// Voice.
        Voice = "VOICE",
        /// Chat.
        Chat = "CHAT",
        /// Task.
        Task = "TASK",
        /// E-mail.
        Email = "EMAIL",
    }
}

/// Agent permissions known to the CCP (`AgentPermissions`).
pub mod permissions {
    /// May place outbound calls.
    pub const OUTBOUND_CALL: &str = "outboundCall";
    /// Voice ID.
    pub const VOICE_ID: &str = "voiceId";
}

/// The agent's routing profile.
///
/// ```
/// use connect_core::model::{Channel, RoutingProfile};
///
/// let rp: RoutingProfile = serde_json::from_str(r#"{"name":"Basic","routingProfileARN":"arn:rp"}"#).unwrap();
/// assert_eq!(rp.channel_concurrency(&Channel::Voice), 1);
/// assert_eq!(rp.channel_concurrency(&Channel::Task), 0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingProfile {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// ARN.
    #[serde(rename = "routingProfileARN", default)]
    pub routing_profile_arn: Option<String>,
    /// Queue for outbound calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_outbound_queue: Option<Queue>,
    /// Channel → maximum concurrent contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_concurrency_map: Option<BTreeMap<String, i64>>,
    /// Queues of the profile (from `getRoutingProfileQueues`, merged by the session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queues: Option<Vec<Queue>>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl RoutingProfile {
    /// `channelConcurrencyMap[channel]`, 0 when the key is missing; with no map at all,
    /// `VOICE: 1, CHAT: 1` and 0 for the rest.
    pub fn channel_concurrency(&self, channel: &Channel) -> i64 {
        match &self.channel_concurrency_map {
            Some(map) => map.get(channel.as_str()).copied().unwrap_or(0),
            None => i64::from(matches!(channel, Channel::Voice | Channel::Chat)),
        }
    }

    /// Upstream alias `routingProfileId` (= `routingProfileARN`).
    pub fn routing_profile_id(&self) -> Option<&str> {
        self.routing_profile_arn.as_deref()
    }
}

/// `GetAgentConfiguration.configuration`, plus the four lists the session merges into it.
///
/// ```
/// use connect_core::model::AgentConfiguration;
///
/// let json = r#"{"name":"Jane","agentARN":"arn:aws:connect:us-east-1:111122223333:instance/i-1/agent/a-1",
///   "softphoneEnabled":true,"softphoneAutoAccept":false,"extension":null,
///   "routingProfile":{"name":"Basic","routingProfileARN":"arn:aws:connect:us-east-1:111122223333:instance/i-1/routing-profile/rp",
///     "queues":[{"queueARN":"arn:aws:connect:us-east-1:111122223333:instance/i-1/queue/agent/a-1","name":null}]}}"#;
/// let config: AgentConfiguration = serde_json::from_str(json).unwrap();
/// assert_eq!(config.agent_id().as_deref(), Some("a-1"));
/// assert_eq!(config.instance_id().as_deref(), Some("i-1"));
/// assert_eq!(config.region().as_deref(), Some("us-east-1"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentConfiguration {
    /// Display name.
    pub name: String,
    /// Login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The agent's ARN.
    #[serde(rename = "agentARN", default, skip_serializing_if = "Option::is_none")]
    pub agent_arn: Option<String>,
    /// Softphone (true) or deskphone (false).
    pub softphone_enabled: bool,
    /// Deprecated global auto-accept.
    #[serde(default)]
    pub softphone_auto_accept: bool,
    /// Deskphone number.
    #[serde(default)]
    pub extension: Option<String>,
    /// Routing profile.
    pub routing_profile: RoutingProfile,
    /// Preferences (`LANGUAGE` from the service, `locale` on update).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_preferences: Option<BTreeMap<String, String>>,
    /// Selectable states (from `getAgentStates`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_states: Option<Vec<AgentState>>,
    /// Permissions (from `getAgentPermissions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    /// Dialable country codes (from `getDialableCountryCodes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialable_countries: Option<Vec<String>>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AgentConfiguration {
    /// The agent id, from the first routing-profile queue ARN containing `/agent/<id>`.
    pub fn agent_id(&self) -> Option<String> {
        self.routing_profile
            .queues
            .iter()
            .flatten()
            .filter_map(|q| q.queue_arn.as_deref())
            .find_map(|arn| arn.split_once("/agent/").map(|(_, id)| id.to_owned()))
    }

    /// The instance id, from `routingProfileARN` (`instance/<id>/`).
    pub fn instance_id(&self) -> Option<String> {
        let arn = self.routing_profile.routing_profile_arn.as_deref()?;
        let (_, rest) = arn.split_once("instance/")?;
        Some(rest.split('/').next().unwrap_or(rest).to_owned())
    }

    /// The account, from `routingProfileARN` (`:<account>:instance`).
    pub fn account(&self) -> Option<String> {
        let arn = self.routing_profile.routing_profile_arn.as_deref()?;
        arn.split(':').nth(4).map(str::to_owned)
    }

    /// The region, from `agentARN`.
    pub fn region(&self) -> Option<String> {
        let arn = self.agent_arn.as_deref()?;
        arn.split(':').nth(3).map(str::to_owned)
    }

    /// Whether the agent has this permission (see [`permissions`]).
    pub fn has_permission(&self, permission: &str) -> bool {
        self.permissions
            .iter()
            .flatten()
            .any(|p| p.as_str() == permission)
    }
}
