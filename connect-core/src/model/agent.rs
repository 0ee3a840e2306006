//! The agent snapshot and agent states (`GetAgentSnapshot.snapshot`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{wire_enum::wire_enum, Contact, Timestamp};

wire_enum! {
    /// `AgentStateType`: what kind of state the agent is in.
    pub enum AgentStateType {
        /// Client-only, before the first snapshot.
        Init = "init",
        /// Offered contacts.
        Routable = "routable",
        /// Not offered contacts.
        NotRoutable = "not_routable",
        /// Logged off.
        Offline = "offline",
        /// A system state such as `PendingBusy` or `AfterCallWork`.
        System = "system",
        /// An error state such as `MissedCallAgent`.
        Error = "error",
    }
}

/// An agent state: the selectable states from `getAgentStates` and the effective state of a
/// snapshot (which may be a system state with no ARN).
///
/// ```
/// use connect_core::model::{AgentState, AgentStateType};
///
/// let state: AgentState = serde_json::from_str(
///     r#"{"agentStateARN":null,"type":"system","name":"PendingBusy","startTimestamp":1646368813.952}"#,
/// ).unwrap();
/// assert_eq!(state.kind, AgentStateType::System);
/// assert!(!state.is_error());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentState {
    /// ARN of a user-defined state; `null` for system states.
    #[serde(rename = "agentStateARN", default)]
    pub agent_state_arn: Option<String>,
    /// The state's type.
    #[serde(rename = "type")]
    pub kind: AgentStateType,
    /// The state's name (`Available`, `PendingBusy`, `MissedCallAgent`, ...).
    pub name: String,
    /// When the agent entered the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_timestamp: Option<Timestamp>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AgentState {
    /// A state with the given type and name and no ARN.
    ///
    /// ```
    /// # use connect_core::model::{AgentState, AgentStateType};
    /// let s = AgentState::new(AgentStateType::Routable, "Available");
    /// assert_eq!(s.name, "Available");
    /// ```
    pub fn new(kind: AgentStateType, name: impl Into<String>) -> Self {
        Self {
            agent_state_arn: None,
            kind,
            name: name.into(),
            start_timestamp: None,
            extra: Map::new(),
        }
    }

    /// True when the name is one of `AgentErrorStates` (the state type is then `error`).
    ///
    /// ```
    /// # use connect_core::model::{AgentState, AgentStateType};
    /// assert!(AgentState::new(AgentStateType::Error, "MissedCallAgent").is_error());
    /// ```
    pub fn is_error(&self) -> bool {
        self.kind == AgentStateType::Error || AGENT_ERROR_STATES.contains(&self.name.as_str())
    }

    /// True for the voice after-contact-work state `AfterCallWork`.
    ///
    /// ```
    /// # use connect_core::model::{AgentState, AgentStateType};
    /// assert!(AgentState::new(AgentStateType::NotRoutable, "AfterCallWork").is_after_call_work());
    /// ```
    pub fn is_after_call_work(&self) -> bool {
        self.name == agent_avail_states::AFTER_CALL_WORK
    }
}

/// Names of the system and pseudo states (`AgentAvailStates`).
pub mod agent_avail_states {
    /// Before the first snapshot.
    pub const INIT: &str = "Init";
    /// On a voice contact.
    pub const BUSY: &str = "Busy";
    /// Voice after-contact work.
    pub const AFTER_CALL_WORK: &str = "AfterCallWork";
    /// Dialling an outbound call.
    pub const CALLING_CUSTOMER: &str = "CallingCustomer";
    /// Dialling.
    pub const DIALING: &str = "Dialing";
    /// Joining a contact.
    pub const JOINING: &str = "Joining";
    /// About to become available.
    pub const PENDING_AVAILABLE: &str = "PendingAvailable";
    /// A voice offer is ringing.
    pub const PENDING_BUSY: &str = "PendingBusy";
}

/// The names of `AgentErrorStates`.
pub const AGENT_ERROR_STATES: &[&str] = &[
    "Error",
    "AgentHungUp",
    "BadAddressAgent",
    "BadAddressCustomer",
    "Default",
    "FailedConnectAgent",
    "FailedConnectCustomer",
    "InvalidLocale",
    "LineEngagedAgent",
    "LineEngagedCustomer",
    "MissedCallAgent",
    "MissedCallCustomer",
    "MultipleCcpWindows",
    "RealtimeCommunicationError",
];

