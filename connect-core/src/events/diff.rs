//! The snapshot diff: from the previous picture and a new snapshot to the ordered events.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{AgentEvent, ContactEvent, ContactEventKind};
use crate::model::{
    agent_avail_states, AgentSnapshot, AgentStateType, ConnectionStateType, Contact,
    ContactStateType,
};

/// What the diff remembers between snapshots: the previous snapshot and which contacts have
/// already had their `Ended`.
///
/// ```
/// use std::sync::Arc;
/// use connect_core::events::{diff, DiffState};
/// use connect_core::model::*;
///
/// let snap = Arc::new(AgentSnapshot::empty(AgentState::new(AgentStateType::Routable, "Available"), Timestamp::from_millis(0)));
/// let (events, state) = diff(&DiffState::default(), snap);
/// assert!(!events.is_empty());
/// assert!(state.snapshot().is_some());
/// ```
#[derive(Clone, Debug, Default)]
pub struct DiffState {
    previous: Option<Arc<AgentSnapshot>>,
    ended: HashSet<String>,
}

impl DiffState {
    /// The last snapshot diffed.
    pub fn snapshot(&self) -> Option<&Arc<AgentSnapshot>> {
        self.previous.as_ref()
    }
}

/// The events between `state`'s snapshot and `next`, in the SDK's order (R1, R2), and the state
/// to diff the following snapshot against. Pure: no I/O, no clock.
///
/// Batch order: the agent's routing event, `StateChange`, `Error`/`AfterCallWork`, next-state
/// events; then per contact (added, known, removed) its events followed by its `Refresh`; then
/// one agent `Refresh` as terminator.
pub fn diff(state: &DiffState, next: Arc<AgentSnapshot>) -> (Vec<AgentEvent>, DiffState) {
    let mut events = Vec::new();
    let previous = state.previous.as_deref();
    push_agent_events(previous, &next, &mut events);

    let mut ended = state.ended.clone();
    let old_contacts: HashMap<&str, &Contact> = previous
        .map(|p| {
            p.contacts
                .iter()
                .map(|c| (c.contact_id.as_str(), c))
                .collect()
        })
        .unwrap_or_default();
    let ordered = next.contacts_in_order();
    let (added, known): (Vec<&Contact>, Vec<&Contact>) = ordered
        .into_iter()
        .partition(|c| !old_contacts.contains_key(c.contact_id.as_str()));
    for contact in added {
        push_contact_events(None, contact, &mut ended, &mut events);
    }
    for contact in known {
        let old = old_contacts.get(contact.contact_id.as_str()).copied();
        push_contact_events(old, contact, &mut ended, &mut events);
    }
    let present: HashSet<&str> = next
        .contacts
        .iter()
        .map(|c| c.contact_id.as_str())
        .collect();
    if let Some(previous) = previous {
        for gone in previous.contacts_in_order() {
            if !present.contains(gone.contact_id.as_str()) {
                push_removed_events(gone, &mut ended, &mut events);
            }
        }
    }

    let changed = previous.is_none_or(|p| {
        p.state != next.state || p.next_state != next.next_state || p.contacts != next.contacts
    });
    events.push(AgentEvent::Refresh {
        changed,
        snapshot: Arc::clone(&next),
    });
    let state = DiffState {
        previous: Some(next),
        ended,
    };
    (events, state)
}

fn push_agent_events(
    previous: Option<&AgentSnapshot>,
    next: &AgentSnapshot,
    events: &mut Vec<AgentEvent>,
) {
    let old_type = previous.map_or(AgentStateType::Init, |p| p.state.kind.clone());
    let new_state = &next.state;
    if old_type != new_state.kind {
        match new_state.kind {
            AgentStateType::Routable => events.push(AgentEvent::Routable(new_state.clone())),
            AgentStateType::NotRoutable => events.push(AgentEvent::NotRoutable(new_state.clone())),
            AgentStateType::Offline => events.push(AgentEvent::Offline(new_state.clone())),
            _ => {}
        }
    }
    let old_name = previous.map_or(agent_avail_states::INIT, |p| p.state.name.as_str());
    if old_name != new_state.name {
        events.push(AgentEvent::StateChange {
            old: old_name.to_owned(),
            new: new_state.name.clone(),
            state: new_state.clone(),
        });
        if new_state.is_error() {
            events.push(AgentEvent::Error(new_state.clone()));
        }
        if new_state.is_after_call_work() {
            events.push(AgentEvent::AfterCallWork(new_state.clone()));
        }
    }
    let had_next = previous.and_then(|p| p.next_state.as_ref());
    match (had_next, &next.next_state) {
        (None, Some(enqueued)) => events.push(AgentEvent::EnqueuedNextState(enqueued.clone())),
        (Some(_), None) => events.push(AgentEvent::ClearedNextState),
        (Some(old), Some(new)) if old.name != new.name => {
            events.push(AgentEvent::EnqueuedNextState(new.clone()));
        }
        _ => {}
    }
}

