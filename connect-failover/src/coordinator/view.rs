//! [`RegionView`]: what the machine needs of a region's snapshot — its blocking contacts and the
//! agent's selected state.

use std::collections::BTreeSet;

use connect_core::model::{
    AgentSnapshot, Contact, ContactStateType, ContactType, InitiationMethod,
};

/// Channels whose contacts block a soft failover by default: voice, queued callbacks and chat.
pub const DEFAULT_BLOCKING_CHANNELS: &[ContactType] = &[
    ContactType::Voice,
    ContactType::QueueCallback,
    ContactType::Chat,
];

/// An offer: a contact in `init`, `incoming`, `pending` or `connecting` that the agent did not
/// start itself (outbound calls ring in `connecting` too, and are not offers).
///
/// ```
/// use connect_core::model::*;
/// use connect_failover::coordinator::is_offer;
/// let c = Contact::new("c1", ContactType::Voice, ContactStateType::Connecting, Timestamp::from_millis(0));
/// assert!(is_offer(&c));
/// ```
pub fn is_offer(contact: &Contact) -> bool {
    let offered = matches!(
        contact.state.kind,
        ContactStateType::Init
            | ContactStateType::Incoming
            | ContactStateType::Pending
            | ContactStateType::Connecting
    );
    offered && contact.initiation_method != Some(InitiationMethod::Outbound)
}

/// The part of a region's snapshot the failover machine uses.
///
/// ```
/// use connect_core::model::*;
/// use connect_failover::coordinator::{RegionView, DEFAULT_BLOCKING_CHANNELS};
///
/// let mut snap = AgentSnapshot::empty(AgentState::new(AgentStateType::System, "Busy"), Timestamp::from_millis(0));
/// snap.contacts.push(Contact::new("call", ContactType::Voice, ContactStateType::Connected, Timestamp::from_millis(0)));
/// snap.contacts.push(Contact::new("task", ContactType::Task, ContactStateType::Connected, Timestamp::from_millis(0)));
/// let view = RegionView::from_snapshot(&snap, DEFAULT_BLOCKING_CHANNELS, |_| true);
/// assert_eq!(view.blocking.iter().collect::<Vec<_>>(), ["call"]);
/// assert_eq!(view.contacts, 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegionView {
    /// Contacts of a blocking channel that are live or in after-contact work (offers count only
    /// when they were surfaced to the app).
    pub blocking: BTreeSet<String>,
    /// The state the agent selected (`agentAvailabilityState.state`, else `state.name`).
    pub selected_state: Option<String>,
    /// How many contacts the snapshot holds.
    pub contacts: usize,
}

impl RegionView {
    /// Derives the view; `surfaced(contact_id)` says whether an offer was shown to the app.
    pub fn from_snapshot(
        snapshot: &AgentSnapshot,
        blocking_channels: &[ContactType],
        surfaced: impl Fn(&str) -> bool,
    ) -> Self {
        let blocking = snapshot
            .contacts
            .iter()
            .filter(|c| blocking_channels.contains(&c.kind))
            .filter(|c| {
                !matches!(
                    c.state.kind,
                    ContactStateType::Missed | ContactStateType::Rejected | ContactStateType::Error
                )
            })
            .filter(|c| !is_offer(c) || surfaced(&c.contact_id))
            .map(|c| c.contact_id.clone())
            .collect();
        let selected_state = snapshot
            .agent_availability_state
            .as_ref()
            .map(|a| a.state.clone())
            .or_else(|| Some(snapshot.state.name.clone()));
        Self {
            blocking,
            selected_state,
            contacts: snapshot.contacts.len(),
        }
    }

    /// A view with these blocking contacts and selected state (tests, replays).
    pub fn new<I, S>(blocking: I, selected_state: Option<&str>) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let blocking: BTreeSet<String> = blocking.into_iter().map(Into::into).collect();
        Self {
            contacts: blocking.len(),
            blocking,
            selected_state: selected_state.map(str::to_owned),
        }
    }
}
