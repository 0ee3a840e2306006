//! The engine's runtime records: agents, contacts, connections, monitors and timers.

use std::collections::BTreeMap;

use crate::model::{
    AgentStateType, Channel, ConnectionStateType, ConnectionType, ContactStateType, ContactType,
    Endpoint, InitiationMethod, Timestamp,
};

use super::super::script::{AnswerScript, SimChannel};

/// An agent and what it selected; the effective state is derived from its contacts.
#[derive(Clone, Debug)]
pub(crate) struct SimAgent {
    pub id: String,
    pub arn: String,
    pub username: String,
    pub name: String,
    pub profile: usize,
    pub personal_queue: usize,
    pub softphone: bool,
    pub extension: Option<String>,
    pub auto_accept: bool,
    pub permissions: Vec<String>,
    pub dialable_countries: Vec<String>,
    pub preferences: BTreeMap<String, String>,
    /// Index into the directory's states.
    pub selected: usize,
    pub selected_since: Timestamp,
    /// An error state (`MissedCallAgent`, ...) shown until the agent sets a state.
    pub error: Option<String>,
    pub next_state: Option<usize>,
    /// For "longest idle": when the agent last became free, got an offer or became routable.
    pub idle_since: Timestamp,
    /// The effective state last shown, and since when.
    pub shown: Option<ShownState>,
    pub version: u64,
    /// The last snapshot content (without `snapshotTimestamp`) as JSON bytes, to detect
    /// changes: serialising to bytes costs a fraction of building a `Value` tree, and every
    /// agent's snapshot is checked after every operation.
    pub fingerprint: Option<Vec<u8>>,
}

/// The effective state of an agent as last shown in its snapshot.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ShownState {
    pub name: String,
    pub kind: AgentStateType,
    pub arn: Option<String>,
    pub since: Timestamp,
}

/// Media of a leg.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Media {
    None,
    Softphone {
        media_leg_token: String,
        call_token: String,
        turn_username: String,
        turn_credential: String,
    },
    Chat {
        /// The `ConnectionAuthenticationToken` (agent leg only).
        token: Option<String>,
        customer_name: Option<String>,
        auto_accept: Option<bool>,
    },
}

/// Who is on the other end of a leg.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Party {
    Agent,
    Customer,
    /// A transfer or conference target; `linked` is the routed contact of a queue/agent target.
    Third {
        linked: Option<String>,
        answer: AnswerScript,
    },
}

/// One leg of a contact.
#[derive(Clone, Debug)]
pub(crate) struct SimConnection {
    pub id: String,
    pub kind: ConnectionType,
    pub state: ConnectionStateType,
    pub since: Timestamp,
    pub initial: bool,
    pub endpoint: Option<Endpoint>,
    pub mute: bool,
    pub media: Media,
    pub party: Party,
    pub quick_connect_name: Option<String>,
}

impl SimConnection {
    pub fn is_active(&self) -> bool {
        self.state.is_active()
    }
}

/// Where a contact is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// Scheduled task, not yet in its queue.
    Scheduled,
    /// Waiting in its queue.
    Queued,
    /// With an agent (offered, connected, in ACW or lingering).
    Agent(usize),
}

/// What happens when a lingering offer (missed, rejected, failed) is removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AfterLinger {
    Requeue,
    Remove,
}

/// A contact in the instance.
#[derive(Clone, Debug)]
pub(crate) struct SimContact {
    pub id: String,
    /// Creation order, for snapshot order and ties.
    pub seq: u64,
    pub initial_id: String,
    pub related_id: Option<String>,
    pub channel: SimChannel,
    pub state: ContactStateType,
    pub since: Timestamp,
    pub queue: usize,
    pub queue_ts: Timestamp,
    pub initiation: Option<InitiationMethod>,
    pub attributes: BTreeMap<String, String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub references: Vec<(String, String)>,
    pub scheduled_time: Option<i64>,
    pub place: Place,
    pub connections: Vec<SimConnection>,
    /// The agent accepted (or auto-accepted) the current offer.
    pub accepted: bool,
    pub reached_connected: bool,
    /// Customer behaviour.
    pub answer: AnswerScript,
    pub hang_up_after_ms: Option<i64>,
    pub abandon_after_ms: Option<i64>,
    /// Dial attempts made to the customer (callbacks, outbound).
    pub attempts: u32,
    /// The contact this one was transferred from, while the transfer is not complete: the
    /// original contact and its third-party leg.
    pub transfer_from: Option<(String, String)>,
    pub linger: Option<AfterLinger>,
}

