//! The agent: snapshot long-poll, state, configuration (methods 1, 2, 7, 8).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::request::{cti_request, require};
use crate::api::Empty;
use crate::model::{AgentConfiguration, AgentSnapshot, AgentState};

/// `getAgentSnapshot{nextToken, timeout}`: the long-poll (§4.1).
///
/// ```
/// use std::time::Duration;
/// use connect_core::api::{CtiRequest, GetAgentSnapshotRequest};
///
/// let first = GetAgentSnapshotRequest::default();
/// assert!(first.to_body().unwrap().is_empty());
///
/// let next = GetAgentSnapshotRequest::long_poll(Some("tok-1".into()), Duration::from_secs(30));
/// let body = serde_json::Value::Object(next.to_body().unwrap());
/// assert_eq!(body, serde_json::json!({"nextToken": "tok-1", "timeout": 30000}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetAgentSnapshotRequest {
    /// The token of the snapshot the caller holds; `None` answers at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// How long the server may hold the request, in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
}

impl GetAgentSnapshotRequest {
    /// A long-poll from `next_token`, held by the server for at most `timeout`.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::api::GetAgentSnapshotRequest;
    /// let req = GetAgentSnapshotRequest::long_poll(None, Duration::from_millis(30_000));
    /// assert_eq!(req.timeout, Some(30_000));
    /// ```
    pub fn long_poll(next_token: Option<String>, timeout: Duration) -> Self {
        Self {
            next_token,
            timeout: Some(i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX)),
        }
    }
}

/// `{snapshot, nextToken}`.
///
/// ```
/// use connect_core::api::{CtiRequest, GetAgentSnapshotRequest};
///
/// let body = br#"{"snapshot":{"state":{"agentStateARN":null,"type":"routable","name":"Available"},
///   "contacts":[],"snapshotTimestamp":1646368813.952},"nextToken":"n-2"}"#;
/// let r = GetAgentSnapshotRequest::parse_response(body).unwrap();
/// assert_eq!(r.next_token, "n-2");
/// assert_eq!(r.snapshot.state.name, "Available");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetAgentSnapshotResponse {
    /// The full current snapshot.
    pub snapshot: AgentSnapshot,
    /// The token identifying it, for the next long-poll.
    pub next_token: String,
    /// Members this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl GetAgentSnapshotResponse {
    /// A response carrying `snapshot` under `next_token`.
    ///
    /// ```
    /// # use connect_core::api::GetAgentSnapshotResponse;
    /// # use connect_core::model::*;
    /// let snap = AgentSnapshot::empty(AgentState::new(AgentStateType::Offline, "Offline"), Timestamp::from_millis(0));
    /// assert_eq!(GetAgentSnapshotResponse::new(snap, "t").next_token, "t");
    /// ```
    pub fn new(snapshot: AgentSnapshot, next_token: impl Into<String>) -> Self {
        Self {
            snapshot,
            next_token: next_token.into(),
            extra: Map::new(),
        }
    }
}

cti_request!(GetAgentSnapshotRequest => GetAgentSnapshot, GetAgentSnapshotResponse);

/// `putAgentState{state, enqueueNextState}`.
///
/// ```
/// use connect_core::api::{CtiRequest, PutAgentStateRequest};
/// use connect_core::model::{AgentState, AgentStateType};
///
/// let mut state = AgentState::new(AgentStateType::Routable, "Available");
/// state.agent_state_arn = Some("arn:s".into());
/// let body = serde_json::Value::Object(PutAgentStateRequest::enqueue(state).to_body().unwrap());
/// assert_eq!(body, serde_json::json!({
///     "state": {"agentStateARN": "arn:s", "type": "routable", "name": "Available"},
///     "enqueueNextState": true,
/// }));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutAgentStateRequest {
    /// The state to enter (one of `getAgentStates`).
    pub state: AgentState,
    /// Enqueue the state until current work ends instead of entering it now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enqueue_next_state: Option<bool>,
}

impl PutAgentStateRequest {
    /// Enter `state` now.
    ///
    /// ```
    /// # use connect_core::api::PutAgentStateRequest;
    /// # use connect_core::model::{AgentState, AgentStateType};
    /// let req = PutAgentStateRequest::new(AgentState::new(AgentStateType::Offline, "Offline"));
    /// assert_eq!(req.enqueue_next_state, None);
    /// ```
    pub fn new(state: AgentState) -> Self {
        Self {
            state,
            enqueue_next_state: None,
        }
    }

    /// Enter `state` when current work ends (`enqueueNextState: true`).
    ///
    /// ```
    /// # use connect_core::api::PutAgentStateRequest;
    /// # use connect_core::model::{AgentState, AgentStateType};
    /// let req = PutAgentStateRequest::enqueue(AgentState::new(AgentStateType::Offline, "Offline"));
    /// assert_eq!(req.enqueue_next_state, Some(true));
    /// ```
    pub fn enqueue(state: AgentState) -> Self {
        Self {
            state,
            enqueue_next_state: Some(true),
        }
    }
}