/// The state the agent selected, with the time it was selected (`timeStamp`, capital `S`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentAvailabilityState {
    /// Name of the selected state (e.g. `Available`).
    pub state: String,
    /// When it was selected.
    #[serde(rename = "timeStamp", default, skip_serializing_if = "Option::is_none")]
    pub time_stamp: Option<Timestamp>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One full picture of the agent, as `GetAgentSnapshot` returns it.
///
/// ```
/// use connect_core::model::AgentSnapshot;
///
/// let fixture = include_str!("../../../../shared/fixtures/streams-sample-snapshots.json");
/// let all: serde_json::Map<String, serde_json::Value> = serde_json::from_str(fixture).unwrap();
/// let chat: AgentSnapshot = serde_json::from_value(all["chatContact"].clone()).unwrap();
/// assert_eq!(chat.contacts.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentSnapshot {
    /// The effective agent state.
    pub state: AgentState,
    /// The state enqueued with `putAgentState{enqueueNextState: true}`.
    #[serde(default)]
    pub next_state: Option<AgentState>,
    /// The state the agent selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_availability_state: Option<AgentAvailabilityState>,
    /// The agent's contacts.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Server time the snapshot was produced.
    pub snapshot_timestamp: Timestamp,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AgentSnapshot {
    /// The contact with this id, if present.
    ///
    /// ```
    /// # use connect_core::model::*;
    /// let s = AgentSnapshot::empty(AgentState::new(AgentStateType::Routable, "Available"), Timestamp::from_millis(0));
    /// assert!(s.contact("nope").is_none());
    /// ```
    pub fn contact(&self, contact_id: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.contact_id == contact_id)
    }

    /// A snapshot with no contacts, in `state`, taken at `at`.
    ///
    /// ```
    /// # use connect_core::model::*;
    /// let s = AgentSnapshot::empty(AgentState::new(AgentStateType::Offline, "Offline"), Timestamp::from_millis(5));
    /// assert!(s.contacts.is_empty());
    /// ```
    pub fn empty(state: AgentState, at: Timestamp) -> Self {
        Self {
            state,
            next_state: None,
            agent_availability_state: None,
            contacts: Vec::new(),
            snapshot_timestamp: at,
            extra: Map::new(),
        }
    }

    /// Contacts sorted ascending by `state.timestamp` (the upstream contact order).
    ///
    /// ```
    /// # use connect_core::model::*;
    /// let s = AgentSnapshot::empty(AgentState::new(AgentStateType::Routable, "Available"), Timestamp::from_millis(0));
    /// assert!(s.contacts_in_order().is_empty());
    /// ```
    pub fn contacts_in_order(&self) -> Vec<&Contact> {
        let mut ordered: Vec<&Contact> = self.contacts.iter().collect();
        ordered.sort_by_key(|c| c.state.timestamp);
        ordered
    }

    /// Skew in ms: `snapshotTimestamp − local receive time` (includes one-way latency).
    ///
    /// ```
    /// # use connect_core::model::*;
    /// let s = AgentSnapshot::empty(AgentState::new(AgentStateType::Routable, "Available"), Timestamp::from_millis(10_500));
    /// assert_eq!(s.skew_millis(Timestamp::from_millis(10_000)), 500);
    /// ```
    pub fn skew_millis(&self, local_receive_time: Timestamp) -> i64 {
        self.snapshot_timestamp.millis_since(local_receive_time)
    }

    /// How long the agent has been in its current state: `now_local − startTimestamp + skew`.
    ///
    /// ```
    /// # use connect_core::model::*;
    /// let mut state = AgentState::new(AgentStateType::Routable, "Available");
    /// state.start_timestamp = Some(Timestamp::from_millis(1_000));
    /// let s = AgentSnapshot::empty(state, Timestamp::from_millis(3_000));
    /// // local clock 200 ms behind the server
    /// assert_eq!(s.state_duration_millis(Timestamp::from_millis(2_800), 200), 2_000);
    /// ```
    pub fn state_duration_millis(&self, now_local: Timestamp, skew_millis: i64) -> i64 {
        let start = self
            .state
            .start_timestamp
            .unwrap_or(self.snapshot_timestamp);
        now_local.millis_since(start) + skew_millis
    }
}