impl SimContact {
    pub fn kind(&self) -> ContactType {
        match self.channel {
            SimChannel::Voice => ContactType::Voice,
            SimChannel::Callback => ContactType::QueueCallback,
            SimChannel::Chat => ContactType::Chat,
            SimChannel::Task => ContactType::Task,
        }
    }

    /// The routing-profile channel.
    pub fn routing_channel(&self) -> Channel {
        match self.channel {
            SimChannel::Voice | SimChannel::Callback => Channel::Voice,
            SimChannel::Chat => Channel::Chat,
            SimChannel::Task => Channel::Task,
        }
    }

    pub fn is_voice(&self) -> bool {
        self.channel.is_voice()
    }

    pub fn agent(&self) -> Option<usize> {
        match self.place {
            Place::Agent(a) => Some(a),
            _ => None,
        }
    }

    pub fn connection(&self, id: &str) -> Option<&SimConnection> {
        self.connections.iter().find(|c| c.id == id)
    }

    pub fn connection_mut(&mut self, id: &str) -> Option<&mut SimConnection> {
        self.connections.iter_mut().find(|c| c.id == id)
    }

    pub fn agent_leg(&self) -> Option<&SimConnection> {
        self.connections.iter().find(|c| c.party == Party::Agent)
    }

    pub fn agent_leg_mut(&mut self) -> Option<&mut SimConnection> {
        self.connections
            .iter_mut()
            .find(|c| c.party == Party::Agent)
    }

    pub fn customer_leg(&self) -> Option<&SimConnection> {
        self.connections.iter().find(|c| c.party == Party::Customer)
    }

    /// Whether someone other than the agent and the customer stays on the line if the
    /// customer leaves: an active third party that is not the customer's own routed transfer.
    pub fn independent_party_remains(&self) -> bool {
        self.active_third_parties()
            .any(|c| matches!(&c.party, Party::Third { linked: None, .. }))
    }

    /// Active legs that are neither the agent's nor the customer's.
    pub fn active_third_parties(&self) -> impl Iterator<Item = &SimConnection> {
        self.connections
            .iter()
            .filter(|c| matches!(c.party, Party::Third { .. }) && c.is_active())
    }
}

/// A supervisor monitoring a contact (shown in the supervisor's snapshot).
#[derive(Clone, Debug)]
pub(crate) struct Monitor {
    pub contact: String,
    pub agent: usize,
    pub connection: String,
    pub state: ConnectionStateType,
    pub since: Timestamp,
    pub seq: u64,
    pub media: Media,
}

/// Something the engine does at a given time. Each timer names the leg it was set for, and
/// does nothing when that leg is gone or has moved on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Timer {
    /// An offer rang out.
    Ring { contact: String, leg: String },
    /// The agent's leg finished connecting.
    AgentLegUp { contact: String, leg: String },
    /// A dialled customer or third party answers, is busy or does not answer.
    DialOutcome { contact: String, leg: String },
    /// A missed, rejected or failed offer leaves the snapshot.
    Linger { contact: String, leg: String },
    /// The customer hangs up a connected contact.
    CustomerHangUp { contact: String },
    /// The customer gives up waiting.
    Abandon { contact: String },
    /// A scheduled task enters its queue.
    Schedule { contact: String },
    /// The next scripted arrival of script `script`.
    Arrival { script: usize },
}