cti_request!(PutAgentStateRequest => PutAgentState, Empty, |r| require("state.name", &r.state.name));

/// `getAgentConfiguration{}`.
///
/// ```
/// use connect_core::api::{CtiRequest, GetAgentConfigurationRequest};
///
/// assert!(GetAgentConfigurationRequest {}.to_body().unwrap().is_empty());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetAgentConfigurationRequest {}

/// `{configuration}` (§3.7), without the four merged lists.
///
/// ```
/// use connect_core::api::{CtiRequest, GetAgentConfigurationRequest};
///
/// let body = br#"{"configuration":{"name":"Jane","softphoneEnabled":true,"softphoneAutoAccept":false,
///   "extension":null,"routingProfile":{"name":"Basic","routingProfileARN":"arn:rp"}}}"#;
/// let r = GetAgentConfigurationRequest::parse_response(body).unwrap();
/// assert_eq!(r.configuration.name, "Jane");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetAgentConfigurationResponse {
    /// The configuration.
    pub configuration: AgentConfiguration,
    /// Members this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl GetAgentConfigurationResponse {
    /// A response carrying `configuration`.
    ///
    /// ```
    /// # use connect_core::api::GetAgentConfigurationResponse;
    /// # use connect_core::model::AgentConfiguration;
    /// let c: AgentConfiguration = serde_json::from_str(
    ///     r#"{"name":"J","softphoneEnabled":true,"routingProfile":{}}"#).unwrap();
    /// assert_eq!(GetAgentConfigurationResponse::new(c).configuration.name, "J");
    /// ```
    pub fn new(configuration: AgentConfiguration) -> Self {
        Self {
            configuration,
            extra: Map::new(),
        }
    }
}

cti_request!(GetAgentConfigurationRequest => GetAgentConfiguration, GetAgentConfigurationResponse);

/// `updateAgentConfiguration{configuration}`.
///
/// [`UpdateAgentConfigurationRequest::new`] sends what upstream sends: `name`,
/// `softphoneEnabled`, `softphoneAutoAccept`, `extension`, `routingProfile{name,
/// routingProfileARN, defaultOutboundQueue}`, `agentPreferences` (with `locale` copied from
/// `LANGUAGE` when missing) and `voiceEnhancementMode`; build the struct directly to send more.
///
/// ```
/// use connect_core::api::{CtiRequest, UpdateAgentConfigurationRequest};
/// use connect_core::model::AgentConfiguration;
///
/// let config: AgentConfiguration = serde_json::from_str(r#"{"name":"Jane","username":"jane",
///   "softphoneEnabled":false,"softphoneAutoAccept":false,"extension":"+15555550100",
///   "routingProfile":{"name":"Basic","routingProfileARN":"arn:rp","queues":[]},
///   "agentPreferences":{"LANGUAGE":"en_US"},"permissions":["outboundCall"]}"#).unwrap();
/// let body = serde_json::Value::Object(UpdateAgentConfigurationRequest::new(&config).to_body().unwrap());
/// assert_eq!(body, serde_json::json!({"configuration": {
///     "name": "Jane", "softphoneEnabled": false, "softphoneAutoAccept": false,
///     "extension": "+15555550100",
///     "routingProfile": {"name": "Basic", "routingProfileARN": "arn:rp"},
///     "agentPreferences": {"LANGUAGE": "en_US", "locale": "en_US"},
/// }}));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateAgentConfigurationRequest {
    /// The configuration to store.
    pub configuration: AgentConfiguration,
}

impl UpdateAgentConfigurationRequest {
    /// The update upstream sends for `config` (see the type's documentation).
    ///
    /// ```
    /// # use connect_core::api::UpdateAgentConfigurationRequest;
    /// # use connect_core::model::AgentConfiguration;
    /// let c: AgentConfiguration = serde_json::from_str(
    ///     r#"{"name":"J","softphoneEnabled":true,"routingProfile":{},"agentStates":[]}"#).unwrap();
    /// assert!(UpdateAgentConfigurationRequest::new(&c).configuration.agent_states.is_none());
    /// ```
    pub fn new(config: &AgentConfiguration) -> Self {
        let mut c = config.clone();
        c.username = None;
        c.agent_arn = None;
        c.agent_states = None;
        c.permissions = None;
        c.dialable_countries = None;
        c.routing_profile.queues = None;
        c.routing_profile.channel_concurrency_map = None;
        c.routing_profile.extra.clear();
        let voice_enhancement = c.extra.remove("voiceEnhancementMode");
        c.extra.clear();
        if let Some(mode) = voice_enhancement {
            c.extra.insert("voiceEnhancementMode".into(), mode);
        }
        if let Some(prefs) = c.agent_preferences.as_mut() {
            if !prefs.contains_key("locale") {
                if let Some(language) = prefs.get("LANGUAGE").cloned() {
                    prefs.insert("locale".into(), language);
                }
            }
        }
        Self { configuration: c }
    }
}

cti_request!(UpdateAgentConfigurationRequest => UpdateAgentConfiguration, Empty, |r| {
    require("configuration.name", &r.configuration.name)
});