/// The lifecycle events of one transition `old → new` of a contact, in R1 order.
///
/// `old` is `None` for a contact seen for the first time (it then starts with `Init`).
/// `ended_before` says whether `Ended` already fired for this contact.
///
/// ```
/// use connect_core::events::{transition_events, ContactEventKind as K};
/// use connect_core::model::ContactStateType as S;
///
/// assert_eq!(transition_events(Some(&S::Connecting), &S::Missed, false), vec![K::Missed, K::Ended]);
/// assert_eq!(transition_events(None, &S::Ended, false), vec![K::Init, K::Ended, K::Acw]);
/// ```
pub fn transition_events(
    old: Option<&ContactStateType>,
    new: &ContactStateType,
    ended_before: bool,
) -> Vec<ContactEventKind> {
    use ContactStateType as S;
    let mut kinds = Vec::new();
    if old.is_none() {
        kinds.push(ContactEventKind::Init);
    }
    let old_type = old.unwrap_or(&S::Init);
    if old.is_some() && old_type == new {
        return kinds;
    }
    let entry = match new {
        S::Incoming => Some(ContactEventKind::Incoming),
        S::Pending => Some(ContactEventKind::Pending),
        S::Connecting => Some(ContactEventKind::Connecting),
        S::Connected => Some(ContactEventKind::Connected),
        S::Paused => Some(ContactEventKind::Paused),
        _ => None,
    };
    if let Some(entry) = entry {
        if !ended_before {
            kinds.push(entry);
        }
    }
    if *new == S::Error {
        kinds.push(ContactEventKind::Error);
    }
    let was_ringing = matches!(old_type, S::Incoming | S::Connecting);
    if was_ringing && !ended_before && matches!(new, S::Missed | S::Error | S::Rejected) {
        kinds.push(ContactEventKind::Missed);
    }
    let ends = match new {
        S::Missed | S::Error | S::Ended | S::Rejected => true,
        S::Init => old_type.is_active(),
        _ => false,
    };
    if ends && !ended_before {
        kinds.push(ContactEventKind::Ended);
    }
    if *new == S::Ended {
        kinds.push(ContactEventKind::Acw);
    }
    kinds
}

fn push_contact_events(
    old: Option<&Contact>,
    contact: &Contact,
    ended: &mut HashSet<String>,
    events: &mut Vec<AgentEvent>,
) {
    let data = Arc::new(contact.clone());
    let id = &contact.contact_id;
    let mut old = old;
    if ended.contains(id) && contact.state.kind.is_active() {
        // Offered again under the same id (a re-queued contact): the old lifecycle is over.
        if let Some(previous) = old {
            push_removed_events(previous, ended, events);
        }
        old = None;
    }
    let ended_before = ended.contains(id);
    let mut push = |kind: ContactEventKind| {
        events.push(AgentEvent::Contact(ContactEvent {
            contact_id: id.clone(),
            kind,
            contact: Arc::clone(&data),
        }));
    };
    for kind in transition_events(
        old.map(|o| &o.state.kind),
        &contact.state.kind,
        ended_before,
    ) {
        if kind == ContactEventKind::Ended {
            ended.insert(id.clone());
        }
        push(kind);
    }
    for change in connection_changes(old, contact) {
        push(change);
    }
    push(ContactEventKind::Refresh);
}

fn push_removed_events(gone: &Contact, ended: &mut HashSet<String>, events: &mut Vec<AgentEvent>) {
    let data = Arc::new(gone.clone());
    let mut push = |kind: ContactEventKind| {
        events.push(AgentEvent::Contact(ContactEvent {
            contact_id: gone.contact_id.clone(),
            kind,
            contact: Arc::clone(&data),
        }));
    };
    if !ended.remove(&gone.contact_id) {
        push(ContactEventKind::Ended);
    }
    push(ContactEventKind::Destroyed);
}

fn connection_changes(old: Option<&Contact>, new: &Contact) -> Vec<ContactEventKind> {
    let before: HashMap<&str, &ConnectionStateType> = old
        .map(|o| {
            o.connections
                .iter()
                .map(|c| (c.connection_id.as_str(), &c.state.kind))
                .collect()
        })
        .unwrap_or_default();
    let mut changes = Vec::new();
    for connection in &new.connections {
        let previous = before.get(connection.connection_id.as_str()).copied();
        if previous != Some(&connection.state.kind) {
            changes.push(ContactEventKind::ConnectionStateChanged {
                connection_id: connection.connection_id.clone(),
                old: previous.cloned(),
                new: Some(connection.state.kind.clone()),
            });
        }
    }
    for gone in old.iter().flat_map(|o| &o.connections) {
        if new.connection(&gone.connection_id).is_none() {
            changes.push(ContactEventKind::ConnectionStateChanged {
                connection_id: gone.connection_id.clone(),
                old: Some(gone.state.kind.clone()),
                new: None,
            });
        }
    }
    changes
}
